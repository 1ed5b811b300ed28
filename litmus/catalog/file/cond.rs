//! The condition (`exists`, `~exists`, `forall` over `/\`, `\/`, `~`,
//! parentheses, `true`, and atoms `0:EAX=1`, `x=1`, `[x]=1`) and the
//! observable names (`0:EAX`, `x`, `[x]`) it and `locations` use.

use super::parse::{ParseError, error};
use super::token::{Token, render, tokens};
use crate::catalog::program::{Prop, Quantifier};

/// An observable before it is resolved: a thread's register by name, or a
/// location by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Name {
    Reg(u8, String),
    Loc(String),
}

/// A proposition whose atoms are still names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RawProp {
    True,
    False,
    Is(Name, i128),
    Not(Box<RawProp>),
    And(Vec<RawProp>),
    Or(Vec<RawProp>),
}

impl RawProp {
    /// Resolve every name with `resolve` (which also masks the value).
    pub fn resolve(
        &self,
        resolve: &mut impl FnMut(&Name, i128) -> Result<Prop, ParseError>,
    ) -> Result<Prop, ParseError> {
        Ok(match self {
            RawProp::True => Prop::True,
            RawProp::False => Prop::Not(Box::new(Prop::True)),
            RawProp::Is(n, v) => resolve(n, *v)?,
            RawProp::Not(p) => Prop::Not(Box::new(p.resolve(resolve)?)),
            RawProp::And(ps) => Prop::And(
                ps.iter()
                    .map(|p| p.resolve(resolve))
                    .collect::<Result<_, _>>()?,
            ),
            RawProp::Or(ps) => Prop::Or(
                ps.iter()
                    .map(|p| p.resolve(resolve))
                    .collect::<Result<_, _>>()?,
            ),
        })
    }
}

/// The condition's text: its quantifier and proposition.
pub fn condition(text: &str, line: usize) -> Result<(Quantifier, RawProp), ParseError> {
    let t = tokens(text, line)?;
    let (quantifier, rest) = match &t[..] {
        [Token::Word(w), rest @ ..] if w == "exists" => (Quantifier::Exists, rest),
        [Token::Word(w), rest @ ..] if w == "forall" => (Quantifier::Forall, rest),
        [Token::Punct("~"), Token::Word(w), rest @ ..] if w == "exists" => {
            (Quantifier::NotExists, rest)
        }
        _ => {
            return error(
                line,
                format!("'{text}': the condition must start with exists, ~exists or forall"),
            );
        }
    };
    let mut parser = PropParser {
        t: rest,
        at: 0,
        line,
    };
    let prop = parser.disjunction()?;
    if parser.at != rest.len() {
        return error(
            line,
            format!("'{}' after the condition's end", render(&rest[parser.at..])),
        );
    }
    Ok((quantifier, prop))
}

/// An observable's name as `locations` and atoms write it.
pub fn name(t: &[Token], line: usize) -> Result<Name, ParseError> {
    match t {
        [
            Token::Number(n),
            Token::Punct(":"),
            Token::Word(r) | Token::Percent(r),
        ] => {
            let thread = u8::try_from(*n).map_err(|_| ParseError {
                line,
                message: format!("thread {n} does not exist"),
            })?;
            Ok(Name::Reg(thread, r.clone()))
        }
        [Token::Word(x)] => Ok(Name::Loc(x.clone())),
        [Token::Punct("["), Token::Word(x), Token::Punct("]")] => Ok(Name::Loc(x.clone())),
        _ => error(
            line,
            format!(
                "'{}' is not a register (0:EAX) or a location (x)",
                render(t)
            ),
        ),
    }
}

struct PropParser<'t> {
    t: &'t [Token],
    at: usize,
    line: usize,
}

