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
//!   inside or between bodies fences or serialises. Fences, locks, `cpuid`, system
//!   calls and clock reads happen only at batch boundaries or in the
//!   monitoring thread (the timebase's calibration too).
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
//! monitor), [`timebase`] (when instances start), [`instances`] (a classic
//! test's memory), [`classic`] and [`pte`] (the two runners).

pub mod classic;
pub mod instances;
pub mod pin;
pub mod pte;
pub mod spin;
pub mod timebase;

pub use classic::{classic_label, run_classic};
pub use pte::run_pte;

use std::sync::atomic::AtomicBool;
use std::time::Duration;

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
    /// `delta: None` calibrates it (see [`timebase::Pacing`]).
    Timebase { delta: Option<u32> },
    /// Each thread stores the instance it reached and spins until the
    /// others have reached it.
    Flags,
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
    /// `0:r0=1; 1:r0=0` (classic) or `intact`/`torn`/`absent`/`lost` (PTE).
    pub label: String,
    pub count: u64,
    pub witness: bool,
}

#[derive(Clone, Debug)]
pub struct RunResult {
    pub outcomes: Vec<OutcomeCount>,
    pub iterations: u64,
    pub seconds: f64,
    /// Stopped by Ctrl-C before its budget ran out.
    pub interrupted: bool,
    /// How the harness ran it, for the report (e.g. the timebase delta).
    pub detail: String,
}

impl RunResult {
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
