//! Every litmus test, described once, as data: what each thread runs (as
//! the primitives of `pte-asm`, in order), what is observed, which outcome
//! is the witness, and whether x86-TSO allows it. The harness executes
//! these descriptions, the model explores them, the reports print them.
//!
//! Files: [`classic`] and [`pte`] (the built-in tests), [`program`] (a
//! litmus test as threads of instructions, which the built-in classic tests
//! and `.litmus` files both become), [`file`] (herdtools7's `.litmus`
//! files), [`protocol`] (the read and write protocols `litmus protocols`
//! judges), [`pte_read`] (what one read of a PTE is: intact, torn, absent).

pub mod classic;
pub mod file;
pub mod program;
pub mod protocol;
pub mod pte;
pub mod pte_read;

pub use classic::ClassicTest;
pub use file::FileTest;
pub use pte::PteTest;

use crate::error::Error;
use crate::judge::Expect;
use pte_asm::strategy::ReadStrategy;
use std::borrow::Cow;

/// Any test: built in, or read from a `.litmus` file (kept for the life of
/// the process: a run reads each file once).
#[derive(Clone, Copy)]
pub enum Test {
    Classic(&'static ClassicTest),
    Pte(&'static PteTest),
    File(&'static FileTest),
}

impl Test {
    /// The built-in tests.
    pub fn all() -> impl Iterator<Item = Test> {
        classic::CLASSIC
            .iter()
            .map(Test::Classic)
            .chain(pte::PTE.iter().map(Test::Pte))
    }

    pub fn by_name(name: &str) -> Option<Test> {
        Test::all().find(|t| t.name().eq_ignore_ascii_case(name))
    }

    /// The built-in test called `name`, or bad input that lists the known
    /// names.
    pub fn lookup(name: &str) -> Result<Test, Error> {
        Test::by_name(name).ok_or_else(|| {
            let known: Vec<&str> = Test::all().map(|t| t.name()).collect();
            Error::BadInput(format!(
                "unknown test '{name}' (known: {}; or a .litmus file, a directory, an @all list)",
                known.join(", ")
            ))
        })
    }

    /// The tests a command-line argument names for `litmus run`: a
    /// built-in test, or every `.litmus` file a path, directory or `@all`
    /// list names (each read and checked now). A C litmus test runs as the
    /// x86 code the kernel compiles it to; one that has none is an
    /// [`Unmappable`] saying why.
    pub fn resolve(arg: &str) -> Result<Vec<Result<Test, Unmappable>>, Error> {
        Ok(Named::resolve(arg)?
            .into_iter()
            .map(|named| match named {
                Named::Suite(t) => Ok(t),
                Named::C(c) => match file::from_c(c) {
                    Ok(mapped) => Ok(Test::File(Box::leak(Box::new(mapped)))),
                    Err(unmapped) => Err(Unmappable {
                        name: c.program.name.clone(),
                        source: c.source.display().to_string(),
                        unmapped,
                    }),
                },
            })
            .collect())
    }

    pub fn name(&self) -> &'static str {
        match self {
            Test::Classic(t) => t.name,
            Test::Pte(t) => t.name,
            Test::File(f) => &f.program.name,
        }
    }

    /// What identifies the test within a process: its name, or a file's
    /// hash (two files may share a name).
    pub fn key(&self) -> String {
        match self {
            Test::File(f) => format!("file:{}", f.hash),
            _ => self.name().to_string(),
        }
    }

    pub fn threads(&self) -> usize {
        match self {
            Test::Classic(t) => t.threads.len(),
            Test::Pte(t) => 1 + t.writers,
            Test::File(f) => f.program.threads.len(),
        }
    }

    /// The test as a litmus program (not for PTE tests, which stream).
    pub fn program(&self) -> Option<Cow<'static, program::Program>> {
        match self {
            Test::Classic(t) => Some(Cow::Owned(t.program())),
            Test::File(f) => Some(Cow::Borrowed(&f.program)),
            Test::Pte(_) => None,
        }
    }

    /// What a run or a search of this test takes: the test itself, or for
    /// a PTE test one case per read strategy in `strategies`.
    pub fn cases(self, strategies: &[ReadStrategy]) -> Vec<Case> {
        match self {
            Test::Classic(t) => vec![Case::Classic(t)],
            Test::File(f) => vec![Case::File(f)],
            Test::Pte(t) => strategies.iter().map(|&s| Case::Pte(t, s)).collect(),
        }
    }

    /// The dialect of the file the test came from (`C`, `X86`, `X86_64`),
    /// or `-` for a built-in test.
    pub fn dialect(&self) -> &'static str {
        match self {
            Test::File(f) if f.c.is_some() => "C",
            Test::File(f) => match f.arch {
                file::Arch::X86 => "X86",
                file::Arch::X86_64 => "X86_64",
            },
            _ => "-",
        }
    }

