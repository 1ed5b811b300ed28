//! `litmus list` and `litmus show`: the catalog as text.

use crate::catalog::classic::ClassicTest;
use crate::catalog::file::{self, c::CTest};
use crate::catalog::program::Program;
use crate::catalog::pte::PteTest;
use crate::catalog::{Case, FileTest, Test};
use crate::model;
use pte_asm::strategy::ReadStrategy;
use std::fmt::Write as _;

/// `split=A lowhigh=F ...`: a PTE test's declared result per strategy.
fn pte_expectations(test: &PteTest) -> String {
    ReadStrategy::ALL
        .iter()
        .map(|s| format!("{}={}", s.name(), &(test.expect)(*s).name()[..1]))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `litmus list`: every test, its declared result and the model's.
pub fn list() -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<12} {:<10} {:<10} description",
        "test", "expected", "model"
    );
    for test in Test::all() {
        match test {
            Test::Classic(t) => {
                let _ = writeln!(
                    out,
                    "{:<12} {:<10} {:<10} {}",
                    t.name,
                    t.expect.name(),
                    model::verdict(Case::Classic(t)).name(),
                    t.summary
                );
            }
            Test::Pte(t) => {
                let _ = writeln!(
                    out,
                    "{:<12} {:<10} {:<10} {}",
                    t.name, "per read", "per read", t.summary
                );
                let _ = writeln!(
                    out,
                    "{:<23} {} (A=Allowed, F=Forbidden): {}",
                    "",
                    t.witness.name(),
                    pte_expectations(t)
                );
                let disagree: Vec<String> = ReadStrategy::ALL
                    .iter()
                    .filter(|&&s| model::verdict(Case::Pte(t, s)) != (t.expect)(s))
                    .map(|s| s.name().to_string())
                    .collect();
                let _ = writeln!(
                    out,
                    "{:<23} the model: {}",
                    "",
                    if disagree.is_empty() {
                        "agrees for every strategy".to_string()
                    } else {
                        format!("DISAGREES for {}", disagree.join(", "))
                    }
                );
            }
            Test::File(_) => {}
        }
    }
    out
}

/// `litmus show TEST`: what each thread runs, the outcomes, the
/// expectation and the kernel code it stands for.
pub fn show(test: Test) -> String {
    match test {
        Test::Classic(t) => show_classic(t),
        Test::Pte(t) => show_pte(t),
        Test::File(f) => show_file(f),
    }
}

/// Each thread's instructions, a line each (`P0: x=1; r0=y`), after
/// `indent`.
fn thread_lines(p: &Program, indent: &str) -> String {
    let mut out = String::new();
    for (t, code) in p.threads.iter().enumerate() {
        let steps: Vec<String> = code
            .iter()
            .map(|i| model::litmus::describe(p, t, i))
            .collect();
        let _ = writeln!(out, "{indent}P{t}: {}", steps.join("; "));
    }
    out
}

/// `litmus show C.litmus`'s closing comment: the x86 code the kernel
/// compiles the test to, as `litmus run` runs it, with x86-TSO's verdict;
/// or why it has none. A `(* *)` comment, so the whole still reads as the
/// same C test.
pub fn c_mapping(c: &'static CTest) -> String {
    let mut out = String::from("\n(*\n");
    match file::from_c(c) {
        Ok(mapped) => {
            let f: &'static FileTest = Box::leak(Box::new(mapped));
            let p = &f.program;
            let _ = writeln!(
                out,
                " * The x86 code the kernel compiles it to (`litmus run` runs it; docs/lkmm-x86.md):"
            );
            out.push_str(&thread_lines(p, " *   "));
            let _ = writeln!(
                out,
                " * x86-TSO of that code: {}",
                model::verdict(Case::File(f)).result_line()
            );
        }
        Err(unmapped) => {
            let _ = writeln!(
                out,
                " * No x86 code here: {}; `litmus model` still answers.",
                file::escape_controls(&unmapped.message)
            );
        }
    }
    out.push_str(" *)\n");
    out
}

/// A `.litmus` file: where it came from, its threads as the suite reads
/// them, what is observed, and the model's answer.
fn show_file(f: &'static FileTest) -> String {
    let p = &f.program;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: from {} ({:?} dialect, sha256 {})
",
        p.name,
        f.source.display(),
        f.arch,
        f.hash
    );
    if let Some(doc) = &f.doc {
        let _ = writeln!(out, "\"{doc}\"\n");
    }
    let locations: Vec<String> = p
        .locations
        .iter()
        .map(|l| format!("{}={} ({} bytes)", l.name, l.init, l.size))
        .collect();
    let _ = writeln!(out, "  locations: {}", locations.join(", "));
    out.push_str(&thread_lines(p, "  "));
    let observed: Vec<String> = p.observed.iter().map(|o| p.name_of(*o)).collect();
    let _ = writeln!(out, "\n  observed: {}", observed.join(", "));
    let _ = writeln!(out, "  {}", p.condition_text());
    let expect = model::verdict(Case::File(f));
    let _ = writeln!(out, "  x86-TSO (the model): {}", expect.name());
    let _ = writeln!(out, "  Result: {}", expect.result_line());
    out
}

fn show_classic(t: &ClassicTest) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}\n", t.name, t.summary);
    let _ = writeln!(out, "{}\n", t.about);
    for (i, ops) in t.threads.iter().enumerate() {
        let ops: Vec<String> = ops.iter().map(|op| op.to_string()).collect();
        let _ = writeln!(out, "  P{i}: {}", ops.join("; "));
    }
    let columns: Vec<String> = t.observed.iter().map(|o| o.to_string()).collect();
    let _ = writeln!(out, "\n  observed: {}", columns.join(", "));
    let _ = writeln!(out, "  {}", t.program().condition_text());
    let _ = writeln!(out, "  x86-TSO: {}", t.expect.name());
    let _ = writeln!(out, "  Result: {}", t.expect.result_line());
    out
}

fn show_pte(t: &PteTest) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}\n", t.name, t.summary);
    let _ = writeln!(out, "{}\n", t.about);
    for thread in t.thread_lines() {
        let _ = writeln!(out, "  {thread}");
    }
    let _ = writeln!(
        out,
        "\n  outcomes: intact (installed whole), torn (present, halves never together), absent (not present){}",
        if t.writer_checks() {
            ", lost (a write of the writer's overwritten)"
        } else {
            ""
        }
    );
    let _ = writeln!(out, "  witness: {}\n", t.witness.name());
    let _ = writeln!(
        out,
        "  {:<18} {:<28} {:<10}",
        "strategy", "writer", "x86-TSO"
    );
    for s in ReadStrategy::ALL {
        let expect = (t.expect)(s);
        let _ = writeln!(
            out,
            "  {:<18} {:<28} {:<10} Result: {}",
            s.name(),
            s.writer().name(),
            expect.name(),
            expect.result_line()
        );
    }
    out
}
