//! The protocols' model: for a read protocol against a write protocol,
//! whether any choice of installed PTEs lets a read return a PTE that was
//! never installed, and the fewest zap+install cycles that must land
//! inside the read for it (`litmus protocols`).
//!
//! Why a search of its own, and why it is still x86-TSO: every reader here
//! only loads, and the writers take turns (the page-table lock; the
//! hardware run's turn token), so x86-TSO puts all their stores in one
//! order (each writer's in program order, "Writes are not reordered with
//! other writes"; the next writer's after the token it read). Memory then
//! passes through the prefixes of that order, and each of the reader's
//! loads reads one word of one prefix, later loads of later (or the same)
//! prefixes ("Reads are not reordered with other reads"). Which writer
//! makes a store does not matter, so the answer does not depend on how
//! many writers there are; the hardware's rate does. The general explorer
//! ([`super::search`]) reaches the same verdicts on concrete installs
//! (`tests`), but it takes values as given, and here the values are the
//! question.
//!
//! The installs are symbols: install `k` has low half `l_k` and high half
//! `h_k`, and the adversary decides which are equal. A recheck that
//! compares two different symbols succeeds only if they are made equal (a
//! failing recheck retries, which is the same read started later, another
//! path of the search). What may not be made equal: an install's low half
//! and zero (an install is present), and for the generation writer two low
//! halves fewer than 8 installs apart. A read returning `(x, y)` is torn if
//! `x` is present and no install has both `x` and `y`; every symbol not
//! forced equal to another can be given its own value, so that is decided
//! on the classes alone.

use super::program::{PTE_HIGH, PTE_LOW, SEQ, install_steps_with, zap_steps_with};
use super::{Cond, Instr, Read, Reg, Rmw, Step, Value};
use crate::catalog::protocol::{GENERATIONS, Pair, Reader, Writer};

/// The fewest cycles the model tries by default; the issue asks for at
/// least 8, which is where a 3-bit generation number wraps.
pub const DEFAULT_BOUND: u32 = 8;

/// A torn read the model found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Witness {
    /// Zap+install cycles the writers made.
    pub cycles: u32,
    /// The PTE the read started on, then each install, as concrete values.
    pub installs: Vec<(u32, u32)>,
    /// What the read returned.
    pub returned: (u32, u32),
    /// The interleaving, one line per access, in the seed's style.
    pub trace: Vec<String>,
}

/// What the model says of one pair, up to `bound` cycles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub pair: Pair,
    pub bound: u32,
    /// The fewest cycles for any torn read.
    pub torn: Option<Witness>,
    /// The fewest for a torn read whose halves are both non-zero (both
    /// from installed PTEs, as the seed's).
    pub from_installs: Option<Witness>,
}

impl Answer {
    /// `1`, `2 (3)` when the seed-like tear needs more, or `whole <= 8`.
    pub fn cell(&self) -> String {
        match (&self.torn, &self.from_installs) {
            (None, _) => format!("whole <= {}", self.bound),
            (Some(t), Some(f)) if f.cycles != t.cycles => format!("{} ({})", t.cycles, f.cycles),
            (Some(t), _) => t.cycles.to_string(),
        }
    }
}

