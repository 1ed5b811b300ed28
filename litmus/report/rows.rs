//! One Rust type per CSV the suite writes: a `litmus run` row, a
//! `bench-report` row, the machine record beside each target's criterion
//! results, a `litmus refault` row and a `litmus protocols` row. Each is
//! written and read with serde; its header is its fields' names in order
//! ([`super::columns`] derives every header from these types), so a
//! column cannot be added to the header and forgotten in the row.
//!
//! Every row but the machine record opens with the run and the machine
//! ([`Machine`], flattened into its 14 columns). Numbers keep the decimals
//! the CSVs have always had ([`fixed`]); an empty cell is `None`.

use super::machine::Machine;
use crate::judge::{Expect, Verdict};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize, Serializer};

/// What every CSV row type shares: how its header and cells are made and
/// read back.
pub trait CsvRow: Serialize + DeserializeOwned + Default {
    /// The machine the row came from.
    fn machine(&self) -> &Machine;
    /// Its machine columns, read apart from the rest: serde's `flatten`
    /// cannot be read back from a CSV record by position.
    fn machine_mut(&mut self) -> &mut Machine;
}

/// `litmus run --csv`: one row per run, test, strategy and outcome.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunRow {
    pub run_id: String,
    pub timestamp: String,
    #[serde(flatten, skip_deserializing)]
    pub machine: Machine,
    /// The cores the threads ran on, in thread order (`0,1`).
    pub cores: String,
    pub test: String,
    /// A `.litmus` file's path, or `-` for a built-in test.
    pub source: String,
    pub source_hash: String,
    /// The file's dialect: `C` (run as the x86 code the kernel compiles it
    /// to), `X86`, `X86_64`; `-` for a built-in test.
    pub dialect: String,
    /// The read strategy and its writer (`-` for a litmus program).
    pub strategy: String,
    pub writer: String,
    /// The reader's window in `pause`s.
    pub reader_delay: u32,
    /// The window as asked for (`0`, `2turns`, `500ns`, `auto`; `-` for a
    /// litmus program).
    pub window: String,
    #[serde(serialize_with = "fixed::<1, _, _>")]
    pub window_ns: Option<f64>,
    #[serde(serialize_with = "fixed::<1, _, _>")]
    pub writer_turn_ns: Option<f64>,
    #[serde(serialize_with = "fixed::<1, _, _>")]
    pub refault_ns: Option<f64>,
    /// `instances`, `perpetual` or `stream`.
    pub mode: String,
    pub iterations: u64,
    /// Of `iterations`, the instances abandoned because a `spin_lock()`
    /// was never taken (no outcome counted for them).
    pub abandoned: u64,
    #[serde(serialize_with = "fixed::<6, _, _>")]
    pub seconds: f64,
    pub outcome: String,
    pub count: u64,
    pub witness: bool,
    pub expected: Expect,
    pub verdict: Verdict,
}

/// `litmus bench-report`: one row per benchmark, strategy and parameter.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BenchRow {
    #[serde(flatten, skip_deserializing)]
    pub machine: Machine,
    pub bench: String,
    pub strategy: String,
    pub param: String,
    /// Median TSC ticks per operation.
    #[serde(serialize_with = "fixed::<3, _, _>")]
    pub cycles_per_op: f64,
    #[serde(serialize_with = "fixed::<3, _, _>")]
    pub core_cycles_per_op: Option<f64>,
    /// Core cycles per TSC tick, as the bench run measured it.
    #[serde(serialize_with = "fixed::<4, _, _>")]
    pub core_clock_ratio: Option<f64>,
    #[serde(serialize_with = "fixed::<3, _, _>")]
    pub ns_per_op: f64,
    #[serde(serialize_with = "fixed::<3, _, _>")]
    pub ratio_to_split: Option<f64>,
    #[serde(serialize_with = "fixed::<3, _, _>")]
    pub ratio_to_native64: Option<f64>,
    /// The median's 95% confidence bounds, in ticks.
    #[serde(serialize_with = "fixed::<3, _, _>")]
    pub low: f64,
    #[serde(serialize_with = "fixed::<3, _, _>")]
    pub high: f64,
    #[serde(serialize_with = "fixed::<0, _, _>")]
    pub tsc_hz: f64,
}

