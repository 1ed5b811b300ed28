//! One thread's code as herd7 turns it into events (`herd/CSem.ml`), one
//! control-flow path at a time. A read's value is a choice among the values
//! its location can hold ([`Values`]); the path follows from the values
//! read (an `if`, a cmpxchg's compare, `atomic_add_unless`) and from the
//! choices that have no value (`spin_trylock` succeeding or failing,
//! `spin_is_locked` seeing the lock held or free), so [`traces`] runs the
//! code once per sequence of choices, odometer-wise, and returns every
//! path it finds with its events.
//!
//! Inside a statement, herd7's program order is partial
//! (`HERD7-C-SEMANTICS.md` 5.3): the reads that compute an access's
//! address or value come before it, an RMW's read before its write, a full
//! RMW's first `mb` fence before its read and its second after its write;
//! nothing else. Each event keeps the statement instance it belongs to and
//! the events of that statement it must follow ([`LocalEvent::iico`]).
//!
//! Dependencies follow the values (section 4): each value carries the set
//! of reads it was computed from; `data` is what a write's value carries,
//! `addr` what an access's address carries, `ctrl` every read a branch's
//! condition used (addresses included) to every event of the branch taken,
//! and of every later iteration of a `while`.

use super::execution::{Kind, Loc, Tag, Val};
use super::rel::{Set, members, single};
use crate::catalog::file::c::ast::{BinOp, Call, Expr, Pos, Stmt, StmtKind, Thread};
use crate::catalog::file::c::primitives::{
    AccessTag, Arg, FenceTag, Op, Order, ResultTest, Semantics,
};
use std::collections::BTreeMap;

/// herd7's loop bound for C (`herd/opts.ml` `unroll_default`): a `while`
/// body runs at most this many times; a path that would run it again is
/// cut.
pub const UNROLL: usize = 2;

/// The most events one thread's path may have.
pub const MAX_THREAD_EVENTS: usize = 120;

/// The most runs of one thread's code (paths times read values) the model
/// makes before it gives up on the test, in one line.
pub const MAX_RUNS: usize = 1_000_000;

/// The values each location may hold in some execution: the read choices.
pub type Values = Vec<Vec<Val>>;

/// A read event's place in any execution: its thread, its source position
/// and how many reads at that position its path made before it (a loop
/// runs a position more than once). In one execution no two reads share a
/// site.
pub type Site = (u32, u32, u32, u32);

/// The sites one computation of a value passes, sorted.
pub type Origin = Vec<Site>;

/// Per location, for each of its [`Values`] in their order, the origins of
/// the computations found for it, none a superset of another (see
/// `Setup::paths`).
pub type Origins = Vec<Vec<Vec<Origin>>>;

/// An event of one thread's path; indices in [`Set`]s are the path's own.
#[derive(Clone, Debug, PartialEq)]
pub struct LocalEvent {
    pub kind: Kind,
    pub tag: Tag,
    pub rmw: bool,
    pub loc: Option<Loc>,
    pub value: Option<Val>,
    pub pos: Pos,
    /// The statement instance (a statement run twice by a loop has two).
    pub stmt: u32,
    /// Events of the same statement instance ordered before this one.
    pub iico: Set,
    pub addr: Set,
    pub data: Set,
    pub ctrl: Set,
    /// For an RMW's write, its read (the native `rmw`).
    pub rmw_read: Option<usize>,
}

/// One control-flow path of a thread with the values it read.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    pub events: Vec<LocalEvent>,
    /// Registers at the end of the path.
    pub regs: BTreeMap<String, Val>,
    /// The reads each register's final value comes from.
    pub reg_taints: BTreeMap<String, Set>,
    /// The path's decisions, in order: which way each `if`, compare and
    /// choice went (two traces with the same decisions are the same herd
    /// path, whatever values they read).
    pub decisions: Vec<u8>,
    /// The reads whose values decide the path (herd7 drops a candidate
    /// whose path constraint rests on a value nothing determines).
    pub constraining: Set,
}

