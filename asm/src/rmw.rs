//! Read-modify-writes of one shared location: the `LOCK ADD`, `XCHG` and
//! `LOCK CMPXCHG` of herdtools7's x86 litmus tests, their unlocked forms
//! where x86 has one, and the `LOCK XADD` of the kernel's
//! `atomic_fetch_add()`, in 4- and 8-byte sizes (8-byte ones only where the
//! target has the instruction), and the kernel's `spin_lock()`, a `lock
//! cmpxchg` retried until the lock word holds 0 ([`spin_lock32`]). `litmus
//! run FILE.litmus` executes each instruction of a test as one of these,
//! so the hardware runs what the file says (for a C test, what the kernel
//! compiles it to).
//!
//! What the SDM guarantees ("Locked Atomic Operations", "Locked
//! Instructions Have a Total Order", "Loads and Stores Are Not Reordered
//! with Locked Instructions"): a `lock`ed read-modify-write, and `xchg`
//! with a memory operand (locked whether or not it says so), is one atomic
//! access to its location, totally ordered with every other locked
//! instruction, and drains the store buffer: a full fence. Without `lock`
//! the read and the write are separate accesses: another CPU's store may
//! land between them and be overwritten.
//!
//! Pairing: these pair with every load and store of [`crate::read`] and
//! [`crate::write`] to the same location, as the test file pairs them.

use crate::{Pte, Word};
use core::arch::asm;

/// `lock addl v, (p)`: add `value` to `*word`, atomically; a full fence.
/// Mirrors the kernel's `atomic_add()` (`LOCK_PREFIX "addl %1,%0"`).
#[inline(always)]
pub fn lock_add32(word: &Word, value: u32) {
    // SAFETY: `word` is a live, aligned u32 cell; one locked 4-byte RMW.
    // Flags are written (no `preserves_flags`).
    unsafe {
        asm!(
            "lock addl {v:e}, ({p})", // *word += v, atomically
            p = in(reg) word.as_ptr(),
            v = in(reg) value,
            options(nostack, att_syntax),
        )
    }
}

/// `lock addl v, (p)` then `sete` and `sets`: [`lock_add32`], and whether
/// the sum it stored is zero and whether it is negative (bit 31), from
/// the flags the locked add sets. Mirrors the kernel's
/// `atomic_dec_and_test()`, `_inc_`, `_sub_and_test()` (`lock decl`,
/// `incl`, `subl` then `sete`) and `atomic_add_negative()` (`lock addl`
/// then `sets`): `GEN_UNARY_RMWcc`/`GEN_BINARY_RMWcc` of
/// `arch/x86/include/asm/atomic.h`. A `decl` is the add of `-1`, an `incl`
/// of 1, a `subl` of the negated value: the same locked access, the same
/// sum, the same zero and sign flags.
#[inline(always)]
pub fn lock_add32_test(word: &Word, value: u32) -> (bool, bool) {
    let (zero, negative): (u8, u8);
    // SAFETY: `word` is a live, aligned u32 cell; one locked 4-byte RMW,
    // then two register-only `setcc`s.
    unsafe {
        asm!(
            "lock addl {v:e}, ({p})", // *word += v, atomically
            "sete {z}",               // z = (the sum == 0)
            "sets {n}",               // n = (the sum < 0)
            p = in(reg) word.as_ptr(),
            v = in(reg) value,
            z = out(reg_byte) zero,
            n = out(reg_byte) negative,
            options(nostack, att_syntax),
        )
    }
    (zero != 0, negative != 0)
}

/// `addl v, (p)` without `lock`: a load and a store of the sum, two
/// accesses another CPU's store may land between. Mirrors the kernel's
/// non-atomic `__this_cpu_add()`-style increments (`s->sequence++` of a
/// seqcount writer, serialised by a lock).
#[inline(always)]
pub fn add32(word: &Word, value: u32) {
    // SAFETY: as `lock_add32`; a plain 4-byte RMW.
    unsafe {
        asm!(
            "addl {v:e}, ({p})",      // *word += v (load, then store)
            p = in(reg) word.as_ptr(),
            v = in(reg) value,
            options(nostack, att_syntax),
        )
    }
}

