//! The harness: runs one test (and, for PTE tests, one read strategy) on
//! pinned threads and counts outcomes. It decides nothing about them: the
//! judge does that.
//!
//! Rules it keeps:
//! - Every access a test body makes to shared memory is a `pte-asm`
//!   primitive. The harness's own shared state between bodies (progress
//!   flags, stop flag, turn token) is read and written with plain `mov`s
//!   (`load32`/`store32`, or relaxed atomic loads and stores, which are
//!   plain `mov`s: the PTE reader's per-chunk 64-bit progress store is a
//!   `movq` on i686 and a `fistpll` on i586, never locked): nothing it adds
//!   inside or between bodies fences or serialises. Fences, locks, `cpuid`
//!   and system calls happen only at batch boundaries or in the monitoring
//!   thread (the timebase's calibration too); the clock is read between
//!   bodies with `rdtsc`, which serialises nothing (the timebase's wait
//!   before each instance, the perpetual runner every 16 iterations).
//! - Classic tests run in batches of many instances, litmus7-style: each
//!   instance has its own locations, each in its own cache line. Threads
//!   enter each instance together by one of two barriers ([`Sync`]):
//!   `timebase` (default, litmus7's `-barrier timebase`): instance `i`
//!   starts when the time-stamp counter reaches `base + i * delta`, each
//!   thread's deadlines shifted to meet thread 0's ([`timebase`]), which
//!   costs no memory traffic and starts the bodies within a few cycles of
//!   each other; `flags`: each thread publishes
//!   the instance it reached and waits for the others (plain stores and
//!   loads). Neither fences. Between batches spinning barriers (which do
//!   fence) let thread 0 count outcomes, then each location is reset
//!   by the thread that loads it, so that loads find their line at home
//!   and stores must fetch theirs: the store-buffer window is as wide as
//!   a cache-line transfer.
//! - PTE tests stream: writers zap and install continuously while the
//!   reader reads and classifies, with no synchronisation in between.
//!
//! Files: [`pin`] (which cores), [`spin`] (waiting without sleeping, the
//! monitor), [`timebase`] and [`tuning`] (when instances start, where they lie), [`instances`] (a classic
//! test's memory), [`classic`], [`pte`] and [`protocol`] (the runners;
//! the last two stream on `stream.rs`'s reader, writers and threads), [`window`]
//! (the PTE reader's window in time), [`clocks`] (what a tick, a cycle and
//! a `pause` are worth here), [`refault`] (the kernel's own zap and refault).

pub mod classic;
pub mod clocks;
pub mod instances;
pub mod ops;
pub mod perpetual;
pub mod pin;
pub mod price;
pub mod protocol;
pub mod pte;
pub mod refault;
pub mod spin;
mod stream;
pub mod timebase;
pub mod tuning;
pub mod window;

pub use classic::run_classic;
pub use pte::run_pte;

use crate::catalog::{Case, Test};
use crate::judge::Expect;
use pte_asm::cpu::Features;
use std::sync::atomic::AtomicBool;
use std::time::Duration;
use window::Window;

/// One run to make: a case (a PTE test with its read strategy) and, for a
/// PTE test, the reader's window.
#[derive(Clone, Copy)]
pub struct Job {
    pub case: Case,
    /// The window as asked for (`Pauses(0)` for classic tests).
    pub window: Window,
}

impl Job {
    pub fn test(&self) -> Test {
        self.case.test()
    }

    pub fn threads(&self) -> usize {
        self.test().threads()
    }

    /// The expectation the test declares (none for a `.litmus` file).
    pub fn declared(&self) -> Option<Expect> {
        self.case.declared()
    }

    pub fn strategy_name(&self) -> &'static str {
        self.case.strategy().map_or("-", |s| s.name())
    }

    pub fn writer_name(&self) -> &'static str {
        self.case.strategy().map_or("-", |s| s.writer().name())
    }

    pub fn is_pte(&self) -> bool {
        matches!(self.case, Case::Pte(..))
    }

    /// The model's program key and strategy: what the model caches by.
    pub fn test_key(&self) -> String {
        self.test().key()
    }

    /// `Err(reason)` when this build or CPU cannot run it.
    pub fn availability(&self, cpu: &Features) -> Result<(), String> {
        match self.case {
            Case::Pte(_, s) => s.availability(cpu).map_err(String::from),
            Case::Classic(t) => ops::compile(&t.program(), cpu).map(|_| ()),
            Case::File(f) => ops::compile(&f.program, cpu).map(|_| ()),
        }
    }
}

