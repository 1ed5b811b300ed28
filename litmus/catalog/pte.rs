//! The PTE tests: a reader reads one PTE by a read strategy while writers
//! zap and install it, and every read is classified `intact`, `torn` or
//! `absent` (`lost` when a writer finds its own write undone).

use super::pte_read::classify_read;
pub use super::pte_read::{PTE_FLAGS, PteOutcome};
use crate::judge::Expect;
use pte_asm::strategy::ReadStrategy;
use std::fmt;

/// How the writer numbers the PTEs it installs, and how a read is judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// A fresh PTE every install, low halves never reused (within 2^20 - 1
    /// installs): install `k` has frame `f = k % 0xfffff + 1`, `high = f`,
    /// `low = f << 12 | 0x067`.
    Fresh,
    /// The seed's trace, continued: low halves recur while the high half
    /// changes. Install `k` (counted modulo 65535) has the high half
    /// `0x0001_0001 + k` and the low half of the seed's pattern A, B, C
    /// repeated: L1, L2, L1, L1, L2, L1, ... with L1 = `0x0001_0067`, L2 =
    /// `0x0002_0067`.
    /// So A = 0x0001000100010067, B = 0x0001000200020067, C =
    /// 0x0001000300010067 (the seed's values, with the flags of a present
    /// user page), D = 0x0001000400010067, ...: both the seed's two-refill
    /// ABA (A, B, C) and a one-refill ABA (C, D) recur.
    Aba,
}

/// Installs before a `Fresh` low half recurs.
const FRESH_PERIOD: u32 = 0xf_ffff;
const ABA_L1: u32 = 0x0001_0000 | PTE_FLAGS;
const ABA_L2: u32 = 0x0002_0000 | PTE_FLAGS;
/// The low half of install `k % 3`: the seed's A, B, C.
const ABA_LOW: [u32; 3] = [ABA_L1, ABA_L2, ABA_L1];
const ABA_HIGH_FIRST: u32 = 0x0001_0001;
/// Installs before the high halves repeat: a multiple of 3, so the low
/// pattern lines up again too.
const ABA_PERIOD: u32 = 65_535;

impl Scheme {
    /// The `k`-th installed PTE as `(low, high)`.
    #[inline(always)]
    pub fn install(self, k: u32) -> (u32, u32) {
        match self {
            Scheme::Fresh => {
                // 1 ..= 0xfffff: a frame number fits the low half's 20 bits.
                let k = k % FRESH_PERIOD + 1;
                (k << 12 | PTE_FLAGS, k)
            }
            Scheme::Aba => {
                let k = k % ABA_PERIOD;
                (ABA_LOW[(k % 3) as usize], ABA_HIGH_FIRST + k)
            }
        }
    }

    /// Judge one read: was `(low, high)` ever installed whole?
    #[inline(always)]
    pub fn classify(self, low: u32, high: u32) -> PteOutcome {
        classify_read(low, high, |low, high| match self {
            Scheme::Fresh => low & 0xfff == PTE_FLAGS && low >> 12 == high && high != 0,
            Scheme::Aba => {
                let k = high.wrapping_sub(ABA_HIGH_FIRST);
                k < ABA_PERIOD && low == ABA_LOW[(k % 3) as usize]
            }
        })
    }
}

/// One step of a PTE writer's turn, by its `pte-asm` primitive. The
/// hardware runner loops over the turn; the model runs it a bounded number
/// of times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriterStep {
    /// `read::split`: the PTE must still hold this writer's last install
    /// (else `lost`).
    CheckLast,
    /// The strategy's writer zap: `pae_clear` or `seqcount_clear`.
    Zap,
    /// `read::split`: the PTE must be zero after the zap (else `lost`).
    CheckZero,
    /// The strategy's writer install of the next PTE of the scheme:
    /// `pae_set` or `seqcount_set`.
    Install,
}

impl fmt::Display for WriterStep {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(match self {
            WriterStep::CheckLast => "check(pte == last)",
            WriterStep::Zap => "zap(pte)",
            WriterStep::CheckZero => "check(pte == 0)",
            WriterStep::Install => "install(pte, next)",
        })
    }
}

pub struct PteTest {
    pub name: &'static str,
    pub summary: &'static str,
    pub about: &'static str,
    pub scheme: Scheme,
    /// Writer threads, taking turns (handing a token on after each turn).
    pub writers: usize,
    /// What a writer does in one turn.
    pub turn: &'static [WriterStep],
    /// Turns, over all writers, in the model's bounded version (the seed's
    /// two zap-and-install cycles for PTE-ABA).
    pub model_turns: usize,
    pub witness: PteOutcome,
    pub expect: fn(ReadStrategy) -> Expect,
}

fn torn_unless_one_access_or_recheck(s: ReadStrategy) -> Expect {
    match s {
        // No recheck; or the unlocked write-back corrupts the PTE itself.
        ReadStrategy::Split | ReadStrategy::Cmpxchg8bNolock => Expect::Allowed,
        _ => Expect::Forbidden,
    }
}