/// The machine record beside each target's criterion results: who ran the
/// benchmarks, and the clocks measured as they started.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MachineRecord {
    #[serde(flatten, skip_deserializing)]
    pub machine: Machine,
    #[serde(serialize_with = "fixed::<0, _, _>")]
    pub tsc_hz: f64,
    #[serde(serialize_with = "fixed::<4, _, _>")]
    pub core_clock_ratio: Option<f64>,
}

/// `litmus refault --csv`: one row per measurement.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RefaultRow {
    pub run_id: String,
    pub timestamp: String,
    #[serde(flatten, skip_deserializing)]
    pub machine: Machine,
    pub core: usize,
    pub cycles: usize,
    #[serde(serialize_with = "fixed::<1, _, _>")]
    pub median_ns: f64,
    #[serde(serialize_with = "fixed::<1, _, _>")]
    pub p10_ns: f64,
    #[serde(serialize_with = "fixed::<1, _, _>")]
    pub p90_ns: f64,
    #[serde(serialize_with = "fixed::<1, _, _>")]
    pub zap_ns: f64,
    #[serde(serialize_with = "fixed::<0, _, _>")]
    pub tsc_hz: f64,
}

/// `litmus protocols --csv`: one row per pair, writer count and window
/// (the model's answer repeated on each); with `--model`, one per pair
/// with the hardware's cells empty.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProtocolRow {
    pub run_id: String,
    pub timestamp: String,
    #[serde(flatten, skip_deserializing)]
    pub machine: Machine,
    pub cores: String,
    pub reader: String,
    pub writer: String,
    pub writers: Option<usize>,
    /// The most zap+install cycles inside one read the model tried.
    pub bound: u32,
    /// The model's cell: the fewest cycles that tear, or `whole <= K`.
    pub model: String,
    pub model_cycles: Option<u32>,
    pub model_cycles_from_installs: Option<u32>,
    /// Empty in a model-only row.
    pub window: String,
    #[serde(serialize_with = "fixed::<1, _, _>")]
    pub window_ns: Option<f64>,
    #[serde(serialize_with = "fixed::<1, _, _>")]
    pub writer_turn_ns: Option<f64>,
    pub reads: Option<u64>,
    #[serde(serialize_with = "fixed::<6, _, _>")]
    pub seconds: Option<f64>,
    pub torn: Option<u64>,
    pub absent: Option<u64>,
    /// Torn reads beyond the model's bound (the judge's `stalled`).
    pub torn_stalled: Option<u64>,
    #[serde(serialize_with = "fixed::<1, _, _>")]
    pub torn_per_s: Option<f64>,
    pub expected: Expect,
    pub verdict: Option<Verdict>,
}

macro_rules! machine_mut {
    ($($row:ty),*) => {$(
        impl CsvRow for $row {
            fn machine(&self) -> &Machine {
                &self.machine
            }
            fn machine_mut(&mut self) -> &mut Machine {
                &mut self.machine
            }
        }
    )*};
}
machine_mut!(RunRow, BenchRow, MachineRecord, RefaultRow, ProtocolRow);

/// A number written with `D` decimals (`None`: an empty cell).
pub trait Fixed {
    fn fixed(&self, decimals: usize) -> String;
}

impl Fixed for f64 {
    fn fixed(&self, decimals: usize) -> String {
        format!("{self:.decimals$}")
    }
}

impl Fixed for Option<f64> {
    fn fixed(&self, decimals: usize) -> String {
        self.map_or(String::new(), |v| v.fixed(decimals))
    }
}

/// serde's `serialize_with` for a number with `D` decimals.
pub fn fixed<const D: usize, T: Fixed, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&value.fixed(D))
}

/// The header of `R`: its fields' names, the machine's in its place.
pub fn header<R: CsvRow>() -> Vec<String> {
    match serde_json::to_value(R::default()) {
        Ok(serde_json::Value::Object(fields)) => fields.keys().cloned().collect(),
        other => unreachable!("a CSV row serialises as a map of its fields: {other:?}"),
    }
}

/// `row`'s cells, in [`header`]'s order.
pub fn cells<R: CsvRow>(row: &R) -> Vec<String> {
    let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(row) else {
        unreachable!("a CSV row serialises as a map of its fields")
    };
    fields
        .into_values()
        .map(|v| match v {
            serde_json::Value::Null => String::new(),
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        })
        .collect()
}

