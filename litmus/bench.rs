//! What the criterion benchmarks (`benches/pte_read.rs`) and `litmus
//! bench-report` share: where each target's results go, the machine record
//! written beside them, the TSC frequency, and the report itself.
//!
//! Each target's criterion output lives in `target/criterion/<target>/`, so
//! an i686 run never overwrites the x86_64 one. The benchmark writes
//! `pte-litmus-machine.csv` there (the machine columns and `tsc_hz` of the
//! machine that ran it); `bench-report` reads that and every
//! `<group>/<strategy>/<param>/new/{benchmark,estimates}.json`.

use crate::error::Error;
use crate::report::answer::Prices;
use crate::report::machine::Machine;
use crate::report::rows::{BenchRow, MachineRecord};
use crate::report::sink::CsvSink;
use crate::report::{columns, csv_file};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The machine record beside each target's criterion output.
pub const MACHINE_FILE: &str = "pte-litmus-machine.csv";

/// `target/criterion` (or `$CARGO_TARGET_DIR/criterion`).
pub fn criterion_root() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| "target".into());
    target.join("criterion")
}

/// This build's criterion output directory.
pub fn criterion_dir() -> PathBuf {
    criterion_root().join(pte_asm::TARGET)
}

/// The clocks a bench run measured at its start, for its machine record.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BenchClocks {
    /// TSC ticks per second (`harness::clocks::tsc_hz`).
    pub tsc_hz: f64,
    /// Core cycles per TSC tick (`harness::clocks::core_cycles_per_tick`);
    /// `None` in a record from before it was measured.
    pub cycles_per_tick: Option<f64>,
}

/// Write the machine record (header and one row) into `dir`.
pub fn write_machine_record(
    dir: &Path,
    machine: &Machine,
    clocks: BenchClocks,
) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(MACHINE_FILE);
    let record = MachineRecord {
        machine: machine.clone(),
        tsc_hz: clocks.tsc_hz,
        core_clock_ratio: clocks.cycles_per_tick,
    };
    // A new record each run: the file holds this run's machine alone.
    CsvSink::create(&path)?.write(&[record])
}

fn read_machine_record(dir: &Path) -> Result<(Machine, BenchClocks), String> {
    let path = dir.join(MACHINE_FILE);
    let records = csv_file::read_typed::<MachineRecord>(
        &path,
        &columns::MACHINE_RECORD_ADDED,
        "machine record",
    )?;
    let (_, record) = records
        .into_iter()
        .next()
        .ok_or_else(|| format!("{}: no machine row", path.display()))?;
    let clocks = BenchClocks {
        tsc_hz: record.tsc_hz,
        cycles_per_tick: record.core_clock_ratio,
    };
    Ok((record.machine, clocks))
}

#[derive(Deserialize)]
struct BenchmarkJson {
    group_id: String,
    function_id: Option<String>,
    value_str: Option<String>,
}

#[derive(Deserialize)]
struct Interval {
    lower_bound: f64,
    upper_bound: f64,
}

#[derive(Deserialize)]
struct Estimate {
    confidence_interval: Interval,
    point_estimate: f64,
}

#[derive(Deserialize)]
struct EstimatesJson {
    median: Estimate,
}

/// One benchmark result: the median TSC ticks per operation and its 95%
/// confidence bounds.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchResult {
    pub bench: String,
    pub strategy: String,
    pub param: String,
    pub ticks: f64,
    pub low: f64,
    pub high: f64,
}

/// Every `new/benchmark.json` under `dir`, with its estimates.
fn read_results(dir: &Path) -> Result<Vec<BenchResult>, String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let entries =
            std::fs::read_dir(&d).map_err(|e| format!("cannot read {}: {e}", d.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n == "new") {
                    if path.join("benchmark.json").is_file() {
                        found.push(path);
                    }
                } else if path
                    .file_name()
                    .is_none_or(|n| n != "base" && n != "report" && n != "change")
                {
                    pending.push(path);
                }
            }
        }
    }
    found.sort();
    let mut results = Vec::new();
    for new in found {
        let read = |name: &str| {
            let path = new.join(name);
            std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))
        };
        let id: BenchmarkJson = serde_json::from_str(&read("benchmark.json")?)
            .map_err(|e| format!("{}: {e}", new.join("benchmark.json").display()))?;
        let estimates: EstimatesJson = serde_json::from_str(&read("estimates.json")?)
            .map_err(|e| format!("{}: {e}", new.join("estimates.json").display()))?;
        results.push(BenchResult {
            bench: id.group_id,
            strategy: id.function_id.unwrap_or_default(),
            param: id.value_str.unwrap_or_else(|| "-".into()),
            ticks: estimates.median.point_estimate,
            low: estimates.median.confidence_interval.lower_bound,
            high: estimates.median.confidence_interval.upper_bound,
        });
    }
    Ok(results)
}

