//! The catalog's tests as model programs: classic tests op for op; PTE
//! tests as the reader's strategy (its `pte_asm` read, access for access)
//! against the writers' turns run `model_turns` times.

use super::{Cond, Instr, Judge, LOCS, Loc, Program, Reg, Step};
use crate::catalog::Test;
use crate::catalog::classic::{ClassicTest, Fence, Op};
use crate::catalog::pte::{PteTest, THREAD_NAMES, WriterStep};
use pte_asm::strategy::{ReadStrategy, Writer};

/// The locations of a PTE program, by index.
pub const PTE_LOW: Loc = 0;
pub const PTE_HIGH: Loc = 1;
pub const SEQ: Loc = 2;
pub const TURN: Loc = 3;

fn instr(step: Step, what: impl Into<String>) -> Instr {
    Instr {
        step,
        what: what.into(),
    }
}

/// A classic test, op for op.
pub fn classic_program(t: &ClassicTest) -> Program {
    let threads = t
        .threads
        .iter()
        .map(|ops| {
            ops.iter()
                .filter_map(|op| {
                    let step = match *op {
                        Op::Store(loc, v) => Step::Store(loc as Loc, v),
                        Op::Load(loc, r) => Step::Load(loc as Loc, r),
                        Op::Fence(Fence::Mfence | Fence::LockAddl) => Step::Drain,
                        // lfence and barrier(): nothing x86-TSO does not order.
                        Op::Fence(Fence::Lfence | Fence::Compiler) => return None,
                    };
                    Some(instr(step, op.to_string()))
                })
                .collect()
        })
        .collect();
    Program {
        title: t.name.to_string(),
        thread_names: (0..t.threads.len()).map(|i| format!("P{i}")).collect(),
        loc_names: vec!["x", "y"][..crate::catalog::classic::LOCATIONS].to_vec(),
        init: [0; LOCS],
        threads,
        judge: Judge::Classic {
            observed: t.observed.to_vec(),
            witness: t.witness.to_vec(),
        },
    }
}

/// One read by `strategy` into `(lo, hi)`, with scratch registers `t0`, `t1`:
/// the memory accesses of its `pte_asm::read` function, in order.
pub fn read_steps(strategy: ReadStrategy, lo: Reg, hi: Reg, t0: Reg, t1: Reg) -> Vec<Instr> {
    use ReadStrategy as S;
    let load_low = |r| instr(Step::Load(PTE_LOW, r), "read ptep->pte_low");
    let load_high = |r| instr(Step::Load(PTE_HIGH, r), "read ptep->pte_high");
    let drain = || {
        instr(
            Step::Drain,
            "lock addl $0,-4(%esp) (drains the store buffer)",
        )
    };
    match strategy {
        S::Split => vec![load_low(lo), load_high(hi)],
        S::Lowhigh | S::LowhighLfence => vec![
            load_low(lo),
            load_high(hi),
            load_low(t0),
            instr(
                Step::Assume(Cond::Equal(lo, t0)),
                "pte_low unchanged: return",
            ),
        ],
        S::LowhighLockadd => vec![
            load_low(lo),
            drain(),
            load_high(hi),
            drain(),
            load_low(t0),
            instr(
                Step::Assume(Cond::Equal(lo, t0)),
                "pte_low unchanged: return",
            ),
        ],
        S::Cmpxchg8b => vec![instr(
            Step::Locked64(lo, hi),
            "lock cmpxchg8b ptep (8 bytes)",
        )],
        S::Cmpxchg8bNolock => vec![instr(
            Step::Unlocked64(lo, hi),
            "cmpxchg8b ptep without lock: read 8 bytes, store them back",
        )],
        S::MovqSse2 => vec![instr(Step::Load64(lo, hi), "movq ptep (8 bytes)")],
        S::MovqMmx => vec![instr(Step::Load64(lo, hi), "movq ptep to mm0 (8 bytes)")],
        S::Fild => vec![instr(Step::Load64(lo, hi), "fildq ptep (8 bytes)")],
        S::Native64 => vec![instr(
            Step::Load64(lo, hi),
            "movq ptep to a 64-bit register",
        )],
        S::Seqcount => vec![
            instr(Step::Load(SEQ, t0), "read sequence"),
            load_low(lo),
            load_high(hi),
            instr(Step::Load(SEQ, t1), "read sequence again"),
            instr(
                Step::Assume(Cond::EqualEven(t0, t1)),
                "sequence even and unchanged: return",
            ),
        ],
    }
}

