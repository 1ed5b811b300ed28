//! What every section needs before its grammar runs: places as line and
//! column, comments blanked out (each section has its own kind, as herd's
//! lexers do), and brackets that balance and nest at most [`MAX_DEPTH`]
//! deep. The depth bound is this reader's, not herd's: it keeps the
//! grammar's recursion, and the AST's, within any thread's stack, whatever
//! the file holds.

use super::CError;
use super::ast::Pos;

/// The deepest nesting this reader takes: brackets, `if`/`else`/`while`
/// in one thread, and the depth of an expression or proposition tree (a
/// chain of 200 `+` is 200 deep).
pub const MAX_DEPTH: usize = 200;

/// Turns byte offsets of the whole file into lines and columns.
pub struct Where {
    line_starts: Vec<usize>,
    text: String,
}

impl Where {
    pub fn new(text: &str) -> Where {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Where {
            line_starts,
            text: text.to_string(),
        }
    }

    /// The line and column (in characters, from 1) of byte `offset`.
    pub fn pos(&self, offset: usize) -> Pos {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let col = self
            .text
            .get(start..offset)
            .map_or(1, |s| s.chars().count() + 1);
        Pos {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            col: u32::try_from(col).unwrap_or(u32::MAX),
        }
    }

    pub fn error(&self, offset: usize, message: impl Into<String>) -> CError {
        CError {
            pos: self.pos(offset),
            message: message.into(),
        }
    }

    /// The whole file.
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// A section of the file: its text and where it starts.
#[derive(Clone, Copy)]
pub struct Section<'a> {
    pub text: &'a str,
    pub start: usize,
}

/// `text` with every byte of `spans` replaced by a space, newlines kept:
/// offsets, and so places, stay true.
fn blank(text: &str, spans: &[(usize, usize)]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for &(from, to) in spans {
        for b in bytes.get_mut(from..to).into_iter().flatten() {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    }
    // Whole characters were replaced (spans start and end on ASCII
    // delimiters), so this is still UTF-8; lossy only as a fallback.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The program's comments, `/* */` and `//` (herd's C lexer), blanked.
pub fn blank_c_comments(at: &Where, s: Section) -> Result<String, CError> {
    let bytes = s.text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1)) {
            (b'/', Some(b'*')) => {
                let Some(end) = s.text[i + 2..].find("*/") else {
                    return Err(at.error(s.start + i, "this '/*' comment is never closed"));
                };
                spans.push((i, i + 2 + end + 2));
                i += 2 + end + 2;
            }
            (b'/', Some(b'/')) => {
                let end = s.text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                spans.push((i, end));
                i = end;
            }
            _ => i += 1,
        }
    }
    Ok(blank(s.text, &spans))
}

/// The `(* *)` comments of the init block and the condition (they nest),
/// blanked.
pub fn blank_ml_comments(at: &Where, s: Section) -> Result<String, CError> {
    let mut spans = Vec::new();
    let mut i = 0;
    while let Some(found) = s.text[i..].find("(*") {
        let open = i + found;
        let close = ml_comment_end(s.text, open)
            .ok_or_else(|| at.error(s.start + open, "this '(*' comment is never closed"))?;
        spans.push((open, close));
        i = close;
    }
    Ok(blank(s.text, &spans))
}

/// Where the `(* *)` comment opened at `open` ends (just after its `*)`),
/// counting nested ones; `None` if it never does.
pub fn ml_comment_end(text: &str, open: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'(', b'*') => {
                depth += 1;
                i += 2;
            }
            (b'*', b')') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// Check that `( ) [ ] { }` balance in `text` (comments already blanked)
/// and nest at most [`MAX_DEPTH`] deep; in the program (`program`), also
/// that no thread has more than [`MAX_DEPTH`] `if`/`else`/`while`, which
/// can nest without brackets.
pub fn check_brackets(at: &Where, s: Section, program: bool) -> Result<(), CError> {
    let mut open: Vec<(u8, usize)> = Vec::new();
    let mut branches = 0usize;
    let bytes = s.text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'(' | b'[' | b'{' => {
                if open.len() == MAX_DEPTH {
                    return Err(at.error(
                        s.start + i,
                        format!("brackets nest deeper than {MAX_DEPTH} here (this reader's bound)"),
                    ));
                }
                if b == b'{' && open.is_empty() {
                    branches = 0;
                }
                open.push((b, i));
            }
            b')' | b']' | b'}' => match open.pop() {
                Some((o, _)) if closer(o) == b => {}
                Some((o, oi)) => {
                    return Err(at.error(
                        s.start + i,
                        format!(
                            "this '{}' does not close the '{}' opened at {}",
                            b as char,
                            o as char,
                            place(at.pos(s.start + oi))
                        ),
                    ));
                }
                None => {
                    return Err(
                        at.error(s.start + i, format!("this '{}' closes nothing", b as char))
                    );
                }
            },
            _ if program && starts_branch(bytes, i) => {
                branches += 1;
                if branches > MAX_DEPTH {
                    return Err(at.error(
                        s.start + i,
                        format!(
                            "more than {MAX_DEPTH} if/else/while in one thread (this reader's bound)"
                        ),
                    ));
                }
            }
            _ => {}
        }
    }
    match open.last() {
        Some(&(o, oi)) => Err(at.error(
            s.start + oi,
            format!(
                "the {} opened at {} is never closed",
                bracket_name(o),
                place(at.pos(s.start + oi))
            ),
        )),
        None => Ok(()),
    }
}

fn closer(open: u8) -> u8 {
    match open {
        b'(' => b')',
        b'[' => b']',
        _ => b'}',
    }
}

fn bracket_name(open: u8) -> &'static str {
    match open {
        b'(' => "parenthesis",
        b'[' => "bracket",
        _ => "brace",
    }
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Whether a word `if`, `else` or `while` starts at `i`.
fn starts_branch(bytes: &[u8], i: usize) -> bool {
    if i > 0 && bytes.get(i - 1).copied().is_some_and(is_ident) {
        return false;
    }
    ["if", "else", "while"].iter().any(|w| {
        bytes.get(i..i + w.len()) == Some(w.as_bytes())
            && !bytes.get(i + w.len()).copied().is_some_and(is_ident)
    })
}

/// `LINE:COL`, as messages name a place.
pub fn place(p: Pos) -> String {
    format!("{}:{}", p.line, p.col)
}
