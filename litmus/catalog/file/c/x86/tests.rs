//! The mapping against the kernel's x86 code, primitive by primitive: what
//! each one becomes, what is refused and where, the condition and the
//! initial state; and every primitive of `linux-kernel.def` is one or the
//! other.

use super::super::from_text;
use super::super::primitives::PRIMITIVES;
use super::{ACCUMULATOR, SCRATCH, program};
use crate::catalog::program::{
    Address, AluOp, Compare, Fence, Instr, Jcc, Observable, Operand, Prop, Quantifier, RmwOp, Size,
    Test,
};

/// `body` as thread 0 of a test with locations x, y and a (0, 1, 2) and
/// registers r0, r1 (1, 2); its x86 code or why it has none.
fn mapped(body: &str) -> Result<Vec<Instr>, String> {
    let text = format!(
        "C T\n{{}}\nP0(int *x, int *y, atomic_t *a)\n{{\n\tint r0;\n\tint r1;\n\t{body}\n}}\nexists (0:r0=0)\n"
    );
    let c = from_text(&text).unwrap_or_else(|e| panic!("{body}: {e}"));
    program(&c)
        .map(|p| p.threads[0].clone())
        .map_err(|e| format!("{}:{}: {}", e.pos.line, e.pos.col, e.message))
}

const X: Address = Address {
    loc: 0,
    offset: 0,
    index: None,
};
const Y: Address = Address {
    loc: 1,
    offset: 0,
    index: None,
};
const A: Address = Address {
    loc: 2,
    offset: 0,
    index: None,
};
const R0: u8 = 1;

fn load(at: Address) -> Instr {
    Instr::Load {
        size: Size::Four,
        at,
        reg: R0,
    }
}

fn store(at: Address, value: Operand) -> Instr {
    Instr::Store {
        size: Size::Four,
        at,
        value,
    }
}

fn locked(at: Address, op: RmwOp) -> Instr {
    Instr::Rmw {
        size: Size::Four,
        at,
        op,
        locked: true,
    }
}

fn mov(reg: u8, value: Operand) -> Instr {
    Instr::Move { reg, value }
}

const BARRIER: Instr = Instr::Fence(Fence::Compiler);
const ONE: Operand = Operand::Imm(1);
const MINUS_ONE: Operand = Operand::Imm(0xffff_ffff);

