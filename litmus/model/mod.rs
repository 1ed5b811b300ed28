//! The model: every reachable outcome of a test under x86-TSO, found by
//! exhaustive search, so that each test's expectation is derived, not typed.
//!
//! The model is the operational x86-TSO of Sewell, Sarkar, Owens, Zappa
//! Nardelli and Myreen ("x86-TSO: A Rigorous and Usable Programmer's Model
//! for x86 Multiprocessors", CACM 53(7), 2010), extended to mixed sizes:
//!
//! - each thread has a FIFO store buffer; a store enters it, and leaves it
//!   for memory at any later step, oldest first;
//! - a load takes the newest value for its location in its own buffer
//!   (forwarding), else memory;
//! - `mfence` and locked instructions (`lock addl`, `lock cmpxchg8b`) wait
//!   for the buffer to drain; a locked read-modify-write is one step on
//!   memory; `lfence` and compiler barriers order nothing x86-TSO does not
//!   already order (loads stay in order, stores stay in order), so they are
//!   not steps;
//! - the PTE is two 32-bit locations; an 8-byte single access (`lock
//!   cmpxchg8b`, `movq`, `fild`/`fistp`, a 64-bit `mov`) reads both halves
//!   in one step (SDM Vol. 3A 9.1.1: an aligned quadword access is atomic),
//!   and `cmpxchg8b` without `lock` is that load followed by an 8-byte store
//!   of the value it read, which enters the store buffer as one entry.
//!
//! Programs come from the catalog, the same descriptions the hardware runner
//! executes: classic tests op for op; PTE tests as one reader doing two reads
//! of its strategy and the writers' turns run `model_turns` times (PTE-ABA:
//! the seed's A, zap, B, zap, C). A retry loop (`lowhigh`'s recheck,
//! `seqcount`'s sequence check) is an assumption, as herd treats spin loops:
//! an execution where the check fails would go round again, which is another
//! execution the search also explores.
//!
//! Files: [`program`] (the catalog's tests as model programs), [`search`]
//! (the exhaustive exploration), [`herd`] (the same tests as herdtools7
//! `.litmus` files).

pub mod herd;
pub mod program;
pub mod search;

pub use program::{PTE_HIGH, PTE_LOW, SEQ, TURN, program, pte_program, read_steps};
pub use search::{Exploration, Final, explore, explore_sc};

use crate::catalog::Test;
use crate::catalog::classic::Observe;
use crate::catalog::pte::{PteOutcome, Scheme};
use crate::judge::Expect;
use pte_asm::strategy::ReadStrategy;
use std::collections::HashMap;

/// A shared 32-bit location of a model program.
pub type Loc = u8;
/// A thread-local register.
pub type Reg = u8;

/// Registers per thread.
pub const REGS: usize = 16;
/// Locations of any program: x, y (classic); pte_low, pte_high, seq, turn (PTE).
pub const LOCS: usize = 4;

/// A condition a retry loop exits on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cond {
    /// Two registers are equal (`lowhigh`: the low half read twice).
    Equal(Reg, Reg),
    /// Equal, and even (`seqcount`: no write in progress, none in between).
    EqualEven(Reg, Reg),
    /// A register holds a constant (a writer's turn).
    Is(Reg, u32),
}

impl Cond {
    fn holds(self, regs: &[u32; REGS]) -> bool {
        match self {
            Cond::Equal(a, b) => regs[a as usize] == regs[b as usize],
            Cond::EqualEven(a, b) => {
                regs[a as usize] == regs[b as usize] && regs[a as usize].is_multiple_of(2)
            }
            Cond::Is(r, v) => regs[r as usize] == v,
        }
    }
}

/// One step of a model thread: the memory effect of one instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// A 32-bit `mov` load (forwarded from the own store buffer if there).
    Load(Loc, Reg),
    /// A 32-bit `mov` store of a constant, into the store buffer.
    Store(Loc, u32),
    /// `addl $1, (loc)` without `lock`: a load, and a store of one more.
    Increment(Loc, Reg),
    /// An 8-byte single load of `pte_low`/`pte_high` (`movq`, `fild`,
    /// `movq` to MMX, a 64-bit `mov`).
    Load64(Reg, Reg),
    /// `lock cmpxchg8b`: drains the buffer, reads 8 bytes and writes the
    /// same value back atomically (no change to memory).
    Locked64(Reg, Reg),
    /// `cmpxchg8b` without `lock`: an 8-byte load, then the value stored
    /// back as one buffered 8-byte store.
    Unlocked64(Reg, Reg),
    /// `mfence` or a locked instruction on another address: waits for the
    /// store buffer to drain.
    Drain,
    /// A retry loop's exit condition (see the module comment).
    Assume(Cond),
}

