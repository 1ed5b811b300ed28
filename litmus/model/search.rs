//! The exhaustive search: breadth-first over every interleaving of the
//! program's instructions and store-buffer flushes (so the trace to a
//! witness is a shortest one), collecting every final state.

use super::{Judge, LOCS, Loc, PTE_HIGH, PTE_LOW, Program, REGS, Step};
use crate::catalog::classic::Observe;
use crate::catalog::pte::PteOutcome;
use crate::judge::Expect;
use std::collections::{HashMap, VecDeque};

/// A store buffer entry: one or two (location, value) pairs, which reach
/// memory together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Entry {
    writes: [(Loc, u32); 2],
    len: u8,
}

impl Entry {
    fn one(loc: Loc, value: u32) -> Entry {
        Entry {
            writes: [(loc, value), (0, 0)],
            len: 1,
        }
    }

    fn writes(&self) -> &[(Loc, u32)] {
        &self.writes[..self.len as usize]
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Thread {
    pc: u8,
    regs: [u32; REGS],
    buffer: Vec<Entry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct State {
    memory: [u32; LOCS],
    threads: Vec<Thread>,
}

/// One transition: thread `t` executes its next instruction, or the oldest
/// entry of its store buffer reaches memory.
#[derive(Clone, Copy, Debug)]
enum Move {
    Execute(usize),
    Flush(usize),
}

impl State {
    fn read(&self, t: usize, loc: Loc) -> u32 {
        self.threads[t]
            .buffer
            .iter()
            .rev()
            .flat_map(|e| e.writes().iter().rev())
            .find(|(l, _)| *l == loc)
            .map_or(self.memory[loc as usize], |(_, v)| *v)
    }

    /// The state after `mv`, or `None` if it cannot happen (a drain with a
    /// non-empty buffer, an assumption that fails, nothing left to do).
    fn after(&self, program: &Program, mv: Move, sc: bool) -> Option<State> {
        let mut next = self.clone();
        match mv {
            Move::Flush(t) => {
                if next.threads[t].buffer.is_empty() {
                    return None;
                }
                let entry = next.threads[t].buffer.remove(0);
                for (loc, value) in entry.writes() {
                    next.memory[*loc as usize] = *value;
                }
            }
            Move::Execute(t) => {
                let pc = self.threads[t].pc as usize;
                let step = program.threads[t].get(pc)?.step;
                let empty = self.threads[t].buffer.is_empty();
                let thread = &mut next.threads[t];
                match step {
                    Step::Load(loc, r) => thread.regs[r as usize] = self.read(t, loc),
                    Step::Store(loc, value) => thread.buffer.push(Entry::one(loc, value)),
                    Step::Increment(loc, r) => {
                        let value = self.read(t, loc);
                        thread.regs[r as usize] = value;
                        thread.buffer.push(Entry::one(loc, value.wrapping_add(1)));
                    }
                    Step::Load64(lo, hi) => {
                        thread.regs[lo as usize] = self.read(t, PTE_LOW);
                        thread.regs[hi as usize] = self.read(t, PTE_HIGH);
                    }
                    Step::Locked64(lo, hi) => {
                        if !empty {
                            return None;
                        }
                        thread.regs[lo as usize] = self.memory[PTE_LOW as usize];
                        thread.regs[hi as usize] = self.memory[PTE_HIGH as usize];
                    }
                    Step::Unlocked64(lo, hi) => {
                        let (l, h) = (self.read(t, PTE_LOW), self.read(t, PTE_HIGH));
                        thread.regs[lo as usize] = l;
                        thread.regs[hi as usize] = h;
                        thread.buffer.push(Entry {
                            writes: [(PTE_LOW, l), (PTE_HIGH, h)],
                            len: 2,
                        });
                    }
                    Step::Drain => {
                        if !empty {
                            return None;
                        }
                    }
                    Step::Assume(cond) => {
                        if !cond.holds(&thread.regs) {
                            return None;
                        }
                    }
                }
                thread.pc += 1;
                if sc {
                    // Sequential consistency: every store reaches memory
                    // as it executes.
                    for entry in std::mem::take(&mut thread.buffer) {
                        for (loc, value) in entry.writes() {
                            next.memory[*loc as usize] = *value;
                        }
                    }
                }
            }
        }
        Some(next)
    }

    fn finished(&self, program: &Program) -> bool {
        self.threads
            .iter()
            .zip(&program.threads)
            .all(|(t, code)| t.pc as usize == code.len() && t.buffer.is_empty())
    }
}

/// A reachable final state, named as the hardware runner names outcomes.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Final {
    pub label: String,
    pub witness: bool,
    /// Every half a read returned is non-zero: a torn PTE built from two
    /// installed PTEs, as in the seed (the trace prefers such a witness).
    pub from_installs: bool,
    /// The registers and memory, for `litmus model`'s listing.
    pub detail: String,
}

/// Everything the search found.
pub struct Exploration {
    pub finals: Vec<Final>,
    pub states: usize,
    pub seconds: f64,
    /// A shortest sequence of moves to a witness final state, as trace
    /// lines, and that state.
    pub witness_trace: Option<(Vec<String>, Final)>,
}

impl Exploration {
    pub fn allows_witness(&self) -> bool {
        self.finals.iter().any(|f| f.witness)
    }

    pub fn verdict(&self) -> Expect {
        Expect::from_reachable(self.allows_witness())
    }
}

/// The final state `state` as the hardware runner would name it.
fn final_of(program: &Program, state: &State) -> Final {
    match &program.judge {
        Judge::Classic { observed, witness } => {
            let values: Vec<u32> = observed
                .iter()
                .map(|o| match *o {
                    Observe::Reg(t, r) => state.threads[t as usize].regs[r as usize],
                    Observe::Final(loc) => state.memory[loc as usize],
                })
                .collect();
            let label = observed
                .iter()
                .zip(&values)
                .map(|(o, v)| format!("{o}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            let memory: Vec<String> = program
                .loc_names
                .iter()
                .zip(state.memory)
                .map(|(name, v)| format!("{name}={v}"))
                .collect();
            Final {
                witness: values == *witness,
                from_installs: true,
                detail: format!("(memory {})", memory.join(" ")),
                label,
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
                .map(|(lo, hi)| scheme.classify(reader[*lo as usize], reader[*hi as usize]))
                .collect();
            let memory = (
                state.memory[PTE_LOW as usize],
                state.memory[PTE_HIGH as usize],
            );
            let lost = checks.iter().any(|(t, lo, hi, expect)| {
                let regs = &state.threads[*t].regs;
                (regs[*lo as usize], regs[*hi as usize]) != *expect
            }) || last.is_some_and(|l| l != memory);
            if lost {
                outcomes.push(PteOutcome::Lost);
            }
            let label = outcomes
                .iter()
                .map(|o| o.name())
                .collect::<Vec<_>>()
                .join(", ");
            let returned: Vec<String> = reads
                .iter()
                .map(|(lo, hi)| {
                    format!(
                        "{:#018x}",
                        pte_asm::join(reader[*lo as usize], reader[*hi as usize])
                    )
                })
                .collect();
            Final {
                witness: outcomes.contains(witness),
                from_installs: reads
                    .iter()
                    .all(|(lo, hi)| reader[*lo as usize] != 0 && reader[*hi as usize] != 0),
                detail: format!(
                    "read {}; pte ends {:#018x}",
                    returned.join(", "),
                    pte_asm::join(memory.0, memory.1)
                ),
                label,
            }
        }
    }
}

/// Every final state of `program` under x86-TSO, by breadth-first search
/// (so the trace to a witness is a shortest one).
pub fn explore(program: &Program) -> Exploration {
    search(program, false)
}

/// The same under sequential consistency (stores reach memory as they
/// execute): a witness found here needs no store buffering, only an
/// interleaving, and its trace reads like the seed's.
pub fn explore_sc(program: &Program) -> Exploration {
    search(program, true)
}

fn search(program: &Program, sc: bool) -> Exploration {
    let started = std::time::Instant::now();
    let initial = State {
        memory: program.init,
        threads: program
            .threads
            .iter()
            .map(|_| Thread {
                pc: 0,
                regs: [0; REGS],
                buffer: Vec::new(),
            })
            .collect(),
    };
    let mut index: HashMap<State, usize> = HashMap::new();
    // Per state: how it was reached (parent index, move).
    let mut parents: Vec<Option<(usize, Move)>> = vec![None];
    let mut states: Vec<State> = vec![initial.clone()];
    index.insert(initial, 0);
    let mut queue = VecDeque::from([0usize]);
    let mut finals: Vec<Final> = Vec::new();
    // The first (so shortest) witness reached, and the first built from
    // installed halves.
    let (mut witness_at, mut seedlike_at) = (None, None);
    let n = program.threads.len();
    while let Some(i) = queue.pop_front() {
        let state = states[i].clone();
        if state.finished(program) {
            let f = final_of(program, &state);
            if f.witness {
                witness_at.get_or_insert(i);
                if f.from_installs {
                    seedlike_at.get_or_insert(i);
                }
            }
            if !finals.contains(&f) {
                finals.push(f);
            }
            continue;
        }
        for t in 0..n {
            for mv in [Move::Execute(t), Move::Flush(t)] {
                if let Some(next) = state.after(program, mv, sc)
                    && !index.contains_key(&next)
                {
                    index.insert(next.clone(), states.len());
                    parents.push(Some((i, mv)));
                    states.push(next);
                    queue.push_back(states.len() - 1);
                }
            }
        }
    }
    finals.sort();
    let witness_trace = seedlike_at.or(witness_at).map(|i| {
        (
            trace(program, &states, &parents, i, sc),
            final_of(program, &states[i]),
        )
    });
    Exploration {
        finals,
        states: states.len(),
        seconds: started.elapsed().as_secs_f64(),
        witness_trace,
    }
}

/// The moves from the initial state to state `end`, one line each, in the
/// seed's style: `A: read ptep->pte_low, sees 0x00010067`.
fn trace(
    program: &Program,
    states: &[State],
    parents: &[Option<(usize, Move)>],
    end: usize,
    sc: bool,
) -> Vec<String> {
    let mut moves = Vec::new();
    let mut at = end;
    while let Some((parent, mv)) = parents[at] {
        moves.push((parent, mv, at));
        at = parent;
    }
    moves.reverse();
    moves
        .into_iter()
        .map(|(before, mv, after)| {
            let (before, after) = (&states[before], &states[after]);
            match mv {
                Move::Execute(t) => {
                    let name = &program.thread_names[t];
                    let pc = before.threads[t].pc as usize;
                    let instr = &program.threads[t][pc];
                    let regs = &after.threads[t].regs;
                    let sees = match instr.step {
                        Step::Load(_, r) => format!(", sees {:#010x}", regs[r as usize]),
                        Step::Load64(lo, hi)
                        | Step::Locked64(lo, hi)
                        | Step::Unlocked64(lo, hi) => {
                            format!(
                                ", sees {:#018x}",
                                pte_asm::join(regs[lo as usize], regs[hi as usize])
                            )
                        }
                        Step::Store(..) | Step::Increment(..) if !sc => {
                            " (into its store buffer)".to_string()
                        }
                        _ => String::new(),
                    };
                    format!("{name}: {}{sees}", instr.what)
                }
                Move::Flush(t) => {
                    let entry = before.threads[t].buffer[0];
                    let writes: Vec<String> = entry
                        .writes()
                        .iter()
                        .map(|(loc, v)| format!("{} = {v:#010x}", program.loc_names[*loc as usize]))
                        .collect();
                    format!(
                        "{}: store buffer -> memory: {}",
                        program.thread_names[t],
                        writes.join(", ")
                    )
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Test;

    #[test]
    fn sb_needs_the_store_buffer() {
        // Under sequential consistency SB's witness is unreachable; only the
        // store buffer makes it allowed, so the buffer is really modelled.
        let sb = crate::model::program(Test::by_name("SB").unwrap(), None);
        assert_eq!(explore_sc(&sb).verdict(), Expect::Forbidden);
        assert_eq!(explore(&sb).verdict(), Expect::Allowed);
    }
}
