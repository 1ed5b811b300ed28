//! What `litmus protocols` prints and writes: the matrix of the model's
//! answers (readers down, writers across), the hardware's torn reads per
//! second beside it, the traces (`--why`) and the CSV rows.

use super::format::{human_rate, table};
use super::machine::Machine;
use super::rows::ProtocolRow;
use crate::catalog::protocol::{Reader, Writer};
use crate::judge::{self, Expect, Verdict};
use crate::model::protocol::Answer;

/// One hardware run of a pair: a writer count and a window.
#[derive(Clone, Debug)]
pub struct Measured {
    pub reader: Reader,
    pub writer: Writer,
    pub writers: usize,
    /// The window as asked (`0`, `1turns`), and in ns.
    pub window: String,
    pub window_ns: f64,
    pub writer_turn_ns: f64,
    pub reads: u64,
    pub seconds: f64,
    pub torn: u64,
    pub absent: u64,
    /// Torn reads that took longer than the model's bound of cycles (not
    /// held against it; counted only for pairs it finds whole).
    pub stalled: u64,
}

impl Measured {
    pub fn torn_per_s(&self) -> f64 {
        self.torn as f64 / self.seconds.max(1e-9)
    }
}

/// What the model's answer means for a hardware run: a torn read is
/// allowed where the model found one within the bound, forbidden where it
/// found none (the run's windows are far narrower than the bound's
/// cycles: see `litmus protocols --help`).
pub fn expectation(answer: &Answer) -> Expect {
    judge::protocol::expectation(answer.torn.is_some())
}

/// A run's verdict, by the judge's rule ([`judge::protocol`]).
pub fn verdict(answer: &Answer, m: &Measured) -> Verdict {
    judge::protocol::verdict(expectation(answer), m.torn)
}

fn find(answers: &[Answer], reader: Reader, writer: Writer) -> Option<&Answer> {
    answers
        .iter()
        .find(|a| a.pair.reader == reader && a.pair.writer == writer)
}

/// The model's matrix: readers down, writers across; a cell is the fewest
/// zap+install cycles inside one read that tear it (in brackets, when
/// more, the fewest for a torn PTE made of two installed PTEs' halves), or
/// `whole <= K`.
pub fn model_matrix(answers: &[Answer], markdown: bool) -> String {
    let readers = distinct(answers.iter().map(|a| a.pair.reader));
    let writers = distinct(answers.iter().map(|a| a.pair.writer));
    let mut header = vec!["reader \\ writer".to_string()];
    header.extend(writers.iter().map(|w| w.name().to_string()));
    let rows: Vec<Vec<String>> = readers
        .iter()
        .map(|&r| {
            let mut row = vec![r.name().to_string()];
            row.extend(
                writers
                    .iter()
                    .map(|&w| find(answers, r, w).map_or("-".to_string(), Answer::cell)),
            );
            row
        })
        .collect();
    table(&header, &rows, markdown)
}

/// The hardware's matrix: per cell, torn reads per second at each window
/// (`/` between windows, narrowest first), `UNEXPECTED` marking a torn
/// read the model says cannot happen, for one writer count.
pub fn hardware_matrix(
    answers: &[Answer],
    measured: &[Measured],
    writers: usize,
    markdown: bool,
) -> String {
    let runs: Vec<&Measured> = measured.iter().filter(|m| m.writers == writers).collect();
    let readers = distinct(runs.iter().map(|m| m.reader));
    let columns = distinct(runs.iter().map(|m| m.writer));
    let mut header = vec!["reader \\ writer".to_string()];
    header.extend(columns.iter().map(|w| w.name().to_string()));
    let rows: Vec<Vec<String>> = readers
        .iter()
        .map(|&r| {
            let mut row = vec![r.name().to_string()];
            row.extend(columns.iter().map(|&w| {
                let cell: Vec<String> = runs
                    .iter()
                    .filter(|m| m.reader == r && m.writer == w)
                    .map(|m| {
                        let mut rate = if m.torn == 0 {
                            "0".to_string()
                        } else {
                            human_rate(m.torn_per_s())
                        };
                        if m.stalled > 0 {
                            rate.push('*');
                        }
                        match find(answers, r, w).map(|a| verdict(a, m)) {
                            Some(Verdict::Unexpected) => format!("{rate} UNEXPECTED"),
                            _ => rate,
                        }
                    })
                    .collect();
                if cell.is_empty() {
                    "-".to_string()
                } else {
                    cell.join(" / ")
                }
            }));
            row
        })
        .collect();
    table(&header, &rows, markdown)
}

