//! The catalog's tests as model programs: PTE tests as the reader's
//! strategy (its `pte_asm` read, access for access) against the writers'
//! turns run `model_turns` times; litmus programs come from [`super::litmus`].

use super::{Cond, Instr, Judge, Program, REGS, Read, Reg, Rmw, Step, Value, Word};
use crate::catalog::Case;
use crate::catalog::pte::{PteTest, THREAD_NAMES, WriterStep};
use pte_asm::strategy::{ReadStrategy, Writer};

/// The words of a PTE program.
pub const PTE_LOW: Word = 0;
pub const PTE_HIGH: Word = 1;
pub const SEQ: Word = 2;
pub const TURN: Word = 3;

fn instr(step: Step, what: impl Into<String>) -> Instr {
    Instr {
        step,
        what: what.into(),
    }
}

fn load(at: Word, reg: Reg, what: &str) -> Instr {
    instr(
        Step::Load {
            at,
            wide: false,
            reg,
        },
        what,
    )
}

fn store(at: Word, value: u32, what: impl Into<String>) -> Instr {
    instr(
        Step::Store {
            at,
            wide: false,
            value: Value::Imm(value as u64),
        },
        what,
    )
}

/// One read by `strategy` into registers from `lo` on (`hi`, `t0`, `t1`
/// as scratch): the memory accesses of its `pte_asm::read` function, in
/// order, and where the value it returns is.
pub fn read_steps(
    strategy: ReadStrategy,
    lo: Reg,
    hi: Reg,
    t0: Reg,
    t1: Reg,
) -> (Vec<Instr>, Read) {
    use ReadStrategy as S;
    let load_low = |r| load(PTE_LOW, r, "read ptep->pte_low");
    let load_high = |r| load(PTE_HIGH, r, "read ptep->pte_high");
    let drain = || {
        instr(
            Step::Drain,
            "lock addl $0,-4(%esp) (drains the store buffer)",
        )
    };
    let recheck = |a, b| instr(Step::Assume(Cond::Equal(a, b)), "pte_low unchanged: return");
    let whole = |what: &str| {
        (
            vec![instr(
                Step::Load {
                    at: PTE_LOW,
                    wide: true,
                    reg: lo,
                },
                what,
            )],
            Read::Whole(lo),
        )
    };
    let cmpxchg8b = |locked: bool, what: &str| {
        (
            vec![instr(
                Step::Rmw {
                    at: PTE_LOW,
                    wide: true,
                    // edx:eax = ecx:ebx: expected and new are one value.
                    op: Rmw::Cmpxchg {
                        expected: lo,
                        new: lo,
                    },
                    locked,
                },
                what,
            )],
            Read::Whole(lo),
        )
    };
    let halves = Read::Halves(lo, hi);
    match strategy {
        S::Split => (vec![load_low(lo), load_high(hi)], halves),
        S::Lowhigh | S::LowhighLfence => (
            vec![load_low(lo), load_high(hi), load_low(t0), recheck(lo, t0)],
            halves,
        ),
        S::LowhighLockadd => (
            vec![
                load_low(lo),
                drain(),
                load_high(hi),
                drain(),
                load_low(t0),
                recheck(lo, t0),
            ],
            halves,
        ),
        S::Cmpxchg8b => cmpxchg8b(true, "lock cmpxchg8b ptep (8 bytes)"),
        S::Cmpxchg8bNolock => cmpxchg8b(
            false,
            "cmpxchg8b ptep without lock: read 8 bytes, store them back",
        ),
        S::MovqSse2 => whole("movq ptep (8 bytes)"),
        S::MovqMmx => whole("movq ptep to mm0 (8 bytes)"),
        S::Fild => whole("fildq ptep (8 bytes)"),
        S::Native64 => whole("movq ptep to a 64-bit register"),
        S::Seqcount => (
            vec![
                load(SEQ, t0, "read sequence"),
                load_low(lo),
                load_high(hi),
                load(SEQ, t1, "read sequence again"),
                instr(
                    Step::Assume(Cond::EqualEven(t0, t1)),
                    "sequence even and unchanged: return",
                ),
            ],
            halves,
        ),
    }
}

