//! A C litmus file cut into its sections where herd7's splitter
//! (`lib/splitter.mll`) cuts it, quirks included, so a file herd splits
//! one way is not read another:
//!
//! - the first line is `C NAME`, maybe a `(texname)` and a quoted
//!   description, on it or on the next line;
//! - the init block opens at the first `{` after it, except one inside a
//!   `key=value` line, a description, or a `(*` comment that starts a line
//!   and is alone on it (herd's lexer takes a longer line as plain text, so
//!   a `{` in `(* a { b *)` opens the init block, as in herd);
//! - the init block ends at its matching `}`, comments not considered;
//! - the program ends at the first `exists`, `~exists`, `forall`, `final`,
//!   `locations`, `filter`, `cases`, `observed` or `Observed` standing as
//!   a word, even inside a C comment (but not inside a `"string"`);
//! - the condition runs to the end, or to a `<<` outside `(* *)`.

use super::CError;
use super::scan::{Where, ml_comment_end, place};
use std::ops::Range;

/// Where each section is, in bytes of the whole text.
pub struct Split {
    pub name: String,
    /// From the end of the name to the init block's `{`, trailing blanks
    /// trimmed (see [`header`]).
    pub header: String,
    /// Inside the init block's braces.
    pub init: Range<usize>,
    pub program: Range<usize>,
    /// From the condition's first keyword (or the end of the file).
    pub condition: Range<usize>,
    /// Where the program was cut when the cut falls inside a `/* */` or
    /// `//` comment: the condition parser will fail there, and can say why.
    pub cut_in_comment: Option<usize>,
}

/// herd's splitter `blank`: no newline.
fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r')
}

/// herd's splitter `name`, after its first letter.
fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'/' | b'.' | b'-')
}

fn is_testname_char(b: u8) -> bool {
    is_name_char(b) || matches!(b, b'+' | b'[' | b']')
}

fn skip_while(bytes: &[u8], mut i: usize, keep: impl Fn(u8) -> bool) -> usize {
    while bytes.get(i).copied().is_some_and(&keep) {
        i += 1;
    }
    i
}

pub fn split(at: &Where) -> Result<Split, CError> {
    let text = at.text();
    let bytes = text.as_bytes();
    let (name, after_name, rest) = first_line(at)?;
    let open = find_init(at, rest)?;
    if opens_a_thread(text.get(after_name..open).unwrap_or("")) {
        return Err(at.error(
            open,
            "no init block: this '{' opens a thread's body (write '{}' before the threads)",
        ));
    }
    let close = init_end(at, open)?;
    let (cut, cut_in_comment) = program_end(at, close + 1)?;
    let end = condition_end(at, cut)?;
    let header = header(text.get(after_name..open).unwrap_or(""));
    debug_assert!(close < bytes.len());
    Ok(Split {
        name,
        header,
        init: open + 1..close,
        program: close + 1..cut,
        condition: cut..end,
        cut_in_comment,
    })
}

/// `C NAME`, with herd's optional `(texname)`, `"doc"` and `;`: the name,
/// where it ends, and where the search for the init block starts.
fn first_line(at: &Where) -> Result<(String, usize, usize), CError> {
    let bytes = at.text().as_bytes();
    let i = skip_while(bytes, 0, is_blank);
    let arch_end = skip_while(bytes, i, |b| b.is_ascii_alphanumeric() || b == b'_');
    let arch = at.text().get(i..arch_end).unwrap_or("");
    if arch != "C" {
        let found = if arch.is_empty() { "nothing" } else { arch };
        return Err(at.error(
            i,
            format!(
                "the first line must be 'C NAME' (herd7 reads the architecture there), not {found}"
            ),
        ));
    }
    let name_start = skip_while(bytes, arch_end, is_blank);
    let name_end = skip_while(bytes, name_start, is_testname_char);
    if name_start == arch_end || name_end == name_start {
        return Err(at.error(
            name_start,
            "the first line must be 'C NAME': the name is missing",
        ));
    }
    let raw = at.text().get(name_start..name_end).unwrap_or("");
    let name = raw.strip_suffix(".litmus").unwrap_or(raw).to_string();
    let mut i = skip_while(bytes, name_end, is_blank);
    i = skip_texname(bytes, i);
    i = skip_doc(bytes, i);
    if bytes.get(i) == Some(&b';') {
        i += 1;
    }
    Ok((name, name_end, i))
}

