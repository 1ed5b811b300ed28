//! A litmus program's instructions as the harness executes them: each one
//! exactly one `pte-asm` primitive (a load, a store, a fence, a locked or
//! unlocked read-modify-write), chosen once per run, so that the thread's
//! body does nothing between two accesses but pick the next primitive.
//!
//! Register-only instructions are no primitive: a move, register
//! arithmetic (`Op::Alu`) and a jump's compare are done in Rust between two
//! primitives, on the thread's register array, as plain register
//! instructions the compiler emits (no access of the test's locations, no
//! fence, no serialising instruction), where the program has them. A value
//! computed so still flows into the next primitive's operands, so a data or
//! address dependency the program has is a dependency of the instructions
//! executed (an indexed access's primitive computes its address from the
//! register, `mov (%p,%i,1)`); x86-TSO orders nothing by dependencies, so
//! the model judges the same outcomes either way.

use crate::catalog::program::{
    self, AluOp, Compare, Fence, Instr, Operand, Program, RmwOp, Size, Test, values,
};
use pte_asm::cpu::Features;
use pte_asm::{Pte, fence, read, rmw, write};

/// One executable instruction. `loc` indexes the instance's locations;
/// `high` picks the upper 4 bytes of an 8-byte location.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Load32 {
        loc: u8,
        high: bool,
        reg: u8,
    },
    Load64 {
        loc: u8,
        reg: u8,
    },
    Store32 {
        loc: u8,
        high: bool,
        value: Operand,
    },
    Store64 {
        loc: u8,
        value: Operand,
    },
    Move {
        reg: u8,
        value: Operand,
    },
    /// Register arithmetic, in Rust between two primitives (`mask`: the
    /// registers' width).
    Alu {
        op: AluOp,
        reg: u8,
        value: Operand,
        mask: u64,
    },
    /// A 4-byte load at the location plus the byte offset in register
    /// `index` (always 0: `compile` checks), the CPU computing the address.
    Load32Indexed {
        loc: u8,
        high: bool,
        index: u8,
        reg: u8,
    },
    Store32Indexed {
        loc: u8,
        high: bool,
        index: u8,
        value: Operand,
    },
    /// `lock add` then `sete`/`sets` into `reg`.
    AddTest32 {
        loc: u8,
        high: bool,
        value: Operand,
        reg: u8,
        test: Test,
    },
    Fence(Fence),
    Add32 {
        loc: u8,
        high: bool,
        value: Operand,
        locked: bool,
    },
    Xchg32 {
        loc: u8,
        high: bool,
        reg: u8,
    },
    Cmpxchg32 {
        loc: u8,
        high: bool,
        reg: u8,
        locked: bool,
    },
    /// `lock xadd`: locked only (the unlocked form is no primitive).
    Xadd32 {
        loc: u8,
        high: bool,
        reg: u8,
    },
    Add64 {
        loc: u8,
        value: Operand,
        locked: bool,
    },
    Xchg64 {
        loc: u8,
        reg: u8,
    },
    Cmpxchg64 {
        loc: u8,
        reg: u8,
        locked: bool,
    },
    Xadd64 {
        loc: u8,
        reg: u8,
    },
    /// `spin_lock()`: `rmw::spin_lock32`, bounded by [`LOCK_SPINS`];
    /// taken, `%eax` (register 0) holds 0 and `reg` 1, as the program
    /// says; not taken, the instance is abandoned (see
    /// [`run_branching_body`]).
    SpinLock32 {
        loc: u8,
        high: bool,
        reg: u8,
    },
    /// A forward jump to op `to` (`when: None`: always): a register
    /// compare in Rust between two primitives, no access and no fence.
    /// `wide`: the compare takes 64 bits, else 32.
    Jump {
        when: Option<Compare>,
        to: u8,
        wide: bool,
    },
}

/// The 32-bit word an access of 4 bytes at `high` touches.
#[inline(always)]
fn word(pte: &Pte, high: bool) -> &pte_asm::Word {
    if high {
        pte.high_word()
    } else {
        pte.low_word()
    }
}

#[inline(always)]
fn value(regs: &[u64; 16], v: Operand) -> u64 {
    match v {
        Operand::Imm(i) => i,
        Operand::Reg(r) => regs[r as usize],
    }
}

