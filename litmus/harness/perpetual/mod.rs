//! The perpetual runner (PerpLE's method: Melissaris, Markakis, Shaw and
//! Martonosi, "PerpLE: Improving the Speed and Effectiveness of Memory
//! Consistency Testing", MICRO 2020): each thread runs its body over and
//! over with nothing between iterations but setting its store registers
//! and copying its loads' registers to its buffer; every store writes a
//! value naming its instance, so the outcomes are found afterwards, by
//! arithmetic on the recorded values ([`check`]).
//!
//! Threads meet only between batches (a spinning barrier; the batch's
//! memory is reset to 0 there and the batch is counted), never between
//! iterations. Files: [`convert`] (which programs convert, and how),
//! [`check`] (projections, the linear counter and its exhaustive oracle),
//! this one (the threads).

pub mod check;
pub mod convert;

use super::ops::{Op, run_body};
use super::pin::pin_current_thread;
use super::spin::{Ending, SpinBarrier, monitor};
use super::timebase::TIMEBASE_LEAD;
use super::{Budget, OutcomeCount, Plan, Progress, RunResult};
use check::Recorded;
use convert::Perpetual;
use pte_asm::{Pte, read, tsc, write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Mutex, RwLock};
use std::time::Instant;

/// The most iterations a thread runs in a batch (its buffer's rows).
pub const BATCH: usize = 1 << 16;

/// A batch's length in TSC ticks: every thread runs iterations until the
/// same deadline (not the same count: a thread with a longer body would
/// otherwise run alone once the other finished). About 100 us at 2.6 GHz:
/// the barrier's skew at the start is a small part of it, and the fastest
/// body seen (SB, about 3 ns an iteration) fills under half a buffer.
pub const BATCH_TICKS: u64 = 250_000;

/// How many iterations between two reads of the TSC.
const CHECK_EVERY: usize = 16;

/// A location on a cache line of its own.
#[repr(C, align(64))]
struct Slot(Pte);

/// What the threads share.
struct Shared<'p> {
    p: &'p Perpetual,
    ops: &'p [Vec<Op>],
    memory: Vec<Slot>,
    /// Per thread: its loads' values, `BATCH` rows (written by the thread
    /// while it runs, read by both while they count).
    buffers: [RwLock<Vec<u32>>; 2],
    start: SpinBarrier,
    end: SpinBarrier,
    counted: SpinBarrier,
    /// Whether another batch runs, and its deadline (a TSC value), set by
    /// thread 0 before each start; per thread, the iterations it ran;
    /// iterations done (per batch the fewer of the two), witnesses counted.
    more: AtomicBool,
    deadline: AtomicU64,
    /// The most iterations each thread runs this batch (what is left of
    /// an `--iterations` budget, else a full buffer).
    limit: AtomicU64,
    ran: [AtomicU64; 2],
    done: AtomicU64,
    witnesses: AtomicU64,
    ending: Ending,
    pin_error: Mutex<Option<String>>,
}

/// Thread `t`'s batch: iterations until the deadline (or a full buffer);
/// how many.
#[inline(never)]
fn run_iterations(shared: &Shared, t: usize) -> usize {
    let plan = &shared.p.threads[t];
    let ops = &shared.ops[t][..];
    let init = shared.p.program.init_regs[t];
    let width = plan.width();
    let memory = &shared.memory;
    let mut buffer = shared.buffers[t].write().unwrap();
    let deadline = shared.deadline.load(Relaxed);
    let limit = shared.limit.load(Relaxed) as usize;
    for k in 0..limit {
        // The TSC between iterations, never inside a body: `rdtsc` is not
        // serialising and orders nothing.
        if k % CHECK_EVERY == 0 && tsc::rdtsc() >= deadline {
            return k;
        }
        let mut regs = init;
        for s in &plan.stores {
            regs[s.reg as usize] = s.value(k as u64);
        }
        // The body: one primitive per instruction, nothing else.
        run_body(ops, |l| &memory[l as usize].0, &mut regs);
        let row = &mut buffer[k * width..(k + 1) * width];
        let (loaded, observed) = row.split_at_mut(plan.loads.len());
        for (cell, load) in loaded.iter_mut().zip(&plan.loads) {
            *cell = regs[load.reg as usize] as u32;
        }
        // The observers, after the body: one load of each location both
        // threads store (check.rs: what it proves of their coherence).
        for (cell, &loc) in observed.iter_mut().zip(&plan.observers) {
            *cell = read::load32(memory[loc as usize].0.low_word());
        }
    }
    limit
}

/// Thread `t`, after a batch: count its share of it (the two threads
/// count at once, each half of each thread's iterations: counting costs
/// more than running, and a thread that waited for the other to count
/// alone ran a third of the time).
fn count_share(shared: &Shared, t: usize) {
    let (a, b) = (
        shared.buffers[0].read().unwrap(),
        shared.buffers[1].read().unwrap(),
    );
    let n = [0, 1].map(|t| shared.ran[t].load(Relaxed) as usize);
    let recorded = Recorded {
        n,
        loads: [&a[..], &b[..]],
    };
    let share = check::Share { part: t, parts: 2 };
    let witnesses = check::count_share(shared.p, &recorded, share);
    shared.witnesses.fetch_add(witnesses, Relaxed);
}

