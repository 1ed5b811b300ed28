//! The judge: the one place where what was seen is held against what
//! x86-TSO allows. `litmus run` judges each run's witness count, `litmus
//! compare` judges the rows it reads, and `litmus model` judges its
//! exhaustive search the same way: a witness the model reaches counts as
//! seen.
//!
//! As the kernel's `tools/memory-model/scripts/judgelitmus.sh` does: a
//! forbidden outcome seen is a failure (`UNEXPECTED`); an allowed outcome
//! never seen is reported (`not-observed`), not hidden, and not a failure.
//!
//! Files: this one (a witness count against its expectation, as classic
//! tests, PTE tests and `compare` judge it), [`histogram`] (a litmus
//! program's outcomes the model never reaches), [`protocol`] (`litmus
//! protocols`' runs against the model's bound of cycles, and the reads
//! stalled beyond it), [`safety`] (whether a read is safe for
//! `ptep_get_lockless()`, the answer's last column).

pub mod histogram;
pub mod lkmm;
pub mod protocol;
pub mod safety;

use serde::{Deserialize, Serialize};

/// Whether x86-TSO allows a test's witness outcome (the kernel's
/// `Result: Sometimes` / `Result: Never`).
///
/// In a CSV, its [`Expect::name`].
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub enum Expect {
    #[default]
    Allowed,
    Forbidden,
}

impl Expect {
    pub fn name(self) -> &'static str {
        match self {
            Expect::Allowed => "Allowed",
            Expect::Forbidden => "Forbidden",
        }
    }

    /// The LKMM `Result:` word for this expectation.
    pub fn result_line(self) -> &'static str {
        match self {
            Expect::Allowed => "Sometimes",
            Expect::Forbidden => "Never",
        }
    }

    /// The expectation as a CSV's `expected` column writes it.
    pub fn from_name(name: &str) -> Option<Expect> {
        [Expect::Allowed, Expect::Forbidden]
            .into_iter()
            .find(|e| e.name() == name)
    }

    /// What an exhaustive search says: the witness is allowed exactly when
    /// some execution reaches it.
    pub fn from_reachable(reachable: bool) -> Expect {
        if reachable {
            Expect::Allowed
        } else {
            Expect::Forbidden
        }
    }
}

/// How a witness count compares with its expectation. In a CSV, its
/// [`Verdict::name`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// Allowed and seen, or forbidden and never seen.
    #[default]
    #[serde(rename = "ok")]
    Ok,
    /// Forbidden, yet seen: a finding.
    #[serde(rename = "UNEXPECTED")]
    Unexpected,
    /// Allowed, never seen in this run: reported, not hidden.
    #[serde(rename = "not-observed")]
    NotObserved,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Unexpected => "UNEXPECTED",
            Verdict::NotObserved => "not-observed",
        }
    }
}

/// What a verdict means, in words a reader needs no legend for:
/// `allowed, seen`, `forbidden, never seen`, `allowed, not seen`,
/// `FORBIDDEN and seen`. The CSV keeps [`Verdict::name`].
pub fn words(expect: Expect, verdict: Verdict) -> &'static str {
    match (verdict, expect) {
        (Verdict::Unexpected, _) => "FORBIDDEN and seen",
        (Verdict::NotObserved, _) => "allowed, not seen",
        (Verdict::Ok, Expect::Allowed) => "allowed, seen",
        (Verdict::Ok, Expect::Forbidden) => "forbidden, never seen",
    }
}

/// Judge `witnesses` sightings of a witness that x86-TSO `expect`s.
pub fn judge(expect: Expect, witnesses: u64) -> Verdict {
    match (expect, witnesses > 0) {
        (Expect::Forbidden, true) => Verdict::Unexpected,
        (Expect::Allowed, false) => Verdict::NotObserved,
        _ => Verdict::Ok,
    }
}

/// Judge a litmus program's whole histogram: any outcome the model never
/// reaches, seen (`forbidden_seen` times), is a forbidden outcome seen,
/// whatever the condition says; otherwise the witness as [`judge`] does.
pub fn judge_outcomes(expect: Expect, witnesses: u64, forbidden_seen: u64) -> Verdict {
    if forbidden_seen > 0 {
        return Verdict::Unexpected;
    }
    judge(expect, witnesses)
}

/// Judge an exhaustive search against a declared expectation: the model
/// "sees" the witness when it reaches it. Unlike a hardware run, a search
/// that never reaches an allowed witness disagrees too (it tried every
/// execution), so it agrees only when the verdict is `ok`.
pub fn model_agrees(declared: Expect, reachable: bool) -> bool {
    judge(declared, reachable as u64) == Verdict::Ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_are_judged_as_judgelitmus_does() {
        assert_eq!(judge(Expect::Forbidden, 0), Verdict::Ok);
        assert_eq!(judge(Expect::Forbidden, 1), Verdict::Unexpected);
        assert_eq!(judge(Expect::Allowed, 5), Verdict::Ok);
        assert_eq!(judge(Expect::Allowed, 0), Verdict::NotObserved);
    }

    #[test]
    fn verdict_words_say_what_they_mean() {
        let said = |e, n| words(e, judge(e, n));
        assert_eq!(said(Expect::Allowed, 3), "allowed, seen");
        assert_eq!(said(Expect::Allowed, 0), "allowed, not seen");
        assert_eq!(said(Expect::Forbidden, 0), "forbidden, never seen");
        assert_eq!(said(Expect::Forbidden, 1), "FORBIDDEN and seen");
    }

    #[test]
    fn an_outcome_the_model_never_reaches_is_a_finding_whatever_the_witness() {
        assert_eq!(judge_outcomes(Expect::Allowed, 5, 0), Verdict::Ok);
        assert_eq!(judge_outcomes(Expect::Allowed, 5, 1), Verdict::Unexpected);
        assert_eq!(judge_outcomes(Expect::Allowed, 0, 0), Verdict::NotObserved);
    }

    #[test]
    fn the_model_agrees_only_when_its_search_says_the_same() {
        assert!(model_agrees(Expect::Allowed, true));
        assert!(model_agrees(Expect::Forbidden, false));
        assert!(!model_agrees(Expect::Allowed, false));
        assert!(!model_agrees(Expect::Forbidden, true));
    }

    #[test]
    fn the_csv_spells_them_by_their_names() {
        for v in [Verdict::Ok, Verdict::Unexpected, Verdict::NotObserved] {
            assert_eq!(serde_json::to_value(v).unwrap(), v.name());
        }
        for e in [Expect::Allowed, Expect::Forbidden] {
            assert_eq!(serde_json::to_value(e).unwrap(), e.name());
        }
    }

    #[test]
    fn expectations_read_back_from_their_names() {
        for e in [Expect::Allowed, Expect::Forbidden] {
            assert_eq!(Expect::from_name(e.name()), Some(e));
        }
        assert_eq!(Expect::from_name("Sometimes"), None);
        assert_eq!(Expect::from_reachable(true), Expect::Allowed);
    }
}