/// The reader's loads and rechecks as model steps, and where it leaves
/// its result.
pub fn reader_steps(reader: Reader) -> (Vec<Instr>, Read) {
    let load = |at, reg: Reg, what: &str| Instr {
        step: Step::Load {
            at,
            wide: false,
            reg,
        },
        what: what.to_string(),
    };
    let assume = |cond, what: &str| Instr {
        step: Step::Assume(cond),
        what: what.to_string(),
    };
    let (lo, hi, t0, t1) = (0, 1, 2, 3);
    let low = |r| load(PTE_LOW, r, "read ptep->pte_low");
    let high = |r| load(PTE_HIGH, r, "read ptep->pte_high");
    let steps = match reader.with_compiler_barrier() {
        Reader::Lowhigh => vec![
            low(lo),
            high(hi),
            load(PTE_LOW, t0, "read ptep->pte_low again"),
            assume(Cond::Equal(lo, t0), "pte_low unchanged: return"),
        ],
        Reader::Highlow => vec![
            high(hi),
            low(lo),
            load(PTE_HIGH, t0, "read ptep->pte_high again"),
            assume(Cond::Equal(hi, t0), "pte_high unchanged: return"),
        ],
        Reader::Lowhighlowhigh | Reader::Twice => vec![
            low(lo),
            high(hi),
            load(PTE_LOW, t0, "read ptep->pte_low again"),
            load(PTE_HIGH, t1, "read ptep->pte_high again"),
            assume(Cond::Equal(lo, t0), "pte_low unchanged"),
            assume(Cond::Equal(hi, t1), "pte_high unchanged: return"),
        ],
        Reader::Seqcount => vec![
            load(SEQ, t0, "read sequence"),
            low(lo),
            high(hi),
            load(SEQ, t1, "read sequence again"),
            assume(
                Cond::EqualEven(t0, t1),
                "sequence even and unchanged: return",
            ),
        ],
        lfence => unreachable!("{lfence:?} has a compiler-barrier twin"),
    };
    (steps, Read::Halves(lo, hi))
}

/// The writers' `cycles` turns, one zap and one install each, in the one
/// order they reach memory. Stored values are symbols: 0 is zero, `k + 1`
/// install `k`'s half (install 0 is the PTE the read starts on).
pub fn writer_steps(writer: Writer, cycles: u32) -> Vec<Instr> {
    let mut steps = Vec::new();
    for k in 1..=cycles {
        steps.extend(zap_steps_with(
            writer == Writer::Seqcount,
            writer.zaps_low_first(),
        ));
        let name = install_name(k);
        let symbol = k + 1;
        steps.extend(install_steps_with(
            writer == Writer::Seqcount,
            writer.installs_high_first(),
            &name,
            (symbol, symbol),
        ));
    }
    steps
}

/// The seed's names for installs 0, 1, 2, ...: A, B, C.
fn install_name(k: u32) -> String {
    char::from(b'A' + (k % 26) as u8).to_string()
}

/// A half as the search knows it: a symbol (0: zero, `k + 1`: install
/// `k`'s), or a sequence count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Half {
    Low(u8),
    High(u8),
    Seq(u32),
    Unset,
}

/// Memory after each store of the writers' order.
#[derive(Clone, Copy, Debug)]
struct Memory {
    low: u8,
    high: u8,
    seq: u32,
}

fn timeline(writer: &[Instr]) -> (Vec<Memory>, Vec<usize>) {
    let mut memory = vec![Memory {
        low: 1,
        high: 1,
        seq: 0,
    }];
    // The writer step that made each state (after the first).
    let mut made_by = vec![usize::MAX];
    for (i, instr) in writer.iter().enumerate() {
        let mut next = *memory.last().unwrap();
        match instr.step {
            Step::Store {
                at,
                value: Value::Imm(v),
                ..
            } => match at {
                PTE_LOW => next.low = v as u8,
                PTE_HIGH => next.high = v as u8,
                _ => unreachable!("the writers store only the PTE"),
            },
            Step::Rmw {
                at: SEQ,
                op: Rmw::Add(Value::Imm(1)),
                ..
            } => next.seq += 1,
            ref other => unreachable!("a writer step the search does not know: {other:?}"),
        }
        memory.push(next);
        made_by.push(i);
    }
    (memory, made_by)
}

/// Which symbols the adversary has made equal: a class per symbol, lows
/// and highs apart.
#[derive(Clone, Debug)]
struct Classes {
    low: Vec<u8>,
    high: Vec<u8>,
}

impl Classes {
    fn new(symbols: usize) -> Classes {
        Classes {
            low: (0..symbols as u8).collect(),
            high: (0..symbols as u8).collect(),
        }
    }

