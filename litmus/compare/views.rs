//! What `litmus compare` tabulates, per machine: the litmus view (witnesses
//! per test, strategy and window), the narrowest tearing windows, the bench
//! view (ticks and core cycles per operation) and the kernel's refault.

use super::{Inputs, machine_key};
use crate::judge::{Expect, Verdict, judge, protocol};
use crate::report::format::human_rate;
use crate::report::rows::{CsvRow, ProtocolRow};
use std::collections::{BTreeMap, BTreeSet};

/// The machines of `rows`, in first-seen order, as their key values.
pub(crate) fn machines<'r, R: CsvRow + 'r>(rows: impl Iterator<Item = &'r R>) -> Vec<Vec<String>> {
    let mut seen: Vec<Vec<String>> = Vec::new();
    for row in rows {
        let key = machine_key(row.machine());
        if !seen.contains(&key) {
            seen.push(key);
        }
    }
    seen
}

/// `row`'s machine's index in `machines` (collected from the same rows).
fn machine_index(machines: &[Vec<String>], row: &impl CsvRow) -> usize {
    let key = machine_key(row.machine());
    machines
        .iter()
        .position(|k| *k == key)
        .expect("every machine was collected")
}

/// What one machine saw for one test, strategy and window, over every run
/// of it in the inputs.
#[derive(Clone, Debug, PartialEq)]
pub struct Seen {
    pub witnesses: u64,
    pub seconds: f64,
    pub reads: u64,
    pub expected: Expect,
    /// The window in ns and the writer's turn in ns, where the rows say.
    pub window_ns: Option<f64>,
    pub turn_ns: Option<f64>,
}

impl Seen {
    pub(crate) fn unexpected(&self) -> bool {
        judge(self.expected, self.witnesses) == Verdict::Unexpected
    }

    pub fn rate(&self) -> f64 {
        self.witnesses as f64 / self.seconds.max(1e-9)
    }

    pub(crate) fn cell(&self) -> String {
        match (self.witnesses, self.unexpected()) {
            (0, _) => "never".into(),
            (n, true) => format!("UNEXPECTED {n}"),
            (n, false) => format!("seen {n} ({}/s)", human_rate(self.rate())),
        }
    }
}

/// `(test, strategy, window)` in first-seen order.
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
        let mut counted: BTreeSet<(String, LitmusKey, usize)> = BTreeSet::new();
        for row in &inputs.litmus {
            let key = (row.test.clone(), row.strategy.clone(), row.window.clone());
            if !keys.contains(&key) {
                keys.push(key.clone());
            }
            let m = machine_index(&machines, row);
            let entry = seen.entry((key.clone(), m)).or_insert(Seen {
                witnesses: 0,
                seconds: 0.0,
                reads: 0,
                expected: row.expected,
                window_ns: None,
                turn_ns: None,
            });
            entry.expected = row.expected;
            if row.witness {
                entry.witnesses += row.count;
            }
            // Each run repeats its seconds and units on every outcome row:
            // count them once (the latest run's units stand).
            if counted.insert((row.run_id.clone(), key.clone(), m)) {
                entry.seconds += row.seconds;
                entry.reads += row.iterations;
                entry.window_ns = row.window_ns.or(entry.window_ns);
                entry.turn_ns = row.writer_turn_ns.or(entry.turn_ns);
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

    /// The `--reader-window auto` rows: per test and strategy, per
    /// machine, the narrowest window that tore (or the widest tried).
    pub fn narrowest(&self) -> Vec<(&LitmusKey, &Vec<Option<Seen>>)> {
        self.rows
            .iter()
            .filter(|((_, _, window), _)| window == "auto")
            .map(|(k, c)| (k, c))
            .collect()
    }
}

/// Seen on one machine and never on another.
pub fn disagree(cells: &[Option<Seen>]) -> bool {
    let ran: Vec<&Seen> = cells.iter().flatten().collect();
    ran.iter().any(|s| s.witnesses > 0) && ran.iter().any(|s| s.witnesses == 0)
}

/// `(bench, strategy, param)`.
pub type BenchKey = (String, String, String);

/// One machine's figures for one benchmark.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchFigures {
    /// TSC ticks per operation.
    pub ticks: f64,
    /// Core cycles per operation, where the run measured the core clock.
    pub cycles: Option<f64>,
    /// The ratio to `split` (none for a benchmark without a `split` row).
    pub ratio: Option<f64>,
}

