//! The time-stamp counter: the clock of the runner's timebase barrier and of
//! the benchmarks.
//!
//! What the code relies on, and what it checks instead of assuming:
//! - `rdtsc` may run in user mode (CR4.TSD clear, as Linux leaves it);
//!   otherwise it faults. Not checked: every Linux the suite targets allows it.
//! - Within one run, each core's counter ticks at one steady rate, the same
//!   on every core (an *invariant* TSC, cpuid 0x8000_0007:EDX bit 8, which
//!   [`crate::cpu::Features::invariant_tsc`] reads; `litmus run` says so when
//!   it is missing). Nothing assumes the counters of two cores agree: the
//!   harness measures each core's offset from thread 0's and re-measures it
//!   during the run, because a hypervisor may move vCPUs (and a counter
//!   written by firmware may start elsewhere on each socket). Where the
//!   counters are not comparable at all, `--sync flags` avoids them.
//! - The rate is measured, never assumed: the benchmarks time the counter
//!   against the monotonic clock (`tsc_hz` in their CSV).

use core::arch::asm;

/// `rdtsc`: edx:eax = the time-stamp counter.
///
/// Not serialising and not a fence (SDM Vol. 2 "RDTSC": "does not wait
/// until all previous instructions have been executed before reading the
/// counter", and later instructions may begin before it completes), so the
/// runner may spin on it before a test body without ordering the body's
/// accesses. Mirrors the kernel's `rdtsc()` (`arch/x86/include/asm/msr.h`).
#[inline(always)]
pub fn rdtsc() -> u64 {
    let (lo, hi): (u32, u32);
    // SAFETY: rdtsc reads a counter into eax/edx; CR4.TSD is clear on Linux
    // (user-mode rdtsc allowed), and every i586+ CPU has a TSC.
    unsafe {
        asm!(
            "rdtsc",             // edx:eax = TSC
            out("eax") lo,
            out("edx") hi,
            options(nomem, nostack, preserves_flags),
        )
    }
    crate::join(lo, hi)
}

/// `rdtscp`: edx:eax = the time-stamp counter, ecx = `IA32_TSC_AUX` (the
/// CPU number on Linux).
///
/// Waits until all earlier instructions have executed and earlier loads are
/// globally visible (SDM Vol. 2 "RDTSCP"), but does not wait for stores and
/// does not stop later instructions from starting: the benchmarks' closing
/// timestamp, as nanoBench and the kernel's `rdtsc_ordered()` use it.
#[inline(always)]
pub fn rdtscp() -> u64 {
    let (lo, hi): (u32, u32);
    // SAFETY: as rdtsc; ecx is declared clobbered. The caller checks the
    // RDTSCP feature (cpuid 0x80000001:EDX bit 27) before relying on it.
    unsafe {
        asm!(
            "rdtscp",            // edx:eax = TSC, ecx = TSC_AUX
            out("eax") lo,
            out("edx") hi,
            out("ecx") _,
            options(nomem, nostack, preserves_flags),
        )
    }
    crate::join(lo, hi)
}
