//! The model: every reachable outcome of a test under x86-TSO, found by
//! exhaustive search, so that each test's expectation is derived, not typed.
//!
//! The model is the operational x86-TSO of Sewell, Sarkar, Owens, Zappa
//! Nardelli and Myreen ("x86-TSO: A Rigorous and Usable Programmer's Model
//! for x86 Multiprocessors", CACM 53(7), 2010), extended to mixed sizes:
//!
//! - memory is 32-bit words; a 4-byte location is one, an 8-byte location
//!   two (its low half first, as the PTE's `pte_low` and `pte_high`);
//! - each thread has a FIFO store buffer; a store enters it as one entry
//!   (one word, or both words of an 8-byte store), and leaves it for memory
//!   at any later step, oldest first;
//! - a load takes, word by word, the newest value in its own buffer
//!   (forwarding), else memory; an 8-byte load reads both words in one step
//!   (SDM Vol. 3A "Guaranteed Atomic Operations": an aligned quadword access
//!   is atomic);
//! - `mfence` and locked instructions wait for the buffer to drain; a
//!   locked read-modify-write (`lock add`, `xchg`, `lock cmpxchg`,
//!   `lock cmpxchg8b`) is then one step on memory; an unlocked one is a
//!   load (forwarded) and a buffered store, two steps another thread's
//!   store may come between;
//! - `cmpxchg` writes its destination whether or not the compare succeeds
//!   (SDM Vol. 2 "CMPXCHG": on failure the old value is written back), which
//!   is what makes `cmpxchg8b` without `lock` lose a concurrent update;
//!   herd7 models a failed `cmpxchg` as writing nothing;
//! - the kernel's `spin_lock()` (a `lock cmpxchg` of 0 -> 1 retried, with
//!   loads of the lock word between, until it succeeds) is the successful
//!   `lock cmpxchg` alone: a locked read-modify-write, enabled only when
//!   memory holds 0. Its failed attempts rewrite the 1 they read and its
//!   loads only wait, so they change no outcome; a thread whose lock is
//!   never released never finishes, and that path has no final state (as
//!   herd7 and the LKMM have no complete execution for it);
//! - `lfence`, `sfence` and compiler barriers order nothing x86-TSO does not
//!   already order (loads stay in order, stores stay in order), so they are
//!   not steps (as in herd7's `x86tso.cat`).
//!
//! Programs come from the catalog, the same descriptions the hardware
//! runner executes: litmus programs (the built-in classic tests and
//! `.litmus` files) instruction for instruction; PTE tests as one reader
//! doing one read of its strategy and the writers' turns run `model_turns`
//! times (PTE-ABA: the seed's A, zap, B, zap, C). A retry loop (`lowhigh`'s
//! recheck, `seqcount`'s sequence check) is an assumption, as herd treats
//! spin loops: an execution where the check fails would go round again,
//! which is another execution the search also explores.
//!
//! Files: [`litmus`] and [`program`] (the catalog's tests as model
//! programs), [`search`] (the exhaustive exploration), [`herd`] (the tests
//! as herdtools7 `.litmus` files), [`protocol`] (the read and write
//! protocols, with the installs as unknowns).

mod finals;
pub mod herd;
pub mod litmus;
pub mod lkmm;
pub mod program;
pub mod protocol;
pub mod search;

pub use program::{PTE_HIGH, PTE_LOW, SEQ, TURN, program, pte_program, read_steps};
pub use search::{Exploration, Final, explore, explore_sc};

use crate::catalog::Case;
use crate::catalog::program as catalog_program;
use crate::catalog::pte::{PteOutcome, Scheme};
use crate::judge::Expect;
use pte_asm::strategy::ReadStrategy;
use std::collections::HashMap;

/// A 32-bit word of a model program's memory.
pub type Word = u8;
/// A thread-local register (64 bits wide).
pub type Reg = u8;

/// Registers per thread.
pub const REGS: usize = catalog_program::MAX_REGISTERS;

/// What a step stores or compares: a constant or a register.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    Imm(u64),
    Reg(Reg),
}

/// A condition a retry loop exits on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cond {
    /// Two registers are equal (`lowhigh`: the low half read twice).
    Equal(Reg, Reg),
    /// Equal, and even (`seqcount`: no write in progress, none in between).
    EqualEven(Reg, Reg),
    /// A register holds a constant (a writer's turn).
    Is(Reg, u64),
    /// A litmus program's `CMP r,v; JE`/`JNE` takes its jump (`u64`: the
    /// registers' width mask).
    Jcc(catalog_program::Compare, u64),
}

impl Cond {
    pub(crate) fn holds(self, regs: &[u64; REGS]) -> bool {
        match self {
            Cond::Equal(a, b) => regs[a as usize] == regs[b as usize],
            Cond::EqualEven(a, b) => {
                regs[a as usize] == regs[b as usize] && regs[a as usize].is_multiple_of(2)
            }
            Cond::Is(r, v) => regs[r as usize] == v,
            Cond::Jcc(c, mask) => c.taken(regs, mask),
        }
    }
}

