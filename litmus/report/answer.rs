//! The answer a kernel developer runs the suite for, in a few lines: for
//! each read strategy, whether the seed's race (`PTE-ABA`, `PTE-ABA3`) and
//! Jason's ordering claim (`PTE-MP`) tore it here, whether x86-TSO allows
//! that, what the read costs in core cycles, and so whether it is safe for
//! `ptep_get_lockless()` on this machine.
//!
//! Built from what was observed per (test, strategy), over every window
//! run, so `litmus run` (from its runs) and `litmus compare` (from CSV rows)
//! print the same table.

use super::format::{human_rate, table};
use super::rows::BenchRow;
use crate::harness::price::{self, Price};
use crate::harness::window::nanos;
use crate::judge::safety::{self, Evidence, Safety};
use crate::judge::{Expect, Verdict, judge};
use pte_asm::strategy::ReadStrategy;

/// The tests the answer is about, with the heading of their column.
pub const QUESTIONS: [(&str, &str); 3] = [
    ("PTE-ABA", "PTE-ABA (the seed's race)"),
    ("PTE-ABA3", "PTE-ABA3 (three writers)"),
    ("PTE-MP", "PTE-MP (Jason's order)"),
];

/// The one-writer tests the LKMM lets `strategy`'s C form tear, or `None`
/// when it has none.
fn lkmm_tears(strategy: &str) -> Option<&'static [&'static str]> {
    crate::model::herd::lkmm::pte::tears()
        .iter()
        .find(|(s, _)| s.name() == strategy)
        .map(|(_, torn)| torn.as_slice())
}

/// The test whose witness is a PTE the reader's write-back destroyed.
pub const LOST: &str = "PTE-LOST";

/// One finished run of a PTE test with one strategy at one window.
#[derive(Clone, Debug, PartialEq)]
pub struct Observed {
    pub test: String,
    pub strategy: String,
    pub expect: Expect,
    pub witnesses: u64,
    pub reads: u64,
    pub seconds: f64,
    /// The reader's window in ns (`None`: not measured, as in older CSVs).
    pub window_ns: Option<f64>,
}

/// Core cycles per read, per strategy, and where the figures come from.
#[derive(Clone, Debug, PartialEq)]
pub struct Prices {
    /// `target/criterion/x86_64-unknown-linux-gnu (cargo bench, AMD EPYC)`.
    pub source: String,
    pub cycles: Vec<(String, f64)>,
    /// The range of the timings each median is of, where the figures were
    /// measured by the run itself ([`Prices::measured`]); empty for a
    /// benchmark's.
    pub ranges: Vec<(String, (f64, f64))>,
}

impl Prices {
    /// The prices bench-report rows give: one read of each strategy is
    /// the `read` group's row without a parameter, with core cycles.
    /// `source` names them, given the commit of the first row used.
    /// `None`: no such row.
    pub fn from_rows<'r>(
        source: impl FnOnce(&str) -> String,
        rows: impl Iterator<Item = &'r BenchRow>,
    ) -> Option<Prices> {
        let used: Vec<(&BenchRow, f64)> = rows
            .filter(|r| r.bench == "read" && r.param == "-")
            .filter_map(|r| Some((r, r.core_cycles_per_op?)))
            .collect();
        let (first, _) = used.first()?;
        Some(Prices {
            source: source(&first.machine.commit),
            cycles: used
                .iter()
                .map(|(r, cycles)| (r.strategy.clone(), *cycles))
                .collect(),
            ranges: Vec::new(),
        })
    }

    /// Prices the run measured itself (`harness::price`), per strategy,
    /// on `core`.
    pub fn measured(prices: &[(String, Price)], core: usize) -> Prices {
        Prices {
            source: format!(
                "this run (core {core}; the `read` benchmark's method, median of {} timings of {} \
                 reads each, their range in brackets)",
                price::SAMPLES,
                price::READS
            ),
            cycles: prices.iter().map(|(s, p)| (s.clone(), p.median)).collect(),
            ranges: prices
                .iter()
                .map(|(s, p)| (s.clone(), (p.low, p.high)))
                .collect(),
        }
    }

    /// The core-cycles cell of `strategy`: `1.01`, or `1.01 (0.98-1.05)`
    /// with the range of a measured price.
    fn cell(&self, strategy: &str) -> Option<String> {
        let median = self.of(strategy)?;
        Some(match self.ranges.iter().find(|(s, _)| s == strategy) {
            Some((_, (low, high))) => format!("{median:.2} ({low:.2}-{high:.2})"),
            None => format!("{median:.2}"),
        })
    }

    fn of(&self, strategy: &str) -> Option<f64> {
        self.cycles
            .iter()
            .find(|(s, _)| s == strategy)
            .map(|(_, c)| *c)
    }
}

