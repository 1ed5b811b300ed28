//! What the benchmark files share: criterion's measurement in TSC ticks and
//! its settings (each target's results in its own directory).

use criterion::Criterion;
use criterion::Throughput;
use criterion::measurement::{Measurement, ValueFormatter};
use pte_asm::tsc;
use pte_litmus::bench::criterion_dir;
use std::time::Duration;

// ------------------------------------------------------- the measurement ---

/// Criterion measurement in TSC ticks: `rdtsc` to start, [`end_stamp`] to
/// end. The TSC runs at a constant rate, so ticks are reference cycles.
pub struct Tsc;

impl Measurement for Tsc {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        tsc::rdtsc()
    }

    fn end(&self, start: u64) -> u64 {
        end_stamp().saturating_sub(start)
    }

    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }

    fn zero(&self) -> u64 {
        0
    }

    fn to_f64(&self, value: &u64) -> f64 {
        *value as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        &TicksFormatter
    }
}

struct TicksFormatter;

impl ValueFormatter for TicksFormatter {
    fn scale_values(&self, _typical: f64, _values: &mut [f64]) -> &'static str {
        "ticks"
    }

    fn scale_throughputs(
        &self,
        _typical: f64,
        throughput: &Throughput,
        values: &mut [f64],
    ) -> &'static str {
        let per = match throughput {
            Throughput::Elements(n)
            | Throughput::Bytes(n)
            | Throughput::BytesDecimal(n)
            | Throughput::Bits(n) => *n as f64,
            _ => 1.0,
        };
        for v in values.iter_mut() {
            *v /= per;
        }
        "ticks/elem"
    }

    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ticks"
    }
}

/// The closing timestamp, as the `read` group's loop takes it.
pub use pte_litmus::harness::price::end_stamp;

/// The settings every group uses.
pub fn config() -> Criterion<Tsc> {
    Criterion::default()
        .with_measurement(Tsc)
        .output_directory(&criterion_dir())
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(30)
        .nresamples(10_000)
        .configure_from_args()
}
