//! Every candidate execution of a C test, judged: herd7's enumeration
//! (`herd/mem.ml`, `lock.cat`, `cos-opt.cat`) in order. One path per
//! thread (their cross product); for each, one write per read among the
//! writes of its location (`rf`); `lock.cat`'s choices for failed
//! `spin_trylock`s and `spin_is_locked`s; then every coherence order
//! extending `cobase`, location by location. Each candidate goes through
//! the filter, then the model ([`super::cat::judge`]); the survivors are
//! counted and their final states and flags kept.
//!
//! herd7's path has unknowns for its read values; here a path is a
//! [`Shape`]: the traces of [`super::threads`] that take the same
//! decisions at the same locations, one per choice of read values. Given
//! rf, the values flow from the initial writes along rf and, inside a
//! path, from the reads a write's `data` comes from to the write, looked
//! up in the shape's traces ([`solve`]); no trace with those values means
//! the path's conditions fail. When values justify themselves through a
//! cycle of `rf` and data (out of thin air), herd7 keeps one symbolic
//! candidate, and drops it if a path condition rests on the free value; so
//! does this enumeration.
//!
//! # Pruning
//!
//! Unless `exhaustive`, rf is chosen read by read (the reads of one
//! location together) and a partial rf is dropped, with every completion,
//! when one of these already fails:
//!
//! - `coherence` or `atomic` ([`super::prune`]): the `co` edges any
//!   coherent completion must have are forced to a fixpoint; a cycle in
//!   `po-loc | rf | co | fr`, or an `rmw & (fre; coe)` pair, means every
//!   completion, with every lock choice and coherence order, fails one of
//!   the two axioms.
//! - the values: those the partial rf decides (from the initial writes
//!   along rf and through `data`, [`propagate`]) are the values [`solve`]
//!   finds for them in every completion, since each is set once from its
//!   own rf write or data reads; a write no trace makes from its reads'
//!   values, or a thread whose known read values no trace of its shape
//!   reads, fails `solve` in every completion too. The free values of an
//!   rf and data cycle are never decided early, so herd7's one symbolic
//!   candidate for them is still judged whole.
//!
//! A complete rf then has only the coherence orders that extend the
//! forced edges (the others fail `coherence` or `atomic`), and each
//! location's order is checked alone ([`super::prune::OrdersAt`]). The
//! orders are then chosen location by location (those of the locations
//! with several, in location order: the candidates come in the order of
//! the cross product, as in the exhaustive search), and, on a skeleton
//! without lock events ([`cat::Judge::monotone`]):
//!
//! - a partial execution, whose `co` is the edges every candidate of the
//!   rf has (the forced ones, `cobase`, the orders of the locations with
//!   one) and the orders chosen so far, is judged on the checks whose
//!   relations all grow with `co` ([`cat::Judge::refuted`]: `coherence`,
//!   `atomic`, `happens-before`, `propagation`, `rcu`); one failing there
//!   fails in every candidate completing it, which are not made;
//! - below a point of the choice, when the locations left open are
//!   observed by no final state and the test has no plain access, the
//!   same checks on the union of every open order
//!   ([`cat::Judge::all_allowed`]) holding means each candidate below
//!   passes them (its `co` is inside the union). Each passes `coherence`
//!   and `atomic` as well, location by location (above), and `ConsCo`:
//!   its `co` is a linear extension of `cobase` without `FW`, whose
//!   last writes make `FW`, so `cobase` with `FW` lies inside the order.
//!   Every candidate below is then allowed, with the first one's final
//!   state (the open locations observed by none, the registers by rf)
//!   and flags (without plain access and lock events they read rf
//!   alone): the first is judged and counted once for each.
//!
//! Both are asked only while they pay (they cost a judgement each);
//! asking or not changes what is judged, not what is counted. And each
//! candidate made there passes `ConsCo`, `coherence` and `atomic` (as
//! above), which the judge then does not evaluate
//! ([`cat::Judge::judge_coherent`]).
//!
//! An execution failing an axiom is neither counted nor seen by the
//! filter's final state nor gives flags ([`cat::judge`] returns the first
//! failing check and nothing else), and one `solve` rejects is never
//! judged, so the pruned search counts the same executions, states and
//! flags as the exhaustive one, in the same order (the read order is the
//! same in both), the same witness first. Only `Tally::rejected`,
//! `ruled_out` and `candidates` shrink.

use super::cat::{self, Judgement};
use super::execution::{Event, Execution, Kind, Loc, Val};
use super::prune::Coherence;
use super::rel::{MAX_EVENTS, Rel, Set, members, single};
use super::threads::Trace;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// What the enumeration needs of the test beyond the paths.
pub struct Frame<'a> {
    /// Initial value of each location.
    pub init: &'a [Val],
    /// Locations whose final value is observed (displayed, or in the
    /// filter): each gets a final write.
    pub observed_locations: &'a [Loc],
    /// The final state of one execution, `None` when it fails the filter.
    pub finals: &'a FinalsOf<'a>,
    /// Whether the filter fails on the registers alone, fixed once rf is:
    /// then no candidate of that rf passes it, and none is built.
    pub filtered_out: &'a FilteredOut<'a>,
    /// Stop after judging this many candidates (`None`: all of them).
    pub budget: Option<u64>,
    /// Judge every candidate, none dropped early by the pruning (the
    /// oracle the pruned search is held to, and what `--why` counts).
    pub exhaustive: bool,
}

/// An execution's final state from its execution, its paths and its free
/// reads; `None` when it fails the filter.
pub type FinalsOf<'a> = dyn Fn(&Execution, &[&Trace], Set) -> Option<FinalState> + 'a;

/// Whether the filter fails on the paths' registers and free reads alone.
pub type FilteredOut<'a> = dyn Fn(&[&Trace], Set) -> bool + 'a;

/// The observed part of an execution's final state, and whether it
/// satisfies the condition's proposition.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FinalState {
    pub values: Vec<Val>,
    pub satisfies: bool,
}

