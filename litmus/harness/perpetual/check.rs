//! Finding the original test's outcome in a perpetual batch.
//!
//! A *tuple* `(i, j)` is thread 0's iteration `i` with thread 1's iteration
//! `j`. Its *projection* is the original test's execution made of those
//! two iterations' events, each load's value taken from the store instance
//! it read (decoded from the value, [`super::convert::decode`]):
//!
//! - it read the tuple's own store (the writer's iteration in the tuple):
//!   the projection reads that store, with its original value;
//! - it read an older instance of the location's stores (an earlier
//!   iteration, or 0, the value before the batch): the projection reads the
//!   initial value;
//! - it read a newer instance: the tuple has no projection (the load saw a
//!   store the tuple does not contain, after the one it does).
//!
//! Why a projection with the condition's outcome is a witness, a real
//! execution of the original test. Its edges are edges of what the hardware
//! did in the whole batch: program order and fences are the same
//! instructions in the same order; each reads-from edge is the batch's own
//! (the load read that store); each from-reads edge (a load reading the
//! initial value, before a tuple store to the location) is the batch's too,
//! since the store instance the load read precedes the tuple's store in
//! coherence order (one thread stores each location, so its coherence order
//! is that thread's program order, iteration after iteration, which x86
//! keeps); the coherence edges from the initial write have no other side.
//! So any cycle of the projection (a happens-before cycle x86-TSO forbids)
//! is a cycle of the hardware's own execution, and the other iterations'
//! events, which the projection leaves out, cannot have made a cycle the
//! hardware did not show: a forbidden outcome found here was done by the
//! hardware, and an allowed one is an execution the original test has.
//!
//! A location both threads store ([`super::convert::Shared`]) has no
//! coherence order the values alone give: the condition's final value
//! (`y=2` in `R`) needs one thread's store to come before the other's. Each
//! such thread loads the location once more after each iteration (an
//! observer, recorded after its loads). Why an observation proves an order:
//! thread `t`'s observer at iteration `i'` runs after all of `t`'s stores
//! of that iteration in program order; on x86 a load never reads a store
//! that is coherence-before a store its own thread made earlier to the same
//! location (SC per location, which x86-TSO keeps), so if it reads the other
//! thread's store of iteration `j'`, every store of `t` up to iteration `i'`
//! is coherence-before that instance, and so before each of the other
//! thread's stores from iteration `j'` on (one thread's stores to a
//! location are in coherence order as its program order has them). A tuple
//! `(i, j)` whose condition needs `t`'s store first is counted only where
//! some observer of `t` at an iteration `i' >= i` read the other thread's
//! instance of an iteration `j' <= j`. The other way round proves the same
//! order too: an observer of the other thread at iteration `j'` that read
//! `t`'s instance of iteration `i' >= i` proves `t`'s store of `i` comes
//! before every store the other thread makes after that load, from
//! iteration `j' + 1` on (a store never comes before, in coherence, the
//! store its own thread's earlier load of the location read), so `j > j'`
//! suffices; where `t` stores the location more than once an iteration,
//! the observer must have read `t`'s last store of `i'` for that (an
//! earlier one leaves `i'`'s later stores unplaced: it proves `i' - 1`).
//! The threads' own loads of such a location are placed the same way
//! ([`shows_shared`]). An observer reading its own thread's store proves nothing
//! (and a store still in its thread's store buffer is what that thread's
//! load reads), and tuples with no proof are not counted: the count is
//! sound and incomplete (it misses what happened unobserved). With the order
//! proved, the projection's coherence edge between the two stores is the
//! hardware's, and the argument above carries over. Either way the earliest
//! `j` proved for `i` never decreases as `i` grows (on a coherent machine),
//! so it is one more lower end of an interval, and the linear counter keeps
//! its shape ([`Proofs`]); it checks each pair it counts exactly.
//!
//! Witnesses are counted disjoint: each iteration of each thread in at
//! most one counted tuple, so a count is comparable with instances. The
//! linear counter ([`count`]) rests on coherence: a thread's successive
//! loads of a location read non-decreasing instances, so the other
//! thread's iterations that each iteration can pair with form an interval
//! whose ends never decrease; greedy pairing in order is then a maximum
//! matching for a condition that is one conjunction. For a disjunction
//! (the exported seed's race) it takes, per iteration, the earliest free
//! partner any disjunct allows: not proven maximal, equal to the maximum
//! on every execution the tests try. It checks each pair it counts
//! exactly, so it stays sound if the hardware breaks coherence (it may then
//! count fewer).
//! [`count_exhaustive`] tries every tuple and finds a maximum matching:
//! the test oracle.

