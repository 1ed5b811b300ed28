//! `linux-kernel.cat` from its first line to `irreflexive rb as rcu`: the
//! fences, coherence, atomicity, preserved program order, propagation,
//! happens-before and the RCU ordering, with their axioms.
//!
//! The names it reads are bound as `lock.cat` and the bell left them: `R`,
//! `Release`, `Acquire`, `rmw` from [`Lock`]; `W`, `M`, `rf`, `co`, `fr`
//! and their `e`/`i` parts from [`Merged`]; `addr`, `data`, `ctrl`,
//! `Marked`, `Plain` from [`Bell`]; `po`, `loc`, `po-loc`, `int`, `ext`,
//! `RMW` and the tag sets from [`Native`].
//!
//! The file later rebinds `fence` and `strong-fence` to include
//! `rcu-fence`, after `pb` is defined and before `rb`, which reads
//! neither; the rebound pair is in [`super::plain`], the only part that
//! reads them. Here `fence` and `strong-fence` are the first ones.

use super::super::rel::{Among, Rel, Set, members};
use super::bell::Bell;
use super::lock::{Lock, Merged};
use super::native::Native;
use super::{Checker, Failed};

/// `linux-kernel.cat`'s first two sections, "Release Acquire" and
/// "Fences", with `barrier`: the orderings the fences and the release
/// and acquire accesses give. They read the candidate only through
/// `po-unlock-lock-po`'s `[UL] ; rf ; [LKR]` (a lock reading an unlock),
/// so the judge of a skeleton's candidates keeps them while that is the
/// same ([`super::Judge`]).
#[derive(Clone, Debug)]
pub struct Fences {
    /// `let acq-po = [Acquire] ; po ; [M]`
    pub acq_po: Rel,
    /// `let po-rel = [M] ; po ; [Release]`
    pub po_rel: Rel,
    /// `let po-unlock-lock-po = po ; [UL] ; (po|rf) ; [LKR] ; po`
    pub po_unlock_lock_po: Rel,
    /// `let R4rmb = R \ Noreturn`
    pub r4rmb: Set,
    /// `let rmb = [R4rmb] ; fencerel(Rmb) ; [R4rmb]`
    pub rmb: Rel,
    /// `let wmb = [W] ; fencerel(Wmb) ; [W]`
    pub wmb: Rel,
    /// ```text
    /// let mb = ([M] ; fencerel(Mb) ; [M]) |
    ///     ([M] ; fencerel(Before-atomic) ; [RMW] ; po? ; [M]) |
    ///     ([M] ; po? ; [RMW] ; fencerel(After-atomic) ; [M]) |
    ///     ([M] ; po? ; [LKW] ; fencerel(After-spinlock) ; [M]) |
    ///     ([M] ; po-unlock-lock-po ;
    ///         [After-unlock-lock] ; po ; [M]) |
    ///     ([M] ; po? ; [Srcu-unlock] ; fencerel(After-srcu-read-unlock) ; [M])
    /// ```
    pub mb: Rel,
    /// `let gp = po ; [Sync-rcu | Sync-srcu] ; po?`
    pub gp: Rel,
    /// `let strong-fence = mb | gp` (the first binding: `pb` reads this one)
    pub strong_fence: Rel,
    /// `let nonrw-fence = strong-fence | po-rel | acq-po`
    pub nonrw_fence: Rel,
    /// `let fence = nonrw-fence | wmb | rmb` (the first binding: `ppo` reads
    /// this one)
    pub fence: Rel,
    /// ```text
    /// let barrier = fencerel(Barrier | Rmb | Wmb | Mb | Sync-rcu | Sync-srcu |
    ///         Before-atomic | After-atomic | Acquire | Release |
    ///         Rcu-lock | Rcu-unlock | Srcu-lock | Srcu-unlock) |
    ///     (po ; [Release]) | ([Acquire] ; po)
    /// ```
    pub barrier: Rel,
}

