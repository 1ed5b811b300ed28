//! Reads of a PTE built from 32-bit loads and a recheck, beyond the kernel's
//! own (`read::lowhigh`, `read::seqcount`): the candidates `litmus protocols`
//! judges for architectures with no 64-bit atomic load (mips, sh). Each
//! comes with its read barrier as a compiler barrier (`smp_rmb()` on x86)
//! or as `lfence` (`rmb()` on SSE2 CPUs), and windowed (`pause`s after each
//! load of the first attempt, as `read::lowhigh_windowed`).
//!
//! What x86 guarantees for all of them (SDM Vol. 3A, "Memory Ordering"):
//! "Reads are not reordered with other reads", and each aligned 32-bit
//! load is atomic ("Guaranteed Atomic Operations"). So each load returns
//! the half as it stood at some moment, the moments in program order; the
//! recheck proves only that a half held the same value at two moments, not
//! that nothing happened in between. `lfence` adds nothing to that order
//! (loads are already ordered); it only waits for earlier loads to finish.
//! Which writers each read is whole against is what the protocols' model
//! decides (`litmus protocols`).
//!
//! Pairing: the writers are `write::pae_set`/`pae_clear` (the kernel's
//! order), `write::pae_set_low_first`/`pae_clear_high_first` (reversed),
//! and `write::seqcount_set`/`seqcount_clear` for the seqcount reads.

use crate::Pte;
#[cfg(target_feature = "sse2")]
use crate::SeqCount;
use core::arch::asm;

/// High, low, recheck high: `ptep_get_lockless()` mirrored.
///
/// ```text
/// 2: movl 4(p),hi; [rmb]; movl (p),lo; [rmb]; cmpl 4(p),hi; jne 2b
/// ```
macro_rules! highlow_template {
    ($rmb:expr, $window1:expr, $window2:expr, $retry:expr) => {
        concat!(
            "2:\n",
            "movl 4({p}), {hi:e}\n", // hi = ptep->pte_high
            concat!($window1, "\n"), // (windowed only) spin
            concat!($rmb, "\n"),     // smp_rmb()
            "movl ({p}), {lo:e}\n",  // lo = ptep->pte_low
            concat!($window2, "\n"), // (windowed only) spin
            concat!($rmb, "\n"),     // smp_rmb()
            "cmpl 4({p}), {hi:e}\n", // reload ptep->pte_high; changed?
            $retry,                  // then retry
        )
    };
}

/// Low, high, recheck low, recheck high: both halves seen twice.
///
/// ```text
/// 2: movl (p),lo; [rmb]; movl 4(p),hi; [rmb]; cmpl (p),lo; jne 2b;
///    [rmb]; cmpl 4(p),hi; jne 2b
/// ```
macro_rules! lowhighlowhigh_template {
    ($rmb:expr, $window1:expr, $window2:expr, $retry1:expr, $retry2:expr) => {
        concat!(
            "2:\n",
            "movl ({p}), {lo:e}\n",  // lo = ptep->pte_low
            concat!($window1, "\n"), // (windowed only) spin
            concat!($rmb, "\n"),     // smp_rmb()
            "movl 4({p}), {hi:e}\n", // hi = ptep->pte_high
            concat!($window2, "\n"), // (windowed only) spin
            concat!($rmb, "\n"),     // smp_rmb()
            "cmpl ({p}), {lo:e}\n",  // reload ptep->pte_low; changed?
            concat!($retry1, "\n"),  // then retry
            concat!($rmb, "\n"),     // smp_rmb()
            "cmpl 4({p}), {hi:e}\n", // reload ptep->pte_high; changed?
            $retry2,                 // then retry
        )
    };
}

