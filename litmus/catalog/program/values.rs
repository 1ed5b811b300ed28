//! Which values each register may hold where it is used as an index,
//! over every execution under any memory model that takes no value out of
//! thin air (x86-TSO, the hardware, the LKMM): a value-set analysis, so
//! that an access `(y,%reg,1)` runs only where `%reg` can hold nothing
//! but 0 (the C tests' address dependencies, `y + (r1 & 8)` with `r1`
//! only ever 0 or 1, are built so), and so that `litmus export --herd`
//! knows whether a value may be negative.
//!
//! Each location's set holds its initial value and every value any
//! thread stores to it; each thread runs through its code once per round
//! with sets of values in its registers (a load takes the location's
//! whole set, a jump's two ways are joined at its label), adding what it
//! stores, until no location's set grows. Each value carries the writes
//! (store and read-modify-write instructions) it was computed through: a
//! write never takes a value computed through itself, as the threads have
//! no loops and each instruction writes at most once in an execution (so
//! two decrements of a counter from 1 give 0 and -1, not -2). A set that
//! would pass [`LIMIT`] values becomes "any value". The result
//! over-approximates the values of every execution, whatever order the
//! stores reach memory in: an index whose set is `{0}` is 0 in every
//! execution.

use super::{AluOp, Instr, MAX_REGISTERS, Operand, Program, RmwOp};
use std::collections::BTreeSet;

/// Values (with their writes) a set holds before it becomes "any value".
pub const LIMIT: usize = 256;

/// The writes a value was computed through, one bit per writing
/// instruction (the first 64 of the program; later ones are not told
/// apart, which only loses precision).
type Writes = u64;

/// The values a register or location may hold: a set (each value with the
/// writes it came through), or any value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Values {
    Some(BTreeSet<(u64, Writes)>),
    Any,
}

impl Values {
    fn one(v: u64) -> Values {
        Values::Some(BTreeSet::from([(v, 0)]))
    }

    fn none() -> Values {
        Values::Some(BTreeSet::new())
    }

    /// Adds `other`'s values; whether the set grew.
    fn join(&mut self, other: &Values) -> bool {
        match (&mut *self, other) {
            (Values::Any, _) => false,
            (_, Values::Any) => {
                *self = Values::Any;
                true
            }
            (Values::Some(a), Values::Some(b)) => {
                let before = a.len();
                a.extend(b.iter().copied());
                if a.len() > LIMIT {
                    *self = Values::Any;
                    return true;
                }
                a.len() != before
            }
        }
    }

    /// `f(a, b)` for every pair, through the writes of both; "any value"
    /// stays so.
    fn pairs(&self, other: &Values, f: impl Fn(u64, u64) -> u64) -> Values {
        let (Values::Some(a), Values::Some(b)) = (self, other) else {
            return Values::Any;
        };
        let mut out = BTreeSet::new();
        for (x, wx) in a {
            for (y, wy) in b {
                out.insert((f(*x, *y), wx | wy));
                if out.len() > LIMIT {
                    return Values::Any;
                }
            }
        }
        Values::Some(out)
    }

    /// `f(v)` of each value.
    fn map(&self, f: impl Fn(u64) -> u64) -> Values {
        match self {
            Values::Any => Values::Any,
            Values::Some(s) => Values::Some(s.iter().map(|(v, w)| (f(*v), *w)).collect()),
        }
    }

    /// The values write `w` may store: those not computed through it,
    /// now through it too.
    fn written_by(&self, w: Writes) -> Values {
        match self {
            Values::Any => Values::Any,
            Values::Some(s) => Values::Some(
                s.iter()
                    .filter(|(_, through)| through & w == 0)
                    .map(|(v, through)| (*v, through | w))
                    .collect(),
            ),
        }
    }

    /// The values alone.
    fn plain(&self) -> Option<BTreeSet<u64>> {
        match self {
            Values::Any => None,
            Values::Some(s) => Some(s.iter().map(|(v, _)| *v).collect()),
        }
    }

    /// Whether every value is 0 (or there is none: the access is never
    /// reached).
    pub fn only_zero(&self) -> bool {
        matches!(self, Values::Some(s) if s.iter().all(|(v, _)| *v == 0))
    }

    /// Whether some value has bit 31 set (negative at 4 bytes), or the
    /// set is any value.
    pub fn may_be_negative(&self) -> bool {
        match self {
            Values::Any => true,
            Values::Some(s) => s.iter().any(|(v, _)| *v >= 1 << 31),
        }
    }
}

