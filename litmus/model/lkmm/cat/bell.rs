//! `linux-kernel.bell` after its declarations: the matching of RCU and
//! SRCU read-side critical sections and their flags, `Marked` and `Plain`,
//! and the dependencies carried through plain accesses.
//!
//! The bell runs before `lock.cat`, so it sees herd7's own `rf`, `rfi`, `M`
//! and `rmw` ([`Native`]): no lock event is in `M` here, and `domain(rmw)`
//! in `Marked` is the RMW primitives' accesses only (the lock events are
//! named in `Marked` one by one anyway).

use super::super::rel::{Rel, Set};
use super::Checker;
use super::native::Native;

/// The bell's named sets and relations.
#[derive(Clone, Debug)]
pub struct Bell {
    /// `let Srcu = Srcu-lock | Srcu-unlock | Sync-srcu`
    pub srcu: Set,
    /// The `let rec` of
    /// ```text
    /// let rcu-rscs = let rec
    ///         unmatched-locks = Rcu-lock \ domain(matched)
    ///     and unmatched-unlocks = Rcu-unlock \ range(matched)
    ///     and unmatched = unmatched-locks | unmatched-unlocks
    ///     and unmatched-po = [unmatched] ; po ; [unmatched]
    ///     and unmatched-locks-to-unlocks =
    ///         [unmatched-locks] ; po ; [unmatched-unlocks]
    ///     and matched = matched | (unmatched-locks-to-unlocks \
    ///         (unmatched-po ; unmatched-po))
    ///     in matched
    /// ```
    pub rcu_rscs: Rel,
    /// `let carry-srcu-data = (data ; [~ Srcu-unlock] ; rf)*`
    pub carry_srcu_data: Rel,
    /// `let srcu-rscs = ([Srcu-lock] ; carry-srcu-data ; data ; [Srcu-unlock]) & loc`
    pub srcu_rscs: Rel,
    /// ```text
    /// let Marked = (~M) | IW | Once | Release | Acquire | domain(rmw) | range(rmw) |
    ///         LKR | LKW | UL | LF | RL | RU | Srcu-lock | Srcu-unlock
    /// ```
    pub marked: Set,
    /// `let Plain = M \ Marked`
    pub plain: Set,
    /// `let carry-dep = (data ; [~ Srcu-unlock] ; rfi)*`
    pub carry_dep: Rel,
    /// `let addr = carry-dep ; addr`
    pub addr: Rel,
    /// `let ctrl = carry-dep ; ctrl`
    pub ctrl: Rel,
    /// `let data = carry-dep ; data`
    pub data: Rel,
}

impl Bell {
    pub(super) fn evaluate(nat: &Native, checker: &mut Checker) -> Bell {
        let t = &nat.tags;
        let all = nat.universe;
        let srcu = t.srcu_lock | t.srcu_unlock | t.sync_srcu;

        let rcu_rscs = rcu_rscs(nat);
        // flag ~empty Rcu-lock \ domain(rcu-rscs) as unmatched-rcu-lock
        checker.flag("unmatched-rcu-lock", t.rcu_lock & !rcu_rscs.domain() != 0);
        // flag ~empty Rcu-unlock \ range(rcu-rscs) as unmatched-rcu-unlock
        checker.flag(
            "unmatched-rcu-unlock",
            t.rcu_unlock & !rcu_rscs.range() != 0,
        );

        let not_srcu_unlock = nat.not(t.srcu_unlock);
        let carry_srcu_data = nat.data.restrict(all, not_srcu_unlock).seq(&nat.rf).star();
        let srcu_rscs = carry_srcu_data
            .restrict(t.srcu_lock, all)
            .seq(&nat.data)
            .restrict(all, t.srcu_unlock)
            .inter(&nat.loc);
        // flag ~empty Srcu-lock \ domain(srcu-rscs) as unmatched-srcu-lock
        checker.flag(
            "unmatched-srcu-lock",
            t.srcu_lock & !srcu_rscs.domain() != 0,
        );
        // flag ~empty Srcu-unlock \ range(srcu-rscs) as unmatched-srcu-unlock
        checker.flag(
            "unmatched-srcu-unlock",
            t.srcu_unlock & !srcu_rscs.range() != 0,
        );
        // flag ~empty (srcu-rscs^-1 ; srcu-rscs) \ id as multiple-srcu-matches
        let multiple = nat.minus_id(&srcu_rscs.inverse().seq(&srcu_rscs));
        checker.flag("multiple-srcu-matches", !multiple.is_empty());
        // flag ~empty rcu-rscs & (po ; [Sync-srcu] ; po) as invalid-sleep
        let around_sync_srcu = nat.po.restrict(all, t.sync_srcu).seq(&nat.po);
        checker.flag(
            "invalid-sleep",
            !rcu_rscs.inter(&around_sync_srcu).is_empty(),
        );
        // flag ~empty different-values(srcu-rscs) as srcu-bad-value-match
        let bad_values = nat.different_values(&srcu_rscs);
        checker.flag("srcu-bad-value-match", !bad_values.is_empty());

        let marked = nat.not(nat.m)
            | nat.iw
            | t.once
            | t.release
            | t.acquire
            | nat.rmw.domain()
            | nat.rmw.range()
            | nat.lkr
            | nat.lkw
            | nat.ul
            | nat.lf
            | nat.rl
            | nat.ru
            | t.srcu_lock
            | t.srcu_unlock;
        let plain = nat.m & !marked;

        let carry_dep = nat.data.restrict(all, not_srcu_unlock).seq(&nat.rfi).star();
        Bell {
            srcu,
            addr: carry_dep.seq(&nat.addr),
            ctrl: carry_dep.seq(&nat.ctrl),
            data: carry_dep.seq(&nat.data),
            rcu_rscs,
            carry_srcu_data,
            srcu_rscs,
            marked,
            plain,
            carry_dep,
        }
    }
}

/// The least fixpoint of `rcu-rscs`'s `let rec`, evaluated as herd does
/// (`lib/interpreter.ml` `env_rec_vals`): every binding starts empty and
/// they are re-evaluated in order, each seeing the ones before it in the
/// same round, until none changes. All five other bindings are functions
/// of `matched` alone, so the rounds end when `matched` stops growing.
fn rcu_rscs(nat: &Native) -> Rel {
    let t = &nat.tags;
    let mut matched = nat.empty();
    loop {
        let unmatched_locks = t.rcu_lock & !matched.domain();
        let unmatched_unlocks = t.rcu_unlock & !matched.range();
        let unmatched = unmatched_locks | unmatched_unlocks;
        let unmatched_po = nat.po.restrict(unmatched, unmatched);
        let unmatched_locks_to_unlocks = nat.po.restrict(unmatched_locks, unmatched_unlocks);
        let next =
            matched.union(&unmatched_locks_to_unlocks.minus(&unmatched_po.seq(&unmatched_po)));
        if next == matched {
            return matched;
        }
        matched = next;
    }
}
