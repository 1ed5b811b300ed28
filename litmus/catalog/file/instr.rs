//! One instruction of a thread, in either dialect, read into the suite's
//! [`Instr`] once its memory operands are resolved:
//!
//! | `X86` (Intel) | `X86_64` (AT&T) | becomes |
//! | --- | --- | --- |
//! | `MOV [x],$1`, `MOV [x],EAX` | `movl $1,(x)`, `movq %rax,(x)` | a store |
//! | `MOV EAX,[x]` | `movl (x),%eax`, `movq 4(%rsi),...` | a load |
//! | `MOV EAX,$1` | `movl $1,%eax` | a register move |
//! | `MFENCE`, `LFENCE`, `SFENCE` | `mfence`, ... | a fence |
//! | `[LOCK] ADD [x],$1`, `INC`, `DEC` | `[lock] addl $1,(x)`, `incq (x)` | a read-modify-write |
//! | `[LOCK] XCHG [x],EAX` | `xchgl %eax,(x)` | a swap (always locked) |
//! | `LOCK CMPXCHG [x],EBX` | `lock cmpxchgl %ebx,(x)` | a compare-and-swap with `EAX`/`RAX` |
//! | `NOP` | `nop` | nothing |
//! | `ADD EAX,$1`, `SUB`, `AND`, `OR`, `XOR` | `addl $1,%eax`, `andl`, `and`, ... | register arithmetic |
//! | `CMP EAX,$1` then `JE L0`, `JNE L0`, `JL`, `JLE`, `JG`, `JGE` | `cmpl $1,%eax`, `je L0`, `jgt`/`jlt` (herd7's spelling) | a forward jump on a register compare (the orders signed) |
//! | `LOCK ADD [x],$-1` (`INC`, `DEC`) then `JE L0`, `JNE`, `JL`, `JGE` | `lock addl $-1,(x)`, `jne L0` | a locked add whose zero (`JE`, `JNE`) or sign (`JL`, `JGE`) flag the jump reads: the add and `sete`/`sets` into register 4 (the stack pointer's number, which no test register takes), and a jump on it |
//! | `JMP L0` | `jmp L0` | a forward jump |
//! | `L0:` before an instruction or alone | `L0:` | a label |
//!
//! Memory operands: a location by name (`[x]`, `(x)`), or a register the
//! initial state sets to a location's address (`0:rsi=x`) with an offset
//! (`4(%rsi)`: the high half of an 8-byte `x`) and, in `X86_64`, an index
//! register (`(%rsi,%rbx,1)`: scale 1; the access runs only where the
//! index is always 0). Anything else is an error naming the construct.

use super::parse::{Arch, ParseError, error};
use super::token::{Token, as_value, render};
use crate::catalog::program::{AluOp, Fence, Instr, Jcc, Operand, RmwOp, Size};

/// A register of a thread: its index and the width its name says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reg {
    pub index: u8,
    pub width: Size,
}

/// A register name of the dialect, case-insensitive.
pub fn register(arch: Arch, name: &str) -> Option<Reg> {
    let name = name.to_ascii_lowercase();
    const X86: [&str; 8] = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
    const X64: [&str; 8] = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi"];
    if let Some(i) = X86.iter().position(|r| *r == name) {
        return Some(Reg {
            index: i as u8,
            width: Size::Four,
        });
    }
    if arch == Arch::X86_64 {
        if let Some(i) = X64.iter().position(|r| *r == name) {
            return Some(Reg {
                index: i as u8,
                width: Size::Eight,
            });
        }
        let numbered = name.strip_prefix('r')?;
        let (digits, width) = match numbered.strip_suffix('d') {
            Some(d) => (d, Size::Four),
            None => (numbered, Size::Eight),
        };
        let n: u8 = digits.parse().ok()?;
        if (8..16).contains(&n) {
            return Some(Reg { index: n, width });
        }
    }
    None
}

/// A memory operand before it is resolved to a location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mem {
    /// `[x]`, `(x)`.
    Named(String),
    /// `4(%rsi)`, `[ESI]`: an offset from a register holding an address;
    /// `(%rsi,%rbx,1)`: and an index register added.
    Based {
        reg: u8,
        offset: i128,
        index: Option<u8>,
    },
}

/// An operand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    Mem(Mem),
    Reg(Reg),
    Imm(i128),
}