fn torn_unless_one_access_or_seqcount(s: ReadStrategy) -> Expect {
    match s {
        ReadStrategy::Split
        | ReadStrategy::Lowhigh
        | ReadStrategy::LowhighLfence
        | ReadStrategy::LowhighLockadd
        | ReadStrategy::Cmpxchg8bNolock => Expect::Allowed,
        _ => Expect::Forbidden,
    }
}

fn lost_only_without_lock(s: ReadStrategy) -> Expect {
    match s {
        ReadStrategy::Cmpxchg8bNolock => Expect::Allowed,
        _ => Expect::Forbidden,
    }
}

impl PteTest {
    /// Whether the writer checks the PTE before its writes (counting `lost`
    /// when it does not hold what the writer left there).
    pub fn writer_checks(&self) -> bool {
        self.turn
            .iter()
            .any(|s| matches!(s, WriterStep::CheckLast | WriterStep::CheckZero))
    }

    /// What each thread runs, for `litmus show`.
    pub fn thread_lines(&self) -> Vec<String> {
        let turn: Vec<String> = self.turn.iter().map(|s| s.to_string()).collect();
        let mut lines =
            vec!["reader: loop { (lo, hi) = READ(pte) }   (READ = the strategy)".to_string()];
        for writer in &WRITER_NAMES[..self.writers] {
            let name = if self.writers == 1 {
                "writer".to_string()
            } else {
                format!("writer {writer}")
            };
            let token = if self.writers > 1 { "wait turn; " } else { "" };
            let pass = if self.writers > 1 { "; pass turn" } else { "" };
            lines.push(format!(
                "{name}: loop {{ {token}{}{pass} }}",
                turn.join("; ")
            ));
        }
        lines.push(format!(
            "installs: {}; writers: pae-clear/pae-set (seqcount-clear/seqcount-set for seqcount)",
            match self.scheme {
                Scheme::Fresh => "a fresh PTE each time, low halves never reused",
                Scheme::Aba =>
                    "A, B, C, D, ...: low L1, L2, L1, L1, L2, L1, ..., high 0x00010001 + k",
            }
        ));
        lines
    }
}

/// The seed's names for the threads: A reads, B, C, D write.
pub const THREAD_NAMES: [&str; 4] = ["A", "B", "C", "D"];
const WRITER_NAMES: [&str; 3] = ["B", "C", "D"];

