//! `linux-kernel.cat` from `let fence = fence | rcu-fence` to its end: the
//! rules for plain accesses, which flag mixed accesses and data races and
//! check `plain-coherence`.
//!
//! Every line here sees the rebound `fence` and `strong-fence` (with
//! `rcu-fence`), so they are this struct's; `nonrw-fence` is never rebound
//! and stays [`Fences`]'s.

use super::super::rel::Rel;
use super::bell::Bell;
use super::kernel::{Fences, Kernel};
use super::lock::Merged;
use super::native::Native;
use super::{Checker, Failed};

/// The relations of the plain-access section.
#[derive(Clone, Debug)]
pub struct PlainAccesses {
    /// `let fence = fence | rcu-fence`
    pub fence: Rel,
    /// `let strong-fence = strong-fence | rcu-fence`
    pub strong_fence: Rel,
    /// ```text
    /// let mixed-accesses = ([Plain & W] ; (po-loc \ barrier) ; [Marked]) |
    ///     ([Marked] ; (po-loc \ barrier) ; [Plain & W])
    /// ```
    pub mixed_accesses: Rel,
    /// `let xbstar = (hb | pb | rb)*`
    pub xbstar: Rel,
    /// ```text
    /// let vis = cumul-fence* ; rfe? ; [Marked] ;
    ///     ((strong-fence ; [Marked] ; xbstar) | (xbstar & int))
    /// ```
    pub vis: Rel,
    /// `let w-pre-bounded = [Marked] ; (addr | fence)?`
    pub w_pre_bounded: Rel,
    /// ```text
    /// let r-pre-bounded = [Marked] ; (addr | nonrw-fence |
    ///     ([R4rmb] ; fencerel(Rmb) ; [~Noreturn]))?
    /// ```
    pub r_pre_bounded: Rel,
    /// `let w-post-bounded = fence? ; [Marked] ; rmw-sequence`
    pub w_post_bounded: Rel,
    /// ```text
    /// let r-post-bounded = (nonrw-fence | ([~Noreturn] ; fencerel(Rmb) ; [R4rmb]))? ;
    ///     [Marked]
    /// ```
    pub r_post_bounded: Rel,
    /// ```text
    /// let ww-vis = fence | (strong-fence ; xbstar ; w-pre-bounded) |
    ///     (w-post-bounded ; vis ; w-pre-bounded)
    /// ```
    pub ww_vis: Rel,
    /// ```text
    /// let wr-vis = fence | (strong-fence ; xbstar ; r-pre-bounded) |
    ///     (w-post-bounded ; vis ; r-pre-bounded)
    /// ```
    pub wr_vis: Rel,
    /// `let rw-xbstar = fence | (r-post-bounded ; xbstar ; w-pre-bounded)`
    pub rw_xbstar: Rel,
    /// `let pre-race = ext & ((Plain * M) | ((M \ IW) * Plain))`
    pub pre_race: Rel,
    /// `let wr-incoh = pre-race & rf & rw-xbstar^-1`
    pub wr_incoh: Rel,
    /// `let rw-incoh = pre-race & fr & wr-vis^-1`
    pub rw_incoh: Rel,
    /// `let ww-incoh = pre-race & co & ww-vis^-1`
    pub ww_incoh: Rel,
    /// `let ww-nonrace = ww-vis & ((Marked * W) | rw-xbstar) & ((W * Marked) | wr-vis)`
    pub ww_nonrace: Rel,
    /// `let ww-race = (pre-race & co) \ ww-nonrace`
    pub ww_race: Rel,
    /// `let wr-race = (pre-race & (co? ; rf)) \ wr-vis \ rw-xbstar^-1`
    pub wr_race: Rel,
    /// `let rw-race = (pre-race & fr) \ rw-xbstar`
    pub rw_race: Rel,
}

