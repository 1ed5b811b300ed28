//! The PTE runner: the reader reads the PTE by its strategy and classifies
//! every read, while the writers zap and install it, streaming, with no
//! synchronisation in between.

use super::pin::pin_current_thread;
use super::spin::{Ending, Line, monitor, patience, spin_until_with};
use super::{Budget, OutcomeCount, Plan, Progress, RunResult};
use crate::catalog::pte::{PteOutcome, PteTest, WriterStep};
use pte_asm::strategy::{PteReader, ReadStrategy};
use pte_asm::{Pte, SeqCount, read, with_reader, write};
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

struct PteShared {
    entry: PteLine,
    /// Whose turn it is among several writers.
    turn: Line,
    ending: Ending,
    reads: AtomicU64,
    lost: AtomicU64,
    /// Turns (zap and install) the writers completed.
    turns: AtomicU64,
    pin_error: Mutex<Option<String>>,
}

/// Reads between two looks at the stop flag (fewer with a wide window).
pub(super) fn reads_per_chunk(reader_delay: u32) -> u32 {
    (16_384 / (reader_delay + 1)).max(1)
}

fn pte_reader<R: PteReader>(
    shared: &PteShared,
    test: &PteTest,
    plan: &Plan,
    ready: &Barrier,
) -> [u64; 3] {
    if let Err(e) = pin_current_thread(plan.cores.for_thread(0)) {
        shared.pin_error.lock().unwrap().get_or_insert(e);
    }
    ready.wait();
    let (seq, pte) = (&shared.entry.seq, &shared.entry.pte);
    let (scheme, delay) = (test.scheme, plan.reader_delay);
    let chunk = reads_per_chunk(delay);
    let mut counts = [0u64; 3];
    let mut reads = 0u64;
    while !shared.ending.stop.load(Relaxed) {
        // An iterations budget is met exactly: the last chunk is cut short.
        let chunk = match plan.budget {
            Budget::Iterations(n) => chunk.min((n - reads).min(u32::MAX as u64) as u32),
            Budget::Duration(_) => chunk,
        };
        for _ in 0..chunk {
            // SAFETY: the caller checked the strategy's availability.
            let (lo, hi) = unsafe {
                if delay == 0 {
                    R::read(seq, pte)
                } else {
                    R::read_windowed(seq, pte, delay)
                }
            };
            counts[scheme.classify(lo, hi) as usize] += 1;
        }
        reads += chunk as u64;
        shared.reads.store(reads, Relaxed);
        if matches!(plan.budget, Budget::Iterations(n) if reads >= n) {
            shared.ending.stop.store(true, Relaxed);
        }
    }
    counts
}

fn pte_writer(
    shared: &PteShared,
    test: &PteTest,
    strategy: ReadStrategy,
    w: usize,
    core: usize,
    patience: u32,
    ready: &Barrier,
) {
    if let Err(e) = pin_current_thread(core) {
        shared.pin_error.lock().unwrap().get_or_insert(e);
    }
    ready.wait();
    let (seq, pte) = (&shared.entry.seq, &shared.entry.pte);
    let (writer, scheme, writers) = (strategy.writer(), test.scheme, test.writers as u32);
    let mut last = pte_asm::halves(0);
    let mut lost = 0u64;
    let mut turns = 0u64;
    // Install numbers start at 0 (the seed's A) and go up by one per
    // install across all writers.
    let mut k = (w as u32).wrapping_sub(1);
    'run: loop {
        for _ in 0..1024 {
            if writers > 1 {
                // Take the turn; hand it on below (plain store and load).
                let mut stopped = false;
                spin_until_with(patience, || {
                    stopped = shared.ending.stop.load(Relaxed);
                    stopped || read::load32(&shared.turn.0) == w as u32
                });
                if stopped {
                    break 'run;
                }
            }
            for step in test.turn {
                match step {
                    WriterStep::CheckLast => lost += (read::split(pte) != last) as u64,
                    WriterStep::Zap => writer.zap(seq, pte),
                    WriterStep::CheckZero => lost += (read::split(pte) != (0, 0)) as u64,
                    WriterStep::Install => {
                        k = k.wrapping_add(1);
                        let (lo, hi) = scheme.install(k);
                        writer.install(seq, pte, lo, hi);
                        last = (lo, hi);
                    }
                }
            }
            turns += 1;
            if writers > 1 {
                k = k.wrapping_add(writers - 1);
                write::store32(&shared.turn.0, (w as u32 + 1) % writers);
            }
        }
        if shared.ending.stop.load(Relaxed) {
            break;
        }
    }
    shared.lost.fetch_add(lost, Relaxed);
    shared.turns.fetch_add(turns, Relaxed);
}

