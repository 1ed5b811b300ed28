//! The core clock, counted: a chain of dependent one-cycle adds, timed with
//! the TSC, says how many core cycles one TSC tick is on this core now (the
//! way uops.info and nanoBench express latencies in core cycles). The TSC
//! ticks at a fixed reference rate; the core's clock moves with turbo and
//! power states, so a cost in ticks is not a cost in cycles.

use core::arch::asm;

/// Dependent adds in one iteration of [`add_chain`].
pub const ADDS_PER_ITERATION: u32 = 16;

/// `iterations` rounds of sixteen dependent register adds:
///
/// ```text
///     test n, n; jz 3f     # nothing to do
/// 2:  addl $1, x           # x += 1: waits for the add before it
///     ... (16 in all)
///     dec n                # the counter: a chain of its own, in parallel
///     jnz 2b
/// 3:
/// ```
/// A register `add` has a latency of one core cycle on every x86 since the
/// P6 (Intel 64 and IA-32 Architectures Optimization Reference Manual,
/// instruction latency tables; AMD's Software Optimization Guides likewise),
/// and each add needs the one before it, so the chain takes
/// `16 * iterations` core cycles, give or take the loop's first and last;
/// the counter's `dec`/`jnz` run beside it. It touches no memory and orders
/// nothing: a clock, not a test.
#[inline(always)]
pub fn add_chain(iterations: u32) {
    // SAFETY: register arithmetic only; both registers are declared.
    // Flags are written (no `preserves_flags`).
    unsafe {
        asm!(
            "test {n:e}, {n:e}",     // no iterations:
            "jz 3f",                 //     done
            "2:",
            "addl $1, {x:e}",        // x += 1, sixteen times, each after the last
            "addl $1, {x:e}",
            "addl $1, {x:e}",
            "addl $1, {x:e}",
            "addl $1, {x:e}",
            "addl $1, {x:e}",
            "addl $1, {x:e}",
            "addl $1, {x:e}",
            "addl $1, {x:e}",
            "addl $1, {x:e}",
            "addl $1, {x:e}",
            "addl $1, {x:e}",
            "addl $1, {x:e}",
            "addl $1, {x:e}",
            "addl $1, {x:e}",
            "addl $1, {x:e}",
            "dec {n:e}",             // n -= 1
            "jnz 2b",                // until n == 0
            "3:",
            n = inout(reg) iterations => _,
            x = inout(reg) 0u32 => _,
            options(nomem, nostack, att_syntax),
        )
    }
}
