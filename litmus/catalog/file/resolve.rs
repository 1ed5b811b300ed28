//! Names into indices: a file's sections become a [`Program`] once every
//! location, register and address is resolved and every access is sized.

use super::cond::{self, Name};
use super::instr::{self, Arg, Mem, Unresolved};
use super::parse::{Arch, ParseError, Sections, error};
use super::token::{self, Token, as_value};
use crate::catalog::program::{
    Address, Compare, Condition, Instr, Jcc, Location, MAX_LOCATIONS, MAX_OBSERVED, MAX_REGISTERS,
    MAX_THREADS, Observable, Operand, Program, Prop, RmwOp, Size, Test,
};

/// The register a locked add's flag goes to when a jump reads it (`LOCK
/// ADD [x],$-1` then `JNE L0`): 4, the stack pointer's number, which no
/// test register takes.
pub const FLAG: u8 = 4;
use std::collections::BTreeMap;

/// Turns names into indices while building the program.
pub(super) struct Resolver<'s> {
    s: &'s Sections,
    /// Locations by name: index, declared size (if typed), init value.
    locations: Vec<(String, Option<Size>, u64)>,
    /// Sizes accesses need, per location: (largest access, highest offset).
    needs: BTreeMap<usize, (Size, u8)>,
    /// Registers holding a location's address: (thread, register) -> location.
    addresses: BTreeMap<(u8, u8), usize>,
    init_regs: Vec<[u64; MAX_REGISTERS]>,
    reg_names: Vec<[Option<String>; MAX_REGISTERS]>,
}

