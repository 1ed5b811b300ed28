//! The tables of `litmus compare`: the litmus view (witnesses per test,
//! strategy and reader delay, per machine) and the bench view (ticks per
//! operation per machine), as text or markdown.

use super::{Inputs, MACHINE_KEY, Row};
use crate::judge::{Expect, Verdict, judge};
use crate::report::format::{human_rate, table};
use std::collections::{BTreeMap, BTreeSet};

/// The machines of `rows`, in first-seen order, as their key values.
pub(crate) fn machines<'r>(rows: impl Iterator<Item = &'r Row>) -> Vec<Vec<String>> {
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
#[derive(Clone, Debug, PartialEq)]
pub struct Seen {
    pub witnesses: u64,
    pub seconds: f64,
    pub expected: Expect,
}

impl Seen {
    fn unexpected(&self) -> bool {
        judge(self.expected, self.witnesses) == Verdict::Unexpected
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
pub type LitmusKey = (String, String, String);

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
            // `load` checked the column.
            let expected = Expect::from_name(&row["expected"]).expect("Allowed or Forbidden");
            let entry = seen.entry((key.clone(), m)).or_insert(Seen {
                witnesses: 0,
                seconds: 0.0,
                expected,
            });
            entry.expected = expected;
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
pub type BenchKey = (String, String, String);
/// One machine's `(ticks per operation, ratio to split)`, if it ran it.
pub type BenchCell = Option<(f64, String)>;

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

pub(crate) fn legend(machines: &[Vec<String>]) -> String {
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
                    .map_or(String::new(), |s| s.expected.name().to_string());
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

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(witnesses: u64, expected: &str) -> Option<Seen> {
        Some(Seen {
            witnesses,
            seconds: 1.0,
            expected: Expect::from_name(expected).unwrap(),
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

    #[test]
    fn cells_say_what_was_seen() {
        assert_eq!(seen(0, "Allowed").unwrap().cell(), "never");
        assert_eq!(seen(2500, "Allowed").unwrap().cell(), "seen 2500 (2.5k/s)");
        assert_eq!(seen(3, "Forbidden").unwrap().cell(), "UNEXPECTED 3");
    }
}
