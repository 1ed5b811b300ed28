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

use super::execution::{Execution, Kind, Loc};
use super::rel::{MAX_EVENTS, Rel, Set, members, single};

/// The parts of one candidate's events the pruning reads.
///
/// Every relation the forcing reads relates events of one location, so
/// each location is forced on its own, over its own events numbered from
/// 0 (a handful, where the execution has dozens): a read's choice of
/// write forces again only its location's edges ([`Coherence::forced_co_at`]).
pub struct Coherence {
    n: usize,
    /// Each location's part, by location; `None` for a location a lock
    /// uses or with no memory event.
    locations: Vec<Option<Local>>,
    /// Each event's number among its location's events.
    index: Vec<u8>,
    /// `co0` over every event: each location's initial write before its
    /// other writes.
    co_init: Rel,
}

/// One location's `Init`, `R` and `W` events and the relations among
/// them, numbered from 0 in event order.
struct Local {
    /// The events, by their number here.
    events: Vec<usize>,
    /// The same, as a set of events of the execution.
    all: Set,
    /// Its writes, `Init` included (numbers here).
    writes: Set,
    /// `po-loc` among them.
    po_loc: Rel,
    /// The initial write `co`-before the other writes (`co0`).
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
        let locations_count = x
            .events
            .iter()
            .filter_map(|e| e.loc)
            .max()
            .map_or(0, |l| l + 1);
        let mut index = vec![0u8; n];
        let mut co_init = Rel::empty(n);
        let ext = x.ext();
        let locations = (0..locations_count)
            .map(|l| {
                let all = x.set(|e| {
                    matches!(e.kind, Kind::Init | Kind::Read | Kind::Write) && e.loc == Some(l)
                });
                if all == 0 || locked.contains(&l) {
                    return None;
                }
                let events: Vec<usize> = members(all).collect();
                for (i, &e) in events.iter().enumerate() {
                    index[e] = i as u8;
                }
                let k = events.len();
                let local = |pairs: &dyn Fn(usize, usize) -> bool| {
                    Rel::from_pairs(
                        k,
                        (0..k)
                            .flat_map(|i| (0..k).map(move |j| (i, j)))
                            .filter(|&(i, j)| pairs(events[i], events[j])),
                    )
                };
                let kind = |e: usize| x.events[e].kind;
                let is_write = |e: usize| matches!(kind(e), Kind::Init | Kind::Write);
                let writes = (0..k)
                    .filter(|&i| is_write(events[i]))
                    .fold(0, |acc, i| acc | single(i));
                let co_init_local =
                    local(&|a, b| kind(a) == Kind::Init && is_write(b) && kind(b) != Kind::Init);
                for (i, j) in co_init_local.pairs() {
                    co_init.add(events[i], events[j]);
                }
                Some(Local {
                    all,
                    writes,
                    po_loc: local(&|a, b| x.po.has(a, b)),
                    co_init: co_init_local,
                    rmw: local(&|a, b| x.rmw.has(a, b)),
                    ext: local(&|a, b| ext.has(a, b)),
                    same: Rel::id(k, writes),
                    events,
                })
            })
            .collect();
        Coherence {
            n,
            locations,
            index,
            co_init,
        }
    }

    /// The `co` edges every completion of `rf` that passes `coherence`
    /// and `atomic` has; `None` when no completion passes `coherence` and `atomic`.
    pub fn forced_co(&self, rf: &Rel) -> Option<Rel> {
        let mut co = self.co_init.clone();
        for l in 0..self.locations.len() {
            co = self.forced_co_at(rf, &co, l)?;
        }
        Some(co)
    }

    /// [`Coherence::forced_co`] after a choice of write for a read of
    /// location `l`: `start` holds the forced edges of `rf` without that
    /// choice (or `co0`, or any relation between `co0` and the result),
    /// and only `l`'s are forced again; the other locations' stand, as
    /// nothing at `l` changes them. Each round of the forcing adds the
    /// edges the current ones force, a monotone step, so from anywhere
    /// between `co0` and its fixpoint above `co0` it reaches that same
    /// fixpoint, and the checks read the fixpoint alone: the enumeration
    /// starts each read's choice from the edges of the reads before it,
    /// and the forcing takes a round or two rather than several.
    pub fn forced_co_at(&self, rf: &Rel, start: &Rel, l: Loc) -> Option<Rel> {
        let Some(Some(local)) = self.locations.get(l) else {
            return Some(start.clone());
        };
        let co = local.forced(&self.localise(local, rf), &self.localise(local, start))?;
        let mut forced = start.clone();
        for (i, &e) in local.events.iter().enumerate() {
            let row = members(co.row(i)).fold(0, |acc, j| acc | single(local.events[j]));
            forced.set_row(e, (start.row(e) & !local.all) | row);
        }
        Some(forced)
    }

    /// `r` among `local`'s events, numbered as there.
    fn localise(&self, local: &Local, r: &Rel) -> Rel {
        debug_assert_eq!(r.len(), self.n);
        let mut out = Rel::empty(local.events.len());
        for (i, &e) in local.events.iter().enumerate() {
            for b in members(r.row(e) & local.all) {
                out.add(i, self.index[b] as usize);
            }
        }
        out
    }
}

