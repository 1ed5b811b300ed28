//! `litmus compare`: litmus and bench CSVs of many machines side by side.
//!
//! Rows are grouped by machine: cpu model, microcode, hypervisor, kernel
//! and target (a 32-bit process on a 64-bit CPU is another configuration).
//! The litmus view puts each test, strategy and reader delay on a row and
//! each machine in a column, forbidden outcomes seen anywhere first, then
//! outcomes seen on one machine and never on another. The bench view shows
//! cycles per operation and the ratio to `split`.

use crate::bench::report_header;
use crate::cli::{human_rate, run_header};
use crate::machine::Machine;
use plotters::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The columns that name a machine, in the order they are shown.
const MACHINE_KEY: [&str; 7] = [
    "cpu_model",
    "microcode",
    "hypervisor",
    "kernel",
    "target",
    "accel",
    "vcpus",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Litmus,
    Bench,
}

/// One CSV row as column name -> value.
type Row = BTreeMap<String, String>;

/// Every row of every input, by kind.
#[derive(Default)]
pub struct Inputs {
    litmus: Vec<Row>,
    bench: Vec<Row>,
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
    let older = |expected: &[&'static str]| -> Vec<&'static str> {
        let added: Vec<&str> = Machine::ADDED.iter().map(|(c, _)| *c).collect();
        expected
            .iter()
            .copied()
            .filter(|c| !added.contains(c))
            .collect()
    };
    for (kind, expected) in [(Kind::Litmus, run_header()), (Kind::Bench, report_header())] {
        if matches(&expected) {
            return Ok((kind, Vec::new()));
        }
        if matches(&older(&expected)) {
            return Ok((kind, Machine::ADDED.to_vec()));
        }
    }
    // Which one was it meant to be? Name the first difference.
    for (kind, expected) in [
        ("litmus run", run_header()),
        ("bench-report", report_header()),
    ] {
        let ours: BTreeSet<&str> = expected.iter().copied().collect();
        let theirs: BTreeSet<&str> = header.iter().map(String::as_str).collect();
        if ours.intersection(&theirs).count() * 2 > ours.len() {
            if let Some(missing) = expected.iter().find(|c| !theirs.contains(*c)) {
                return Err(format!(
                    "{shown}: a {kind} CSV without column '{missing}' (from another version?)"
                ));
            }
            let extra = header
                .iter()
                .find(|c| !ours.contains(c.as_str()))
                .map_or("", |c| c.as_str());
            return Err(format!(
                "{shown}: a {kind} CSV with unknown column '{extra}' (from another version?)"
            ));
        }
    }
    Err(format!(
        "{shown}: not a litmus or bench-report CSV (header starts '{}')",
        header.join(",").chars().take(60).collect::<String>()
    ))
}

/// Read `paths`; any bad input is one error naming the file (and line).
pub fn load(paths: &[impl AsRef<Path>]) -> Result<Inputs, String> {
    if paths.is_empty() {
        return Err("compare needs at least one CSV file".into());
    }
    let mut inputs = Inputs::default();
    for path in paths {
        let path = path.as_ref();
        let shown = path.display();
        let mut reader =
            csv::Reader::from_path(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| format!("{shown}: {e}"))?
            .iter()
            .map(String::from)
            .collect();
        let (kind, filled) = kind_of(path, &header)?;
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map_or(0, |p| p.line());
                format!("{shown}:{line}: malformed CSV row ({})", e.kind_text())
            })?;
            let line = record.position().map_or(0, |p| p.line());
            let mut row: Row = header
                .iter()
                .cloned()
                .zip(record.iter().map(String::from))
                .collect();
            for (column, value) in &filled {
                row.insert(column.to_string(), value.to_string());
            }
            let numeric: &[&str] = match kind {
                Kind::Litmus => &["count", "seconds", "reader_delay"],
                Kind::Bench => &["cycles_per_op"],
            };
            for column in numeric {
                if row[*column].parse::<f64>().is_err() {
                    return Err(format!(
                        "{shown}:{line}: column {column}: '{}' is not a number",
                        row[*column]
                    ));
                }
            }
            match kind {
                Kind::Litmus => inputs.litmus.push(row),
                Kind::Bench => inputs.bench.push(row),
            }
        }
    }
    Ok(inputs)
}