pub type BenchCell = Option<BenchFigures>;

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
            let key = (row.bench.clone(), row.strategy.clone(), row.param.clone());
            let m = machine_index(&machines, row);
            let index = match rows.iter().position(|(k, _)| *k == key) {
                Some(i) => i,
                None => {
                    rows.push((key, vec![None; machines.len()]));
                    rows.len() - 1
                }
            };
            rows[index].1[m] = Some(BenchFigures {
                ticks: row.cycles_per_op,
                cycles: row.core_cycles_per_op,
                ratio: row.ratio_to_split,
            });
        }
        BenchView { machines, rows }
    }
}

/// The kernel's zap and refault of one page, per machine (the latest
/// `litmus refault` row of each): median, 10% and 90%, in ns.
pub struct RefaultView {
    pub machines: Vec<Vec<String>>,
    pub cells: Vec<(f64, f64, f64)>,
}

impl RefaultView {
    pub fn build(inputs: &Inputs) -> RefaultView {
        let machines = machines(inputs.refault.iter());
        let mut cells = vec![(0.0, 0.0, 0.0); machines.len()];
        for row in &inputs.refault {
            cells[machine_index(&machines, row)] = (row.median_ns, row.p10_ns, row.p90_ns);
        }
        RefaultView { machines, cells }
    }
}

/// `litmus protocols` rows: per pair, writer count and window, each
/// machine's torn reads per second, beside the model's answer.
pub struct ProtocolView {
    pub machines: Vec<Vec<String>>,
    /// (reader, writer, writers, window), the model's cell, per machine.
    pub rows: Vec<([String; 4], String, Vec<Option<String>>)>,
}

impl ProtocolView {
    pub fn build(inputs: &Inputs) -> ProtocolView {
        let measured: Vec<&ProtocolRow> = inputs
            .protocols
            .iter()
            .filter(|r| !r.window.is_empty())
            .collect();
        let machines = machines(measured.iter().copied());
        let mut rows: Vec<([String; 4], String, Vec<Option<String>>)> = Vec::new();
        for row in measured {
            let writers = row.writers.map_or(String::new(), |w| w.to_string());
            let key = [
                row.reader.clone(),
                row.writer.clone(),
                writers,
                row.window.clone(),
            ];
            let m = machine_index(&machines, row);
            let index = match rows.iter().position(|(k, _, _)| *k == key) {
                Some(i) => i,
                None => {
                    rows.push((key, row.model.clone(), vec![None; machines.len()]));
                    rows.len() - 1
                }
            };
            // Judged again from the counts, as the litmus rows are, not
            // taken from the file's verdict column (`load` checked that a
            // measured row has its counts).
            let torn = row.torn.unwrap_or(0);
            let cell = match protocol::verdict(row.expected, torn) {
                Verdict::Unexpected => format!("UNEXPECTED {torn}"),
                _ if torn == 0 => "0".to_string(),
                _ => format!("{}/s", human_rate(row.torn_per_s.unwrap_or(f64::NAN))),
            };
            rows[index].2[m] = Some(cell);
        }
        ProtocolView { machines, rows }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn seen(witnesses: u64, expected: &str) -> Option<Seen> {
        Some(Seen {
            witnesses,
            seconds: 1.0,
            reads: 1_000_000,
            expected: Expect::from_name(expected).unwrap(),
            window_ns: None,
            turn_ns: None,
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
