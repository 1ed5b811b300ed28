//! Any 4-byte x86 program of the suite as a herdtools7 `X86` file
//! (`litmus export --herd DIR FILE.litmus`): above all a C litmus test as
//! the x86 code the kernel compiles it to ([`crate::catalog::file::c::x86`]),
//! so that herd7 (`x86tso.cat`) can judge the mapped code and litmus7 can
//! run it, beside the suite's own run of the same instructions.
//!
//! - Registers are renamed to herd's: register 0 stays `EAX` (`lock
//!   cmpxchg`'s accumulator), the others take `EBX`, `ECX`, `EDX`, `ESI`,
//!   `EDI` in order of their number; the file's header comment says which
//!   register of the test each one is (`0:r0` is `0:EBX`).
//! - `smp_mb()`'s `lock addl $0,-4(%esp)` becomes `LOCK ADD [s0],$0` on a
//!   location only that thread touches, as the classic tests are written
//!   (herd has no stack; a locked RMW on a private line orders the same).
//! - `barrier()` has no instruction and is left out.
//! - A program with a `lock cmpxchg` is written in `X86_64` instead
//!   (herd7 7.58's `X86` reads `CMPXCHG` but does not implement it; its
//!   `X86_64` does): AT&T syntax, `uint32_t` locations, `movl`, `lock
//!   cmpxchgl (x),%ecx` in herd's operand order, registers `%ebx` in the
//!   code and `0:rbx` in the condition.
//! - A jump is herd's `CMP EBX,$1` then `JNE LC00` (or `JMP LC01`), a
//!   label `LC00:` a line of its own (`LC`, the thread, the number).
//! - Register arithmetic, an ordered jump, an access with an index
//!   register or a `lock add` whose flag is a value take `X86_64` too
//!   (herd7's `X86` has no `AND`, no ordered jump and no index): `andl
//!   $8,%ebx` (herd reads `and`, and `orl`, `xorl`, `addl`; a `sub` of a
//!   constant is the `addl` of its negation), `cmpl $0,%ebx` then `jle`,
//!   `jge` or `jgt` (herd's spelling of `jg`; litmus7 prints it back as
//!   `jg`), `movl (%r14,%ebx,1),%ecx` with `0:r14=y` in the initial state
//!   (`%r14`, `%r13`, ... a base register per indexed location of the
//!   thread), and `atomic_dec_and_test()`'s `lock addl` then `sete` as
//!   `lock addl $-1,(x)`, a `jne` on its flags over `movl $1,%ebx`, `jmp`
//!   over `movl $0,%ebx` (`atomic_add_negative()`'s `sets`: `jge`); herd7
//!   has no `SETE` or `SETS`. Such a program is written only if no
//!   register or location of it can hold a negative 32-bit value
//!   ([`values::negative`]): herd7 7.58's `X86_64` zero-extends a 32-bit
//!   load but sign-extends an immediate (`cmpl $-1` of a loaded -1 does not
//!   take `je`, `cmpl $0` of it takes `jgt`), where the hardware compares
//!   32 bits.
//! - `spin_lock()` is its loop: `LK05:`, `movl $0,%eax`, `movl $1,%ecx`,
//!   `lock cmpxchgl (s),%ecx`, `jne LK05` (`LK`, the thread, the
//!   instruction's index; in `X86_64`, as it holds a `lock cmpxchg`),
//!   which litmus7 runs as it is and herd7 reads and unrolls. Judge it
//!   with `herd7 -unroll 0`: the executions in which each lock is taken at
//!   its first attempt, which reach every final state (a failed attempt
//!   reads the lock held and writes nothing, in herd7, so leaving it out
//!   of an execution changes no outcome), as the suite's model has it; an
//!   execution in which a lock is never taken is none. herd7's default
//!   (two rounds) reaches the same states, in seconds to minutes where
//!   `-unroll 0` takes a fraction of a second (and `-variant mixed`,
//!   byte-wise coherence of the lock word's writes, minutes more: every
//!   access here is 4 bytes, so it is not needed).
//! - Not written, with the reason: `lock xadd` (herd7's `X86` has no
//!   `XADD`: the kernel's `atomic_fetch_add()`, `atomic_add_return()`), a
//!   `sub` of a register (herd7's `X86_64` has no `SUB`), a `jl` (herd7
//!   7.58's `X86_64` jumps on `ZF | ~SF` for it, less or equal; the C
//!   mapping writes `r < k` as `r <= k-1`), an 8-byte access or register,
//!   an access at an offset, more than six registers in a thread.