trait KindText {
    fn kind_text(&self) -> String;
}

impl KindText for csv::Error {
    fn kind_text(&self) -> String {
        match self.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => {
                format!("{len} fields where the header has {expected_len}")
            }
            csv::ErrorKind::Utf8 { .. } => "not UTF-8".into(),
            _ => self.to_string(),
        }
    }
}

/// The machines of `rows`, in first-seen order, as their key values.
fn machines<'r>(rows: impl Iterator<Item = &'r Row>) -> Vec<Vec<String>> {
    let mut seen: Vec<Vec<String>> = Vec::new();
    for row in rows {
        let key = machine_of(row);
        if !seen.contains(&key) {
            seen.push(key);
        }
    }
    seen
}

fn machine_of(row: &Row) -> Vec<String> {
    MACHINE_KEY.iter().map(|c| row[*c].clone()).collect()
}

/// `row`'s machine's index in `machines` (collected from the same rows).
fn machine_index(machines: &[Vec<String>], row: &Row) -> usize {
    let key = machine_of(row);
    machines
        .iter()
        .position(|k| *k == key)
        .expect("every machine was collected")
}

/// What one machine saw for one test, strategy and reader delay, over
/// every run of it in the inputs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Seen {
    pub witnesses: u64,
    pub seconds: f64,
    pub expected: String,
}

impl Seen {
    fn unexpected(&self) -> bool {
        self.expected == "Forbidden" && self.witnesses > 0
    }

    fn cell(&self) -> String {
        match (self.witnesses, self.unexpected()) {
            (0, _) => "never".into(),
            (n, true) => format!("UNEXPECTED {n}"),
            (n, false) => format!(
                "seen {n} ({}/s)",
                human_rate(n as f64 / self.seconds.max(1e-9))
            ),
        }
    }
}

/// `(test, strategy, reader_delay)` in first-seen order.
type LitmusKey = (String, String, String);

/// The litmus view: per key, per machine index, what was seen.
pub struct LitmusView {
    pub machines: Vec<Vec<String>>,
    pub rows: Vec<(LitmusKey, Vec<Option<Seen>>)>,
}

impl LitmusView {
    pub fn build(inputs: &Inputs) -> LitmusView {
        let machines = machines(inputs.litmus.iter());
        let mut keys: Vec<LitmusKey> = Vec::new();
        let mut seen: BTreeMap<(LitmusKey, usize), Seen> = BTreeMap::new();
        let mut counted_seconds: BTreeSet<(String, LitmusKey, usize)> = BTreeSet::new();
        for row in &inputs.litmus {
            let key = (
                row["test"].clone(),
                row["strategy"].clone(),
                row["reader_delay"].clone(),
            );
            if !keys.contains(&key) {
                keys.push(key.clone());
            }
            let m = machine_index(&machines, row);
            let entry = seen.entry((key.clone(), m)).or_default();
            entry.expected = row["expected"].clone();
            if row["witness"] == "true" {
                entry.witnesses += row["count"].parse::<f64>().unwrap_or(0.0) as u64;
            }
            // Each run repeats its seconds on every outcome row: count once.
            if counted_seconds.insert((row["run_id"].clone(), key.clone(), m)) {
                entry.seconds += row["seconds"].parse::<f64>().unwrap_or(0.0);
            }
        }
        let mut rows: Vec<(LitmusKey, Vec<Option<Seen>>)> = keys
            .into_iter()
            .map(|key| {
                let cells = (0..machines.len())
                    .map(|m| seen.get(&(key.clone(), m)).cloned())
                    .collect();
                (key, cells)
            })
            .collect();
        // Forbidden seen anywhere first, then disagreements, then the rest.
        rows.sort_by_key(|(_, cells)| {
            (
                !cells.iter().flatten().any(Seen::unexpected),
                !disagree(cells),
            )
        });
        LitmusView { machines, rows }
    }
}