/// What ended a run of the code other than a finished path.
enum Stop {
    /// The path needs a `while` body more than [`UNROLL`] times.
    Cut,
    /// The path is impossible (a division by zero, an access to a number
    /// rather than a location): no candidate.
    Dead,
    /// The test uses what the model does not support: an error for the
    /// whole test.
    Unsupported(String),
}

/// Every path of `thread`: finished traces, and whether some path was cut
/// at the loop bound.
pub struct Paths {
    pub traces: Vec<Trace>,
    pub cut: bool,
    /// The most reads one run made, cut runs included.
    pub max_reads: usize,
    /// Every value some run wrote to each location, before it finished,
    /// was cut or died (a path that dies at a later read still tells what
    /// values exist for the values round of `Setup::paths`), with the
    /// sites its computation passed (while widening; else empty).
    pub written: Vec<(Loc, Val, Origin)>,
}

/// Run `thread` once per sequence of choices. `regs` are its registers at
/// the start (parameters hold their locations' addresses). `widening`:
/// for the value rounds only, with the values' origins; each read may also
/// take [`Val::Unknown`], with which a branch goes both ways, and never a
/// value whose origin holds the read's own site; such paths tell which
/// values may be written, never become candidates.
pub fn traces(
    thread: &Thread,
    regs: &BTreeMap<String, Val>,
    values: &Values,
    locate: &dyn Fn(Val) -> Option<Loc>,
    widening: Option<&Origins>,
) -> Result<Paths, String> {
    let mut paths = Paths {
        traces: Vec::new(),
        cut: false,
        max_reads: 0,
        written: Vec::new(),
    };
    let mut odometer: Vec<(usize, usize)> = Vec::new(); // (choice, options)
    for _ in 0..MAX_RUNS {
        let mut run = Run {
            events: Vec::new(),
            regs: regs
                .iter()
                .map(|(k, &val)| (k.clone(), Tainted { val, taint: 0 }))
                .collect(),
            decisions: Vec::new(),
            constraining: 0,
            stmt: 0,
            ctrl: 0,
            odometer: &mut odometer,
            next_choice: 0,
            values,
            locate,
            widening,
            thread: thread.index as u32,
            read_origins: Vec::new(),
        };
        let finished = run.block(&thread.body);
        let reads = run.events.iter().filter(|e| e.kind == Kind::Read).count();
        paths.max_reads = paths.max_reads.max(reads);
        for e in &run.events {
            if e.kind == Kind::Write
                && let (Some(l), Some(v)) = (e.loc, e.value)
            {
                let origin = run.origin(e.data);
                if !paths
                    .written
                    .iter()
                    .any(|w| (w.0, w.1, &w.2) == (l, v, &origin))
                {
                    paths.written.push((l, v, origin));
                }
            }
        }
        match finished {
            Ok(()) => {
                let trace = Trace {
                    events: run.events,
                    regs: run.regs.iter().map(|(k, v)| (k.clone(), v.val)).collect(),
                    reg_taints: run.regs.into_iter().map(|(k, v)| (k, v.taint)).collect(),
                    decisions: run.decisions,
                    constraining: run.constraining,
                };
                paths.traces.push(trace);
            }
            Err(Stop::Cut) => paths.cut = true,
            Err(Stop::Dead) => {}
            Err(Stop::Unsupported(why)) => return Err(why),
        }
        // Advance the odometer: the last choice with options left.
        while let Some((choice, options)) = odometer.last_mut() {
            if *choice + 1 < *options {
                *choice += 1;
                break;
            }
            odometer.pop();
        }
        if odometer.is_empty() {
            return Ok(paths);
        }
    }
    Err(format!(
        "thread P{} has more than {MAX_RUNS} paths and read values",
        thread.index
    ))
}

/// A value and the reads it was computed from.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Tainted {
    val: Val,
    /// Reads whose values flow into it (`data`, `addr`).
    taint: Set,
}

/// An expression's result: its value, and what evaluating it did.
#[derive(Clone, Copy)]
struct Eval {
    val: Val,
    taint: Set,
    /// Every read the evaluation used, addresses included (`ctrl`).
    used: Set,
    /// The events it made (within the statement).
    events: Set,
}

impl Eval {
    fn constant(val: Val) -> Eval {
        Eval {
            val,
            taint: 0,
            used: 0,
            events: 0,
        }
    }
}

