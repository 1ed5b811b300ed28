//! Every way of reading a PTE that the suite compares, plus the plain 32-bit
//! load of the classic litmus tests.
//!
//! Each read returns `(low, high)` as it saw them. The multi-load reads
//! (`split`, `lowhigh*`, `seqcount`) also come as `*_windowed(.., spins)`,
//! the same template with [`crate::fence::spin_pause`]'s loop spliced into
//! the gaps between their loads: the window a descheduled vCPU would open.
//! `lowhigh*` get it in both gaps (after the low load and after the high
//! load), because the seed's ABA needs a refill in each: the high load must
//! see another PTE, and the recheck a low half that came back.
//!
//! Pairing, in crossbeam's manner: every load below pairs with the stores of
//! [`crate::write`]: `pae_set` writes high then low, `pae_clear` low then
//! high, so a reader that sees a new low sees at least that PTE's high
//! (x86-TSO: stores become visible in program order, loads are not reordered
//! with loads).

use crate::{Pte, SeqCount, Word};
use core::arch::asm;

/// `movl (p), r`: one aligned 32-bit load, the `READ_ONCE()` of a 32-bit
/// word. Atomic (SDM "Guaranteed Atomic Operations": "a doubleword aligned on
/// a 32-bit boundary"); loads are not reordered with other loads, and may be
/// reordered with older stores to other locations ("Memory Ordering").
#[inline(always)]
pub fn load32(word: &Word) -> u32 {
    let value: u32;
    // SAFETY: `word` is a live, aligned u32 cell; the asm only reads it.
    unsafe {
        asm!(
            "movl ({p}), {v:e}", // v = READ_ONCE(*word)
            p = in(reg) word.as_ptr(),
            v = lateout(reg) value,
            options(nostack, preserves_flags, readonly, att_syntax),
        )
    }
    value
}

/// `movl (p,i,1), r`: [`load32`] at `word` plus the byte offset `index`,
/// computed by the CPU from a register: the address dependency of the
/// kernel's C tests (`READ_ONCE(*(y + (r1 & 8)))`, whose offset is 0 in
/// every execution), kept in the instruction that executes. Ordering as
/// [`load32`]: x86 orders loads with loads whether or not one's address
/// depends on another's value.
///
/// # Safety
/// `word` plus `index` bytes is a live, aligned u32 cell (the suite passes
/// an `index` that is 0: `litmus::catalog::program::values`).
#[inline(always)]
pub unsafe fn load32_indexed(word: &Word, index: usize) -> u32 {
    let value: u32;
    // SAFETY: the caller's: `word + index` is a live, aligned u32 cell;
    // the asm only reads it.
    unsafe {
        asm!(
            "movl ({p},{i},1), {v:e}", // v = READ_ONCE(*(word + index))
            p = in(reg) word.as_ptr(),
            i = in(reg) index,
            v = lateout(reg) value,
            options(nostack, preserves_flags, readonly, att_syntax),
        )
    }
    value
}

// ---------------------------------------------------------------- split ---

/// `split` as template text: two plain loads, no recheck.
macro_rules! split_template {
    ($window:expr) => {
        concat!(
            "movl ({p}), {lo:e}\n", // lo = ptep->pte_low
            concat!($window, "\n"), // (windowed only) spin
            "movl 4({p}), {hi:e}",  // hi = ptep->pte_high
        )
    };
}

/// `split`: `movl (p),lo; movl 4(p),hi`. The unsafe baseline: each load is
/// atomic on its own, but nothing relates the two, so a writer between them
/// yields halves of two different PTEs. Mirrors a plain `*ptep` on x86-32
/// PAE, which the compiler splits into two 32-bit loads (the reason
/// `ptep_get_lockless()` exists).
#[inline(always)]
pub fn split(pte: &Pte) -> (u32, u32) {
    let (lo, hi): (u32, u32);
    // SAFETY: `pte` is live and 8-byte aligned; the asm only reads its halves.
    unsafe {
        asm!(
            split_template!(""),
            p = in(reg) pte.as_ptr(),
            lo = out(reg) lo,
            hi = lateout(reg) hi,
            options(nostack, preserves_flags, readonly, att_syntax),
        )
    }
    (lo, hi)
}

/// [`split`] with `spins` iterations of `pause` between the two loads.
#[inline(always)]
pub fn split_windowed(pte: &Pte, spins: u32) -> (u32, u32) {
    let (lo, hi): (u32, u32);
    // SAFETY: as `split`; the window loop only counts `hi` down.
    unsafe {
        asm!(
            split_template!(crate::window_template!(hi)),
            p = in(reg) pte.as_ptr(),
            lo = out(reg) lo,
            hi = inout(reg) spins => hi,
            options(nostack, readonly, att_syntax),
        )
    }
    (lo, hi)
}

