//! Litmus programs (the built-in classic tests and `.litmus` files) as
//! model programs, instruction for instruction.

use super::{Instr, Judge, Program, Rmw, Step, Value, Word};
use crate::catalog::program::{self as litmus, Fence, Instr as LitmusInstr, Operand, RmwOp, Size};

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
    let threads = p
        .threads
        .iter()
        .enumerate()
        .map(|(t, code)| {
            code.iter()
                .filter_map(|i| {
                    let step = match *i {
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
                        LitmusInstr::Fence(Fence::Mfence | Fence::LockAddStack) => Step::Drain,
                        // Nothing x86-TSO does not already order.
                        LitmusInstr::Fence(Fence::Lfence | Fence::Sfence | Fence::Compiler) => {
                            return None;
                        }
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
                            },
                            locked,
                        },
                    };
                    Some(instr(step, describe(p, t, i)))
                })
                .collect()
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
    let reg = |r: u8| {
        p.reg_names[thread][r as usize]
            .clone()
            .unwrap_or_else(|| format!("r{r}"))
    };
    let at = |a: litmus::Address| {
        let name = &p.locations[a.loc as usize].name;
        if a.offset == 0 {
            name.clone()
        } else {
            format!("{name}+{}", a.offset)
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
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::program::tests::{access, shape};

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
        let model = litmus_program(&file.program);
        let cpu = pte_asm::cpu::Features::detect();
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
            assert_eq!(got, want, "{instr:?} as {symbol}");
        }
    }
}