/// `xchgl v, (p)`: swap `value` into `*word` and return the old value;
/// locked whether or not it says so (SDM Vol. 2 "XCHG"), a full fence.
/// Mirrors the kernel's `arch_xchg()`.
#[inline(always)]
pub fn xchg32(word: &Word, value: u32) -> u32 {
    let old: u32;
    // SAFETY: `word` is a live, aligned u32 cell; one locked 4-byte swap.
    unsafe {
        asm!(
            "xchgl {v:e}, ({p})",     // v <-> *word, atomically
            p = in(reg) word.as_ptr(),
            v = inout(reg) value => old,
            options(nostack, preserves_flags, att_syntax),
        )
    }
    old
}

/// `lock cmpxchgl new, (p)` with `%eax` = `expected`: if `*word` holds
/// `expected` it becomes `new`, else `%eax` takes `*word`; either way the
/// value `*word` held comes back (equal to `expected` exactly when the
/// swap happened). Atomic and a full fence. Mirrors the kernel's
/// `arch_cmpxchg()` (`LOCK_PREFIX "cmpxchgl"`).
#[inline(always)]
pub fn lock_cmpxchg32(word: &Word, expected: u32, new: u32) -> u32 {
    let old: u32;
    // SAFETY: `word` is a live, aligned u32 cell; one locked 4-byte
    // compare-and-swap. Flags are written.
    unsafe {
        asm!(
            "lock cmpxchgl {n:e}, ({p})", // if *p == eax: *p = n; else eax = *p
            p = in(reg) word.as_ptr(),
            n = in(reg) new,
            inout("eax") expected => old,
            options(nostack, att_syntax),
        )
    }
    old
}

/// `cmpxchgl new, (p)` without `lock`: the compare-and-swap as a load and
/// a separate store (SDM Vol. 2 "CMPXCHG": without `lock` it is not
/// atomic). Mirrors no kernel code: herdtools7's unlocked `cmpxchg`.
#[inline(always)]
pub fn cmpxchg32(word: &Word, expected: u32, new: u32) -> u32 {
    let old: u32;
    // SAFETY: as `lock_cmpxchg32`, unlocked.
    unsafe {
        asm!(
            "cmpxchgl {n:e}, ({p})",  // if *p == eax: *p = n; else eax = *p
            p = in(reg) word.as_ptr(),
            n = in(reg) new,
            inout("eax") expected => old,
            options(nostack, att_syntax),
        )
    }
    old
}

/// `lock xaddl v, (p)`: add `value` to `*word` and return the value it
/// held, atomically; a full fence (SDM Vol. 2 "XADD": with `lock` one
/// atomic access, ordered as every locked instruction). Mirrors the
/// kernel's `arch_atomic_fetch_add()` (`xadd(&v->counter, i)`, which is
/// `LOCK_PREFIX "xaddl"` in `arch/x86/include/asm/cmpxchg.h`).
#[inline(always)]
pub fn lock_xadd32(word: &Word, value: u32) -> u32 {
    let old: u32;
    // SAFETY: `word` is a live, aligned u32 cell; one locked 4-byte RMW.
    // Flags are written.
    unsafe {
        asm!(
            "lock xaddl {v:e}, ({p})", // v, *word = *word, *word + v, atomically
            p = in(reg) word.as_ptr(),
            v = inout(reg) value => old,
            options(nostack, att_syntax),
        )
    }
    old
}