/// A zap by `writer`: the stores of `pte_asm::write::pae_clear` or
/// `seqcount_clear`, in order.
fn zap_steps(writer: Writer, scratch: Reg) -> Vec<Instr> {
    let clear = [
        instr(Step::Store(PTE_LOW, 0), "zap: pte_low = 0"),
        instr(Step::Store(PTE_HIGH, 0), "zap: pte_high = 0"),
    ];
    with_sequence(writer, scratch, clear.to_vec())
}

/// An install by `writer`: `pae_set` or `seqcount_set`, high then low.
fn install_steps(writer: Writer, scratch: Reg, name: &str, (lo, hi): (u32, u32)) -> Vec<Instr> {
    let set = [
        instr(
            Step::Store(PTE_HIGH, hi),
            format!("install {name}: pte_high = {hi:#010x}"),
        ),
        instr(
            Step::Store(PTE_LOW, lo),
            format!("install {name}: pte_low = {lo:#010x}"),
        ),
    ];
    with_sequence(writer, scratch, set.to_vec())
}

fn with_sequence(writer: Writer, scratch: Reg, body: Vec<Instr>) -> Vec<Instr> {
    match writer {
        Writer::Pae => body,
        Writer::Seqcount => {
            let bump = |what: &str| instr(Step::Increment(SEQ, scratch), what.to_string());
            let mut steps = vec![bump("sequence++ (odd)")];
            steps.extend(body);
            steps.push(bump("sequence++ (even)"));
            steps
        }
    }
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
    let mut init = [0; LOCS];
    init[PTE_LOW as usize] = a_lo;
    init[PTE_HIGH as usize] = a_hi;

    let mut reader = Vec::new();
    let mut reads = Vec::new();
    for i in 0..reads_count as Reg {
        let (lo, hi, t0, t1) = (4 * i, 4 * i + 1, 4 * i + 2, 4 * i + 3);
        reader.extend(read_steps(strategy, lo, hi, t0, t1));
        reads.push((lo, hi));
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
        loc_names: vec!["ptep->pte_low", "ptep->pte_high", "sequence", "turn"],
        init,
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
    /// (thread, low register, high register, expected) per writer check.
    checks: Vec<(usize, Reg, Reg, (u32, u32))>,
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
            steps.push(instr(Step::Load(TURN, 0), "read turn"));
            steps.push(instr(
                Step::Assume(Cond::Is(0, w as u32)),
                format!("turn == {w}: my turn"),
            ));
        }
        for step in t.turn {
            let mut reg = || {
                let r = next_reg[w];
                next_reg[w] += 1;
                r
            };
            match step {
                WriterStep::CheckLast | WriterStep::CheckZero => {
                    let expect = if *step == WriterStep::CheckLast {
                        writers.last
                    } else {
                        (0, 0)
                    };
                    let (lo, hi) = (reg(), reg());
                    steps.push(instr(Step::Load(PTE_LOW, lo), "check: read ptep->pte_low"));
                    steps.push(instr(
                        Step::Load(PTE_HIGH, hi),
                        "check: read ptep->pte_high",
                    ));
                    writers.checks.push((1 + w, lo, hi, expect));
                }
                WriterStep::Zap => steps.extend(zap_steps(writer, reg())),
                WriterStep::Install => {
                    let scratch = reg();
                    writers.last = t.scheme.install(turn as u32 + 1);
                    steps.extend(install_steps(
                        writer,
                        scratch,
                        &install_name(turn + 1),
                        writers.last,
                    ));
                }
            }
        }
        if t.writers > 1 {
            let next = ((w + 1) % t.writers) as u32;
            steps.push(instr(
                Step::Store(TURN, next),
                format!("pass the turn: turn = {next}"),
            ));
        }
    }
    writers
}

