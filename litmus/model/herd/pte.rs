//! The PTE tests as `.litmus` files: the 32-bit reads in the `X86`
//! dialect (the PTE as two variables), the 8-byte reads and `seqcount` in
//! the `X86_64` mixed-size dialect (the PTE as one `uint64_t`); see the
//! module above for what cannot be written.

use super::{Litmus, PTE_REG, X64_REGS, X86_REGS, columns, header};
use crate::catalog::Case;
use crate::catalog::pte::{PteOutcome, PteTest};
use crate::model::{self, Cond, PTE_HIGH, PTE_LOW, Read, Rmw, SEQ, Step, TURN, Value};
use pte_asm::strategy::ReadStrategy;
use std::collections::BTreeSet;

/// The strategies written in the `X86` dialect.
pub const X86_STRATEGIES: [ReadStrategy; 4] = [
    ReadStrategy::Split,
    ReadStrategy::Lowhigh,
    ReadStrategy::LowhighLfence,
    ReadStrategy::LowhighLockadd,
];

/// The strategies written in the `X86_64` mixed-size dialect.
pub const X86_64_STRATEGIES: [ReadStrategy; 6] = [
    ReadStrategy::Cmpxchg8b,
    ReadStrategy::MovqSse2,
    ReadStrategy::MovqMmx,
    ReadStrategy::Fild,
    ReadStrategy::Native64,
    ReadStrategy::Seqcount,
];

/// What a PTE test's writers store, and what their turn reads must see.
struct Writers {
    code: Vec<Vec<String>>,
    lows: BTreeSet<u32>,
    highs: BTreeSet<u32>,
    /// Every sequence value the writers can leave (seqcount).
    sequences: BTreeSet<u64>,
    /// `1:EAX=0`-style atoms: each writer's turn read (several writers).
    turn_reads: Vec<String>,
}

/// The model's bounded writers, step for step, in a dialect: one place
/// says what the writers' turns are.
fn writers(program: &model::Program, x86_64: bool) -> Writers {
    let (a_lo, a_hi) = (
        program.init[PTE_LOW as usize],
        program.init[PTE_HIGH as usize],
    );
    let mut w = Writers {
        code: Vec::new(),
        lows: BTreeSet::from([a_lo, 0]),
        highs: BTreeSet::from([a_hi, 0]),
        sequences: BTreeSet::from([0]),
        turn_reads: Vec::new(),
    };
    let mut bumps = 0;
    for (i, steps) in program.threads[1..].iter().enumerate() {
        let mut code = Vec::new();
        for instr in steps {
            match instr.step {
                Step::Load { at: TURN, reg, .. } => code.push(if x86_64 {
                    format!("movl (turn),%{}", X64_REGS[reg as usize].0)
                } else {
                    format!("MOV {},[turn]", X86_REGS[reg as usize])
                }),
                // A writer's check (PTE-LOST), only written in X86_64.
                Step::Load { .. } if x86_64 => code.extend(reader_text(instr.step)),
                Step::Store {
                    at,
                    value: Value::Imm(v),
                    ..
                } => {
                    let v = v as u32;
                    code.push(store_text(at, v, x86_64));
                    match at {
                        PTE_LOW => w.lows.insert(v),
                        PTE_HIGH => w.highs.insert(v),
                        _ => false,
                    };
                }
                Step::Rmw {
                    at: SEQ,
                    op: Rmw::Add(Value::Imm(1)),
                    locked: false,
                    ..
                } => {
                    code.push("addl $1,(seq)".into());
                    bumps += 1;
                }
                Step::Assume(Cond::Is(r, v)) => w.turn_reads.push(if x86_64 {
                    format!("{}:{}={v}", 1 + i, X64_REGS[r as usize].1)
                } else {
                    format!("{}:{}={v}", 1 + i, X86_REGS[r as usize])
                }),
                other => unreachable!("writer step {other:?} has no herd form here"),
            }
        }
        w.code.push(code);
    }
    w.sequences = (0..=bumps).map(|b| b as u64).collect();
    w
}

fn store_text(at: model::Word, v: u32, x86_64: bool) -> String {
    match (x86_64, at) {
        (false, PTE_LOW) => format!("MOV [lo],${v}"),
        (false, PTE_HIGH) => format!("MOV [hi],${v}"),
        (false, TURN) => format!("MOV [turn],${v}"),
        (true, PTE_LOW) => format!("movl ${v},(%{PTE_REG})"),
        (true, PTE_HIGH) => format!("movl ${v},4(%{PTE_REG})"),
        (true, TURN) => format!("movl ${v},(turn)"),
        (_, other) => unreachable!("a store to word {other}"),
    }
}

