//! The harness: runs one test (and, for PTE tests, one read strategy) on
//! pinned threads and counts outcomes.
//!
//! Rules it keeps:
//! - Every access a test body makes to shared memory is a `pte-asm`
//!   primitive. The harness's own shared state between bodies (progress
//!   flags, stop flag, turn token) is read and written with plain `mov`s
//!   (`load32`/`store32`, or relaxed atomic loads and stores, which are
//!   plain `mov`s: the PTE reader's per-chunk 64-bit progress store is a
//!   `movq` on i686 and a `fistpll` on i586, never locked): nothing it adds
//!   inside or between bodies fences or serialises. Fences, locks, `cpuid`, system
//!   calls and clock reads happen only at batch boundaries or in the
//!   monitoring thread (the timebase's calibration too).
//! - Classic tests run in batches of many instances, litmus7-style: each
//!   instance has its own locations, each in its own cache line. Threads
//!   enter each instance together by one of two barriers ([`Sync`]):
//!   `timebase` (default, litmus7's `-barrier timebase`): instance `i`
//!   starts when the time-stamp counter reaches `base + i * delta`, each
//!   thread's deadlines shifted to meet thread 0's ([`Timebase`]), which
//!   costs no memory traffic and starts the bodies within a few cycles of
//!   each other; `flags`: each thread publishes
//!   the instance it reached and waits for the others (plain stores and
//!   loads). Neither fences. Between batches spinning barriers (which do
//!   fence) let thread 0 count outcomes, then each location is reset
//!   by the thread that loads it, so that loads find their line at home
//!   and stores must fetch theirs: the store-buffer window is as wide as
//!   a cache-line transfer.
//! - PTE tests stream: writers zap and install continuously while the
//!   reader reads and classifies, with no synchronisation in between.

use crate::catalog::{
    ClassicTest, Fence, LOCATIONS, Observe, Op, PteOutcome, PteTest, REGISTERS, WriterStep,
};
use crate::pin::{Cores, pin_current_thread};
use pte_asm::strategy::{PteReader, ReadStrategy};
use pte_asm::{Pte, SeqCount, Word, fence, read, tsc, with_reader, write};
use std::collections::HashMap;
use std::sync::atomic::{
    AtomicBool, AtomicI64, AtomicU32, AtomicU64,
    Ordering::{AcqRel, Acquire, Relaxed, Release},
};
use std::sync::{Barrier, Mutex};
use std::time::{Duration, Instant};

/// How long a run goes on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Budget {
    /// Instances (classic) or reads (PTE).
    Iterations(u64),
    Duration(Duration),
}

/// How the threads of a classic test enter each instance together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sync {
    /// Instance `i` starts at TSC `base + i * delta` ticks on every core;
    /// `delta: None` calibrates it (see [`Pacing`]).
    Timebase { delta: Option<u32> },
    /// Each thread stores the instance it reached and spins until the
    /// others have reached it.
    Flags,
}

/// Everything a run needs besides the test.
#[derive(Clone, Debug)]
pub struct Plan {
    pub cores: Cores,
    pub budget: Budget,
    /// Classic tests: instances per batch.
    pub batch: usize,
    /// Classic tests: how threads enter each instance together.
    pub sync: Sync,
    /// PTE tests: `pause`s in the reader's window (after its low load, and
    /// for `lowhigh*` also after its high load).
    pub reader_delay: u32,
}

/// One outcome and how often it was seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutcomeCount {
    /// `0:r0=1; 1:r0=0` (classic) or `intact`/`torn`/`absent`/`lost` (PTE).
    pub label: String,
    pub count: u64,
    pub witness: bool,
}

#[derive(Clone, Debug)]
pub struct RunResult {
    pub outcomes: Vec<OutcomeCount>,
    pub iterations: u64,
    pub seconds: f64,
    /// Stopped by Ctrl-C before its budget ran out.
    pub interrupted: bool,
    /// How the harness ran it, for the report (e.g. the timebase delta).
    pub detail: String,
}

impl RunResult {
    /// Witnesses per second of wall time.
    pub fn witness_rate(&self) -> f64 {
        self.witnesses() as f64 / self.seconds.max(1e-9)
    }

    pub fn witnesses(&self) -> u64 {
        self.outcomes
            .iter()
            .filter(|o| o.witness)
            .map(|o| o.count)
            .sum()
    }
}

/// What the monitoring loop reports while a run goes on.
pub trait Progress {
    /// `done` iterations so far, `elapsed` since the run started.
    fn update(&self, done: u64, elapsed: Duration);
}

impl Progress for () {
    fn update(&self, _: u64, _: Duration) {}
}

/// A shared word in a cache line of its own.
#[repr(align(64))]
#[derive(Default)]
struct Line(Word);

