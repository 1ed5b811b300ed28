//! How a litmus program runs under `--mode`: as instances, perpetually,
//! or (`auto`) perpetually or as instances, whichever showed its witness
//! faster in two short probes at the start of its budget.
//!
//! Why `auto` probes rather than always running perpetually: on this
//! project's VM (AMD EPYC family 26, 2026-12-02,
//! `results/checks/perpetual-vs-litmus7.csv`) the perpetual form showed
//! `SB` and `SB+rfi-pos` witnesses 31 and 14 times as fast as litmus7 at its
//! best mode, the instances 5 and 3 times, but the seed's race written as
//! two variables (`PTE-ABA+lowhigh`), whose witness needs the reader's
//! three loads to straddle all eight of the writer's stores, showed 0.41
//! times litmus7's rate perpetually and 246 times as instances (medians of
//! 5 rounds; docs/perpetual.md). Each probe is a tenth
//! of the budget (at most 50 ms); what the probes see counts with the rest.

use super::Mode;
use crate::catalog::program::Program;
use crate::error::{Error, FailedExt};
use crate::harness::classic::FREE_DETAIL;
use crate::harness::ops::compile;
use crate::harness::perpetual::convert::{Perpetual, convert};
use crate::harness::perpetual::run_perpetual;
use crate::harness::{Budget, INTERRUPTED, Job, Plan, Progress, RunResult, Sync, run_classic};
use pte_asm::cpu::Features;
use std::time::Duration;

/// A litmus program's perpetual form under `mode`, or why it has none;
/// `None` where it runs as instances anyway (a PTE test, `--mode
/// instances`).
pub fn perpetual_form(job: &Job, mode: Mode) -> Option<Result<Perpetual, String>> {
    if mode == Mode::Instances || job.is_pte() {
        return None;
    }
    Some(convert(&*job.test().program()?))
}

/// What one job needs to run a program.
pub struct Runner<'a> {
    pub plan: &'a Plan,
    pub cpu: &'a Features,
    pub progress: &'a dyn Progress,
    /// The witness as the report names it.
    pub label: &'a str,
    /// Under `--mode auto`, probe instances with no meeting too (`--sync
    /// auto`, the default).
    pub probe_free: bool,
}

impl Runner<'_> {
    fn instances(&self, program: &Program, plan: &Plan) -> Result<RunResult, Error> {
        let ops = compile(program, self.cpu).failed()?;
        run_classic(program, &ops, plan, &INTERRUPTED, self.progress).failed()
    }

    fn perpetual(&self, perpetual: &Perpetual, plan: &Plan) -> Result<RunResult, Error> {
        let ops = compile(&perpetual.program, self.cpu).failed()?;
        run_perpetual(
            perpetual,
            &ops,
            self.label,
            plan,
            &INTERRUPTED,
            self.progress,
        )
        .failed()
    }

    fn way(&self, program: &Program, way: Way, plan: &Plan) -> Result<RunResult, Error> {
        match way {
            Way::Perpetual(p) => self.perpetual(p, plan),
            Way::Instances(sync) => self.instances(
                program,
                &Plan {
                    sync,
                    ..plan.clone()
                },
            ),
        }
    }

    /// Run `program` as `mode` and its perpetual form (`form`) say; every
    /// run made, in order (the last is the one the mode chose).
    pub fn run(
        &self,
        program: &Program,
        form: Option<&Result<Perpetual, String>>,
        mode: Mode,
    ) -> Result<Vec<RunResult>, Error> {
        let perpetual = match form {
            Some(Ok(p)) if mode != Mode::Instances => Some(p),
            _ => None,
        };
        // The ways `auto` may choose, in the order ties go: perpetual (more
        // iterations in the same time), instances, then instances with no
        // meeting (`--sync auto`: free-running threads overlap only by
        // chance, but where they do they race at full speed).
        let mut ways: Vec<Way> = perpetual.into_iter().map(Way::Perpetual).collect();
        if mode == Mode::Perpetual && !ways.is_empty() {
            return Ok(vec![self.way(program, ways[0], self.plan)?]);
        }
        ways.push(Way::Instances(self.plan.sync));
        if mode == Mode::Auto && self.probe_free && !matches!(self.plan.sync, Sync::Free { .. }) {
            let tuning = matches!(self.plan.sync, Sync::Timebase { tuning: true, .. });
            ways.push(Way::Instances(Sync::Free { tuning }));
        }
        if mode != Mode::Auto || ways.len() == 1 {
            return Ok(vec![self.way(program, ways[0], self.plan)?]);
        }
        let Some((probe, rest)) = probe_budget(self.plan.budget, ways.len()) else {
            // Too few iterations to probe every way and still run: the
            // first way, as a tie would choose.
            return Ok(vec![self.way(program, ways[0], self.plan)?]);
        };
        let with = |budget| Plan {
            budget,
            ..self.plan.clone()
        };
        let mut runs = Vec::new();
        for &way in &ways {
            let run = self.way(program, way, &with(probe))?;
            let interrupted = run.interrupted;
            runs.push(run);
            if interrupted {
                return Ok(runs);
            }
        }
        runs.push(self.way(program, ways[fastest(&runs)], &with(rest))?);
        Ok(runs)
    }
}