/// A zap by `writer`: the stores of `pte_asm::write::pae_clear` or
/// `seqcount_clear`, in order.
pub(crate) fn zap_steps(writer: Writer) -> Vec<Instr> {
    zap_steps_with(writer == Writer::Seqcount, true)
}

/// An install by `writer`: `pae_set` or `seqcount_set`, high then low.
pub(crate) fn install_steps(writer: Writer, name: &str, (lo, hi): (u32, u32)) -> Vec<Instr> {
    let set = install_steps_with(writer == Writer::Seqcount, true, name, (lo, hi));
    // The values, for traces of concrete installs.
    set.into_iter()
        .map(|mut i| {
            if let Step::Store {
                value: Value::Imm(v),
                ..
            } = i.step
            {
                i.what = format!("{} = {v:#010x}", i.what);
            }
            i
        })
        .collect()
}

/// A zap's stores, low first (`pae_clear`) or high first
/// (`pae_clear_high_first`), inside a sequence count or not.
pub(crate) fn zap_steps_with(seqcount: bool, low_first: bool) -> Vec<Instr> {
    let mut clear = vec![
        store(PTE_LOW, 0, "zap: pte_low = 0"),
        store(PTE_HIGH, 0, "zap: pte_high = 0"),
    ];
    if !low_first {
        clear.reverse();
    }
    with_sequence(seqcount, clear)
}

/// An install's stores of `(lo, hi)`, high first (`pae_set`) or low first
/// (`pae_set_low_first`), inside a sequence count or not; the steps say
/// what they store, not the value (callers add it).
pub(crate) fn install_steps_with(
    seqcount: bool,
    high_first: bool,
    name: &str,
    (lo, hi): (u32, u32),
) -> Vec<Instr> {
    let mut set = vec![
        store(PTE_HIGH, hi, format!("install {name}: pte_high")),
        store(PTE_LOW, lo, format!("install {name}: pte_low")),
    ];
    if !high_first {
        set.reverse();
    }
    with_sequence(seqcount, set)
}

fn with_sequence(seqcount: bool, body: Vec<Instr>) -> Vec<Instr> {
    if !seqcount {
        return body;
    }
    // `addl $1,(s)` without lock: a load and a buffered store.
    let bump = |what: &str| {
        instr(
            Step::Rmw {
                at: SEQ,
                wide: false,
                op: Rmw::Add(Value::Imm(1)),
                locked: false,
            },
            what.to_string(),
        )
    };
    let mut steps = vec![bump("sequence++ (odd)")];
    steps.extend(body);
    steps.push(bump("sequence++ (even)"));
    steps
}

/// The seed's names for installs 0, 1, 2, ...
fn install_name(k: usize) -> String {
    char::from(b'A' + (k % 26) as u8).to_string()
}

/// The bounded PTE test: the PTE starts as install 0 (A); the reader reads
/// once (twice if its read writes); the writers take `model_turns` turns.
pub fn pte_program(t: &PteTest, strategy: ReadStrategy) -> Program {
    // A read that writes the PTE gets a second read, which sees what its
    // write-back did (the runner's reader reads again and again).
    let reads_count = match strategy {
        ReadStrategy::Cmpxchg8b | ReadStrategy::Cmpxchg8bNolock => 2,
        _ => 1,
    };
    let (a_lo, a_hi) = t.scheme.install(0);
    let mut init = vec![0; 4];
    init[PTE_LOW as usize] = a_lo;
    init[PTE_HIGH as usize] = a_hi;

    let mut reader = Vec::new();
    let mut reads = Vec::new();
    for i in 0..reads_count as Reg {
        let (steps, read) = read_steps(strategy, 4 * i, 4 * i + 1, 4 * i + 2, 4 * i + 3);
        reader.extend(steps);
        reads.push(read);
    }
    let writers = writer_threads(t, strategy.writer());
    let mut threads = vec![reader];
    threads.extend(writers.threads);
    Program {
        title: format!("{} [{}]", t.name, strategy.name()),
        thread_names: THREAD_NAMES[..threads.len()]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        word_names: ["ptep->pte_low", "ptep->pte_high", "sequence", "turn"]
            .map(String::from)
            .to_vec(),
        init,
        init_regs: vec![[0; REGS]; threads.len()],
        threads,
        judge: Judge::Pte {
            scheme: t.scheme,
            witness: t.witness,
            reads,
            checks: writers.checks,
            last: t.writer_checks().then_some(writers.last),
        },
    }
}

