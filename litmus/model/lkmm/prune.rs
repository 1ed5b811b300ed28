//! What a partial reads-from already decides about an execution's
//! coherence: the `co` edges every coherent completion of it must have,
//! or that none exists. The enumeration ([`super::enumerate`]) asks after
//! each read's write is chosen, and drops the choice when `coherence` or
//! `atomic` already fails.
//!
//! Two writes `w1`, `w2` of one location are ordered one way or the other
//! by `co` (a total order per location). If `po-loc | rf | co | fr`
//! already leads from `w1` to `w2`, or to a read of `w2`, the other way
//! round closes a cycle, so every execution that passes `coherence` has
//! `w1 co w2`: the edge is forced, with the `fr` edges it brings. So is
//! `w co w'` for an rmw `r`, `w` and a write `w'` of another thread that
//! `r` is `fr`-before: `w' co w` would put `w'` between the write `r`
//! reads and `w`, an `rmw & (fre; coe)` pair. Forcing
//! to a fixpoint and finding a cycle, or an `rmw & (fre; coe)` pair, means
//! no completion passes `coherence` and `atomic`. More rf edges only add
//! edges, so the answer holds for every completion of the partial rf.
//!
//! Only the plain memory events (`Init`, `R`, `W`) of locations no lock
//! uses take part: at a lock's location `lock.cat` adds its own `rf` and
//! `co` edges later, and a subset of a relation with a cycle has it too.

use super::execution::{Execution, Kind};
use super::rel::{Rel, Set, members};

/// The parts of one candidate's events the pruning reads.
pub struct Coherence {
    /// `Init`, `R` and `W` events of locations without lock events.
    memory: Set,
    /// Their writes, `Init` included.
    writes: Set,
    /// `po-loc` among them.
    po_loc: Rel,
    /// Each location's initial write `co`-before its other writes (`co0`).
    co_init: Rel,
    /// `rmw` among them, and `ext`, for the `atomic` axiom.
    rmw: Rel,
    ext: Rel,
    /// The identity on `writes`, removed from forced edges.
    same: Rel,
}

impl Coherence {
    pub fn new(x: &Execution) -> Coherence {
        let n = x.n();
        let locked = x
            .events
            .iter()
            .filter(|e| {
                matches!(
                    e.kind,
                    Kind::Lkr | Kind::Lkw | Kind::Ul | Kind::Lf | Kind::Rl | Kind::Ru
                )
            })
            .filter_map(|e| e.loc)
            .collect::<Vec<_>>();
        let memory = x.set(|e| {
            matches!(e.kind, Kind::Init | Kind::Read | Kind::Write)
                && e.loc.is_some_and(|l| !locked.contains(&l))
        });
        let writes = memory & x.set(|e| matches!(e.kind, Kind::Init | Kind::Write));
        let po_loc = x.po.inter(&x.loc()).restrict(memory, memory);
        let inits = writes & x.set(|e| e.kind == Kind::Init);
        let mut co_init = Rel::empty(n);
        for i in members(inits) {
            for w in members(writes & !inits) {
                if x.events[i].loc == x.events[w].loc {
                    co_init.add(i, w);
                }
            }
        }
        Coherence {
            memory,
            writes,
            po_loc,
            co_init,
            rmw: x.rmw.restrict(memory, memory),
            ext: x.ext(),
            same: Rel::id(n, writes),
        }
    }

    /// The `co` edges every completion of `rf` that passes `coherence`
    /// and `atomic` has; `None` when no completion passes `coherence` and `atomic`.
    pub fn forced_co(&self, rf: &Rel) -> Option<Rel> {
        let rf = rf.restrict(self.memory, self.memory);
        let read_by = rf.inverse();
        let mut co = self.co_init.clone();
        loop {
            let fr = read_by.seq(&co);
            let reach = self.po_loc.union(&rf).union(&co).union(&fr).plus();
            if !reach.is_irreflexive() {
                return None;
            }
            // `atomic`: an rmw's write follows every write of another
            // thread that its read is `fr`-before.
            let atomic = self.rmw.inverse().seq(&fr.inter(&self.ext));
            let forced = reach
                .union(&reach.seq(&read_by))
                .restrict(self.writes, self.writes)
                .union(&atomic)
                .minus(&self.same);
            if forced.minus(&co).is_empty() {
                break;
            }
            co = co.union(&forced);
        }
        // `empty rmw & (fre; coe) as atomic`
        let fre = read_by.seq(&co).inter(&self.ext);
        let coe = co.inter(&self.ext);
        self.rmw.inter(&fre.seq(&coe)).is_empty().then_some(co)
    }
}
