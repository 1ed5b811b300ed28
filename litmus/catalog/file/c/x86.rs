//! A C litmus test as the x86 code the kernel compiles it to, so that
//! `litmus run` runs the kernel's own instructions for the test on this
//! machine and the x86-TSO model judges the same program. Each primitive
//! becomes what `arch/x86` emits for it (the same on x86-32 and x86-64;
//! `smp_mb()`'s stack slot is `%esp` or `%rsp` as the build is), and each
//! instruction is a `pte-asm` primitive of the suite's x86
//! [`Program`]s:
//!
//! | C | x86 | from |
//! | --- | --- | --- |
//! | `READ_ONCE`, `rcu_dereference`, `atomic_read` | `mov` load | a volatile access |
//! | `WRITE_ONCE`, `atomic_set` | `mov` store | a volatile access |
//! | `smp_load_acquire`, `atomic_read_acquire` | `mov` load, `barrier()` | `barrier.h` `__smp_load_acquire` |
//! | `smp_store_release`, `rcu_assign_pointer`, `atomic_set_release` | `barrier()`, `mov` store | `barrier.h` `__smp_store_release` |
//! | `smp_mb` | `lock addl $0,-4(%esp)` | `barrier.h` `__smp_mb` |
//! | `smp_rmb`, `smp_wmb`, `barrier`, `smp_mb__{before,after}_atomic`, `smp_mb__after_spinlock`, `smp_mb__after_unlock_lock`, `rcu_read_lock`, `rcu_read_unlock` | `barrier()`: no instruction | `barrier.h`, `spinlock.h`, `rcupdate.h` |
//! | `smp_store_mb` | `xchg` | `barrier.h` `__smp_store_mb` |
//! | `xchg*`, `atomic_xchg*` | `xchg` | `cmpxchg.h` `arch_xchg` |
//! | `cmpxchg*`, `atomic_cmpxchg*` | `lock cmpxchg`, `%eax` the expected value | `cmpxchg.h` `__raw_cmpxchg` |
//! | `atomic_add`, `atomic_sub`, `atomic_inc`, `atomic_dec` | `lock add` (of the negated constant for `sub`, `dec`; of a register negated in the scratch register) | `atomic.h` |
//! | `atomic_fetch_add*`, `atomic_fetch_sub*`, `_inc`, `_dec` | `lock xadd` | `atomic.h` `arch_atomic_fetch_add` |
//! | `atomic_add_return*`, `atomic_sub_return*`, `_inc_return*`, `_dec_return*` | `mov $i,%r; lock xadd %r,(x); add $i,%r` (`-i` for `sub`, `dec`) | `atomic.h` `arch_atomic_add_return`: `i + xadd(&v->counter, i)`; `arch_atomic_sub_return` is `arch_atomic_add_return(-i, v)`; `atomic-arch-fallback.h` the `inc`, `dec` and orders |
//! | `atomic_dec_and_test`, `atomic_inc_and_test`, `atomic_sub_and_test`, `atomic_add_negative` | `lock add` (of `-1`, `1`, `-i`, `i`), then `sete %r` (`sets` for `add_negative`) | `atomic.h`: `GEN_UNARY_RMWcc(LOCK_PREFIX "decl", v->counter, e)`, `"incl"`, `GEN_BINARY_RMWcc(LOCK_PREFIX "subl", ..., e, ...)`, `"addl"` with `s` (`rmwcc.h`) |
//! | `r = a + b`, `-`, `&`, `\|`, `^` | `mov a,%r; add b,%r` ... | what the compiler emits (below) |
//! | `atomic_add_unless(v, a, u)` | `mov (v),%eax`; while `%eax` is not `u`, `lock cmpxchg` of it -> it + `a` (one primitive, [`RmwOp::AddUnless`]); `!= u` as a compare and jumps | `atomic-arch-fallback.h` `raw_atomic_fetch_add_unless`: `c = raw_atomic_read(v); do { if (c == u) break; } while (!raw_atomic_try_cmpxchg(v, &c, c + a));` |
//! | `spin_lock` | `lock cmpxchg` of 0 -> 1, retried after `pause` and loads until the word reads 0: one primitive ([`Instr::SpinLock`]) | `asm-generic/qspinlock.h` `queued_spin_lock`, `asm/qspinlock.h` `virt_spin_lock` |
//! | `spin_unlock` | `barrier()`, `mov` store of 0 | `qspinlock.h` `queued_spin_unlock`: `smp_store_release(&lock->locked, 0)` |
//! | `spin_trylock` | `mov` load, `jne` to the failure, `lock cmpxchg` of 0 -> 1, `jne` to the failure, `mov $1`; the failure `mov $0` | `qspinlock.h` `queued_spin_trylock` |
//! | `spin_is_locked` | `mov` load | `qspinlock.h` `queued_spin_is_locked`: `atomic_read(&lock->val)` |
//! | `if (r)`, `if (r != k)`, `if (r == k)`, `else` | `cmp`, `je`/`jne` over the branch, `jmp` over the `else` | what the compiler emits |
//! | `if (r > k)`, `>=`, `<`, `<=` | `cmp`, `jle`/`jg` over the branch (signed; `r < k` as `r <= k-1`, `r < s` as `s > r`) | what the compiler emits |
//! | `if (r & 8)`, `if (READ_ONCE(*x) + 1 == k)` | the value into the scratch register, `cmp`, a jump | what the compiler emits |
//! | `r = (a != b)`, `r = (a == b)`, `r = (a < b)` | `cmp`, a jump over `mov $1`, `jmp` over `mov $0` | the compiler's `setne`/`sete`/`setl`, the same registers |
//! | `READ_ONCE(*(y + e))`, `p = y + e; WRITE_ONCE(*p, v)` | `mov (y,%r,1)` with `e` in `%r` (the accumulator, or `p`'s register) | an address dependency, run only where `e` is always 0 |
//!
//! Register arithmetic is what a compiler emits at `-O0` for each
//! operator: the left side into the destination, then the operation with
//! the right side (a register or a constant; a commuting operation takes
//! its register side first, `r1 = r0 - r1` computes in the accumulator).
//! It is no access and orders nothing; the harness does it in Rust between
//! two primitives, as it does moves and jumps' compares. An address
//! dependency keeps its register in the instruction (`pte-asm`'s
//! `load32_indexed`, `store32_indexed`: the CPU adds it to the address);
//! the test runs only if a value-set analysis over every execution
//! ([`values::nonzero_index`]) finds that register always 0, as the
//! kernel's tests build it (`r1 & 8` with `r1` only 0 or 1, `r1 ^ r1`),
//! since another offset would leave the location: herd7 would address
//! another one. A register holding an address (`int *r2 = y + r9`) must
//! be assigned once, and is neither stored nor compared nor observed.
//!
//! What has no such code is refused, as an [`Unmapped`] naming the
//! construct and why (`docs/lkmm-x86.md` has the table with the kernel's
//! lines): `synchronize_rcu` and SRCU (no user-space equivalent), `while` (the threads jump forward only), `*`,
//! `/` and an expression computed on both sides, plain accesses (the
//! compiler's to choose), accesses through a loaded pointer, pointer
//! values, an address at a constant offset or one that may be non-zero, a
//! `filter`.