/// `--why`: each pair's shortest torn read, in the seed's style.
pub fn why(answer: &Answer) -> String {
    let mut out = format!("=== {}: ", answer.pair.name());
    match (&answer.torn, &answer.from_installs) {
        (None, _) => out.push_str(&format!(
            "whole: no torn read with up to {} zap+install cycles inside it\n",
            answer.bound
        )),
        (Some(t), from) => {
            out.push_str(&format!("torn with {} cycle(s)\n", t.cycles));
            for line in &t.trace {
                out.push_str(&format!("  {line}\n"));
            }
            if let Some(f) = from.as_ref().filter(|f| *f != t) {
                out.push_str(&format!(
                    "  torn with both halves from installed PTEs: {} cycle{}\n",
                    f.cycles,
                    if f.cycles == 1 { "" } else { "s" }
                ));
                for line in &f.trace {
                    out.push_str(&format!("  {line}\n"));
                }
            }
        }
    }
    out
}

/// The CSV rows of one invocation: each measured run with its pair's
/// answer, and (model only) one row per pair with the hardware columns
/// empty.
pub fn csv_rows(
    run_id: &str,
    timestamp: &str,
    machine: &Machine,
    cores: &str,
    answers: &[Answer],
    measured: &[Measured],
) -> Vec<ProtocolRow> {
    let model = |a: &Answer| ProtocolRow {
        run_id: run_id.to_string(),
        timestamp: timestamp.to_string(),
        machine: machine.clone(),
        cores: cores.to_string(),
        reader: a.pair.reader.name().to_string(),
        writer: a.pair.writer.name().to_string(),
        bound: a.bound,
        model: a.cell(),
        model_cycles: a.torn.as_ref().map(|w| w.cycles),
        model_cycles_from_installs: a.from_installs.as_ref().map(|w| w.cycles),
        expected: expectation(a),
        ..ProtocolRow::default()
    };
    if measured.is_empty() {
        return answers.iter().map(model).collect();
    }
    measured
        .iter()
        .filter_map(|m| {
            let a = find(answers, m.reader, m.writer)?;
            Some(ProtocolRow {
                writers: Some(m.writers),
                window: m.window.clone(),
                window_ns: Some(m.window_ns),
                writer_turn_ns: Some(m.writer_turn_ns),
                reads: Some(m.reads),
                seconds: Some(m.seconds),
                torn: Some(m.torn),
                absent: Some(m.absent),
                torn_stalled: Some(m.stalled),
                torn_per_s: Some(m.torn_per_s()),
                verdict: Some(verdict(a, m)),
                ..model(a)
            })
        })
        .collect()
}

fn distinct<T: PartialEq + Copy>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut out = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::protocol::Pair;
    use crate::model::protocol::answer;

    #[test]
    fn the_matrix_has_a_row_per_reader_and_a_column_per_writer() {
        let answers: Vec<Answer> = [Reader::Lowhigh, Reader::Seqcount]
            .iter()
            .flat_map(|&reader| {
                [Writer::Kernel, Writer::Seqcount].map(|writer| answer(Pair { reader, writer }, 8))
            })
            .collect();
        let text = model_matrix(&answers, true);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "| reader \\ writer | kernel | seqcount |");
        assert_eq!(lines[2], "| lowhigh | 1 (2) | 1 (2) |");
        assert_eq!(lines[3], "| seqcount | 1 | whole <= 8 |");
    }

    #[test]
    fn a_torn_read_the_model_rules_out_is_unexpected() {
        let whole = answer(
            Pair {
                reader: Reader::Seqcount,
                writer: Writer::Seqcount,
            },
            8,
        );
        let run = |torn| Measured {
            reader: Reader::Seqcount,
            writer: Writer::Seqcount,
            writers: 1,
            window: "0".into(),
            window_ns: 0.0,
            writer_turn_ns: 50.0,
            reads: 1000,
            seconds: 1.0,
            torn,
            absent: 0,
            stalled: 0,
        };
        assert_eq!(verdict(&whole, &run(0)), Verdict::Ok);
        assert_eq!(verdict(&whole, &run(1)), Verdict::Unexpected);
        let m = hardware_matrix(&[whole], &[run(3)], 1, false);
        assert!(m.contains("3.0 UNEXPECTED"), "{m}");
    }
}