use super::convert::{Conjunct, Instance, Perpetual, Shared, decode};
use crate::catalog::program::MAX_REGISTERS;

/// For each thread `t` and location both threads store, per iteration `i`
/// of `t`: the earliest iteration of the other thread whose store is proved
/// to come after `t`'s store of iteration `i` (`u64::MAX`: none), by either
/// rule of the module note. Computed once per batch, in linear time.
struct Proofs {
    /// `[t][loc]`, empty for a location one thread stores.
    earliest: [Vec<Vec<u64>>; 2],
}

impl Proofs {
    fn of(p: &Perpetual, rec: &Recorded) -> Proofs {
        let locations = p.init.len();
        let per_thread = |t: usize| -> Vec<Vec<u64>> {
            (0..locations)
                .map(|loc| {
                    let (Some(own), Some(other)) = (observer(p, t, loc), observer(p, 1 - t, loc))
                    else {
                        return Vec::new();
                    };
                    let (n, m) = (rec.n[t], rec.n[1 - t]);
                    // Rule 1: t's observers at i' >= i that read the other's
                    // instance j': suffix minima of j'.
                    let mut earliest = vec![u64::MAX; n + 1];
                    for i in (0..n).rev() {
                        let here = observed(p, rec, t, own, i).unwrap_or(u64::MAX);
                        earliest[i] = earliest[i + 1].min(here);
                    }
                    // Rule 2: the other's observer at j' read t's instance
                    // i' >= i: every j > j'. The first such j' for each i,
                    // by a sweep over the other's prefix maxima.
                    let (mut j, mut most) = (0usize, None::<u64>);
                    for (i, e) in earliest.iter_mut().enumerate().take(n) {
                        while j < m && most.is_none_or(|x| x < i as u64) {
                            most = most.max(observed_whole(p, rec, 1 - t, other, j));
                            j += 1;
                        }
                        if most.is_some_and(|x| x >= i as u64) {
                            *e = (*e).min(j as u64);
                        }
                    }
                    earliest
                })
                .collect()
        };
        Proofs {
            earliest: [per_thread(0), per_thread(1)],
        }
    }

    /// The earliest iteration of the other thread proved to store `loc`
    /// after thread `t`'s iteration `i` (`u64::MAX`: none).
    fn earliest(&self, t: usize, loc: u8, i: usize) -> u64 {
        self.earliest[t]
            .get(loc as usize)
            .and_then(|e| e.get(i))
            .copied()
            .unwrap_or(u64::MAX)
    }
}

/// The index of thread `t`'s observer of `loc`, if it has one.
fn observer(p: &Perpetual, t: usize, loc: usize) -> Option<usize> {
    p.threads[t]
        .observers
        .iter()
        .position(|&l| l as usize == loc)
}

/// The other thread's store instance that observer `o` of thread `t`
/// read after iteration `i`, with its location's stores; `None`: its own
/// thread's store, or the value before the batch.
fn observed_instance(
    p: &Perpetual,
    rec: &Recorded,
    t: usize,
    o: usize,
    i: usize,
) -> Option<(Shared, Instance)> {
    let loc = p.threads[t].observers[o] as usize;
    let shared = p.shared[loc]?;
    let raw = rec.loads[t][i * p.threads[t].width() + p.threads[t].loads.len() + o] as u64;
    let seen = shared.instance(raw)?;
    (seen.thread != t).then_some((shared, seen))
}

/// The other thread's iteration whose store observer `o` of thread `t`
/// read after iteration `i` ([`observed_instance`]).
fn observed(p: &Perpetual, rec: &Recorded, t: usize, o: usize, i: usize) -> Option<u64> {
    observed_instance(p, rec, t, o, i).map(|(_, seen)| seen.k)
}

/// [`observed`], as the last iteration of the other thread all of whose
/// stores to the location are at or before the store read in coherence:
/// its iteration if it is that thread's last store to the location in an
/// iteration, else the one before (rule 2's proofs rest on it: the
/// iteration's later stores may come after what the observer read).
fn observed_whole(p: &Perpetual, rec: &Recorded, t: usize, o: usize, i: usize) -> Option<u64> {
    let (shared, seen) = observed_instance(p, rec, t, o, i)?;
    if shared.last_of_iteration(seen) {
        Some(seen.k)
    } else {
        seen.k.checked_sub(1)
    }
}

