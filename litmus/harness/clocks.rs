//! What the machine's clocks are worth, measured on the cores a run uses:
//! the TSC's rate against the monotonic clock, the core clock against the
//! TSC (a dependent add chain, as uops.info and nanoBench count latencies),
//! and what one `pause` of the reader's window costs.

use super::pin::pin_current_thread;
use pte_asm::{cycles, fence, tsc};
use std::time::{Duration, Instant};

/// TSC ticks per second, measured against the monotonic clock over `over`.
pub fn tsc_hz(over: Duration) -> f64 {
    let (t0, c0) = (Instant::now(), tsc::rdtsc());
    std::thread::sleep(over);
    let (t1, c1) = (Instant::now(), tsc::rdtsc());
    c1.wrapping_sub(c0) as f64 / (t1 - t0).as_secs_f64()
}

/// The fastest of `rounds` timings of `f`, in TSC ticks: an interrupt or a
/// descheduled vCPU lands in one round, not in the minimum (nanoBench).
fn fastest(rounds: u32, mut f: impl FnMut()) -> u64 {
    (0..rounds)
        .map(|_| {
            let start = tsc::rdtsc();
            f();
            tsc::rdtsc().wrapping_sub(start)
        })
        .min()
        .unwrap_or(0)
}

/// Core clock cycles per TSC tick on this core: a chain of dependent
/// one-cycle adds (`pte_asm::cycles::add_chain`) timed with the TSC. Above
/// 1 when the core runs faster than the TSC's reference rate.
pub fn core_cycles_per_tick() -> f64 {
    const ITERATIONS: u32 = 1 << 16;
    // Warm up: the first rounds may run at a lower frequency.
    cycles::add_chain(ITERATIONS);
    let ticks = fastest(9, || cycles::add_chain(ITERATIONS));
    (ITERATIONS as u64 * cycles::ADDS_PER_ITERATION as u64) as f64 / ticks.max(1) as f64
}

/// TSC ticks one iteration of the reader window's `pause` loop takes on
/// this core (the loop of `fence::spin_pause`, which the windowed reads
/// splice in).
pub fn ticks_per_pause() -> f64 {
    const PAUSES: u32 = 2_000;
    fence::spin_pause(PAUSES);
    let ticks = fastest(7, || fence::spin_pause(PAUSES));
    ticks as f64 / PAUSES as f64
}

/// [`ticks_per_pause`] and [`core_cycles_per_tick`] on `core`, from a
/// thread pinned there.
pub fn on_core(core: usize) -> Result<(f64, f64), String> {
    std::thread::scope(|s| {
        s.spawn(|| {
            pin_current_thread(core)?;
            Ok((ticks_per_pause(), core_cycles_per_tick()))
        })
        .join()
        .expect("clock thread")
    })
}

/// The clocks of one run, measured once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Clocks {
    pub tsc_hz: f64,
    /// TSC ticks per `pause` of the reader's window, on the reader's core.
    pub ticks_per_pause: f64,
    /// Core cycles per TSC tick, on the reader's core.
    pub cycles_per_tick: f64,
}

impl Clocks {
    /// Measure them, with the reader's core `core` (about 60 ms).
    pub fn measure(core: usize) -> Result<Clocks, String> {
        let (ticks_per_pause, cycles_per_tick) = on_core(core)?;
        Ok(Clocks {
            tsc_hz: tsc_hz(Duration::from_millis(50)),
            ticks_per_pause,
            cycles_per_tick,
        })
    }

    pub fn ns_per_tick(&self) -> f64 {
        1e9 / self.tsc_hz
    }

    pub fn ns_per_pause(&self) -> f64 {
        self.ticks_per_pause * self.ns_per_tick()
    }
}