use super::ast::{
    AtomValue, BinOp, CProgram, Call, Expr, InitTarget, InitValue, Observable as CObservable, Pos,
    Prop as CProp, Quantifier as CQuantifier, Stmt, StmtKind, Thread,
};
use super::primitives::{AccessTag, Arg, FenceTag, Op, ResultTest, Semantics};
use super::show;
use crate::catalog::program::{
    Address, AluOp, Compare, Condition, Fence, Instr, Jcc, Location, MAX_LOCATIONS, MAX_OBSERVED,
    MAX_REGISTERS, MAX_THREADS, Observable, Operand, Program, Prop, Quantifier, RmwOp, Size, Test,
    values,
};
use std::collections::HashMap;

/// Why a C test has no x86 code here: where, and which construct and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unmapped {
    pub pos: Pos,
    pub message: String,
}

/// `%eax`: the value `lock cmpxchg` expects, and what it returns.
const ACCUMULATOR: u8 = 0;
/// A register no C register takes: the operand of an `xchg`, `cmpxchg` or
/// `xadd` whose result is dropped, or of `smp_store_mb()`.
const SCRATCH: u8 = (MAX_REGISTERS - 1) as u8;
/// The C registers of a thread take registers 1 up to this.
const MAX_C_REGISTERS: usize = MAX_REGISTERS - 2;

/// Every access is 4 bytes: herd7's C values are 32-bit `int`s.
const SIZE: Size = Size::Four;

/// The x86 program the kernel's code for `c` is.
pub fn program(c: &CProgram) -> Result<Program, Unmapped> {
    let mut m = Mapper::new(c)?;
    m.init(c)?;
    let threads = c
        .threads
        .iter()
        .map(|t| m.thread(t))
        .collect::<Result<Vec<_>, _>>()?;
    let (condition, observed) = m.condition(c)?;
    let program = Program {
        name: c.name.clone(),
        locations: m.locations,
        register_size: SIZE,
        init_regs: m.init_regs,
        reg_names: m.reg_names,
        threads,
        observed,
        condition,
    };
    // An index register that may hold anything but 0 would take the access
    // off its location.
    if let Some((t, i, may)) = values::nonzero_index(&program) {
        let (pos, what) = m
            .indexed
            .iter()
            .find(|(at, _, _)| *at == (t, i))
            .map(|(_, pos, what)| (*pos, what.clone()))
            .unwrap_or_default();
        return unmapped(
            pos,
            format!(
                "'{what}': an address whose offset may be {may} (from the values the test stores): \
                 the suite runs an address dependency only where its offset is always 0, as the \
                 access then stays on its location"
            ),
        );
    }
    Ok(program)
}

/// What is resolved so far: locations, each thread's registers.
struct Mapper {
    locations: Vec<Location>,
    /// Per thread, its parameters: names that hold a location's address.
    params: Vec<Vec<String>>,
    init_regs: Vec<[u64; MAX_REGISTERS]>,
    reg_names: Vec<[Option<String>; MAX_REGISTERS]>,
    /// Per thread, the labels its branches have taken.
    labels: Vec<u8>,
    /// Per thread, its registers that hold an address (`r2 = y + r9;`):
    /// the location, and whether the register holds an offset to add.
    pointers: Vec<HashMap<String, (u8, bool)>>,
    /// Per thread, how many times each register is assigned.
    assignments: Vec<HashMap<String, usize>>,
    /// Each access with an index register: (thread, instruction), where,
    /// and the address as the test writes it.
    indexed: Vec<((usize, usize), Pos, String)>,
}

fn unmapped<T>(pos: Pos, message: impl Into<String>) -> Result<T, Unmapped> {
    Err(Unmapped {
        pos,
        message: message.into(),
    })
}

/// A 32-bit C value as a register or location holds it.
fn word(v: i32) -> u64 {
    v as u32 as u64
}

impl Mapper {
    fn new(c: &CProgram) -> Result<Mapper, Unmapped> {
        if c.threads.len() > MAX_THREADS {
            return unmapped(
                c.threads[MAX_THREADS].pos,
                format!("more than {MAX_THREADS} threads"),
            );
        }
        let n = c.threads.len();
        Ok(Mapper {
            locations: Vec::new(),
            params: c
                .threads
                .iter()
                .map(|t| t.params.iter().map(|p| p.name.clone()).collect())
                .collect(),
            init_regs: vec![[0; MAX_REGISTERS]; n],
            reg_names: vec![Default::default(); n],
            labels: vec![0; n],
            pointers: vec![HashMap::new(); n],
            assignments: c
                .threads
                .iter()
                .map(|t| {
                    let mut counts = HashMap::new();
                    count_assignments(&t.body, &mut counts);
                    counts
                })
                .collect(),
            indexed: Vec::new(),
        })
    }

    fn location(&mut self, name: &str, pos: Pos) -> Result<u8, Unmapped> {
        if let Some(l) = self.locations.iter().position(|l| l.name == name) {
            return Ok(l as u8);
        }
        if self.locations.len() == MAX_LOCATIONS {
            return unmapped(pos, format!("more than {MAX_LOCATIONS} locations"));
        }
        self.locations.push(Location {
            name: name.to_string(),
            size: SIZE,
            init: 0,
        });
        Ok(self.locations.len() as u8 - 1)
    }

    /// Thread `t`'s register called `name` (a C register, never a
    /// parameter), given its index on first sight.
    fn register(&mut self, t: usize, name: &str, pos: Pos) -> Result<u8, Unmapped> {
        let names = &mut self.reg_names[t];
        if let Some(r) = names.iter().position(|n| n.as_deref() == Some(name)) {
            return Ok(r as u8);
        }
        let Some(free) = (1..=MAX_C_REGISTERS).find(|&r| names[r].is_none()) else {
            return unmapped(
                pos,
                format!("thread {t} has more than {MAX_C_REGISTERS} registers"),
            );
        };
        names[free] = Some(name.to_string());
        Ok(free as u8)
    }

    fn is_param(&self, t: usize, name: &str) -> bool {
        self.params[t].iter().any(|p| p == name)
    }

