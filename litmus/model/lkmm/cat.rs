//! The Linux-kernel memory model's axioms and flags on one candidate
//! execution: `linux-kernel.bell`, `lock.cat` (with the `cos-opt.cat` it
//! includes) and `linux-kernel.cat` transcribed, so that a verdict is
//! herd7 7.58's (`herd7 -conf linux-kernel.cfg`).
//!
//! herd evaluates `stdlib.cat`, the bell, then `linux-kernel.cat`, whose
//! first line includes `lock.cat`, in one environment where a later `let`
//! shadows an earlier one. Each file part below is one struct holding the
//! names that part binds, each field quoting its `.cat` line, so a reader
//! can hold the two side by side; a part reads the names it sees from the
//! structs before it, which is how the rebindings (`R`, `W`, `M`, `rf`,
//! `co`, `fr`, `rmw`, `Release`, `Acquire`, `fence`, `strong-fence`, the
//! dependencies) are kept exactly as herd scopes them:
//! - [`native`], herd's sets and relations and `stdlib.cat`;
//! - [`bell`], `linux-kernel.bell`;
//! - [`lock`], `lock.cat` before `cos-opt.cat` ([`lock::Lock`]),
//!   `cos-opt.cat` ([`lock::CosOpt`]), `lock.cat` after it
//!   ([`lock::Merged`]);
//! - [`kernel`], `linux-kernel.cat` up to the `rcu` axiom: its fences
//!   ([`kernel::Fences`]), then the rest ([`kernel::Kernel`]);
//! - [`plain`], its plain-access section.
//!
//! The choices the model enumerates (`with ... from`) are the execution's:
//! its `rf_lf`, `rf_ru` and `co`. The enumerator gets their candidates
//! from [`lock_rf_choices`] and [`cobase`].
//!
//! [`relations`] computes every part of one execution; [`judge`] and
//! [`Judge`], the enumerator's, compute the same parts, in the same order,
//! but stop at the first failing check, and [`Judge`] keeps, from one
//! candidate of a skeleton to the next, the parts that read nothing of
//! the candidate or read the same of it (see [`Judge`]).

pub mod bell;
pub mod kernel;
pub mod lock;
pub mod native;
pub mod plain;
#[cfg(test)]
mod tests;

use super::execution::Execution;
use super::rel::{Rel, Set};
use bell::Bell;
use kernel::{Fences, Kernel};
use lock::{CosOpt, Lock, Merged};
use native::Native;
use plain::PlainAccesses;

/// Candidate edges of a `with ... from cross(...)` choice: one list per
/// event, an execution taking one edge from each.
pub type Choices = Vec<Vec<(usize, usize)>>;

