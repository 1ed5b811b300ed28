//! Every candidate execution of a C test, judged: herd7's enumeration
//! (`herd/mem.ml`, `lock.cat`, `cos-opt.cat`) in order. One path per
//! thread (their cross product); for each, one write per read among the
//! writes of its location and value (`rf`); `lock.cat`'s choices for failed
//! `spin_trylock`s and `spin_is_locked`s; then every coherence order
//! extending `cobase`, location by location. Each candidate goes through
//! the filter, then the model ([`super::cat::judge`]); the survivors are
//! counted and their final states and flags kept.
//!
//! A read's value is chosen with its path ([`super::threads`]), so the
//! writes it may read from are those with that value. When values justify
//! themselves through a cycle of `rf` and data (out of thin air), herd7
//! keeps one symbolic candidate, and drops it if a path constraint rests
//! on the free value; so does this enumeration (see `free_reads`).

use super::cat::{self, Judgement};
use super::execution::{Event, Execution, Kind, Loc, Val};
use super::rel::{MAX_EVENTS, Rel, Set, members, single};
use super::threads::Trace;
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// What the enumeration needs of the test beyond the paths.
pub struct Frame<'a> {
    /// Initial value of each location.
    pub init: &'a [Val],
    /// Locations whose final value is observed (displayed, or in the
    /// filter): each gets a final write.
    pub observed_locations: &'a [Loc],
    /// The final state of one execution, `None` when it fails the filter.
    pub finals: &'a dyn Fn(&Execution, &[&Trace]) -> Option<FinalState>,
    /// Stop after judging this many candidates (`None`: all of them).
    pub budget: Option<u64>,
}

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
}