    /// `y`, `y + e` or `e + y` of a parameter `y`: the parameter and the
    /// offset expression.
    fn pointer_expr<'e>(&self, t: usize, e: &'e Expr) -> Option<(&'e str, Option<&'e Expr>)> {
        let param = |e: &'e Expr| match strip(e) {
            Expr::Reg(p) if self.is_param(t, p) => Some(p.as_str()),
            _ => None,
        };
        match strip(e) {
            Expr::Reg(p) if self.is_param(t, p) => Some((p.as_str(), None)),
            Expr::Binary(BinOp::Add, a, b) => match (param(a), param(b)) {
                (Some(p), None) => Some((p, Some(&**b))),
                (None, Some(p)) => Some((p, Some(&**a))),
                _ => None,
            },
            _ => None,
        }
    }

    /// The init block's locations and registers, then every parameter's
    /// location, in the order the file names them.
    fn init(&mut self, c: &CProgram) -> Result<(), Unmapped> {
        for item in &c.init {
            let value = match &item.value {
                None => 0,
                Some(InitValue::Int(v)) => word(*v),
                Some(InitValue::Address(x)) => {
                    return unmapped(item.pos, pointer_value(&format!("&{x}")));
                }
                Some(InitValue::Array(_)) => {
                    return unmapped(item.pos, "an array: the suite's locations are single words");
                }
            };
            match &item.target {
                InitTarget::Location(x) => {
                    let l = self.location(x, item.pos)?;
                    self.locations[l as usize].init = value;
                }
                InitTarget::Register { thread, reg } => {
                    let r = self.register(*thread, reg, item.pos)?;
                    self.init_regs[*thread][r as usize] = value;
                }
            }
        }
        for t in &c.threads {
            for p in &t.params {
                self.location(&p.name, t.pos)?;
            }
        }
        Ok(())
    }

    fn thread(&mut self, t: &Thread) -> Result<Vec<Instr>, Unmapped> {
        let mut code = Vec::new();
        for s in &t.body {
            self.stmt(t.index, s, &mut code)?;
        }
        Ok(code)
    }

    fn stmt(&mut self, t: usize, s: &Stmt, code: &mut Vec<Instr>) -> Result<(), Unmapped> {
        match &s.kind {
            StmtKind::Decl {
                reg, value: None, ..
            } => self.register(t, reg, s.pos).map(|_| ()),
            StmtKind::Decl {
                reg,
                value: Some(value),
                ..
            }
            | StmtKind::Assign { reg, value } => self.assign(t, reg, value, s.pos, code),
            StmtKind::Store { addr, value } => unmapped(
                s.pos,
                plain_access(&format!("*{} = {}", show::expr(addr), show::expr(value))),
            ),
            StmtKind::Call(call) => self.procedure(t, call, code),
            StmtKind::Expr { value, .. } => self.effect(t, value, s.pos, code),
            StmtKind::If {
                cond,
                then,
                otherwise,
            } => self.branch(t, cond, then, otherwise.as_deref(), s.pos, code),
            StmtKind::While { .. } => unmapped(
                s.pos,
                "'while': a loop; the suite's threads only jump forward",
            ),
            StmtKind::Block(body) => body.iter().try_for_each(|s| self.stmt(t, s, code)),
        }
    }

    /// `if (cond) then else otherwise` as the compiler lays it out: the
    /// compare and a jump over `then` when `cond` is false; `then`; a jump
    /// over `otherwise`; `otherwise`.
    fn branch(
        &mut self,
        t: usize,
        cond: &Expr,
        then: &[Stmt],
        otherwise: Option<&[Stmt]>,
        pos: Pos,
        code: &mut Vec<Instr>,
    ) -> Result<(), Unmapped> {
        let skip_then = self.compare(t, cond, pos, code)?;
        let else_label = self.label(t, pos)?;
        code.push(Instr::Jump {
            when: Some(skip_then),
            to: else_label,
        });
        then.iter().try_for_each(|s| self.stmt(t, s, code))?;
        match otherwise {
            None => code.push(Instr::Label(else_label)),
            Some(otherwise) => {
                let end_label = self.label(t, pos)?;
                code.push(Instr::Jump {
                    when: None,
                    to: end_label,
                });
                code.push(Instr::Label(else_label));
                otherwise.iter().try_for_each(|s| self.stmt(t, s, code))?;
                code.push(Instr::Label(end_label));
            }
        }
        Ok(())
    }

    /// The compare whose jump skips the branch `if (cond)` takes when
    /// `cond` is false: `r` and `r != v` jump on equal, `r == v` on not
    /// equal, `r > v` on less or equal (signed, as C's `int`). A side may be
    /// a macro's value (`READ_ONCE(*x) == 0`) or arithmetic (`r & 8`),
    /// computed into the scratch register first as the compiler would.
    /// `r < k` jumps as `r <= k - 1` and `r < s` as `s > r` (what compilers
    /// emit too): herd7's `X86_64` gets `JL` wrong (it jumps on less or
    /// equal), and the other orders right.
    fn compare(
        &mut self,
        t: usize,
        cond: &Expr,
        pos: Pos,
        code: &mut Vec<Instr>,
    ) -> Result<Compare, Unmapped> {
        let (a, b, when_true) = match strip(cond) {
            Expr::Binary(op, a, b) if constant(cond).is_none() && comparison(*op).is_some() => {
                (&**a, Some(&**b), comparison(*op).unwrap())
            }
            other => (other, None, Jcc::NotEqual),
        };
        let skip = when_true.negated();
        let side = |m: &mut Mapper, e: &Expr, code: &mut Vec<Instr>| match strip(e) {
            Expr::Binary(op, ..) if comparison(*op).is_some() && constant(e).is_none() => unmapped(
                pos,
                format!(
                    "'if ({})': a comparison inside a comparison; give its value a register first",
                    show::expr(cond)
                ),
            ),
            _ => m.value(t, e, pos, code),
        };
        let left = side(self, a, code)?;
        let right = match b {
            Some(b) => {
                if left == Operand::Reg(SCRATCH) && needs_scratch(b) {
                    return unmapped(
                        pos,
                        format!(
                            "'if ({})': two accesses or computations in one condition; give one a register first",
                            show::expr(cond)
                        ),
                    );
                }
                side(self, b, code)?
            }
            None => Operand::Imm(0),
        };
        // `cmp` compares a register with a register or a constant.
        let (reg, value, jump) = match (left, right) {
            (Operand::Reg(r), v) => (r, v, skip),
            (v, Operand::Reg(r)) => (r, v, skip.mirrored()),
            (Operand::Imm(_), Operand::Imm(_)) => {
                return unmapped(
                    pos,
                    format!(
                        "'if ({})': a constant condition; the compiler emits no branch",
                        show::expr(cond)
                    ),
                );
            }
        };
        Ok(match (jump, value) {
            (Jcc::Less, Operand::Reg(s)) => Compare {
                reg: s,
                value: Operand::Reg(reg),
                jump: Jcc::Greater,
                size: SIZE,
            },
            (Jcc::Less, Operand::Imm(k)) if k as u32 as i32 != i32::MIN => Compare {
                reg,
                value: Operand::Imm(word((k as u32 as i32).wrapping_sub(1))),
                jump: Jcc::LessEqual,
                size: SIZE,
            },
            _ => Compare {
                reg,
                value,
                jump,
                size: SIZE,
            },
        })
    }

    /// A fresh label of thread `t`.
    fn label(&mut self, t: usize, pos: Pos) -> Result<u8, Unmapped> {
        let n = self.labels[t];
        if n == u8::MAX {
            return unmapped(pos, "more than 255 branches in a thread");
        }
        self.labels[t] += 1;
        Ok(n)
    }

    /// `reg = value;`
    fn assign(
        &mut self,
        t: usize,
        reg: &str,
        value: &Expr,
        pos: Pos,
        code: &mut Vec<Instr>,
    ) -> Result<(), Unmapped> {
        if self.is_param(t, reg) {
            return unmapped(
                pos,
                format!(
                    "'{reg}' is a parameter and is assigned: the suite's programs access fixed locations"
                ),
            );
        }
        // `r2 = y + r9;`: r2 holds the offset r9, and `*r2` is an access of
        // y with r2 as its index.
        if let Some((param, offset)) = self.pointer_expr(t, value) {
            if self.assignments[t].get(reg).copied().unwrap_or(0) > 1 {
                return unmapped(
                    pos,
                    format!(
                        "'{reg} = {}': a register that holds an address is assigned more than once; the suite follows one location per such register",
                        show::expr(value)
                    ),
                );
            }
            let loc = self.location(param, pos)?;
            let dest = self.register(t, reg, pos)?;
            let indexed = match offset {
                Some(e) if constant(e) != Some(0) => {
                    if constant(e).is_some() {
                        return unmapped(
                            pos,
                            format!(
                                "'{}': a constant offset from a location; the suite's locations are single words",
                                show::expr(value)
                            ),
                        );
                    }
                    self.expr_into(t, e, dest, pos, code)?;
                    true
                }
                _ => false,
            };
            self.pointers[t].insert(reg.to_string(), (loc, indexed));
            return Ok(());
        }
        let dest = self.register(t, reg, pos)?;
        self.expr_into(t, value, dest, pos, code)
    }

    /// The value of `e` into register `dest`, as the compiler computes it:
    /// a constant or register moved, a macro's value, `a op b` as `a` into
    /// `dest` then `op b` (`mov %r0,%r1; and $8,%r1`), a comparison as
    /// `cmp`, a jump over `mov $1`, `jmp` over `mov $0` (the compiler's
    /// `setcc`: the same registers and no access).
    fn expr_into(
        &mut self,
        t: usize,
        e: &Expr,
        dest: u8,
        pos: Pos,
        code: &mut Vec<Instr>,
    ) -> Result<(), Unmapped> {
        if let Some(v) = constant(e) {
            code.push(Instr::Move {
                reg: dest,
                value: Operand::Imm(word(v)),
            });
            return Ok(());
        }
        match strip(e) {
            Expr::Call(call) => self.value_call(t, call, dest, code),
            Expr::Binary(op, ..) if comparison(*op).is_some() => {
                let one = |v| Instr::Move {
                    reg: dest,
                    value: Operand::Imm(v),
                };
                let skip = self.compare(t, e, pos, code)?;
                let (false_label, end_label) = (self.label(t, pos)?, self.label(t, pos)?);
                code.extend([
                    Instr::Jump {
                        when: Some(skip),
                        to: false_label,
                    },
                    one(1),
                    Instr::Jump {
                        when: None,
                        to: end_label,
                    },
                    Instr::Label(false_label),
                    one(0),
                    Instr::Label(end_label),
                ]);
                Ok(())
            }
            Expr::Binary(op, a, b) => {
                let Some(alu) = alu_op(*op) else {
                    return unmapped(
                        pos,
                        format!(
                            "'{}': the suite's programs add, subtract, and, or and xor registers, no '{}'",
                            show::expr(e),
                            op.symbol()
                        ),
                    );
                };
                let commutes = alu != AluOp::Sub;
                // The right side must be a register or a constant: swap
                // when that is the left, and the operation commutes.
                let (a, b) = if commutes
                    && constant(a).is_some()
                    && constant(b).is_none()
                    && operand_like(b)
                {
                    (&**b, &**a)
                } else if operand_like(b) {
                    (&**a, &**b)
                } else if commutes && operand_like(a) {
                    (&**b, &**a)
                } else {
                    return unmapped(
                        pos,
                        format!(
                            "'{}': both sides computed; give one a register first",
                            show::expr(e)
                        ),
                    );
                };
                let right = self.operand(t, b, pos)?;
                // `r1 = r2 - r1`: computing r2 into r1 would lose r1 first.
                let aliased = right == Operand::Reg(dest) && !is_reg(a, dest, self, t);
                if aliased && commutes && operand_like(a) {
                    let left = self.operand(t, a, pos)?;
                    code.push(Instr::Alu {
                        op: alu,
                        size: SIZE,
                        reg: dest,
                        value: left,
                    });
                    return Ok(());
                }
                // (An operand is never the accumulator: no C register is.)
                let into = if aliased { ACCUMULATOR } else { dest };
                self.expr_into(t, a, into, pos, code)?;
                code.push(Instr::Alu {
                    op: alu,
                    size: SIZE,
                    reg: into,
                    value: right,
                });
                if into != dest {
                    code.push(Instr::Move {
                        reg: dest,
                        value: Operand::Reg(into),
                    });
                }
                Ok(())
            }
            Expr::Deref(_) => unmapped(pos, plain_access(&show::expr(e))),
            other => {
                let value = self.operand(t, other, pos)?;
                code.push(Instr::Move { reg: dest, value });
                Ok(())
            }
        }
    }

    /// A value an instruction takes: a constant or a register as it is,
    /// anything else computed into the scratch register first.
    fn value(
        &mut self,
        t: usize,
        e: &Expr,
        pos: Pos,
        code: &mut Vec<Instr>,
    ) -> Result<Operand, Unmapped> {
        if operand_like(e) {
            return self.operand(t, e, pos);
        }
        self.expr_into(t, e, SCRATCH, pos, code)?;
        Ok(Operand::Reg(SCRATCH))
    }

    /// An expression whose value is dropped: `(void)xchg(x, 1);`.
    fn effect(
        &mut self,
        t: usize,
        value: &Expr,
        pos: Pos,
        code: &mut Vec<Instr>,
    ) -> Result<(), Unmapped> {
        match strip(value) {
            Expr::Call(call) => self.value_call(t, call, SCRATCH, code),
            Expr::Deref(_) => unmapped(pos, plain_access(&show::expr(value))),
            // A value computed and dropped: no instruction.
            other if operand_like(other) => self.operand(t, other, pos).map(|_| ()),
            other => self.expr_into(t, other, SCRATCH, pos, code),
        }
    }

    /// An expression macro, its result into `dest`.
    fn value_call(
        &mut self,
        t: usize,
        call: &Call,
        dest: u8,
        code: &mut Vec<Instr>,
    ) -> Result<(), Unmapped> {
        if let Some(why) = unavailable(call) {
            return unmapped(call.pos, format!("{}(): {why}", call.prim.name));
        }
        let pos = call.pos;
        match call.prim.semantics {
            Semantics::Load { tag, deref } => {
                let at = self.address(t, &call.args[0], deref, pos, Some(&mut *code))?;
                self.note_index(t, at, pos, &call.args[0], code);
                code.push(Instr::Load {
                    size: SIZE,
                    at,
                    reg: dest,
                });
                if tag == AccessTag::Acquire {
                    code.push(Instr::Fence(Fence::Compiler));
                }
            }
            Semantics::Xchg(_) => {
                let at = self.address(t, &call.args[0], true, pos, None)?;
                let value = self.value(t, &call.args[1], pos, code)?;
                code.push(Instr::Move { reg: dest, value });
                self.note_index(t, at, pos, &call.args[0], code);
                code.push(rmw(at, RmwOp::Xchg(dest)));
            }
            Semantics::Cmpxchg(_) => {
                let at = self.address(t, &call.args[0], true, pos, None)?;
                // One of the two may be computed, into the scratch register.
                let (expected, new) = (&call.args[1], &call.args[2]);
                let (expected, new) = match (needs_scratch(expected), needs_scratch(new)) {
                    (true, true) => {
                        return unmapped(
                            pos,
                            format!(
                                "{}(): both values computed; give one a register first",
                                call.prim.name
                            ),
                        );
                    }
                    (false, true) => {
                        let new = self.value(t, new, pos, code)?;
                        (self.operand(t, expected, pos)?, new)
                    }
                    _ => {
                        let expected = self.value(t, expected, pos, code)?;
                        (expected, self.operand(t, new, pos)?)
                    }
                };
                code.push(Instr::Move {
                    reg: ACCUMULATOR,
                    value: expected,
                });
                code.push(Instr::Move {
                    reg: dest,
                    value: new,
                });
                self.note_index(t, at, pos, &call.args[0], code);
                code.push(rmw(at, RmwOp::Cmpxchg(dest)));
                code.push(Instr::Move {
                    reg: dest,
                    value: Operand::Reg(ACCUMULATOR),
                });
            }
            // `atomic_fetch_add()`: `xadd(&v->counter, i)`.
            Semantics::AtomicOpReturn {
                op,
                ptr,
                value,
                fetch: true,
                ..
            } => {
                let at = self.address(t, &call.args[ptr], true, pos, None)?;
                let value = self.rmw_operand(t, call, op, value, code)?;
                code.push(Instr::Move { reg: dest, value });
                self.note_index(t, at, pos, &call.args[ptr], code);
                code.push(rmw(at, RmwOp::Xadd(dest)));
            }
            // `atomic_add_return()`: `i + xadd(&v->counter, i)`, the add
            // in a register the xadd leaves `i` beside (the accumulator
            // when `i` is the destination's own).
            Semantics::AtomicOpReturn {
                op,
                ptr,
                value,
                fetch: false,
                test: None,
                ..
            } => {
                let at = self.address(t, &call.args[ptr], true, pos, None)?;
                let value = self.rmw_operand(t, call, op, value, code)?;
                let sum = if value == Operand::Reg(dest) {
                    ACCUMULATOR
                } else {
                    dest
                };
                code.push(Instr::Move { reg: sum, value });
                self.note_index(t, at, pos, &call.args[ptr], code);
                code.push(rmw(at, RmwOp::Xadd(sum)));
                code.push(Instr::Alu {
                    op: AluOp::Add,
                    size: SIZE,
                    reg: sum,
                    value,
                });
                if sum != dest {
                    code.push(Instr::Move {
                        reg: dest,
                        value: Operand::Reg(sum),
                    });
                }
            }
            // `atomic_dec_and_test()`: `lock decl` then `sete`;
            // `atomic_add_negative()`: `lock addl` then `sets`.
            Semantics::AtomicOpReturn {
                op,
                ptr,
                value,
                fetch: false,
                test: Some(test),
                ..
            } => {
                let at = self.address(t, &call.args[ptr], true, pos, None)?;
                let value = self.rmw_operand(t, call, op, value, code)?;
                let test = match test {
                    ResultTest::IsZero => Test::Zero,
                    ResultTest::IsNegative => Test::Negative,
                };
                self.note_index(t, at, pos, &call.args[ptr], code);
                code.push(rmw(
                    at,
                    RmwOp::AddTest {
                        value,
                        reg: dest,
                        test,
                    },
                ));
            }
            // qspinlock.h: `queued_spin_is_locked()` is
            // `atomic_read(&lock->val)`, non-zero when held (the suite's
            // lock word holds 0 or 1: no pending bit, no queue tail).
            Semantics::IsLocked => {
                let at = self.address(t, &call.args[0], true, pos, None)?;
                code.push(Instr::Load {
                    size: SIZE,
                    at,
                    reg: dest,
                });
            }
            Semantics::TryLock => {
                let at = self.address(t, &call.args[0], true, pos, None)?;
                self.trylock(t, at, dest, pos, code)?;
            }
            Semantics::AddUnless => {
                let at = self.address(t, &call.args[0], true, pos, None)?;
                self.add_unless(t, call, at, dest, code)?;
            }
            _ => return unmapped(pos, format!("{}() has no value", call.prim.name)),
        }
        Ok(())
    }

    /// A procedure macro: `WRITE_ONCE(*x, 1);`, `smp_mb();`.
    fn procedure(&mut self, t: usize, call: &Call, code: &mut Vec<Instr>) -> Result<(), Unmapped> {
        if let Some(why) = unavailable(call) {
            return unmapped(call.pos, format!("{}(): {why}", call.prim.name));
        }
        let pos = call.pos;
        match call.prim.semantics {
            Semantics::Store { tag, deref } => {
                // The value first: an offset computed into the accumulator
                // takes no other register.
                let value = self.value(t, &call.args[1], pos, code)?;
                let at = self.address(t, &call.args[0], deref, pos, Some(&mut *code))?;
                if tag == AccessTag::Release {
                    code.push(Instr::Fence(Fence::Compiler));
                }
                self.note_index(t, at, pos, &call.args[0], code);
                code.push(Instr::Store {
                    size: SIZE,
                    at,
                    value,
                });
            }
            Semantics::StoreMb => {
                let at = self.address(t, &call.args[0], false, pos, None)?;
                let value = self.value(t, &call.args[1], pos, code)?;
                code.push(Instr::Move {
                    reg: SCRATCH,
                    value,
                });
                self.note_index(t, at, pos, &call.args[0], code);
                code.push(rmw(at, RmwOp::Xchg(SCRATCH)));
            }
            // unavailable() refused the fences that have no x86 form.
            Semantics::Fence(tag) => code.extend(fence(tag).map(Instr::Fence)),
            Semantics::AtomicOp { op, ptr, value } => {
                let at = self.address(t, &call.args[ptr], true, pos, None)?;
                let value = self.rmw_operand(t, call, op, value, code)?;
                self.note_index(t, at, pos, &call.args[ptr], code);
                code.push(rmw(at, RmwOp::Add(value)));
            }
            // qspinlock.h: `queued_spin_lock()`'s `lock cmpxchg` of 0 -> 1,
            // and x86's `virt_spin_lock()` retrying it: one primitive.
            Semantics::Lock => {
                let at = self.address(t, &call.args[0], true, call.pos, None)?;
                code.push(Instr::SpinLock { at, reg: SCRATCH });
            }
            // qspinlock.h: `queued_spin_unlock()` is
            // `smp_store_release(&lock->locked, 0)`: `barrier()`, a store.
            Semantics::Unlock => {
                let at = self.address(t, &call.args[0], true, call.pos, None)?;
                code.push(Instr::Fence(Fence::Compiler));
                code.push(Instr::Store {
                    size: SIZE,
                    at,
                    value: Operand::Imm(0),
                });
            }
            _ => return unmapped(call.pos, format!("{}() is not a statement", call.prim.name)),
        }
        Ok(())
    }

    /// `atomic_add_unless(v, a, u)` into `dest` (none when `dest` is the
    /// scratch register: `(void)atomic_add_unless(...)`), as
    /// atomic-arch-fallback.h's `raw_atomic_add_unless()`:
    /// `raw_atomic_fetch_add_unless(v, a, u) != u`, whose `c =
    /// raw_atomic_read(v)` is a load into the accumulator and whose loop is
    /// one primitive ([`RmwOp::AddUnless`], the `lock cmpxchg` of `c` -> `c
    /// + a` retried while `c` is not `u`); then the compiler's `!= u`.
    fn add_unless(
        &mut self,
        t: usize,
        call: &Call,
        at: Address,
        dest: u8,
        code: &mut Vec<Instr>,
    ) -> Result<(), Unmapped> {
        let pos = call.pos;
        let mut operand = |e: &Expr| {
            if operand_like(e) {
                self.operand(t, e, pos)
            } else {
                unmapped(
                    pos,
                    format!(
                        "atomic_add_unless(): '{}' computed; give it a register first",
                        show::expr(e)
                    ),
                )
            }
        };
        let (value, unless) = (operand(&call.args[1])?, operand(&call.args[2])?);
        code.extend([
            Instr::Load {
                size: SIZE,
                at,
                reg: ACCUMULATOR,
            },
            rmw(
                at,
                RmwOp::AddUnless {
                    value,
                    unless,
                    sum: SCRATCH,
                },
            ),
        ]);
        if dest == SCRATCH {
            return Ok(());
        }
        let (failed, end) = (self.label(t, pos)?, self.label(t, pos)?);
        code.push(Instr::Jump {
            when: Some(Compare {
                reg: ACCUMULATOR,
                value: unless,
                jump: Jcc::Equal,
                size: SIZE,
            }),
            to: failed,
        });
        code.extend(one_or_zero(dest, failed, end));
        Ok(())
    }

    /// `spin_trylock()` into `dest`, as qspinlock.h's
    /// `queued_spin_trylock()`: `val = atomic_read(&lock->val); if (val)
    /// return 0;` then `atomic_try_cmpxchg_acquire(&lock->val, &val, 1)`,
    /// 1 when it swapped. The compiler's code: the load, a jump to the
    /// failure when it is not 0, `lock cmpxchg` with `%eax` = 0, a jump to
    /// the failure when `%eax` came back not 0, `mov $1` and a jump over
    /// the failure's `mov $0`.
    fn trylock(
        &mut self,
        t: usize,
        at: Address,
        dest: u8,
        pos: Pos,
        code: &mut Vec<Instr>,
    ) -> Result<(), Unmapped> {
        let (failed, end) = (self.label(t, pos)?, self.label(t, pos)?);
        let unless_zero = |reg| Instr::Jump {
            when: Some(Compare {
                reg,
                value: Operand::Imm(0),
                jump: Jcc::NotEqual,
                size: SIZE,
            }),
            to: failed,
        };
        code.extend([
            Instr::Load {
                size: SIZE,
                at,
                reg: dest,
            },
            unless_zero(dest),
            Instr::Move {
                reg: ACCUMULATOR,
                value: Operand::Imm(0),
            },
            Instr::Move {
                reg: SCRATCH,
                value: Operand::Imm(1),
            },
            rmw(at, RmwOp::Cmpxchg(SCRATCH)),
            unless_zero(ACCUMULATOR),
        ]);
        code.extend(one_or_zero(dest, failed, end));
        Ok(())
    }

    /// The location an access goes to. `deref`: the macro adds the `*`
    /// (`smp_load_acquire(x)`); else the caller wrote it (`READ_ONCE(*x)`).
    /// Through a register that holds `y + r9` (`*r2`), or `*(y + e)`, the
    /// access is of `y` with an index register: `r2`, the register `e` is,
    /// or, given `code` (a load or a store, which need the accumulator for
    /// nothing else), `e` computed into the accumulator.
    fn address(
        &mut self,
        t: usize,
        e: &Expr,
        deref: bool,
        pos: Pos,
        code: Option<&mut Vec<Instr>>,
    ) -> Result<Address, Unmapped> {
        let pointer = if deref {
            strip(e)
        } else {
            match strip(e) {
                Expr::Deref(inner) => strip(inner),
                _ => {
                    return unmapped(
                        pos,
                        format!("'{}' is not an access '*x' of a parameter", show::expr(e)),
                    );
                }
            }
        };
        let at = |loc: u8, index: Option<u8>| Address {
            loc,
            offset: 0,
            index,
        };
        // The suite's indexed accesses are loads and stores.
        let rmw = code.is_none();
        let no_rmw = |what: &str| {
            unmapped(
                pos,
                format!(
                    "a read-modify-write of '{what}', an address with an offset register: the suite's indexed accesses are loads and stores"
                ),
            )
        };
        if let Expr::Reg(r) = pointer
            && let Some(&(loc, indexed)) = self.pointers[t].get(r)
        {
            if indexed && rmw {
                return no_rmw(r);
            }
            let index = indexed.then(|| self.register(t, r, pos)).transpose()?;
            return Ok(at(loc, index));
        }
        if let Some((param, offset)) = self.pointer_expr(t, pointer) {
            let loc = self.location(param, pos)?;
            let Some(offset) = offset.filter(|o| constant(o) != Some(0)) else {
                return Ok(at(loc, None));
            };
            if constant(offset).is_some() {
                return unmapped(
                    pos,
                    format!(
                        "an access to '{}': a constant offset from a location; the suite's locations are single words",
                        show::expr(pointer)
                    ),
                );
            }
            if rmw {
                return no_rmw(&show::expr(pointer));
            }
            if let Expr::Reg(r) = strip(offset)
                && !self.is_param(t, r)
                && !self.pointers[t].contains_key(r)
            {
                return Ok(at(loc, Some(self.register(t, r, pos)?)));
            }
            let (Some(code), false) = (code, has_call(offset)) else {
                return unmapped(
                    pos,
                    format!(
                        "an access to '{}', with an access in its offset: give the offset a register first",
                        show::expr(pointer)
                    ),
                );
            };
            self.expr_into(t, offset, ACCUMULATOR, pos, code)?;
            return Ok(at(loc, Some(ACCUMULATOR)));
        }
        match pointer {
            Expr::Reg(r) => unmapped(
                pos,
                format!(
                    "an access through the register '{r}' (a loaded pointer): the suite's programs access fixed locations"
                ),
            ),
            other => unmapped(
                pos,
                format!(
                    "an access to the computed address '{}': the suite's programs access fixed locations",
                    show::expr(other)
                ),
            ),
        }
    }

    /// Remember where an access with an index register is, before `code`
    /// gets it, to name it if its index may be non-zero.
    fn note_index(&mut self, t: usize, at: Address, pos: Pos, e: &Expr, code: &[Instr]) {
        if at.index.is_some() {
            self.indexed
                .push(((t, code.len()), pos, show::expr(e).to_string()));
        }
    }

    /// A value an instruction takes: a constant (folded), or a register.
    fn operand(&mut self, t: usize, e: &Expr, pos: Pos) -> Result<Operand, Unmapped> {
        if let Some(v) = constant(e) {
            return Ok(Operand::Imm(word(v)));
        }
        match strip(e) {
            Expr::Reg(p) if self.is_param(t, p) || self.pointers[t].contains_key(p) => {
                unmapped(pos, pointer_value(p))
            }
            Expr::Reg(r) => Ok(Operand::Reg(self.register(t, r, pos)?)),
            Expr::Binary(..) => unmapped(
                pos,
                format!(
                    "'{}': computed where the suite takes a register or a constant",
                    show::expr(e)
                ),
            ),
            Expr::Deref(_) => unmapped(pos, plain_access(&show::expr(e))),
            other => unmapped(
                pos,
                format!(
                    "'{}': an access inside another's arguments; give its value a register first",
                    show::expr(other)
                ),
            ),
        }
    }

    /// An atomic operation's operand, negated for a subtraction (`lock add`
    /// of `-i`, as `arch_atomic_fetch_sub()` is `xadd(&v->counter, -i)`): a
    /// constant negated as it is folded, a register negated into the
    /// scratch register (`xor $-1` and `add $1`, what `neg` computes, in
    /// instructions herd7's `X86_64` has too). A computed operand goes to
    /// the scratch register first.
    fn rmw_operand(
        &mut self,
        t: usize,
        call: &Call,
        op: Op,
        value: Arg,
        code: &mut Vec<Instr>,
    ) -> Result<Operand, Unmapped> {
        let operand = match value {
            Arg::Const(v) => Operand::Imm(word(v)),
            Arg::At(i) => self.value(t, &call.args[i], call.pos, code)?,
        };
        Ok(match (op, operand) {
            (Op::Add, v) => v,
            (Op::Sub, Operand::Imm(v)) => Operand::Imm(word((v as u32 as i32).wrapping_neg())),
            (Op::Sub, Operand::Reg(r)) => {
                if r != SCRATCH {
                    code.push(Instr::Move {
                        reg: SCRATCH,
                        value: Operand::Reg(r),
                    });
                }
                code.extend([
                    Instr::Alu {
                        op: AluOp::Xor,
                        size: SIZE,
                        reg: SCRATCH,
                        value: Operand::Imm(word(-1)),
                    },
                    Instr::Alu {
                        op: AluOp::Add,
                        size: SIZE,
                        reg: SCRATCH,
                        value: Operand::Imm(1),
                    },
                ]);
                Operand::Reg(SCRATCH)
            }
        })
    }

    /// The condition and what an outcome observes: its registers and
    /// locations in order of mention, then `locations [...]`.
    fn condition(&mut self, c: &CProgram) -> Result<(Condition, Vec<Observable>), Unmapped> {
        let cond = &c.condition;
        let pos = Pos::default();
        if cond.filter.is_some() {
            return unmapped(pos, "a filter: the hardware run keeps every outcome");
        }
        let mut observed = Vec::new();
        let prop = self.prop(&cond.prop, &mut observed)?;
        for o in &cond.locations {
            let o = self.observable(o)?;
            if !observed.contains(&o) {
                observed.push(o);
            }
        }
        if observed.len() > MAX_OBSERVED {
            return unmapped(pos, format!("more than {MAX_OBSERVED} values observed"));
        }
        let quantifier = match cond.quantifier {
            CQuantifier::Exists => Quantifier::Exists,
            CQuantifier::NotExists => Quantifier::NotExists,
            CQuantifier::Forall => Quantifier::Forall,
        };
        Ok((Condition { quantifier, prop }, observed))
    }

    fn prop(&mut self, p: &CProp, observed: &mut Vec<Observable>) -> Result<Prop, Unmapped> {
        Ok(match p {
            CProp::True => Prop::True,
            CProp::False => Prop::Not(Box::new(Prop::True)),
            CProp::Eq(o, v) => self.atom(o, v, observed)?,
            CProp::Ne(o, v) => Prop::Not(Box::new(self.atom(o, v, observed)?)),
            CProp::Not(inner) => Prop::Not(Box::new(self.prop(inner, observed)?)),
            CProp::And(a, b) => Prop::And(vec![self.prop(a, observed)?, self.prop(b, observed)?]),
            CProp::Or(a, b) => Prop::Or(vec![self.prop(a, observed)?, self.prop(b, observed)?]),
            CProp::Implies(a, b) => {
                let a = Prop::Not(Box::new(self.prop(a, observed)?));
                Prop::Or(vec![a, self.prop(b, observed)?])
            }
        })
    }

    fn atom(
        &mut self,
        o: &CObservable,
        v: &AtomValue,
        observed: &mut Vec<Observable>,
    ) -> Result<Prop, Unmapped> {
        let o = self.observable(o)?;
        if !observed.contains(&o) {
            observed.push(o);
        }
        match v {
            AtomValue::Int(v) => Ok(Prop::Is(o, word(*v))),
            AtomValue::Address(x) => unmapped(Pos::default(), pointer_value(x)),
            AtomValue::ValueOf(_) => unmapped(
                Pos::default(),
                "the condition compares two final values: the suite's conditions compare with numbers",
            ),
        }
    }

    fn observable(&mut self, o: &CObservable) -> Result<Observable, Unmapped> {
        let pos = Pos::default();
        Ok(match o {
            CObservable::Location(x) => Observable::Loc(self.location(x, pos)?),
            CObservable::Register { thread, reg }
                if self.is_param(*thread, reg) || self.pointers[*thread].contains_key(reg) =>
            {
                return unmapped(pos, pointer_value(&format!("{thread}:{reg}")));
            }
            CObservable::Register { thread, reg } => Observable::Reg {
                thread: *thread as u8,
                reg: self.register(*thread, reg, pos)?,
            },
        })
    }
}