/// A step with what it means, for traces (`read ptep->pte_low`).
#[derive(Clone, Debug)]
pub struct Instr {
    pub step: Step,
    pub what: String,
}

/// A test as the model runs it.
pub struct Program {
    pub title: String,
    pub thread_names: Vec<String>,
    pub loc_names: Vec<&'static str>,
    pub init: [u32; LOCS],
    pub threads: Vec<Vec<Instr>>,
    pub judge: Judge,
}

/// How a final state is named and whether it is the witness.
pub enum Judge {
    Classic {
        observed: Vec<Observe>,
        witness: Vec<u32>,
    },
    Pte {
        scheme: Scheme,
        witness: PteOutcome,
        /// (reader's low register, high register) per read.
        reads: Vec<(Reg, Reg)>,
        /// (thread, low register, high register, expected) per writer check.
        checks: Vec<(usize, Reg, Reg, (u32, u32))>,
        /// What the PTE must hold at the end when the writer checks (its
        /// last install); `None` when the test does not check.
        last: Option<(u32, u32)>,
    },
}

/// The model's verdict for `test` (with `strategy` for PTE tests), with
/// results cached per process: `list` and `run` ask for many.
pub fn verdict(test: Test, strategy: Option<ReadStrategy>) -> Expect {
    use std::sync::{Mutex, OnceLock};
    type Cache = Mutex<HashMap<(&'static str, Option<ReadStrategy>), Expect>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let key = (test.name(), strategy);
    let cache = CACHE.get_or_init(Default::default);
    if let Some(v) = cache.lock().unwrap().get(&key) {
        return *v;
    }
    let v = explore(&program(test, strategy)).verdict();
    cache.lock().unwrap().insert(key, v);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{classic::CLASSIC, pte::PTE};
    use ReadStrategy as S;

    fn model(name: &str, strategy: Option<ReadStrategy>) -> Expect {
        explore(&program(Test::by_name(name).unwrap(), strategy)).verdict()
    }

    #[test]
    fn the_classic_tests_come_out_as_x86_tso_says() {
        for name in ["SB", "R", "SB+lfences"] {
            assert_eq!(model(name, None), Expect::Allowed, "{name}");
        }
        for name in [
            "MP",
            "LB",
            "CoRR",
            "2+2W",
            "IRIW",
            "SB+mfences",
            "SB+lockadds",
        ] {
            assert_eq!(model(name, None), Expect::Forbidden, "{name}");
        }
    }

    #[test]
    fn the_pte_races_come_out_as_the_seed_says() {
        assert_eq!(model("PTE-MP", Some(S::Split)), Expect::Allowed);
        assert_eq!(model("PTE-MP", Some(S::Lowhigh)), Expect::Forbidden);
        assert_eq!(model("PTE-ABA", Some(S::Lowhigh)), Expect::Allowed);
        for s in [S::Cmpxchg8b, S::MovqSse2, S::Fild, S::Seqcount] {
            assert_eq!(model("PTE-ABA", Some(s)), Expect::Forbidden, "{s:?}");
        }
        assert_eq!(model("PTE-LOST", Some(S::Cmpxchg8bNolock)), Expect::Allowed);
        assert_eq!(model("PTE-LOST", Some(S::Cmpxchg8b)), Expect::Forbidden);
    }

    #[test]
    fn every_declared_expectation_is_the_models() {
        for t in CLASSIC {
            assert_eq!(model(t.name, None), t.expect, "{}", t.name);
        }
        for t in PTE {
            for s in ReadStrategy::ALL {
                assert_eq!(
                    model(t.name, Some(s)),
                    (t.expect)(s),
                    "{} {}",
                    t.name,
                    s.name()
                );
            }
        }
    }
}
