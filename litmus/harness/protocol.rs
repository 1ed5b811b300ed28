//! The protocols' runner: the reader reads the PTE by a read protocol and
//! classifies every read against the installs, while 1 to 3 writers take
//! turns zapping it and installing the next, streaming as the PTE runner
//! does ([`super::pte`]), with no synchronisation in between.

use super::pin::pin_current_thread;
use super::pte::{PteLine, reads_per_chunk};
use super::spin::{Ending, Line, monitor, patience, spin_until_with};
use super::{Budget, OutcomeCount, Plan, Progress, RunResult};
use crate::catalog::protocol::{Installs, Pair};
use crate::catalog::pte::PteOutcome;
use pte_asm::{read, write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Barrier, Mutex};
use std::time::Instant;

/// One pair to run: its protocols, how many writers take turns, and what
/// they install.
pub struct ProtocolJob<'a> {
    pub pair: Pair,
    pub writers: usize,
    pub installs: &'a Installs,
    /// Bound every read's cycles, and count a torn read that more than
    /// this many cycles may have landed in as `stalled`: more than the
    /// model tried (a preemption, an interrupt, or just a fast writer).
    /// `None`: no counting. Counting costs a store per cycle and two loads
    /// per read of a line of its own (outside the read).
    pub bound: Option<u32>,
}

/// The outcomes a protocol run counts, in this order.
pub const OUTCOMES: [&str; 4] = ["intact", "torn", "absent", "stalled"];
const STALLED: usize = 3;

struct Shared<'a> {
    job: &'a ProtocolJob<'a>,
    entry: PteLine,
    /// Whose turn it is among several writers.
    turn: Line,
    /// With a bound: the number of the latest install, stored after it.
    installed: Line,
    ending: Ending,
    reads: AtomicU64,
    /// Zap+install cycles the writers completed.
    cycles: AtomicU64,
    pin_error: Mutex<Option<String>>,
}

fn reader(shared: &Shared, plan: &Plan, ready: &Barrier) -> [u64; 4] {
    if let Err(e) = pin_current_thread(plan.cores.for_thread(0)) {
        shared.pin_error.lock().unwrap().get_or_insert(e);
    }
    ready.wait();
    let (seq, pte) = (&shared.entry.seq, &shared.entry.pte);
    let (protocol, installs) = (shared.job.pair.reader, shared.job.installs);
    let spins = plan.reader_delay;
    let chunk = reads_per_chunk(spins);
    let mut counts = [0u64; 4];
    let mut reads = 0u64;
    while !shared.ending.stop.load(Relaxed) {
        let chunk = match plan.budget {
            Budget::Iterations(n) => chunk.min((n - reads).min(u32::MAX as u64) as u32),
            Budget::Duration(_) => chunk,
        };
        match shared.job.bound {
            None => {
                for _ in 0..chunk {
                    let (lo, hi) = protocol.read(seq, pte, spins);
                    counts[installs.classify(lo, hi) as usize] += 1;
                }
            }
            Some(bound) => {
                for _ in 0..chunk {
                    // Loads in order (x86-TSO): `before` is no later than
                    // the install the read's first load saw, `after` no
                    // earlier than the one before its last load's, so at
                    // most `after - before + 1` cycles landed inside.
                    let before = read::load32(&shared.installed.0);
                    let (lo, hi) = protocol.read(seq, pte, spins);
                    let after = read::load32(&shared.installed.0);
                    let outcome = installs.classify(lo, hi);
                    let inside = after.wrapping_sub(before).saturating_add(1);
                    let stalled = outcome == PteOutcome::Torn && inside > bound;
                    counts[if stalled { STALLED } else { outcome as usize }] += 1;
                }
            }
        }
        reads += chunk as u64;
        shared.reads.store(reads, Relaxed);
        if matches!(plan.budget, Budget::Iterations(n) if reads >= n) {
            shared.ending.stop.store(true, Relaxed);
        }
    }
    counts
}

fn writer(shared: &Shared, w: usize, core: usize, patience: u32, ready: &Barrier) {
    if let Err(e) = pin_current_thread(core) {
        shared.pin_error.lock().unwrap().get_or_insert(e);
    }
    ready.wait();
    let (seq, pte) = (&shared.entry.seq, &shared.entry.pte);
    let job = shared.job;
    let (protocol, writers) = (job.pair.writer, job.writers as u64);
    let mut cycles = 0u64;
    let counting = job.bound.is_some();
    // Install numbers go up by one per install across all writers; the
    // PTE starts as install 0.
    let mut k = w as u64;
    'run: loop {
        for _ in 0..1024 {
            if writers > 1 {
                let mut stopped = false;
                spin_until_with(patience, || {
                    stopped = shared.ending.stop.load(Relaxed);
                    stopped || read::load32(&shared.turn.0) == w as u32
                });
                if stopped {
                    break 'run;
                }
            }
            k += 1;
            let (lo, hi) = job.installs.install(k);
            protocol.zap(seq, pte);
            protocol.install(seq, pte, lo, hi);
            if counting {
                // After the install's stores: readers bound their cycles.
                write::store32(&shared.installed.0, k as u32);
            }
            cycles += 1;
            if writers > 1 {
                k += writers - 1;
                write::store32(&shared.turn.0, ((w as u64 + 1) % writers) as u32);
            }
        }
        if shared.ending.stop.load(Relaxed) {
            break;
        }
    }
    shared.cycles.fetch_add(cycles, Relaxed);
}