/// The probe whose witness came fastest; a tie (a Never test, say) to
/// the earliest.
fn fastest(probes: &[RunResult]) -> usize {
    // Each rate rounded to an f64 once, in memory: on x87 (i586) a rate
    // kept at 80 bits can compare above the same rate stored at 64.
    let rates: Vec<f64> = probes.iter().map(RunResult::witness_rate).collect();
    let mut best = 0;
    for (i, &rate) in rates.iter().enumerate() {
        if rate > rates[best] * (1.0 + 1e-12) {
            best = i;
        }
    }
    best
}

/// One way to run a program.
#[derive(Clone, Copy)]
enum Way<'a> {
    Perpetual(&'a Perpetual),
    Instances(Sync),
}

/// Each of `ways` probes' budget and what is left for the main run.
fn probe_budget(budget: Budget, ways: usize) -> Option<(Budget, Budget)> {
    let ways32 = ways as u32;
    match budget {
        Budget::Duration(d) => {
            let probe = (d / 10).min(Duration::from_millis(50));
            Some((
                Budget::Duration(probe),
                Budget::Duration(d.saturating_sub(probe * ways32)),
            ))
        }
        // The probes and a run need an iteration each at least.
        Budget::Iterations(n) if n <= ways as u64 => None,
        Budget::Iterations(n) => {
            let probe = (n / 10).max(1);
            Some((
                Budget::Iterations(probe),
                Budget::Iterations(n.saturating_sub(probe * ways as u64).max(1)),
            ))
        }
    }
}

/// One result of several runs of a job: outcomes with the same label
/// summed, iterations and seconds added, the last run's mode.
pub fn merge(mut runs: Vec<RunResult>) -> RunResult {
    let mut merged = runs.pop().expect("at least one run");
    if runs.is_empty() {
        return merged;
    }
    let probes: Vec<String> = runs
        .iter()
        .map(|r| format!("{} {:.0}/s", way_name(r), r.witness_rate()))
        .collect();
    for run in runs {
        for o in run.outcomes {
            match merged.outcomes.iter_mut().find(|m| m.label == o.label) {
                Some(m) => m.count += o.count,
                None => merged.outcomes.push(o),
            }
        }
        merged.iterations += run.iterations;
        merged.abandoned += run.abandoned;
        merged.seconds += run.seconds;
        merged.interrupted |= run.interrupted;
    }
    merged.detail = format!(
        "auto: probes {} (witnesses per second), then {}: {}",
        probes.join(", "),
        way_name(&merged),
        merged.detail
    );
    merged
}

