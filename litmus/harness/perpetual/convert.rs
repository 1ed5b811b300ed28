//! A litmus program as a perpetual test: which programs convert, and how.
//!
//! The threads keep their instructions, primitive for primitive. Two things
//! change: each store of a constant takes its value from a register the
//! harness sets before each iteration, to `k * S + s + 1` for the `s`-th of
//! the `S` stores the thread makes to that location, in iteration `k` (so
//! 0, the memory's value when a batch starts, is the initial value, and
//! every other value names the store instance that wrote it); and each load
//! writes a register of its own, which the harness copies to the thread's
//! buffer after the iteration. [`super::check`] decodes the buffers.
//!
//! A program converts when it has two threads, no read-modify-write, each
//! location stored by at most one thread (so that the stores to it are in
//! coherence order as that thread's program order and iteration order
//! have them: a second writer's order would need an observer), every
//! access the size of its location, stores of constants only, no loaded
//! value used by a later instruction, and a condition that is a
//! disjunction of conjunctions of values (`exists` or `~exists`; a
//! `forall` is a negation).

use crate::catalog::program::{
    Instr, MAX_REGISTERS, Observable, Operand, Program, Prop, Quantifier,
};

/// The thread that stores a location, and how many stores its body makes
/// to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Writer {
    pub thread: usize,
    pub stores: u64,
}

/// A store of a constant: the register that now holds its value, its
/// location, which of the writer's `stores` stores to that location it is
/// (`index`), and the value the original test stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoreSlot {
    pub reg: u8,
    pub loc: u8,
    pub index: u64,
    pub stores: u64,
    pub original: u64,
}

impl StoreSlot {
    /// The value this store writes in iteration `k`.
    #[inline(always)]
    pub fn value(&self, k: u64) -> u64 {
        encode(self.index, self.stores, k)
    }
}

/// A load: the register it now writes, and its location.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadSlot {
    pub reg: u8,
    pub loc: u8,
}

/// One thread's stores and loads, in program order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ThreadPlan {
    pub stores: Vec<StoreSlot>,
    pub loads: Vec<LoadSlot>,
}

/// One conjunct of the condition: decided by the program alone, or "load
/// `load` of thread `thread` shows `value`".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conjunct {
    Fixed(bool),
    Load {
        thread: usize,
        load: usize,
        value: u64,
    },
}

/// A converted program.
#[derive(Clone, Debug)]
pub struct Perpetual {
    /// The threads as they run: stores from registers, loads to their own.
    pub program: Program,
    pub threads: Vec<ThreadPlan>,
    /// Per location: who stores it.
    pub writers: Vec<Option<Writer>>,
    /// Per location: its value before the test, in the original.
    pub init: Vec<u64>,
    /// The condition, as a disjunction of conjunctions.
    pub disjuncts: Vec<Vec<Conjunct>>,
}

/// The value of store `index` of `stores` in iteration `k`.
#[inline(always)]
pub fn encode(index: u64, stores: u64, k: u64) -> u64 {
    k * stores + index + 1
}

/// The store instance a value names, as `(index, iteration)`; `None`: the
/// initial value.
#[inline(always)]
pub fn decode(value: u64, stores: u64) -> Option<(u64, u64)> {
    let v = value.checked_sub(1)?;
    Some((v % stores, v / stores))
}

/// The most iterations a batch may run so that every value fits in the
/// 4 bytes of a location.
pub fn max_iterations(p: &Perpetual) -> u64 {
    let most = p
        .writers
        .iter()
        .flatten()
        .map(|w| w.stores)
        .max()
        .unwrap_or(1);
    u32::MAX as u64 / most - 1
}

