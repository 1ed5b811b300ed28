//! Every way the suite writes a PTE, as the kernel writes PAE PTEs, plus the
//! plain 32-bit store of the classic litmus tests.
//!
//! Pairing: the half-stores here are ordered for the low/high/low reader of
//! [`crate::read`]. `pae_set` publishes high before low, so a reader that sees
//! the new low sees its high too; `pae_clear` removes low (the present bit)
//! before high, so a reader that sees the old high under a zero low treats
//! the entry as absent.

use crate::{Pte, SeqCount, Word};
use core::arch::asm;

/// `movl v, (p)`: one aligned 32-bit store, the `WRITE_ONCE()` of a 32-bit
/// word. Atomic ("Guaranteed Atomic Operations"); stores are not reordered
/// with other stores, but may sit in the store buffer past later loads
/// ("Memory Ordering": "Reads may be reordered with older writes to
/// different locations").
#[inline(always)]
pub fn store32(word: &Word, value: u32) {
    // SAFETY: `word` is a live, aligned u32 cell; a 4-byte store to it.
    unsafe {
        asm!(
            "movl {v:e}, ({p})", // WRITE_ONCE(*word, v)
            p = in(reg) word.as_ptr(),
            v = in(reg) value,
            options(nostack, preserves_flags, att_syntax),
        )
    }
}

/// `movl v, (p,i,1)`: [`store32`] at `word` plus the byte offset `index`,
/// computed by the CPU from a register: the address dependency of the
/// kernel's C tests (`WRITE_ONCE(*(y + (r1 & 8)), 1)`, whose offset is 0
/// in every execution), kept in the instruction that executes.
///
/// # Safety
/// `word` plus `index` bytes is a live, aligned u32 cell (the suite passes
/// an `index` that is 0: `litmus::catalog::program::values`).
#[inline(always)]
pub unsafe fn store32_indexed(word: &Word, index: usize, value: u32) {
    // SAFETY: the caller's: `word + index` is a live, aligned u32 cell; a
    // 4-byte store to it.
    unsafe {
        asm!(
            "movl {v:e}, ({p},{i},1)", // WRITE_ONCE(*(word + index), v)
            p = in(reg) word.as_ptr(),
            i = in(reg) index,
            v = in(reg) value,
            options(nostack, preserves_flags, att_syntax),
        )
    }
}

/// `pae-set`: the kernel's `native_set_pte()` for x86-32 PAE
/// (`arch/x86/include/asm/pgtable-3level.h`):
///
/// ```c
/// WRITE_ONCE(ptep->pte_high, pte.pte_high);
/// smp_wmb();
/// WRITE_ONCE(ptep->pte_low, pte.pte_low);
/// ```
/// as `movl hi, 4(p); movl lo, (p)` (`smp_wmb()` is a compiler barrier on
/// x86: "Writes are not reordered with other writes").
#[inline(always)]
pub fn pae_set(pte: &Pte, low: u32, high: u32) {
    // SAFETY: `pte` is live and 8-byte aligned; two 4-byte stores to it.
    unsafe {
        asm!(
            "movl {hi:e}, 4({p})", // ptep->pte_high = high
                                   // smp_wmb()
            "movl {lo:e}, ({p})",  // ptep->pte_low = low (now present)
            p = in(reg) pte.as_ptr(),
            lo = in(reg) low,
            hi = in(reg) high,
            options(nostack, preserves_flags, att_syntax),
        )
    }
}

/// `pae-clear`: the kernel's `native_pte_clear()` for x86-32 PAE:
///
/// ```c
/// WRITE_ONCE(ptep->pte_low, 0);
/// smp_wmb();
/// WRITE_ONCE(ptep->pte_high, 0);
/// ```
/// as `movl $0, (p); movl $0, 4(p)`: the present bit goes first.
#[inline(always)]
pub fn pae_clear(pte: &Pte) {
    // SAFETY: `pte` is live and 8-byte aligned; two 4-byte stores to it.
    unsafe {
        asm!(
            "movl $0, ({p})",      // ptep->pte_low = 0 (no longer present)
                                   // smp_wmb()
            "movl $0, 4({p})",     // ptep->pte_high = 0
            p = in(reg) pte.as_ptr(),
            options(nostack, preserves_flags, att_syntax),
        )
    }
}

/// `pae-set-low-first`: an install in the reverse of the kernel's order,
/// for `litmus protocols`: `movl lo, (p); movl hi, 4(p)`. x86 keeps the two
/// stores in this order ("Writes are not reordered with other writes"),
/// so between them the PTE is present with the old (zapped: zero) high:
/// no kernel writer does this; it is here to show what the order buys.
#[inline(always)]
pub fn pae_set_low_first(pte: &Pte, low: u32, high: u32) {
    // SAFETY: `pte` is live and 8-byte aligned; two 4-byte stores to it.
    unsafe {
        asm!(
            "movl {lo:e}, ({p})",  // ptep->pte_low = low (present already)
            "movl {hi:e}, 4({p})", // ptep->pte_high = high
            p = in(reg) pte.as_ptr(),
            lo = in(reg) low,
            hi = in(reg) high,
            options(nostack, preserves_flags, att_syntax),
        )
    }
}