/// Run `op` on an instance whose location `l` is `at(l)`: exactly one
/// primitive (plus register bookkeeping).
#[inline(always)]
pub fn execute<'a>(op: Op, at: impl Fn(u8) -> &'a Pte, regs: &mut [u64; 16]) {
    match op {
        Op::Load32 { loc, high, reg } => {
            regs[reg as usize] = read::load32(word(at(loc), high)) as u64
        }
        Op::Store32 {
            loc,
            high,
            value: v,
        } => write::store32(word(at(loc), high), value(regs, v) as u32),
        Op::Move { reg, value: v } => regs[reg as usize] = value(regs, v),
        Op::Alu {
            op,
            reg,
            value: v,
            mask,
        } => regs[reg as usize] = op.apply(regs[reg as usize], value(regs, v), mask),
        Op::Load32Indexed {
            loc,
            high,
            index,
            reg,
        } => {
            // SAFETY: compile() ran only a program whose index registers
            // hold 0 wherever they are used (values::nonzero_index): the
            // address is the word's own.
            regs[reg as usize] =
                unsafe { read::load32_indexed(word(at(loc), high), regs[index as usize] as usize) }
                    as u64
        }
        Op::Store32Indexed {
            loc,
            high,
            index,
            value: v,
        } => {
            // SAFETY: as Load32Indexed.
            unsafe {
                write::store32_indexed(
                    word(at(loc), high),
                    regs[index as usize] as usize,
                    value(regs, v) as u32,
                )
            }
        }
        Op::AddTest32 {
            loc,
            high,
            value: v,
            reg,
            test,
        } => {
            let (zero, negative) = rmw::lock_add32_test(word(at(loc), high), value(regs, v) as u32);
            regs[reg as usize] = match test {
                Test::Zero => zero,
                Test::Negative => negative,
            } as u64
        }
        Op::Fence(f) => match f {
            Fence::Compiler => fence::compiler_barrier(),
            Fence::LockAddStack => fence::lock_addl(),
            #[cfg(target_feature = "sse2")]
            Fence::Lfence => fence::lfence(),
            #[cfg(target_feature = "sse2")]
            Fence::Mfence => fence::mfence(),
            #[cfg(target_feature = "sse")]
            Fence::Sfence => fence::sfence(),
            #[allow(unreachable_patterns)]
            _ => unreachable!("compile() refuses fences this build lacks"),
        },
        Op::Add32 {
            loc,
            high,
            value: v,
            locked,
        } => {
            let w = word(at(loc), high);
            if locked {
                rmw::lock_add32(w, value(regs, v) as u32)
            } else {
                rmw::add32(w, value(regs, v) as u32)
            }
        }
        Op::Xchg32 { loc, high, reg } => {
            regs[reg as usize] = rmw::xchg32(word(at(loc), high), regs[reg as usize] as u32) as u64
        }
        Op::Cmpxchg32 {
            loc,
            high,
            reg,
            locked,
        } => {
            let (w, expected, new) = (
                word(at(loc), high),
                regs[0] as u32,
                regs[reg as usize] as u32,
            );
            regs[0] = if locked {
                rmw::lock_cmpxchg32(w, expected, new)
            } else {
                rmw::cmpxchg32(w, expected, new)
            } as u64;
        }
        Op::Xadd32 { loc, high, reg } => {
            regs[reg as usize] =
                rmw::lock_xadd32(word(at(loc), high), regs[reg as usize] as u32) as u64
        }
        Op::Load64 { loc, reg } => regs[reg as usize] = load64(at(loc)),
        Op::Store64 { loc, value: v } => store64(at(loc), value(regs, v)),
        Op::Add64 {
            loc,
            value: v,
            locked,
        } => add64(at(loc), value(regs, v), locked),
        Op::Xchg64 { loc, reg } => regs[reg as usize] = xchg64(at(loc), regs[reg as usize]),
        Op::Cmpxchg64 { loc, reg, locked } => {
            regs[0] = cmpxchg64(at(loc), regs[0], regs[reg as usize], locked)
        }
        Op::Xadd64 { loc, reg } => regs[reg as usize] = xadd64(at(loc), regs[reg as usize]),
        Op::Jump { .. } => unreachable!("run_branching_body follows jumps"),
        Op::SpinLock32 { .. } => unreachable!("run_branching_body takes locks"),
    }
}