/// Run a PTE test with one read strategy (already checked available).
pub fn run_pte(
    test: &PteTest,
    strategy: ReadStrategy,
    plan: &Plan,
    interrupted: &AtomicBool,
    progress: &dyn Progress,
) -> Result<RunResult, String> {
    let shared = PteShared {
        entry: PteLine::default(),
        turn: Line::default(),
        ending: Ending::default(),
        reads: AtomicU64::new(0),
        lost: AtomicU64::new(0),
        turns: AtomicU64::new(0),
        pin_error: Mutex::new(None),
    };
    let ready = Barrier::new(1 + test.writers);
    let started = Instant::now();
    let counts = std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let counts = with_reader!(strategy, R => pte_reader::<R>(&shared, test, plan, &ready),
                missing => unreachable!("the runner only runs compiled strategies"));
            shared.ending.stop.store(true, Relaxed);
            counts
        });
        let patience = patience(&plan.cores, 1 + test.writers);
        let writers: Vec<_> = (0..test.writers)
            .map(|w| {
                let (shared, ready, core) = (&shared, &ready, plan.cores.for_thread(1 + w));
                scope.spawn(move || pte_writer(shared, test, strategy, w, core, patience, ready))
            })
            .collect();
        let finish = scope.spawn(|| {
            for writer in writers {
                writer.join().expect("writer thread");
            }
            let counts = reader.join().expect("reader thread");
            shared.ending.finished.store(true, Relaxed);
            counts
        });
        monitor(
            plan.budget,
            started,
            interrupted,
            &shared.ending,
            || shared.reads.load(Relaxed),
            progress,
        );
        finish.join().expect("joining thread")
    });
    let seconds = started.elapsed().as_secs_f64();
    if let Some(e) = shared.pin_error.into_inner().unwrap() {
        return Err(e);
    }
    let mut outcomes: Vec<OutcomeCount> =
        [PteOutcome::Intact, PteOutcome::Torn, PteOutcome::Absent]
            .into_iter()
            .map(|o| OutcomeCount {
                label: o.name().into(),
                count: counts[o as usize],
                witness: o == test.witness,
                values: Vec::new(),
            })
            .collect();
    if test.writer_checks() {
        outcomes.push(OutcomeCount {
            label: PteOutcome::Lost.name().into(),
            count: shared.lost.into_inner(),
            witness: test.witness == PteOutcome::Lost,
            values: Vec::new(),
        });
    }
    Ok(RunResult {
        outcomes,
        iterations: shared.reads.into_inner(),
        seconds,
        interrupted: interrupted.load(Relaxed),
        writer_turns: shared.turns.into_inner(),
        detail: format!(
            "{} writer thread(s), {}, reader window {} pause",
            test.writers,
            strategy.writer().name(),
            plan.reader_delay
        ),
    })
}

/// One writer turn as the reader sees it, in TSC ticks: the writer zaps the
/// PTE and installs the next one, the reader spins (plain loads) until it
/// sees the new high half and answers on a line of its own, and the writer
/// times the exchange. Half the median exchange is one turn plus the PTE
/// line's trip to the reader: what one refill takes to reach a reader, the
/// unit of `--reader-window Nturns`. The test's first writer and the
/// reader run on their cores; `rounds` exchanges after 64 unrecorded.
pub fn writer_turn_ticks(
    test: &PteTest,
    strategy: ReadStrategy,
    cores: &super::pin::Cores,
    rounds: u32,
) -> Result<u64, String> {
    let writer = strategy.writer();
    turn_ticks(
        |entry, k| {
            let (low, high) = test.scheme.install(k as u32);
            writer.zap(&entry.seq, &entry.pte);
            writer.install(&entry.seq, &entry.pte, low, high);
        },
        |k| test.scheme.install(k as u32).1,
        cores,
        rounds,
    )
}

/// [`writer_turn_ticks`] for any writer: `turn(entry, k)` zaps and makes
/// install `k`, whose high half is `high_of(k)` (each differs from the
/// one before).
pub(super) fn turn_ticks(
    turn: impl Fn(&PteLine, u64) + Sync,
    high_of: impl Fn(u64) -> u32 + Sync,
    cores: &super::pin::Cores,
    rounds: u32,
) -> Result<u64, String> {
    let entry = PteLine::default();
    let answer = Line::default();
    let warm = 64u32;
    std::thread::scope(|scope| {
        let reader = scope.spawn(|| -> Result<(), String> {
            pin_current_thread(cores.for_thread(0))?;
            for k in 1..=rounds + warm {
                let high = high_of(k as u64);
                spin_until_with(1 << 14, || read::split(&entry.pte).1 == high);
                write::store32(&answer.0, k);
            }
            Ok(())
        });
        let writer = scope.spawn(|| -> Result<Vec<u64>, String> {
            pin_current_thread(cores.for_thread(1))?;
            let mut exchanges = Vec::with_capacity(rounds as usize);
            for k in 1..=rounds + warm {
                let start = pte_asm::tsc::rdtsc();
                turn(&entry, k as u64);
                spin_until_with(1 << 14, || read::load32(&answer.0) == k);
                if k > warm {
                    exchanges.push(pte_asm::tsc::rdtsc().wrapping_sub(start));
                }
            }
            Ok(exchanges)
        });
        let read = reader.join().expect("reader thread");
        let mut exchanges = writer.join().expect("writer thread")?;
        read?;
        Ok(super::refault::quantile(&mut exchanges, 0.5) / 2)
    })
}