    fn find(parent: &[u8], mut x: u8) -> u8 {
        while parent[x as usize] != x {
            x = parent[x as usize];
        }
        x
    }

    /// Make `a` and `b` equal, if the writer allows it.
    fn merge(&mut self, low: bool, a: u8, b: u8, writer: Writer) -> bool {
        let parent = if low { &mut self.low } else { &mut self.high };
        let (ra, rb) = (Classes::find(parent, a), Classes::find(parent, b));
        if ra == rb {
            return true;
        }
        parent[ra.max(rb) as usize] = ra.min(rb);
        if !low {
            return true; // any high may equal any other, zero included
        }
        let members: Vec<u8> = (0..parent.len() as u8)
            .filter(|&s| Classes::find(parent, s) == ra.min(rb))
            .collect();
        // An install is present: its low half is never zero.
        if members.contains(&0) {
            return false;
        }
        // The generation writer: lows fewer than 8 installs apart differ.
        if writer == Writer::Generation {
            for &x in &members {
                for &y in &members {
                    let apart = x.abs_diff(y) as u32;
                    if apart > 0 && apart < GENERATIONS {
                        return false;
                    }
                }
            }
        }
        true
    }

    fn same(&self, low: bool, a: u8, b: u8) -> bool {
        let parent = if low { &self.low } else { &self.high };
        Classes::find(parent, a) == Classes::find(parent, b)
    }
}

/// One path of the search: where each of the reader's steps read.
#[derive(Clone, Debug)]
struct Path {
    /// Per reader step, the state it read (loads only).
    at: Vec<Option<usize>>,
    classes: Classes,
    returned: (Half, Half),
}

struct Search<'a> {
    reader: &'a [Instr],
    read: Read,
    memory: &'a [Memory],
    writer: Writer,
    installs: u8,
    /// Only torn reads whose halves are both non-zero.
    from_installs: bool,
}

impl Search<'_> {
    fn first_torn(&self) -> Option<Path> {
        let path = Path {
            at: vec![None; self.reader.len()],
            classes: Classes::new(self.installs as usize + 1),
            returned: (Half::Unset, Half::Unset),
        };
        self.step(0, 0, [Half::Unset; 4], path)
    }

    fn step(&self, pc: usize, pos: usize, regs: [Half; 4], mut path: Path) -> Option<Path> {
        let Some(instr) = self.reader.get(pc) else {
            let Read::Halves(lo, hi) = self.read else {
                unreachable!("protocol reads return halves")
            };
            path.returned = (regs[lo as usize], regs[hi as usize]);
            return self.torn(&path).then_some(path);
        };
        match instr.step {
            Step::Load { at, reg, .. } => {
                let word = |m: &Memory| match at {
                    PTE_LOW => Half::Low(m.low),
                    PTE_HIGH => Half::High(m.high),
                    _ => Half::Seq(m.seq),
                };
                // Each value the word takes from here on, at the first
                // state that has it: reading it there leaves every later
                // state to the later loads.
                let mut q = pos;
                while q < self.memory.len() {
                    let mut regs = regs;
                    regs[reg as usize] = word(&self.memory[q]);
                    let mut next = path.clone();
                    next.at[pc] = Some(q);
                    if let Some(found) = self.step(pc + 1, q, regs, next) {
                        return Some(found);
                    }
                    let value = word(&self.memory[q]);
                    q += 1;
                    while q < self.memory.len() && word(&self.memory[q]) == value {
                        q += 1;
                    }
                }
                None
            }
            Step::Assume(cond) => {
                if self.passes(cond, &regs, &mut path.classes) {
                    self.step(pc + 1, pos, regs, path)
                } else {
                    None
                }
            }
            ref other => unreachable!("a reader step the search does not know: {other:?}"),
        }
    }

    /// Whether a recheck passes: two halves of the same word pass when the
    /// adversary may make them equal (and then does); a sequence count
    /// must be even and unchanged.
    fn passes(&self, cond: Cond, regs: &[Half; 4], classes: &mut Classes) -> bool {
        match cond {
            Cond::Equal(a, b) => match (regs[a as usize], regs[b as usize]) {
                (Half::Low(x), Half::Low(y)) => classes.merge(true, x, y, self.writer),
                (Half::High(x), Half::High(y)) => classes.merge(false, x, y, self.writer),
                (x, y) => x == y,
            },
            Cond::EqualEven(a, b) => match (regs[a as usize], regs[b as usize]) {
                (Half::Seq(x), Half::Seq(y)) => x == y && x % 2 == 0,
                _ => false,
            },
            Cond::Is(..) => unreachable!("readers do not take turns"),
            Cond::Jcc(..) => unreachable!("readers do not jump"),
        }
    }

    /// Present, and no install has both halves' classes.
    fn torn(&self, path: &Path) -> bool {
        let (Half::Low(x), Half::High(y)) = path.returned else {
            return false;
        };
        let c = &path.classes;
        if c.same(true, x, 0) {
            return false; // not present
        }
        if self.from_installs && c.same(false, y, 0) {
            return false;
        }
        !(1..=self.installs).any(|k| c.same(true, k, x) && c.same(false, k, y))
    }
}

