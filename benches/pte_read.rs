//! What each PTE read costs on the GUP-fast hot path, in TSC ticks.
//!
//! Groups (each per read strategy this build and CPU can run):
//! - `read`: one read of a cache-hot PTE. nanoBench's way of cancelling the
//!   loop and the clock: the same loop is timed with its body unrolled 16
//!   and 32 times, and the difference divided by 16 is the cost of one read
//!   (each timing the fastest of five rounds).
//! - `walk`: `gup_fast_pte_range()`'s shape: read every PTE of a table,
//!   check present and user, collect the frame numbers; tables of 1, 16,
//!   512 (one PAE page-table page), 4096 and 262144 PTEs, so the cost per
//!   PTE shows as the table leaves L1, L2 and L3 (throughput in PTEs).
//! - `contended`: reads (timed directly, 16 per loop iteration: under a
//!   writer the cancellation's two timings vary more than they differ)
//!   while a writer on another core zaps and installs
//!   (`pae-clear`/`pae-set`, seqcount writers for `seqcount`) the same PTE
//!   (`same-pte`), its neighbour in the same 64-byte line (`same-line`), or
//!   a PTE in another line (`other-line`).
//! - `readers`: `walk` of one 512-PTE page alone (`1`) and while a second
//!   reader on another core walks the same page with the same strategy
//!   (`2`): `lock cmpxchg8b` writes the line, so sharing becomes ping-pong.
//! - `protocol-read`: `read`'s measure for the reads `litmus protocols`
//!   judges (`pte_asm::protocol::Reader`), what a protocol from 32-bit
//!   loads costs on mips- and sh-like hardware's x86 stand-in.
//!
//! Results go to `target/criterion/<target>/` with the machine record;
//! `litmus bench-report --csv PATH` turns them into CSV with ratios to
//! `split` and `native64`. `cargo test --benches` runs each body once.

mod common;

use common::{Tsc, end_stamp};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use pte_asm::cpu::Features;
use pte_asm::protocol::Reader;
use pte_asm::strategy::{PteReader, ReadStrategy, Writer};
use pte_asm::{Pte, SeqCount, tsc, with_reader};
use pte_litmus::bench::{BenchClocks, criterion_dir, write_machine_record};
use pte_litmus::catalog::pte::Scheme;
use pte_litmus::harness::clocks;
use pte_litmus::harness::pin::{Cores, pin_current_thread};
use pte_litmus::harness::price::{self, read_loop};
use pte_litmus::report::machine::Machine;
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::time::Duration;

// ------------------------------------------------------------ the bodies ---

/// Ticks for `iters` reads timed directly, 16 per loop iteration: under a
/// writer the two timings of [`price::read_ticks`] vary more than they differ, so
/// the loop (one add and a branch per 16 reads) is left in, small against
/// the line misses being measured.
fn contended_cost<R: PteReader>(seq: &SeqCount, pte: &Pte, iters: u64) -> u64 {
    read_loop::<R, 16>(seq, pte, iters.div_ceil(16))
}

const PRESENT_USER: u32 = 0x001 | 0x004;

/// `gup_fast_pte_range()`'s loop: read each PTE, bail on the first that is
/// not present or not user, collect its frame number. Returns how many.
#[inline(always)]
fn walk<R: PteReader>(seq: &SeqCount, table: &[Pte], frames: &mut [u64]) -> usize {
    let mut n = 0;
    for pte in table {
        // SAFETY: the strategy's availability was checked by the caller.
        let (lo, hi) = unsafe { R::read(seq, pte) };
        if lo & PRESENT_USER != PRESENT_USER {
            break;
        }
        frames[n] = pte_asm::join(lo, hi) >> 12;
        n += 1;
    }
    n
}

/// A table of `n` present user PTEs with distinct frames.
fn table(n: usize) -> Vec<Pte> {
    (0..n as u32)
        .map(|k| {
            let (lo, hi) = Scheme::Fresh.install(k + 1);
            Pte::new(pte_asm::join(lo, hi))
        })
        .collect()
}

