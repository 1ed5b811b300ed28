//! A C litmus test's `Result:` line held against the model's verdict, as
//! the kernel's `tools/memory-model/scripts/judgelitmus.sh` holds it
//! against herd7's output: the data-race prediction first, then a
//! deadlock, then the outcome word. And, for a C test run on x86, the
//! LKMM's verdict held against x86-TSO's for the code the kernel compiles
//! it to ([`mapping`]).

use super::Expect;

/// What the model said of a test, as herd7's output says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Modelled<'a> {
    /// The Observation word: `Never`, `Sometimes`, `Always`.
    pub word: &'a str,
    /// The Observation's counts (`Never 0 0`: no execution at all).
    pub positive: u64,
    pub negative: u64,
    /// `Flag data-race` was printed.
    pub data_race: bool,
}

/// judgelitmus.sh's verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LkmmVerdict {
    /// The prediction holds (or the file predicts nothing it can check).
    Pass,
    /// An outcome mismatch forgiven because a data race was modelled
    /// (judgelitmus.sh exits 0 there).
    Forgiven(String),
    /// The prediction fails: why, in words.
    Fail(String),
}

impl LkmmVerdict {
    pub fn passed(&self) -> bool {
        !matches!(self, LkmmVerdict::Fail(_))
    }
}

/// Judge `modelled` against a file's `Result:` words (`result`, e.g.
/// `Sometimes DATARACE`; `None` when the file has no `Result:` line,
/// which judgelitmus.sh treats as the outcome `specified`).
pub fn judge(name: &str, result: Option<&str>, modelled: Modelled) -> LkmmVerdict {
    let observation = format!(
        "Observation {name} {} {} {}",
        modelled.word, modelled.positive, modelled.negative
    );
    let predicted_race =
        result.is_some_and(|r| r.split_whitespace().skip(1).any(|w| w == "DATARACE"));
    if result.is_some() {
        if predicted_race && !modelled.data_race {
            return LkmmVerdict::Fail("a data race is predicted but not modelled".into());
        }
        if !predicted_race && modelled.data_race {
            return LkmmVerdict::Fail("a data race is modelled but not predicted".into());
        }
    }
    let outcome = result
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or("specified");
    let deadlocked = observation.ends_with("Never 0 0");
    let mismatch = if outcome == "DEADLOCK" {
        (!deadlocked).then(|| format!("DEADLOCK predicted, but: {observation}"))
    } else if deadlocked {
        Some(format!("unexpected non-{outcome} deadlock: {observation}"))
    } else if outcome == "Maybe" || observation.contains(outcome) {
        None
    } else {
        Some(format!("{outcome} predicted, but: {observation}"))
    };
    match mismatch {
        None => LkmmVerdict::Pass,
        Some(why) if modelled.data_race => LkmmVerdict::Forgiven(why),
        Some(why) => LkmmVerdict::Fail(why),
    }
}

/// How the x86 code the kernel compiles a C test to, as x86-TSO judges
/// it, stands against the LKMM's promise for the test's witness.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mapping {
    /// Both allow the witness, or both forbid it.
    Same,
    /// The LKMM allows what x86-TSO forbids for this code: normal, x86
    /// orders more than the kernel promises.
    Stronger,
    /// The LKMM forbids what x86-TSO allows for this code: the kernel's
    /// x86 code breaks its promise, a finding.
    Weaker,
}

impl Mapping {
    /// What a run's table says of it (nothing when the two agree).
    pub fn words(self) -> Option<&'static str> {
        match self {
            Mapping::Same => None,
            Mapping::Stronger => Some("x86 is stronger here"),
            Mapping::Weaker => Some("the x86 mapping is weaker than the kernel's promise"),
        }
    }
}

/// The LKMM's verdict on a C test's witness against x86-TSO's on the x86
/// code for it.
pub fn mapping(lkmm: Expect, x86: Expect) -> Mapping {
    match (lkmm, x86) {
        (Expect::Allowed, Expect::Forbidden) => Mapping::Stronger,
        (Expect::Forbidden, Expect::Allowed) => Mapping::Weaker,
        _ => Mapping::Same,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mapping_may_be_stronger_than_the_lkmm_never_weaker() {
        use Expect::{Allowed, Forbidden};
        assert_eq!(mapping(Allowed, Allowed), Mapping::Same);
        assert_eq!(mapping(Forbidden, Forbidden), Mapping::Same);
        assert_eq!(mapping(Allowed, Forbidden), Mapping::Stronger);
        assert_eq!(mapping(Forbidden, Allowed), Mapping::Weaker);
        assert_eq!(Mapping::Same.words(), None);
        assert!(Mapping::Weaker.words().unwrap().contains("weaker"));
    }

    fn m(word: &str, positive: u64, negative: u64, data_race: bool) -> Modelled<'_> {
        Modelled {
            word,
            positive,
            negative,
            data_race,
        }
    }

    #[test]
    fn judged_as_judgelitmus_sh_judges() {
        let never = m("Never", 0, 3, false);
        assert_eq!(judge("T", Some("Never"), never), LkmmVerdict::Pass);
        assert!(!judge("T", Some("Sometimes"), never).passed());
        // The race prediction is checked first, both ways.
        assert!(!judge("T", Some("Sometimes DATARACE"), m("Sometimes", 1, 1, false)).passed());
        assert!(!judge("T", Some("Sometimes"), m("Sometimes", 1, 1, true)).passed());
        assert_eq!(
            judge("T", Some("Sometimes DATARACE"), m("Sometimes", 1, 1, true)),
            LkmmVerdict::Pass
        );
        // A wrong word is forgiven when a race is modelled and predicted.
        assert!(matches!(
            judge("T", Some("Never DATARACE"), m("Sometimes", 1, 1, true)),
            LkmmVerdict::Forgiven(_)
        ));
        // DEADLOCK passes only on `Never 0 0`, and nothing else does.
        assert_eq!(
            judge("T", Some("DEADLOCK"), m("Never", 0, 0, false)),
            LkmmVerdict::Pass
        );
        assert!(!judge("T", Some("DEADLOCK"), never).passed());
        assert!(!judge("T", Some("Never"), m("Never", 0, 0, false)).passed());
        assert_eq!(judge("T", Some("Maybe"), never), LkmmVerdict::Pass);
        // A substring of the whole Observation line, the name included.
        assert_eq!(
            judge("Sometimes-name", Some("Sometimes"), never),
            LkmmVerdict::Pass
        );
        // No Result line: the outcome `specified`, which rarely matches.
        assert!(!judge("T", None, never).passed());
    }
}
