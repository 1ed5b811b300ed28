//! Waiting without sleeping, between test bodies: spinning barriers and
//! conditions, and the monitoring loop that ends a run. None of it runs
//! inside a test body.

use super::pin::Cores;
use super::{Budget, Progress};
use pte_asm::Word;
use std::sync::atomic::{
    AtomicBool, AtomicU32,
    Ordering::{AcqRel, Acquire, Relaxed, Release},
};
use std::time::{Duration, Instant};

/// A shared word in a cache line of its own.
#[repr(align(64))]
#[derive(Default)]
pub struct Line(pub Word);

/// A barrier between batches that spins rather than sleeping: a futex wake
/// costs tens of microseconds, as long as a whole batch. Its locked
/// increment and acquire/release pairs fence, which is fine here: it runs
/// only between batches, never inside one.
pub struct SpinBarrier {
    threads: u32,
    arrived: AtomicU32,
    generation: AtomicU32,
}

impl SpinBarrier {
    pub fn new(threads: usize) -> SpinBarrier {
        SpinBarrier {
            threads: threads as u32,
            arrived: AtomicU32::new(0),
            generation: AtomicU32::new(0),
        }
    }

    pub fn wait(&self) {
        let generation = self.generation.load(Acquire);
        if self.arrived.fetch_add(1, AcqRel) + 1 == self.threads {
            self.arrived.store(0, Relaxed);
            self.generation.fetch_add(1, Release);
        } else {
            spin_until(|| self.generation.load(Acquire) != generation);
        }
    }
}

/// Spins before a waiting thread yields its core: long when every thread
/// has a core of its own (on a VM a yield can cost the vCPU a whole
/// scheduler tick, milliseconds, and every deadline of the next batch with
/// it: about a millisecond of spinning first), short when threads share
/// cores (then the thread being waited for may need this very core to run).
const PATIENCE: u32 = 1 << 18;
const PATIENCE_SHARED: u32 = 64;

/// Spin until `condition`, yielding every `patience` spins so that threads
/// sharing a core still make progress. Only between bodies.
#[inline(always)]
pub fn spin_until_with(patience: u32, mut condition: impl FnMut() -> bool) {
    let mut spins = 0u32;
    while !condition() {
        spins += 1;
        if spins == patience {
            std::thread::yield_now();
            spins = 0;
        }
    }
}

/// The patience for `threads` threads on `cores`.
pub fn patience(cores: &Cores, threads: usize) -> u32 {
    if cores.oversubscription(threads).is_some() {
        PATIENCE_SHARED
    } else {
        PATIENCE
    }
}

#[inline(always)]
pub fn spin_until(condition: impl FnMut() -> bool) {
    spin_until_with(PATIENCE, condition)
}

/// What a run's threads and its monitor share to end it: `stop` asks the
/// threads to stop (budget spent, Ctrl-C), `finished` says they have.
#[derive(Default)]
pub struct Ending {
    pub stop: AtomicBool,
    pub finished: AtomicBool,
    /// The monitor's thread, woken by [`Ending::finish`].
    monitor: std::sync::OnceLock<std::thread::Thread>,
}

impl Ending {
    /// Say the threads have finished, and wake the monitor: a run ends
    /// when its threads do, not at the monitor's next poll (which used to
    /// add up to 10 ms to every run, a tenth of a 0.1 s run and most of a
    /// short probe's).
    pub fn finish(&self) {
        self.finished.store(true, Relaxed);
        if let Some(t) = self.monitor.get() {
            t.unpark();
        }
    }
}

/// The monitoring loop, on the calling (unpinned) thread: reports progress
/// and raises `ending.stop` when the time budget is spent or Ctrl-C came,
/// until `ending.finished`.
pub fn monitor(
    budget: Budget,
    started: Instant,
    interrupted: &AtomicBool,
    ending: &Ending,
    done: impl Fn() -> u64,
    progress: &dyn Progress,
) {
    let _ = ending.monitor.set(std::thread::current());
    while !ending.finished.load(Relaxed) {
        // A poll every 10 ms (this thread may share a core with the test's),
        // sooner at the end of a time budget; `finish` wakes it at once.
        let poll = Duration::from_millis(10);
        let wait = match budget {
            Budget::Duration(d) => poll.min(d.saturating_sub(started.elapsed())),
            Budget::Iterations(_) => poll,
        };
        std::thread::park_timeout(wait.max(Duration::from_micros(100)));
        let elapsed = started.elapsed();
        progress.update(done(), elapsed);
        let out_of_time = matches!(budget, Budget::Duration(d) if elapsed >= d);
        if out_of_time || interrupted.load(Relaxed) {
            ending.stop.store(true, Relaxed);
        }
    }
}
