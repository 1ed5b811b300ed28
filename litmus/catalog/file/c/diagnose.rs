//! A grammar's failure turned into one line that names the construct: the
//! mistakes people make (`&&`, `r0-1`, `x++`, a `(* *)` comment in the
//! program, `&x` in the init block) get their own words; anything else is
//! `unexpected 'TOKEN': expected A or B`, from the rules the grammar was
//! trying where it stopped.

use super::CError;
use super::scan::{Section, Where};
use pest::RuleType;
use pest::error::{Error, ErrorVariant, InputLocation};

/// Which grammar failed, for the words of the message.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Program,
    Init,
    Condition,
}

impl Part {
    fn name(self) -> &'static str {
        match self {
            Part::Program => "the program",
            Part::Init => "the init block",
            Part::Condition => "the condition",
        }
    }
}

/// Where the grammar stopped (an offset in the section) and what it
/// expected there, described by `describe`.
pub fn explain<R: RuleType>(
    at: &Where,
    s: Section,
    part: Part,
    e: &Error<R>,
    describe: fn(&R) -> Option<&'static str>,
) -> CError {
    let offset = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((p, _)) => p,
    };
    let expected: Vec<&'static str> = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut found: Vec<&'static str> = Vec::new();
            for d in positives.iter().filter_map(describe) {
                if !found.contains(&d) {
                    found.push(d);
                }
            }
            found
        }
        ErrorVariant::CustomError { message } => {
            return at.error(
                s.start + offset,
                format!("{} cannot be read: {message}", part.name()),
            );
        }
    };
    let (pointed, message) =
        special(s.text, offset, part).unwrap_or_else(|| generic(s.text, offset, part, &expected));
    at.error(s.start + pointed, message)
}

/// The message and where it points, for a known mistake at or before
/// `offset`.
fn special(text: &str, offset: usize, part: Part) -> Option<(usize, String)> {
    match part {
        Part::Program => program_mistake(text, offset),
        Part::Init => init_mistake(text, offset),
        Part::Condition => condition_mistake(text, offset),
    }
}