/// A locked read-modify-write of a 4-byte location.
/// A result made a value as a compiler does after its jumps: `dest` = 1,
/// a jump over the failure's `dest` = 0 at label `failed`, then `end`.
fn one_or_zero(dest: u8, failed: u8, end: u8) -> [Instr; 5] {
    let set = |value| Instr::Move {
        reg: dest,
        value: Operand::Imm(value),
    };
    [
        set(1),
        Instr::Jump {
            when: None,
            to: end,
        },
        Instr::Label(failed),
        set(0),
        Instr::Label(end),
    ]
}

fn rmw(at: Address, op: RmwOp) -> Instr {
    Instr::Rmw {
        size: SIZE,
        at,
        op,
        locked: true,
    }
}

/// The fence a fence primitive is on x86 (`None`: none will do). Only `smp_mb()` is an
/// instruction; every other is `barrier()` at most, because x86-TSO keeps
/// loads in order, stores in order, and a locked instruction (every
/// atomic RMW, and the kernel's spinlocks) is already a full barrier.
fn fence(tag: FenceTag) -> Option<Fence> {
    Some(match tag {
        // barrier.h: `__smp_mb()` is `lock; addl $0,-4(%%" _ASM_SP ")`.
        FenceTag::Mb => Fence::LockAddStack,
        // barrier.h: `__smp_rmb()` is `dma_rmb()`, which is `barrier()`;
        // `__smp_wmb()` is `barrier()`.
        FenceTag::Rmb | FenceTag::Wmb | FenceTag::Barrier => Fence::Compiler,
        // barrier.h: "Atomic operations are already serializing on x86":
        // `do { } while (0)`. spinlock.h: `smp_mb__after_spinlock()`
        // defaults to nothing. rcupdate.h: `smp_mb__after_unlock_lock()` is
        // nothing without CONFIG_ARCH_WEAK_RELEASE_ACQUIRE (powerpc's).
        // srcu.h: `smp_mb__after_srcu_read_unlock()` is empty.
        FenceTag::BeforeAtomic
        | FenceTag::AfterAtomic
        | FenceTag::AfterSpinlock
        | FenceTag::AfterUnlockLock
        | FenceTag::AfterSrcuReadUnlock => Fence::Compiler,
        // rcupdate.h: `__rcu_read_lock()` is `preempt_disable()` on a
        // non-preemptible kernel (a CPU-private count and `barrier()`),
        // `rcu_read_lock_nesting++; barrier()` on a preemptible one.
        FenceTag::RcuLock | FenceTag::RcuUnlock => Fence::Compiler,
        // A grace period: no instruction does it.
        FenceTag::SyncRcu => return None,
    })
}

