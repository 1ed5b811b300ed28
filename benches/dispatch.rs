//! What a litmus thread does between two of its accesses, in TSC ticks: a
//! thread's body run as the classic harness runs it (each instruction an
//! `Op` dispatched to its `pte-asm` primitive by `harness::ops::run_body`,
//! one copy of the dispatch per position),
//! against the same primitives called one after the other, as litmus7's
//! straight-line C does. One body per iteration, on memory this thread
//! owns (so the accesses themselves are cache hits and the difference is
//! the dispatch); 64 bodies per loop iteration, so the loop's own cost is
//! spread thin.
//!
//! Bodies: `SB` thread 0 (a store, a load), `MP` thread 1 (two loads),
//! `PTE-ABA+lowhigh` the reader (three loads) and the writer (eight
//! stores, the seed's two zaps and installs).

mod common;

use common::Tsc;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use pte_asm::cpu::Features;
use pte_asm::{Pte, read, tsc, write};
use pte_litmus::catalog::program::Operand;
use pte_litmus::harness::ops::{Op, run_body};
use std::hint::black_box;

/// Bodies per loop iteration.
const UNROLL: usize = 64;

/// A body as ops, and the same body as direct calls.
struct Body {
    name: &'static str,
    ops: Vec<Op>,
    straight: fn(&[Pte; 2], &mut [u64; 16]),
}

fn store(loc: u8, high: bool, v: u64) -> Op {
    Op::Store32 {
        loc,
        high,
        value: Operand::Imm(v),
    }
}

fn load(loc: u8, high: bool, reg: u8) -> Op {
    Op::Load32 { loc, high, reg }
}

fn bodies() -> Vec<Body> {
    vec![
        Body {
            name: "SB-P0",
            ops: vec![store(0, false, 1), load(1, false, 0)],
            straight: |l, r| {
                write::store32(l[0].low_word(), 1);
                r[0] = read::load32(l[1].low_word()) as u64;
            },
        },
        Body {
            name: "MP-P1",
            ops: vec![load(1, false, 0), load(0, false, 1)],
            straight: |l, r| {
                r[0] = read::load32(l[1].low_word()) as u64;
                r[1] = read::load32(l[0].low_word()) as u64;
            },
        },
        Body {
            name: "ABA-reader",
            ops: vec![load(0, false, 0), load(0, true, 3), load(0, false, 1)],
            straight: |l, r| {
                r[0] = read::load32(l[0].low_word()) as u64;
                r[3] = read::load32(l[0].high_word()) as u64;
                r[1] = read::load32(l[0].low_word()) as u64;
            },
        },
        Body {
            name: "ABA-writer",
            ops: vec![
                store(0, false, 0),
                store(0, true, 0),
                store(0, true, 2),
                store(0, false, 0x2_0067),
                store(0, false, 0),
                store(0, true, 0),
                store(0, true, 3),
                store(0, false, 0x1_0067),
            ],
            straight: |l, _| {
                let (lo, hi) = (l[0].low_word(), l[0].high_word());
                write::store32(lo, 0);
                write::store32(hi, 0);
                write::store32(hi, 2);
                write::store32(lo, 0x2_0067);
                write::store32(lo, 0);
                write::store32(hi, 0);
                write::store32(hi, 3);
                write::store32(lo, 0x1_0067);
            },
        },
    ]
}

fn bench_dispatch(c: &mut Criterion<Tsc>) {
    let _ = Features::detect();
    let mut group = c.benchmark_group("dispatch");
    for body in bodies() {
        let locations = [Pte::new(0), Pte::new(0)];
        group.bench_with_input(
            BenchmarkId::new("interpreted", body.name),
            &body,
            |b, body| {
                b.iter_custom(|iters| {
                    let mut regs = [0u64; 16];
                    let start = tsc::rdtsc();
                    for _ in 0..iters {
                        for _ in 0..UNROLL {
                            run_body(
                                black_box(&body.ops[..]),
                                |l| &locations[l as usize],
                                &mut regs,
                            );
                        }
                    }
                    black_box(regs);
                    tsc::rdtsc().wrapping_sub(start) / UNROLL as u64
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("straight-line", body.name),
            &body,
            |b, body| {
                b.iter_custom(|iters| {
                    let mut regs = [0u64; 16];
                    let start = tsc::rdtsc();
                    for _ in 0..iters {
                        for _ in 0..UNROLL {
                            (body.straight)(black_box(&locations), &mut regs);
                        }
                    }
                    black_box(regs);
                    tsc::rdtsc().wrapping_sub(start) / UNROLL as u64
                })
            },
        );
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = bench_dispatch
}
criterion_main!(benches);
