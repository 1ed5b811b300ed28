//! How each batch of a classic test is laid out and timed, learnt per test
//! while it runs (`--tuning auto`): which memory pattern and which shifts
//! of the threads' deadlines make the test's witness likeliest.
//!
//! No one setting suits every test. On this project's VM (2026-11-26, one
//! second each, witnesses per second):
//!
//! | pattern                          | SB    | R     | SB+rfi-pos | PTE-ABA+lowhigh |
//! |----------------------------------|-------|-------|------------|-----------------|
//! | own line pairs, shuffled order   | 273k  | 34k   | 0.3k-23k   | 3.5k-5.8k       |
//! | own line pairs, descending order | 660k  | 430k  | 680k       | 0.1k            |
//! | packed cells, shuffled order     | 550k  | 185k  | 240k       | 0.0k-3.6k       |
//! | packed cells, descending order   | 295k  | 94k   | 60k        | 5.9k-7.7k       |
//!
//! (A store whose line is elsewhere, read back by its own thread before the
//! thread reads the other location, as in `SB+rfi-pos`, holds that later
//! load back until the store's line arrives on this CPU; walking the lines
//! in address order lets the prefetchers bring them early.) And the shift
//! that makes two threads meet as a witness needs is the test's own: SB's
//! peaks with no shift, R's with thread 1 an eighth of a line round trip
//! later (a witness rate per instance of 0.33 there, 0.006 with none).
//!
//! So each batch draws its settings, one knob at a time: the memory
//! pattern ([`Pattern`]) and, per thread `u >= 1`, a shift of its
//! deadlines ([`STEPS`], in eighths of the measured line round trip, which
//! scales with how far apart the cores are). Between batches thread 0 credits each knob's setting with the
//! batch's instances and witnesses and draws the next batch's settings in
//! proportion to the square of each setting's witness rate, a quarter of
//! the odds spread evenly so that every setting keeps being tried (and
//! outcomes other settings favour keep being seen). The tallies halve at
//! every recalibration, so the settings follow a host that moves the vCPUs.
//! Settings hold for a whole batch: shifts drawn per instance made
//! consecutive deadlines jump back and forth by more than `delta`, so
//! instances started late and the pacing widened `delta` tenfold. Only
//! where the locations lie and when each thread starts move: the bodies
//! are untouched.

use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU8, Ordering::Relaxed};

/// The shifts, in steps of an eighth of the line round trip: fine near
/// none, where SB and R peak, and out to four round trips, which a writer
/// of eight stores to lines the reader holds can take to drain.
const STEPS: [i64; 13] = [-32, -16, -8, -4, -2, -1, 0, 1, 2, 4, 8, 16, 32];
/// The index of no shift.
const NONE: usize = 6;
/// Share of the odds spread evenly over every setting.
const EXPLORE: f64 = 0.25;

/// Where a batch's locations lie and the order its instances are visited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pattern {
    /// Each location of each instance alone in a 128-byte pair of lines,
    /// visited in a fresh random order (no prefetcher runs ahead).
    LinesShuffled,
    /// Own line pairs, visited in descending address order (litmus7's).
    LinesDescending,
    /// Each location's instances packed 8 bytes apart (litmus7's arrays),
    /// in a fresh random order.
    PackedShuffled,
    /// Packed, in descending order: neighbouring instances share lines.
    PackedDescending,
}

impl Pattern {
    pub const ALL: [Pattern; 4] = [
        Pattern::LinesShuffled,
        Pattern::LinesDescending,
        Pattern::PackedShuffled,
        Pattern::PackedDescending,
    ];

    pub fn packed(self) -> bool {
        matches!(self, Pattern::PackedShuffled | Pattern::PackedDescending)
    }

    pub fn shuffled(self) -> bool {
        matches!(self, Pattern::LinesShuffled | Pattern::PackedShuffled)
    }

    pub fn name(self) -> &'static str {
        match self {
            Pattern::LinesShuffled => "lines+shuffled",
            Pattern::LinesDescending => "lines+descending",
            Pattern::PackedShuffled => "packed+shuffled",
            Pattern::PackedDescending => "packed+descending",
        }
    }
}

/// What thread 0 knows of each setting of one knob: instances and
/// witnesses, halved at every recalibration.
#[derive(Clone)]
struct Tally {
    tried: Vec<f64>,
    seen: Vec<f64>,
    /// The setting drawn for the batch under way.
    drawn: usize,
}

impl Tally {
    fn new(settings: usize, first: usize) -> Tally {
        Tally {
            tried: vec![0.0; settings],
            seen: vec![0.0; settings],
            drawn: first,
        }
    }

    /// Each setting's witness rate, pulled towards the rate over all
    /// settings by the weight of one witness, so that a setting tried
    /// little is neither favoured nor dropped on the strength of a lucky
    /// instance.
    fn rates(&self) -> Vec<f64> {
        let tried: f64 = self.tried.iter().sum();
        let seen: f64 = self.seen.iter().sum();
        let overall = (seen + 1.0) / (tried + 1.0);
        (0..self.tried.len())
            .map(|k| (self.seen[k] + 1.0) / (self.tried[k] + 1.0 / overall))
            .collect()
    }

