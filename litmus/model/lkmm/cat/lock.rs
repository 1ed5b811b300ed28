//! `lock.cat`, which `linux-kernel.cat` includes first, with the
//! `cos-opt.cat` it includes in its middle: the lock events' classes and
//! checks, their reads-from, the coherence base, and the merge of unlocks
//! into `co` and lock reads into `rf`.
//!
//! The file rebinds names, and each rebinding is seen only by the lines
//! after it, so the three parts are three structs:
//! - [`Lock`], up to `include "cos-opt.cat"`: `LF` gains `RL`; `rmw` gains
//!   `lk-rmw`; `R`, `W`, `Release`, `Acquire` gain lock events; `rf` gains
//!   the lock-fail and read-unlocked edges; `co0` gains the lock writes.
//! - [`CosOpt`]: `cobase`, checked by `ConsCo`; herd then enumerates `co`
//!   (the execution's `co`). Its `coi`, `coe`, `fr`, `fri`, `fre` are all
//!   rebound below before anything reads them, so they are not computed.
//! - [`Merged`], after the include: `W` gains `UL`, `M` is `R | W`, `co`
//!   gains the unlocks, `rf` gains each lock read's edge, and `coe`, `coi`,
//!   `rfe`, `rfi`, `fr`, `fre`, `fri` are recomputed from them.
//!
//! The two `with ... from cross(...)` choices (the reads-from of failed
//! trylocks and of `spin_is_locked` returning false) are the execution's
//! `rf_lf` and `rf_ru`; [`all_possible_rfe_lf`] and [`all_possible_rf_ru`]
//! list the candidates.

use super::super::execution::Execution;
use super::super::rel::{Rel, Set, members};
use super::native::{Native, singlestep};
use super::{Checker, Choices, Failed};

/// `lock.cat` up to `include "cos-opt.cat"`.
#[derive(Clone, Debug)]
pub struct Lock {
    /// `let LF = LF | RL` (after `let RL = try RL with emptyset`, which
    /// changes nothing).
    pub lf: Set,
    /// `let ALL-LOCKS = LKR | LKW | UL | LF | RU | Srcu-lock | Srcu-unlock | Sync-srcu`
    pub all_locks: Set,
    /// `let lk-rmw = ([LKR] ; po-loc ; [LKW]) \ (po ; po)`
    pub lk_rmw: Rel,
    /// `let rmw = rmw | lk-rmw`
    pub rmw: Rel,
    /// `let R = R | LKR | LF | RU`
    pub r: Set,
    /// `let W = W | LKW`
    pub w: Set,
    /// `let Release = Release | UL`
    pub release: Set,
    /// `let Acquire = Acquire | LKR`
    pub acquire: Set,
    /// `let critical = ([LKW] ; po-loc ; [UL]) \ (po-loc ; [LKW | UL] ; po-loc)`
    pub critical: Rel,
    /// `let UNMATCHED-LKW = LKW \ domain(critical)`
    pub unmatched_lkw: Set,
    /// `let rfi-lf = ([LKW] ; po-loc ; [LF]) \ ([LKW] ; po-loc ; [UL] ; po-loc)`
    pub rfi_lf: Rel,
    /// `with rfe-lf from cross(all-possible-rfe-lf)`: the execution's choice.
    pub rfe_lf: Rel,
    /// `let rf-lf = rfe-lf | rfi-lf`
    pub rf_lf: Rel,
    /// `with rf-ru from cross(all-possible-rf-ru)`: the execution's choice.
    pub rf_ru: Rel,
    /// `let rf = rf | rf-lf | rf-ru`
    pub rf: Rel,
    /// ```text
    /// let co0 = co0 | ([IW] ; loc ; [LKW]) |
    ///     (([LKW] ; loc ; [UNMATCHED-LKW]) \ [UNMATCHED-LKW])
    /// ```
    pub co0: Rel,
    /// What `co0` adds to stdlib's: `([IW] ; loc ; [LKW]) |
    /// (([LKW] ; loc ; [UNMATCHED-LKW]) \ [UNMATCHED-LKW])`.
    pub co0_locks: Rel,
}

impl Lock {
    pub(super) fn evaluate(
        x: &Execution,
        nat: &Native,
        checker: &mut Checker,
    ) -> Result<Lock, Failed> {
        let mut lock = Lock::fixed(nat, checker)?;
        lock.choose(x, nat, checker);
        Ok(lock)
    }