/// Rounds of `spin_lock()`'s spin (a `pause` and a load of the lock word
/// each) before a thread gives up the lock and abandons its instance:
/// 0.18 ms on the project's VM (AMD EPYC, 43 ns a round; a `pause` is 10
/// to 140 cycles by CPU), where a critical section of a litmus test holds
/// its lock for a few cache misses. Only a lock that is never released
/// (or whose holder lost its core) runs it out; an instance of a test
/// that always deadlocks then costs this much, a batch of 256 of them
/// about 45 ms.
pub const LOCK_SPINS: u32 = 1 << 12;

/// [`step`]'s answer when a `spin_lock()` ran out of [`LOCK_SPINS`]: the
/// body stops there, its instance abandoned.
const ABANDONED: usize = usize::MAX;

/// The op after op `i` of a branching body: a jump's target if it is
/// taken, else `i + 1`, running `op` if it is not a jump; [`ABANDONED`]
/// after a lock that was never taken.
#[inline(always)]
fn step<'a>(op: Op, i: usize, at: impl Fn(u8) -> &'a Pte, regs: &mut [u64; 16]) -> usize {
    match op {
        Op::SpinLock32 { loc, high, reg } => {
            if rmw::spin_lock32(word(at(loc), high), LOCK_SPINS) {
                regs[0] = 0;
                regs[reg as usize] = 1;
                i + 1
            } else {
                ABANDONED
            }
        }
        Op::Jump { when, to, wide } => {
            let mask = if wide { u64::MAX } else { u32::MAX as u64 };
            if when.is_none_or(|c| c.taken(regs, mask)) {
                to as usize
            } else {
                i + 1
            }
        }
        op => {
            execute(op, at, regs);
            i + 1
        }
    }
}

/// Run a body that jumps or takes a spin lock: as [`run_body`], a copy
/// of the dispatch per position, each run only if it is the next op (jumps
/// are forward, so a position skipped is never wanted later). Only the
/// register compare of each position lies between two primitives. Returns
/// `false` when a `spin_lock()` was never taken: the body stopped there
/// and its instance is abandoned (herd7 and the LKMM have no complete
/// execution in which a lock is never acquired, and x86-TSO no final
/// state).
#[inline(always)]
pub fn run_branching_body<'a>(
    ops: &[Op],
    at: impl Fn(u8) -> &'a Pte + Copy,
    regs: &mut [u64; 16],
) -> bool {
    let mut next = 0;
    macro_rules! positions {
        ($($i:literal)*) => {$(
            if next == $i {
                match ops.get($i) {
                    Some(&op) => next = step(op, $i, at, regs),
                    None => return true,
                }
            }
        )*};
    }
    positions!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15);
    while let Some(&op) = ops.get(next) {
        next = step(op, next, at, regs);
    }
    next != ABANDONED
}

/// Whether a body must run by [`run_branching_body`]: it jumps, or takes
/// a spin lock (which may abandon the instance).
pub fn branching(ops: &[Op]) -> bool {
    ops.iter()
        .any(|op| matches!(op, Op::Jump { .. } | Op::SpinLock32 { .. }))
}

/// Run a thread's body: `ops` in order, each by [`execute`], with one
/// inlined copy of the dispatch per position (up to [`POSITIONS`]; a
/// longer body runs its tail in a loop). A shared copy would give every
/// load of the body one address, and the CPU's memory-dependence
/// predictor, which is indexed by that address, would then treat a load
/// of another location as if it read from an older store: on this
/// project's VM a body that reads its own store back and then another
/// location (herdtools7's `SB+rfi-pos`) showed its witness 30 to 300
/// times less often than litmus7's straight-line C. With a copy per
/// position each instruction has its own address, as it has in litmus7.
#[inline(always)]
pub fn run_body<'a>(ops: &[Op], at: impl Fn(u8) -> &'a Pte + Copy, regs: &mut [u64; 16]) {
    macro_rules! positions {
        ($($i:literal)*) => {$(
            match ops.get($i) {
                Some(&op) => execute(op, at, regs),
                None => return,
            }
        )*};
    }
    positions!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15);
    for &op in &ops[POSITIONS..] {
        execute(op, at, regs);
    }
}