/// A classic test's location: alone in an aligned 128-byte pair of lines,
/// so the adjacent-line prefetcher never drags another instance's or
/// location's line along with it.
#[repr(align(128))]
#[derive(Default)]
struct Slot(Word);

/// A barrier between batches that spins rather than sleeping: a futex wake
/// costs tens of microseconds, as long as a whole batch. Its locked
/// increment and acquire/release pairs fence, which is fine here: it runs
/// only between batches, never inside one.
struct SpinBarrier {
    threads: u32,
    arrived: AtomicU32,
    generation: AtomicU32,
}

impl SpinBarrier {
    fn new(threads: usize) -> SpinBarrier {
        SpinBarrier {
            threads: threads as u32,
            arrived: AtomicU32::new(0),
            generation: AtomicU32::new(0),
        }
    }

    fn wait(&self) {
        let generation = self.generation.load(Acquire);
        if self.arrived.fetch_add(1, AcqRel) + 1 == self.threads {
            self.arrived.store(0, Relaxed);
            self.generation.fetch_add(1, Release);
        } else {
            spin_until(|| self.generation.load(Acquire) != generation);
        }
    }
}

/// Spins before a waiting thread yields its core: long when every thread
/// has a core of its own, short when threads share cores (then the thread
/// being waited for may need this very core to run).
const PATIENCE: u32 = 1 << 14;
const PATIENCE_SHARED: u32 = 64;

/// Spin until `condition`, yielding every `patience` spins so that threads
/// sharing a core still make progress. Only between bodies.
#[inline(always)]
fn spin_until_with(patience: u32, mut condition: impl FnMut() -> bool) {
    let mut spins = 0u32;
    while !condition() {
        spins += 1;
        if spins == patience {
            std::thread::yield_now();
            spins = 0;
        }
    }
}

/// The patience for `threads` threads on `cores`.
fn patience(cores: &Cores, threads: usize) -> u32 {
    if cores.oversubscription(threads).is_some() {
        PATIENCE_SHARED
    } else {
        PATIENCE
    }
}

#[inline(always)]
fn spin_until(condition: impl FnMut() -> bool) {
    spin_until_with(PATIENCE, condition)
}

/// The monitoring loop, on the calling (unpinned) thread: reports progress
/// and raises `stop` when the time budget is spent or Ctrl-C came, until
/// `finished`.
fn monitor(
    budget: Budget,
    started: Instant,
    interrupted: &AtomicBool,
    stop: &AtomicBool,
    finished: &AtomicBool,
    done: impl Fn() -> u64,
    progress: &dyn Progress,
) {
    while !finished.load(Relaxed) {
        std::thread::sleep(Duration::from_millis(10));
        let elapsed = started.elapsed();
        progress.update(done(), elapsed);
        let out_of_time = matches!(budget, Budget::Duration(d) if elapsed >= d);
        if out_of_time || interrupted.load(Relaxed) {
            stop.store(true, Relaxed);
        }
    }
}

// ------------------------------------------------------------ classic ---

struct ClassicShared<'t> {
    test: &'t ClassicTest,
    batch: usize,
    /// Every location's slots, location `l` of instance `i` at
    /// `l * (batch + SKEW) + i` (see [`SKEW`]).
    slots: Vec<Slot>,
    /// Per thread, per instance, its registers.
    registers: Vec<Vec<Word>>,
    /// Per thread, the number of the instance it has reached.
    reached: Vec<Line>,
    /// Which thread resets each location between batches: its first loader.
    owner: [usize; LOCATIONS],
    batch_start: SpinBarrier,
    batch_end: SpinBarrier,
    counted: SpinBarrier,
    /// Instances in the coming batch; 0 ends the run. Set by thread 0.
    batch_len: AtomicU64,
    /// TSC at which the batch's first instance starts (timebase sync).
    base: AtomicU64,
    /// TSC ticks between instance starts (timebase sync), set by thread 0.
    delta: AtomicU32,
    /// The exchanges that align the threads' timebases, and what the latest
    /// found: the round trip to thread 0 (the slowest) and each thread's
    /// shift of its deadlines ([`Timebase`]).
    clock: ClockLines,
    round_trip: AtomicU64,
    offsets: Vec<AtomicI64>,
    /// Set by thread 0 between batches: calibrate before the next one.
    recalibrate: AtomicBool,
    /// Instances each thread started late in the last batch.
    late: Vec<AtomicU32>,
    /// Instances started late on the latest thread, over the whole run.
    late_total: AtomicU64,
    /// The order in which this batch visits its slots: a fresh random
    /// permutation each batch, so no prefetcher can run ahead of a thread
    /// and fetch another thread's lines early. Written by thread 0 between
    /// batches.
    order: Vec<Word>,
    done: AtomicU64,
    stop: AtomicBool,
    finished: AtomicBool,
    pin_error: Mutex<Option<String>>,
    histogram: Mutex<HashMap<[u32; 4], u64>>,
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