impl Fences {
    pub(super) fn evaluate(nat: &Native, lock: &Lock, merged: &Merged) -> Fences {
        let all = nat.universe;
        let t = &nat.tags;
        let po = &nat.po;
        // The bindings in scope, as the bell and lock.cat left them.
        let (r, w, m) = (lock.r, merged.w, merged.m);
        let (release, acquire) = (lock.release, lock.acquire);
        let rf = &merged.rf;
        let po_opt = po.opt();

        // Release Acquire
        let acq_po = po.restrict(acquire, m);
        let po_rel = po.restrict(m, release);
        let po_unlock_lock_po = po
            .restrict(all, nat.ul)
            .seq(&po.union(rf).restrict(nat.ul, nat.lkr))
            .seq(po);

        // Fences
        let r4rmb = r & !t.noreturn;
        let rmb = nat.fencerel(t.rmb).restrict(r4rmb, r4rmb);
        let wmb = nat.fencerel(t.wmb).restrict(w, w);
        let mb = nat
            .fencerel(t.mb)
            .restrict(m, m)
            .union(
                &nat.fencerel(t.before_atomic)
                    .restrict(m, nat.rmw_events)
                    .seq(&po_opt)
                    .restrict(all, m),
            )
            .union(
                &po_opt
                    .restrict(m, nat.rmw_events)
                    .seq(&nat.fencerel(t.after_atomic))
                    .restrict(all, m),
            )
            .union(
                &po_opt
                    .restrict(m, nat.lkw)
                    .seq(&nat.fencerel(t.after_spinlock))
                    .restrict(all, m),
            )
            .union(
                &po_unlock_lock_po
                    .restrict(m, t.after_unlock_lock)
                    .seq(po)
                    .restrict(all, m),
            )
            .union(
                &po_opt
                    .restrict(m, t.srcu_unlock)
                    .seq(&nat.fencerel(t.after_srcu_read_unlock))
                    .restrict(all, m),
            );
        let gp = po.restrict(all, t.sync_rcu | t.sync_srcu).seq(&po_opt);
        let strong_fence = mb.union(&gp);
        let nonrw_fence = strong_fence.union(&po_rel).union(&acq_po);
        let fence = nonrw_fence.union(&wmb).union(&rmb);
        let barrier = nat
            .fencerel(
                t.barrier
                    | t.rmb
                    | t.wmb
                    | t.mb
                    | t.sync_rcu
                    | t.sync_srcu
                    | t.before_atomic
                    | t.after_atomic
                    | acquire
                    | release
                    | t.rcu_lock
                    | t.rcu_unlock
                    | t.srcu_lock
                    | t.srcu_unlock,
            )
            .union(&po.restrict(all, release))
            .union(&po.restrict(acquire, all));
        Fences {
            acq_po,
            po_rel,
            po_unlock_lock_po,
            r4rmb,
            rmb,
            wmb,
            mb,
            gp,
            strong_fence,
            nonrw_fence,
            fence,
            barrier,
        }
    }

    /// What of the candidate the fences read: `[UL] ; rf ; [LKR]`.
    pub(super) fn key(nat: &Native, merged: &Merged) -> Rel {
        merged.rf.restrict(nat.ul, nat.lkr)
    }
}

