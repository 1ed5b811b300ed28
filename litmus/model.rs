//! `litmus model`: every reachable outcome of a test under x86-TSO, found by
//! exhaustive search, so that each test's expectation is derived, not typed.
//!
//! The model is the operational x86-TSO of Sewell, Sarkar, Owens, Zappa
//! Nardelli and Myreen ("x86-TSO: A Rigorous and Usable Programmer's Model
//! for x86 Multiprocessors", CACM 53(7), 2010), extended to mixed sizes:
//!
//! - each thread has a FIFO store buffer; a store enters it, and leaves it
//!   for memory at any later step, oldest first;
//! - a load takes the newest value for its location in its own buffer
//!   (forwarding), else memory;
//! - `mfence` and locked instructions (`lock addl`, `lock cmpxchg8b`) wait
//!   for the buffer to drain; a locked read-modify-write is one step on
//!   memory; `lfence` and compiler barriers order nothing x86-TSO does not
//!   already order (loads stay in order, stores stay in order), so they are
//!   not steps;
//! - the PTE is two 32-bit locations; an 8-byte single access (`lock
//!   cmpxchg8b`, `movq`, `fild`/`fistp`, a 64-bit `mov`) reads both halves
//!   in one step (SDM Vol. 3A 9.1.1: an aligned quadword access is atomic),
//!   and `cmpxchg8b` without `lock` is that load followed by an 8-byte store
//!   of the value it read, which enters the store buffer as one entry.
//!
//! Programs come from the catalog, the same descriptions the hardware runner
//! executes: classic tests op for op; PTE tests as one reader doing two reads
//! of its strategy and the writers' turns run `model_turns` times (PTE-ABA:
//! the seed's A, zap, B, zap, C). A retry loop (`lowhigh`'s recheck,
//! `seqcount`'s sequence check) is an assumption, as herd treats spin loops:
//! an execution where the check fails would go round again, which is another
//! execution the search also explores.

use crate::catalog::{
    ClassicTest, Expect, Fence, Observe, Op, PteOutcome, PteTest, Scheme, THREAD_NAMES, Test,
    WriterStep,
};
use pte_asm::strategy::{ReadStrategy, Writer};
use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;

/// A shared 32-bit location of a model program.
pub type Loc = u8;
/// A thread-local register.
pub type Reg = u8;

/// Registers per thread.
const REGS: usize = 16;
/// Locations of any program: x, y (classic); pte_low, pte_high, seq, turn (PTE).
const LOCS: usize = 4;

/// A condition a retry loop exits on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cond {
    /// Two registers are equal (`lowhigh`: the low half read twice).
    Equal(Reg, Reg),
    /// Equal, and even (`seqcount`: no write in progress, none in between).
    EqualEven(Reg, Reg),
    /// A register holds a constant (a writer's turn).
    Is(Reg, u32),
}

impl Cond {
    fn holds(self, regs: &[u32; REGS]) -> bool {
        match self {
            Cond::Equal(a, b) => regs[a as usize] == regs[b as usize],
            Cond::EqualEven(a, b) => {
                regs[a as usize] == regs[b as usize] && regs[a as usize].is_multiple_of(2)
            }
            Cond::Is(r, v) => regs[r as usize] == v,
        }
    }
}

/// One step of a model thread: the memory effect of one instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// A 32-bit `mov` load (forwarded from the own store buffer if there).
    Load(Loc, Reg),
    /// A 32-bit `mov` store of a constant, into the store buffer.
    Store(Loc, u32),
    /// `addl $1, (loc)` without `lock`: a load, and a store of one more.
    Increment(Loc, Reg),
    /// An 8-byte single load of `pte_low`/`pte_high` (`movq`, `fild`,
    /// `movq` to MMX, a 64-bit `mov`).
    Load64(Reg, Reg),
    /// `lock cmpxchg8b`: drains the buffer, reads 8 bytes and writes the
    /// same value back atomically (no change to memory).
    Locked64(Reg, Reg),
    /// `cmpxchg8b` without `lock`: an 8-byte load, then the value stored
    /// back as one buffered 8-byte store.
    Unlocked64(Reg, Reg),
    /// `mfence` or a locked instruction on another address: waits for the
    /// store buffer to drain.
    Drain,
    /// A retry loop's exit condition (see the module comment).
    Assume(Cond),
}

