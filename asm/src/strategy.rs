//! The read strategies and writers by their user-facing names (CLI, CSV),
//! when each may run, and a zero-sized type per strategy so that the runner
//! and the benchmarks get one monomorphic loop per strategy, with no
//! dispatch inside the measured code (see [`with_reader!`](crate::with_reader)).

use crate::cpu::Features;
use crate::{Pte, SeqCount, fence, read, write};

/// How a PTE is read. Names are kebab-case and stable: scripts and CSVs use them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReadStrategy {
    Split,
    Lowhigh,
    LowhighLfence,
    LowhighLockadd,
    Cmpxchg8b,
    Cmpxchg8bNolock,
    MovqSse2,
    MovqMmx,
    Fild,
    Seqcount,
    Native64,
}

impl ReadStrategy {
    pub const ALL: [ReadStrategy; 11] = [
        ReadStrategy::Split,
        ReadStrategy::Lowhigh,
        ReadStrategy::LowhighLfence,
        ReadStrategy::LowhighLockadd,
        ReadStrategy::Cmpxchg8b,
        ReadStrategy::Cmpxchg8bNolock,
        ReadStrategy::MovqSse2,
        ReadStrategy::MovqMmx,
        ReadStrategy::Fild,
        ReadStrategy::Seqcount,
        ReadStrategy::Native64,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            ReadStrategy::Split => "split",
            ReadStrategy::Lowhigh => "lowhigh",
            ReadStrategy::LowhighLfence => "lowhigh-lfence",
            ReadStrategy::LowhighLockadd => "lowhigh-lockadd",
            ReadStrategy::Cmpxchg8b => "cmpxchg8b",
            ReadStrategy::Cmpxchg8bNolock => "cmpxchg8b-nolock",
            ReadStrategy::MovqSse2 => "movq-sse2",
            ReadStrategy::MovqMmx => "movq-mmx",
            ReadStrategy::Fild => "fild",
            ReadStrategy::Seqcount => "seqcount",
            ReadStrategy::Native64 => "native64",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// One line: the instructions, for `litmus list` and reports.
    pub const fn summary(self) -> &'static str {
        match self {
            ReadStrategy::Split => "low, high: two movl, no recheck (unsafe baseline)",
            ReadStrategy::Lowhigh => {
                "ptep_get_lockless(): low, high, recheck low; smp_rmb() = compiler barrier"
            }
            ReadStrategy::LowhighLfence => "ptep_get_lockless() with rmb() = lfence",
            ReadStrategy::LowhighLockadd => {
                "ptep_get_lockless() with rmb() = lock addl $0,-4(%esp)"
            }
            ReadStrategy::Cmpxchg8b => "lock cmpxchg8b with edx:eax = ecx:ebx (atomic64_read_cx8)",
            ReadStrategy::Cmpxchg8bNolock => {
                "cmpxchg8b without lock: unlocked write-back (a hazard)"
            }
            ReadStrategy::MovqSse2 => "SSE2 movq: one 8-byte load",
            ReadStrategy::MovqMmx => "MMX movq: one 8-byte load, then emms",
            ReadStrategy::Fild => "x87 fild qword / fistp qword: one 8-byte load",
            ReadStrategy::Seqcount => "low, high inside read_seqcount_begin/retry",
            ReadStrategy::Native64 => "one 64-bit movq (x86-64 only): the lower bound",
        }
    }

    /// Whether the 64 bits are read by one memory access (so no writer can
    /// land between the halves).
    pub const fn single_access(self) -> bool {
        matches!(
            self,
            ReadStrategy::Cmpxchg8b
                | ReadStrategy::Cmpxchg8bNolock
                | ReadStrategy::MovqSse2
                | ReadStrategy::MovqMmx
                | ReadStrategy::Fild
                | ReadStrategy::Native64
        )
    }

    /// The writer this reader is meant to run against in the PTE tests:
    /// `seqcount` needs writers that bump the count; all others face the
    /// kernel's own PAE writers.
    pub const fn writer(self) -> Writer {
        match self {
            ReadStrategy::Seqcount => Writer::Seqcount,
            _ => Writer::Pae,
        }
    }

