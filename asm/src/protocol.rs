//! The read and write protocols `litmus protocols` judges, by their names:
//! reads built from 32-bit loads and a recheck (the kernel's, its mirror,
//! both halves rechecked, the pair read twice, the seqcount read), each
//! with a compiler barrier or `lfence`; writers in the kernel's order, in
//! the reversed orders, inside a sequence count, or numbering each install
//! in bits the hardware ignores. Each name maps to its instruction
//! sequence in [`crate::read`], [`crate::recheck`] or [`crate::write`].

use crate::cpu::Features;
use crate::{Pte, SeqCount, read, recheck, write};

/// A protocol's read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reader {
    Lowhigh,
    LowhighLfence,
    Highlow,
    HighlowLfence,
    Lowhighlowhigh,
    LowhighlowhighLfence,
    Twice,
    TwiceLfence,
    Seqcount,
    SeqcountLfence,
}

impl Reader {
    pub const ALL: [Reader; 10] = [
        Reader::Lowhigh,
        Reader::LowhighLfence,
        Reader::Highlow,
        Reader::HighlowLfence,
        Reader::Lowhighlowhigh,
        Reader::LowhighlowhighLfence,
        Reader::Twice,
        Reader::TwiceLfence,
        Reader::Seqcount,
        Reader::SeqcountLfence,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            Reader::Lowhigh => "lowhigh",
            Reader::LowhighLfence => "lowhigh-lfence",
            Reader::Highlow => "highlow",
            Reader::HighlowLfence => "highlow-lfence",
            Reader::Lowhighlowhigh => "lowhighlowhigh",
            Reader::LowhighlowhighLfence => "lowhighlowhigh-lfence",
            Reader::Twice => "twice",
            Reader::TwiceLfence => "twice-lfence",
            Reader::Seqcount => "seqcount",
            Reader::SeqcountLfence => "seqcount-lfence",
        }
    }

    pub fn from_name(name: &str) -> Option<Reader> {
        Reader::ALL.into_iter().find(|r| r.name() == name)
    }

    pub const fn summary(self) -> &'static str {
        match self {
            Reader::Lowhigh | Reader::LowhighLfence => {
                "low, high, recheck low (the kernel's ptep_get_lockless)"
            }
            Reader::Highlow | Reader::HighlowLfence => "high, low, recheck high",
            Reader::Lowhighlowhigh | Reader::LowhighlowhighLfence => {
                "low, high, recheck low, recheck high"
            }
            Reader::Twice | Reader::TwiceLfence => {
                "low, high read twice and compared (sliding retry)"
            }
            Reader::Seqcount | Reader::SeqcountLfence => {
                "low, high inside read_seqcount_begin/retry"
            }
        }
    }

    /// Whether the read barrier is `lfence` (else a compiler barrier).
    pub const fn lfence(self) -> bool {
        matches!(
            self,
            Reader::LowhighLfence
                | Reader::HighlowLfence
                | Reader::LowhighlowhighLfence
                | Reader::TwiceLfence
                | Reader::SeqcountLfence
        )
    }

    /// The same read with the other barrier.
    pub const fn with_compiler_barrier(self) -> Reader {
        match self {
            Reader::LowhighLfence => Reader::Lowhigh,
            Reader::HighlowLfence => Reader::Highlow,
            Reader::LowhighlowhighLfence => Reader::Lowhighlowhigh,
            Reader::TwiceLfence => Reader::Twice,
            Reader::SeqcountLfence => Reader::Seqcount,
            other => other,
        }
    }

    /// Whether the read looks at the sequence count.
    pub const fn seqcount(self) -> bool {
        matches!(self, Reader::Seqcount | Reader::SeqcountLfence)
    }

    pub fn availability(self, cpu: &Features) -> Result<(), &'static str> {
        if self.lfence() && !cfg!(target_feature = "sse2") {
            Err("not in this build: the target has no SSE2 (i586)")
        } else if self.lfence() && !cpu.sse2 {
            Err("CPU lacks SSE2 (cpuid 1:EDX bit 26)")
        } else {
            Ok(())
        }
    }

    /// One read of `pte` (and `seq`), with `spins` `pause`s after each load
    /// of the first attempt (none: the plain read).
    ///
    /// # Panics
    /// An `lfence` read in a build without SSE2 (check
    /// [`Reader::availability`] first).
    #[inline(always)]
    pub fn read(self, seq: &SeqCount, pte: &Pte, spins: u32) -> (u32, u32) {
        let windowed = spins > 0;
        match self {
            Reader::Lowhigh if windowed => read::lowhigh_windowed(pte, spins),
            Reader::Lowhigh => read::lowhigh(pte),
            Reader::Highlow if windowed => recheck::highlow_windowed(pte, spins),
            Reader::Highlow => recheck::highlow(pte),
            Reader::Lowhighlowhigh if windowed => recheck::lowhighlowhigh_windowed(pte, spins),
            Reader::Lowhighlowhigh => recheck::lowhighlowhigh(pte),
            Reader::Twice if windowed => recheck::twice_windowed(pte, spins),
            Reader::Twice => recheck::twice(pte),
            Reader::Seqcount if windowed => read::seqcount_windowed(seq, pte, spins),
            Reader::Seqcount => read::seqcount(seq, pte),
            #[cfg(target_feature = "sse2")]
            Reader::LowhighLfence if windowed => read::lowhigh_lfence_windowed(pte, spins),
            #[cfg(target_feature = "sse2")]
            Reader::LowhighLfence => read::lowhigh_lfence(pte),
            #[cfg(target_feature = "sse2")]
            Reader::HighlowLfence if windowed => recheck::highlow_lfence_windowed(pte, spins),
            #[cfg(target_feature = "sse2")]
            Reader::HighlowLfence => recheck::highlow_lfence(pte),
            #[cfg(target_feature = "sse2")]
            Reader::LowhighlowhighLfence if windowed => {
                recheck::lowhighlowhigh_lfence_windowed(pte, spins)
            }
            #[cfg(target_feature = "sse2")]
            Reader::LowhighlowhighLfence => recheck::lowhighlowhigh_lfence(pte),
            #[cfg(target_feature = "sse2")]
            Reader::TwiceLfence if windowed => recheck::twice_lfence_windowed(pte, spins),
            #[cfg(target_feature = "sse2")]
            Reader::TwiceLfence => recheck::twice_lfence(pte),
            #[cfg(target_feature = "sse2")]
            Reader::SeqcountLfence if windowed => {
                recheck::seqcount_lfence_windowed(seq, pte, spins)
            }
            #[cfg(target_feature = "sse2")]
            Reader::SeqcountLfence => recheck::seqcount_lfence(seq, pte),
            #[allow(unreachable_patterns)]
            other => panic!("{} is not in this build (no SSE2)", other.name()),
        }
    }
}