// ------------------------------------------------------------ the groups ---

struct Setup {
    cpu: Features,
    /// The core of the measuring thread and the one for a second thread.
    cores: Option<(usize, usize)>,
}

fn bench_read<R: PteReader>(c: &mut Criterion<Tsc>) {
    let (seq, pte) = (SeqCount::new(0), Pte::new(0x0001_0002_0001_0067));
    c.benchmark_group("read")
        .bench_function(R::STRATEGY.name(), |b| {
            b.iter_custom(|iters| price::read_ticks::<R>(&seq, &pte, iters))
        });
}

const WALK_SIZES: [usize; 5] = [1, 16, 512, 4096, 262144];

fn bench_walk<R: PteReader>(c: &mut Criterion<Tsc>) {
    let seq = SeqCount::new(0);
    let mut group = c.benchmark_group("walk");
    for n in WALK_SIZES {
        let (ptes, mut frames) = (table(n), vec![0u64; n]);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::new(R::STRATEGY.name(), n), |b| {
            b.iter(|| {
                let walked = walk::<R>(&seq, &ptes, &mut frames);
                assert_eq!(walked, n, "every PTE of the table is present and user");
                walked
            })
        });
    }
    group.finish();
}

/// Runs `measure` while `background` runs on `core`, then stops the
/// background thread (also if `measure` panics: the guard raises `stop`).
fn alongside(core: usize, background: impl FnOnce(&AtomicBool) + Send, measure: impl FnOnce()) {
    struct StopOnDrop<'s>(&'s AtomicBool);
    impl Drop for StopOnDrop<'_> {
        fn drop(&mut self) {
            self.0.store(true, Relaxed);
        }
    }
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let stop = &stop;
        scope.spawn(move || {
            pin_current_thread(core).expect("pin the background thread");
            background(stop);
        });
        let _stop = StopOnDrop(stop);
        measure();
    });
}

fn bench_contended<R: PteReader>(c: &mut Criterion<Tsc>, setup: &Setup) {
    let Some((_, other)) = setup.cores else {
        return;
    };
    let seq = SeqCount::new(0);
    let ptes = table(16); // two 64-byte lines of eight PTEs
    let writer = R::STRATEGY.writer();
    let mut group = c.benchmark_group("contended");
    for (param, target) in [("same-pte", 0), ("same-line", 1), ("other-line", 8)] {
        alongside(
            other,
            |stop| zap_and_install(writer, &seq, &ptes[target], stop),
            || {
                group.bench_function(BenchmarkId::new(R::STRATEGY.name(), param), |b| {
                    b.iter_custom(|iters| contended_cost::<R>(&seq, &ptes[0], iters))
                });
            },
        );
    }
    group.finish();
}

/// The kernel's zap/install protocol on `pte`, until `stop`.
fn zap_and_install(writer: Writer, seq: &SeqCount, pte: &Pte, stop: &AtomicBool) {
    let mut k = 0u32;
    while !stop.load(Relaxed) {
        for _ in 0..256 {
            writer.zap(seq, pte);
            k = k.wrapping_add(1);
            let (lo, hi) = Scheme::Fresh.install(k);
            writer.install(seq, pte, lo, hi);
        }
    }
}

fn bench_readers<R: PteReader>(c: &mut Criterion<Tsc>, setup: &Setup) {
    let Some((_, other)) = setup.cores else {
        return;
    };
    let seq = SeqCount::new(0);
    let ptes = table(512);
    let mut frames = vec![0u64; 512];
    let mut group = c.benchmark_group("readers");
    group.throughput(Throughput::Elements(512));
    group.bench_function(BenchmarkId::new(R::STRATEGY.name(), 1), |b| {
        b.iter(|| walk::<R>(&seq, &ptes, &mut frames))
    });
    alongside(
        other,
        |stop| {
            let mut frames = vec![0u64; 512];
            while !stop.load(Relaxed) {
                black_box(walk::<R>(&seq, &ptes, &mut frames));
            }
        },
        || {
            group.bench_function(BenchmarkId::new(R::STRATEGY.name(), 2), |b| {
                b.iter(|| walk::<R>(&seq, &ptes, &mut frames))
            });
        },
    );
    group.finish();
}

