//! Every primitive as an exported, never-inlined function, and the
//! instructions it must compile to: the instruction checks
//! (`asm/tests/instructions.rs`, in the spirit of stdarch's `assert_instr`)
//! call each shim for its values, then disassemble it with `objdump` and
//! compare, and the reviewed disassembly per target is committed under
//! `asm/disasm/` so codegen drift shows in review.
//!
//! The expected shape lists, in order, every instruction of the shim that
//! accesses memory other than the stack, carries `lock`, or orders or
//! delays (`lfence`, `sfence`, `mfence`, `pause`, `emms`), in objdump's AT&T
//! spelling with general registers written `%r`, xmm registers `%xmm` and
//! the stack pointer `%sp`. Argument loads from the stack (i686 passes
//! arguments there) and register moves are left out, so one list holds on
//! every target. The list must match exactly: an extra fence, a split or a
//! merged access fails the check.

use crate::cpu::Features;
use crate::{Pte, SeqCount, cycles, fence, halves, join, read, recheck, rmw, tsc, write};

/// How a shim is called.
#[derive(Clone, Copy)]
pub enum ShimFn {
    /// `(seq, pte, spins) -> pte value read`
    Read(unsafe extern "C" fn(&SeqCount, &Pte, u32) -> u64),
    /// `(seq, pte, low, high)`; returns the old value where the write does.
    Write(unsafe extern "C" fn(&SeqCount, &Pte, u32, u32) -> u64),
    /// No operands.
    Fence(extern "C" fn()),
}

/// One primitive under check.
pub struct Shim {
    /// The exported symbol, as objdump shows it.
    pub symbol: &'static str,
    pub call: ShimFn,
    /// Whether this CPU may execute it (shims are disassembled regardless).
    pub runs_on: fn(&Features) -> bool,
    /// The expected instruction shape (see the module docs).
    pub instructions: &'static [&'static str],
}

fn always(_: &Features) -> bool {
    true
}
fn cx8(f: &Features) -> bool {
    f.cx8
}
fn mmx(f: &Features) -> bool {
    f.mmx
}
fn fpu(f: &Features) -> bool {
    f.fpu
}
fn rdtscp(f: &Features) -> bool {
    f.rdtscp
}
#[cfg(target_feature = "sse2")]
fn sse2(f: &Features) -> bool {
    f.sse2
}
#[cfg(target_feature = "sse")]
fn sse(f: &Features) -> bool {
    f.sse
}