// -------------------------------------------------------------- lowhigh ---

/// `ptep_get_lockless()` as template text, with its read barrier `$rmb`:
///
/// ```c
/// do {
///     pte.pte_low = ptep->pte_low;   smp_rmb();
///     pte.pte_high = ptep->pte_high; smp_rmb();
/// } while (unlikely(pte.pte_low != ptep->pte_low));
/// ```
/// (`include/linux/pgtable.h`, `CONFIG_GUP_GET_PXX_LOW_HIGH`).
macro_rules! lowhigh_template {
    ($rmb:expr) => {
        lowhigh_template!($rmb, "", "", "jne 2b")
    };
    ($rmb:expr, $window1:expr, $window2:expr, $retry:expr) => {
        concat!(
            "2:\n",
            "movl ({p}), {lo:e}\n",  // lo = ptep->pte_low
            concat!($window1, "\n"), // (windowed only) spin
            concat!($rmb, "\n"),     // smp_rmb()
            "movl 4({p}), {hi:e}\n", // hi = ptep->pte_high
            concat!($window2, "\n"), // (windowed only) spin
            concat!($rmb, "\n"),     // smp_rmb()
            "cmpl ({p}), {lo:e}\n",  // reload ptep->pte_low; changed?
            $retry,                  // then retry
        )
    };
}

