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
//! A program converts when it has two threads, no read-modify-write, every
//! access the size of its location, stores of constants only, no loaded
//! value used by a later instruction, and a condition that is a
//! disjunction of conjunctions of values (`exists` or `~exists`; a
//! `forall` is a negation).
//!
//! A location one thread stores has its stores in coherence order as that
//! thread's program and iteration order have them. A location both threads
//! store (`R`, `S`, `2+2W`) needs more: which thread's store came last in
//! coherence. Each thread that stores it then loads it once more after each
//! iteration, after the body (as the buffer copies are), into its buffer:
//! an *observer*. [`super::check`] counts a tuple only where a recorded
//! observation proves the coherence order its condition needs (the module
//! note there has the argument). The threads' own loads of such a location
//! convert too: what each may show in a projection follows from where it
//! sits among its thread's stores to the location (the same module note).

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

/// A location both threads store: how many stores each body makes to it.
/// Thread 0's stores take the indices `0..stores[0]`, thread 1's the next
/// `stores[1]`, so a value names the thread as well as the instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shared {
    pub stores: [u64; 2],
}

impl Shared {
    /// Stores to the location in one iteration of both threads.
    pub fn total(&self) -> u64 {
        self.stores[0] + self.stores[1]
    }

    /// The store instance `value` names; `None`: the value before the
    /// batch.
    pub fn instance(&self, value: u64) -> Option<Instance> {
        let (index, k) = decode(value, self.total())?;
        let thread = (index >= self.stores[0]) as usize;
        let nth = index - if thread == 1 { self.stores[0] } else { 0 };
        Some(Instance { thread, nth, k })
    }

    /// Is `at` its thread's last store to the location in its iteration?
    pub fn last_of_iteration(&self, at: Instance) -> bool {
        at.nth + 1 == self.stores[at.thread]
    }
}

/// A store instance of a location both threads store: its thread, which
/// of that thread's stores to the location it is, and its iteration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Instance {
    pub thread: usize,
    pub nth: u64,
    pub k: u64,
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

/// A load: the register it now writes, and its location; for a location
/// both threads store, how many stores to it its thread makes before it in
/// the body (what it may read depends on it: [`super::check`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadSlot {
    pub reg: u8,
    pub loc: u8,
    pub own_stores_before: u64,
}

/// One thread's stores and loads, in program order, and the locations it
/// observes after each iteration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ThreadPlan {
    pub stores: Vec<StoreSlot>,
    pub loads: Vec<LoadSlot>,
    /// Locations both threads store, loaded once more after each
    /// iteration (after the body), in this order after the loads in the
    /// thread's buffer row.
    pub observers: Vec<u8>,
}

impl ThreadPlan {
    /// The values one iteration records: its loads, then its observers.
    pub fn width(&self) -> usize {
        self.loads.len() + self.observers.len()
    }
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
    /// "The final value of `loc`, which both threads store, is `thread`'s
    /// last store to it": the other thread's store comes before it in
    /// coherence.
    Last {
        loc: u8,
        thread: usize,
    },
}

/// A converted program.
#[derive(Clone, Debug)]
pub struct Perpetual {
    /// The threads as they run: stores from registers, loads to their own.
    pub program: Program,
    pub threads: Vec<ThreadPlan>,
    /// Per location: who stores it, when one thread does.
    pub writers: Vec<Option<Writer>>,
    /// Per location: its stores, when both threads store it.
    pub shared: Vec<Option<Shared>>,
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
    // One store a location (most tests): no division, which the checker
    // would otherwise do for every load of every iteration.
    if stores == 1 {
        return Some((0, v));
    }
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
        .chain(p.shared.iter().flatten().map(Shared::total))
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
    let (writers, shared) = writers(program);
    let mut converted = program.clone();
    let mut plans = Vec::new();
    for (t, code) in converted.threads.iter_mut().enumerate() {
        plans.push(convert_thread(program, t, code, &writers, &shared)?);
    }
    let disjuncts = disjuncts(program, &plans, &writers, &shared)?;
    Ok(Perpetual {
        program: converted,
        threads: plans,
        writers,
        shared,
        init: program.locations.iter().map(|l| l.init).collect(),
        disjuncts,
    })
}

