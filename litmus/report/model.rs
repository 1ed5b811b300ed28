//! `litmus model`: the model's search of one test as text.

use crate::catalog::Case;
use crate::judge::model_agrees;
use crate::model::{self, explore, explore_sc};
use std::fmt::Write as _;

/// `litmus model TEST`: every final state, the witness marked; with `why`,
/// a shortest interleaving that reaches it.
pub fn report(case: Case, why: bool) -> String {
    let program = model::program(case);
    let found = explore(&program);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} under x86-TSO (exhaustive, mixed-size)",
        program.title
    );
    for (t, code) in program.threads.iter().enumerate() {
        let steps: Vec<&str> = code.iter().map(|i| i.what.as_str()).collect();
        let _ = writeln!(out, "  {}: {}", program.thread_names[t], steps.join("; "));
    }
    let _ = writeln!(
        out,
        "States {} ({:.3} s); {} final state(s):",
        found.states,
        found.seconds,
        found.finals.len()
    );
    for f in &found.finals {
        let mark = if f.witness { "*>" } else { ": " };
        let _ = writeln!(out, "  {mark} {:<28} {}", f.label, f.detail);
    }
    if found.truncated {
        let _ = writeln!(
            out,
            "(stopped at {} states: the search is incomplete)",
            model::search::MAX_STATES
        );
    }
    if let model::Judge::Litmus { program: p, .. } = &program.judge {
        // herd7's summary line: final states where the condition's
        // proposition holds, and where it does not.
        let o = found.observation();
        let _ = writeln!(
            out,
            "Observation {} {} {} {}",
            p.name,
            o.word(),
            o.positive,
            o.negative
        );
    }
    let _ = match case.declared() {
        Some(declared) => writeln!(
            out,
            "Witness: {} (declared {}{})",
            found.verdict().name(),
            declared.name(),
            if model_agrees(declared, found.allows_witness()) {
                ", agrees"
            } else {
                ", DISAGREES"
            }
        ),
        None => writeln!(
            out,
            "Witness: {} (the file declares none)",
            found.verdict().name()
        ),
    };
    if why {
        let sc = explore_sc(&program);
        if sc.witness_trace.is_some() {
            let _ = writeln!(
                out,
                "\nThe witness needs no store buffering: an interleaving of whole instructions \
                 (sequential consistency) reaches it."
            );
        }
        let trace = sc.witness_trace.as_ref().or(found.witness_trace.as_ref());
        match trace {
            Some((lines, end)) => {
                let _ = writeln!(out, "\nA shortest interleaving to the witness:");
                for line in lines {
                    let _ = writeln!(out, "  {line}");
                }
                let _ = writeln!(out, "  => {}: {}", end.label, end.detail);
            }
            None => {
                let _ = writeln!(
                    out,
                    "\nNo interleaving reaches the witness: x86-TSO forbids it."
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Test;
    use pte_asm::strategy::ReadStrategy as S;

    #[test]
    fn the_aba_trace_is_the_seeds() {
        let test = Test::by_name("PTE-ABA").unwrap();
        let report = report(test.cases(&[S::Lowhigh])[0], true);
        let trace: Vec<&str> = report
            .lines()
            .skip_while(|l| !l.starts_with("A shortest"))
            .skip(1)
            .map(str::trim)
            .collect();
        assert_eq!(
            trace,
            [
                "A: read ptep->pte_low, sees 0x00010067",
                "B: zap: pte_low = 0",
                "B: zap: pte_high = 0",
                "B: install B: pte_high = 0x00010002",
                "A: read ptep->pte_high, sees 0x00010002",
                "B: install B: pte_low = 0x00020067",
                "B: zap: pte_low = 0",
                "B: zap: pte_high = 0",
                "B: install C: pte_high = 0x00010003",
                "B: install C: pte_low = 0x00010067",
                "A: read ptep->pte_low, sees 0x00010067",
                "A: pte_low unchanged: return",
                // The seed's 0x0001000200010000, with a present page's flags.
                "=> torn: read 0x0001000200010067; pte ends 0x0001000300010067",
            ]
        );
    }

    #[test]
    fn the_sb_trace_goes_through_the_store_buffer() {
        // The SB witness needs a store buffer, and the trace shows it.
        let trace = report(Test::by_name("SB").unwrap().cases(&[])[0], true);
        assert!(trace.contains("(into its store buffer)"), "{trace}");
    }
}