/// Thread 0, after both counted a batch: reset the memory, decide whether
/// another runs.
fn close_batch(shared: &Shared, plan: &Plan) {
    let n = [0, 1].map(|t| shared.ran[t].load(Relaxed) as usize);
    for slot in &shared.memory {
        // No thread runs: these stores race with nothing.
        write::store32(slot.0.low_word(), 0);
        write::store32(slot.0.high_word(), 0);
    }
    // A batch's iterations: the fewer of the two threads' (the most
    // disjoint tuples it can hold).
    let iterations = n[0].min(n[1]) as u64;
    let done = shared.done.fetch_add(iterations, Relaxed) + iterations;
    let more = match plan.budget {
        _ if shared.ending.stop.load(Relaxed) => false,
        Budget::Iterations(wanted) => done < wanted,
        Budget::Duration(_) => true,
    };
    shared.more.store(more, Relaxed);
}

fn perpetual_thread(shared: &Shared, t: usize, core: usize, plan: &Plan) {
    if let Err(e) = pin_current_thread(core) {
        shared.pin_error.lock().unwrap().get_or_insert(e);
    }
    loop {
        if t == 0 {
            let left = match plan.budget {
                Budget::Iterations(wanted) => wanted.saturating_sub(shared.done.load(Relaxed)),
                Budget::Duration(_) => BATCH as u64,
            };
            shared.limit.store(left.min(BATCH as u64), Relaxed);
            shared
                .deadline
                .store(tsc::rdtsc() + TIMEBASE_LEAD + BATCH_TICKS, Relaxed);
        }
        shared.start.wait();
        if !shared.more.load(Relaxed) || shared.pin_error.lock().unwrap().is_some() {
            break;
        }
        let ran = run_iterations(shared, t);
        shared.ran[t].store(ran as u64, Relaxed);
        shared.end.wait();
        count_share(shared, t);
        shared.counted.wait();
        if t == 0 {
            close_batch(shared, plan);
        }
    }
    if t == 0 {
        shared.ending.finish();
    }
}

/// Run `p` (its converted threads compiled to `ops`) perpetually until the
/// budget is spent or `interrupted`. The result has two outcomes: the
/// condition's (`witness`, counted disjoint) and every other iteration.
pub fn run_perpetual(
    p: &Perpetual,
    ops: &[Vec<Op>],
    witness_label: &str,
    plan: &Plan,
    interrupted: &AtomicBool,
    progress: &dyn Progress,
) -> Result<RunResult, String> {
    let buffer = |t: usize| RwLock::new(vec![0u32; BATCH * p.threads[t].width()]);
    let shared = Shared {
        p,
        ops,
        memory: p
            .program
            .locations
            .iter()
            .map(|_| Slot(Pte::new(0)))
            .collect(),
        buffers: [buffer(0), buffer(1)],
        start: SpinBarrier::new(2),
        end: SpinBarrier::new(2),
        counted: SpinBarrier::new(2),
        more: AtomicBool::new(true),
        deadline: AtomicU64::new(0),
        limit: AtomicU64::new(0),
        ran: [AtomicU64::new(0), AtomicU64::new(0)],
        done: AtomicU64::new(0),
        witnesses: AtomicU64::new(0),
        ending: Ending::default(),
        pin_error: Mutex::new(None),
    };
    debug_assert!(BATCH as u64 <= convert::max_iterations(p));
    let started = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..2 {
            let (shared, core) = (&shared, plan.cores.for_thread(t));
            scope.spawn(move || perpetual_thread(shared, t, core, plan));
        }
        monitor(
            plan.budget,
            started,
            interrupted,
            &shared.ending,
            || shared.done.load(Relaxed),
            progress,
        );
    });
    if let Some(e) = shared.pin_error.into_inner().unwrap() {
        return Err(e);
    }
    let done = shared.done.load(Relaxed);
    let witnesses = shared.witnesses.load(Relaxed);
    Ok(RunResult {
        outcomes: vec![
            OutcomeCount {
                label: witness_label.to_string(),
                count: witnesses,
                witness: true,
                values: Vec::new(),
            },
            OutcomeCount {
                label: "(perpetual iterations without the witness)".into(),
                count: done - witnesses,
                witness: false,
                values: Vec::new(),
            },
        ],
        iterations: done,
        abandoned: 0,
        seconds: started.elapsed().as_secs_f64(),
        interrupted: interrupted.load(Relaxed),
        detail: format!(
            "perpetual: batches of {BATCH_TICKS} TSC ticks, each thread iterating until the \
             batch's deadline with no synchronisation; witnesses counted disjoint (each \
             iteration in at most one){}",
            observers(p)
        ),
        writer_turns: 0,
        mode: super::RunMode::Perpetual,
    })
}

/// `; observers: y loaded by both threads ...`: which locations the
/// threads loaded after each iteration to prove coherence order, or
/// nothing.
pub fn observers(p: &Perpetual) -> String {
    let names: Vec<String> = (0..p.program.locations.len())
        .filter(|&l| p.shared[l].is_some())
        .map(|l| p.program.locations[l].name.clone())
        .collect();
    if names.is_empty() {
        String::new()
    } else {
        format!(
            "; observers: {} loaded by both threads after each iteration, a tuple counted only \
             where they prove the coherence order its condition needs",
            names.join(", ")
        )
    }
}

#[cfg(test)]
mod tests;