/// The writers of a bounded PTE test, and what they check.
struct Writers {
    threads: Vec<Vec<Instr>>,
    /// (thread, read, expected) per writer check.
    checks: Vec<(usize, Read, (u32, u32))>,
    /// The last install.
    last: (u32, u32),
}

/// The writers' `model_turns` turns, taken in order (writer `turn %
/// writers` takes turn `turn`, passing a token when there are several),
/// from the PTE holding install 0.
fn writer_threads(t: &PteTest, writer: Writer) -> Writers {
    let mut writers = Writers {
        threads: vec![Vec::new(); t.writers],
        checks: Vec::new(),
        last: t.scheme.install(0),
    };
    let mut next_reg = vec![1 as Reg; t.writers]; // r0: the turn token
    for turn in 0..t.model_turns {
        let w = turn % t.writers;
        let steps = &mut writers.threads[w];
        if t.writers > 1 {
            steps.push(load(TURN, 0, "read turn"));
            steps.push(instr(
                Step::Assume(Cond::Is(0, w as u64)),
                format!("turn == {w}: my turn"),
            ));
        }
        for step in t.turn {
            match step {
                WriterStep::CheckLast | WriterStep::CheckZero => {
                    let expect = if *step == WriterStep::CheckLast {
                        writers.last
                    } else {
                        (0, 0)
                    };
                    let (lo, hi) = (next_reg[w], next_reg[w] + 1);
                    next_reg[w] += 2;
                    steps.push(load(PTE_LOW, lo, "check: read ptep->pte_low"));
                    steps.push(load(PTE_HIGH, hi, "check: read ptep->pte_high"));
                    writers.checks.push((1 + w, Read::Halves(lo, hi), expect));
                }
                WriterStep::Zap => steps.extend(zap_steps(writer)),
                WriterStep::Install => {
                    writers.last = t.scheme.install(turn as u32 + 1);
                    steps.extend(install_steps(writer, &install_name(turn + 1), writers.last));
                }
            }
        }
        if t.writers > 1 {
            let next = ((w + 1) % t.writers) as u32;
            steps.push(store(TURN, next, format!("pass the turn: turn = {next}")));
        }
    }
    writers
}

