//! Numbers and tables as the reports print them.

use crate::harness::Budget;

/// `2.50M`, `7.2k`, `16.7`: a rate, short.
pub fn human_rate(rate: f64) -> String {
    match rate {
        r if r >= 1e6 => format!("{:.2}M", r / 1e6),
        r if r >= 1e3 => format!("{:.1}k", r / 1e3),
        r => format!("{r:.1}"),
    }
}

/// `20000 iterations`, `1.000 s`: a run's budget.
pub fn describe_budget(budget: Budget) -> String {
    match budget {
        Budget::Iterations(n) => format!("{n} iterations"),
        Budget::Duration(d) => format!("{:.3} s", d.as_secs_f64()),
    }
}

/// A table as aligned text or as markdown (for a mailing-list reply).
pub fn table(header: &[String], rows: &[Vec<String>], markdown: bool) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_short() {
        assert_eq!(human_rate(2_500_000.0), "2.50M");
        assert_eq!(human_rate(7_240.0), "7.2k");
        assert_eq!(human_rate(16.66), "16.7");
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
