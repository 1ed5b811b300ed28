//! Fences, preserved program order, cumulativity, coherence and atomicity:
//! MP, SB, LB, WRC, release sequences, lock handovers, CoRR, atomic_inc.

use super::*;

/// MP: `P0: x=1; [wmb]; y=1`, `P1: r0=y (1); [rmb]; r1=x (0)`.
fn mp(wmb: bool, rmb: bool) -> Execution {
    let mut t = Test::new();
    t.write(0, ONCE, X, 1);
    if wmb {
        t.fence(0, FenceTag::Wmb);
    }
    let wy = t.write(0, ONCE, Y, 1);
    let ry = t.read(1, ONCE, Y, 1);
    if rmb {
        t.fence(1, FenceTag::Rmb);
    }
    let rx = t.read(1, ONCE, X, 0);
    t.rf(wy, ry);
    t.rf(iw(X), rx);
    t.build()
}

#[test]
fn mp_poonceonces_is_allowed() {
    assert_eq!(verdict(&mp(false, false)), allowed(&[]));
}

#[test]
fn mp_with_wmb_and_rmb_is_forbidden_by_happens_before() {
    assert_eq!(verdict(&mp(true, true)), forbidden("happens-before"));
    // Either barrier alone is not enough.
    assert_eq!(verdict(&mp(true, false)), allowed(&[]));
    assert_eq!(verdict(&mp(false, true)), allowed(&[]));
    // The cycle: rmb orders P1's reads, and prop (fre ; wmb ; rfe) goes
    // back from the x read to the y read within P1.
    let r = relations(&mp(true, true));
    let (wx, wy, ry, rx) = (4, 6, 7, 9);
    assert!(r.fences.wmb.has(wx, wy) && r.fences.rmb.has(ry, rx));
    assert!(r.kernel.prop.has(rx, ry) && r.kernel.hb.has(rx, ry));
}

/// SB: `P0: x=1; [mb]; r0=y (0)`, `P1: y=1; [mb]; r1=x (0)`.
fn sb(mb: bool) -> Execution {
    let mut t = Test::new();
    t.write(0, ONCE, X, 1);
    if mb {
        t.fence(0, FenceTag::Mb);
    }
    let ry = t.read(0, ONCE, Y, 0);
    t.write(1, ONCE, Y, 1);
    if mb {
        t.fence(1, FenceTag::Mb);
    }
    let rx = t.read(1, ONCE, X, 0);
    t.rf(iw(Y), ry);
    t.rf(iw(X), rx);
    t.build()
}

#[test]
fn sb_with_mb_is_forbidden_by_propagation_and_allowed_without() {
    assert_eq!(verdict(&sb(true)), forbidden("propagation"));
    assert_eq!(verdict(&sb(false)), allowed(&[]));
    let r = relations(&sb(true));
    assert!(r.kernel.hb.is_acyclic() && !r.kernel.pb.is_acyclic());
}

/// LB: `P0: r0=x (1); [if (r0)] y=1`, `P1: r1=y (1); [mb]; x=1`.
fn lb(ctrl: bool, mb: bool) -> Execution {
    let mut t = Test::new();
    let rx = t.read(0, ONCE, X, 1);
    let wy = t.write(0, ONCE, Y, 1);
    if ctrl {
        t.ctrl.push((rx, wy));
    }
    let ry = t.read(1, ONCE, Y, 1);
    if mb {
        t.fence(1, FenceTag::Mb);
    }
    let wx = t.write(1, ONCE, X, 1);
    t.rf(wy, ry);
    t.rf(wx, rx);
    t.build()
}

#[test]
fn lb_with_ctrl_and_mb_is_forbidden_by_happens_before() {
    assert_eq!(verdict(&lb(true, true)), forbidden("happens-before"));
    assert_eq!(verdict(&lb(true, false)), allowed(&[]));
    assert_eq!(verdict(&lb(false, true)), allowed(&[]));
    assert_eq!(verdict(&lb(false, false)), allowed(&[]));
}

/// `P0: x=1; smp_mb__before_atomic(); [atomic_inc(z);] r0=y (0)`, `P1:
/// y=1; smp_mb(); r1=x (0)`: the fence is full only with an RMW after it.
fn sb_before_atomic(atomic: bool) -> (Execution, usize, usize) {
    let mut t = Test::new();
    let wx = t.write(0, ONCE, X, 1);
    t.fence(0, FenceTag::BeforeAtomic);
    if atomic {
        let (rz, _) = t.atomic_inc(0, Z, 0);
        t.rf(iw(Z), rz);
    }
    let ry = t.read(0, ONCE, Y, 0);
    t.write(1, ONCE, Y, 1);
    t.fence(1, FenceTag::Mb);
    let rx = t.read(1, ONCE, X, 0);
    t.rf(iw(Y), ry);
    t.rf(iw(X), rx);
    (t.build(), wx, ry)
}