/// The model's verdict on one candidate execution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Judgement {
    /// Every check holds; the flags raised, by herd's names, sorted.
    Allowed { flags: Vec<&'static str> },
    /// The first check, in file order, that fails: `lock-nest`,
    /// `nested-is-locked`, `unmatched-locks`, `ConsCo`, `coherence`,
    /// `atomic`, `happens-before`, `propagation`, `rcu`, `plain-coherence`.
    Forbidden { axiom: &'static str },
}

/// Every named set and relation of the model on one execution, with every
/// check's outcome: for explaining a verdict.
#[derive(Clone, Debug)]
pub struct Relations {
    pub native: Native,
    pub bell: Bell,
    pub lock: Lock,
    pub cos: CosOpt,
    pub merged: Merged,
    pub fences: Fences,
    pub kernel: Kernel,
    pub plain: PlainAccesses,
    /// Every check that fails, in file order (herd stops at the first).
    pub failed: Vec<&'static str>,
    /// Every flag raised, whether or not a check fails (in file order
    /// but `lock-final`, after `lock.cat`'s other flags).
    pub flags: Vec<&'static str>,
}

impl Relations {
    /// The verdict these relations give: what [`judge`] returns.
    pub fn judgement(&self) -> Judgement {
        match self.failed.first() {
            Some(&axiom) => Judgement::Forbidden { axiom },
            None => Judgement::Allowed {
                flags: sorted(&self.flags),
            },
        }
    }
}

/// The verdict on `x`: the first failing check, or the flags raised.
/// Computes only what the verdict needs: it stops at the first failing
/// check and skips the plain-access section when `x` has no plain access.
pub fn judge(x: &Execution) -> Judgement {
    Judge::new(x).judge(x)
}

/// The judge of the candidates of one skeleton: executions with the same
/// events (kinds, tags, locations, threads), `po` and dependencies, that
/// differ in their values, `rf`, lock choices, `co` and `FW`. Its verdict
/// on each is [`judge`]'s; it computes less:
/// - herd7's sets and relations ([`Native`]) once, and for each
///   candidate only those that read it (`rf`, `rfe`, `rfi`, `FW`, `co0`,
///   the values: [`Native::set_candidate`]);
/// - `lock.cat`'s lock events, their checks and their flags once
///   (`Lock::fixed`), its reads-from and `co0` for each candidate
///   (`Lock::choose`); and the lock choices once;
/// - the bell, `obsco | rmwco` (`cobase` but `co0`) and the fences again
///   only when what they read of the candidate differs from the last
///   candidate's: `rf` out of the events `data` leads to (not
///   `Srcu-unlock`) for the bell, unless an SRCU lock makes it read the
///   values too; `lock.cat`'s `rf` (with the lock choices) for `obsco |
///   rmwco`; `[UL] ; rf ; [LKR]` for the fences (`Fences::key`). Each
///   is a function of those and of the skeleton, so the kept one is the
///   one the candidate would compute.
pub struct Judge {
    nat: Native,
    choices: (Choices, Choices),
    /// [`Lock::fixed`] and the flags it raised, or the check it fails
    /// (which every candidate then fails first: the bell has no check).
    lock: Result<(Lock, Vec<&'static str>), &'static str>,
    bell: Option<Kept<Bell>>,
    /// The skeleton has no plain access.
    plain_free: bool,
    /// `obsco | rmwco`.
    observed: Option<Kept<Rel>>,
    fences: Option<Kept<Fences>>,
    /// [`kernel::Fixed`] and the makings of the bell and the fences it
    /// was made from.
    fixed: Option<(u64, u64, kernel::Fixed)>,
    /// How many parts were made so far.
    made: u64,
}

/// The parts of the model a candidate's `Kernel` reads, kept or made.
struct Parts<'a> {
    nat: &'a Native,
    bell: &'a Bell,
    lock: &'a Lock,
    merged: Merged,
    fences: &'a Fences,
    fixed: &'a kernel::Fixed,
}

/// A part of the model as the last candidate made it, what it read of that
/// candidate, and the flags it raised.
struct Kept<T> {
    key: (Rel, Set),
    value: T,
    flags: Vec<&'static str>,
    /// Which making this is: a number no other making of any part had.
    made: u64,
}

impl<T> Kept<T> {
    /// The kept part if `key` is the one it was made for, else the part
    /// `make` makes (and keeps); its flags raised either way. A key whose
    /// set is `Set::MAX` matches none.
    /// `made` counts the makings of every part.
    fn get<'a>(
        kept: &'a mut Option<Kept<T>>,
        made: &mut u64,
        key: (Rel, Set),
        checker: &mut Checker,
        make: impl FnOnce(&mut Checker) -> T,
    ) -> &'a Kept<T> {
        if key.1 == Set::MAX || kept.as_ref().is_none_or(|k| k.key != key) {
            let mut own = Checker::judging();
            let value = make(&mut own);
            *made += 1;
            *kept = Some(Kept {
                key,
                value,
                flags: own.flags,
                made: *made,
            });
        }
        let kept = kept.as_ref().expect("kept above");
        checker.flags.extend(&kept.flags);
        kept
    }
}

