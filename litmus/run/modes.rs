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
use crate::harness::ops::compile;
use crate::harness::perpetual::convert::{Perpetual, convert};
use crate::harness::perpetual::run_perpetual;
use crate::harness::{Budget, INTERRUPTED, Job, Plan, Progress, RunResult, run_classic};
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

    /// Run `program` as `mode` and its perpetual form (`form`) say; every
    /// run made, in order (the last is the one the mode chose).
    pub fn run(
        &self,
        program: &Program,
        form: Option<&Result<Perpetual, String>>,
        mode: Mode,
    ) -> Result<Vec<RunResult>, Error> {
        let perpetual = match form {
            Some(Ok(p)) => p,
            _ => return Ok(vec![self.instances(program, self.plan)?]),
        };
        if mode == Mode::Perpetual {
            return Ok(vec![self.perpetual(perpetual, self.plan)?]);
        }
        let Some((probe, rest)) = probe_budget(self.plan.budget) else {
            // Too few iterations to probe both ways and still run: the
            // perpetual form, as a tie would choose.
            return Ok(vec![self.perpetual(perpetual, self.plan)?]);
        };
        let with = |budget| Plan {
            budget,
            ..self.plan.clone()
        };
        let first = self.perpetual(perpetual, &with(probe))?;
        if first.interrupted {
            return Ok(vec![first]);
        }
        let second = self.instances(program, &with(probe))?;
        if second.interrupted {
            return Ok(vec![first, second]);
        }
        // Ties (a Never test, say) go to the perpetual form: more
        // iterations in the same time.
        let main = if second.witness_rate() > first.witness_rate() {
            self.instances(program, &with(rest))?
        } else {
            self.perpetual(perpetual, &with(rest))?
        };
        Ok(vec![first, second, main])
    }
}

/// Each probe's budget and what is left for the main run.
fn probe_budget(budget: Budget) -> Option<(Budget, Budget)> {
    match budget {
        Budget::Duration(d) => {
            let probe = (d / 10).min(Duration::from_millis(50));
            Some((
                Budget::Duration(probe),
                Budget::Duration(d.saturating_sub(probe * 2)),
            ))
        }
        // Two probes and a run need three iterations at least.
        Budget::Iterations(n) if n < 3 => None,
        Budget::Iterations(n) => {
            let probe = (n / 10).max(1);
            Some((Budget::Iterations(probe), Budget::Iterations(n - probe * 2)))
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
        .map(|r| format!("{} {:.0}/s", r.mode.name(), r.witness_rate()))
        .collect();
    for run in runs {
        for o in run.outcomes {
            match merged.outcomes.iter_mut().find(|m| m.label == o.label) {
                Some(m) => m.count += o.count,
                None => merged.outcomes.push(o),
            }
        }
        merged.iterations += run.iterations;
        merged.seconds += run.seconds;
        merged.interrupted |= run.interrupted;
    }
    merged.detail = format!(
        "auto: probes {} (witnesses per second), then {}: {}",
        probes.join(", "),
        merged.mode.name(),
        merged.detail
    );
    merged
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
        let (probe, rest) = probe_budget(Budget::Duration(Duration::from_secs(1))).unwrap();
        assert_eq!(
            (secs(probe), secs(rest)),
            (Duration::from_millis(50), Duration::from_millis(900))
        );
        let (probe, rest) = probe_budget(Budget::Duration(Duration::from_millis(100))).unwrap();
        assert_eq!(
            (secs(probe), secs(rest)),
            (Duration::from_millis(10), Duration::from_millis(80))
        );
        assert_eq!(
            probe_budget(Budget::Iterations(1000)),
            Some((Budget::Iterations(100), Budget::Iterations(800)))
        );
        // Every iteration asked for, no more: three split 1 + 1 + 1, two
        // are too few to probe (the run takes the perpetual form).
        assert_eq!(
            probe_budget(Budget::Iterations(3)),
            Some((Budget::Iterations(1), Budget::Iterations(1)))
        );
        assert_eq!(probe_budget(Budget::Iterations(2)), None);
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
        let one = merge(vec![run(RunMode::Perpetual, &[("w", 1, true)], 1.0)]);
        assert_eq!(one.detail, "main");
    }
}