/// How long a run goes on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Budget {
    /// Instances (classic) or reads (PTE).
    Iterations(u64),
    Duration(Duration),
}

/// How the threads of a classic test enter each instance together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sync {
    /// Instance `i` starts at TSC `base + i * delta` ticks on every core;
    /// `delta: None` calibrates it (see [`timebase::Pacing`]); `tuning`
    /// draws each batch's memory pattern and shifts of the threads'
    /// deadlines, learning which make the witness likeliest ([`tuning`]).
    Timebase { delta: Option<u32>, tuning: bool },
    /// Each thread stores the instance it reached and spins until the
    /// others have reached it.
    Flags,
    /// No meeting within a batch: each thread runs through the batch's
    /// instances as fast as it can, every instance with its own locations
    /// (litmus7's `-barrier none`); the threads meet only between batches.
    /// The instances that overlap in time race; the rest are outcomes of
    /// threads that did not meet, which the histogram counts alike.
    /// `tuning` draws each batch's memory pattern, learning which makes
    /// the witness likeliest (there are no deadlines to shift).
    Free { tuning: bool },
}

/// Everything a run needs besides the test.
#[derive(Clone, Debug)]
pub struct Plan {
    pub cores: pin::Cores,
    pub budget: Budget,
    /// Classic tests: instances per batch.
    pub batch: usize,
    /// Classic tests: how threads enter each instance together.
    pub sync: Sync,
    /// PTE tests: `pause`s in the reader's window (after its low load, and
    /// for `lowhigh*` also after its high load).
    pub reader_delay: u32,
}

/// One outcome and how often it was seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutcomeCount {
    /// `0:r0=1; 1:r0=0;` (litmus programs) or `intact`/`torn`/`absent`/
    /// `lost` (PTE).
    pub label: String,
    pub count: u64,
    pub witness: bool,
    /// Litmus programs: the observed values (empty for PTE outcomes).
    pub values: Vec<u64>,
}

/// How a run executed its test: litmus7's instances (threads meet at every
/// instance), perpetually (PerpLE's method: no meeting within a batch), or
/// the PTE tests' stream of reads against a writer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunMode {
    Instances,
    Perpetual,
    Stream,
}

impl RunMode {
    pub fn name(self) -> &'static str {
        match self {
            RunMode::Instances => "instances",
            RunMode::Perpetual => "perpetual",
            RunMode::Stream => "stream",
        }
    }
}

#[derive(Clone, Debug)]
pub struct RunResult {
    pub outcomes: Vec<OutcomeCount>,
    pub iterations: u64,
    /// Of `iterations`, the instances abandoned because a thread's
    /// `spin_lock()` was never taken within its bound (a lock never
    /// released): no outcome of theirs is counted.
    pub abandoned: u64,
    pub seconds: f64,
    /// Stopped by Ctrl-C before its budget ran out.
    pub interrupted: bool,
    /// How the harness ran it, for the report (e.g. the timebase delta).
    pub detail: String,
    /// PTE tests: zap-and-install turns the writers completed (0 for
    /// classic tests).
    pub writer_turns: u64,
    pub mode: RunMode,
}

impl RunResult {
    /// The iterations whose outcome was counted: all but the abandoned.
    pub fn counted(&self) -> u64 {
        self.iterations.saturating_sub(self.abandoned)
    }

    /// Witnesses per second of wall time.
    pub fn witness_rate(&self) -> f64 {
        self.witnesses() as f64 / self.seconds.max(1e-9)
    }

    pub fn witnesses(&self) -> u64 {
        self.outcomes
            .iter()
            .filter(|o| o.witness)
            .map(|o| o.count)
            .sum()
    }
}

/// What the monitoring loop reports while a run goes on.
pub trait Progress {
    /// `done` iterations so far, `elapsed` since the run started.
    fn update(&self, done: u64, elapsed: Duration);
}

impl Progress for () {
    fn update(&self, _: u64, _: Duration) {}
}

/// Set by Ctrl-C (once [`interrupt_on_ctrl_c`] has installed the handler):
/// runners stop at their next look and report what they finished.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Let Ctrl-C set [`INTERRUPTED`] instead of killing the process, so that
/// finished results are kept. Installing twice is harmless; a failure is
/// a warning on stderr (Ctrl-C then kills, losing only the run under way).
pub fn interrupt_on_ctrl_c() {
    use std::sync::Once;
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if let Err(e) =
            ctrlc::set_handler(|| INTERRUPTED.store(true, std::sync::atomic::Ordering::Relaxed))
        {
            eprintln!("litmus: warning: Ctrl-C will not stop cleanly: {e}");
        }
    });
}
