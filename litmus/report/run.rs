//! `litmus run`'s reports: each run's histogram, litmus7-style; the CSV rows
//! of a run; the summary table at the end.

use super::answer::{self, Observed, Prices};
use super::format::{human_rate, table};
use super::machine::Machine;
use super::rows::RunRow;
use crate::catalog::program::{Observation, Quantifier};
use crate::catalog::{Test, Unmappable};
use crate::harness::pin::Cores;
use crate::harness::window::{Window, nanos};
use crate::harness::{Job, OutcomeCount, RunResult};
use crate::judge::lkmm::{Mapping, mapping};
use crate::judge::{self, Expect, Verdict};
use std::fmt::Write as _;
use std::time::SystemTime;

/// A job's title: `PTE-ABA [lowhigh] window 500ns`.
pub fn title(job: &Job) -> String {
    format!(
        "{} [{}]{}",
        job.test().name(),
        job.strategy_name(),
        if job.window != Window::Pauses(0) {
            format!(" window {}", job.window)
        } else {
            String::new()
        }
    )
}

/// What a PTE run's window came to on this machine, and the costs it is
/// measured against.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Units {
    /// The window as executed: `pause`s after each load of the first attempt.
    pub pauses: u32,
    /// The same in nanoseconds, on the reader's core.
    pub window_ns: f64,
    pub ns_per_pause: f64,
    /// One turn (zap + install) of the test's writer as the reader sees it:
    /// the turn and the PTE line's trip to the reader.
    pub writer_turn_ns: f64,
    /// The running kernel's zap and refault of one page (median).
    pub refault_ns: f64,
}

impl Units {
    /// `window 12 pause = 313ns (26.1ns a pause, 2.0 writer turns of 155ns); the kernel's zap+refault: 2.91us`
    pub fn describe(&self) -> String {
        format!(
            "window {} pause = {} ({:.1}ns a pause, {:.1} writer turns of {}); the kernel's zap+refault: {}",
            self.pauses,
            nanos(self.window_ns),
            self.ns_per_pause,
            self.window_ns / self.writer_turn_ns.max(1e-9),
            nanos(self.writer_turn_ns),
            nanos(self.refault_ns)
        )
    }
}

/// The witness outcome's name: `0:r0=0 /\ 1:r0=0`, `torn`.
pub fn witness_label(job: &Job) -> String {
    match job.test() {
        Test::Pte(t) => t.witness.name().into(),
        test => {
            let p = test.program().expect("a litmus program");
            let prop = p.prop_text(&p.condition.prop);
            match p.condition.quantifier {
                Quantifier::Forall => format!("~({prop})"),
                _ => prop,
            }
        }
    }
}

/// A litmus program's condition and what the run saw of it.
pub struct Conditioned {
    pub name: String,
    /// `exists (0:EAX=0 /\ 1:EAX=0)`.
    pub text: String,
    pub quantifier: Quantifier,
    /// Instances where the proposition held, and where it did not.
    pub observation: Observation,
}

/// How one run was judged, beside what the model says.
pub struct Judged {
    pub expect: Expect,
    pub model: Expect,
    pub verdict: Verdict,
    /// Outcomes seen that the model never reaches (litmus programs).
    pub forbidden: Vec<String>,
    /// Litmus programs: the condition, for litmus7's closing lines.
    pub condition: Option<Conditioned>,
    /// A C test: the LKMM's verdict on its witness (the x86-TSO ones are
    /// for the x86 code the kernel compiles it to).
    pub lkmm: Option<Expect>,
}