    /// What depends on the events alone, the same for every candidate of
    /// a skeleton: every field but `rfe-lf`, `rf-lf`, `rf-ru`, `rf` and
    /// `co0` (left empty until [`Lock::choose`]), with the checks and the
    /// flags but `lock-final`.
    pub(super) fn fixed(nat: &Native, checker: &mut Checker) -> Result<Lock, Failed> {
        let all = nat.universe;
        let t = &nat.tags;
        let lf = lf(nat);
        let all_locks =
            nat.lkr | nat.lkw | nat.ul | lf | nat.ru | t.srcu_lock | t.srcu_unlock | t.sync_srcu;
        // flag ~empty [M \ IW \ ALL-LOCKS] ; loc ; [ALL-LOCKS] as mixed-lock-accesses
        let ordinary = nat.m & !nat.iw & !all_locks;
        checker.flag(
            "mixed-lock-accesses",
            !nat.loc.restrict(ordinary, all_locks).is_empty(),
        );

        let lk_rmw = nat
            .po_loc
            .restrict(nat.lkr, nat.lkw)
            .minus(&nat.po.seq(&nat.po));
        let rmw = nat.rmw.union(&lk_rmw);
        // flag ~empty LKW \ range(lk-rmw) as unpaired-LKW
        checker.flag("unpaired-LKW", nat.lkw & !lk_rmw.range() != 0);
        // flag ~empty LKR \ domain(lk-rmw) as unpaired-LKR
        checker.flag("unpaired-LKR", nat.lkr & !lk_rmw.domain() != 0);

        let across_unlock = nat.po_loc.restrict(all, nat.ul).seq(&nat.po_loc);
        // empty ([LKW] ; po-loc ; [LKR]) \ (po-loc ; [UL] ; po-loc) as lock-nest
        let nested = nat.po_loc.restrict(nat.lkw, nat.lkr).minus(&across_unlock);
        checker.axiom("lock-nest", nested.is_empty())?;
        // empty ([LKW] ; po-loc ; [RU]) \ (po-loc ; [UL] ; po-loc) as nested-is-locked
        let nested = nat.po_loc.restrict(nat.lkw, nat.ru).minus(&across_unlock);
        checker.axiom("nested-is-locked", nested.is_empty())?;
        // (flag ~empty [FW] ; loc ; [ALL-LOCKS] as lock-final: in
        // `Lock::choose`, as FW is the candidate's.)

        let r = nat.r | nat.lkr | lf | nat.ru;
        let w = nat.w | nat.lkw;
        let release = t.release | nat.ul;
        let acquire = t.acquire | nat.lkr;

        let critical = critical(nat);
        // flag ~empty UL \ range(critical) as unmatched-unlock
        checker.flag("unmatched-unlock", nat.ul & !critical.range() != 0);
        let unmatched_lkw = nat.lkw & !critical.domain();
        // empty ([UNMATCHED-LKW] ; loc ; [UNMATCHED-LKW]) \ id as unmatched-locks
        let unmatched = nat.loc.restrict(unmatched_lkw, unmatched_lkw);
        checker.axiom("unmatched-locks", nat.minus_id(&unmatched).is_empty())?;

        let rfi_lf = rfi_lf(nat, lf);
        let unmatched_after = nat
            .loc
            .restrict(nat.lkw, unmatched_lkw)
            .minus(&nat.id(unmatched_lkw));
        let co0_locks = nat.loc.restrict(nat.iw, nat.lkw).union(&unmatched_after);
        Ok(Lock {
            lf,
            all_locks,
            lk_rmw,
            rmw,
            r,
            w,
            release,
            acquire,
            critical,
            unmatched_lkw,
            rfi_lf,
            rfe_lf: nat.empty(),
            rf_lf: nat.empty(),
            rf_ru: nat.empty(),
            rf: nat.empty(),
            co0: nat.empty(),
            co0_locks,
        })
    }

