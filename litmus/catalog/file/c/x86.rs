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
//! | `atomic_add`, `atomic_sub`, `atomic_inc`, `atomic_dec` | `lock add` (of the negated constant for `sub`, `dec`) | `atomic.h` |
//! | `atomic_fetch_add*`, `atomic_fetch_sub*`, `_inc`, `_dec` | `lock xadd` | `atomic.h` `arch_atomic_fetch_add` |
//! | `spin_lock` | `lock cmpxchg` of 0 -> 1, retried after `pause` and loads until the word reads 0: one primitive ([`Instr::SpinLock`]) | `asm-generic/qspinlock.h` `queued_spin_lock`, `asm/qspinlock.h` `virt_spin_lock` |
//! | `spin_unlock` | `barrier()`, `mov` store of 0 | `qspinlock.h` `queued_spin_unlock`: `smp_store_release(&lock->locked, 0)` |
//! | `spin_trylock` | `mov` load, `jne` to the failure, `lock cmpxchg` of 0 -> 1, `jne` to the failure, `mov $1`; the failure `mov $0` | `qspinlock.h` `queued_spin_trylock` |
//! | `spin_is_locked` | `mov` load | `qspinlock.h` `queued_spin_is_locked`: `atomic_read(&lock->val)` |
//! | `if (r)`, `if (r != k)`, `if (r == k)`, `else` | `cmp`, `je`/`jne` over the branch, `jmp` over the `else` | what the compiler emits |
//! | `r = (a != b)`, `r = (a == b)` | `cmp`, a jump over `mov $1`, `jmp` over `mov $0` | the compiler's `setne`/`sete`, the same registers |
//!
//! What has no such code is refused, as an [`Unmapped`] naming the
//! construct and why (`docs/lkmm-x86.md` has the table with the kernel's
//! lines): `atomic_add_unless` (a loop of register arithmetic),
//! `synchronize_rcu` and SRCU (no user-space equivalent), `_return` and
//! `_and_test` results (register arithmetic, flags), `while` and an `if`
//! on anything but a register's equality (the threads jump forward, on
//! equal or not equal only, as herd7's `X86`; a spin lock's loop is inside
//! its primitive), plain accesses (the compiler's to choose), accesses
//! through a loaded pointer and pointer values, a `filter`.

