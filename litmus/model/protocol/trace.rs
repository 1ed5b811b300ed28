//! A torn read the search found, as concrete values and a trace in the
//! seed's style: the adversary's classes of equal halves numbered in
//! install order, then the reader's loads and the writers' stores
//! interleaved as the search placed them.

use super::{Classes, Half, Memory, Path, Witness, install_name};
use crate::catalog::protocol::{GENERATION_SHIFT, GENERATIONS, Pair, Writer};
use crate::catalog::pte_read::PTE_FLAGS;
use crate::model::program::{PTE_HIGH, PTE_LOW};
use crate::model::{Cond, Instr, Step};

/// Why a recheck of two different halves passed: the adversary made them
/// equal (`A's low = C's low`), or made an install's high zero.
fn equal_because(a: Half, b: Half) -> String {
    let name = |s: u8| install_name(s as u32 - 1);
    match (a, b) {
        _ if a == b => String::new(),
        (Half::High(0), Half::High(s)) | (Half::High(s), Half::High(0)) => {
            format!(" ({}'s high is zero)", name(s))
        }
        (Half::Low(x), Half::Low(y)) => format!(" ({}'s low = {}'s low)", name(x), name(y)),
        (Half::High(x), Half::High(y)) => format!(" ({}'s high = {}'s high)", name(x), name(y)),
        _ => String::new(),
    }
}

/// The symbolic run a torn read was found in: the reader's and the
/// writers' steps, the PTE after each writer step, and which step made
/// each state.
pub(super) struct Run<'a> {
    pub reader: &'a [Instr],
    pub writer: &'a [Instr],
    pub memory: &'a [Memory],
    pub made_by: &'a [usize],
}

/// Concrete values for the path's classes, and the trace.
pub(super) fn render(pair: Pair, cycles: u32, run: &Run, path: &Path) -> Witness {
    let values = Values {
        pair,
        installs: cycles as u8 + 1,
        classes: &path.classes,
    };
    let trace = interleave(run, path, &values);
    finish(values, trace, path)
}

/// A torn read whose loads' values another model found (no interleaving
/// to show: each load with the half it read, each recheck with why it
/// passed).
pub(super) fn render_loads(
    pair: Pair,
    cycles: u32,
    reader: &[Instr],
    loaded: &[Half],
    path: &Path,
) -> Witness {
    let values = Values {
        pair,
        installs: cycles as u8 + 1,
        classes: &path.classes,
    };
    let mut trace = Vec::new();
    let mut regs = [Half::Unset; 4];
    let mut loads = loaded.iter();
    for instr in reader {
        match instr.step {
            Step::Load { reg, .. } => {
                let half = *loads
                    .next()
                    .expect("judge_read checked every load has a value");
                regs[reg as usize] = half;
                trace.push(format!(
                    "reader: {} -> {:#010x}{}",
                    instr.what,
                    values.half(half),
                    whose(half)
                ));
            }
            Step::Assume(Cond::Equal(a, b)) => trace.push(format!(
                "reader: {}{}",
                instr.what,
                equal_because(regs[a as usize], regs[b as usize])
            )),
            _ => trace.push(format!("reader: {}", instr.what)),
        }
    }
    finish(values, trace, path)
}

/// The read's return value and the installs, after its trace.
fn finish(values: Values, mut trace: Vec<String>, path: &Path) -> Witness {
    let returned = (values.half(path.returned.0), values.half(path.returned.1));
    let all: Vec<(u32, u32)> = (1..=values.installs).map(|k| values.pte(k)).collect();
    let named: Vec<String> = all
        .iter()
        .enumerate()
        .map(|(k, (lo, hi))| {
            format!(
                "{} = {:#018x}",
                install_name(k as u32),
                pte_asm::join(*lo, *hi)
            )
        })
        .collect();
    trace.push(format!(
        "returns {:#018x}: never installed ({})",
        pte_asm::join(returned.0, returned.1),
        named.join(", ")
    ));
    Witness {
        cycles: values.installs as u32 - 1,
        installs: all,
        returned,
        trace,
    }
}

