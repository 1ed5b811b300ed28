//! The classic runner: a litmus program (a built-in classic test or a
//! `.litmus` file) in batches of instances, threads entering each instance
//! together (timebase or flags), outcomes counted between batches.

use super::instances::{Histogram, Instances};
use super::ops::{Op, branching, run_body, run_branching_body};
use super::pin::pin_current_thread;
use super::spin::{Ending, Line, SpinBarrier, monitor, patience, spin_until_with};
use super::timebase::{Clock, Pacing, TIMEBASE_LEAD, Timebase, wait_for_tsc};
use super::tuning::Tuning;
use super::{Budget, OutcomeCount, Plan, Progress, RunResult, Sync};
use crate::catalog::program::{MAX_REGISTERS, Program};
use pte_asm::{read, tsc, write};
use std::sync::Mutex;

/// How a free-running batch (`Sync::Free`) says so in its run's detail.
pub const FREE_DETAIL: &str = "no meeting within a batch";
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::Instant;

/// Batch bookkeeping: the barriers between batches, the size of the next
/// one (set by thread 0; 0 ends the run), instances done, and the ending.
struct Batches {
    start: SpinBarrier,
    end: SpinBarrier,
    counted: SpinBarrier,
    len: AtomicU64,
    done: AtomicU64,
    /// Instances abandoned (a `spin_lock()` never taken), of `done`.
    abandoned: AtomicU64,
    ending: Ending,
}

/// What the threads hand back: the first pinning error, and the outcomes.
#[derive(Default)]
struct Results {
    pin_error: Mutex<Option<String>>,
    histogram: Mutex<Histogram>,
}

/// Everything the threads of one classic run share, one concern a field.
struct Shared<'t> {
    test: &'t Program,
    /// Each thread's instructions as primitives.
    ops: &'t [Vec<Op>],
    memory: Instances,
    batches: Batches,
    clock: Clock,
    /// Each batch's memory pattern and threads' shifts.
    tuning: Tuning,
    /// `--sync flags`: per thread, the number of the instance it reached.
    reached: Vec<Line>,
    results: Results,
}

/// Publish "thread `t` reached instance `id`" and wait for every other
/// thread to reach it. Plain stores and loads: no fence.
#[inline(always)]
fn instance_barrier(reached: &[Line], t: usize, id: u32, patience: u32) {
    write::store32(&reached[t].0, id);
    for (other, line) in reached.iter().enumerate() {
        if other != t {
            // Wrapping compare: instance numbers wrap after 2^32.
            spin_until_with(patience, || {
                read::load32(&line.0).wrapping_sub(id) as i32 >= 0
            });
        }
    }
}

/// One thread's state across batches.
struct ThreadState<'o> {
    t: usize,
    ops: &'o [Op],
    /// The body jumps or takes a spin lock: it runs by
    /// `run_branching_body`, else by the plain dispatch.
    branches: bool,
    /// Only the registers the outcome observes are recorded: every extra
    /// store would queue in the store buffer behind the body's.
    recorded: &'o [u8],
    /// The thread's registers as each instance starts.
    init_regs: [u64; MAX_REGISTERS],
    patience: u32,
    /// Exchanges so far: every thread counts them alike (see `calibrate`).
    exchanged: u32,
    /// Thread 0: when the latest calibration started and ended.
    calibrated: (u64, u64),
    /// `--sync flags`: the next instance number.
    next_id: u32,
    /// Thread 0: how `delta` follows the threads' lateness.
    pacing: Pacing,
}

/// Between batches: calibrate the timebase before the first batch and
/// whenever thread 0 asked for it.
fn calibrate_if_due(shared: &Shared, me: &mut ThreadState, batch: u64, plan: &Plan) {
    if !(batch == 0 || shared.clock.recalibrate.load(Relaxed)) {
        return;
    }
    let rounds = if batch == 0 {
        Timebase::FIRST
    } else {
        Timebase::REPEAT
    };
    let threads = shared.test.threads.len();
    let started = tsc::rdtsc();
    if let Some(alignment) = Timebase::calibrate(
        &shared.clock.lines,
        me.t,
        threads,
        rounds,
        &mut me.exchanged,
    ) {
        shared.tuning.recalibrated(alignment.round_trip);
        let start_pacing = matches!(plan.sync, Sync::Timebase { delta: None, .. });
        shared.clock.align(alignment, batch == 0 && start_pacing);
        me.calibrated = (started, tsc::rdtsc());
    }
}