    /// `Ok` when this build and this CPU can run the strategy; otherwise the
    /// reason, for the "unavailable" line. Nothing unavailable is executed.
    pub fn availability(self, cpu: &Features) -> Result<(), &'static str> {
        let built = cfg!(target_feature = "sse2");
        match self {
            ReadStrategy::LowhighLfence | ReadStrategy::MovqSse2 if !built => {
                Err("not in this build: the target has no SSE2 (i586)")
            }
            ReadStrategy::LowhighLfence | ReadStrategy::MovqSse2 if !cpu.sse2 => {
                Err("CPU lacks SSE2 (cpuid 1:EDX bit 26)")
            }
            ReadStrategy::Cmpxchg8b | ReadStrategy::Cmpxchg8bNolock if !cpu.cx8 => {
                Err("CPU lacks CMPXCHG8B (cpuid 1:EDX bit 8)")
            }
            ReadStrategy::MovqMmx if !cpu.mmx => Err("CPU lacks MMX (cpuid 1:EDX bit 23)"),
            ReadStrategy::Fild if !cpu.fpu => Err("CPU lacks an x87 FPU (cpuid 1:EDX bit 0)"),
            ReadStrategy::Native64 if !cfg!(target_arch = "x86_64") => {
                Err("x86-64 only: a 32-bit target has no 64-bit general register")
            }
            _ => Ok(()),
        }
    }
}

/// Who writes the PTE in the PTE tests: a zap and an install, as a pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Writer {
    /// `pae-clear` to zap, `pae-set` to install: the kernel's own.
    Pae,
    /// `seqcount-clear` and `seqcount-set`: halves inside a sequence count.
    Seqcount,
}

impl Writer {
    pub const ALL: [Writer; 2] = [Writer::Pae, Writer::Seqcount];

    /// Zap, then install, as named in the CSV `writer` column.
    pub const fn name(self) -> &'static str {
        match self {
            Writer::Pae => "pae-clear/pae-set",
            Writer::Seqcount => "seqcount-clear/seqcount-set",
        }
    }

    /// Zap the entry (not present afterwards).
    #[inline(always)]
    pub fn zap(self, seq: &SeqCount, pte: &Pte) {
        match self {
            Writer::Pae => write::pae_clear(pte),
            Writer::Seqcount => write::seqcount_clear(seq, pte),
        }
    }

    /// Install `low`/`high` into a zapped entry.
    #[inline(always)]
    pub fn install(self, seq: &SeqCount, pte: &Pte, low: u32, high: u32) {
        match self {
            Writer::Pae => write::pae_set(pte, low, high),
            Writer::Seqcount => write::seqcount_set(seq, pte, low, high),
        }
    }
}

/// One read strategy as a type: `read` is the plain sequence,
/// `read_windowed` the one with a `spins`-long window.
pub trait PteReader {
    const STRATEGY: ReadStrategy;

    /// Read `pte` (and `seq`, for `seqcount`; the rest ignore it).
    ///
    /// # Safety
    /// `Self::STRATEGY.availability(..)` is `Ok` on this CPU.
    unsafe fn read(seq: &SeqCount, pte: &Pte) -> (u32, u32);

    /// The same with a window of `spins` `pause`s between the low and the
    /// high load. A single-access read has no such window; it spins before
    /// its one load instead, so it keeps the same pace.
    ///
    /// # Safety
    /// As [`PteReader::read`].
    unsafe fn read_windowed(seq: &SeqCount, pte: &Pte, spins: u32) -> (u32, u32);
}

/// The zero-sized reader types, one per [`ReadStrategy`].
pub mod readers {
    use super::*;

    macro_rules! reader {
        ($ty:ident, $strategy:ident, |$seq:ident, $pte:ident| $read:expr, |$s2:ident, $p2:ident, $spins:ident| $windowed:expr) => {
            #[doc = concat!("The `", stringify!($strategy), "` strategy as a type.")]
            pub struct $ty;
            impl PteReader for $ty {
                const STRATEGY: ReadStrategy = ReadStrategy::$strategy;
                #[inline(always)]
                #[allow(unused_unsafe, unused_variables)]
                unsafe fn read($seq: &SeqCount, $pte: &Pte) -> (u32, u32) {
                    // SAFETY: availability is the caller's promise.
                    unsafe { $read }
                }
                #[inline(always)]
                #[allow(unused_unsafe, unused_variables)]
                unsafe fn read_windowed($s2: &SeqCount, $p2: &Pte, $spins: u32) -> (u32, u32) {
                    // SAFETY: availability is the caller's promise.
                    unsafe { $windowed }
                }
            }
        };
    }