/// Each primitive the kernel compiles to x86 code, called as a test
/// calls it, and that code.
fn the_mapped() -> Vec<(&'static str, Vec<Instr>)> {
    let mut cases = vec![
        ("r0 = READ_ONCE(*x);", vec![load(X)]),
        ("r0 = rcu_dereference(*x);", vec![load(X)]),
        ("r0 = atomic_read(a);", vec![load(A)]),
        ("WRITE_ONCE(*x, 1);", vec![store(X, ONE)]),
        ("atomic_set(a, 1);", vec![store(A, ONE)]),
        ("r0 = smp_load_acquire(x);", vec![load(X), BARRIER]),
        ("r0 = atomic_read_acquire(a);", vec![load(A), BARRIER]),
        ("smp_store_release(x, 1);", vec![BARRIER, store(X, ONE)]),
        ("rcu_assign_pointer(*x, 1);", vec![BARRIER, store(X, ONE)]),
        ("atomic_set_release(a, 1);", vec![BARRIER, store(A, ONE)]),
        ("smp_mb();", vec![Instr::Fence(Fence::LockAddStack)]),
        (
            "smp_store_mb(*x, 1);",
            vec![mov(SCRATCH, ONE), locked(X, RmwOp::Xchg(SCRATCH))],
        ),
        ("atomic_add(1, a);", vec![locked(A, RmwOp::Add(ONE))]),
        ("atomic_inc(a);", vec![locked(A, RmwOp::Add(ONE))]),
        ("atomic_sub(1, a);", vec![locked(A, RmwOp::Add(MINUS_ONE))]),
        ("atomic_dec(a);", vec![locked(A, RmwOp::Add(MINUS_ONE))]),
        // qspinlock.h: the lock's `lock cmpxchg` loop is one primitive;
        // `queued_spin_unlock()` is `smp_store_release(&lock->locked, 0)`,
        // `queued_spin_is_locked()` is `atomic_read(&lock->val)`.
        (
            "spin_lock(a);",
            vec![Instr::SpinLock {
                at: A,
                reg: SCRATCH,
            }],
        ),
        ("spin_unlock(a);", vec![BARRIER, store(A, Operand::Imm(0))]),
        ("r0 = spin_is_locked(a);", vec![load(A)]),
        ("r0 = spin_trylock(a);", trylock()),
    ];
    for fence in [
        "smp_rmb",
        "smp_wmb",
        "barrier",
        "smp_mb__before_atomic",
        "smp_mb__after_atomic",
        "smp_mb__after_spinlock",
        "smp_mb__after_unlock_lock",
        "smp_mb__after_srcu_read_unlock",
        "rcu_read_lock",
        "rcu_read_unlock",
    ] {
        cases.push((leak(format!("{fence}();")), vec![BARRIER]));
    }
    let xchg = vec![mov(R0, ONE), locked(X, RmwOp::Xchg(R0))];
    let cmpxchg = vec![
        mov(0, Operand::Imm(2)),
        mov(R0, ONE),
        locked(X, RmwOp::Cmpxchg(R0)),
        mov(R0, Operand::Reg(0)),
    ];
    for order in ["", "_relaxed", "_acquire", "_release"] {
        for family in ["xchg", "atomic_xchg"] {
            cases.push((leak(format!("r0 = {family}{order}(x, 1);")), xchg.clone()));
        }
        for family in ["cmpxchg", "atomic_cmpxchg"] {
            let call = format!("r0 = {family}{order}(x, 2, 1);");
            cases.push((leak(call), cmpxchg.clone()));
        }
        for (op, value) in [
            ("add(1, a)", ONE),
            ("inc(a)", ONE),
            ("sub(1, a)", MINUS_ONE),
            ("dec(a)", MINUS_ONE),
        ] {
            let (name, args) = op.split_once('(').unwrap();
            let call = format!("r0 = atomic_fetch_{name}{order}({args};");
            cases.push((leak(call), vec![mov(R0, value), locked(A, RmwOp::Xadd(R0))]));
            // `i + xadd(&v->counter, i)`.
            let call = format!("r0 = atomic_{name}_return{order}({args};");
            cases.push((
                leak(call),
                vec![
                    mov(R0, value),
                    locked(A, RmwOp::Xadd(R0)),
                    alu(AluOp::Add, R0, value),
                ],
            ));
        }
    }
    // `lock add` (`decl`, `incl`, `subl`) then `sete`; `sets`.
    for (call, value, test) in [
        ("r0 = atomic_sub_and_test(1, a);", MINUS_ONE, Test::Zero),
        ("r0 = atomic_dec_and_test(a);", MINUS_ONE, Test::Zero),
        ("r0 = atomic_inc_and_test(a);", ONE, Test::Zero),
        ("r0 = atomic_add_negative(1, a);", ONE, Test::Negative),
    ] {
        cases.push((
            call,
            vec![locked(
                A,
                RmwOp::AddTest {
                    value,
                    reg: R0,
                    test,
                },
            )],
        ));
    }
    cases
}

fn alu(op: AluOp, reg: u8, value: Operand) -> Instr {
    Instr::Alu {
        op,
        size: Size::Four,
        reg,
        value,
    }
}