/// What the enumeration found.
#[derive(Default, Debug)]
pub struct Tally {
    /// Executions the model allows whose state satisfies the proposition,
    /// and the rest.
    pub positive: u64,
    pub negative: u64,
    pub states: BTreeSet<Vec<Val>>,
    pub flags: BTreeSet<&'static str>,
    /// Candidates the model rejected, by the first axiom they fail.
    pub rejected: BTreeMap<&'static str, u64>,
    /// Candidates judged.
    pub candidates: u64,
    /// The budget ran out: the counts are partial.
    pub stopped: bool,
    /// The first allowed execution whose final state satisfies the
    /// condition's proposition.
    pub witness: Option<Execution>,
    /// Candidates whose final state satisfies the proposition, rejected,
    /// by the first axiom they fail.
    pub ruled_out: BTreeMap<&'static str, u64>,
    /// The final states so far: hashed while the search goes (a test can
    /// have hundreds of thousands, each met once), `states` at its end.
    seen: HashSet<Vec<Val>>,
}

/// Judge every candidate made of one path per thread from `paths`.
pub fn enumerate(paths: &[Vec<Trace>], frame: &Frame) -> Result<Tally, String> {
    let mut tally = Tally::default();
    let mut pruning = Pruning::default();
    let shapes: Vec<Vec<Shape>> = paths.iter().map(|p| shapes_of(p)).collect();
    if shapes.iter().any(Vec::is_empty) {
        return Ok(tally);
    }
    let mut pick = vec![0usize; shapes.len()];
    loop {
        let chosen: Vec<&Shape> = pick.iter().zip(&shapes).map(|(&i, s)| &s[i]).collect();
        combination(&chosen, paths, frame, &mut tally, &mut pruning)?;
        if tally.stopped || !advance(&mut pick, |t| shapes[t].len()) {
            // Sorted once, then built at once.
            let mut states: Vec<Vec<Val>> = tally.seen.drain().collect();
            states.sort_unstable();
            tally.states = states.into_iter().collect();
            return Ok(tally);
        }
    }
}

/// The next tuple of an odometer whose digit `t` counts to `size(t)`;
/// false after the last.
fn advance(digits: &mut [usize], size: impl Fn(usize) -> usize) -> bool {
    for t in (0..digits.len()).rev() {
        digits[t] += 1;
        if digits[t] < size(t) {
            return true;
        }
        digits[t] = 0;
    }
    false
}

/// The paths of one thread that take the same decisions and access the
/// same locations: herd7's one path, whose read values are unknowns. Its
/// traces are that path with each choice of values.
struct Shape {
    /// Indices of its traces in the thread's paths.
    traces: Vec<usize>,
    /// The trace with each vector of read values (in event order).
    by_reads: HashMap<Vec<Val>, usize>,
    /// Per write event (local index): the value it writes for each vector
    /// of the values of the reads its value depends on (`data`).
    writes: BTreeMap<usize, HashMap<Vec<Val>, Val>>,
    /// The local reads, in event order.
    reads: Vec<usize>,
}

fn shapes_of(traces: &[Trace]) -> Vec<Shape> {
    type Key = (Vec<u8>, Vec<(Kind, Option<Loc>)>);
    let mut index: HashMap<Key, usize> = HashMap::new();
    let mut shapes: Vec<Shape> = Vec::new();
    for (i, t) in traces.iter().enumerate() {
        let key = (
            t.decisions.clone(),
            t.events.iter().map(|e| (e.kind, e.loc)).collect(),
        );
        let s = *index.entry(key).or_insert_with(|| {
            shapes.push(Shape {
                traces: Vec::new(),
                by_reads: HashMap::new(),
                writes: BTreeMap::new(),
                reads: (0..t.events.len())
                    .filter(|&e| t.events[e].kind == Kind::Read)
                    .collect(),
            });
            shapes.len() - 1
        });
        let shape = &mut shapes[s];
        shape.traces.push(i);
        let read_values = shape
            .reads
            .iter()
            .filter_map(|&r| t.events[r].value)
            .collect();
        shape.by_reads.insert(read_values, i);
        for (w, e) in t.events.iter().enumerate() {
            if e.kind == Kind::Write
                && let Some(v) = e.value
            {
                let key = members(e.data).filter_map(|r| t.events[r].value).collect();
                shape.writes.entry(w).or_default().insert(key, v);
            }
        }
    }
    shapes
}

/// One path per thread: the events, then every rf, each read from a write
/// of its location; the values follow from rf.
fn combination(
    shapes: &[&Shape],
    paths: &[Vec<Trace>],
    frame: &Frame,
    tally: &mut Tally,
    pruning: &mut Pruning,
) -> Result<(), String> {
    let representatives: Vec<&Trace> = shapes
        .iter()
        .enumerate()
        .map(|(t, s)| &paths[t][s.traces[0]])
        .collect();
    let base = skeleton(&representatives, frame.init)?;
    let n = base.execution.events.len();
    // Each read's possible sources: its location's writes, but not one its
    // own statement makes after it.
    let reads: Vec<usize> = (0..n)
        .filter(|&e| base.execution.events[e].kind == Kind::Read)
        .collect();
    let mut sources: Vec<Vec<usize>> = Vec::with_capacity(reads.len());
    for &r in &reads {
        let loc = base.execution.events[r].loc;
        let options: Vec<usize> = (0..n)
            .filter(|&w| {
                let wv = &base.execution.events[w];
                matches!(wv.kind, Kind::Init | Kind::Write)
                    && wv.loc == loc
                    && !base.same_statement_after(r, w)
            })
            .collect();
        if options.is_empty() {
            return Ok(());
        }
        sources.push(options);
    }
    // Reads of one location together, so that a location's coherence
    // fails while few reads are decided; the same order with or without
    // pruning, so both meet the allowed executions in one order.
    let mut order: Vec<usize> = (0..reads.len()).collect();
    order.sort_by_key(|&i| (base.execution.events[reads[i]].loc, reads[i]));
    let mut search = RfSearch {
        base: &base,
        shapes,
        paths,
        frame,
        reads: order.iter().map(|&i| reads[i]).collect(),
        sources: order.iter().map(|&i| sources[i].clone()).collect(),
        coherence: Coherence::new(&base.execution),
        known: known_values(&base, shapes, paths, frame.init),
        judge: cat::Judge::new(&base.execution),
        locations: Locations::new(&base.execution),
        pruning,
        work: base.execution.clone(),
    };
    let mut rf = Vec::with_capacity(reads.len());
    search.choose(&mut rf, Rel::empty(n), None, tally);
    Ok(())
}