/// The header as kept: trailing blanks trimmed (`show` puts a blank line
/// back), except that a trailing `(*` keeps one space, since `(*` alone
/// before a newline would open a comment where the file had none.
fn header(raw: &str) -> String {
    let mut header = raw.trim_end().to_string();
    if header.ends_with("(*") {
        header.push(' ');
    }
    header
}

/// `(name)` and the blanks after it, if there.
fn skip_texname(bytes: &[u8], i: usize) -> usize {
    if bytes.get(i) != Some(&b'(') || !bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
        return i;
    }
    let end = skip_while(bytes, i + 2, is_name_char);
    match bytes.get(end) {
        Some(b')') => skip_while(bytes, end + 1, is_blank),
        _ => i,
    }
}

/// A quoted description, here or after one newline, and the blanks after.
fn skip_doc(bytes: &[u8], i: usize) -> usize {
    let mut j = i;
    if bytes.get(j) == Some(&b'\n') {
        j += 1;
    }
    j = skip_while(bytes, j, is_blank);
    if bytes.get(j) != Some(&b'"') {
        return i;
    }
    match bytes
        .get(j + 1..)
        .and_then(|r| r.iter().position(|&b| b == b'"'))
    {
        Some(n) => skip_while(bytes, j + 1 + n + 1, is_blank),
        None => i,
    }
}

/// Whether the header's last non-blank line is a thread's signature (`P0(int
/// *x)`), so the `{` after it is that thread's, not the init block's.
fn opens_a_thread(header: &str) -> bool {
    let Some(line) = header.lines().rev().find(|l| !l.trim().is_empty()) else {
        return false;
    };
    let line = line.trim_start();
    let line = line
        .strip_prefix("void")
        .map_or(line, |l| l.trim_start_matches([' ', '\t', '*']));
    line.strip_prefix('P')
        .is_some_and(|l| l.starts_with(|c: char| c.is_ascii_digit()) && l.contains('('))
}

/// herd's `find_init`: the offset of the init block's `{`.
fn find_init(at: &Where, mut i: usize) -> Result<usize, CError> {
    let bytes = at.text().as_bytes();
    loop {
        match bytes.get(i) {
            None => {
                return Err(at.error(i, "no init block: herd7 expects '{' after the first line"));
            }
            Some(b'\n') => i += 1,
            Some(b'{') => return Ok(i),
            Some(_) => i = skip_header_piece(at, i)?,
        }
    }
}

/// One piece of the header at `i` (not a newline or `{`), as herd's lexer
/// takes it: the longest of a lone `(*` comment, a `key=value` line, or a
/// run of text up to a newline or `{`. Returns where it ends.
fn skip_header_piece(at: &Where, i: usize) -> Result<usize, CError> {
    let bytes = at.text().as_bytes();
    let run_end = i + bytes.get(i..).map_or(0, |r| {
        r.iter().take_while(|&&b| b != b'\n' && b != b'{').count()
    });
    if bytes.get(i..i + 2) == Some(b"(*") && run_end == i + 2 {
        return ml_comment_end(at.text(), i).ok_or_else(|| {
            at.error(
                i,
                format!("the comment opened at {} is never closed", place(at.pos(i))),
            )
        });
    }
    Ok(key_value_end(bytes, i)
        .filter(|&e| e > run_end)
        .unwrap_or(run_end))
}

/// herd's `name blank* '=' blank* [^\n\r]* '\r'? '\n'` at `i`: its end.
fn key_value_end(bytes: &[u8], i: usize) -> Option<usize> {
    if !bytes.get(i).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    let mut j = skip_while(bytes, i + 1, is_name_char);
    j = skip_while(bytes, j, is_blank);
    if bytes.get(j) != Some(&b'=') {
        return None;
    }
    j = skip_while(bytes, j + 1, is_blank);
    j = skip_while(bytes, j, |b| b != b'\n' && b != b'\r');
    if bytes.get(j) == Some(&b'\r') {
        j += 1;
    }
    (bytes.get(j) == Some(&b'\n')).then_some(j + 1)
}