    /// The fields that depend on the candidate, from its `rf` and `FW`
    /// (`nat`'s) and its lock choices (`x`'s `rf_lf`, `rf_ru`), with the
    /// `lock-final` flag; `self` is [`Lock::fixed`] of `nat`'s events.
    pub(super) fn choose(&mut self, x: &Execution, nat: &Native, checker: &mut Checker) {
        // flag ~empty [FW] ; loc ; [ALL-LOCKS] as lock-final
        checker.flag(
            "lock-final",
            !nat.loc.restrict(nat.fw, self.all_locks).is_empty(),
        );
        self.rfe_lf.clone_from(&x.rf_lf);
        self.rf_lf = self.rfe_lf.union(&self.rfi_lf);
        self.rf_ru.clone_from(&x.rf_ru);
        self.rf.clone_from(&nat.rf);
        self.rf.union_with(&self.rf_lf);
        self.rf.union_with(&self.rf_ru);
        self.co0.clone_from(&nat.co0);
        self.co0.union_with(&self.co0_locks);
    }
}

/// `let LF = LF | RL`
fn lf(nat: &Native) -> Set {
    nat.lf | nat.rl
}

/// `let critical = ([LKW] ; po-loc ; [UL]) \ (po-loc ; [LKW | UL] ; po-loc)`
fn critical(nat: &Native) -> Rel {
    let between = nat
        .po_loc
        .restrict(nat.universe, nat.lkw | nat.ul)
        .seq(&nat.po_loc);
    nat.po_loc.restrict(nat.lkw, nat.ul).minus(&between)
}

/// `let rfi-lf = ([LKW] ; po-loc ; [LF]) \ ([LKW] ; po-loc ; [UL] ; po-loc)`
fn rfi_lf(nat: &Native, lf: Set) -> Rel {
    let released = nat.po_loc.restrict(nat.lkw, nat.ul).seq(&nat.po_loc);
    nat.po_loc.restrict(nat.lkw, lf).minus(&released)
}

/// `let possible-rfe-noncrit-lf e = (LKW * {e}) & loc & ext`
fn possible_rfe_noncrit_lf(nat: &Native, e: usize) -> Vec<(usize, usize)> {
    let sources = nat.lkw & nat.loc.column(e) & nat.ext.column(e);
    members(sources).map(|w| (w, e)).collect()
}

/// ```text
/// let possible-rf-ru e = (((UL * {e}) & po-loc) \
///             ([UL] ; po-loc ; [UL] ; po-loc)) |
///         (((UL | IW) * {e}) & loc & ext)
/// ```
fn possible_rf_ru(nat: &Native, e: usize) -> Vec<(usize, usize)> {
    let later_unlock = nat
        .po_loc
        .restrict(nat.ul, nat.ul)
        .seq(&nat.po_loc)
        .column(e);
    let last_own = nat.ul & nat.po_loc.column(e) & !later_unlock;
    let external = (nat.ul | nat.iw) & nat.loc.column(e) & nat.ext.column(e);
    members(last_own | external).map(|w| (w, e)).collect()
}

/// ```text
/// let all-possible-rfe-lf =
///     let set-of-singleton-rfe-lf e =
///             map pair-to-relation (possible-rfe-noncrit-lf e)
///     in map set-of-singleton-rfe-lf (LF \ range(rfi-lf))
/// ```
/// One list per failed lock outside a critical section of its own: the
/// edges `cross` picks one of. An empty list leaves no execution.
pub fn all_possible_rfe_lf(nat: &Native) -> Choices {
    let lf = lf(nat);
    let inside = rfi_lf(nat, lf).range();
    members(lf & !inside)
        .map(|e| possible_rfe_noncrit_lf(nat, e))
        .collect()
}

/// ```text
/// let all-possible-rf-ru =
///     let set-of-singleton-rf-ru e =
///         map pair-to-relation (possible-rf-ru e)
///     in map set-of-singleton-rf-ru RU
/// ```
pub fn all_possible_rf_ru(nat: &Native) -> Choices {
    members(nat.ru).map(|e| possible_rf_ru(nat, e)).collect()
}

/// `cos-opt.cat`, as `lock.cat` includes it: the orders among writes the
/// execution already shows, which every coherence order must extend.
#[derive(Clone, Debug)]
pub struct CosOpt {
    /// `let invrf = rf^-1`
    pub invrf: Rel,
    /// ```text
    /// let obsco =
    ///   let ww = po-loc & (W * W)
    ///   and rw = rf ; (po-loc & (R * W))
    ///   and wr = ((po-loc & (W * R)) ; invrf) \ id
    ///   and rr = (rf ; (po-loc & (R * R)) ; invrf) \ id in
    ///   (ww|rw|wr|rr)
    /// ```
    pub obsco: Rel,
    /// `let rmwco = let _RMW = R & W in rf & (W * _RMW)`: empty for the
    /// kernel's C, where no event is both a read and a write.
    pub rmwco: Rel,
    /// `let cobase = obsco|rmwco|co0`
    pub cobase: Rel,
}

