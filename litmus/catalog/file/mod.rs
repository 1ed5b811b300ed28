//! herdtools7's `.litmus` files, read into [`Program`]s: the `X86` dialect
//! (Intel syntax, as herdtools7's own x86 catalogue writes it) and the
//! `X86_64` dialect (AT&T syntax, typed locations, mixed 4- and 8-byte
//! accesses). A file, a directory of them, or an `@all` list (one file per
//! line, `#` comments) can be named wherever a test name can. Anything this
//! reader does not accept is one error naming the file, the line and the
//! construct, before anything runs.
//!
//! Files: [`parse`] (sections), [`token`], [`instr`] (instructions),
//! [`cond`] (the condition), `resolve` (names into a program); this one
//! finds the files and reads them.

pub mod c;
pub mod cond;
pub mod instr;
pub mod parse;
mod resolve;
pub mod token;

use super::program::Program;
use crate::error::Error;
pub use parse::Arch;
use parse::ParseError;
use resolve::Resolver;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// A test read from a file: an X86 or X86_64 file, or a C test as the
/// x86 code the kernel compiles it to ([`c::x86`]).
#[derive(Clone, Debug)]
pub struct FileTest {
    pub program: Program,
    /// The dialect of `program` (`X86` for a C test's mapped code: 32-bit
    /// registers and locations).
    pub arch: Arch,
    /// The quoted description, if the file has one.
    pub doc: Option<String>,
    /// The path as the user gave it (or as an `@all` list named it).
    pub source: PathBuf,
    /// SHA-256 of the file's bytes, in hex (`sha256sum` shows the same).
    pub hash: String,
    /// The file's text, for `litmus show`.
    pub text: String,
    /// A C test (the kernel's dialect) as written, whose x86 code `program`
    /// is; `None` for an X86 file.
    pub c: Option<&'static c::CTest>,
}

/// Whether a command-line test argument names files rather than a
/// built-in test: a path, a `.litmus` name, or an `@all` list.
pub fn is_path(arg: &str) -> bool {
    arg.contains('/') || arg.ends_with(".litmus") || arg.starts_with('@') || Path::new(arg).is_dir()
}

/// The `.litmus` files `arg` names: itself; every `.litmus` file of a
/// directory (its `@all`, when it has one, decides which and in what
/// order); or an `@all` list's entries, relative to the list.
pub fn expand(arg: &str) -> Result<Vec<PathBuf>, Error> {
    let path = Path::new(arg);
    if path.is_dir() {
        let all = path.join("@all");
        if all.is_file() {
            return list(&all);
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| Error::BadInput(format!("cannot read {arg}: {e}")))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "litmus"))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(Error::BadInput(format!("{arg}: no .litmus files")));
        }
        return Ok(files);
    }
    if path
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('@'))
    {
        return list(path);
    }
    Ok(vec![path.to_path_buf()])
}

/// An `@all` list: one file per line, `#` comments, blank lines skipped.
fn list(path: &Path) -> Result<Vec<PathBuf>, Error> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::BadInput(format!("cannot read {shown}: {e}")))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut files = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let entry = line.split('#').next().unwrap_or("").trim();
        if entry.is_empty() {
            continue;
        }
        let file = dir.join(entry);
        if !file.is_file() {
            return Err(Error::BadInput(format!(
                "{shown}:{}: '{entry}' is not a file",
                i + 1
            )));
        }
        files.push(file);
    }
    if files.is_empty() {
        return Err(Error::BadInput(format!("{shown}: lists no files")));
    }
    Ok(files)
}

/// Read and resolve one file; any problem is bad input naming the file
/// and line.
pub fn read(path: &Path) -> Result<FileTest, Error> {
    let shown = path.display();
    let bytes =
        std::fs::read(path).map_err(|e| Error::BadInput(format!("cannot read {shown}: {e}")))?;
    let text = String::from_utf8(bytes.clone())
        .map_err(|_| Error::BadInput(format!("{shown}: not UTF-8 text")))?;
    let mut test = from_text(&text).map_err(|e| {
        Error::BadInput(escape_controls(&if e.line == 0 {
            format!("{shown}: {}", e.message)
        } else {
            format!("{shown}:{}: {}", e.line, e.message)
        }))
    })?;
    test.source = path.to_path_buf();
    test.hash = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(test)
}