use super::{Litmus, X86_REGS, columns};
use crate::catalog::Case;
use crate::catalog::file::FileTest;
use crate::catalog::program::{
    Address, AluOp, Fence, Instr, Jcc, MAX_REGISTERS, Observable, Operand, Program, Prop, RmwOp,
    Size, Test, values,
};
use crate::model;

/// herd's names for the registers other than `EAX`, in the order they are
/// handed out.
const OTHERS: [&str; 5] = ["EBX", "ECX", "EDX", "ESI", "EDI"];

/// herd's dialects a program is written in: `X86` (Intel syntax, what
/// litmus7 runs on a 32-bit build) unless the program has a `lock
/// cmpxchg`, which herd7 implements only in `X86_64` (AT&T syntax, 4-byte
/// `uint32_t` locations and `movl`/`cmpxchgl`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialect {
    X86,
    X86_64,
}

impl Dialect {
    fn of(p: &Program) -> Dialect {
        let cmpxchg = p.threads.iter().flatten().any(|i| {
            matches!(
                i,
                Instr::Rmw {
                    op: RmwOp::Cmpxchg(_),
                    ..
                } | Instr::SpinLock { .. }
            )
        });
        if cmpxchg || needs_x86_64(p) {
            Dialect::X86_64
        } else {
            Dialect::X86
        }
    }

    fn name(self) -> &'static str {
        match self {
            Dialect::X86 => "X86",
            Dialect::X86_64 => "X86_64",
        }
    }

    /// A register as an operand (`EBX`, `%ebx`).
    fn operand(self, name: &str) -> String {
        match self {
            Dialect::X86 => name.to_string(),
            Dialect::X86_64 => format!("%{}", name.to_ascii_lowercase()),
        }
    }

    /// A register in the condition and the initial state (`EBX`, `rbx`).
    fn observed(self, name: &str) -> String {
        match self {
            Dialect::X86 => name.to_string(),
            Dialect::X86_64 => format!("r{}", &name.to_ascii_lowercase()[1..]),
        }
    }
}

/// Whether the program has what only herd7's `X86_64` writes: register
/// arithmetic, an ordered jump, an index register, a flag made a value.
fn needs_x86_64(p: &Program) -> bool {
    p.threads.iter().flatten().any(|i| match i {
        Instr::Alu { .. } => true,
        Instr::Jump { when: Some(c), .. } => !matches!(c.jump, Jcc::Equal | Jcc::NotEqual),
        Instr::Load { at, .. } | Instr::Store { at, .. } => at.index.is_some(),
        Instr::Rmw { at, op, .. } => at.index.is_some() || matches!(op, RmwOp::AddTest { .. }),
        _ => false,
    })
}

/// herd7's `X86_64` base registers of the indexed accesses, per thread:
/// `%r14`, `%r13`, ... each holding one location's address.
const BASES: [&str; 6] = ["r14", "r13", "r12", "r11", "r10", "r9"];

/// Per thread, the locations its indexed accesses go to, in order of first
/// use (the base register of the `k`-th is `BASES[k]`).
fn indexed_locations(p: &Program) -> Vec<Vec<u8>> {
    p.threads
        .iter()
        .map(|code| {
            let mut locs: Vec<u8> = Vec::new();
            for i in code {
                if let Instr::Load { at, .. } | Instr::Store { at, .. } | Instr::Rmw { at, .. } = i
                    && at.index.is_some()
                    && !locs.contains(&at.loc)
                {
                    locs.push(at.loc);
                }
            }
            locs
        })
        .collect()
}