/// Run one pair (its reader already checked available) with the reader's
/// window `plan.reader_delay` `pause`s.
pub fn run_protocol(
    job: &ProtocolJob,
    plan: &Plan,
    interrupted: &AtomicBool,
    progress: &dyn Progress,
) -> Result<RunResult, String> {
    let shared = Shared {
        job,
        entry: PteLine::default(),
        turn: Line::default(),
        installed: Line::default(),
        ending: Ending::default(),
        reads: AtomicU64::new(0),
        cycles: AtomicU64::new(0),
        pin_error: Mutex::new(None),
    };
    let (lo, hi) = job.installs.install(0);
    job.pair
        .writer
        .install(&shared.entry.seq, &shared.entry.pte, lo, hi);
    let ready = Barrier::new(1 + job.writers);
    let started = Instant::now();
    let counts = std::thread::scope(|scope| {
        let reading = scope.spawn(|| {
            let counts = reader(&shared, plan, &ready);
            shared.ending.stop.store(true, Relaxed);
            counts
        });
        let patience = patience(&plan.cores, 1 + job.writers);
        let writing: Vec<_> = (0..job.writers)
            .map(|w| {
                let (shared, ready, core) = (&shared, &ready, plan.cores.for_thread(1 + w));
                scope.spawn(move || writer(shared, w, core, patience, ready))
            })
            .collect();
        let finish = scope.spawn(|| {
            for w in writing {
                w.join().expect("writer thread");
            }
            let counts = reading.join().expect("reader thread");
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
    let outcomes = OUTCOMES
        .iter()
        .zip(counts)
        .map(|(label, count)| OutcomeCount {
            label: label.to_string(),
            count,
            witness: *label == "torn",
            values: Vec::new(),
        })
        .collect();
    Ok(RunResult {
        outcomes,
        iterations: shared.reads.into_inner(),
        seconds,
        interrupted: interrupted.load(Relaxed),
        writer_turns: shared.cycles.into_inner(),
        detail: format!(
            "{} writer thread(s) taking turns, {} installs a period, reader window {} pause",
            job.writers,
            job.installs.period(),
            plan.reader_delay
        ),
    })
}

/// One zap+install of `job`'s writer as the reader sees it, in TSC ticks
/// (see [`super::pte::writer_turn_ticks`]). Installs whose high halves
/// differ from turn to turn, so the reader can tell each one.
pub fn protocol_turn_ticks(
    job: &ProtocolJob,
    cores: &super::pin::Cores,
    rounds: u32,
) -> Result<u64, String> {
    let writer = job.pair.writer;
    let high_of = |k: u64| 0x0001_0000 + (k as u32 & 0xffff);
    super::pte::turn_ticks(
        |entry, k| {
            let (low, _) = job.installs.install(k);
            writer.zap(&entry.seq, &entry.pte);
            writer.install(&entry.seq, &entry.pte, low, high_of(k));
        },
        high_of,
        cores,
        rounds,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::protocol::{Reader, SEED_INSTALLS, Writer};
    use crate::harness::pin::Cores;

    fn plan(reads: u64) -> Plan {
        Plan {
            cores: Cores::choose(None).unwrap(),
            budget: Budget::Iterations(reads),
            batch: 1,
            sync: crate::harness::Sync::Flags,
            reader_delay: 0,
        }
    }

    #[test]
    fn a_run_counts_every_read_once_and_cycles_the_installs() {
        let installs = Installs::new(Writer::Kernel, &SEED_INSTALLS);
        for writers in [1, 2] {
            let job = ProtocolJob {
                pair: Pair {
                    reader: Reader::Seqcount,
                    writer: Writer::Seqcount,
                },
                writers,
                installs: &installs,
                bound: Some(8),
            };
            let r = run_protocol(&job, &plan(20_000), &AtomicBool::new(false), &()).unwrap();
            assert_eq!(r.iterations, 20_000);
            assert_eq!(r.outcomes.iter().map(|o| o.count).sum::<u64>(), 20_000);
            // seqcount against its writer: never torn (the model's whole).
            assert_eq!(r.witnesses(), 0, "{:?}", r.outcomes);
        }
    }
}