fn generic(text: &str, offset: usize, part: Part, expected: &[&'static str]) -> (usize, String) {
    if part == Part::Program && expected.contains(&SEMI) {
        return (offset, "expected ';' after the statement".to_string());
    }
    let found = token_at(text, offset);
    let (offset, what) = if found.is_empty() {
        // Point just after the last thing written, not at the blanks.
        let end = text.trim_end().len().min(offset);
        (end, format!("{} ends early", part.name()))
    } else {
        (offset, format!("unexpected '{found}' in {}", part.name()))
    };
    match expected {
        [] => (offset, what),
        [one] => (offset, format!("{what}: expected {one}")),
        [init @ .., last] => (
            offset,
            format!("{what}: expected {} or {last}", init.join(", ")),
        ),
    }
}

/// The description a grammar gives its `;` rule, which gets its own
/// message.
pub const SEMI: &str = "';'";

/// The token at `offset`, for a message: a word or number, or one
/// character; empty at the end. Control characters are escaped.
pub fn token_at(text: &str, offset: usize) -> String {
    let rest = text.get(offset..).unwrap_or("").trim_start();
    let word: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let token = if word.is_empty() {
        rest.chars().next().map(String::from).unwrap_or_default()
    } else {
        word
    };
    crate::catalog::file::escape_controls(&token)
}

/// Tokens herd7's C never accepts, with what to write instead.
const NEVER_IN_C: &[(&str, &str)] = &[
    (
        "&&",
        "'&&' is not in herd7's C: nest the ifs, or use '&' on 0/1 values",
    ),
    ("||", "'||' is not in herd7's C: use '|' on 0/1 values"),
    ("<<", "shifts ('<<') are not in herd7's C"),
    (">>", "shifts ('>>') are not in herd7's C"),
    ("++", "'++' is not in herd7's C: write 'r = r + 1;'"),
    ("+=", "'+=' is not in herd7's C: write 'r = r + e;'"),
    ("-=", "'-=' is not in herd7's C: write 'r = r - e;'"),
    ("*=", "'*=' is not in herd7's C: write 'r = r * e;'"),
    ("/=", "'/=' is not in herd7's C: write 'r = r / e;'"),
    ("|=", "'|=' is not in herd7's C: write 'r = r | e;'"),
    ("&=", "'&=' is not in herd7's C: write 'r = r & e;'"),
    ("^=", "'^=' is not in herd7's C: write 'r = r ^ e;'"),
    ("%", "'%' is not in herd7's C"),
    ("?", "'?:' is not in herd7's C: use if/else"),
    ("~", "'~' is not in herd7's C's expressions"),
    ("[", "arrays cannot be indexed in herd7's C"),
    ("'", "character constants are not in herd7's C"),
    ("\"", "strings are not in herd7's C"),
    ("#", "preprocessor lines are not in herd7's C"),
];

/// Statements herd7's C does not have.
const NO_SUCH_STATEMENT: &[&str] = &["for", "do", "switch", "return", "break", "continue", "goto"];

/// herd's internal forms: reserved words, not macros.
const INTERNAL_FORMS: &[&str] = &[
    "__load",
    "__store",
    "__fence",
    "__srcu",
    "__xchg",
    "__cmpxchg",
    "__lock",
    "__unlock",
    "__trylock",
    "__islocked",
    "__atomic_op",
    "__atomic_op_return",
    "__atomic_fetch_op",
    "__atomic_add_unless",
];

fn program_mistake(text: &str, offset: usize) -> Option<(usize, String)> {
    let at = offset + leading_blanks(text, offset);
    let before = text.get(..at).unwrap_or("").trim_end();
    let rest = text.get(at..).unwrap_or("");
    ml_comment_around(text, offset)
        .map(|open| (open, ML_COMMENT_IN_PROGRAM.to_string()))
        .or_else(|| first_never_in_c(text, offset))
        .or_else(|| glued_minus(before, rest).map(|m| (at, m)))
        .or_else(|| {
            rest.starts_with('&')
                .then(|| (at, UNARY_AMPERSAND.to_string()))
        })
        .or_else(|| internal_form(before))
}

const UNARY_AMPERSAND: &str = "unary '&' is not in herd7's C: a parameter already holds its variable's address (write x, not &x)";

/// `r0-1`: herd's lexer reads `-1` as a constant, so no operator is left.
fn glued_minus(before: &str, rest: &str) -> Option<String> {
    let digits = rest.strip_prefix('-')?;
    let n: String = digits.chars().take_while(char::is_ascii_digit).collect();
    let after_operand =
        before.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == ')');
    (!n.is_empty() && after_operand).then(|| {
        format!("'-{n}' reads as the constant -{n} (herd7's lexer): write '- {n}', with a space after '-'")
    })
}

/// `__load{once}(*x)`: the word before the failure is one of herd's
/// internal forms.
fn internal_form(before: &str) -> Option<(usize, String)> {
    let word_len = before
        .bytes()
        .rev()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    let start = before.len() - word_len;
    let word = before.get(start..)?;
    INTERNAL_FORMS.contains(&word).then(|| {
        (
            start,
            format!("'{word}' is herd7's internal form: write a linux-kernel.def macro instead"),
        )
    })
}

/// The message for a `(* *)` comment in the program.
pub const ML_COMMENT_IN_PROGRAM: &str =
    "a '(*' comment is not allowed inside the program (only // and /* */)";

/// A `(*` at or before `offset` whose `*)` is at or after it: the grammar
/// stopped inside what was meant as a comment.
fn ml_comment_around(text: &str, offset: usize) -> Option<usize> {
    let open = text.get(..(offset + 2).min(text.len()))?.rfind("(*")?;
    let close = text.get(open + 2..)?.find("*)")? + open + 2;
    (close + 2 >= offset).then_some(open)
}

fn leading_blanks(text: &str, offset: usize) -> usize {
    let rest = text.get(offset..).unwrap_or("");
    rest.len() - rest.trim_start().len()
}

