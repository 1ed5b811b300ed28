//! One fuzz input through the `.litmus` reader, in the dialect its first
//! line names: an X86 file read from text, then (if it reads) turned into a
//! model program, searched with a small bound of states, and printed as
//! `litmus show` prints a file's threads and condition; a C file read,
//! judged by the LKMM with a small budget of candidate executions, and
//! printed back by `show`, which must read again to the same test. Shared
//! by the cargo-fuzz target and tests/fuzz_corpus.rs.

use pte_litmus::catalog::file;
use pte_litmus::catalog::file::c;
use pte_litmus::model;

/// Candidate executions the LKMM may judge per C input.
const MAX_CANDIDATES: u64 = 5_000;

/// States the model may visit per input: enough for every catalogue
/// shape, small enough for thousands of inputs a second.
const MAX_STATES: usize = 5_000;

/// What became of one input.
#[derive(Debug, PartialEq, Eq)]
pub enum Fate {
    /// Not UTF-8: `litmus` refuses it in one line before parsing.
    NotText,
    /// Refused: the one line `litmus` would print after `FILE:LINE: `.
    Refused(String),
    /// Read, modelled (to the bound) and printed.
    Read,
}

/// Run one input. Panics (a finding) when the reader, the model or the
/// printing panics, or when a refusal is not one clean line.
pub fn one_file(bytes: &[u8]) -> Fate {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Fate::NotText;
    };
    if c::is_c(text) {
        return one_c_file(text);
    }
    let test = match file::from_text(text) {
        Ok(test) => test,
        Err(e) => {
            let line = file::escape_controls(&e.message);
            assert!(!line.is_empty(), "an empty refusal for {text:?}");
            assert!(
                !line.chars().any(char::is_control),
                "a raw control character in {line:?}"
            );
            return Fate::Refused(line);
        }
    };
    let p = &test.program;
    let found = model::search::explore_bounded(&model::litmus::litmus_program(p), MAX_STATES);
    for f in &found.finals {
        assert!(!f.label.is_empty(), "a final state without a name");
    }
    // What `show` prints of a file, but for the model's verdict (which
    // `show` caches for the life of the process, by file).
    let mut shown = p.condition_text();
    for (t, code) in p.threads.iter().enumerate() {
        for i in code {
            shown += &model::litmus::describe(p, t, i);
        }
    }
    for o in &p.observed {
        shown += &p.name_of(*o);
    }
    assert!(!shown.is_empty());
    Fate::Read
}

/// A C input: refused in one clean line naming its line and column, or
/// read, judged within the budget, and shown back to the same test.
fn one_c_file(text: &str) -> Fate {
    let program = match c::from_text(text) {
        Ok(program) => program,
        Err(e) => {
            let line = file::escape_controls(&e.to_string());
            assert!(e.pos.line > 0, "a refusal with no line: {line:?}");
            assert!(
                !line.chars().any(char::is_control),
                "a raw control character in {line:?}"
            );
            return Fate::Refused(line);
        }
    };
    let _ = model::lkmm::model_within(&program, Some(MAX_CANDIDATES));
    let shown = c::show(&program);
    let again = c::from_text(&shown).unwrap_or_else(|e| panic!("show's text refused: {e}"));
    assert_eq!(c::show::unplaced(&again), c::show::unplaced(&program));
    Fate::Read
}
