//! A litmus test as a program: threads of x86 instructions over named
//! locations, what an outcome observes, and the condition on it. The
//! built-in classic tests and every `.litmus` file become one of these; the
//! classic harness runs it instruction by instruction (each a `pte-asm`
//! primitive) and the model explores it.

use std::fmt;

pub mod values;

/// Locations, threads and observed values a program may have: enough for
/// any herdtools7 x86 catalogue test, small enough for fixed arrays in the
/// harness's hot loop.
pub const MAX_LOCATIONS: usize = 16;
pub const MAX_THREADS: usize = 8;
/// Registers of a thread (x86-64 has sixteen general ones).
pub const MAX_REGISTERS: usize = 16;
pub const MAX_OBSERVED: usize = 16;

/// Bytes of a location or an access.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Size {
    /// 4 bytes: `movl`, `MOV` in the `X86` dialect, `int`/`uint32_t`.
    Four,
    /// 8 bytes: `movq`, `uint64_t`.
    Eight,
}

impl Size {
    pub fn bytes(self) -> u8 {
        match self {
            Size::Four => 4,
            Size::Eight => 8,
        }
    }

    /// The values of this size.
    pub fn mask(self) -> u64 {
        match self {
            Size::Four => u32::MAX as u64,
            Size::Eight => u64::MAX,
        }
    }
}

/// A shared location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub name: String,
    pub size: Size,
    pub init: u64,
}

/// Where an access goes: a location and a byte offset in it (0, or 4 for
/// the high half of an 8-byte location), and maybe an index register
/// added to it (x86's `(base,index,1)`: the C tests' address dependency
/// `READ_ONCE(*(y + (r1 & 8)))`).
///
/// A program runs only when each index register can hold nothing but 0
/// where it is used ([`values::nonzero_index`]): the access always goes
/// to `loc`, and the index is there for the dependency, which the hardware
/// executes (the address is computed from the register) and x86-TSO
/// ignores (dependencies order nothing TSO does not already order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Address {
    pub loc: u8,
    pub offset: u8,
    pub index: Option<u8>,
}

/// A value an instruction uses: a constant, or a register of its thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operand {
    Imm(u64),
    Reg(u8),
}

/// An ordering instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fence {
    /// `barrier()`: no instruction (`smp_rmb()`/`smp_wmb()` on x86).
    Compiler,
    Lfence,
    Sfence,
    Mfence,
    /// `lock addl $0,-4(%esp)`: the kernel's x86-32 `smp_mb()`, on the
    /// thread's own stack.
    LockAddStack,
}

/// What a read-modify-write does to its location.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RmwOp {
    /// `ADD [x],v`: the location gains the operand.
    Add(Operand),
    /// `XCHG [x],r`: the register and the location swap (always locked).
    Xchg(u8),
    /// `CMPXCHG [x],r`: if the location holds the accumulator (`EAX`/`RAX`,
    /// register 0) it takes register `r`, else the accumulator takes it.
    Cmpxchg(u8),
    /// `XADD [x],r`: the location gains register `r`, which takes the value
    /// the location held (`LOCK XADD`: the kernel's `atomic_fetch_add()`).
    Xadd(u8),
    /// `LOCK ADD [x],v` then `SETE r` or `SETS r`: the location gains the
    /// operand, and register `reg` takes 1 if its new value passes `test`,
    /// else 0 (the kernel's `atomic_dec_and_test()`, `atomic_add_negative()`).
    AddTest { value: Operand, reg: u8, test: Test },
}

/// A register-only arithmetic instruction's operation (`ADD r,v` ...):
/// no memory access, no ordering, thread-local.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AluOp {
    Add,
    Sub,
    And,
    Or,
    Xor,
}

impl AluOp {
    /// `a op b`, wrapped to the registers' width (`mask`).
    pub fn apply(self, a: u64, b: u64, mask: u64) -> u64 {
        (match self {
            AluOp::Add => a.wrapping_add(b),
            AluOp::Sub => a.wrapping_sub(b),
            AluOp::And => a & b,
            AluOp::Or => a | b,
            AluOp::Xor => a ^ b,
        }) & mask
    }

    /// The AT&T mnemonic's stem (`add`, `and`, ...).
    pub fn mnemonic(self) -> &'static str {
        match self {
            AluOp::Add => "add",
            AluOp::Sub => "sub",
            AluOp::And => "and",
            AluOp::Or => "or",
            AluOp::Xor => "xor",
        }
    }
}