impl CosOpt {
    /// `cobase` and its check, `acyclic cobase as ConsCo`.
    pub(super) fn evaluate(
        nat: &Native,
        lock: &Lock,
        checker: &mut Checker,
    ) -> Result<CosOpt, Failed> {
        let cos = CosOpt::new(nat, lock);
        checker.axiom("ConsCo", cos.cobase.is_acyclic())?;
        Ok(cos)
    }

    pub(super) fn new(nat: &Native, lock: &Lock) -> CosOpt {
        let (r, w, rf) = (lock.r, lock.w, &lock.rf);
        let invrf = rf.inverse();
        let ww = nat.po_loc.restrict(w, w);
        let rw = rf.seq(&nat.po_loc.restrict(r, w));
        let wr = nat.minus_id(&nat.po_loc.restrict(w, r).seq(&invrf));
        let rr = nat.minus_id(&rf.seq(&nat.po_loc.restrict(r, r)).seq(&invrf));
        let obsco = ww.union(&rw).union(&wr).union(&rr);
        let rmwco = rf.restrict(w, r & w);
        let cobase = obsco.union(&rmwco).union(&lock.co0);
        CosOpt {
            invrf,
            obsco,
            rmwco,
            cobase,
        }
    }
}

/// `lock.cat` after `include "cos-opt.cat"`.
#[derive(Clone, Debug)]
pub struct Merged {
    /// `let W = W | UL`
    pub w: Set,
    /// `let M = R | W`
    pub m: Set,
    /// `let co = (co | critical | (critical^-1 ; co))+`: each unlock right
    /// after its lock write.
    pub co: Rel,
    /// `let coe = co & ext`
    pub coe: Rel,
    /// `let coi = co & int`
    pub coi: Rel,
    /// `let rf = rf | ([IW | UL] ; singlestep(co) ; lk-rmw^-1)`: a lock
    /// read reads the initial write or unlock just before its lock write.
    pub rf: Rel,
    /// `let rfe = rf & ext`
    pub rfe: Rel,
    /// `let rfi = rf & int`
    pub rfi: Rel,
    /// `let fr = rf^-1 ; co`
    pub fr: Rel,
    /// `let fre = fr & ext`
    pub fre: Rel,
    /// `let fri = fr & int`
    pub fri: Rel,
}

impl Merged {
    /// With `co` the coherence order `with co from generate_cos(cobase)`
    /// chose.
    pub(super) fn evaluate(nat: &Native, lock: &Lock, co: &Rel) -> Merged {
        let critical = &lock.critical;
        let co = co.union(critical).union(&critical.inverse().seq(co)).plus();
        Merged::with_co(nat, lock, co)
    }

    /// [`Merged::evaluate`] with `co` given as the merged one, not made
    /// from the execution's; for [`super::Judge::all_allowed`], whose
    /// `co` is the union of several candidates' (the closure would only
    /// add to it, and an upper bound need not).
    pub(super) fn with_co(nat: &Native, lock: &Lock, co: Rel) -> Merged {
        let w = lock.w | nat.ul;
        let m = lock.r | w;
        // (Without lock events, `lk-rmw` is empty and so is this term.)
        let rf = if lock.lk_rmw.is_empty() {
            lock.rf.clone()
        } else {
            let lock_reads = singlestep(&co)
                .restrict(nat.iw | nat.ul, nat.universe)
                .seq(&lock.lk_rmw.inverse());
            lock.rf.union(&lock_reads)
        };
        let fr = rf.inverse().seq(&co);
        Merged {
            w,
            m,
            coe: co.inter(&nat.ext),
            coi: co.inter(&nat.int),
            rfe: rf.inter(&nat.ext),
            rfi: rf.inter(&nat.int),
            fre: fr.inter(&nat.ext),
            fri: fr.inter(&nat.int),
            co,
            rf,
            fr,
        }
    }
}
