//! The ceiling on any harness's witness rate (issue #32): how many
//! iterations per second two threads reach running nothing but a test's
//! own instructions, racing on two pinned cores, against the same bodies
//! in the perpetual runner's loop.
//!
//! Per test, two threads pinned to two different cores (the first two
//! this process may use: cores 0 and 1 on the project's VM), x and y each
//! a `Pte` on a 64-byte line of its own (as the perpetual runner's
//! `Slot`):
//! - `<test>/bare`: each thread runs its body in a tight loop of straight
//!   `pte-asm` calls (`store32`, `load32`), a loop counter and nothing
//!   else: no recording, no counting, no clock.
//! - `<test>/perpetual-loop`: the perpetual runner's loop
//!   (`harness::perpetual::run_iterations`): the body as `Op`s through
//!   `run_body`, its store registers set to values naming the iteration,
//!   each load's register (and each observer's load) copied to the
//!   thread's buffer row, the TSC read every 16 iterations against a
//!   deadline (here one that never comes), `BATCH` rows a batch. Only the
//!   barrier and counting between batches are left out.
//!
//! Both threads start at a spinning barrier and each runs `iters` bodies;
//! the time is the wall time from the first thread's start to the last
//! one's end. One element per body, so criterion's `thrpt` (elem/s) is
//! iterations per second per thread.
//!
//! Why: counted disjoint (each iteration of each thread in at most one
//! witness, as litmus7 counts each instance once), witnesses per second
//! cannot exceed the bare loop's iterations per second. Where 10x
//! litmus7's best witness rate for a test is above its `bare` rate here,
//! 10x is out of reach on this machine for any harness.
//!
//! Reading it: compare 10x litmus7's witnesses/s (results/) with the
//! `bare` thrpt; `perpetual-loop` / `bare` is the share of the ceiling
//! the runner's own loop keeps. The threads race on shared lines, as in a
//! run, so these are contended rates, not each body alone.
//! `cargo bench --bench ceiling -- --test` runs each body once.

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use pte_asm::{Pte, read, tsc, write};
use pte_litmus::bench::criterion_dir;
use pte_litmus::catalog::program::Operand;
use pte_litmus::catalog::pte::Scheme;
use pte_litmus::harness::ops::{Op, run_body};
use pte_litmus::harness::perpetual::BATCH;
use pte_litmus::harness::perpetual::convert::encode;
use pte_litmus::harness::pin::{Cores, pin_current_thread};
use pte_litmus::harness::spin::SpinBarrier;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// A location on a cache line of its own, as the perpetual runner's.
#[repr(C, align(64))]
struct Slot(Pte);

/// x (slot 0) and y (slot 1).
type Memory = [Slot; 2];
const X: u8 = 0;
const Y: u8 = 1;

fn lo(m: &Memory, loc: u8) -> &pte_asm::Word {
    m[loc as usize].0.low_word()
}

// ------------------------------------------------------------- the race ---

/// Wall time for two threads, pinned to `cores`, to run `iters` bodies
/// each (`run0`, `run1`), from the first start after a spinning barrier
/// to the last end. The clock is read only before and after each loop.
fn race(
    cores: [usize; 2],
    iters: u64,
    run0: impl FnOnce(u64) + Send,
    run1: impl FnOnce(u64) + Send,
) -> Duration {
    let barrier = SpinBarrier::new(2);
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| timed(&barrier, cores[0], iters, run0));
        let b = s.spawn(|| timed(&barrier, cores[1], iters, run1));
        (a.join().unwrap(), b.join().unwrap())
    });
    a.1.max(b.1) - a.0.min(b.0)
}

/// One racing thread: pinned, met at `barrier`, its loop timed.
fn timed(
    barrier: &SpinBarrier,
    core: usize,
    iters: u64,
    run: impl FnOnce(u64),
) -> (Instant, Instant) {
    pin_current_thread(core).expect("pin a ceiling thread");
    barrier.wait();
    let start = Instant::now();
    run(iters);
    (start, Instant::now())
}

// -------------------------------------------------------- the bare loop ---

/// `iters` bodies, `body(memory, k)` for iteration `k`. The loads' values
/// are dropped: `load32`'s `asm!` is not `pure`, so each load still runs.
#[inline(never)]
fn bare_loop(m: &Memory, iters: u64, body: &impl Fn(&Memory, u32)) {
    for k in 0..iters {
        body(m, k as u32);
    }
}

// ---------------------------------------------- the runner's loop shape ---

/// A store's register and the value it writes (`convert::StoreSlot`).
struct StoreReg {
    reg: u8,
    index: u64,
    stores: u64,
}

