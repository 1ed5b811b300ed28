//! `litmus compare`: litmus and bench CSVs of many machines side by side.
//!
//! Rows are grouped by machine: cpu model, microcode, hypervisor, kernel
//! and target (a 32-bit process on a 64-bit CPU is another configuration).
//! The litmus view puts each test, strategy and reader delay on a row and
//! each machine in a column, forbidden outcomes seen anywhere first, then
//! outcomes seen on one machine and never on another. The bench view shows
//! cycles per operation and the ratio to `split`.
//!
//! Files: this one reads the CSVs, [`views`] gathers them per machine,
//! [`answer`] puts each machine's answer first, [`text`] prints the
//! tables, [`plot`] draws them.

pub mod answer;
pub mod plot;
pub mod text;
pub mod views;

pub use plot::plot;
pub use text::report;

use crate::error::Error;
use crate::judge::Expect;
use crate::report::{columns, csv_file};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The columns that name a machine, in the order they are shown.
pub(crate) const MACHINE_KEY: [&str; 7] = [
    "cpu_model",
    "microcode",
    "hypervisor",
    "kernel",
    "target",
    "accel",
    "vcpus",
];

/// What a CSV holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Litmus,
    Bench,
    Refault,
    Protocols,
}

impl Kind {
    const ALL: [Kind; 4] = [Kind::Litmus, Kind::Bench, Kind::Refault, Kind::Protocols];

    /// The command that writes it.
    fn command(self) -> &'static str {
        match self {
            Kind::Litmus => "litmus run",
            Kind::Bench => "bench-report",
            Kind::Refault => "litmus refault",
            Kind::Protocols => "litmus protocols",
        }
    }

    fn header(self) -> Vec<&'static str> {
        match self {
            Kind::Litmus => columns::run(),
            Kind::Bench => columns::bench_report(),
            Kind::Refault => columns::refault(),
            Kind::Protocols => columns::protocols(),
        }
    }

    /// Columns added after the first version of the header.
    fn added(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Kind::Litmus => &columns::RUN_ADDED,
            Kind::Bench => &columns::BENCH_ADDED,
            Kind::Refault | Kind::Protocols => &[],
        }
    }

    /// Columns that must hold numbers.
    fn numeric(self) -> &'static [&'static str] {
        match self {
            Kind::Litmus => &["count", "seconds", "reader_delay"],
            Kind::Bench => &["cycles_per_op"],
            Kind::Refault => &["median_ns", "p10_ns", "p90_ns"],
            Kind::Protocols => &["bound"],
        }
    }
}

/// One CSV row as column name -> value.
pub(crate) type Row = BTreeMap<String, String>;

/// Every row of every input, by kind.
#[derive(Default)]
pub struct Inputs {
    pub(crate) litmus: Vec<Row>,
    pub(crate) bench: Vec<Row>,
    pub(crate) refault: Vec<Row>,
    pub(crate) protocols: Vec<Row>,
}

/// A column an older header lacks, and the value it stands for.
type Filled = (&'static str, &'static str);

/// What a file's header says it holds, and the columns its version did not
/// have yet (with the value they stand for), to fill in.
fn kind_of(path: &Path, header: &[String]) -> Result<(Kind, Vec<Filled>), String> {
    let shown = path.display();
    let matches = |expected: &[&str]| {
        header
            .iter()
            .map(String::as_str)
            .eq(expected.iter().copied())
    };
    for kind in Kind::ALL {
        let current = kind.header();
        if matches(&current) {
            return Ok((kind, Vec::new()));
        }
        for (older, missing) in columns::older(&current, kind.added()) {
            if matches(&older) {
                return Ok((kind, missing));
            }
        }
    }
    // Which one was it meant to be? Name the first difference.
    for kind in Kind::ALL {
        let expected = kind.header();
        let ours: BTreeSet<&str> = expected.iter().copied().collect();
        let theirs: BTreeSet<&str> = header.iter().map(String::as_str).collect();
        if ours.intersection(&theirs).count() * 2 > ours.len() {
            let what = kind.command();
            if let Some(missing) = expected.iter().find(|c| !theirs.contains(*c)) {
                return Err(format!(
                    "{shown}: a {what} CSV without column '{missing}' (from another version?)"
                ));
            }
            let extra = header
                .iter()
                .find(|c| !ours.contains(c.as_str()))
                .map_or("", |c| c.as_str());
            return Err(format!(
                "{shown}: a {what} CSV with unknown column '{extra}' (from another version?)"
            ));
        }
    }
    Err(format!(
        "{shown}: not a litmus, bench-report, refault or protocols CSV (header starts '{}')",
        header.join(",").chars().take(60).collect::<String>()
    ))
}

/// Read `paths`; any bad input is one error naming the file (and line).
pub fn load(paths: &[impl AsRef<Path>]) -> Result<Inputs, Error> {
    load_all(paths).map_err(Error::BadInput)
}