/// An instruction with its memory operands still named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unresolved {
    pub kind: Kind,
    /// The access size, where the mnemonic or a register says it.
    pub size: Option<Size>,
    pub locked: bool,
    /// Operands, destination first (Intel order, whatever the dialect).
    pub args: Vec<Arg>,
    /// A jump's label.
    pub label: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Mov,
    Add,
    Inc,
    Dec,
    Xchg,
    Cmpxchg,
    Fence(Fence),
    Nop,
    /// `CMP r,v`: sets the flags the next jump reads.
    Cmp,
    /// `SUB`, `AND`, `OR`, `XOR` (an `ADD` is [`Kind::Add`]): register
    /// arithmetic.
    Alu(AluOp),
    /// `JE`, `JNE`, `JL`, ... (`Some`) or `JMP` (`None`).
    Jump(Option<Jcc>),
}

/// `L0: MOV EAX,[x]` as the label `L0` and the instruction, `L0:` as the
/// label and nothing; herd7's label names (`lib/X86Lexer.mll`'s `name`).
pub fn split_label(text: &str) -> (Option<&str>, &str) {
    let Some((name, rest)) = text.split_once(':') else {
        return (None, text);
    };
    let name = name.trim();
    let mut chars = name.chars();
    let is_name = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "_/.-".contains(c));
    if is_name {
        (Some(name), rest.trim())
    } else {
        (None, text)
    }
}

/// Read one instruction's text.
pub fn parse(arch: Arch, text: &str, line: usize) -> Result<Unresolved, ParseError> {
    let mut tokens = super::token::tokens(text, line)?.into_iter().peekable();
    let Some(Token::Word(first)) = tokens.next() else {
        return error(line, format!("'{text}' does not start with an instruction"));
    };
    let mut mnemonic = first.to_ascii_lowercase();
    let mut locked = false;
    if mnemonic == "lock" {
        locked = true;
        match tokens.next() {
            Some(Token::Word(w)) => mnemonic = w.to_ascii_lowercase(),
            _ => return error(line, "'LOCK' with no instruction after it"),
        }
    }
    let (kind, size) = mnemonic_of(arch, &mnemonic).ok_or_else(|| ParseError {
        line,
        message: format!(
            "instruction '{first}' is not supported ({})",
            supported(arch)
        ),
    })?;
    if locked
        && !matches!(
            kind,
            Kind::Add | Kind::Inc | Kind::Dec | Kind::Xchg | Kind::Cmpxchg
        )
    {
        return error(line, format!("'LOCK' cannot prefix '{mnemonic}'"));
    }
    let rest: Vec<Token> = tokens.collect();
    if let Kind::Jump(_) = kind {
        let [Token::Word(label)] = &rest[..] else {
            return error(line, format!("'{mnemonic}' takes one label, as 'JNE L0'"));
        };
        return Ok(Unresolved {
            kind,
            size,
            locked,
            args: Vec::new(),
            label: Some(label.clone()),
        });
    }
    if let Some(second) = second_instruction(arch, &rest) {
        return error(
            line,
            format!(
                "'{text}' holds two instructions: a column separator '|' is missing \
                 before '{second}'"
            ),
        );
    }
    let mut args = Vec::new();
    // Commas between operands, not those inside `(%rsi,%rbx,1)`.
    let mut depth = 0i32;
    let pieces = rest.split(|t| {
        match t {
            Token::Punct("[" | "(") => depth += 1,
            Token::Punct("]" | ")") => depth -= 1,
            _ => {}
        }
        depth == 0 && *t == Token::Punct(",")
    });
    for piece in pieces {
        if piece.is_empty() {
            if rest.is_empty() {
                break;
            }
            return error(line, format!("an empty operand in '{text}'"));
        }
        args.push(operand(arch, piece, line, text)?);
    }
    if arch == Arch::X86_64 {
        args.reverse(); // AT&T: source first
    }
    let wanted = match kind {
        Kind::Fence(_) | Kind::Nop | Kind::Jump(_) => 0,
        Kind::Inc | Kind::Dec => 1,
        _ => 2,
    };
    if args.len() != wanted {
        return error(
            line,
            format!(
                "'{mnemonic}' takes {wanted} operand(s), '{text}' has {}",
                args.len()
            ),
        );
    }
    Ok(Unresolved {
        kind,
        size,
        locked,
        args,
        label: None,
    })
}

/// A mnemonic among an instruction's operands, outside brackets and not
/// after a comma: the next column's instruction, its `|` forgotten.
fn second_instruction(arch: Arch, rest: &[Token]) -> Option<&str> {
    let mut depth = 0i32;
    let mut previous: Option<&Token> = None;
    for token in rest {
        match token {
            Token::Punct("[" | "(") => depth += 1,
            Token::Punct("]" | ")") => depth -= 1,
            Token::Word(w)
                if depth == 0
                    && previous.is_some_and(|p| *p != Token::Punct(","))
                    && (w.eq_ignore_ascii_case("lock")
                        || mnemonic_of(arch, &w.to_ascii_lowercase()).is_some()) =>
            {
                return Some(w);
            }
            _ => {}
        }
        previous = Some(token);
    }
    None
}