/// The choice of one write per read, read by read, dropping a partial
/// choice as soon as no completion of it can be allowed (unless
/// `frame.exhaustive`).
struct RfSearch<'a> {
    base: &'a Skeleton,
    shapes: &'a [&'a Shape],
    paths: &'a [Vec<Trace>],
    frame: &'a Frame<'a>,
    /// The reads in the order their writes are chosen, and each one's
    /// possible writes.
    reads: Vec<usize>,
    sources: Vec<Vec<usize>>,
    coherence: Coherence,
    /// The values known before any read's write is chosen.
    known: Vec<Option<Val>>,
    /// The model, set up for this skeleton's candidates.
    judge: cat::Judge,
    /// The skeleton's locations, for their coherence orders.
    locations: Locations,
    /// How the judging of partial executions pays, over the whole search.
    pruning: &'a mut Pruning,
    /// The candidate being judged: the skeleton's execution, whose values,
    /// rf, lock choices, `co` and `FW` each candidate sets in turn.
    work: Execution,
}

impl RfSearch<'_> {
    /// Every completion of `rf` (the writes of the first `rf.len()`
    /// reads), judged; `relation` is `rf` as a relation, `before` the
    /// `co` edges its part without the last read forces.
    fn choose(
        &mut self,
        rf: &mut Vec<(usize, usize)>,
        relation: Rel,
        before: Option<&Rel>,
        tally: &mut Tally,
    ) {
        let forced = if self.frame.exhaustive {
            None
        } else {
            let forced = match (before, rf.last()) {
                (Some(before), Some(&(_, r))) => {
                    let l = self.base.execution.events[r]
                        .loc
                        .expect("a read has a location");
                    self.coherence.forced_co_at(&relation, before, l)
                }
                _ => self.coherence.forced_co(&relation),
            };
            match forced {
                Some(co) if self.values_possible(rf) => Some(co),
                _ => return,
            }
        };
        let Some(&r) = self.reads.get(rf.len()) else {
            self.judge_rf(rf, forced.as_ref(), tally);
            return;
        };
        for i in 0..self.sources[rf.len()].len() {
            let w = self.sources[rf.len()][i];
            let mut next = relation.clone();
            next.add(w, r);
            rf.push((w, r));
            self.choose(rf, next, forced.as_ref(), tally);
            rf.pop();
            if tally.stopped {
                return;
            }
        }
    }

    /// Whether the values a partial rf decides leave each thread's shape a
    /// trace that reads them. Values only grow with rf, and [`solve`]
    /// needs a trace reading all of them, so a partial rf failing here
    /// fails in every completion.
    fn values_possible(&self, rf: &[(usize, usize)]) -> bool {
        let base = self.base;
        let mut value = self.known.clone();
        if propagate(base, self.shapes, self.paths, rf, &mut value).is_none() {
            return false;
        }
        self.shapes.iter().enumerate().all(|(t, shape)| {
            let value = &value[base.offsets[t]..];
            shape.reads.iter().all(|&r| value[r].is_none())
                || shape.by_reads.keys().any(|key| {
                    shape
                        .reads
                        .iter()
                        .enumerate()
                        .all(|(k, &r)| value[r].is_none_or(|known| key.get(k) == Some(&known)))
                })
        })
    }

    /// One complete rf: its values, then the lock choices and coherence
    /// orders; `forced` holds the `co` edges its coherence needs.
    fn judge_rf(&mut self, rf: &[(usize, usize)], forced: Option<&Rel>, tally: &mut Tally) {
        let (base, paths) = (self.base, self.paths);
        let Some(solved) = solve(base, self.shapes, paths, rf, &self.known) else {
            return;
        };
        let chosen: Vec<&Trace> = solved
            .traces
            .iter()
            .enumerate()
            .map(|(t, &i)| &paths[t][i])
            .collect();
        if (self.frame.filtered_out)(&chosen, solved.free) {
            return;
        }
        let x = &mut self.work;
        let mut at = self.frame.init.len();
        for trace in &chosen {
            for e in &trace.events {
                x.events[at].value = e.value;
                at += 1;
            }
        }
        x.rf.clear();
        for &(w, r) in rf {
            x.rf.add(w, r);
        }
        let mut candidate = Candidate {
            x,
            forced,
            judge: &mut self.judge,
            locations: &self.locations,
            coherence: &self.coherence,
            pruning: &mut *self.pruning,
            traces: &chosen,
            free: solved.free,
            frame: self.frame,
        };
        candidate.judge_choices(tally);
    }
}

/// The values an rf gives: the trace of each thread's path whose reads see
/// them, and the reads whose values only a cycle of rf and data justifies.
struct Solved {
    traces: Vec<usize>,
    free: Set,
}