impl Judge {
    /// The judge of `x`'s skeleton (`x`'s own rf, values and choices do
    /// not matter).
    pub fn new(x: &Execution) -> Judge {
        let nat = Native::new(x, x.fw);
        let choices = (
            lock::all_possible_rfe_lf(&nat),
            lock::all_possible_rf_ru(&nat),
        );
        let mut checker = Checker::judging();
        let lock = match Lock::fixed(&nat, &mut checker) {
            Ok(lock) => Ok((lock, checker.flags)),
            Err(Failed(axiom)) => Err(axiom),
        };
        let plain_free = Bell::evaluate(&nat, &mut Checker::judging()).plain == 0;
        Judge {
            nat,
            choices,
            lock,
            plain_free,
            bell: None,
            observed: None,
            fences: None,
            fixed: None,
            made: 0,
        }
    }

    /// [`judge`] of `x`, a candidate of this judge's skeleton.
    pub fn judge(&mut self, x: &Execution) -> Judgement {
        self.verdict(x, Checker::judging())
    }

    /// [`Judge::judge`] of a candidate known to pass `ConsCo`, `coherence`
    /// and `atomic`, which are not evaluated (the pruned enumeration's,
    /// on a [`Judge::monotone`] skeleton: each location's order passed the
    /// last two alone, and `ConsCo` holds of every linear extension of
    /// `cobase` there; see [`super::enumerate`]). The verdict is the same:
    /// the checks left out would hold.
    pub fn judge_coherent(&mut self, x: &Execution) -> Judgement {
        let checker = Checker {
            coherent: true,
            ..Checker::judging()
        };
        self.verdict(x, checker)
    }

    fn verdict(&mut self, x: &Execution, mut checker: Checker) -> Judgement {
        self.nat.set_candidate(x, x.fw);
        match self.judged(x, &mut checker) {
            Ok(()) => Judgement::Allowed {
                flags: sorted(&checker.flags),
            },
            Err(Failed(axiom)) => Judgement::Forbidden { axiom },
        }
    }

    /// The checks in file order, stopping at the first failing; keeping
    /// what the next candidate may reuse.
    fn judged(&mut self, x: &Execution, checker: &mut Checker) -> Result<(), Failed> {
        let Parts {
            nat,
            bell,
            lock,
            merged,
            fences,
            fixed,
        } = self.parts(x, checker, None)?;
        let kernel = Kernel::evaluate(nat, bell, lock, &merged, fences, fixed, checker)?;
        if bell.plain != 0 {
            PlainAccesses::evaluate(nat, bell, &merged, fences, &kernel, checker)?;
        }
        Ok(())
    }