/// Judge every candidate made of one path per thread from `paths`.
pub fn enumerate(paths: &[Vec<Trace>], frame: &Frame) -> Result<Tally, String> {
    let mut tally = Tally::default();
    let mut seen = HashSet::new();
    let mut pick = vec![0usize; paths.len()];
    if paths.iter().any(Vec::is_empty) {
        return Ok(tally);
    }
    loop {
        let traces: Vec<&Trace> = pick.iter().zip(paths).map(|(&i, p)| &p[i]).collect();
        combination(&traces, frame, &mut tally, &mut seen)?;
        if tally.stopped || !advance(&mut pick, |t| paths[t].len()) {
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

/// One path per thread: the events, then every rf choice.
fn combination(
    traces: &[&Trace],
    frame: &Frame,
    tally: &mut Tally,
    seen: &mut HashSet<(Vec<Vec<u8>>, Vec<usize>)>,
) -> Result<(), String> {
    let base = skeleton(traces, frame.init)?;
    let n = base.events.len();
    // Each read's possible sources: its location's writes of its value,
    // but not a write its own statement makes after it.
    let reads: Vec<usize> = (0..n)
        .filter(|&e| base.events[e].kind == Kind::Read)
        .collect();
    let mut sources: Vec<Vec<usize>> = Vec::with_capacity(reads.len());
    for &r in &reads {
        let ev = &base.events[r];
        let options: Vec<usize> = (0..n)
            .filter(|&w| {
                let wv = &base.events[w];
                matches!(wv.kind, Kind::Init | Kind::Write)
                    && wv.loc == ev.loc
                    && wv.value == ev.value
                    && !base.same_statement_after(r, w)
            })
            .collect();
        if options.is_empty() {
            return Ok(());
        }
        sources.push(options);
    }
    let mut pick = vec![0usize; reads.len()];
    loop {
        let mut x = base.execution.clone();
        for (i, &r) in reads.iter().enumerate() {
            x.rf.add(sources[i][pick[i]], r);
        }
        let free = free_reads(&x, &reads);
        let constrained = free != 0 && base.constraining & free != 0;
        let fresh = free == 0 || {
            let key = (
                traces.iter().map(|t| t.decisions.clone()).collect(),
                pick.clone(),
            );
            seen.insert(key)
        };
        if !constrained && fresh {
            judge_choices(&x, traces, frame, tally);
        }
        if tally.stopped || !advance(&mut pick, |i| sources[i].len()) {
            return Ok(());
        }
    }
}

/// The reads whose values nothing outside a cycle of `rf` and `data`
/// determines: a read is determined when it reads an initial write, or a
/// write whose value depends only on determined reads.
fn free_reads(x: &Execution, reads: &[usize]) -> Set {
    let mut determined: Set = 0;
    loop {
        let before = determined;
        for &r in reads {
            let w = members(x.rf.column(r)).next();
            let ok = w.is_some_and(|w| {
                x.events[w].kind == Kind::Init || x.data.column(w) & !determined == 0
            });
            if ok {
                determined |= single(r);
            }
        }
        if determined == before {
            break;
        }
    }
    reads.iter().fold(0, |acc, &r| acc | single(r)) & !determined
}

/// For one rf: `lock.cat`'s choices of rf for failed locks and unlocked
/// `spin_is_locked`, then the coherence orders.
fn judge_choices(x: &Execution, traces: &[&Trace], frame: &Frame, tally: &mut Tally) {
    let cobase = cat::cobase(x);
    if !cobase.is_acyclic() {
        // `acyclic cobase as ConsCo`.
        *tally.rejected.entry("ConsCo").or_default() += 1;
        return;
    }
    let (lf, ru) = cat::lock_rf_choices(x);
    if lf.iter().chain(&ru).any(Vec::is_empty) {
        return;
    }
    let mut pick = vec![0usize; lf.len() + ru.len()];
    loop {
        let mut y = x.clone();
        for (i, options) in lf.iter().enumerate() {
            let (a, b) = options[pick[i]];
            y.rf_lf.add(a, b);
        }
        for (i, options) in ru.iter().enumerate() {
            let (a, b) = options[pick[lf.len() + i]];
            y.rf_ru.add(a, b);
        }
        coherence_orders(&y, &cobase, traces, frame, tally);
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

/// Every coherence order extending `cobase`: per location, each
/// linearisation of its writes (`W | LKW`).
fn coherence_orders(
    x: &Execution,
    cobase: &Rel,
    traces: &[&Trace],
    frame: &Frame,
    tally: &mut Tally,
) {
    let mut by_location: BTreeMap<Loc, Vec<usize>> = BTreeMap::new();
    for (e, ev) in x.events.iter().enumerate() {
        if matches!(ev.kind, Kind::Init | Kind::Write | Kind::Lkw)
            && let Some(l) = ev.loc
        {
            by_location.entry(l).or_default().push(e);
        }
    }
    let orders: Vec<(Loc, Vec<Vec<usize>>)> = by_location
        .into_iter()
        .map(|(l, writes)| (l, linearisations(&writes, cobase)))
        .collect();
    if orders.iter().any(|(_, o)| o.is_empty()) {
        return;
    }
    let mut pick = vec![0usize; orders.len()];
    loop {
        let mut y = x.clone();
        y.fw = 0;
        for (i, (l, options)) in orders.iter().enumerate() {
            let order = &options[pick[i]];
            for (k, &a) in order.iter().enumerate() {
                for &b in &order[k + 1..] {
                    y.co.add(a, b);
                }
            }
            if frame.observed_locations.contains(l)
                && let Some(&last) = order.last()
            {
                y.fw |= single(last);
            }
        }
        tally.candidates += 1;
        if frame.budget.is_some_and(|b| tally.candidates > b) {
            tally.stopped = true;
            return;
        }
        if let Some(state) = (frame.finals)(&y, traces) {
            match cat::judge(&y) {
                Judgement::Allowed { flags } => {
                    if state.satisfies {
                        tally.positive += 1;
                    } else {
                        tally.negative += 1;
                    }
                    tally.states.insert(state.values);
                    tally.flags.extend(flags);
                }
                Judgement::Forbidden { axiom } => *tally.rejected.entry(axiom).or_default() += 1,
            }
        }
        if !advance(&mut pick, |i| orders[i].1.len()) {
            return;
        }
    }
}

/// Every total order of `items` that extends `order`.
fn linearisations(items: &[usize], order: &Rel) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut prefix = Vec::with_capacity(items.len());
    let mut used = vec![false; items.len()];
    extend(items, order, &mut prefix, &mut used, &mut out);
    out
}

fn extend(
    items: &[usize],
    order: &Rel,
    prefix: &mut Vec<usize>,
    used: &mut [bool],
    out: &mut Vec<Vec<usize>>,
) {
    if prefix.len() == items.len() {
        out.push(prefix.clone());
        return;
    }
    for i in 0..items.len() {
        if used[i] {
            continue;
        }
        // Every item that must come before this one is placed already.
        let ready = items
            .iter()
            .enumerate()
            .all(|(j, &b)| used[j] || j == i || !order.has(b, items[i]));
        if ready {
            used[i] = true;
            prefix.push(items[i]);
            extend(items, order, prefix, used, out);
            prefix.pop();
            used[i] = false;
        }
    }
}

/// The events of one path per thread and the relations they fix.
struct Skeleton {
    events: Vec<Event>,
    execution: Execution,
    /// Per event, the events of its statement instance ordered before it.
    within: Vec<Set>,
    /// Every read a path constraint rests on.
    constraining: Set,
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
    for (t, trace) in traces.iter().enumerate() {
        let offset = events.len();
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
        events: events.clone(),
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
        events,
        execution,
        within,
        constraining,
    })
}