/// Convert `program`, or say in one line why it cannot run perpetually.
pub fn convert(program: &Program) -> Result<Perpetual, String> {
    let threads = program.threads.len();
    if threads != 2 {
        return Err(format!(
            "perpetual runs two-thread tests; this one has {threads} threads"
        ));
    }
    let writers = writers(program)?;
    let mut converted = program.clone();
    let mut plans = Vec::new();
    for (t, code) in converted.threads.iter_mut().enumerate() {
        plans.push(convert_thread(program, t, code, &writers)?);
    }
    let disjuncts = disjuncts(program, &plans, &writers)?;
    Ok(Perpetual {
        program: converted,
        threads: plans,
        writers,
        init: program.locations.iter().map(|l| l.init).collect(),
        disjuncts,
    })
}

/// Who stores each location; a location two threads store does not convert.
fn writers(program: &Program) -> Result<Vec<Option<Writer>>, String> {
    let mut writers: Vec<Option<Writer>> = vec![None; program.locations.len()];
    for (t, code) in program.threads.iter().enumerate() {
        for instr in code {
            let Instr::Store { at, .. } = instr else {
                continue;
            };
            let w = &mut writers[at.loc as usize];
            match w {
                Some(w) if w.thread != t => {
                    return Err(format!(
                        "both threads store {}: which came last needs their coherence order",
                        program.locations[at.loc as usize].name
                    ));
                }
                Some(w) => w.stores += 1,
                None => {
                    *w = Some(Writer {
                        thread: t,
                        stores: 1,
                    })
                }
            }
        }
    }
    Ok(writers)
}

/// Rewrite thread `t`'s code in place; its stores and loads.
fn convert_thread(
    program: &Program,
    t: usize,
    code: &mut [Instr],
    writers: &[Option<Writer>],
) -> Result<ThreadPlan, String> {
    let mut free = free_registers(program, t);
    let mut fresh = || {
        free.pop()
            .ok_or_else(|| format!("thread {t} needs more than {MAX_REGISTERS} registers"))
    };
    let mut plan = ThreadPlan::default();
    let mut loaded: Vec<u8> = Vec::new();
    let mut stores_to = vec![0u64; program.locations.len()];
    for instr in code.iter_mut() {
        match instr {
            Instr::Rmw { .. } => {
                return Err("a read-modify-write both reads and writes: not converted".into());
            }
            Instr::Load { size, at, reg } => {
                whole(program, *size, at.loc, at.offset)?;
                loaded.push(*reg);
                let new = fresh()?;
                plan.loads.push(LoadSlot {
                    reg: new,
                    loc: at.loc,
                });
                *reg = new;
            }
            Instr::Store { size, at, value } => {
                whole(program, *size, at.loc, at.offset)?;
                let Operand::Imm(original) = *value else {
                    return Err("a store of a register's value: not converted".into());
                };
                let reg = fresh()?;
                let index = stores_to[at.loc as usize];
                stores_to[at.loc as usize] += 1;
                let writer = writers[at.loc as usize].expect("the thread storing it");
                debug_assert_eq!(writer.thread, t);
                plan.stores.push(StoreSlot {
                    reg,
                    loc: at.loc,
                    index,
                    stores: writer.stores,
                    original,
                });
                *value = Operand::Reg(reg);
            }
            Instr::Move { reg, value } => {
                if matches!(value, Operand::Reg(r) if loaded.contains(r)) {
                    return Err("a loaded value moves to another register: not converted".into());
                }
                loaded.retain(|r| r != reg);
            }
            Instr::Fence(_) => {}
        }
    }
    Ok(plan)
}

/// A location accessed whole, or why not.
fn whole(
    program: &Program,
    size: crate::catalog::program::Size,
    loc: u8,
    offset: u8,
) -> Result<(), String> {
    let location = &program.locations[loc as usize];
    if offset != 0 || size != location.size {
        return Err(format!(
            "mixed-size accesses to {}: not converted",
            location.name
        ));
    }
    Ok(())
}

