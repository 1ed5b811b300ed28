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

/// Concrete values for the path's classes, and the trace.
pub(super) fn render(
    pair: Pair,
    cycles: u32,
    reader: &[Instr],
    writer: &[Instr],
    memory: &[Memory],
    made_by: &[usize],
    path: &Path,
) -> Witness {
    let installs = cycles as u8 + 1;
    let c = &path.classes;
    // Number each class by its first install; zero stays zero.
    let value = |low: bool, symbol: u8| -> u32 {
        let parent = if low { &c.low } else { &c.high };
        let root = Classes::find(parent, symbol);
        if Classes::find(parent, 0) == root {
            return 0;
        }
        let first = (1..=installs)
            .find(|&k| Classes::find(parent, k) == root)
            .unwrap();
        let n = (1..=first)
            .filter(|&k| {
                Classes::find(parent, k) != Classes::find(parent, 0)
                    && (1..k).all(|j| Classes::find(parent, j) != Classes::find(parent, k))
            })
            .count() as u32;
        if low {
            let generation = if pair.writer == Writer::Generation {
                ((first - 1) as u32 % GENERATIONS) << GENERATION_SHIFT
            } else {
                0
            };
            n << 12 | PTE_FLAGS | generation
        } else {
            n
        }
    };
    let pte = |k: u8| (value(true, k), value(false, k));
    let half_value = |h: Half| match h {
        Half::Low(s) => value(true, s),
        Half::High(s) => value(false, s),
        Half::Seq(n) => n,
        Half::Unset => 0,
    };
    // Whose half a value is: `(B's high)`, `(zapped)`.
    let whose = |h: Half| match h {
        Half::Low(0) | Half::High(0) => " (zapped)".to_string(),
        Half::Low(s) => format!(" ({}'s low)", install_name(s as u32 - 1)),
        Half::High(s) => format!(" ({}'s high)", install_name(s as u32 - 1)),
        _ => String::new(),
    };
    let mut trace = Vec::new();
    let mut shown = 0; // writer states shown so far
    let mut regs = [Half::Unset; 4];
    for (pc, instr) in reader.iter().enumerate() {
        if let Some(q) = path.at[pc] {
            while shown < q {
                shown += 1;
                let step = &writer[made_by[shown]];
                let m = memory[shown];
                let stored = match step.step {
                    _ if step.what.contains('=') => String::new(),
                    Step::Store { at: PTE_LOW, .. } => format!(" = {:#010x}", value(true, m.low)),
                    Step::Store { at: PTE_HIGH, .. } => {
                        format!(" = {:#010x}", value(false, m.high))
                    }
                    _ => format!(": {}", m.seq),
                };
                trace.push(format!("writer: {}{stored}", step.what));
            }
            if let Step::Load { at, reg, .. } = instr.step {
                let m = memory[q];
                regs[reg as usize] = match at {
                    PTE_LOW => Half::Low(m.low),
                    PTE_HIGH => Half::High(m.high),
                    _ => Half::Seq(m.seq),
                };
                trace.push(format!(
                    "reader: {} -> {:#010x}{}",
                    instr.what,
                    half_value(regs[reg as usize]),
                    whose(regs[reg as usize])
                ));
            }
        } else {
            let same = match instr.step {
                Step::Assume(Cond::Equal(a, b)) => {
                    equal_because(regs[a as usize], regs[b as usize])
                }
                _ => String::new(),
            };
            trace.push(format!("reader: {}{same}", instr.what));
        }
    }
    let returned = (half_value(path.returned.0), half_value(path.returned.1));
    let all: Vec<(u32, u32)> = (1..=installs).map(pte).collect();
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
        cycles,
        installs: all,
        returned,
        trace,
    }
}