/// The values an rf gives, and the trace of each path that reads them.
/// `None` when no trace of a shape reads those values (its decisions would
/// go another way), or when a decision rests on a value only a cycle of
/// rf and data justifies (herd7 drops such a candidate: its constraint is
/// left unsolved). The free values of such a cycle are any that close it
/// consistently (herd7 keeps one symbolic candidate for them all).
/// `start` holds the values known before rf ([`known_values`]).
fn solve(
    base: &Skeleton,
    shapes: &[&Shape],
    paths: &[Vec<Trace>],
    rf: &[(usize, usize)],
    start: &[Option<Val>],
) -> Option<Solved> {
    let mut value = start.to_vec();
    propagate(base, shapes, paths, rf, &mut value)?;
    let free = rf
        .iter()
        .filter(|&&(_, r)| value[r].is_none())
        .fold(0, |acc, &(_, r)| acc | single(r));
    if free == 0 {
        let traces = traces_reading(base, shapes, &value)?;
        return Some(Solved { traces, free });
    }
    if free & base.constraining != 0 {
        return None;
    }
    let closed = close_cycles(base, shapes, paths, rf, value)?;
    let traces = traces_reading(base, shapes, &closed)?;
    Some(Solved { traces, free })
}

/// Values for the reads of rf and data cycles, one guess per cycle: the
/// first unknown read takes each value its shape's traces read there, the
/// guess propagates round the cycle, and it stands when every read agrees
/// with the write it reads.
fn close_cycles(
    base: &Skeleton,
    shapes: &[&Shape],
    paths: &[Vec<Trace>],
    rf: &[(usize, usize)],
    mut value: Vec<Option<Val>>,
) -> Option<Vec<Option<Val>>> {
    propagate(base, shapes, paths, rf, &mut value)?;
    if rf
        .iter()
        .any(|&(w, r)| value[w].is_some() && value[r].is_some() && value[w] != value[r])
    {
        return None;
    }
    let Some(&(_, r)) = rf.iter().find(|&&(_, r)| value[r].is_none()) else {
        return Some(value);
    };
    let t = base.execution.events[r].thread.unwrap_or(0);
    let mut candidates: Vec<Val> = shapes[t]
        .traces
        .iter()
        .filter_map(|&i| paths[t][i].events[r - base.offsets[t]].value)
        .collect();
    candidates.sort();
    candidates.dedup();
    candidates.into_iter().find_map(|v| {
        let mut guess = value.clone();
        guess[r] = Some(v);
        close_cycles(base, shapes, paths, rf, guess)
    })
}

/// The values known whatever rf is: the initial writes', and those of
/// the writes that depend on no read (the one value their shape's traces
/// write). [`propagate`] from them reaches what it reaches from the
/// initial writes alone, as it sets each value once, from values set
/// before it; these it would set first.
fn known_values(
    base: &Skeleton,
    shapes: &[&Shape],
    paths: &[Vec<Trace>],
    init: &[Val],
) -> Vec<Option<Val>> {
    let mut value: Vec<Option<Val>> = vec![None; base.execution.events.len()];
    for (l, &v) in init.iter().enumerate() {
        value[l] = Some(v);
    }
    for (t, shape) in shapes.iter().enumerate() {
        let rep = &paths[t][shape.traces[0]];
        for (&w, table) in &shape.writes {
            if rep.events[w].data == 0
                && let Some(&v) = table.get(&Vec::new())
            {
                value[base.offsets[t] + w] = Some(v);
            }
        }
    }
    value
}

/// Values along rf, to a fixpoint: a read takes its write's value; a
/// write's value follows, in its path, from the values of the reads it
/// depends on. `None` when no trace writes from those values.
fn propagate(
    base: &Skeleton,
    shapes: &[&Shape],
    paths: &[Vec<Trace>],
    rf: &[(usize, usize)],
    value: &mut [Option<Val>],
) -> Option<()> {
    loop {
        let mut progress = false;
        for &(w, r) in rf {
            if value[r].is_none() && value[w].is_some() {
                value[r] = value[w];
                progress = true;
            }
        }
        for (t, shape) in shapes.iter().enumerate() {
            let rep = &paths[t][shape.traces[0]];
            for (&w, table) in &shape.writes {
                let g = base.offsets[t] + w;
                if value[g].is_some() {
                    continue;
                }
                let deps: Option<Vec<Val>> = members(rep.events[w].data)
                    .map(|r| value[base.offsets[t] + r])
                    .collect();
                if let Some(key) = deps {
                    value[g] = Some(*table.get(&key)?);
                    progress = true;
                }
            }
        }
        if !progress {
            return Some(());
        }
    }
}

/// The trace of each thread's shape whose reads take `value`.
fn traces_reading(base: &Skeleton, shapes: &[&Shape], value: &[Option<Val>]) -> Option<Vec<usize>> {
    shapes
        .iter()
        .enumerate()
        .map(|(t, shape)| {
            let key: Vec<Val> = shape
                .reads
                .iter()
                .map(|&r| value[base.offsets[t] + r])
                .collect::<Option<_>>()?;
            shape.by_reads.get(&key).copied()
        })
        .collect()
}

/// One rf's candidates: its execution (values and rf set), to which the
/// lock choices and coherence orders are added in turn, in place.
struct Candidate<'a, 'b> {
    x: &'a mut Execution,
    /// The `co` edges the rf forces (pruned search only).
    forced: Option<&'a Rel>,
    judge: &'a mut cat::Judge,
    locations: &'a Locations,
    coherence: &'a Coherence,
    pruning: &'a mut Pruning,
    traces: &'a [&'b Trace],
    free: Set,
    frame: &'a Frame<'a>,
}

