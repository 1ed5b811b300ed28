//! The PTE runner: the reader reads the PTE by its strategy and classifies
//! every read, while the writers zap and install it, streaming, with no
//! synchronisation in between.

use super::pin::pin_current_thread;
use super::spin::{Line, spin_until_with};
use super::stream::{PteLine, Stream};
use super::{OutcomeCount, Plan, Progress, RunResult};
use crate::catalog::pte::{PteOutcome, PteTest, WriterStep};
use pte_asm::strategy::{PteReader, ReadStrategy};
use pte_asm::{read, with_reader, write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};

fn pte_reader<R: PteReader>(stream: &Stream, test: &PteTest, plan: &Plan) -> [u64; 3] {
    let (seq, pte) = (&stream.entry.seq, &stream.entry.pte);
    let (scheme, delay) = (test.scheme, plan.reader_delay);
    let mut counts = [0u64; 3];
    stream.read_chunks(plan, |chunk| {
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
    });
    counts
}

/// Writer `w`'s turns, the test's steps each; returns (turns, lost).
fn pte_writer(
    stream: &Stream,
    test: &PteTest,
    strategy: ReadStrategy,
    w: usize,
    patience: u32,
) -> (u64, u64) {
    let (seq, pte) = (&stream.entry.seq, &stream.entry.pte);
    let (writer, scheme, writers) = (strategy.writer(), test.scheme, test.writers as u32);
    let mut last = pte_asm::halves(0);
    let mut lost = 0u64;
    // Install numbers start at 0 (the seed's A) and go up by one per
    // install across all writers.
    let mut k = (w as u32).wrapping_sub(1);
    let turns = stream.write_turns(w, test.writers, patience, || {
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
        // The other writers' installs come between this one's.
        k = k.wrapping_add(writers - 1);
    });
    (turns, lost)
}

/// Run a PTE test with one read strategy (already checked available).
pub fn run_pte(
    test: &PteTest,
    strategy: ReadStrategy,
    plan: &Plan,
    interrupted: &AtomicBool,
    progress: &dyn Progress,
) -> Result<RunResult, String> {
    let (lost, turns) = (AtomicU64::new(0), AtomicU64::new(0));
    let (counts, reads, seconds) = Stream::default().run(
        plan,
        test.writers,
        interrupted,
        progress,
        |stream| {
            with_reader!(strategy, R => pte_reader::<R>(stream, test, plan),
                missing => unreachable!("the runner only runs compiled strategies"))
        },
        |stream, w, patience| {
            let (t, l) = pte_writer(stream, test, strategy, w, patience);
            turns.fetch_add(t, Relaxed);
            lost.fetch_add(l, Relaxed);
        },
    )?;
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
            count: lost.into_inner(),
            witness: test.witness == PteOutcome::Lost,
            values: Vec::new(),
        });
    }
    Ok(RunResult {
        outcomes,
        iterations: reads,
        abandoned: 0,
        seconds,
        interrupted: interrupted.load(Relaxed),
        writer_turns: turns.into_inner(),
        mode: super::RunMode::Stream,
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
