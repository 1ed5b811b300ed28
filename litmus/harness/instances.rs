//! A litmus program's memory for one batch: each instance's locations
//! (each alone in a 128-byte pair of lines, or packed 8 bytes apart as
//! litmus7 lays them out: [`Layout`]); each thread's recorded registers per
//! instance; which instances were abandoned (a `spin_lock()` never taken);
//! the order in which the batch visits its instances; and the counting of
//! outcomes between batches.

use crate::catalog::program::{MAX_OBSERVED, Observable, Program, Size};
use pte_asm::{Pte, Word, read, write};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// An aligned 128-byte pair of lines: sixteen 8-byte cells (a 4-byte
/// location uses a cell's low half).
#[repr(align(128))]
#[derive(Default)]
struct Lines([Pte; 16]);

/// Where a batch's locations lie: cell `j` (location `l` of the instance in
/// `slot` is `j = l * (batch + SKEW) + slot`) is `cells[base + (j >> shift)]
/// .0[j & mask]`. Own lines: each cell the first of its own pair of lines,
/// so the adjacent-line prefetcher never drags another instance's or
/// location's line along with it. Packed: sixteen consecutive cells to a
/// pair of lines, as litmus7's arrays are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    base: usize,
    shift: u32,
    mask: usize,
}
/// Slots between two locations' arrays beyond the batch: 33 slots of 128
/// bytes shift location `l` by `l * 4224` bytes, so the locations of one
/// instance never share their low 12 address bits. A load that 4K-aliases
/// an older store of the same thread is delayed by the CPU's memory
/// disambiguation, which would narrow the window being measured.
const SKEW: usize = 33;

/// An outcome: its observed values, the first `len` of `values`. Hashed
/// and compared on those alone: a key of all 16 slots hashed 16 values
/// for SB's two.
#[derive(Clone, Copy, Debug)]
pub struct Outcome {
    values: [u64; MAX_OBSERVED],
    len: u8,
}

impl Outcome {
    pub fn values(&self) -> &[u64] {
        &self.values[..self.len as usize]
    }
}

impl PartialEq for Outcome {
    fn eq(&self, other: &Outcome) -> bool {
        self.values() == other.values()
    }
}

impl Eq for Outcome {}

impl std::hash::Hash for Outcome {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for v in self.values() {
            state.write_u64(*v);
        }
    }
}

/// How often an outcome was seen, and whether it is the witness (judged
/// once, when first seen).
#[derive(Clone, Copy, Debug, Default)]
pub struct Seen {
    pub count: u64,
    pub witness: bool,
}

/// The histogram of a run: outcomes and how often each was seen. Counted
/// between batches while the other threads wait at a barrier, so it must
/// be quick: one lookup per instance, a multiply per value, not SipHash.
pub type Histogram = HashMap<Outcome, Seen, BuildHasherDefault<KeyHasher>>;