/// Low, high read twice and compared; on a mismatch the second pair
/// becomes the first and only one more pair is read (two loads a retry,
/// where `lowhighlowhigh` restarts with four).
///
/// ```text
///    movl (p),lo; [rmb]; movl 4(p),hi; [rmb]
/// 2: movl (p),lo2; [rmb]; movl 4(p),hi2; [rmb]
///    cmpl lo2,lo; jne 3f; cmpl hi2,hi; je 4f
/// 3: movl lo2,lo; movl hi2,hi; jmp 2b
/// 4:
/// ```
/// The windows (first pair only) count down `lo2` and `hi2`, which are
/// dead until the second pair's loads.
macro_rules! twice_template {
    ($rmb:expr, $window1:expr, $window2:expr) => {
        concat!(
            "movl ({p}), {lo:e}\n",   // lo = ptep->pte_low
            concat!($window1, "\n"),  // (windowed only) spin
            concat!($rmb, "\n"),      // smp_rmb()
            "movl 4({p}), {hi:e}\n",  // hi = ptep->pte_high
            concat!($window2, "\n"),  // (windowed only) spin
            concat!($rmb, "\n"),      // smp_rmb()
            "2:\n",                   //
            "movl ({p}), {lo2:e}\n",  // lo2 = ptep->pte_low
            concat!($rmb, "\n"),      // smp_rmb()
            "movl 4({p}), {hi2:e}\n", // hi2 = ptep->pte_high
            concat!($rmb, "\n"),      // smp_rmb()
            "cmpl {lo2:e}, {lo:e}\n", // low the same both times?
            "jne 3f\n",               //
            "cmpl {hi2:e}, {hi:e}\n", // high the same both times?
            "je 4f\n",                // both: return (lo, hi)
            "3:\n",                   //
            "movl {lo2:e}, {lo:e}\n", // the second pair is now the first
            "movl {hi2:e}, {hi:e}\n", //
            "jmp 2b\n",               // read one more pair
            "4:",
        )
    };
}

/// `seqcount` with `rmb()` as `lfence` at the reader's two barriers.
///
/// ```text
/// 2: movl (s),seq; testl $1,seq; jz 3f; pause; jmp 2b
/// 3: lfence; movl (p),lo; movl 4(p),hi; lfence; cmpl (s),seq; jne 2b
/// ```
#[cfg(target_feature = "sse2")]
macro_rules! seqcount_lfence_template {
    ($window:expr, $retry:expr) => {
        concat!(
            "2:\n",
            "movl ({s}), {seq:e}\n", // seq = READ_ONCE(s->sequence)
            "testl $1, {seq:e}\n",   // odd: a writer is inside
            "jz 3f\n",               // even: go on
            "pause\n",               // cpu_relax()
            "jmp 2b\n",              // and look again
            "3:\n",                  //
            "lfence\n",              // smp_rmb() as rmb()
            "movl ({p}), {lo:e}\n",  // lo = ptep->pte_low
            concat!($window, "\n"),  // (windowed only) spin
            "movl 4({p}), {hi:e}\n", // hi = ptep->pte_high
            "lfence\n",              // smp_rmb() as rmb()
            "cmpl ({s}), {seq:e}\n", // sequence moved on?
            $retry,                  // then retry
        )
    };
}

