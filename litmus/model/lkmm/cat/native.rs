//! What the model starts from: the sets and relations herd7 hands every cat
//! file (`herd/machModelChecker.ml`, `herd/CAction.ml` `arch_sets`, one set
//! per tag the bell declares), and what `stdlib.cat` defines from them
//! (`po-loc`, `rfe`, `rfi`, `co0`, `fencerel`, `singlestep`).
//!
//! These are the bindings `linux-kernel.bell` sees: `R`, `W`, `M` hold no
//! lock event and `rf` no lock edge yet; `lock.cat` rebinds them later
//! ([`super::lock`]).

use super::super::execution::{Event, Execution, Kind, Tag, Val};
use super::super::rel::{Rel, Set, single, universe};
use crate::catalog::file::c::primitives::{AccessTag, FenceTag};

/// One set per tag of the bell's enumerations (`Accesses`, `Barriers`,
/// `SRCU`): the events carrying that tag, named as herd names the set
/// (`'rcu-lock` gives `Rcu-lock`, here `rcu_lock`).
#[derive(Clone, Debug, Default)]
pub struct Tags {
    pub once: Set,
    pub acquire: Set,
    pub release: Set,
    pub noreturn: Set,
    pub mb: Set,
    pub rmb: Set,
    pub wmb: Set,
    pub barrier: Set,
    pub rcu_lock: Set,
    pub rcu_unlock: Set,
    pub sync_rcu: Set,
    pub before_atomic: Set,
    pub after_atomic: Set,
    pub after_spinlock: Set,
    pub after_unlock_lock: Set,
    pub after_srcu_read_unlock: Set,
    pub srcu_lock: Set,
    pub srcu_unlock: Set,
    pub sync_srcu: Set,
}

impl Tags {
    fn of(x: &Execution) -> Tags {
        let mut t = Tags::default();
        for (e, ev) in x.events.iter().enumerate() {
            let set = match ev.tag {
                Tag::None => continue,
                Tag::SyncSrcu => &mut t.sync_srcu,
                Tag::Access(a) => match a {
                    AccessTag::Once => &mut t.once,
                    AccessTag::Acquire => &mut t.acquire,
                    AccessTag::Release => &mut t.release,
                    AccessTag::Noreturn => &mut t.noreturn,
                    AccessTag::SrcuLock => &mut t.srcu_lock,
                    AccessTag::SrcuUnlock => &mut t.srcu_unlock,
                },
                Tag::Fence(f) => match f {
                    FenceTag::Mb => &mut t.mb,
                    FenceTag::Rmb => &mut t.rmb,
                    FenceTag::Wmb => &mut t.wmb,
                    FenceTag::Barrier => &mut t.barrier,
                    FenceTag::RcuLock => &mut t.rcu_lock,
                    FenceTag::RcuUnlock => &mut t.rcu_unlock,
                    FenceTag::SyncRcu => &mut t.sync_rcu,
                    FenceTag::BeforeAtomic => &mut t.before_atomic,
                    FenceTag::AfterAtomic => &mut t.after_atomic,
                    FenceTag::AfterSpinlock => &mut t.after_spinlock,
                    FenceTag::AfterUnlockLock => &mut t.after_unlock_lock,
                    FenceTag::AfterSrcuReadUnlock => &mut t.after_srcu_read_unlock,
                },
            };
            *set |= single(e);
        }
        t
    }
}

/// herd7's primitive sets and relations, and `stdlib.cat`'s definitions.
#[derive(Clone, Debug)]
pub struct Native {
    /// Events `0..n`.
    pub n: usize,
    /// `_`: every event, initial writes included.
    pub universe: Set,
    /// `IW`: the initial writes.
    pub iw: Set,
    /// `R`: memory reads (`R`, `R*`, `srcu_read_lock`'s read).
    pub r: Set,
    /// `W`: memory writes, initial writes included.
    pub w: Set,
    /// `M`: `R | W`, no lock event, no `synchronize_srcu`.
    pub m: Set,
    /// `F`: the fences.
    pub f: Set,
    /// `RMW`: every access an RMW primitive makes (`R*`, `W*`), a failed
    /// cmpxchg's read included.
    pub rmw_events: Set,
    pub lkr: Set,
    pub lkw: Set,
    pub ul: Set,
    /// `LF`: failed `spin_trylock` only (`lock.cat` adds `RL`).
    pub lf: Set,
    pub rl: Set,
    pub ru: Set,
    /// `FW`: the final writes chosen for the observed locations.
    pub fw: Set,
    pub tags: Tags,
    /// The values of memory accesses, for `different-values`.
    values: Vec<Option<Val>>,
    pub po: Rel,
    pub loc: Rel,
    pub int: Rel,
    pub ext: Rel,
    /// herd7's dependencies, before the bell carries them through memory.
    pub addr: Rel,
    pub data: Rel,
    pub ctrl: Rel,
    /// `rmw`: each successful RMW primitive's `R*` to its `W*`.
    pub rmw: Rel,
    /// `rf`: memory reads-from only, initial writes as sources.
    pub rf: Rel,
    /// `let po-loc = po & loc`
    pub po_loc: Rel,
    /// `let rfe = rf & ext`
    pub rfe: Rel,
    /// `let rfi = rf & int`
    pub rfi: Rel,
    /// `let co0 = loc & ((IW * (W\IW)) | ((W\FW) * FW))`
    pub co0: Rel,
}