/// What one (test, strategy) came to over all its windows.
#[derive(Clone, Debug, PartialEq)]
struct Tally {
    expect: Expect,
    witnesses: u64,
    reads: u64,
    /// The narrowest window that tore, with the rate at it.
    narrowest: Option<(f64, f64)>,
}

impl Tally {
    fn of(observed: &[Observed], test: &str, strategy: &str) -> Option<Tally> {
        let runs: Vec<&Observed> = observed
            .iter()
            .filter(|o| o.test == test && o.strategy == strategy)
            .collect();
        let first = runs.first()?;
        let narrowest = runs
            .iter()
            .filter(|o| o.witnesses > 0)
            .map(|o| {
                (
                    o.window_ns.unwrap_or(f64::NAN),
                    o.witnesses as f64 / o.seconds.max(1e-9),
                )
            })
            .min_by(|a, b| a.0.total_cmp(&b.0));
        Some(Tally {
            expect: first.expect,
            witnesses: runs.iter().map(|o| o.witnesses).sum(),
            reads: runs.iter().map(|o| o.reads).sum(),
            narrowest,
        })
    }

    fn verdict(&self) -> Verdict {
        judge(self.expect, self.witnesses)
    }

    /// `tears: 5.0k/s at 578 ns`, `never in 14.2M reads`, and where x86-TSO
    /// forbids what was seen, `FORBIDDEN and seen: 3`.
    fn cell(&self) -> String {
        match (self.verdict(), self.narrowest) {
            (Verdict::Unexpected, _) => format!("FORBIDDEN and seen: {}", self.witnesses),
            (_, Some((ns, rate))) if ns.is_nan() => format!("tears: {}/s", human_rate(rate)),
            (_, Some((0.0, rate))) => format!("tears: {}/s with no window", human_rate(rate)),
            (_, Some((ns, rate))) => format!("tears: {}/s at {}", human_rate(rate), nanos(ns)),
            (_, None) => format!("never in {} reads", count(self.reads)),
        }
    }
}

/// `14.2M`, `980k`, `512`: a count, short.
fn count(n: u64) -> String {
    match n {
        n if n >= 10_000_000 => format!("{:.0}M", n as f64 / 1e6),
        n if n >= 1_000_000 => format!("{:.1}M", n as f64 / 1e6),
        n if n >= 10_000 => format!("{:.0}k", n as f64 / 1e3),
        n => n.to_string(),
    }
}

/// The short name of a question test in the model column: `ABA`, `MP`.
fn short(test: &str) -> &str {
    test.strip_prefix("PTE-").unwrap_or(test)
}

/// Whether a read is safe for `ptep_get_lockless()` here, by the judge's
/// rule ([`safety::safety`]).
fn safety(tallies: &[Option<Tally>], lost: Option<&Tally>) -> Safety {
    let evidence = |t: &Tally| Evidence {
        expect: t.expect,
        witnesses: t.witnesses,
    };
    let questions: Vec<Evidence> = tallies.iter().flatten().map(evidence).collect();
    safety::safety(&questions, lost.map(evidence))
}