/// The report rows of one target directory: each result with its ratio to
/// `split` (and `native64`) for the same bench and param, from the same run.
pub fn report_rows(dir: &Path) -> Result<Vec<BenchRow>, String> {
    let (machine, clocks) = read_machine_record(dir)?;
    let tsc_hz = clocks.tsc_hz;
    let results = read_results(dir)?;
    let baseline = |r: &BenchResult, strategy: &str| {
        results
            .iter()
            .find(|b| b.bench == r.bench && b.param == r.param && b.strategy == strategy)
            .map(|b| b.ticks)
    };
    let ratio = |value: f64, base: Option<f64>| base.filter(|b| *b > 0.0).map(|b| value / b);
    Ok(results
        .iter()
        .map(|r| BenchRow {
            machine: machine.clone(),
            bench: r.bench.clone(),
            strategy: r.strategy.clone(),
            param: r.param.clone(),
            cycles_per_op: r.ticks,
            core_cycles_per_op: clocks.cycles_per_tick.map(|c| r.ticks * c),
            core_clock_ratio: clocks.cycles_per_tick,
            ns_per_op: r.ticks / tsc_hz * 1e9,
            ratio_to_split: ratio(r.ticks, baseline(r, "split")),
            ratio_to_native64: ratio(r.ticks, baseline(r, "native64")),
            low: r.low,
            high: r.high,
            tsc_hz,
        })
        .collect())
}

/// `litmus bench-report`: every target directory under `root` that holds a
/// machine record, into a new CSV at `csv` (an existing file with the same
/// header is appended to). Returns the rows written per target. Everything
/// is read before anything is written: bad input leaves no half-written CSV.
pub fn bench_report(root: &Path, csv: &Path) -> Result<Vec<(String, usize)>, Error> {
    read_and_write(root, csv).map_err(Error::BadInput)
}

fn read_and_write(root: &Path, csv: &Path) -> Result<Vec<(String, usize)>, String> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .map_err(|e| {
            format!(
                "cannot read {}: {e} (run cargo bench first)",
                root.display()
            )
        })?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join(MACHINE_FILE).is_file())
        .collect();
    dirs.sort();
    if dirs.is_empty() {
        return Err(format!(
            "no benchmark results under {} (run cargo bench first)",
            root.display()
        ));
    }
    // Read everything first: a bad input leaves no half-written CSV behind.
    let mut reports = Vec::new();
    for dir in &dirs {
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        reports.push((name, report_rows(dir)?));
    }
    let mut sink = CsvSink::open(csv)?;
    let mut written = Vec::new();
    for (name, rows) in reports {
        sink.write(&rows)?;
        written.push((name, rows.len()));
    }
    Ok(written)
}

/// Core cycles per `read` for this build's target, for `litmus run`'s
/// answer table: from `csv` (a `bench-report` CSV) when given, else from
/// this build's criterion output when `cargo bench` has left one, else
/// none. A given file that cannot be read or holds no such rows is bad
/// input; a criterion directory that cannot be read is passed over.
pub fn prices(csv: Option<&Path>) -> Result<Option<Prices>, Error> {
    match csv {
        Some(path) => prices_from_csv(path).map(Some).map_err(Error::BadInput),
        None => {
            let dir = criterion_dir();
            if !dir.join(MACHINE_FILE).is_file() {
                return Ok(None);
            }
            let Ok(rows) = report_rows(&dir) else {
                return Ok(None);
            };
            let source = format!("{} (cargo bench)", dir.display());
            Ok(read_prices(rows.iter(), source))
        }
    }
}

fn prices_from_csv(path: &Path) -> Result<Prices, String> {
    let shown = path.display();
    let rows = csv_file::read_typed::<BenchRow>(path, &columns::BENCH_ADDED, "bench-report")?;
    let first = rows.first().map(|(_, r)| &r.machine);
    let commit = first.map_or("", |m| m.commit.as_str());
    let cpu = first.map_or("", |m| m.cpu_model.as_str());
    let source = format!("{shown} ({cpu}, commit {commit})");
    read_prices(rows.iter().map(|(_, r)| r), source).ok_or_else(|| {
        format!(
            "{shown}: no read rows with core cycles for {} (bench-report of `cargo bench --bench pte_read` on this target)",
            pte_asm::TARGET
        )
    })
}