use super::ast::{
    AtomValue, BinOp, CProgram, Call, Expr, InitTarget, InitValue, Observable as CObservable, Pos,
    Prop as CProp, Quantifier as CQuantifier, Stmt, StmtKind, Thread,
};
use super::primitives::{AccessTag, Arg, FenceTag, Op, Semantics};
use super::show;
use crate::catalog::program::{
    Address, Compare, Condition, Fence, Instr, Jcc, Location, MAX_LOCATIONS, MAX_OBSERVED,
    MAX_REGISTERS, MAX_THREADS, Observable, Operand, Program, Prop, Quantifier, RmwOp, Size,
};

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
    Ok(Program {
        name: c.name.clone(),
        locations: m.locations,
        register_size: SIZE,
        init_regs: m.init_regs,
        reg_names: m.reg_names,
        threads,
        observed,
        condition,
    })
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
    /// equal. A side may be a macro's value (`READ_ONCE(*x) == 0`), loaded
    /// into the scratch register first as the compiler would.
    fn compare(
        &mut self,
        t: usize,
        cond: &Expr,
        pos: Pos,
        code: &mut Vec<Instr>,
    ) -> Result<Compare, Unmapped> {
        let (a, b, jump) = match strip(cond) {
            Expr::Binary(BinOp::Eq, a, b) => (&**a, Some(&**b), Jcc::NotEqual),
            Expr::Binary(BinOp::Ne, a, b) => (&**a, Some(&**b), Jcc::Equal),
            Expr::Binary(op, ..)
                if !matches!(op, BinOp::Eq | BinOp::Ne) && constant(cond).is_none() =>
            {
                return unmapped(
                    pos,
                    format!(
                        "'if ({})': only a register, '==' and '!=' compare here (herd7's X86 jumps on equal or not equal)",
                        show::expr(cond)
                    ),
                );
            }
            other => (other, None, Jcc::Equal),
        };
        let side = |m: &mut Mapper, e: &Expr, code: &mut Vec<Instr>| match strip(e) {
            Expr::Call(call) => {
                m.value_call(t, call, SCRATCH, code)?;
                Ok(Operand::Reg(SCRATCH))
            }
            other => m.operand(t, other, pos),
        };
        let left = side(self, a, code)?;
        let right = match b {
            Some(b) => side(self, b, code)?,
            None => Operand::Imm(0),
        };
        // `cmp` compares a register with a register or a constant.
        let (reg, value) = match (left, right) {
            (Operand::Reg(r), v) | (v, Operand::Reg(r)) => (r, v),
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
        if left == Operand::Reg(SCRATCH) && right == Operand::Reg(SCRATCH) {
            return unmapped(
                pos,
                format!(
                    "'if ({})': two accesses in one condition; give one a register first",
                    show::expr(cond)
                ),
            );
        }
        Ok(Compare { reg, value, jump })
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
        let dest = self.register(t, reg, pos)?;
        match strip(value) {
            Expr::Call(call) => self.value_call(t, call, dest, code),
            // `r = (a != b)`: the compiler's `cmp; setne` as a jump over a
            // move, the same registers and no access.
            Expr::Binary(BinOp::Eq | BinOp::Ne, ..) if constant(value).is_none() => {
                let one = |v| Instr::Move {
                    reg: dest,
                    value: Operand::Imm(v),
                };
                let skip = self.compare(t, value, pos, code)?;
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
            Expr::Deref(_) => unmapped(pos, plain_access(&show::expr(value))),
            other => {
                let value = self.operand(t, other, pos)?;
                code.push(Instr::Move { reg: dest, value });
                Ok(())
            }
        }
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
            other => self.operand(t, other, pos).map(|_| ()),
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
        let at =
            |m: &mut Mapper, i: usize, deref: bool| m.address(t, &call.args[i], deref, call.pos);
        match call.prim.semantics {
            Semantics::Load { tag, deref } => {
                let at = at(self, 0, deref)?;
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
                let at = at(self, 0, true)?;
                let value = self.operand(t, &call.args[1], call.pos)?;
                code.push(Instr::Move { reg: dest, value });
                code.push(rmw(at, RmwOp::Xchg(dest)));
            }
            Semantics::Cmpxchg(_) => {
                let at = at(self, 0, true)?;
                let expected = self.operand(t, &call.args[1], call.pos)?;
                let new = self.operand(t, &call.args[2], call.pos)?;
                code.push(Instr::Move {
                    reg: ACCUMULATOR,
                    value: expected,
                });
                code.push(Instr::Move {
                    reg: dest,
                    value: new,
                });
                code.push(rmw(at, RmwOp::Cmpxchg(dest)));
                code.push(Instr::Move {
                    reg: dest,
                    value: Operand::Reg(ACCUMULATOR),
                });
            }
            Semantics::AtomicOpReturn { op, ptr, value, .. } => {
                let at = at(self, ptr, true)?;
                let value = self.signed_operand(t, call, op, value)?;
                code.push(Instr::Move { reg: dest, value });
                code.push(rmw(at, RmwOp::Xadd(dest)));
            }
            // qspinlock.h: `queued_spin_is_locked()` is
            // `atomic_read(&lock->val)`, non-zero when held (the suite's
            // lock word holds 0 or 1: no pending bit, no queue tail).
            Semantics::IsLocked => {
                let at = at(self, 0, true)?;
                code.push(Instr::Load {
                    size: SIZE,
                    at,
                    reg: dest,
                });
            }
            Semantics::TryLock => {
                let at = at(self, 0, true)?;
                self.trylock(t, at, dest, call.pos, code)?;
            }
            _ => return unmapped(call.pos, format!("{}() has no value", call.prim.name)),
        }
        Ok(())
    }

    /// A procedure macro: `WRITE_ONCE(*x, 1);`, `smp_mb();`.
    fn procedure(&mut self, t: usize, call: &Call, code: &mut Vec<Instr>) -> Result<(), Unmapped> {
        if let Some(why) = unavailable(call) {
            return unmapped(call.pos, format!("{}(): {why}", call.prim.name));
        }
        match call.prim.semantics {
            Semantics::Store { tag, deref } => {
                let at = self.address(t, &call.args[0], deref, call.pos)?;
                let value = self.operand(t, &call.args[1], call.pos)?;
                if tag == AccessTag::Release {
                    code.push(Instr::Fence(Fence::Compiler));
                }
                code.push(Instr::Store {
                    size: SIZE,
                    at,
                    value,
                });
            }
            Semantics::StoreMb => {
                let at = self.address(t, &call.args[0], false, call.pos)?;
                let value = self.operand(t, &call.args[1], call.pos)?;
                code.push(Instr::Move {
                    reg: SCRATCH,
                    value,
                });
                code.push(rmw(at, RmwOp::Xchg(SCRATCH)));
            }
            // unavailable() refused the fences that have no x86 form.
            Semantics::Fence(tag) => code.extend(fence(tag).map(Instr::Fence)),
            Semantics::AtomicOp { op, ptr, value } => {
                let at = self.address(t, &call.args[ptr], true, call.pos)?;
                let value = self.signed_operand(t, call, op, value)?;
                code.push(rmw(at, RmwOp::Add(value)));
            }
            // qspinlock.h: `queued_spin_lock()`'s `lock cmpxchg` of 0 -> 1,
            // and x86's `virt_spin_lock()` retrying it: one primitive.
            Semantics::Lock => {
                let at = self.address(t, &call.args[0], true, call.pos)?;
                code.push(Instr::SpinLock { at, reg: SCRATCH });
            }
            // qspinlock.h: `queued_spin_unlock()` is
            // `smp_store_release(&lock->locked, 0)`: `barrier()`, a store.
            Semantics::Unlock => {
                let at = self.address(t, &call.args[0], true, call.pos)?;
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
            }),
            to: failed,
        };
        let set = |value| Instr::Move {
            reg: dest,
            value: Operand::Imm(value),
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
            set(1),
            Instr::Jump {
                when: None,
                to: end,
            },
            Instr::Label(failed),
            set(0),
            Instr::Label(end),
        ]);
        Ok(())
    }

    /// The location an access goes to. `deref`: the macro adds the `*`
    /// (`smp_load_acquire(x)`); else the caller wrote it (`READ_ONCE(*x)`).
    fn address(&mut self, t: usize, e: &Expr, deref: bool, pos: Pos) -> Result<Address, Unmapped> {
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
        match pointer {
            Expr::Reg(p) if self.is_param(t, p) => Ok(Address {
                loc: self.location(p, pos)?,
                offset: 0,
            }),
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

    /// A value an instruction takes: a constant (folded), or a register.
    fn operand(&mut self, t: usize, e: &Expr, pos: Pos) -> Result<Operand, Unmapped> {
        if let Some(v) = constant(e) {
            return Ok(Operand::Imm(word(v)));
        }
        match strip(e) {
            Expr::Reg(p) if self.is_param(t, p) => unmapped(pos, pointer_value(p)),
            Expr::Reg(r) => Ok(Operand::Reg(self.register(t, r, pos)?)),
            Expr::Binary(..) => unmapped(
                pos,
                format!(
                    "'{}': the suite's programs have no register arithmetic",
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
    /// of `-i`, as `arch_atomic_fetch_sub()` is `xadd(&v->counter, -i)`).
    fn signed_operand(
        &mut self,
        t: usize,
        call: &Call,
        op: Op,
        value: Arg,
    ) -> Result<Operand, Unmapped> {
        let operand = match value {
            Arg::Const(v) => Operand::Imm(word(v)),
            Arg::At(i) => self.operand(t, &call.args[i], call.pos)?,
        };
        match (op, operand) {
            (Op::Add, v) => Ok(v),
            (Op::Sub, Operand::Imm(v)) => Ok(Operand::Imm(word((v as u32 as i32).wrapping_neg()))),
            (Op::Sub, Operand::Reg(_)) => unmapped(
                call.pos,
                format!(
                    "{}() of a register: the kernel negates it first, and the suite's programs have no register arithmetic",
                    call.prim.name
                ),
            ),
        }
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
            CObservable::Register { thread, reg } if self.is_param(*thread, reg) => {
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
        Semantics::AddUnless => {
            "a read, then a lock cmpxchg of the value plus a, retried until it swaps or the \
             value is u (include/linux/atomic/atomic-arch-fallback.h, \
             raw_atomic_fetch_add_unless): a loop of register arithmetic, which the suite's \
             programs do not have"
        }
        Semantics::AtomicOpReturn { test: Some(_), .. } => {
            "a lock add, inc or dec, then sete or sets (arch/x86/include/asm/atomic.h): the \
             suite's programs make no value of a flag"
        }
        Semantics::AtomicOpReturn { fetch: false, .. } => {
            "i + xadd(&v->counter, i) (arch/x86/include/asm/atomic.h): the suite's programs have \
             no register arithmetic"
        }
        _ => return None,
    })
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