/// Positions of a body that each get their own copy of the dispatch.
pub const POSITIONS: usize = 16;

// The 8-byte accesses: one instruction on x86-64; on a 32-bit target the
// nearest single access (SSE2 `movq` for loads and stores, `lock
// cmpxchg8b` for the compare-and-swap, its loop for the swap).

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn load64(p: &Pte) -> u64 {
    let (lo, hi) = read::native64(p);
    pte_asm::join(lo, hi)
}
#[cfg(all(target_arch = "x86", target_feature = "sse2"))]
#[inline(always)]
fn load64(p: &Pte) -> u64 {
    let (lo, hi) = read::movq_sse2(p);
    pte_asm::join(lo, hi)
}
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn store64(p: &Pte, v: u64) {
    write::store64(p, v)
}
#[cfg(all(target_arch = "x86", target_feature = "sse2"))]
#[inline(always)]
fn store64(p: &Pte, v: u64) {
    let (lo, hi) = pte_asm::halves(v);
    write::store64_sse2(p, lo, hi)
}
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn add64(p: &Pte, v: u64, locked: bool) {
    if locked {
        rmw::lock_add64(p, v)
    } else {
        rmw::add64(p, v)
    }
}
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn xchg64(p: &Pte, v: u64) -> u64 {
    rmw::xchg64(p, v)
}
#[cfg(target_arch = "x86")]
#[inline(always)]
fn xchg64(p: &Pte, v: u64) -> u64 {
    let (lo, hi) = pte_asm::halves(v);
    // SAFETY: compile() checked CX8.
    let (old_lo, old_hi) = unsafe { write::xchg64(p, lo, hi) };
    pte_asm::join(old_lo, old_hi)
}
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn cmpxchg64(p: &Pte, expected: u64, new: u64, locked: bool) -> u64 {
    if locked {
        rmw::lock_cmpxchg64(p, expected, new)
    } else {
        rmw::cmpxchg64(p, expected, new)
    }
}
#[cfg(target_arch = "x86")]
#[inline(always)]
fn cmpxchg64(p: &Pte, expected: u64, new: u64, _locked: bool) -> u64 {
    // SAFETY: compile() checked CX8 and refused the unlocked form.
    unsafe { rmw::lock_cmpxchg8b(p, expected, new) }
}
#[cfg(not(all(target_arch = "x86", target_feature = "sse2")))]
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn load64(_: &Pte) -> u64 {
    unreachable!("compile() refuses 8-byte loads without SSE2")
}
#[cfg(not(all(target_arch = "x86", target_feature = "sse2")))]
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn store64(_: &Pte, _: u64) {
    unreachable!("compile() refuses 8-byte stores without SSE2")
}
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn add64(_: &Pte, _: u64, _: bool) {
    unreachable!("compile() refuses 8-byte adds on 32-bit targets")
}
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn xadd64(p: &Pte, v: u64) -> u64 {
    rmw::lock_xadd64(p, v)
}
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn xadd64(_: &Pte, _: u64) -> u64 {
    unreachable!("compile() refuses 8-byte xadds on 32-bit targets")
}