/// What a locked add's `setcc` after it makes a value of (`atomic.h`'s
/// `GEN_UNARY_RMWcc`/`GEN_BINARY_RMWcc`): the flag of the location's new
/// value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Test {
    /// `sete`: the new value is 0 (`atomic_dec_and_test()` and friends).
    Zero,
    /// `sets`: the new value is negative (`atomic_add_negative()`).
    Negative,
}

impl Test {
    /// Whether `value`, of the width `mask`, passes.
    pub fn holds(self, value: u64, mask: u64) -> bool {
        match self {
            Test::Zero => value & mask == 0,
            Test::Negative => signed(value, mask) < 0,
        }
    }
}

/// `value` of the width `mask` (4 or 8 bytes), sign-extended.
fn signed(value: u64, mask: u64) -> i64 {
    if mask == u32::MAX as u64 {
        value as u32 as i32 as i64
    } else {
        value as i64
    }
}

/// The condition code of a conditional jump after `CMP r,v`: herd7's
/// `X86` has `JE` and `JNE`, its `X86_64` the signed orders too (`JL`,
/// `JLE`, `JG`, `JGE`), which the C mapping's `if (r > 0)` takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Jcc {
    /// `JE`: jump when the register equals the value.
    Equal,
    /// `JNE`: jump when it does not.
    NotEqual,
    /// `JL`: when the register is less than the value (signed).
    Less,
    /// `JLE`: less or equal (signed).
    LessEqual,
    /// `JG`: greater (signed).
    Greater,
    /// `JGE`: greater or equal (signed).
    GreaterEqual,
}

impl Jcc {
    /// The jump taken exactly when this one is not (`JE` for `JNE`, `JGE`
    /// for `JL`).
    pub fn negated(self) -> Jcc {
        match self {
            Jcc::Equal => Jcc::NotEqual,
            Jcc::NotEqual => Jcc::Equal,
            Jcc::Less => Jcc::GreaterEqual,
            Jcc::GreaterEqual => Jcc::Less,
            Jcc::Greater => Jcc::LessEqual,
            Jcc::LessEqual => Jcc::Greater,
        }
    }

    /// The jump of the compare with its sides swapped (`a < b` is `b > a`).
    pub fn mirrored(self) -> Jcc {
        match self {
            Jcc::Less => Jcc::Greater,
            Jcc::Greater => Jcc::Less,
            Jcc::LessEqual => Jcc::GreaterEqual,
            Jcc::GreaterEqual => Jcc::LessEqual,
            same => same,
        }
    }

    /// The mnemonic (`je`, `jge`).
    pub fn mnemonic(self) -> &'static str {
        match self {
            Jcc::Equal => "je",
            Jcc::NotEqual => "jne",
            Jcc::Less => "jl",
            Jcc::LessEqual => "jle",
            Jcc::Greater => "jg",
            Jcc::GreaterEqual => "jge",
        }
    }
}

/// `CMP r,v` and the condition a jump after it takes: a register compare,
/// thread-local (no memory access, no ordering).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Compare {
    pub reg: u8,
    pub value: Operand,
    pub jump: Jcc,
    /// The compare's width (`cmpl`: 4 bytes, `cmpq`: 8), at most the
    /// registers'.
    pub size: Size,
}

impl Compare {
    /// Whether the jump is taken with these registers (`mask`: the
    /// registers' width, as `CMP EAX` compares 32 bits; the compare takes
    /// the narrower of it and its own, and the orders are signed at that
    /// width).
    pub fn taken(&self, regs: &[u64; MAX_REGISTERS], mask: u64) -> bool {
        let mask = mask & self.size.mask();
        let value = match self.value {
            Operand::Imm(v) => v,
            Operand::Reg(r) => regs[r as usize],
        };
        let (a, b) = (signed(regs[self.reg as usize], mask), signed(value, mask));
        match self.jump {
            Jcc::Equal => a == b,
            Jcc::NotEqual => a != b,
            Jcc::Less => a < b,
            Jcc::LessEqual => a <= b,
            Jcc::Greater => a > b,
            Jcc::GreaterEqual => a >= b,
        }
    }
}