/// Slots between two locations' arrays beyond the batch: 33 slots of 128
/// bytes shift location `l` by `l * 4224` bytes, so the locations of one
/// instance never share their low 12 address bits. A load that 4K-aliases
/// an older store of the same thread is delayed by the CPU's memory
/// disambiguation, which would narrow the window being measured.
const SKEW: usize = 33;

impl ClassicShared<'_> {
    /// Thread 0: take a calibration's result; the first of a run with
    /// `--timebase-delta auto` also sets where `delta` starts.
    fn align(&self, alignment: Alignment, start_pacing: bool) {
        for (offset, shift) in self.offsets.iter().zip(alignment.offsets) {
            offset.store(shift, Relaxed);
        }
        self.round_trip.store(alignment.round_trip, Relaxed);
        if start_pacing {
            self.delta
                .store(Pacing::start(alignment.round_trip), Relaxed);
        }
    }

    /// Location `l`'s slots.
    fn location(&self, l: usize) -> &[Slot] {
        let start = l * (self.batch + SKEW);
        &self.slots[start..start + self.batch]
    }

    /// Instance `i`'s locations.
    #[inline(always)]
    fn instance(&self, i: usize) -> [&Word; LOCATIONS] {
        std::array::from_fn(|l| &self.slots[l * (self.batch + SKEW) + i].0)
    }
}

/// Spin until the time-stamp counter reaches `start` (no fence: `rdtsc`).
/// Returns whether it had already passed: the instance starts late.
#[inline(always)]
fn wait_for_tsc(start: u64) -> bool {
    if tsc::rdtsc() >= start {
        return true;
    }
    while tsc::rdtsc() < start {}
    false
}

/// How fast instances follow each other (`--timebase-delta auto`).
///
/// Threads enter an instance together only if each is waiting at its
/// deadline, so between batches thread 0 widens `delta` by 1/8 when more
/// than 1 in 10 instances started late on some thread, and narrows it by
/// 1/32 (not below [`Pacing::MIN`]) when fewer than 1 in 50 did. The steps
/// are small so that one host hiccup (which makes the rest of a batch late)
/// cannot run it away. The first batch starts at 3/2 of the measured
/// cache-line round trip, where the previous instance's stores have surely
/// drained, and narrows from there: the stores of successive instances
/// fetch their lines in parallel, so the threads keep up well below one
/// round trip per instance (on this project's VM: 150 ticks with a round
/// trip of 300, 350 with one of 1,200).
struct Pacing;

impl Pacing {
    const MIN: u32 = 50;
    const MAX: u32 = 1_000_000;

    fn start(round_trip: u64) -> u32 {
        (round_trip + round_trip / 2).clamp(Pacing::MIN as u64, Pacing::MAX as u64) as u32
    }

    /// The widest `delta` gets: 16 times its start. Threads that start late
    /// because another process holds their cores are not helped by a wider
    /// `delta`, and from `MAX` narrowing back would take seconds.
    fn ceiling(round_trip: u64) -> u32 {
        Pacing::start(round_trip)
            .saturating_mul(16)
            .min(Pacing::MAX)
    }

    fn next(delta: u32, late: u32, instances: u32, ceiling: u32) -> u32 {
        let next = if late * 10 > instances {
            delta + delta / 8
        } else if late * 50 < instances {
            delta - delta / 32
        } else {
            delta
        };
        next.clamp(Pacing::MIN, ceiling.max(Pacing::MIN))
    }
}

/// Where each thread's timebase meets thread 0's (`--sync timebase`).
///
/// "Together" for a test body means: each thread's first store reaches the
/// others as they execute their own first accesses. Thread 0 and each
/// other thread `u` exchange plain stores (a ping-pong), each side reading
/// the time-stamp counter as it sees the other's store: thread 0 sends at
/// `s` and sees the answer at `r`, thread `u` sees the ping at `m` on its
/// own counter. With one-way transfer times `f` (0 to `u`) and `b` (back)
/// and `u`'s counter ahead of 0's by `o`, `m - s = f + o` and `r - m = b - o`,
/// so `((m - s) - (r - m)) / 2 = o + (f - b) / 2`: exactly the shift of
/// `u`'s deadlines that centres the window in which each thread's store
/// arrives only after the other's load (SB's witness), whatever the
/// counters' offset and the asymmetry of the path. The median over many
/// exchanges is taken, and the measurement is repeated during the run
/// ([`Timebase::due`]), because a host moves vCPUs: on this project's VM
/// the round trip went from about 300 to about 1,200 ticks between runs
/// seconds apart, and the best shift moved by 50 ticks, as wide as the
/// whole window when the cores are close.
struct Timebase;