/// Every (low, high) the reader could return that no install wrote.
fn torn_pairs(t: &PteTest, w: &Writers) -> Vec<(u32, u32)> {
    w.lows
        .iter()
        .flat_map(|lo| w.highs.iter().map(move |hi| (*lo, *hi)))
        .filter(|(lo, hi)| t.scheme.classify(*lo, *hi) == PteOutcome::Torn)
        .collect()
}

/// A PTE test with one of [`X86_STRATEGIES`], PTE as `lo` and `hi`.
fn pte_x86(t: &'static PteTest, strategy: ReadStrategy) -> Litmus {
    let (reader, recheck) = match strategy {
        ReadStrategy::Split => (vec!["MOV EAX,[lo]", "MOV EBX,[hi]"], false),
        ReadStrategy::Lowhigh => (vec!["MOV EAX,[lo]", "MOV EBX,[hi]", "MOV ECX,[lo]"], true),
        ReadStrategy::LowhighLfence => (
            vec![
                "MOV EAX,[lo]",
                "LFENCE",
                "MOV EBX,[hi]",
                "LFENCE",
                "MOV ECX,[lo]",
            ],
            true,
        ),
        ReadStrategy::LowhighLockadd => (
            vec![
                "MOV EAX,[lo]",
                "LOCK ADD [s0],$0",
                "MOV EBX,[hi]",
                "LOCK ADD [s0],$0",
                "MOV ECX,[lo]",
            ],
            true,
        ),
        other => unreachable!("{} is not written in X86", other.name()),
    };
    let program = model::pte_program(t, strategy);
    let w = writers(&program, false);
    let torn: Vec<String> = torn_pairs(t, &w)
        .iter()
        .map(|(lo, hi)| {
            let recheck = if recheck {
                format!(" /\\ 0:ECX={lo}")
            } else {
                String::new()
            };
            format!("(0:EAX={lo} /\\ 0:EBX={hi}{recheck})")
        })
        .collect();
    let mut condition = format!("({})", torn.join(" \\/ "));
    if !w.turn_reads.is_empty() {
        condition = format!("{} /\\ {condition}", w.turn_reads.join(" /\\ "));
    }
    let mut locations = vec![
        format!("lo={}", program.init[PTE_LOW as usize]),
        format!("hi={}", program.init[PTE_HIGH as usize]),
    ];
    if t.writers > 1 {
        locations.push("turn=0".into());
    }
    if strategy == ReadStrategy::LowhighLockadd {
        locations.push("s0=0".into());
    }
    let mut threads = vec![reader.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    threads.extend(w.code);
    file(t, strategy, "X86", &locations, &threads, &condition)
}

/// A PTE test with one of [`X86_64_STRATEGIES`] (or any strategy, for
/// `PTE-LOST`), the PTE as one `uint64_t`.
fn pte_x86_64(t: &'static PteTest, strategy: ReadStrategy) -> Litmus {
    let program = model::pte_program(t, strategy);
    let w = writers(&program, true);
    let model::Judge::Pte {
        reads,
        checks,
        last,
        ..
    } = &program.judge
    else {
        unreachable!("a PTE program")
    };
    let mut reads = reads.clone();
    let reader: Vec<String> = match strategy {
        ReadStrategy::Split
        | ReadStrategy::Lowhigh
        | ReadStrategy::LowhighLfence
        | ReadStrategy::LowhighLockadd => reader32(strategy),
        ReadStrategy::Cmpxchg8b => {
            // x86-64's cmpxchg always compares with RAX: each read compares
            // and swaps RAX with itself (cmpxchg8b's edx:eax = ecx:ebx),
            // the first one's value kept in r8.
            reads = vec![Read::Whole(4), Read::Whole(0)];
            vec![
                "lock cmpxchgq (pte),%rax".into(),
                "movq %rax,%r8".into(),
                "lock cmpxchgq (pte),%rax".into(),
            ]
        }
        _ => program.threads[0]
            .iter()
            .filter_map(|i| reader_text(i.step))
            .collect(),
    };
    let torn = torn_pairs(t, &w);
    let mut witness: Vec<String> = Vec::new();
    if t.witness == PteOutcome::Torn {
        // The first read's value (a second read only follows a write-back).
        witness = torn
            .iter()
            .map(|(lo, hi)| read_atoms(reads[0], *lo, *hi, &w, strategy))
            .collect();
    } else {
        // A writer's check saw something else than it left, or the PTE
        // does not end as the last install.
        for (thread, read, (lo, hi)) in checks {
            let Read::Halves(rl, rh) = read else {
                unreachable!("checks read halves")
            };
            witness.push(format!("~({thread}:{}={lo})", X64_REGS[*rl as usize].1));
            witness.push(format!("~({thread}:{}={hi})", X64_REGS[*rh as usize].1));
        }
        if let Some((lo, hi)) = last {
            witness.push(format!("~(pte={})", pte_asm::join(*lo, *hi)));
        }
    }
    let mut condition = format!("({})", witness.join(" \\/ "));
    if !w.turn_reads.is_empty() {
        condition = format!("{} /\\ {condition}", w.turn_reads.join(" /\\ "));
    }
    let init = pte_asm::join(
        program.init[PTE_LOW as usize],
        program.init[PTE_HIGH as usize],
    );
    let mut locations = vec![format!("uint64_t pte={init}")];
    // herd7 keeps an undeclared register to 32 bits: declare the ones an
    // 8-byte read fills.
    for read in &reads {
        if let Read::Whole(r) = read {
            locations.push(format!("uint64_t 0:{}", X64_REGS[*r as usize].1));
        }
    }
    for thread in 0..program.threads.len() {
        locations.push(format!("{thread}:{PTE_REG}=pte"));
    }
    if strategy == ReadStrategy::Seqcount {
        locations.push("seq=0".into());
    }
    if strategy == ReadStrategy::LowhighLockadd {
        locations.push("s0=0".into());
    }
    if t.writers > 1 {
        locations.push("turn=0".into());
    }
    let mut threads = vec![reader];
    threads.extend(w.code);
    file(t, strategy, "X86_64", &locations, &threads, &condition)
}

/// A reader built from 32-bit loads, in the `X86_64` dialect (written out:
/// `lfence` is no model step, but a file should say what the read runs).
fn reader32(strategy: ReadStrategy) -> Vec<String> {
    let low = |r: &str| format!("movl (%{PTE_REG}),%{r}");
    let high = format!("movl 4(%{PTE_REG}),%ebx");
    let gap: &[&str] = match strategy {
        ReadStrategy::LowhighLfence => &["lfence"],
        ReadStrategy::LowhighLockadd => &["lock addl $0,(s0)"],
        _ => &[],
    };
    let mut code = vec![low("eax")];
    code.extend(gap.iter().map(|s| s.to_string()));
    code.push(high);
    if strategy != ReadStrategy::Split {
        code.extend(gap.iter().map(|s| s.to_string()));
        code.push(low("ecx"));
    }
    code
}

/// The reader's step in the `X86_64` dialect.
fn reader_text(step: Step) -> Option<String> {
    let r32 = |r: u8| X64_REGS[r as usize].0;
    let r64 = |r: u8| X64_REGS[r as usize].1;
    Some(match step {
        Step::Load {
            at: PTE_LOW,
            wide: true,
            reg,
        } => format!("movq (pte),%{}", r64(reg)),
        Step::Load {
            at: PTE_LOW, reg, ..
        } => format!("movl (%{PTE_REG}),%{}", r32(reg)),
        Step::Load {
            at: PTE_HIGH, reg, ..
        } => format!("movl 4(%{PTE_REG}),%{}", r32(reg)),
        Step::Load { at: SEQ, reg, .. } => format!("movl (seq),%{}", r32(reg)),
        Step::Assume(_) => return None,
        other => unreachable!("reader step {other:?} has no X86_64 form here"),
    })
}

/// The atoms saying the reader returned `(lo, hi)`: its registers, with a
/// recheck or an even, unchanged sequence where its exit needs them.
fn read_atoms(read: Read, lo: u32, hi: u32, w: &Writers, strategy: ReadStrategy) -> String {
    match read {
        Read::Whole(r) => format!("0:{}={}", X64_REGS[r as usize].1, pte_asm::join(lo, hi)),
        Read::Halves(rl, rh) => {
            let halves = format!(
                "0:{}={lo} /\\ 0:{}={hi}",
                X64_REGS[rl as usize].1, X64_REGS[rh as usize].1
            );
            if strategy != ReadStrategy::Seqcount {
                return format!("({halves})");
            }
            // seqcount's exit: both sequence reads equal and even
            // (registers 2 and 3 of `model::read_steps`).
            let seqs: Vec<String> = w
                .sequences
                .iter()
                .filter(|s| *s % 2 == 0)
                .map(|s| format!("(0:rcx={s} /\\ 0:rdx={s})"))
                .collect();
            format!("({halves} /\\ ({}))", seqs.join(" \\/ "))
        }
    }
}

fn file(
    t: &'static PteTest,
    strategy: ReadStrategy,
    arch: &str,
    locations: &[String],
    threads: &[Vec<String>],
    condition: &str,
) -> Litmus {
    let name = format!("{}+{}", t.name, strategy.name());
    Litmus {
        text: format!(
            "{}\n{{ {}; }}\n\n{}\nexists ({condition})\n",
            header(
                arch,
                &name,
                &format!("{} (the model's bounded version)", t.summary),
                (t.expect)(strategy),
                model::verdict(Case::Pte(t, strategy))
            ),
            locations.join("; "),
            columns(threads),
        ),
        name,
    }
}

/// A PTE test with `strategy` as a file, or why herd cannot express it.
pub fn pte(t: &'static PteTest, strategy: ReadStrategy) -> Result<Litmus, String> {
    if t.writers > 1 && strategy == ReadStrategy::Seqcount {
        return Err(format!(
            "{} with seqcount: as a file (no retry assumption to prune with) its executions \
             pass the model's {} states, and herd7 does not finish it either",
            t.name,
            model::search::MAX_STATES
        ));
    }
    if strategy == ReadStrategy::Cmpxchg8bNolock {
        return Err(format!(
            "{} with cmpxchg8b-nolock: herd's cmpxchg writes nothing when the compare fails; the \
             hardware writes the old value back, which is the hazard",
            t.name
        ));
    }
    if t.writer_checks() || X86_64_STRATEGIES.contains(&strategy) {
        Ok(pte_x86_64(t, strategy))
    } else {
        Ok(pte_x86(t, strategy))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::pte::PTE;

    #[test]
    fn the_seeds_aba_is_in_the_witness_and_installs_are_not() {
        let aba = pte(&PTE[1], ReadStrategy::Lowhigh).unwrap();
        // A = 0x0001000100010067; the seed's torn value: B's high, A's low.
        assert!(aba.text.contains("{ lo=65639; hi=65537; }"), "{}", aba.text);
        assert!(
            aba.text
                .contains("(0:EAX=65639 /\\ 0:EBX=65538 /\\ 0:ECX=65639)")
        );
        assert!(
            !aba.text.contains("(0:EAX=65639 /\\ 0:EBX=65537 /\\"),
            "A itself"
        );
        assert!(aba.text.contains("MOV [hi],$65538"));
    }

    #[test]
    fn single_8_byte_reads_are_written_in_x86_64_mixed_size() {
        let movq = pte(&PTE[1], ReadStrategy::MovqSse2).unwrap();
        assert!(
            movq.text.starts_with("X86_64 PTE-ABA+movq-sse2\n"),
            "{}",
            movq.text
        );
        assert!(
            movq.text.contains("uint64_t pte=281479271743591"),
            "{}",
            movq.text
        );
        assert!(movq.text.contains("movq (pte),%rax"), "{}", movq.text);
        assert!(movq.text.contains("movl $65538,4(%r15)"), "{}", movq.text);
        // The seed's torn value, 0x0001000200010067, as one 64-bit value.
        assert!(movq.text.contains("0:rax=281483566710887"), "{}", movq.text);
        let locked = pte(&PTE[1], ReadStrategy::Cmpxchg8b).unwrap();
        assert!(
            locked.text.contains("lock cmpxchgq (pte),%rax"),
            "{}",
            locked.text
        );
        assert!(locked.text.contains("movq %rax,%r8"), "{}", locked.text);
        assert!(
            locked.text.contains("uint64_t 0:r8; uint64_t 0:rax;"),
            "{}",
            locked.text
        );
        assert!(
            pte(&PTE[2], ReadStrategy::Seqcount).is_err(),
            "PTE-ABA3 seqcount"
        );
        let seq = pte(&PTE[1], ReadStrategy::Seqcount).unwrap();
        assert!(seq.text.contains("addl $1,(seq)") && seq.text.contains("0:rcx=0 /\\ 0:rdx=0"));
        assert!(pte(&PTE[1], ReadStrategy::Cmpxchg8bNolock).is_err());
    }
}
