//! The PTE tests as the kernel's C litmus tests (`litmus export --lkmm
//! DIR`), so the seed's question gets the Linux-kernel memory model's
//! answer, which is the only one for architectures with no 64-bit atomic
//! load (mips32, sh with X2TLB): there `ptep_get_lockless()` is the C code
//! itself.
//!
//! - The PTE tests ([`pte`]), named as `export --herd` names them
//!   (`PTE-ABA+lowhigh`), for each read strategy with a faithful C form:
//!   `split` (`ptep_get()`'s two halves), `lowhigh` (`ptep_get_lockless()`
//!   with `READ_ONCE()`; `+plain`, the seed's plain loads of 2022),
//!   `lowhigh-lockadd` (`smp_mb()`, which is `lock addl` on x86) and
//!   `seqcount`; the writers `pte_clear()` and `set_pte()` with the
//!   catalog's values (the seed's A, B, C for `PTE-ABA`).
//! - The protocols' pairs ([`protocol`]), `PTE-PROTOCOL+READER+WRITER`:
//!   each reader of `litmus protocols` with a C form against each writer,
//!   on the installs of x86-TSO's shortest torn read (or the seed's A, B, C
//!   where x86-TSO finds none).
//! - Not written, with the reason: the single 8-byte reads (the LKMM has no
//!   mixed-size accesses, and the point is the machines without them),
//!   `lfence` (`rmb()` is not in `linux-kernel.def`), the readers whose C
//!   form another file already is, and `PTE-ABA3` (three writer threads:
//!   too many coherence orders for herd7, or the suite's LKMM, to finish).
//!
//! The retry loop is in the condition, as herd treats a spin loop: the
//! recheck registers equal the first read (`0:lo=65639 /\ 0:lo2=65639`),
//! and the witness is every present value the reader could return that no
//! install wrote. Each file is read back with the suite's C reader and
//! judged by its LKMM ([`crate::model::lkmm`]), whose verdict is the file's
//! `Result:` line (with `DATARACE` when it flags a data race): every file
//! written is one the reader takes, and says what the model says of it.

mod code;
pub mod matrix;
pub mod protocol;
pub mod pte;

use super::Litmus;
use crate::catalog::file::c::from_text;
use crate::model::lkmm;
use std::path::Path;

/// One thread of a C test: its parameters, registers and statements.
#[derive(Clone, Debug, Default)]
struct Thread {
    params: Vec<&'static str>,
    locals: Vec<String>,
    body: Vec<String>,
}