pub fn program(test: Test, strategy: Option<ReadStrategy>) -> Program {
    match test {
        Test::Classic(t) => classic_program(t),
        Test::Pte(t) => pte_program(t, strategy.expect("a PTE test needs a strategy")),
    }
}

#[cfg(test)]
mod tests {
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

    /// The model's accesses of each read, in the instruction checks'
    /// vocabulary: each strategy's steps must be the memory accesses its
    /// `pte_asm` shim compiles to.
    /// The model's accesses of each read, in the instruction checks'
    /// vocabulary: each strategy's steps must be the memory accesses its
    /// `pte_asm` shim compiles to.
    #[test]
    fn each_reads_steps_are_its_instructions() {
        let accesses = |steps: &[Instr]| -> Vec<&'static str> {
            steps
                .iter()
                .filter_map(|i| match i.step {
                    Step::Load(PTE_HIGH, _) => Some("load+4"),
                    Step::Load(_, _) => Some("load+0"),
                    Step::Store(PTE_HIGH, _) => Some("store+4"),
                    Step::Store(_, _) => Some("store+0"),
                    Step::Increment(..) => Some("increment"),
                    Step::Load64(..) => Some("load8"),
                    Step::Locked64(..) => Some("locked-rmw8"),
                    Step::Unlocked64(..) => Some("rmw8"),
                    Step::Drain => Some("drain"),
                    Step::Assume(_) => None,
                })
                .collect()
        };
        let shape = |symbol: &str| -> Vec<&'static str> {
            let shim = pte_asm::shims::SHIMS
                .iter()
                .find(|s| s.symbol == symbol)
                .unwrap_or_else(|| panic!("no shim {symbol}"));
            shim.instructions
                .iter()
                .filter_map(|i| match *i {
                    "mov (%r),%r" | "cmp (%r),%r" if symbol.ends_with("native64") => Some("load8"),
                    "mov (%r),%r" | "cmp (%r),%r" => Some("load+0"),
                    "mov 0x4(%r),%r" => Some("load+4"),
                    "mov %r,0x4(%r)" | "movl $0x0,0x4(%r)" => Some("store+4"),
                    "mov %r,(%r)" | "movl $0x0,(%r)" => Some("store+0"),
                    "addl $0x1,(%r)" => Some("increment"),
                    "movq (%r),%xmm" | "movq (%r),%mm0" | "fildll (%r)" => Some("load8"),
                    "lock cmpxchg8b (%r)" => Some("locked-rmw8"),
                    "cmpxchg8b (%r)" => Some("rmw8"),
                    "lock addl $0x0,-0x4(%sp)" => Some("drain"),
                    // Ordering-neutral under x86-TSO, or the stack: not
                    // accesses of the shared locations.
                    "pause" | "lfence" | "emms" | "fistpll (%r)" => None,
                    other => panic!("{symbol}: no model meaning for '{other}'"),
                })
                .collect()
        };
        for s in ReadStrategy::ALL {
            let symbol = format!("pte_asm_{}", s.name().replace('-', "_"));
            if !pte_asm::shims::SHIMS
                .iter()
                .any(|shim| shim.symbol == symbol)
            {
                continue; // not in this build (SSE2, x86_64 only)
            }
            assert_eq!(
                accesses(&read_steps(s, 0, 1, 2, 3)),
                shape(&symbol),
                "{}",
                s.name()
            );
        }
        for writer in Writer::ALL {
            let (zap, install) = match writer {
                Writer::Pae => ("pte_asm_pae_clear", "pte_asm_pae_set"),
                Writer::Seqcount => ("pte_asm_seqcount_clear", "pte_asm_seqcount_set"),
            };
            assert_eq!(accesses(&zap_steps(writer, 0)), shape(zap));
            assert_eq!(
                accesses(&install_steps(writer, 0, "B", (1, 2))),
                shape(install)
            );
        }
    }
}
