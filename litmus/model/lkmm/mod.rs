//! The Linux-kernel memory model (LKMM) on C litmus tests, as herd7 7.58
//! judges them with the kernel's `tools/memory-model/linux-kernel.cfg`:
//! every candidate execution of the test, each judged by the axioms of
//! `linux-kernel.cat` (with `linux-kernel.bell` and `lock.cat`), and the
//! result printed as herd7 prints it, so the two can be diffed.
//!
//! Files, bottom up: [`rel`] (sets and relations, the cat operators),
//! [`execution`] (a candidate execution: events and the relations herd
//! computes), [`threads`] (a thread's code as events, path by path),
//! [`enumerate`] (the candidates: paths, rf, lock choices, co), [`cat`]
//! (the model's relations, each named and quoted as the `.cat` files have
//! it), and this file: the test's locations and registers, the final
//! states, the condition, herd7's output.

pub mod cat;
pub mod enumerate;
pub mod execution;
pub mod prune;
pub mod rel;
pub mod threads;
pub mod why;

use crate::catalog::file::c::ast::{
    AtomValue, CProgram, InitTarget, InitValue, Observable, Prop, Quantifier,
};
use enumerate::{FinalState, Frame, Tally};
use execution::{Execution, Loc, Val};
use rel::Set;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::time::{Duration, Instant};
use threads::Trace;

/// How often the value sets may be widened at most (see `Setup::paths`).
const MAX_VALUE_ROUNDS: usize = 64;

/// herd7's verdict on a test, and what it printed on the way.
#[derive(Debug)]
pub struct Outcome {
    pub name: String,
    pub quantifier: Quantifier,
    /// The displayed observables, in herd7's order.
    pub shown: Vec<Observable>,
    pub tally: Tally,
    /// Some path needed a `while` body more than [`threads::UNROLL`] times.
    pub loop_cut: bool,
    pub time: Duration,
    pub locations: Vec<String>,
    /// The condition as herd7 prints it back.
    pub condition: String,
}

/// `Never`, `Sometimes`, `Always`: herd7's Observation word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Observation {
    Never,
    Sometimes,
    Always,
}

impl Observation {
    pub fn word(self) -> &'static str {
        match self {
            Observation::Never => "Never",
            Observation::Sometimes => "Sometimes",
            Observation::Always => "Always",
        }
    }
}

impl Outcome {
    pub fn observation(&self) -> Observation {
        if self.tally.positive == 0 {
            Observation::Never
        } else if self.tally.negative == 0 {
            Observation::Always
        } else {
            Observation::Sometimes
        }
    }

    /// herd7's `Ok` / `No`: the condition's quantifier holds.
    pub fn ok(&self) -> bool {
        let t = &self.tally;
        match self.quantifier {
            Quantifier::Exists => t.positive > 0,
            Quantifier::NotExists => t.positive == 0,
            Quantifier::Forall => t.negative == 0,
        }
    }

    pub fn flags(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.tally.flags.iter().copied()
    }