struct Run<'a> {
    events: Vec<LocalEvent>,
    regs: BTreeMap<String, Tainted>,
    decisions: Vec<u8>,
    constraining: Set,
    stmt: u32,
    /// Reads every event now made depends on by control.
    ctrl: Set,
    odometer: &'a mut Vec<(usize, usize)>,
    next_choice: usize,
    values: &'a Values,
    locate: &'a dyn Fn(Val) -> Option<Loc>,
    /// While widening, the values' origins: reads may also take an unknown
    /// value, which branches both ways.
    widening: Option<&'a Origins>,
    thread: u32,
    /// While widening, per event: for a read, its site and its value's
    /// origin; else empty.
    read_origins: Vec<Origin>,
}

type Step<T> = Result<T, Stop>;

impl<'a> Run<'a> {
    /// The next choice among `options` (0 if none is recorded yet).
    fn choose(&mut self, options: usize) -> usize {
        let i = self.next_choice;
        self.next_choice += 1;
        if i == self.odometer.len() {
            self.odometer.push((0, options));
        }
        self.odometer[i].0
    }

    fn decide(&mut self, way: bool, constraint: Set) {
        self.decisions.push(way as u8);
        self.constraining |= constraint;
    }

    fn block(&mut self, stmts: &[Stmt]) -> Step<()> {
        stmts.iter().try_for_each(|s| self.stmt(s))
    }

    fn next_stmt(&mut self) {
        self.stmt += 1;
    }

    fn stmt(&mut self, s: &Stmt) -> Step<()> {
        match &s.kind {
            StmtKind::Decl { reg, value, .. } => {
                if let Some(e) = value {
                    self.assign(reg, e, s.pos)?;
                }
            }
            StmtKind::Assign { reg, value } => self.assign(reg, value, s.pos)?,
            StmtKind::Store { addr, value } => {
                self.next_stmt();
                let a = self.expr(addr, s.pos)?;
                let v = self.expr(value, s.pos)?;
                self.write(Kind::Write, Tag::None, a, v, 0, s.pos)?;
            }
            StmtKind::Call(call) => {
                self.next_stmt();
                self.procedure(call)?;
            }
            StmtKind::Expr { value, .. } => {
                self.next_stmt();
                self.expr(value, s.pos)?;
            }
            StmtKind::If {
                cond,
                then,
                otherwise,
            } => {
                let taken = self.condition(cond, s.pos)?;
                let saved = self.ctrl;
                self.ctrl |= taken.used;
                if taken.val != Val::ZERO {
                    self.block(then)?;
                } else if let Some(otherwise) = otherwise {
                    self.block(otherwise)?;
                }
                self.ctrl = saved;
            }
            StmtKind::While { cond, body } => {
                // Unrolled as nested ifs: each condition's reads control
                // every later iteration, not what follows the loop.
                let saved = self.ctrl;
                let mut runs = 0;
                loop {
                    let taken = self.condition(cond, s.pos)?;
                    if taken.val == Val::ZERO {
                        break;
                    }
                    if runs == UNROLL {
                        return Err(Stop::Cut);
                    }
                    self.ctrl |= taken.used;
                    self.block(body)?;
                    runs += 1;
                }
                self.ctrl = saved;
            }
            StmtKind::Block(stmts) => self.block(stmts)?,
        }
        Ok(())
    }

    /// A branch's condition, in a statement of its own: its decision
    /// recorded, constrained by the reads its value came from.
    fn condition(&mut self, cond: &Expr, pos: Pos) -> Step<Eval> {
        self.next_stmt();
        let c = self.expr(cond, pos)?;
        let taken = if c.val == Val::Unknown {
            self.choose(2) == 0
        } else {
            truth(c.val)
        };
        self.decide(taken, c.taint);
        Ok(Eval {
            val: Val::Int(taken as i32),
            ..c
        })
    }

    fn assign(&mut self, reg: &str, value: &Expr, pos: Pos) -> Step<()> {
        self.next_stmt();
        let v = self.expr(value, pos)?;
        self.regs.insert(
            reg.to_string(),
            Tainted {
                val: v.val,
                taint: v.taint,
            },
        );
        Ok(())
    }

