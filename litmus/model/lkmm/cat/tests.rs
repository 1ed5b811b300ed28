//! The model on hand-built executions of classic tests, each verdict the
//! one herd7 gives (the axiom named is the first that fails in file
//! order), and the relations that make it. This file builds executions;
//! the tests are in [`ordering`] (fences, cumulativity, coherence,
//! atomicity), [`bell`] (carried dependencies, RCU, SRCU), [`locks`]
//! (`lock.cat`, `cobase`, the lock choices), [`plain`] (races) and
//! [`prune`] (the enumeration's forced `co` edges).

mod bell;
mod locks;
mod ordering;
mod plain;
mod prune;

use super::super::execution::{Event, Execution, Kind, Loc, Tag, Val};
use super::super::rel::{Rel, Set, single};
use super::*;
use crate::catalog::file::c::ast::Pos;
use crate::catalog::file::c::primitives::{AccessTag, FenceTag};

const X: Loc = 0;
const Y: Loc = 1;
const Z: Loc = 2;
const S: Loc = 3;
/// Locations every test has, each with an initial write of 0; the
/// initial write of location `l` is event `l`.
const LOCATIONS: usize = 4;

const PLAIN: Tag = Tag::None;
const ONCE: Tag = Tag::Access(AccessTag::Once);
const ACQUIRE: Tag = Tag::Access(AccessTag::Acquire);
const RELEASE: Tag = Tag::Access(AccessTag::Release);
const NORETURN: Tag = Tag::Access(AccessTag::Noreturn);
const SRCU_LOCK: Tag = Tag::Access(AccessTag::SrcuLock);
const SRCU_UNLOCK: Tag = Tag::Access(AccessTag::SrcuUnlock);

/// The initial write of `l`.
fn iw(l: Loc) -> usize {
    l
}

/// An execution under construction: threads' events in program order
/// (each thread's events totally ordered), and the relations named.
#[derive(Default)]
struct Test {
    events: Vec<Event>,
    rf: Vec<(usize, usize)>,
    co: Vec<(usize, usize)>,
    addr: Vec<(usize, usize)>,
    data: Vec<(usize, usize)>,
    ctrl: Vec<(usize, usize)>,
    rmw: Vec<(usize, usize)>,
    rf_lf: Vec<(usize, usize)>,
    rf_ru: Vec<(usize, usize)>,
    fw: Set,
}

impl Test {
    fn new() -> Test {
        let mut t = Test::default();
        for l in 0..LOCATIONS {
            t.push(None, Kind::Init, PLAIN, Some(l), Some(0));
        }
        t
    }

    fn push(
        &mut self,
        thread: Option<usize>,
        kind: Kind,
        tag: Tag,
        loc: Option<Loc>,
        value: Option<i32>,
    ) -> usize {
        self.events.push(Event {
            thread,
            kind,
            tag,
            rmw: false,
            loc,
            value: value.map(Val::Int),
            pos: Pos::default(),
        });
        self.events.len() - 1
    }

    fn read(&mut self, thread: usize, tag: Tag, loc: Loc, value: i32) -> usize {
        self.push(Some(thread), Kind::Read, tag, Some(loc), Some(value))
    }

    fn write(&mut self, thread: usize, tag: Tag, loc: Loc, value: i32) -> usize {
        self.push(Some(thread), Kind::Write, tag, Some(loc), Some(value))
    }

    fn fence(&mut self, thread: usize, fence: FenceTag) -> usize {
        self.push(Some(thread), Kind::Fence, Tag::Fence(fence), None, None)
    }

    /// An RMW primitive's read and write (`R*`, `W*`), linked by `rmw`.
    fn rmw(
        &mut self,
        thread: usize,
        tags: (Tag, Tag),
        loc: Loc,
        values: (i32, i32),
    ) -> (usize, usize) {
        let r = self.read(thread, tags.0, loc, values.0);
        let w = self.write(thread, tags.1, loc, values.1);
        self.events[r].rmw = true;
        self.events[w].rmw = true;
        self.rmw.push((r, w));
        (r, w)
    }

    /// `atomic_inc(loc)`: a noreturn `R*`, a once `W*`, `data` between.
    fn atomic_inc(&mut self, thread: usize, loc: Loc, read: i32) -> (usize, usize) {
        let (r, w) = self.rmw(thread, (NORETURN, ONCE), loc, (read, read + 1));
        self.data.push((r, w));
        (r, w)
    }

    fn lock_event(&mut self, thread: usize, kind: Kind, loc: Loc) -> usize {
        self.push(Some(thread), kind, PLAIN, Some(loc), None)
    }

    /// `spin_lock(loc)`: `LKR` then `LKW`.
    fn spin_lock(&mut self, thread: usize, loc: Loc) -> (usize, usize) {
        let r = self.lock_event(thread, Kind::Lkr, loc);
        let w = self.lock_event(thread, Kind::Lkw, loc);
        (r, w)
    }

    fn spin_unlock(&mut self, thread: usize, loc: Loc) -> usize {
        self.lock_event(thread, Kind::Ul, loc)
    }

    fn rf(&mut self, w: usize, r: usize) {
        self.rf.push((w, r));
    }

    /// `order` is a chain of `co` (each location's initial write comes
    /// first on its own).
    fn co(&mut self, order: &[usize]) {
        for pair in order.windows(2) {
            self.co.push((pair[0], pair[1]));
        }
    }

    fn build(&self) -> Execution {
        let n = self.events.len();
        let rel = |pairs: &[(usize, usize)]| Rel::from_pairs(n, pairs.iter().copied());
        let mut po = Rel::empty(n);
        let mut co = rel(&self.co);
        for (a, ea) in self.events.iter().enumerate() {
            for (b, eb) in self.events.iter().enumerate() {
                if a < b && ea.thread.is_some() && ea.thread == eb.thread {
                    po.add(a, b);
                }
                let written = matches!(eb.kind, Kind::Write | Kind::Lkw);
                if ea.kind == Kind::Init && written && ea.loc == eb.loc {
                    co.add(a, b);
                }
            }
        }
        Execution {
            events: self.events.clone(),
            po,
            addr: rel(&self.addr),
            data: rel(&self.data),
            ctrl: rel(&self.ctrl),
            rmw: rel(&self.rmw),
            rf: rel(&self.rf),
            rf_lf: rel(&self.rf_lf),
            rf_ru: rel(&self.rf_ru),
            co: co.plus(),
            fw: self.fw,
        }
    }
}

/// The verdict, checked to be the one the complete evaluation gives too.
fn verdict(x: &Execution) -> Judgement {
    let judged = judge(x);
    assert_eq!(judged, relations(x).judgement());
    judged
}

fn allowed(flags: &[&'static str]) -> Judgement {
    Judgement::Allowed {
        flags: flags.to_vec(),
    }
}

fn forbidden(axiom: &'static str) -> Judgement {
    Judgement::Forbidden { axiom }
}
