//! One candidate execution of a C litmus test, as herd7 hands it to the
//! model (`herd/machModelChecker.ml`, `herd/CAction.ml`): its events, with
//! their kinds and tags, and the primitive relations (po, addr, data, ctrl,
//! the native rmw and rf), plus the choices the model itself enumerates
//! (`lock.cat`'s `with rfe-lf from ...` and `with rf-ru from ...`, and
//! `cos-opt.cat`'s `with co from generate_cos(cobase)`). [`super::cat`]
//! computes everything else from these.

use super::rel::{Rel, Set, single};
use crate::catalog::file::c::ast::Pos;
use crate::catalog::file::c::primitives::{AccessTag, FenceTag};

/// A location: an index into the test's locations.
pub type Loc = usize;

/// A value: a 32-bit number, or the address of a location plus an offset
/// (herd7's symbolic values: `r0 = x + 1` names the location `x+1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Val {
    Int(i32),
    Addr(Loc, i32),
    /// A value not known yet: only while the model widens the values each
    /// location may hold (`threads::traces`), never in an execution.
    Unknown,
}

impl Val {
    pub const ZERO: Val = Val::Int(0);
}

/// What an event is. Lock events are herd7's: `LKR`/`LKW` the read and
/// write of `spin_lock` or a successful `spin_trylock`, `UL` `spin_unlock`,
/// `LF` a failed `spin_trylock`, `RL`/`RU` `spin_is_locked` returning true
/// or false.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An initial write (`IW`): no thread.
    Init,
    Read,
    Write,
    Fence,
    Lkr,
    Lkw,
    Ul,
    Lf,
    Rl,
    Ru,
    /// `synchronize_srcu`: located, neither an access nor a fence.
    SyncSrcu,
}

/// An event's annotation: one tag of the bell's enumerations, or none (a
/// plain access, a lock event).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tag {
    None,
    Access(AccessTag),
    Fence(FenceTag),
    /// The `sync-srcu` tag of a `synchronize_srcu` event.
    SyncSrcu,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// The thread, or `None` for an initial write.
    pub thread: Option<usize>,
    pub kind: Kind,
    pub tag: Tag,
    /// Made by an RMW primitive (herd's `R*`/`W*`, the set `RMW`): a
    /// failed cmpxchg's read too.
    pub rmw: bool,
    /// The location, for memory, lock and SRCU events.
    pub loc: Option<Loc>,
    /// The value read or written (memory accesses only).
    pub value: Option<Val>,
    /// The statement that made it.
    pub pos: Pos,
}

/// A candidate execution: events `0..n` and the relations herd computes
/// before the model runs, plus the model's own choices.
#[derive(Clone, Debug)]
pub struct Execution {
    pub events: Vec<Event>,
    /// Program order: statement order, plus the order inside a statement
    /// (the reads computing an access before it, `R*` before `W*`, an RMW's
    /// fences around it); transitive; no initial write in it.
    pub po: Rel,
    /// herd7's native dependencies, before the bell's `carry-dep`.
    pub addr: Rel,
    pub data: Rel,
    pub ctrl: Rel,
    /// The native `rmw`: each successful RMW's `R*` to its `W*`.
    pub rmw: Rel,
    /// Memory reads-from, initial writes included as sources.
    pub rf: Rel,
    /// `lock.cat`'s chosen `rfe-lf` (plus the computed `rfi-lf` is the
    /// model's) and `rf-ru`.
    pub rf_lf: Rel,
    pub rf_ru: Rel,
    /// The chosen coherence order over `W | LKW` (not `UL`), per location,
    /// total and transitive, initial writes first.
    pub co: Rel,
    /// `FW`: the final write chosen for each observed location.
    pub fw: Set,
}

impl Execution {
    pub fn n(&self) -> usize {
        self.events.len()
    }

    /// The events for which `keep` holds.
    pub fn set(&self, keep: impl Fn(&Event) -> bool) -> Set {
        self.events
            .iter()
            .enumerate()
            .filter(|(_, e)| keep(e))
            .fold(0, |acc, (i, _)| acc | single(i))
    }

    /// `loc`: pairs of located events at one location (reflexive).
    pub fn loc(&self) -> Rel {
        let n = self.n();
        let mut r = Rel::empty(n);
        for (a, ea) in self.events.iter().enumerate() {
            for (b, eb) in self.events.iter().enumerate() {
                if ea.loc.is_some() && ea.loc == eb.loc {
                    r.add(a, b);
                }
            }
        }
        r
    }

    /// `int`: pairs of events of one thread (initial writes in none).
    pub fn int(&self) -> Rel {
        self.pairs_where(|a, b| a.thread.is_some() && a.thread == b.thread)
    }

    /// `ext`: events of different threads, and every pair of an initial
    /// write and a thread's event (the initial writes are one group of
    /// their own, `comp_ext` in `herd/machModelChecker.ml`).
    pub fn ext(&self) -> Rel {
        self.pairs_where(|a, b| a.thread != b.thread)
    }

    fn pairs_where(&self, keep: impl Fn(&Event, &Event) -> bool) -> Rel {
        let n = self.n();
        let mut r = Rel::empty(n);
        for (a, ea) in self.events.iter().enumerate() {
            for (b, eb) in self.events.iter().enumerate() {
                if keep(ea, eb) {
                    r.add(a, b);
                }
            }
        }
        r
    }
}