/// The registers thread `t` never names (`pop` hands out the highest).
fn free_registers(program: &Program, t: usize) -> Vec<u8> {
    let mut used = [false; MAX_REGISTERS];
    for instr in &program.threads[t] {
        match *instr {
            Instr::Load { reg, .. } | Instr::Move { reg, .. } => used[reg as usize] = true,
            _ => {}
        }
        if let Instr::Store {
            value: Operand::Reg(r),
            ..
        }
        | Instr::Move {
            value: Operand::Reg(r),
            ..
        } = *instr
        {
            used[r as usize] = true;
        }
    }
    for o in &program.observed {
        if let Observable::Reg { thread, reg } = *o
            && thread as usize == t
        {
            used[reg as usize] = true;
        }
    }
    for (r, value) in program.init_regs[t].iter().enumerate() {
        if *value != 0 || program.reg_names[t][r].is_some() {
            used[r] = true;
        }
    }
    (0..MAX_REGISTERS as u8)
        .filter(|r| !used[*r as usize])
        .collect()
}

/// The condition as a disjunction of conjunctions of equalities (as
/// `exists (a /\ b)` and the exported `exists ((a /\ b) \/ (c /\ d))`
/// are), or why it is not one.
fn disjuncts(
    program: &Program,
    plans: &[ThreadPlan],
    writers: &[Option<Writer>],
) -> Result<Vec<Vec<Conjunct>>, String> {
    if program.condition.quantifier == Quantifier::Forall {
        return Err("a forall condition's witness is a negation: not converted".into());
    }
    let ors: Vec<&Prop> = match &program.condition.prop {
        Prop::Or(ps) => ps.iter().collect(),
        p => vec![p],
    };
    ors.into_iter()
        .map(|p| {
            let mut equalities = Vec::new();
            flatten(p, &mut equalities)?;
            equalities
                .into_iter()
                .map(|(o, v)| conjunct(program, plans, writers, o, v))
                .collect()
        })
        .collect()
}

fn flatten(prop: &Prop, into: &mut Vec<(Observable, u64)>) -> Result<(), String> {
    match prop {
        Prop::True => Ok(()),
        Prop::Is(o, v) => {
            into.push((*o, *v));
            Ok(())
        }
        Prop::And(ps) => ps.iter().try_for_each(|p| flatten(p, into)),
        Prop::Or(ps) if ps.len() == 1 => flatten(&ps[0], into),
        Prop::Not(_) | Prop::Or(_) => Err(
            "the condition is not a disjunction of conjunctions of values: not converted".into(),
        ),
    }
}

/// One equality as a conjunct: a register holds what its last writer in
/// program order put there (a load, a constant, or its initial value); a
/// location with one writer ends with that writer's last store to it.
fn conjunct(
    program: &Program,
    plans: &[ThreadPlan],
    writers: &[Option<Writer>],
    o: Observable,
    value: u64,
) -> Result<Conjunct, String> {
    match o {
        Observable::Reg { thread, reg } => {
            let t = thread as usize;
            let mut last = Conjunct::Fixed(program.init_regs[t][reg as usize] == value);
            let mut load = 0;
            for instr in &program.threads[t] {
                match *instr {
                    Instr::Load { reg: r, .. } => {
                        if r == reg {
                            last = Conjunct::Load {
                                thread: t,
                                load,
                                value,
                            };
                        }
                        load += 1;
                    }
                    Instr::Move {
                        reg: r,
                        value: Operand::Imm(c),
                    } if r == reg => {
                        last = Conjunct::Fixed(c == value);
                    }
                    Instr::Move {
                        reg: r,
                        value: Operand::Reg(_),
                    } if r == reg => {
                        return Err(
                            "the condition names a register copied from another: not converted"
                                .into(),
                        );
                    }
                    _ => {}
                }
            }
            debug_assert!(load == plans[t].loads.len());
            Ok(last)
        }
        Observable::Loc(loc) => {
            let final_value = match writers[loc as usize] {
                None => program.locations[loc as usize].init,
                Some(w) => plans[w.thread]
                    .stores
                    .iter()
                    .rev()
                    .find(|s| s.loc == loc)
                    .map(|s| s.original)
                    .expect("a writer has a store"),
            };
            Ok(Conjunct::Fixed(final_value == value))
        }
    }
}
