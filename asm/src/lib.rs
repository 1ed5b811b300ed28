//! The instruction sequences of pte-litmus, each written once, as `asm!`.
//!
//! A 32-bit PAE page-table entry is 64 bits, stored little-endian as two 32-bit
//! halves: `pte_low` at offset 0 (present bit, flags, low frame bits) and
//! `pte_high` at offset 4 (high frame bits, NX). Linux reads it without locks in
//! `ptep_get_lockless()` as low, high, low again; this crate holds that read, the
//! alternatives that read all 64 bits in one access, the writers the kernel
//! pairs them with, and the fences, so that the litmus runner and the benchmarks
//! execute exactly the same instructions.
//!
//! Rules every primitive here follows:
//! - Every access to memory another thread may be writing at the same time is
//!   an `asm!` instruction: a data race through plain Rust loads and stores is
//!   undefined behaviour and lets the compiler merge, split or move them.
//! - Each `asm!` block documents its exact instruction sequence, what the Intel
//!   SDM (Vol. 3A, "Multiple-Processor Management": "Guaranteed Atomic
//!   Operations" and "Memory Ordering") guarantees for it, and the kernel
//!   code it mirrors. [`shims`] names the same sequence for the instruction
//!   checks in `tests/instructions.rs`.
//! - The SDM is cited by section title, since its chapter numbers move between
//!   editions ("Guaranteed Atomic Operations" was 7.1.1, then 8.1.1, now 9.1.1).
//! - Templates use AT&T syntax, as the kernel sources and `objdump` do.
//! - `options(...)` say only what is true. In particular `preserves_flags`
//!   promises to keep, on x86, EFLAGS' status flags, the whole x87 status
//!   word and MXCSR's exception flags (the Rust Reference, "Inline
//!   assembly", rules for `preserves_flags`; referred to as X87_FLAGS in
//!   the blocks' comments): no block with an x87 or MMX instruction
//!   (`fild`, `fistp`, `movq` to `%mm0`, `emms`) may claim it.
//!   `tests/options.rs` checks this in the source.
#![no_std]

pub mod cpu;
pub mod cycles;
pub mod fence;
pub mod protocol;
pub mod read;
pub mod recheck;
pub mod rmw;
pub mod shims;
pub mod strategy;
pub mod tsc;
pub mod write;

use core::cell::UnsafeCell;

/// The target triple this crate was built for, e.g. `i686-unknown-linux-gnu`.
pub const TARGET: &str = env!("PTE_ASM_TARGET");

/// One 64-bit page-table entry as the CPU sees it under PAE: two 32-bit halves,
/// 8-byte aligned, so that one 8-byte access to it is atomic (SDM "Guaranteed
/// Atomic Operations": "Reading or writing a quadword aligned on a 64-bit
/// boundary", Pentium and later) and so that it never straddles a cache line.
///
/// Mirrors `pte_t` on x86-32 PAE (`arch/x86/include/asm/pgtable-3level_types.h`):
/// `struct { unsigned long pte_low, pte_high; }` in a union with `pteval_t pte`.
///
/// All access after construction goes through the primitives of this crate,
/// which take `&Pte`: the halves are `UnsafeCell`s, so shared mutation through
/// `asm!` is permitted.
#[repr(C, align(8))]
pub struct Pte {
    low: UnsafeCell<u32>,
    high: UnsafeCell<u32>,
}

// SAFETY: every access to the halves after construction is an asm! instruction
// (a hardware access with hardware-defined results under races), never a Rust
// load or store, so sharing between threads cannot be a Rust data race.
unsafe impl Sync for Pte {}

impl Pte {
    /// A PTE holding `value` (`low` = bits 0..32, `high` = bits 32..64).
    pub const fn new(value: u64) -> Self {
        Pte {
            low: UnsafeCell::new(value as u32),
            high: UnsafeCell::new((value >> 32) as u32),
        }
    }

    /// Address of `pte_low`; `pte_high` is 4 bytes above it.
    #[inline(always)]
    pub const fn as_ptr(&self) -> *mut u32 {
        self.low.get()
    }

    /// `pte_low` as a 32-bit location of its own, for 4-byte accesses to an
    /// 8-byte location (a litmus test's `movl (x)` on a `uint64_t x`).
    #[inline(always)]
    pub const fn low_word(&self) -> &Word {
        // SAFETY: `Word` is `repr(transparent)` over `UnsafeCell<u32>`, the
        // type of the field, so the reference is to the same memory with the
        // same layout and the same rules (all access through asm!).
        unsafe { &*(&self.low as *const UnsafeCell<u32> as *const Word) }
    }

    /// `pte_high`, likewise.
    #[inline(always)]
    pub const fn high_word(&self) -> &Word {
        // SAFETY: as `low_word`.
        unsafe { &*(&self.high as *const UnsafeCell<u32> as *const Word) }
    }
}

impl Default for Pte {
    fn default() -> Self {
        Pte::new(0)
    }
}

/// One 32-bit shared location for the classic litmus tests (`SB`, `MP`, ...),
/// for the harness's own progress flags and for sequence counts.
/// Accessed only through [`read::load32`] and [`write::store32`] (plain `mov`).
#[repr(transparent)]
pub struct Word(UnsafeCell<u32>);

// SAFETY: as for `Pte`: all shared access is through asm! instructions.
unsafe impl Sync for Word {}

impl Word {
    pub const fn new(value: u32) -> Self {
        Word(UnsafeCell::new(value))
    }

    #[inline(always)]
    pub const fn as_ptr(&self) -> *mut u32 {
        self.0.get()
    }
}

impl Default for Word {
    fn default() -> Self {
        Word::new(0)
    }
}

/// A sequence count, as `seqcount_t` in `include/linux/seqlock.h`: even when no
/// write is in progress, odd during one. The `seqcount` reader and the
/// `seqcount-set`/`seqcount-clear` writers use it; writers are serialised by
/// the caller, as the kernel's are by the page-table lock.
pub type SeqCount = Word;

/// Join two halves into the 64-bit PTE value.
#[inline(always)]
pub const fn join(low: u32, high: u32) -> u64 {
    (high as u64) << 32 | low as u64
}

/// Split a 64-bit PTE value into `(low, high)`.
#[inline(always)]
pub const fn halves(value: u64) -> (u32, u32) {
    (value as u32, (value >> 32) as u32)
}