/// The `}` matching the init block's `{` at `open` (herd counts braces
/// only, comments or not).
fn init_end(at: &Where, open: usize) -> Result<usize, CError> {
    let mut depth = 0usize;
    for (i, &b) in at.text().as_bytes().iter().enumerate().skip(open + 1) {
        match b {
            b'{' => depth += 1,
            b'}' if depth == 0 => return Ok(i),
            b'}' => depth -= 1,
            _ => {}
        }
    }
    Err(at.error(
        open,
        format!(
            "the brace opened at {} is never closed",
            place(at.pos(open))
        ),
    ))
}

/// The words that end the program, as herd's `inside_prog` lists them.
const PROGRAM_ENDS: &[&str] = &[
    "final",
    "forall",
    "exists",
    "cases",
    "observed",
    "Observed",
    "locations",
    "filter",
];

/// herd's `inside_prog` from `i`: where the condition starts (the end of
/// the file if none), and whether that is inside a C comment.
fn program_end(at: &Where, mut i: usize) -> Result<(usize, Option<usize>), CError> {
    let bytes = at.text().as_bytes();
    let mut comments = CommentTracker::default();
    while let Some(&b) = bytes.get(i) {
        comments.step(bytes, i);
        if b == b'"' {
            i = string_end(at, i)?;
            continue;
        }
        if is_program_end(bytes, i) {
            return Ok((i, comments.inside().then_some(i)));
        }
        i += if b.is_ascii_alphabetic() {
            skip_while(bytes, i + 1, is_name_char) - i
        } else {
            1
        };
    }
    Ok((bytes.len(), None))
}

/// Whether a keyword that ends the program starts at `i`: `~` and
/// `exists` with blanks between, or one of [`PROGRAM_ENDS`] as a whole
/// word (herd's lexer takes the longer name otherwise).
fn is_program_end(bytes: &[u8], i: usize) -> bool {
    if bytes.get(i) == Some(&b'~') {
        let j = skip_while(bytes, i + 1, is_blank);
        return bytes.get(j..j + 6) == Some(b"exists");
    }
    PROGRAM_ENDS.iter().any(|w| {
        bytes.get(i..i + w.len()) == Some(w.as_bytes())
            && !bytes.get(i + w.len()).copied().is_some_and(is_name_char)
    })
}

/// herd skips a `"string"` in the program; it must close on its line.
fn string_end(at: &Where, open: usize) -> Result<usize, CError> {
    let bytes = at.text().as_bytes();
    for (i, &b) in bytes.iter().enumerate().skip(open + 1) {
        match b {
            b'"' => return Ok(i + 1),
            b'\n' => break,
            _ => {}
        }
    }
    Err(at.error(
        open,
        "this '\"' opens a string that its line never closes (herd7's splitter reads strings even in the program's comments)",
    ))
}

/// Whether a position is inside a `/* */` or `//` comment, followed as the
/// splitter moves on (the splitter itself does not care).
#[derive(Default)]
struct CommentTracker {
    block_until: Option<usize>,
    line: bool,
    seen: usize,
}

impl CommentTracker {
    fn step(&mut self, bytes: &[u8], i: usize) {
        // Catch up over the bytes the splitter skipped since last time.
        for j in self.seen..=i {
            self.advance(bytes, j);
        }
        self.seen = i + 1;
    }

    fn advance(&mut self, bytes: &[u8], j: usize) {
        if let Some(end) = self.block_until {
            if j >= end {
                self.block_until = None;
            } else {
                return;
            }
        }
        if self.line {
            if bytes.get(j) == Some(&b'\n') {
                self.line = false;
            }
            return;
        }
        match (bytes.get(j), bytes.get(j + 1)) {
            (Some(b'/'), Some(b'*')) => {
                let end = bytes
                    .get(j + 2..)
                    .and_then(|r| r.windows(2).position(|w| w == b"*/"))
                    .map_or(bytes.len(), |n| j + 2 + n + 2);
                self.block_until = Some(end);
            }
            (Some(b'/'), Some(b'/')) => self.line = true,
            _ => {}
        }
    }

    fn inside(&self) -> bool {
        self.block_until.is_some() || self.line
    }
}

/// herd's `inside_constr`: the condition ends at a `<<` outside `(* *)`,
/// or at the end of the file.
fn condition_end(at: &Where, mut i: usize) -> Result<usize, CError> {
    let text = at.text();
    let bytes = text.as_bytes();
    while i < bytes.len() {
        if bytes.get(i..i + 2) == Some(b"(*") {
            i = ml_comment_end(text, i).ok_or_else(|| {
                at.error(
                    i,
                    format!("the comment opened at {} is never closed", place(at.pos(i))),
                )
            })?;
        } else if bytes.get(i..i + 2) == Some(b"<<") {
            return Ok(i);
        } else {
            i += 1;
        }
    }
    Ok(bytes.len())
}