/// The test `f` as an `X86` file (`X86_64` where it has a `lock
/// cmpxchg`, or what only `X86_64` writes), or why it cannot be one.
pub fn x86(f: &'static FileTest) -> Result<Litmus, String> {
    let p = &f.program;
    let refuse = |why: String| format!("{} ({}): {why}", p.name, f.source.display());
    let dialect = Dialect::of(p);
    let names = registers(p).map_err(refuse)?;
    let stack = stack_names(p);
    if needs_x86_64(p)
        && let Some((what, may)) = values::negative(p)
    {
        return Err(refuse(format!(
            "'{what}' may hold {may}, negative as a 32-bit value: herd7 7.58's X86_64 zero-extends a 32-bit load but sign-extends an immediate, so its compares and flags of such a value are not the hardware's"
        )));
    }
    let bases = indexed_locations(p);
    if let Some(t) = bases.iter().position(|b| b.len() > BASES.len()) {
        return Err(refuse(format!(
            "thread {t} indexes more than {} locations",
            BASES.len()
        )));
    }
    let mut threads = Vec::new();
    for (t, code) in p.threads.iter().enumerate() {
        let mut lines = Vec::new();
        // The `k`-th flag made a value: labels `LT{t}{k}`, `LU{t}{k}`.
        let mut tests = 0;
        for (i, ins) in code.iter().enumerate() {
            if let Some(jump) = jump_lines(dialect, &names[t], t, ins).map_err(refuse)? {
                lines.extend(jump);
            } else if let Instr::Rmw {
                op: RmwOp::AddTest { value, reg, test },
                at,
                locked,
                ..
            } = *ins
            {
                let add = Instr::Rmw {
                    size: Size::Four,
                    at,
                    op: RmwOp::Add(value),
                    locked,
                };
                let at_base = Base {
                    locs: &bases[t],
                    thread: t,
                };
                lines.extend(
                    instruction(p, dialect, &names[t], &stack[t], &at_base, &add)
                        .map_err(refuse)?,
                );
                let reg = dialect.operand(names[t][reg as usize]);
                // Jump over `1` when the flag is clear.
                let skip = match test {
                    Test::Zero => "jne",
                    Test::Negative => "jge",
                };
                let (clear, end) = (format!("LT{t}{tests}"), format!("LU{t}{tests}"));
                tests += 1;
                lines.extend([
                    format!("{skip} {clear}"),
                    format!("movl $1,{reg}"),
                    format!("jmp {end}"),
                    format!("{clear}:"),
                    format!("movl $0,{reg}"),
                    format!("{end}:"),
                ]);
            } else if let Instr::SpinLock { at, reg } = *ins {
                let label = format!("LK{t}{i}");
                let lock = p.locations[at.loc as usize].name.clone();
                let one = dialect.operand(names[t][reg as usize]);
                lines.extend([
                    format!("{label}:"),
                    "movl $0,%eax".into(),
                    format!("movl $1,{one}"),
                    format!("lock cmpxchgl ({lock}),{one}"),
                    format!("jne {label}"),
                ]);
            } else if let Some(line) = instruction(
                p,
                dialect,
                &names[t],
                &stack[t],
                &Base {
                    locs: &bases[t],
                    thread: t,
                },
                ins,
            )
            .map_err(refuse)?
            {
                lines.push(line);
            }
        }
        threads.push(lines);
    }
    let observable = |o: Observable| match o {
        Observable::Reg { thread, reg } => {
            format!(
                "{thread}:{}",
                dialect.observed(names[thread as usize][reg as usize])
            )
        }
        Observable::Loc(l) => p.locations[l as usize].name.clone(),
    };
    let typed = |name: &str, v: u64| match dialect {
        Dialect::X86 => format!("{name}={v}"),
        Dialect::X86_64 => format!("uint32_t {name}={v}"),
    };
    let mut init: Vec<String> = p.locations.iter().map(|l| typed(&l.name, l.init)).collect();
    init.extend(stack.iter().flatten().map(|s| typed(s, 0)));
    for (t, locs) in bases.iter().enumerate() {
        for (k, l) in locs.iter().enumerate() {
            init.push(format!(
                "{t}:{}={}",
                BASES[k], p.locations[*l as usize].name
            ));
        }
    }
    for (t, regs) in p.init_regs.iter().enumerate() {
        for (r, v) in regs.iter().enumerate() {
            if *v != 0 {
                init.push(format!("{t}:{}={v}", dialect.observed(names[t][r])));
            }
        }
    }
    let mut mentioned = Vec::new();
    p.condition.prop.observables(&mut mentioned);
    let extra: Vec<String> = p
        .observed
        .iter()
        .filter(|o| !mentioned.contains(o))
        .map(|o| format!("{};", observable(*o)))
        .collect();
    let locations = if extra.is_empty() {
        String::new()
    } else {
        format!("locations [{}]\n", extra.join(" "))
    };
    let renamed: Vec<String> = (0..p.threads.len())
        .flat_map(|t| {
            let names = &names[t];
            (0..MAX_REGISTERS).filter_map(move |r| {
                let own = p.reg_names[t][r].as_ref()?;
                let theirs = dialect.observed(names[r]);
                (*own != theirs).then(|| format!("{t}:{own} is {t}:{theirs}"))
            })
        })
        .collect();
    let (origin, renamed) = match f.c {
        Some(_) => (
            format!(
                "the x86 code the kernel compiles the C test {} to (docs/lkmm-x86.md)",
                f.source.display()
            ),
            renamed,
        ),
        None => (format!("{}", f.source.display()), renamed),
    };
    let verdict = model::verdict(Case::File(f));
    let mut header = format!(
        "{} {}\n\"{}\"\n(*\n * Result: {}\n *\n * Written by pte-litmus `litmus export --herd` from {origin}; the Result: is its x86-TSO model's (of the witness: for `forall`, a counterexample).\n",
        dialect.name(),
        p.name,
        f.doc.as_deref().unwrap_or(&p.name).replace('"', "'"),
        verdict.result_line(),
    );
    if f.c.is_some() {
        header.push_str(
            " * smp_mb()'s lock addl $0,-4(%esp) is LOCK ADD on a location of its thread's own.\n",
        );
    }
    if p.threads
        .iter()
        .any(|code| crate::catalog::program::spins(code))
    {
        header.push_str(
            " * spin_lock() is its lock cmpxchg loop (LK labels): judge with herd7 -unroll 0, each lock taken at its first attempt, which reaches every final state.\n",
        );
    }
    if !renamed.is_empty() {
        header.push_str(&format!(" * Registers: {}.\n", renamed.join(", ")));
    }
    header.push_str(" *)\n");
    Ok(Litmus {
        name: p.name.clone(),
        text: format!(
            "{header}{{ {}; }}\n\n{}{locations}{} ({})\n",
            init.join("; "),
            columns(&threads),
            p.condition.quantifier.keyword(),
            prop(&p.condition.prop, &observable),
        ),
    })
}

