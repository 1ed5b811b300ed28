//! Every CSV header the suite writes or reads, defined once: the machine
//! identity columns, `litmus run`'s, `bench-report`'s and the machine
//! record written beside each target's criterion results.

/// The columns naming the machine a row came from, in CSV order (see
/// [`super::machine::Machine`] for what each holds).
pub const MACHINE: [&str; 14] = [
    "commit",
    "target",
    "pointer_width",
    "cpu_vendor",
    "cpu_model",
    "cpu_family",
    "cpu_model_id",
    "cpu_stepping",
    "microcode",
    "hypervisor",
    "kernel",
    "logical_cpus",
    "accel",
    "vcpus",
];

/// Columns `litmus run` added after its first header, oldest first, each
/// with the value a row from before it means: `accel` `none` (not run in a
/// `litmus guest`), the window's units unknown (`window` is then derived
/// from `reader_delay` by the reader of the file), `mode` unknown (a
/// litmus program ran as instances then, a PTE test as a stream).
pub const RUN_ADDED: [(&str, &str); 9] = [
    ("accel", "none"),
    ("vcpus", ""),
    ("window", ""),
    ("window_ns", ""),
    ("writer_turn_ns", ""),
    ("refault_ns", ""),
    ("source", "-"),
    ("source_hash", ""),
    ("mode", ""),
];

/// Columns `bench-report` added after its first header, oldest first.
pub const BENCH_ADDED: [(&str, &str); 4] = [
    ("accel", "none"),
    ("vcpus", ""),
    ("core_cycles_per_op", ""),
    ("core_clock_ratio", ""),
];

/// Columns the machine record added after its first header.
pub const MACHINE_RECORD_ADDED: [(&str, &str); 1] = [("core_clock_ratio", "")];

/// The CSV header of `litmus run`: the run, the machine, then one row per
/// test, strategy and outcome.
pub fn run() -> Vec<&'static str> {
    let mut header = vec!["run_id", "timestamp"];
    header.extend(MACHINE);
    header.extend([
        "cores",
        "test",
        "source",
        "source_hash",
        "strategy",
        "writer",
        "reader_delay",
        "window",
        "window_ns",
        "writer_turn_ns",
        "refault_ns",
        "mode",
        "iterations",
        "seconds",
        "outcome",
        "count",
        "witness",
        "expected",
        "verdict",
    ]);
    header
}

/// The CSV header of `litmus bench-report`.
pub fn bench_report() -> Vec<&'static str> {
    let mut header: Vec<&str> = MACHINE.to_vec();
    header.extend([
        "bench",
        "strategy",
        "param",
        "cycles_per_op",
        "core_cycles_per_op",
        "core_clock_ratio",
        "ns_per_op",
        "ratio_to_split",
        "ratio_to_native64",
        "low",
        "high",
        "tsc_hz",
    ]);
    header
}

/// The machine record beside each target's criterion results: the machine
/// columns and the TSC rate measured as the benchmarks started.
pub fn machine_record() -> Vec<&'static str> {
    let mut header: Vec<&str> = MACHINE.to_vec();
    header.extend(["tsc_hz", "core_clock_ratio"]);
    header
}

/// The CSV header of `litmus refault`.
pub fn refault() -> Vec<&'static str> {
    let mut header = vec!["run_id", "timestamp"];
    header.extend(MACHINE);
    header.extend([
        "core",
        "cycles",
        "median_ns",
        "p10_ns",
        "p90_ns",
        "zap_ns",
        "tsc_hz",
    ]);
    header
}

/// The CSV header of `litmus protocols`: one row per pair, writer count
/// and window (the model's answer repeated on each).
pub fn protocols() -> Vec<&'static str> {
    let mut header = vec!["run_id", "timestamp"];
    header.extend(MACHINE);
    header.extend([
        "cores",
        "reader",
        "writer",
        "writers",
        "bound",
        "model",
        "model_cycles",
        "model_cycles_from_installs",
        "window",
        "window_ns",
        "writer_turn_ns",
        "reads",
        "seconds",
        "torn",
        "absent",
        "torn_stalled",
        "torn_per_s",
        "expected",
        "verdict",
    ]);
    header
}

/// A column and the value it stands for in a file from before it.
pub type Added = (&'static str, &'static str);

/// Every older header a reader accepts, newest first, each with the
/// columns it lacks and the value they stand for: the current `header`
/// without each tail of `added` (a file from before those columns).
pub fn older(header: &[&'static str], added: &[Added]) -> Vec<(Vec<&'static str>, Vec<Added>)> {
    (0..added.len())
        .rev()
        .map(|from| {
            let missing = &added[from..];
            let older = header
                .iter()
                .copied()
                .filter(|c| !missing.iter().any(|(m, _)| m == c))
                .collect();
            (older, missing.to_vec())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_headers_hold_the_machine_columns_once() {
        for header in [run(), bench_report(), machine_record()] {
            for column in MACHINE {
                assert_eq!(
                    header.iter().filter(|h| **h == column).count(),
                    1,
                    "{column}"
                );
            }
        }
        assert_eq!(run().first(), Some(&"run_id"));
        assert_eq!(run().last(), Some(&"verdict"));
    }

    #[test]
    fn older_headers_lack_a_tail_of_the_added_columns() {
        let versions = older(&run(), &RUN_ADDED);
        assert_eq!(versions.len(), RUN_ADDED.len());
        // Newest first: only mode missing; oldest: all of them.
        assert_eq!(versions[0].1, [("mode", "")]);
        assert_eq!(versions[1].1, [("source_hash", ""), ("mode", "")]);
        let (oldest, missing) = versions.last().unwrap();
        assert_eq!(oldest.len(), run().len() - RUN_ADDED.len());
        assert_eq!(missing.len(), RUN_ADDED.len());
        assert!(!oldest.contains(&"accel") && !oldest.contains(&"window_ns"));
        for (column, _) in RUN_ADDED {
            assert!(run().contains(&column), "{column}");
        }
        for (column, _) in BENCH_ADDED {
            assert!(bench_report().contains(&column), "{column}");
        }
    }
}