/// The `pte-asm` shim that holds the primitive `op` runs on this build:
/// the instruction checks check it, the model's tests hold its steps to it.
pub fn shim_of(op: Op) -> &'static str {
    let x86_64 = cfg!(target_arch = "x86_64");
    match op {
        Op::Load32 { .. } => "pte_asm_load32",
        Op::Store32 { .. } => "pte_asm_store32",
        Op::Load64 { .. } if x86_64 => "pte_asm_native64",
        Op::Load64 { .. } => "pte_asm_movq_sse2",
        Op::Store64 { .. } if x86_64 => "pte_asm_store64",
        Op::Store64 { .. } => "pte_asm_store64_sse2",
        Op::Move { .. } | Op::Alu { .. } | Op::Jump { .. } => "",
        Op::Load32Indexed { .. } => "pte_asm_load32_indexed",
        Op::Store32Indexed { .. } => "pte_asm_store32_indexed",
        Op::AddTest32 { .. } => "pte_asm_lock_add32_test",
        Op::Fence(Fence::Mfence) => "pte_asm_mfence",
        Op::Fence(Fence::Lfence) => "pte_asm_lfence",
        Op::Fence(Fence::Sfence) => "pte_asm_sfence",
        Op::Fence(Fence::LockAddStack) => "pte_asm_lock_addl",
        Op::Fence(Fence::Compiler) => "pte_asm_compiler_barrier",
        Op::Add32 { locked: true, .. } => "pte_asm_lock_add32",
        Op::Add32 { locked: false, .. } => "pte_asm_add32",
        Op::Xchg32 { .. } => "pte_asm_xchg32",
        Op::Cmpxchg32 { locked: true, .. } => "pte_asm_lock_cmpxchg32",
        Op::Cmpxchg32 { locked: false, .. } => "pte_asm_cmpxchg32",
        Op::Xadd32 { .. } => "pte_asm_lock_xadd32",
        Op::SpinLock32 { .. } => "pte_asm_spin_lock32",
        Op::Xadd64 { .. } => "pte_asm_lock_xadd64",
        Op::Add64 { locked: true, .. } => "pte_asm_lock_add64",
        Op::Add64 { locked: false, .. } => "pte_asm_add64",
        Op::Xchg64 { .. } if x86_64 => "pte_asm_xchg64q",
        Op::Xchg64 { .. } => "pte_asm_xchg64",
        Op::Cmpxchg64 { locked: true, .. } if x86_64 => "pte_asm_lock_cmpxchg64",
        Op::Cmpxchg64 { .. } if x86_64 => "pte_asm_cmpxchg64",
        Op::Cmpxchg64 { .. } => "pte_asm_lock_cmpxchg8b_swap",
    }
}

/// Why an `xadd` without `lock` does not run: no reader makes one (the
/// kernel's is always locked), so it has no primitive.
const UNLOCKED_XADD: &str = "an xadd without lock is not a pte-asm primitive";
/// Likewise an add then `sete`/`sets` without `lock`.
const UNLOCKED_TEST: &str = "an add with sete or sets without lock is not a pte-asm primitive";

