//! Every litmus test, described once, as data: what each thread runs (as
//! the primitives of `pte-asm`, in order), what is observed, which outcome
//! is the witness, and whether x86-TSO allows it. The harness executes
//! these descriptions, the model explores them, the reports print them.

pub mod classic;
pub mod pte;

pub use classic::ClassicTest;
pub use pte::PteTest;

use crate::error::Error;
use crate::judge::Expect;
use pte_asm::strategy::ReadStrategy;

/// Any test of the suite.
#[derive(Clone, Copy)]
pub enum Test {
    Classic(&'static ClassicTest),
    Pte(&'static PteTest),
}

impl Test {
    pub fn all() -> impl Iterator<Item = Test> {
        classic::CLASSIC
            .iter()
            .map(Test::Classic)
            .chain(pte::PTE.iter().map(Test::Pte))
    }

    pub fn by_name(name: &str) -> Option<Test> {
        Test::all().find(|t| t.name().eq_ignore_ascii_case(name))
    }

    /// The test called `name`, or bad input that lists the known names.
    pub fn lookup(name: &str) -> Result<Test, Error> {
        Test::by_name(name).ok_or_else(|| {
            let known: Vec<&str> = Test::all().map(|t| t.name()).collect();
            Error::BadInput(format!(
                "unknown test '{name}' (known: {})",
                known.join(", ")
            ))
        })
    }

    pub fn name(&self) -> &'static str {
        match self {
            Test::Classic(t) => t.name,
            Test::Pte(t) => t.name,
        }
    }

    pub fn summary(&self) -> &'static str {
        match self {
            Test::Classic(t) => t.summary,
            Test::Pte(t) => t.summary,
        }
    }

    pub fn threads(&self) -> usize {
        match self {
            Test::Classic(t) => t.threads.len(),
            Test::Pte(t) => 1 + t.writers,
        }
    }

    /// The declared expectation of the witness (a PTE test's per strategy,
    /// which it must be given).
    pub fn expect(&self, strategy: Option<ReadStrategy>) -> Expect {
        match (self, strategy) {
            (Test::Classic(t), _) => t.expect,
            (Test::Pte(t), Some(s)) => (t.expect)(s),
            (Test::Pte(t), None) => panic!("{} is judged per read strategy", t.name),
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
    }
}
