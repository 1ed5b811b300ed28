//! The classic litmus tests: two or four threads of 32-bit loads, stores
//! and fences on shared locations, each location alone in its own lines.
//!
//! Names follow the kernel's `tools/memory-model/litmus-tests` and
//! herdtools7: `SB` store buffering, `MP` message passing, `LB` load
//! buffering, `CoRR` read-read coherence, `2+2W` two double writes, `R`,
//! `IRIW` independent reads of independent writes; `+mfences` etc. name
//! the fence between each thread's accesses.

use super::program;
use crate::judge::Expect;
use std::fmt;

/// A shared 32-bit location of a classic test; each lives in its own line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loc {
    X = 0,
    Y = 1,
}

impl Loc {
    pub fn name(self) -> &'static str {
        match self {
            X => "x",
            Y => "y",
        }
    }
}

pub const LOCATIONS: usize = 2;
/// Registers per thread.
pub const REGISTERS: usize = 2;

/// A fence between two accesses, by its `pte_asm::fence` primitive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fence {
    /// `barrier()`: what `smp_rmb()`/`smp_wmb()` are on x86.
    Compiler,
    Lfence,
    Mfence,
    /// `lock addl $0,-4(%esp)`: x86-32 `smp_mb()`.
    LockAddl,
}

impl Fence {
    pub fn name(self) -> &'static str {
        match self {
            Fence::Compiler => "barrier()",
            Fence::Lfence => "lfence",
            Fence::Mfence => "mfence",
            Fence::LockAddl => "lock addl $0,-4(%esp)",
        }
    }
}

/// One step of a classic test thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `write::store32(loc, value)`: `movl $v, (x)`.
    Store(Loc, u32),
    /// `read::load32(loc)` into register `r`: `movl (x), r`.
    Load(Loc, u8),
    Fence(Fence),
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Op::Store(loc, v) => write!(f, "{}={v}", loc.name()),
            Op::Load(loc, r) => write!(f, "r{r}={}", loc.name()),
            Op::Fence(fence) => write!(f, "{}", fence.name()),
        }
    }
}

/// What one column of a classic outcome shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Observe {
    /// Register `r` of thread `t` (`t:r0=...`).
    Reg(u8, u8),
    /// The location's final value, after every thread finished (`x=...`).
    Final(Loc),
}

impl fmt::Display for Observe {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Reg(t, r) => write!(f, "{t}:r{r}"),
            Final(loc) => write!(f, "{}", loc.name()),
        }
    }
}

pub struct ClassicTest {
    pub name: &'static str,
    pub summary: &'static str,
    /// Why it matters here, and the kernel or SDM statement it checks.
    pub about: &'static str,
    pub threads: &'static [&'static [Op]],
    pub observed: &'static [Observe],
    /// The witness outcome: one value per `observed` column.
    pub witness: &'static [u32],
    pub expect: Expect,
}

impl ClassicTest {
    /// The test as a litmus program: the harness runs it and the model
    /// explores it as it would a `.litmus` file. Its registers are `r0`,
    /// `r1`; its condition `exists` the witness.
    pub fn program(&self) -> program::Program {
        use program::{Address, Instr, Observable, Operand, Prop, Size};
        let at = |loc: Loc| Address {
            loc: loc as u8,
            offset: 0,
            index: None,
        };
        let threads: Vec<Vec<Instr>> = self
            .threads
            .iter()
            .map(|ops| {
                ops.iter()
                    .map(|op| match *op {
                        Op::Store(loc, v) => Instr::Store {
                            size: Size::Four,
                            at: at(loc),
                            value: Operand::Imm(v as u64),
                        },
                        Op::Load(loc, r) => Instr::Load {
                            size: Size::Four,
                            at: at(loc),
                            reg: r,
                        },
                        Op::Fence(f) => Instr::Fence(match f {
                            Fence::Compiler => program::Fence::Compiler,
                            Fence::Lfence => program::Fence::Lfence,
                            Fence::Mfence => program::Fence::Mfence,
                            Fence::LockAddl => program::Fence::LockAddStack,
                        }),
                    })
                    .collect()
            })
            .collect();
        let observed: Vec<Observable> = self
            .observed
            .iter()
            .map(|o| match *o {
                Reg(t, r) => Observable::Reg { thread: t, reg: r },
                Final(loc) => Observable::Loc(loc as u8),
            })
            .collect();
        let witness = observed
            .iter()
            .zip(self.witness)
            .map(|(o, v)| Prop::Is(*o, *v as u64))
            .collect();
        let mut reg_names: Vec<[Option<String>; program::MAX_REGISTERS]> =
            vec![Default::default(); self.threads.len()];
        for names in &mut reg_names {
            for (r, name) in names.iter_mut().enumerate().take(REGISTERS) {
                *name = Some(format!("r{r}"));
            }
        }
        program::Program {
            name: self.name.to_string(),
            register_size: Size::Four,
            locations: [X, Y]
                .iter()
                .map(|l| program::Location {
                    name: l.name().to_string(),
                    size: Size::Four,
                    init: 0,
                })
                .collect(),
            init_regs: vec![[0; program::MAX_REGISTERS]; self.threads.len()],
            reg_names,
            threads,
            observed,
            condition: program::Condition {
                quantifier: program::Quantifier::Exists,
                prop: Prop::And(witness),
            },
        }
    }
}

use Loc::{X, Y};
use Observe::{Final, Reg};