/// One instruction of a thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Instr {
    /// `MOV r,[x]`.
    Load {
        size: Size,
        at: Address,
        reg: u8,
    },
    /// `MOV [x],v`.
    Store {
        size: Size,
        at: Address,
        value: Operand,
    },
    /// `MOV r,v`: registers only.
    Move {
        reg: u8,
        value: Operand,
    },
    /// `ADD r,v`, `SUB`, `AND`, `OR`, `XOR`: `reg = reg op value`, registers
    /// only (no access, no ordering; the flags it sets are not kept: a
    /// jump compares with its own `CMP`).
    Alu {
        op: AluOp,
        size: Size,
        reg: u8,
        value: Operand,
    },
    Fence(Fence),
    /// `ADD`, `XCHG`, `CMPXCHG`, `XADD` on memory, `LOCK`ed or not.
    Rmw {
        size: Size,
        at: Address,
        op: RmwOp,
        locked: bool,
    },
    /// The kernel's `spin_lock()` on a 4-byte location: `MOV EAX,$0; MOV
    /// r,$1; LOCK CMPXCHG [x],r`, retried while it fails (`pte_asm`'s
    /// `spin_lock32`, its loop inside the one primitive). A locked
    /// read-modify-write that waits until the location holds 0 and writes
    /// 1; after it `EAX` holds 0 and register `reg` 1. A thread whose lock
    /// is never released waits forever: x86-TSO has no final state for it,
    /// and the hardware run abandons the instance after a bound.
    SpinLock {
        at: Address,
        reg: u8,
    },
    /// `CMP r,v` then `JE`/`JNE L`, or `JMP L` (`when: None`): a jump to
    /// label `to`, always forward (the threads have no loops but a
    /// [`Instr::SpinLock`]'s own).
    Jump {
        when: Option<Compare>,
        to: u8,
    },
    /// `L:`: where jumps to label `n` land; no instruction.
    Label(u8),
}

impl Instr {
    /// The registers it reads or writes.
    pub fn registers(&self) -> Vec<u8> {
        let operand = |o: Operand| match o {
            Operand::Reg(r) => vec![r],
            Operand::Imm(_) => vec![],
        };
        let index = |a: Address| a.index.map_or(vec![], |r| vec![r]);
        match *self {
            Instr::Load { reg, at, .. } => [vec![reg], index(at)].concat(),
            Instr::Store { value, at, .. } => [operand(value), index(at)].concat(),
            Instr::Move { reg, value } | Instr::Alu { reg, value, .. } => {
                [vec![reg], operand(value)].concat()
            }
            Instr::Fence(_) | Instr::Label(_) | Instr::Jump { when: None, .. } => vec![],
            Instr::Jump { when: Some(c), .. } => [vec![c.reg], operand(c.value)].concat(),
            Instr::Rmw { op, at, .. } => {
                let op = match op {
                    RmwOp::Add(v) => operand(v),
                    RmwOp::Xchg(r) | RmwOp::Xadd(r) => vec![r],
                    // `CMPXCHG` compares with, and may load, the accumulator.
                    RmwOp::Cmpxchg(r) => vec![0, r],
                    RmwOp::AddTest { value, reg, .. } => [operand(value), vec![reg]].concat(),
                };
                [op, index(at)].concat()
            }
            Instr::SpinLock { reg, .. } => vec![0, reg],
        }
    }
}

/// A value an outcome shows: a register at the end, or a location's final
/// value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Observable {
    Reg { thread: u8, reg: u8 },
    Loc(u8),
}

/// A proposition over the observed values (herdtools7's `/\`, `\/`, `~`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Prop {
    True,
    /// The observed value equals the constant (masked to its size).
    Is(Observable, u64),
    Not(Box<Prop>),
    And(Vec<Prop>),
    Or(Vec<Prop>),
}

impl Prop {
    /// Whether the proposition holds for `value(observable)`.
    pub fn holds(&self, value: &impl Fn(Observable) -> u64) -> bool {
        match self {
            Prop::True => true,
            Prop::Is(o, v) => value(*o) == *v,
            Prop::Not(p) => !p.holds(value),
            Prop::And(ps) => ps.iter().all(|p| p.holds(value)),
            Prop::Or(ps) => ps.iter().any(|p| p.holds(value)),
        }
    }

