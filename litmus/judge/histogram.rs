//! The rule for a litmus program's whole histogram: an outcome seen that
//! the model never reaches is forbidden, whatever the condition says.

use super::Expect;

/// What a histogram holds that x86-TSO forbids.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Forbidden {
    /// The forbidden outcomes seen, by label, in the histogram's order.
    pub labels: Vec<String>,
    /// How often they were seen, together.
    pub seen: u64,
}

impl Forbidden {
    /// Add another run's, each label once.
    pub fn add(&mut self, other: Forbidden) {
        for label in other.labels {
            if !self.labels.contains(&label) {
                self.labels.push(label);
            }
        }
        self.seen += other.seen;
    }
}

/// A full histogram (instances: every outcome counted): each outcome as
/// `(label, count, reachable)`, `reachable` saying whether the model
/// reaches it.
pub fn forbidden_outcomes<'a>(
    outcomes: impl IntoIterator<Item = (&'a str, u64, bool)>,
) -> Forbidden {
    let mut forbidden = Forbidden::default();
    for (label, count, reachable) in outcomes {
        if count > 0 && !reachable {
            forbidden.add(Forbidden {
                labels: vec![label.to_string()],
                seen: count,
            });
        }
    }
    forbidden
}

/// A witness-only count (a perpetual run counts only the condition's
/// outcome): forbidden exactly when the model reaches no state with it.
pub fn forbidden_witness<'a>(
    model: Expect,
    witness_labels: impl IntoIterator<Item = &'a str>,
    witnesses: u64,
) -> Forbidden {
    if model == Expect::Allowed || witnesses == 0 {
        return Forbidden::default();
    }
    Forbidden {
        labels: witness_labels.into_iter().map(str::to_string).collect(),
        seen: witnesses,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_outcomes_seen_and_unreachable_are_forbidden() {
        let f = forbidden_outcomes([("0:r0=0", 5, true), ("1:r0=1", 2, false), ("x", 0, false)]);
        assert_eq!(f.labels, ["1:r0=1"]);
        assert_eq!(f.seen, 2);
    }

    #[test]
    fn a_perpetual_witness_is_forbidden_only_where_the_model_forbids_it() {
        assert_eq!(
            forbidden_witness(Expect::Allowed, ["w"], 9),
            Forbidden::default()
        );
        assert_eq!(
            forbidden_witness(Expect::Forbidden, ["w"], 0),
            Forbidden::default()
        );
        let f = forbidden_witness(Expect::Forbidden, ["w"], 3);
        assert_eq!((f.labels, f.seen), (vec!["w".to_string()], 3));
    }

    #[test]
    fn runs_add_up_with_each_label_once() {
        let mut all = forbidden_outcomes([("a", 1, false)]);
        all.add(forbidden_outcomes([("a", 2, false), ("b", 1, false)]));
        assert_eq!((all.labels, all.seen), (vec!["a".into(), "b".into()], 4));
    }
}