    /// What the judge needs of the answer, as herd7's output gives it.
    pub fn modelled(&self) -> crate::judge::lkmm::Modelled<'static> {
        crate::judge::lkmm::Modelled {
            word: self.observation().word(),
            positive: self.tally.positive,
            negative: self.tally.negative,
            data_race: self.flags().any(|f| f == "data-race"),
        }
    }

    /// What `herd7-verdicts.txt` records: the word, then the flags.
    pub fn summary(&self) -> String {
        std::iter::once(self.observation().word())
            .chain(self.flags())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Judge `program` under the LKMM.
pub fn model(program: &CProgram) -> Result<Outcome, String> {
    model_with(program, Search::default())
}

/// [`model`], giving up after judging `budget` candidate executions (for
/// fuzzing: a damaged file may have millions): the answer is then an
/// error saying so.
pub fn model_within(program: &CProgram, budget: Option<u64>) -> Result<Outcome, String> {
    model_with(
        program,
        Search {
            budget,
            ..Search::default()
        },
    )
}

/// How the model searches.
#[derive(Clone, Copy, Debug, Default)]
pub struct Search {
    /// Stop after judging this many candidate executions.
    pub budget: Option<u64>,
    /// Judge every candidate: none dropped early because a partial rf or
    /// a location's coherence order already fails `coherence`, `atomic` or
    /// its paths' values (the same answer, slower; `--why` and the tests
    /// use it as the oracle).
    pub exhaustive: bool,
}

/// [`model`] searching as `search` says.
pub fn model_with(program: &CProgram, search: Search) -> Result<Outcome, String> {
    let budget = search.budget;
    let started = Instant::now();
    let setup = Setup::new(program)?;
    let (paths, loop_cut) = setup.paths(program)?;
    let shown = setup.shown.clone();
    let finals = |x: &Execution, traces: &[&Trace], free: Set| setup.final_state(x, traces, free);
    let filtered_out = |traces: &[&Trace], free: Set| setup.filtered_out(traces, free);
    let frame = Frame {
        init: &setup.init,
        observed_locations: &setup.observed_locations,
        finals: &finals,
        filtered_out: &filtered_out,
        budget,
        exhaustive: search.exhaustive,
    };
    let tally = enumerate::enumerate(&paths, &frame)?;
    if tally.stopped {
        return Err(format!(
            "stopped after {} candidate executions",
            tally.candidates - 1
        ));
    }
    Ok(Outcome {
        name: program.name.clone(),
        quantifier: program.condition.quantifier,
        shown,
        tally,
        loop_cut,
        time: started.elapsed(),
        locations: setup.locations.clone(),
        condition: condition_text(program),
    })
}

/// The test's locations, initial values and observables.
struct Setup<'a> {
    program: &'a CProgram,
    locations: Vec<String>,
    init: Vec<Val>,
    /// Each thread's registers at its start.
    registers: Vec<BTreeMap<String, Val>>,
    shown: Vec<Observable>,
    observed_locations: Vec<Loc>,
}