impl Native {
    /// The sets and relations of `x`, with `fw` as `FW`.
    pub fn new(x: &Execution, fw: Set) -> Native {
        let n = x.n();
        let kind = |k: Kind| x.set(|e: &Event| e.kind == k);
        let iw = kind(Kind::Init);
        let r = kind(Kind::Read);
        let w = kind(Kind::Write) | iw;
        let (loc, int, ext) = loc_int_ext(x);
        let po_loc = x.po.inter(&loc);
        let rfe = x.rf.inter(&ext);
        let rfi = x.rf.inter(&int);
        let co0 = co0(&loc, iw, w, fw);
        Native {
            n,
            universe: universe(n),
            iw,
            r,
            w,
            m: r | w,
            f: kind(Kind::Fence),
            rmw_events: x.set(|e| e.rmw),
            lkr: kind(Kind::Lkr),
            lkw: kind(Kind::Lkw),
            ul: kind(Kind::Ul),
            lf: kind(Kind::Lf),
            rl: kind(Kind::Rl),
            ru: kind(Kind::Ru),
            fw,
            tags: Tags::of(x),
            values: x.events.iter().map(|e| e.value).collect(),
            po: x.po.clone(),
            loc,
            int,
            ext,
            addr: x.addr.clone(),
            data: x.data.clone(),
            ctrl: x.ctrl.clone(),
            rmw: x.rmw.clone(),
            rf: x.rf.clone(),
            po_loc,
            rfe,
            rfi,
            co0,
        }
    }

    /// The same sets and relations for `x`, another candidate of the
    /// execution these are of: `x` has the same events (kinds, tags,
    /// locations, threads), `po` and dependencies, and may differ in its
    /// values and `rf`; `fw` is its `FW`. Only what those change is
    /// recomputed (`rf`, `rfe`, `rfi`, `FW`, `co0`, the values): the
    /// enumeration judges every candidate of one skeleton this way.
    pub fn set_candidate(&mut self, x: &Execution, fw: Set) {
        debug_assert_eq!(x.n(), self.n);
        self.rf.clone_from(&x.rf);
        self.rfe = x.rf.inter(&self.ext);
        self.rfi = x.rf.inter(&self.int);
        if fw != self.fw {
            self.fw = fw;
            self.co0 = co0(&self.loc, self.iw, self.w, fw);
        }
        self.values.clear();
        self.values.extend(x.events.iter().map(|e| e.value));
    }

    /// The empty relation.
    pub fn empty(&self) -> Rel {
        Rel::empty(self.n)
    }

    /// `[s]`
    pub fn id(&self, s: Set) -> Rel {
        Rel::id(self.n, s)
    }

    /// `s * t`
    pub fn product(&self, s: Set, t: Set) -> Rel {
        Rel::product(self.n, s, t)
    }

    /// `~s`: every event not in `s`.
    pub fn not(&self, s: Set) -> Set {
        self.universe & !s
    }

    /// `r \ id`: `r` without its loops.
    pub fn minus_id(&self, r: &Rel) -> Rel {
        r.without_loops()
    }

    /// `let fencerel(B) = (po & (_ * B)) ; po`: from what is po-before
    /// some `B` event to what is po-after it.
    pub fn fencerel(&self, b: Set) -> Rel {
        self.po.restrict(self.universe, b).seq(&self.po)
    }

    /// `different-values(r)`: the pairs of `r` whose events do not both
    /// have a value, or have different ones (`lib/interpreter.ml`
    /// `different_values`, `herd/machModelChecker.ml` `same_value`).
    pub fn different_values(&self, r: &Rel) -> Rel {
        let mut out = self.empty();
        for (a, b) in r.pairs() {
            let same = matches!((self.values[a], self.values[b]), (Some(u), Some(v)) if u == v);
            if !same {
                out.add(a, b);
            }
        }
        out
    }
}

/// `let co0 = loc & ((IW * (W\IW)) | ((W\FW) * FW))`
fn co0(loc: &Rel, iw: Set, w: Set, fw: Set) -> Rel {
    let n = loc.len();
    loc.inter(&Rel::product(n, iw, w & !iw).union(&Rel::product(n, w & !fw, fw)))
}

/// `loc`, `int` and `ext`, as [`Execution::loc`], [`Execution::int`] and
/// [`Execution::ext`] define them, a row at a time: each event's location
/// group and thread group (the initial writes being a group of their own
/// for `ext`).
fn loc_int_ext(x: &Execution) -> (Rel, Rel, Rel) {
    let group = |key: &dyn Fn(&Event) -> Option<usize>| {
        let mut groups: Vec<Set> = Vec::new();
        for (e, ev) in x.events.iter().enumerate() {
            if let Some(k) = key(ev) {
                if groups.len() <= k {
                    groups.resize(k + 1, 0);
                }
                groups[k] |= single(e);
            }
        }
        groups
    };
    let locations = group(&|e| e.loc);
    let threads = group(&|e| e.thread);
    let everything = universe(x.n());
    let initial = x.set(|e| e.thread.is_none());
    let mut loc = Vec::with_capacity(x.n());
    let mut int = Vec::with_capacity(x.n());
    let mut ext = Vec::with_capacity(x.n());
    for ev in &x.events {
        loc.push(ev.loc.map_or(0, |l| locations[l]));
        let own = ev.thread.map_or(initial, |t| threads[t]);
        int.push(if ev.thread.is_some() { own } else { 0 });
        ext.push(everything & !own);
    }
    (
        Rel::from_rows(loc),
        Rel::from_rows(int),
        Rel::from_rows(ext),
    )
}

/// `let singlestep(R) = nodetour(R, R, R)`, that is `R \ (R ; R)`: the
/// steps of `R` with nothing of `R` in between.
pub fn singlestep(r: &Rel) -> Rel {
    r.minus(&r.seq(r))
}