/// The batch's `len` instances, in the batch's order; returns how many
/// started late on this thread (timebase only).
#[inline(always)]
fn run_batch(shared: &Shared, me: &mut ThreadState, plan: &Plan, len: usize) -> u32 {
    let shift = shared.tuning.shift(me.t);
    let base = shared.clock.base_for(me.t).wrapping_add(shift as u64);
    let delta = shared.clock.delta.load(Relaxed) as u64;
    let mut late = 0;
    let memory = &shared.memory;
    let at = memory.layout(shared.tuning.pattern().packed());
    for i in 0..len {
        let slot = memory.slot_at(i);
        let mut registers = me.init_regs;
        match plan.sync {
            Sync::Timebase { .. } => late += wait_for_tsc(base + i as u64 * delta) as u32,
            Sync::Flags => {
                instance_barrier(&shared.reached, me.t, me.next_id, me.patience);
                me.next_id = me.next_id.wrapping_add(1);
            }
            Sync::Free { .. } => {}
        }
        // The body: one primitive per instruction, nothing else.
        let location = |l| memory.location(at, slot, l);
        if me.branches {
            if !run_branching_body(me.ops, location, &mut registers) {
                memory.abandon(slot);
            }
        } else {
            run_body(me.ops, location, &mut registers);
        }
        for (k, r) in me.recorded.iter().enumerate() {
            memory.record(me.t, slot, k, registers[*r as usize]);
        }
    }
    late
}

/// Thread 0, after a batch: count it, pace `delta`, decide whether to
/// calibrate again, size the next batch and draw its shifts.
fn close_batch(shared: &Shared, me: &mut ThreadState, plan: &Plan, len: usize) {
    let memory = &shared.memory;
    let test = shared.test;
    let at = memory.layout(shared.tuning.pattern().packed());
    let counted = memory.count(
        at,
        len,
        &mut shared.results.histogram.lock().unwrap(),
        |values| test.is_witness(values),
    );
    let witnesses = counted.witnesses;
    shared
        .batches
        .abandoned
        .fetch_add(counted.abandoned as u64, Relaxed);
    let done = shared.batches.done.fetch_add(len as u64, Relaxed) + len as u64;
    let next = match plan.budget {
        _ if shared.batches.ending.stop.load(Relaxed) => 0,
        Budget::Iterations(n) => n.saturating_sub(done).min(shared.memory.batch as u64),
        Budget::Duration(_) => shared.memory.batch as u64,
    };
    shared.batches.len.store(next, Relaxed);
    let clock = &shared.clock;
    let late = clock
        .late
        .iter()
        .map(|l| l.load(Relaxed))
        .max()
        .unwrap_or(0);
    clock.late_total.fetch_add(late as u64, Relaxed);
    if let Sync::Timebase { delta: None, .. } = plan.sync {
        let ceiling = Pacing::ceiling(clock.round_trip.load(Relaxed));
        let delta = clock.delta.load(Relaxed);
        clock
            .delta
            .store(me.pacing.next(delta, late, len as u32, ceiling), Relaxed);
    }
    let (started, ended) = me.calibrated;
    let due = Timebase::due(started, ended, tsc::rdtsc());
    clock.recalibrate.store(due, Relaxed);
    shared.tuning.learn(len, witnesses);
}

fn classic_thread(shared: &Shared, t: usize, core: usize, plan: &Plan) {
    if let Err(e) = pin_current_thread(core) {
        shared.results.pin_error.lock().unwrap().get_or_insert(e);
    }
    let threads = shared.test.threads.len();
    let timebase = matches!(plan.sync, Sync::Timebase { .. }) && threads > 1;
    let mut me = ThreadState {
        t,
        ops: &shared.ops[t],
        branches: branching(&shared.ops[t]),
        recorded: &shared.memory.recorded[t],
        init_regs: shared.test.init_regs[t],
        patience: patience(&plan.cores, threads),
        exchanged: 0,
        calibrated: (0, 0),
        next_id: 1,
        pacing: Pacing::default(),
    };
    let batches = &shared.batches;
    for batch in 0u64.. {
        if timebase {
            calibrate_if_due(shared, &mut me, batch, plan);
        }
        if t == 0 {
            // Every batch (the first too) starts after the calibration.
            shared
                .clock
                .base
                .store(tsc::rdtsc() + TIMEBASE_LEAD, Relaxed);
        }
        batches.start.wait();
        let len = batches.len.load(Relaxed) as usize;
        if len == 0 || shared.results.pin_error.lock().unwrap().is_some() {
            break;
        }
        let late = run_batch(shared, &mut me, plan, len);
        shared.clock.late[t].store(late, Relaxed);
        batches.end.wait();
        if t == 0 {
            close_batch(shared, &mut me, plan, len);
        }
        // Also publishes thread 0's `recalibrate` to the others.
        batches.counted.wait();
        // The next batch's instances, laid out as it will run them.
        let (next, pattern) = (batches.len.load(Relaxed) as usize, shared.tuning.pattern());
        let at = shared.memory.layout(pattern.packed());
        shared.memory.reset_owned(at, t, next);
        if t == 0 {
            shared.memory.order(next, pattern.shuffled());
        }
    }
    if t == 0 {
        batches.ending.finish();
    }
}