#[test]
fn before_atomic_is_a_full_fence_only_before_an_rmw() {
    let (x, wx, ry) = sb_before_atomic(true);
    assert_eq!(verdict(&x), forbidden("propagation"));
    assert!(relations(&x).fences.mb.has(wx, ry));
    let (x, wx, ry) = sb_before_atomic(false);
    assert_eq!(verdict(&x), allowed(&[]));
    assert!(!relations(&x).fences.mb.has(wx, ry));
}

/// MP+wmb whose reader does `atomic_inc(y)` (or `READ_ONCE(y)`), then
/// `smp_rmb()`, then reads x: rmb does not order a noreturn read.
fn mp_noreturn(noreturn: bool) -> (Execution, usize, usize) {
    let mut t = Test::new();
    t.write(0, ONCE, X, 1);
    t.fence(0, FenceTag::Wmb);
    let wy = t.write(0, ONCE, Y, 1);
    let ry = if noreturn {
        let (ry, wy2) = t.atomic_inc(1, Y, 1);
        t.co(&[wy, wy2]);
        ry
    } else {
        t.read(1, ONCE, Y, 1)
    };
    t.fence(1, FenceTag::Rmb);
    let rx = t.read(1, ONCE, X, 0);
    t.rf(wy, ry);
    t.rf(iw(X), rx);
    (t.build(), ry, rx)
}

#[test]
fn rmb_does_not_order_a_noreturn_read() {
    let (x, ry, rx) = mp_noreturn(true);
    assert_eq!(verdict(&x), allowed(&[]));
    let r = relations(&x);
    assert!(!r.fences.rmb.has(ry, rx));
    assert_eq!(r.fences.r4rmb & single(ry), 0);
    let (x, ry, rx) = mp_noreturn(false);
    assert_eq!(verdict(&x), forbidden("happens-before"));
    assert!(relations(&x).fences.rmb.has(ry, rx));
}

// ---------------------------------------------------------------------
// Cumulativity: A-cumul, rmw-sequence, po-unlock-lock-po.
// ---------------------------------------------------------------------

/// WRC: `P0: x=1`, `P1: r0=x (1); y=1` (a release, or wmb then once),
/// `P2: r1=acquire(y) (1); r2=x (0)`.
fn wrc(release: bool) -> Execution {
    let mut t = Test::new();
    let wx = t.write(0, ONCE, X, 1);
    let rx1 = t.read(1, ONCE, X, 1);
    let wy = if release {
        t.write(1, RELEASE, Y, 1)
    } else {
        t.fence(1, FenceTag::Wmb);
        t.write(1, ONCE, Y, 1)
    };
    let ry = t.read(2, ACQUIRE, Y, 1);
    let rx2 = t.read(2, ONCE, X, 0);
    t.rf(wx, rx1);
    t.rf(wy, ry);
    t.rf(iw(X), rx2);
    t.build()
}

#[test]
fn a_release_is_a_cumulative_and_a_wmb_is_not() {
    assert_eq!(verdict(&wrc(true)), forbidden("happens-before"));
    assert_eq!(verdict(&wrc(false)), allowed(&[]));
    // The x write reaches P1's release through rfe: A-cumul(po-rel).
    let r = relations(&wrc(true));
    let (wx, wy) = (4, 6);
    assert!(r.kernel.cumul_fence.has(wx, wy));
}

/// `P0: x=1; release(y, 1)`, `P1: xchg_relaxed(y, 2)` (or a separate
/// read and write), `P2: r0=acquire(y) (2); r1=x (0)`.
fn release_sequence(rmw: bool) -> (Execution, usize, usize) {
    let mut t = Test::new();
    let wx = t.write(0, ONCE, X, 1);
    let wy1 = t.write(0, RELEASE, Y, 1);
    let (ry, wy2) = if rmw {
        t.rmw(1, (ONCE, ONCE), Y, (1, 2))
    } else {
        (t.read(1, ONCE, Y, 1), t.write(1, ONCE, Y, 2))
    };
    let ry2 = t.read(2, ACQUIRE, Y, 2);
    let rx = t.read(2, ONCE, X, 0);
    t.rf(wy1, ry);
    t.rf(wy2, ry2);
    t.rf(iw(X), rx);
    t.co(&[wy1, wy2]);
    (t.build(), wx, wy2)
}

#[test]
fn an_rmw_extends_a_release_sequence() {
    let (x, wx, wy2) = release_sequence(true);
    assert_eq!(verdict(&x), forbidden("happens-before"));
    let r = relations(&x);
    assert!(r.kernel.cumul_fence.has(wx, wy2));
    let (x, wx, wy2) = release_sequence(false);
    assert_eq!(verdict(&x), allowed(&[]));
    assert!(!relations(&x).kernel.cumul_fence.has(wx, wy2));
}