    /// The parts [`Kernel::evaluate`] reads for `x` (whose `nat` is set),
    /// kept or made, with `lock.cat`'s checks and flags and `ConsCo`
    /// (unless known); `co`, when given, is the merged `co`
    /// ([`Merged::with_co`]), else `x`'s is merged.
    fn parts(
        &mut self,
        x: &Execution,
        checker: &mut Checker,
        co: Option<Rel>,
    ) -> Result<Parts<'_>, Failed> {
        let nat = &self.nat;
        let made = &mut self.made;
        let bell = Kept::get(&mut self.bell, made, bell_key(nat), checker, |c| {
            Bell::evaluate(nat, c)
        });
        let lock = match &mut self.lock {
            Ok((lock, flags)) => {
                checker.flags.extend(flags.iter());
                lock
            }
            Err(axiom) => return Err(Failed(axiom)),
        };
        lock.choose(x, nat, checker);
        let lock = &*lock;
        if !checker.known("ConsCo") {
            let key = (lock.rf.clone(), 0);
            let observed = Kept::get(&mut self.observed, made, key, checker, |_| {
                observed(nat, lock)
            });
            // acyclic cobase as ConsCo
            checker.axiom("ConsCo", observed.value.union(&lock.co0).is_acyclic())?;
        }
        let merged = match co {
            Some(co) => Merged::with_co(nat, lock, co),
            None => Merged::evaluate(nat, lock, &x.co),
        };
        let key = (Fences::key(nat, &merged), 0);
        let fences = Kept::get(&mut self.fences, made, key, checker, |_| {
            Fences::evaluate(nat, lock, &merged)
        });
        let from = (bell.made, fences.made);
        let (bell, fences) = (&bell.value, &fences.value);
        if self.fixed.as_ref().is_none_or(|(b, f, _)| (*b, *f) != from) {
            self.fixed = Some((
                from.0,
                from.1,
                kernel::Fixed::evaluate(nat, bell, lock, fences),
            ));
        }
        let fixed = &self.fixed.as_ref().expect("made above").2;
        Ok(Parts {
            nat,
            bell,
            lock,
            merged,
            fences,
            fixed,
        })
    }

    /// Whether the skeleton's every check that [`Judge::refuted`] runs
    /// reads `co` monotonically: it has no lock event (`lock.cat` makes a
    /// lock read read the unlock or initial write *just* before its lock
    /// write in `co`, `singlestep(co)`, which more edges may remove).
    pub fn monotone(&self) -> bool {
        let nat = &self.nat;
        nat.lkr | nat.lkw | nat.ul | nat.lf | nat.rl | nat.ru == 0
    }

    /// Whether every candidate whose `co` contains `x.co` (with `x`'s rf,
    /// lock choices and values) is forbidden: `x`, a partial execution
    /// whose `co` orders only some writes, fails `lock.cat`'s checks on
    /// the lock events or one of `coherence`, `atomic`, `happens-before`,
    /// `propagation` and `rcu`. On a [`Judge::monotone`] skeleton every
    /// relation those five read grows with `co` (`fr`, `overwrite`,
    /// `prop`, `hb`, `pb`, `rcu-link`, the least fixpoint `rcu-order`,
    /// `rb`; none has `co` under a difference or a `singlestep`), and each
    /// check (`acyclic`, `empty`, `irreflexive`) failing on a relation
    /// fails on every larger one: so a completion fails one of them too,
    /// or an earlier check, and is forbidden. Only the first failing
    /// check's name could differ, which the pruned search does not
    /// report. False when not [`Judge::monotone`].
    pub fn refuted(&mut self, x: &Execution) -> bool {
        if !self.monotone() {
            return false;
        }
        self.nat.set_candidate(x, 0);
        // (`ConsCo` reads `FW`, which a partial execution has not.)
        let mut checker = Checker {
            coherent: true,
            ..Checker::judging()
        };
        let Ok(Parts {
            nat,
            bell,
            lock,
            merged,
            fences,
            fixed,
        }) = self.parts(x, &mut checker, None)
        else {
            return true;
        };
        let mut checker = Checker::judging();
        Kernel::evaluate(nat, bell, lock, &merged, fences, fixed, &mut checker).is_err()
    }

    /// Whether the skeleton has no plain access: no flag but the bell's
    /// (which reads rf alone) and `lock.cat`'s then, and no
    /// `plain-coherence` check.
    pub fn plain_free(&self) -> bool {
        self.plain_free
    }

    /// Whether `happens-before`, `propagation` and `rcu` hold when `co`
    /// is `x.co`, a relation containing the `co` of several candidates
    /// (with `x`'s rf, lock choices and values): the union of their
    /// orders. On a [`Judge::monotone`] skeleton every relation those
    /// checks read grows with `co` (see [`Judge::refuted`]), so they then
    /// hold for each of those candidates too. `coherence` and `atomic`
    /// are not checked: they relate the events of one location only, and
    /// the enumeration holds each location's orders to them before. False
    /// when not monotone or when `lock.cat`'s checks on the lock events
    /// fail.
    pub fn all_allowed(&mut self, x: &Execution) -> bool {
        if !self.monotone() {
            return false;
        }
        self.nat.set_candidate(x, 0);
        let mut checker = Checker {
            coherent: true,
            ..Checker::judging()
        };
        let Ok(Parts {
            nat,
            bell,
            lock,
            merged,
            fences,
            fixed,
        }) = self.parts(x, &mut checker, Some(x.co.clone()))
        else {
            return false;
        };
        let mut checker = Checker {
            coherent: true,
            ..Checker::complete()
        };
        complete(Kernel::evaluate(
            nat,
            bell,
            lock,
            &merged,
            fences,
            fixed,
            &mut checker,
        ));
        checker.failed.is_empty()
    }

    /// [`cobase`] of `x`, a candidate of this judge's skeleton.
    pub fn cobase(&mut self, x: &Execution) -> Rel {
        self.nat.set_candidate(x, 0);
        match &mut self.lock {
            Ok((lock, _)) => {
                let nat = &self.nat;
                lock.choose(x, nat, &mut Checker::complete());
                let lock = &*lock;
                let key = (lock.rf.clone(), 0);
                let mut checker = Checker::complete();
                let observed = Kept::get(
                    &mut self.observed,
                    &mut self.made,
                    key,
                    &mut checker,
                    |_| observed(nat, lock),
                );
                observed.value.union(&lock.co0).plus()
            }
            Err(_) => cobase_of(x, &self.nat),
        }
    }

    /// [`lock_rf_choices`] of this judge's skeleton.
    pub fn lock_rf_choices(&self) -> &(Choices, Choices) {
        &self.choices
    }
}