/// `case` as a model program.
pub fn program(case: Case) -> Program {
    match case {
        Case::Classic(t) => super::litmus::litmus_program(&t.program()),
        Case::File(f) => super::litmus::litmus_program(&f.program),
        Case::Pte(t, strategy) => pte_program(t, strategy),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::catalog::pte::PTE;
    use crate::judge::Expect;
    use crate::model::explore;
    use ReadStrategy as S;

    #[test]
    fn a_writer_that_installs_low_first_tears_lowhigh() {
        // The order set_pte keeps (high, then low) is what makes PTE-MP safe:
        // swap the install's stores and the model finds the torn read.
        let mut p = pte_program(&PTE[0], S::Lowhigh);
        let writer = &mut p.threads[1];
        let high = writer
            .iter()
            .position(|i| i.what.starts_with("install B: pte_high"))
            .unwrap();
        writer.swap(high, high + 1);
        assert_eq!(explore(&p).verdict(), Expect::Allowed);
    }

    /// A step's memory access in the instruction checks' vocabulary.
    pub(crate) fn access(step: Step) -> Option<&'static str> {
        Some(match step {
            Step::Load {
                at: PTE_HIGH,
                wide: false,
                ..
            } => "load+4",
            Step::Load { wide: false, .. } => "load+0",
            Step::Load { wide: true, .. } => "load8",
            Step::Store {
                at: PTE_HIGH,
                wide: false,
                ..
            } => "store+4",
            Step::Store { wide: false, .. } => "store+0",
            Step::Store { wide: true, .. } => "store8",
            Step::Rmw {
                wide: false,
                locked: false,
                ..
            } => "rmw",
            Step::Rmw {
                wide: false,
                locked: true,
                ..
            } => "locked-rmw",
            Step::Rmw {
                wide: true,
                locked: false,
                ..
            } => "rmw8",
            Step::Rmw {
                wide: true,
                locked: true,
                ..
            } => "locked-rmw8",
            Step::Drain => "drain",
            Step::Move { .. } | Step::Alu { .. } | Step::Assume(_) | Step::Jump { .. } => {
                return None;
            }
        })
    }

    /// A shim's declared instructions in the same vocabulary.
    pub(crate) fn shape(symbol: &str) -> Vec<&'static str> {
        let shim = pte_asm::shims::SHIMS
            .iter()
            .find(|s| s.symbol == symbol)
            .unwrap_or_else(|| panic!("no shim {symbol}"));
        let wide = symbol.contains("64") || symbol.ends_with("8b_swap");
        shim.instructions
            .iter()
            .filter_map(|i| match *i {
                "mov (%r),%r" | "cmp (%r),%r" if wide => Some("load8"),
                "mov (%r),%r" | "cmp (%r),%r" | "mov (%r,%r,1),%r" => Some("load+0"),
                "mov 0x4(%r),%r" | "cmp 0x4(%r),%r" => Some("load+4"),
                "mov %r,0x4(%r)" | "movl $0x0,0x4(%r)" => Some("store+4"),
                "mov %r,(%r)" if wide => Some("store8"),
                "mov %r,(%r)" | "movl $0x0,(%r)" | "mov %r,(%r,%r,1)" => Some("store+0"),
                "movq %xmm,(%r)" => Some("store8"),
                "addl $0x1,(%r)" => Some("rmw"),
                "add %r,(%r)" | "cmpxchg %r,(%r)" if wide => Some("rmw8"),
                "add %r,(%r)" | "cmpxchg %r,(%r)" => Some("rmw"),
                "lock add %r,(%r)"
                | "xchg %r,(%r)"
                | "lock cmpxchg %r,(%r)"
                | "lock xadd %r,(%r)"
                    if wide =>
                {
                    Some("locked-rmw8")
                }
                "lock add %r,(%r)"
                | "xchg %r,(%r)"
                | "lock cmpxchg %r,(%r)"
                | "lock xadd %r,(%r)" => Some("locked-rmw"),
                "movq (%r),%xmm" | "movq (%r),%mm0" | "fildll (%r)" => Some("load8"),
                "lock cmpxchg8b (%r)" => Some("locked-rmw8"),
                "cmpxchg8b (%r)" => Some("rmw8"),
                "lock addl $0x0,-0x4(%sp)" | "mfence" => Some("drain"),
                // Ordering-neutral under x86-TSO, or the stack: not
                // accesses of the shared locations.
                "pause" | "lfence" | "emms" | "fistpll (%r)" => None,
                other => panic!("{symbol}: no model meaning for '{other}'"),
            })
            .collect()
    }

    fn accesses(steps: &[Instr]) -> Vec<&'static str> {
        steps.iter().filter_map(|i| access(i.step)).collect()
    }

    /// Each strategy's steps must be the memory accesses its `pte_asm`
    /// shim compiles to, and each writer's likewise.
    #[test]
    fn each_reads_steps_are_its_instructions() {
        for s in ReadStrategy::ALL {
            let symbol = format!("pte_asm_{}", s.name().replace('-', "_"));
            if !pte_asm::shims::SHIMS
                .iter()
                .any(|shim| shim.symbol == symbol)
            {
                continue; // not in this build (SSE2, x86_64 only)
            }
            let symbol = if s == S::Native64 {
                "pte_asm_native64"
            } else {
                &symbol
            };
            assert_eq!(
                accesses(&read_steps(s, 0, 1, 2, 3).0),
                shape(symbol),
                "{}",
                s.name()
            );
        }
        for writer in Writer::ALL {
            let (zap, install) = match writer {
                Writer::Pae => ("pte_asm_pae_clear", "pte_asm_pae_set"),
                Writer::Seqcount => ("pte_asm_seqcount_clear", "pte_asm_seqcount_set"),
            };
            assert_eq!(accesses(&zap_steps(writer)), shape(zap));
            assert_eq!(
                accesses(&install_steps(writer, "B", (1, 2))),
                shape(install)
            );
        }
    }
}