impl PropParser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.t.get(self.at)
    }

    fn disjunction(&mut self) -> Result<RawProp, ParseError> {
        let mut terms = vec![self.conjunction()?];
        while self.peek() == Some(&Token::Punct("\\/")) {
            self.at += 1;
            terms.push(self.conjunction()?);
        }
        Ok(if terms.len() == 1 {
            terms.pop().unwrap()
        } else {
            RawProp::Or(terms)
        })
    }

    fn conjunction(&mut self) -> Result<RawProp, ParseError> {
        let mut terms = vec![self.unary()?];
        while self.peek() == Some(&Token::Punct("/\\")) {
            self.at += 1;
            terms.push(self.unary()?);
        }
        Ok(if terms.len() == 1 {
            terms.pop().unwrap()
        } else {
            RawProp::And(terms)
        })
    }

    fn unary(&mut self) -> Result<RawProp, ParseError> {
        match self.peek() {
            Some(Token::Punct("~")) => {
                self.at += 1;
                Ok(RawProp::Not(Box::new(self.unary()?)))
            }
            Some(Token::Punct("(")) => {
                self.at += 1;
                let inner = self.disjunction()?;
                if self.peek() != Some(&Token::Punct(")")) {
                    return error(self.line, "a '(' in the condition is never closed");
                }
                self.at += 1;
                Ok(inner)
            }
            Some(Token::Word(w)) if w == "true" => {
                self.at += 1;
                Ok(RawProp::True)
            }
            Some(Token::Word(w)) if w == "false" => {
                self.at += 1;
                Ok(RawProp::False)
            }
            Some(_) => self.atom(),
            None => error(self.line, "the condition ends where a term should be"),
        }
    }

    /// `NAME = VALUE`.
    fn atom(&mut self) -> Result<RawProp, ParseError> {
        let start = self.at;
        let eq = self.t[start..]
            .iter()
            .position(|t| *t == Token::Punct("="))
            .map(|i| start + i)
            .ok_or_else(|| ParseError {
                line: self.line,
                message: format!("'{}' is not an atom NAME=VALUE", render(&self.t[start..])),
            })?;
        let name = name(&self.t[start..eq], self.line)?;
        match self.t.get(eq + 1) {
            Some(Token::Number(v)) => {
                self.at = eq + 2;
                Ok(RawProp::Is(name, *v))
            }
            other => error(
                self.line,
                format!(
                    "'{}' after '=': only numbers are compared (not locations or addresses)",
                    other.map_or("nothing".into(), |t| render(std::slice::from_ref(t)))
                ),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg(t: u8, r: &str, v: i128) -> RawProp {
        RawProp::Is(Name::Reg(t, r.into()), v)
    }

    #[test]
    fn conditions_read_with_precedence() {
        let (q, p) = condition("exists (0:EAX=0 /\\ 1:EAX=0)", 1).unwrap();
        assert_eq!(q, Quantifier::Exists);
        assert_eq!(p, RawProp::And(vec![reg(0, "EAX", 0), reg(1, "EAX", 0)]));
        // /\ binds tighter than \/; ~ tighter still.
        let (q, p) = condition("~exists 0:EAX=1 \\/ ~x=2 /\\ [y]=3", 1).unwrap();
        assert_eq!(q, Quantifier::NotExists);
        assert_eq!(
            p,
            RawProp::Or(vec![
                reg(0, "EAX", 1),
                RawProp::And(vec![
                    RawProp::Not(Box::new(RawProp::Is(Name::Loc("x".into()), 2))),
                    RawProp::Is(Name::Loc("y".into()), 3)
                ])
            ])
        );
        let (q, p) = condition("forall 0:rax = 0x10", 1).unwrap();
        assert_eq!((q, p), (Quantifier::Forall, reg(0, "rax", 16)));
        assert_eq!(condition("forall true", 1).unwrap().1, RawProp::True);
    }

    #[test]
    fn malformed_conditions_say_why() {
        let cases = [
            ("exist (x=1)", "must start with"),
            ("exists (x=1", "never closed"),
            ("exists (x=1) junk", "after the condition's end"),
            ("exists x", "not an atom"),
            ("exists x=y", "only numbers"),
            ("exists 0:=1", "not a register"),
            ("exists", "ends where a term"),
        ];
        for (text, says) in cases {
            let e = condition(text, 4).unwrap_err();
            assert_eq!(e.line, 4);
            assert!(e.message.contains(says), "{text}: {e:?}");
        }
    }
}