    /// The probability of drawing each setting next.
    fn odds(&self) -> Vec<f64> {
        let rates = self.rates();
        let total: f64 = rates.iter().map(|r| r * r).sum();
        let even = EXPLORE / rates.len() as f64;
        rates
            .iter()
            .map(|r| even + (1.0 - EXPLORE) * r * r / total)
            .collect()
    }

    /// The setting with the highest witness rate.
    fn best(&self) -> usize {
        let rates = self.rates();
        (0..rates.len())
            .max_by(|&a, &b| rates[a].total_cmp(&rates[b]))
            .unwrap_or(0)
    }

    fn credit(&mut self, instances: usize, witnesses: usize) {
        self.tried[self.drawn] += instances as f64;
        self.seen[self.drawn] += witnesses as f64;
    }

    fn halve(&mut self) {
        self.tried.iter_mut().for_each(|n| *n /= 2.0);
        self.seen.iter_mut().for_each(|n| *n /= 2.0);
    }

    fn redraw(&mut self) -> usize {
        self.drawn = draw(&self.odds(), fastrand::f64());
        self.drawn
    }
}

/// Thread 0's side: a tally per knob.
struct Learning {
    pattern: Tally,
    /// Per thread (thread 0's unused): its shift.
    shifts: Vec<Tally>,
    step: i64,
    /// Instances run with each pattern, for the report.
    ran: [u64; 4],
}

/// The settings of one classic run's batches.
pub struct Tuning {
    on: bool,
    /// Whether deadlines are drawn too (timebase); free-running threads
    /// have none, so only the pattern is learnt.
    shifts: bool,
    /// The batch's pattern (an index into [`Pattern::ALL`]) and, per
    /// thread, its shift in TSC ticks (thread 0's stays 0). Written by
    /// thread 0 between batches, read by each thread as a batch starts.
    pattern: AtomicU8,
    ticks: Vec<AtomicI64>,
    learning: Mutex<Learning>,
}

impl Tuning {
    /// `on: false` keeps every batch at own lines, shuffled, no shifts;
    /// `shifts: false` learns the pattern alone.
    pub fn new(on: bool, shifts: bool, threads: usize) -> Tuning {
        Tuning {
            on,
            shifts,
            pattern: AtomicU8::new(0),
            ticks: (0..threads).map(|_| AtomicI64::new(0)).collect(),
            learning: Mutex::new(Learning {
                pattern: Tally::new(Pattern::ALL.len(), 0),
                shifts: vec![Tally::new(STEPS.len(), NONE); threads],
                step: 0,
                ran: [0; 4],
            }),
        }
    }

    /// The batch's memory pattern.
    pub fn pattern(&self) -> Pattern {
        Pattern::ALL[self.pattern.load(Relaxed) as usize]
    }

    /// Thread `t`'s shift for the batch, in ticks.
    pub fn shift(&self, t: usize) -> i64 {
        self.ticks[t].load(Relaxed)
    }

    /// Thread 0, after a calibration: steps are an eighth of the round
    /// trip, and older tallies weigh half.
    pub fn recalibrated(&self, round_trip: u64) {
        let mut learning = self.learning.lock().unwrap();
        learning.step = (round_trip / 8).clamp(4, 1 << 20) as i64;
        learning.pattern.halve();
        learning.shifts.iter_mut().for_each(Tally::halve);
    }

    /// Thread 0, between batches: credit the batch's settings with its
    /// `instances` and `witnesses`, then draw the next batch's.
    pub fn learn(&self, instances: usize, witnesses: usize) {
        let mut learning = self.learning.lock().unwrap();
        let l = &mut *learning;
        l.ran[l.pattern.drawn] += instances as u64;
        if !self.on {
            return;
        }
        l.pattern.credit(instances, witnesses);
        self.pattern.store(l.pattern.redraw() as u8, Relaxed);
        for t in (1..l.shifts.len()).filter(|_| self.shifts) {
            l.shifts[t].credit(instances, witnesses);
            let k = l.shifts[t].redraw();
            self.ticks[t].store(STEPS[k] * l.step, Relaxed);
        }
    }

    /// For the report: what the run settled on, or `None` when off.
    pub fn describe(&self) -> Option<String> {
        if !self.on {
            return None;
        }
        let l = self.learning.lock().unwrap();
        let total: u64 = l.ran.iter().sum::<u64>().max(1);
        let patterns: Vec<String> = Pattern::ALL
            .iter()
            .zip(l.ran)
            .filter(|(_, n)| *n > 0)
            .map(|(p, n)| format!("{} {:.0}%", p.name(), 100.0 * n as f64 / total as f64))
            .collect();
        let tuned = format!("tuned: {}", patterns.join(", "));
        if !self.shifts {
            return Some(tuned);
        }
        let shifts: Vec<String> = l.shifts[1..]
            .iter()
            .map(|t| format!("{:+}", STEPS[t.best()] * l.step))
            .collect();
        Some(format!(
            "{tuned}; witnesses likeliest with threads 1.. shifted {} more",
            shifts.join(" ")
        ))
    }

