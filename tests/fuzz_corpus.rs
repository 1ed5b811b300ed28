//! The cargo-fuzz corpus (`fuzz/corpus/litmus_file/`), replayed on stable
//! through the fuzz target's own body (`fuzz/one_file.rs`): every input
//! the fuzzer kept, each a path the reader or the model once took for the
//! first time, must still be refused in one clean line or read, modelled
//! and printed without a panic.

#[path = "../fuzz/one_file.rs"]
mod one_file;

use one_file::{Fate, one_file};

#[test]
fn every_input_the_fuzzer_kept_is_refused_in_one_line_or_read() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/litmus_file");
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .expect("the committed corpus")
        .map(|e| e.unwrap().path())
        .collect();
    inputs.sort();
    let (mut read, mut refused, mut not_text) = (0, 0, 0);
    for path in &inputs {
        let bytes = std::fs::read(path).unwrap();
        let fate = std::panic::catch_unwind(|| one_file(&bytes))
            .unwrap_or_else(|_| panic!("{} panicked", path.display()));
        match fate {
            Fate::Read => read += 1,
            Fate::Refused(_) => refused += 1,
            Fate::NotText => not_text += 1,
        }
    }
    eprintln!(
        "{} inputs: {read} read, {refused} refused, {not_text} not text",
        inputs.len()
    );
    // The corpus grew from the catalogue and the exports: both kinds of
    // path must be in it.
    assert!(
        read >= 20 && refused >= 20,
        "{read} read, {refused} refused"
    );
}

#[test]
fn a_refusal_is_the_line_the_reader_gives() {
    let fate = one_file(b"X86 T\n{ x=0; }\n P0 ;\n MOV EAX,[x]\x1d ;\nexists (0:EAX=0)\n");
    let Fate::Refused(line) = fate else {
        panic!("read a file with a 0x1d in an instruction: {fate:?}");
    };
    assert!(line.contains("\\u{1d}"), "{line:?}");
    assert_eq!(one_file(&[0xff, 0xfe]), Fate::NotText);
    let sb = "X86 SB\n{ x=0; y=0; }\n P0          | P1          ;\n MOV [x],$1  | MOV [y],$1  ;\n MOV EAX,[y] | MOV EAX,[x] ;\nexists (0:EAX=0 /\\ 1:EAX=0)\n";
    assert_eq!(one_file(sb.as_bytes()), Fate::Read);
}
