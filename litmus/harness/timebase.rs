//! When a classic test's instances start (`--sync timebase`): each thread
//! spins on the time-stamp counter until its deadline, deadlines shifted per
//! thread so that the threads meet ([`Timebase`]), spaced by a `delta` that
//! paces itself to what the threads keep up with ([`Pacing`]).

use super::spin::{Line, spin_until};
use pte_asm::{read, tsc, write};
use std::sync::atomic::{
    AtomicBool, AtomicI64, AtomicU32, AtomicU64,
    Ordering::{Acquire, Relaxed, Release},
};

/// Spin until the time-stamp counter reaches `start` (no fence: `rdtsc`).
/// Returns whether it had already passed: the instance starts late.
#[inline(always)]
pub fn wait_for_tsc(start: u64) -> bool {
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
/// 1/32 (not below [`Pacing::MIN`]) when fewer than 1 in 50 did, judging
/// by the median of the last [`Pacing::RECENT`] batches: a host hiccup
/// makes the rest of one batch late, and when hiccups came every few
/// batches, judging each batch alone widened `delta` to its ceiling (on
/// this project's VM, 30,000 ticks: a tenth of the instances). The first batch starts at 3/2 of the measured
/// cache-line round trip, where the previous instance's stores have surely
/// drained, and narrows from there: the stores of successive instances
/// fetch their lines in parallel, so the threads keep up well below one
/// round trip per instance (on this project's VM: 150 ticks with a round
/// trip of 300, 350 with one of 1,200).
#[derive(Default)]
pub struct Pacing {
    /// The last batches' fractions of instances started late, a ring.
    recent: [f64; Pacing::RECENT],
    batches: usize,
}

impl Pacing {
    pub const MIN: u32 = 50;
    const MAX: u32 = 1_000_000;
    const RECENT: usize = 8;

    pub fn start(round_trip: u64) -> u32 {
        (round_trip + round_trip / 2).clamp(Pacing::MIN as u64, Pacing::MAX as u64) as u32
    }

    /// The widest `delta` gets: 16 times its start. Threads that start late
    /// because another process holds their cores are not helped by a wider
    /// `delta`, and from `MAX` narrowing back would take seconds.
    pub fn ceiling(round_trip: u64) -> u32 {
        Pacing::start(round_trip)
            .saturating_mul(16)
            .min(Pacing::MAX)
    }

    /// The next batch's `delta`, after one of `instances` of which `late`
    /// started late.
    pub fn next(&mut self, delta: u32, late: u32, instances: u32, ceiling: u32) -> u32 {
        self.recent[self.batches % Pacing::RECENT] = late as f64 / instances.max(1) as f64;
        self.batches += 1;
        let mut recent = self.recent;
        let recent = &mut recent[..self.batches.min(Pacing::RECENT)];
        recent.sort_by(f64::total_cmp);
        // The lower median: one hiccup in two batches does not widen.
        let late = recent[(recent.len() - 1) / 2];
        let next = if late > 0.1 {
            delta + delta / 8
        } else if late < 0.02 {
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
pub struct Timebase;

/// One calibration: the slowest round trip to thread 0 and, per thread,
/// the shift of its deadlines (0 for thread 0).
pub struct Alignment {
    pub round_trip: u64,
    pub offsets: Vec<i64>,
}

impl Timebase {
    /// Exchanges per thread at the start of a run, and at each repetition.
    pub const FIRST: u32 = 2_000;
    pub const REPEAT: u32 = 128;
    /// TSC ticks between the end of one calibration and the next, at least
    /// (about 0.1 s at 2.5 GHz).
    const INTERVAL: u64 = 1 << 28;
    /// ... and at least this many times as long as the last one took: a
    /// calibration needs both threads running at once, which on a loaded
    /// machine can make each exchange wait for a time slice.
    const INTERVAL_PER_COST: u64 = 20;

    /// Whether the next batch should start with a calibration, given when
    /// the last one started and ended (TSC ticks) and the time now.
    pub fn due(started: u64, ended: u64, now: u64) -> bool {
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
    pub fn calibrate(
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
pub struct ClockLines {
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
pub const TIMEBASE_LEAD: u64 = 5_000;

/// The timebase as the threads of one classic run share it: where each
/// batch starts, how far apart its instances are, each thread's shift, and
/// what the pacing needs to know. Written by thread 0 between batches.
pub struct Clock {
    /// TSC at which the batch's first instance starts.
    pub base: AtomicU64,
    /// TSC ticks between instance starts.
    pub delta: AtomicU32,
    /// The exchanges that align the threads' timebases, and what the latest
    /// found: the round trip to thread 0 (the slowest) and each thread's
    /// shift of its deadlines ([`Timebase`]).
    pub lines: ClockLines,
    pub round_trip: AtomicU64,
    pub offsets: Vec<AtomicI64>,
    /// Calibrate again before the next batch.
    pub recalibrate: AtomicBool,
    /// Instances each thread started late in the last batch.
    pub late: Vec<AtomicU32>,
    /// Instances started late on the latest thread, over the whole run.
    pub late_total: AtomicU64,
}

impl Clock {
    /// A clock for `threads` threads whose first `delta` is `delta`.
    pub fn new(threads: usize, delta: u32) -> Clock {
        Clock {
            base: AtomicU64::new(tsc::rdtsc() + TIMEBASE_LEAD),
            delta: AtomicU32::new(delta),
            lines: ClockLines::default(),
            round_trip: AtomicU64::new(0),
            offsets: (0..threads).map(|_| AtomicI64::new(0)).collect(),
            recalibrate: AtomicBool::new(false),
            late: (0..threads).map(|_| AtomicU32::new(0)).collect(),
            late_total: AtomicU64::new(0),
        }
    }

    /// Thread 0: take a calibration's result; the first of a run with
    /// `--timebase-delta auto` also sets where `delta` starts.
    pub fn align(&self, alignment: Alignment, start_pacing: bool) {
        for (offset, shift) in self.offsets.iter().zip(alignment.offsets) {
            offset.store(shift, Relaxed);
        }
        self.round_trip.store(alignment.round_trip, Relaxed);
        if start_pacing {
            self.delta
                .store(Pacing::start(alignment.round_trip), Relaxed);
        }
    }

    /// Thread `t`'s first deadline of the batch: the base shifted to meet
    /// thread 0's (wrapping: the shift may be negative).
    pub fn base_for(&self, t: usize) -> u64 {
        self.base
            .load(Relaxed)
            .wrapping_add(self.offsets[t].load(Relaxed) as u64)
    }

    /// The report's words: delta, the shifts, the round trip, lateness.
    pub fn describe(&self, paced: bool, instances: u64) -> String {
        let shifts: Vec<String> = self.offsets[1..]
            .iter()
            .map(|o| format!("{:+}", o.load(Relaxed)))
            .collect();
        format!(
            "timebase delta {} TSC ticks{}, threads 1.. shifted {} \
             (latest line round trip {}), {:.1}% started late",
            self.delta.load(Relaxed),
            if paced { " (paced)" } else { "" },
            shifts.join(" "),
            self.round_trip.load(Relaxed),
            100.0 * self.late_total.load(Relaxed) as f64 / instances.max(1) as f64
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let next = |late: u32, delta: u32| Pacing::default().next(delta, late, 64, ceiling);
        // 20 of 64 late: widen by 1/8, up to the ceiling.
        assert_eq!(next(20, 800), 900);
        assert_eq!(next(20, 9_000), ceiling);
        // None late: narrow by 1/32, but never below the minimum.
        assert_eq!(next(0, 800), 775);
        assert_eq!(next(0, Pacing::MIN + 1), Pacing::MIN);
        // In between: hold.
        assert_eq!(next(3, 800), 800);
        // One batch in three hit by a hiccup (half its instances late):
        // the median holds `delta` where it is.
        let mut pacing = Pacing::default();
        let mut delta = 800;
        for batch in 0..30 {
            let late = if batch % 3 == 1 { 32 } else { 3 };
            delta = pacing.next(delta, late, 64, ceiling);
        }
        assert_eq!(delta, 800);
        assert_eq!(Pacing::ceiling(u64::MAX), Pacing::MAX);
    }
}