/// A protocol's writer: how it zaps a PTE and installs the next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Writer {
    /// The kernel's: zap low then high (`native_pte_clear`), install high
    /// then low (`native_set_pte`).
    Kernel,
    /// Zap high then low; install as the kernel does.
    ZapHighFirst,
    /// Zap as the kernel does; install low then high.
    InstallLowFirst,
    /// Both reversed.
    Reversed,
    /// The kernel's orders inside a sequence count (`seqcount_clear`,
    /// `seqcount_set`).
    Seqcount,
    /// The kernel's orders, each install numbered in the low half's bits
    /// 9-11 (the only bits of a PAE PTE's low half the MMU ignores, SDM
    /// Vol. 3A Table "Format of a PAE Page-Table Entry that Maps a 4-KByte
    /// Page"), so a low half recurs only after 8 installs.
    Generation,
}

/// Generations before a [`Writer::Generation`] low half can recur.
pub const GENERATIONS: u32 = 8;
/// Where the generation sits in the low half: bits 9-11.
pub const GENERATION_SHIFT: u32 = 9;
pub const GENERATION_MASK: u32 = 0x7 << GENERATION_SHIFT;

impl Writer {
    pub const ALL: [Writer; 6] = [
        Writer::Kernel,
        Writer::ZapHighFirst,
        Writer::InstallLowFirst,
        Writer::Reversed,
        Writer::Seqcount,
        Writer::Generation,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            Writer::Kernel => "kernel",
            Writer::ZapHighFirst => "zap-high-first",
            Writer::InstallLowFirst => "install-low-first",
            Writer::Reversed => "reversed",
            Writer::Seqcount => "seqcount",
            Writer::Generation => "generation",
        }
    }

    pub fn from_name(name: &str) -> Option<Writer> {
        Writer::ALL.into_iter().find(|w| w.name() == name)
    }

    pub const fn summary(self) -> &'static str {
        match self {
            Writer::Kernel => "zap low, high; install high, low (pte_clear, set_pte)",
            Writer::ZapHighFirst => "zap high, low; install high, low",
            Writer::InstallLowFirst => "zap low, high; install low, high",
            Writer::Reversed => "zap high, low; install low, high",
            Writer::Seqcount => "the kernel's orders inside write_seqcount_begin/end",
            Writer::Generation => "the kernel's orders; install k carries k mod 8 in bits 9-11",
        }
    }

    /// Whether zapping stores low before high.
    pub const fn zaps_low_first(self) -> bool {
        !matches!(self, Writer::ZapHighFirst | Writer::Reversed)
    }

    /// Whether installing stores high before low.
    pub const fn installs_high_first(self) -> bool {
        !matches!(self, Writer::InstallLowFirst | Writer::Reversed)
    }

    /// The low half install `k` actually stores, given the one planned.
    pub const fn low_of_install(self, planned: u32, k: u32) -> u32 {
        match self {
            Writer::Generation => {
                planned & !GENERATION_MASK | (k % GENERATIONS) << GENERATION_SHIFT
            }
            _ => planned,
        }
    }

    #[inline(always)]
    pub fn zap(self, seq: &SeqCount, pte: &Pte) {
        match self {
            Writer::Seqcount => write::seqcount_clear(seq, pte),
            w if w.zaps_low_first() => write::pae_clear(pte),
            _ => write::pae_clear_high_first(pte),
        }
    }

    /// Install `(low, high)` (for [`Writer::Generation`], `low` already
    /// numbered by [`Writer::low_of_install`]).
    #[inline(always)]
    pub fn install(self, seq: &SeqCount, pte: &Pte, low: u32, high: u32) {
        match self {
            Writer::Seqcount => write::seqcount_set(seq, pte, low, high),
            w if w.installs_high_first() => write::pae_set(pte, low, high),
            _ => write::pae_set_low_first(pte, low, high),
        }
    }
}
