//! What the two streaming runners share (`pte.rs`, one read strategy
//! against its writer; `protocol.rs`, a protocol's reader against its
//! writer): one PTE line, a reader that reads it in chunks until the
//! budget ends, writers that take turns zapping and installing it, and the
//! threads that run them under the monitor. Each runner supplies only what
//! its reader does with a read and what its writer does in a turn.

use super::pin::pin_current_thread;
use super::spin::{Ending, Line, monitor, patience, spin_until_with};
use super::{Budget, Plan, Progress};
use pte_asm::{Pte, SeqCount, read, write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Barrier, Mutex};
use std::time::Instant;

/// The PTE under test and its sequence count, in one cache line, as a
/// per-entry seqcount would be.
#[repr(C, align(64))]
#[derive(Default)]
pub(super) struct PteLine {
    pub(super) pte: Pte,
    pub(super) seq: SeqCount,
}

/// Reads between two looks at the stop flag (fewer with a wide window).
pub(super) fn reads_per_chunk(reader_delay: u32) -> u32 {
    (16_384 / (reader_delay + 1)).max(1)
}

/// One streaming run's shared state.
#[derive(Default)]
pub(super) struct Stream {
    pub(super) entry: PteLine,
    /// Whose turn it is among several writers.
    turn: Line,
    ending: Ending,
    /// Reads the reader has finished (for the monitor and the result).
    reads: AtomicU64,
    pin_error: Mutex<Option<String>>,
}

impl Stream {
    /// The reader's loop: `read(n)` makes `n` reads; between chunks it
    /// publishes the count and looks at the stop flag. An iterations budget
    /// is met exactly: the last chunk is cut short.
    #[inline(always)]
    pub(super) fn read_chunks(&self, plan: &Plan, mut read: impl FnMut(u32)) {
        let chunk = reads_per_chunk(plan.reader_delay);
        let mut reads = 0u64;
        while !self.ending.stop.load(Relaxed) {
            let chunk = match plan.budget {
                Budget::Iterations(n) => chunk.min((n - reads).min(u32::MAX as u64) as u32),
                Budget::Duration(_) => chunk,
            };
            read(chunk);
            reads += chunk as u64;
            self.reads.store(reads, Relaxed);
            if matches!(plan.budget, Budget::Iterations(n) if reads >= n) {
                self.ending.stop.store(true, Relaxed);
            }
        }
    }

    /// Writer `w` of `writers`: `turn()` once per turn until the run stops;
    /// with several writers each first waits for its turn and then hands it
    /// on (plain store and load). Returns the turns made.
    #[inline(always)]
    pub(super) fn write_turns(
        &self,
        w: usize,
        writers: usize,
        patience: u32,
        mut turn: impl FnMut(),
    ) -> u64 {
        let mut turns = 0u64;
        'run: loop {
            for _ in 0..1024 {
                if writers > 1 {
                    let mut stopped = false;
                    spin_until_with(patience, || {
                        stopped = self.ending.stop.load(Relaxed);
                        stopped || read::load32(&self.turn.0) == w as u32
                    });
                    if stopped {
                        break 'run;
                    }
                }
                turn();
                turns += 1;
                if writers > 1 {
                    write::store32(&self.turn.0, ((w + 1) % writers) as u32);
                }
            }
            if self.ending.stop.load(Relaxed) {
                break;
            }
        }
        turns
    }

    /// Pin this thread (a failure is kept for the run's result) and wait
    /// for the others.
    fn enter(&self, core: usize, ready: &Barrier) {
        if let Err(e) = pin_current_thread(core) {
            self.pin_error.lock().unwrap().get_or_insert(e);
        }
        ready.wait();
    }

    /// Run `reader` on the plan's first core and `writer(w, patience)` for
    /// each of `writers` writers on the next ones, all starting together,
    /// under the monitor until the budget or Ctrl-C stops them. Returns what
    /// the reader returned, the reads made and the seconds taken, or why a
    /// thread could not be pinned.
    pub(super) fn run<C: Send>(
        self,
        plan: &Plan,
        writers: usize,
        interrupted: &AtomicBool,
        progress: &dyn Progress,
        reader: impl FnOnce(&Stream) -> C + Send,
        writer: impl Fn(&Stream, usize, u32) + Sync,
    ) -> Result<(C, u64, f64), String> {
        let ready = Barrier::new(1 + writers);
        let started = Instant::now();
        let (this, ready, writer) = (&self, &ready, &writer);
        let counts = std::thread::scope(|scope| {
            let reading = scope.spawn(move || {
                this.enter(plan.cores.for_thread(0), ready);
                let counts = reader(this);
                this.ending.stop.store(true, Relaxed);
                counts
            });
            let patience = patience(&plan.cores, 1 + writers);
            let writing: Vec<_> = (0..writers)
                .map(|w| {
                    let core = plan.cores.for_thread(1 + w);
                    scope.spawn(move || {
                        this.enter(core, ready);
                        writer(this, w, patience);
                    })
                })
                .collect();
            let finish = scope.spawn(|| {
                for w in writing {
                    w.join().expect("writer thread");
                }
                let counts = reading.join().expect("reader thread");
                this.ending.finish();
                counts
            });
            monitor(
                plan.budget,
                started,
                interrupted,
                &this.ending,
                || this.reads.load(Relaxed),
                progress,
            );
            finish.join().expect("joining thread")
        });
        let seconds = started.elapsed().as_secs_f64();
        if let Some(e) = self.pin_error.into_inner().unwrap() {
            return Err(e);
        }
        Ok((counts, self.reads.into_inner(), seconds))
    }
}