/// Every relation of the model on `x`, every check run.
pub fn relations(x: &Execution) -> Relations {
    let mut checker = Checker::complete();
    let checker = &mut checker;
    let nat = Native::new(x, x.fw);
    let bell = Bell::evaluate(&nat, checker);
    let lock = complete(Lock::evaluate(x, &nat, checker));
    let cos = complete(CosOpt::evaluate(&nat, &lock, checker));
    let merged = Merged::evaluate(&nat, &lock, &x.co);
    let fences = Fences::evaluate(&nat, &lock, &merged);
    let fixed = kernel::Fixed::evaluate(&nat, &bell, &lock, &fences);
    let kernel = complete(Kernel::evaluate(
        &nat, &bell, &lock, &merged, &fences, &fixed, checker,
    ));
    let plain = complete(PlainAccesses::evaluate(
        &nat, &bell, &merged, &fences, &kernel, checker,
    ));
    Relations {
        native: nat,
        bell,
        lock,
        cos,
        merged,
        fences,
        kernel,
        plain,
        failed: std::mem::take(&mut checker.failed),
        flags: std::mem::take(&mut checker.flags),
    }
}

/// `cos-opt.cat`'s `cobase = obsco|rmwco|co0`, with `lock.cat`'s
/// additions to `co0` (`IW -> LKW`, `LKW -> UNMATCHED-LKW`), without
/// stdlib's `(W\FW) * FW` term (the enumerator makes the final write
/// co-last itself), and transitively closed.
///
/// It reads `x.rf_lf` and `x.rf_ru`: `lock.cat` makes those choices before
/// it includes `cos-opt.cat`, and `obsco` reads its `rf`. It ignores `x.co`
/// and `x.fw`.
///
/// Closed because herd's `linearisations` closes it over every event
/// before keeping the pairs of writes (`lib/innerRel.ml`
/// `fold_topos_ext`): a path through an unlock, which is no write yet,
/// orders the writes at its ends. The coherence orders are the per-location
/// linearisations of `W | LKW` that extend it. `acyclic cobase as ConsCo`
/// holds exactly when this closure is irreflexive.
pub fn cobase(x: &Execution) -> Rel {
    cobase_of(x, &Native::new(x, 0))
}