    /// Where the test came from, for the CSV: a file's path and hash, or
    /// `-` for a built-in test.
    pub fn source(&self) -> (String, String) {
        match self {
            Test::File(f) => (f.source.display().to_string(), f.hash.clone()),
            _ => ("-".into(), String::new()),
        }
    }
}

/// A C test with no x86 code the suite can run: its name, its file, and
/// which construct, where, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unmappable {
    pub name: String,
    pub source: String,
    pub unmapped: file::c::x86::Unmapped,
}

impl Unmappable {
    /// The construct and why, without the file (`synchronize_rcu(): a
    /// grace period ...`).
    pub fn reason(&self) -> String {
        file::escape_controls(&self.unmapped.message)
    }

    /// The one line a run of only this test ends with: the file, the place,
    /// the construct and why.
    pub fn line(&self) -> String {
        let pos = self.unmapped.pos;
        let at = if pos.line == 0 {
            String::new()
        } else {
            format!("{}:{}:", pos.line, pos.col)
        };
        file::escape_controls(&format!(
            "{}:{at} not run on hardware: {}; `litmus model` still answers",
            self.source, self.unmapped.message
        ))
    }
}

/// A test a command names: one the suite runs (built in, or an X86 file),
/// or a C litmus test, which the LKMM judges (`litmus model`) and `litmus
/// show` prints.
#[derive(Clone, Copy)]
pub enum Named {
    Suite(Test),
    C(&'static file::c::CTest),
}

impl Named {
    /// What a command-line argument names, each file read in its dialect
    /// (the first line's `C` picks the kernel's).
    pub fn resolve(arg: &str) -> Result<Vec<Named>, Error> {
        if !file::is_path(arg) {
            return Ok(vec![Named::Suite(Test::lookup(arg)?)]);
        }
        file::expand(arg)?
            .iter()
            .map(|path| {
                Ok(if file::c::is_c_file(path) {
                    Named::C(Box::leak(Box::new(file::c::read(path)?)))
                } else {
                    Named::Suite(Test::File(Box::leak(Box::new(file::read(path)?))))
                })
            })
            .collect()
    }
}

/// A test as one run or one model search takes it: a PTE test always
/// with the read strategy it is run and judged by.
#[derive(Clone, Copy)]
pub enum Case {
    Classic(&'static ClassicTest),
    Pte(&'static PteTest, ReadStrategy),
    File(&'static FileTest),
}

impl Case {
    pub fn test(self) -> Test {
        match self {
            Case::Classic(t) => Test::Classic(t),
            Case::Pte(t, _) => Test::Pte(t),
            Case::File(f) => Test::File(f),
        }
    }

    pub fn strategy(self) -> Option<ReadStrategy> {
        match self {
            Case::Pte(_, s) => Some(s),
            _ => None,
        }
    }

    /// The expectation the test declares for its witness (a PTE test's for
    /// this strategy); a `.litmus` file declares none: its expectation is
    /// the model's.
    pub fn declared(self) -> Option<Expect> {
        match self {
            Case::Classic(t) => Some(t.expect),
            Case::Pte(t, s) => Some((t.expect)(s)),
            Case::File(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_found_case_insensitively() {
        let names: Vec<_> = Test::all().map(|t| t.name()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
        assert_eq!(Test::by_name("pte-aba").map(|t| t.name()), Some("PTE-ABA"));
        assert!(Test::by_name("SB+nothing").is_none());
        assert!(Test::lookup("NOPE").is_err());
        assert!(Test::resolve("NOPE").is_err());
        assert!(Test::resolve("SB").unwrap()[0].is_ok());
        assert!(Test::resolve("/nonexistent/x.litmus").is_err());
    }

    #[test]
    fn the_built_in_classic_tests_become_programs_with_their_witness() {
        let Some(Test::Classic(sb)) = Test::by_name("SB") else {
            panic!()
        };
        let p = sb.program();
        assert_eq!(p.label(&[0, 0]), "0:r0=0; 1:r0=0;");
        assert!(p.is_witness(&[0, 0]) && !p.is_witness(&[1, 0]));
        assert_eq!(p.condition_text(), "exists (0:r0=0 /\\ 1:r0=0)");
        for t in classic::CLASSIC {
            let p = t.program();
            let witness: Vec<u64> = t.witness.iter().map(|v| *v as u64).collect();
            assert!(p.is_witness(&witness), "{}", t.name);
        }
    }
}
