//! The classic runner: batches of instances, threads entering each instance
//! together (timebase or flags), outcomes counted between batches.

use super::instances::{Instances, registers_used};
use super::pin::pin_current_thread;
use super::spin::{Ending, Line, SpinBarrier, monitor, patience, spin_until_with};
use super::timebase::{Clock, Pacing, TIMEBASE_LEAD, Timebase, wait_for_tsc};
use super::{Budget, OutcomeCount, Plan, Progress, RunResult, Sync};
use crate::catalog::classic::{ClassicTest, Fence, LOCATIONS, Op, REGISTERS};
use pte_asm::{Word, fence, read, tsc, write};
use std::collections::HashMap;
use std::sync::Mutex;
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
    ending: Ending,
}

/// What the threads hand back: the first pinning error, and the outcomes.
#[derive(Default)]
struct Results {
    pin_error: Mutex<Option<String>>,
    histogram: Mutex<HashMap<[u32; 4], u64>>,
}

/// Everything the threads of one classic run share, one concern a field.
struct Shared<'t> {
    test: &'t ClassicTest,
    memory: Instances,
    batches: Batches,
    clock: Clock,
    /// `--sync flags`: per thread, the number of the instance it reached.
    reached: Vec<Line>,
    results: Results,
}

/// One instance's body for thread `t`: exactly its ops, nothing between.
#[inline(always)]
fn run_ops(ops: &[Op], locations: [&Word; LOCATIONS], registers: &mut [u32; REGISTERS]) {
    for op in ops {
        match *op {
            Op::Store(loc, value) => write::store32(locations[loc as usize], value),
            Op::Load(loc, r) => registers[r as usize] = read::load32(locations[loc as usize]),
            Op::Fence(Fence::Compiler) => fence::compiler_barrier(),
            Op::Fence(Fence::LockAddl) => fence::lock_addl(),
            #[cfg(target_feature = "sse2")]
            Op::Fence(Fence::Lfence) => fence::lfence(),
            #[cfg(target_feature = "sse2")]
            Op::Fence(Fence::Mfence) => fence::mfence(),
            #[cfg(not(target_feature = "sse2"))]
            Op::Fence(Fence::Lfence | Fence::Mfence) => {
                unreachable!("the runner refuses tests with fences this build lacks")
            }
        }
    }
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
    /// Only the registers this thread loads are recorded: every extra store
    /// would queue in the store buffer behind the body's.
    used: usize,
    patience: u32,
    /// Exchanges so far: every thread counts them alike (see `calibrate`).
    exchanged: u32,
    /// Thread 0: when the latest calibration started and ended.
    calibrated: (u64, u64),
    /// `--sync flags`: the next instance number.
    next_id: u32,
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
        shared.clock.align(
            alignment,
            batch == 0 && plan.sync == (Sync::Timebase { delta: None }),
        );
        me.calibrated = (started, tsc::rdtsc());
    }
}

/// The batch's `len` instances, in the batch's order; returns how many
/// started late on this thread (timebase only).
#[inline(always)]
fn run_batch(shared: &Shared, me: &mut ThreadState, plan: &Plan, len: usize) -> u32 {
    let base = shared.clock.base_for(me.t);
    let delta = shared.clock.delta.load(Relaxed) as u64;
    let mut late = 0;
    for i in 0..len {
        let slot = shared.memory.slot_at(i);
        let locations = shared.memory.instance(slot);
        match plan.sync {
            Sync::Timebase { .. } => late += wait_for_tsc(base + i as u64 * delta) as u32,
            Sync::Flags => {
                instance_barrier(&shared.reached, me.t, me.next_id, me.patience);
                me.next_id = me.next_id.wrapping_add(1);
            }
        }
        let mut registers = [0; REGISTERS];
        run_ops(me.ops, locations, &mut registers);
        for (r, value) in registers[..me.used].iter().enumerate() {
            write::store32(shared.memory.register(me.t, slot, r), *value);
        }
    }
    late
}