/// One run's histogram and verdict, as litmus7 prints its own.
pub fn histogram(
    job: &Job,
    cores: &Cores,
    judged: &Judged,
    units: Option<&Units>,
    result: &RunResult,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n=== {}   x86-TSO: {} (Result: {}; the model: {})",
        title(job),
        judged.expect.name(),
        judged.expect.result_line(),
        judged.model.name()
    );
    if let Some(lkmm) = judged.lkmm {
        let _ = writeln!(
            out,
            "    LKMM: {}{}",
            lkmm.result_line(),
            mapping(lkmm, judged.expect)
                .words()
                .map_or(String::new(), |w| format!("; {w}"))
        );
    }
    if let Some(note) = cores.oversubscription(job.threads()) {
        let _ = writeln!(out, "    note: {note}");
    }
    if let Some(units) = units {
        let _ = writeln!(out, "    {}", units.describe());
    }
    let _ = writeln!(
        out,
        "Histogram ({} states, {} iterations{}, {:.3} s, cores {}; {})",
        result.outcomes.iter().filter(|o| o.count > 0).count(),
        result.iterations,
        abandoned_words(result.abandoned),
        result.seconds,
        cores.used(job.threads()),
        result.detail
    );
    for OutcomeCount {
        label,
        count,
        witness,
        ..
    } in &result.outcomes
    {
        let forbidden = if judged.forbidden.contains(label) {
            "   <- FORBIDDEN: the model never reaches it"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "{count:>14} {} {label}{forbidden}",
            if *witness { "*>" } else { ": " }
        );
    }
    let witnesses = result.witnesses();
    let _ = writeln!(
        out,
        "Witnesses {} ({}/s), Negative {}: {}",
        witnesses,
        human_rate(result.witness_rate()),
        result.counted().saturating_sub(witnesses),
        judge::words(judged.expect, judged.verdict)
    );
    if let Some(c) = &judged.condition {
        let _ = writeln!(
            out,
            "Condition {} is {}validated",
            c.text,
            if c.observation.validated(c.quantifier) {
                ""
            } else {
                "NOT "
            }
        );
        let _ = writeln!(
            out,
            "Observation {} {} {} {}",
            c.name,
            c.observation.word(),
            c.observation.positive,
            c.observation.negative
        );
    }
    out
}

/// `, 12 abandoned (a spin_lock() never taken, not counted)` after a
/// run's iterations when it abandoned any; nothing when none.
fn abandoned_words(abandoned: u64) -> String {
    if abandoned == 0 {
        String::new()
    } else {
        format!(", {abandoned} abandoned (a spin_lock() never taken, not counted)")
    }
}

/// The CSV rows of one run, one per outcome (a run whose every instance
/// was abandoned has one row, outcome `-`, count 0, to say so).
pub fn csv_rows(
    run_id: &str,
    machine: &Machine,
    cores: &Cores,
    job: &Job,
    judged: &Judged,
    units: Option<&Units>,
    result: &RunResult,
) -> Vec<RunRow> {
    let timestamp = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
    let (source, source_hash) = job.test().source();
    let run = RunRow {
        run_id: run_id.to_string(),
        timestamp,
        machine: machine.clone(),
        cores: cores.used(job.threads()),
        test: job.test().name().into(),
        source,
        source_hash,
        dialect: job.test().dialect().into(),
        strategy: job.strategy_name().into(),
        writer: job.writer_name().into(),
        reader_delay: units.map_or(0, |u| u.pauses),
        window: if job.is_pte() {
            job.window.to_string()
        } else {
            "-".into()
        },
        window_ns: units.map(|u| u.window_ns),
        writer_turn_ns: units.map(|u| u.writer_turn_ns),
        refault_ns: units.map(|u| u.refault_ns),
        mode: result.mode.name().into(),
        iterations: result.iterations,
        abandoned: result.abandoned,
        seconds: result.seconds,
        expected: judged.expect,
        verdict: judged.verdict,
        ..RunRow::default()
    };
    if result.outcomes.is_empty() {
        return vec![RunRow {
            outcome: "-".into(),
            ..run
        }];
    }
    result
        .outcomes
        .iter()
        .map(|o| RunRow {
            outcome: o.label.clone(),
            count: o.count,
            witness: o.witness,
            ..run.clone()
        })
        .collect()
}