/// The kernel's `spin_lock()` on x86, bounded: `lock cmpxchgl` of 0 -> 1
/// on `*word`, and while the lock is held, `pause`, a plain load of the
/// lock word until it reads 0, and the `lock cmpxchgl` again; after
/// `spins` rounds of that without taking the lock it gives up. Returns
/// whether it took the lock (`*word` was 0 and this call made it 1).
///
/// Mirrors `queued_spin_lock()` (`include/asm-generic/qspinlock.h`: the
/// fast path `atomic_try_cmpxchg_acquire(&lock->val, &val, _Q_LOCKED_VAL)`,
/// a `lock cmpxchg` expecting 0) and, when that fails, the slow path x86
/// takes in a guest without paravirt spinlocks, `virt_spin_lock()`
/// (`arch/x86/include/asm/qspinlock.h`: `val = atomic_read(&lock->val);
/// if (val || !atomic_try_cmpxchg(&lock->val, &val, _Q_LOCKED_VAL)) {
/// cpu_relax(); goto __retry; }`, a test-and-set lock). The queued slow
/// path (an MCS queue of per-CPU nodes) is not run: it ends in the same
/// lock word holding the lock, and user space has no per-CPU nodes. The
/// bound is the suite's, not the kernel's: a litmus instance whose lock is
/// never released must not hang its thread (`spins` = 0: the fast path
/// only).
///
/// What the SDM guarantees ("Locked Atomic Operations", "Loads and Stores
/// Are Not Reordered with Locked Instructions"): each `lock cmpxchgl` is
/// one atomic access, a full fence; the successful one reads 0 and writes
/// 1 in one step, so under x86-TSO the whole call is a locked
/// read-modify-write that waits until the location holds 0. The failed
/// attempts write back the 1 they read (SDM Vol. 2 "CMPXCHG") and the
/// spin's loads only wait: neither changes what the critical section may
/// see. Pairs with [`crate::write::store32`] of 0 (`spin_unlock()`).
#[inline(always)]
pub fn spin_lock32(word: &Word, spins: u32) -> bool {
    let seen: u32;
    // SAFETY: `word` is a live, aligned u32 cell; locked 4-byte
    // compare-and-swaps and plain 4-byte loads of it, in a loop that ends
    // after at most `spins` + 1 attempts. Flags are written.
    unsafe {
        asm!(
            "lock cmpxchgl {one:e}, ({p})", // if *p == 0 (eax): *p = 1; else eax = *p
            "je 3f",                        // taken
            "2:",
            "sub $1, {spins:e}",            // a round left?
            "jb 3f",                        // no: give up (eax = the lock's value, not 0)
            "pause",                        // cpu_relax()
            "movl ({p}), %eax",             // val = atomic_read(&lock->val)
            "test %eax, %eax",
            "jne 2b",                       // held: spin
            "lock cmpxchgl {one:e}, ({p})", // if *p == 0 (eax): *p = 1; else eax = *p
            "jne 2b",                       // another took it first
            "3:",
            p = in(reg) word.as_ptr(),
            one = in(reg) 1u32,
            spins = inout(reg) spins => _,
            inout("eax") 0u32 => seen,
            options(nostack, att_syntax),
        )
    }
    // 0: the last `lock cmpxchgl` succeeded (eax kept the 0 it expected).
    seen == 0
}

/// `lock addq v, (p)`: the 8-byte [`lock_add32`] (x86-64 only).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub fn lock_add64(pte: &Pte, value: u64) {
    // SAFETY: `pte` is live and 8-byte aligned; one locked 8-byte RMW.
    unsafe {
        asm!(
            "lock addq {v}, ({p})",   // *p += v, atomically (8 bytes)
            p = in(reg) pte.as_ptr(),
            v = in(reg) value,
            options(nostack, att_syntax),
        )
    }
}

/// `addq v, (p)` without `lock`: the 8-byte [`add32`] (x86-64 only).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub fn add64(pte: &Pte, value: u64) {
    // SAFETY: `pte` is live and 8-byte aligned; a plain 8-byte RMW.
    unsafe {
        asm!(
            "addq {v}, ({p})",        // *p += v (load, then store; 8 bytes)
            p = in(reg) pte.as_ptr(),
            v = in(reg) value,
            options(nostack, att_syntax),
        )
    }
}

