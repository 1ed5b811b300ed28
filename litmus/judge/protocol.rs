//! The rules that judge `litmus protocols`' hardware runs against the
//! model's matrix.
//!
//! The model tries every interleaving with up to `bound` zap+install
//! cycles inside one read (`--cycles K`). A pair it finds a torn read for
//! may tear on hardware (allowed); a pair it finds whole within the bound
//! must not (forbidden), with one exception: a read so slow that more than
//! `bound` cycles may have landed inside it (a preemption, an interrupt)
//! is beyond what the model tried, so its torn read is counted apart as
//! `stalled` and not held against the model.

use super::{Expect, Verdict, judge};

/// A torn read is allowed where the model found one within its bound,
/// forbidden where it found none.
pub fn expectation(torn_within_bound: bool) -> Expect {
    Expect::from_reachable(torn_within_bound)
}

/// Whether a torn read that at most `cycles_inside` zap+install cycles
/// landed in lies beyond the model's `bound` (then it is `stalled`, not
/// `torn`).
#[inline(always)]
pub fn stalled(cycles_inside: u32, bound: u32) -> bool {
    cycles_inside > bound
}

/// A run's verdict: its torn reads within the bound (stalled ones not
/// counted) against the pair's expectation.
pub fn verdict(expect: Expect, torn_within_bound: u64) -> Verdict {
    judge(expect, torn_within_bound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pair_the_model_finds_whole_must_not_tear_within_the_bound() {
        let whole = expectation(false);
        assert_eq!(whole, Expect::Forbidden);
        assert_eq!(verdict(whole, 0), Verdict::Ok);
        assert_eq!(verdict(whole, 1), Verdict::Unexpected);
        let tears = expectation(true);
        assert_eq!(verdict(tears, 0), Verdict::NotObserved);
        assert_eq!(verdict(tears, 3), Verdict::Ok);
    }

    #[test]
    fn only_a_read_with_more_cycles_than_the_bound_is_stalled() {
        assert!(!stalled(8, 8));
        assert!(stalled(9, 8));
        assert!(!stalled(1, 8));
    }
}