/// Is it proved that thread `first`'s store to `loc` at iteration
/// `at[first]` comes before the other thread's at `at[1 - first]` in
/// coherence? Directly from the recorded observers, by both rules (the
/// oracle's way).
fn proved_by_scan(p: &Perpetual, rec: &Recorded, loc: u8, first: usize, at: [u64; 2]) -> bool {
    let second = 1 - first;
    let (Some(own), Some(other)) = (
        observer(p, first, loc as usize),
        observer(p, second, loc as usize),
    ) else {
        return false;
    };
    let rule1 = (at[first] as usize..rec.n[first])
        .any(|i| observed(p, rec, first, own, i).is_some_and(|k| k <= at[second]));
    let rule2 = (0..at[second] as usize)
        .any(|j| observed_whole(p, rec, second, other, j).is_some_and(|k| k >= at[first]));
    rule1 || rule2
}

/// A batch's recorded loads: per thread, `n[t]` rows of its loads' values
/// then its observers' (the threads run for the same time, not the same
/// iterations).
pub struct Recorded<'a> {
    pub n: [usize; 2],
    pub loads: [&'a [u32]; 2],
}

impl Recorded<'_> {
    #[inline(always)]
    fn value(&self, p: &Perpetual, t: usize, i: usize, load: usize) -> u64 {
        self.loads[t][i * p.threads[t].width() + load] as u64
    }
}

/// What a load shows in a projection, as a constraint on the iteration of
/// its location's writer in the tuple.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shows {
    /// The same whatever the writer's iteration.
    Always(u64),
    /// Iteration `k` of the writer: `original`; a later one: `init`; an
    /// earlier one: no projection.
    Instance { k: u64, original: u64, init: u64 },
    /// A location both threads store, read after the thread's own store:
    /// the other thread's store of iteration `k` (`original`), in the
    /// tuple only where the other is at `k`.
    Only { k: u64, original: u64 },
    /// A location both threads store, read before the thread's own stores
    /// of this iteration: its own last store of iteration `own`, shown as
    /// `init` where that store is proved before the other thread's.
    OwnEarlier { own: u64, init: u64 },
    /// A value no store of the batch wrote, or one no coherent execution
    /// lets this load read.
    Garbage,
}

/// What thread `t`'s `load` in its iteration `i`, having read `raw`, shows.
fn shows(p: &Perpetual, t: usize, load: usize, raw: u64, i: u64) -> Shows {
    let loc = p.threads[t].loads[load].loc as usize;
    let init = p.init[loc];
    if let Some(both) = p.shared[loc] {
        return shows_shared(p, t, load, raw, i, both);
    }
    let Some(writer) = p.writers[loc] else {
        return if raw == 0 {
            Shows::Always(init)
        } else {
            Shows::Garbage
        };
    };
    match decode(raw, writer.stores) {
        None => Shows::Always(init),
        Some((index, k)) => match p.threads[writer.thread]
            .stores
            .iter()
            .find(|s| s.loc as usize == loc && s.index == index)
        {
            Some(s) => Shows::Instance {
                k,
                original: s.original,
                init,
            },
            None => Shows::Garbage,
        },
    }
}

/// [`shows`] for a location both threads store. Thread `t`'s load of it
/// in iteration `i`, after `before` of `t`'s own stores to it there:
///
/// - after one (`before > 0`), coherence lets it read only `t`'s latest
///   store (iteration `i`, its `before`-th: the tuple's own, shown as
///   written) or a store of the other thread coherence-after that one,
///   which is in the projection only if it is the tuple's (the other at
///   that iteration); a read of the initial value or of an older store of
///   its own cannot happen, and shows nothing;
/// - before them (`before == 0`), it reads the initial value (iteration 0
///   only), `t`'s own last store of iteration `i - 1`, or a store of the
///   other thread. The other's store is the tuple's where the other is at
///   that iteration, and shows as the initial value where the other is
///   later: it is coherence-before every store of the tuple, the other's
///   by program order and `t`'s because this load, which read it, comes
///   before them in program order (a store never precedes in coherence
///   the store an earlier load of its own thread read). `t`'s own store of
///   `i - 1` is coherence-before `t`'s stores of `i` by program order, and
///   before the other's only where the observers prove it
///   ([`Shows::OwnEarlier`]); then it too shows as the initial value.
fn shows_shared(p: &Perpetual, t: usize, load: usize, raw: u64, i: u64, both: Shared) -> Shows {
    let slot = p.threads[t].loads[load];
    let init = p.init[slot.loc as usize];
    let before = slot.own_stores_before;
    let Some(seen) = both.instance(raw) else {
        return if before == 0 && i == 0 {
            Shows::Always(init)
        } else {
            Shows::Garbage
        };
    };
    let Instance {
        thread: writer,
        nth,
        k,
    } = seen;
    let Some(store) = p.threads[writer]
        .stores
        .iter()
        .filter(|s| s.loc == slot.loc)
        .nth(nth as usize)
    else {
        return Shows::Garbage;
    };
    match (writer == t, before > 0) {
        (false, true) => Shows::Only {
            k,
            original: store.original,
        },
        (false, false) => Shows::Instance {
            k,
            original: store.original,
            init,
        },
        (true, true) if k == i && nth + 1 == before => Shows::Always(store.original),
        (true, false) if k + 1 == i && both.last_of_iteration(seen) => {
            Shows::OwnEarlier { own: k, init }
        }
        (true, _) => Shows::Garbage,
    }
}