impl<'a> Setup<'a> {
    fn new(program: &'a CProgram) -> Result<Setup<'a>, String> {
        let mut names = BTreeSet::new();
        for t in &program.threads {
            names.extend(t.params.iter().map(|p| p.name.clone()));
        }
        for item in &program.init {
            if let InitTarget::Location(l) = &item.target {
                names.insert(l.clone());
            }
            if let Some(InitValue::Address(a)) = &item.value {
                names.insert(a.clone());
            }
        }
        let cond = &program.condition;
        let mut observables = Vec::new();
        let mut filter_observables = Vec::new();
        cond.locations
            .iter()
            .for_each(|o| observables.push(o.clone()));
        prop_observables(&cond.prop, &mut observables, &mut names);
        if let Some(f) = &cond.filter {
            prop_observables(f, &mut filter_observables, &mut names);
        }
        for o in observables.iter().chain(&filter_observables) {
            if let Observable::Location(l) = o {
                names.insert(l.clone());
            }
        }
        let locations: Vec<String> = names.into_iter().collect();
        let index = |name: &str| locations.iter().position(|l| l == name);
        let value_of = |v: &InitValue, at: &crate::catalog::file::c::ast::Pos| match v {
            InitValue::Int(n) => Ok(Val::Int(*n)),
            InitValue::Address(a) => index(a)
                .map(|l| Val::Addr(l, 0))
                .ok_or_else(|| format!("{}:{}: no location '{a}'", at.line, at.col)),
            InitValue::Array(_) => Err(format!(
                "{}:{}: arrays are not supported (herd7 itself cannot index them from C code)",
                at.line, at.col
            )),
        };
        let mut init = vec![Val::ZERO; locations.len()];
        let mut registers: Vec<BTreeMap<String, Val>> = program
            .threads
            .iter()
            .map(|t| {
                t.params
                    .iter()
                    .filter_map(|p| index(&p.name).map(|l| (p.name.clone(), Val::Addr(l, 0))))
                    .collect()
            })
            .collect();
        for item in &program.init {
            let Some(v) = &item.value else { continue };
            let v = value_of(v, &item.pos)?;
            match &item.target {
                InitTarget::Location(l) => {
                    if let Some(i) = index(l) {
                        init[i] = v;
                    }
                }
                InitTarget::Register { thread, reg } => {
                    if let Some(r) = registers.get_mut(*thread) {
                        r.insert(reg.clone(), v);
                    }
                }
            }
        }
        // herd7 displays registers by thread then name, then locations.
        let mut shown: Vec<Observable> = observables;
        shown.sort_by_key(display_key);
        shown.dedup();
        let observed_locations = shown
            .iter()
            .chain(&filter_observables)
            .filter_map(|o| match o {
                Observable::Location(l) => index(l),
                _ => None,
            })
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        Ok(Setup {
            program,
            locations,
            init,
            registers,
            shown,
            observed_locations,
        })
    }

    fn locate(&self, v: Val) -> Option<Loc> {
        match v {
            Val::Addr(l, 0) if l < self.locations.len() => Some(l),
            _ => None,
        }
    }

    /// Every thread's paths, after the value sets are widened until no path
    /// writes a value its location was not yet known to hold, or until they hold
    /// every value a chain of reads can carry: a value one execution
    /// writes is computed from values its reads took from earlier writes,
    /// and such a chain passes each read at most once, so after as many
    /// rounds as an execution has reads every value an execution can write
    /// is known. (Values a cycle of reads would justify by themselves are
    /// herd7's free values: see [`enumerate`].) Each value also keeps the
    /// read sites its computation passed ([`threads::Origin`]; for a value
    /// several computations give, the sites all of them pass), and a read
    /// never takes a value that passed its own site: in an execution the
    /// reads a value's computation passes are distinct events and none is
    /// the read that takes it, so every value an execution reads is still
    /// found, and a counter incremented from a read of itself
    /// (`WRITE_ONCE(*x, READ_ONCE(*x) + 1)`) stops at one increment
    /// instead of growing every round. A value more than needed
    /// costs time, not truth: a read whose value no write of the execution
    /// has reads from nothing, and the candidate is not made. While
    /// widening, a read may also take an unknown value, on which a branch
    /// goes both ways: a path that only a value nobody has written yet can
    /// take still tells what it writes (herd7 solves such paths' values
    /// afterwards: a read that sees the write its own branch led to).
    fn paths(&self, program: &CProgram) -> Result<(Vec<Vec<Trace>>, bool), String> {
        let mut values: threads::Values = self.init.iter().map(|&v| vec![v]).collect();
        let mut origins: threads::Origins =
            self.init.iter().map(|_| vec![vec![Vec::new()]]).collect();
        let locate = |v: Val| self.locate(v);
        let mut round = 0;
        loop {
            let mut reads = 0;
            let mut grown = false;
            for (t, thread) in program.threads.iter().enumerate() {
                let p =
                    threads::traces(thread, &self.registers[t], &values, &locate, Some(&origins))?;
                reads += p.max_reads;
                for (l, v, origin) in p.written {
                    if v == Val::Unknown {
                        continue;
                    }
                    match values[l].iter().position(|&known| known == v) {
                        None => {
                            values[l].push(v);
                            origins[l].push(vec![origin]);
                            grown = true;
                        }
                        Some(i) => grown |= add_computation(&mut origins[l][i], origin),
                    }
                }
            }
            round += 1;
            if !grown || round > reads {
                break;
            }
            if round >= MAX_VALUE_ROUNDS {
                return Err(format!(
                    "the values the locations can hold did not settle in {MAX_VALUE_ROUNDS} rounds"
                ));
            }
        }
        let mut paths = Vec::new();
        let mut cut = false;
        for (t, thread) in program.threads.iter().enumerate() {
            let p = threads::traces(thread, &self.registers[t], &values, &locate, None)?;
            cut |= p.cut;
            paths.push(p.traces);
        }
        Ok((paths, cut))
    }

    /// An execution's final state: each register's value at the end of
    /// its thread's path, each location's coherence-last write. A value
    /// that comes from a `free` read (one only a cycle of rf and data
    /// justifies) is herd7's unknown `S`: equal to no number. `None` when
    /// the filter rejects the execution.
    fn final_state(&self, x: &Execution, traces: &[&Trace], free: Set) -> Option<FinalState> {
        let offsets = Setup::offsets(&self.init, traces);
        let value = |o: &Observable| -> Val {
            match o {
                Observable::Register { thread, reg } => {
                    Setup::register(traces, &offsets, free, *thread, reg)
                }
                Observable::Location(name) => {
                    let Some(l) = self.locations.iter().position(|n| n == name) else {
                        return Val::ZERO;
                    };
                    final_value(x, l, free).unwrap_or(self.init[l])
                }
            }
        };
        let cond = &self.program.condition;
        if let Some(f) = &cond.filter
            && !self.holds(f, &value)
        {
            return None;
        }
        Some(FinalState {
            values: self.shown.iter().map(value).collect(),
            satisfies: self.holds(&cond.prop, &value),
        })
    }

    /// Whether the filter fails on the registers alone, which the paths'
    /// traces and free reads fix once rf is chosen: a filter naming no
    /// location, failed here, fails every candidate of that rf, so none
    /// need be built (a sequence count's retry in `litmus protocols
    /// --model lkmm` drops 32 of 33 rf choices this way).
    fn filtered_out(&self, traces: &[&Trace], free: Set) -> bool {
        let Some(f) = &self.program.condition.filter else {
            return false;
        };
        if names_location(f) {
            return false;
        }
        let offsets = Setup::offsets(&self.init, traces);
        let value = |o: &Observable| match o {
            Observable::Register { thread, reg } => {
                Setup::register(traces, &offsets, free, *thread, reg)
            }
            Observable::Location(_) => unreachable!("the filter names no location"),
        };
        !self.holds(f, &value)
    }

    /// Where each thread's events start, after the initial writes.
    fn offsets(init: &[Val], traces: &[&Trace]) -> Vec<usize> {
        let mut offsets = Vec::with_capacity(traces.len());
        let mut at = init.len();
        for t in traces {
            offsets.push(at);
            at += t.events.len();
        }
        offsets
    }

    /// A register's final value (unknown when a free read taints it).
    fn register(traces: &[&Trace], offsets: &[usize], free: Set, thread: usize, reg: &str) -> Val {
        let Some(t) = traces.get(thread) else {
            return Val::ZERO;
        };
        let tainted = t.reg_taints.get(reg).copied().unwrap_or(0);
        if (tainted << offsets[thread]) & free != 0 {
            return Val::Unknown;
        }
        t.regs.get(reg).copied().unwrap_or(Val::ZERO)
    }

    fn holds(&self, p: &Prop, value: &dyn Fn(&Observable) -> Val) -> bool {
        let atom = |v: &AtomValue| match v {
            AtomValue::Int(n) => Some(Val::Int(*n)),
            AtomValue::ValueOf(o) => Some(value(o)),
            AtomValue::Address(a) => self
                .locations
                .iter()
                .position(|l| l == a)
                .map(|l| Val::Addr(l, 0)),
        };
        match p {
            Prop::True => true,
            Prop::False => false,
            Prop::Eq(o, v) => Some(value(o)) == atom(v),
            Prop::Ne(o, v) => Some(value(o)) != atom(v),
            Prop::Not(p) => !self.holds(p, value),
            Prop::And(a, b) => self.holds(a, value) && self.holds(b, value),
            Prop::Or(a, b) => self.holds(a, value) || self.holds(b, value),
            Prop::Implies(a, b) => !self.holds(a, value) || self.holds(b, value),
        }
    }
}

/// The most computations kept for one value; past it they are replaced
/// by the sites all of them pass (a subset of each: it blocks fewer reads,
/// so no value is lost, and it bounds the reads' choices while widening).
const MAX_COMPUTATIONS: usize = 8;

/// Add the computation `origin` to a value's (`Setup::paths`); whether
/// they changed. A computation that passes every site another one passes
/// adds nothing: every read the other leaves open, it leaves open too.
fn add_computation(computations: &mut Vec<threads::Origin>, origin: threads::Origin) -> bool {
    let within = |small: &threads::Origin, big: &threads::Origin| {
        small.iter().all(|s| big.binary_search(s).is_ok())
    };
    if computations.iter().any(|known| within(known, &origin)) {
        return false;
    }
    computations.retain(|known| !within(&origin, known));
    computations.push(origin);
    if computations.len() > MAX_COMPUTATIONS {
        let mut shared = computations[0].clone();
        shared.retain(|s| computations.iter().all(|o| o.binary_search(s).is_ok()));
        *computations = vec![shared];
    }
    true
}

/// Whether `p` reads a location's final value anywhere.
fn names_location(p: &Prop) -> bool {
    let location = |o: &Observable| matches!(o, Observable::Location(_));
    match p {
        Prop::True | Prop::False => false,
        Prop::Eq(o, v) | Prop::Ne(o, v) => {
            location(o) || matches!(v, AtomValue::ValueOf(w) if location(w))
        }
        Prop::Not(q) => names_location(q),
        Prop::And(a, b) | Prop::Or(a, b) | Prop::Implies(a, b) => {
            names_location(a) || names_location(b)
        }
    }
}

/// The value of the coherence-last write to `l` that has one (unknown
/// when it depends on a `free` read).
fn final_value(x: &Execution, l: Loc, free: Set) -> Option<Val> {
    let writes: Vec<usize> = (0..x.events.len())
        .filter(|&e| x.events[e].loc == Some(l) && x.events[e].value.is_some())
        .filter(|&e| {
            matches!(
                x.events[e].kind,
                execution::Kind::Init | execution::Kind::Write
            )
        })
        .collect();
    writes
        .iter()
        .find(|&&w| writes.iter().all(|&o| o == w || !x.co.has(w, o)))
        .and_then(|&w| {
            if x.data.column(w) & free != 0 {
                Some(Val::Unknown)
            } else {
                x.events[w].value
            }
        })
}

/// Registers first, by thread and then name as a string; then locations.
fn display_key(o: &Observable) -> (u8, usize, String) {
    match o {
        Observable::Register { thread, reg } => (0, *thread, reg.clone()),
        Observable::Location(l) => (1, 0, l.clone()),
    }
}

fn prop_observables(p: &Prop, out: &mut Vec<Observable>, names: &mut BTreeSet<String>) {
    match p {
        Prop::True | Prop::False => {}
        Prop::Eq(o, v) | Prop::Ne(o, v) => {
            if !out.contains(o) {
                out.push(o.clone());
            }
            match v {
                AtomValue::Address(a) => {
                    names.insert(a.clone());
                }
                AtomValue::ValueOf(other) => {
                    if !out.contains(other) {
                        out.push(other.clone());
                    }
                }
                AtomValue::Int(_) => {}
            }
        }
        Prop::Not(p) => prop_observables(p, out, names),
        Prop::And(a, b) | Prop::Or(a, b) | Prop::Implies(a, b) => {
            prop_observables(a, out, names);
            prop_observables(b, out, names);
        }
    }
}

/// A value as herd7 prints it: a number, or a location's name.
fn show_value(v: Val, locations: &[String]) -> String {
    match v {
        Val::Int(n) => n.to_string(),
        Val::Addr(l, 0) => locations.get(l).cloned().unwrap_or_default(),
        Val::Addr(l, o) => format!("{}+{o}", locations.get(l).cloned().unwrap_or_default()),
        Val::Unknown => "S".to_string(),
    }
}

fn show_observable(o: &Observable) -> String {
    match o {
        Observable::Register { thread, reg } => format!("{thread}:{reg}"),
        Observable::Location(l) => format!("[{l}]"),
    }
}

/// The condition as herd7 prints it back (`Condition exists (...)`).
fn condition_text(p: &CProgram) -> String {
    let c = &p.condition;
    let word = match c.quantifier {
        Quantifier::Exists => "exists",
        Quantifier::NotExists => "~exists",
        Quantifier::Forall => "forall",
    };
    format!("{word} ({})", prop_text(&c.prop, 0))
}

/// herd7's printer: `x=v` as `[x]=v`, `!=` as `not (...)`, minimal
/// parentheses (`\/` looser than `/\`, an implication parenthesised
/// inside either).
fn prop_text(p: &Prop, context: u8) -> String {
    let atom_value = |v: &AtomValue| match v {
        AtomValue::Int(n) => n.to_string(),
        AtomValue::Address(a) => a.clone(),
        AtomValue::ValueOf(o) => show_observable(o),
    };
    let (text, level) = match p {
        Prop::True => ("true".to_string(), 4),
        Prop::False => ("false".to_string(), 4),
        Prop::Eq(o, v) => (format!("{}={}", show_observable(o), atom_value(v)), 4),
        Prop::Ne(o, v) => (format!("not ({}={})", show_observable(o), atom_value(v)), 4),
        Prop::Not(q) => (format!("not ({})", prop_text(q, 0)), 4),
        Prop::And(a, b) => (format!("{} /\\ {}", prop_text(a, 2), prop_text(b, 2)), 2),
        Prop::Or(a, b) => (format!("{} \\/ {}", prop_text(a, 1), prop_text(b, 1)), 1),
        Prop::Implies(a, b) => (format!("{} => {}", prop_text(a, 1), prop_text(b, 1)), 0),
    };
    if level < context || (level == 0 && context > 0) {
        format!("({text})")
    } else {
        text
    }
}

/// What herd7 prints for the test, `Time` in this model's seconds and no
/// `Hash` line.
pub fn herd_text(o: &Outcome) -> String {
    let mut out = String::new();
    let kind = match o.quantifier {
        Quantifier::Exists => "Allowed",
        Quantifier::NotExists => "Forbidden",
        Quantifier::Forall => "Required",
    };
    out.push_str(&format!("Test {} {kind}\n", o.name));
    out.push_str(&format!("States {}\n", o.tally.states.len()));
    let mut states: Vec<&Vec<Val>> = o.tally.states.iter().collect();
    states.sort_by(|a, b| state_order(a).cmp(state_order(b)));
    let names: Vec<String> = o.shown.iter().map(show_observable).collect();
    for s in states {
        for (i, (name, v)) in names.iter().zip(s).enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(name);
            out.push('=');
            match v {
                Val::Int(n) => {
                    let _ = write!(out, "{n}");
                }
                _ => out.push_str(&show_value(*v, &o.locations)),
            }
            out.push(';');
        }
        out.push('\n');
    }
    let verdict = if o.ok() { "Ok" } else { "No" };
    if o.loop_cut {
        out.push_str("Loop ");
    }
    out.push_str(verdict);
    out.push_str("\nWitnesses\n");
    let (p, n) = (o.tally.positive, o.tally.negative);
    let (shown_p, shown_n) = if o.quantifier == Quantifier::NotExists {
        (n, p)
    } else {
        (p, n)
    };
    out.push_str(&format!("Positive: {shown_p} Negative: {shown_n}\n"));
    for f in o.flags() {
        out.push_str(&format!("Flag {f}\n"));
    }
    out.push_str(&format!("Condition {}\n", o.condition));
    out.push_str(&format!(
        "Observation {} {} {p} {n}\n",
        o.name,
        o.observation().word()
    ));
    out.push_str(&format!("Time {} {:.2}\n\n", o.name, o.time.as_secs_f64()));
    out
}