/// Defines a `lowhigh` read and its windowed twin for one read barrier.
macro_rules! lowhigh_reads {
    (
        $(#[$doc:meta])*
        $name:ident, $windowed:ident, rmb = $rmb:expr, options = ($($opt:ident),*)
    ) => {
        $(#[$doc])*
        #[inline(always)]
        pub fn $name(pte: &Pte) -> (u32, u32) {
            let (lo, hi): (u32, u32);
            // SAFETY: `pte` is live and 8-byte aligned and only read; the
            // barrier touches no memory of ours (see the `rmb` named above).
            unsafe {
                asm!(
                    lowhigh_template!($rmb),
                    p = in(reg) pte.as_ptr(),
                    lo = out(reg) lo,
                    hi = out(reg) hi,
                    options(nostack, att_syntax $(, $opt)*),
                )
            }
            (lo, hi)
        }

        #[doc = concat!("[`", stringify!($name), "`] with `spins` iterations of `pause` after the low load and again after the high load, on the first attempt (retries run with the windows closed).")]
        #[inline(always)]
        pub fn $windowed(pte: &Pte, spins: u32) -> (u32, u32) {
            let (lo, hi): (u32, u32);
            // SAFETY: as the plain read; the windows only count `hi` (dead
            // until the high load) and `n` down.
            unsafe {
                asm!(
                    lowhigh_template!(
                        $rmb,
                        crate::window_template!(hi),
                        crate::window_template!(n),
                        crate::window_retry_template!(hi)
                    ),
                    p = in(reg) pte.as_ptr(),
                    lo = out(reg) lo,
                    hi = inout(reg) spins => hi,
                    n = inout(reg) spins => _,
                    options(nostack, att_syntax $(, $opt)*),
                )
            }
            (lo, hi)
        }
    };
}

lowhigh_reads! {
    /// `lowhigh`: the kernel's `ptep_get_lockless()` on x86-32 PAE, where
    /// `smp_rmb()` is a compiler barrier only:
    /// `2: movl (p),lo; movl 4(p),hi; cmpl (p),lo; jne 2b`.
    ///
    /// x86-TSO keeps the three loads in order ("Reads are not reordered with
    /// other reads"), so a low seen unchanged on both sides of the high load
    /// proves no store to low landed in between, but not that the PTE was
    /// not zapped and refilled with the same low meanwhile (the ABA of the
    /// `PTE-ABA` test, Jann Horn, LKML, October 2022).
    lowhigh, lowhigh_windowed, rmb = "", options = (readonly)
}

#[cfg(target_feature = "sse2")]
lowhigh_reads! {
    /// `lowhigh-lfence`: `ptep_get_lockless()` with `rmb()` as it is on
    /// SSE2 CPUs: `2: movl (p),lo; lfence; movl 4(p),hi; lfence; cmpl (p),lo;
    /// jne 2b`. `lfence` adds no ordering between loads that TSO lacks; it
    /// only waits for earlier loads to complete, so it closes no ABA window.
    lowhigh_lfence, lowhigh_lfence_windowed, rmb = "lfence", options = (readonly)
}

lowhigh_reads! {
    /// `lowhigh-lockadd`: `ptep_get_lockless()` with `rmb()` as it is before
    /// SSE2 (and `smp_mb()`): `2: movl (p),lo; lock addl $0,-4(%esp);
    /// movl 4(p),hi; lock addl $0,-4(%esp); cmpl (p),lo; jne 2b`. The locked
    /// add is a full fence ("Locked Instructions Have a Total Order"), which
    /// orders this CPU's accesses but cannot stop another CPU's writes
    /// landing between the loads.
    lowhigh_lockadd, lowhigh_lockadd_windowed, rmb = crate::lock_addl_template!(), options = ()
}

// ------------------------------------------------------------ cmpxchg8b ---

/// `cmpxchg8b`: the kernel's `atomic64_read_cx8` (`arch/x86/lib/atomic64_cx8_32.S`,
/// `read64` macro):
///
/// ```text
/// movl %ebx, %eax          # eax = ebx    (any value: edx:eax == ecx:ebx,
/// movl %ecx, %edx          # edx = ecx     so a match rewrites what is there)
/// lock cmpxchg8b (p)       # if (*p == edx:eax) *p = ecx:ebx; else edx:eax = *p
/// ```
/// Either way edx:eax ends holding `*p`, read by one locked 8-byte
/// read-modify-write, atomic and totally ordered with every other locked
/// instruction (SDM "Guaranteed Atomic Operations", "Locked Instructions
/// Have a Total Order"). The price: it always writes the line, so readers
/// of one PTE on different CPUs bounce it between them.
///
/// # Safety
/// The CPU must have CX8 (cpuid 1:EDX bit 8; every CPU that can run a PAE
/// kernel has it, see [`crate::cpu::Features`]).
#[inline(always)]
pub unsafe fn cmpxchg8b(pte: &Pte) -> (u32, u32) {
    let (lo, hi): (u32, u32);
    // SAFETY: `pte` is live and 8-byte aligned; the only write stores back
    // the value just compared equal, atomically. ebx and ecx are read, never
    // written (so reading LLVM's reserved rbx on x86-64 is harmless). CX8 is
    // the caller's promise.
    unsafe {
        asm!(
            "movl %ebx, %eax",         // eax = ebx
            "movl %ecx, %edx",         // edx = ecx
            "lock cmpxchg8b ({p})",    // edx:eax = *p (writing *p back if equal)
            p = in(reg) pte.as_ptr(),
            out("eax") lo,
            out("edx") hi,
            options(nostack, att_syntax),
        )
    }
    (lo, hi)
}

/// `cmpxchg8b-nolock`: the same without `lock`:
/// `movl %ebx,%eax; movl %ecx,%edx; cmpxchg8b (p)`.
///
/// Not a kernel idiom but a hazard to measure. Unlocked, the 8-byte read and
/// the write-back are two separate accesses (the SDM makes no atomicity
/// promise for an unlocked read-modify-write, and notes the destination is
/// written even when the compare fails), so a store from another CPU landing
/// between them is overwritten by the old value: a lost PTE update
/// (`PTE-LOST`).
///
/// # Safety
/// As [`cmpxchg8b`]. The write-back may also undo concurrent writes to
/// `pte`; that is the point, but callers must expect it.
#[inline(always)]
pub unsafe fn cmpxchg8b_nolock(pte: &Pte) -> (u32, u32) {
    let (lo, hi): (u32, u32);
    // SAFETY: as `cmpxchg8b`; the non-atomic write-back rewrites `*p` with a
    // value it held a moment before, which is memory-safe (plain u32 data).
    unsafe {
        asm!(
            "movl %ebx, %eax",     // eax = ebx
            "movl %ecx, %edx",     // edx = ecx
            "cmpxchg8b ({p})",     // edx:eax = *p, then *p written back, unlocked
            p = in(reg) pte.as_ptr(),
            out("eax") lo,
            out("edx") hi,
            options(nostack, att_syntax),
        )
    }
    (lo, hi)
}

// ------------------------------------------------------- single 8-byte ---

/// `movq-sse2`: one SSE2 8-byte load, then the halves out of the register:
///
/// ```text
/// movq (p), %xmm       # xmm = *p, one aligned 8-byte load
/// movd %xmm, lo        # lo = xmm[31:0]
/// psrlq $32, %xmm      # xmm >>= 32
/// movd %xmm, hi        # hi = xmm[31:0]
/// ```
/// Atomic because it is one aligned quadword read (SDM "Guaranteed Atomic
/// Operations", Pentium and later), ordered like any load. This is what
/// compilers emit for a 64-bit atomic load on i686 with SSE2
/// (`__atomic_load_n(.., __ATOMIC_RELAXED)`); the kernel avoids it because
/// kernel code may not touch SSE state without `kernel_fpu_begin()`.
#[cfg(target_feature = "sse2")]
#[inline(always)]
pub fn movq_sse2(pte: &Pte) -> (u32, u32) {
    let (lo, hi): (u32, u32);
    // SAFETY: `pte` is live and aligned and only read; SSE2 is a compile-time
    // target feature (cfg above); the xmm register is a declared scratch.
    unsafe {
        asm!(
            "movq ({p}), {x}",   // x = *p (8 bytes at once)
            "movd {x}, {lo:e}",    // lo = low half
            "psrlq $32, {x}",    // x >>= 32
            "movd {x}, {hi:e}",    // hi = high half
            p = in(reg) pte.as_ptr(),
            x = out(xmm_reg) _,
            lo = out(reg) lo,
            hi = lateout(reg) hi,
            // `preserves_flags` holds: integer SSE2 moves and shifts touch
            // neither EFLAGS nor MXCSR's exception flags (X87_FLAGS).
            options(nostack, preserves_flags, readonly, att_syntax),
        )
    }
    (lo, hi)
}

/// `movq-mmx`: one MMX 8-byte load, as on CPUs with MMX but no SSE2:
///
/// ```text
/// movq (p), %mm0       # mm0 = *p, one aligned 8-byte load
/// movd %mm0, lo        # lo = mm0[31:0]
/// psrlq $32, %mm0      # mm0 >>= 32
/// movd %mm0, hi        # hi = mm0[31:0]
/// emms                 # give the x87 register file back
/// ```
/// Atomic as one aligned quadword read. `emms` costs: MMX aliases the x87
/// stack, and leaving it tagged would corrupt later floating point.
///
/// # Safety
/// The CPU must have MMX (cpuid 1:EDX bit 23).
#[inline(always)]
pub unsafe fn movq_mmx(pte: &Pte) -> (u32, u32) {
    let (lo, hi): (u32, u32);
    // SAFETY: `pte` is live and aligned and only read; mm0 and the x87 stack
    // it aliases are declared clobbered and left empty by emms; MMX is the
    // caller's promise.
    unsafe {
        asm!(
            "movq ({p}), %mm0",  // mm0 = *p (8 bytes at once)
            "movd %mm0, {lo:e}",   // lo = low half
            "psrlq $32, %mm0",   // mm0 >>= 32
            "movd %mm0, {hi:e}",   // hi = high half
            "emms",              // x87 tags empty again
            p = in(reg) pte.as_ptr(),
            lo = out(reg) lo,
            hi = lateout(reg) hi,
            out("mm0") _,
            out("st(0)") _, out("st(1)") _, out("st(2)") _, out("st(3)") _,
            out("st(4)") _, out("st(5)") _, out("st(6)") _, out("st(7)") _,
            // Not `preserves_flags`: an MMX instruction sets the x87 status
            // word's TOP to 0, which that option promises to keep (X87_FLAGS).
            options(nostack, readonly, att_syntax),
        )
    }
    (lo, hi)
}

/// `fild`: the x87 route, which is what compilers emit for a 64-bit atomic
/// load on i586 (no SSE2):
///
/// ```text
/// fildll (p)           # st0 = (int64)*p, one aligned 8-byte load
/// fistpll (buf)        # *buf = st0, pop: exact for every int64
/// ```
/// Atomic as one aligned quadword read; the 64-bit mantissa of x87 extended
/// precision holds any int64 exactly, so the bits come back unchanged.
/// `buf` is this thread's own stack slot, never shared.
///
/// # Safety
/// The CPU must have an x87 FPU (cpuid 1:EDX bit 0).
#[inline(always)]
pub unsafe fn fild(pte: &Pte) -> (u32, u32) {
    // Left uninitialised: zeroing it first would put two more stores to the
    // same slot ahead of `fistpll`, and on i686 the loads after it then
    // stalled: scripts/cross-check.sh measured several times the ticks per
    // read on i686 (2026-11-25, the CPU unrecorded; its CSV in
    // results/checks/ holds the fixed code's figures). 8-byte aligned so
    // the 8-byte store stays whole.
    let mut buf = core::mem::MaybeUninit::<X87Buffer>::uninit();
    // SAFETY: `pte` is live and aligned and only read; `buf` is a private
    // 8-byte stack slot, never shared, which `fistpll` fills entirely; the
    // x87 stack is empty on entry by the ABI and left empty (fistp pops).
    unsafe {
        asm!(
            "fildll ({p})",      // st0 = *p (8 bytes at once)
            "fistpll ({b})",     // buf = st0; pop
            p = in(reg) pte.as_ptr(),
            b = in(reg) buf.as_mut_ptr(),
            out("st(0)") _, out("st(1)") _, out("st(2)") _, out("st(3)") _,
            out("st(4)") _, out("st(5)") _, out("st(6)") _, out("st(7)") _,
            // Not `preserves_flags`: fild and fistp write the x87 status word
            // (C1, TOP), which that option promises to keep (X87_FLAGS).
            options(nostack, att_syntax),
        )
    }
    // SAFETY: fistpll wrote all 8 bytes of `buf`.
    let [lo, hi] = unsafe { buf.assume_init() }.0;
    (lo, hi)
}

/// A private 8-byte buffer for the x87 round trip, aligned so that the
/// 8-byte `fistpll`/`fildll` access never straddles an 8-byte boundary.
#[repr(align(8))]
pub(crate) struct X87Buffer(pub(crate) [u32; 2]);

/// `native64`: one 64-bit `movq (p), r64` on x86-64, where a PTE read is a
/// single load (the kernel's `ptep_get()` there is a plain `READ_ONCE`).
/// The lower bound for the cost of any read.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub fn native64(pte: &Pte) -> (u32, u32) {
    let value: u64;
    // SAFETY: `pte` is live and 8-byte aligned; the asm only reads it.
    unsafe {
        asm!(
            "movq ({p}), {v}",   // v = *p (8 bytes at once)
            p = in(reg) pte.as_ptr(),
            v = lateout(reg) value,
            options(nostack, preserves_flags, readonly, att_syntax),
        )
    }
    crate::halves(value)
}

// ------------------------------------------------------------- seqcount ---

/// `seqcount` as template text: the halves read between
/// `read_seqcount_begin()` and `read_seqcount_retry()`
/// (`include/linux/seqlock.h`; `smp_rmb()` is a compiler barrier on x86).
macro_rules! seqcount_template {
    () => {
        seqcount_template!("", "jne 2b")
    };
    ($window:expr, $retry:expr) => {
        concat!(
            "2:\n",
            "movl ({s}), {seq:e}\n", // seq = READ_ONCE(s->sequence)
            "testl $1, {seq:e}\n",   // odd: a writer is inside
            "jz 3f\n",               // even: go on
            "pause\n",               // cpu_relax()
            "jmp 2b\n",              // and look again
            "3:\n",                  // smp_rmb()
            "movl ({p}), {lo:e}\n",  // lo = ptep->pte_low
            concat!($window, "\n"),  // (windowed only) spin
            "movl 4({p}), {hi:e}\n", // hi = ptep->pte_high; smp_rmb()
            "cmpl ({s}), {seq:e}\n", // sequence moved on?
            $retry,                  // then retry
        )
    };
}

/// `seqcount`: the halves read inside a sequence-count check, pairing with
/// [`crate::write::seqcount_set`] / [`crate::write::seqcount_clear`]:
///
/// ```text
/// 2: movl (s),seq; testl $1,seq; jz 3f; pause; jmp 2b
/// 3: movl (p),lo; movl 4(p),hi; cmpl (s),seq; jne 2b
/// ```
/// The writer bumps the count to odd before its first half-store and to
/// even after its last; x86-TSO keeps the writer's stores and the reader's
/// loads in order, so an unchanged even count around both loads proves no
/// write overlapped them, and unlike a low-half recheck it cannot be fooled
/// by ABA: the count only grows.
#[inline(always)]
pub fn seqcount(seq: &SeqCount, pte: &Pte) -> (u32, u32) {
    let (lo, hi): (u32, u32);
    // SAFETY: `seq` and `pte` are live and aligned and only read.
    unsafe {
        asm!(
            seqcount_template!(),
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

/// [`seqcount`] with `spins` iterations of `pause` between the two loads on
/// the first attempt (retries run with the window closed).
#[inline(always)]
pub fn seqcount_windowed(seq: &SeqCount, pte: &Pte, spins: u32) -> (u32, u32) {
    let (lo, hi): (u32, u32);
    // SAFETY: as `seqcount`; the window loop only counts `hi` down.
    unsafe {
        asm!(
            seqcount_template!(crate::window_template!(hi), crate::window_retry_template!(hi)),
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
