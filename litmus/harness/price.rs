//! What one read of a cache-hot PTE costs, by nanoBench's method: the same
//! loop timed with its body unrolled 16 and 32 times, the difference divided
//! by 16 (loop and clock cancel), each timing the fastest of five rounds.
//! The `read` benchmark (`benches/pte_read.rs`) times exactly this, and
//! `litmus run` prices each read it judged with it when no benchmark is at
//! hand: the answer's core-cycles column comes from the run itself.

use super::clocks;
use super::pin::pin_current_thread;
use pte_asm::cpu::Features;
use pte_asm::strategy::{PteReader, ReadStrategy};
use pte_asm::{Pte, SeqCount, tsc, with_reader};
use std::hint::black_box;

/// The closing timestamp: `rdtscp` where the CPU has it (it waits for the
/// measured instructions to complete), else `rdtsc`.
#[inline(always)]
pub fn end_stamp() -> u64 {
    static RDTSCP: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if *RDTSCP.get_or_init(|| Features::detect().rdtscp) {
        tsc::rdtscp()
    } else {
        tsc::rdtsc()
    }
}

/// The read under test, `UNROLL` times per iteration, results folded into
/// an accumulator so none is dead. Returns the ticks for `iters` iterations.
/// (Two accumulators, alternately, were tried: `native64`, `seqcount` and
/// `fild` then measured 3 to 7 times slower, the compiler's reassociated
/// adds interleaving the reads; one chain keeps the C cross-check's shape.)
#[inline(always)]
pub fn read_loop<R: PteReader, const UNROLL: usize>(seq: &SeqCount, pte: &Pte, iters: u64) -> u64 {
    let mut acc = 0u32;
    // A native-width count, as the C program's `long`: a 64-bit count on
    // i686 needs a register pair, the 16-read loop then kept it on the stack
    // and the 32-read loop in registers, and the two loops' overheads no
    // longer cancelled (sub-tick reads measured 2.3 times the C figure).
    let iters = usize::try_from(iters).unwrap_or(usize::MAX);
    let start = tsc::rdtsc();
    for _ in 0..iters {
        for _ in 0..UNROLL {
            // SAFETY: the strategy's availability was checked by the caller.
            let (lo, hi) = unsafe { R::read(seq, pte) };
            acc = acc.wrapping_add(lo ^ hi);
        }
    }
    let end = end_stamp();
    black_box(acc);
    end.saturating_sub(start)
}

/// Rounds of the two unrolled loops per timing in [`cancelled_ticks`].
const ROUNDS: u64 = 5;
/// Loop iterations per round at least: criterion's first samples ask for a
/// handful of iterations, whose difference would be lost in the clock's
/// noise (and a zero makes criterion discard the whole benchmark).
const MIN_ROUND: u64 = 2_000;

/// Ticks for `iters` reads, loop and clock cancelled nanoBench's way: the
/// loop unrolled 32 times (`long`, given its iterations) minus the loop
/// unrolled 16 times (`short`), divided by 16. Each is timed in [`ROUNDS`]
/// rounds and the fastest round kept (an interrupt or a preempted vCPU
/// lands in one round, not in the minimum), as nanoBench keeps the minimum
/// over repetitions; the per-read cost is then scaled to `iters` reads.
/// Never zero (criterion refuses a zero).
pub fn cancelled_ticks(
    iters: u64,
    mut short: impl FnMut(u64) -> u64,
    mut long: impl FnMut(u64) -> u64,
) -> u64 {
    let per_round = (iters / ROUNDS).max(MIN_ROUND);
    let (mut fastest_short, mut fastest_long) = (u64::MAX, u64::MAX);
    for _ in 0..ROUNDS {
        fastest_short = fastest_short.min(short(per_round));
        fastest_long = fastest_long.min(long(per_round));
    }
    let per_read = fastest_long.saturating_sub(fastest_short) as f64 / (16 * per_round) as f64;
    ((per_read * iters as f64).round() as u64).max(1)
}

/// [`cancelled_ticks`] of [`read_loop`]: ticks for `iters` reads of `R`.
pub fn read_ticks<R: PteReader>(seq: &SeqCount, pte: &Pte, iters: u64) -> u64 {
    cancelled_ticks(
        iters,
        |n| read_loop::<R, 16>(seq, pte, n),
        |n| read_loop::<R, 32>(seq, pte, n),
    )
}

/// A read's price in core cycles: the median of [`SAMPLES`] timings and
/// their range.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Price {
    pub median: f64,
    pub low: f64,
    pub high: f64,
}

/// Timings per price, each of [`READS`] reads.
pub const SAMPLES: usize = 5;
/// Reads per timing: a few milliseconds for the dearest read (`lfence`'s
/// 45 cycles), a fraction of a second for the samples of every strategy.
pub const READS: u64 = 40_000;

/// What one read of `strategy` costs on `core`, in core cycles (ticks
/// times the core clock against the TSC, measured on that core).
pub fn measure(strategy: ReadStrategy, core: usize) -> Result<Price, String> {
    strategy
        .availability(&Features::detect())
        .map_err(|why| format!("{}: {why}", strategy.name()))?;
    std::thread::scope(|s| {
        s.spawn(|| {
            pin_current_thread(core)?;
            let cycles_per_tick = clocks::core_cycles_per_tick();
            let (seq, pte) = (SeqCount::new(0), Pte::new(0x0001_0002_0001_0067));
            let mut samples: Vec<f64> = with_reader!(strategy, R => {
                (0..SAMPLES)
                    .map(|_| read_ticks::<R>(&seq, &pte, READS) as f64 / READS as f64 * cycles_per_tick)
                    .collect()
            }, missing => return Err(format!("{}: not built into this binary", strategy.name())));
            samples.sort_by(f64::total_cmp);
            Ok(Price {
                median: samples[SAMPLES / 2],
                low: samples[0],
                high: samples[SAMPLES - 1],
            })
        })
        .join()
        .unwrap_or_else(|_| Err("the pricing thread panicked".into()))
    })
}