/// Why a primitive has no x86 code the suite can run, if it has none.
fn unavailable(call: &Call) -> Option<&'static str> {
    Some(match call.prim.semantics {
        Semantics::Fence(tag) if fence(tag).is_none() => {
            "a grace period has no user-space equivalent"
        }
        Semantics::SrcuLock | Semantics::SrcuUnlock | Semantics::SyncSrcu => {
            "SRCU's per-CPU counters and grace periods (kernel/rcu/srcutree.c) have no \
             user-space equivalent"
        }
        _ => return None,
    })
}

/// The jump taken when a comparison holds (`None`: not a comparison).
fn comparison(op: BinOp) -> Option<Jcc> {
    Some(match op {
        BinOp::Eq => Jcc::Equal,
        BinOp::Ne => Jcc::NotEqual,
        BinOp::Lt => Jcc::Less,
        BinOp::Le => Jcc::LessEqual,
        BinOp::Gt => Jcc::Greater,
        BinOp::Ge => Jcc::GreaterEqual,
        _ => return None,
    })
}

/// The register-only instruction of an arithmetic operator.
fn alu_op(op: BinOp) -> Option<AluOp> {
    Some(match op {
        BinOp::Add => AluOp::Add,
        BinOp::Sub => AluOp::Sub,
        BinOp::And => AluOp::And,
        BinOp::Or => AluOp::Or,
        BinOp::Xor => AluOp::Xor,
        _ => return None,
    })
}

