//! `linux-kernel.bell`: dependencies carried through plain accesses, RCU
//! and SRCU critical sections and grace periods.

use super::*;

/// LB whose P0 passes x's value through a plain local variable t:
/// `r0=x (1); *t=r0; r1=*t; y=r1`, and `P1: r2=y (1); mb; x=1`.
fn lb_through_plain(carried: bool) -> (Execution, usize, usize) {
    let mut t = Test::new();
    let rx = t.read(0, ONCE, X, 1);
    let wt = t.write(0, PLAIN, Z, 1);
    let rt = t.read(0, PLAIN, Z, 1);
    let wy = t.write(0, ONCE, Y, 1);
    t.data.push((rx, wt));
    if carried {
        t.data.push((rt, wy));
    }
    let ry = t.read(1, ONCE, Y, 1);
    t.fence(1, FenceTag::Mb);
    let wx = t.write(1, ONCE, X, 1);
    t.rf(wt, rt);
    t.rf(wy, ry);
    t.rf(wx, rx);
    (t.build(), rx, wy)
}

#[test]
fn carry_dep_carries_a_dependency_through_a_plain_store_and_load() {
    let (x, rx, wy) = lb_through_plain(true);
    assert_eq!(verdict(&x), forbidden("happens-before"));
    let r = relations(&x);
    assert!(r.bell.data.has(rx, wy) && !r.native.data.has(rx, wy));
    let (x, _, _) = lb_through_plain(false);
    assert_eq!(verdict(&x), allowed(&[]));
}

#[test]
fn rcu_read_side_critical_sections_match_inside_out() {
    let mut t = Test::new();
    let l1 = t.fence(0, FenceTag::RcuLock);
    let l2 = t.fence(0, FenceTag::RcuLock);
    let u2 = t.fence(0, FenceTag::RcuUnlock);
    let u1 = t.fence(0, FenceTag::RcuUnlock);
    let x = t.build();
    assert_eq!(verdict(&x), allowed(&[]));
    let pairs: Vec<_> = relations(&x).bell.rcu_rscs.pairs().collect();
    assert_eq!(pairs, [(l1, u1), (l2, u2)]);

    let mut t = Test::new();
    t.fence(0, FenceTag::RcuLock);
    t.fence(0, FenceTag::RcuUnlock);
    t.fence(0, FenceTag::RcuUnlock);
    t.fence(1, FenceTag::RcuLock);
    assert_eq!(
        verdict(&t.build()),
        allowed(&["unmatched-rcu-lock", "unmatched-rcu-unlock"])
    );

    let mut t = Test::new();
    t.fence(0, FenceTag::RcuLock);
    t.push(Some(0), Kind::SyncSrcu, Tag::SyncSrcu, Some(S), None);
    t.fence(0, FenceTag::RcuUnlock);
    assert_eq!(verdict(&t.build()), allowed(&["invalid-sleep"]));
}

/// `P0: rcu_read_lock(); r0=x (1); r1=y (0); rcu_read_unlock()` (or no
/// critical section), `P1: y=1; synchronize_rcu(); x=1`.
fn rcu_mp(critical_section: bool) -> Execution {
    let mut t = Test::new();
    if critical_section {
        t.fence(0, FenceTag::RcuLock);
    }
    let rx = t.read(0, ONCE, X, 1);
    let ry = t.read(0, ONCE, Y, 0);
    if critical_section {
        t.fence(0, FenceTag::RcuUnlock);
    }
    t.write(1, ONCE, Y, 1);
    t.fence(1, FenceTag::SyncRcu);
    let wx = t.write(1, ONCE, X, 1);
    t.rf(wx, rx);
    t.rf(iw(Y), ry);
    t.build()
}

#[test]
fn a_grace_period_outlasts_a_read_side_critical_section() {
    assert_eq!(verdict(&rcu_mp(true)), forbidden("rcu"));
    assert_eq!(verdict(&rcu_mp(false)), allowed(&[]));
    let r = relations(&rcu_mp(true));
    assert!(!r.kernel.rcu_order.is_empty() && !r.kernel.rb.is_irreflexive());
}

/// An SRCU reader of s: `r0=srcu_read_lock(s)` (0) and
/// `srcu_read_unlock(s, v)`, with `data` from the lock when `matched`.
fn srcu_reader(t: &mut Test, matched: bool, value: i32) -> (usize, usize) {
    let lock = t.read(0, SRCU_LOCK, S, 0);
    let unlock = t.write(0, SRCU_UNLOCK, S, value);
    t.rf(iw(S), lock);
    if matched {
        t.data.push((lock, unlock));
    }
    (lock, unlock)
}

#[test]
fn srcu_critical_sections_match_by_data_and_value() {
    let mut t = Test::new();
    let (lock, unlock) = srcu_reader(&mut t, true, 0);
    let x = t.build();
    assert_eq!(verdict(&x), allowed(&[]));
    assert!(relations(&x).bell.srcu_rscs.has(lock, unlock));

    let mut t = Test::new();
    srcu_reader(&mut t, false, 0);
    assert_eq!(
        verdict(&t.build()),
        allowed(&["unmatched-srcu-lock", "unmatched-srcu-unlock"])
    );

    let mut t = Test::new();
    srcu_reader(&mut t, true, 1);
    assert_eq!(verdict(&t.build()), allowed(&["srcu-bad-value-match"]));

    let mut t = Test::new();
    let (lock, first) = srcu_reader(&mut t, true, 0);
    let second = t.write(0, SRCU_UNLOCK, S, 0);
    t.data.push((lock, second));
    t.co(&[first, second]);
    assert_eq!(verdict(&t.build()), allowed(&["multiple-srcu-matches"]));
}

/// `P0: srcu_read_lock(s); r0=x (1); r1=y (0); srcu_read_unlock(s)`,
/// `P1: y=1; synchronize_srcu(s or z); x=1`.
fn srcu_mp(same_struct: bool) -> Execution {
    let mut t = Test::new();
    let lock = t.read(0, SRCU_LOCK, S, 0);
    let rx = t.read(0, ONCE, X, 1);
    let ry = t.read(0, ONCE, Y, 0);
    let unlock = t.write(0, SRCU_UNLOCK, S, 0);
    t.data.push((lock, unlock));
    t.write(1, ONCE, Y, 1);
    let gp_struct = if same_struct { S } else { Z };
    t.push(
        Some(1),
        Kind::SyncSrcu,
        Tag::SyncSrcu,
        Some(gp_struct),
        None,
    );
    let wx = t.write(1, ONCE, X, 1);
    t.rf(iw(S), lock);
    t.rf(wx, rx);
    t.rf(iw(Y), ry);
    t.build()
}

#[test]
fn an_srcu_grace_period_waits_only_for_readers_of_its_struct() {
    assert_eq!(verdict(&srcu_mp(true)), forbidden("rcu"));
    assert_eq!(verdict(&srcu_mp(false)), allowed(&[]));
}