fn load_all(paths: &[impl AsRef<Path>]) -> Result<Inputs, String> {
    if paths.is_empty() {
        return Err("compare needs at least one CSV file".into());
    }
    let mut inputs = Inputs::default();
    for path in paths {
        let path = path.as_ref();
        let shown = path.display();
        let file = csv_file::read(path)?;
        let (kind, filled) = kind_of(path, &file.header)?;
        for (line, record) in file.rows {
            let mut row: Row = file.header.iter().cloned().zip(record).collect();
            for (column, value) in &filled {
                row.insert(column.to_string(), value.to_string());
            }
            check_row(kind, &mut row).map_err(|e| format!("{shown}:{line}: {e}"))?;
            match kind {
                Kind::Litmus => inputs.litmus.push(row),
                Kind::Bench => inputs.bench.push(row),
                Kind::Refault => inputs.refault.push(row),
                Kind::Protocols => inputs.protocols.push(row),
            }
        }
    }
    Ok(inputs)
}

/// Check one row's values, and derive what an older version did not write.
fn check_row(kind: Kind, row: &mut Row) -> Result<(), String> {
    for column in kind.numeric() {
        if row[*column].parse::<f64>().is_err() {
            return Err(format!(
                "column {column}: '{}' is not a number",
                row[*column]
            ));
        }
    }
    if kind == Kind::Protocols && !row["window"].is_empty() {
        for column in ["torn", "torn_per_s"] {
            if row[column].parse::<f64>().is_err() {
                return Err(format!(
                    "column {column}: '{}' is not a number",
                    row[column]
                ));
            }
        }
    }
    if matches!(kind, Kind::Litmus | Kind::Protocols) {
        if Expect::from_name(&row["expected"]).is_none() {
            return Err(format!(
                "column expected: '{}' is not Allowed or Forbidden",
                row["expected"]
            ));
        }
    }
    if kind == Kind::Litmus {
        // Before `window`, a PTE window was its `pause` count.
        if row["window"].is_empty() {
            let window = match row["reader_delay"].as_str() {
                _ if row["strategy"] == "-" => "-".to_string(),
                "0" => "0".to_string(),
                n => format!("{n}pause"),
            };
            row.insert("window".into(), window);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A litmus CSV with `header`, one SB row per (kernel, accel, vcpus).
    fn litmus_csv(name: &str, header: &[&str], machines: &[[&str; 3]]) -> std::path::PathBuf {
        let path =
            std::env::temp_dir().join(format!("pte-litmus-{name}-{}.csv", std::process::id()));
        let mut writer = csv::Writer::from_path(&path).unwrap();
        writer.write_record(header).unwrap();
        for [kernel, accel, vcpus] in machines {
            let row: Vec<&str> = header
                .iter()
                .map(|c| match *c {
                    "kernel" => kernel,
                    "accel" => accel,
                    "vcpus" => vcpus,
                    "test" => "SB",
                    "count" | "reader_delay" => "0",
                    "strategy" => "-",
                    "seconds" => "1",
                    "witness" => "true",
                    "expected" => "Allowed",
                    _ => "x",
                })
                .collect();
            writer.write_record(&row).unwrap();
        }
        writer.flush().unwrap();
        path
    }

    #[test]
    fn a_window_from_before_windows_is_its_pause_count() {
        let mut row: Row = columns::run()
            .into_iter()
            .map(|c| (c.to_string(), String::new()))
            .collect();
        for (c, v) in [
            ("count", "1"),
            ("seconds", "1"),
            ("expected", "Allowed"),
            ("strategy", "lowhigh"),
            ("reader_delay", "10"),
        ] {
            row.insert(c.into(), v.into());
        }
        check_row(Kind::Litmus, &mut row).unwrap();
        assert_eq!(row["window"], "10pause");
        row.insert("window".into(), String::new());
        row.insert("reader_delay".into(), "0".into());
        check_row(Kind::Litmus, &mut row).unwrap();
        assert_eq!(row["window"], "0");
        row.insert("expected".into(), "Sometimes".into());
        assert!(
            check_row(Kind::Litmus, &mut row)
                .unwrap_err()
                .contains("expected")
        );
    }

    #[test]
    fn an_older_header_is_read_as_runs_on_the_hosts_kernel() {
        let (older, _) = columns::older(&columns::run(), &columns::RUN_ADDED)
            .pop()
            .unwrap();
        let old = litmus_csv("old-header", &older, &[["6.18", "", ""]]);
        let new = litmus_csv(
            "new-header",
            &columns::run(),
            &[
                ["6.1.0-50-686-pae", "tcg", "2"],
                ["6.1.0-50-686-pae", "tcg", "4"],
            ],
        );
        let inputs = load(&[&old, &new]).unwrap();
        assert_eq!(inputs.litmus[0]["accel"], "none");
        let machines = views::machines(inputs.litmus.iter());
        // The old host row, and two guests told apart by their vCPUs.
        assert_eq!(machines.len(), 3, "{machines:?}");
        let legend = text::legend(&machines);
        assert!(
            legend.contains("litmus guest under tcg with 4 vCPUs"),
            "{legend}"
        );
        assert!(
            !legend.lines().next().unwrap().contains("guest"),
            "{legend}"
        );
        for path in [old, new] {
            std::fs::remove_file(path).unwrap();
        }
    }
}