/// `text` with each control character (a tab, a newline, a 0x1d from a
/// damaged file) written as an escape (`\t`, `\n`, `\u{1d}`): a message
/// quoting a file stays one line and prints nothing raw to a terminal.
pub fn escape_controls(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Read a test from its text (no file: `source` and `hash` left empty).
pub fn from_text(text: &str) -> Result<FileTest, ParseError> {
    let s = parse::sections(text)?;
    let program = Resolver::new(&s).program()?;
    Ok(FileTest {
        program,
        arch: s.arch,
        doc: s.doc.clone(),
        source: PathBuf::new(),
        hash: String::new(),
        text: text.to_string(),
        c: None,
    })
}

/// A C test as the x86 code the kernel compiles it to, or why it has none.
pub fn from_c(c: &'static c::CTest) -> Result<FileTest, c::x86::Unmapped> {
    let program = c::x86::program(&c.program)?;
    Ok(FileTest {
        program,
        arch: Arch::X86,
        doc: None,
        source: c.source.clone(),
        hash: c.hash.clone(),
        text: c.text.clone(),
        c: Some(c),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::program::{Address, Fence, Instr, Operand, Quantifier, RmwOp, Size};

    const SB: &str = "X86 SB\n{ x=0; y=0; }\n P0          | P1          ;\n MOV [x],$1  | MOV [y],$1  ;\n MOV EAX,[y] | MOV EAX,[x] ;\nexists (0:EAX=0 /\\ 1:EAX=0)\n";

    fn at(loc: u8, offset: u8) -> Address {
        Address {
            loc,
            offset,
            index: None,
        }
    }

    #[test]
    fn sb_becomes_a_program() {
        let p = from_text(SB).unwrap().program;
        assert_eq!(p.name, "SB");
        assert_eq!(
            p.locations
                .iter()
                .map(|l| (l.name.as_str(), l.size))
                .collect::<Vec<_>>(),
            [("x", Size::Four), ("y", Size::Four)]
        );
        assert_eq!(
            p.threads[0],
            [
                Instr::Store {
                    size: Size::Four,
                    at: at(0, 0),
                    value: Operand::Imm(1)
                },
                Instr::Load {
                    size: Size::Four,
                    at: at(1, 0),
                    reg: 0
                },
            ]
        );
        assert_eq!(p.observed.len(), 2);
        assert_eq!(p.condition.quantifier, Quantifier::Exists);
        assert_eq!(p.label(&[0, 1]), "0:EAX=0; 1:EAX=1;");
        assert!(p.is_witness(&[0, 0]) && !p.is_witness(&[0, 1]));
    }

    #[test]
    fn x86_64_reads_typed_mixed_size_locations() {
        let text = "X86_64 MIX\n{ uint64_t x; 0:rsi=x; 1:rbx=7; }\n P0              | P1                 ;\n movl $2,4(%rsi) | lock cmpxchgq %rbx,(x) ;\n movq (x),%rax   | xchgl %ecx,(y)     ;\n mfence          |                    ;\nlocations [y;]\nexists (0:rax=0x200000000 /\\ [x]=7)\n";
        let p = from_text(text).unwrap().program;
        assert_eq!(p.locations[0].size, Size::Eight);
        assert_eq!(p.locations[1].name, "y");
        assert_eq!(
            p.threads[0],
            [
                Instr::Store {
                    size: Size::Four,
                    at: at(0, 4),
                    value: Operand::Imm(2)
                },
                Instr::Load {
                    size: Size::Eight,
                    at: at(0, 0),
                    reg: 0
                },
                Instr::Fence(Fence::Mfence),
            ]
        );
        assert_eq!(
            p.threads[1],
            [
                Instr::Rmw {
                    size: Size::Eight,
                    at: at(0, 0),
                    op: RmwOp::Cmpxchg(3),
                    locked: true
                },
                Instr::Rmw {
                    size: Size::Four,
                    at: at(1, 0),
                    op: RmwOp::Xchg(1),
                    locked: true
                },
            ]
        );
        assert_eq!(p.init_regs[1][3], 7);
        // The condition's two observables, then `locations`' y.
        assert_eq!(p.observed.len(), 3);
        assert_eq!(p.label(&[1 << 33, 7, 0]), "0:rax=8589934592; x=7; y=0;");
    }

    #[test]
    fn every_resolution_error_names_its_line() {
        let cases = [
            (
                "X86 T\n{ }\n P0 ;\n L0: MOV EAX,[x] ;\n CMP EAX,$0 ;\n JE L0 ;\nexists (x=1)\n",
                6,
                "a jump back to 'L0': a loop",
            ),
            (
                "X86 T\n{ }\n P0 ;\n CMP EAX,$0 ;\n MOV [x],$1 ;\n L0: ;\nexists (x=1)\n",
                4,
                "a CMP must be followed by JE or JNE",
            ),
            (
                "X86 T\n{ }\n P0 ;\n CMP EAX,[x] ;\n JE L0 ;\n L0: ;\nexists (x=1)\n",
                4,
                "a CMP of memory",
            ),
            (
                "X86 T\n{ }\n P0 ;\n JMP L0 ;\n L0: ;\n L0: ;\nexists (x=1)\n",
                6,
                "label 'L0' is placed twice",
            ),
            (
                "X86 T\n{ }\n P0 ;\n JMP L9 ;\n MOV [x],$1 ;\nexists (x=1)\n",
                5,
                "P0 jumps to 'L9', which it never places",
            ),
            (
                "X86 T\n{ 2:EAX=1; }\n P0 ;\n MOV [x],$1 ;\nexists (x=1)\n",
                2,
                "thread 2 does not exist",
            ),
            (
                "X86 T\n{ uint64_t x; }\n P0 ;\n MOV [x],$1 ;\nexists (x=1)\n",
                2,
                "X86_64 dialect",
            ),
            (
                "X86 T\n{ float x; }\n P0 ;\n MOV [x],$1 ;\nexists (x=1)\n",
                2,
                "type 'float'",
            ),
            (
                "X86_64 T\n{ }\n P0 ;\n movl $1,(%rsi) ;\nexists (x=1)\n",
                4,
                "holds no location's address",
            ),
            (
                "X86_64 T\n{ 0:rsi=x; }\n P0 ;\n movq $1,4(%rsi) ;\nexists (x=1)\n",
                4,
                "offset 4 for a 8-byte",
            ),
            (
                "X86_64 T\n{ 0:rsi=x; }\n P0 ;\n movl $1,%esi ;\nexists (x=1)\n",
                4,
                "holding an address is written",
            ),
            (
                "X86_64 T\n{ }\n P0 ;\n mov $1,(x) ;\nexists (x=1)\n",
                4,
                "size is not said",
            ),
            (
                "X86_64 T\n{ }\n P0 ;\n movl (x),%rax ;\nexists (x=1)\n",
                4,
                "not its register's",
            ),
            (
                "X86_64 T\n{ int x; }\n P0 ;\n movq (x),%rax ;\nexists (x=1)\n",
                0,
                "declare it uint64_t",
            ),
            (
                "X86 T\n{ }\n P0 ;\n MOV [EAX],$1 ;\nexists (x=1)\n",
                4,
                "holds no location's address",
            ),
            (
                "X86 T\n{ }\n P0 ;\n MOV [x],$1 ;\nexists (0:ZZ=1)\n",
                5,
                "'ZZ' is not a register",
            ),
            (
                "X86 T\n{ x=y; }\n P0 ;\n MOV [x],$1 ;\nexists (x=1)\n",
                2,
                "pointers are not supported",
            ),
        ];
        for (text, line, says) in cases {
            let e = from_text(text).unwrap_err();
            assert_eq!(e.line, line, "{text:?}: {e:?}");
            assert!(e.message.contains(says), "{text:?}: {e:?}");
        }
    }

    #[test]
    fn lists_and_directories_expand_to_their_files() {
        let dir = std::env::temp_dir().join(format!("pte-litmus-expand-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for name in ["B.litmus", "A.litmus"] {
            std::fs::write(dir.join(name), SB).unwrap();
        }
        let shown = dir.to_str().unwrap();
        let names = |v: Vec<PathBuf>| -> Vec<String> {
            v.iter()
                .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
                .collect()
        };
        assert_eq!(names(expand(shown).unwrap()), ["A.litmus", "B.litmus"]);
        std::fs::write(
            dir.join("@all"),
            "# the order of the list\nB.litmus\n\nA.litmus # too\n",
        )
        .unwrap();
        assert_eq!(names(expand(shown).unwrap()), ["B.litmus", "A.litmus"]);
        std::fs::write(dir.join("@bad"), "C.litmus\n").unwrap();
        let e = expand(dir.join("@bad").to_str().unwrap()).unwrap_err();
        assert!(
            e.to_string().contains("@bad:1: 'C.litmus' is not a file"),
            "{e}"
        );
        let t = read(&dir.join("A.litmus")).unwrap();
        assert_eq!(t.hash.len(), 64);
        std::fs::write(
            dir.join("bad.litmus"),
            "X86 T\n{}\n P0 ;\n JS L ;\nexists (x=1)\n",
        )
        .unwrap();
        let e = read(&dir.join("bad.litmus")).unwrap_err().to_string();
        assert!(e.ends_with("bad.litmus:4: instruction 'JS' is not supported (MOV, ADD, SUB, AND, OR, XOR, INC, DEC, XCHG, CMPXCHG, CMP, MFENCE, LFENCE, SFENCE, NOP, LOCK, JE, JNE, JL, JLE, JG, JGE, JMP are)"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