fn supported(arch: Arch) -> &'static str {
    match arch {
        Arch::X86 => {
            "MOV, ADD, SUB, AND, OR, XOR, INC, DEC, XCHG, CMPXCHG, CMP, MFENCE, LFENCE, SFENCE, \
             NOP, LOCK, JE, JNE, JL, JLE, JG, JGE, JMP are"
        }
        Arch::X86_64 => {
            "mov, add, sub, and, or, xor, inc, dec, xchg, cmpxchg, cmp with l or q, mfence, \
             lfence, sfence, nop, lock, je, jne, jl (jlt), jle, jg (jgt), jge, jmp are"
        }
    }
}

fn mnemonic_of(arch: Arch, m: &str) -> Option<(Kind, Option<Size>)> {
    let fence = match m {
        "mfence" => Some(Fence::Mfence),
        "lfence" => Some(Fence::Lfence),
        "sfence" => Some(Fence::Sfence),
        _ => None,
    };
    if let Some(f) = fence {
        return Some((Kind::Fence(f), None));
    }
    let jump = match m {
        "nop" => Some(Kind::Nop),
        "jmp" => Some(Kind::Jump(None)),
        "je" => Some(Kind::Jump(Some(Jcc::Equal))),
        "jne" => Some(Kind::Jump(Some(Jcc::NotEqual))),
        // herd7's X86_64 lexer spells `jl` and `jg` `jlt` and `jgt`.
        "jl" | "jlt" => Some(Kind::Jump(Some(Jcc::Less))),
        "jle" => Some(Kind::Jump(Some(Jcc::LessEqual))),
        "jg" | "jgt" => Some(Kind::Jump(Some(Jcc::Greater))),
        "jge" => Some(Kind::Jump(Some(Jcc::GreaterEqual))),
        _ => None,
    };
    if let Some(k) = jump {
        return Some((k, None));
    }
    let base = |b: &str| match b {
        "mov" => Some(Kind::Mov),
        "add" => Some(Kind::Add),
        "inc" => Some(Kind::Inc),
        "dec" => Some(Kind::Dec),
        "xchg" => Some(Kind::Xchg),
        "cmpxchg" => Some(Kind::Cmpxchg),
        "cmp" => Some(Kind::Cmp),
        "sub" => Some(Kind::Alu(AluOp::Sub)),
        "and" => Some(Kind::Alu(AluOp::And)),
        "or" => Some(Kind::Alu(AluOp::Or)),
        "xor" => Some(Kind::Alu(AluOp::Xor)),
        _ => None,
    };
    match arch {
        Arch::X86 => base(m).map(|k| (k, Some(Size::Four))),
        Arch::X86_64 => {
            if let Some(k) = base(m) {
                return Some((k, None));
            }
            let (stem, size) = if let Some(s) = m.strip_suffix('l') {
                (s, Size::Four)
            } else if let Some(s) = m.strip_suffix('q') {
                (s, Size::Eight)
            } else {
                return None;
            };
            base(stem).map(|k| (k, Some(size)))
        }
    }
}