    /// A single-access read widened the only way it can be: spin first.
    macro_rules! single_access_reader {
        ($ty:ident, $strategy:ident, $f:path) => {
            reader!($ty, $strategy, |s, p| $f(p), |s, p, n| {
                fence::spin_pause(n);
                $f(p)
            });
        };
    }

    reader!(Split, Split, |s, p| read::split(p), |s, p, n| {
        read::split_windowed(p, n)
    });
    reader!(Lowhigh, Lowhigh, |s, p| read::lowhigh(p), |s, p, n| {
        read::lowhigh_windowed(p, n)
    });
    #[cfg(target_feature = "sse2")]
    reader!(
        LowhighLfence,
        LowhighLfence,
        |s, p| read::lowhigh_lfence(p),
        |s, p, n| read::lowhigh_lfence_windowed(p, n)
    );
    reader!(
        LowhighLockadd,
        LowhighLockadd,
        |s, p| read::lowhigh_lockadd(p),
        |s, p, n| read::lowhigh_lockadd_windowed(p, n)
    );
    single_access_reader!(Cmpxchg8b, Cmpxchg8b, read::cmpxchg8b);
    single_access_reader!(Cmpxchg8bNolock, Cmpxchg8bNolock, read::cmpxchg8b_nolock);
    #[cfg(target_feature = "sse2")]
    single_access_reader!(MovqSse2, MovqSse2, read::movq_sse2);
    single_access_reader!(MovqMmx, MovqMmx, read::movq_mmx);
    single_access_reader!(Fild, Fild, read::fild);
    reader!(
        Seqcount,
        Seqcount,
        |s, p| read::seqcount(s, p),
        |s, p, n| read::seqcount_windowed(s, p, n)
    );
    #[cfg(target_arch = "x86_64")]
    single_access_reader!(Native64, Native64, read::native64);
}

/// Run `$body` with `$R` bound to the reader type of `$strategy`, or
/// evaluate `$missing` for a strategy not compiled into this build. Call it
/// outside the measured loop: the loop inside `$body` is then monomorphic.
///
/// ```text
/// with_reader!(strategy, R => run::<R>(..), missing => Err(..))
/// ```
#[macro_export]
macro_rules! with_reader {
    ($strategy:expr, $R:ident => $body:expr, missing => $missing:expr) => {{
        use $crate::strategy::{ReadStrategy as __S, readers as __r};
        match $strategy {
            __S::Split => {
                type $R = __r::Split;
                $body
            }
            __S::Lowhigh => {
                type $R = __r::Lowhigh;
                $body
            }
            #[cfg(target_feature = "sse2")]
            __S::LowhighLfence => {
                type $R = __r::LowhighLfence;
                $body
            }
            __S::LowhighLockadd => {
                type $R = __r::LowhighLockadd;
                $body
            }
            __S::Cmpxchg8b => {
                type $R = __r::Cmpxchg8b;
                $body
            }
            __S::Cmpxchg8bNolock => {
                type $R = __r::Cmpxchg8bNolock;
                $body
            }
            #[cfg(target_feature = "sse2")]
            __S::MovqSse2 => {
                type $R = __r::MovqSse2;
                $body
            }
            __S::MovqMmx => {
                type $R = __r::MovqMmx;
                $body
            }
            __S::Fild => {
                type $R = __r::Fild;
                $body
            }
            __S::Seqcount => {
                type $R = __r::Seqcount;
                $body
            }
            #[cfg(target_arch = "x86_64")]
            __S::Native64 => {
                type $R = __r::Native64;
                $body
            }
            #[allow(unreachable_patterns)]
            _ => $missing,
        }
    }};
}