/// What the bell reads of a candidate: `rf` after a `data` edge only
/// (`carry-srcu-data`, `carry-dep`), and the values through `srcu-rscs`
/// only, empty without `Srcu-lock`; with one, a key no other candidate
/// has (the bell is made again for each).
fn bell_key(nat: &Native) -> (Rel, Set) {
    let after_data = nat.data.range() & !nat.tags.srcu_unlock;
    let rf = nat.rf.restrict(after_data, nat.universe);
    (rf, if nat.tags.srcu_lock != 0 { Set::MAX } else { 0 })
}

/// `cos-opt.cat`'s `obsco | rmwco`: `cobase` but `co0`.
fn observed(nat: &Native, lock: &Lock) -> Rel {
    let cos = CosOpt::new(nat, lock);
    cos.obsco.union(&cos.rmwco)
}

fn cobase_of(x: &Execution, nat: &Native) -> Rel {
    let lock = complete(Lock::evaluate(x, nat, &mut Checker::complete()));
    CosOpt::new(nat, &lock).cobase.plus()
}

/// The candidates of `lock.cat`'s two `with ... from cross(...)`: one list
/// per failed lock (`LF | RL`) outside a critical section of its own, of
/// its possible `rfe-lf` edges (an `LKW` of another thread at its
/// location), and one list per `RU`, of its `possible-rf-ru` edges. An
/// execution takes one edge from each list; an empty list means none.
/// Ignores `x.rf_lf`, `x.rf_ru`, `x.co`.
pub fn lock_rf_choices(x: &Execution) -> (Choices, Choices) {
    let nat = Native::new(x, x.fw);
    (
        lock::all_possible_rfe_lf(&nat),
        lock::all_possible_rf_ru(&nat),
    )
}

/// Flag names sorted and deduplicated, as herd prints them.
fn sorted(flags: &[&'static str]) -> Vec<&'static str> {
    let mut flags = flags.to_vec();
    flags.sort_unstable();
    flags.dedup();
    flags
}

/// Runs the model's checks in file order and records the flags.
struct Checker {
    /// Run every check and compute every relation (for [`relations`]),
    /// rather than stop at the first failure (for [`judge`]).
    complete: bool,
    /// `ConsCo`, `coherence` and `atomic` are known to hold (the
    /// enumeration made the candidate so: [`Judge::judge_coherent`]) and
    /// are not evaluated.
    coherent: bool,
    failed: Vec<&'static str>,
    flags: Vec<&'static str>,
}

/// A check failed and the judge stops there.
struct Failed(&'static str);

impl Checker {
    fn judging() -> Checker {
        Checker {
            complete: false,
            coherent: false,
            failed: Vec::new(),
            flags: Vec::new(),
        }
    }

    fn complete() -> Checker {
        Checker {
            complete: true,
            ..Checker::judging()
        }
    }

    /// `empty r as name`, `acyclic r as name`, ...: `holds` is the check.
    fn axiom(&mut self, name: &'static str, holds: bool) -> Result<(), Failed> {
        if !holds {
            self.failed.push(name);
            if !self.complete {
                return Err(Failed(name));
            }
        }
        Ok(())
    }

    /// `flag ~empty r as name`: `raised` is `r` being non-empty.
    fn flag(&mut self, name: &'static str, raised: bool) {
        if raised {
            self.flags.push(name);
        }
    }

    /// Whether a relation the verdict cannot depend on may be left out.
    fn may_skip(&self) -> bool {
        !self.complete
    }

    /// Whether the check `name` (`ConsCo`, `coherence`, `atomic`) is
    /// known to hold, and need not be evaluated.
    fn known(&self, name: &'static str) -> bool {
        self.coherent && matches!(name, "ConsCo" | "coherence" | "atomic")
    }
}

/// The result of an evaluation that runs every check, which never stops.
fn complete<T>(result: Result<T, Failed>) -> T {
    match result {
        Ok(t) => t,
        Err(Failed(axiom)) => unreachable!("a complete evaluation stopped at {axiom}"),
    }
}