/// One thread as the perpetual runner has it (`convert::ThreadPlan`).
struct Thread {
    ops: Vec<Op>,
    stores: Vec<StoreReg>,
    /// The registers the loads write, in row order.
    loads: Vec<u8>,
    /// Locations both threads store, loaded again after each iteration.
    observers: Vec<u8>,
}

impl Thread {
    fn width(&self) -> usize {
        self.loads.len() + self.observers.len()
    }
}

/// The runner's TSC check interval (`perpetual::CHECK_EVERY`).
const CHECK_EVERY: usize = 16;

/// `perpetual::run_iterations`, batch after batch, for `iters` iterations.
#[inline(never)]
fn perpetual_loop(thread: &Thread, m: &Memory, buffer: &mut [u32], iters: u64) {
    let (ops, width) = (&thread.ops[..], thread.width());
    // Loaded once a batch in the runner; never reached here.
    let deadline = black_box(u64::MAX);
    let mut left = iters;
    while left > 0 {
        let limit = left.min(BATCH as u64) as usize;
        for k in 0..limit {
            if k % CHECK_EVERY == 0 && tsc::rdtsc() >= deadline {
                break;
            }
            let mut regs = [0u64; 16];
            for s in &thread.stores {
                regs[s.reg as usize] = encode(s.index, s.stores, k as u64);
            }
            run_body(ops, |l| &m[l as usize].0, &mut regs);
            let row = &mut buffer[k * width..(k + 1) * width];
            let (loaded, observed) = row.split_at_mut(thread.loads.len());
            for (cell, &reg) in loaded.iter_mut().zip(&thread.loads) {
                *cell = regs[reg as usize] as u32;
            }
            for (cell, &loc) in observed.iter_mut().zip(&thread.observers) {
                *cell = read::load32(lo(m, loc));
            }
        }
        left -= limit as u64;
    }
}

fn store(loc: u8, high: bool, reg: u8) -> Op {
    Op::Store32 {
        loc,
        high,
        value: Operand::Reg(reg),
    }
}

fn store_imm(high: bool, value: u32) -> Op {
    Op::Store32 {
        loc: X,
        high,
        value: Operand::Imm(value.into()),
    }
}

fn load(loc: u8, high: bool, reg: u8) -> Op {
    Op::Load32 { loc, high, reg }
}

/// Store registers from 8 up, out of the loads' way; `(index, stores)` as
/// `convert` numbers them (a location both threads store counts both).
fn stores(slots: &[(u64, u64)]) -> Vec<StoreReg> {
    (8..)
        .zip(slots)
        .map(|(reg, &(index, stores))| StoreReg { reg, index, stores })
        .collect()
}

// ------------------------------------------------------------ the tests ---

fn bench_test(
    c: &mut Criterion,
    cores: [usize; 2],
    name: &str,
    bare: (
        &(impl Fn(&Memory, u32) + Sync),
        &(impl Fn(&Memory, u32) + Sync),
    ),
    threads: [Thread; 2],
) {
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(1));
    group.sampling_mode(SamplingMode::Flat);
    group.bench_function("bare", |b| {
        b.iter_custom(|iters| {
            let m = [Slot(Pte::new(0)), Slot(Pte::new(0))];
            race(
                cores,
                iters,
                |n| bare_loop(&m, n, bare.0),
                |n| bare_loop(&m, n, bare.1),
            )
        })
    });
    group.bench_function("perpetual-loop", |b| {
        b.iter_custom(|iters| {
            let m = [Slot(Pte::new(0)), Slot(Pte::new(0))];
            let [mut b0, mut b1] = [0, 1].map(|t| vec![0u32; BATCH * threads[t].width()]);
            race(
                cores,
                iters,
                |n| perpetual_loop(&threads[0], &m, &mut b0, n),
                |n| perpetual_loop(&threads[1], &m, &mut b1, n),
            )
        })
    });
    group.finish();
}

// The bare bodies store the loop counter: a harness that tells iterations
// apart must store a value naming each (the perpetual runner does), and
// the counter is in a register already. PTE-ABA's writer stores the
// seed's constants: its reads are judged by value, not by instance.