/// One calibration: the slowest round trip to thread 0 and, per thread,
/// the shift of its deadlines (0 for thread 0).
struct Alignment {
    round_trip: u64,
    offsets: Vec<i64>,
}

impl Timebase {
    /// Exchanges per thread at the start of a run, and at each repetition.
    const FIRST: u32 = 2_000;
    const REPEAT: u32 = 128;
    /// TSC ticks between the end of one calibration and the next, at least
    /// (about 0.1 s at 2.5 GHz).
    const INTERVAL: u64 = 1 << 28;
    /// ... and at least this many times as long as the last one took: a
    /// calibration needs both threads running at once, which on a loaded
    /// machine can make each exchange wait for a time slice.
    const INTERVAL_PER_COST: u64 = 20;

    /// Whether the next batch should start with a calibration, given when
    /// the last one started and ended (TSC ticks) and the time now.
    fn due(started: u64, ended: u64, now: u64) -> bool {
        let cost = ended.wrapping_sub(started);
        now.wrapping_sub(ended) >= Timebase::INTERVAL.max(cost * Timebase::INTERVAL_PER_COST)
    }

    /// The shift of thread `u`'s deadlines from one exchange: thread 0 sent
    /// at `sent` and saw the answer at `answered` on its counter, thread `u`
    /// saw the ping at `met` on its own.
    fn shift(sent: u64, met: u64, answered: u64) -> i64 {
        let there = met.wrapping_sub(sent) as i64;
        let back = answered.wrapping_sub(met) as i64;
        (there - back) / 2
    }

    /// One calibration. Every thread calls it with its own index `t` and
    /// the same `seq` (the exchange counter, advanced identically by all);
    /// thread 0 gets the result, the others `None`. Only plain stores,
    /// loads and `rdtsc`: it runs between batches, never inside one.
    fn calibrate(
        clock: &ClockLines,
        t: usize,
        threads: usize,
        exchanges: u32,
        seq: &mut u32,
    ) -> Option<Alignment> {
        let mut alignment = Alignment {
            round_trip: 0,
            offsets: vec![0; threads],
        };
        let mut round_trips = Vec::with_capacity(exchanges as usize);
        let mut offsets = Vec::with_capacity(exchanges as usize);
        for u in 1..threads {
            round_trips.clear();
            offsets.clear();
            for _ in 0..exchanges {
                *seq = seq.wrapping_add(1);
                let i = *seq;
                if t == 0 {
                    let sent = tsc::rdtsc();
                    write::store32(&clock.ping.0, i);
                    spin_until(|| read::load32(&clock.pong.0) == i);
                    let answered = tsc::rdtsc();
                    // Pairs with thread u's store of the stamp before its pong.
                    let met = clock.stamp.0.load(Acquire);
                    round_trips.push(answered.wrapping_sub(sent));
                    offsets.push(Timebase::shift(sent, met, answered));
                } else if t == u {
                    spin_until(|| read::load32(&clock.ping.0) == i);
                    // Stored before the pong, so thread 0 reads it after.
                    clock.stamp.0.store(tsc::rdtsc(), Release);
                    write::store32(&clock.pong.0, i);
                }
            }
            if t == 0 {
                round_trips.sort_unstable();
                offsets.sort_unstable();
                let round_trip = round_trips[round_trips.len() / 2];
                alignment.round_trip = alignment.round_trip.max(round_trip);
                alignment.offsets[u] = offsets[offsets.len() / 2];
            }
        }
        (t == 0).then_some(alignment)
    }
}

/// The lines [`Timebase::calibrate`] exchanges through, each its own.
#[derive(Default)]
struct ClockLines {
    ping: Line,
    pong: Line,
    stamp: StampLine,
}

/// Thread `u`'s counter as it saw the latest ping, in a line of its own.
#[repr(align(64))]
#[derive(Default)]
struct StampLine(AtomicU64);

/// TSC ticks between the start of a batch's barrier and its first instance:
/// time for every thread to leave the barrier (about 2 us at 2.4 GHz).
const TIMEBASE_LEAD: u64 = 5_000;