/// The load's value in the projection where the other side of its
/// location is at iteration `w` (its writer, or for a location both
/// threads store the other thread); `None`: no projection.
/// `own_earlier_first(own, w)`: is the loading thread's store of iteration
/// `own` proved before the other thread's stores of iteration `w`.
fn projected(shows: Shows, w: u64, own_earlier_first: &dyn Fn(u64, u64) -> bool) -> Option<u64> {
    match shows {
        Shows::Always(v) => Some(v),
        Shows::Instance { k, original, .. } if w == k => Some(original),
        Shows::Instance { k, init, .. } if w > k => Some(init),
        Shows::Only { k, original } if w == k => Some(original),
        Shows::OwnEarlier { own, init } if own_earlier_first(own, w) => Some(init),
        _ => None,
    }
}

/// Does the thread other than `t` store `loc` once an iteration? Then a
/// proof that `t`'s store comes before the other's store of an iteration
/// covers all of that iteration's; else only the next iteration's (a
/// proof names one of the other's stores, and those before it in its
/// iteration are not covered).
fn other_stores_once(p: &Perpetual, t: usize, loc: u8) -> bool {
    p.shared[loc as usize].is_some_and(|b| b.stores[1 - t] == 1)
}

/// The first iteration of the other thread whose every store to `loc` a
/// proof that `t`'s store comes before the other's store of iteration `e`
/// covers ([`other_stores_once`]).
fn all_stores_from(p: &Perpetual, t: usize, loc: u8, e: u64) -> u64 {
    if other_stores_once(p, t, loc) {
        e
    } else {
        e.saturating_add(1)
    }
}

/// Is tuple `(i, j)` a witness: has it a projection, with the condition's
/// outcome (the coherence order it needs proved by scanning the observers)?
pub fn witness_at(p: &Perpetual, rec: &Recorded, i: usize, j: usize) -> bool {
    witness_with(p, rec, i, j, &|loc, first, at| {
        proved_by_scan(p, rec, loc, first, at)
    })
}

/// [`witness_at`] with the proofs as `proved(loc, first, at)` says.
fn witness_with(
    p: &Perpetual,
    rec: &Recorded,
    i: usize,
    j: usize,
    proved: &dyn Fn(u8, usize, [u64; 2]) -> bool,
) -> bool {
    let at = [i as u64, j as u64];
    let mut values = [[0u64; MAX_REGISTERS]; 2];
    for (t, row) in values.iter_mut().enumerate() {
        for (load, (slot, cell)) in p.threads[t].loads.iter().zip(row.iter_mut()).enumerate() {
            let w = match (p.writers[slot.loc as usize], p.shared[slot.loc as usize]) {
                (Some(w), _) => at[w.thread],
                (None, Some(_)) => at[1 - t],
                (None, None) => 0,
            };
            let own_earlier_first = |own: u64, w: u64| {
                // Proved before a store of the other's iteration `e`
                // covers all of `w`'s from the latest such `e` down (a
                // proof for `e` is one for every later iteration too).
                let once = other_stores_once(p, t, slot.loc);
                let Some(e) = (if once { Some(w) } else { w.checked_sub(1) }) else {
                    return false;
                };
                let mut at = [0; 2];
                at[t] = own;
                at[1 - t] = e;
                proved(slot.loc, t, at)
            };
            let s = shows(p, t, load, rec.value(p, t, at[t] as usize, load), at[t]);
            match projected(s, w, &own_earlier_first) {
                Some(v) => *cell = v,
                None => return false,
            }
        }
    }
    p.disjuncts.iter().any(|conjuncts| {
        conjuncts.iter().all(|c| match *c {
            Conjunct::Fixed(holds) => holds,
            Conjunct::Load {
                thread,
                load,
                value,
            } => values[thread][load] == value,
            // `thread`'s store last: the other's proved first.
            Conjunct::Last { loc, thread } => proved(loc, 1 - thread, at),
        })
    })
}