/// The adversary's classes of equal halves as concrete values: each class
/// numbered by its first install, zero staying zero.
struct Values<'a> {
    pair: Pair,
    installs: u8,
    classes: &'a Classes,
}

impl Values<'_> {
    /// The value of `symbol`'s class, of the low or the high halves.
    fn of(&self, low: bool, symbol: u8) -> u32 {
        let parent = if low {
            &self.classes.low
        } else {
            &self.classes.high
        };
        let root = Classes::find(parent, symbol);
        let zero = Classes::find(parent, 0);
        if zero == root {
            return 0;
        }
        let first = (1..=self.installs)
            .find(|&k| Classes::find(parent, k) == root)
            .expect("every class holds an install");
        // Classes first seen up to `first`, zero's aside.
        let n = (1..=first)
            .filter(|&k| {
                Classes::find(parent, k) != zero
                    && (1..k).all(|j| Classes::find(parent, j) != Classes::find(parent, k))
            })
            .count() as u32;
        if !low {
            return n;
        }
        let generation = if self.pair.writer == Writer::Generation {
            ((first - 1) as u32 % GENERATIONS) << GENERATION_SHIFT
        } else {
            0
        };
        n << 12 | PTE_FLAGS | generation
    }

    /// Install `k` as `(low, high)`.
    fn pte(&self, k: u8) -> (u32, u32) {
        (self.of(true, k), self.of(false, k))
    }

    fn half(&self, h: Half) -> u32 {
        match h {
            Half::Low(s) => self.of(true, s),
            Half::High(s) => self.of(false, s),
            Half::Seq(n) => n,
            Half::Unset => 0,
        }
    }
}

/// Whose half a value is: `(B's high)`, `(zapped)`.
fn whose(h: Half) -> String {
    match h {
        Half::Low(0) | Half::High(0) => " (zapped)".to_string(),
        Half::Low(s) => format!(" ({}'s low)", install_name(s as u32 - 1)),
        Half::High(s) => format!(" ({}'s high)", install_name(s as u32 - 1)),
        _ => String::new(),
    }
}

/// The reader's steps, with the writers' stores the search placed before
/// each load, one line each.
fn interleave(run: &Run, path: &Path, values: &Values) -> Vec<String> {
    let mut trace = Vec::new();
    let mut shown = 0; // writer states shown so far
    let mut regs = [Half::Unset; 4];
    for (pc, instr) in run.reader.iter().enumerate() {
        let Some(q) = path.at[pc] else {
            let same = match instr.step {
                Step::Assume(Cond::Equal(a, b)) => {
                    equal_because(regs[a as usize], regs[b as usize])
                }
                _ => String::new(),
            };
            trace.push(format!("reader: {}{same}", instr.what));
            continue;
        };
        while shown < q {
            shown += 1;
            trace.push(writer_line(run, shown, values));
        }
        if let Step::Load { at, reg, .. } = instr.step {
            let m = run.memory[q];
            regs[reg as usize] = match at {
                PTE_LOW => Half::Low(m.low),
                PTE_HIGH => Half::High(m.high),
                _ => Half::Seq(m.seq),
            };
            let loaded = regs[reg as usize];
            trace.push(format!(
                "reader: {} -> {:#010x}{}",
                instr.what,
                values.half(loaded),
                whose(loaded)
            ));
        }
    }
    trace
}

/// The writer step that made state `state`, with what it stored.
fn writer_line(run: &Run, state: usize, values: &Values) -> String {
    let step = &run.writer[run.made_by[state]];
    let m = run.memory[state];
    let stored = match step.step {
        _ if step.what.contains('=') => String::new(),
        Step::Store { at: PTE_LOW, .. } => format!(" = {:#010x}", values.of(true, m.low)),
        Step::Store { at: PTE_HIGH, .. } => format!(" = {:#010x}", values.of(false, m.high)),
        _ => format!(": {}", m.seq),
    };
    format!("writer: {}{stored}", step.what)
}