fn classic_thread(shared: &ClassicShared, t: usize, core: usize, plan: &Plan) {
    if let Err(e) = pin_current_thread(core) {
        shared.pin_error.lock().unwrap().get_or_insert(e);
    }
    let threads = shared.test.threads.len();
    let timebase = matches!(plan.sync, Sync::Timebase { .. }) && threads > 1;
    // Exchanges so far: every thread counts them alike (see `calibrate`).
    let mut exchanged = 0u32;
    // Thread 0: when the latest calibration started and ended.
    let mut calibrated = (0u64, 0u64);
    let patience = patience(&plan.cores, threads);
    let ops = shared.test.threads[t];
    // Only the registers this thread loads are recorded: every extra store
    // would queue in the store buffer behind the body's.
    let used = registers_used(ops);
    let mut next_id = 1u32;
    for batch in 0u64.. {
        if timebase && (batch == 0 || shared.recalibrate.load(Relaxed)) {
            let rounds = if batch == 0 {
                Timebase::FIRST
            } else {
                Timebase::REPEAT
            };
            let started = tsc::rdtsc();
            if let Some(alignment) =
                Timebase::calibrate(&shared.clock, t, threads, rounds, &mut exchanged)
            {
                shared.align(
                    alignment,
                    batch == 0 && plan.sync == (Sync::Timebase { delta: None }),
                );
                calibrated = (started, tsc::rdtsc());
            }
        }
        if t == 0 {
            // Every batch (the first too) starts after the calibration.
            shared.base.store(tsc::rdtsc() + TIMEBASE_LEAD, Relaxed);
        }
        shared.batch_start.wait();
        let len = shared.batch_len.load(Relaxed) as usize;
        if len == 0 || shared.pin_error.lock().unwrap().is_some() {
            break;
        }
        // This thread's deadlines, shifted to meet thread 0's (wrapping:
        // the shift may be negative).
        let base = shared
            .base
            .load(Relaxed)
            .wrapping_add(shared.offsets[t].load(Relaxed) as u64);
        let delta = shared.delta.load(Relaxed) as u64;
        let mut late = 0;
        for i in 0..len {
            let slot = read::load32(&shared.order[i]) as usize;
            let locations = shared.instance(slot);
            match plan.sync {
                Sync::Timebase { .. } => late += wait_for_tsc(base + i as u64 * delta) as u32,
                Sync::Flags => {
                    instance_barrier(&shared.reached, t, next_id, patience);
                    next_id = next_id.wrapping_add(1);
                }
            }
            let mut registers = [0; REGISTERS];
            run_ops(ops, locations, &mut registers);
            for (r, value) in registers[..used].iter().enumerate() {
                write::store32(&shared.registers[t][slot * REGISTERS + r], *value);
            }
        }
        shared.late[t].store(late, Relaxed);
        shared.batch_end.wait();
        if t == 0 {
            count(shared, len, plan.budget);
            let late = shared
                .late
                .iter()
                .map(|l| l.load(Relaxed))
                .max()
                .unwrap_or(0);
            shared.late_total.fetch_add(late as u64, Relaxed);
            if let Sync::Timebase { delta: None } = plan.sync {
                let ceiling = Pacing::ceiling(shared.round_trip.load(Relaxed));
                let next = Pacing::next(delta as u32, late, len as u32, ceiling);
                shared.delta.store(next, Relaxed);
            }
            let (started, ended) = calibrated;
            let due = Timebase::due(started, ended, tsc::rdtsc());
            shared.recalibrate.store(due, Relaxed);
        }
        // Also publishes thread 0's `recalibrate` to the others.
        shared.counted.wait();
        // Each location is reset by its owner, so its line starts the next
        // batch in the owner's cache.
        for (l, &owner) in shared.owner.iter().enumerate() {
            if owner == t {
                for slot in &shared.location(l)[..len] {
                    write::store32(&slot.0, 0);
                }
            }
        }
        if t == 0 {
            let next = shared.batch_len.load(Relaxed) as usize;
            shuffle(&shared.order[..next]);
        }
    }
    if t == 0 {
        shared.finished.store(true, Relaxed);
    }
}

/// Make `order` a fresh random permutation of the slots `0..order.len()`:
/// exactly the slots the batch runs, which [`count`] and the resets cover.
fn shuffle(order: &[Word]) {
    let mut slots: Vec<u32> = (0..order.len() as u32).collect();
    fastrand::shuffle(&mut slots);
    for (word, slot) in order.iter().zip(slots) {
        write::store32(word, slot);
    }
}

/// How many registers a thread's ops load into (r0, r1, ...).
fn registers_used(ops: &[Op]) -> usize {
    ops.iter()
        .filter_map(|op| {
            if let Op::Load(_, r) = op {
                Some(*r as usize + 1)
            } else {
                None
            }
        })
        .max()
        .unwrap_or(0)
}