    fn expr(&mut self, e: &Expr, pos: Pos) -> Step<Eval> {
        Ok(match e {
            Expr::Int(n) => Eval::constant(Val::Int(*n)),
            Expr::Reg(name) => {
                let t = self.regs.get(name.as_str()).copied().unwrap_or(Tainted {
                    val: Val::ZERO,
                    taint: 0,
                });
                Eval {
                    val: t.val,
                    taint: t.taint,
                    used: t.taint,
                    events: 0,
                }
            }
            Expr::Deref(inner) => {
                let a = self.expr(inner, pos)?;
                self.read(Kind::Read, Tag::None, false, a, pos)?
            }
            Expr::Call(call) => self.function(call)?,
            Expr::Binary(op, l, r) => {
                let l = self.expr(l, pos)?;
                let r = self.expr(r, pos)?;
                let val = binary(*op, l.val, r.val)?;
                Eval {
                    val,
                    taint: l.taint | r.taint,
                    used: l.used | r.used,
                    events: l.events | r.events,
                }
            }
            Expr::Cast(_, inner) | Expr::Paren(inner) => self.expr(inner, pos)?,
        })
    }

    /// The address a primitive's pointer argument names: the argument
    /// itself, or (`deref: false`, `READ_ONCE(*p)`) what its `*` applies to.
    fn address(&mut self, arg: &Expr, deref: bool, pos: Pos) -> Step<Eval> {
        if deref {
            return self.expr(arg, pos);
        }
        match arg {
            Expr::Deref(inner) => self.expr(inner, pos),
            Expr::Paren(inner) | Expr::Cast(_, inner) => self.address(inner, deref, pos),
            _ => Err(Stop::Unsupported(format!(
                "{}:{}: the address must be written '*p'",
                pos.line, pos.col
            ))),
        }
    }

    fn arg(&mut self, call: &Call, i: usize) -> Step<Eval> {
        match call.args.get(i) {
            Some(e) => self.expr(e, call.pos),
            None => Err(Stop::Unsupported(format!(
                "{}:{}: '{}' lacks argument {}",
                call.pos.line,
                call.pos.col,
                call.prim.name,
                i + 1
            ))),
        }
    }

    fn operand(&mut self, call: &Call, a: Arg) -> Step<Eval> {
        match a {
            Arg::At(i) => self.arg(call, i),
            Arg::Const(n) => Ok(Eval::constant(Val::Int(n))),
        }
    }

    /// The location an address names. A number is no location (herd7
    /// refuses the test; here the path dies, as a value only a dead path
    /// holds may get there); an address plus an offset is a location herd7
    /// makes up (`[x+1]`), which the model does not.
    fn located(&self, a: Val) -> Step<Loc> {
        if let Val::Addr(_, offset) = a
            && offset != 0
        {
            return Err(Stop::Unsupported(
                "an access to a computed address (x + n) is not supported".into(),
            ));
        }
        (self.locate)(a).ok_or(Stop::Dead)
    }

    /// The site of the read this path makes next at `pos`.
    fn site(&self, pos: Pos) -> Site {
        let before = self
            .events
            .iter()
            .filter(|e| e.kind == Kind::Read && e.pos == pos);
        (self.thread, pos.line, pos.col, before.count() as u32)
    }