/// Each thread's instructions as ops for this build and CPU, or why they
/// cannot run here.
pub fn compile(p: &Program, cpu: &Features) -> Result<Vec<Vec<Op>>, String> {
    let x86_64 = cfg!(target_arch = "x86_64");
    let sse2 = cfg!(target_feature = "sse2") && cpu.sse2;
    let wide = p.register_size == Size::Eight;
    if let Some((t, i, may)) = values::nonzero_index(p) {
        return Err(format!(
            "P{t}'s instruction {i} adds an index register that may hold {may}: the suite runs an indexed access only where its index is always 0"
        ));
    }
    p.threads
        .iter()
        .map(|code| {
            // A label is no op: it names the index of the op after it.
            let mut labels = [0u8; 256];
            let mut ops = Vec::new();
            for i in code {
                    let op = match *i {
                        Instr::Label(n) => {
                            labels[n as usize] = ops.len() as u8;
                            continue;
                        }
                        // `to` is the label until every label is placed.
                        Instr::Jump { when, to } => Op::Jump { when, to, wide },
                        Instr::Load { size: Size::Eight, at, .. }
                        | Instr::Store { size: Size::Eight, at, .. }
                        | Instr::Rmw { at, .. }
                            if at.index.is_some() =>
                        {
                            return Err("an 8-byte access or a read-modify-write with an index register is no pte-asm primitive".into());
                        }
                        Instr::Load { size: Size::Four, at, reg } => match at.index {
                            None => Op::Load32 { loc: at.loc, high: at.offset == 4, reg },
                            Some(index) => Op::Load32Indexed { loc: at.loc, high: at.offset == 4, index, reg },
                        },
                        Instr::Load { size: Size::Eight, at, reg } => {
                            if !x86_64 && !sse2 {
                                return Err("an 8-byte load needs x86-64 or SSE2".to_string());
                            }
                            Op::Load64 { loc: at.loc, reg }
                        }
                        Instr::Store { size: Size::Four, at, value } => match at.index {
                            None => Op::Store32 { loc: at.loc, high: at.offset == 4, value },
                            Some(index) => Op::Store32Indexed { loc: at.loc, high: at.offset == 4, index, value },
                        },
                        Instr::Store { size: Size::Eight, at, value } => {
                            if !x86_64 && !sse2 {
                                return Err("an 8-byte store needs x86-64 or SSE2".to_string());
                            }
                            Op::Store64 { loc: at.loc, value }
                        }
                        Instr::Move { reg, value } => Op::Move { reg, value },
                        Instr::Alu { op, size, reg, value } => Op::Alu { op, reg, value, mask: p.register_size.mask() & size.mask() },
                        Instr::SpinLock { at, reg } => Op::SpinLock32 { loc: at.loc, high: at.offset == 4, reg },
                        Instr::Fence(f) => {
                            let built = match f {
                                Fence::Lfence | Fence::Mfence => cfg!(target_feature = "sse2"),
                                Fence::Sfence => cfg!(target_feature = "sse"),
                                Fence::Compiler | Fence::LockAddStack => true,
                            };
                            if !built {
                                return Err(format!("not in this build: {f:?} needs SSE2 (i586 target)"));
                            }
                            if matches!(f, Fence::Lfence | Fence::Mfence) && !cpu.sse2 {
                                return Err("CPU lacks SSE2 (cpuid 1:EDX bit 26)".into());
                            }
                            Op::Fence(f)
                        }
                        Instr::Rmw { size: Size::Four, at, op, locked } => {
                            let (loc, high) = (at.loc, at.offset == 4);
                            match op {
                                RmwOp::Add(value) => Op::Add32 { loc, high, value, locked },
                                RmwOp::Xchg(reg) => Op::Xchg32 { loc, high, reg },
                                RmwOp::Cmpxchg(reg) => Op::Cmpxchg32 { loc, high, reg, locked },
                                RmwOp::Xadd(reg) if locked => Op::Xadd32 { loc, high, reg },
                                RmwOp::Xadd(_) => return Err(UNLOCKED_XADD.into()),
                                RmwOp::AddTest { value, reg, test } if locked => Op::AddTest32 { loc, high, value, reg, test },
                                RmwOp::AddTest { .. } => return Err(UNLOCKED_TEST.into()),
                            }
                        }
                        Instr::Rmw { size: Size::Eight, at, op, locked } => {
                            let loc = at.loc;
                            match op {
                                RmwOp::Add(value) if x86_64 => Op::Add64 { loc, value, locked },
                                RmwOp::Add(_) => {
                                    return Err("an 8-byte add needs x86-64".into());
                                }
                                RmwOp::Xchg(reg) => {
                                    if !x86_64 && !cpu.cx8 {
                                        return Err("an 8-byte exchange needs CMPXCHG8B here".into());
                                    }
                                    Op::Xchg64 { loc, reg }
                                }
                                RmwOp::Cmpxchg(reg) => {
                                    if !x86_64 && (!locked || !cpu.cx8) {
                                        return Err("an 8-byte compare-and-swap on a 32-bit target needs lock and CMPXCHG8B".into());
                                    }
                                    Op::Cmpxchg64 { loc, reg, locked }
                                }
                                RmwOp::Xadd(reg) if x86_64 && locked => Op::Xadd64 { loc, reg },
                                RmwOp::Xadd(_) if locked => {
                                    return Err("an 8-byte xadd needs x86-64".into());
                                }
                                RmwOp::Xadd(_) => return Err(UNLOCKED_XADD.into()),
                                RmwOp::AddTest { .. } => {
                                    return Err("an 8-byte lock add with sete or sets is no pte-asm primitive".into());
                                }
                            }
                        }
                    };
                    ops.push(op);
            }
            if ops.len() > u8::MAX as usize && program::branches(code) {
                return Err("a thread with jumps and more than 255 instructions".into());
            }
            for op in &mut ops {
                if let Op::Jump { to, .. } = op {
                    *to = labels[*to as usize];
                }
            }
            Ok(ops)
        })
        .collect()
}