/// Per thread, herd's name of each register the thread uses.
fn registers(p: &Program) -> Result<Vec<[&'static str; MAX_REGISTERS]>, String> {
    if p.register_size != Size::Four || p.locations.iter().any(|l| l.size != Size::Four) {
        return Err("8-byte registers or locations: herd's X86 is 32-bit".into());
    }
    let mut all = Vec::new();
    for t in 0..p.threads.len() {
        let used = p.registers_used(t);
        let mut names = ["?"; MAX_REGISTERS];
        names[0] = X86_REGS[0];
        let mut free = OTHERS.iter();
        for r in 1..MAX_REGISTERS {
            if used[r] {
                names[r] = free.next().ok_or_else(|| {
                    format!(
                        "thread {t} uses more than {} registers: herd's X86 names six",
                        OTHERS.len() + 1
                    )
                })?;
            }
        }
        all.push(names);
    }
    Ok(all)
}

/// Per thread, the location its `lock addl $0,-4(%esp)` is written on, if
/// it has one: `s0`, `s1`, ... (primed until no location of the test has
/// the name).
fn stack_names(p: &Program) -> Vec<Option<String>> {
    (0..p.threads.len())
        .map(|t| {
            p.threads[t]
                .contains(&Instr::Fence(Fence::LockAddStack))
                .then(|| {
                    let mut name = format!("s{t}");
                    while p.locations.iter().any(|l| l.name == name) {
                        name.push('_');
                    }
                    name
                })
        })
        .collect()
}

/// A jump or a label in herd's syntax (`CMP EBX,$1` and `JNE LC00`,
/// `JMP LC01`, `LC00:`; AT&T `cmpl $1,%ebx`), or `None` for any other
/// instruction. Labels are `LC` with the thread and the label's number.
fn jump_lines(
    dialect: Dialect,
    names: &[&str; MAX_REGISTERS],
    thread: usize,
    ins: &Instr,
) -> Result<Option<Vec<String>>, String> {
    let intel = dialect == Dialect::X86;
    let label = |n: u8| format!("LC{thread}{n}");
    let word = |w: &str| {
        if intel {
            w.to_ascii_uppercase()
        } else {
            w.to_string()
        }
    };
    Ok(Some(match *ins {
        Instr::Label(n) => vec![format!("{}:", label(n))],
        Instr::Jump { when: None, to } => vec![format!("{} {}", word("jmp"), label(to))],
        Instr::Jump { when: Some(c), to } => {
            let reg = dialect.operand(names[c.reg as usize]);
            let value = match c.value {
                Operand::Reg(r) => dialect.operand(names[r as usize]),
                Operand::Imm(v) => format!("${}", v as u32 as i32),
            };
            let compare = if intel {
                format!("CMP {reg},{value}")
            } else {
                format!("cmpl {value},{reg}")
            };
            let jump = match c.jump {
                Jcc::Equal => "je",
                Jcc::NotEqual => "jne",
                Jcc::LessEqual => "jle",
                Jcc::GreaterEqual => "jge",
                // herd7's X86_64 lexer reads `jgt`, and prints it `jg`.
                Jcc::Greater => "jgt",
                Jcc::Less => {
                    return Err(
                        "a jl: herd7 7.58's X86_64 jumps on ZF | ~SF for it (less or equal)".into(),
                    );
                }
            };
            vec![compare, format!("{} {}", word(jump), label(to))]
        }
        _ => return Ok(None),
    }))
}