/// The relations of `linux-kernel.cat` after its fences, up to the `rcu`
/// axiom.
#[derive(Clone, Debug)]
pub struct Kernel {
    /// `let com = rf | co | fr`
    pub com: Rel,
    /// `let dep = addr | data`
    pub dep: Rel,
    /// `let rwdep = (dep | ctrl) ; [W]`
    pub rwdep: Rel,
    /// `let overwrite = co | fr`
    pub overwrite: Rel,
    /// `let to-w = rwdep | (overwrite & int) | (addr ; [Plain] ; wmb)`
    pub to_w: Rel,
    /// `let to-r = (addr ; [R]) | (dep ; [Marked] ; rfi)`
    pub to_r: Rel,
    /// `let ppo = to-r | to-w | (fence & int) | (po-unlock-lock-po & int)`
    pub ppo: Rel,
    /// `let rmw-sequence = (rf ; rmw)*`
    pub rmw_sequence: Rel,
    /// ```text
    /// let cumul-fence = [Marked] ; (A-cumul(strong-fence | po-rel) | wmb |
    ///     po-unlock-lock-po) ; [Marked] ; rmw-sequence
    /// ```
    pub cumul_fence: Rel,
    /// `cumul-fence*`, which `prop` and the plain section's `vis` read.
    pub cumul_fence_star: Rel,
    /// ```text
    /// let prop = [Marked] ; (overwrite & ext)? ; cumul-fence* ;
    ///     [Marked] ; rfe? ; [Marked]
    /// ```
    pub prop: Rel,
    /// `let hb = [Marked] ; (ppo | rfe | ((prop \ id) & int)) ; [Marked]`
    pub hb: Rel,
    /// `let pb = prop ; strong-fence ; hb* ; [Marked]`
    pub pb: Rel,
    /// `let rcu-gp = [Sync-rcu]`: the set it is the identity on.
    pub rcu_gp: Set,
    /// `let srcu-gp = [Sync-srcu]`: the set it is the identity on.
    pub srcu_gp: Set,
    /// `let rcu-rscsi = rcu-rscs^-1`
    pub rcu_rscsi: Rel,
    /// `let srcu-rscsi = srcu-rscs^-1`
    pub srcu_rscsi: Rel,
    /// `let rcu-link = po? ; hb* ; pb* ; prop ; po`. [`super::judge`]
    /// keeps only its rows at the grace periods (`Sync-rcu`, `Sync-srcu`)
    /// and the read-side critical sections' locks (`range(rcu-rscsi)`,
    /// `range(srcu-rscsi)`), and its columns at the grace periods and the
    /// unlocks (the domains): `rcu-order` relates a grace period or an
    /// unlock to a grace period or a lock (by induction on its terms), so
    /// every term reads `rcu-link` between those only, and so does the
    /// `rcu` check (see there). Without a grace period it is left empty:
    /// `rcu-order` is then empty whatever `rcu-link` is.
    pub rcu_link: Rel,
    /// ```text
    /// let rec rcu-order = rcu-gp | srcu-gp |
    ///     (rcu-gp ; rcu-link ; rcu-rscsi) |
    ///     ((srcu-gp ; rcu-link ; srcu-rscsi) & loc) |
    ///     (rcu-rscsi ; rcu-link ; rcu-gp) |
    ///     ((srcu-rscsi ; rcu-link ; srcu-gp) & loc) |
    ///     (rcu-gp ; rcu-link ; rcu-order ; rcu-link ; rcu-rscsi) |
    ///     ((srcu-gp ; rcu-link ; rcu-order ; rcu-link ; srcu-rscsi) & loc) |
    ///     (rcu-rscsi ; rcu-link ; rcu-order ; rcu-link ; rcu-gp) |
    ///     ((srcu-rscsi ; rcu-link ; rcu-order ; rcu-link ; srcu-gp) & loc) |
    ///     (rcu-order ; rcu-link ; rcu-order)
    /// ```
    pub rcu_order: Rel,
    /// `let rcu-fence = po ; rcu-order ; po?` (left empty by
    /// [`super::judge`] when the execution has no plain access: only the
    /// plain section reads it)
    pub rcu_fence: Rel,
    /// `let rb = prop ; rcu-fence ; hb* ; pb* ; [Marked]` (left empty as
    /// `rcu-fence` is)
    pub rb: Rel,
}

/// The parts of [`Kernel`]'s definitions that read the bell, the fences
/// and the events alone (not rf, not co): made once for each bell and
/// fences ([`super::Judge`] keeps them while it keeps those), the rest of
/// each definition added for each candidate.
#[derive(Clone, Debug)]
pub(super) struct Fixed {
    /// `po?`
    po_opt: Rel,
    /// `dep`, `rwdep`, as [`Kernel`]'s.
    dep: Rel,
    rwdep: Rel,
    /// `rwdep | (addr ; [Plain] ; wmb)`: `to-w` but `overwrite & int`.
    to_w: Rel,
    /// `addr ; [R]`: `to-r` but `dep ; [Marked] ; rfi`.
    to_r: Rel,
    /// `dep ; [Marked]`.
    dep_marked: Rel,
    /// `ppo` but `overwrite & int` and `dep ; [Marked] ; rfi`: the two
    /// parts above, `fence & int` and `po-unlock-lock-po & int`.
    ppo: Rel,
    /// `[Marked] ; (strong-fence | po-rel | wmb | po-unlock-lock-po) ;
    /// [Marked]`: `cumul-fence` before `rmw-sequence`, but for
    /// `A-cumul`'s `rfe ; [Marked]` term.
    cumul: Rel,
    /// `(strong-fence | po-rel) ; [Marked]`, which that term ends with.
    cumulated: Rel,
    /// `rcu-rscsi`, `srcu-rscsi`, as [`Kernel`]'s.
    rcu_rscsi: Rel,
    srcu_rscsi: Rel,
    /// `[rows] ; po?` and `po ; [columns]`, `rcu-link`'s ends as the
    /// judge computes it (see [`Kernel::rcu_link`]).
    po_rows: Rel,
    po_columns: Rel,
}

