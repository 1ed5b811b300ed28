//! `litmus compare --plot`: the read costs and the PTE-ABA sweep as SVG.

use super::Inputs;
use super::views::{BenchCell, BenchKey, BenchView, LitmusView};
use crate::error::Error;
use plotters::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

/// Two charts in one SVG: the `read` cost per strategy as grouped bars per
/// machine, and `PTE-ABA` torn reads per second against the window in ns.
pub fn plot(inputs: &Inputs, path: &Path) -> Result<(), Error> {
    draw(inputs, path).map_err(Error::BadInput)
}

fn draw(inputs: &Inputs, path: &Path) -> Result<(), String> {
    let shown = path.display();
    let root = SVGBackend::new(path, (1200, 900)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| format!("{shown}: {e}"))?;
    let (top, bottom) = root.split_vertically(450);
    let draw = |e: &dyn std::fmt::Display| format!("cannot draw {shown}: {e}");
    read_costs(&top, inputs).map_err(|e| draw(&e))?;
    sweep(&bottom, inputs).map_err(|e| draw(&e))?;
    root.present().map_err(|e| draw(&e))
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;
type DrawResult<'a> =
    Result<(), DrawingAreaErrorKind<<SVGBackend<'a> as DrawingBackend>::ErrorType>>;

/// Bars: read cost (log scale) per strategy, one bar per machine.
fn read_costs<'a>(area: &Area<'a>, inputs: &Inputs) -> DrawResult<'a> {
    let bench = BenchView::build(inputs);
    let reads: Vec<&(BenchKey, Vec<BenchCell>)> = bench
        .rows
        .iter()
        .filter(|((b, _, _), _)| b == "read")
        .collect();
    let machines = bench.machines.len().max(1);
    let max = reads
        .iter()
        .flat_map(|(_, c)| c.iter().flatten().map(|f| f.ticks))
        .fold(1.0, f64::max);
    let mut chart = ChartBuilder::on(area)
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
        )?;
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
        .draw()?;
    for m in 0..machines {
        let color = Palette99::pick(m).to_rgba();
        let width = 0.8 / machines as f64;
        let bars = reads.iter().enumerate().filter_map(|(i, (_, cells))| {
            let value = &cells.get(m)?.as_ref()?.ticks;
            let x0 = i as f64 + 0.1 + m as f64 * width;
            Some(Rectangle::new(
                [(x0, 0.1), (x0 + width, *value)],
                color.filled(),
            ))
        });
        chart
            .draw_series(bars)?
            .label(format!("M{}", m + 1))
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled()));
    }
    chart.configure_series_labels().border_style(BLACK).draw()
}

/// Lines: PTE-ABA torn reads per second against the reader's window in
/// nanoseconds, as each machine measured it (rows from before windows were
/// measured have no place on this axis and are left out).
fn sweep<'a>(area: &Area<'a>, inputs: &Inputs) -> DrawResult<'a> {
    let litmus = LitmusView::build(inputs);
    let mut series: BTreeMap<(usize, String), Vec<(f64, f64)>> = BTreeMap::new();
    for ((test, strategy, _), cells) in &litmus.rows {
        if test != "PTE-ABA" {
            continue;
        }
        for (m, cell) in cells.iter().enumerate() {
            if let Some(s) = cell
                && let Some(ns) = s.window_ns
            {
                series
                    .entry((m, strategy.clone()))
                    .or_default()
                    .push((ns + 1.0, s.rate() + 1.0));
            }
        }
    }
    let max_x = series.values().flatten().map(|p| p.0).fold(10.0, f64::max);
    let max_y = series.values().flatten().map(|p| p.1).fold(10.0, f64::max);
    let mut chart = ChartBuilder::on(area)
        .caption(
            "PTE-ABA: torn reads per second + 1 against the reader's window + 1 ns (log-log)",
            ("sans-serif", 20),
        )
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(
            (1f64..max_x * 2.0).log_scale(),
            (1f64..max_y * 2.0).log_scale(),
        )?;
    chart
        .configure_mesh()
        .x_desc("window after each load + 1 (ns)")
        .y_desc("torn/s + 1")
        .draw()?;
    for (i, ((m, strategy), mut points)) in series.into_iter().enumerate() {
        if points.len() < 2 {
            continue;
        }
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        let color = Palette99::pick(i).to_rgba();
        chart
            .draw_series(LineSeries::new(points, color.stroke_width(2)))?
            .label(format!("M{} {strategy}", m + 1))
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 15, y)], color.stroke_width(2)));
    }
    chart.configure_series_labels().border_style(BLACK).draw()
}
