//! The protocols' runner: the reader reads the PTE by a read protocol and
//! classifies every read against the installs, while 1 to 3 writers take
//! turns zapping it and installing the next, streaming as the PTE runner
//! does ([`super::pte`]), with no synchronisation in between.

use super::spin::Line;
use super::stream::Stream;
use super::{OutcomeCount, Plan, Progress, RunResult};
use crate::catalog::protocol::{Installs, Pair};
use crate::catalog::pte::PteOutcome;
use crate::judge;
use pte_asm::{read, write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};

/// One pair to run: its protocols, how many writers take turns, and what
/// they install.
pub struct ProtocolJob<'a> {
    pub pair: Pair,
    pub writers: usize,
    pub installs: &'a Installs,
    /// Bound every read's cycles, and count a torn read that more than
    /// this many cycles may have landed in as `stalled` (the judge's rule,
    /// [`judge::protocol::stalled`]: more than the model tried).
    /// `None`: no counting. Counting costs a store per cycle and two loads
    /// per read of a line of its own (outside the read).
    pub bound: Option<u32>,
}

/// The outcomes a protocol run counts, in this order.
pub const OUTCOMES: [&str; 4] = ["intact", "torn", "absent", "stalled"];
const STALLED: usize = 3;

fn reader(stream: &Stream, job: &ProtocolJob, installed: &Line, plan: &Plan) -> [u64; 4] {
    let (seq, pte) = (&stream.entry.seq, &stream.entry.pte);
    let (protocol, installs) = (job.pair.reader, job.installs);
    let spins = plan.reader_delay;
    let mut counts = [0u64; 4];
    stream.read_chunks(plan, |chunk| match job.bound {
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
                let before = read::load32(&installed.0);
                let (lo, hi) = protocol.read(seq, pte, spins);
                let after = read::load32(&installed.0);
                let outcome = installs.classify(lo, hi);
                let inside = after.wrapping_sub(before).saturating_add(1);
                let stalled =
                    outcome == PteOutcome::Torn && judge::protocol::stalled(inside, bound);
                counts[if stalled { STALLED } else { outcome as usize }] += 1;
            }
        }
    });
    counts
}

/// Writer `w`'s zap+install cycles; returns how many it made.
fn writer(stream: &Stream, job: &ProtocolJob, installed: &Line, w: usize, patience: u32) -> u64 {
    let (seq, pte) = (&stream.entry.seq, &stream.entry.pte);
    let (protocol, writers) = (job.pair.writer, job.writers as u64);
    let counting = job.bound.is_some();
    // Install numbers go up by one per install across all writers; the
    // PTE starts as install 0.
    let mut k = w as u64;
    stream.write_turns(w, job.writers, patience, || {
        k += 1;
        let (lo, hi) = job.installs.install(k);
        protocol.zap(seq, pte);
        protocol.install(seq, pte, lo, hi);
        if counting {
            // After the install's stores: readers bound their cycles.
            write::store32(&installed.0, k as u32);
        }
        // The other writers' installs come between this one's.
        k += writers - 1;
    })
}

/// Run one pair (its reader already checked available) with the reader's
/// window `plan.reader_delay` `pause`s.
pub fn run_protocol(
    job: &ProtocolJob,
    plan: &Plan,
    interrupted: &AtomicBool,
    progress: &dyn Progress,
) -> Result<RunResult, String> {
    let stream = Stream::default();
    // With a bound: the number of the latest install, stored after it, in
    // a line of its own (outside the read).
    let installed = Line::default();
    let cycles = AtomicU64::new(0);
    let (lo, hi) = job.installs.install(0);
    job.pair
        .writer
        .install(&stream.entry.seq, &stream.entry.pte, lo, hi);
    let (counts, reads, seconds) = stream.run(
        plan,
        job.writers,
        interrupted,
        progress,
        |stream| reader(stream, job, &installed, plan),
        |stream, w, patience| {
            cycles.fetch_add(writer(stream, job, &installed, w, patience), Relaxed);
        },
    )?;
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
        iterations: reads,
        abandoned: 0,
        seconds,
        interrupted: interrupted.load(Relaxed),
        writer_turns: cycles.into_inner(),
        mode: super::RunMode::Stream,
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
    use crate::harness::Budget;
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