/// Seen on one machine and never on another.
pub fn disagree(cells: &[Option<Seen>]) -> bool {
    let ran: Vec<&Seen> = cells.iter().flatten().collect();
    ran.iter().any(|s| s.witnesses > 0) && ran.iter().any(|s| s.witnesses == 0)
}

/// `(bench, strategy, param)`.
type BenchKey = (String, String, String);
/// One machine's `(ticks per operation, ratio to split)`, if it ran it.
type BenchCell = Option<(f64, String)>;

/// The bench view: per key, per machine index, its figures.
pub struct BenchView {
    pub machines: Vec<Vec<String>>,
    pub rows: Vec<(BenchKey, Vec<BenchCell>)>,
}

impl BenchView {
    pub fn build(inputs: &Inputs) -> BenchView {
        let machines = machines(inputs.bench.iter());
        let mut rows: Vec<(BenchKey, Vec<BenchCell>)> = Vec::new();
        for row in &inputs.bench {
            let key = (
                row["bench"].clone(),
                row["strategy"].clone(),
                row["param"].clone(),
            );
            let m = machine_index(&machines, row);
            let cycles = row["cycles_per_op"].parse::<f64>().unwrap_or(f64::NAN);
            let index = match rows.iter().position(|(k, _)| *k == key) {
                Some(i) => i,
                None => {
                    rows.push((key, vec![None; machines.len()]));
                    rows.len() - 1
                }
            };
            rows[index].1[m] = Some((cycles, row["ratio_to_split"].clone()));
        }
        BenchView { machines, rows }
    }
}