    /// Every observable it mentions, in order of first mention.
    pub fn observables(&self, into: &mut Vec<Observable>) {
        match self {
            Prop::True => {}
            Prop::Is(o, _) => {
                if !into.contains(o) {
                    into.push(*o);
                }
            }
            Prop::Not(p) => p.observables(into),
            Prop::And(ps) | Prop::Or(ps) => ps.iter().for_each(|p| p.observables(into)),
        }
    }
}

/// herdtools7's quantifiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantifier {
    /// `exists P`: some execution ends in P (the test asks whether it can).
    Exists,
    /// `~exists P`: no execution ends in P.
    NotExists,
    /// `forall P`: every execution ends in P.
    Forall,
}

impl Quantifier {
    pub fn keyword(self) -> &'static str {
        match self {
            Quantifier::Exists => "exists",
            Quantifier::NotExists => "~exists",
            Quantifier::Forall => "forall",
        }
    }
}

/// The final condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    pub quantifier: Quantifier,
    pub prop: Prop,
}

impl Condition {
    /// Whether a final state is the test's *witness*: the one the verdict
    /// is about. For `exists` and `~exists` a state where P holds; for
    /// `forall` one where it does not (a counterexample).
    pub fn is_witness(&self, value: &impl Fn(Observable) -> u64) -> bool {
        let holds = self.prop.holds(value);
        match self.quantifier {
            Quantifier::Exists | Quantifier::NotExists => holds,
            Quantifier::Forall => !holds,
        }
    }
}

/// litmus7's and herd7's summary of a condition over the final states seen
/// (or reachable): how many satisfy P and how many do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Observation {
    pub positive: u64,
    pub negative: u64,
}

impl Observation {
    /// `Never`, `Always` or `Sometimes`, as litmus7 prints it.
    pub fn word(self) -> &'static str {
        if self.positive == 0 {
            "Never"
        } else if self.negative == 0 {
            "Always"
        } else {
            "Sometimes"
        }
    }

    /// Whether the condition is validated (litmus7's `Ok`/`No`).
    pub fn validated(self, quantifier: Quantifier) -> bool {
        match quantifier {
            Quantifier::Exists => self.positive > 0,
            Quantifier::NotExists => self.positive == 0,
            Quantifier::Forall => self.negative == 0,
        }
    }
}

/// Whether any access of the program adds an index register to its
/// address.
pub fn indexes(p: &Program) -> bool {
    p.threads.iter().flatten().any(|i| match i {
        Instr::Load { at, .. } | Instr::Store { at, .. } | Instr::Rmw { at, .. } => {
            at.index.is_some()
        }
        _ => false,
    })
}

/// Whether a thread's code jumps (the harness follows its jumps; a
/// straight-line body keeps the plain dispatch).
pub fn branches(code: &[Instr]) -> bool {
    code.iter().any(|i| matches!(i, Instr::Jump { .. }))
}

/// Whether a thread's code takes a spin lock (an instance may then be
/// abandoned: the harness runs it as it runs a body that jumps).
pub fn spins(code: &[Instr]) -> bool {
    code.iter().any(|i| matches!(i, Instr::SpinLock { .. }))
}

/// A whole program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    pub name: String,
    pub locations: Vec<Location>,
    /// How wide registers are: 4 bytes in the `X86` dialect (and the
    /// built-in tests), 8 in `X86_64`.
    pub register_size: Size,
    /// Per thread, its registers' initial values (index = register).
    pub init_regs: Vec<[u64; MAX_REGISTERS]>,
    /// Per thread, each register's name as the file writes it (`EAX`,
    /// `rax`), or the suite's (`r0`); `None` for registers never named.
    pub reg_names: Vec<[Option<String>; MAX_REGISTERS]>,
    pub threads: Vec<Vec<Instr>>,
    /// The values an outcome shows, in order (the condition's, then the
    /// file's `locations`).
    pub observed: Vec<Observable>,
    pub condition: Condition,
}

impl Program {
    /// The registers thread `t` uses: those its instructions name, those an
    /// outcome shows, and those it starts with a value in.
    pub fn registers_used(&self, t: usize) -> [bool; MAX_REGISTERS] {
        let mut used = [false; MAX_REGISTERS];
        for r in self.threads[t].iter().flat_map(Instr::registers) {
            used[r as usize] = true;
        }
        for o in &self.observed {
            if let Observable::Reg { thread, reg } = *o
                && thread as usize == t
            {
                used[reg as usize] = true;
            }
        }
        for (r, v) in self.init_regs[t].iter().enumerate() {
            used[r] |= *v != 0;
        }
        used
    }