impl Candidate<'_, '_> {
    /// `lock.cat`'s choices of rf for failed locks and unlocked
    /// `spin_is_locked` (its `with` clauses come before `cos-opt.cat`'s),
    /// then `cobase` and the coherence orders.
    fn judge_choices(&mut self, tally: &mut Tally) {
        let forced = self.forced;
        let (lf, ru) = self.judge.lock_rf_choices().clone();
        if lf.iter().chain(&ru).any(Vec::is_empty) {
            return;
        }
        let mut pick = vec![0usize; lf.len() + ru.len()];
        loop {
            self.x.rf_lf.clear();
            self.x.rf_ru.clear();
            for (i, options) in lf.iter().enumerate() {
                let (a, b) = options[pick[i]];
                self.x.rf_lf.add(a, b);
            }
            for (i, options) in ru.iter().enumerate() {
                let (a, b) = options[pick[lf.len() + i]];
                self.x.rf_ru.add(a, b);
            }
            match forced {
                // Pruned, without lock events: `cobase` (without `FW`) is
                // in the forced edges already, and acyclic with them. Its
                // `co0` is `co0`; `po-loc` between writes, and `rf ;
                // po-loc` to one, make `po-loc | rf | co | fr` paths
                // between writes; `po-loc` to a read, then the read's
                // write, and `rf ; po-loc` then the same, make such paths
                // to a read of the second write: all forced
                // ([`Coherence::forced_co`]); `rmwco` is empty in C, and
                // the forced edges are transitive, so they hold `cobase`'s
                // closure too.
                Some(co) if self.judge.monotone() => self.coherence_orders(co, tally),
                _ => {
                    let cobase = self.judge.cobase(self.x);
                    if cobase.is_acyclic() {
                        let base = forced.map_or_else(|| cobase.clone(), |co| cobase.union(co));
                        self.coherence_orders(&base, tally);
                    } else {
                        // `acyclic cobase as ConsCo`.
                        *tally.rejected.entry("ConsCo").or_default() += 1;
                    }
                }
            }
            if tally.stopped
                || !advance(&mut pick, |i| {
                    if i < lf.len() {
                        lf[i].len()
                    } else {
                        ru[i - lf.len()].len()
                    }
                })
            {
                return;
            }
        }
    }

    /// Every coherence order extending `base`, `cobase` with the `forced`
    /// edges of the rf when pruned (the other orders fail `coherence` or
    /// `atomic`): per location, each linearisation of its writes (`W |
    /// LKW`).
    fn coherence_orders(&mut self, base: &Rel, tally: &mut Tally) {
        let (x, frame) = (&mut *self.x, self.frame);
        let forced = self.forced;
        let orders: Vec<(Loc, Vec<Vec<usize>>)> = self
            .locations
            .writes
            .iter()
            .map(|(&l, writes)| {
                let mut orders = linearisations(writes, base);
                // An order made of forced edges alone passed `coherence`
                // and `atomic` in [`Coherence::forced_co`] already.
                let forced_only =
                    |order: &Vec<usize>| forced.is_some_and(|co| only_forced(co, order));
                if !frame.exhaustive
                    && !orders.iter().all(forced_only)
                    && let Some(check) = self.coherence.orders_at(&x.rf, l)
                {
                    orders.retain(|order| forced_only(order) || check.coherent(order));
                }
                (l, orders)
            })
            .collect();
        if orders.iter().any(|(_, o)| o.is_empty()) {
            return;
        }
        // The edges every candidate of this rf has: `base` (every order
        // extends it) and the order of each location that has one.
        x.co = base.restrict(self.locations.all, self.locations.all);
        for (_, options) in orders.iter().filter(|(_, o)| o.len() == 1) {
            set_order(x, &options[0]);
        }
        let choices: Vec<usize> = (0..orders.len())
            .filter(|&i| orders[i].1.len() > 1)
            .collect();
        let mut place = Place {
            orders: &orders,
            choices: &choices,
            common: x.co.clone(),
            prune: !frame.exhaustive && self.judge.monotone(),
        };
        if place.prune && !choices.is_empty() && self.refuted(&place, 0) {
            return;
        }
        self.place(&mut place, 0, tally);
    }

    /// The coherence orders of the locations `place.choices[depth..]`,
    /// those before chosen in `self.x.co`; each complete choice judged.
    fn place(&mut self, place: &mut Place, depth: usize, tally: &mut Tally) {
        let Some(&i) = place.choices.get(depth) else {
            self.judge_candidate(place.orders, tally, 1);
            return;
        };
        if place.prune && self.all_allowed_below(place, depth, tally) {
            return;
        }
        let orders = place.orders;
        let (l, options) = &orders[i];
        for order in options {
            set_order(self.x, order);
            if place.prune && depth + 1 < place.choices.len() && self.refuted(place, depth + 1) {
                continue;
            }
            self.place(place, depth + 1, tally);
            if tally.stopped {
                break;
            }
        }
        // Back to the edges every candidate has, for the levels above.
        for &w in &self.locations.writes[l] {
            self.x.co.set_row(w, place.common.row(w));
        }
    }

    /// Whether the partial execution in `self.x` (its `co` the orders of
    /// the locations `place.choices[..depth]` and the edges every
    /// candidate has) already fails an axiom every candidate completing
    /// it fails too ([`cat::Judge::refuted`]), so that none need be
    /// made. Counted, to stop asking when it pays less than it costs
    /// (answers stay the same either way).
    fn refuted(&mut self, place: &Place, depth: usize) -> bool {
        let below: u64 = place.choices[depth..]
            .iter()
            .map(|&i| place.orders[i].1.len() as u64)
            .product();
        let stats = &mut *self.pruning;
        if stats.asked >= 64 && stats.spared < stats.asked {
            // Not paying so far: asked one time in 16 only, to see.
            stats.passed += 1;
            if !stats.passed.is_multiple_of(16) {
                return false;
            }
        }
        stats.asked += 1;
        if self.judge.refuted(self.x) {
            self.pruning.spared += below;
            return true;
        }
        false
    }