/// The other thread's iterations one iteration can pair with, `[lo, hi]`;
/// `None`: it can be in no witness.
type Window = Option<(u64, u64)>;

/// What one conjunction asks of each thread, worked out once per batch
/// rather than per iteration: per load the values it must show, the
/// locations whose other writer must come last, and whether a conjunct
/// is false whatever ran.
struct Demand {
    wanted: [Vec<Vec<u64>>; 2],
    /// Per thread `t`: the locations whose final value needs the other
    /// thread's store last (so `t`'s store first, proved from `t`'s side).
    others_last: [Vec<u8>; 2],
    possible: bool,
}

impl Demand {
    /// One per disjunct of `p`'s condition, in order.
    fn all(p: &Perpetual) -> Vec<Demand> {
        p.disjuncts.iter().map(|d| Demand::of(p, d)).collect()
    }

    fn of(p: &Perpetual, conjuncts: &[Conjunct]) -> Demand {
        let mut wanted = [0, 1].map(|t| vec![Vec::new(); p.threads[t].loads.len()]);
        let mut others_last = [Vec::new(), Vec::new()];
        let mut possible = true;
        for c in conjuncts {
            match *c {
                Conjunct::Fixed(holds) => possible &= holds,
                Conjunct::Load {
                    thread,
                    load,
                    value,
                } => wanted[thread][load].push(value),
                Conjunct::Last { loc, thread } => others_last[1 - thread].push(loc),
            }
        }
        Demand {
            wanted,
            others_last,
            possible,
        }
    }
}

/// For iteration `i` of thread `t`, under the conjunction `demand` stands
/// for: can it be in a witness, and the interval of the other thread's
/// iterations it can pair with.
fn window(
    p: &Perpetual,
    demand: &Demand,
    rec: &Recorded,
    proofs: &Proofs,
    t: usize,
    i: usize,
) -> Window {
    if !demand.possible {
        return None;
    }
    let (mut lo, mut hi) = (0u64, u64::MAX);
    // The other thread's store must come last: proved only from this
    // thread's observers, and only for its iterations from the earliest
    // one they saw on.
    for &loc in &demand.others_last[t] {
        let earliest = proofs.earliest(t, loc, i);
        if earliest == u64::MAX {
            return None;
        }
        lo = lo.max(earliest);
    }
    for (load, wanted) in demand.wanted[t].iter().enumerate() {
        let loc = p.threads[t].loads[load].loc as usize;
        let s = shows(p, t, load, rec.value(p, t, i, load), i as u64);
        let writer = p.writers[loc].map(|w| w.thread);
        if writer == Some(t) {
            // Its own store: the tuple's iteration is `i` itself.
            let v = projected(s, i as u64, &|_, _| false)?;
            if wanted.iter().any(|&want| want != v) {
                return None;
            }
            continue;
        }
        match s {
            Shows::Garbage => return None,
            Shows::Always(v) => {
                if wanted.iter().any(|&want| want != v) {
                    return None;
                }
            }
            Shows::Instance { k, original, init } => {
                lo = lo.max(k);
                for &want in wanted {
                    match (want == original, want == init) {
                        (true, true) => {}
                        (true, false) => hi = hi.min(k),
                        (false, true) => lo = lo.max(k + 1),
                        (false, false) => return None,
                    }
                }
            }
            Shows::Only { k, original } => {
                if wanted.iter().any(|&want| want != original) {
                    return None;
                }
                (lo, hi) = (lo.max(k), hi.min(k));
            }
            Shows::OwnEarlier { own, init } => {
                if wanted.iter().any(|&want| want != init) {
                    return None;
                }
                let earliest = proofs.earliest(t, loc as u8, own as usize);
                if earliest == u64::MAX {
                    return None;
                }
                lo = lo.max(all_stores_from(p, t, loc as u8, earliest));
            }
        }
    }
    (lo <= hi).then_some((lo, hi))
}