/// The base registers of a thread's indexed accesses.
struct Base<'b> {
    locs: &'b [u8],
    thread: usize,
}

/// One instruction in herd's syntax of `dialect` (`None`: no instruction).
fn instruction(
    p: &Program,
    dialect: Dialect,
    names: &[&str; MAX_REGISTERS],
    stack: &Option<String>,
    base: &Base,
    ins: &Instr,
) -> Result<Option<String>, String> {
    let intel = dialect == Dialect::X86;
    let at = |a: Address| {
        let name = &p.locations[a.loc as usize].name;
        match (a.offset, a.index, intel) {
            (0, None, true) => Ok(format!("[{name}]")),
            (0, None, false) => Ok(format!("({name})")),
            (0, Some(r), false) => {
                let k = base
                    .locs
                    .iter()
                    .position(|l| *l == a.loc)
                    .unwrap_or_else(|| {
                        unreachable!("P{}'s indexed locations hold {name}", base.thread)
                    });
                Ok(format!(
                    "(%{},%{},1)",
                    BASES[k],
                    dialect.observed(names[r as usize])
                ))
            }
            _ => Err(format!(
                "an access at offset {}: herd's X86 names whole locations",
                a.offset
            )),
        }
    };
    let reg = |r: u8| dialect.operand(names[r as usize]);
    let value = |o: Operand| match o {
        Operand::Reg(r) => reg(r),
        Operand::Imm(v) => format!("${}", v as u32 as i32),
    };
    // Intel puts the destination first, AT&T last.
    let two = |mnemonic: &str, dst: String, src: String| {
        if intel {
            // `movl` is `MOV` in herd's Intel syntax (the size is the
            // registers').
            let bare = mnemonic.strip_suffix('l').unwrap_or(mnemonic);
            format!("{} {dst},{src}", bare.to_ascii_uppercase())
        } else {
            format!("{mnemonic} {src},{dst}")
        }
    };
    let lock = |locked: bool| match (locked, intel) {
        (false, _) => "",
        (true, true) => "LOCK ",
        (true, false) => "lock ",
    };
    let fence = |name: &str| {
        if intel {
            name.to_ascii_uppercase()
        } else {
            name.to_string()
        }
    };
    Ok(Some(match *ins {
        Instr::Load { at: a, reg: r, .. } => two("movl", reg(r), at(a)?),
        Instr::Store {
            at: a, value: v, ..
        } => two("movl", at(a)?, value(v)),
        Instr::Move { reg: r, value: v } => two("movl", reg(r), value(v)),
        Instr::Alu {
            op,
            reg: r,
            value: v,
            size: Size::Four,
        } => match (op, v) {
            (AluOp::Sub, Operand::Imm(k)) => two(
                "addl",
                reg(r),
                value(Operand::Imm((k as u32).wrapping_neg() as u64)),
            ),
            (AluOp::Sub, Operand::Reg(_)) => {
                return Err("a sub of a register: herd7's X86_64 has no SUB".into());
            }
            // herd7's lexer has `and`, not `andl` (the size is the
            // register's).
            (AluOp::And, _) => two("and", reg(r), value(v)),
            (op, _) => two(&format!("{}l", op.mnemonic()), reg(r), value(v)),
        },
        Instr::Alu { .. } => return Err("8-byte register arithmetic: herd's X86 is 32-bit".into()),
        Instr::Fence(Fence::Compiler) => return Ok(None),
        Instr::Jump { .. } | Instr::Label(_) | Instr::SpinLock { .. } => {
            unreachable!("x86() writes these")
        }
        Instr::Fence(Fence::Mfence) => fence("mfence"),
        Instr::Fence(Fence::Lfence) => fence("lfence"),
        Instr::Fence(Fence::Sfence) => fence("sfence"),
        Instr::Fence(Fence::LockAddStack) => {
            let slot = stack.as_deref().unwrap_or("s");
            let slot = if intel {
                format!("[{slot}]")
            } else {
                format!("({slot})")
            };
            format!("{}{}", lock(true), two("addl", slot, "$0".into()))
        }
        Instr::Rmw {
            at: a, op, locked, ..
        } => match op {
            RmwOp::Add(v) => format!("{}{}", lock(locked), two("addl", at(a)?, value(v))),
            RmwOp::Xchg(r) => two("xchgl", at(a)?, reg(r)),
            // herd7 implements CMPXCHG in X86_64 only, and reads its
            // memory operand first there.
            RmwOp::Cmpxchg(r) => format!("{}cmpxchgl {},{}", lock(locked), at(a)?, reg(r)),
            RmwOp::Xadd(_) => {
                return Err(
                    "lock xadd (the kernel's atomic_fetch_add(), atomic_add_return()): herd7's X86 has no XADD".into(),
                );
            }
            RmwOp::AddTest { .. } => unreachable!("x86() writes a flag made a value"),
        },
    }))
}

