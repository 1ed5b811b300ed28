//! What the search finds: each final state, named as the hardware runner
//! names outcomes, and what the whole exploration says.

use super::search::State;
use super::{Judge, Program, Read, Word};
use crate::catalog::program::{Observable, Observation, Program as LitmusProgram, Size};
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
        } => litmus_final(p, loc_words, state),
        Judge::Installs { installs, read } => installs_final(installs, *read, state),
        Judge::Pte {
            scheme,
            witness,
            reads,
            checks,
            last,
        } => {
            let mut outcomes: Vec<PteOutcome> = reads
                .iter()
                .map(|r| {
                    let (lo, hi) = r.value(&state.threads[0].regs);
                    scheme.classify(lo, hi)
                })
                .collect();
            if writes_lost(checks, *last, state) {
                outcomes.push(PteOutcome::Lost);
            }
            pte_final(&outcomes, *witness, reads, state)
        }
    }
}

/// A litmus program's final state: its observed values, labelled and
/// judged by its condition.
fn litmus_final(p: &LitmusProgram, loc_words: &[Word], state: &State) -> Final {
    let value_of = |l: usize| {
        let wide = p.locations[l].size == Size::Eight;
        state.memory_value(loc_words[l], wide)
    };
    let values: Vec<u64> = p
        .observed
        .iter()
        .map(|o| match *o {
            Observable::Reg { thread, reg } => state.threads[thread as usize].regs[reg as usize],
            Observable::Loc(l) => value_of(l as usize),
        })
        .collect();
    let memory: Vec<String> = p
        .locations
        .iter()
        .enumerate()
        .map(|(l, loc)| format!("{}={}", loc.name, value_of(l)))
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

/// A protocol's read against the PTEs its writers installed: torn or
/// whole.
fn installs_final(installs: &[(u32, u32)], read: Read, state: &State) -> Final {
    let (lo, hi) = read.value(&state.threads[0].regs);
    let read_as = classify_read(lo, hi, |lo, hi| installs.contains(&(lo, hi)));
    let torn = read_as == PteOutcome::Torn;
    Final {
        label: if torn { "torn" } else { "whole" }.to_string(),
        witness: torn,
        positive: torn,
        from_installs: lo != 0 && hi != 0,
        detail: format!("read {:#018x}", pte_asm::join(lo, hi)),
        values: Vec::new(),
    }
}

/// Whether a writer found its own write undone: a check of its that read
/// something else, or the PTE not ending as its last install.
fn writes_lost(
    checks: &[(usize, Read, (u32, u32))],
    last: Option<(u32, u32)>,
    state: &State,
) -> bool {
    let memory = (
        state.memory[super::PTE_LOW as usize],
        state.memory[super::PTE_HIGH as usize],
    );
    checks
        .iter()
        .any(|(t, read, expect)| read.value(&state.threads[*t].regs) != *expect)
        || last.is_some_and(|l| l != memory)
}

/// A PTE test's final state: what each read came to (and `lost`), the
/// values the reader returned and what the PTE ends as.
fn pte_final(outcomes: &[PteOutcome], witness: PteOutcome, reads: &[Read], state: &State) -> Final {
    let label = outcomes
        .iter()
        .map(|o| o.name())
        .collect::<Vec<_>>()
        .join(", ");
    let returned: Vec<(u32, u32)> = reads
        .iter()
        .map(|r| r.value(&state.threads[0].regs))
        .collect();
    let shown: Vec<String> = returned
        .iter()
        .map(|(lo, hi)| format!("{:#018x}", pte_asm::join(*lo, *hi)))
        .collect();
    let memory = pte_asm::join(
        state.memory[super::PTE_LOW as usize],
        state.memory[super::PTE_HIGH as usize],
    );
    let witness = outcomes.contains(&witness);
    Final {
        witness,
        positive: witness,
        from_installs: returned.iter().all(|(lo, hi)| *lo != 0 && *hi != 0),
        detail: format!("read {}; pte ends {memory:#018x}", shown.join(", ")),
        label,
        values: Vec::new(),
    }
}
