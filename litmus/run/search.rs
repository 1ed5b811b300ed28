//! `--reader-window auto`: the narrowest window at which a strategy's reads
//! tear at a stated rate (by default one torn read per million). One number
//! per machine and strategy, in nanoseconds and in writer turns, that
//! `litmus compare` puts side by side.
//!
//! Torn reads per read grow with the window until a refill fits in each of
//! the reader's gaps, then level off; the search doubles the window from
//! one `pause` until a trial reaches the rate, then halves the interval
//! between the last window that did not and the first that did, to within
//! an eighth. A trial that reaches the rate by chance near the edge only
//! moves the answer within that interval.

/// What one trial at one window saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trial {
    pub torn: u64,
    pub reads: u64,
}

impl Trial {
    /// At least one torn read, and at least `rate` of the reads.
    pub fn reaches(&self, rate: f64) -> bool {
        self.torn > 0 && self.torn as f64 >= rate * self.reads as f64
    }
}

/// What the search found.
#[derive(Clone, Debug, PartialEq)]
pub struct Narrowest {
    /// The smallest window (in `pause`s) that reached the rate, or `None`
    /// when even `max` did not.
    pub pauses: Option<u32>,
    /// Every trial, in the order made: (pauses, what it saw).
    pub trials: Vec<(u32, Trial)>,
}

/// Search `0..=max` pauses for the narrowest window whose trial reaches
/// `rate` torn reads per read. `trial(n)` runs the test with an `n`-pause
/// window; `stop()` ends the search early (Ctrl-C), keeping what it found.
pub fn narrowest(
    max: u32,
    rate: f64,
    mut trial: impl FnMut(u32) -> Trial,
    stop: impl Fn() -> bool,
) -> Narrowest {
    let mut trials = Vec::new();
    let mut run = |n: u32, trials: &mut Vec<(u32, Trial)>| {
        let t = trial(n);
        trials.push((n, t));
        t.reaches(rate)
    };
    if run(0, &mut trials) {
        return Narrowest {
            pauses: Some(0),
            trials,
        };
    }
    // Double until a window reaches the rate: `below` did not, `above` did.
    let mut below = 0u32;
    let mut n = 1u32;
    let above = loop {
        if stop() {
            return Narrowest {
                pauses: None,
                trials,
            };
        }
        let n_here = n.min(max);
        if run(n_here, &mut trials) {
            break n_here;
        }
        if n_here == max {
            return Narrowest {
                pauses: None,
                trials,
            };
        }
        below = n_here;
        n = n.saturating_mul(2);
    };
    // Halve the interval until it is within an eighth of the answer.
    let mut above = above;
    while above - below > 1 && (above - below) * 8 > above && !stop() {
        let mid = below + (above - below) / 2;
        if run(mid, &mut trials) {
            above = mid;
        } else {
            below = mid;
        }
    }
    Narrowest {
        pauses: Some(above),
        trials,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A trial of `reads` reads on a curve giving the torn fraction at `n`
    /// pauses, counted exactly (the expected number, rounded down).
    fn exact(curve: impl Fn(u32) -> f64, reads: u64) -> impl FnMut(u32) -> Trial {
        move |n| Trial {
            torn: (curve(n) * reads as f64) as u64,
            reads,
        }
    }

    #[test]
    fn a_step_is_found_within_an_eighth() {
        for edge in [1u32, 2, 3, 7, 37, 100, 1000, 4097] {
            let curve = |n: u32| if n >= edge { 4e-3 } else { 0.0 };
            let found = narrowest(1 << 20, 1e-6, exact(curve, 1_000_000), || false);
            let p = found.pauses.expect("it tears");
            assert!(p >= edge && p * 8 <= edge * 9 + 8, "edge {edge}: found {p}");
            // Doubling and halving: logarithmic in the answer.
            assert!(found.trials.len() <= 2 * (32 - edge.leading_zeros()) as usize + 4);
        }
    }

    #[test]
    fn a_read_that_tears_with_no_window_needs_one_trial() {
        let found = narrowest(1000, 1e-6, exact(|_| 1e-4, 1_000_000), || false);
        assert_eq!(found.pauses, Some(0));
        assert_eq!(found.trials.len(), 1);
    }

    #[test]
    fn a_read_that_never_tears_is_said_so_at_the_widest_window() {
        let found = narrowest(5000, 1e-6, exact(|_| 0.0, 1_000_000), || false);
        assert_eq!(found.pauses, None);
        assert_eq!(found.trials.last().map(|t| t.0), Some(5000));
    }

    #[test]
    fn the_rate_is_a_threshold_not_a_single_torn_read() {
        // One torn read in ten million is below one in a million.
        let curve = |n: u32| if n >= 64 { 1e-5 } else { 1e-7 };
        let found = narrowest(1 << 16, 1e-6, exact(curve, 10_000_000), || false);
        assert!(
            matches!(found.pauses, Some(p) if (64..=72).contains(&p)),
            "{found:?}"
        );
    }

    #[test]
    fn a_noisy_rising_curve_lands_near_its_crossing() {
        // The torn fraction rises smoothly (a logistic around 200 pauses)
        // and each trial's count is Poisson-like noise around it.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut noise = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        let reads = 200_000u64;
        let curve = |n: u32| 4e-3 / (1.0 + (-(n as f64 - 200.0) / 20.0).exp());
        let found = narrowest(
            1 << 16,
            1e-4,
            |n| {
                let expected = curve(n) * reads as f64;
                // Poisson by inversion, fine for small means.
                let (mut k, mut p, limit) = (0u64, 1.0f64, (-expected).exp());
                loop {
                    p *= noise();
                    if p <= limit {
                        break;
                    }
                    k += 1;
                }
                Trial { torn: k, reads }
            },
            || false,
        );
        // 1e-4 of 4e-3 is crossed at about 127 pauses.
        let p = found.pauses.unwrap();
        assert!((100..=170).contains(&p), "{found:?}");
    }

    #[test]
    fn ctrl_c_stops_the_search() {
        let found = narrowest(1 << 20, 1e-6, exact(|_| 0.0, 1000), || true);
        assert_eq!(found.pauses, None);
        assert_eq!(found.trials.len(), 1);
    }
}