    /// Whether every candidate below this point of the choice (the
    /// locations `place.choices[depth..]` open) is allowed, with the final
    /// state and flags of the first, which are then counted once for each
    /// ([`cat::Judge::all_allowed`] of the union of their `co`; see the
    /// module's documentation). Counted, to stop asking when it pays less
    /// than it costs (answers stay the same either way).
    fn all_allowed_below(&mut self, place: &Place, depth: usize, tally: &mut Tally) -> bool {
        let orders = place.orders;
        let open = &place.choices[depth..];
        if !self.judge.plain_free()
            || open
                .iter()
                .any(|&i| self.frame.observed_locations.contains(&orders[i].0))
        {
            return false;
        }
        let below: u64 = open.iter().map(|&i| orders[i].1.len() as u64).product();
        let stats = &mut *self.pruning;
        if stats.shared >= 64 && stats.counted < 2 * stats.shared {
            stats.passed += 1;
            if !stats.passed.is_multiple_of(16) {
                return false;
            }
        }
        stats.shared += 1;
        // The union of their `co`: every option of each open location.
        for &i in open {
            for order in &orders[i].1 {
                for (k, &a) in order.iter().enumerate() {
                    for &b in &order[k + 1..] {
                        self.x.co.add(a, b);
                    }
                }
            }
        }
        let shared = self.judge.all_allowed(self.x);
        for &i in open {
            set_order(self.x, &orders[i].1[0]);
        }
        let counted = shared && matches!(self.judge.judge(self.x), Judgement::Allowed { .. });
        if counted {
            #[cfg(test)]
            self.hold_all_below(place, depth);
            self.judge_candidate(orders, tally, below);
            self.pruning.counted += below;
        }
        for &i in open {
            for &w in &self.locations.writes[&orders[i].0] {
                self.x.co.set_row(w, place.common.row(w));
            }
        }
        counted
    }

    /// In the library's tests, [`Candidate::all_allowed_below`]'s claim
    /// held to every candidate below, each judged afresh: allowed, with
    /// the first one's final state and flags.
    #[cfg(test)]
    fn hold_all_below(&mut self, place: &Place, depth: usize) {
        let orders = place.orders;
        let open = &place.choices[depth..];
        let first = (
            (self.frame.finals)(self.x, self.traces, self.free),
            cat::relations(self.x).judgement(),
        );
        assert!(matches!(first.1, Judgement::Allowed { .. }), "{:?}", self.x);
        let mut pick = vec![0usize; open.len()];
        while advance(&mut pick, |k| orders[open[k]].1.len()) {
            for (k, &i) in open.iter().enumerate() {
                set_order(self.x, &orders[i].1[pick[k]]);
            }
            let this = (
                (self.frame.finals)(self.x, self.traces, self.free),
                cat::relations(self.x).judgement(),
            );
            assert_eq!(this, first, "{:?}", self.x);
        }
        for &i in open {
            set_order(self.x, &orders[i].1[0]);
        }
    }

    /// The candidate in `self.x`, its coherence orders chosen: its final
    /// state, then the model's verdict, counted `copies` times (once for
    /// each candidate [`Candidate::all_allowed_below`] found the same).
    fn judge_candidate(
        &mut self,
        orders: &[(Loc, Vec<Vec<usize>>)],
        tally: &mut Tally,
        copies: u64,
    ) {
        let (x, frame) = (&mut *self.x, self.frame);
        x.fw = 0;
        for (l, _) in orders {
            if frame.observed_locations.contains(l) {
                // The location's writes, co-last first.
                if let Some(&last) = self.locations.writes[l].iter().find(|&&w| x.co.row(w) == 0) {
                    x.fw |= single(last);
                }
            }
        }
        tally.candidates += copies;
        if frame.budget.is_some_and(|b| tally.candidates > b) {
            tally.stopped = true;
            return;
        }
        if let Some(state) = (frame.finals)(x, self.traces, self.free) {
            // Pruned, on a skeleton without lock events, every candidate
            // made passes `ConsCo`, `coherence` and `atomic`.
            let judged = if frame.exhaustive || !self.judge.monotone() {
                self.judge.judge(x)
            } else {
                self.judge.judge_coherent(x)
            };
            // The judge keeps parts of the last candidate's relations
            // for the next one: in the library's own tests, each
            // verdict is held to the one of every relation computed
            // afresh.
            #[cfg(test)]
            assert_eq!(judged, cat::relations(x).judgement(), "{x:?}");
            match judged {
                Judgement::Allowed { flags } => {
                    if state.satisfies {
                        tally.positive += copies;
                        if tally.witness.is_none() {
                            tally.witness = Some(x.clone());
                        }
                    } else {
                        tally.negative += copies;
                    }
                    tally.seen.insert(state.values);
                    tally.flags.extend(flags);
                }
                Judgement::Forbidden { axiom } => {
                    *tally.rejected.entry(axiom).or_default() += copies;
                    if state.satisfies {
                        *tally.ruled_out.entry(axiom).or_default() += copies;
                    }
                }
            }
        }
    }
}

/// One rf's coherence orders being chosen, location by location.
struct Place<'a> {
    /// Each location's orders.
    orders: &'a [(Loc, Vec<Vec<usize>>)],
    /// The locations with more than one, in the order they are chosen.
    choices: &'a [usize],
    /// The `co` edges every candidate has.
    common: Rel,
    /// Whether partial executions are judged ([`cat::Judge::refuted`]).
    prune: bool,
}

/// Makes `order` the coherence order of its location in `x.co`.
fn set_order(x: &mut Execution, order: &[usize]) {
    let mut after: Set = 0;
    for &w in order.iter().rev() {
        x.co.set_row(w, after);
        after |= single(w);
    }
}

/// How often partial executions were judged, and how many candidates the
/// ones refuted spared; how often the candidates below a point of the
/// choice were judged at once, and how many were counted so.
#[derive(Default)]
struct Pruning {
    asked: u64,
    spared: u64,
    shared: u64,
    counted: u64,
    /// Times either was not asked.
    passed: u64,
}

/// A skeleton's locations, for the coherence orders: each one's writes
/// (`Init`, `W`, `LKW`).
struct Locations {
    writes: BTreeMap<Loc, Vec<usize>>,
    /// All of them.
    all: Set,
}