/// `pae-clear-high-first`: a zap in the reverse of `native_pte_clear()`'s
/// order, for `litmus protocols`: `movl $0, 4(p); movl $0, (p)`. Between
/// the stores the PTE is still present, with a zero high half.
#[inline(always)]
pub fn pae_clear_high_first(pte: &Pte) {
    // SAFETY: `pte` is live and 8-byte aligned; two 4-byte stores to it.
    unsafe {
        asm!(
            "movl $0, 4({p})",     // ptep->pte_high = 0 (still present)
            "movl $0, ({p})",      // ptep->pte_low = 0
            p = in(reg) pte.as_ptr(),
            options(nostack, preserves_flags, att_syntax),
        )
    }
}

/// `xchg64`: swap in a whole PTE with a `lock cmpxchg8b` loop and return the
/// old one: the kernel's `native_ptep_get_and_clear()` on SMP, via
/// `pxx_xchg64()` / `arch_cmpxchg64()`:
///
/// ```text
/// movl (p), %eax           # old = READ_ONCE(*p) (a guess; may be torn)
/// movl 4(p), %edx
/// 2: lock cmpxchg8b (p)    # if (*p == edx:eax) *p = ecx:ebx else edx:eax = *p
/// jne 2b                   # lost a race: retry with what was there
/// ```
/// One locked 8-byte read-modify-write: readers see the old or the new PTE
/// whole, and it is a full fence ("Locked Instructions Have a Total Order").
///
/// # Safety
/// The CPU must have CX8.
#[inline(always)]
pub unsafe fn xchg64(pte: &Pte, low: u32, high: u32) -> (u32, u32) {
    let (old_lo, old_hi): (u32, u32);
    // SAFETY: `pte` is live and 8-byte aligned; the locked loop replaces it
    // atomically. On x86-32, ebx takes `low` directly (an `xchg` with a
    // scratch register breaks if the allocator picks ebx for the pointer).
    #[cfg(target_arch = "x86")]
    unsafe {
        asm!(
            "movl ({p}), %eax",      // eax = ptep->pte_low (guess)
            "movl 4({p}), %edx",     // edx = ptep->pte_high (guess)
            "2:",
            "lock cmpxchg8b ({p})",  // swap if *p is still edx:eax
            "jne 2b",                // else edx:eax = *p; retry
            p = in(reg) pte.as_ptr(),
            in("ebx") low,
            in("ecx") high,
            out("eax") old_lo,
            out("edx") old_hi,
            options(nostack, att_syntax),
        )
    }
    // SAFETY: as above. On x86-64 LLVM reserves rbx, so it is saved in a
    // scratch register around the loop and restored before the block ends.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        asm!(
            "movq %rbx, {save}",     // save LLVM's rbx
            "movl {lo:e}, %ebx",     // ebx = low
            "movl ({p}), %eax",      // eax = ptep->pte_low (guess)
            "movl 4({p}), %edx",     // edx = ptep->pte_high (guess)
            "2:",
            "lock cmpxchg8b ({p})",  // swap if *p is still edx:eax
            "jne 2b",                // else edx:eax = *p; retry
            "movq {save}, %rbx",     // restore rbx
            p = in(reg) pte.as_ptr(),
            lo = in(reg) low,
            save = out(reg) _,
            in("ecx") high,
            out("eax") old_lo,
            out("edx") old_hi,
            options(nostack, att_syntax),
        )
    }
    (old_lo, old_hi)
}

/// `seqcount-set`: install a PTE inside a sequence-count write section,
/// pairing with [`crate::read::seqcount`]:
///
/// ```text
/// addl $1, (s)             # s->sequence++ (now odd)   write_seqcount_begin
///                          # smp_wmb()
/// movl hi, 4(p)            # ptep->pte_high = high
/// movl lo, (p)             # ptep->pte_low = low
///                          # smp_wmb()
/// addl $1, (s)             # s->sequence++ (even again) write_seqcount_end
/// ```
/// The unlocked `addl` is a load and a store; the kernel's is too
/// (`s->sequence++`), since writers are serialised by a lock. Stores stay in
/// order under x86-TSO, so a reader that sees the even count after sees
/// both halves.
///
/// Callers serialise writers of one `seq` (one writer thread, or a lock).
#[inline(always)]
pub fn seqcount_set(seq: &SeqCount, pte: &Pte, low: u32, high: u32) {
    // SAFETY: `seq` and `pte` are live and aligned; four stores, one read.
    unsafe {
        asm!(
            "addl $1, ({s})",      // sequence++ (odd: write in progress)
            "movl {hi:e}, 4({p})", // ptep->pte_high = high
            "movl {lo:e}, ({p})",  // ptep->pte_low = low
            "addl $1, ({s})",      // sequence++ (even: done)
            s = in(reg) seq.as_ptr(),
            p = in(reg) pte.as_ptr(),
            lo = in(reg) low,
            hi = in(reg) high,
            options(nostack, att_syntax),
        )
    }
}