/// One location's coherence orders held to `coherence` and `atomic` at
/// that location alone, for one rf ([`Coherence::orders_at`]).
pub struct OrdersAt<'a> {
    local: &'a Local,
    index: &'a [u8],
    /// `rf^-1` and `po-loc | rf` among the location's events.
    read_by: Rel,
    base: Rel,
}

impl Coherence {
    /// The check of `l`'s coherence orders given the complete `rf`; `None`
    /// for a location a lock uses (`lock.cat` merges its unlocks into `co`
    /// later) or without memory events: every order passes there.
    pub fn orders_at(&self, rf: &Rel, l: Loc) -> Option<OrdersAt<'_>> {
        let local = self.locations.get(l)?.as_ref()?;
        let rf = self.localise(local, rf);
        Some(OrdersAt {
            read_by: rf.inverse(),
            base: local.po_loc.union(&rf),
            local,
            index: &self.index,
        })
    }
}

impl OrdersAt<'_> {
    /// Whether `order`, the location's writes in coherence order, can be
    /// part of an allowed execution: `acyclic po-loc | rf | co | fr` and
    /// `empty rmw & (fre ; coe)` hold among the location's events. Both
    /// relate events of one location only, so an order failing here
    /// fails them in every execution it is part of.
    pub fn coherent(&self, order: &[usize]) -> bool {
        let local = self.local;
        let mut co = Rel::empty(local.events.len());
        for (k, &a) in order.iter().enumerate() {
            for &b in &order[k + 1..] {
                co.add(self.index[a] as usize, self.index[b] as usize);
            }
        }
        let fr = self.read_by.seq(&co);
        let mut com = self.base.union(&co);
        com.union_with(&fr);
        if !com.is_acyclic() {
            return false;
        }
        // `empty rmw & (fre ; coe) as atomic`
        local
            .rmw
            .inter(&fr.inter(&local.ext).seq(&co.inter(&local.ext)))
            .is_empty()
    }
}

impl Local {
    /// The forced `co` edges among these events given their `rf`, from
    /// `start` (with `co0` added); `None` when no completion passes
    /// `coherence` and `atomic` here.
    fn forced(&self, rf: &Rel, start: &Rel) -> Option<Rel> {
        let read_by = rf.inverse();
        let mut co = start.union(&self.co_init);
        loop {
            let fr = read_by.seq(&co);
            let reach = self.po_loc.union(rf).union(&co).union(&fr).plus();
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

const _: () = assert!(MAX_EVENTS <= u8::MAX as usize + 1);
