//! `lock.cat`: critical sections, the lock checks and flags, the candidate
//! lock reads-from, `cobase`.

use super::*;

/// `P0: lock(s); x=1; unlock(s)`, `P1: lock(s); r0=x (0); unlock(s)`.
fn locked_mp(p0_first: bool) -> (Execution, [usize; 6]) {
    let mut t = Test::new();
    let (lkr0, lkw0) = t.spin_lock(0, S);
    t.write(0, ONCE, X, 1);
    let ul0 = t.spin_unlock(0, S);
    let (lkr1, lkw1) = t.spin_lock(1, S);
    let rx = t.read(1, ONCE, X, 0);
    t.spin_unlock(1, S);
    t.rf(iw(X), rx);
    if p0_first {
        t.co(&[lkw0, lkw1]);
    } else {
        t.co(&[lkw1, lkw0]);
    }
    (t.build(), [lkr0, lkw0, ul0, lkr1, lkw1, rx])
}

#[test]
fn critical_sections_are_ordered_by_the_lock_writes_co() {
    let (x, [lkr0, lkw0, ul0, lkr1, lkw1, _]) = locked_mp(true);
    assert_eq!(verdict(&x), forbidden("happens-before"));
    let r = relations(&x);
    assert!(r.lock.lk_rmw.has(lkr0, lkw0) && r.lock.critical.has(lkw0, ul0));
    // The unlock goes right after its lock write, and the next lock reads it.
    assert!(r.merged.co.has(lkw0, ul0) && r.merged.co.has(ul0, lkw1));
    assert!(r.merged.rf.has(iw(S), lkr0) && r.merged.rf.has(ul0, lkr1));
    assert!(!r.merged.rf.has(iw(S), lkr1));
    let (x, _) = locked_mp(false);
    assert_eq!(verdict(&x), allowed(&[]));
}

#[test]
fn lock_checks_and_flags() {
    // spin_lock(s); spin_lock(s): deadlock.
    let mut t = Test::new();
    t.spin_lock(0, S);
    t.spin_lock(0, S);
    assert_eq!(verdict(&t.build()), forbidden("lock-nest"));

    // spin_lock(s); spin_is_locked(s) returning false.
    let mut t = Test::new();
    t.spin_lock(0, S);
    t.lock_event(0, Kind::Ru, S);
    assert_eq!(verdict(&t.build()), forbidden("nested-is-locked"));

    // Two threads each lock s and never unlock it.
    let mut t = Test::new();
    let (_, a) = t.spin_lock(0, S);
    let (_, b) = t.spin_lock(1, S);
    t.co(&[a, b]);
    assert_eq!(verdict(&t.build()), forbidden("unmatched-locks"));

    // One never unlocked lock is fine; an unlock with no lock is flagged.
    let mut t = Test::new();
    t.spin_lock(0, S);
    t.spin_unlock(1, Z);
    assert_eq!(verdict(&t.build()), allowed(&["unmatched-unlock"]));

    // A lock write without its read.
    let mut t = Test::new();
    t.lock_event(0, Kind::Lkw, S);
    assert_eq!(verdict(&t.build()), allowed(&["unpaired-LKW"]));

    // The final value of a lock observed.
    let mut t = Test::new();
    t.spin_lock(0, S);
    t.spin_unlock(0, S);
    t.fw = single(iw(S));
    assert_eq!(verdict(&t.build()), allowed(&["lock-final"]));

    // An ordinary access to a lock.
    let mut t = Test::new();
    t.spin_lock(0, S);
    t.spin_unlock(0, S);
    let r = t.read(1, ONCE, S, 0);
    t.rf(iw(S), r);
    assert_eq!(verdict(&t.build()), allowed(&["mixed-lock-accesses"]));
}

#[test]
fn lock_rf_choices_list_the_candidate_edges() {
    let mut t = Test::new();
    let (_, lkw0) = t.spin_lock(0, S);
    let _inside = t.lock_event(0, Kind::Lf, S);
    let ul0 = t.spin_unlock(0, S);
    let ru = t.lock_event(0, Kind::Ru, S);
    t.spin_lock(1, S);
    let ul1 = t.spin_unlock(1, S);
    let outside = t.lock_event(1, Kind::Lf, S);
    let rl = t.lock_event(1, Kind::Rl, S);
    let (lf, ru_choices) = lock_rf_choices(&t.build());
    // A failed trylock inside its own critical section reads its lock
    // write (rfi-lf), and has no choice; one outside reads another
    // thread's lock write. RL counts as LF.
    assert_eq!(lf, [vec![(lkw0, outside)], vec![(lkw0, rl)]]);
    // spin_is_locked false: its thread's last unlock, another thread's
    // unlock, or the initial write.
    assert_eq!(ru_choices, [vec![(iw(S), ru), (ul0, ru), (ul1, ru)]]);
}

#[test]
fn cobase_holds_the_observed_write_orders_closed() {
    // P0: x=1; x=2. P1: r0=x (2); x=3.
    let mut t = Test::new();
    let w1 = t.write(0, ONCE, X, 1);
    let w2 = t.write(0, ONCE, X, 2);
    let r = t.read(1, ONCE, X, 2);
    let w3 = t.write(1, ONCE, X, 3);
    t.rf(w2, r);
    let base = cobase(&t.build());
    for (a, b) in [(iw(X), w1), (w1, w2), (w2, w3), (w1, w3)] {
        assert!(base.has(a, b), "{a} -> {b}");
    }
    assert!(!base.has(w3, w1) && !base.has(w3, w2));

    // A never released lock comes last; a failed trylock that read a lock
    // write orders it before its thread's later lock.
    let mut t = Test::new();
    let (_, lkw0) = t.spin_lock(0, S);
    t.spin_unlock(0, S);
    let lf = t.lock_event(1, Kind::Lf, S);
    let (_, lkw1) = t.spin_lock(1, S);
    let (_, lkw2) = t.spin_lock(2, S);
    t.spin_unlock(1, S);
    let without_choice = cobase(&t.build());
    assert!(without_choice.has(iw(S), lkw0) && without_choice.has(lkw0, lkw2));
    assert!(!without_choice.has(lkw0, lkw1));
    t.rf_lf.push((lkw0, lf));
    assert!(cobase(&t.build()).has(lkw0, lkw1));

    // Orders through an unlock: P1's lock write is po-before a read of
    // P0's unlock, which P2 reads before its lock write.
    let mut t = Test::new();
    t.spin_lock(0, S);
    let ul0 = t.spin_unlock(0, S);
    let (_, lkw1) = t.spin_lock(1, S);
    let ru1 = t.lock_event(1, Kind::Ru, S);
    t.spin_unlock(1, S);
    let ru2 = t.lock_event(2, Kind::Ru, S);
    let (_, lkw2) = t.spin_lock(2, S);
    t.spin_unlock(2, S);
    t.rf_ru.push((ul0, ru1));
    t.rf_ru.push((ul0, ru2));
    let base = cobase(&t.build());
    assert!(base.has(lkw1, ul0) && base.has(ul0, lkw2) && base.has(lkw1, lkw2));
}

#[test]
fn loc_int_ext_are_the_executions() {
    let (x, _) = locked_mp(true);
    let nat = Native::new(&x, 0);
    assert_eq!(nat.loc, x.loc());
    assert_eq!(nat.int, x.int());
    assert_eq!(nat.ext, x.ext());
}