/// A table as aligned text or as markdown.
fn table(header: &[String], rows: &[Vec<String>], markdown: bool) -> String {
    let mut out = String::new();
    if markdown {
        let line = |cells: &[String]| format!("| {} |\n", cells.join(" | "));
        out.push_str(&line(header));
        out.push_str(&line(&vec!["---".to_string(); header.len()]));
        for row in rows {
            out.push_str(&line(row));
        }
        return out;
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| r[c].len())
                .chain([header[c].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

fn legend(machines: &[Vec<String>]) -> String {
    machines
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let guest = if m[5] == "none" {
                String::new()
            } else {
                format!(", litmus guest under {} with {} vCPUs", m[5], m[6])
            };
            format!(
                "M{}: {} (microcode {}), hypervisor {}, kernel {}, {}{guest}\n",
                i + 1,
                m[0],
                m[1],
                m[2],
                m[3],
                m[4]
            )
        })
        .collect()
}

/// A view's heading and machine legend, and its header: `columns` then
/// one column per machine (`M1`, `M2`, ...).
fn start_view(
    out: &mut String,
    title: &str,
    machines: &[Vec<String>],
    columns: &[&str],
    markdown: bool,
) -> Vec<String> {
    out.push_str(&if markdown {
        format!("## {title}\n\n")
    } else {
        format!("{title}\n\n")
    });
    out.push_str(&legend(machines));
    out.push('\n');
    let mut header: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
    header.extend((1..=machines.len()).map(|m| format!("M{m}")));
    header
}

/// The whole report: legend and views, as text or markdown.
pub fn report(inputs: &Inputs, markdown: bool) -> String {
    let mut out = String::new();
    if !inputs.litmus.is_empty() {
        let view = LitmusView::build(inputs);
        let mut header = start_view(
            &mut out,
            "Litmus tests",
            &view.machines,
            &["test", "strategy", "delay", "expected"],
            markdown,
        );
        header.push("note".into());
        let rows: Vec<Vec<String>> = view
            .rows
            .iter()
            .map(|((test, strategy, delay), cells)| {
                let expected = cells
                    .iter()
                    .flatten()
                    .next()
                    .map_or(String::new(), |s| s.expected.clone());
                let mut row = vec![test.clone(), strategy.clone(), delay.clone(), expected];
                row.extend(
                    cells
                        .iter()
                        .map(|c| c.as_ref().map_or("-".into(), Seen::cell)),
                );
                let note = if cells.iter().flatten().any(Seen::unexpected) {
                    "FORBIDDEN SEEN"
                } else if disagree(cells) {
                    "machines disagree"
                } else {
                    ""
                };
                row.push(note.into());
                row
            })
            .collect();
        out.push_str(&table(&header, &rows, markdown));
        out.push('\n');
    }
    if !inputs.bench.is_empty() {
        let view = BenchView::build(inputs);
        let title = if markdown {
            "Benchmarks (TSC ticks per operation, × split)"
        } else {
            "Benchmarks (TSC ticks per operation, x split)"
        };
        let header = start_view(
            &mut out,
            title,
            &view.machines,
            &["bench", "strategy", "param"],
            markdown,
        );
        let rows: Vec<Vec<String>> = view
            .rows
            .iter()
            .map(|((bench, strategy, param), cells)| {
                let mut row = vec![bench.clone(), strategy.clone(), param.clone()];
                row.extend(cells.iter().map(|c| match c {
                    Some((cycles, ratio)) if !ratio.is_empty() => format!("{cycles:.2} (x{ratio})"),
                    Some((cycles, _)) => format!("{cycles:.2}"),
                    None => "-".into(),
                }));
                row
            })
            .collect();
        out.push_str(&table(&header, &rows, markdown));
    }
    out
}

/// Two charts in one SVG: the `read` cost per strategy as grouped bars per
/// machine, and `PTE-ABA` torn reads per second against the reader delay.
pub fn plot(inputs: &Inputs, path: &Path) -> Result<(), String> {
    let shown = path.display();
    let root = SVGBackend::new(path, (1200, 900)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| format!("{shown}: {e}"))?;
    let (top, bottom) = root.split_vertically(450);
    let draw = |e: &dyn std::fmt::Display| format!("cannot draw {shown}: {e}");

    // Bars: read cost (log scale) per strategy, one bar per machine.
    let bench = BenchView::build(inputs);
    let reads: Vec<&(BenchKey, Vec<BenchCell>)> = bench
        .rows
        .iter()
        .filter(|((b, _, _), _)| b == "read")
        .collect();
    let machines = bench.machines.len().max(1);
    let max = reads
        .iter()
        .flat_map(|(_, c)| c.iter().flatten().map(|(v, _)| *v))
        .fold(1.0, f64::max);
    let mut chart = ChartBuilder::on(&top)
        .caption(
            "read: TSC ticks per read (log scale), one bar per machine",
            ("sans-serif", 20),
        )
        .margin(10)
        .x_label_area_size(60)
        .y_label_area_size(60)
        .build_cartesian_2d(
            0f64..reads.len().max(1) as f64,
            (0.1f64..max * 2.0).log_scale(),
        )
        .map_err(|e| draw(&e))?;
    let labels: Vec<String> = reads.iter().map(|((_, s, _), _)| s.clone()).collect();
    // One tick per half group: label the centres (odd halves), not the edges.
    chart
        .configure_mesh()
        .x_labels(2 * reads.len().max(1) + 1)
        .x_label_formatter(&|x| {
            let half = (x * 2.0).round() as usize;
            if half % 2 == 1 {
                labels.get(half / 2).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .disable_x_mesh()
        .y_desc("ticks")
        .draw()
        .map_err(|e| draw(&e))?;
    for m in 0..machines {
        let color = Palette99::pick(m).to_rgba();
        let width = 0.8 / machines as f64;
        let bars = reads.iter().enumerate().filter_map(|(i, (_, cells))| {
            let (value, _) = cells.get(m)?.as_ref()?;
            let x0 = i as f64 + 0.1 + m as f64 * width;
            Some(Rectangle::new(
                [(x0, 0.1), (x0 + width, *value)],
                color.filled(),
            ))
        });
        chart
            .draw_series(bars)
            .map_err(|e| draw(&e))?
            .label(format!("M{}", m + 1))
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled()));
    }
    chart
        .configure_series_labels()
        .border_style(BLACK)
        .draw()
        .map_err(|e| draw(&e))?;

    // Lines: PTE-ABA torn reads per second against the reader delay.
    let litmus = LitmusView::build(inputs);
    let mut series: BTreeMap<(usize, String), Vec<(f64, f64)>> = BTreeMap::new();
    for ((test, strategy, delay), cells) in &litmus.rows {
        if test != "PTE-ABA" {
            continue;
        }
        for (m, cell) in cells.iter().enumerate() {
            if let Some(s) = cell {
                let x = delay.parse::<f64>().unwrap_or(0.0) + 1.0;
                series
                    .entry((m, strategy.clone()))
                    .or_default()
                    .push((x, s.witnesses as f64 / s.seconds.max(1e-9) + 1.0));
            }
        }
    }
    let max_x = series.values().flatten().map(|p| p.0).fold(10.0, f64::max);
    let max_y = series.values().flatten().map(|p| p.1).fold(10.0, f64::max);
    let mut chart = ChartBuilder::on(&bottom)
        .caption(
            "PTE-ABA: torn reads per second + 1 against reader delay + 1 (log-log)",
            ("sans-serif", 20),
        )
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(
            (1f64..max_x * 2.0).log_scale(),
            (1f64..max_y * 2.0).log_scale(),
        )
        .map_err(|e| draw(&e))?;
    chart
        .configure_mesh()
        .x_desc("reader delay + 1 (pause)")
        .y_desc("torn/s + 1")
        .draw()
        .map_err(|e| draw(&e))?;
    for (i, ((m, strategy), mut points)) in series.into_iter().enumerate() {
        if points.len() < 2 {
            continue;
        }
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        let color = Palette99::pick(i).to_rgba();
        chart
            .draw_series(LineSeries::new(points, color.stroke_width(2)))
            .map_err(|e| draw(&e))?
            .label(format!("M{} {strategy}", m + 1))
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 15, y)], color.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .border_style(BLACK)
        .draw()
        .map_err(|e| draw(&e))?;
    root.present().map_err(|e| draw(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(witnesses: u64, expected: &str) -> Option<Seen> {
        Some(Seen {
            witnesses,
            seconds: 1.0,
            expected: expected.into(),
        })
    }

    #[test]
    fn disagreement_needs_a_machine_that_saw_it_and_one_that_did_not() {
        assert!(disagree(&[seen(5, "Allowed"), seen(0, "Allowed")]));
        assert!(!disagree(&[seen(5, "Allowed"), seen(3, "Allowed")]));
        assert!(!disagree(&[
            seen(0, "Forbidden"),
            None,
            seen(0, "Forbidden")
        ]));
        // A machine that did not run it neither agrees nor disagrees.
        assert!(!disagree(&[seen(5, "Allowed"), None]));
    }

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
    fn an_older_header_is_read_as_runs_on_the_hosts_kernel() {
        let added: Vec<&str> = Machine::ADDED.iter().map(|(c, _)| *c).collect();
        let older: Vec<&str> = run_header()
            .into_iter()
            .filter(|c| !added.contains(c))
            .collect();
        let old = litmus_csv("old-header", &older, &[["6.18", "", ""]]);
        let new = litmus_csv(
            "new-header",
            &run_header(),
            &[
                ["6.1.0-50-686-pae", "tcg", "2"],
                ["6.1.0-50-686-pae", "tcg", "4"],
            ],
        );
        let inputs = load(&[&old, &new]).unwrap();
        assert_eq!(inputs.litmus[0]["accel"], "none");
        let machines = machines(inputs.litmus.iter());
        // The old host row, and two guests told apart by their vCPUs.
        assert_eq!(machines.len(), 3, "{machines:?}");
        let legend = legend(&machines);
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

    #[test]
    fn cells_say_what_was_seen() {
        assert_eq!(seen(0, "Allowed").unwrap().cell(), "never");
        assert_eq!(seen(2500, "Allowed").unwrap().cell(), "seen 2500 (2.5k/s)");
        assert_eq!(seen(3, "Forbidden").unwrap().cell(), "UNEXPECTED 3");
    }

    #[test]
    fn markdown_tables_have_a_rule_under_the_header() {
        let t = table(
            &["a".into(), "b".into()],
            &[vec!["1".into(), "2".into()]],
            true,
        );
        assert_eq!(t, "| a | b |\n| --- | --- |\n| 1 | 2 |\n");
        let t = table(
            &["a".into(), "bb".into()],
            &[vec!["111".into(), "2".into()]],
            false,
        );
        assert_eq!(t, "a    bb\n111  2\n");
    }
}
