//! The `.litmus` reader fuzzed: thousands of damaged files (the catalogue's
//! and the suite's own exports, with bytes flipped, lines duplicated and
//! dropped, tokens spliced in) through reading, a bounded model search and
//! (where that search finished) `show`, which runs the whole model. None may panic; each refusal is one line naming the file, with
//! no control character printed raw.

mod common;

use pte_litmus::catalog::Test;
use pte_litmus::catalog::file;
use pte_litmus::error::Error;
use pte_litmus::model;
use std::path::{Path, PathBuf};

/// Tokens a damaged file might hold: the syntax's own, numbers at the
/// edges, names of registers and locations, and bytes no file should.
const SPLICE: &[&str] = &[
    "|",
    ";",
    ",",
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    "=",
    ":",
    "/\\",
    "\\/",
    "~",
    "$",
    "%",
    "MOV",
    "LOCK",
    "XCHG",
    "CMPXCHG",
    "MFENCE",
    "movq",
    "movl",
    "exists",
    "forall",
    "P0",
    "P7",
    "EAX",
    "[x]",
    "$1",
    "$-1",
    "0x",
    "0xffffffffffffffffff",
    "99999999999999999999",
    "uint64_t",
    "int64_t",
    "\u{1d}",
    "\t",
    "\u{7f}",
    "é",
    "\"",
    "(*",
    "*)",
    "@",
    "#",
    "\n",
    " P0 | P1 | P2 ;",
];

fn sources() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = Vec::new();
    let catalogue = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/litmus/x86");
    let exported = std::env::temp_dir().join(format!("pte-litmus-fuzz-{}", std::process::id()));
    model::herd::export(&exported).unwrap();
    for dir in [catalogue, exported] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "litmus") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn damaged_litmus_files_are_refused_in_one_line_or_read_and_modelled() {
    let files = sources();
    assert!(files.len() > 50, "{files:?}");
    let dir = std::env::temp_dir().join(format!("pte-litmus-fuzzed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Seeded: the damage is the same on every run.
    let mut rng = fastrand::Rng::with_seed(0x5eed_1234_abcd_ef01);
    let (mut refused, mut read) = (0, 0);
    for source in &files {
        let text = std::fs::read_to_string(source).unwrap();
        for case in 0..100 {
            let bytes = common::damage(&text, &mut rng, SPLICE);
            let path = dir.join(format!("case-{case}.litmus"));
            std::fs::write(&path, &bytes).unwrap();
            let shown = path.display().to_string();
            let outcome = std::panic::catch_unwind(|| match file::read(&path) {
                Err(Error::BadInput(line)) => Err(line),
                Err(other) => panic!("not bad input: {other:?}"),
                Ok(test) => {
                    let test: &'static file::FileTest = Box::leak(Box::new(test));
                    let program = model::litmus::litmus_program(&test.program);
                    let small = !model::search::explore_bounded(&program, 5_000).truncated;
                    // `show` runs the whole model: only where it is small.
                    if small {
                        let _ = pte_litmus::report::catalog::show(Test::File(test));
                    }
                    Ok(())
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
                Ok(()) => read += 1,
                Err(line) => {
                    refused += 1;
                    assert!(line.starts_with(&format!("{shown}:")), "{line:?}");
                    assert!(!line.chars().any(char::is_control), "{line:?}");
                }
            }
        }
    }
    assert!(
        refused > 1000 && read > 100,
        "{refused} refused, {read} read"
    );
    eprintln!(
        "{} files damaged: {refused} refused, {read} read",
        refused + read
    );
}

/// A control character in a damaged file comes back escaped, on one line.
#[test]
fn a_control_character_is_named_not_printed() {
    let path = std::env::temp_dir().join(format!("pte-litmus-ctrl-{}.litmus", std::process::id()));
    std::fs::write(
        &path,
        "X86 T\n{ x=0; }\n P0 ;\n MOV EAX,[x]\u{1d} ;\nexists (0:EAX=0)\n",
    )
    .unwrap();
    let Err(Error::BadInput(line)) = file::read(&path) else {
        panic!("read a file with a 0x1d in an instruction");
    };
    assert!(line.contains("\\u{1d}"), "{line:?}");
    assert!(
        line.starts_with(&format!("{}:4: ", path.display())),
        "{line:?}"
    );
    assert!(!line.chars().any(char::is_control), "{line:?}");
}