/// Defines the exported shim functions and the [`SHIMS`] table in one go, so
/// a shim cannot exist without its expected instructions.
macro_rules! shims {
    ($(
        $(#[$cfg:meta])*
        $kind:ident $symbol:ident ($($arg:ident),*) $runs_on:ident => $body:expr, [$($instr:literal),* $(,)?];
    )*) => {
        $(
            $(#[$cfg])*
            shims!(@fn $kind $symbol ($($arg),*) $body);
        )*

        /// Every shim of this build, with its expected instructions.
        pub static SHIMS: &[Shim] = &[$(
            $(#[$cfg])*
            Shim {
                symbol: stringify!($symbol),
                call: shims!(@call $kind $symbol),
                runs_on: $runs_on,
                instructions: &[$($instr),*],
            },
        )*];
    };
    (@fn read $symbol:ident ($seq:ident, $pte:ident, $spins:ident) $body:expr) => {
        /// # Safety
        /// The shim's `runs_on` holds for this CPU.
        #[unsafe(no_mangle)]
        #[inline(never)]
        #[allow(unused_variables, unused_unsafe)]
        pub unsafe extern "C" fn $symbol($seq: &SeqCount, $pte: &Pte, $spins: u32) -> u64 {
            // SAFETY: the caller checked `runs_on` for this CPU.
            let (lo, hi) = unsafe { $body };
            join(lo, hi)
        }
    };
    (@fn write $symbol:ident ($seq:ident, $pte:ident, $lo:ident, $hi:ident) $body:expr) => {
        /// # Safety
        /// The shim's `runs_on` holds for this CPU.
        #[unsafe(no_mangle)]
        #[inline(never)]
        #[allow(unused_variables, unused_unsafe, clippy::unit_arg)]
        pub unsafe extern "C" fn $symbol($seq: &SeqCount, $pte: &Pte, $lo: u32, $hi: u32) -> u64 {
            // SAFETY: the caller checked `runs_on` for this CPU.
            let old: Option<(u32, u32)> = unsafe { $body };
            old.map_or(0, |(lo, hi)| join(lo, hi))
        }
    };
    (@fn fence $symbol:ident () $body:expr) => {
        #[unsafe(no_mangle)]
        #[inline(never)]
        pub extern "C" fn $symbol() {
            $body
        }
    };
    (@call read $symbol:ident) => { ShimFn::Read($symbol) };
    (@call write $symbol:ident) => { ShimFn::Write($symbol) };
    (@call fence $symbol:ident) => { ShimFn::Fence($symbol) };
}

shims! {
    // Reads. `p` is the PTE, `s` its sequence count, `n` the window.
    read pte_asm_load32(s, p, n) always => (read::load32(s), 0),
        ["mov (%r),%r"];
    // Index 0, in a register: `s` itself.
    read pte_asm_load32_indexed(s, p, n) always => (read::load32_indexed(s, 0), 0),
        ["mov (%r,%r,1),%r"];
    read pte_asm_split(s, p, n) always => read::split(p),
        ["mov (%r),%r", "mov 0x4(%r),%r"];
    read pte_asm_split_windowed(s, p, n) always => read::split_windowed(p, n),
        ["mov (%r),%r", "pause", "mov 0x4(%r),%r"];
    read pte_asm_lowhigh(s, p, n) always => read::lowhigh(p),
        ["mov (%r),%r", "mov 0x4(%r),%r", "cmp (%r),%r"];
    read pte_asm_lowhigh_windowed(s, p, n) always => read::lowhigh_windowed(p, n),
        ["mov (%r),%r", "pause", "mov 0x4(%r),%r", "pause", "cmp (%r),%r"];
    #[cfg(target_feature = "sse2")]
    read pte_asm_lowhigh_lfence(s, p, n) sse2 => read::lowhigh_lfence(p),
        ["mov (%r),%r", "lfence", "mov 0x4(%r),%r", "lfence", "cmp (%r),%r"];
    #[cfg(target_feature = "sse2")]
    read pte_asm_lowhigh_lfence_windowed(s, p, n) sse2 => read::lowhigh_lfence_windowed(p, n),
        ["mov (%r),%r", "pause", "lfence", "mov 0x4(%r),%r", "pause", "lfence", "cmp (%r),%r"];
    read pte_asm_lowhigh_lockadd(s, p, n) always => read::lowhigh_lockadd(p),
        ["mov (%r),%r", "lock addl $0x0,-0x4(%sp)", "mov 0x4(%r),%r",
         "lock addl $0x0,-0x4(%sp)", "cmp (%r),%r"];
    read pte_asm_lowhigh_lockadd_windowed(s, p, n) always => read::lowhigh_lockadd_windowed(p, n),
        ["mov (%r),%r", "pause", "lock addl $0x0,-0x4(%sp)", "mov 0x4(%r),%r", "pause",
         "lock addl $0x0,-0x4(%sp)", "cmp (%r),%r"];
    read pte_asm_cmpxchg8b(s, p, n) cx8 => read::cmpxchg8b(p),
        ["lock cmpxchg8b (%r)"];
    read pte_asm_cmpxchg8b_nolock(s, p, n) cx8 => read::cmpxchg8b_nolock(p),
        ["cmpxchg8b (%r)"];
    #[cfg(target_feature = "sse2")]
    read pte_asm_movq_sse2(s, p, n) sse2 => read::movq_sse2(p),
        ["movq (%r),%xmm"];
    read pte_asm_movq_mmx(s, p, n) mmx => read::movq_mmx(p),
        ["movq (%r),%mm0", "emms"];
    read pte_asm_fild(s, p, n) fpu => read::fild(p),
        ["fildll (%r)", "fistpll (%r)"];
    read pte_asm_seqcount(s, p, n) always => read::seqcount(s, p),
        ["mov (%r),%r", "pause", "mov (%r),%r", "mov 0x4(%r),%r", "cmp (%r),%r"];
    read pte_asm_seqcount_windowed(s, p, n) always => read::seqcount_windowed(s, p, n),
        ["mov (%r),%r", "pause", "mov (%r),%r", "pause", "mov 0x4(%r),%r", "cmp (%r),%r"];
    #[cfg(target_arch = "x86_64")]
    read pte_asm_native64(s, p, n) always => read::native64(p),
        ["mov (%r),%r"];

    // The protocols' reads (`recheck`).
    read pte_asm_highlow(s, p, n) always => recheck::highlow(p),
        ["mov 0x4(%r),%r", "mov (%r),%r", "cmp 0x4(%r),%r"];
    read pte_asm_highlow_windowed(s, p, n) always => recheck::highlow_windowed(p, n),
        ["mov 0x4(%r),%r", "pause", "mov (%r),%r", "pause", "cmp 0x4(%r),%r"];
    #[cfg(target_feature = "sse2")]
    read pte_asm_highlow_lfence(s, p, n) sse2 => recheck::highlow_lfence(p),
        ["mov 0x4(%r),%r", "lfence", "mov (%r),%r", "lfence", "cmp 0x4(%r),%r"];
    #[cfg(target_feature = "sse2")]
    read pte_asm_highlow_lfence_windowed(s, p, n) sse2 => recheck::highlow_lfence_windowed(p, n),
        ["mov 0x4(%r),%r", "pause", "lfence", "mov (%r),%r", "pause", "lfence", "cmp 0x4(%r),%r"];
    read pte_asm_lowhighlowhigh(s, p, n) always => recheck::lowhighlowhigh(p),
        ["mov (%r),%r", "mov 0x4(%r),%r", "cmp (%r),%r", "cmp 0x4(%r),%r"];
    read pte_asm_lowhighlowhigh_windowed(s, p, n) always => recheck::lowhighlowhigh_windowed(p, n),
        ["mov (%r),%r", "pause", "mov 0x4(%r),%r", "pause", "cmp (%r),%r", "cmp 0x4(%r),%r"];
    #[cfg(target_feature = "sse2")]
    read pte_asm_lowhighlowhigh_lfence(s, p, n) sse2 => recheck::lowhighlowhigh_lfence(p),
        ["mov (%r),%r", "lfence", "mov 0x4(%r),%r", "lfence", "cmp (%r),%r", "lfence",
         "cmp 0x4(%r),%r"];
    #[cfg(target_feature = "sse2")]
    read pte_asm_lowhighlowhigh_lfence_windowed(s, p, n) sse2 =>
        recheck::lowhighlowhigh_lfence_windowed(p, n),
        ["mov (%r),%r", "pause", "lfence", "mov 0x4(%r),%r", "pause", "lfence", "cmp (%r),%r",
         "lfence", "cmp 0x4(%r),%r"];
    read pte_asm_twice(s, p, n) always => recheck::twice(p),
        ["mov (%r),%r", "mov 0x4(%r),%r", "mov (%r),%r", "mov 0x4(%r),%r"];
    read pte_asm_twice_windowed(s, p, n) always => recheck::twice_windowed(p, n),
        ["mov (%r),%r", "pause", "mov 0x4(%r),%r", "pause", "mov (%r),%r", "mov 0x4(%r),%r"];
    #[cfg(target_feature = "sse2")]
    read pte_asm_twice_lfence(s, p, n) sse2 => recheck::twice_lfence(p),
        ["mov (%r),%r", "lfence", "mov 0x4(%r),%r", "lfence", "mov (%r),%r", "lfence",
         "mov 0x4(%r),%r", "lfence"];
    #[cfg(target_feature = "sse2")]
    read pte_asm_twice_lfence_windowed(s, p, n) sse2 => recheck::twice_lfence_windowed(p, n),
        ["mov (%r),%r", "pause", "lfence", "mov 0x4(%r),%r", "pause", "lfence", "mov (%r),%r",
         "lfence", "mov 0x4(%r),%r", "lfence"];
    #[cfg(target_feature = "sse2")]
    read pte_asm_seqcount_lfence(s, p, n) sse2 => recheck::seqcount_lfence(s, p),
        ["mov (%r),%r", "pause", "lfence", "mov (%r),%r", "mov 0x4(%r),%r", "lfence",
         "cmp (%r),%r"];
    #[cfg(target_feature = "sse2")]
    read pte_asm_seqcount_lfence_windowed(s, p, n) sse2 => recheck::seqcount_lfence_windowed(s, p, n),
        ["mov (%r),%r", "pause", "lfence", "mov (%r),%r", "pause", "mov 0x4(%r),%r", "lfence",
         "cmp (%r),%r"];

    // Writes.
    write pte_asm_store32(s, p, lo, hi) always => { write::store32(s, lo); None },
        ["mov %r,(%r)"];
    write pte_asm_store32_indexed(s, p, lo, hi) always =>
        { write::store32_indexed(s, 0, lo); None },
        ["mov %r,(%r,%r,1)"];
    write pte_asm_pae_set(s, p, lo, hi) always => { write::pae_set(p, lo, hi); None },
        ["mov %r,0x4(%r)", "mov %r,(%r)"];
    write pte_asm_pae_clear(s, p, lo, hi) always => { write::pae_clear(p); None },
        ["movl $0x0,(%r)", "movl $0x0,0x4(%r)"];
    write pte_asm_pae_set_low_first(s, p, lo, hi) always => { write::pae_set_low_first(p, lo, hi); None },
        ["mov %r,(%r)", "mov %r,0x4(%r)"];
    write pte_asm_pae_clear_high_first(s, p, lo, hi) always => { write::pae_clear_high_first(p); None },
        ["movl $0x0,0x4(%r)", "movl $0x0,(%r)"];
    write pte_asm_xchg64(s, p, lo, hi) cx8 => Some(write::xchg64(p, lo, hi)),
        ["mov (%r),%r", "mov 0x4(%r),%r", "lock cmpxchg8b (%r)"];
    write pte_asm_seqcount_set(s, p, lo, hi) always => { write::seqcount_set(s, p, lo, hi); None },
        ["addl $0x1,(%r)", "mov %r,0x4(%r)", "mov %r,(%r)", "addl $0x1,(%r)"];
    write pte_asm_seqcount_clear(s, p, lo, hi) always => { write::seqcount_clear(s, p); None },
        ["addl $0x1,(%r)", "movl $0x0,(%r)", "movl $0x0,0x4(%r)", "addl $0x1,(%r)"];
    #[cfg(target_feature = "sse2")]
    write pte_asm_store64_sse2(s, p, lo, hi) sse2 => { write::store64_sse2(p, lo, hi); None },
        ["movq %xmm,(%r)"];
    write pte_asm_store64_fistp(s, p, lo, hi) fpu => { write::store64_fistp(p, lo, hi); None },
        ["fildll (%r)", "fistpll (%r)"];
    #[cfg(target_arch = "x86_64")]
    write pte_asm_store64(s, p, lo, hi) always => { write::store64(p, join(lo, hi)); None },
        ["mov %r,(%r)"];

    // Read-modify-writes of a litmus test's location (`s` as a 4-byte
    // location, `p` as an 8-byte one). The compare-and-swaps compare with
    // the value they swap in: they either fail, or store what is there.
    write pte_asm_lock_add32(s, p, lo, hi) always => { rmw::lock_add32(s, lo); None },
        ["lock add %r,(%r)"];
    write pte_asm_lock_add32_test(s, p, lo, hi) always =>
        Some({ let (z, n) = rmw::lock_add32_test(s, lo); (z as u32, n as u32) }),
        ["lock add %r,(%r)"];
    write pte_asm_add32(s, p, lo, hi) always => { rmw::add32(s, lo); None },
        ["add %r,(%r)"];
    write pte_asm_xchg32(s, p, lo, hi) always => Some((rmw::xchg32(s, lo), 0)),
        ["xchg %r,(%r)"];
    write pte_asm_lock_cmpxchg32(s, p, lo, hi) always => Some((rmw::lock_cmpxchg32(s, lo, lo), 0)),
        ["lock cmpxchg %r,(%r)"];
    write pte_asm_cmpxchg32(s, p, lo, hi) always => Some((rmw::cmpxchg32(s, lo, lo), 0)),
        ["cmpxchg %r,(%r)"];
    write pte_asm_lock_xadd32(s, p, lo, hi) always => Some((rmw::lock_xadd32(s, lo), 0)),
        ["lock xadd %r,(%r)"];
    // The lock on `s`: taken when it holds 0, else given up after 64
    // rounds of the spin; returns 1 when taken.
    write pte_asm_spin_lock32(s, p, lo, hi) always => Some((rmw::spin_lock32(s, 64) as u32, 0)),
        ["lock cmpxchg %r,(%r)", "pause", "mov (%r),%r", "lock cmpxchg %r,(%r)"];
    #[cfg(target_arch = "x86_64")]
    write pte_asm_lock_add64(s, p, lo, hi) always => { rmw::lock_add64(p, join(lo, hi)); None },
        ["lock add %r,(%r)"];
    #[cfg(target_arch = "x86_64")]
    write pte_asm_add64(s, p, lo, hi) always => { rmw::add64(p, join(lo, hi)); None },
        ["add %r,(%r)"];
    #[cfg(target_arch = "x86_64")]
    write pte_asm_xchg64q(s, p, lo, hi) always => Some(halves(rmw::xchg64(p, join(lo, hi)))),
        ["xchg %r,(%r)"];
    #[cfg(target_arch = "x86_64")]
    write pte_asm_lock_xadd64(s, p, lo, hi) always => Some(halves(rmw::lock_xadd64(p, join(lo, hi)))),
        ["lock xadd %r,(%r)"];
    #[cfg(target_arch = "x86_64")]
    write pte_asm_lock_cmpxchg64(s, p, lo, hi) always =>
        Some(halves(rmw::lock_cmpxchg64(p, join(lo, hi), join(lo, hi)))),
        ["lock cmpxchg %r,(%r)"];
    #[cfg(target_arch = "x86_64")]
    write pte_asm_cmpxchg64(s, p, lo, hi) always =>
        Some(halves(rmw::cmpxchg64(p, join(lo, hi), join(lo, hi)))),
        ["cmpxchg %r,(%r)"];
    #[cfg(target_arch = "x86")]
    write pte_asm_lock_cmpxchg8b_swap(s, p, lo, hi) cx8 =>
        Some(halves(rmw::lock_cmpxchg8b(p, join(lo, hi), join(lo, hi)))),
        ["lock cmpxchg8b (%r)"];

    // Fences.
    fence pte_asm_compiler_barrier() always => fence::compiler_barrier(),
        [];
    #[cfg(target_feature = "sse2")]
    fence pte_asm_lfence() sse2 => fence::lfence(),
        ["lfence"];
    #[cfg(target_feature = "sse")]
    fence pte_asm_sfence() sse => fence::sfence(),
        ["sfence"];
    #[cfg(target_feature = "sse2")]
    fence pte_asm_mfence() sse2 => fence::mfence(),
        ["mfence"];
    fence pte_asm_lock_addl() always => fence::lock_addl(),
        ["lock addl $0x0,-0x4(%sp)"];
    fence pte_asm_spin_pause() always => fence::spin_pause(3),
        ["pause"];

    // Clocks: rdtsc/rdtscp and the add chain neither touch memory nor order
    // anything.
    fence pte_asm_add_chain() always => cycles::add_chain(3),
        [];
    read pte_asm_rdtsc(s, p, n) always => halves(tsc::rdtsc()),
        [];
    read pte_asm_rdtscp(s, p, n) rdtscp => halves(tsc::rdtscp()),
        [];
}