/// How a run ran, for `auto`'s line: its mode, `instances (no meeting)`
/// for free-running instances.
fn way_name(r: &RunResult) -> &'static str {
    match r.mode {
        crate::harness::RunMode::Instances if r.detail.contains(FREE_DETAIL) => {
            "instances (no meeting)"
        }
        mode => mode.name(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::{OutcomeCount, RunMode};

    fn run(mode: RunMode, outcomes: &[(&str, u64, bool)], seconds: f64) -> RunResult {
        RunResult {
            outcomes: outcomes
                .iter()
                .map(|(label, count, witness)| OutcomeCount {
                    label: label.to_string(),
                    count: *count,
                    witness: *witness,
                    values: Vec::new(),
                })
                .collect(),
            iterations: outcomes.iter().map(|o| o.1).sum(),
            abandoned: 0,
            seconds,
            interrupted: false,
            detail: "main".into(),
            writer_turns: 0,
            mode,
        }
    }

    #[test]
    fn probes_take_a_tenth_of_the_budget_at_most_50ms_each() {
        let secs = |b| match b {
            Budget::Duration(d) => d,
            _ => panic!(),
        };
        let (probe, rest) = probe_budget(Budget::Duration(Duration::from_secs(1)), 2).unwrap();
        assert_eq!(
            (secs(probe), secs(rest)),
            (Duration::from_millis(50), Duration::from_millis(900))
        );
        // Three ways (perpetual, instances, instances with no meeting).
        let (probe, rest) = probe_budget(Budget::Duration(Duration::from_secs(1)), 3).unwrap();
        assert_eq!(
            (secs(probe), secs(rest)),
            (Duration::from_millis(50), Duration::from_millis(850))
        );
        let (probe, rest) = probe_budget(Budget::Duration(Duration::from_millis(100)), 2).unwrap();
        assert_eq!(
            (secs(probe), secs(rest)),
            (Duration::from_millis(10), Duration::from_millis(80))
        );
        assert_eq!(
            probe_budget(Budget::Iterations(1000), 2),
            Some((Budget::Iterations(100), Budget::Iterations(800)))
        );
        // Every iteration asked for, no more: three split 1 + 1 + 1, two
        // are too few to probe two ways (the run takes the first way).
        assert_eq!(
            probe_budget(Budget::Iterations(3), 2),
            Some((Budget::Iterations(1), Budget::Iterations(1)))
        );
        assert_eq!(probe_budget(Budget::Iterations(2), 2), None);
        assert_eq!(probe_budget(Budget::Iterations(3), 3), None);
    }

    #[test]
    fn the_fastest_witness_wins_and_ties_go_to_the_earliest_way() {
        let rate = |n: u64| {
            run(
                RunMode::Instances,
                &[("w", n, true), ("a", 10, false)],
                0.05,
            )
        };
        assert_eq!(fastest(&[rate(1), rate(5), rate(3)]), 1);
        assert_eq!(fastest(&[rate(2), rate(2), rate(2)]), 0);
        assert_eq!(fastest(&[rate(0), rate(0), rate(1)]), 2);
    }

    /// What the probes saw counts: a forbidden witness in a probe is not
    /// lost when the main run is of the other mode.
    #[test]
    fn merging_keeps_every_runs_outcomes() {
        let probe = run(
            RunMode::Perpetual,
            &[("w", 3, true), ("rest", 7, false)],
            0.05,
        );
        let other = run(RunMode::Instances, &[("w", 1, true), ("a", 9, false)], 0.05);
        let main = run(RunMode::Instances, &[("w", 2, true), ("a", 8, false)], 0.9);
        let merged = merge(vec![probe, other, main]);
        assert_eq!(merged.mode, RunMode::Instances);
        assert_eq!(merged.witnesses(), 6);
        assert_eq!(merged.iterations, 30);
        assert!((merged.seconds - 1.0).abs() < 1e-9);
        assert!(
            merged
                .detail
                .starts_with("auto: probes perpetual 60/s, instances 20/s"),
            "{}",
            merged.detail
        );
        // A free-running probe is named as such.
        let mut free = run(RunMode::Instances, &[("w", 4, true)], 0.05);
        free.detail = format!("batch 256, {FREE_DETAIL}");
        let chosen = run(RunMode::Perpetual, &[("w", 1, true)], 0.9);
        let merged = merge(vec![free, chosen]);
        assert!(
            merged
                .detail
                .starts_with("auto: probes instances (no meeting) 80/s (witnesses per second), then perpetual: main"),
            "{}",
            merged.detail
        );
        let one = merge(vec![run(RunMode::Perpetual, &[("w", 1, true)], 1.0)]);
        assert_eq!(one.detail, "main");
    }
}