/// `seqcount-clear`: zap a PTE inside a sequence-count write section, the
/// `pae-clear` order (low first) between the two increments:
/// `addl $1,(s); movl $0,(p); movl $0,4(p); addl $1,(s)`.
///
/// Callers serialise writers of one `seq`.
#[inline(always)]
pub fn seqcount_clear(seq: &SeqCount, pte: &Pte) {
    // SAFETY: `seq` and `pte` are live and aligned; four stores, one read.
    unsafe {
        asm!(
            "addl $1, ({s})",      // sequence++ (odd)
            "movl $0, ({p})",      // ptep->pte_low = 0
            "movl $0, 4({p})",     // ptep->pte_high = 0
            "addl $1, ({s})",      // sequence++ (even)
            s = in(reg) seq.as_ptr(),
            p = in(reg) pte.as_ptr(),
            options(nostack, att_syntax),
        )
    }
}

/// `store64-sse2`: one SSE2 8-byte store, for tests that need a writer whose
/// PTE appears all at once:
///
/// ```text
/// movd lo, %xmm0           # xmm0 = lo
/// movd hi, %xmm1           # xmm1 = hi
/// punpckldq %xmm1, %xmm0   # xmm0[63:0] = hi:lo
/// movq %xmm0, (p)          # *p = xmm0[63:0], one aligned 8-byte store
/// ```
/// Atomic as one aligned quadword write ("Guaranteed Atomic Operations").
#[cfg(target_feature = "sse2")]
#[inline(always)]
pub fn store64_sse2(pte: &Pte, low: u32, high: u32) {
    // SAFETY: `pte` is live and 8-byte aligned; SSE2 is a compile-time target
    // feature (cfg above); both xmm registers are declared scratch.
    unsafe {
        asm!(
            "movd {lo:e}, {a}",     // a = lo
            "movd {hi:e}, {b}",     // b = hi
            "punpckldq {b}, {a}",   // a = hi:lo
            "movq {a}, ({p})",      // *p = a (8 bytes at once)
            p = in(reg) pte.as_ptr(),
            lo = in(reg) low,
            hi = in(reg) high,
            a = out(xmm_reg) _,
            b = out(xmm_reg) _,
            // `preserves_flags` holds: integer SSE2 moves and shuffles touch
            // neither EFLAGS nor MXCSR's exception flags (X87_FLAGS).
            options(nostack, preserves_flags, att_syntax),
        )
    }
}

/// `store64`: one 64-bit `movq r64, (p)` (x86-64 only): the 8-byte store
/// of a litmus test's `movq $v,(x)`, and the kernel's `native_set_pte()` on
/// x86-64, where a PTE is written whole:
///
/// ```text
/// movq v, (p)              # *p = v, one aligned 8-byte store
/// ```
/// Atomic as one aligned quadword write ("Guaranteed Atomic Operations").
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub fn store64(pte: &Pte, value: u64) {
    // SAFETY: `pte` is live and 8-byte aligned; one 8-byte store to it.
    unsafe {
        asm!(
            "movq {v}, ({p})",     // *p = v (8 bytes at once)
            p = in(reg) pte.as_ptr(),
            v = in(reg) value,
            options(nostack, preserves_flags, att_syntax),
        )
    }
}

/// `store64-fistp`: one x87 8-byte store, for writers without SSE2:
///
/// ```text
/// fildll (buf)             # st0 = hi:lo from this thread's stack slot
/// fistpll (p)              # *p = st0, pop: one aligned 8-byte store
/// ```
/// Atomic as one aligned quadword write; exact for every int64.
///
/// # Safety
/// The CPU must have an x87 FPU.
#[inline(always)]
pub unsafe fn store64_fistp(pte: &Pte, low: u32, high: u32) {
    let buf = crate::read::X87Buffer([low, high]);
    let buf = &buf.0;
    // SAFETY: `pte` is live and aligned; `buf` is private, 8-byte aligned
    // stack memory (see `read::X87Buffer`); the
    // x87 stack is empty on entry (ABI) and left empty (fistp pops).
    unsafe {
        asm!(
            "fildll ({b})",        // st0 = buf (private, 8 bytes)
            "fistpll ({p})",       // *p = st0 (8 bytes at once); pop
            p = in(reg) pte.as_ptr(),
            b = in(reg) buf.as_ptr(),
            out("st(0)") _, out("st(1)") _, out("st(2)") _, out("st(3)") _,
            out("st(4)") _, out("st(5)") _, out("st(6)") _, out("st(7)") _,
            // Not `preserves_flags`: fild and fistp write the x87 status word
            // (C1, TOP), which that option promises to keep (X87_FLAGS).
            options(nostack, att_syntax),
        )
    }
}
