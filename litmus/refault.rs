//! `litmus refault`: what the running kernel takes to zap a PTE and fill it
//! again, the cycle the seed's race needs twice inside a reader's window:
//! `madvise(MADV_DONTNEED)` on one anonymous page, then a write that
//! faults a fresh page in (`harness::refault`), pinned, many times; the
//! median and spread in nanoseconds, optionally into a CSV that `compare`
//! reads.

use crate::error::{BadInputExt, Error, FailedExt};
use crate::harness::clocks;
use crate::harness::pin::Cores;
use crate::harness::refault;
use crate::harness::window::nanos;
use crate::report::machine::Machine;
use crate::report::rows::RefaultRow;
use crate::report::sink::CsvSink;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

/// What `litmus refault` is asked to do.
#[derive(Clone, Debug, PartialEq)]
pub struct RefaultRequest {
    /// The core to pin to (default: the first allowed).
    pub core: Option<usize>,
    pub cycles: usize,
    pub csv: Option<PathBuf>,
}

/// Measure, print, record.
pub fn execute(request: &RefaultRequest) -> Result<(), Error> {
    let cores = Cores::choose(request.core.as_ref().map(std::slice::from_ref)).bad_input()?;
    let core = cores.for_thread(0);
    let machine = Machine::detect();
    let mut sink = match &request.csv {
        Some(path) => Some(CsvSink::<RefaultRow>::open(path).bad_input()?),
        None => None,
    };
    let tsc_hz = clocks::tsc_hz(Duration::from_millis(100));
    let measured = refault::measure(core, request.cycles).failed()?;
    let ns = |ticks: u64| ticks as f64 * 1e9 / tsc_hz;
    let (median, p10, p90) = measured.spread();
    let zap = measured.zap_median();
    println!("litmus: {}", machine.describe());
    println!(
        "litmus: zap and refault of one anonymous page on core {core}, {} cycles: median {} \
         (10% {}, 90% {}); the zap (madvise) alone {}. The seed's race needs two of these \
         inside one read: a reader stalled at least {}.",
        request.cycles,
        nanos(ns(median)),
        nanos(ns(p10)),
        nanos(ns(p90)),
        nanos(ns(zap)),
        nanos(2.0 * ns(median)),
    );
    if let Some(sink) = sink.as_mut() {
        let now = humantime::format_rfc3339_seconds(SystemTime::now());
        let row = RefaultRow {
            run_id: format!("{now}-{}", std::process::id()),
            timestamp: now.to_string(),
            machine,
            core,
            cycles: request.cycles,
            median_ns: ns(median),
            p10_ns: ns(p10),
            p90_ns: ns(p90),
            zap_ns: ns(zap),
            tsc_hz,
        };
        sink.write(&[row]).failed()?;
    }
    Ok(())
}