/// Read one row from its `cells` under `header` (which holds every column
/// of `R`); a bad cell is one message naming its column.
pub fn parse<R: CsvRow>(
    header: &csv::StringRecord,
    cells: &csv::StringRecord,
) -> Result<R, String> {
    let named = |e: csv::Error| match e.kind() {
        csv::ErrorKind::Deserialize { err, .. } => {
            let column = err
                .field()
                .and_then(|i| header.get(i as usize))
                .unwrap_or("?");
            let cell = err
                .field()
                .and_then(|i| cells.get(i as usize))
                .unwrap_or("");
            let why = match err.kind() {
                csv::DeserializeErrorKind::ParseInt(_)
                | csv::DeserializeErrorKind::ParseFloat(_) => "is not a number".to_string(),
                csv::DeserializeErrorKind::ParseBool(_) => "is not true or false".to_string(),
                other => format!("cannot be read ({other})"),
            };
            format!("column {column}: '{cell}' {why}")
        }
        _ => e.to_string(),
    };
    let mut row: R = cells.deserialize(Some(header)).map_err(named)?;
    *row.machine_mut() = cells.deserialize(Some(header)).map_err(named)?;
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine() -> Machine {
        Machine {
            commit: "1234567".into(),
            target: "i686-unknown-linux-gnu".into(),
            pointer_width: 32,
            cpu_vendor: "GenuineIntel".into(),
            cpu_model: "Intel(R) Atom(TM) CPU N270 @ 1.60GHz".into(),
            cpu_family: 6,
            cpu_model_id: 28,
            cpu_stepping: 2,
            microcode: "0x218".into(),
            hypervisor: "none".into(),
            kernel: "6.1".into(),
            logical_cpus: 2,
            accel: "none".into(),
            vcpus: String::new(),
        }
    }

    fn round_trip<R: CsvRow + PartialEq + std::fmt::Debug>(row: R) {
        let header = csv::StringRecord::from(header::<R>());
        let cells = csv::StringRecord::from(cells(&row));
        assert_eq!(header.len(), cells.len());
        assert_eq!(parse::<R>(&header, &cells).unwrap(), row);
    }

    #[test]
    fn every_row_reads_back_as_written() {
        round_trip(RunRow {
            run_id: "r".into(),
            machine: machine(),
            reader_delay: 5,
            window: "2turns".into(),
            window_ns: Some(131.5),
            seconds: 1.25,
            outcome: "torn".into(),
            count: 7,
            witness: true,
            expected: Expect::Forbidden,
            verdict: Verdict::Unexpected,
            ..Default::default()
        });
        round_trip(BenchRow {
            machine: machine(),
            cycles_per_op: 2.5,
            core_cycles_per_op: Some(3.5),
            tsc_hz: 2.5e9,
            ..Default::default()
        });
        round_trip(ProtocolRow {
            machine: machine(),
            writers: Some(2),
            torn: Some(3),
            verdict: Some(Verdict::Ok),
            ..Default::default()
        });
        round_trip(RefaultRow {
            machine: machine(),
            median_ns: 3000.5,
            ..Default::default()
        });
        round_trip(MachineRecord {
            machine: machine(),
            tsc_hz: 2.6e9,
            core_clock_ratio: None,
        });
    }

    #[test]
    fn cells_keep_their_decimals_and_leave_none_empty() {
        let row = RunRow {
            window_ns: Some(2.0),
            seconds: 1.0,
            ..Default::default()
        };
        let at = |name: &str| {
            let i = header::<RunRow>().iter().position(|c| c == name).unwrap();
            cells(&row)[i].clone()
        };
        assert_eq!(at("window_ns"), "2.0");
        assert_eq!(at("refault_ns"), "");
        assert_eq!(at("seconds"), "1.000000");
        assert_eq!(at("witness"), "false");
        assert_eq!(at("expected"), "Allowed");
        assert_eq!(at("verdict"), "ok");
        // A commit or a kernel that looks like a number stays a string.
        assert_eq!(at("commit"), "");
    }

    #[test]
    fn a_bad_cell_names_its_column() {
        let header = csv::StringRecord::from(header::<RefaultRow>());
        let mut cells = cells(&RefaultRow::default());
        let at = header.iter().position(|c| c == "cycles").unwrap();
        cells[at] = "many".into();
        let err = parse::<RefaultRow>(&header, &csv::StringRecord::from(cells)).unwrap_err();
        assert!(err.starts_with("column cycles: 'many'"), "{err}");
    }
}
