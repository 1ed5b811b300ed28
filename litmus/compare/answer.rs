//! The answer per machine, first in `litmus compare`: the same table
//! `litmus run` ends with, built from each machine's CSV rows of the
//! question tests, with the core cycles of that machine's bench rows.

use super::Inputs;
use super::views::LitmusView;
use crate::report::answer::{LOST, Observed, Prices, QUESTIONS, answer_notes, answer_titled};
use crate::report::rows::BenchRow;

/// One answer table per machine that ran a question test, then the notes
/// once; empty when no machine did.
pub fn section(inputs: &Inputs, view: &LitmusView, markdown: bool) -> String {
    let mut out = String::new();
    let mut priced = Vec::new();
    let legend = super::text::legend(&view.machines);
    let named: Vec<&str> = legend.lines().collect();
    for (m, machine) in view.machines.iter().enumerate() {
        let observed = observed(view, m);
        if observed.is_empty() {
            continue;
        }
        let prices = prices(&inputs.bench, machine);
        if let Some(p) = &prices {
            priced.push(p.source.clone());
        }
        let title = format!("Which reads of a 64-bit PTE stay whole on {}", named[m]);
        out.push_str(&answer_titled(
            &observed,
            prices.as_ref(),
            markdown,
            &title,
            false,
        ));
    }
    if out.is_empty() {
        return out;
    }
    let source = (!priced.is_empty()).then(|| priced.join("; "));
    out.push_str(&answer_notes(source.as_deref(), markdown));
    out.push('\n');
    out
}

/// Machine `m`'s runs of the question tests (and `PTE-LOST`), per window.
fn observed(view: &LitmusView, m: usize) -> Vec<Observed> {
    let asked = |test: &str| test == LOST || QUESTIONS.iter().any(|(q, _)| *q == test);
    view.rows
        .iter()
        .filter(|((test, _, window), _)| asked(test) && window != "auto")
        .filter_map(|((test, strategy, _), cells)| {
            let seen = cells.get(m)?.as_ref()?;
            Some(Observed {
                test: test.clone(),
                strategy: strategy.clone(),
                expect: seen.expected,
                witnesses: seen.witnesses,
                reads: seen.reads,
                seconds: seen.seconds,
                window_ns: seen.window_ns,
            })
        })
        .collect()
}

/// The read benchmark's core cycles from bench rows of the same CPU and
/// target as `machine` (its key: [`super::machine_key`]).
fn prices(bench: &[BenchRow], machine: &[String]) -> Option<Prices> {
    let (cpu, target) = (&machine[0], &machine[4]);
    Prices::from_rows(
        |commit| format!("bench rows of {cpu}, {target} (commit {commit})"),
        bench
            .iter()
            .filter(|r| r.machine.cpu_model == *cpu && r.machine.target == *target),
    )
}