impl Fixed {
    pub(super) fn evaluate(nat: &Native, bell: &Bell, lock: &Lock, fences: &Fences) -> Fixed {
        let all = nat.universe;
        let t = &nat.tags;
        let (po, int) = (&nat.po, &nat.int);
        let (r, w) = (lock.r, lock.w | nat.ul);
        let (addr, data, ctrl) = (&bell.addr, &bell.data, &bell.ctrl);
        let (marked, plain) = (bell.marked, bell.plain);
        let po_opt = po.opt();
        let dep = addr.union(data);
        let rwdep = dep.union(ctrl).restrict(all, w);
        let to_w = rwdep.union(&addr.restrict(all, plain).seq(&fences.wmb));
        let to_r = addr.restrict(all, r);
        let mut ppo = to_r.union(&to_w);
        ppo.union_with(&fences.fence.inter(int));
        ppo.union_with(&fences.po_unlock_lock_po.inter(int));
        let strong_or_release = fences.strong_fence.union(&fences.po_rel);
        let cumul = strong_or_release
            .union(&fences.wmb)
            .union(&fences.po_unlock_lock_po)
            .restrict(marked, marked);
        let (rcu_gp, srcu_gp) = (t.sync_rcu, t.sync_srcu);
        let rcu_rscsi = bell.rcu_rscs.inverse();
        let srcu_rscsi = bell.srcu_rscs.inverse();
        let rows = rcu_gp | srcu_gp | rcu_rscsi.range() | srcu_rscsi.range();
        let columns = rcu_gp | srcu_gp | rcu_rscsi.domain() | srcu_rscsi.domain();
        Fixed {
            po_rows: po_opt.restrict(rows, all),
            po_columns: po.restrict(all, columns),
            po_opt,
            dep_marked: dep.restrict(all, marked),
            dep,
            rwdep,
            to_w,
            to_r,
            ppo,
            cumul,
            cumulated: strong_or_release.restrict(all, marked),
            rcu_rscsi,
            srcu_rscsi,
        }
    }
}

