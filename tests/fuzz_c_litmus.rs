//! The C litmus reader fuzzed as the X86 one is (`tests/fuzz_litmus.rs`):
//! the project's own C tests (`tests/litmus/c/`), damaged (bytes flipped,
//! lines duplicated and dropped, tokens of the dialect spliced in), through
//! reading, a bounded LKMM search and `show` read back. None may panic;
//! each refusal is one line naming the file, line and column, with no
//! control character printed raw.

mod common;

use pte_litmus::catalog::file::c;
use pte_litmus::error::Error;
use pte_litmus::model::lkmm;
use std::path::{Path, PathBuf};

/// Tokens a damaged C test might hold: the dialect's own, herd7's
/// refusals, numbers at the edges, bytes no file should.
const SPLICE: &[&str] = &[
    ";",
    ",",
    "(",
    ")",
    "{",
    "}",
    "*",
    "&",
    "=",
    "==",
    "!=",
    "+",
    "-",
    "-1",
    "/",
    "/\\",
    "\\/",
    "~",
    ":",
    "[",
    "]",
    "(*",
    "*)",
    "/*",
    "*/",
    "//",
    "if",
    "else",
    "while",
    "exists",
    "forall",
    "~exists",
    "filter",
    "locations",
    "P0",
    "P1",
    "P9",
    "int",
    "int *",
    "spinlock_t",
    "READ_ONCE(*x)",
    "WRITE_ONCE(*x, 1);",
    "smp_mb();",
    "xchg(x, 1)",
    "cmpxchg(x, 0, 1)",
    "spin_lock(s);",
    "spin_unlock(s);",
    "atomic_inc(x);",
    "synchronize_rcu();",
    "rcu_read_lock();",
    "srcu_read_lock(s)",
    "smp_foo();",
    "r0",
    "0:r0=1",
    "x=1",
    "2147483647",
    "99999999999999999999",
    "0x10",
    "\u{1d}",
    "\t",
    "\u{7f}",
    "é",
    "\"",
    "\n",
];

fn sources() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/litmus/c");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "litmus"))
        .collect();
    files.sort();
    files
}

#[test]
fn damaged_c_tests_are_refused_in_one_line_or_read_modelled_and_shown() {
    let files = sources();
    assert!(files.len() > 80, "{files:?}");
    let dir = std::env::temp_dir().join(format!("pte-litmus-cfuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut rng = fastrand::Rng::with_seed(0xc0de_5eed_0000_0030);
    let (mut refused, mut read, mut modelled) = (0, 0, 0);
    for source in &files {
        let text = std::fs::read_to_string(source).unwrap();
        for case in 0..40 {
            let bytes = common::damage(&text, &mut rng, SPLICE);
            let path = dir.join(format!("case-{case}.litmus"));
            std::fs::write(&path, &bytes).unwrap();
            let outcome = std::panic::catch_unwind(|| match c::read(&path) {
                Err(Error::BadInput(line)) => Err(line),
                Err(other) => panic!("not bad input: {other:?}"),
                Ok(test) => {
                    let answered = lkmm::model_within(&test.program, Some(20_000)).is_ok();
                    // What show prints reads back (positions aside).
                    let shown = c::show(&test.program);
                    let again = c::from_text(&shown)
                        .unwrap_or_else(|e| panic!("show's text is refused: {e}\n{shown}"));
                    assert_eq!(c::show::unplaced(&again), c::show::unplaced(&test.program));
                    Ok(answered)
                }
            });
            let Ok(outcome) = outcome else {
                let kept = dir.join("panicked.litmus");
                std::fs::write(&kept, &bytes).unwrap();
                panic!(
                    "{} damaged as {} panicked",
                    source.display(),
                    kept.display()
                );
            };
            match outcome {
                Ok(answered) => {
                    read += 1;
                    modelled += answered as usize;
                }
                Err(line) => {
                    refused += 1;
                    let head = format!("{}:", path.display());
                    assert!(line.starts_with(&head), "{line:?}");
                    // FILE:LINE:COL: message
                    let mut at = line[head.len()..].splitn(3, ':');
                    let (l, col) = (at.next().unwrap_or(""), at.next().unwrap_or(""));
                    assert!(
                        l.parse::<u32>().is_ok() && col.parse::<u32>().is_ok(),
                        "no line and column: {line:?}"
                    );
                    assert!(!line.chars().any(char::is_control), "{line:?}");
                }
            }
        }
    }
    assert!(
        refused > 1000 && read > 300 && modelled > 300,
        "{refused} refused, {read} read, {modelled} modelled"
    );
    eprintln!(
        "{} damaged C tests: {refused} refused, {read} read ({modelled} modelled)",
        refused + read
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
