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

use super::super::rel::{Rel, Set};
use super::bell::Bell;
use super::lock::{Lock, Merged};
use super::native::Native;
use super::{Checker, Failed};

/// The relations of `linux-kernel.cat` up to the `rcu` axiom.
#[derive(Clone, Debug)]
pub struct Kernel {
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
    /// `let rcu-link = po? ; hb* ; pb* ; prop ; po`. Left empty by
    /// [`super::judge`] when the execution has no grace period: `rcu-order`
    /// is then empty whatever `rcu-link` is.
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
    /// `let rcu-fence = po ; rcu-order ; po?`
    pub rcu_fence: Rel,
    /// `let rb = prop ; rcu-fence ; hb* ; pb* ; [Marked]`
    pub rb: Rel,
}

impl Kernel {
    pub(super) fn evaluate(
        nat: &Native,
        bell: &Bell,
        lock: &Lock,
        merged: &Merged,
        checker: &mut Checker,
    ) -> Result<Kernel, Failed> {
        let all = nat.universe;
        let t = &nat.tags;
        let (po, int, ext) = (&nat.po, &nat.int, &nat.ext);
        // The bindings in scope, as the bell and lock.cat left them.
        let (r, w, m) = (lock.r, merged.w, merged.m);
        let (release, acquire, rmw) = (lock.release, lock.acquire, &lock.rmw);
        let (rf, rfe, rfi) = (&merged.rf, &merged.rfe, &merged.rfi);
        let (co, fr) = (&merged.co, &merged.fr);
        let (addr, data, ctrl) = (&bell.addr, &bell.data, &bell.ctrl);
        let (marked, plain) = (bell.marked, bell.plain);
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

        // Sequential Consistency Per Variable
        let com = rf.union(co).union(fr);
        checker.axiom("coherence", nat.po_loc.union(&com).is_acyclic())?;
        // Atomic Read-Modify-Write
        let broken = rmw.inter(&merged.fre.seq(&merged.coe));
        checker.axiom("atomic", broken.is_empty())?;

        // Preserved Program Order
        let dep = addr.union(data);
        let rwdep = dep.union(ctrl).restrict(all, w);
        let overwrite = co.union(fr);
        let to_w = rwdep
            .union(&overwrite.inter(int))
            .union(&addr.restrict(all, plain).seq(&wmb));
        let to_r = addr
            .restrict(all, r)
            .union(&dep.restrict(all, marked).seq(rfi));
        let ppo = to_r
            .union(&to_w)
            .union(&fence.inter(int))
            .union(&po_unlock_lock_po.inter(int));

        // Propagation: Ordering from release operations and strong fences.
        // let A-cumul(r) = (rfe ; [Marked])? ; r
        let a_cumul = |r: &Rel| rfe.restrict(all, marked).opt().seq(r);
        let rmw_sequence = rf.seq(rmw).star();
        let cumul_fence = a_cumul(&strong_fence.union(&po_rel))
            .union(&wmb)
            .union(&po_unlock_lock_po)
            .restrict(marked, marked)
            .seq(&rmw_sequence);
        let cumul_fence_star = cumul_fence.star();
        let prop = overwrite
            .inter(ext)
            .opt()
            .restrict(marked, all)
            .seq(&cumul_fence_star)
            .restrict(all, marked)
            .seq(&rfe.opt())
            .restrict(all, marked);

        // Happens Before
        let hb = ppo
            .union(rfe)
            .union(&nat.minus_id(&prop).inter(int))
            .restrict(marked, marked);
        checker.axiom("happens-before", hb.is_acyclic())?;
        let hb_star = hb.star();

        // Propagation: Each non-rf link needs a strong fence.
        let pb = prop.seq(&strong_fence).seq(&hb_star).restrict(all, marked);
        checker.axiom("propagation", pb.is_acyclic())?;
        let pb_star = pb.star();

        // RCU
        let (rcu_gp, srcu_gp) = (t.sync_rcu, t.sync_srcu);
        let rcu_rscsi = bell.rcu_rscs.inverse();
        let srcu_rscsi = bell.srcu_rscs.inverse();
        let rcu_link = if checker.may_skip() && rcu_gp | srcu_gp == 0 {
            nat.empty()
        } else {
            po_opt.seq(&hb_star).seq(&pb_star).seq(&prop).seq(po)
        };
        let rcu_order = rcu_order(nat, rcu_gp, srcu_gp, &rcu_link, &rcu_rscsi, &srcu_rscsi);
        let rcu_fence = po.seq(&rcu_order).seq(&po_opt);
        let rb = prop
            .seq(&rcu_fence)
            .seq(&hb_star)
            .seq(&pb_star)
            .restrict(all, marked);
        checker.axiom("rcu", rb.is_irreflexive())?;

        Ok(Kernel {
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
/// once.
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
    let all = nat.universe;
    let loc = &nat.loc;
    // rcu-gp ; rcu-link, srcu-gp ; rcu-link
    let rcu_gp_link = rcu_link.restrict(rcu_gp, all);
    let srcu_gp_link = rcu_link.restrict(srcu_gp, all);
    // rcu-rscsi ; rcu-link, srcu-rscsi ; rcu-link
    let rcu_rscsi_link = rcu_rscsi.seq(rcu_link);
    let srcu_rscsi_link = srcu_rscsi.seq(rcu_link);
    // rcu-link ; rcu-rscsi, rcu-link ; srcu-rscsi
    let link_rcu_rscsi = rcu_link.seq(rcu_rscsi);
    let link_srcu_rscsi = rcu_link.seq(srcu_rscsi);
    // rcu-link ; rcu-gp, rcu-link ; srcu-gp
    let link_rcu_gp = rcu_link.restrict(all, rcu_gp);
    let link_srcu_gp = rcu_link.restrict(all, srcu_gp);

    let base = nat
        .id(rcu_gp | srcu_gp)
        .union(&rcu_gp_link.seq(rcu_rscsi))
        .union(&srcu_gp_link.seq(srcu_rscsi).inter(loc))
        .union(&rcu_rscsi_link.restrict(all, rcu_gp))
        .union(&srcu_rscsi_link.restrict(all, srcu_gp).inter(loc));
    let mut order = nat.empty();
    loop {
        let next = base
            .union(&rcu_gp_link.seq(&order).seq(&link_rcu_rscsi))
            .union(&srcu_gp_link.seq(&order).seq(&link_srcu_rscsi).inter(loc))
            .union(&rcu_rscsi_link.seq(&order).seq(&link_rcu_gp))
            .union(&srcu_rscsi_link.seq(&order).seq(&link_srcu_gp).inter(loc))
            .union(&order.seq(rcu_link).seq(&order));
        if next == order {
            return order;
        }
        order = next;
    }
}