/// Thread 0, after a batch: count it, pace `delta`, decide whether to
/// calibrate again, and size the next batch.
fn close_batch(shared: &Shared, me: &ThreadState, plan: &Plan, len: usize) {
    shared.memory.count(
        shared.test,
        len,
        &mut shared.results.histogram.lock().unwrap(),
    );
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
    if let Sync::Timebase { delta: None } = plan.sync {
        let ceiling = Pacing::ceiling(clock.round_trip.load(Relaxed));
        let delta = clock.delta.load(Relaxed);
        clock
            .delta
            .store(Pacing::next(delta, late, len as u32, ceiling), Relaxed);
    }
    let (started, ended) = me.calibrated;
    let due = Timebase::due(started, ended, tsc::rdtsc());
    clock.recalibrate.store(due, Relaxed);
}

fn classic_thread(shared: &Shared, t: usize, core: usize, plan: &Plan) {
    if let Err(e) = pin_current_thread(core) {
        shared.results.pin_error.lock().unwrap().get_or_insert(e);
    }
    let threads = shared.test.threads.len();
    let timebase = matches!(plan.sync, Sync::Timebase { .. }) && threads > 1;
    let ops = shared.test.threads[t];
    let mut me = ThreadState {
        t,
        ops,
        used: registers_used(ops),
        patience: patience(&plan.cores, threads),
        exchanged: 0,
        calibrated: (0, 0),
        next_id: 1,
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
            close_batch(shared, &me, plan, len);
        }
        // Also publishes thread 0's `recalibrate` to the others.
        batches.counted.wait();
        shared.memory.reset_owned(t, len);
        if t == 0 {
            shared.memory.shuffle(batches.len.load(Relaxed) as usize);
        }
    }
    if t == 0 {
        batches.ending.finished.store(true, Relaxed);
    }
}

/// Run a classic test: batches of `plan.batch` instances until the budget
/// is spent or `interrupted`.
pub fn run_classic(
    test: &ClassicTest,
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
    let shared = Shared {
        test,
        memory: Instances::new(test, batch),
        batches: Batches {
            start: SpinBarrier::new(threads),
            end: SpinBarrier::new(threads),
            counted: SpinBarrier::new(threads),
            len: AtomicU64::new(first),
            done: AtomicU64::new(0),
            ending: Ending::default(),
        },
        clock: Clock::new(
            threads,
            match plan.sync {
                Sync::Timebase { delta: Some(d) } => d,
                _ => Pacing::MIN,
            },
        ),
        reached: (0..threads).map(|_| Line::default()).collect(),
        results: Results::default(),
    };
    shared.memory.shuffle(first as usize);
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
        Sync::Timebase { delta } => format!(
            "batch {batch}, {}",
            shared.clock.describe(delta.is_none(), done)
        ),
        Sync::Flags if shared_cores => {
            format!("batch {batch}, flag handshake per instance (threads share cores)")
        }
        Sync::Flags => format!("batch {batch}, flag handshake per instance"),
    };
    let histogram = shared.results.histogram.into_inner().unwrap();
    let columns = test.observed.len();
    let mut outcomes: Vec<OutcomeCount> = histogram
        .into_iter()
        .map(|(key, count)| OutcomeCount {
            label: classic_label(test, &key[..columns]),
            count,
            witness: key[..columns] == *test.witness,
        })
        .collect();
    outcomes.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(RunResult {
        outcomes,
        iterations: done,
        seconds,
        interrupted: interrupted.load(Relaxed),
        detail,
        writer_turns: 0,
    })
}

/// `0:r0=1; 1:r0=0`, litmus7-style.
pub fn classic_label(test: &ClassicTest, values: &[u32]) -> String {
    test.observed
        .iter()
        .zip(values)
        .map(|(o, v)| format!("{o}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Test;

    fn classic(name: &str) -> &'static ClassicTest {
        match Test::by_name(name) {
            Some(Test::Classic(t)) => t,
            _ => panic!("{name}"),
        }
    }

    #[test]
    fn labels_follow_litmus7() {
        assert_eq!(classic_label(classic("SB"), &[0, 1]), "0:r0=0; 1:r0=1");
        assert_eq!(classic_label(classic("2+2W"), &[1, 1]), "x=1; y=1");
        assert_eq!(classic_label(classic("R"), &[2, 0]), "y=2; 1:r0=0");
    }
}