/// `r0 = spin_trylock(a)`: `queued_spin_trylock()`'s read, the failure
/// when it is not 0, then `lock cmpxchg` of 0 -> 1 and the failure when
/// it did not swap; `r0` is 1, or 0 on the failure's path.
fn trylock() -> Vec<Instr> {
    let zero = Operand::Imm(0);
    vec![
        load(A),
        jump_if(R0, zero, Jcc::NotEqual, 0),
        mov(0, zero),
        mov(SCRATCH, ONE),
        locked(A, RmwOp::Cmpxchg(SCRATCH)),
        jump_if(0, zero, Jcc::NotEqual, 0),
        mov(R0, ONE),
        Instr::Jump { when: None, to: 1 },
        Instr::Label(0),
        mov(R0, zero),
        Instr::Label(1),
    ]
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// Each primitive that has no x86 code here, and what its refusal says.
const REFUSED: &[(&str, &str)] = &[
    ("synchronize_rcu();", "no user-space equivalent"),
    ("synchronize_rcu_expedited();", "no user-space equivalent"),
    ("r0 = srcu_read_lock(a);", "srcu_read_lock(): SRCU's"),
    ("srcu_read_unlock(a, r0);", "srcu_read_unlock(): SRCU's"),
    ("r0 = srcu_down_read(a);", "srcu_down_read(): SRCU's"),
    ("srcu_up_read(a, r0);", "srcu_up_read(): SRCU's"),
    ("synchronize_srcu(a);", "synchronize_srcu(): SRCU's"),
    (
        "synchronize_srcu_expedited(a);",
        "synchronize_srcu_expedited(): SRCU's",
    ),
    (
        "r0 = atomic_add_unless(a, 1, 2);",
        "atomic_add_unless(): a read, then a lock cmpxchg of the value plus a",
    ),
];

#[test]
fn each_primitive_is_the_kernels_x86_code() {
    for (call, want) in the_mapped() {
        assert_eq!(mapped(call), Ok(want), "{call}");
    }
}

#[test]
fn what_has_no_x86_code_is_refused_at_its_call_saying_why() {
    for (call, says) in REFUSED {
        let e = mapped(call).unwrap_err();
        assert!(e.starts_with("7:"), "{call}: {e}");
        assert!(e.contains(says), "{call}: {e}");
    }
}

#[test]
fn every_primitive_of_the_def_is_mapped_or_refused() {
    let mapped = the_mapped();
    let called = |name: &str| {
        let call = format!("{name}(");
        mapped.iter().any(|(c, _)| c.contains(&call))
            || REFUSED.iter().any(|(c, _)| c.contains(&call))
    };
    for p in PRIMITIVES {
        assert!(
            called(p.name),
            "{} is neither mapped nor refused here",
            p.name
        );
    }
}

#[test]
fn constructs_without_x86_code_here_are_refused() {
    let cases = [
        (
            "if (*x == 1) { WRITE_ONCE(*y, 1); }",
            "'*x': a plain access",
        ),
        ("if (r0 == y) { WRITE_ONCE(*y, 1); }", "'y': an address"),
        ("while (r0) { r0 = READ_ONCE(*x); }", "'while': a loop"),
        ("r0 = *x;", "'*x': a plain access"),
        ("*x = 1;", "'*x = 1': a plain access"),
        ("r0 = READ_ONCE(*r1);", "through the register 'r1'"),
        ("WRITE_ONCE(*x, y);", "'y': an address"),
        ("x = y;", "'x' is a parameter and is assigned"),
        (
            "r0 = r1 * 2;",
            "add, subtract, and, or and xor registers, no '*'",
        ),
        (
            "r0 = (r1 & 8) - (r1 | 1);",
            "both sides computed; give one a register first",
        ),
        (
            "r0 = READ_ONCE(*(x + 4));",
            "a constant offset from a location",
        ),
        (
            "WRITE_ONCE(*y, 4); r1 = READ_ONCE(*y); r0 = READ_ONCE(*(x + r1));",
            "'*(x + r1)': an address whose offset may be {0, 4}",
        ),
        ("int *r2 = y + r0; r2 = x + r0;", "assigned more than once"),
        ("int *r2 = y + r0; WRITE_ONCE(*x, r2);", "'r2': an address"),
        (
            "atomic_inc(x + (r0 & 8));",
            "a read-modify-write of 'x + (r0 & 8)', an address with an offset register",
        ),
        (
            "int *r2 = x + r0; atomic_inc(r2);",
            "a read-modify-write of 'r2', an address with an offset register",
        ),
        (
            "r1 = READ_ONCE(*(x + READ_ONCE(*y)));",
            "with an access in its offset: give the offset a register first",
        ),
        (
            "if (READ_ONCE(*x) == (r0 & 1)) { WRITE_ONCE(*y, 1); }",
            "two accesses or computations in one condition",
        ),
    ];
    for (body, says) in cases {
        let e = mapped(body).unwrap_err();
        assert!(e.starts_with("7:"), "{body}: {e}");
        assert!(e.contains(says), "{body}: {e}");
    }
}

#[test]
fn registers_and_constants_are_operands() {
    assert_eq!(mapped("r0 = 5;"), Ok(vec![mov(R0, Operand::Imm(5))]));
    assert_eq!(
        mapped("r1 = r0;"),
        Ok(vec![mov(2, Operand::Reg(R0))]),
        "r1 is register 2"
    );
    assert_eq!(
        mapped("WRITE_ONCE(*x, r0);"),
        Ok(vec![store(X, Operand::Reg(R0))])
    );
    assert_eq!(
        mapped("WRITE_ONCE(*x, (2 * 3) - 7);"),
        Ok(vec![store(X, MINUS_ONE)]),
        "constants fold, 32-bit"
    );
    assert_eq!(
        mapped("(void)xchg(x, 1);"),
        Ok(vec![mov(SCRATCH, ONE), locked(X, RmwOp::Xchg(SCRATCH))])
    );
    assert_eq!(
        mapped("r0 = READ_ONCE(*(x));"),
        Ok(vec![load(X)]),
        "parentheses only group"
    );
}

#[test]
fn the_state_and_the_condition_carry_over() {
    let text = "C T\n{ int x = 3; atomic_t a = ATOMIC_INIT(-2); 1:r1 = 4; }\nP0(int *x) { int r0; r0 = READ_ONCE(*x); }\nP1(int *x, atomic_t *a) { int r1; atomic_inc(a); }\nlocations [a; 1:r1]\nexists (0:r0=3 /\\ ~(x=2) \\/ 0:r0!=-1 /\\ (1:r1=4 => a=-1))\n";
    let p = program(&from_text(text).unwrap()).unwrap();
    assert_eq!(p.name, "T");
    assert_eq!(p.register_size, Size::Four);
    let inits: Vec<(&str, u64)> = p
        .locations
        .iter()
        .map(|l| (l.name.as_str(), l.init))
        .collect();
    assert_eq!(inits, [("x", 3), ("a", 0xffff_fffe)]);
    assert_eq!(p.init_regs[1][1], 4);
    assert_eq!(p.reg_names[0][1].as_deref(), Some("r0"));
    assert_eq!(p.condition.quantifier, Quantifier::Exists);
    let r0 = Observable::Reg { thread: 0, reg: 1 };
    let r1 = Observable::Reg { thread: 1, reg: 1 };
    let (x, a) = (Observable::Loc(0), Observable::Loc(1));
    assert_eq!(
        p.observed,
        [r0, x, r1, a],
        "the condition's, then locations'"
    );
    let not = |p: Prop| Prop::Not(Box::new(p));
    assert_eq!(
        p.condition.prop,
        Prop::Or(vec![
            Prop::And(vec![Prop::Is(r0, 3), not(Prop::Is(x, 2))]),
            Prop::And(vec![
                not(Prop::Is(r0, 0xffff_ffff)),
                Prop::Or(vec![not(Prop::Is(r1, 4)), Prop::Is(a, 0xffff_ffff)]),
            ]),
        ])
    );
    assert_eq!(
        p.condition_text(),
        "exists ((0:r0=3 /\\ ~x=2) \\/ (~0:r0=4294967295 /\\ (~1:r1=4 \\/ a=4294967295)))"
    );
}

#[test]
fn quantifiers_carry_over_and_a_filter_or_a_pointer_is_refused() {
    let test = |cond: &str| {
        let text = format!("C T\n{{}}\nP0(int *x) {{ WRITE_ONCE(*x, 1); }}\n{cond}\n");
        program(&from_text(&text).unwrap()).map_err(|e| e.message)
    };
    let quantifier = |cond: &str| test(cond).map(|p| p.condition.quantifier);
    assert_eq!(quantifier("~exists (x=1)"), Ok(Quantifier::NotExists));
    assert_eq!(quantifier("forall (x=1)"), Ok(Quantifier::Forall));
    assert_eq!(
        quantifier(""),
        Ok(Quantifier::Forall),
        "none: forall (true)"
    );
    assert!(
        test("filter (x=1) exists (x=1)")
            .unwrap_err()
            .contains("a filter")
    );
    assert!(
        test("exists (x=y)")
            .unwrap_err()
            .contains("'y': an address")
    );
    assert!(test("exists (0:x=1)").unwrap_err().contains("an address"));
    let text = "C T\n{ int *p = &x; }\nP0(int **p) { WRITE_ONCE(*p, 1); }\nexists (p=1)\n";
    let e = program(&from_text(text).unwrap()).unwrap_err();
    assert_eq!((e.pos.line, e.pos.col), (2, 3));
    assert!(e.message.contains("'&x': an address"), "{}", e.message);
}

/// `CMP reg,value` then the jump `jump` to label `to`.
fn jump_if(reg: u8, value: Operand, jump: Jcc, to: u8) -> Instr {
    Instr::Jump {
        when: Some(Compare {
            reg,
            value,
            jump,
            size: Size::Four,
        }),
        to,
    }
}

#[test]
fn an_if_is_a_compare_and_a_jump_over_its_branch() {
    let zero = Operand::Imm(0);
    let then = store(Y, ONE);
    // `test %eax,%eax; je`: the branch is skipped when r0 is 0.
    assert_eq!(
        mapped("r0 = READ_ONCE(*x); if (r0) WRITE_ONCE(*y, 1);"),
        Ok(vec![
            load(X),
            jump_if(R0, zero, Jcc::Equal, 0),
            then,
            Instr::Label(0)
        ])
    );
    assert_eq!(
        mapped("if (r0 == 1) { WRITE_ONCE(*y, 1); }"),
        Ok(vec![
            jump_if(R0, ONE, Jcc::NotEqual, 0),
            then,
            Instr::Label(0)
        ])
    );
    assert_eq!(
        mapped("if (0 != r0) WRITE_ONCE(*y, 1); else WRITE_ONCE(*x, r1);"),
        Ok(vec![
            jump_if(R0, zero, Jcc::Equal, 0),
            then,
            Instr::Jump { when: None, to: 1 },
            Instr::Label(0),
            store(X, Operand::Reg(2)),
            Instr::Label(1),
        ])
    );
    assert_eq!(
        mapped("if (r0 == r1) { if (r1) WRITE_ONCE(*y, 1); }"),
        Ok(vec![
            jump_if(R0, Operand::Reg(2), Jcc::NotEqual, 0),
            jump_if(2, zero, Jcc::Equal, 1),
            then,
            Instr::Label(1),
            Instr::Label(0),
        ]),
        "nested: each if its own label"
    );
    // `setne` as a jump over a move: r1 is 1 when r0 is not 0.
    assert_eq!(
        mapped("r1 = (r0 != 0);"),
        Ok(vec![
            jump_if(R0, zero, Jcc::Equal, 0),
            mov(2, ONE),
            Instr::Jump { when: None, to: 1 },
            Instr::Label(0),
            mov(2, zero),
            Instr::Label(1),
        ])
    );
    // The compiler loads the macro's value, then compares it.
    assert_eq!(
        mapped("if (READ_ONCE(*x) == 0) WRITE_ONCE(*y, 1);"),
        Ok(vec![
            Instr::Load {
                size: Size::Four,
                at: X,
                reg: SCRATCH
            },
            jump_if(SCRATCH, zero, Jcc::NotEqual, 0),
            then,
            Instr::Label(0),
        ])
    );
}

#[test]
fn register_arithmetic_is_a_move_then_the_operation() {
    let r1 = 2;
    // `r1 = (r0 & 8) + 1`: r0 into r1, and, add.
    assert_eq!(
        mapped("r1 = (r0 & 8) + 1;"),
        Ok(vec![
            mov(r1, Operand::Reg(R0)),
            alu(AluOp::And, r1, Operand::Imm(8)),
            alu(AluOp::Add, r1, ONE),
        ])
    );
    // A commuting operation takes its register side first; `r1 = r0 - r1`
    // computes in the accumulator, as r1 is an operand.
    assert_eq!(
        mapped("r1 = 3 ^ r0;"),
        Ok(vec![
            mov(r1, Operand::Reg(R0)),
            alu(AluOp::Xor, r1, Operand::Imm(3))
        ])
    );
    assert_eq!(
        mapped("r1 = r0 - r1;"),
        Ok(vec![
            mov(ACCUMULATOR, Operand::Reg(R0)),
            alu(AluOp::Sub, ACCUMULATOR, Operand::Reg(r1)),
            mov(r1, Operand::Reg(ACCUMULATOR)),
        ])
    );
    assert_eq!(
        mapped("r1 = r0 | r1;"),
        Ok(vec![alu(AluOp::Or, r1, Operand::Reg(R0))])
    );
    // A computed value to store goes through the scratch register, and a
    // macro's value too.
    assert_eq!(
        mapped("WRITE_ONCE(*x, r0 + 1);"),
        Ok(vec![
            mov(SCRATCH, Operand::Reg(R0)),
            alu(AluOp::Add, SCRATCH, ONE),
            store(X, Operand::Reg(SCRATCH)),
        ])
    );
    assert_eq!(
        mapped("WRITE_ONCE(*x, READ_ONCE(*y));"),
        Ok(vec![
            Instr::Load {
                size: Size::Four,
                at: Y,
                reg: SCRATCH
            },
            store(X, Operand::Reg(SCRATCH)),
        ])
    );
    // `atomic_sub()` of a register: negated in the scratch register (`xor
    // $-1`, `add $1`: `neg`), then `lock add`.
    assert_eq!(
        mapped("atomic_sub(r0, a);"),
        Ok(vec![
            mov(SCRATCH, Operand::Reg(R0)),
            alu(AluOp::Xor, SCRATCH, MINUS_ONE),
            alu(AluOp::Add, SCRATCH, ONE),
            locked(A, RmwOp::Add(Operand::Reg(SCRATCH))),
        ])
    );
    // `r0 = atomic_add_return(r0, a)`: the sum in the accumulator, as r0
    // is the operand the add needs after the xadd.
    assert_eq!(
        mapped("r0 = atomic_add_return(r0, a);"),
        Ok(vec![
            mov(ACCUMULATOR, Operand::Reg(R0)),
            locked(A, RmwOp::Xadd(ACCUMULATOR)),
            alu(AluOp::Add, ACCUMULATOR, Operand::Reg(R0)),
            mov(R0, Operand::Reg(ACCUMULATOR)),
        ])
    );
}

#[test]
fn an_ordered_or_computed_condition_is_a_signed_compare() {
    let cmp = |reg: u8, value: Operand, jump: Jcc| Instr::Jump {
        when: Some(Compare {
            reg,
            value,
            jump,
            size: Size::Four,
        }),
        to: 0,
    };
    let then = [store(Y, ONE), Instr::Label(0)];
    let with_then = |mut code: Vec<Instr>| {
        code.extend(then);
        Ok(code)
    };
    // The jump skips the branch when the condition is false.
    assert_eq!(
        mapped("if (r0 > 0) { WRITE_ONCE(*y, 1); }"),
        with_then(vec![cmp(R0, Operand::Imm(0), Jcc::LessEqual)])
    );
    assert_eq!(
        mapped("if (r0 <= r1) { WRITE_ONCE(*y, 1); }"),
        with_then(vec![cmp(R0, Operand::Reg(2), Jcc::Greater)])
    );
    // `r0 >= 1` skips on `r0 < 1`, written `r0 <= 0` (herd7's JL is
    // wrong); `r0 >= r1` on `r1 > r0`; `0 < r0` is `r0 > 0`.
    assert_eq!(
        mapped("if (r0 >= 1) { WRITE_ONCE(*y, 1); }"),
        with_then(vec![cmp(R0, Operand::Imm(0), Jcc::LessEqual)])
    );
    assert_eq!(
        mapped("if (r0 >= r1) { WRITE_ONCE(*y, 1); }"),
        with_then(vec![cmp(2, Operand::Reg(R0), Jcc::Greater)])
    );
    assert_eq!(
        mapped("if (0 < r0) { WRITE_ONCE(*y, 1); }"),
        with_then(vec![cmp(R0, Operand::Imm(0), Jcc::LessEqual)])
    );
    // `if (r0 & 8)`: computed into the scratch register, compared with 0.
    assert_eq!(
        mapped("if (r0 & 8) { WRITE_ONCE(*y, 1); }"),
        with_then(vec![
            mov(SCRATCH, Operand::Reg(R0)),
            alu(AluOp::And, SCRATCH, Operand::Imm(8)),
            cmp(SCRATCH, Operand::Imm(0), Jcc::Equal),
        ])
    );
    // `if (atomic_dec_and_test(a))`: the flag into the scratch register.
    assert_eq!(
        mapped("if (atomic_dec_and_test(a)) { WRITE_ONCE(*y, 1); }"),
        with_then(vec![
            locked(
                A,
                RmwOp::AddTest {
                    value: MINUS_ONE,
                    reg: SCRATCH,
                    test: Test::Zero
                }
            ),
            cmp(SCRATCH, Operand::Imm(0), Jcc::Equal),
        ])
    );
}

#[test]
fn an_address_dependency_is_an_index_register_that_holds_zero() {
    let indexed = |loc: u8, index: u8| Address {
        loc,
        offset: 0,
        index: Some(index),
    };
    // `*(x + (r0 & 8))`, r0 only 0 or 1: the offset in the accumulator.
    assert_eq!(
        mapped("WRITE_ONCE(*y, 1); r0 = READ_ONCE(*y); r1 = READ_ONCE(*(x + (r0 & 8)));"),
        Ok(vec![
            store(Y, ONE),
            load(Y),
            mov(ACCUMULATOR, Operand::Reg(R0)),
            alu(AluOp::And, ACCUMULATOR, Operand::Imm(8)),
            Instr::Load {
                size: Size::Four,
                at: indexed(0, ACCUMULATOR),
                reg: 2
            },
        ])
    );
    // `r2 = x + (r0 ^ r0); WRITE_ONCE(*r2, 1)`: r2 holds the offset, the
    // index of the store; the same register for `*(x + r2)`.
    let r2 = 3;
    let pointer = vec![
        mov(r2, Operand::Reg(R0)),
        alu(AluOp::Xor, r2, Operand::Reg(R0)),
        store(indexed(0, r2), ONE),
    ];
    assert_eq!(
        mapped("int *r2; r0 = READ_ONCE(*y); r2 = x + (r0 ^ r0); WRITE_ONCE(*r2, 1);"),
        Ok([vec![load(Y)], pointer].concat())
    );
    // `r2 = y;`: a pointer with no offset is the location itself.
    assert_eq!(
        mapped("int *r2 = y; r0 = READ_ONCE(*r2);"),
        Ok(vec![load(Y)])
    );
}
