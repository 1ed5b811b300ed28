//! The protocols' matrix under the LKMM (`litmus protocols --model lkmm`):
//! for each reader with a C form against each writer, the fewest
//! zap+install cycles inside one read after which the kernel's memory
//! model lets the read return a PTE never installed, whatever the
//! installs; the question x86-TSO's search ([`crate::model::protocol`])
//! answers for x86, asked of mips32 and sh's model.
//!
//! Why one C test per cycle count answers for every choice of installs:
//! the reader and the writer are straight-line code (the retry loop is the
//! recheck, judged afterwards), so which stores each load may read under
//! the LKMM does not depend on the values stored; the axioms of
//! `linux-kernel.cat` look at events and relations, never at values. The
//! test installs distinct halves (install `k` stores `k + 1` in each word,
//! a zap 0), so each final state names the store every load read, and
//! the model's states are every combination the LKMM allows. Each is then
//! judged as the x86 search judges a path ([`judge_read`]): the adversary
//! makes two halves equal where a recheck needs it, within what the
//! writer allows (a present low half is never zero; the generation
//! writer's lows differ within 8 installs), and the read is torn when its
//! halves match no install.

use super::code::{self, CRead};
use super::protocol::{c_read, c_writer, writer_body};
use super::{Draft, Thread, result_words, text};
use crate::catalog::file::c::ast::Observable;
use crate::catalog::file::c::from_text;
use crate::catalog::protocol::Pair;
use crate::model::herd::Litmus;
use crate::model::lkmm::{self, execution::Val};
use crate::model::protocol::{Answer, Half, judge_read};

/// The LKMM's answer for a pair, and the C tests it judged to find it.
pub struct Judged {
    pub answer: Answer,
    /// One per cycle count tried (`litmus protocols --c-tests DIR` writes
    /// them, for herd7 to judge the same files).
    pub tests: Vec<Litmus>,
}

/// The LKMM's answer for `pair`, trying 1 to `bound` cycles; `Err` when
/// the reader has no C form (why), or the model cannot judge the test.
pub fn answer(pair: Pair, bound: u32) -> Result<Judged, String> {
    let mut torn = None;
    let mut from_installs = None;
    let mut tests = Vec::new();
    let read = c_read(pair.reader)?;
    for cycles in 1..=bound {
        if torn.is_some() && from_installs.is_some() {
            break;
        }
        let (states, test) = reads(pair, &read, cycles)?;
        tests.push(test);
        for loaded in states {
            if torn.is_none() {
                torn = judge_read(pair, cycles, &loaded, false);
            }
            if from_installs.is_none() {
                from_installs = judge_read(pair, cycles, &loaded, true);
            }
        }
    }
    Ok(Judged {
        answer: Answer {
            pair,
            bound,
            torn,
            from_installs,
        },
        tests,
    })
}