/// What a read-modify-write does (see [`catalog_program::RmwOp`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rmw {
    Add(Value),
    /// Swap with the register.
    Xchg(Reg),
    /// Compare with `expected`; on success store `new`, on failure store
    /// the old value back and load it into `expected`.
    Cmpxchg {
        expected: Reg,
        new: Reg,
    },
    /// Add the register, which takes the old value.
    Xadd(Reg),
    /// Add the value; `reg` takes 1 if the new value passes `test`, else 0
    /// (`lock add` then `sete`/`sets`).
    AddTest {
        value: Value,
        reg: Reg,
        test: catalog_program::Test,
    },
    /// The kernel's `spin_lock()`: enabled only when the location holds 0
    /// (a thread whose lock is held waits; one whose lock is never
    /// released reaches no final state), then writes 1; register 0
    /// (`EAX`) takes the 0 and the register the 1, as the `lock cmpxchg`
    /// that took the lock leaves them.
    Lock(Reg),
}

/// One step of a model thread: the memory effect of one instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// A load of one word, or two (`wide`) in one step, into `reg`.
    Load { at: Word, wide: bool, reg: Reg },
    /// A store of one word or two, into the store buffer as one entry.
    Store { at: Word, wide: bool, value: Value },
    /// A register move.
    Move { reg: Reg, value: Value },
    /// Register arithmetic, `reg = reg op value` at the registers' width
    /// (`mask`): thread-local, no access, no ordering.
    Alu {
        op: catalog_program::AluOp,
        reg: Reg,
        value: Value,
        mask: u64,
    },
    /// A read-modify-write of one word or two.
    Rmw {
        at: Word,
        wide: bool,
        op: Rmw,
        locked: bool,
    },
    /// `mfence`, or a locked instruction on a private location: waits for
    /// the store buffer to drain.
    Drain,
    /// A retry loop's exit condition (see the module comment).
    Assume(Cond),
    /// A forward jump to step `to` (`when: None`: always; else when the
    /// register compare says): thread-local, no access, no ordering.
    Jump { when: Option<Cond>, to: u8 },
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
    /// Each word's name, for traces (`ptep->pte_low`, `x`, `x+4`).
    pub word_names: Vec<String>,
    pub init: Vec<u32>,
    pub init_regs: Vec<[u64; REGS]>,
    pub threads: Vec<Vec<Instr>>,
    pub judge: Judge,
}

/// A PTE read's result: two registers of 32-bit halves, or one holding all
/// 64 bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Read {
    Halves(Reg, Reg),
    Whole(Reg),
}

impl Read {
    /// `(low, high)` in `regs`.
    pub fn value(self, regs: &[u64; REGS]) -> (u32, u32) {
        match self {
            Read::Halves(lo, hi) => (regs[lo as usize] as u32, regs[hi as usize] as u32),
            Read::Whole(r) => pte_asm::halves(regs[r as usize]),
        }
    }
}

/// How a final state is named and whether it is the witness.
pub enum Judge {
    /// A litmus program: outcomes are its observed values, the witness its
    /// condition's; `loc_words[l]` is location `l`'s first word.
    Litmus {
        program: Box<catalog_program::Program>,
        loc_words: Vec<Word>,
    },
    /// A read against a list of installed PTEs (the protocols' concrete
    /// checks): torn when present and not one of them.
    Installs {
        installs: Vec<(u32, u32)>,
        read: Read,
    },
    Pte {
        scheme: Scheme,
        witness: PteOutcome,
        /// The reader's reads.
        reads: Vec<Read>,
        /// (thread, read, expected) per writer check.
        checks: Vec<(usize, Read, (u32, u32))>,
        /// What the PTE must hold at the end when the writer checks (its
        /// last install); `None` when the test does not check.
        last: Option<(u32, u32)>,
    },
}

/// The model's verdict for `case`, with results cached per process:
/// `list` and `run` ask for many.
pub fn verdict(case: Case) -> Expect {
    use std::sync::{Mutex, OnceLock};
    type Cache = Mutex<HashMap<(String, Option<ReadStrategy>), Expect>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let key = (case.test().key(), case.strategy());
    let cache = CACHE.get_or_init(Default::default);
    if let Some(v) = cache.lock().unwrap().get(&key) {
        return *v;
    }
    let v = explore(&program(case)).verdict();
    cache.lock().unwrap().insert(key, v);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{classic::CLASSIC, pte::PTE};
    use ReadStrategy as S;

    fn model(name: &str, strategy: Option<ReadStrategy>) -> Expect {
        let test = crate::catalog::Test::by_name(name).unwrap();
        let case = match strategy {
            Some(s) => test.cases(&[s])[0],
            None => test.cases(&[])[0],
        };
        explore(&program(case)).verdict()
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