/// herd7 sorts state lines by their values: numbers numerically, before
/// addresses.
/// (The key of each value in turn, compared as the sort goes: a state
/// file can have hundreds of thousands of lines.)
fn state_order(s: &[Val]) -> impl Iterator<Item = (u8, i64, usize)> + '_ {
    s.iter().map(|v| match v {
        Val::Int(n) => (0, *n as i64, 0),
        Val::Addr(l, o) => (1, *o as i64, *l),
        Val::Unknown => (2, 0, 0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::file::c;
    use execution::Kind;
    use threads::Site;

    /// The values each location may hold, as the paths' reads take them.
    fn values_read(text: &str) -> BTreeMap<Loc, BTreeSet<i64>> {
        let program = c::from_text(text).unwrap();
        let setup = Setup::new(&program).unwrap();
        let (paths, _) = setup.paths(&program).unwrap();
        let mut read: BTreeMap<Loc, BTreeSet<i64>> = BTreeMap::new();
        for e in paths.iter().flatten().flat_map(|t| &t.events) {
            if let (Kind::Read, Some(l), Some(Val::Int(v))) = (e.kind, e.loc, e.value) {
                read.entry(l).or_default().insert(v as i64);
            }
        }
        read
    }

    #[test]
    fn a_value_computed_from_its_own_read_is_not_read_again() {
        // Two increments by load and store: x holds 0, 1 or 2 in some
        // execution, never 3 (that needs a read to see a store computed
        // from its own value). Widening by rounds alone, bounded by the
        // reads of one execution, would also offer 3.
        let text = "C two-increments\n{}\n\
            P0(int *x) { int r0; r0 = READ_ONCE(*x); WRITE_ONCE(*x, r0 + 1); }\n\
            P1(int *x) { int r0; r0 = READ_ONCE(*x); WRITE_ONCE(*x, r0 + 1); }\n\
            exists (x=2)\n";
        assert_eq!(values_read(text)[&0], BTreeSet::from([0, 1, 2]));
    }

    #[test]
    fn a_value_found_two_ways_is_read_where_either_way_allows() {
        // y=1 comes from P0's copy of x=1 (which P2 computed from its own
        // read of y: closed to P2) and from P1's constant (open to all):
        // P2 still reads y=1, so x=2 is found; x=3 would need P2 to read
        // the y=2 that P0 copied from P2's own x=2, and is not.
        let text = "C two-ways\n{}\n\
            P0(int *x, int *y) { int r0; r0 = READ_ONCE(*x); WRITE_ONCE(*y, r0); }\n\
            P1(int *y) { WRITE_ONCE(*y, 1); }\n\
            P2(int *x, int *y) { int r0; r0 = READ_ONCE(*y); WRITE_ONCE(*x, r0 + 1); }\n\
            exists (x=2)\n";
        assert_eq!(values_read(text)[&0], BTreeSet::from([0, 1, 2]));
    }

    #[test]
    fn computations_keep_only_the_smallest_origins() {
        let site = |n: u32| (0, n, 1, 0);
        let mut kept = vec![vec![site(1), site(2)]];
        // A superset adds nothing.
        assert!(!add_computation(&mut kept, vec![site(1), site(2), site(3)]));
        // A subset replaces it.
        assert!(add_computation(&mut kept, vec![site(2)]));
        assert_eq!(kept, [vec![site(2)]]);
        // Neither: both kept.
        assert!(add_computation(&mut kept, vec![site(5)]));
        assert_eq!(kept.len(), 2);
        // Past the bound: the sites all pass, here none.
        for n in 10..20 {
            add_computation(&mut kept, vec![site(n)]);
        }
        assert_eq!(kept, [Vec::<Site>::new()]);
    }
}