/// The `read` group's rows for this build's target, as prices.
fn read_prices<'r>(rows: impl Iterator<Item = &'r BenchRow>, source: String) -> Option<Prices> {
    Prices::from_rows(
        |_| source,
        rows.filter(|r| r.machine.target == pte_asm::TARGET),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bench-report CSV: its header, then `rows` of (target, bench,
    /// strategy, param, core cycles).
    fn bench_csv(name: &str, rows: &[[&str; 5]]) -> PathBuf {
        let path =
            std::env::temp_dir().join(format!("pte-litmus-{name}-{}.csv", std::process::id()));
        let header = columns::bench_report();
        let mut text = header.join(",") + "\n";
        for [target, bench, strategy, param, cycles] in rows {
            let mut row = BenchRow {
                bench: bench.to_string(),
                strategy: strategy.to_string(),
                param: param.to_string(),
                ..BenchRow::default()
            };
            row.machine.target = target.to_string();
            row.machine.cpu_model = "Some CPU".into();
            row.machine.commit = "abc123".into();
            let mut cells = crate::report::rows::cells(&row);
            let at = header
                .iter()
                .position(|c| *c == "core_cycles_per_op")
                .unwrap();
            cells[at] = cycles.to_string();
            text += &(cells.join(",") + "\n");
        }
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn the_machine_record_holds_the_latest_run_alone() {
        let dir = std::env::temp_dir().join(format!("pte-litmus-record-{}", std::process::id()));
        let mut machine = Machine::default();
        for (commit, tsc_hz) in [("first", 1e9), ("second", 2e9)] {
            machine.commit = commit.into();
            let clocks = BenchClocks {
                tsc_hz,
                cycles_per_tick: None,
            };
            write_machine_record(&dir, &machine, clocks).unwrap();
        }
        let (read, clocks) = read_machine_record(&dir).unwrap();
        assert_eq!((read.commit.as_str(), clocks.tsc_hz), ("second", 2e9));
        let text = std::fs::read_to_string(dir.join(MACHINE_FILE)).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn prices_are_this_targets_read_rows_without_a_param() {
        let path = bench_csv(
            "prices",
            &[
                [pte_asm::TARGET, "read", "lowhigh", "-", "1.25"],
                [pte_asm::TARGET, "read", "cmpxchg8b", "-", "9.5"],
                [pte_asm::TARGET, "read", "lowhigh", "other-line", "30"],
                [pte_asm::TARGET, "walk", "lowhigh", "-", "7"],
                ["i386-other-linux", "read", "fild", "-", "3"],
            ],
        );
        let prices = prices(Some(&path)).unwrap().unwrap();
        assert_eq!(
            prices.cycles,
            [
                ("lowhigh".to_string(), 1.25),
                ("cmpxchg8b".to_string(), 9.5)
            ]
        );
        assert!(
            prices.source.contains("Some CPU, commit abc123"),
            "{}",
            prices.source
        );
    }

    #[test]
    fn a_bench_csv_that_cannot_price_is_one_line_naming_it() {
        let bad = |path: &Path| match prices(Some(path)) {
            Err(Error::BadInput(line)) => line,
            other => panic!("{other:?}"),
        };
        let nan = bench_csv("nan", &[[pte_asm::TARGET, "read", "lowhigh", "-", "many"]]);
        assert!(
            bad(&nan).ends_with(":2: column core_cycles_per_op: 'many' is not a number"),
            "{}",
            bad(&nan)
        );
        let other = bench_csv("other", &[["i386-other-linux", "read", "fild", "-", "3"]]);
        assert!(bad(&other).contains("no read rows with core cycles for"));
        let litmus =
            std::env::temp_dir().join(format!("pte-litmus-notbench-{}.csv", std::process::id()));
        std::fs::write(&litmus, "test,count\nSB,1\n").unwrap();
        assert!(
            bad(&litmus).contains("not a bench-report CSV (header starts 'test,count'"),
            "{}",
            bad(&litmus)
        );
        assert!(
            bad(Path::new("/nonexistent/bench.csv"))
                .starts_with("cannot read /nonexistent/bench.csv")
        );
    }
}