/// A proposition in herd's syntax.
fn prop(p: &Prop, name: &impl Fn(Observable) -> String) -> String {
    match p {
        Prop::True => "true".into(),
        Prop::Is(o, v) => format!("{}={v}", name(*o)),
        Prop::Not(q) => format!("~({})", prop(q, name)),
        Prop::And(ps) if ps.is_empty() => "true".into(),
        Prop::Or(ps) if ps.is_empty() => "false".into(),
        Prop::And(ps) => join(ps, " /\\ ", name),
        Prop::Or(ps) => join(ps, " \\/ ", name),
    }
}

fn join(ps: &[Prop], op: &str, name: &impl Fn(Observable) -> String) -> String {
    let parts: Vec<String> = ps
        .iter()
        .map(|q| match q {
            Prop::And(_) | Prop::Or(_) => format!("({})", prop(q, name)),
            _ => prop(q, name),
        })
        .collect();
    parts.join(op)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::file::{self, c};

    fn mapped(text: &str) -> &'static FileTest {
        let ctest: &'static c::CTest = Box::leak(Box::new(c::CTest {
            program: c::from_text(text).expect("reads"),
            source: "t.litmus".into(),
            hash: text.len().to_string(),
            text: text.into(),
        }));
        Box::leak(Box::new(file::from_c(ctest).expect("maps")))
    }

    const SB_MB: &str = "C SB+mbs\n{}\nP0(int *x, int *y)\n{\n\tint r0;\n\tWRITE_ONCE(*x, 1);\n\tsmp_mb();\n\tr0 = READ_ONCE(*y);\n}\nP1(int *x, int *y)\n{\n\tint r0;\n\tWRITE_ONCE(*y, 1);\n\tsmp_mb();\n\tr0 = READ_ONCE(*x);\n}\nexists (0:r0=0 /\\ 1:r0=0)\n";

    #[test]
    fn a_c_test_is_written_as_the_kernels_x86_code() {
        let f = x86(mapped(SB_MB)).unwrap();
        assert!(f.text.starts_with("X86 SB+mbs\n"), "{}", f.text);
        assert!(f.text.contains("{ x=0; y=0; s0=0; s1=0; }"), "{}", f.text);
        assert!(f.text.contains("LOCK ADD [s0],$0"), "{}", f.text);
        assert!(f.text.contains("MOV EBX,[y]"), "{}", f.text);
        assert!(f.text.contains("Registers: 0:r0 is 0:EBX"), "{}", f.text);
        assert!(
            f.text.ends_with("exists (0:EBX=0 /\\ 1:EBX=0)\n"),
            "{}",
            f.text
        );
        assert!(f.text.contains("Result: Never"), "{}", f.text);
    }

    #[test]
    fn the_written_file_reads_back_with_the_same_x86_tso_verdict() {
        let f = x86(mapped(SB_MB)).unwrap();
        let back = file::from_text(&f.text).expect("the X86 reader takes it");
        let back: &'static FileTest = Box::leak(Box::new(FileTest {
            hash: "read-back".into(),
            ..back
        }));
        assert_eq!(back.program.threads.len(), 2);
        assert_eq!(
            model::verdict(Case::File(back)),
            judge_of(&f.text),
            "{}",
            f.text
        );
    }

    fn judge_of(text: &str) -> crate::judge::Expect {
        if text.contains("Result: Never") {
            crate::judge::Expect::Forbidden
        } else {
            crate::judge::Expect::Allowed
        }
    }

    /// LB with an if-else on P0's read: P0 stores y only when it read 1.
    const LB_IF: &str = "C LB+if\n{}\nP0(int *x, int *y)\n{\n\tint r0;\n\tr0 = READ_ONCE(*x);\n\tif (r0 == 1)\n\t\tWRITE_ONCE(*y, 1);\n\telse\n\t\tWRITE_ONCE(*y, 2);\n}\nP1(int *x, int *y)\n{\n\tint r0;\n\tr0 = READ_ONCE(*y);\n\tWRITE_ONCE(*x, 1);\n}\nexists (0:r0=1 /\\ 1:r0=1)\n";

    #[test]
    fn a_branch_is_written_as_cmp_jne_and_labels_and_reads_back() {
        let f = x86(mapped(LB_IF)).unwrap();
        for line in ["CMP EBX,$1", "JNE LC00", "JMP LC01", "LC00:", "LC01:"] {
            assert!(f.text.contains(line), "{line}: {}", f.text);
        }
        assert!(f.text.contains("Result: Never"), "{}", f.text);
        let back = file::from_text(&f.text).expect("the X86 reader takes it");
        assert_eq!(
            back.program.threads[0].len(),
            7,
            "{:?}",
            back.program.threads[0]
        );
        let back: &'static FileTest = Box::leak(Box::new(FileTest {
            hash: "read-back-branch".into(),
            ..back
        }));
        assert_eq!(model::verdict(Case::File(back)), judge_of(&f.text));
    }

    #[test]
    fn a_branch_beside_a_cmpxchg_is_written_in_att_syntax() {
        let text = LB_IF.replace("\tr0 = READ_ONCE(*y);", "\tr0 = cmpxchg(y, 1, 3);");
        let f = x86(mapped(&text)).unwrap();
        for line in ["cmpl $1,%ebx", "jne LC00", "jmp LC01", "LC00:"] {
            assert!(f.text.contains(line), "{line}: {}", f.text);
        }
        let back = file::from_text(&f.text).expect("the X86_64 reader takes it");
        let back: &'static FileTest = Box::leak(Box::new(FileTest {
            hash: "read-back-branch-64".into(),
            ..back
        }));
        assert_eq!(model::verdict(Case::File(back)), judge_of(&f.text));
    }

    #[test]
    fn a_cmpxchg_is_written_in_x86_64_and_reads_back() {
        let text = "C C\n{}\nP0(int *x, int *y)\n{\n\tint r0;\n\tint r1;\n\tWRITE_ONCE(*y, 1);\n\tr0 = cmpxchg(x, 0, 1);\n\tr1 = READ_ONCE(*y);\n}\nP1(int *x, int *y)\n{\n\tint r0;\n\tWRITE_ONCE(*x, 2);\n\tr0 = READ_ONCE(*y);\n}\nexists (0:r0=2 /\\ 1:r0=0)\n";
        let text = round_trip(text, "read-back-64");
        assert!(text.starts_with("X86_64 C\n"), "{text}");
        assert!(text.contains("uint32_t x=0"), "{text}");
        assert!(text.contains("lock cmpxchgl (x),%"), "{text}");
    }

    /// `text` exported, read back by the suite, and both judged alike.
    fn round_trip(text: &str, hash: &'static str) -> String {
        let f = x86(mapped(text)).unwrap();
        let back = file::from_text(&f.text).expect("the X86_64 reader takes it");
        let back: &'static FileTest = Box::leak(Box::new(FileTest {
            hash: hash.into(),
            ..back
        }));
        assert_eq!(
            model::verdict(Case::File(back)),
            judge_of(&f.text),
            "{}",
            f.text
        );
        f.text
    }

    /// MP whose reader's second load has an address dependency through
    /// register arithmetic, and an ordered compare.
    const MP_ADDR: &str = "C MP+addr\n{}\nP0(int *x, int *y)\n{\n\tWRITE_ONCE(*x, 1);\n\tsmp_wmb();\n\tWRITE_ONCE(*y, 1);\n}\nP1(int *x, int *y)\n{\n\tint r0;\n\tint r1;\n\tint r2;\n\tr0 = READ_ONCE(*y);\n\tr1 = READ_ONCE(*(x + (r0 & 8)));\n\tif (r0 > 0)\n\t\tr2 = (r1 | 2) - 1;\n}\nexists (1:r0=1 /\\ 1:r1=0)\n";

    #[test]
    fn arithmetic_an_index_and_an_ordered_jump_are_written_in_x86_64_and_read_back() {
        let text = round_trip(MP_ADDR, "read-back-arith");
        assert!(text.starts_with("X86_64 MP+addr\n"), "{text}");
        for line in [
            "1:r14=x",
            "and $8,%eax",
            "movl (%r14,%rax,1),%ecx",
            "cmpl $0,%ebx",
            "jle LC10",
            "orl $2,%edx",
            "addl $-1,%edx",
        ] {
            assert!(text.contains(line), "{line}: {text}");
        }
        assert!(text.contains("Result: Never"), "{text}");
    }

    #[test]
    fn a_flag_made_a_value_is_a_jump_on_the_locked_adds_flags_and_reads_back() {
        let sb = "C SB+dats\n{\n\tx = 1;\n\ty = 1;\n}\nP0(atomic_t *x, atomic_t *y)\n{\n\tint r0;\n\tint r1;\n\tr0 = atomic_dec_and_test(x);\n\tr1 = atomic_read(y);\n}\nP1(atomic_t *x, atomic_t *y)\n{\n\tint r0;\n\tint r1;\n\tr0 = atomic_dec_and_test(y);\n\tr1 = atomic_read(x);\n}\nexists (0:r1=1 /\\ 1:r1=1)\n";
        let text = round_trip(sb, "read-back-flag");
        for line in ["lock addl $-1,(x)", "jne LT00", "movl $1,%ebx", "LU00:"] {
            assert!(text.contains(line), "{line}: {text}");
        }
        // The reader makes the add and its flag one instruction again.
        let back = file::from_text(&text).unwrap();
        assert!(back.program.threads[0].iter().any(|i| matches!(
            i,
            Instr::Rmw {
                op: RmwOp::AddTest {
                    test: Test::Zero,
                    ..
                },
                ..
            }
        )));
    }

    #[test]
    fn what_herd7_gets_wrong_or_lacks_is_refused_with_its_reason() {
        // A counter that goes negative: herd7 compares a loaded -1 as
        // 4294967295.
        let negative = "C N\n{\n\tx = 1;\n}\nP0(atomic_t *x)\n{\n\tint r0;\n\tr0 = atomic_add_negative(-2, x);\n}\nexists (0:r0=1)\n";
        let why = x86(mapped(negative)).err().expect("refused");
        assert!(why.contains("'x' may hold {1, 4294967295}"), "{why}");
        // A `sub` of a register: herd7 has no SUB.
        let sub = "C S\n{}\nP0(int *x)\n{\n\tint r0;\n\tint r1;\n\tr0 = READ_ONCE(*x);\n\tr1 = 5;\n\tr1 = r1 - r0;\n}\nexists (0:r1=5)\n";
        let why = x86(mapped(sub)).err().expect("refused");
        assert!(why.contains("herd7's X86_64 has no SUB"), "{why}");
        let ret = "C R\n{}\nP0(atomic_t *x)\n{\n\tint r0;\n\tr0 = atomic_add_return(1, x);\n}\nexists (0:r0=1)\n";
        let why = x86(mapped(ret)).err().expect("refused");
        assert!(why.contains("no XADD"), "{why}");
    }

    #[test]
    fn a_spin_lock_is_written_as_its_lock_cmpxchg_loop_and_an_unlock_as_a_store() {
        let text = "C L\n{}\nP0(spinlock_t *s, int *x)\n{\n\tspin_lock(s);\n\tWRITE_ONCE(*x, 1);\n\tspin_unlock(s);\n}\nP1(spinlock_t *s, int *x)\n{\n\tint r0;\n\tspin_lock(s);\n\tr0 = READ_ONCE(*x);\n\tspin_unlock(s);\n}\nexists (1:r0=1)\n";
        let f = x86(mapped(text)).unwrap();
        assert!(f.text.starts_with("X86_64 L\n"), "{}", f.text);
        assert!(f.text.contains("herd7 -unroll 0"), "{}", f.text);
        let p0: Vec<&str> = f
            .text
            .lines()
            .filter(|l| l.contains('|'))
            .skip(1)
            .map(|l| l.split('|').next().unwrap().trim())
            .collect();
        assert_eq!(
            p0,
            [
                "LK00:",
                "movl $0,%eax",
                "movl $1,%ebx",
                "lock cmpxchgl (s),%ebx",
                "jne LK00",
                "movl $1,(x)",
                "movl $0,(s)"
            ],
            "{}",
            f.text
        );
        assert!(f.text.contains("Result: Sometimes"), "{}", f.text);
    }

    #[test]
    fn fetch_add_is_refused_with_its_reason() {
        let text = "C F\n{}\nP0(atomic_t *x)\n{\n\tint r0;\n\tr0 = atomic_fetch_add(1, x);\n}\nexists (0:r0=1)\n";
        let why = x86(mapped(text)).err().expect("refused");
        assert!(why.contains("no XADD"), "{why}");
    }
}