impl Kernel {
    /// With `fixed` made from the same bell, fences and events.
    pub(super) fn evaluate(
        nat: &Native,
        bell: &Bell,
        lock: &Lock,
        merged: &Merged,
        fences: &Fences,
        fixed: &Fixed,
        checker: &mut Checker,
    ) -> Result<Kernel, Failed> {
        let all = nat.universe;
        let t = &nat.tags;
        let (po, int, ext) = (&nat.po, &nat.int, &nat.ext);
        // The bindings in scope, as the bell and lock.cat left them.
        let rmw = &lock.rmw;
        let (rf, rfe, rfi) = (&merged.rf, &merged.rfe, &merged.rfi);
        let (co, fr) = (&merged.co, &merged.fr);
        let marked = bell.marked;
        let po_opt = &fixed.po_opt;
        let strong_fence = &fences.strong_fence;

        // Sequential Consistency Per Variable
        let com = rf.union(co).union(fr);
        if !checker.known("coherence") {
            checker.axiom("coherence", nat.po_loc.union(&com).is_acyclic())?;
        }
        // Atomic Read-Modify-Write
        if !checker.known("atomic") {
            let broken = rmw.inter(&merged.fre.seq(&merged.coe));
            checker.axiom("atomic", broken.is_empty())?;
        }

        // Preserved Program Order (each definition as `fixed`'s part
        // and what reads the candidate: see [`Fixed`])
        let dep = fixed.dep.clone();
        let rwdep = fixed.rwdep.clone();
        let overwrite = co.union(fr);
        let overwrite_int = overwrite.inter(int);
        let to_w = fixed.to_w.union(&overwrite_int);
        let dep_rfi = fixed.dep_marked.seq(rfi);
        let to_r = fixed.to_r.union(&dep_rfi);
        let mut ppo = fixed.ppo.union(&overwrite_int);
        ppo.union_with(&dep_rfi);

        // Propagation: Ordering from release operations and strong fences.
        // (`r? ; s` is computed as `s | (r ; s)`, `r ; s?` as `r | (r ;
        // s)`, and `r ; s*` as `r | (r ; s+)`: the same relations, through
        // the few rows of `r` or `s` rather than every row of the
        // identity.)
        // let A-cumul(r) = (rfe ; [Marked])? ; r, on strong-fence | po-rel
        let rmw_plus = rf.seq(rmw).plus();
        let rmw_sequence = rmw_plus.opt();
        let cumul_fence = fixed
            .cumul
            .union(&rfe.restrict(marked, marked).seq(&fixed.cumulated))
            .seq_opt(&rmw_plus);
        let cumul_plus = cumul_fence.plus();
        let cumul_fence_star = cumul_plus.opt();
        let prop = overwrite
            .inter(ext)
            .opt()
            .restrict(marked, all)
            .seq_opt(&cumul_plus)
            .restrict(all, marked)
            .seq_opt(rfe)
            .restrict(all, marked);

        // Happens Before
        let hb = ppo
            .union(rfe)
            .union(&nat.minus_id(&prop).inter(int))
            .restrict(marked, marked);
        checker.axiom("happens-before", hb.is_acyclic())?;
        let hb_plus = hb.plus();

        // Propagation: Each non-rf link needs a strong fence.
        let pb = prop
            .seq(strong_fence)
            .seq_opt(&hb_plus)
            .restrict(all, marked);
        checker.axiom("propagation", pb.is_acyclic())?;
        let pb_plus = pb.plus();

        // RCU
        let (rcu_gp, srcu_gp) = (t.sync_rcu, t.sync_srcu);
        let rcu_rscsi = fixed.rcu_rscsi.clone();
        let srcu_rscsi = fixed.srcu_rscsi.clone();
        let rcu_link = if !checker.may_skip() {
            po_opt
                .seq_opt(&hb_plus)
                .seq_opt(&pb_plus)
                .seq(&prop)
                .seq(po)
        } else if rcu_gp | srcu_gp == 0 {
            nat.empty()
        } else {
            // The rows and columns `rcu-order` and the check below read.
            fixed
                .po_rows
                .seq_opt(&hb_plus)
                .seq_opt(&pb_plus)
                .seq(&prop)
                .seq(&fixed.po_columns)
        };
        let rcu_order = rcu_order(nat, rcu_gp, srcu_gp, &rcu_link, &rcu_rscsi, &srcu_rscsi);
        let (rcu_fence, rb);
        if checker.may_skip() && (bell.plain == 0 || rcu_order.is_empty()) {
            // irreflexive rb as rcu, rotated: `rb` is `prop ; po ;
            // rcu-order ; po? ; hb* ; pb* ; [Marked]`, and `prop` starts
            // with `[Marked]`, so `rb` has a loop exactly when `rcu-order
            // ; rcu-link` has one. Only the plain section reads `rb` and
            // `rcu-fence`, so without plain accesses (or with an empty
            // `rcu-order`, which makes both empty) they are left empty.
            let looped = members(rcu_order.domain())
                .any(|a| members(rcu_order.row(a)).any(|b| rcu_link.has(b, a)));
            checker.axiom("rcu", !looped)?;
            (rcu_fence, rb) = (nat.empty(), nat.empty());
        } else {
            rcu_fence = po.seq(&rcu_order).seq(po_opt);
            rb = prop
                .seq(&rcu_fence)
                .seq_opt(&hb_plus)
                .seq_opt(&pb_plus)
                .restrict(all, marked);
            checker.axiom("rcu", rb.is_irreflexive())?;
        }

        Ok(Kernel {
            com,
            dep,
            rwdep,
            overwrite,
            to_w,
            to_r,
            ppo,
            rmw_sequence,
            cumul_fence,
            cumul_fence_star,
            prop,
            hb,
            pb,
            rcu_gp,
            srcu_gp,
            rcu_rscsi,
            srcu_rscsi,
            rcu_link,
            rcu_order,
            rcu_fence,
            rb,
        })
    }
}