impl Locations {
    fn new(x: &Execution) -> Locations {
        let mut writes: BTreeMap<Loc, Vec<usize>> = BTreeMap::new();
        for (e, ev) in x.events.iter().enumerate() {
            if let Some(l) = ev.loc
                && matches!(ev.kind, Kind::Init | Kind::Write | Kind::Lkw)
            {
                writes.entry(l).or_default().push(e);
            }
        }
        let all = writes.values().flatten().fold(0, |acc, &w| acc | single(w));
        Locations { writes, all }
    }
}

/// Whether each pair of `order` is a forced `co` edge.
fn only_forced(forced: &Rel, order: &[usize]) -> bool {
    order
        .iter()
        .enumerate()
        .all(|(k, &a)| order[k + 1..].iter().all(|&b| forced.has(a, b)))
}

/// Every total order of `items` that extends `order`.
fn linearisations(items: &[usize], order: &Rel) -> Vec<Vec<usize>> {
    if let Some(only) = only_linearisation(items, order) {
        return only.into_iter().collect();
    }
    // Each item's predecessors among the items, by position.
    let before: Vec<Set> = items
        .iter()
        .map(|&e| {
            items
                .iter()
                .enumerate()
                .filter(|&(_, &b)| b != e && order.has(b, e))
                .fold(0, |acc, (j, _)| acc | single(j))
        })
        .collect();
    let mut out = Vec::new();
    let mut prefix = Vec::with_capacity(items.len());
    extend(items, &before, &mut prefix, 0, &mut out);
    out
}

/// The linearisations of `items` when there is at most one (`order`
/// leaves one item ready at each step: `Some` of it; or none at some step,
/// a cycle: `Some(None)`); `None` when there may be several. The common
/// case, where the forced edges and `cobase` order each location's writes
/// already, without the search.
fn only_linearisation(items: &[usize], order: &Rel) -> Option<Option<Vec<usize>>> {
    const SMALL: usize = 16;
    if items.len() > SMALL {
        return None;
    }
    let all = items.iter().fold(0, |acc, &e| acc | single(e));
    // Each item's predecessors among the items, by the item's position.
    let mut before = [0 as Set; SMALL];
    for (i, &e) in items.iter().enumerate() {
        for (j, &b) in items.iter().enumerate() {
            if j != i && order.row(b) & single(e) & all != 0 {
                before[i] |= single(b);
            }
        }
    }
    let mut placed: Set = 0;
    let mut out = Vec::with_capacity(items.len());
    while out.len() < items.len() {
        let mut ready = items
            .iter()
            .enumerate()
            .filter(|&(i, &e)| placed & single(e) == 0 && before[i] & !placed == 0);
        match (ready.next(), ready.next()) {
            (None, _) => return Some(None),
            (Some((_, &e)), None) => {
                placed |= single(e);
                out.push(e);
            }
            (Some(_), Some(_)) => return None,
        }
    }
    Some(Some(out))
}

/// Every completion of `prefix` (the items at the positions in `placed`,
/// in order) placing next, each time, an item whose predecessors are
/// placed; in the order of the items' positions.
fn extend(
    items: &[usize],
    before: &[Set],
    prefix: &mut Vec<usize>,
    placed: Set,
    out: &mut Vec<Vec<usize>>,
) {
    if prefix.len() == items.len() {
        out.push(prefix.clone());
        return;
    }
    for (i, &item) in items.iter().enumerate() {
        if placed & single(i) == 0 && before[i] & !placed == 0 {
            prefix.push(item);
            extend(items, before, prefix, placed | single(i), out);
            prefix.pop();
        }
    }
}

/// The events of one path per thread and the relations they fix.
struct Skeleton {
    /// The events (values those of the first trace of each path, until
    /// rf gives them theirs) and the relations the paths fix.
    execution: Execution,
    /// Per event, the events of its statement instance ordered before it.
    within: Vec<Set>,
    /// Every read a path constraint rests on.
    constraining: Set,
    /// Where each thread's events start.
    offsets: Vec<usize>,
}

impl Skeleton {
    fn same_statement_after(&self, read: usize, write: usize) -> bool {
        self.within[write] & single(read) != 0
    }
}

fn skeleton(traces: &[&Trace], init: &[Val]) -> Result<Skeleton, String> {
    let total = init.len() + traces.iter().map(|t| t.events.len()).sum::<usize>();
    if total > MAX_EVENTS {
        return Err(format!(
            "an execution has {total} events; the model handles at most {MAX_EVENTS}"
        ));
    }
    let mut events: Vec<Event> = init
        .iter()
        .enumerate()
        .map(|(l, &v)| Event {
            thread: None,
            kind: Kind::Init,
            tag: super::execution::Tag::None,
            rmw: false,
            loc: Some(l),
            value: Some(v),
            pos: Default::default(),
        })
        .collect();
    let mut within = vec![0; events.len()];
    let mut po = Rel::empty(total);
    let (mut addr, mut data, mut ctrl, mut rmw) = (
        Rel::empty(total),
        Rel::empty(total),
        Rel::empty(total),
        Rel::empty(total),
    );
    let mut constraining = 0;
    let mut offsets = Vec::with_capacity(traces.len());
    for (t, trace) in traces.iter().enumerate() {
        let offset = events.len();
        offsets.push(offset);
        let global = |local: Set| -> Set { local << offset };
        // Transitive order inside each statement instance.
        let mut closure: Vec<Set> = Vec::with_capacity(trace.events.len());
        for le in &trace.events {
            let c = members(le.iico).fold(le.iico, |acc, i| acc | closure[i]);
            closure.push(c);
        }
        for (i, le) in trace.events.iter().enumerate() {
            let e = offset + i;
            events.push(Event {
                thread: Some(t),
                kind: le.kind,
                tag: le.tag,
                rmw: le.rmw,
                loc: le.loc,
                value: le.value,
                pos: le.pos,
            });
            within.push(global(closure[i]));
            for (j, other) in trace.events.iter().enumerate() {
                if other.stmt < le.stmt || (other.stmt == le.stmt && closure[i] & single(j) != 0) {
                    po.add(offset + j, e);
                }
            }
            for a in members(global(le.addr)) {
                addr.add(a, e);
            }
            for a in members(global(le.data)) {
                data.add(a, e);
            }
            for a in members(global(le.ctrl)) {
                ctrl.add(a, e);
            }
            if let Some(r) = le.rmw_read {
                rmw.add(offset + r, e);
            }
        }
        constraining |= global(trace.constraining);
    }
    let execution = Execution {
        events,
        po,
        addr,
        data,
        ctrl,
        rmw,
        rf: Rel::empty(total),
        rf_lf: Rel::empty(total),
        rf_ru: Rel::empty(total),
        co: Rel::empty(total),
        fw: 0,
    };
    Ok(Skeleton {
        execution,
        within,
        constraining,
        offsets,
    })
}

