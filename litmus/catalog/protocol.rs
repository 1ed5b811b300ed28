//! The protocols `litmus protocols` judges: every read of
//! [`pte_asm::protocol::Reader`] against every writer of
//! [`pte_asm::protocol::Writer`], with 1 to 3 writer threads taking turns.
//!
//! The question for each pair: can a read return a PTE that was never
//! installed, and if so, how many zap+install cycles must land inside one
//! read? The writers' installs are the adversary's to choose (which low
//! halves coincide, which high halves are zero): the model asks whether
//! *any* choice tears, and the hardware run installs the choice the
//! model's shortest torn read used ([`Installs`]).

use super::pte_read::{PTE_FLAGS, PteOutcome, classify_read};
pub use pte_asm::protocol::{GENERATION_MASK, GENERATION_SHIFT, GENERATIONS, Reader, Writer};

/// A read protocol against a write protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pair {
    pub reader: Reader,
    pub writer: Writer,
}

impl Pair {
    /// Every pair, readers outermost.
    pub fn all() -> Vec<Pair> {
        Reader::ALL
            .iter()
            .flat_map(|&reader| {
                Writer::ALL
                    .iter()
                    .map(move |&writer| Pair { reader, writer })
            })
            .collect()
    }

    pub fn name(&self) -> String {
        format!("{} x {}", self.reader.name(), self.writer.name())
    }
}

/// The PTEs a hardware run's writers install, in order, round and round
/// (the first is the PTE the run starts with), and how a read is judged
/// against them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Installs {
    /// Every value the PTE holds installed over one full period, as the
    /// writer stores it (for the generation writer, numbered).
    stored: Vec<(u32, u32)>,
}

impl Installs {
    /// The installs `planned`, cycled, as `writer` stores them: its
    /// generation numbers make the period a multiple of 8 installs.
    pub fn new(writer: Writer, planned: &[(u32, u32)]) -> Installs {
        assert!(!planned.is_empty(), "at least the PTE the run starts with");
        let period = if writer == Writer::Generation {
            lcm(planned.len(), GENERATIONS as usize)
        } else {
            planned.len()
        };
        let stored = (0..period)
            .map(|k| {
                let (lo, hi) = planned[k % planned.len()];
                (writer.low_of_install(lo, k as u32), hi)
            })
            .collect();
        Installs { stored }
    }

    /// The `k`-th install (0: the PTE the run starts with).
    #[inline(always)]
    pub fn install(&self, k: u64) -> (u32, u32) {
        self.stored[(k % self.stored.len() as u64) as usize]
    }

    /// Installs before the sequence repeats.
    pub fn period(&self) -> usize {
        self.stored.len()
    }

    /// Judge one read: absent (no present bit), intact (some install,
    /// whole) or torn.
    #[inline(always)]
    pub fn classify(&self, low: u32, high: u32) -> PteOutcome {
        classify_read(low, high, |low, high| self.stored.contains(&(low, high)))
    }
}

fn lcm(a: usize, b: usize) -> usize {
    fn gcd(a: usize, b: usize) -> usize {
        if b == 0 { a } else { gcd(b, a % b) }
    }
    a / gcd(a, b) * b
}

/// The seed's A, B, C (low halves A = C, highs all different): what the
/// hardware installs for a pair the model finds whole.
pub const SEED_INSTALLS: [(u32, u32); 3] = [
    (0x0001_0000 | PTE_FLAGS, 0x0001_0001),
    (0x0002_0000 | PTE_FLAGS, 0x0001_0002),
    (0x0001_0000 | PTE_FLAGS, 0x0001_0003),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixty_pairs_each_named_once() {
        let pairs = Pair::all();
        assert_eq!(pairs.len(), 60);
        let mut names: Vec<String> = pairs.iter().map(Pair::name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 60);
    }

    #[test]
    fn installs_judge_reads_and_number_generations() {
        let installs = Installs::new(Writer::Kernel, &SEED_INSTALLS);
        assert_eq!(installs.period(), 3);
        assert_eq!(installs.install(4), SEED_INSTALLS[1]);
        let (a, b) = (SEED_INSTALLS[0], SEED_INSTALLS[1]);
        assert_eq!(installs.classify(a.0, a.1), PteOutcome::Intact);
        assert_eq!(installs.classify(a.0, b.1), PteOutcome::Torn);
        assert_eq!(installs.classify(a.0, 0), PteOutcome::Torn);
        assert_eq!(installs.classify(0, a.1), PteOutcome::Absent);
        // The generation writer: 24 installs before values repeat, each
        // low half numbered k mod 8 in bits 9-11.
        let numbered = Installs::new(Writer::Generation, &SEED_INSTALLS);
        assert_eq!(numbered.period(), 24);
        assert_eq!(numbered.install(5).0 & GENERATION_MASK, 5 << 9);
        assert_eq!(numbered.install(8).0, SEED_INSTALLS[2].0);
        assert_eq!(numbered.classify(a.0, a.1), PteOutcome::Intact);
        // Install 9 is A again, numbered 1; A's low numbered 1 with B's
        // high never was.
        assert_eq!(numbered.classify(a.0 | 1 << 9, a.1), PteOutcome::Intact);
        assert_eq!(numbered.classify(a.0 | 1 << 9, b.1), PteOutcome::Torn);
    }
}