/// The least fixpoint of `rcu-order`: every term is monotone in it, so
/// iterating from the empty relation until nothing changes (as herd does)
/// reaches it. The terms that do not mention `rcu-order` are computed
/// once (the first round gives them alone, so the iteration starts
/// there), and a term with a grace period of a kind the execution has
/// none of is empty and left out.
///
/// Each later round adds only what the pairs the round before added
/// bring (semi-naive evaluation): every term is a union of sequences
/// with `rcu-order` in them once (`L(order)`) or twice (`Q(order,
/// order)`), each distributing over union, so with `order'` the
/// previous round's relation and `new` what the last round added,
/// `L(order' | new) = L(order') | L(new)` and `Q(order' | new, order' |
/// new) = Q(order', order') | Q(new, order' | new) | Q(order', new)`,
/// whose old parts the relation holds already.
fn rcu_order(
    nat: &Native,
    rcu_gp: Set,
    srcu_gp: Set,
    rcu_link: &Rel,
    rcu_rscsi: &Rel,
    srcu_rscsi: &Rel,
) -> Rel {
    if rcu_gp | srcu_gp == 0 {
        // Every term has a grace period at one end or rcu-order inside.
        return nat.empty();
    }
    // Every term relates grace periods and the ends of read-side critical
    // sections (`rcu-rscsi`, `srcu-rscsi`) and reads the other relations
    // between those only: the fixpoint is computed among them alone,
    // renumbered (a few rows where the execution has dozens).
    let ends = rcu_gp
        | srcu_gp
        | rcu_rscsi.domain()
        | rcu_rscsi.range()
        | srcu_rscsi.domain()
        | srcu_rscsi.range();
    let among = Among::new(nat.n, ends);
    let order = rcu_order_among(
        among.set(rcu_gp),
        among.set(srcu_gp),
        &among.rel(rcu_link),
        &among.rel(rcu_rscsi),
        &among.rel(srcu_rscsi),
        // (`loc` only in the SRCU terms.)
        &if srcu_gp == 0 {
            Rel::empty(among.len())
        } else {
            among.rel(&nat.loc)
        },
    );
    among.back(&order)
}

/// [`rcu_order`] among the events its terms relate, renumbered.
fn rcu_order_among(
    rcu_gp: Set,
    srcu_gp: Set,
    rcu_link: &Rel,
    rcu_rscsi: &Rel,
    srcu_rscsi: &Rel,
    loc: &Rel,
) -> Rel {
    let k = rcu_link.len();
    let all = rcu_link.universe();
    // The terms of one kind of grace period: (gp ; rcu-link, rscsi ;
    // rcu-link, rcu-link ; rscsi, rcu-link ; gp), none without one.
    let kind = |gp: Set, rscsi: &Rel| {
        (gp != 0).then(|| {
            (
                rcu_link.restrict(gp, all),
                rscsi.seq(rcu_link),
                rcu_link.seq(rscsi),
                rcu_link.restrict(all, gp),
            )
        })
    };
    let rcu = kind(rcu_gp, rcu_rscsi);
    let srcu = kind(srcu_gp, srcu_rscsi);

    let mut order = Rel::id(k, rcu_gp | srcu_gp);
    if let Some((gp_link, rscsi_link, _, _)) = &rcu {
        // (rcu-gp ; rcu-link ; rcu-rscsi) | (rcu-rscsi ; rcu-link ; rcu-gp)
        order.union_with(&gp_link.seq(rcu_rscsi));
        order.union_with(&rscsi_link.restrict(all, rcu_gp));
    }
    if let Some((gp_link, rscsi_link, _, _)) = &srcu {
        order.union_with(&gp_link.seq(srcu_rscsi).inter(loc));
        order.union_with(&rscsi_link.restrict(all, srcu_gp).inter(loc));
    }
    let mut new = order.clone();
    loop {
        // L(new)
        let mut next = Rel::empty(k);
        if let Some((gp_link, rscsi_link, link_rscsi, link_gp)) = &rcu {
            // (rcu-gp ; rcu-link ; rcu-order ; rcu-link ; rcu-rscsi) |
            // (rcu-rscsi ; rcu-link ; rcu-order ; rcu-link ; rcu-gp)
            next.union_with(&gp_link.seq(&new.seq(link_rscsi)));
            next.union_with(&rscsi_link.seq(&new.seq(link_gp)));
        }
        if let Some((gp_link, rscsi_link, link_rscsi, link_gp)) = &srcu {
            next.union_with(&gp_link.seq(&new.seq(link_rscsi)).inter(loc));
            next.union_with(&rscsi_link.seq(&new.seq(link_gp)).inter(loc));
        }
        // Q(new, order) | Q(order, new), for `order ; rcu-link ; order`
        next.union_with(&new.seq(rcu_link).seq(&order));
        next.union_with(&order.seq(rcu_link).seq(&new));
        new = next.minus(&order);
        if new.is_empty() {
            return order;
        }
        order.union_with(&new);
    }
}
