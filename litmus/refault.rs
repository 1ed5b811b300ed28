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
use crate::report::{columns, sink::CsvSink};
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
        Some(path) => Some(CsvSink::open(path, &columns::refault()).bad_input()?),
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
        let now = SystemTime::now();
        let mut row = vec![
            format!(
                "{}-{}",
                humantime::format_rfc3339_seconds(now),
                std::process::id()
            ),
            humantime::format_rfc3339_seconds(now).to_string(),
        ];
        row.extend(machine.values());
        row.extend([
            core.to_string(),
            request.cycles.to_string(),
            format!("{:.1}", ns(median)),
            format!("{:.1}", ns(p10)),
            format!("{:.1}", ns(p90)),
            format!("{:.1}", ns(zap)),
            format!("{tsc_hz:.0}"),
        ]);
        sink.write_rows(&[row]).failed()?;
    }
    Ok(())
}
