//! A classic test's memory for one batch: each instance's locations, each
//! alone in a 128-byte pair of lines; each thread's registers per instance;
//! the order in which the batch visits its instances; and the counting of
//! outcomes between batches.

use crate::catalog::classic::{ClassicTest, LOCATIONS, Observe, Op, REGISTERS};
use pte_asm::{Word, read, write};
use std::collections::HashMap;

/// A classic test's location: alone in an aligned 128-byte pair of lines,
/// so the adjacent-line prefetcher never drags another instance's or
/// location's line along with it.
#[repr(align(128))]
#[derive(Default)]
struct Slot(Word);

/// Slots between two locations' arrays beyond the batch: 33 slots of 128
/// bytes shift location `l` by `l * 4224` bytes, so the locations of one
/// instance never share their low 12 address bits. A load that 4K-aliases
/// an older store of the same thread is delayed by the CPU's memory
/// disambiguation, which would narrow the window being measured.
const SKEW: usize = 33;

/// One batch's worth of instances of one test.
pub struct Instances {
    /// Instances per batch.
    pub batch: usize,
    /// Every location's slots, location `l` of instance `i` at
    /// `l * (batch + SKEW) + i` (see [`SKEW`]).
    slots: Vec<Slot>,
    /// Per thread, per instance, its registers.
    registers: Vec<Vec<Word>>,
    /// The order in which this batch visits its slots: a fresh random
    /// permutation each batch, so no prefetcher can run ahead of a thread
    /// and fetch another thread's lines early. Written by thread 0 between
    /// batches.
    order: Vec<Word>,
    /// Which thread resets each location between batches: its first loader.
    owner: [usize; LOCATIONS],
}

impl Instances {
    pub fn new(test: &ClassicTest, batch: usize) -> Instances {
        Instances {
            batch,
            slots: (0..LOCATIONS * (batch + SKEW))
                .map(|_| Slot::default())
                .collect(),
            registers: (0..test.threads.len())
                .map(|_| (0..batch * REGISTERS).map(|_| Word::new(0)).collect())
                .collect(),
            order: (0..batch as u32).map(Word::new).collect(),
            owner: owners(test),
        }
    }

    /// Location `l`'s slots.
    fn location(&self, l: usize) -> &[Slot] {
        let start = l * (self.batch + SKEW);
        &self.slots[start..start + self.batch]
    }

    /// Instance `i`'s locations.
    #[inline(always)]
    pub fn instance(&self, i: usize) -> [&Word; LOCATIONS] {
        std::array::from_fn(|l| &self.slots[l * (self.batch + SKEW) + i].0)
    }

    /// The slot the batch visits `i`-th.
    #[inline(always)]
    pub fn slot_at(&self, i: usize) -> usize {
        read::load32(&self.order[i]) as usize
    }

    /// Thread `t`'s register `r` of the instance in `slot`.
    #[inline(always)]
    pub fn register(&self, t: usize, slot: usize, r: usize) -> &Word {
        &self.registers[t][slot * REGISTERS + r]
    }

    /// Thread `t`, between batches: zero the locations it owns, so their
    /// lines start the next batch in its cache.
    pub fn reset_owned(&self, t: usize, len: usize) {
        for (l, &owner) in self.owner.iter().enumerate() {
            if owner == t {
                for slot in &self.location(l)[..len] {
                    write::store32(&slot.0, 0);
                }
            }
        }
    }

    /// Thread 0, between batches: visit the next `len` slots in a fresh
    /// random order.
    pub fn shuffle(&self, len: usize) {
        shuffle(&self.order[..len]);
    }

    /// Thread 0, between batches: add each of the first `len` instances'
    /// outcome to `histogram` (keyed by the observed values).
    pub fn count(&self, test: &ClassicTest, len: usize, histogram: &mut HashMap<[u32; 4], u64>) {
        for i in 0..len {
            let locations = self.instance(i);
            let mut key = [0u32; 4];
            for (column, observe) in test.observed.iter().enumerate() {
                key[column] = match *observe {
                    Observe::Reg(t, r) => read::load32(self.register(t as usize, i, r as usize)),
                    Observe::Final(loc) => read::load32(locations[loc as usize]),
                };
            }
            *histogram.entry(key).or_default() += 1;
        }
    }
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

/// How many registers a thread's ops load into (r0, r1, ...).
pub fn registers_used(ops: &[Op]) -> usize {
    ops.iter()
        .filter_map(|op| {
            if let Op::Load(_, r) = op {
                Some(*r as usize + 1)
            } else {
                None
            }
        })
        .max()
        .unwrap_or(0)
}

/// The thread that resets each location: the first thread that loads it,
/// else thread 0.
fn owners(test: &ClassicTest) -> [usize; LOCATIONS] {
    let mut owner = [0; LOCATIONS];
    for (l, slot) in owner.iter_mut().enumerate() {
        let loads = |ops: &&[Op]| {
            ops.iter()
                .any(|op| matches!(op, Op::Load(loc, _) if *loc as usize == l))
        };
        *slot = test.threads.iter().position(loads).unwrap_or(0);
    }
    owner
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Test, classic::CLASSIC};

    fn classic(name: &str) -> &'static ClassicTest {
        match Test::by_name(name) {
            Some(Test::Classic(t)) => t,
            _ => panic!("{name}"),
        }
    }

    #[test]
    fn each_location_is_reset_by_its_first_loader() {
        // SB: thread 0 loads y, thread 1 loads x.
        assert_eq!(owners(classic("SB")), [1, 0]);
        // MP: thread 1 loads both.
        assert_eq!(owners(classic("MP")), [1, 1]);
        // 2+2W loads nothing: thread 0.
        assert_eq!(owners(classic("2+2W")), [0, 0]);
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
    fn only_loaded_registers_are_recorded() {
        for t in CLASSIC {
            for (i, ops) in t.threads.iter().enumerate() {
                let used = registers_used(ops);
                assert!(used <= REGISTERS, "{} P{i}", t.name);
                let loads = ops.iter().filter(|op| matches!(op, Op::Load(..))).count();
                assert_eq!(
                    used, loads,
                    "{} P{i}: registers are numbered from 0",
                    t.name
                );
            }
        }
    }
}