impl PlainAccesses {
    pub(super) fn evaluate(
        nat: &Native,
        bell: &Bell,
        merged: &Merged,
        fences: &Fences,
        kernel: &Kernel,
        checker: &mut Checker,
    ) -> Result<PlainAccesses, Failed> {
        let all = nat.universe;
        let t = &nat.tags;
        let (marked, plain) = (bell.marked, bell.plain);
        let (w, m) = (merged.w, merged.m);
        let (rf, co, fr) = (&merged.rf, &merged.co, &merged.fr);

        let fence = fences.fence.union(&kernel.rcu_fence);
        let strong_fence = fences.strong_fence.union(&kernel.rcu_fence);

        // Warn about plain writes and marked accesses in the same region
        let plain_w = plain & w;
        let unbarriered = nat.po_loc.minus(&fences.barrier);
        let mixed_accesses = unbarriered
            .restrict(plain_w, marked)
            .union(&unbarriered.restrict(marked, plain_w));
        checker.flag("mixed-accesses", !mixed_accesses.is_empty());

        // Executes-before and visibility
        let xbstar = kernel.hb.union(&kernel.pb).union(&kernel.rb).star();
        let vis = kernel
            .cumul_fence_star
            .seq(&merged.rfe.opt())
            .restrict(all, marked)
            .seq(
                &strong_fence
                    .restrict(all, marked)
                    .seq(&xbstar)
                    .union(&xbstar.inter(&nat.int)),
            );

        // Boundaries for lifetimes of plain accesses
        let not_noreturn = nat.not(t.noreturn);
        let rmb_fence = nat.fencerel(t.rmb);
        let w_pre_bounded = bell.addr.union(&fence).opt().restrict(marked, all);
        let r_pre_bounded = bell
            .addr
            .union(&fences.nonrw_fence)
            .union(&rmb_fence.restrict(fences.r4rmb, not_noreturn))
            .opt()
            .restrict(marked, all);
        let w_post_bounded = fence.opt().restrict(all, marked).seq(&kernel.rmw_sequence);
        let r_post_bounded = fences
            .nonrw_fence
            .union(&rmb_fence.restrict(not_noreturn, fences.r4rmb))
            .opt()
            .restrict(all, marked);

        // Visibility and executes-before for plain accesses
        let strong_xbstar = strong_fence.seq(&xbstar);
        let post_vis = w_post_bounded.seq(&vis);
        let ww_vis = fence
            .union(&strong_xbstar.seq(&w_pre_bounded))
            .union(&post_vis.seq(&w_pre_bounded));
        let wr_vis = fence
            .union(&strong_xbstar.seq(&r_pre_bounded))
            .union(&post_vis.seq(&r_pre_bounded));
        let rw_xbstar = fence.union(&r_post_bounded.seq(&xbstar).seq(&w_pre_bounded));

        // Potential races
        let pre_race = nat.ext.inter(
            &nat.product(plain, m)
                .union(&nat.product(m & !nat.iw, plain)),
        );

        // Coherence requirements for plain accesses
        let rw_xbstar_inv = rw_xbstar.inverse();
        let wr_incoh = pre_race.inter(rf).inter(&rw_xbstar_inv);
        let rw_incoh = pre_race.inter(fr).inter(&wr_vis.inverse());
        let ww_incoh = pre_race.inter(co).inter(&ww_vis.inverse());
        let coherent = wr_incoh.is_empty() && rw_incoh.is_empty() && ww_incoh.is_empty();
        checker.axiom("plain-coherence", coherent)?;

        // Actual races
        let ww_nonrace = ww_vis
            .inter(&nat.product(marked, w).union(&rw_xbstar))
            .inter(&nat.product(w, marked).union(&wr_vis));
        let ww_race = pre_race.inter(co).minus(&ww_nonrace);
        let wr_race = pre_race
            .inter(&co.opt().seq(rf))
            .minus(&wr_vis)
            .minus(&rw_xbstar_inv);
        let rw_race = pre_race.inter(fr).minus(&rw_xbstar);
        let raced = !(ww_race.is_empty() && wr_race.is_empty() && rw_race.is_empty());
        checker.flag("data-race", raced);

        Ok(PlainAccesses {
            fence,
            strong_fence,
            mixed_accesses,
            xbstar,
            vis,
            w_pre_bounded,
            r_pre_bounded,
            w_post_bounded,
            r_post_bounded,
            ww_vis,
            wr_vis,
            rw_xbstar,
            pre_race,
            wr_incoh,
            rw_incoh,
            ww_incoh,
            ww_nonrace,
            ww_race,
            wr_race,
            rw_race,
        })
    }
}
