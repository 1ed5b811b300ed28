//! Plain accesses: data races, `plain-coherence`, mixed accesses.

use super::*;

#[test]
fn racing_plain_accesses_flag_a_data_race() {
    for read in [0, 1] {
        let mut t = Test::new();
        let w = t.write(0, PLAIN, X, 1);
        let r = t.read(1, PLAIN, X, read);
        t.rf(if read == 1 { w } else { iw(X) }, r);
        assert_eq!(verdict(&t.build()), allowed(&["data-race"]), "read {read}");
    }
    // Two plain writes.
    let mut t = Test::new();
    let w0 = t.write(0, PLAIN, X, 1);
    let w1 = t.write(1, PLAIN, X, 2);
    t.co(&[w0, w1]);
    let x = t.build();
    assert_eq!(verdict(&x), allowed(&["data-race"]));
    assert!(relations(&x).plain.ww_race.has(w0, w1));
}

/// MP with a plain x: `P0: *x=1; [wmb]; y=1`, `P1: r0=y (1); [rmb];
/// r1=*x`.
fn mp_plain(fenced: bool, read: i32) -> Execution {
    let mut t = Test::new();
    let wx = t.write(0, PLAIN, X, 1);
    if fenced {
        t.fence(0, FenceTag::Wmb);
    }
    let wy = t.write(0, ONCE, Y, 1);
    let ry = t.read(1, ONCE, Y, 1);
    if fenced {
        t.fence(1, FenceTag::Rmb);
    }
    let rx = t.read(1, PLAIN, X, read);
    t.rf(wy, ry);
    t.rf(if read == 1 { wx } else { iw(X) }, rx);
    t.build()
}

#[test]
fn fenced_plain_accesses_do_not_race_and_stay_coherent() {
    assert_eq!(verdict(&mp_plain(true, 1)), allowed(&[]));
    // The plain read is in no hb, so happens-before does not see the
    // stale read; plain-coherence does.
    assert_eq!(verdict(&mp_plain(true, 0)), forbidden("plain-coherence"));
    assert_eq!(verdict(&mp_plain(false, 1)), allowed(&["data-race"]));
    assert_eq!(verdict(&mp_plain(false, 0)), allowed(&["data-race"]));
    let r = relations(&mp_plain(true, 1));
    let (wx, rx) = (4, 9);
    assert!(r.plain.wr_vis.has(wx, rx) && r.plain.pre_race.has(wx, rx));
}

/// `P0: lock(s); *x=1; unlock(s)`, `P1: lock(s); r0=*x; unlock(s)`.
fn locked_plain(p0_first: bool) -> Execution {
    let mut t = Test::new();
    let (_, lkw0) = t.spin_lock(0, S);
    let wx = t.write(0, PLAIN, X, 1);
    t.spin_unlock(0, S);
    let (_, lkw1) = t.spin_lock(1, S);
    let rx = t.read(1, PLAIN, X, if p0_first { 1 } else { 0 });
    t.spin_unlock(1, S);
    if p0_first {
        t.rf(wx, rx);
        t.co(&[lkw0, lkw1]);
    } else {
        t.rf(iw(X), rx);
        t.co(&[lkw1, lkw0]);
    }
    t.build()
}

#[test]
fn plain_accesses_in_critical_sections_do_not_race() {
    assert_eq!(verdict(&locked_plain(true)), allowed(&[]));
    assert_eq!(verdict(&locked_plain(false)), allowed(&[]));
}

#[test]
fn a_plain_write_next_to_a_marked_access_flags_mixed_accesses() {
    for barrier in [false, true] {
        let mut t = Test::new();
        let w1 = t.write(0, PLAIN, X, 1);
        if barrier {
            t.fence(0, FenceTag::Barrier);
        }
        let w2 = t.write(0, ONCE, X, 2);
        t.co(&[w1, w2]);
        let expected: &[&str] = if barrier { &[] } else { &["mixed-accesses"] };
        assert_eq!(verdict(&t.build()), allowed(expected), "barrier {barrier}");
    }
}