/// The model's answer for `pair`, trying 1 to `bound` cycles.
pub fn answer(pair: Pair, bound: u32) -> Answer {
    let fewest =
        |from_installs: bool| (1..=bound).find_map(|cycles| witness(pair, cycles, from_installs));
    Answer {
        pair,
        bound,
        torn: fewest(false),
        from_installs: fewest(true),
    }
}

/// A torn read with exactly `cycles` cycles, if there is one.
fn witness(pair: Pair, cycles: u32, from_installs: bool) -> Option<Witness> {
    let (reader, read) = reader_steps(pair.reader);
    let writer = writer_steps(pair.writer, cycles);
    let (memory, made_by) = timeline(&writer);
    let search = Search {
        reader: &reader,
        read,
        memory: &memory,
        writer: pair.writer,
        installs: cycles as u8 + 1,
        from_installs,
    };
    let path = search.first_torn()?;
    let run = trace::Run {
        reader: &reader,
        writer: &writer,
        memory: &memory,
        made_by: &made_by,
    };
    Some(trace::render(pair, cycles, &run, &path))
}

/// The torn read, if it is one, of a read whose loads returned `loaded`
/// (one per load of [`reader_steps`], in order) from a writer that made
/// `cycles` zap+install cycles: its rechecks passing where the adversary
/// may make two halves equal, as [`answer`]'s search judges each path.
/// For a model that finds which stores the loads read by itself (the
/// LKMM's, `litmus protocols --model lkmm`) and asks the same question of
/// them.
pub fn judge_read(
    pair: Pair,
    cycles: u32,
    loaded: &[Half],
    from_installs: bool,
) -> Option<Witness> {
    let (reader, read) = reader_steps(pair.reader);
    let search = Search {
        reader: &reader,
        read,
        memory: &[],
        writer: pair.writer,
        installs: cycles as u8 + 1,
        from_installs,
    };
    let mut path = Path {
        at: vec![None; reader.len()],
        classes: Classes::new(cycles as usize + 2),
        returned: (Half::Unset, Half::Unset),
    };
    let mut regs = [Half::Unset; 4];
    let mut loads = loaded.iter();
    for instr in &reader {
        match instr.step {
            Step::Load { reg, .. } => regs[reg as usize] = *loads.next()?,
            Step::Assume(cond) => {
                if !search.passes(cond, &regs, &mut path.classes) {
                    return None;
                }
            }
            ref other => unreachable!("a reader step the search does not know: {other:?}"),
        }
    }
    let Read::Halves(lo, hi) = read else {
        unreachable!("protocol reads return halves")
    };
    path.returned = (regs[lo as usize], regs[hi as usize]);
    search
        .torn(&path)
        .then(|| trace::render_loads(pair, cycles, &reader, loaded, &path))
}

mod trace;

#[cfg(test)]
mod tests;