/// The thread that resets each location: the first thread that loads it,
/// else thread 0.
fn owners(test: &ClassicTest) -> [usize; LOCATIONS] {
    let mut owner = [0; LOCATIONS];
    for (l, slot) in owner.iter_mut().enumerate() {
        let loads = |ops: &&[Op]| {
            ops.iter()
                .any(|op| matches!(op, Op::Load(loc, _) if *loc as usize == l))
        };
        *slot = test.threads.iter().position(loads).unwrap_or(0);
    }
    owner
}

/// Thread 0, between batches: count each instance's outcome and size the
/// next batch (0 when the budget is spent).
fn count(shared: &ClassicShared, len: usize, budget: Budget) {
    let mut histogram = shared.histogram.lock().unwrap();
    for i in 0..len {
        let locations = shared.instance(i);
        let mut key = [0u32; 4];
        for (column, observe) in shared.test.observed.iter().enumerate() {
            key[column] = match *observe {
                Observe::Reg(t, r) => {
                    read::load32(&shared.registers[t as usize][i * REGISTERS + r as usize])
                }
                Observe::Final(loc) => read::load32(locations[loc as usize]),
            };
        }
        *histogram.entry(key).or_default() += 1;
    }
    let done = shared.done.fetch_add(len as u64, Relaxed) + len as u64;
    let next = match budget {
        _ if shared.stop.load(Relaxed) => 0,
        Budget::Iterations(n) => n.saturating_sub(done).min(shared.batch as u64),
        Budget::Duration(_) => shared.batch as u64,
    };
    shared.batch_len.store(next, Relaxed);
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
    let shared = ClassicShared {
        test,
        batch,
        slots: (0..LOCATIONS * (batch + SKEW))
            .map(|_| Slot::default())
            .collect(),
        registers: (0..threads)
            .map(|_| (0..batch * REGISTERS).map(|_| Word::new(0)).collect())
            .collect(),
        reached: (0..threads).map(|_| Line::default()).collect(),
        owner: owners(test),
        batch_start: SpinBarrier::new(threads),
        batch_end: SpinBarrier::new(threads),
        counted: SpinBarrier::new(threads),
        batch_len: AtomicU64::new(first),
        base: AtomicU64::new(tsc::rdtsc() + TIMEBASE_LEAD),
        order: (0..batch as u32).map(Word::new).collect(),
        delta: AtomicU32::new(match plan.sync {
            Sync::Timebase { delta: Some(d) } => d,
            _ => Pacing::MIN,
        }),
        clock: ClockLines::default(),
        round_trip: AtomicU64::new(0),
        offsets: (0..threads).map(|_| AtomicI64::new(0)).collect(),
        recalibrate: AtomicBool::new(false),
        late: (0..threads).map(|_| AtomicU32::new(0)).collect(),
        late_total: AtomicU64::new(0),
        done: AtomicU64::new(0),
        stop: AtomicBool::new(false),
        finished: AtomicBool::new(false),
        pin_error: Mutex::new(None),
        histogram: Mutex::new(HashMap::new()),
    };
    shuffle(&shared.order[..first as usize]);
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
            &shared.stop,
            &shared.finished,
            || shared.done.load(Relaxed),
            progress,
        );
    });
    let seconds = started.elapsed().as_secs_f64();
    if let Some(e) = shared.pin_error.into_inner().unwrap() {
        return Err(e);
    }
    let histogram = shared.histogram.into_inner().unwrap();
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
    let detail = match plan.sync {
        Sync::Timebase { delta } => {
            let shifts: Vec<String> = shared.offsets[1..]
                .iter()
                .map(|o| format!("{:+}", o.load(Relaxed)))
                .collect();
            format!(
                "batch {batch}, timebase delta {} TSC ticks{}, threads 1.. shifted {} \
                 (latest line round trip {}), {:.1}% started late",
                shared.delta.load(Relaxed),
                if delta.is_none() { " (paced)" } else { "" },
                shifts.join(" "),
                shared.round_trip.load(Relaxed),
                100.0 * shared.late_total.load(Relaxed) as f64
                    / shared.done.load(Relaxed).max(1) as f64
            )
        }
        Sync::Flags if shared_cores => {
            format!("batch {batch}, flag handshake per instance (threads share cores)")
        }
        Sync::Flags => format!("batch {batch}, flag handshake per instance"),
    };
    Ok(RunResult {
        outcomes,
        iterations: shared.done.into_inner(),
        seconds,
        interrupted: interrupted.load(Relaxed),
        detail,
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

// ---------------------------------------------------------------- PTE ---

/// The PTE under test and its sequence count, in one cache line, as a
/// per-entry seqcount would be.
#[repr(C, align(64))]
#[derive(Default)]
struct PteLine {
    pte: Pte,
    seq: SeqCount,
}

struct PteShared {
    entry: PteLine,
    /// Whose turn it is among several writers.
    turn: Line,
    stop: AtomicBool,
    finished: AtomicBool,
    reads: AtomicU64,
    lost: AtomicU64,
    pin_error: Mutex<Option<String>>,
}

/// Reads between two looks at the stop flag (fewer with a wide window).
fn reads_per_chunk(reader_delay: u32) -> u32 {
    (16_384 / (reader_delay + 1)).max(1)
}

fn pte_reader<R: PteReader>(
    shared: &PteShared,
    test: &PteTest,
    plan: &Plan,
    ready: &Barrier,
) -> [u64; 3] {
    if let Err(e) = pin_current_thread(plan.cores.for_thread(0)) {
        shared.pin_error.lock().unwrap().get_or_insert(e);
    }
    ready.wait();
    let (seq, pte) = (&shared.entry.seq, &shared.entry.pte);
    let (scheme, delay) = (test.scheme, plan.reader_delay);
    let chunk = reads_per_chunk(delay);
    let mut counts = [0u64; 3];
    let mut reads = 0u64;
    while !shared.stop.load(Relaxed) {
        // An iterations budget is met exactly: the last chunk is cut short.
        let chunk = match plan.budget {
            Budget::Iterations(n) => chunk.min((n - reads).min(u32::MAX as u64) as u32),
            Budget::Duration(_) => chunk,
        };
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
        reads += chunk as u64;
        shared.reads.store(reads, Relaxed);
        if matches!(plan.budget, Budget::Iterations(n) if reads >= n) {
            shared.stop.store(true, Relaxed);
        }
    }
    counts
}

fn pte_writer(
    shared: &PteShared,
    test: &PteTest,
    strategy: ReadStrategy,
    w: usize,
    core: usize,
    patience: u32,
    ready: &Barrier,
) {
    if let Err(e) = pin_current_thread(core) {
        shared.pin_error.lock().unwrap().get_or_insert(e);
    }
    ready.wait();
    let (seq, pte) = (&shared.entry.seq, &shared.entry.pte);
    let (writer, scheme, writers) = (strategy.writer(), test.scheme, test.writers as u32);
    let mut last = pte_asm::halves(0);
    let mut lost = 0u64;
    // Install numbers start at 0 (the seed's A) and go up by one per
    // install across all writers.
    let mut k = (w as u32).wrapping_sub(1);
    'run: loop {
        for _ in 0..1024 {
            if writers > 1 {
                // Take the turn; hand it on below (plain store and load).
                let mut stopped = false;
                spin_until_with(patience, || {
                    stopped = shared.stop.load(Relaxed);
                    stopped || read::load32(&shared.turn.0) == w as u32
                });
                if stopped {
                    break 'run;
                }
            }
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
            if writers > 1 {
                k = k.wrapping_add(writers - 1);
                write::store32(&shared.turn.0, (w as u32 + 1) % writers);
            }
        }
        if shared.stop.load(Relaxed) {
            break;
        }
    }
    shared.lost.fetch_add(lost, Relaxed);
}

/// Run a PTE test with one read strategy (already checked available).
pub fn run_pte(
    test: &PteTest,
    strategy: ReadStrategy,
    plan: &Plan,
    interrupted: &AtomicBool,
    progress: &dyn Progress,
) -> Result<RunResult, String> {
    let shared = PteShared {
        entry: PteLine::default(),
        turn: Line::default(),
        stop: AtomicBool::new(false),
        finished: AtomicBool::new(false),
        reads: AtomicU64::new(0),
        lost: AtomicU64::new(0),
        pin_error: Mutex::new(None),
    };
    let ready = Barrier::new(1 + test.writers);
    let started = Instant::now();
    let counts = std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let counts = with_reader!(strategy, R => pte_reader::<R>(&shared, test, plan, &ready),
                missing => unreachable!("the runner only runs compiled strategies"));
            shared.stop.store(true, Relaxed);
            counts
        });
        let patience = patience(&plan.cores, 1 + test.writers);
        let writers: Vec<_> = (0..test.writers)
            .map(|w| {
                let (shared, ready, core) = (&shared, &ready, plan.cores.for_thread(1 + w));
                scope.spawn(move || pte_writer(shared, test, strategy, w, core, patience, ready))
            })
            .collect();
        let finish = scope.spawn(|| {
            for writer in writers {
                writer.join().expect("writer thread");
            }
            let counts = reader.join().expect("reader thread");
            shared.finished.store(true, Relaxed);
            counts
        });
        monitor(
            plan.budget,
            started,
            interrupted,
            &shared.stop,
            &shared.finished,
            || shared.reads.load(Relaxed),
            progress,
        );
        finish.join().expect("joining thread")
    });
    let seconds = started.elapsed().as_secs_f64();
    if let Some(e) = shared.pin_error.into_inner().unwrap() {
        return Err(e);
    }
    let mut outcomes: Vec<OutcomeCount> =
        [PteOutcome::Intact, PteOutcome::Torn, PteOutcome::Absent]
            .into_iter()
            .map(|o| OutcomeCount {
                label: o.name().into(),
                count: counts[o as usize],
                witness: o == test.witness,
            })
            .collect();
    if test.writer_checks() {
        outcomes.push(OutcomeCount {
            label: PteOutcome::Lost.name().into(),
            count: shared.lost.into_inner(),
            witness: test.witness == PteOutcome::Lost,
        });
    }
    Ok(RunResult {
        outcomes,
        iterations: shared.reads.into_inner(),
        seconds,
        interrupted: interrupted.load(Relaxed),
        detail: format!(
            "{} writer thread(s), {}, reader delay {}",
            test.writers,
            strategy.writer().name(),
            plan.reader_delay
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{CLASSIC, Test};

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

    #[test]
    fn each_location_is_reset_by_its_first_loader() {
        // SB: thread 0 loads y, thread 1 loads x.
        assert_eq!(owners(classic("SB")), [1, 0]);
        // MP: thread 1 loads both.
        assert_eq!(owners(classic("MP")), [1, 1]);
        // 2+2W loads nothing: thread 0.
        assert_eq!(owners(classic("2+2W")), [0, 0]);
    }

    #[test]
    fn each_batch_visits_exactly_its_own_slots() {
        let order: Vec<Word> = (0..64).map(|_| Word::new(63)).collect();
        for len in [64, 10, 1, 0] {
            shuffle(&order[..len]);
            let mut slots: Vec<u32> = order[..len].iter().map(read::load32).collect();
            slots.sort_unstable();
            assert_eq!(
                slots,
                (0..len as u32).collect::<Vec<_>>(),
                "a batch of {len}"
            );
        }
    }

    #[test]
    fn only_loaded_registers_are_recorded() {
        for t in CLASSIC {
            for (i, ops) in t.threads.iter().enumerate() {
                let used = registers_used(ops);
                assert!(used <= REGISTERS, "{} P{i}", t.name);
                let loads = ops.iter().filter(|op| matches!(op, Op::Load(..))).count();
                assert_eq!(
                    used, loads,
                    "{} P{i}: registers are numbered from 0",
                    t.name
                );
            }
        }
    }

    #[test]
    fn the_shift_centres_the_window_whatever_the_offset_and_asymmetry() {
        // Thread u's counter 100 ticks ahead, 150 ticks each way: shift by
        // the offset alone.
        assert_eq!(Timebase::shift(1_000, 1_250, 1_300), 100);
        // Same counters, 100 ticks there and 200 back: u's stores arrive
        // later, so u starts 50 ticks early to meet thread 0 in the middle.
        assert_eq!(Timebase::shift(1_000, 1_100, 1_300), -50);
        // Counters that wrap between sending and answering.
        assert_eq!(Timebase::shift(u64::MAX - 10, 139, 289), 0);
    }

    #[test]
    fn calibrations_repeat_after_an_interval_or_twenty_times_their_cost() {
        let interval = Timebase::INTERVAL;
        // A cheap calibration: the fixed interval.
        assert!(!Timebase::due(0, 1_000, 1_000 + interval - 1));
        assert!(Timebase::due(0, 1_000, 1_000 + interval));
        // One that took long (threads waiting for time slices): 20 times it.
        let cost = interval;
        assert!(!Timebase::due(0, cost, cost + 19 * cost));
        assert!(Timebase::due(0, cost, cost + 20 * cost));
    }

    #[test]
    fn pacing_starts_above_a_round_trip_widens_when_late_narrows_when_early() {
        assert_eq!(Pacing::start(400), 600);
        assert_eq!(Pacing::start(1), Pacing::MIN);
        let ceiling = Pacing::ceiling(400);
        assert_eq!(ceiling, 9_600);
        // 20 of 64 late: widen by 1/8, up to the ceiling.
        assert_eq!(Pacing::next(800, 20, 64, ceiling), 900);
        assert_eq!(Pacing::next(9_000, 20, 64, ceiling), ceiling);
        // None late: narrow by 1/32, but never below the minimum.
        assert_eq!(Pacing::next(800, 0, 64, ceiling), 775);
        assert_eq!(Pacing::next(Pacing::MIN + 1, 0, 64, ceiling), Pacing::MIN);
        // In between: hold.
        assert_eq!(Pacing::next(800, 3, 64, ceiling), 800);
        assert_eq!(Pacing::ceiling(u64::MAX), Pacing::MAX);
    }
}
