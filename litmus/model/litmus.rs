//! Litmus programs (the built-in classic tests and `.litmus` files) as
//! model programs, instruction for instruction.

use super::{Cond, Instr, Judge, Program, Rmw, Step, Value, Word};
use crate::catalog::program::{
    self as litmus, Fence, Instr as LitmusInstr, Operand, RmwOp, Size, Test,
};

fn instr(step: Step, what: impl Into<String>) -> Instr {
    Instr {
        step,
        what: what.into(),
    }
}

/// A litmus program, instruction for instruction.
pub fn litmus_program(p: &litmus::Program) -> Program {
    // Each location's first word; an 8-byte location takes two.
    let mut loc_words = Vec::new();
    let mut word_names = Vec::new();
    let mut init = Vec::new();
    for loc in &p.locations {
        loc_words.push(word_names.len() as Word);
        word_names.push(loc.name.clone());
        init.push(loc.init as u32);
        if loc.size == Size::Eight {
            word_names.push(format!("{}+4", loc.name));
            init.push((loc.init >> 32) as u32);
        }
    }
    let word = |a: litmus::Address| loc_words[a.loc as usize] + a.offset / 4;
    let value = |o: Operand| match o {
        Operand::Imm(v) => Value::Imm(v),
        Operand::Reg(r) => Value::Reg(r),
    };
    let mask = p.register_size.mask();
    let threads = p
        .threads
        .iter()
        .enumerate()
        .map(|(t, code)| {
            // A label is no step: it names the index of the step after it.
            let mut labels = [0u8; 256];
            let mut steps: Vec<Instr> = Vec::new();
            for i in code {
                let step = match *i {
                    LitmusInstr::Label(n) => {
                        labels[n as usize] = steps.len() as u8;
                        continue;
                    }
                    // `to` is the label until every label is placed.
                    LitmusInstr::Jump { when, to } => Step::Jump {
                        when: when.map(|c| Cond::Jcc(c, mask)),
                        to,
                    },
                    LitmusInstr::Load { size, at, reg } => Step::Load {
                        at: word(at),
                        wide: size == Size::Eight,
                        reg,
                    },
                    LitmusInstr::Store { size, at, value: v } => Step::Store {
                        at: word(at),
                        wide: size == Size::Eight,
                        value: value(v),
                    },
                    LitmusInstr::Move { reg, value: v } => Step::Move {
                        reg,
                        value: value(v),
                    },
                    LitmusInstr::Alu {
                        op,
                        size,
                        reg,
                        value: v,
                    } => Step::Alu {
                        op,
                        reg,
                        value: value(v),
                        mask: mask & size.mask(),
                    },
                    LitmusInstr::Fence(Fence::Mfence | Fence::LockAddStack) => Step::Drain,
                    // Nothing x86-TSO does not already order.
                    LitmusInstr::Fence(Fence::Lfence | Fence::Sfence | Fence::Compiler) => {
                        continue;
                    }
                    LitmusInstr::SpinLock { at, reg } => Step::Rmw {
                        at: word(at),
                        wide: false,
                        op: Rmw::Lock(reg),
                        locked: true,
                    },
                    LitmusInstr::Rmw {
                        size,
                        at,
                        op,
                        locked,
                    } => Step::Rmw {
                        at: word(at),
                        wide: size == Size::Eight,
                        op: match op {
                            RmwOp::Add(v) => Rmw::Add(value(v)),
                            RmwOp::Xchg(r) => Rmw::Xchg(r),
                            RmwOp::Cmpxchg(r) => Rmw::Cmpxchg {
                                expected: 0,
                                new: r,
                            },
                            RmwOp::Xadd(r) => Rmw::Xadd(r),
                            RmwOp::AddTest {
                                value: v,
                                reg,
                                test,
                            } => Rmw::AddTest {
                                value: value(v),
                                reg,
                                test,
                            },
                        },
                        locked,
                    },
                };
                steps.push(instr(step, describe(p, t, i)));
            }
            for s in &mut steps {
                if let Step::Jump { to, .. } = &mut s.step {
                    *to = labels[*to as usize];
                }
            }
            steps
        })
        .collect();
    Program {
        title: p.name.clone(),
        thread_names: (0..p.threads.len()).map(|i| format!("P{i}")).collect(),
        word_names,
        init,
        init_regs: p.init_regs.clone(),
        threads,
        judge: Judge::Litmus {
            program: Box::new(p.clone()),
            loc_words,
        },
    }
}