/// The words of the first line matching `^[( ]\* Result: `, up to the end
/// of the line or a `*)`, as `scripts/judgelitmus.sh` reads them.
pub fn result_line(text: &str) -> Option<String> {
    let line = text.lines().find(|l| {
        (l.starts_with("(* Result: ") || l.starts_with(" * Result: ")) && l.is_char_boundary(11)
    })?;
    let words = line.get(11..)?;
    let words = words.split("*)").next().unwrap_or("").trim();
    (!words.is_empty()).then(|| words.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sections' texts: header, init, program, condition.
    fn sections(text: &str) -> (String, String, String, String) {
        let at = Where::new(text);
        let s = split(&at).unwrap_or_else(|e| panic!("{}", e.message));
        let piece = |r: Range<usize>| text.get(r).unwrap_or("").to_string();
        (
            s.header,
            piece(s.init),
            piece(s.program),
            piece(s.condition),
        )
    }

    #[test]
    fn the_init_block_opens_where_herds_splitter_opens_it() {
        // A `{` in a comment alone on its line's start is skipped...
        let (header, init, ..) = sections("C t\n(*\n a { b *)\n{ x=1; }\nP0");
        assert_eq!(header, "\n(*\n a { b *)");
        assert_eq!(init, " x=1; ");
        // ...but a longer comment line is plain text to herd: its `{` opens.
        let (_, init, ..) = sections("C t\n(* a { b *)\n}\nP0");
        assert_eq!(init, " b *)\n");
        // A key=value line and a description may hold braces.
        let (header, init, ..) = sections("C t \"d { e\"\nk={v}\n{ y; }\nP0");
        assert_eq!(header, " \"d { e\"\nk={v}");
        assert_eq!(init, " y; ");
        // The init block counts braces, comments or not.
        let (_, init, program, _) = sections("C t\n{ a[2] = {1,2}; (* } *) }\nP0");
        assert_eq!(init, " a[2] = {1,2}; (* ");
        assert_eq!(program, " *) }\nP0");
        assert_eq!(sections("C t.litmus\n{}\n").0, "");
    }

    #[test]
    fn the_program_ends_at_herds_first_keyword() {
        let cut = |text: &str| sections(text).3;
        assert_eq!(cut("C t\n{}\nP0 existsx forall_ exists(x)"), "exists(x)");
        assert_eq!(cut("C t\n{}\nP0 a.exists _exists(x)"), "exists(x)");
        assert_eq!(cut("C t\n{}\nP0 1final"), "final");
        assert_eq!(cut("C t\n{}\nP0 ~ \texists (x)"), "~ \texists (x)");
        assert_eq!(
            cut("C t\n{}\nP0 // \"exists\"\nlocations [x]"),
            "locations [x]"
        );
        assert_eq!(cut("C t\n{}\nP0 /* filter */ x"), "filter */ x");
        assert_eq!(cut("C t\n{}\nP0 x"), "");
        // The condition stops at `<<` outside comments.
        assert_eq!(
            cut("C t\n{}\nP0 exists (* << *) x << y"),
            "exists (* << *) x "
        );
        let at = Where::new("C t\n{}\nP0 /* exists */");
        assert!(split(&at).is_ok_and(|s| s.cut_in_comment.is_some()));
    }

    #[test]
    fn a_header_ending_in_a_comment_opener_keeps_it_text() {
        assert_eq!(sections("C t\n(* {}\nP0").0, "\n(* ");
        assert_eq!(header("x\n(*  \t\n"), "x\n(* ");
        assert_eq!(header("\n(* c *)\n\n"), "\n(* c *)");
    }

    #[test]
    fn the_result_line_is_judgelitmus_s() {
        assert_eq!(result_line(" * Result: Never\n"), Some("Never".to_string()));
        assert_eq!(
            result_line("(* Result: Sometimes *)"),
            Some("Sometimes".to_string())
        );
        assert_eq!(result_line(" * Result:Never\n"), None);
        assert_eq!(result_line(" * Result: \n * Result: Always"), None);
    }
}