/// A C test before its `Result:` line is known.
#[derive(Clone, Debug)]
struct Draft {
    name: String,
    /// One sentence: what the test asks.
    asks: String,
    /// What else the file should say (x86-TSO's answer for the same code).
    note: String,
    /// Locations with their initial values.
    init: Vec<(&'static str, u32)>,
    threads: Vec<Thread>,
    /// The `filter` clause's proposition, if any.
    filter: Option<String>,
    /// The `exists` clause's proposition.
    exists: String,
}

/// Comment lines of at most this many columns, as the kernel's tests keep.
const WIDTH: usize = 72;

/// `text` as ` * `-prefixed comment lines.
fn wrapped(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > WIDTH - 3 {
            lines.push(format!(" * {line}"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(format!(" * {line}"));
    }
    lines
}

fn thread_text(index: usize, t: &Thread) -> String {
    let params: Vec<String> = t.params.iter().map(|p| format!("int *{p}")).collect();
    let mut out = format!("P{index}({})\n{{\n", params.join(", "));
    for local in &t.locals {
        out.push_str(&format!("\tint {local};\n"));
    }
    if !t.locals.is_empty() {
        out.push('\n');
    }
    for statement in &t.body {
        out.push_str(&format!("\t{statement}\n"));
    }
    out.push_str("}\n");
    out
}

/// The file's text, with `result` as its `Result:` line.
fn text(d: &Draft, result: &str) -> String {
    let mut out = format!("C {}\n\n(*\n * Result: {result}\n *\n", d.name);
    for line in wrapped(&d.asks) {
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str(" *\n");
    for line in wrapped(&d.note) {
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str(" *)\n\n{\n");
    for (location, v) in &d.init {
        out.push_str(&format!("\t{location} = {};\n", code::value(*v)));
    }
    out.push_str("}\n");
    for (i, t) in d.threads.iter().enumerate() {
        out.push('\n');
        out.push_str(&thread_text(i, t));
    }
    out.push('\n');
    if let Some(filter) = &d.filter {
        out.push_str(&format!("filter ({filter})\n"));
    }
    out.push_str(&format!("exists ({})\n", d.exists));
    out
}

/// The `Result:` words for what the LKMM says of `outcome`.
fn result_words(outcome: &lkmm::Outcome) -> String {
    let word = outcome.observation().word();
    if outcome.flags().any(|f| f == "data-race") {
        format!("{word} DATARACE")
    } else {
        word.to_string()
    }
}

/// The draft read back and judged by the LKMM: the file, its `Result:`
/// line filled in.
fn finish(d: &Draft) -> Result<Litmus, String> {
    let unread =
        |e: &dyn std::fmt::Display| format!("{}: the export does not read back: {e}", d.name);
    let draft = text(d, "?");
    let program = from_text(&draft).map_err(|e| unread(&e))?;
    let outcome =
        lkmm::model(&program).map_err(|e| format!("{}: the LKMM cannot judge it: {e}", d.name))?;
    let result = result_words(&outcome);
    let text = text(d, &result);
    let again = from_text(&text).map_err(|e| unread(&e))?;
    if again.result.as_deref() != Some(result.as_str()) {
        return Err(unread(&format!(
            "its Result: line reads as {:?}",
            again.result
        )));
    }
    Ok(Litmus {
        name: d.name.clone(),
        text,
    })
}

/// `(thread, register, value)` atoms joined by `/\`.
fn conjunction(atoms: &[String]) -> String {
    atoms.join(" /\\ ")
}

/// Alternatives, each in brackets, one a line.
fn disjunction(alternatives: &[String]) -> String {
    match alternatives {
        [one] => one.clone(),
        many => {
            let lines: Vec<String> = many.iter().map(|a| format!("({a})")).collect();
            format!("\n\t{}\n", lines.join(" \\/\n\t"))
        }
    }
}

/// Every C test, and what was left out and why.
pub fn all() -> Result<(Vec<Litmus>, Vec<String>), String> {
    let (pte_drafts, mut skipped) = pte::drafts();
    let (pair_drafts, pairs_skipped) = protocol::drafts();
    skipped.extend(pairs_skipped);
    let files = pte_drafts
        .iter()
        .chain(&pair_drafts)
        .map(finish)
        .collect::<Result<Vec<_>, _>>()?;
    Ok((files, skipped))
}

/// Write every C test into `dir` (created if missing), with `@all` listing
/// them.
pub fn export(dir: &Path) -> Result<(usize, Vec<String>), String> {
    let (files, skipped) = all()?;
    let written = super::write_dir(
        dir,
        files.iter().map(|f| (f.name.as_str(), f.text.as_str())),
    )?;
    Ok((written, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_wrap_at_the_kernels_width() {
        let long = "word ".repeat(40);
        let lines = wrapped(&long);
        assert!(lines.len() > 1);
        assert!(
            lines
                .iter()
                .all(|l| l.len() <= WIDTH && l.starts_with(" * "))
        );
    }

    #[test]
    fn a_draft_reads_back_with_the_models_result() {
        let d = Draft {
            name: "T".into(),
            asks: "Does a reader see the write?".into(),
            note: "A test of the writer.".into(),
            init: vec![("pte_low", 1)],
            threads: vec![
                Thread {
                    params: vec!["pte_low"],
                    locals: vec!["lo".into()],
                    body: vec!["lo = *pte_low;".into()],
                },
                Thread {
                    params: vec!["pte_low"],
                    locals: vec![],
                    body: vec!["WRITE_ONCE(*pte_low, 2);".into()],
                },
            ],
            filter: None,
            exists: "0:lo=2".into(),
        };
        let file = finish(&d).unwrap();
        assert!(
            file.text.contains(" * Result: Sometimes DATARACE\n"),
            "{}",
            file.text
        );
        assert!(file.text.contains("\tpte_low = 1;\n"), "{}", file.text);
    }
}
