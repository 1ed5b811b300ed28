//! Every CSV header the suite writes or reads, derived from the row types
//! of [`super::rows`] (a header is its type's fields, in order), and the
//! columns each CSV added over time, for reading older files.

use super::machine::Machine;
use super::rows::{self, BenchRow, CsvRow, MachineRecord, ProtocolRow, RefaultRow, RunRow};
use std::sync::OnceLock;

/// The columns naming the machine a row came from, in CSV order: the
/// fields of [`Machine`] (see it for what each holds).
pub fn machine() -> Vec<&'static str> {
    static HEADER: OnceLock<Vec<&'static str>> = OnceLock::new();
    HEADER
        .get_or_init(|| match serde_json::to_value(Machine::default()) {
            Ok(serde_json::Value::Object(fields)) => fields.keys().map(|k| leak(k)).collect(),
            other => unreachable!("the machine serialises as a map: {other:?}"),
        })
        .clone()
}

fn leak(name: &str) -> &'static str {
    Box::leak(name.to_string().into_boxed_str())
}

/// The header of row type `R`, made once per process.
fn header_of<R: CsvRow>(cell: &'static OnceLock<Vec<&'static str>>) -> Vec<&'static str> {
    cell.get_or_init(|| rows::header::<R>().iter().map(|c| leak(c)).collect())
        .clone()
}

/// Columns `litmus run` added after its first header, oldest first, each
/// with the value a row from before it means: `accel` `none` (not run in a
/// `litmus guest`), the window's units unknown (`window` is then derived
/// from `reader_delay` by the reader of the file), `mode` unknown (a
/// litmus program ran as instances then, a PTE test as a stream), no
/// instance abandoned (no test took a spin lock then).
pub const RUN_ADDED: [(&str, &str); 11] = [
    ("accel", "none"),
    ("vcpus", ""),
    ("window", ""),
    ("window_ns", ""),
    ("writer_turn_ns", ""),
    ("refault_ns", ""),
    ("source", "-"),
    ("source_hash", ""),
    ("mode", ""),
    ("dialect", ""),
    ("abandoned", "0"),
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
    static HEADER: OnceLock<Vec<&'static str>> = OnceLock::new();
    header_of::<RunRow>(&HEADER)
}

/// The CSV header of `litmus bench-report`.
pub fn bench_report() -> Vec<&'static str> {
    static HEADER: OnceLock<Vec<&'static str>> = OnceLock::new();
    header_of::<BenchRow>(&HEADER)
}

/// The machine record beside each target's criterion results: the machine
/// columns and the TSC rate measured as the benchmarks started.
pub fn machine_record() -> Vec<&'static str> {
    static HEADER: OnceLock<Vec<&'static str>> = OnceLock::new();
    header_of::<MachineRecord>(&HEADER)
}

/// The CSV header of `litmus refault`.
pub fn refault() -> Vec<&'static str> {
    static HEADER: OnceLock<Vec<&'static str>> = OnceLock::new();
    header_of::<RefaultRow>(&HEADER)
}

/// The CSV header of `litmus protocols`: one row per pair, writer count
/// and window (the model's answer repeated on each).
pub fn protocols() -> Vec<&'static str> {
    static HEADER: OnceLock<Vec<&'static str>> = OnceLock::new();
    header_of::<ProtocolRow>(&HEADER)
}

/// A column and the value it stands for in a file from before it.
pub type Added = (&'static str, &'static str);

/// Every older header a reader accepts, newest first, each with the
/// columns it lacks and the value they stand for: the current `header`
/// without each tail of `added` (a file from before those columns).
pub fn older<'h>(header: &[&'h str], added: &[Added]) -> Vec<(Vec<&'h str>, Vec<Added>)> {
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

    /// The headers as the committed results/ have them: derived from the
    /// row types, they must not have moved.
    #[test]
    fn the_headers_are_those_of_the_committed_results() {
        let first_line = |file: &str| {
            let path = format!("{}/results/{file}", env!("CARGO_MANIFEST_DIR"));
            let text = std::fs::read_to_string(&path).unwrap();
            text.lines().next().unwrap().to_string()
        };
        assert_eq!(run().join(","), first_line("lkmm-hardware-x86_64.csv"));
        assert_eq!(bench_report().join(","), first_line("bench.csv"));
        assert_eq!(refault().join(","), first_line("refault.csv"));
        assert_eq!(protocols().join(","), first_line("protocols-x86_64.csv"));
        let mut record = machine();
        record.extend(["tsc_hz", "core_clock_ratio"]);
        assert_eq!(machine_record(), record);
    }

    #[test]
    fn the_headers_hold_the_machine_columns_once() {
        for header in [
            run(),
            bench_report(),
            machine_record(),
            refault(),
            protocols(),
        ] {
            for column in machine() {
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
        // Newest first: only abandoned missing; oldest: all of them.
        assert_eq!(versions[0].1, [("abandoned", "0")]);
        assert_eq!(versions[1].1, [("dialect", ""), ("abandoned", "0")]);
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