/// A step with what it means, for traces (`read ptep->pte_low`).
#[derive(Clone, Debug)]
pub struct Instr {
    pub step: Step,
    pub what: String,
}

/// A test as the model runs it.
pub struct Program {
    pub title: String,
    pub thread_names: Vec<String>,
    pub loc_names: Vec<&'static str>,
    pub init: [u32; LOCS],
    pub threads: Vec<Vec<Instr>>,
    pub judge: Judge,
}

/// How a final state is named and whether it is the witness.
pub enum Judge {
    Classic {
        observed: Vec<Observe>,
        witness: Vec<u32>,
    },
    Pte {
        scheme: Scheme,
        witness: PteOutcome,
        /// (reader's low register, high register) per read.
        reads: Vec<(Reg, Reg)>,
        /// (thread, low register, high register, expected) per writer check.
        checks: Vec<(usize, Reg, Reg, (u32, u32))>,
        /// What the PTE must hold at the end when the writer checks (its
        /// last install); `None` when the test does not check.
        last: Option<(u32, u32)>,
    },
}

// ------------------------------------------------------------- programs ---

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
        loc_names: vec!["x", "y"][..crate::catalog::LOCATIONS].to_vec(),
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
    let writer = strategy.writer();
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

    let mut writers: Vec<Vec<Instr>> = vec![Vec::new(); t.writers];
    let mut next_reg = vec![1 as Reg; t.writers]; // r0: the turn token
    let mut checks = Vec::new();
    let mut last = (a_lo, a_hi);
    for turn in 0..t.model_turns {
        let w = turn % t.writers;
        let steps = &mut writers[w];
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
                        last
                    } else {
                        (0, 0)
                    };
                    let (lo, hi) = (reg(), reg());
                    steps.push(instr(Step::Load(PTE_LOW, lo), "check: read ptep->pte_low"));
                    steps.push(instr(
                        Step::Load(PTE_HIGH, hi),
                        "check: read ptep->pte_high",
                    ));
                    checks.push((1 + w, lo, hi, expect));
                }
                WriterStep::Zap => {
                    let scratch = reg();
                    steps.extend(zap_steps(writer, scratch));
                }
                WriterStep::Install => {
                    let scratch = reg();
                    last = t.scheme.install(turn as u32 + 1);
                    steps.extend(install_steps(
                        writer,
                        scratch,
                        &install_name(turn + 1),
                        last,
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
    let mut threads = vec![reader];
    threads.extend(writers);
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
            checks,
            last: t.writer_checks().then_some(last),
        },
    }
}

pub fn program(test: Test, strategy: Option<ReadStrategy>) -> Program {
    match test {
        Test::Classic(t) => classic_program(t),
        Test::Pte(t) => pte_program(t, strategy.expect("a PTE test needs a strategy")),
    }
}

// ---------------------------------------------------------------- search ---

/// A store buffer entry: one or two (location, value) pairs, which reach
/// memory together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Entry {
    writes: [(Loc, u32); 2],
    len: u8,
}

impl Entry {
    fn one(loc: Loc, value: u32) -> Entry {
        Entry {
            writes: [(loc, value), (0, 0)],
            len: 1,
        }
    }