/// A finished (or unavailable) run, for the closing tables.
pub struct Summary {
    pub test: &'static str,
    /// A PTE test's run (judged per strategy and window), not a litmus program's.
    pub pte: bool,
    pub strategy: &'static str,
    /// The window as asked for, and what it came to.
    pub window: Window,
    pub units: Option<Units>,
    pub model: Option<Expect>,
    pub witness: String,
    pub witnesses: u64,
    pub rate: f64,
    pub reads: u64,
    /// Of `reads`, the instances abandoned (a `spin_lock()` never taken).
    pub abandoned: u64,
    pub seconds: f64,
    /// How it ran (`instances`, `perpetual`, `stream`; `-` if it did not).
    pub mode: &'static str,
    /// The expectation and the judge's verdict; `Err`: why it could not run.
    pub judged: Result<(Expect, Verdict), String>,
    /// A C test's LKMM verdict (see [`Judged::lkmm`]).
    pub lkmm: Option<Expect>,
}

impl Summary {
    /// A run that happened.
    pub fn ran(job: &Job, judged: &Judged, units: Option<&Units>, result: &RunResult) -> Summary {
        Summary {
            test: job.test().name(),
            pte: job.is_pte(),
            strategy: job.strategy_name(),
            window: job.window,
            units: units.copied(),
            model: Some(judged.model),
            witness: witness_label(job),
            witnesses: result.witnesses(),
            rate: result.witness_rate(),
            reads: result.iterations,
            abandoned: result.abandoned,
            seconds: result.seconds,
            mode: result.mode.name(),
            judged: Ok((judged.expect, judged.verdict)),
            lkmm: judged.lkmm,
        }
    }

    /// A run this build or CPU cannot make, and why.
    pub fn unavailable(job: &Job, reason: String) -> Summary {
        Summary {
            pte: job.is_pte(),
            window: job.window,
            ..Summary::not_run(job.test().name(), job.strategy_name(), reason)
        }
    }

    /// A C test with no x86 code to run (why, in its line).
    pub fn unmappable(u: &Unmappable) -> Summary {
        Summary::not_run(Box::leak(u.name.clone().into_boxed_str()), "-", u.reason())
    }

    /// A line for what did not run: its name and why.
    fn not_run(test: &'static str, strategy: &'static str, reason: String) -> Summary {
        Summary {
            test,
            pte: false,
            strategy,
            window: Window::Pauses(0),
            units: None,
            model: None,
            witness: "-".into(),
            witnesses: 0,
            rate: 0.0,
            reads: 0,
            abandoned: 0,
            seconds: 0.0,
            mode: "-",
            judged: Err(reason),
            lkmm: None,
        }
    }

    /// A C test's x86 code against the LKMM's promise, once it ran.
    pub fn mapping(&self) -> Option<Mapping> {
        Some(mapping(self.lkmm?, self.expect()?))
    }

    fn expect(&self) -> Option<Expect> {
        self.judged.as_ref().ok().map(|(e, _)| *e)
    }

    /// The verdict in words (`allowed, seen`, `FORBIDDEN and seen`), or
    /// `unavailable`.
    fn verdict_words(&self) -> &'static str {
        match &self.judged {
            Ok((expect, verdict)) => judge::words(*expect, *verdict),
            Err(_) => "unavailable",
        }
    }
}

/// Every run's line: test, strategy, window, expectation, model, witness,
/// count, rate and verdict (`--verbose`).
pub fn summary(summaries: &[Summary]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{:<12} {:<17} {:>9} {:>9} {:<10} {:<10} {:<32} {:>12} {:>10}  verdict",
        "test", "strategy", "window", "ns", "expected", "model", "witness", "count", "per s"
    );
    for s in summaries {
        let window = if s.pte {
            s.window.to_string()
        } else {
            "-".into()
        };
        let _ = writeln!(
            out,
            "{:<12} {:<17} {:>9} {:>9} {:<10} {:<10} {:<32} {:>12} {:>10}  {}",
            s.test,
            s.strategy,
            window,
            s.units
                .map_or("-".into(), |u| format!("{:.0}", u.window_ns)),
            s.expect().map_or("-", |e| e.name()),
            s.model.map_or("-", |e| e.name()),
            s.witness,
            s.witnesses,
            human_rate(s.rate),
            s.verdict_words()
        );
    }
    out
}