#[cfg(test)]
mod tests {
    use crate::catalog::file::c;
    use crate::model::lkmm;

    /// Every C test of `tests/litmus/c`, pruned and exhaustive, each
    /// candidate's verdict from the skeleton's judge held to a fresh
    /// evaluation of every relation (in `coherence_orders`), and the two
    /// searches' outputs to each other.
    #[test]
    fn the_kept_relations_judge_as_fresh_ones() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/litmus/c");
        let mut judged = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "litmus") {
                continue;
            }
            let Ok(test) = c::read(&path) else { continue };
            let text = |exhaustive| {
                let search = lkmm::Search {
                    exhaustive,
                    ..lkmm::Search::default()
                };
                lkmm::model_with(&test.program, search).map(|o| {
                    let mut text = lkmm::herd_text(&o);
                    text.truncate(text.find("\nTime ").unwrap_or(text.len()));
                    text
                })
            };
            if let Ok(pruned) = text(false) {
                assert_eq!(Ok(pruned), text(true), "{}", path.display());
                judged += 1;
            }
        }
        assert!(judged >= 80, "{judged} tests judged");
    }

    /// Two tests whose coherence orders the pruned search judges in part
    /// (a lock made of `xchg_acquire` and `smp_store_release`, after
    /// `paulmckrcu/litmus`'s `C-SB+l-o-o-u+l-o-o-u+l-o-o-u-CE` and
    /// `C-ManfredSpraul-L1G1xchg`, whose counts the search before this one
    /// gave): partial executions it refutes, and
    /// points of the choice below which it counts the candidates at once,
    /// each then held to every candidate judged afresh
    /// (`hold_all_below`); the two searches must print the same.
    #[test]
    fn the_partial_executions_judge_as_their_candidates() {
        let sb = |t: usize, n: usize| {
            format!(
                "P{t}(int *sl, int *x{t}, int *x{u})\n{{\n\tint r2;\n\tint r1;\n\n\
                 \tr2 = cmpxchg_acquire(sl, 0, 1);\n\tWRITE_ONCE(*x{t}, 1);\n\
                 \tr1 = READ_ONCE(*x{u});\n\tsmp_store_release(sl, 0);\n}}\n\n",
                u = (t + 1) % n
            )
        };
        let mut ce = String::from("C CE3\n\n{\n}\n\n");
        for t in 0..3 {
            ce.push_str(&sb(t, 3));
        }
        ce.push_str("exists (0:r1=0 /\\ 0:r2=0 /\\ 1:r1=0 /\\ 1:r2=0 /\\ 2:r1=0 /\\ 2:r2=0)\n");
        let manfred = "C L1G1xchg\n\n{\n}\n\n\
            P0(int *nfcla, int *gbl, int *gbl_held, int *lcl, int *lcl_held)\n{\n\
            \tint r10; int r11=0; int r12=0; int r1; int r2;\n\
            \tr10 = xchg_acquire(lcl, 1);\n\tr1 = smp_load_acquire(nfcla);\n\
            \tif (r1) {\n\t\tsmp_store_release(lcl, 0);\n\t\tr11 = xchg_acquire(gbl, 1);\n\
            \t\tr12 = xchg_acquire(lcl, 1);\n\t\tsmp_store_release(gbl, 0);\n\t}\n\
            \tr2 = READ_ONCE(*gbl_held);\n\tWRITE_ONCE(*lcl_held, 1);\n\
            \tWRITE_ONCE(*lcl_held, 0);\n\tsmp_store_release(lcl, 0);\n}\n\n\
            P1(int *nfcla, int *gbl, int *gbl_held, int *lcl, int *lcl_held)\n{\n\
            \tint r10; int r11; int r2;\n\tr10 = xchg_acquire(gbl, 1);\n\
            \tWRITE_ONCE(*nfcla, 1);\n\tr11 = xchg_acquire(lcl, 1);\n\
            \tsmp_store_release(lcl, 0);\n\tr2 = READ_ONCE(*lcl_held);\n\
            \tWRITE_ONCE(*gbl_held, 1);\n\tWRITE_ONCE(*gbl_held, 0);\n\
            \tsmp_store_release(nfcla, 0);\n\tsmp_store_release(gbl, 0);\n}\n\n\
            exists ((0:r2=1 \\/ 1:r2=1) /\\ 0:r10=0 /\\ 0:r11=0 /\\ 0:r12=0 /\\ 1:r10=0 /\\ 1:r11=0)\n";
        for (text, observation) in [(ce.as_str(), "Never 0 342"), (manfred, "Never 0 299")] {
            let program = c::from_text(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
            let lines = |exhaustive| {
                let search = lkmm::Search {
                    exhaustive,
                    ..lkmm::Search::default()
                };
                let text = lkmm::herd_text(&lkmm::model_with(&program, search).unwrap());
                text.lines()
                    .filter(|l| !l.starts_with("Time "))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            let pruned = lines(false);
            assert!(pruned.contains(observation), "{pruned}");
            assert_eq!(pruned, lines(true), "{text}");
        }
    }
}