/// `xchgq v, (p)`: the 8-byte [`xchg32`] (x86-64 only; a 32-bit target
/// swaps 8 bytes with the `lock cmpxchg8b` loop of `write::xchg64`).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub fn xchg64(pte: &Pte, value: u64) -> u64 {
    let old: u64;
    // SAFETY: `pte` is live and 8-byte aligned; one locked 8-byte swap.
    unsafe {
        asm!(
            "xchgq {v}, ({p})",       // v <-> *p, atomically (8 bytes)
            p = in(reg) pte.as_ptr(),
            v = inout(reg) value => old,
            options(nostack, preserves_flags, att_syntax),
        )
    }
    old
}

/// `lock xaddq v, (p)`: the 8-byte [`lock_xadd32`] (x86-64 only; x86-32
/// has no 8-byte `xadd`).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub fn lock_xadd64(pte: &Pte, value: u64) -> u64 {
    let old: u64;
    // SAFETY: `pte` is live and 8-byte aligned; one locked 8-byte RMW.
    // Flags are written.
    unsafe {
        asm!(
            "lock xaddq {v}, ({p})",  // v, *p = *p, *p + v, atomically (8 bytes)
            p = in(reg) pte.as_ptr(),
            v = inout(reg) value => old,
            options(nostack, att_syntax),
        )
    }
    old
}

/// `lock cmpxchgq new, (p)` with `%rax` = `expected`: the 8-byte
/// [`lock_cmpxchg32`] (x86-64; see [`lock_cmpxchg8b`] for 32-bit targets).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub fn lock_cmpxchg64(pte: &Pte, expected: u64, new: u64) -> u64 {
    let old: u64;
    // SAFETY: `pte` is live and 8-byte aligned; one locked 8-byte
    // compare-and-swap. Flags are written.
    unsafe {
        asm!(
            "lock cmpxchgq {n}, ({p})", // if *p == rax: *p = n; else rax = *p
            p = in(reg) pte.as_ptr(),
            n = in(reg) new,
            inout("rax") expected => old,
            options(nostack, att_syntax),
        )
    }
    old
}

/// `cmpxchgq new, (p)` without `lock` (x86-64 only): a load and a
/// separate store, as [`cmpxchg32`].
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub fn cmpxchg64(pte: &Pte, expected: u64, new: u64) -> u64 {
    let old: u64;
    // SAFETY: as `lock_cmpxchg64`, unlocked.
    unsafe {
        asm!(
            "cmpxchgq {n}, ({p})",    // if *p == rax: *p = n; else rax = *p
            p = in(reg) pte.as_ptr(),
            n = in(reg) new,
            inout("rax") expected => old,
            options(nostack, att_syntax),
        )
    }
    old
}

/// `lock cmpxchg8b (p)` with `%edx:%eax` = `expected` and `%ecx:%ebx` =
/// `new`: the 8-byte compare-and-swap of a 32-bit target, which is how
/// `litmus` runs a test's `lock cmpxchgq` there (the kernel's
/// `arch_cmpxchg64()` on x86-32). Returns the value `*p` held.
///
/// # Safety
/// The CPU must have CX8 (cpuid 1:EDX bit 8).
#[cfg(target_arch = "x86")]
#[inline(always)]
pub unsafe fn lock_cmpxchg8b(pte: &Pte, expected: u64, new: u64) -> u64 {
    let (lo, hi): (u32, u32);
    let (new_lo, new_hi) = crate::halves(new);
    // SAFETY: `pte` is live and 8-byte aligned; one locked 8-byte
    // compare-and-swap; ebx and ecx are inputs only. CX8 is the caller's
    // promise. Flags are written.
    unsafe {
        asm!(
            "lock cmpxchg8b ({p})",   // if *p == edx:eax: *p = ecx:ebx; else edx:eax = *p
            p = in(reg) pte.as_ptr(),
            in("ebx") new_lo,
            in("ecx") new_hi,
            inout("eax") expected as u32 => lo,
            inout("edx") (expected >> 32) as u32 => hi,
            options(nostack, att_syntax),
        )
    }
    crate::join(lo, hi)
}
