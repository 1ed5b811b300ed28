//! `litmus run`'s reports: each run's histogram, litmus7-style; the CSV rows
//! of a run; the summary table at the end.

use super::format::human_rate;
use super::machine::Machine;
use crate::catalog::{Job, Test};
use crate::harness::pin::Cores;
use crate::harness::{OutcomeCount, RunResult, classic_label};
use crate::judge::{Expect, Verdict};
use std::fmt::Write as _;
use std::time::SystemTime;

/// A job's title: `PTE-ABA [lowhigh] reader-delay 10`.
pub fn title(job: &Job) -> String {
    format!(
        "{} [{}]{}",
        job.test.name(),
        job.strategy_name(),
        if job.reader_delay > 0 {
            format!(" reader-delay {}", job.reader_delay)
        } else {
            String::new()
        }
    )
}

/// The witness outcome's name: `0:r0=0; 1:r0=0`, `torn`.
pub fn witness_label(job: &Job) -> String {
    match job.test {
        Test::Classic(t) => classic_label(t, t.witness),
        Test::Pte(t) => t.witness.name().into(),
    }
}

/// How one run was judged, beside what the model says.
pub struct Judged {
    pub expect: Expect,
    pub model: Expect,
    pub verdict: Verdict,
}

/// One run's histogram and verdict, as litmus7 prints its own.
pub fn histogram(job: &Job, cores: &Cores, judged: &Judged, result: &RunResult) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n=== {}   x86-TSO: {} (Result: {}; the model: {})",
        title(job),
        judged.expect.name(),
        judged.expect.result_line(),
        judged.model.name()
    );
    if let Some(note) = cores.oversubscription(job.threads()) {
        let _ = writeln!(out, "    note: {note}");
    }
    let _ = writeln!(
        out,
        "Histogram ({} states, {} iterations, {:.3} s, cores {}; {})",
        result.outcomes.iter().filter(|o| o.count > 0).count(),
        result.iterations,
        result.seconds,
        cores.used(job.threads()),
        result.detail
    );
    for OutcomeCount {
        label,
        count,
        witness,
    } in &result.outcomes
    {
        let _ = writeln!(
            out,
            "{count:>14} {} {label}",
            if *witness { "*>" } else { ": " }
        );
    }
    let witnesses = result.witnesses();
    let _ = writeln!(
        out,
        "Witnesses {} ({}/s), Negative {}: {}",
        witnesses,
        human_rate(result.witness_rate()),
        result.iterations.saturating_sub(witnesses),
        match judged.verdict {
            Verdict::Ok if witnesses > 0 => "ok, allowed and observed",
            Verdict::Ok => "ok, forbidden and never observed",
            Verdict::Unexpected => "UNEXPECTED: a forbidden outcome was observed",
            Verdict::NotObserved => "allowed but not observed in this run",
        }
    );
    out
}

/// The CSV rows of one run, one per outcome, in [`super::columns::run`]'s order.
pub fn csv_rows(
    run_id: &str,
    machine: &Machine,
    cores: &Cores,
    job: &Job,
    judged: &Judged,
    result: &RunResult,
) -> Vec<Vec<String>> {
    let timestamp = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
    result
        .outcomes
        .iter()
        .map(|o| {
            let mut row = vec![run_id.to_string(), timestamp.clone()];
            row.extend(machine.values());
            row.extend([
                cores.used(job.threads()),
                job.test.name().into(),
                job.strategy_name().into(),
                job.writer_name().into(),
                job.reader_delay.to_string(),
                result.iterations.to_string(),
                format!("{:.6}", result.seconds),
                o.label.clone(),
                o.count.to_string(),
                o.witness.to_string(),
                judged.expect.name().into(),
                judged.verdict.name().into(),
            ]);
            row
        })
        .collect()
}

/// A finished (or unavailable) run, for the summary table.
pub struct Summary {
    pub test: &'static str,
    pub strategy: &'static str,
    pub reader_delay: u32,
    pub expect: Option<Expect>,
    pub model: Option<Expect>,
    pub witness: String,
    pub witnesses: u64,
    pub rate: f64,
    pub verdict: String,
}

impl Summary {
    /// A run that happened.
    pub fn ran(job: &Job, judged: &Judged, result: &RunResult) -> Summary {
        Summary {
            test: job.test.name(),
            strategy: job.strategy_name(),
            reader_delay: job.reader_delay,
            expect: Some(judged.expect),
            model: Some(judged.model),
            witness: witness_label(job),
            witnesses: result.witnesses(),
            rate: result.witness_rate(),
            verdict: judged.verdict.name().into(),
        }
    }

    /// A run this build or CPU cannot make.
    pub fn unavailable(job: &Job) -> Summary {
        Summary {
            test: job.test.name(),
            strategy: job.strategy_name(),
            reader_delay: job.reader_delay,
            expect: None,
            model: None,
            witness: "-".into(),
            witnesses: 0,
            rate: 0.0,
            verdict: "unavailable".into(),
        }
    }
}

/// The table at the end of a run: one line per job.
pub fn summary(summaries: &[Summary]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{:<12} {:<17} {:>6} {:<10} {:<10} {:<32} {:>12} {:>10}  verdict",
        "test", "strategy", "delay", "expected", "model", "witness", "count", "per s"
    );
    for s in summaries {
        let _ = writeln!(
            out,
            "{:<12} {:<17} {:>6} {:<10} {:<10} {:<32} {:>12} {:>10}  {}",
            s.test,
            s.strategy,
            s.reader_delay,
            s.expect.map_or("-", |e| e.name()),
            s.model.map_or("-", |e| e.name()),
            s.witness,
            s.witnesses,
            human_rate(s.rate),
            s.verdict
        );
    }
    out
}