/// Every tuple of values the reader's loads may return under the LKMM,
/// in load order, while the writer makes `cycles` cycles of distinct
/// installs; and the test that asked.
fn reads(pair: Pair, read: &CRead, cycles: u32) -> Result<(Vec<Vec<Half>>, Litmus), String> {
    let writer = c_writer(pair.writer);
    let installs: Vec<(u32, u32)> = (1..=cycles + 1).map(|s| (s, s)).collect();
    let (body, _, seq) = writer_body(writer, &installs);
    // Every register in the condition, so that every one is observed.
    let observed: Vec<String> = read.locals.iter().map(|r| format!("0:{r}=0")).collect();
    let name = format!(
        "PTE-PROTOCOL+{}+{}+{cycles}",
        pair.reader.name(),
        pair.writer.name()
    );
    let draft = Draft {
        name: name.clone(),
        asks: format!(
            "Which stores may the {} reader's loads read while the {} writer makes {cycles} \
             zap+install cycle{}, each install storing its own number in both halves (the \
             first PTE 1, a zap 0)?",
            pair.reader.name(),
            pair.writer.name(),
            if cycles == 1 { "" } else { "s" }
        ),
        note: "Written by pte-litmus `litmus protocols --model lkmm --c-tests DIR`: every \
               final state is a combination of stores the loads may read, each judged \
               afterwards as a read that may tear."
            .into(),
        init: vec![("pte_low", 1), ("pte_high", 1)],
        threads: vec![
            Thread {
                params: read.params.clone(),
                locals: read.locals.iter().map(|l| l.to_string()).collect(),
                body: read.body.clone(),
            },
            Thread {
                params: writer.params(),
                locals: Vec::new(),
                body,
            },
        ],
        // A sequence-count read that retries is no read: only the states
        // whose counts are equal and even go to the model, which judges
        // a candidate only after the filter passes it.
        filter: read.sequence_exit(0, seq),
        exists: observed.join(" \\/ "),
    };
    let program = from_text(&text(&draft, "?")).map_err(|e| format!("{name}: {e}"))?;
    // The plain enumeration: with one writer thread the pruned search
    // (model/lkmm/prune.rs) cuts little here and checks every partial rf
    // (seqcount x seqcount at 8 cycles: 116 s pruned, 7.7 s plain, the
    // same states).
    let search = lkmm::Search {
        exhaustive: true,
        ..lkmm::Search::default()
    };
    let outcome =
        lkmm::model_with(&program, search).map_err(|e| format!("{name}: the LKMM: {e}"))?;
    let test = Litmus {
        name: name.clone(),
        text: text(&draft, &result_words(&outcome)),
    };
    // Where each of the reader's registers is in a state.
    let column = |reg: &str| {
        outcome
            .shown
            .iter()
            .position(|o| matches!(o, Observable::Register { thread: 0, reg: r } if r == reg))
    };
    let kinds: Vec<(usize, Kind)> = read
        .locals
        .iter()
        .map(|reg| {
            let kind = if read
                .loads
                .iter()
                .any(|(r, h)| r == reg && *h == code::Half::Low)
            {
                Kind::Low
            } else if read.loads.iter().any(|(r, _)| r == reg) {
                Kind::High
            } else {
                Kind::Seq
            };
            column(reg)
                .map(|c| (c, kind))
                .ok_or_else(|| format!("{name}: register {reg} is not observed"))
        })
        .collect::<Result<_, _>>()?;
    let states = outcome
        .tally
        .states
        .iter()
        .map(|state| {
            kinds
                .iter()
                .map(|&(c, kind)| match state[c] {
                    Val::Int(v) => Ok(kind.half(v as u32)),
                    ref other => Err(format!("{name}: a register holds {other:?}")),
                })
                .collect()
        })
        .collect::<Result<_, String>>()?;
    Ok((states, test))
}

/// Which word a register of the reader loads.
#[derive(Clone, Copy)]
enum Kind {
    Low,
    High,
    Seq,
}

impl Kind {
    /// The search's symbol for `value`: installs store their number plus
    /// one, zaps zero, as the x86 search numbers its symbols.
    fn half(self, value: u32) -> Half {
        match self {
            Kind::Low => Half::Low(value as u8),
            Kind::High => Half::High(value as u8),
            Kind::Seq => Half::Seq(value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::protocol::{Reader, Writer};
    use crate::model::protocol;

    #[test]
    fn the_kernels_read_tears_after_one_cycle_as_on_x86() {
        let pair = Pair {
            reader: Reader::Lowhigh,
            writer: Writer::Kernel,
        };
        let lkmm = answer(pair, 3).unwrap().answer;
        assert_eq!(lkmm.cell(), protocol::answer(pair, 3).cell());
        let torn = lkmm.torn.unwrap();
        assert_eq!(torn.cycles, 1);
        assert!(
            torn.trace.last().unwrap().contains("never installed"),
            "{:?}",
            torn.trace
        );
    }

    #[test]
    fn a_sequence_count_on_both_sides_holds() {
        let pair = Pair {
            reader: Reader::Seqcount,
            writer: Writer::Seqcount,
        };
        let judged = answer(pair, 2).unwrap();
        assert_eq!(judged.answer.cell(), "whole <= 2");
        assert_eq!(judged.tests.len(), 2);
        // The retry's filter: only equal, even counts reach the model.
        assert!(judged.tests[1].text.contains("filter ((0:s=0 /\\ 0:s2=0)"));
    }

    #[test]
    fn a_reader_with_no_c_form_says_why() {
        let pair = Pair {
            reader: Reader::Twice,
            writer: Writer::Kernel,
        };
        assert!(answer(pair, 1).err().unwrap().contains("lowhighlowhigh"));
    }
}