/// The first token up to `offset` (and the blanks after it) that herd7's
/// C never accepts.
fn first_never_in_c(text: &str, offset: usize) -> Option<(usize, String)> {
    let limit = offset + leading_blanks(text, offset);
    let mut found: Vec<(usize, String)> = Vec::new();
    for (token, message) in NEVER_IN_C {
        if let Some(at) = text.find(token) {
            found.push((at, message.to_string()));
        }
    }
    if let Some(at) = find_bang(text) {
        found.push((at, "'!' is not in herd7's C: write 'e == 0'".to_string()));
    }
    if let Some(at) = find_decrement(text) {
        found.push((
            at,
            "'--' is not in herd7's C: write 'r = r - 1;'".to_string(),
        ));
    }
    let hex = |w: &str| w.len() > 2 && (w.starts_with("0x") || w.starts_with("0X"));
    if let Some(at) = find_word(text, hex) {
        found.push((
            at,
            "hexadecimal constants are not in herd7's C: write the value in decimal".to_string(),
        ));
    }
    if let Some(at) = find_word(text, |w| NO_SUCH_STATEMENT.contains(&w)) {
        let word = token_at(text, at);
        found.push((
            at,
            format!("herd7's C has no '{word}' statement (only if, else, while, blocks, assignments and calls)"),
        ));
    }
    found
        .into_iter()
        .filter(|(at, _)| *at <= limit)
        .min_by_key(|(at, _)| *at)
}

/// A `!` not starting `!=`.
fn find_bang(text: &str) -> Option<usize> {
    text.match_indices('!')
        .map(|(i, _)| i)
        .find(|&i| text.as_bytes().get(i + 1) != Some(&b'='))
}

/// A `--` not followed by a digit (`r0 --1` is `r0 - -1`, which is fine).
fn find_decrement(text: &str) -> Option<usize> {
    text.match_indices("--")
        .map(|(i, _)| i)
        .find(|&i| !text.as_bytes().get(i + 2).is_some_and(u8::is_ascii_digit))
}

/// The start of the first word (a run of letters, digits, `_`) for which
/// `pick` holds.
fn find_word(text: &str, pick: impl Fn(&str) -> bool) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' {
            let end = i + bytes[i..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .count();
            if text.get(i..end).is_some_and(&pick) {
                return Some(i);
            }
            i = end;
        } else {
            i += 1;
        }
    }
    None
}

/// The start of the init item around `offset` (after the last `;`).
fn item_start(text: &str, offset: usize) -> usize {
    let before = text.get(..offset.min(text.len())).unwrap_or("");
    let start = before.rfind(';').map_or(0, |i| i + 1);
    start + leading_blanks(text, start)
}

fn init_mistake(text: &str, offset: usize) -> Option<(usize, String)> {
    let scope = text.get(..(offset + 2).min(text.len())).unwrap_or(text);
    if let Some(at) = scope.find("//").or_else(|| scope.find("/*")) {
        return Some((
            at,
            "only (* *) comments are allowed in the init block (herd7: Lex error)".to_string(),
        ));
    }
    let start = item_start(text, offset);
    let item = text.get(start..).unwrap_or("");
    if item.starts_with("struct") {
        return Some((
            start,
            "'struct srcu_struct' cannot be declared in the init block (herd7: unexpected '*'); pass it as a thread parameter"
                .to_string(),
        ));
    }
    let at = offset + leading_blanks(text, offset);
    if text.get(at..).is_some_and(|r| r.starts_with('&')) {
        return Some((
            at,
            "'&' is allowed in the init block only after a pointer type, as in 'int *p = &x;' (herd7: unexpected '&')"
                .to_string(),
        ));
    }
    None
}

fn condition_mistake(text: &str, offset: usize) -> Option<(usize, String)> {
    let at = offset + leading_blanks(text, offset);
    let before = text.get(..at).unwrap_or("");
    let rest = text.get(at..).unwrap_or("");
    if rest.starts_with('\\') && before.ends_with('/') {
        return Some((
            at.saturating_sub(1),
            "herd7 reads a '/' right after a name as part of it: put a space before '/\\'"
                .to_string(),
        ));
    }
    if before.ends_with('\\') && rest.starts_with('/') {
        return None;
    }
    let word = token_at(text, at);
    match word.as_str() {
        "with" => Some((at, "herd7's 'with' kinds are not supported".to_string())),
        "observed" | "Observed" | "cases" => Some((
            at,
            format!("'{word}' conditions are not supported: write exists, ~exists or forall"),
        )),
        _ => None,
    }
}