/// `a & k` where `a` may be any value: the sub-masks of `k`, if it has few
/// bits.
fn and_any(k: u64) -> Values {
    if k.count_ones() > 6 {
        return Values::Any;
    }
    let mut out = BTreeSet::new();
    let mut sub = k;
    loop {
        out.insert((sub, 0));
        if sub == 0 {
            break;
        }
        sub = (sub - 1) & k;
    }
    Values::Some(out)
}

/// Which registers hold another's value (`mov %r1,%r2`): per register,
/// the register it is a copy of, in every execution that gets here.
type Copies = [Option<u8>; MAX_REGISTERS];

/// The register `r` is a copy of, or itself.
fn root(copies: &Copies, r: u8) -> u8 {
    copies[r as usize].unwrap_or(r)
}

/// `r` is written: it and its copies are no longer copies.
fn written(copies: &mut Copies, r: u8) {
    copies[r as usize] = None;
    for c in copies.iter_mut() {
        if *c == Some(r) {
            *c = None;
        }
    }
}

/// The values of a register-only operation, `reg = reg op value`.
fn alu(op: AluOp, reg: u8, value: Operand, regs: &[Values], copies: &Copies, mask: u64) -> Values {
    let of = |o: Operand| match o {
        Operand::Imm(v) => Values::one(v & mask),
        Operand::Reg(r) => regs[r as usize].clone(),
    };
    // `xor r,r` and `sub r,r` are 0 whatever `r` holds, and so are they of
    // a copy of `r` (`mov %r1,%r2; xor %r1,%r2`, which keeps the
    // dependency); `and $k` keeps k's bits.
    match (op, value) {
        (AluOp::Xor | AluOp::Sub, Operand::Reg(r)) if root(copies, r) == root(copies, reg) => {
            return Values::one(0);
        }
        (AluOp::And, Operand::Imm(k)) if regs[reg as usize] == Values::Any => {
            return and_any(k & mask);
        }
        _ => {}
    }
    regs[reg as usize].pairs(&of(value), |a, b| op.apply(a, b, mask))
}