/// One operand's tokens.
fn operand(arch: Arch, t: &[Token], line: usize, text: &str) -> Result<Arg, ParseError> {
    let reg = |name: &str| -> Result<Reg, ParseError> {
        match register(arch, name) {
            Some(r) if r.index == 4 => error(line, "the stack pointer is not a test register"),
            Some(r) => Ok(r),
            None => error(line, format!("'{name}' is not a register of {arch:?}")),
        }
    };
    let bad = || {
        error(
            line,
            format!("operand '{}' of '{text}' is not understood", render(t)),
        )
    };
    match t {
        [Token::Number(n)] => Ok(Arg::Imm(*n)),
        [Token::Percent(r)] if arch == Arch::X86_64 => Ok(Arg::Reg(reg(r)?)),
        [Token::Word(w)] if arch == Arch::X86 => Ok(Arg::Reg(reg(w)?)),
        // [x], (x)
        [
            Token::Punct("[" | "("),
            Token::Word(name),
            Token::Punct("]" | ")"),
        ] => match register(arch, name) {
            Some(_) if arch == Arch::X86 => Ok(Arg::Mem(Mem::Based {
                reg: reg(name)?.index,
                offset: 0,
                index: None,
            })),
            _ => Ok(Arg::Mem(Mem::Named(name.clone()))),
        },
        // (%rsi), k(%rsi)
        [Token::Punct("("), Token::Percent(r), Token::Punct(")")] => Ok(Arg::Mem(Mem::Based {
            reg: reg(r)?.index,
            offset: 0,
            index: None,
        })),
        [
            Token::Number(k),
            Token::Punct("("),
            Token::Percent(r),
            Token::Punct(")"),
        ] => Ok(Arg::Mem(Mem::Based {
            reg: reg(r)?.index,
            offset: *k,
            index: None,
        })),
        // (%rsi,%rbx,1), k(%rsi,%rbx,1)
        [
            Token::Punct("("),
            Token::Percent(r),
            Token::Punct(","),
            Token::Percent(i),
            Token::Punct(","),
            Token::Number(scale),
            Token::Punct(")"),
        ]
        | [
            Token::Number(_),
            Token::Punct("("),
            Token::Percent(r),
            Token::Punct(","),
            Token::Percent(i),
            Token::Punct(","),
            Token::Number(scale),
            Token::Punct(")"),
        ] if arch == Arch::X86_64 => {
            if *scale != 1 {
                return error(
                    line,
                    format!("'{}': only an index of scale 1 is supported", render(t)),
                );
            }
            let offset = match &t[0] {
                Token::Number(k) => *k,
                _ => 0,
            };
            Ok(Arg::Mem(Mem::Based {
                reg: reg(r)?.index,
                offset,
                index: Some(reg(i)?.index),
            }))
        }
        [
            Token::Number(k),
            Token::Punct("("),
            Token::Word(name),
            Token::Punct(")"),
        ] => {
            let _ = k;
            error(
                line,
                format!(
                    "'{}': an offset from a named location is not supported (set a register to it: 0:rsi={name})",
                    render(t)
                ),
            )
        }
        _ => bad(),
    }
}