/// An instruction as the model's listing and traces show it.
pub fn describe(p: &litmus::Program, thread: usize, i: &LitmusInstr) -> String {
    // An unnamed register (the C mapping's accumulator and scratch) is
    // `r<n>`, or `%r<n>` where a named one of the thread is called so.
    let reg = |r: u8| {
        let names = &p.reg_names[thread];
        names[r as usize].clone().unwrap_or_else(|| {
            let plain = format!("r{r}");
            if names.iter().flatten().any(|n| *n == plain) {
                format!("%{plain}")
            } else {
                plain
            }
        })
    };
    let at = |a: litmus::Address| {
        let name = &p.locations[a.loc as usize].name;
        let name = if a.offset == 0 {
            name.clone()
        } else {
            format!("{name}+{}", a.offset)
        };
        match a.index {
            Some(r) => format!("{name}[{}]", reg(r)),
            None => name,
        }
    };
    let value = |o: Operand| match o {
        Operand::Imm(v) => v.to_string(),
        Operand::Reg(r) => reg(r),
    };
    let wide = |s: Size| if s == Size::Eight { " (8 bytes)" } else { "" };
    match *i {
        LitmusInstr::Load {
            size,
            at: a,
            reg: r,
        } => format!("{}={}{}", reg(r), at(a), wide(size)),
        LitmusInstr::Store {
            size,
            at: a,
            value: v,
        } => {
            format!("{}={}{}", at(a), value(v), wide(size))
        }
        LitmusInstr::Move { reg: r, value: v } => format!("{}={}", reg(r), value(v)),
        LitmusInstr::Alu {
            op,
            reg: r,
            value: v,
            size,
        } => format!("{} {},{}{}", op.mnemonic(), reg(r), value(v), wide(size)),
        LitmusInstr::Jump { when: None, to } => format!("jmp L{to}"),
        LitmusInstr::Jump { when: Some(c), to } => {
            format!(
                "cmp {},{}; {} L{to}",
                reg(c.reg),
                value(c.value),
                c.jump.mnemonic()
            )
        }
        LitmusInstr::Label(n) => format!("L{n}:"),
        LitmusInstr::SpinLock { at: a, .. } => {
            format!(
                "spin_lock {}: lock cmpxchg 0 -> 1, retried until it takes",
                at(a)
            )
        }
        LitmusInstr::Fence(f) => match f {
            Fence::Compiler => "barrier()".into(),
            Fence::Lfence => "lfence".into(),
            Fence::Sfence => "sfence".into(),
            Fence::Mfence => "mfence".into(),
            Fence::LockAddStack => "lock addl $0,-4(%esp)".into(),
        },
        LitmusInstr::Rmw {
            size,
            at: a,
            op,
            locked,
        } => {
            let lock = if locked { "lock " } else { "" };
            match op {
                RmwOp::Add(v) => format!("{lock}{} += {}{}", at(a), value(v), wide(size)),
                RmwOp::Xchg(r) => format!("xchg {} <-> {}{}", at(a), reg(r), wide(size)),
                RmwOp::Cmpxchg(r) => format!(
                    "{lock}cmpxchg {}: {} if it holds {}{}",
                    at(a),
                    reg(r),
                    reg(0),
                    wide(size)
                ),
                RmwOp::Xadd(r) => format!(
                    "{lock}xadd {} += {}, {} takes the old value{}",
                    at(a),
                    reg(r),
                    reg(r),
                    wide(size)
                ),
                RmwOp::AddTest {
                    value: v,
                    reg: r,
                    test,
                } => format!(
                    "{lock}{} += {}; {} {}{}",
                    at(a),
                    value(v),
                    match test {
                        Test::Zero => "sete",
                        Test::Negative => "sets",
                    },
                    reg(r),
                    wide(size)
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::Expect;
    use crate::model::program::tests::{access, shape};

    /// MP whose reader loads `x` only when it read `y == 1`, and asks
    /// about `witness`.
    fn mp_ctrl(witness: &str) -> Expect {
        let text = format!(
            "X86 MP+ctrl\n{{ x=0; y=0; }}\n P0 | P1 ;\n MOV [x],$1 | MOV EAX,[y] ;\n \
             MOV [y],$1 | CMP EAX,$1 ;\n | JNE L0 ;\n | MOV EBX,[x] ;\n | L0: ;\nexists ({witness})\n"
        );
        let file = crate::catalog::file::from_text(&text).unwrap();
        crate::model::explore(&litmus_program(&file.program)).verdict()
    }

    #[test]
    fn a_jump_skips_its_instructions_and_orders_nothing() {
        // x86-TSO keeps the loads in order, branch or not.
        assert_eq!(mp_ctrl("1:EAX=1 /\\ 1:EBX=0"), Expect::Forbidden);
        assert_eq!(mp_ctrl("1:EAX=1 /\\ 1:EBX=1"), Expect::Allowed);
        // Read y=0: the load of x is jumped over, EBX keeps its 0.
        assert_eq!(mp_ctrl("1:EAX=0 /\\ 1:EBX=0"), Expect::Allowed);
        assert_eq!(mp_ctrl("1:EAX=0 /\\ 1:EBX=1"), Expect::Forbidden);
    }

    #[test]
    fn lb_with_a_branch_before_the_store_is_never() {
        let text = "X86 LB+ctrl\n{ x=0; y=0; }\n P0 | P1 ;\n MOV EAX,[x] | MOV EAX,[y] ;\n \
                    CMP EAX,$1 | MOV [x],$1 ;\n JE L0 | ;\n JMP L1 | ;\n L0: MOV [y],$1 | ;\n \
                    L1: | ;\nexists (0:EAX=1 /\\ 1:EAX=1)\n";
        let file = crate::catalog::file::from_text(text).unwrap();
        let shown: Vec<String> = file.program.threads[0]
            .iter()
            .map(|i| describe(&file.program, 0, i))
            .collect();
        assert_eq!(
            shown.join("; "),
            "EAX=x; cmp EAX,1; je L0; jmp L1; L0:; y=1; L1:"
        );
        let model = litmus_program(&file.program);
        assert_eq!(crate::model::explore(&model).verdict(), Expect::Forbidden);
        // Without its compare and jumps, LB is still Never (x86 never
        // reorders a load with a later store): the branch changes nothing.
        let mut straight = file.program.clone();
        straight.threads[0]
            .retain(|i| !matches!(i, LitmusInstr::Jump { .. } | LitmusInstr::Label(_)));
        let model = litmus_program(&straight);
        assert_eq!(crate::model::explore(&model).verdict(), Expect::Forbidden);
    }

    /// A C test's x86 code (`catalog::file::c::x86`) as a model program.
    fn c_model(text: &str) -> Program {
        let c = crate::catalog::file::c::from_text(text).expect("reads");
        litmus_program(&crate::catalog::file::c::x86::program(&c).expect("maps"))
    }

    /// Two critical sections of one lock, each reading `x` and then
    /// writing it (`locks`), or the same without the lock.
    fn exclusion(locks: bool) -> Program {
        let (lock, unlock) = if locks {
            ("spin_lock(s);", "spin_unlock(s);")
        } else {
            ("", "")
        };
        c_model(&format!(
            "C X\n{{}}\nP0(spinlock_t *s, int *x)\n{{\n\tint r0;\n\t{lock}\n\tr0 = READ_ONCE(*x);\n\t\
             WRITE_ONCE(*x, 1);\n\t{unlock}\n}}\nP1(spinlock_t *s, int *x)\n{{\n\tint r0;\n\t{lock}\n\t\
             r0 = READ_ONCE(*x);\n\tWRITE_ONCE(*x, 2);\n\t{unlock}\n}}\nexists (0:r0=0 /\\ 1:r0=0)\n"
        ))
    }

    #[test]
    fn a_spin_lock_excludes_and_orders_as_the_kernels_lock_cmpxchg() {
        // Without the lock each may read x before the other's write.
        let free = crate::model::explore(&exclusion(false));
        assert_eq!(free.verdict(), Expect::Allowed);
        let locked = crate::model::explore(&exclusion(true));
        assert_eq!(locked.verdict(), Expect::Forbidden);
        // Every final state has one critical section after the other, and
        // the lock released.
        assert!(!locked.finals.is_empty());
        assert!(locked.finals.iter().all(|f| f.detail.contains("s=0")));
        // MP through a lock: the reader's critical section after the
        // writer's sees its writes, and the one before it.
        let mp = c_model(
            "C MP+polocks\n{}\nP0(int *buf, int *flag, spinlock_t *l)\n{\n\tWRITE_ONCE(*buf, 1);\n\t\
             spin_lock(l);\n\tWRITE_ONCE(*flag, 1);\n\tspin_unlock(l);\n}\nP1(int *buf, int *flag, \
             spinlock_t *l)\n{\n\tint r0;\n\tint r1;\n\tspin_lock(l);\n\tr0 = READ_ONCE(*flag);\n\t\
             spin_unlock(l);\n\tr1 = READ_ONCE(*buf);\n}\nexists (1:r0=1 /\\ 1:r1=0)\n",
        );
        assert_eq!(crate::model::explore(&mp).verdict(), Expect::Forbidden);
        // The lock is a locked RMW: a store before it has drained when
        // the critical section reads (SB with a lock on one side: Never).
        let sb = c_model(
            "C SB+lock\n{}\nP0(spinlock_t *s, int *x, int *y)\n{\n\tint r0;\n\tWRITE_ONCE(*x, 1);\n\t\
             spin_lock(s);\n\tr0 = READ_ONCE(*y);\n\tspin_unlock(s);\n}\nP1(int *x, int *y)\n{\n\tint r0;\n\t\
             WRITE_ONCE(*y, 1);\n\tsmp_mb();\n\tr0 = READ_ONCE(*x);\n}\nexists (0:r0=0 /\\ 1:r0=0)\n",
        );
        assert_eq!(crate::model::explore(&sb).verdict(), Expect::Forbidden);
    }

    #[test]
    fn a_lock_never_released_has_no_final_state_on_that_path() {
        // Each takes the lock and keeps it: whichever comes second waits
        // forever, so no path ends.
        let both = c_model(
            "C Held\n{}\nP0(spinlock_t *s, int *x)\n{\n\tspin_lock(s);\n\tWRITE_ONCE(*x, 1);\n}\n\
             P1(spinlock_t *s, int *y)\n{\n\tspin_lock(s);\n\tWRITE_ONCE(*y, 1);\n}\nexists (x=1)\n",
        );
        let e = crate::model::explore(&both);
        assert!(e.finals.is_empty() && !e.truncated, "{:?}", e.finals);
        assert_eq!(e.verdict(), Expect::Forbidden);
        // A trylock beside a lock kept for ever: where the trylock takes
        // the lock, P0 waits forever and that path has no final state; the
        // only final is the trylock failing, r0 = 0.
        let tried = c_model(
            "C Tried\n{}\nP0(spinlock_t *s, int *x)\n{\n\tspin_lock(s);\n\tWRITE_ONCE(*x, 1);\n}\n\
             P1(spinlock_t *s, int *x)\n{\n\tint r0;\n\tr0 = spin_trylock(s);\n}\nexists (1:r0=1)\n",
        );
        let e = crate::model::explore(&tried);
        let labels: Vec<&str> = e.finals.iter().map(|f| f.label.as_str()).collect();
        assert_eq!(labels, ["1:r0=0;"]);
        assert_eq!(e.verdict(), Expect::Forbidden);
    }

    /// Every instruction a `.litmus` file may hold: the model's step is the
    /// access of the primitive the harness runs it as on this build.
    #[test]
    fn each_litmus_instructions_step_is_its_primitives_access() {
        let text = "X86_64 ALL\n{ uint64_t q; 0:rsi=q; 0:rbx=1; }\n P0 ;\n movl $1,(x) ;\n movl (x),%eax ;\n movq $1,(q) ;\n movq (q),%rax ;\n movl $2,4(%rsi) ;\n lock addl $1,(x) ;\n addl $1,(x) ;\n xchgl %ebx,(x) ;\n lock cmpxchgl %ebx,(x) ;\n cmpxchgl %ebx,(x) ;\n lock addq $1,(q) ;\n addq $1,(q) ;\n xchgq %rbx,(q) ;\n lock cmpxchgq %rbx,(q) ;\n cmpxchgq %rbx,(q) ;\n mfence ;\nexists (0:rax=0)\n";
        let mut file = crate::catalog::file::from_text(text).unwrap();
        // The C mapping's `lock xadd`, which no X86 file writes, both sizes.
        let loc = |name: &str| {
            let l = file.program.locations.iter().position(|l| l.name == name);
            litmus::Address {
                loc: l.unwrap() as u8,
                offset: 0,
                index: None,
            }
        };
        let xadds =
            [(Size::Four, loc("x")), (Size::Eight, loc("q"))].map(|(size, at)| LitmusInstr::Rmw {
                size,
                at,
                op: RmwOp::Xadd(3),
                locked: true,
            });
        file.program.threads[0].extend(xadds);
        // The C mapping's indexed load and store (register 2 holds 0) and
        // `lock add` then `sete`.
        let indexed = litmus::Address {
            index: Some(2),
            ..loc("x")
        };
        file.program.threads[0].extend([
            LitmusInstr::Load {
                size: Size::Four,
                at: indexed,
                reg: 1,
            },
            LitmusInstr::Store {
                size: Size::Four,
                at: indexed,
                value: Operand::Imm(1),
            },
            LitmusInstr::Rmw {
                size: Size::Four,
                at: loc("x"),
                op: RmwOp::AddTest {
                    value: Operand::Imm(1),
                    reg: 1,
                    test: Test::Zero,
                },
                locked: true,
            },
        ]);
        // The C mapping's `spin_lock()`.
        file.program.threads[0].push(LitmusInstr::SpinLock {
            at: loc("x"),
            reg: 3,
        });
        let model = litmus_program(&file.program);
        let cpu = pte_asm::cpu::Features::detect();
        let code = &file.program.threads[0];
        for instr in &code[code.len() - 3..] {
            let one = crate::catalog::program::Program {
                threads: vec![vec![*instr]],
                ..file.program.clone()
            };
            assert!(
                crate::harness::ops::compile(&one, &cpu).is_ok(),
                "{instr:?} runs on every build"
            );
        }
        for (instr, step) in file.program.threads[0].iter().zip(&model.threads[0]) {
            let Ok(ops) = crate::harness::ops::compile(
                &crate::catalog::program::Program {
                    threads: vec![vec![*instr]],
                    ..file.program.clone()
                },
                &cpu,
            ) else {
                continue; // not on this build (an 8-byte RMW on a 32-bit target)
            };
            let symbol = crate::harness::ops::shim_of(ops[0][0]);
            // The access kinds, whichever half: the harness hands a 4-byte
            // primitive the half's own address.
            let plain = |a: &'static str| a.trim_end_matches("+0").trim_end_matches("+4");
            let mut want: Vec<&str> = shape(symbol).into_iter().map(plain).collect();
            let got: Vec<&str> = access(step.step).map(plain).into_iter().collect();
            // A 32-bit target swaps 8 bytes with a `lock cmpxchg8b` loop
            // whose first two loads are only a guess at the old value.
            if symbol == "pte_asm_xchg64" {
                want.retain(|a| *a == "locked-rmw8");
            }
            // The spin lock's step is the `lock cmpxchg` that takes the
            // lock; its failed attempts rewrite what they read and the
            // spin's loads only wait (the model's module comment).
            if symbol == "pte_asm_spin_lock32" {
                assert_eq!(want, ["locked-rmw", "load", "locked-rmw"]);
                want.truncate(1);
            }
            assert_eq!(got, want, "{instr:?} as {symbol}");
        }
    }
}