pub static PTE: &[PteTest] = &[
    PteTest {
        name: "PTE-MP",
        summary: "fresh PTE every install (low never reused) vs the chosen reader: torn?",
        about: "Jason Gunthorpe's claim: with set_pte writing high then low and pte_clear low \
                then high, a low/high/low reader cannot return a torn PTE when low halves are \
                never reused. split (no recheck) shows the detector works; cmpxchg8b-nolock can \
                corrupt the PTE itself with its unlocked write-back.",
        scheme: Scheme::Fresh,
        writers: 1,
        witness: PteOutcome::Torn,
        turn: &[WriterStep::Zap, WriterStep::Install],
        model_turns: 1,
        expect: torn_unless_one_access_or_recheck,
    },
    PteTest {
        name: "PTE-ABA",
        summary: "the seed's race: low halves recur while high changes; a PTE that never existed?",
        about: "Jann Horn, LKML, October 2022: between the reader's first low load and its \
                recheck the PTE is zapped and refilled twice (A=0x0001000100010067, \
                B=0x0001000200020067, C=0x0001000300010067); low comes back equal, high came \
                from B, and ptep_get_lockless() returns 0x0001000200010067. Only a single 8-byte \
                access or a sequence count closes it.",
        scheme: Scheme::Aba,
        writers: 1,
        witness: PteOutcome::Torn,
        turn: &[WriterStep::Zap, WriterStep::Install],
        model_turns: 2,
        expect: torn_unless_one_access_or_seqcount,
    },
    PteTest {
        name: "PTE-ABA3",
        summary: "the seed's three-writer form: writers B, C, D on separate threads take turns",
        about: "As PTE-ABA, with each zap-and-install done by another thread in turn, as the \
                seed's B (MADV_DONTNEED), C and D (page faults) on separate CPUs. Writers hand \
                over with a plain store/load token, so their writes are serialised as the page \
                table lock would.",
        scheme: Scheme::Aba,
        writers: 3,
        witness: PteOutcome::Torn,
        turn: &[WriterStep::Zap, WriterStep::Install],
        model_turns: 3,
        expect: torn_unless_one_access_or_seqcount,
    },
    PteTest {
        name: "PTE-LOST",
        summary: "can the reader's write-back destroy the writer's PTE? (cmpxchg8b-nolock)",
        about: "cmpxchg8b always writes its destination; without lock the read and the \
                write-back are separate accesses, so a zap landing between them is undone: a \
                zapped PTE comes back (use after free of the page). The writer checks before \
                each write that the PTE still holds its last write.",
        scheme: Scheme::Fresh,
        writers: 1,
        witness: PteOutcome::Lost,
        turn: &[
            WriterStep::CheckLast,
            WriterStep::Zap,
            WriterStep::CheckZero,
            WriterStep::Install,
        ],
        model_turns: 1,
        expect: lost_only_without_lock,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_installed_pte_is_intact_and_present() {
        for scheme in [Scheme::Fresh, Scheme::Aba] {
            for k in (0..200_000u32).chain([0xf_ffff, 0x10_0000, u32::MAX]) {
                let (lo, hi) = scheme.install(k);
                assert_eq!(
                    scheme.classify(lo, hi),
                    PteOutcome::Intact,
                    "{scheme:?} k={k}"
                );
            }
        }
    }

    #[test]
    fn fresh_low_halves_do_not_recur_within_the_period() {
        let lows: std::collections::HashSet<u32> = (0..FRESH_PERIOD)
            .map(|k| Scheme::Fresh.install(k).0)
            .collect();
        assert_eq!(lows.len(), FRESH_PERIOD as usize);
        assert_eq!(
            Scheme::Fresh.install(FRESH_PERIOD),
            Scheme::Fresh.install(0)
        );
    }

    #[test]
    fn the_seeds_values_and_its_torn_read() {
        let pte = |k| {
            let (lo, hi) = Scheme::Aba.install(k);
            pte_asm::join(lo, hi)
        };
        assert_eq!(
            [pte(0), pte(1), pte(2), pte(3)],
            [
                0x0001000100010067,
                0x0001000200020067,
                0x0001000300010067,
                0x0001000400010067
            ]
        );
        // The seed's result: B's high with A's (and C's) low.
        assert_eq!(
            Scheme::Aba.classify(0x0001_0067, 0x0001_0002),
            PteOutcome::Torn
        );
    }

    /// The PTEs `litmus show` quotes are the ones the writer installs (and
    /// the seed's torn read is torn): prose and scheme cannot drift apart.
    #[test]
    fn the_ptes_quoted_in_the_descriptions_are_the_installed_ones() {
        let installed: Vec<u64> = (0..8)
            .map(|k| {
                let (lo, hi) = Scheme::Aba.install(k);
                pte_asm::join(lo, hi)
            })
            .collect();
        for test in PTE.iter().filter(|t| t.scheme == Scheme::Aba) {
            let quoted: Vec<u64> = test
                .about
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter_map(|w| w.strip_prefix("0x"))
                .map(|hex| u64::from_str_radix(hex, 16).unwrap())
                .collect();
            for pte in &quoted {
                let (lo, hi) = (*pte as u32, (*pte >> 32) as u32);
                assert!(
                    installed.contains(pte) || Scheme::Aba.classify(lo, hi) == PteOutcome::Torn,
                    "{}: {pte:#018x} is neither installed nor torn",
                    test.name
                );
            }
            if test.name == "PTE-ABA" {
                assert_eq!(quoted.len(), 4, "{}", test.about);
                assert_eq!(&quoted[..3], &installed[..3]);
            }
        }
    }

    #[test]
    fn zap_and_install_midpoints_classify_as_absent_or_torn() {
        for scheme in [Scheme::Fresh, Scheme::Aba] {
            // Installs 4 and 5 have different low halves in both schemes.
            let (lo, hi) = scheme.install(4);
            let (next_lo, next_hi) = scheme.install(5);
            // pae-clear: low first, then high.
            assert_eq!(scheme.classify(0, hi), PteOutcome::Absent);
            assert_eq!(scheme.classify(0, 0), PteOutcome::Absent);
            // pae-set: high first, then low.
            assert_eq!(scheme.classify(0, next_hi), PteOutcome::Absent);
            // Halves of two PTEs, present: torn.
            assert_eq!(scheme.classify(lo, next_hi), PteOutcome::Torn);
            assert_eq!(scheme.classify(next_lo, hi), PteOutcome::Torn);
            // Old low over a zeroed high (split reading across a zap): torn.
            assert_eq!(scheme.classify(lo, 0), PteOutcome::Torn);
        }
    }

    #[test]
    fn aba_lows_recur_but_every_high_is_new() {
        let lows: Vec<u32> = (0..6).map(|k| Scheme::Aba.install(k).0).collect();
        assert_eq!(lows, [ABA_L1, ABA_L2, ABA_L1, ABA_L1, ABA_L2, ABA_L1]);
        // C then D: same low, new high, so (C's low, D's high) is D, intact,
        // while (C's low, B's high) never existed.
        let (_, b_hi) = Scheme::Aba.install(1);
        assert_eq!(Scheme::Aba.classify(ABA_L1, b_hi), PteOutcome::Torn);
        let highs: std::collections::HashSet<u32> =
            (0..ABA_PERIOD).map(|k| Scheme::Aba.install(k).1).collect();
        assert_eq!(highs.len(), ABA_PERIOD as usize);
    }
}