/// Disjoint witnesses, in linear time (per disjunct of the condition);
/// the pairs it counted.
pub fn count(p: &Perpetual, rec: &Recorded) -> (u64, Vec<(usize, usize)>) {
    let mut pairs = Vec::new();
    let n = count_into(p, rec, Some(&mut pairs), Share::WHOLE);
    (n, pairs)
}

/// One of the parts a batch's count is split into so that both threads
/// count at once (the runner's count): `part` of `parts`.
#[derive(Clone, Copy, Debug)]
pub struct Share {
    pub part: usize,
    pub parts: usize,
}

impl Share {
    pub const WHOLE: Share = Share { part: 0, parts: 1 };

    /// The iterations of a thread that ran `n` this part takes: the
    /// `part`-th of `parts` equal runs.
    fn of(self, n: usize) -> std::ops::Range<usize> {
        n * self.part / self.parts..n * (self.part + 1) / self.parts
    }
}

/// The disjoint witnesses among thread 0's iterations of `share` paired
/// with thread 1's of the same share. The threads ran for the same time,
/// so the two shares cover the same stretch of it and a witness's pair
/// lies in one share but near a boundary: the parts' sum is sound (each
/// pair is checked) and at most the whole's maximum, missing at most the
/// pairs that straddle a boundary.
pub fn count_share(p: &Perpetual, rec: &Recorded, share: Share) -> u64 {
    count_into(p, rec, None, share)
}

fn count_into(
    p: &Perpetual,
    rec: &Recorded,
    mut pairs: Option<&mut Vec<(usize, usize)>>,
    share: Share,
) -> u64 {
    let firsts = share.of(rec.n[0]);
    let seconds = share.of(rec.n[1]);
    let (base, n) = (seconds.start, seconds.end);
    let proofs = Proofs::of(p, rec);
    let demands = Demand::all(p);
    let mut used = vec![false; n - base];
    let mut counted = 0;
    // Per disjunct: thread 1's windows (from `base`), and the next of its
    // iterations still worth trying.
    let mut second: Vec<(Vec<Window>, usize)> = demands
        .iter()
        .map(|d| {
            (
                (base..n)
                    .map(|j| window(p, d, rec, &proofs, 1, j))
                    .collect(),
                base,
            )
        })
        .collect();
    for i in firsts {
        let mut best: Option<usize> = None;
        for (d, (windows, next)) in demands.iter().zip(second.iter_mut()) {
            let Some((lo, hi)) = window(p, d, rec, &proofs, 0, i) else {
                continue;
            };
            // Pass over thread 1's iterations no later `i` can use under
            // this disjunct: taken, unusable, before this `i`'s interval,
            // or whose own interval ended.
            while *next < n
                && (used[*next - base]
                    || *next < lo as usize
                    || windows[*next - base].is_none_or(|(_, h)| h < i as u64))
            {
                *next += 1;
            }
            let j = *next;
            if j >= n || j as u64 > hi {
                continue;
            }
            let (first_i, _) = windows[j - base].expect("skipped above");
            if first_i <= i as u64 && best.is_none_or(|b| j < b) {
                best = Some(j);
            }
        }
        if let Some(j) = best
            && witness_with(p, rec, i, j, &|loc, first, at| {
                proofs.earliest(first, loc, at[first] as usize) <= at[1 - first]
            })
        {
            used[j - base] = true;
            counted += 1;
            if let Some(pairs) = pairs.as_deref_mut() {
                pairs.push((i, j));
            }
        }
    }
    counted
}

/// Disjoint witnesses by trying every tuple and matching them at most
/// (augmenting paths): quadratic or worse, the oracle of [`count`].
pub fn count_exhaustive(p: &Perpetual, rec: &Recorded) -> u64 {
    let [first, n] = rec.n;
    let edges: Vec<Vec<usize>> = (0..first)
        .map(|i| (0..n).filter(|&j| witness_at(p, rec, i, j)).collect())
        .collect();
    let mut owner: Vec<Option<usize>> = vec![None; n];
    fn augment(
        i: usize,
        edges: &[Vec<usize>],
        seen: &mut [bool],
        owner: &mut [Option<usize>],
    ) -> bool {
        for &j in &edges[i] {
            if seen[j] {
                continue;
            }
            seen[j] = true;
            if owner[j].is_none_or(|other| augment(other, edges, seen, owner)) {
                owner[j] = Some(i);
                return true;
            }
        }
        false
    }
    (0..first)
        .filter(|&i| augment(i, &edges, &mut vec![false; n], &mut owner))
        .count() as u64
}