/// Who stores each location: one thread (`writers`) or both (`shared`).
fn writers(program: &Program) -> (Vec<Option<Writer>>, Vec<Option<Shared>>) {
    let mut stores = vec![[0u64; 2]; program.locations.len()];
    for (t, code) in program.threads.iter().enumerate() {
        for instr in code {
            if let Instr::Store { at, .. } = instr {
                stores[at.loc as usize][t] += 1;
            }
        }
    }
    stores
        .iter()
        .map(|&[a, b]| match (a, b) {
            (0, 0) => (None, None),
            (a, 0) => (
                Some(Writer {
                    thread: 0,
                    stores: a,
                }),
                None,
            ),
            (0, b) => (
                Some(Writer {
                    thread: 1,
                    stores: b,
                }),
                None,
            ),
            (a, b) => (None, Some(Shared { stores: [a, b] })),
        })
        .unzip()
}

/// Rewrite thread `t`'s code in place; its stores and loads.
fn convert_thread(
    program: &Program,
    t: usize,
    code: &mut [Instr],
    writers: &[Option<Writer>],
    shared: &[Option<Shared>],
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
        if let Instr::Load { at, .. } | Instr::Store { at, .. } = instr
            && at.index.is_some()
        {
            return Err("an address with an index register: not converted".into());
        }
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
                    own_stores_before: stores_to[at.loc as usize],
                });
                *reg = new;
            }
            Instr::Store { size, at, value } => {
                whole(program, *size, at.loc, at.offset)?;
                let Operand::Imm(original) = *value else {
                    return Err("a store of a register's value: not converted".into());
                };
                let reg = fresh()?;
                let mut index = stores_to[at.loc as usize];
                stores_to[at.loc as usize] += 1;
                let stores = match (writers[at.loc as usize], shared[at.loc as usize]) {
                    (Some(writer), _) => {
                        debug_assert_eq!(writer.thread, t);
                        writer.stores
                    }
                    (None, Some(both)) => {
                        // Thread 1's indices follow thread 0's.
                        index += if t == 1 { both.stores[0] } else { 0 };
                        if !plan.observers.contains(&at.loc) {
                            plan.observers.push(at.loc);
                        }
                        both.total()
                    }
                    (None, None) => unreachable!("a stored location has a writer"),
                };
                plan.stores.push(StoreSlot {
                    reg,
                    loc: at.loc,
                    index,
                    stores,
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
            Instr::Jump { .. } | Instr::Label(_) => {
                return Err("a branch: not converted".into());
            }
            Instr::Alu { .. } => {
                return Err("register arithmetic: not converted".into());
            }
            Instr::SpinLock { .. } => {
                return Err("a spin lock, which waits for another thread: not converted".into());
            }
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
    let mut used = program.registers_used(t);
    for (r, name) in program.reg_names[t].iter().enumerate() {
        used[r] |= name.is_some();
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
    shared: &[Option<Shared>],
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
                .map(|(o, v)| conjunct(program, plans, writers, shared, o, v))
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
/// location with one writer ends with that writer's last store to it; one
/// both threads store, with the last store of whichever thread's store
/// comes last in coherence.
fn conjunct(
    program: &Program,
    plans: &[ThreadPlan],
    writers: &[Option<Writer>],
    shared: &[Option<Shared>],
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
        Observable::Loc(loc) if shared[loc as usize].is_some() => {
            let last = |t: usize| last_store(&plans[t], loc);
            Ok(match (last(0) == Some(value), last(1) == Some(value)) {
                (true, true) => Conjunct::Fixed(true),
                (false, false) => Conjunct::Fixed(false),
                (true, false) => Conjunct::Last { loc, thread: 0 },
                (false, true) => Conjunct::Last { loc, thread: 1 },
            })
        }
        Observable::Loc(loc) => {
            let final_value = match writers[loc as usize] {
                None => program.locations[loc as usize].init,
                Some(w) => last_store(&plans[w.thread], loc).expect("a writer has a store"),
            };
            Ok(Conjunct::Fixed(final_value == value))
        }
    }
}

/// The value a thread's last store to `loc` (in program order) writes in
/// the original test, if it stores `loc`.
fn last_store(plan: &ThreadPlan, loc: u8) -> Option<u64> {
    plan.stores
        .iter()
        .rev()
        .find(|s| s.loc == loc)
        .map(|s| s.original)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spin_lock_is_not_converted_and_says_so() {
        let text = "C L\n{}\nP0(spinlock_t *s, int *x)\n{\n\tspin_lock(s);\n\tWRITE_ONCE(*x, 1);\n\tspin_unlock(s);\n}\nP1(int *x)\n{\n\tint r0;\n\tr0 = READ_ONCE(*x);\n}\nexists (1:r0=1)\n";
        let c = crate::catalog::file::c::from_text(text).unwrap();
        let p = crate::catalog::file::c::x86::program(&c).unwrap();
        let Err(why) = convert(&p) else {
            panic!("converted")
        };
        assert_eq!(
            why,
            "a spin lock, which waits for another thread: not converted"
        );
    }
}