macro_rules! sb {
    ($name:literal, $summary:literal, $about:literal, $fence:expr, $expect:expr) => {
        ClassicTest {
            name: $name,
            summary: $summary,
            about: $about,
            threads: &[
                &[Op::Store(X, 1), Op::Fence($fence), Op::Load(Y, 0)],
                &[Op::Store(Y, 1), Op::Fence($fence), Op::Load(X, 0)],
            ],
            observed: &[Reg(0, 0), Reg(1, 0)],
            witness: &[0, 0],
            expect: $expect,
        }
    };
}

pub static CLASSIC: &[ClassicTest] = &[
    sb!(
        "SB",
        "store buffering: x=1; r0=y || y=1; r0=x",
        "The one reordering x86-TSO allows: a load may pass an older store to another location \
         (SDM: \"Reads may be reordered with older writes to different locations\").",
        Fence::Compiler,
        Expect::Allowed
    ),
    sb!(
        "SB+mfences",
        "store buffering with mfence between the store and the load",
        "mfence drains the store buffer (the kernel's mb()).",
        Fence::Mfence,
        Expect::Forbidden
    ),
    sb!(
        "SB+lockadds",
        "store buffering with lock addl $0,-4(%esp) between the store and the load",
        "A locked instruction drains the store buffer: x86-32 smp_mb() and pre-SSE2 rmb().",
        Fence::LockAddl,
        Expect::Forbidden
    ),
    sb!(
        "SB+lfences",
        "store buffering with lfence between the store and the load",
        "lfence orders loads but does not drain the store buffer, so it does not forbid SB: the \
         reason rmb() = lfence adds nothing to ptep_get_lockless() against stores.",
        Fence::Lfence,
        Expect::Allowed
    ),
    ClassicTest {
        name: "MP",
        summary: "message passing: x=1; smp_wmb(); y=1 || r0=y; smp_rmb(); r1=x",
        about: "Stores stay in order and loads stay in order under x86-TSO, which is why \
                smp_wmb()/smp_rmb() are compiler barriers on x86 and why set_pte's high-then-low \
                pairs with the reader's low-then-high.",
        threads: &[
            &[Op::Store(X, 1), Op::Fence(Fence::Compiler), Op::Store(Y, 1)],
            &[Op::Load(Y, 0), Op::Fence(Fence::Compiler), Op::Load(X, 1)],
        ],
        observed: &[Reg(1, 0), Reg(1, 1)],
        witness: &[1, 0],
        expect: Expect::Forbidden,
    },
    ClassicTest {
        name: "LB",
        summary: "load buffering: r0=x; y=1 || r0=y; x=1",
        about: "x86-TSO never lets a store pass an older load (SDM: \"Writes are not reordered \
                with older reads\").",
        threads: &[
            &[Op::Load(X, 0), Op::Store(Y, 1)],
            &[Op::Load(Y, 0), Op::Store(X, 1)],
        ],
        observed: &[Reg(0, 0), Reg(1, 0)],
        witness: &[1, 1],
        expect: Expect::Forbidden,
    },
    ClassicTest {
        name: "CoRR",
        summary: "read-read coherence: x=1 || r0=x; r1=x",
        about: "Two loads of one location never see its values go back in time: the property \
                the low-half recheck of ptep_get_lockless() relies on.",
        threads: &[&[Op::Store(X, 1)], &[Op::Load(X, 0), Op::Load(X, 1)]],
        observed: &[Reg(1, 0), Reg(1, 1)],
        witness: &[1, 0],
        expect: Expect::Forbidden,
    },
    ClassicTest {
        name: "2+2W",
        summary: "two double writes: x=1; y=2 || y=1; x=2",
        about: "Stores are in a total order consistent with each CPU's program order, so the \
                final state x=1, y=1 cannot arise.",
        threads: &[
            &[Op::Store(X, 1), Op::Store(Y, 2)],
            &[Op::Store(Y, 1), Op::Store(X, 2)],
        ],
        observed: &[Final(X), Final(Y)],
        witness: &[1, 1],
        expect: Expect::Forbidden,
    },
    ClassicTest {
        name: "R",
        summary: "x=1; y=1 || y=2; r0=x",
        about: "Thread 1's load of x may pass its store to y in the store buffer, so y ends 2 \
                (its store came last) while it read x=0: allowed, like SB.",
        threads: &[
            &[Op::Store(X, 1), Op::Store(Y, 1)],
            &[Op::Store(Y, 2), Op::Load(X, 0)],
        ],
        observed: &[Final(Y), Reg(1, 0)],
        witness: &[2, 0],
        expect: Expect::Allowed,
    },
    ClassicTest {
        name: "IRIW",
        summary: "independent reads of independent writes: x=1 || y=1 || r0=x; r1=y || r0=y; r1=x",
        about: "x86 stores are multi-copy atomic: two readers cannot see two independent writes \
                in opposite orders (SDM: \"Any two stores are seen in a consistent order by \
                processors other than those performing the stores\").",
        threads: &[
            &[Op::Store(X, 1)],
            &[Op::Store(Y, 1)],
            &[Op::Load(X, 0), Op::Load(Y, 1)],
            &[Op::Load(Y, 0), Op::Load(X, 1)],
        ],
        observed: &[Reg(2, 0), Reg(2, 1), Reg(3, 0), Reg(3, 1)],
        witness: &[1, 0, 1, 0],
        expect: Expect::Forbidden,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_witnesses_match_their_columns() {
        for t in CLASSIC {
            assert_eq!(t.witness.len(), t.observed.len(), "{}", t.name);
            for o in t.observed {
                if let Reg(thread, r) = o {
                    let ops = t.threads[*thread as usize];
                    assert!(
                        ops.contains(&Op::Load(X, *r)) || ops.contains(&Op::Load(Y, *r)),
                        "{} {o}",
                        t.name
                    );
                }
            }
        }
    }
}
