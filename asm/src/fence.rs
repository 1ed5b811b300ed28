//! The fences on their own, and the spin that widens a reader's window.
//!
//! On x86 the kernel's barriers are (`arch/x86/include/asm/barrier.h`):
//! - `smp_rmb()`, `smp_wmb()`: `barrier()`, a compiler barrier only, because
//!   x86-TSO already keeps loads in order with loads and stores with stores
//!   (SDM "Memory Ordering in P6 and More Recent Processor Families": "Reads
//!   are not reordered with other reads", "Writes are not reordered with other
//!   writes").
//! - `rmb()`: `lfence` where SSE2 exists, else `lock addl $0,-4(%esp)`
//!   (x86-32 `alternative()`); `wmb()`: `sfence`; `mb()`: `mfence`.
//! - `smp_mb()` on x86-32: `lock addl $0,-4(%esp)` (cheaper than `mfence`).
//!
//! The templates are macros as well as functions, so that the `lowhigh-*`
//! reads in [`crate::read`] splice in exactly the same text.

use core::arch::asm;

/// `lock addl $0,-4(%esp)` (x86-32) / `lock addl $0,-4(%rsp)` (x86-64): the
/// kernel's `smp_mb()` and pre-SSE2 `rmb()`. Adding zero leaves the word below
/// the stack pointer unchanged, so it is safe even inside the x86-64 red zone.
#[cfg(target_arch = "x86")]
#[macro_export]
#[doc(hidden)]
macro_rules! lock_addl_template {
    () => {
        "lock addl $0, -4(%esp)"
    };
}
#[cfg(target_arch = "x86_64")]
#[macro_export]
#[doc(hidden)]
macro_rules! lock_addl_template {
    () => {
        "lock addl $0, -4(%rsp)"
    };
}

/// `barrier()`: an empty `asm!` with a memory clobber. No instruction; the
/// compiler may not move memory accesses across it. This is all `smp_rmb()`
/// and `smp_wmb()` are on x86.
#[inline(always)]
pub fn compiler_barrier() {
    // SAFETY: an empty template executes nothing; omitting `nomem` makes it a
    // compiler barrier for memory accesses, which is its purpose.
    unsafe { asm!("", options(nostack, preserves_flags)) }
}

/// `lfence`: the kernel's `rmb()` on SSE2 CPUs. The SDM ("Memory Ordering"):
/// loads before it complete before loads after it; it does *not* wait for
/// earlier stores to drain from the store buffer, so it does not forbid the
/// store-buffering outcome (see the `SB+lfences` litmus test). It also waits
/// for earlier instructions to complete locally (a speculation barrier).
#[cfg(target_feature = "sse2")]
#[inline(always)]
pub fn lfence() {
    // SAFETY: lfence has no operands and only orders; SSE2 is a compile-time
    // target feature here (cfg above).
    unsafe { asm!("lfence", options(nostack, preserves_flags)) }
}

/// `sfence`: the kernel's `wmb()`. Orders stores before it with stores after
/// it; on ordinary write-back memory x86-TSO already does this, so it matters
/// only for non-temporal and write-combining stores.
#[cfg(target_feature = "sse")]
#[inline(always)]
pub fn sfence() {
    // SAFETY: no operands; SSE is a compile-time target feature here.
    unsafe { asm!("sfence", options(nostack, preserves_flags)) }
}

/// `mfence`: the kernel's `mb()`. Every load and store before it is globally
/// visible before any load or store after it: it drains the store buffer, so
/// it forbids the store-buffering outcome.
#[cfg(target_feature = "sse2")]
#[inline(always)]
pub fn mfence() {
    // SAFETY: no operands; SSE2 is a compile-time target feature here.
    unsafe { asm!("mfence", options(nostack, preserves_flags)) }
}

/// `lock addl $0,-4(%esp)`: the kernel's x86-32 `smp_mb()` and its `rmb()`
/// before SSE2. The SDM ("Locked Instructions Have a Total Order", "Loads and
/// Stores Are Not Reordered with Locked Instructions"): a locked instruction
/// drains the store buffer, so this is a full fence on every x86 CPU.
#[inline(always)]
pub fn lock_addl() {
    // SAFETY: adds 0 to the 4 bytes just below the stack pointer, which always
    // belong to this thread's stack mapping; the value there is unchanged, so
    // nothing the compiler keeps there (x86-64 red zone) is disturbed. Flags
    // are clobbered (no `preserves_flags`).
    unsafe { asm!(crate::lock_addl_template!(), options(att_syntax)) }
}

/// `1: pause; dec n; jnz 1b` (skipped when `n` is 0): `n` iterations of
/// `pause`, a delay with no ordering effect. `pause` is a spin-loop hint
/// (SDM Vol. 2 "PAUSE"); it neither serialises nor fences, so it widens a
/// reader's window without changing which outcomes are allowed. Stands for a
/// vCPU descheduled in the middle of a read.
#[inline(always)]
pub fn spin_pause(n: u32) {
    // SAFETY: register-only loop; touches no memory.
    unsafe {
        asm!(
            crate::window_template!(n),
            n = inout(reg) n => _,
            options(nomem, nostack, att_syntax),
        )
    }
}

/// The spin of [`spin_pause`] as template text, spliced into the windowed
/// reads between their loads. Counts the named operand down to zero; the
/// first window of a read passes its `hi` register, which is dead until the
/// high load, so it costs no register (i686 has only five to give). Local
/// labels 8 and 9 are reserved for it (numeric labels may repeat, so one
/// template can hold it twice).
#[macro_export]
#[doc(hidden)]
macro_rules! window_template {
    ($n:ident) => {
        concat!(
            concat!("test {", stringify!($n), ":e}, {", stringify!($n), ":e}\n"), // if (n == 0)
            "jz 9f\n",                                                            //     skip
            "8: pause\n",                                                         // do { pause;
            concat!("dec {", stringify!($n), ":e}\n"),                            //      n--;
            "jnz 8b\n",                                                           // } while (n);
            "9:",
        )
    };
}

/// The retry of a windowed read: like `jne 2b`, but first zeroes the first
/// window's counter (the `hi` register now holds a PTE half; a second
/// window's counter is already zero), so a retry runs with the windows
/// closed: a preemption strikes once, not on every attempt.
/// Local label 2 must be the read's retry point; 7 is reserved for it.
#[macro_export]
#[doc(hidden)]
macro_rules! window_retry_template {
    ($n:ident) => {
        concat!(
            "je 7f\n",                                                            // unchanged: done
            concat!("xorl {", stringify!($n), ":e}, {", stringify!($n), ":e}\n"), // window closed
            "jmp 2b\n",                                                           // retry
            "7:",
        )
    };
}
