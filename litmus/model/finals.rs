//! What the search finds: each final state, named as the hardware runner
//! names outcomes, and what the whole exploration says.

use super::search::State;
use super::{Judge, Program};
use crate::catalog::program::{Observable, Observation, Size};
use crate::catalog::pte_read::{PteOutcome, classify_read};
use crate::judge::Expect;

/// A reachable final state, named as the hardware runner names outcomes.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Final {
    pub label: String,
    pub witness: bool,
    /// Litmus programs: whether the condition's proposition holds (herd's
    /// "positive"); PTE tests: the witness.
    pub positive: bool,
    /// Every half a read returned is non-zero: a torn PTE built from two
    /// installed PTEs, as in the seed (the trace prefers such a witness).
    pub from_installs: bool,
    /// The registers and memory, for `litmus model`'s listing.
    pub detail: String,
    /// Litmus programs: the observed values, in the program's order.
    pub values: Vec<u64>,
}

/// Everything the search found.
pub struct Exploration {
    pub finals: Vec<Final>,
    pub states: usize,
    pub seconds: f64,
    /// A shortest sequence of moves to a witness final state, as trace
    /// lines, and that state.
    pub witness_trace: Option<(Vec<String>, Final)>,
    /// The search stopped at [`MAX_STATES`]: the finals are incomplete.
    pub truncated: bool,
}

impl Exploration {
    pub fn allows_witness(&self) -> bool {
        self.finals.iter().any(|f| f.witness)
    }

    pub fn verdict(&self) -> Expect {
        Expect::from_reachable(self.allows_witness())
    }

    /// herd7's `Observation`: final states where the proposition holds and
    /// where it does not.
    pub fn observation(&self) -> Observation {
        let positive = self.finals.iter().filter(|f| f.positive).count() as u64;
        Observation {
            positive,
            negative: self.finals.len() as u64 - positive,
        }
    }

    /// Whether the model reaches a final state with these observed values
    /// (litmus programs).
    pub fn reaches(&self, values: &[u64]) -> bool {
        self.finals.iter().any(|f| f.values == values)
    }
}

/// The final state `state` as the hardware runner would name it.
pub(super) fn final_of(program: &Program, state: &State) -> Final {
    match &program.judge {
        Judge::Litmus {
            program: p,
            loc_words,
        } => {
            let values: Vec<u64> = p
                .observed
                .iter()
                .map(|o| match *o {
                    Observable::Reg { thread, reg } => {
                        state.threads[thread as usize].regs[reg as usize]
                    }
                    Observable::Loc(l) => {
                        let wide = p.locations[l as usize].size == Size::Eight;
                        state.memory_value(loc_words[l as usize], wide)
                    }
                })
                .collect();
            let memory: Vec<String> = p
                .locations
                .iter()
                .enumerate()
                .map(|(l, loc)| {
                    let wide = loc.size == Size::Eight;
                    format!("{}={}", loc.name, state.memory_value(loc_words[l], wide))
                })
                .collect();
            Final {
                label: p.label(&values),
                witness: p.is_witness(&values),
                positive: p.holds(&values),
                from_installs: true,
                detail: format!("(memory {})", memory.join(" ")),
                values,
            }
        }
        Judge::Installs { installs, read } => {
            let (lo, hi) = read.value(&state.threads[0].regs);
            let read = classify_read(lo, hi, |lo, hi| installs.contains(&(lo, hi)));
            let torn = read == PteOutcome::Torn;
            Final {
                label: if torn { "torn" } else { "whole" }.to_string(),
                witness: torn,
                positive: torn,
                from_installs: lo != 0 && hi != 0,
                detail: format!("read {:#018x}", pte_asm::join(lo, hi)),
                values: Vec::new(),
            }
        }
        Judge::Pte {
            scheme,
            witness,
            reads,
            checks,
            last,
        } => {
            let reader = &state.threads[0].regs;
            let mut outcomes: Vec<PteOutcome> = reads
                .iter()
                .map(|r| {
                    let (lo, hi) = r.value(reader);
                    scheme.classify(lo, hi)
                })
                .collect();
            let memory = (
                state.memory[super::PTE_LOW as usize],
                state.memory[super::PTE_HIGH as usize],
            );
            let lost = checks
                .iter()
                .any(|(t, read, expect)| read.value(&state.threads[*t].regs) != *expect)
                || last.is_some_and(|l| l != memory);
            if lost {
                outcomes.push(PteOutcome::Lost);
            }
            let label = outcomes
                .iter()
                .map(|o| o.name())
                .collect::<Vec<_>>()
                .join(", ");
            let returned: Vec<(u32, u32)> = reads.iter().map(|r| r.value(reader)).collect();
            let shown: Vec<String> = returned
                .iter()
                .map(|(lo, hi)| format!("{:#018x}", pte_asm::join(*lo, *hi)))
                .collect();
            let witness = outcomes.contains(witness);
            Final {
                witness,
                positive: witness,
                from_installs: returned.iter().all(|(lo, hi)| *lo != 0 && *hi != 0),
                detail: format!(
                    "read {}; pte ends {:#018x}",
                    shown.join(", "),
                    pte_asm::join(memory.0, memory.1)
                ),
                label,
                values: Vec::new(),
            }
        }
    }
}