/// An instruction once its memory operand (if any) is resolved: `mem` is
/// the address of the `Mem` operand. `size` is the access size.
pub fn build(
    u: &Unresolved,
    at: Option<crate::catalog::program::Address>,
    size: Size,
    line: usize,
) -> Result<Option<Instr>, ParseError> {
    let value = |a: &Arg| match a {
        Arg::Imm(n) => Ok(Operand::Imm(as_value(*n, size.mask()))),
        Arg::Reg(r) => Ok(Operand::Reg(r.index)),
        Arg::Mem(_) => error(line, "two memory operands"),
    };
    if u.locked
        && matches!(u.kind, Kind::Add | Kind::Alu(_))
        && matches!(u.args.first(), Some(Arg::Reg(_)))
    {
        return error(line, "'LOCK' cannot prefix register arithmetic");
    }
    let instr = match (u.kind, &u.args[..]) {
        (Kind::Nop, _) => return Ok(None),
        (Kind::Fence(f), _) => Instr::Fence(f),
        (Kind::Mov, [Arg::Mem(_), src]) => Instr::Store {
            size,
            at: at.expect("resolved"),
            value: value(src)?,
        },
        (Kind::Mov, [Arg::Reg(r), Arg::Mem(_)]) => Instr::Load {
            size,
            at: at.expect("resolved"),
            reg: r.index,
        },
        (Kind::Mov, [Arg::Reg(r), src]) => Instr::Move {
            reg: r.index,
            value: value(src)?,
        },
        (Kind::Add, [Arg::Reg(r), src @ (Arg::Reg(_) | Arg::Imm(_))]) => Instr::Alu {
            op: AluOp::Add,
            size,
            reg: r.index,
            value: value(src)?,
        },
        (Kind::Alu(op), [Arg::Reg(r), src @ (Arg::Reg(_) | Arg::Imm(_))]) => Instr::Alu {
            op,
            size,
            reg: r.index,
            value: value(src)?,
        },
        (Kind::Add, [Arg::Mem(_), src]) => Instr::Rmw {
            size,
            at: at.expect("resolved"),
            op: RmwOp::Add(value(src)?),
            locked: u.locked,
        },
        (Kind::Inc | Kind::Dec, [Arg::Mem(_)]) => Instr::Rmw {
            size,
            at: at.expect("resolved"),
            op: RmwOp::Add(Operand::Imm(if u.kind == Kind::Inc {
                1
            } else {
                size.mask()
            })),
            locked: u.locked,
        },
        (Kind::Xchg, [Arg::Mem(_), Arg::Reg(r)] | [Arg::Reg(r), Arg::Mem(_)]) => Instr::Rmw {
            size,
            at: at.expect("resolved"),
            op: RmwOp::Xchg(r.index),
            locked: true,
        },
        (Kind::Cmpxchg, [Arg::Mem(_), Arg::Reg(r)] | [Arg::Reg(r), Arg::Mem(_)]) => Instr::Rmw {
            size,
            at: at.expect("resolved"),
            op: RmwOp::Cmpxchg(r.index),
            locked: u.locked,
        },
        (kind, _) => {
            return error(
                line,
                format!(
                    "this form of {kind:?} is not supported (arithmetic with a memory operand other than a locked or plain ADD to memory, and register-only exchanges, are not)"
                ),
            );
        }
    };
    Ok(Some(instr))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(arch: Arch, text: &str) -> Unresolved {
        parse(arch, text, 1).unwrap()
    }

    #[test]
    fn intel_and_att_read_the_same() {
        let intel = p(Arch::X86, "MOV [x],$1");
        let att = p(Arch::X86_64, "movl $1,(x)");
        assert_eq!(intel.args, att.args);
        assert_eq!((intel.size, att.size), (Some(Size::Four), Some(Size::Four)));
        let load = p(Arch::X86_64, "movq (x),%rax");
        assert_eq!(
            load.args[0],
            Arg::Reg(Reg {
                index: 0,
                width: Size::Eight
            })
        );
        let high = p(Arch::X86_64, "movl $2,4(%rsi)");
        assert_eq!(
            high.args[0],
            Arg::Mem(Mem::Based {
                reg: 6,
                offset: 4,
                index: None
            })
        );
        let indexed = p(Arch::X86_64, "movl (%r14,%rbx,1),%ecx");
        assert_eq!(
            indexed.args[1],
            Arg::Mem(Mem::Based {
                reg: 14,
                offset: 0,
                index: Some(3)
            })
        );
        let locked = build(&p(Arch::X86, "LOCK ADD EAX,$1"), None, Size::Four, 1).unwrap_err();
        assert!(
            locked
                .message
                .contains("'LOCK' cannot prefix register arithmetic")
        );
        let add = build(&p(Arch::X86, "ADD EAX,$1"), None, Size::Four, 1).unwrap();
        assert_eq!(
            add,
            Some(Instr::Alu {
                op: AluOp::Add,
                size: Size::Four,
                reg: 0,
                value: Operand::Imm(1)
            })
        );
        let and = p(Arch::X86_64, "and $8,%ebx");
        assert_eq!(and.kind, Kind::Alu(AluOp::And));
        assert_eq!(
            p(Arch::X86_64, "jgt L0").kind,
            Kind::Jump(Some(Jcc::Greater))
        );
        assert_eq!(p(Arch::X86, "JL L0").kind, Kind::Jump(Some(Jcc::Less)));
        let lock = p(Arch::X86, "LOCK ADD [x],$0");
        assert!(lock.locked && lock.kind == Kind::Add);
        let cx = p(Arch::X86_64, "lock cmpxchgq %rbx,(x)");
        assert!(cx.locked && cx.kind == Kind::Cmpxchg && cx.size == Some(Size::Eight));
        assert_eq!(p(Arch::X86, "MFENCE").kind, Kind::Fence(Fence::Mfence));
        assert_eq!(
            register(Arch::X86_64, "R9D"),
            Some(Reg {
                index: 9,
                width: Size::Four
            })
        );
        assert_eq!(register(Arch::X86, "rax"), None);
    }

    #[test]
    fn unsupported_constructs_are_named() {
        let cases = [
            (Arch::X86, "JNE", "takes one label"),
            (Arch::X86, "JCXZ L0", "instruction 'JCXZ' is not supported"),
            (Arch::X86, "LOCK MOV [x],$1", "cannot prefix"),
            (Arch::X86, "MOV [x]", "takes 2 operand(s)"),
            (Arch::X86, "MOV [x],ZZZ", "'ZZZ' is not a register"),
            (Arch::X86, "MOV ESP,$1", "stack pointer"),
            (Arch::X86_64, "movb $1,(x)", "'movb' is not supported"),
            (Arch::X86_64, "movl $1,4(x)", "offset from a named location"),
            (Arch::X86_64, "movl $1,(x", "not understood"),
            (Arch::X86, "LOCK", "no instruction"),
            (
                Arch::X86,
                "MOV EAX,[y] MOV EBX,[x]",
                "a column separator '|' is missing before 'MOV'",
            ),
            (
                Arch::X86_64,
                "movl $1,(x) mfence",
                "a column separator '|' is missing before 'mfence'",
            ),
        ];
        for (arch, text, says) in cases {
            let e = parse(arch, text, 7).unwrap_err();
            assert_eq!(e.line, 7);
            assert!(e.message.contains(says), "{text}: {e:?}");
        }
    }
}