/// One thread's run over `locs` (which it adds its stores to); `visit`
/// sees the registers before each instruction it reaches (and after the
/// last, with the code's length). Whether a location grew.
fn thread(
    p: &Program,
    t: usize,
    locs: &mut [Values],
    visit: &mut impl FnMut(usize, &[Values]),
) -> bool {
    let mask = p.register_size.mask();
    // This thread's writes' bits: the program's writing instructions in
    // order, threads before it first.
    let first: usize = p.threads[..t]
        .iter()
        .flatten()
        .filter(|i| matches!(i, Instr::Store { .. } | Instr::Rmw { .. }))
        .count();
    let mut next_write = first;
    let mut regs: Vec<Values> = p.init_regs[t].iter().map(|v| Values::one(*v)).collect();
    let mut copies: Copies = [None; MAX_REGISTERS];
    // Registers at each label, from the jumps to it; `None` in `regs`'
    // place: this point is not reached (after a `JMP`).
    let mut at_label: Vec<Option<(Vec<Values>, Copies)>> = vec![None; 256];
    let mut reached = true;
    let mut grew = false;
    let unreached = || vec![Values::none(); MAX_REGISTERS];
    for (i, instr) in p.threads[t].iter().enumerate() {
        if let Instr::Label(n) = *instr {
            if let Some((from, from_copies)) = at_label[n as usize].take() {
                if reached {
                    for (c, f) in copies.iter_mut().zip(from_copies) {
                        if *c != f {
                            *c = None;
                        }
                    }
                } else {
                    regs = unreached();
                    copies = from_copies;
                }
                for (r, v) in regs.iter_mut().zip(&from) {
                    r.join(v);
                }
                reached = true;
            }
            continue;
        }
        // What the instruction writes is no copy any more (a move makes
        // one again below); its operands are read as they were.
        let before = copies;
        for r in writes(instr) {
            written(&mut copies, r);
        }
        if !reached {
            continue;
        }
        visit(i, &regs);
        let of = |o: Operand, regs: &[Values]| match o {
            Operand::Imm(v) => Values::one(v & mask),
            Operand::Reg(r) => regs[r as usize].clone(),
        };
        let whole = |at: super::Address, size: super::Size| {
            at.offset == 0 && size == p.locations[at.loc as usize].size
        };
        let w: Writes = if matches!(
            instr,
            Instr::Store { .. } | Instr::Rmw { .. } | Instr::SpinLock { .. }
        ) {
            next_write += 1;
            1u64.checked_shl(next_write as u32 - 1).unwrap_or(0)
        } else {
            0
        };
        let mut store = |l: u8, v: &Values, locs: &mut [Values]| {
            let size = p.locations[l as usize].size.mask();
            let v = v.map(|a| a & size).written_by(w);
            grew |= locs[l as usize].join(&v);
        };
        match *instr {
            Instr::Label(_) => unreachable!(),
            Instr::Fence(_) => {}
            Instr::Load { at, reg, size } => {
                // The low half of an 8-byte location; its high half: any
                // value.
                regs[reg as usize] = if at.offset == 0 {
                    locs[at.loc as usize].map(|v| v & size.mask())
                } else {
                    Values::Any
                };
            }
            Instr::Store { at, value, size } => {
                // A half of an 8-byte location leaves it any value.
                let v = if whole(at, size) {
                    of(value, &regs)
                } else {
                    Values::Any
                };
                store(at.loc, &v, locs);
            }
            Instr::Move { reg, value } => {
                regs[reg as usize] = of(value, &regs);
                if let Operand::Reg(src) = value
                    && src != reg
                {
                    copies[reg as usize] = Some(root(&before, src));
                }
            }
            Instr::Alu {
                op,
                size,
                reg,
                value,
            } => regs[reg as usize] = alu(op, reg, value, &regs, &before, mask & size.mask()),
            Instr::Rmw { at, op, size, .. } => {
                // A half of an 8-byte location leaves it any value.
                if !whole(at, size) {
                    store(at.loc, &Values::Any, locs);
                }
                let old = if whole(at, size) {
                    locs[at.loc as usize].clone()
                } else {
                    Values::Any
                };
                let size = p.locations[at.loc as usize].size.mask();
                let sum = |v: &Values| old.pairs(v, |a, b| a.wrapping_add(b) & size);
                match op {
                    RmwOp::Add(v) => store(at.loc, &sum(&of(v, &regs)), locs),
                    RmwOp::Xchg(r) => {
                        store(at.loc, &regs[r as usize].clone(), locs);
                        regs[r as usize] = old;
                    }
                    RmwOp::Cmpxchg(r) => {
                        store(at.loc, &regs[r as usize].clone(), locs);
                        regs[0] = old;
                    }
                    RmwOp::Xadd(r) => {
                        store(at.loc, &sum(&regs[r as usize]), locs);
                        regs[r as usize] = old;
                    }
                    RmwOp::AddTest { value, reg, test } => {
                        let new = sum(&of(value, &regs));
                        store(at.loc, &new, locs);
                        regs[reg as usize] = match &new {
                            Values::Any => Values::Some(BTreeSet::from([(0, 0), (1, 0)])),
                            new => new.map(|v| test.holds(v, size) as u64),
                        };
                    }
                }
            }
            // Taken: the word held 0, now 1; `%eax` 0, the register 1.
            Instr::SpinLock { at, reg } => {
                store(at.loc, &Values::one(1), locs);
                regs[0] = Values::one(0);
                regs[reg as usize] = Values::one(1);
            }
            Instr::Jump { when, to } => {
                match &mut at_label[to as usize] {
                    None => at_label[to as usize] = Some((regs.clone(), copies)),
                    Some((entry, entry_copies)) => {
                        for (r, v) in entry.iter_mut().zip(&regs) {
                            r.join(v);
                        }
                        for (c, f) in entry_copies.iter_mut().zip(copies) {
                            if *c != f {
                                *c = None;
                            }
                        }
                    }
                }
                if when.is_none() {
                    reached = false;
                }
            }
        }
    }
    if reached {
        visit(p.threads[t].len(), &regs);
    }
    grew
}

/// The registers an instruction writes.
fn writes(i: &Instr) -> Vec<u8> {
    match *i {
        Instr::Load { reg, .. } | Instr::Move { reg, .. } | Instr::Alu { reg, .. } => vec![reg],
        Instr::Rmw { op, .. } => match op {
            RmwOp::Add(_) => vec![],
            RmwOp::Xchg(r) | RmwOp::Xadd(r) => vec![r],
            RmwOp::Cmpxchg(_) => vec![0],
            RmwOp::AddTest { reg, .. } => vec![reg],
        },
        Instr::SpinLock { reg, .. } => vec![0, reg],
        Instr::Store { .. } | Instr::Fence(_) | Instr::Jump { .. } | Instr::Label(_) => vec![],
    }
}