/// The litmus programs' table (classic tests and `.litmus` files): one
/// line each, with x86-TSO's `Result:` and what this machine did; when C
/// tests ran, the LKMM's `Result:` beside x86-TSO's for the kernel's x86
/// code, and the verdict says where x86 is stronger or weaker.
pub fn litmus_table(summaries: &[Summary], markdown: bool) -> String {
    let litmus: Vec<&Summary> = summaries.iter().filter(|s| !s.pte).collect();
    if litmus.is_empty() {
        return String::new();
    }
    let lkmm = litmus.iter().any(|s| s.lkmm.is_some());
    let rows: Vec<Vec<String>> = litmus.iter().map(|s| litmus_row(s, lkmm)).collect();
    let mut header = vec![
        "test", "x86-TSO", "mode", "witness", "seen", "rate", "verdict",
    ];
    if lkmm {
        header.insert(1, "LKMM");
    }
    let header: Vec<String> = header.into_iter().map(String::from).collect();
    let heading = "Litmus tests: what x86-TSO allows, and what this machine did";
    let mut out = if markdown {
        format!("### {heading}\n\n")
    } else {
        format!("{heading}\n\n")
    };
    out.push_str(&table(&header, &rows, markdown));
    out
}

/// One line of [`litmus_table`] (with the LKMM column when `lkmm`).
fn litmus_row(s: &Summary, lkmm: bool) -> Vec<String> {
    let mut verdict = match s.mapping().and_then(Mapping::words) {
        Some(words) => format!("{}; {words}", s.verdict_words()),
        None => s.verdict_words().to_string(),
    };
    if s.abandoned > 0 {
        let _ = write!(
            verdict,
            "; {} of {} instances abandoned (a lock never taken)",
            s.abandoned, s.reads
        );
    }
    let mut row = vec![
        s.test.to_string(),
        s.expect().map_or("-", |e| e.result_line()).to_string(),
        s.mode.to_string(),
        s.witness.clone(),
        s.witnesses.to_string(),
        format!("{}/s", human_rate(s.rate)),
        verdict,
    ];
    if lkmm {
        row.insert(1, s.lkmm.map_or("-", |e| e.result_line()).to_string());
    }
    row
}

/// The PTE runs, as the answer table takes them.
pub fn observed(summaries: &[Summary]) -> Vec<Observed> {
    summaries
        .iter()
        .filter(|s| s.pte)
        .filter_map(|s| {
            let (expect, _) = s.judged.as_ref().ok()?;
            Some(Observed {
                test: s.test.to_string(),
                strategy: s.strategy.to_string(),
                expect: *expect,
                witnesses: s.witnesses,
                reads: s.reads,
                seconds: s.seconds,
                window_ns: s.units.map(|u| u.window_ns),
            })
        })
        .collect()
}

/// `native64 (x86-64 only)`: the strategies and tests that could not run,
/// each once, with why.
pub fn unavailable(summaries: &[Summary]) -> Vec<String> {
    let mut said: Vec<String> = Vec::new();
    for s in summaries {
        if let Err(reason) = &s.judged {
            let what = if s.pte { s.strategy } else { s.test };
            let line = format!("{what} ({reason})");
            if !said.contains(&line) {
                said.push(line);
            }
        }
    }
    said
}