fn all(c: &mut Criterion) {
    let cores = match Cores::allowed()[..] {
        [a, b, ..] => [a, b],
        _ => {
            eprintln!("pte-litmus bench: ceiling needs two cores");
            return;
        }
    };

    bench_test(
        c,
        cores,
        "SB",
        (
            &|m, k| {
                write::store32(lo(m, X), k);
                read::load32(lo(m, Y));
            },
            &|m, k| {
                write::store32(lo(m, Y), k);
                read::load32(lo(m, X));
            },
        ),
        [
            Thread {
                ops: vec![store(X, false, 8), load(Y, false, 0)],
                stores: stores(&[(0, 1)]),
                loads: vec![0],
                observers: vec![],
            },
            Thread {
                ops: vec![store(Y, false, 8), load(X, false, 0)],
                stores: stores(&[(0, 1)]),
                loads: vec![0],
                observers: vec![],
            },
        ],
    );

    bench_test(
        c,
        cores,
        "SB+rfi-pos",
        (
            &|m, k| {
                write::store32(lo(m, X), k);
                read::load32(lo(m, X));
                read::load32(lo(m, Y));
            },
            &|m, k| {
                write::store32(lo(m, Y), k);
                read::load32(lo(m, Y));
                read::load32(lo(m, X));
            },
        ),
        [
            Thread {
                ops: vec![store(X, false, 8), load(X, false, 0), load(Y, false, 1)],
                stores: stores(&[(0, 1)]),
                loads: vec![0, 1],
                observers: vec![],
            },
            Thread {
                ops: vec![store(Y, false, 8), load(Y, false, 0), load(X, false, 1)],
                stores: stores(&[(0, 1)]),
                loads: vec![0, 1],
                observers: vec![],
            },
        ],
    );

    // y is stored by both threads: in the runner each observes it after
    // every iteration (its coherence order), and its values count both
    // threads' stores.
    bench_test(
        c,
        cores,
        "R",
        (
            &|m, k| {
                write::store32(lo(m, X), k);
                write::store32(lo(m, Y), k);
            },
            &|m, k| {
                write::store32(lo(m, Y), k);
                read::load32(lo(m, X));
            },
        ),
        [
            Thread {
                ops: vec![store(X, false, 8), store(Y, false, 9)],
                stores: stores(&[(0, 1), (0, 2)]),
                loads: vec![],
                observers: vec![Y],
            },
            Thread {
                ops: vec![store(Y, false, 8), load(X, false, 0)],
                stores: stores(&[(1, 2)]),
                loads: vec![0],
                observers: vec![Y],
            },
        ],
    );

    bench_test(
        c,
        cores,
        "MP",
        (
            &|m, k| {
                write::store32(lo(m, X), k);
                write::store32(lo(m, Y), k);
            },
            &|m, _| {
                read::load32(lo(m, Y));
                read::load32(lo(m, X));
            },
        ),
        [
            Thread {
                ops: vec![store(X, false, 8), store(Y, false, 9)],
                stores: stores(&[(0, 1), (0, 1)]),
                loads: vec![],
                observers: vec![],
            },
            Thread {
                ops: vec![load(Y, false, 0), load(X, false, 1)],
                stores: vec![],
                loads: vec![0, 1],
                observers: vec![],
            },
        ],
    );

    // PTE-ABA's writer turn (catalog/pte.rs): zap (`pae_clear`: low, then
    // high) and install (`pae_set`: high, then low), twice, installing
    // the seed's B and C; the reader is `lowhigh`'s three loads, its
    // recheck's branch left out. The PTE runner has no perpetual form:
    // `perpetual-loop` is what the body would cost in it.
    let (b_lo, b_hi) = Scheme::Aba.install(1);
    let (c_lo, c_hi) = Scheme::Aba.install(2);
    let writer = [
        (false, 0),
        (true, 0),
        (true, b_hi),
        (false, b_lo),
        (false, 0),
        (true, 0),
        (true, c_hi),
        (false, c_lo),
    ];
    bench_test(
        c,
        cores,
        "PTE-ABA+lowhigh",
        (
            &|m, _| {
                let pte = &m[X as usize].0;
                read::load32(pte.low_word());
                read::load32(pte.high_word());
                read::load32(pte.low_word());
            },
            &move |m, _| {
                let (l, h) = (m[X as usize].0.low_word(), m[X as usize].0.high_word());
                write::store32(l, 0);
                write::store32(h, 0);
                write::store32(h, b_hi);
                write::store32(l, b_lo);
                write::store32(l, 0);
                write::store32(h, 0);
                write::store32(h, c_hi);
                write::store32(l, c_lo);
            },
        ),
        [
            Thread {
                ops: vec![load(X, false, 0), load(X, true, 1), load(X, false, 2)],
                stores: vec![],
                loads: vec![0, 1, 2],
                observers: vec![],
            },
            Thread {
                ops: writer.map(|(high, v)| store_imm(high, v)).to_vec(),
                stores: vec![],
                loads: vec![],
                observers: vec![],
            },
        ],
    );
}

/// Short settings (ten equal samples, a second each test and loop, a tenth
/// of criterion's resamples), so the whole target runs in under a minute.
fn config() -> Criterion {
    Criterion::default()
        .output_directory(&criterion_dir())
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(10)
        .nresamples(10_000)
        .configure_from_args()
}

criterion_group! {
    name = benches;
    config = config();
    targets = all
}
criterion_main!(benches);