/// Every location's values, over every execution.
fn locations(p: &Program) -> Vec<Values> {
    let mut locs: Vec<Values> = p.locations.iter().map(|l| Values::one(l.init)).collect();
    // Until no location grows: each round adds values, and a set stops at
    // "any value", so this ends.
    loop {
        let mut grew = false;
        for t in 0..p.threads.len() {
            grew |= thread(p, t, &mut locs, &mut |_, _| {});
        }
        if !grew {
            return locs;
        }
    }
}

/// `visit(thread, instruction, registers before it)` at every instruction
/// each thread reaches (and after its last), over every execution.
fn each_instruction(p: &Program, mut visit: impl FnMut(usize, usize, &[Values])) {
    let locs = locations(p);
    for t in 0..p.threads.len() {
        thread(p, t, &mut locs.clone(), &mut |i, regs| visit(t, i, regs));
    }
}

/// A register or location that may hold a negative value (bit 31 set, at
/// 4 bytes), or any value: its name and values. herd7 7.58's `X86_64`
/// zero-extends a 32-bit load but sign-extends an immediate, so a compare,
/// a flag or a final value of a negative one differs from the hardware's.
pub fn negative(p: &Program) -> Option<(String, Values)> {
    let top = Values::may_be_negative;
    let locs = locations(p);
    for (l, v) in locs.iter().enumerate() {
        if top(v) {
            return Some((p.locations[l].name.clone(), v.clone()));
        }
    }
    let mut found = None;
    each_instruction(p, |t, _, regs| {
        if found.is_none()
            && let Some(r) = regs.iter().position(top)
        {
            found = Some((
                p.name_of(super::Observable::Reg {
                    thread: t as u8,
                    reg: r as u8,
                }),
                regs[r].clone(),
            ));
        }
    });
    found
}

/// The first access (thread, instruction index) whose index register may
/// hold anything but 0, with the values it may hold; `None` when every
/// index is always 0 (or the program has none).
pub fn nonzero_index(p: &Program) -> Option<(usize, usize, Values)> {
    if !super::indexes(p) {
        return None;
    }
    let mut found = None;
    each_instruction(p, |t, i, regs| {
        let Some(instr) = p.threads[t].get(i) else {
            return;
        };
        if let Instr::Load { at, .. } | Instr::Store { at, .. } | Instr::Rmw { at, .. } = instr
            && let Some(x) = at.index
            && found.is_none()
            && !regs[x as usize].only_zero()
        {
            found = Some((t, i, regs[x as usize].clone()));
        }
    });
    found
}