    /// The value a read of `loc` at `pos` takes: one of the location's
    /// values, or, while widening, one of its computations that does not
    /// pass this read (no execution's value is computed from itself: that
    /// would be a cycle, herd7's free values), or [`Val::Unknown`]. Returns
    /// the value and, while widening on a known value, the read's own
    /// origin: its site and the sites that computation passed.
    fn choose_value(&mut self, loc: Loc, pos: Pos) -> Step<(Val, Option<Origin>)> {
        let known = self.values.get(loc).map_or(&[][..], Vec::as_slice);
        let Some(origins) = self.widening else {
            if known.is_empty() {
                return Err(Stop::Dead);
            }
            let i = self.choose(known.len());
            return Ok((known[i], None));
        };
        let site = self.site(pos);
        let open: Vec<(Val, &'a Origin)> = known
            .iter()
            .zip(&origins[loc])
            .flat_map(|(&v, computations)| computations.iter().map(move |o| (v, o)))
            .filter(|(_, o)| o.binary_search(&site).is_err())
            .collect();
        let choice = self.choose(open.len() + 1);
        Ok(match open.get(choice) {
            Some(&(v, computation)) => {
                let mut origin = computation.clone();
                if let Err(at) = origin.binary_search(&site) {
                    origin.insert(at, site);
                }
                (v, Some(origin))
            }
            None => (Val::Unknown, None),
        })
    }

    /// The sites the reads in `data` and their values' computations
    /// passed (while widening; else empty).
    fn origin(&self, data: Set) -> Origin {
        let mut origin: Origin = members(data)
            .filter_map(|e| self.read_origins.get(e))
            .flatten()
            .copied()
            .collect();
        origin.sort_unstable();
        origin.dedup();
        origin
    }

    /// Which way an RMW that compares its read goes (`cmpxchg`,
    /// `atomic_add_unless`): `goes(value)` of the value its read will take
    /// (the read chooses again at the same place and gets the same value),
    /// or, for an unknown value while widening, both ways in turn. Returns
    /// the way, and where the choices resume after the read.
    fn rmw_way(
        &mut self,
        a: Eval,
        pos: Pos,
        goes: impl Fn(Val) -> Option<bool>,
    ) -> Step<(bool, usize)> {
        let mark = self.next_choice;
        let probe = if a.val == Val::Unknown {
            Val::Unknown
        } else {
            let loc = self.located(a.val)?;
            self.choose_value(loc, pos)?.0
        };
        let way = match goes(probe) {
            Some(way) => way,
            None => self.choose(2) == 0,
        };
        let resume = self.next_choice;
        self.next_choice = mark;
        Ok((way, resume))
    }

    fn push(&mut self, mut ev: LocalEvent) -> Step<usize> {
        if self.events.len() >= MAX_THREAD_EVENTS {
            return Err(Stop::Unsupported(format!(
                "a thread makes more than {MAX_THREAD_EVENTS} events"
            )));
        }
        ev.ctrl = self.ctrl;
        self.events.push(ev);
        Ok(self.events.len() - 1)
    }

    fn event(&self, kind: Kind, tag: Tag, pos: Pos) -> LocalEvent {
        LocalEvent {
            kind,
            tag,
            rmw: false,
            loc: None,
            value: None,
            pos,
            stmt: self.stmt,
            iico: 0,
            addr: 0,
            data: 0,
            ctrl: 0,
            rmw_read: None,
        }
    }

    fn fence(&mut self, tag: FenceTag, after: Set, pos: Pos) -> Step<usize> {
        let mut ev = self.event(Kind::Fence, Tag::Fence(tag), pos);
        ev.iico = after;
        self.push(ev)
    }

    /// A read of the location `a` names, its value one of the location's.
    fn read(&mut self, kind: Kind, tag: Tag, rmw: bool, a: Eval, pos: Pos) -> Step<Eval> {
        self.read_after(kind, tag, rmw, a, 0, pos)
    }

    fn read_after(
        &mut self,
        kind: Kind,
        tag: Tag,
        rmw: bool,
        a: Eval,
        after: Set,
        pos: Pos,
    ) -> Step<Eval> {
        if a.val == Val::Unknown {
            // Only while widening: a read from where nobody knows.
            return Ok(Eval {
                val: Val::Unknown,
                ..a
            });
        }
        let loc = self.located(a.val)?;
        let (val, origin) = self.choose_value(loc, pos)?;
        let mut ev = self.event(kind, tag, pos);
        ev.rmw = rmw;
        ev.loc = Some(loc);
        ev.value = Some(val);
        ev.iico = a.events | after;
        ev.addr = a.taint;
        let e = self.push(ev)?;
        if let Some(origin) = origin {
            self.read_origins.resize(e, Vec::new());
            self.read_origins.push(origin);
        }
        Ok(Eval {
            val,
            taint: single(e),
            used: single(e) | a.used,
            events: a.events | single(e),
        })
    }

    /// A write of `v` to the location `a` names; `extra_data` are reads the
    /// value also depends on (an RMW's own read).
    fn write(
        &mut self,
        kind: Kind,
        tag: Tag,
        a: Eval,
        v: Eval,
        after: Set,
        pos: Pos,
    ) -> Step<usize> {
        let loc = self.located(a.val)?;
        let mut ev = self.event(kind, tag, pos);
        ev.loc = Some(loc);
        ev.value = Some(v.val);
        ev.iico = a.events | v.events | after;
        ev.addr = a.taint;
        ev.data = v.taint;
        self.push(ev)
    }

    /// A lock event on the lock `a` names.
    fn lock_event(&mut self, kind: Kind, a: Eval, after: Set, pos: Pos) -> Step<usize> {
        let loc = self.located(a.val)?;
        let mut ev = self.event(kind, Tag::None, pos);
        ev.loc = Some(loc);
        ev.iico = a.events | after;
        ev.addr = a.taint;
        self.push(ev)
    }

    /// A procedure macro's call, as a statement.
    fn procedure(&mut self, call: &Call) -> Step<()> {
        let pos = call.pos;
        match call.prim.semantics {
            Semantics::Store { tag, deref } => {
                let first = call.args.first().ok_or(Stop::Dead)?;
                let a = self.address(first, deref, pos)?;
                let v = self.arg(call, 1)?;
                self.write(Kind::Write, Tag::Access(tag), a, v, 0, pos)?;
            }
            Semantics::StoreMb => {
                let first = call.args.first().ok_or(Stop::Dead)?;
                let a = self.address(first, false, pos)?;
                let v = self.arg(call, 1)?;
                self.write(Kind::Write, Tag::Access(AccessTag::Once), a, v, 0, pos)?;
                self.next_stmt();
                self.fence(FenceTag::Mb, 0, pos)?;
            }
            Semantics::Fence(tag) => {
                self.fence(tag, 0, pos)?;
            }
            Semantics::AtomicOp { op, ptr, value } => {
                let a = self.arg(call, ptr)?;
                let v = self.operand(call, value)?;
                let r = self.read(Kind::Read, Tag::Access(AccessTag::Noreturn), true, a, pos)?;
                let new = arith(op, r.val, v.val)?;
                self.rmw_write(AccessTag::Once, a, v, r, new, true, pos)?;
            }
            Semantics::Lock => {
                let a = self.arg(call, 0)?;
                let lkr = self.lock_event(Kind::Lkr, a, 0, pos)?;
                self.lock_event(Kind::Lkw, a, single(lkr), pos)?;
            }
            Semantics::Unlock => {
                let a = self.arg(call, 0)?;
                self.lock_event(Kind::Ul, a, 0, pos)?;
            }
            Semantics::SrcuUnlock => {
                let a = self.arg(call, 0)?;
                let v = self.arg(call, 1)?;
                self.write(
                    Kind::Write,
                    Tag::Access(AccessTag::SrcuUnlock),
                    a,
                    v,
                    0,
                    pos,
                )?;
            }
            Semantics::SyncSrcu => {
                let a = self.arg(call, 0)?;
                let loc = self.located(a.val)?;
                let mut ev = self.event(Kind::SyncSrcu, Tag::SyncSrcu, pos);
                ev.loc = Some(loc);
                ev.iico = a.events;
                self.push(ev)?;
            }
            _ => {
                // The reader lets only procedure macros be statements.
                return Err(Stop::Unsupported(format!(
                    "{}:{}: '{}' is not a statement",
                    pos.line, pos.col, call.prim.name
                )));
            }
        }
        Ok(())
    }

    /// The write of an RMW whose read was `r`, writing `new` (computed
    /// from `v`, and from the read too when `dependent`: the atomic
    /// operations' `data`, which `xchg` and `cmpxchg` lack).
    #[allow(clippy::too_many_arguments)]
    fn rmw_write(
        &mut self,
        tag: AccessTag,
        a: Eval,
        v: Eval,
        r: Eval,
        new: Val,
        dependent: bool,
        pos: Pos,
    ) -> Step<usize> {
        let value = Eval {
            val: new,
            taint: v.taint | if dependent { r.taint } else { 0 },
            used: v.used,
            events: v.events,
        };
        let w = self.write(Kind::Write, Tag::Access(tag), a, value, r.events, pos)?;
        self.events[w].rmw = true;
        self.events[w].rmw_read = Some(r.taint.trailing_zeros() as usize);
        Ok(w)
    }

    /// A returning RMW's events: `F[mb] -> R* -> W* -> F[mb]` for `{mb}`,
    /// `R* -> W*` with the order's tags otherwise. `write` gives the value
    /// written from the one read and `v`.
    fn rmw(
        &mut self,
        order: Order,
        a: Eval,
        v: Eval,
        dependent: bool,
        write: impl Fn(Val, Val) -> Step<Val>,
        pos: Pos,
    ) -> Step<Eval> {
        let (read_tag, write_tag) = match order {
            Order::Mb | Order::Relaxed => (AccessTag::Once, AccessTag::Once),
            Order::Acquire => (AccessTag::Acquire, AccessTag::Once),
            Order::Release => (AccessTag::Once, AccessTag::Release),
        };
        let before = if order == Order::Mb {
            single(self.fence(FenceTag::Mb, 0, pos)?)
        } else {
            0
        };
        let r = self.read_after(Kind::Read, Tag::Access(read_tag), true, a, before, pos)?;
        let new = write(r.val, v.val)?;
        let w = self.rmw_write(write_tag, a, v, r, new, dependent, pos)?;
        let mut events = r.events | single(w) | v.events;
        if order == Order::Mb {
            let after = self.events[w].iico | single(w);
            events |= single(self.fence(FenceTag::Mb, after, pos)?);
        }
        Ok(Eval { events, ..r })
    }

    /// An expression macro's call.
    fn function(&mut self, call: &Call) -> Step<Eval> {
        let pos = call.pos;
        match call.prim.semantics {
            Semantics::Load { tag, deref } => {
                let first = call.args.first().ok_or(Stop::Dead)?;
                let a = self.address(first, deref, pos)?;
                self.read(Kind::Read, Tag::Access(tag), false, a, pos)
            }
            Semantics::SrcuLock => {
                let a = self.arg(call, 0)?;
                self.read(Kind::Read, Tag::Access(AccessTag::SrcuLock), false, a, pos)
            }
            Semantics::Xchg(order) => {
                let a = self.arg(call, 0)?;
                let v = self.arg(call, 1)?;
                self.rmw(order, a, v, false, |_, v| Ok(v), pos)
            }
            Semantics::Cmpxchg(order) => self.cmpxchg(call, order),
            Semantics::AtomicOpReturn {
                order,
                op,
                ptr,
                value,
                fetch,
                test,
            } => {
                let a = self.arg(call, ptr)?;
                let v = self.operand(call, value)?;
                let r = self.rmw(order, a, v, true, |old, v| arith(op, old, v), pos)?;
                let new = arith(op, r.val, v.val)?;
                let val = match test {
                    None if fetch => r.val,
                    None => new,
                    Some(ResultTest::IsZero) => Val::Int((new == Val::ZERO) as i32),
                    Some(ResultTest::IsNegative) => {
                        Val::Int(matches!(new, Val::Int(n) if n < 0) as i32)
                    }
                };
                Ok(Eval { val, ..r })
            }
            Semantics::AddUnless => self.add_unless(call),
            Semantics::TryLock => {
                let a = self.arg(call, 0)?;
                let success = self.choose(2) == 0;
                self.decide(success, 0);
                if success {
                    let lkr = self.lock_event(Kind::Lkr, a, 0, pos)?;
                    self.lock_event(Kind::Lkw, a, single(lkr), pos)?;
                } else {
                    self.lock_event(Kind::Lf, a, 0, pos)?;
                }
                Ok(Eval {
                    val: Val::Int(success as i32),
                    taint: 0,
                    used: 0,
                    events: a.events,
                })
            }
            Semantics::IsLocked => {
                let a = self.arg(call, 0)?;
                let locked = self.choose(2) == 0;
                self.decide(locked, 0);
                self.lock_event(if locked { Kind::Rl } else { Kind::Ru }, a, 0, pos)?;
                Ok(Eval {
                    val: Val::Int(locked as i32),
                    taint: 0,
                    used: 0,
                    events: a.events,
                })
            }
            _ => Err(Stop::Unsupported(format!(
                "{}:{}: '{}' gives no value",
                pos.line, pos.col, call.prim.name
            ))),
        }
    }

    /// `cmpxchg(X, old, new)`: the order's RMW when the read equals `old`,
    /// else one once read (no fence, no write, no `rmw`). The expected
    /// value makes no dependency.
    fn cmpxchg(&mut self, call: &Call, order: Order) -> Step<Eval> {
        let pos = call.pos;
        let a = self.arg(call, 0)?;
        let old = self.arg(call, 1)?;
        let new = self.arg(call, 2)?;
        let (success, resume) = self.rmw_way(a, pos, |v| compare(BinOp::Eq, v, old.val))?;
        let r = if success {
            let r = self.rmw(order, a, new, false, |_, v| Ok(v), pos)?;
            self.decide(true, r.taint | old.taint);
            r
        } else {
            let r = self.read(Kind::Read, Tag::Access(AccessTag::Once), true, a, pos)?;
            self.decide(false, r.taint | old.taint);
            r
        };
        self.next_choice = self.next_choice.max(resume);
        Ok(r)
    }

    /// `atomic_add_unless(X, a, u)`: a full RMW adding `a` unless the read
    /// is `u` (returning 1), else one once read (returning 0).
    fn add_unless(&mut self, call: &Call) -> Step<Eval> {
        let pos = call.pos;
        let x = self.arg(call, 0)?;
        let add = self.arg(call, 1)?;
        let unless = self.arg(call, 2)?;
        let (adds, resume) = self.rmw_way(x, pos, |v| compare(BinOp::Ne, v, unless.val))?;
        let r = if adds {
            let r = self.rmw(
                Order::Mb,
                x,
                add,
                true,
                |old, v| arith(Op::Add, old, v),
                pos,
            )?;
            self.decide(true, r.taint | unless.taint);
            Eval {
                val: Val::Int(1),
                ..r
            }
        } else {
            let r = self.read(Kind::Read, Tag::Access(AccessTag::Once), true, x, pos)?;
            self.decide(false, r.taint | unless.taint);
            Eval {
                val: Val::Int(0),
                ..r
            }
        };
        self.next_choice = self.next_choice.max(resume);
        Ok(r)
    }
}

/// `a op b` as a known truth, or `None` when either is unknown.
fn compare(op: BinOp, a: Val, b: Val) -> Option<bool> {
    match binary(op, a, b) {
        Ok(Val::Unknown) | Err(_) => None,
        Ok(v) => Some(truth(v)),
    }
}

/// A condition's truth: non-zero (an address is true).
fn truth(v: Val) -> bool {
    v != Val::ZERO
}

fn arith(op: Op, a: Val, b: Val) -> Step<Val> {
    binary(
        match op {
            Op::Add => BinOp::Add,
            Op::Sub => BinOp::Sub,
        },
        a,
        b,
    )
}

/// herd7's arithmetic on values: 32-bit numbers; an address plus or minus
/// a number is another address; addresses compare equal or not.
fn binary(op: BinOp, a: Val, b: Val) -> Step<Val> {
    match (a, b) {
        (Val::Unknown, _) | (_, Val::Unknown) => Ok(Val::Unknown),
        (Val::Int(x), Val::Int(y)) => op.apply(x, y).map(Val::Int).ok_or(Stop::Dead),
        (Val::Addr(l, o), Val::Int(y)) if matches!(op, BinOp::Add | BinOp::Sub) => {
            let o = if op == BinOp::Add {
                o.wrapping_add(y)
            } else {
                o.wrapping_sub(y)
            };
            Ok(Val::Addr(l, o))
        }
        (Val::Int(x), Val::Addr(l, o)) if op == BinOp::Add => Ok(Val::Addr(l, o.wrapping_add(x))),
        _ => match op {
            BinOp::Eq => Ok(Val::Int((a == b) as i32)),
            BinOp::Ne => Ok(Val::Int((a != b) as i32)),
            _ => Err(Stop::Unsupported(format!(
                "'{}' applied to an address",
                op.symbol()
            ))),
        },
    }
}