/// What ends every `litmus run`: the litmus programs' table, the answer
/// (when PTE tests ran), what could not run, and the seed's sentence.
pub fn closing(summaries: &[Summary], prices: Option<&Prices>, markdown: bool) -> String {
    let mut parts = Vec::new();
    let litmus = litmus_table(summaries, markdown);
    if !litmus.is_empty() {
        parts.push(litmus);
    }
    let answer = answer::answer(&observed(summaries), prices, markdown);
    if !answer.is_empty() {
        parts.push(answer);
    }
    let missing = unavailable(summaries);
    if !missing.is_empty() {
        parts.push(format!("Unavailable here: {}.\n", missing.join("; ")));
    }
    if let Some(sentence) = seed_sentence(summaries) {
        parts.push(format!("{sentence}\n"));
    }
    format!("\n{}", parts.join("\n"))
}

/// The sentence that ends a run of `PTE-ABA`: what the seed's race needs
/// on this kernel, beside what the test's writer needed.
pub fn seed_sentence(summaries: &[Summary]) -> Option<String> {
    let runs: Vec<&Summary> = summaries
        .iter()
        .filter(|s| s.test == "PTE-ABA" && s.strategy == "lowhigh" && s.units.is_some())
        .collect();
    let first = runs.first()?.units?;
    let narrowest = runs
        .iter()
        .filter(|s| s.witnesses > 0)
        .filter_map(|s| s.units)
        .min_by(|a, b| a.window_ns.total_cmp(&b.window_ns));
    let widest = runs
        .iter()
        .filter_map(|s| s.units)
        .map(|u| u.window_ns)
        .fold(0.0, f64::max);
    let tore = match narrowest {
        Some(u) if u.pauses == 0 => "tore lowhigh with no window at all".to_string(),
        Some(u) => format!(
            "tore lowhigh from a window of {} ({:.1} turns of {})",
            nanos(u.window_ns),
            u.window_ns / u.writer_turn_ns.max(1e-9),
            nanos(u.writer_turn_ns)
        ),
        None => format!(
            "did not tear lowhigh in this run (windows up to {})",
            nanos(widest)
        ),
    };
    Some(format!(
        "The seed's race needs two zap-and-refault cycles inside the reader's window, one in \
         each of its gaps: this kernel zaps and refaults a page in {} (median), so the reader \
         must stall at least {}; the test's writer, which skips the kernel, {tore}.",
        nanos(first.refault_ns),
        nanos(2.0 * first.refault_ns)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn litmus_summary(test: &'static str, expect: Expect, lkmm: Option<Expect>) -> Summary {
        let verdict = judge::judge(expect, 0);
        Summary {
            test,
            pte: false,
            strategy: "-",
            window: Window::Pauses(0),
            units: None,
            model: Some(expect),
            witness: "0:r0=0".into(),
            witnesses: 0,
            rate: 0.0,
            reads: 1000,
            abandoned: 0,
            seconds: 1.0,
            mode: "instances",
            judged: Ok((expect, verdict)),
            lkmm,
        }
    }

    #[test]
    fn the_lkmm_column_comes_with_c_tests_and_the_verdict_says_where_x86_differs() {
        use Expect::{Allowed, Forbidden};
        let x86_only = [litmus_summary("SB", Allowed, None)];
        let table = litmus_table(&x86_only, false);
        assert!(!table.contains("LKMM"), "{table}");
        let with_c = [
            litmus_summary("SB", Allowed, None),
            litmus_summary("MP+onces", Forbidden, Some(Allowed)),
            litmus_summary("SB+mbs", Forbidden, Some(Forbidden)),
            litmus_summary("WEAK", Allowed, Some(Forbidden)),
        ];
        let table = litmus_table(&with_c, false);
        let line = |test: &str| {
            table
                .lines()
                .find(|l| l.starts_with(&format!("{test} ")))
                .unwrap()
                .to_string()
        };
        assert!(line("test").starts_with("test      LKMM"), "{table}");
        assert!(line("SB").contains(" -  "), "{table}");
        assert!(
            line("MP+onces").ends_with("forbidden, never seen; x86 is stronger here"),
            "{table}"
        );
        assert!(line("SB+mbs").ends_with("forbidden, never seen"), "{table}");
        assert!(
            line("WEAK").ends_with("the x86 mapping is weaker than the kernel's promise"),
            "{table}"
        );
    }
}
