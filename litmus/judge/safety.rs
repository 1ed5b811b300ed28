//! The rule behind the answer's last column: whether a read strategy is
//! safe for `ptep_get_lockless()` on this machine, from its runs of the
//! question tests (`PTE-ABA`, `PTE-ABA3`, `PTE-MP`) and of `PTE-LOST`.

use super::{Expect, Verdict, judge};

/// What one test's runs of one strategy came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Evidence {
    /// Whether x86-TSO allows the test's witness (a torn or lost PTE).
    pub expect: Expect,
    /// How often it was seen, over every window.
    pub witnesses: u64,
}

/// A read's standing for `ptep_get_lockless()`, worst first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Safety {
    /// Something x86-TSO forbids was seen: the machine or the suite is
    /// broken.
    Broken,
    /// Its write-back can destroy the writer's PTE (`PTE-LOST` allowed).
    LosesWrites,
    /// A torn PTE was seen here.
    Tore,
    /// x86-TSO lets it tear, though this run saw none.
    ModelTears,
    /// Never torn here, and x86-TSO forbids a tear.
    Safe,
    /// None of the question tests ran with it.
    NotRun,
}

impl Safety {
    pub fn words(self) -> &'static str {
        match self {
            Safety::Broken => "BROKEN: x86-TSO forbids what was seen",
            Safety::LosesWrites => "unsafe: its write-back can destroy the writer's PTE",
            Safety::Tore => "unsafe: tore here",
            Safety::ModelTears => "unsafe: x86-TSO lets it tear (not seen here)",
            Safety::Safe => "safe: whole here, and x86-TSO forbids a tear",
            Safety::NotRun => "-",
        }
    }
}

/// Judge a read from the question tests it ran (`questions`) and
/// `PTE-LOST` (`lost`, if it ran): a forbidden outcome seen anywhere first,
/// then a write-back that loses writes, a tear seen, a tear the model
/// allows; safe only when none of those.
pub fn safety(questions: &[Evidence], lost: Option<Evidence>) -> Safety {
    let unexpected = |e: &Evidence| judge(e.expect, e.witnesses) == Verdict::Unexpected;
    if questions.iter().chain(&lost).any(unexpected) {
        Safety::Broken
    } else if lost.is_some_and(|e| e.expect == Expect::Allowed) {
        Safety::LosesWrites
    } else if questions.iter().any(|e| e.witnesses > 0) {
        Safety::Tore
    } else if questions.iter().any(|e| e.expect == Expect::Allowed) {
        Safety::ModelTears
    } else if questions.is_empty() {
        Safety::NotRun
    } else {
        Safety::Safe
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Expect::{Allowed, Forbidden};

    fn e(expect: Expect, witnesses: u64) -> Evidence {
        Evidence { expect, witnesses }
    }

    #[test]
    fn a_read_is_safe_only_when_whole_here_and_whole_under_x86_tso() {
        assert_eq!(
            safety(&[e(Forbidden, 0), e(Forbidden, 0)], None),
            Safety::Safe
        );
        assert_eq!(
            safety(&[e(Allowed, 3), e(Forbidden, 0)], None),
            Safety::Tore
        );
        assert_eq!(safety(&[e(Allowed, 0)], None), Safety::ModelTears);
        assert_eq!(safety(&[], None), Safety::NotRun);
    }

    #[test]
    fn the_worst_finding_wins() {
        let lost = Some(e(Allowed, 0));
        assert_eq!(safety(&[e(Forbidden, 0)], lost), Safety::LosesWrites);
        assert_eq!(safety(&[e(Forbidden, 1)], lost), Safety::Broken);
        assert_eq!(
            safety(&[e(Allowed, 5)], Some(e(Forbidden, 2))),
            Safety::Broken
        );
    }
}
