//! The `co` edges a partial rf forces ([`Coherence::forced_co`]), and the
//! partial rfs it finds no coherent, atomic completion for.

use super::*;
use crate::model::lkmm::prune::Coherence;

fn forced(x: &Execution) -> Option<Rel> {
    Coherence::new(x).forced_co(&x.rf)
}

#[test]
fn a_read_of_an_overwritten_write_forces_the_write_it_saw_first() {
    // P0: x=1; r0=x reads P1's x=2: x=1 co x=2 in every coherent order,
    // and the initial write before both.
    let mut t = Test::new();
    let w1 = t.write(0, ONCE, X, 1);
    let r = t.read(0, ONCE, X, 2);
    let w2 = t.write(1, ONCE, X, 2);
    t.rf(w2, r);
    let co = forced(&t.build()).expect("coherent so far");
    assert!(co.has(w1, w2) && !co.has(w2, w1));
    assert!(co.has(iw(X), w1) && co.has(iw(X), w2));
}

#[test]
fn corr_reading_new_then_old_has_no_coherent_completion() {
    // P0: x=1. P1: r0=x (1); r1=x (0): whatever the rest, coherence fails.
    let mut t = Test::new();
    let wx = t.write(0, ONCE, X, 1);
    let r1 = t.read(1, ONCE, X, 1);
    let r2 = t.read(1, ONCE, X, 0);
    t.rf(wx, r1);
    assert!(forced(&t.build()).is_some(), "one read alone is coherent");
    t.rf(iw(X), r2);
    assert!(forced(&t.build()).is_none());
}

/// P0 and P1: `xchg_relaxed(x, 1)`; P1's reads the initial write, P0's
/// reads it too or P1's write.
fn two_xchgs(p0_reads_p1: bool) -> Execution {
    let mut t = Test::new();
    let (r0, _) = t.rmw(0, (ONCE, ONCE), X, (0, 1));
    let (r1, w1) = t.rmw(1, (ONCE, ONCE), X, (0, 1));
    t.rf(iw(X), r1);
    t.rf(if p0_reads_p1 { w1 } else { iw(X) }, r0);
    t.build()
}

#[test]
fn two_rmws_of_other_threads_reading_one_write_fail_atomic() {
    // Whichever write comes second in co sits between the other's read
    // and its write.
    assert!(forced(&two_xchgs(false)).is_none());
    assert!(forced(&two_xchgs(true)).is_some(), "one reads the other");
}