/// FxHash's mixing step (rustc's own hasher), for small integer keys.
#[derive(Default)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    /// An array of `u64`s arrives here as its bytes: eight at a time, or
    /// a key of 16 values costs 128 multiplications in a chain (about 900
    /// ticks a key here, which made counting a batch take eight times as
    /// long as running it).
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.write_u64(u64::from_le_bytes(chunk.try_into().unwrap()));
        }
        for b in chunks.remainder() {
            self.write_u64(*b as u64);
        }
    }

    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn write_usize(&mut self, x: usize) {
        self.write_u64(x as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Where each observed value of an outcome comes from.
#[derive(Clone, Copy)]
enum Source {
    /// Thread `t`'s `k`-th recorded register.
    Register(usize, usize),
    /// Location `l`'s final value.
    Location(u8, Size),
}

/// One batch's worth of instances of one program.
pub struct Instances {
    /// Instances per batch.
    pub batch: usize,
    /// Every location's cells, both layouts (see [`Layout`]): first one
    /// pair of lines per cell, then the packed cells.
    cells: Vec<Lines>,
    /// Cells in each layout: `locations * (batch + SKEW)`.
    per_layout: usize,
    /// Per thread, the registers it records (the observed ones).
    pub recorded: Vec<Vec<u8>>,
    /// Whether registers are 8 bytes wide (else only low halves are kept).
    wide: bool,
    /// Per thread, per instance, its recorded registers (two words each).
    registers: Vec<Vec<Word>>,
    /// Per instance, non-zero when a thread abandoned it (its
    /// `spin_lock()` was never taken): written only then, read and cleared
    /// by the count.
    abandoned: Vec<Word>,
    /// The order in which this batch visits its slots: a fresh random
    /// permutation (no prefetcher can run ahead of a thread and fetch
    /// another thread's lines early) or descending (litmus7's order, which
    /// lets them). Written by thread 0 between batches.
    order: Vec<Word>,
    /// Which thread resets each location between batches: its first loader.
    owner: Vec<usize>,
    /// Each location's initial value and size.
    init: Vec<(u64, Size)>,
    /// Each observed column's source, in order.
    sources: Vec<Source>,
}

impl Instances {
    pub fn new(program: &Program, batch: usize, wide: bool) -> Instances {
        let recorded: Vec<Vec<u8>> = (0..program.threads.len())
            .map(|t| {
                program
                    .observed
                    .iter()
                    .filter_map(|o| match *o {
                        Observable::Reg { thread, reg } if thread as usize == t => Some(reg),
                        _ => None,
                    })
                    .collect()
            })
            .collect();
        let per_layout = program.locations.len() * (batch + SKEW);
        let instances = Instances {
            batch,
            cells: (0..per_layout + per_layout.div_ceil(16))
                .map(|_| Lines::default())
                .collect(),
            per_layout,
            registers: recorded
                .iter()
                .map(|r| (0..batch * r.len() * 2).map(|_| Word::new(0)).collect())
                .collect(),
            recorded,
            abandoned: (0..batch).map(|_| Word::new(0)).collect(),
            wide,
            order: (0..batch as u32).map(Word::new).collect(),
            owner: program.owners(),
            init: program.locations.iter().map(|l| (l.init, l.size)).collect(),
            sources: sources(program),
        };
        for packed in [false, true] {
            for l in 0..instances.init.len() {
                instances.reset(instances.layout(packed), l, batch);
            }
        }
        instances
    }

    /// The own-lines or the packed layout.
    pub fn layout(&self, packed: bool) -> Layout {
        if packed {
            Layout {
                base: self.per_layout,
                shift: 4,
                mask: 15,
            }
        } else {
            Layout {
                base: 0,
                shift: 0,
                mask: 0,
            }
        }
    }

    /// Location `l` of the instance in `slot`, laid out as `at`.
    #[inline(always)]
    pub fn location(&self, at: Layout, slot: usize, l: u8) -> &Pte {
        let j = l as usize * (self.batch + SKEW) + slot;
        &self.cells[at.base + (j >> at.shift)].0[j & at.mask]
    }

    /// The slot the batch visits `i`-th.
    #[inline(always)]
    pub fn slot_at(&self, i: usize) -> usize {
        read::load32(&self.order[i]) as usize
    }

    /// Thread `t` records its `k`-th recorded register of the instance in
    /// `slot`: plain stores, after the body.
    #[inline(always)]
    pub fn record(&self, t: usize, slot: usize, k: usize, value: u64) {
        let base = (slot * self.recorded[t].len() + k) * 2;
        write::store32(&self.registers[t][base], value as u32);
        if self.wide {
            write::store32(&self.registers[t][base + 1], (value >> 32) as u32);
        }
    }

    /// A thread gave up the instance in `slot` (a lock it never got): the
    /// count leaves it out. A plain store, after the body.
    #[inline(always)]
    pub fn abandon(&self, slot: usize) {
        write::store32(&self.abandoned[slot], 1);
    }

    fn recorded_value(&self, t: usize, slot: usize, k: usize) -> u64 {
        let base = (slot * self.recorded[t].len() + k) * 2;
        read::load32(&self.registers[t][base]) as u64
            | (read::load32(&self.registers[t][base + 1]) as u64) << 32
    }

    /// Location `l`'s first `len` instances back to its initial value.
    fn reset(&self, at: Layout, l: usize, len: usize) {
        let (value, size) = self.init[l];
        for slot in 0..len {
            let p = self.location(at, slot, l as u8);
            write::store32(p.low_word(), value as u32);
            if size == Size::Eight {
                write::store32(p.high_word(), (value >> 32) as u32);
            }
        }
    }

    /// Thread `t`, between batches: reset the locations it owns for the
    /// next batch's `len` instances, so their lines start it in its cache.
    pub fn reset_owned(&self, at: Layout, t: usize, len: usize) {
        for (l, &owner) in self.owner.iter().enumerate() {
            if owner == t {
                self.reset(at, l, len);
            }
        }
    }

    /// Thread 0, between batches: visit the next `len` slots in a fresh
    /// random order, or from the last down.
    pub fn order(&self, len: usize, shuffled: bool) {
        if shuffled {
            shuffle(&self.order[..len]);
        } else {
            for (i, word) in self.order[..len].iter().enumerate() {
                write::store32(word, (len - 1 - i) as u32);
            }
        }
    }

    /// Thread 0, between batches: add each of the first `len` instances'
    /// outcome to `histogram` (`is_witness` judging each new one), leaving
    /// out (and clearing for the next batch) the abandoned ones; returns
    /// how many were the witness, and how many were abandoned.
    pub fn count(
        &self,
        at: Layout,
        len: usize,
        histogram: &mut Histogram,
        is_witness: impl Fn(&[u64]) -> bool,
    ) -> Counted {
        let mut counted = Counted::default();
        for slot in 0..len {
            if read::load32(&self.abandoned[slot]) != 0 {
                write::store32(&self.abandoned[slot], 0);
                counted.abandoned += 1;
                continue;
            }
            let mut key = Outcome {
                values: [0; MAX_OBSERVED],
                len: self.sources.len() as u8,
            };
            for (value, source) in key.values.iter_mut().zip(&self.sources) {
                *value = match *source {
                    Source::Register(t, k) => self.recorded_value(t, slot, k),
                    Source::Location(l, size) => {
                        let p = self.location(at, slot, l);
                        let low = read::load32(p.low_word()) as u64;
                        match size {
                            Size::Four => low,
                            Size::Eight => low | (read::load32(p.high_word()) as u64) << 32,
                        }
                    }
                };
            }
            let seen = histogram.entry(key).or_insert_with(|| Seen {
                count: 0,
                witness: is_witness(key.values()),
            });
            seen.count += 1;
            counted.witnesses += seen.witness as usize;
        }
        counted
    }
}

/// What counting a batch found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counted {
    /// Instances whose outcome was the witness.
    pub witnesses: usize,
    /// Instances abandoned, not counted as outcomes.
    pub abandoned: usize,
}

/// Each observed column's source: a thread's recorded registers are its
/// observed ones, in the order observed.
fn sources(program: &Program) -> Vec<Source> {
    let mut next = vec![0usize; program.threads.len()];
    program
        .observed
        .iter()
        .map(|o| match *o {
            Observable::Reg { thread, .. } => {
                let t = thread as usize;
                next[t] += 1;
                Source::Register(t, next[t] - 1)
            }
            Observable::Loc(l) => Source::Location(l, program.locations[l as usize].size),
        })
        .collect()
}

/// Make `order` a fresh random permutation of the slots `0..order.len()`:
/// exactly the slots the batch runs, which counting and the resets cover.
fn shuffle(order: &[Word]) {
    let mut slots: Vec<u32> = (0..order.len() as u32).collect();
    fastrand::shuffle(&mut slots);
    for (word, slot) in order.iter().zip(slots) {
        write::store32(word, slot);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Test;

    fn program(name: &str) -> Program {
        match Test::by_name(name) {
            Some(Test::Classic(t)) => t.program(),
            _ => panic!("{name}"),
        }
    }

    #[test]
    fn each_location_is_reset_by_a_thread_that_only_reads_it() {
        // SB: thread 0 reads y, thread 1 reads x.
        assert_eq!(program("SB").owners(), [1, 0]);
        // MP: thread 1 reads both.
        assert_eq!(program("MP").owners(), [1, 1]);
        // 2+2W reads nothing: thread 0.
        assert_eq!(program("2+2W").owners(), [0, 0]);
        // SB+rfi-pos: each thread reads its own store back first; x's line
        // belongs at thread 1, which only reads it, y's at thread 0.
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/litmus/x86/SB+rfi-pos.litmus"),
        )
        .unwrap();
        let p = crate::catalog::file::from_text(&text).unwrap().program;
        assert_eq!(p.owners(), [1, 0]);
    }

    #[test]
    fn the_layouts_are_disjoint_and_packed_cells_share_lines() {
        let p = program("SB");
        let m = Instances::new(&p, 64, false);
        let (lines, packed) = (m.layout(false), m.layout(true));
        let addr = |at, slot, l| m.location(at, slot, l) as *const Pte as usize;
        let mut all = std::collections::HashSet::new();
        for at in [lines, packed] {
            for l in 0..2 {
                for slot in 0..64 {
                    assert!(all.insert(addr(at, slot, l)), "{at:?} {slot} {l}");
                }
            }
        }
        assert_eq!(addr(lines, 1, 0) - addr(lines, 0, 0), 128);
        assert_eq!(addr(packed, 1, 0) - addr(packed, 0, 0), 8);
        assert_eq!(addr(packed, 16, 0) - addr(packed, 15, 0), 8);
        // One instance's locations never share their low 12 address bits.
        assert_ne!((addr(lines, 0, 1) - addr(lines, 0, 0)) % 4096, 0);
        assert_ne!((addr(packed, 0, 1) - addr(packed, 0, 0)) % 4096, 0);
    }

    #[test]
    fn each_batch_visits_exactly_its_own_slots() {
        let order: Vec<Word> = (0..64).map(|_| Word::new(63)).collect();
        for len in [64, 10, 1, 0] {
            shuffle(&order[..len]);
            let mut slots: Vec<u32> = order[..len].iter().map(read::load32).collect();
            slots.sort_unstable();
            assert_eq!(
                slots,
                (0..len as u32).collect::<Vec<_>>(),
                "a batch of {len}"
            );
        }
    }

    #[test]
    fn only_observed_registers_are_recorded_and_counted_back() {
        let p = program("MP");
        let m = Instances::new(&p, 4, false);
        assert_eq!(m.recorded, [vec![], vec![0, 1]]);
        m.record(1, 2, 0, 1);
        m.record(1, 2, 1, 0);
        let mut h = Histogram::default();
        let counted = m.count(m.layout(false), 4, &mut h, |v| v == [1, 0]);
        assert_eq!(counted.witnesses, 1);
        assert_eq!(counted.abandoned, 0);
        let outcome = |a, b| {
            let mut values = [0; MAX_OBSERVED];
            (values[0], values[1]) = (a, b);
            Outcome { values, len: 2 }
        };
        assert_eq!(h[&outcome(1, 0)].count, 1, "{h:?}");
        assert!(h[&outcome(1, 0)].witness);
        assert_eq!(h[&outcome(0, 0)].count, 3);
        assert!(!h[&outcome(0, 0)].witness);
    }

    #[test]
    fn an_abandoned_instance_is_not_counted_and_its_mark_is_cleared() {
        let p = program("MP");
        let m = Instances::new(&p, 4, false);
        m.abandon(1);
        m.abandon(3);
        let mut h = Histogram::default();
        let counted = m.count(m.layout(false), 4, &mut h, |_| false);
        assert_eq!(counted.abandoned, 2);
        let total: u64 = h.values().map(|s| s.count).sum();
        assert_eq!(total, 2, "{h:?}");
        // The next batch starts with no instance abandoned.
        let counted = m.count(m.layout(false), 4, &mut Histogram::default(), |_| false);
        assert_eq!(counted.abandoned, 0);
    }
}