/// Run a litmus program (its instructions compiled to `ops` by
/// [`super::ops::compile`]): batches of `plan.batch` instances until the
/// budget is spent or `interrupted`.
pub fn run_classic(
    test: &Program,
    ops: &[Vec<Op>],
    plan: &Plan,
    interrupted: &AtomicBool,
    progress: &dyn Progress,
) -> Result<RunResult, String> {
    let threads = test.threads.len();
    // Threads sharing a core cannot meet a TSC deadline together (the one
    // waiting holds the core the other needs): hand-shake instead.
    let shared_cores = plan.cores.oversubscription(threads).is_some();
    let plan = &Plan {
        sync: if shared_cores { Sync::Flags } else { plan.sync },
        ..plan.clone()
    };
    let batch = plan.batch.max(1);
    let first = match plan.budget {
        Budget::Iterations(n) => n.min(batch as u64),
        Budget::Duration(_) => batch as u64,
    };
    let wide = test.register_size == crate::catalog::program::Size::Eight;
    let shared = Shared {
        test,
        ops,
        memory: Instances::new(test, batch, wide),
        batches: Batches {
            start: SpinBarrier::new(threads),
            end: SpinBarrier::new(threads),
            counted: SpinBarrier::new(threads),
            len: AtomicU64::new(first),
            done: AtomicU64::new(0),
            abandoned: AtomicU64::new(0),
            ending: Ending::default(),
        },
        clock: Clock::new(
            threads,
            match plan.sync {
                Sync::Timebase { delta: Some(d), .. } => d,
                _ => Pacing::MIN,
            },
        ),
        tuning: match plan.sync {
            Sync::Timebase { tuning, .. } => Tuning::new(tuning && threads > 1, true, threads),
            Sync::Free { tuning } => Tuning::new(tuning && threads > 1, false, threads),
            Sync::Flags => Tuning::new(false, false, threads),
        },
        reached: (0..threads).map(|_| Line::default()).collect(),
        results: Results::default(),
    };
    shared.memory.order(first as usize, true);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..threads {
            let (shared, core) = (&shared, plan.cores.for_thread(t));
            scope.spawn(move || classic_thread(shared, t, core, plan));
        }
        monitor(
            plan.budget,
            started,
            interrupted,
            &shared.batches.ending,
            || shared.batches.done.load(Relaxed),
            progress,
        );
    });
    finish(
        shared,
        plan,
        shared_cores,
        started.elapsed().as_secs_f64(),
        interrupted,
    )
}

/// The run's result from what the threads left in `shared`.
fn finish(
    shared: Shared,
    plan: &Plan,
    shared_cores: bool,
    seconds: f64,
    interrupted: &AtomicBool,
) -> Result<RunResult, String> {
    if let Some(e) = shared.results.pin_error.into_inner().unwrap() {
        return Err(e);
    }
    let (test, batch) = (shared.test, shared.memory.batch);
    let done = shared.batches.done.load(Relaxed);
    let detail = match plan.sync {
        Sync::Timebase { delta, .. } => format!(
            "batch {batch}, {}{}",
            shared.clock.describe(delta.is_none(), done),
            shared
                .tuning
                .describe()
                .map_or(String::new(), |t| format!("; {t}"))
        ),
        Sync::Flags if shared_cores => {
            format!("batch {batch}, flag handshake per instance (threads share cores)")
        }
        Sync::Flags => format!("batch {batch}, flag handshake per instance"),
        Sync::Free { .. } => format!(
            "batch {batch}, {FREE_DETAIL} (litmus7's -barrier none){}",
            shared
                .tuning
                .describe()
                .map_or(String::new(), |t| format!("; {t}"))
        ),
    };
    let histogram = shared.results.histogram.into_inner().unwrap();
    let mut outcomes: Vec<OutcomeCount> = histogram
        .into_iter()
        .map(|(outcome, seen)| OutcomeCount {
            label: test.label(outcome.values()),
            count: seen.count,
            witness: seen.witness,
            values: outcome.values().to_vec(),
        })
        .collect();
    outcomes.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(RunResult {
        outcomes,
        iterations: done,
        abandoned: shared.batches.abandoned.load(Relaxed),
        seconds,
        interrupted: interrupted.load(Relaxed),
        detail,
        writer_turns: 0,
        mode: super::RunMode::Instances,
    })
}
