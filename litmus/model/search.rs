//! The exhaustive search: breadth-first over every interleaving of the
//! program's instructions and store-buffer flushes (so the trace to a
//! witness is a shortest one), collecting every final state.

use super::finals::final_of;
pub use super::finals::{Exploration, Final};
use super::{Program, REGS, Rmw, Step, Value, Word};
use std::collections::{HashMap, VecDeque};

/// States the search may visit before it gives up (a test that big is not
/// one a litmus run would finish either).
pub const MAX_STATES: usize = 4_000_000;

/// A store buffer entry: one or two (word, value) pairs, which reach
/// memory together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Entry {
    writes: [(Word, u32); 2],
    len: u8,
}

impl Entry {
    fn new(at: Word, wide: bool, value: u64) -> Entry {
        Entry {
            writes: [(at, value as u32), (at + 1, (value >> 32) as u32)],
            len: 1 + wide as u8,
        }
    }

    fn writes(&self) -> &[(Word, u32)] {
        &self.writes[..self.len as usize]
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct Thread {
    pc: u8,
    pub(super) regs: [u64; REGS],
    buffer: Vec<Entry>,
}

/// A state of the search: memory, and each thread's progress.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct State {
    pub(super) memory: Vec<u32>,
    pub(super) threads: Vec<Thread>,
}

/// One transition: thread `t` executes its next instruction, or the oldest
/// entry of its store buffer reaches memory.
#[derive(Clone, Copy, Debug)]
enum Move {
    Execute(usize),
    Flush(usize),
}

fn mask(wide: bool) -> u64 {
    if wide { u64::MAX } else { u32::MAX as u64 }
}

impl State {
    /// Word `at` as thread `t` sees it: its own newest buffered store, else
    /// memory.
    fn read_word(&self, t: usize, at: Word) -> u32 {
        self.threads[t]
            .buffer
            .iter()
            .rev()
            .flat_map(|e| e.writes().iter().rev())
            .find(|(w, _)| *w == at)
            .map_or(self.memory[at as usize], |(_, v)| *v)
    }

    /// One word or two as thread `t` sees them.
    fn read(&self, t: usize, at: Word, wide: bool) -> u64 {
        let low = self.read_word(t, at) as u64;
        if wide {
            low | (self.read_word(t, at + 1) as u64) << 32
        } else {
            low
        }
    }

    pub(super) fn memory_value(&self, at: Word, wide: bool) -> u64 {
        let low = self.memory[at as usize] as u64;
        if wide {
            low | (self.memory[at as usize + 1] as u64) << 32
        } else {
            low
        }
    }

    fn write_memory(&mut self, at: Word, wide: bool, value: u64) {
        for (w, v) in Entry::new(at, wide, value).writes() {
            self.memory[*w as usize] = *v;
        }
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
                for (w, v) in entry.writes() {
                    next.memory[*w as usize] = *v;
                }
            }
            Move::Execute(t) => {
                let pc = self.threads[t].pc as usize;
                let step = program.threads[t].get(pc)?.step;
                if !self.execute(&mut next, t, step) {
                    return None;
                }
                let jumps = match step {
                    Step::Jump { when, to } => when
                        .is_none_or(|c| c.holds(&self.threads[t].regs))
                        .then_some(to),
                    _ => None,
                };
                let thread = &mut next.threads[t];
                thread.pc = jumps.unwrap_or(thread.pc + 1);
                if sc {
                    // Sequential consistency: every store reaches memory
                    // as it executes.
                    for entry in std::mem::take(&mut thread.buffer) {
                        for (w, v) in entry.writes() {
                            next.memory[*w as usize] = *v;
                        }
                    }
                }
            }
        }
        Some(next)
    }

    /// Thread `t` executes `step` into `next`; `false` if it cannot now.
    fn execute(&self, next: &mut State, t: usize, step: Step) -> bool {
        let empty = self.threads[t].buffer.is_empty();
        let value_of = |v: Value, wide: bool| match v {
            Value::Imm(i) => i & mask(wide),
            Value::Reg(r) => self.threads[t].regs[r as usize] & mask(wide),
        };
        match step {
            Step::Load { at, wide, reg } => {
                next.threads[t].regs[reg as usize] = self.read(t, at, wide)
            }
            Step::Store { at, wide, value } => {
                let v = value_of(value, wide);
                next.threads[t].buffer.push(Entry::new(at, wide, v));
            }
            Step::Move { reg, value } => next.threads[t].regs[reg as usize] = value_of(value, true),
            Step::Alu {
                op,
                reg,
                value,
                mask,
            } => {
                let regs = &mut next.threads[t].regs;
                regs[reg as usize] = op.apply(regs[reg as usize], value_of(value, true), mask);
            }
            Step::Rmw {
                at,
                wide,
                op,
                locked,
            } => {
                if locked && !empty {
                    return false;
                }
                let old = if locked {
                    self.memory_value(at, wide)
                } else {
                    self.read(t, at, wide)
                };
                let regs = &mut next.threads[t].regs;
                let new = match op {
                    Rmw::Add(v) => old.wrapping_add(value_of(v, wide)) & mask(wide),
                    Rmw::Xchg(r) => {
                        let swapped = regs[r as usize] & mask(wide);
                        regs[r as usize] = old;
                        swapped
                    }
                    Rmw::Cmpxchg { expected, new } => {
                        let stored = if regs[expected as usize] & mask(wide) == old {
                            regs[new as usize] & mask(wide)
                        } else {
                            old // written back (see the module comment)
                        };
                        regs[expected as usize] = old;
                        stored
                    }
                    Rmw::Xadd(r) => {
                        let sum = old.wrapping_add(regs[r as usize]) & mask(wide);
                        regs[r as usize] = old;
                        sum
                    }
                    Rmw::AddTest { value, reg, test } => {
                        let sum = old.wrapping_add(value_of(value, wide)) & mask(wide);
                        regs[reg as usize] = test.holds(sum, mask(wide)) as u64;
                        sum
                    }
                    // Held: the thread waits (this step cannot happen now).
                    Rmw::Lock(_) if old != 0 => return false,
                    Rmw::Lock(r) => {
                        regs[0] = 0;
                        regs[r as usize] = 1;
                        1
                    }
                };
                if locked {
                    next.write_memory(at, wide, new);
                } else {
                    next.threads[t].buffer.push(Entry::new(at, wide, new));
                }
            }
            Step::Drain => return empty,
            Step::Assume(cond) => return cond.holds(&self.threads[t].regs),
            // after() moves the pc.
            Step::Jump { .. } => {}
        }
        true
    }

    fn finished(&self, program: &Program) -> bool {
        self.threads
            .iter()
            .zip(&program.threads)
            .all(|(t, code)| t.pc as usize == code.len() && t.buffer.is_empty())
    }
}