impl<'s> Resolver<'s> {
    pub(super) fn new(s: &'s Sections) -> Resolver<'s> {
        let threads = s.threads.len();
        Resolver {
            s,
            locations: Vec::new(),
            needs: BTreeMap::new(),
            addresses: BTreeMap::new(),
            init_regs: vec![[0; MAX_REGISTERS]; threads],
            reg_names: vec![Default::default(); threads],
        }
    }

    fn location(&mut self, name: &str, line: usize) -> Result<usize, ParseError> {
        if let Some(i) = self.locations.iter().position(|l| l.0 == name) {
            return Ok(i);
        }
        if instr::register(self.s.arch, name).is_some() {
            return error(line, format!("'{name}' is a register, not a location"));
        }
        if self.locations.len() == MAX_LOCATIONS {
            return error(line, format!("more than {MAX_LOCATIONS} locations"));
        }
        self.locations.push((name.to_string(), None, 0));
        Ok(self.locations.len() - 1)
    }

    fn thread(&self, t: u8, line: usize) -> Result<usize, ParseError> {
        if (t as usize) < self.s.threads.len() {
            Ok(t as usize)
        } else {
            error(
                line,
                format!(
                    "thread {t} does not exist (the test has {})",
                    self.s.threads.len()
                ),
            )
        }
    }

    /// A register named in the init or the condition.
    fn named_reg(&mut self, t: u8, name: &str, line: usize) -> Result<(usize, u8), ParseError> {
        let t = self.thread(t, line)?;
        let r = instr::register(self.s.arch, name)
            .filter(|r| r.index != 4)
            .ok_or_else(|| ParseError {
                line,
                message: format!("'{name}' is not a register of {:?}", self.s.arch),
            })?;
        self.reg_names[t][r.index as usize].get_or_insert_with(|| name.to_string());
        Ok((t, r.index))
    }

    pub(super) fn program(mut self) -> Result<Program, ParseError> {
        if self.s.threads.len() > MAX_THREADS {
            return error(0, format!("more than {MAX_THREADS} threads"));
        }
        for (line, item) in &self.s.init {
            self.init_item(item, *line)?;
        }
        let (quantifier, raw) = cond::condition(&self.s.condition.1, self.s.condition.0)?;
        // Register names as the condition writes them win (litmus7 prints
        // outcomes that way).
        let mut threads = Vec::new();
        for t in 0..self.s.threads.len() {
            threads.push(self.thread_code(t)?);
        }
        let mut observed = Vec::new();
        let cond_line = self.s.condition.0;
        let mut resolve = |n: &Name, v: i128| -> Result<Prop, ParseError> {
            let o = self.observable(n, cond_line)?;
            let mask = self.observable_size(o).mask();
            if !observed.contains(&o) {
                observed.push(o);
            }
            Ok(Prop::Is(o, as_value(v, mask)))
        };
        let prop = raw.resolve(&mut resolve)?;
        for (line, item) in &self.s.locations.clone() {
            let t = token::tokens(item, *line)?;
            let o = self.observable(&cond::name(&t, *line)?, *line)?;
            if !observed.contains(&o) {
                observed.push(o);
            }
        }
        if observed.len() > MAX_OBSERVED {
            return error(
                cond_line,
                format!("more than {MAX_OBSERVED} values observed"),
            );
        }
        let locations = self.sized_locations()?;
        Ok(Program {
            name: self.s.name.clone(),
            register_size: match self.s.arch {
                Arch::X86 => Size::Four,
                Arch::X86_64 => Size::Eight,
            },
            locations,
            init_regs: self.init_regs,
            reg_names: self.reg_names,
            threads,
            observed,
            condition: Condition { quantifier, prop },
        })
    }

    fn observable(&mut self, n: &Name, line: usize) -> Result<Observable, ParseError> {
        match n {
            Name::Reg(t, r) => {
                let (t, reg) = self.named_reg(*t, r, line)?;
                if self.addresses.contains_key(&(t as u8, reg)) {
                    return error(
                        line,
                        format!("{t}:{r} holds an address; addresses are not observed"),
                    );
                }
                Ok(Observable::Reg {
                    thread: t as u8,
                    reg,
                })
            }
            Name::Loc(x) => Ok(Observable::Loc(self.location(x, line)? as u8)),
        }
    }

    fn observable_size(&self, o: Observable) -> Size {
        match o {
            Observable::Reg { .. } => match self.s.arch {
                Arch::X86 => Size::Four,
                Arch::X86_64 => Size::Eight,
            },
            Observable::Loc(l) => self.size_of(l as usize),
        }
    }

    /// The size a location ends up with: declared, else what its accesses
    /// need (4 bytes in the `X86` dialect).
    fn size_of(&self, l: usize) -> Size {
        if let Some(size) = self.locations[l].1 {
            return size;
        }
        match self.needs.get(&l) {
            Some((Size::Eight, _)) | Some((_, 4)) => Size::Eight,
            _ => Size::Four,
        }
    }

    fn sized_locations(&self) -> Result<Vec<Location>, ParseError> {
        let mut out = Vec::new();
        for (l, (name, declared, init)) in self.locations.iter().enumerate() {
            let size = self.size_of(l);
            if let (Some(declared), Some((need, offset))) = (declared, self.needs.get(&l))
                && (need > declared || (*offset == 4 && *declared == Size::Four))
            {
                return error(
                    0,
                    format!(
                        "location '{name}' is {declared} bytes but an access needs 8 (declare it uint64_t)"
                    ),
                );
            }
            out.push(Location {
                name: name.clone(),
                size,
                init: init & size.mask(),
            });
        }
        Ok(out)
    }

    /// `x=0`, `uint64_t x`, `uint64_t x=5`, `0:EAX=1`, `0:rsi=x`.
    fn init_item(&mut self, item: &str, line: usize) -> Result<(), ParseError> {
        let t = token::tokens(item, line)?;
        let (lhs, rhs) = match t.iter().position(|t| *t == Token::Punct("=")) {
            Some(eq) => (&t[..eq], Some(&t[eq + 1..])),
            None => (&t[..], None),
        };
        match lhs {
            // `uint64_t 0:rax`: herd7 needs it to keep 64 bits in a
            // register; here registers have their dialect's width anyway.
            [
                Token::Word(ty),
                Token::Number(t),
                Token::Punct(":"),
                Token::Word(r) | Token::Percent(r),
            ] if rhs.is_none() => {
                if !matches!(
                    ty.as_str(),
                    "int" | "uint32_t" | "int32_t" | "uint64_t" | "int64_t" | "long"
                ) {
                    return error(
                        line,
                        format!("type '{ty}' is not supported (int, uint32_t, uint64_t are)"),
                    );
                }
                self.named_reg(*t as u8, r, line)?;
                Ok(())
            }
            [Token::Word(ty), Token::Word(x)] => {
                let size = match ty.as_str() {
                    "int" | "uint32_t" | "int32_t" => Size::Four,
                    "uint64_t" | "int64_t" | "long" => Size::Eight,
                    other => {
                        return error(
                            line,
                            format!(
                                "type '{other}' is not supported (int, uint32_t, uint64_t are)"
                            ),
                        );
                    }
                };
                if self.s.arch == Arch::X86 && size == Size::Eight {
                    return error(line, "8-byte locations need the X86_64 dialect");
                }
                let l = self.location(x, line)?;
                self.locations[l].1 = Some(size);
                if let Some(v) = rhs {
                    self.locations[l].2 = self.init_value(v, line)?;
                }
                Ok(())
            }
            [
                Token::Number(_),
                Token::Punct(":"),
                Token::Word(r) | Token::Percent(r),
            ] => {
                let Token::Number(th) = lhs[0] else {
                    unreachable!()
                };
                let (th, reg) = self.named_reg(th as u8, r, line)?;
                match rhs {
                    Some([Token::Word(x)]) => {
                        let l = self.location(x, line)?;
                        self.addresses.insert((th as u8, reg), l);
                    }
                    Some(v) => self.init_regs[th][reg as usize] = self.init_value(v, line)?,
                    None => return error(line, format!("'{item}': a register needs a value")),
                }
                Ok(())
            }
            _ => {
                let name = cond::name(lhs, line)?;
                let Name::Loc(x) = name else {
                    unreachable!("registers handled above")
                };
                let l = self.location(&x, line)?;
                let Some(v) = rhs else {
                    return error(
                        line,
                        format!("'{item}': a location needs a value or a type"),
                    );
                };
                self.locations[l].2 = self.init_value(v, line)?;
                Ok(())
            }
        }
    }

    fn init_value(&self, t: &[Token], line: usize) -> Result<u64, ParseError> {
        match t {
            [Token::Number(n)] => Ok(*n as u64),
            _ => error(
                line,
                format!(
                    "'{}' is not a number (pointers are not supported)",
                    token::render(t)
                ),
            ),
        }
    }

    /// Thread `t`'s instructions, its labels numbered in order of mention
    /// and each `CMP` joined to the `JE` or `JNE` after it.
    fn thread_code(&mut self, t: usize) -> Result<Vec<Instr>, ParseError> {
        let sections = self.s;
        let code = &sections.threads[t];
        let mut out = Vec::new();
        // Label names by number, and whether each is placed yet.
        let mut labels: Vec<(String, bool)> = Vec::new();
        let mut compare: Option<(Compare, usize)> = None;
        let unjumped = |line: usize| error(line, "a CMP must be followed by JE or JNE");
        for (line, text) in code {
            let line = *line;
            let (label, text) = instr::split_label(text);
            if let Some(name) = label {
                if compare.is_some() {
                    return unjumped(line);
                }
                let n = label_number(&mut labels, name, line)?;
                if std::mem::replace(&mut labels[n as usize].1, true) {
                    return error(line, format!("label '{name}' is placed twice"));
                }
                out.push(Instr::Label(n));
            }
            if text.is_empty() {
                continue;
            }
            let u = instr::parse(self.s.arch, text, line)?;
            match u.kind {
                instr::Kind::Cmp => {
                    if compare.is_some() {
                        return unjumped(line);
                    }
                    compare = Some((self.compare(t as u8, &u, line)?, line));
                }
                instr::Kind::Jump(jcc) => {
                    let name = u.label.as_deref().expect("a jump has a label");
                    let to = label_number(&mut labels, name, line)?;
                    if labels[to as usize].1 {
                        return error(
                            line,
                            format!(
                                "a jump back to '{name}': a loop; the suite's threads only jump forward"
                            ),
                        );
                    }
                    let when = match (jcc, compare.take()) {
                        (Some(jump), Some((c, _))) => Some(Compare { jump, ..c }),
                        // A jump on the flags of the locked add right
                        // before it: the add and `sete`/`sets` into FLAG,
                        // and a jump on FLAG.
                        (Some(jump), None) if flag_test(out.last(), jump).is_some() => {
                            let (test, on_set) = flag_test(out.last(), jump).unwrap();
                            let Some(Instr::Rmw {
                                size,
                                at,
                                op: RmwOp::Add(value),
                                locked,
                            }) = out.pop()
                            else {
                                unreachable!("flag_test saw a locked add")
                            };
                            out.push(Instr::Rmw {
                                size,
                                at,
                                op: RmwOp::AddTest {
                                    value,
                                    reg: FLAG,
                                    test,
                                },
                                locked,
                            });
                            Some(Compare {
                                reg: FLAG,
                                value: Operand::Imm(0),
                                jump: if on_set { Jcc::NotEqual } else { Jcc::Equal },
                                size: Size::Four,
                            })
                        }
                        (Some(_), None) => {
                            return error(
                                line,
                                format!(
                                    "'{text}' has no CMP right before it (nor a LOCK ADD, INC or DEC whose zero or sign flag JE, JNE, JL or JGE reads)"
                                ),
                            );
                        }
                        (None, Some((_, at))) => return unjumped(at),
                        (None, None) => None,
                    };
                    out.push(Instr::Jump { when, to });
                }
                _ => {
                    if let Some((_, at)) = compare {
                        return unjumped(at);
                    }
                    if let Some(i) = self.instruction(t as u8, &u, line)? {
                        out.push(i);
                    }
                }
            }
        }
        if let Some((_, at)) = compare {
            return unjumped(at);
        }
        if let Some((name, _)) = labels.iter().find(|l| !l.1) {
            let line = code.last().map_or(0, |l| l.0);
            return error(
                line,
                format!("P{t} jumps to '{name}', which it never places"),
            );
        }
        Ok(out)
    }

    /// `CMP r,v`: a register with a register or a constant (the jump's
    /// condition is filled in by the jump).
    fn compare(&mut self, t: u8, u: &Unresolved, line: usize) -> Result<Compare, ParseError> {
        let (reg, value) = match &u.args[..] {
            [Arg::Reg(r), Arg::Reg(v)] => (r, Operand::Reg(v.index)),
            [Arg::Reg(r), Arg::Imm(n)] => (r, Operand::Imm(as_value(*n, r.width.mask()))),
            _ => {
                return error(
                    line,
                    "a CMP of memory, or of a constant with a register: only CMP register,register or CMP register,$k is supported",
                );
            }
        };
        if self.addresses.contains_key(&(t, reg.index)) {
            return error(line, "a CMP of a register holding an address");
        }
        Ok(Compare {
            reg: reg.index,
            value,
            jump: Jcc::Equal,
            size: u.size.unwrap_or(reg.width),
        })
    }

    /// One instruction of thread `t`, its memory operand resolved.
    fn instruction(
        &mut self,
        t: u8,
        u: &Unresolved,
        line: usize,
    ) -> Result<Option<Instr>, ParseError> {
        let reg_width = u.args.iter().find_map(|a| match a {
            Arg::Reg(r) => Some(r.width),
            _ => None,
        });
        for a in &u.args {
            if let Arg::Reg(r) = a {
                let writes = matches!(
                    u.kind,
                    instr::Kind::Mov
                        | instr::Kind::Xchg
                        | instr::Kind::Cmpxchg
                        | instr::Kind::Alu(_)
                        | instr::Kind::Add
                );
                if writes && self.addresses.contains_key(&(t, r.index)) {
                    return error(
                        line,
                        "a register holding an address is written: only fixed addresses are supported",
                    );
                }
            }
        }
        let has_mem = u.args.iter().any(|a| matches!(a, Arg::Mem(_)));
        let size = match (u.size, reg_width) {
            (Some(s), Some(w)) if has_mem && s != w && !matches!(u.kind, instr::Kind::Add) => {
                return error(
                    line,
                    format!("the instruction's size ({s} bytes) is not its register's ({w})"),
                );
            }
            (Some(s), _) => s,
            (None, Some(w)) => w,
            (None, None) if !has_mem => Size::Four,
            (None, None) => return error(line, "the access size is not said: write movl or movq"),
        };
        let at = match u.args.iter().find_map(|a| match a {
            Arg::Mem(m) => Some(m),
            _ => None,
        }) {
            None => None,
            Some(m) => Some(self.address(t, m, size, line)?),
        };
        instr::build(u, at, size, line)
    }

    fn address(&mut self, t: u8, m: &Mem, size: Size, line: usize) -> Result<Address, ParseError> {
        let (l, offset, index) = match m {
            Mem::Named(x) => (self.location(x, line)?, 0, None),
            Mem::Based { reg, offset, index } => {
                if let Some(i) = index
                    && self.addresses.contains_key(&(t, *i))
                {
                    return error(line, "an index register holding an address");
                }
                let Some(&l) = self.addresses.get(&(t, *reg)) else {
                    return error(
                        line,
                        "this register holds no location's address (set it in the initial state, as 0:rsi=x)",
                    );
                };
                (l, *offset, *index)
            }
        };
        let offset = match (size, offset) {
            (_, 0) => 0u8,
            (Size::Four, 4) => 4,
            _ => {
                return error(
                    line,
                    format!(
                        "offset {offset} for a {size}-byte access: only 0, and 4 for the high half of an 8-byte location, are supported"
                    ),
                );
            }
        };
        let need = self.needs.entry(l).or_insert((size, offset));
        need.0 = need.0.max(size);
        need.1 = need.1.max(offset);
        Ok(Address {
            loc: l as u8,
            offset,
            index,
        })
    }
}

/// What a jump on the flags of `last` reads, if `last` is a 4-byte locked
/// add: (the flag, whether the jump is taken when it is set). `JE`/`JNE`
/// read the zero flag; `JL`/`JGE` the sign flag (they read SF != OF: the
/// same but for an add that overflows).
fn flag_test(last: Option<&Instr>, jump: Jcc) -> Option<(Test, bool)> {
    let Some(Instr::Rmw {
        size: Size::Four,
        op: RmwOp::Add(_),
        locked: true,
        ..
    }) = last
    else {
        return None;
    };
    Some(match jump {
        Jcc::Equal => (Test::Zero, true),
        Jcc::NotEqual => (Test::Zero, false),
        Jcc::Less => (Test::Negative, true),
        Jcc::GreaterEqual => (Test::Negative, false),
        Jcc::Greater | Jcc::LessEqual => return None,
    })
}

/// The number of the label `name` among a thread's `labels` (name, placed),
/// given on first mention.
fn label_number(
    labels: &mut Vec<(String, bool)>,
    name: &str,
    line: usize,
) -> Result<u8, ParseError> {
    if let Some(n) = labels.iter().position(|l| l.0 == name) {
        return Ok(n as u8);
    }
    if labels.len() == u8::MAX as usize {
        return error(line, "more than 255 labels in a thread");
    }
    labels.push((name.to_string(), false));
    Ok(labels.len() as u8 - 1)
}