    fn writes(&self) -> &[(Loc, u32)] {
        &self.writes[..self.len as usize]
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Thread {
    pc: u8,
    regs: [u32; REGS],
    buffer: Vec<Entry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct State {
    memory: [u32; LOCS],
    threads: Vec<Thread>,
}

/// One transition: thread `t` executes its next instruction, or the oldest
/// entry of its store buffer reaches memory.
#[derive(Clone, Copy, Debug)]
enum Move {
    Execute(usize),
    Flush(usize),
}

impl State {
    fn read(&self, t: usize, loc: Loc) -> u32 {
        self.threads[t]
            .buffer
            .iter()
            .rev()
            .flat_map(|e| e.writes().iter().rev())
            .find(|(l, _)| *l == loc)
            .map_or(self.memory[loc as usize], |(_, v)| *v)
    }

    /// The state after `mv`, or `None` if it cannot happen (a drain with a
    /// non-empty buffer, an assumption that fails, nothing left to do).
    fn after(&self, program: &Program, mv: Move, sc: bool) -> Option<State> {
        let mut next = self.clone();
        match mv {
            Move::Flush(t) => {
                if next.threads[t].buffer.is_empty() {
                    return None;
                }
                let entry = next.threads[t].buffer.remove(0);
                for (loc, value) in entry.writes() {
                    next.memory[*loc as usize] = *value;
                }
            }
            Move::Execute(t) => {
                let pc = self.threads[t].pc as usize;
                let step = program.threads[t].get(pc)?.step;
                let empty = self.threads[t].buffer.is_empty();
                let thread = &mut next.threads[t];
                match step {
                    Step::Load(loc, r) => thread.regs[r as usize] = self.read(t, loc),
                    Step::Store(loc, value) => thread.buffer.push(Entry::one(loc, value)),
                    Step::Increment(loc, r) => {
                        let value = self.read(t, loc);
                        thread.regs[r as usize] = value;
                        thread.buffer.push(Entry::one(loc, value.wrapping_add(1)));
                    }
                    Step::Load64(lo, hi) => {
                        thread.regs[lo as usize] = self.read(t, PTE_LOW);
                        thread.regs[hi as usize] = self.read(t, PTE_HIGH);
                    }
                    Step::Locked64(lo, hi) => {
                        if !empty {
                            return None;
                        }
                        thread.regs[lo as usize] = self.memory[PTE_LOW as usize];
                        thread.regs[hi as usize] = self.memory[PTE_HIGH as usize];
                    }
                    Step::Unlocked64(lo, hi) => {
                        let (l, h) = (self.read(t, PTE_LOW), self.read(t, PTE_HIGH));
                        thread.regs[lo as usize] = l;
                        thread.regs[hi as usize] = h;
                        thread.buffer.push(Entry {
                            writes: [(PTE_LOW, l), (PTE_HIGH, h)],
                            len: 2,
                        });
                    }
                    Step::Drain => {
                        if !empty {
                            return None;
                        }
                    }
                    Step::Assume(cond) => {
                        if !cond.holds(&thread.regs) {
                            return None;
                        }
                    }
                }
                thread.pc += 1;
                if sc {
                    // Sequential consistency: every store reaches memory
                    // as it executes.
                    for entry in std::mem::take(&mut thread.buffer) {
                        for (loc, value) in entry.writes() {
                            next.memory[*loc as usize] = *value;
                        }
                    }
                }
            }
        }
        Some(next)
    }

    fn finished(&self, program: &Program) -> bool {
        self.threads
            .iter()
            .zip(&program.threads)
            .all(|(t, code)| t.pc as usize == code.len() && t.buffer.is_empty())
    }
}

/// A reachable final state, named as the hardware runner names outcomes.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Final {
    pub label: String,
    pub witness: bool,
    /// Every half a read returned is non-zero: a torn PTE built from two
    /// installed PTEs, as in the seed (the trace prefers such a witness).
    pub from_installs: bool,
    /// The registers and memory, for `litmus model`'s listing.
    pub detail: String,
}

/// Everything the search found.
pub struct Exploration {
    pub finals: Vec<Final>,
    pub states: usize,
    pub seconds: f64,
    /// A shortest sequence of moves to a witness final state, as trace
    /// lines, and that state.
    pub witness_trace: Option<(Vec<String>, Final)>,
}

impl Exploration {
    pub fn allows_witness(&self) -> bool {
        self.finals.iter().any(|f| f.witness)
    }

    pub fn verdict(&self) -> Expect {
        if self.allows_witness() {
            Expect::Allowed
        } else {
            Expect::Forbidden
        }
    }
}

fn judge(program: &Program, state: &State) -> Final {
    match &program.judge {
        Judge::Classic { observed, witness } => {
            let values: Vec<u32> = observed
                .iter()
                .map(|o| match *o {
                    Observe::Reg(t, r) => state.threads[t as usize].regs[r as usize],
                    Observe::Final(loc) => state.memory[loc as usize],
                })
                .collect();
            let label = observed
                .iter()
                .zip(&values)
                .map(|(o, v)| format!("{o}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            let memory: Vec<String> = program
                .loc_names
                .iter()
                .zip(state.memory)
                .map(|(name, v)| format!("{name}={v}"))
                .collect();
            Final {
                witness: values == *witness,
                from_installs: true,
                detail: format!("(memory {})", memory.join(" ")),
                label,
            }
        }
        Judge::Pte {
            scheme,
            witness,
            reads,
            checks,
            last,
        } => {
            let reader = &state.threads[0].regs;
            let mut outcomes: Vec<PteOutcome> = reads
                .iter()
                .map(|(lo, hi)| scheme.classify(reader[*lo as usize], reader[*hi as usize]))
                .collect();
            let memory = (
                state.memory[PTE_LOW as usize],
                state.memory[PTE_HIGH as usize],
            );
            let lost = checks.iter().any(|(t, lo, hi, expect)| {
                let regs = &state.threads[*t].regs;
                (regs[*lo as usize], regs[*hi as usize]) != *expect
            }) || last.is_some_and(|l| l != memory);
            if lost {
                outcomes.push(PteOutcome::Lost);
            }
            let label = outcomes
                .iter()
                .map(|o| o.name())
                .collect::<Vec<_>>()
                .join(", ");
            let returned: Vec<String> = reads
                .iter()
                .map(|(lo, hi)| {
                    format!(
                        "{:#018x}",
                        pte_asm::join(reader[*lo as usize], reader[*hi as usize])
                    )
                })
                .collect();
            Final {
                witness: outcomes.contains(witness),
                from_installs: reads
                    .iter()
                    .all(|(lo, hi)| reader[*lo as usize] != 0 && reader[*hi as usize] != 0),
                detail: format!(
                    "read {}; pte ends {:#018x}",
                    returned.join(", "),
                    pte_asm::join(memory.0, memory.1)
                ),
                label,
            }
        }
    }
}

/// Every final state of `program` under x86-TSO, by breadth-first search
/// (so the trace to a witness is a shortest one).
pub fn explore(program: &Program) -> Exploration {
    search(program, false)
}

/// The same under sequential consistency (stores reach memory as they
/// execute): a witness found here needs no store buffering, only an
/// interleaving, and its trace reads like the seed's.
pub fn explore_sc(program: &Program) -> Exploration {
    search(program, true)
}

fn search(program: &Program, sc: bool) -> Exploration {
    let started = std::time::Instant::now();
    let initial = State {
        memory: program.init,
        threads: program
            .threads
            .iter()
            .map(|_| Thread {
                pc: 0,
                regs: [0; REGS],
                buffer: Vec::new(),
            })
            .collect(),
    };
    let mut index: HashMap<State, usize> = HashMap::new();
    // Per state: how it was reached (parent index, move).
    let mut parents: Vec<Option<(usize, Move)>> = vec![None];
    let mut states: Vec<State> = vec![initial.clone()];
    index.insert(initial, 0);
    let mut queue = VecDeque::from([0usize]);
    let mut finals: Vec<Final> = Vec::new();
    // The first (so shortest) witness reached, and the first built from
    // installed halves.
    let (mut witness_at, mut seedlike_at) = (None, None);
    let n = program.threads.len();
    while let Some(i) = queue.pop_front() {
        let state = states[i].clone();
        if state.finished(program) {
            let f = judge(program, &state);
            if f.witness {
                witness_at.get_or_insert(i);
                if f.from_installs {
                    seedlike_at.get_or_insert(i);
                }
            }
            if !finals.contains(&f) {
                finals.push(f);
            }
            continue;
        }
        for t in 0..n {
            for mv in [Move::Execute(t), Move::Flush(t)] {
                if let Some(next) = state.after(program, mv, sc)
                    && !index.contains_key(&next)
                {
                    index.insert(next.clone(), states.len());
                    parents.push(Some((i, mv)));
                    states.push(next);
                    queue.push_back(states.len() - 1);
                }
            }
        }
    }
    finals.sort();
    let witness_trace = seedlike_at.or(witness_at).map(|i| {
        (
            trace(program, &states, &parents, i, sc),
            judge(program, &states[i]),
        )
    });
    Exploration {
        finals,
        states: states.len(),
        seconds: started.elapsed().as_secs_f64(),
        witness_trace,
    }
}

/// The moves from the initial state to state `end`, one line each, in the
/// seed's style: `A: read ptep->pte_low, sees 0x00010067`.
fn trace(
    program: &Program,
    states: &[State],
    parents: &[Option<(usize, Move)>],
    end: usize,
    sc: bool,
) -> Vec<String> {
    let mut moves = Vec::new();
    let mut at = end;
    while let Some((parent, mv)) = parents[at] {
        moves.push((parent, mv, at));
        at = parent;
    }
    moves.reverse();
    moves
        .into_iter()
        .map(|(before, mv, after)| {
            let (before, after) = (&states[before], &states[after]);
            match mv {
                Move::Execute(t) => {
                    let name = &program.thread_names[t];
                    let pc = before.threads[t].pc as usize;
                    let instr = &program.threads[t][pc];
                    let regs = &after.threads[t].regs;
                    let sees = match instr.step {
                        Step::Load(_, r) => format!(", sees {:#010x}", regs[r as usize]),
                        Step::Load64(lo, hi)
                        | Step::Locked64(lo, hi)
                        | Step::Unlocked64(lo, hi) => {
                            format!(
                                ", sees {:#018x}",
                                pte_asm::join(regs[lo as usize], regs[hi as usize])
                            )
                        }
                        Step::Store(..) | Step::Increment(..) if !sc => {
                            " (into its store buffer)".to_string()
                        }
                        _ => String::new(),
                    };
                    format!("{name}: {}{sees}", instr.what)
                }
                Move::Flush(t) => {
                    let entry = before.threads[t].buffer[0];
                    let writes: Vec<String> = entry
                        .writes()
                        .iter()
                        .map(|(loc, v)| format!("{} = {v:#010x}", program.loc_names[*loc as usize]))
                        .collect();
                    format!(
                        "{}: store buffer -> memory: {}",
                        program.thread_names[t],
                        writes.join(", ")
                    )
                }
            }
        })
        .collect()
}

/// The model's verdict for `test` (with `strategy` for PTE tests), with
/// results cached per process: `list` and `run` ask for many.
pub fn verdict(test: Test, strategy: Option<ReadStrategy>) -> Expect {
    use std::sync::{Mutex, OnceLock};
    type Cache = Mutex<HashMap<(&'static str, Option<ReadStrategy>), Expect>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let key = (test.name(), strategy);
    let cache = CACHE.get_or_init(Default::default);
    if let Some(v) = cache.lock().unwrap().get(&key) {
        return *v;
    }
    let v = explore(&program(test, strategy)).verdict();
    cache.lock().unwrap().insert(key, v);
    v
}

/// `litmus model TEST`: every final state, the witness marked; with `why`,
/// a shortest interleaving that reaches it.
pub fn report(test: Test, strategy: Option<ReadStrategy>, why: bool) -> String {
    let program = program(test, strategy);
    let found = explore(&program);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} under x86-TSO (exhaustive, mixed-size)",
        program.title
    );
    for (t, code) in program.threads.iter().enumerate() {
        let steps: Vec<&str> = code.iter().map(|i| i.what.as_str()).collect();
        let _ = writeln!(out, "  {}: {}", program.thread_names[t], steps.join("; "));
    }
    let _ = writeln!(
        out,
        "States {} ({:.3} s); {} final state(s):",
        found.states,
        found.seconds,
        found.finals.len()
    );
    for f in &found.finals {
        let mark = if f.witness { "*>" } else { ": " };
        let _ = writeln!(out, "  {mark} {:<28} {}", f.label, f.detail);
    }
    let declared = test.expect(strategy);
    let _ = writeln!(
        out,
        "Witness: {} (declared {}{})",
        found.verdict().name(),
        declared.name(),
        if declared == found.verdict() {
            ", agrees"
        } else {
            ", DISAGREES"
        }
    );
    if why {
        let sc = explore_sc(&program);
        if sc.witness_trace.is_some() {
            let _ = writeln!(
                out,
                "\nThe witness needs no store buffering: an interleaving of whole instructions \
                 (sequential consistency) reaches it."
            );
        }
        let trace = sc.witness_trace.as_ref().or(found.witness_trace.as_ref());
        match trace {
            Some((lines, end)) => {
                let _ = writeln!(out, "\nA shortest interleaving to the witness:");
                for line in lines {
                    let _ = writeln!(out, "  {line}");
                }
                let _ = writeln!(out, "  => {}: {}", end.label, end.detail);
            }
            None => {
                let _ = writeln!(
                    out,
                    "\nNo interleaving reaches the witness: x86-TSO forbids it."
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{CLASSIC, PTE};
    use ReadStrategy as S;

    fn model(name: &str, strategy: Option<ReadStrategy>) -> Expect {
        explore(&program(Test::by_name(name).unwrap(), strategy)).verdict()
    }

    #[test]
    fn the_classic_tests_come_out_as_x86_tso_says() {
        for name in ["SB", "R", "SB+lfences"] {
            assert_eq!(model(name, None), Expect::Allowed, "{name}");
        }
        for name in [
            "MP",
            "LB",
            "CoRR",
            "2+2W",
            "IRIW",
            "SB+mfences",
            "SB+lockadds",
        ] {
            assert_eq!(model(name, None), Expect::Forbidden, "{name}");
        }
    }

    #[test]
    fn the_pte_races_come_out_as_the_seed_says() {
        assert_eq!(model("PTE-MP", Some(S::Split)), Expect::Allowed);
        assert_eq!(model("PTE-MP", Some(S::Lowhigh)), Expect::Forbidden);
        assert_eq!(model("PTE-ABA", Some(S::Lowhigh)), Expect::Allowed);
        for s in [S::Cmpxchg8b, S::MovqSse2, S::Fild, S::Seqcount] {
            assert_eq!(model("PTE-ABA", Some(s)), Expect::Forbidden, "{s:?}");
        }
        assert_eq!(model("PTE-LOST", Some(S::Cmpxchg8bNolock)), Expect::Allowed);
        assert_eq!(model("PTE-LOST", Some(S::Cmpxchg8b)), Expect::Forbidden);
    }

    #[test]
    fn every_declared_expectation_is_the_models() {
        for t in CLASSIC {
            assert_eq!(model(t.name, None), t.expect, "{}", t.name);
        }
        for t in PTE {
            for s in ReadStrategy::ALL {
                assert_eq!(
                    model(t.name, Some(s)),
                    (t.expect)(s),
                    "{} {}",
                    t.name,
                    s.name()
                );
            }
        }
    }

    #[test]
    fn the_aba_trace_is_the_seeds() {
        let test = Test::by_name("PTE-ABA").unwrap();
        let report = report(test, Some(S::Lowhigh), true);
        let trace: Vec<&str> = report
            .lines()
            .skip_while(|l| !l.starts_with("A shortest"))
            .skip(1)
            .map(str::trim)
            .collect();
        assert_eq!(
            trace,
            [
                "A: read ptep->pte_low, sees 0x00010067",
                "B: zap: pte_low = 0",
                "B: zap: pte_high = 0",
                "B: install B: pte_high = 0x00010002",
                "A: read ptep->pte_high, sees 0x00010002",
                "B: install B: pte_low = 0x00020067",
                "B: zap: pte_low = 0",
                "B: zap: pte_high = 0",
                "B: install C: pte_high = 0x00010003",
                "B: install C: pte_low = 0x00010067",
                "A: read ptep->pte_low, sees 0x00010067",
                "A: pte_low unchanged: return",
                // The seed's 0x0001000200010000, with a present page's flags.
                "=> torn: read 0x0001000200010067; pte ends 0x0001000300010067",
            ]
        );
    }

    #[test]
    fn sb_needs_the_store_buffer() {
        // Under sequential consistency SB's witness is unreachable; only the
        // store buffer makes it allowed, so the buffer is really modelled.
        let sb = program(Test::by_name("SB").unwrap(), None);
        assert_eq!(explore_sc(&sb).verdict(), Expect::Forbidden);
        assert_eq!(explore(&sb).verdict(), Expect::Allowed);
        let trace = report(Test::by_name("SB").unwrap(), None, true);
        assert!(trace.contains("(into its store buffer)"), "{trace}");
    }

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