/// [`read_loop`] for a protocol read: `R` indexes `Reader::ALL`, a
/// constant, so the dispatch folds away.
#[inline(always)]
fn protocol_loop<const R: usize, const UNROLL: usize>(
    seq: &SeqCount,
    pte: &Pte,
    iters: u64,
) -> u64 {
    let reader = Reader::ALL[R];
    let mut acc = 0u32;
    let iters = usize::try_from(iters).unwrap_or(usize::MAX);
    let start = tsc::rdtsc();
    for _ in 0..iters {
        for _ in 0..UNROLL {
            let (lo, hi) = reader.read(seq, pte, 0);
            acc = acc.wrapping_add(lo ^ hi);
        }
    }
    let end = end_stamp();
    black_box(acc);
    end.saturating_sub(start)
}

/// [`price::cancelled_ticks`] for a protocol read.
fn protocol_cost<const R: usize>(seq: &SeqCount, pte: &Pte, iters: u64) -> u64 {
    price::cancelled_ticks(
        iters,
        |n| protocol_loop::<R, 16>(seq, pte, n),
        |n| protocol_loop::<R, 32>(seq, pte, n),
    )
}

fn bench_protocol<const R: usize>(c: &mut Criterion<Tsc>, cpu: &Features) {
    let reader = Reader::ALL[R];
    if let Err(reason) = reader.availability(cpu) {
        eprintln!("pte-litmus bench: {} unavailable: {reason}", reader.name());
        return;
    }
    let (seq, pte) = (SeqCount::new(0), Pte::new(0x0001_0002_0001_0067));
    c.benchmark_group("protocol-read")
        .bench_function(reader.name(), |b| {
            b.iter_custom(|iters| protocol_cost::<R>(&seq, &pte, iters))
        });
}

fn all(c: &mut Criterion<Tsc>) {
    let cpu = Features::detect();
    let allowed = Cores::allowed();
    let cores = match allowed[..] {
        [a, b, ..] => Some((a, b)),
        _ => None,
    };
    if let Some((main, _)) = cores {
        pin_current_thread(main).expect("pin the measuring thread");
    } else {
        eprintln!("pte-litmus bench: one core only: no contended or readers benchmarks");
    }
    // The TSC's rate, and the core clock against it on this (pinned) core:
    // a dependent add chain, so costs can be given in core cycles too.
    let bench_clocks = BenchClocks {
        tsc_hz: clocks::tsc_hz(Duration::from_millis(200)),
        cycles_per_tick: Some(clocks::core_cycles_per_tick()),
    };
    write_machine_record(&criterion_dir(), &Machine::detect(), bench_clocks)
        .expect("machine record");
    let setup = Setup { cpu, cores };
    for strategy in ReadStrategy::ALL {
        if let Err(reason) = strategy.availability(&setup.cpu) {
            eprintln!(
                "pte-litmus bench: {} unavailable: {reason}",
                strategy.name()
            );
            continue;
        }
        with_reader!(strategy, R => {
            bench_read::<R>(c);
            bench_walk::<R>(c);
            bench_contended::<R>(c, &setup);
            bench_readers::<R>(c, &setup);
        }, missing => unreachable!("available strategies are compiled"));
    }
    bench_protocol::<0>(c, &setup.cpu);
    bench_protocol::<1>(c, &setup.cpu);
    bench_protocol::<2>(c, &setup.cpu);
    bench_protocol::<3>(c, &setup.cpu);
    bench_protocol::<4>(c, &setup.cpu);
    bench_protocol::<5>(c, &setup.cpu);
    bench_protocol::<6>(c, &setup.cpu);
    bench_protocol::<7>(c, &setup.cpu);
    bench_protocol::<8>(c, &setup.cpu);
    bench_protocol::<9>(c, &setup.cpu);
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = all
}
criterion_main!(benches);