/// A constant or a plain name: an instruction's operand as it is.
fn operand_like(e: &Expr) -> bool {
    constant(e).is_some() || matches!(strip(e), Expr::Reg(_))
}

/// Whether computing `e` as an operand takes the scratch register.
fn needs_scratch(e: &Expr) -> bool {
    !operand_like(e)
}

/// Whether `e` calls a macro.
fn has_call(e: &Expr) -> bool {
    match e {
        Expr::Call(_) => true,
        Expr::Int(_) | Expr::Reg(_) => false,
        Expr::Deref(e) | Expr::Cast(_, e) | Expr::Paren(e) => has_call(e),
        Expr::Binary(_, a, b) => has_call(a) || has_call(b),
    }
}

/// Whether `e` is the C register that is register `r`.
fn is_reg(e: &Expr, r: u8, m: &Mapper, t: usize) -> bool {
    match strip(e) {
        Expr::Reg(name) => m.reg_names[t][r as usize].as_deref() == Some(name.as_str()),
        _ => false,
    }
}

/// How many times each register is assigned in `body`, branches and all.
fn count_assignments(body: &[Stmt], counts: &mut HashMap<String, usize>) {
    for s in body {
        match &s.kind {
            StmtKind::Decl {
                reg,
                value: Some(_),
                ..
            }
            | StmtKind::Assign { reg, .. } => *counts.entry(reg.clone()).or_default() += 1,
            StmtKind::If {
                then, otherwise, ..
            } => {
                count_assignments(then, counts);
                count_assignments(otherwise.as_deref().unwrap_or(&[]), counts);
            }
            StmtKind::While { body, .. } | StmtKind::Block(body) => count_assignments(body, counts),
            _ => {}
        }
    }
}

/// `(int)(x)` is `x`: herd ignores casts, and parentheses only group.
fn strip(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(inner) | Expr::Cast(_, inner) => strip(inner),
        other => other,
    }
}

/// A constant expression's value, as herd computes it (32-bit).
fn constant(e: &Expr) -> Option<i32> {
    match strip(e) {
        Expr::Int(v) => Some(*v),
        Expr::Binary(op, a, b) => op.apply(constant(a)?, constant(b)?),
        _ => None,
    }
}

fn plain_access(what: &str) -> String {
    format!(
        "'{what}': a plain access, which the compiler may tear, fuse or invent: no one instruction"
    )
}

fn pointer_value(what: &str) -> String {
    format!("'{what}': an address; the suite's locations and registers hold numbers")
}

#[cfg(test)]
mod tests;