/// The answer table, one row per strategy that ran (in the order of
/// `observed`), as aligned text or markdown; then what its figures mean.
pub fn answer(observed: &[Observed], prices: Option<&Prices>, markdown: bool) -> String {
    answer_titled(observed, prices, markdown, HEADING, true)
}

/// The answer's heading in `litmus run`.
pub const HEADING: &str = "Which reads of a 64-bit PTE stay whole against the kernel's writer \
                           (set_pte: high, smp_wmb(), low; pte_clear: low = 0, smp_wmb(), high = 0)";

/// As [`answer`], under `title`, with or without the notes on what the
/// figures mean (`litmus compare` prints them once, after every machine).
pub fn answer_titled(
    observed: &[Observed],
    prices: Option<&Prices>,
    markdown: bool,
    title: &str,
    notes: bool,
) -> String {
    let mut header: Vec<String> = vec!["read".into()];
    header.extend(QUESTIONS.iter().map(|(_, h)| h.to_string()));
    header.extend(
        [
            "x86-TSO lets it tear",
            "LKMM lets it tear (mips, sh)",
            "core cycles",
            "for ptep_get_lockless()",
        ]
        .map(String::from),
    );
    // One row per strategy, in the order the runs came.
    let mut strategies: Vec<&str> = Vec::new();
    for o in observed {
        if !strategies.contains(&o.strategy.as_str()) {
            strategies.push(&o.strategy);
        }
    }
    let mut rows = Vec::new();
    let (mut safe, mut unsafe_) = (Vec::new(), Vec::new());
    let (mut lkmm_whole, mut lkmm_torn) = (Vec::new(), Vec::new());
    for strategy in strategies {
        let tallies: Vec<Option<Tally>> = QUESTIONS
            .iter()
            .map(|(test, _)| Tally::of(observed, test, strategy))
            .collect();
        let lost = Tally::of(observed, LOST, strategy);
        if tallies.iter().all(Option::is_none) && lost.is_none() {
            continue;
        }
        let mut row = vec![strategy.to_string()];
        row.extend(
            tallies
                .iter()
                .map(|t| t.as_ref().map_or("-".into(), Tally::cell)),
        );
        let allowed: Vec<&str> = QUESTIONS
            .iter()
            .zip(&tallies)
            .chain(std::iter::once((&(LOST, LOST), &lost)))
            .filter(|(_, t)| t.as_ref().is_some_and(|t| t.expect == Expect::Allowed))
            .map(|((test, _), _)| short(test))
            .collect();
        row.push(if allowed.is_empty() {
            "never".into()
        } else {
            allowed.join(" ")
        });
        row.push(match lkmm_tears(strategy) {
            None => "-".into(),
            Some([]) => {
                lkmm_whole.push(strategy);
                "never".into()
            }
            Some(torn) => {
                lkmm_torn.push(strategy);
                QUESTIONS
                    .iter()
                    .map(|(test, _)| *test)
                    .chain([LOST])
                    .filter(|test| torn.contains(test))
                    .map(short)
                    .collect::<Vec<_>>()
                    .join(" ")
            }
        });
        row.push(
            prices
                .and_then(|p| p.cell(strategy))
                .unwrap_or_else(|| "-".into()),
        );
        let said = safety(&tallies, lost.as_ref());
        match said {
            // One 8-byte load of a 64-bit kernel: the lower bound, no PAE read.
            _ if strategy == ReadStrategy::Native64.name() => {}
            Safety::Safe => safe.push(strategy),
            Safety::NotRun => {}
            _ => unsafe_.push(strategy),
        }
        row.push(said.words().into());
        rows.push(row);
    }
    if rows.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    out.push_str(&if markdown {
        format!("### {title}\n\n")
    } else {
        format!("{title}\n\n")
    });
    out.push_str(&table(&header, &rows, markdown));
    out.push('\n');
    let list = |names: &[&str]| {
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    };
    out.push_str(&format!(
        "In the kernel's words: on this machine ptep_get_lockless() may read a PAE PTE with {}; \
         not with {}.\n\n",
        list(&safe),
        list(&unsafe_)
    ));
    if !lkmm_whole.is_empty() || !lkmm_torn.is_empty() {
        out.push_str(&format!(
            "By the kernel's memory model, on every architecture (mips32 and sh have no 64-bit \
             atomic load): ptep_get_lockless() may read a PTE with {}; not with {}.\n\n",
            list(&lkmm_whole),
            list(&lkmm_torn)
        ));
    }
    if notes {
        out.push_str(&answer_notes(prices.map(|p| p.source.as_str()), markdown));
    }
    out
}

