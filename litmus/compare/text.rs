//! `litmus compare`'s tables, as aligned text or markdown: the answer per
//! machine, then a legend of the machines and one table per view with a
//! column per machine.

use super::Inputs;
use super::views::{BenchView, LitmusView, ProtocolView, RefaultView, Seen, disagree};
use crate::harness::window::nanos;
use crate::report::format::table;

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
        // What a kernel developer came for comes first.
        out.push_str(&super::answer::section(inputs, &view, markdown));
        litmus(&mut out, &view, markdown);
        if !view.narrowest().is_empty() {
            narrowest(&mut out, &view, markdown);
        }
    }
    if !inputs.bench.is_empty() {
        bench(&mut out, &BenchView::build(inputs), markdown);
    }
    if !inputs.refault.is_empty() {
        refault(&mut out, &RefaultView::build(inputs), markdown);
    }
    let protocols = ProtocolView::build(inputs);
    if !protocols.rows.is_empty() {
        protocol(&mut out, &protocols, markdown);
    }
    out
}

fn protocol(out: &mut String, view: &ProtocolView, markdown: bool) {
    let header = start_view(
        out,
        "Protocols: torn reads per second (litmus protocols)",
        &view.machines,
        &["reader", "writer", "writers", "window", "model"],
        markdown,
    );
    let rows: Vec<Vec<String>> = view
        .rows
        .iter()
        .map(|(key, model, cells)| {
            let mut row = key.to_vec();
            row.push(model.clone());
            row.extend(
                cells
                    .iter()
                    .map(|c| c.clone().unwrap_or_else(|| "-".into())),
            );
            row
        })
        .collect();
    out.push_str(&table(&header, &rows, markdown));
    out.push('\n');
}

fn litmus(out: &mut String, view: &LitmusView, markdown: bool) {
    let mut header = start_view(
        out,
        "Litmus tests",
        &view.machines,
        &["test", "strategy", "window", "expected"],
        markdown,
    );
    header.push("note".into());
    let rows: Vec<Vec<String>> = view
        .rows
        .iter()
        .map(|((test, strategy, window), cells)| {
            let expected = cells
                .iter()
                .flatten()
                .next()
                .map_or(String::new(), |s| s.expected.name().to_string());
            let mut row = vec![test.clone(), strategy.clone(), window.clone(), expected];
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

/// `78ns (1.5 turns)`, or `none to 12us` where the widest window tried
/// never tore.
fn narrowest_cell(seen: &Seen) -> String {
    let Some(ns) = seen.window_ns else {
        return "?".into();
    };
    let turns = seen.turn_ns.map_or(String::new(), |t| {
        format!(" ({:.1} turns)", ns / t.max(1e-9))
    });
    if seen.witnesses > 0 {
        format!("{}{turns}", nanos(ns))
    } else {
        format!("none to {}{turns}", nanos(ns))
    }
}

fn narrowest(out: &mut String, view: &LitmusView, markdown: bool) {
    let header = start_view(
        out,
        "Narrowest window that tears (--reader-window auto)",
        &view.machines,
        &["test", "strategy"],
        markdown,
    );
    let rows: Vec<Vec<String>> = view
        .narrowest()
        .into_iter()
        .map(|((test, strategy, _), cells)| {
            let mut row = vec![test.clone(), strategy.clone()];
            row.extend(
                cells
                    .iter()
                    .map(|c| c.as_ref().map_or("-".into(), narrowest_cell)),
            );
            row
        })
        .collect();
    out.push_str(&table(&header, &rows, markdown));
    out.push('\n');
}

fn bench(out: &mut String, view: &BenchView, markdown: bool) {
    let title = if markdown {
        "Benchmarks (TSC ticks per operation, core cycles, × split)"
    } else {
        "Benchmarks (TSC ticks per operation, core cycles, x split)"
    };
    let header = start_view(
        out,
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
                None => "-".into(),
                Some(f) => {
                    let cycles = f.cycles.map_or(String::new(), |c| format!(", {c:.2} cyc"));
                    let ratio = f.ratio.map_or(String::new(), |r| format!(", x{r:.3}"));
                    format!("{:.2}{cycles}{ratio}", f.ticks)
                }
            }));
            row
        })
        .collect();
    out.push_str(&table(&header, &rows, markdown));
    out.push('\n');
}

fn refault(out: &mut String, view: &RefaultView, markdown: bool) {
    let header = start_view(
        out,
        "The kernel's zap and refault of one page (median, 10%-90%)",
        &view.machines,
        &["cycle"],
        markdown,
    );
    let mut row = vec!["madvise(MADV_DONTNEED) + fault".to_string()];
    row.extend(
        view.cells
            .iter()
            .map(|(m, lo, hi)| format!("{} ({}-{})", nanos(*m), nanos(*lo), nanos(*hi))),
    );
    out.push_str(&table(&header, &[row], markdown));
}