/// Defines a read of `pte` alone and its windowed twin from `$template`
/// (given the barrier, the two window texts and the retry texts). Operands
/// cannot come from a macro inside `asm!`, so each shape has its own
/// definer below.
macro_rules! highlow_reads {
    ($(#[$doc:meta])* $name:ident, $windowed:ident, rmb = $rmb:expr) => {
        $(#[$doc])*
        #[inline(always)]
        pub fn $name(pte: &Pte) -> (u32, u32) {
            let (lo, hi): (u32, u32);
            // SAFETY: `pte` is live and 8-byte aligned and only read; the
            // barrier touches no memory.
            unsafe {
                asm!(
                    highlow_template!($rmb, "", "", "jne 2b"),
                    p = in(reg) pte.as_ptr(),
                    lo = out(reg) lo,
                    hi = out(reg) hi,
                    options(nostack, readonly, att_syntax),
                )
            }
            (lo, hi)
        }

        #[doc = concat!("[`", stringify!($name), "`] with `spins` `pause`s after each load of the first attempt (retries run with the windows closed).")]
        #[inline(always)]
        pub fn $windowed(pte: &Pte, spins: u32) -> (u32, u32) {
            let (lo, hi): (u32, u32);
            // SAFETY: as the plain read; the windows count down `lo` (dead
            // until its load) and `n`.
            unsafe {
                asm!(
                    highlow_template!(
                        $rmb,
                        crate::window_template!(lo),
                        crate::window_template!(n),
                        crate::window_retry_template!(lo)
                    ),
                    p = in(reg) pte.as_ptr(),
                    lo = inout(reg) spins => lo,
                    hi = out(reg) hi,
                    n = inout(reg) spins => _,
                    options(nostack, readonly, att_syntax),
                )
            }
            (lo, hi)
        }
    };
}

macro_rules! lowhighlowhigh_reads {
    ($(#[$doc:meta])* $name:ident, $windowed:ident, rmb = $rmb:expr) => {
        $(#[$doc])*
        #[inline(always)]
        pub fn $name(pte: &Pte) -> (u32, u32) {
            let (lo, hi): (u32, u32);
            // SAFETY: `pte` is live and 8-byte aligned and only read; the
            // barrier touches no memory.
            unsafe {
                asm!(
                    lowhighlowhigh_template!($rmb, "", "", "jne 2b", "jne 2b"),
                    p = in(reg) pte.as_ptr(),
                    lo = out(reg) lo,
                    hi = out(reg) hi,
                    options(nostack, readonly, att_syntax),
                )
            }
            (lo, hi)
        }

        #[doc = concat!("[`", stringify!($name), "`] with `spins` `pause`s after each load of the first attempt (retries run with the windows closed).")]
        #[inline(always)]
        pub fn $windowed(pte: &Pte, spins: u32) -> (u32, u32) {
            let (lo, hi): (u32, u32);
            // SAFETY: as the plain read; the windows count down `hi` (dead
            // until its load) and `n`.
            unsafe {
                asm!(
                    lowhighlowhigh_template!(
                        $rmb,
                        crate::window_template!(hi),
                        crate::window_template!(n),
                        crate::window_retry_template!(hi),
                        crate::window_retry_template!(hi)
                    ),
                    p = in(reg) pte.as_ptr(),
                    lo = out(reg) lo,
                    hi = inout(reg) spins => hi,
                    n = inout(reg) spins => _,
                    options(nostack, readonly, att_syntax),
                )
            }
            (lo, hi)
        }
    };
}

macro_rules! twice_reads {
    ($(#[$doc:meta])* $name:ident, $windowed:ident, rmb = $rmb:expr) => {
        $(#[$doc])*
        #[inline(always)]
        pub fn $name(pte: &Pte) -> (u32, u32) {
            let (lo, hi): (u32, u32);
            // SAFETY: `pte` is live and 8-byte aligned and only read; the
            // barrier touches no memory.
            unsafe {
                asm!(
                    twice_template!($rmb, "", ""),
                    p = in(reg) pte.as_ptr(),
                    lo = out(reg) lo,
                    hi = out(reg) hi,
                    lo2 = out(reg) _,
                    hi2 = out(reg) _,
                    options(nostack, readonly, att_syntax),
                )
            }
            (lo, hi)
        }

        #[doc = concat!("[`", stringify!($name), "`] with `spins` `pause`s after each load of the first pair.")]
        #[inline(always)]
        pub fn $windowed(pte: &Pte, spins: u32) -> (u32, u32) {
            let (lo, hi): (u32, u32);
            // SAFETY: as the plain read; the windows count down `lo2` and
            // `hi2`, dead until the second pair's loads.
            unsafe {
                asm!(
                    twice_template!($rmb, crate::window_template!(lo2), crate::window_template!(hi2)),
                    p = in(reg) pte.as_ptr(),
                    lo = out(reg) lo,
                    hi = out(reg) hi,
                    lo2 = inout(reg) spins => _,
                    hi2 = inout(reg) spins => _,
                    options(nostack, readonly, att_syntax),
                )
            }
            (lo, hi)
        }
    };
}

highlow_reads! {
    /// `highlow`: high, low, recheck high (compiler barriers):
    /// `2: movl 4(p),hi; movl (p),lo; cmpl 4(p),hi; jne 2b`. The mirror of
    /// the kernel's read: an unchanged high proves no store to high landed
    /// between the two high loads, unless the high half went and came back.
    highlow, highlow_windowed, rmb = ""
}

#[cfg(target_feature = "sse2")]
highlow_reads! {
    /// `highlow-lfence`: [`highlow`] with `lfence` for `smp_rmb()`.
    highlow_lfence, highlow_lfence_windowed, rmb = "lfence"
}

lowhighlowhigh_reads! {
    /// `lowhighlowhigh`: low, high, then both reloaded and compared
    /// (compiler barriers): `2: movl (p),lo; movl 4(p),hi; cmpl (p),lo;
    /// jne 2b; cmpl 4(p),hi; jne 2b`.
    lowhighlowhigh, lowhighlowhigh_windowed, rmb = ""
}

#[cfg(target_feature = "sse2")]
lowhighlowhigh_reads! {
    /// `lowhighlowhigh-lfence`: [`lowhighlowhigh`] with `lfence` for
    /// `smp_rmb()`.
    lowhighlowhigh_lfence, lowhighlowhigh_lfence_windowed, rmb = "lfence"
}

twice_reads! {
    /// `twice`: the pair read twice and compared, sliding (see
    /// `twice_template`): `movl (p),lo; movl 4(p),hi; 2: movl (p),lo2;
    /// movl 4(p),hi2; cmpl lo2,lo; ...`. The same loads as
    /// [`lowhighlowhigh`] when the first attempt succeeds; half the loads
    /// per retry.
    twice, twice_windowed, rmb = ""
}

#[cfg(target_feature = "sse2")]
twice_reads! {
    /// `twice-lfence`: [`twice`] with `lfence` for `smp_rmb()`.
    twice_lfence, twice_lfence_windowed, rmb = "lfence"
}

/// `seqcount-lfence`: `read::seqcount` with `lfence` at the reader's two
/// `smp_rmb()`s, pairing with `write::seqcount_set`/`seqcount_clear`:
/// `2: movl (s),seq; testl $1,seq; jz 3f; pause; jmp 2b;
/// 3: lfence; movl (p),lo; movl 4(p),hi; lfence; cmpl (s),seq; jne 2b`.
#[cfg(target_feature = "sse2")]
#[inline(always)]
pub fn seqcount_lfence(seq: &SeqCount, pte: &Pte) -> (u32, u32) {
    let (lo, hi): (u32, u32);
    // SAFETY: `seq` and `pte` are live and aligned and only read.
    unsafe {
        asm!(
            seqcount_lfence_template!("", "jne 2b"),
            s = in(reg) seq.as_ptr(),
            p = in(reg) pte.as_ptr(),
            seq = out(reg) _,
            lo = out(reg) lo,
            hi = out(reg) hi,
            options(nostack, readonly, att_syntax),
        )
    }
    (lo, hi)
}

/// [`seqcount_lfence`] with `spins` `pause`s between the two loads on the
/// first attempt.
#[cfg(target_feature = "sse2")]
#[inline(always)]
pub fn seqcount_lfence_windowed(seq: &SeqCount, pte: &Pte, spins: u32) -> (u32, u32) {
    let (lo, hi): (u32, u32);
    // SAFETY: as `seqcount_lfence`; the window only counts `hi` down.
    unsafe {
        asm!(
            seqcount_lfence_template!(
                crate::window_template!(hi),
                crate::window_retry_template!(hi)
            ),
            s = in(reg) seq.as_ptr(),
            p = in(reg) pte.as_ptr(),
            seq = out(reg) _,
            lo = out(reg) lo,
            hi = inout(reg) spins => hi,
            options(nostack, readonly, att_syntax),
        )
    }
    (lo, hi)
}
