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

/// Machine columns added since the first header, with the value a row from
/// an older file means: it was not run in a `litmus guest`.
pub const MACHINE_ADDED: [(&str, &str); 2] = [("accel", "none"), ("vcpus", "")];

/// The CSV header of `litmus run`: the run, the machine, then one row per
/// test, strategy and outcome.
pub fn run() -> Vec<&'static str> {
    let mut header = vec!["run_id", "timestamp"];
    header.extend(MACHINE);
    header.extend([
        "cores",
        "test",
        "strategy",
        "writer",
        "reader_delay",
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
    header.push("tsc_hz");
    header
}

/// `header` as a file from before [`MACHINE_ADDED`] has it.
pub fn before_machine_added(header: &[&'static str]) -> Vec<&'static str> {
    let added: Vec<&str> = MACHINE_ADDED.iter().map(|(c, _)| *c).collect();
    header
        .iter()
        .copied()
        .filter(|c| !added.contains(c))
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
    fn an_older_header_lacks_exactly_the_added_columns() {
        let older = before_machine_added(&run());
        assert_eq!(older.len(), run().len() - MACHINE_ADDED.len());
        assert!(!older.contains(&"accel") && !older.contains(&"vcpus"));
    }
}