impl std::fmt::Display for Values {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            Values::Any => write!(f, "any value"),
            Values::Some(_) => {
                let s = self.plain().unwrap_or_default();
                let shown: Vec<String> = s.iter().take(8).map(|v| v.to_string()).collect();
                let more = if s.len() > 8 { ", ..." } else { "" };
                write!(f, "{{{}{more}}}", shown.join(", "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::program::{Address, Location, Size};

    fn program(threads: Vec<Vec<Instr>>, init: &[u64]) -> Program {
        let n = threads.len();
        Program {
            name: "t".into(),
            locations: init
                .iter()
                .enumerate()
                .map(|(i, v)| Location {
                    name: format!("x{i}"),
                    size: Size::Four,
                    init: *v,
                })
                .collect(),
            register_size: Size::Four,
            init_regs: vec![[0; MAX_REGISTERS]; n],
            reg_names: vec![Default::default(); n],
            threads,
            observed: vec![],
            condition: crate::catalog::program::Condition {
                quantifier: crate::catalog::program::Quantifier::Exists,
                prop: crate::catalog::program::Prop::True,
            },
        }
    }

    fn at(loc: u8, index: Option<u8>) -> Address {
        Address {
            loc,
            offset: 0,
            index,
        }
    }

    fn load(loc: u8, reg: u8, index: Option<u8>) -> Instr {
        Instr::Load {
            size: Size::Four,
            at: at(loc, index),
            reg,
        }
    }

    fn store(loc: u8, value: Operand) -> Instr {
        Instr::Store {
            size: Size::Four,
            at: at(loc, None),
            value,
        }
    }

    fn alu(op: AluOp, reg: u8, value: Operand) -> Instr {
        Instr::Alu {
            op,
            size: Size::Four,
            reg,
            value,
        }
    }

    #[test]
    fn an_index_masked_off_every_value_stored_is_zero() {
        // r1 = x; r2 = r1 & 8; r3 = y[r2] ‖ x = 1; x = 4.
        let p = program(
            vec![
                vec![
                    load(0, 1, None),
                    Instr::Move {
                        reg: 2,
                        value: Operand::Reg(1),
                    },
                    alu(AluOp::And, 2, Operand::Imm(8)),
                    load(1, 3, Some(2)),
                ],
                vec![store(0, Operand::Imm(1)), store(0, Operand::Imm(4))],
            ],
            &[0, 0],
        );
        assert_eq!(nonzero_index(&p), None);
        // Store 12 instead: 12 & 8 is 8.
        let mut q = p.clone();
        q.threads[1][1] = store(0, Operand::Imm(12));
        let (t, i, v) = nonzero_index(&q).expect("may be 8");
        assert_eq!((t, i), (0, 3));
        assert_eq!(v.plain(), Some(BTreeSet::from([0, 8])));
    }

    #[test]
    fn xor_of_a_register_with_itself_is_zero_whatever_it_holds() {
        // x is 0, or 16 from P0's store.
        let p = program(
            vec![
                vec![
                    load(0, 1, None),
                    alu(AluOp::Add, 1, Operand::Imm(16)),
                    store(0, Operand::Reg(1)),
                ],
                vec![
                    load(0, 2, None),
                    alu(AluOp::Xor, 2, Operand::Reg(2)),
                    load(1, 3, Some(2)),
                    load(0, 4, None),
                    alu(AluOp::And, 4, Operand::Imm(16)),
                    load(1, 5, Some(4)),
                ],
            ],
            &[0, 0],
        );
        let (t, i, v) = nonzero_index(&p).expect("r4 & 16 may be 16");
        assert_eq!((t, i), (1, 5));
        assert_eq!(v.plain(), Some(BTreeSet::from([0, 16])));
    }

    #[test]
    fn xor_with_a_copy_of_itself_is_zero_until_either_is_written() {
        // r2 = r1; r2 ^= r1: 0. Then r1 = x again: r2 ^= r1 is not.
        let mov = Instr::Move {
            reg: 2,
            value: Operand::Reg(1),
        };
        let p = program(
            vec![
                vec![
                    load(0, 1, None),
                    mov,
                    alu(AluOp::Xor, 2, Operand::Reg(1)),
                    load(1, 3, Some(2)),
                ],
                vec![store(0, Operand::Imm(5))],
            ],
            &[0, 0],
        );
        assert_eq!(nonzero_index(&p), None);
        let mut q = p.clone();
        q.threads[0].insert(2, load(0, 1, None));
        assert!(nonzero_index(&q).is_some());
    }

    #[test]
    fn a_write_never_takes_a_value_computed_through_itself() {
        // Two decrements of x from 1, one per thread: x is 1, 0 or -1,
        // never -2 (each decrement happens once).
        let dec = Instr::Rmw {
            size: Size::Four,
            at: at(0, None),
            op: RmwOp::Add(Operand::Imm(u32::MAX as u64)),
            locked: true,
        };
        let p = program(vec![vec![dec], vec![dec]], &[1]);
        let x = locations(&p).remove(0);
        assert_eq!(x.plain(), Some(BTreeSet::from([0, 1, u32::MAX as u64])));
        // From 2: 2, 1, 0, no negative value.
        let q = program(vec![vec![dec], vec![dec]], &[2]);
        assert_eq!(negative(&q), None);
        assert!(negative(&p).is_some());
    }

    #[test]
    fn a_branch_joins_both_ways() {
        // r1 = x; if (r1 == 0) r2 = 8; y[r2].
        let p = program(
            vec![vec![
                load(0, 1, None),
                Instr::Jump {
                    when: Some(crate::catalog::program::Compare {
                        reg: 1,
                        value: Operand::Imm(0),
                        jump: crate::catalog::program::Jcc::NotEqual,
                        size: Size::Four,
                    }),
                    to: 0,
                },
                Instr::Move {
                    reg: 2,
                    value: Operand::Imm(8),
                },
                Instr::Label(0),
                load(1, 3, Some(2)),
            ]],
            &[0, 0],
        );
        assert!(nonzero_index(&p).is_some());
    }
}