/// Every final state of `program` under x86-TSO, by breadth-first search
/// (so the trace to a witness is a shortest one).
pub fn explore(program: &Program) -> Exploration {
    search(program, false, MAX_STATES)
}

/// As [`explore`], stopping at `max_states` (the result says it was
/// truncated): for callers that only need the search to end, as the
/// `.litmus` reader's fuzz test.
pub fn explore_bounded(program: &Program, max_states: usize) -> Exploration {
    search(program, false, max_states)
}

/// The same under sequential consistency (stores reach memory as they
/// execute): a witness found here needs no store buffering, only an
/// interleaving, and its trace reads like the seed's.
pub fn explore_sc(program: &Program) -> Exploration {
    search(program, true, MAX_STATES)
}

fn search(program: &Program, sc: bool, max_states: usize) -> Exploration {
    let started = std::time::Instant::now();
    let initial = State {
        memory: program.init.clone(),
        threads: program
            .threads
            .iter()
            .enumerate()
            .map(|(t, _)| Thread {
                pc: 0,
                regs: program.init_regs.get(t).copied().unwrap_or([0; REGS]),
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
    let mut truncated = false;
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
        if states.len() >= max_states {
            truncated = true;
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
        truncated,
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
                    let sees = |r: u8, wide: bool| {
                        if wide {
                            format!(", sees {:#018x}", regs[r as usize])
                        } else {
                            format!(", sees {:#010x}", regs[r as usize])
                        }
                    };
                    let what = match instr.step {
                        Step::Load { wide, reg, .. } => sees(reg, wide),
                        Step::Rmw {
                            wide,
                            op: Rmw::Cmpxchg { expected, .. },
                            ..
                        } => sees(expected, wide),
                        Step::Rmw {
                            wide,
                            op: Rmw::Xchg(r) | Rmw::Xadd(r),
                            ..
                        } => sees(r, wide),
                        Step::Rmw {
                            op: Rmw::AddTest { reg, .. },
                            ..
                        } => format!(", sets {}", regs[reg as usize]),
                        Step::Rmw {
                            op: Rmw::Lock(_), ..
                        } => ", takes it (0 -> 1)".to_string(),
                        Step::Store { .. } | Step::Rmw { locked: false, .. } if !sc => {
                            " (into its store buffer)".to_string()
                        }
                        _ => String::new(),
                    };
                    format!("{name}: {}{what}", instr.what)
                }
                Move::Flush(t) => {
                    let entry = before.threads[t].buffer[0];
                    let writes: Vec<String> = entry
                        .writes()
                        .iter()
                        .map(|(w, v)| format!("{} = {v:#010x}", program.word_names[*w as usize]))
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
    use crate::judge::Expect;

    #[test]
    fn sb_needs_the_store_buffer() {
        // Under sequential consistency SB's witness is unreachable; only the
        // store buffer makes it allowed, so the buffer is really modelled.
        let sb = crate::model::program(Test::by_name("SB").unwrap().cases(&[])[0]);
        assert_eq!(explore_sc(&sb).verdict(), Expect::Forbidden);
        assert_eq!(explore(&sb).verdict(), Expect::Allowed);
    }
}