    #[cfg(test)]
    fn best(&self) -> (Pattern, Vec<i64>) {
        let l = self.learning.lock().unwrap();
        let shifts = l.shifts[1..]
            .iter()
            .map(|t| STEPS[t.best()] * l.step)
            .collect();
        (Pattern::ALL[l.pattern.best()], shifts)
    }
}

/// The setting whose cumulative odds first exceed `u` (in `[0, 1)`).
fn draw(odds: &[f64], u: f64) -> usize {
    let mut total = 0.0;
    for (k, p) in odds.iter().enumerate() {
        total += p;
        if u < total {
            return k;
        }
    }
    odds.len() - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(tried: f64) -> Tally {
        let mut t = Tally::new(STEPS.len(), NONE);
        t.tried = vec![tried; STEPS.len()];
        t
    }

    #[test]
    fn with_no_witness_anywhere_every_setting_is_equally_likely() {
        let odds = tally(1000.0).odds();
        for p in &odds {
            assert!((p - 1.0 / odds.len() as f64).abs() < 1e-12, "{odds:?}");
        }
        assert!((odds.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn the_setting_that_shows_the_witness_is_drawn_most_but_none_is_dropped() {
        let mut t = tally(1000.0);
        t.seen[NONE + 2] = 300.0;
        t.seen[NONE] = 30.0;
        let odds = t.odds();
        assert_eq!(t.best(), NONE + 2);
        assert!(odds[NONE + 2] > 0.6, "{odds:?}");
        assert!(odds[NONE + 2] > odds[NONE] && odds[NONE] > odds[0]);
        assert!(odds.iter().all(|&p| p >= EXPLORE / odds.len() as f64));
    }

    #[test]
    fn a_lucky_instance_on_a_setting_tried_little_does_not_win() {
        let mut t = tally(10_000.0);
        t.seen[NONE] = 50.0;
        t.tried[0] = 1.0;
        t.seen[0] = 1.0;
        assert_eq!(t.best(), NONE);
    }

    #[test]
    fn settings_are_drawn_by_their_odds_and_learnt_from_what_they_showed() {
        let tuning = Tuning::new(true, true, 2);
        tuning.recalibrated(800);
        // Before anything was seen: every shift and pattern, about evenly.
        let mut shifts = vec![0; STEPS.len()];
        let mut patterns = [0; 4];
        for _ in 0..4096 {
            tuning.learn(256, 0);
            let k = STEPS.iter().position(|&s| s * 100 == tuning.shift(1));
            shifts[k.unwrap()] += 1;
            patterns[tuning.pattern() as usize] += 1;
        }
        assert!(shifts.iter().all(|n| (200..=450).contains(n)), "{shifts:?}");
        assert!(
            patterns.iter().all(|n| (850..=1200).contains(n)),
            "{patterns:?}"
        );
        // Batches packed and shifted by +200 ticks show 10 witnesses each.
        let (mut at_best, mut packed) = (0, 0);
        for _ in 0..4096 {
            let good = tuning.shift(1) == 200 && tuning.pattern().packed();
            tuning.learn(256, if good { 10 } else { 0 });
            at_best += (tuning.shift(1) == 200) as usize;
            packed += tuning.pattern().packed() as usize;
        }
        let (pattern, shifts) = tuning.best();
        assert!(pattern.packed(), "{pattern:?}");
        assert_eq!(shifts, [200]);
        assert!(at_best > 4096 / 2, "{at_best}");
        assert!(packed > 4096 * 2 / 3, "{packed}");
        assert_eq!(tuning.shift(0), 0, "thread 0 never moves");
    }

    #[test]
    fn free_running_threads_learn_the_pattern_and_never_shift() {
        let tuning = Tuning::new(true, false, 2);
        tuning.recalibrated(800);
        let mut descending = 0;
        for _ in 0..4096 {
            let good = tuning.pattern() == Pattern::LinesDescending;
            tuning.learn(256, if good { 10 } else { 0 });
            descending += good as usize;
            assert_eq!(tuning.shift(1), 0);
        }
        assert_eq!(tuning.best().0, Pattern::LinesDescending);
        assert!(descending > 4096 / 2, "{descending}");
        let said = tuning.describe().unwrap();
        assert!(
            said.starts_with("tuned: ") && !said.contains("shifted"),
            "{said}"
        );
    }

    #[test]
    fn off_means_own_lines_shuffled_and_no_shift() {
        let tuning = Tuning::new(false, true, 2);
        tuning.recalibrated(800);
        tuning.learn(16, 16);
        assert_eq!(tuning.shift(1), 0);
        assert_eq!(tuning.pattern(), Pattern::LinesShuffled);
        assert_eq!(tuning.describe(), None);
    }
}