/// What the answer's figures mean; `prices_from`: where its core cycles
/// came from, if any.
pub fn answer_notes(prices_from: Option<&str>, markdown: bool) -> String {
    let mut out = String::new();
    let notes = [
        "tears: torn reads per second at the narrowest window that tore (the reader's stall \
         after each load); never: no torn read in that many reads, over every window run."
            .to_string(),
        "x86-TSO lets it tear: the tests whose torn (or, LOST, destroyed) PTE the exhaustive \
         model reaches for that read; `litmus model TEST --why` shows how. seqcount reads \
         against the kernel's seqcount writer."
            .to_string(),
        "LKMM lets it tear: the one-writer tests (ABA, MP, LOST) whose torn (or destroyed) PTE the \
         Linux-kernel memory model allows for the read's C form (`litmus export --lkmm` \
         writes them; `litmus model FILE --why` shows how); ABA3's three writers are beyond \
         the model; `-`: no C form (an 8-byte load, lfence). The 2022 code's plain loads are \
         PTE-ABA+lowhigh+plain there."
            .to_string(),
        match prices_from {
            Some(source) => format!("core cycles: one read, median, from {source}."),
            None => "core cycles: no benchmark of this build at hand; `cargo bench --bench \
                     pte_read -- read` measures them (this run then shows them), or \
                     `--bench-csv results/bench.csv` shows the committed ones of another day."
                .to_string(),
        },
    ];
    for note in notes {
        out.push_str(&if markdown {
            format!("- {note}\n")
        } else {
            format!("  {note}\n")
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(test: &str, strategy: &str, expect: Expect, witnesses: u64, window_ns: f64) -> Observed {
        Observed {
            test: test.into(),
            strategy: strategy.into(),
            expect,
            witnesses,
            reads: 1_000_000,
            seconds: 1.0,
            window_ns: Some(window_ns),
        }
    }

    fn row<'a>(text: &'a str, strategy: &str) -> &'a str {
        text.lines()
            .find(|l| l.starts_with(&format!("{strategy} ")))
            .unwrap_or_else(|| panic!("no {strategy} row in {text}"))
    }

    #[test]
    fn native64_is_judged_but_not_offered_as_a_pae_read() {
        use Expect::Forbidden;
        let observed = vec![
            run("PTE-ABA", "native64", Forbidden, 0, 0.0),
            run("PTE-ABA", "cmpxchg8b", Forbidden, 0, 0.0),
        ];
        let text = answer(&observed, None, false);
        assert!(row(&text, "native64").ends_with("safe: whole here, and x86-TSO forbids a tear"));
        assert!(
            text.contains("may read a PAE PTE with cmpxchg8b; not with none."),
            "{text}"
        );
    }

    #[test]
    fn each_read_says_whether_it_tore_where_and_whether_it_is_safe() {
        use Expect::{Allowed, Forbidden};
        let observed = vec![
            run("PTE-ABA", "lowhigh", Allowed, 0, 0.0),
            run("PTE-ABA", "lowhigh", Allowed, 5000, 578.0),
            run("PTE-ABA3", "lowhigh", Allowed, 0, 552.0),
            run("PTE-MP", "lowhigh", Forbidden, 0, 105.0),
            run("PTE-LOST", "lowhigh", Forbidden, 0, 0.0),
            run("PTE-ABA", "cmpxchg8b", Forbidden, 0, 0.0),
            run("PTE-ABA", "cmpxchg8b", Forbidden, 0, 578.0),
            run("PTE-MP", "cmpxchg8b", Forbidden, 0, 0.0),
            run("PTE-ABA", "fild", Forbidden, 3, 0.0),
            run("PTE-ABA", "cmpxchg8b-nolock", Allowed, 0, 0.0),
            run("PTE-LOST", "cmpxchg8b-nolock", Allowed, 12, 0.0),
        ];
        let prices = Prices {
            source: "a test".into(),
            cycles: vec![("lowhigh".into(), 1.01)],
            ranges: Vec::new(),
        };
        let text = answer(&observed, Some(&prices), false);
        let lowhigh = row(&text, "lowhigh");
        assert!(lowhigh.contains("tears: 5.0k/s at 578ns"), "{lowhigh}");
        assert!(lowhigh.contains("never in 1.0M reads"), "{lowhigh}");
        assert!(
            lowhigh.contains("ABA ABA3 ") && lowhigh.contains("1.01"),
            "{lowhigh}"
        );
        assert!(lowhigh.ends_with("unsafe: tore here"), "{lowhigh}");
        let cmpxchg8b = row(&text, "cmpxchg8b");
        assert!(cmpxchg8b.contains("never in 2.0M reads"), "{cmpxchg8b}");
        assert!(cmpxchg8b.ends_with("safe: whole here, and x86-TSO forbids a tear"));
        assert!(row(&text, "fild").contains("FORBIDDEN and seen: 3"));
        assert!(row(&text, "fild").ends_with("BROKEN: x86-TSO forbids what was seen"));
        assert!(row(&text, "cmpxchg8b-nolock").ends_with("can destroy the writer's PTE"));
        assert!(
            !text.contains("\nseqcount"),
            "a strategy that did not run has no row"
        );
        assert!(text.contains("from a test."));
        assert!(
            text.contains(
                "may read a PAE PTE with cmpxchg8b; not with lowhigh, fild, cmpxchg8b-nolock."
            ),
            "{text}"
        );
    }

    #[test]
    fn a_price_the_run_measured_shows_its_range() {
        let observed = vec![run("PTE-ABA", "seqcount", Expect::Forbidden, 0, 0.0)];
        let measured = Price {
            median: 2.1,
            low: 2.04,
            high: 2.5,
        };
        let prices = Prices::measured(&[("seqcount".into(), measured)], 0);
        let text = answer(&observed, Some(&prices), false);
        assert!(
            row(&text, "seqcount").contains(" 2.10 (2.04-2.50) "),
            "{text}"
        );
        assert!(text.contains("from this run (core 0;"), "{text}");
    }

    #[test]
    fn an_allowed_tear_never_seen_is_not_called_safe() {
        let observed = vec![run("PTE-ABA3", "lowhigh", Expect::Allowed, 0, 0.0)];
        let text = answer(&observed, None, true);
        assert!(text.contains("| lowhigh | - | never in 1.0M reads | - | ABA3 | ABA | - | unsafe: x86-TSO lets it tear (not seen here) |"), "{text}");
        // The LKMM's column is the model's, whatever ran: lowhigh's C form
        // tears on PTE-ABA (the seed's race), and mips and sh are told so.
        assert!(
            text.contains("memory model, on every architecture (mips32 and sh have no 64-bit atomic load): ptep_get_lockless() may read a PTE with none; not with lowhigh."),
            "{text}"
        );
        assert!(text.contains("cargo bench --bench pte_read -- read"));
    }

    #[test]
    fn counts_are_short() {
        assert_eq!(count(512), "512");
        assert_eq!(count(980_000), "980k");
        assert_eq!(count(1_420_000), "1.4M");
        assert_eq!(count(14_200_000), "14M");
    }
}