/// `P0: lock(s); x=1; unlock(s)`, `P1: lock(s);
/// [smp_mb__after_unlock_lock();] r0=y (0); unlock(s)`, `P2: y=1; mb;
/// r1=x (0)`, P0's critical section first.
fn z6_unlock_lock(fence: bool) -> (Execution, usize, usize) {
    let mut t = Test::new();
    let (_, lkw0) = t.spin_lock(0, S);
    let wx = t.write(0, ONCE, X, 1);
    t.spin_unlock(0, S);
    let (_, lkw1) = t.spin_lock(1, S);
    if fence {
        t.fence(1, FenceTag::AfterUnlockLock);
    }
    let ry = t.read(1, ONCE, Y, 0);
    t.spin_unlock(1, S);
    t.write(2, ONCE, Y, 1);
    t.fence(2, FenceTag::Mb);
    let rx = t.read(2, ONCE, X, 0);
    t.rf(iw(Y), ry);
    t.rf(iw(X), rx);
    t.co(&[lkw0, lkw1]);
    (t.build(), wx, ry)
}

#[test]
fn after_unlock_lock_makes_the_lock_handover_a_strong_fence() {
    let (x, wx, ry) = z6_unlock_lock(true);
    assert_eq!(verdict(&x), forbidden("propagation"));
    let r = relations(&x);
    assert!(r.fences.mb.has(wx, ry));
    assert!(r.fences.po_unlock_lock_po.has(wx, ry));
    let (x, wx, ry) = z6_unlock_lock(false);
    assert_eq!(verdict(&x), allowed(&[]));
    assert!(!relations(&x).fences.strong_fence.has(wx, ry));
}

// ---------------------------------------------------------------------
// Coherence and atomicity.
// ---------------------------------------------------------------------

#[test]
fn corr_is_rejected_by_cos_opt_before_coherence() {
    // P0: x=1. P1: r0=x (1); r1=x (0). cobase's rr orders x=1 before the
    // initial write, against co0: cos-opt.cat's ConsCo fails first, so
    // herd never enumerates a co for it; coherence would fail too.
    let mut t = Test::new();
    let wx = t.write(0, ONCE, X, 1);
    let r1 = t.read(1, ONCE, X, 1);
    let r2 = t.read(1, ONCE, X, 0);
    t.rf(wx, r1);
    t.rf(iw(X), r2);
    let x = t.build();
    assert_eq!(verdict(&x), forbidden("ConsCo"));
    assert_eq!(relations(&x).failed[..2], ["ConsCo", "coherence"]);
    assert!(!cobase(&x).is_irreflexive());
}

/// `P0: lock(s); unlock(s); r0=spin_is_locked(s)` (false, reading P1's
/// unlock), `P1: lock(s); unlock(s)`.
fn is_locked_after_own_unlock(p1_first: bool) -> Execution {
    let mut t = Test::new();
    let (_, lkw0) = t.spin_lock(0, S);
    t.spin_unlock(0, S);
    let ru = t.lock_event(0, Kind::Ru, S);
    let (_, lkw1) = t.spin_lock(1, S);
    let ul1 = t.spin_unlock(1, S);
    t.rf_ru.push((ul1, ru));
    if p1_first {
        t.co(&[lkw1, lkw0]);
    } else {
        t.co(&[lkw0, lkw1]);
    }
    t.build()
}

#[test]
fn reading_an_unlock_older_than_ones_own_is_forbidden_by_coherence() {
    // With P1 first, P1's unlock is co-before P0's, which is po-before the
    // read: fr goes back. cobase does not see it (the unlock is not a
    // write yet when cos-opt.cat runs), the merged co does.
    let x = is_locked_after_own_unlock(true);
    assert!(cobase(&x).is_irreflexive());
    assert_eq!(verdict(&x), forbidden("coherence"));
    assert_eq!(verdict(&is_locked_after_own_unlock(false)), allowed(&[]));
}

#[test]
fn two_increments_reading_the_initial_value_are_forbidden_by_atomic() {
    let mut t = Test::new();
    let (r0, w0) = t.atomic_inc(0, X, 0);
    let (r1, w1) = t.atomic_inc(1, X, 0);
    t.rf(iw(X), r0);
    t.rf(iw(X), r1);
    t.co(&[w0, w1]);
    assert_eq!(verdict(&t.build()), forbidden("atomic"));
    // The second one reading the first is fine.
    let mut t = Test::new();
    let (r0, w0) = t.atomic_inc(0, X, 0);
    let (r1, w1) = t.atomic_inc(1, X, 1);
    t.rf(iw(X), r0);
    t.rf(w0, r1);
    t.co(&[w0, w1]);
    assert_eq!(verdict(&t.build()), allowed(&[]));
}
