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
use crate::report::columns::{self, Added};
use crate::report::csv_file::{self, CsvFile};
use crate::report::machine::Machine;
use crate::report::rows::{BenchRow, ProtocolRow, RefaultRow, RunRow};
use std::collections::BTreeSet;
use std::path::Path;

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
    fn added(self) -> &'static [Added] {
        match self {
            Kind::Litmus => &columns::RUN_ADDED,
            Kind::Bench => &columns::BENCH_ADDED,
            Kind::Refault | Kind::Protocols => &[],
        }
    }
}

/// Every row of every input, by kind.
#[derive(Default)]
pub struct Inputs {
    pub(crate) litmus: Vec<RunRow>,
    pub(crate) bench: Vec<BenchRow>,
    pub(crate) refault: Vec<RefaultRow>,
    pub(crate) protocols: Vec<ProtocolRow>,
}

/// What tells machines apart, in the order shown: cpu model, microcode,
/// hypervisor, kernel, target, accelerator and vCPUs (a guest's).
pub(crate) fn machine_key(m: &Machine) -> Vec<String> {
    [
        &m.cpu_model,
        &m.microcode,
        &m.hypervisor,
        &m.kernel,
        &m.target,
        &m.accel,
        &m.vcpus,
    ]
    .map(String::clone)
    .to_vec()
}

/// What a file's header says it holds, and the columns its version did not
/// have yet (with the value they stand for), to fill in.
fn kind_of(path: &Path, file: &CsvFile) -> Result<(Kind, Vec<Added>), String> {
    let shown = path.display();
    let header = &file.header;
    for kind in Kind::ALL {
        if let Some(filled) = file.version_of(&kind.header(), kind.added()) {
            return Ok((kind, filled));
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
        let file = csv_file::read(path)?;
        let (kind, filled) = kind_of(path, &file)?;
        match kind {
            Kind::Litmus => {
                let read = file.typed::<RunRow>(path, &filled)?;
                inputs
                    .litmus
                    .extend(read.into_iter().map(|(_, r)| with_window(r)));
            }
            Kind::Bench => {
                let read = file.typed::<BenchRow>(path, &filled)?;
                inputs.bench.extend(read.into_iter().map(|(_, r)| r));
            }
            Kind::Refault => {
                let read = file.typed::<RefaultRow>(path, &filled)?;
                inputs.refault.extend(read.into_iter().map(|(_, r)| r));
            }
            Kind::Protocols => {
                for (line, row) in file.typed::<ProtocolRow>(path, &filled)? {
                    let measured = !row.window.is_empty();
                    if measured && (row.torn.is_none() || row.torn_per_s.is_none()) {
                        return Err(format!(
                            "{}:{line}: a measured row (window '{}') without torn or torn_per_s",
                            path.display(),
                            row.window
                        ));
                    }
                    inputs.protocols.push(row);
                }
            }
        }
    }
    Ok(inputs)
}

/// A row from before `window`: its PTE window was its `pause` count.
fn with_window(mut row: RunRow) -> RunRow {
    if row.window.is_empty() {
        row.window = match row.reader_delay {
            _ if row.strategy == "-" => "-".to_string(),
            0 => "0".to_string(),
            n => format!("{n}pause"),
        };
    }
    row
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
        let full = columns::run();
        for [kernel, accel, vcpus] in machines {
            let mut row = RunRow {
                test: "SB".into(),
                strategy: "-".into(),
                seconds: 1.0,
                witness: true,
                ..RunRow::default()
            };
            row.machine.kernel = kernel.to_string();
            row.machine.accel = accel.to_string();
            row.machine.vcpus = vcpus.to_string();
            let cells = crate::report::rows::cells(&row);
            let at = |c: &str| full.iter().position(|f| *f == c).unwrap();
            let record: Vec<&str> = header.iter().map(|c| cells[at(c)].as_str()).collect();
            writer.write_record(&record).unwrap();
        }
        writer.flush().unwrap();
        path
    }

    #[test]
    fn a_window_from_before_windows_is_its_pause_count() {
        let row = |strategy: &str, reader_delay| RunRow {
            strategy: strategy.into(),
            reader_delay,
            ..RunRow::default()
        };
        assert_eq!(with_window(row("lowhigh", 10)).window, "10pause");
        assert_eq!(with_window(row("lowhigh", 0)).window, "0");
        assert_eq!(with_window(row("-", 0)).window, "-");
        let given = RunRow {
            window: "2turns".into(),
            ..row("lowhigh", 10)
        };
        assert_eq!(with_window(given).window, "2turns");
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
        assert_eq!(inputs.litmus[0].machine.accel, "none");
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