    /// `0:EAX`, `x`: an observable's name.
    pub fn name_of(&self, o: Observable) -> String {
        match o {
            Observable::Reg { thread, reg } => {
                let name = self.reg_names[thread as usize][reg as usize]
                    .clone()
                    .unwrap_or_else(|| format!("r{reg}"));
                format!("{thread}:{name}")
            }
            Observable::Loc(l) => self.locations[l as usize].name.clone(),
        }
    }

    /// The size of what `o` shows.
    pub fn size_of(&self, o: Observable) -> Size {
        match o {
            Observable::Loc(l) => self.locations[l as usize].size,
            Observable::Reg { .. } => self.register_size,
        }
    }

    /// An outcome as litmus7 prints it: `0:EAX=0; 1:EAX=0;`.
    pub fn label(&self, values: &[u64]) -> String {
        self.observed
            .iter()
            .zip(values)
            .map(|(o, v)| format!("{}={};", self.name_of(*o), v))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The value of `o` in an outcome of `values` (in `observed` order).
    pub fn value_in(&self, values: &[u64], o: Observable) -> u64 {
        self.observed
            .iter()
            .position(|x| *x == o)
            .map_or(0, |i| values[i])
    }

    /// Whether the outcome `values` is the test's witness.
    pub fn is_witness(&self, values: &[u64]) -> bool {
        self.condition.is_witness(&|o| self.value_in(values, o))
    }

    /// Whether P holds in the outcome `values`.
    pub fn holds(&self, values: &[u64]) -> bool {
        self.condition.prop.holds(&|o| self.value_in(values, o))
    }

    /// Which thread resets each location between batches, so the location
    /// starts each instance in that thread's cache: the first thread that
    /// reads it and never writes it (so loads of another thread's writes find
    /// their line at home, and the writes must fetch it: the store buffer's
    /// window is a line transfer wide), else its first reader, else thread 0.
    pub fn owners(&self) -> Vec<usize> {
        let touches = |code: &[Instr], l: usize, stores: bool| {
            code.iter().any(|i| match i {
                Instr::Load { at, .. } => !stores && at.loc as usize == l,
                Instr::Store { at, .. } => stores && at.loc as usize == l,
                Instr::Rmw { at, .. } | Instr::SpinLock { at, .. } => at.loc as usize == l,
                _ => false,
            })
        };
        (0..self.locations.len())
            .map(|l| {
                let reads = |t: &usize| touches(&self.threads[*t], l, false);
                let writes = |t: &usize| touches(&self.threads[*t], l, true);
                let threads = 0..self.threads.len();
                threads
                    .clone()
                    .find(|t| reads(t) && !writes(t))
                    .or_else(|| threads.clone().find(reads))
                    .unwrap_or(0)
            })
            .collect()
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}", self.bytes())
    }
}

impl Program {
    /// The condition in herdtools7's syntax: `exists (0:EAX=0 /\ 1:EAX=0)`.
    pub fn condition_text(&self) -> String {
        format!(
            "{} ({})",
            self.condition.quantifier.keyword(),
            self.prop_text(&self.condition.prop)
        )
    }

    /// A proposition in herdtools7's syntax (values in decimal).
    pub fn prop_text(&self, p: &Prop) -> String {
        let group = |ps: &[Prop], op: &str| {
            ps.iter()
                .map(|p| match p {
                    Prop::And(_) | Prop::Or(_) => format!("({})", self.prop_text(p)),
                    _ => self.prop_text(p),
                })
                .collect::<Vec<_>>()
                .join(op)
        };
        match p {
            Prop::True => "true".into(),
            Prop::Is(o, v) => format!("{}={v}", self.name_of(*o)),
            Prop::Not(inner) => match **inner {
                Prop::True => "false".into(),
                Prop::Is(..) => format!("~{}", self.prop_text(inner)),
                _ => format!("~({})", self.prop_text(inner)),
            },
            Prop::And(ps) => group(ps, " /\\ "),
            Prop::Or(ps) => group(ps, " \\/ "),
        }
    }
}
