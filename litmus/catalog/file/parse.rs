//! The sections of a herdtools7 `.litmus` file, with their line numbers:
//!
//! ```text
//! X86 SB                         the architecture and the name
//! "PodWR Fre PodWR Fre"          optional: a quoted description
//! Cycle=Fre PodWR Fre PodWR      optional: key=value lines (kept, unused)
//! { x=0; 0:EAX=0; }              the initial state
//!  P0          | P1          ;   the threads, one column each
//!  MOV [x],$1  | MOV [y],$1  ;
//!  MOV EAX,[y] | MOV EAX,[x] ;
//! locations [x;]                 optional: more to observe
//! exists (0:EAX=0 /\ 1:EAX=0)    the condition
//! ```
//! `(* comments *)` may appear anywhere and nest. Anything else is an
//! error naming the line and what was found there.

/// A problem with the file, at a line (1-based; 0 for the whole file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

pub fn error<T>(line: usize, message: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError {
        line,
        message: message.into(),
    })
}

/// The architectures this suite reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arch {
    /// Intel syntax, 32-bit registers and locations (`MOV [x],$1`).
    X86,
    /// AT&T syntax, `movl`/`movq`, typed locations (`movl $1,(x)`).
    X86_64,
}

/// Pieces of text, each with its line.
pub type Lines = Vec<(usize, String)>;

/// A file cut into its sections; each piece of text keeps its line.
#[derive(Clone, Debug, PartialEq)]
pub struct Sections {
    pub arch: Arch,
    pub name: String,
    pub doc: Option<String>,
    /// `key=value` lines after the name.
    pub info: Vec<(String, String)>,
    /// The init block's items (`x=0`, `uint64_t x`, `0:rsi=x`), each with
    /// its line, without the braces and `;`.
    pub init: Vec<(usize, String)>,
    /// Per thread, its instructions (empty cells dropped), with lines.
    pub threads: Vec<Vec<(usize, String)>>,
    /// The `locations [...]` items.
    pub locations: Vec<(usize, String)>,
    /// The condition's text (quantifier included) and its first line.
    pub condition: (usize, String),
}

/// Replace `(* ... *)` comments (nesting) by spaces, keeping newlines so
/// line numbers stay true.
pub fn strip_comments(text: &str) -> Result<String, ParseError> {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    let mut opened_at = 0;
    let mut line = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\n' {
            line += 1;
        }
        if c == '(' && chars.peek() == Some(&'*') {
            chars.next();
            if depth == 0 {
                opened_at = line;
            }
            depth += 1;
            out.push_str("  ");
            continue;
        }
        if depth > 0 && c == '*' && chars.peek() == Some(&')') {
            chars.next();
            depth -= 1;
            out.push_str("  ");
            continue;
        }
        out.push(if depth > 0 && c != '\n' { ' ' } else { c });
    }
    if depth > 0 {
        return error(opened_at, "a comment '(*' is never closed");
    }
    Ok(out)
}

/// Cut `text` into sections.
pub fn sections(text: &str) -> Result<Sections, ParseError> {
    let text = strip_comments(text)?;
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .collect();
    let mut at = 0;
    let skip_blank = |at: &mut usize| {
        while *at < lines.len() && lines[*at].1.is_empty() {
            *at += 1;
        }
    };
    skip_blank(&mut at);
    // The header: `ARCH NAME`.
    let Some(&(line, header)) = lines.get(at) else {
        return error(0, "the file is empty");
    };
    let mut words = header.split_whitespace();
    let arch = match words.next() {
        Some("X86") => Arch::X86,
        Some("X86_64") => Arch::X86_64,
        Some(other) => {
            return error(
                line,
                format!("architecture '{other}' is not read here (C, X86 and X86_64 are)"),
            );
        }
        None => return error(line, "no architecture"),
    };
    let name = words.collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return error(line, "the test has no name after its architecture");
    }
    at += 1;
    skip_blank(&mut at);
    // An optional "description", then key=value lines, up to the `{`.
    let mut doc = None;
    let mut info = Vec::new();
    while at < lines.len() && !lines[at].1.starts_with('{') {
        let (line, text) = lines[at];
        if let Some(quoted) = text.strip_prefix('"') {
            match quoted.find('"') {
                Some(end) if doc.is_none() => doc = Some(quoted[..end].to_string()),
                Some(_) => return error(line, "a second description"),
                None => return error(line, "a description '\"' that is never closed"),
            }
        } else if let Some((key, value)) = text.split_once('=') {
            info.push((key.trim().to_string(), value.trim().to_string()));
        } else if !text.is_empty() {
            return error(
                line,
                format!("'{text}' where the initial state '{{ ... }}' should begin"),
            );
        }
        at += 1;
    }
    if at == lines.len() {
        return error(0, "no initial state '{ ... }'");
    }
    let (init, next) = init_block(&lines, at)?;
    at = next;
    skip_blank(&mut at);
    let (threads, next) = program_block(&lines, at)?;
    at = next;
    let (locations, condition) = final_block(&lines, at)?;
    Ok(Sections {
        arch,
        name,
        doc,
        info,
        init,
        threads,
        locations,
        condition,
    })
}

/// The `{ ... }` block from line index `at`: its `;`-separated items, and
/// the index after the closing brace's line.
fn init_block(
    lines: &[(usize, &str)],
    at: usize,
) -> Result<(Vec<(usize, String)>, usize), ParseError> {
    let opened = lines[at].0;
    let mut items = Vec::new();
    let mut i = at;
    let mut first = true;
    loop {
        let Some(&(line, text)) = lines.get(i) else {
            return error(opened, "the initial state '{' is never closed");
        };
        let mut text = text;
        if first {
            text = text[1..].trim_start();
            first = false;
        }
        let (body, closed) = match text.find('}') {
            Some(end) => {
                if !text[end + 1..].trim().is_empty() {
                    return error(
                        line,
                        format!(
                            "'{}' after the initial state's '}}'",
                            text[end + 1..].trim()
                        ),
                    );
                }
                (&text[..end], true)
            }
            None => (text, false),
        };
        for item in body.split(';') {
            let item = item.trim();
            if !item.is_empty() {
                items.push((line, item.to_string()));
            }
        }
        i += 1;
        if closed {
            return Ok((items, i));
        }
    }
}

/// Whether a line starts the final section.
fn starts_final(text: &str) -> bool {
    [
        "exists",
        "~exists",
        "forall",
        "locations",
        "filter",
        "~ exists",
    ]
    .iter()
    .any(|k| text.starts_with(k))
}

/// The threads' columns: a `P0 | P1 ;` header, then rows of cells.
fn program_block(lines: &[(usize, &str)], at: usize) -> Result<(Vec<Lines>, usize), ParseError> {
    let Some(&(line, header)) = lines.get(at) else {
        return error(0, "no threads after the initial state");
    };
    let header = header.strip_suffix(';').ok_or_else(|| ParseError {
        line,
        message: "the threads' header must end with ';' (as ' P0 | P1 ;')".into(),
    })?;
    let mut threads = Vec::new();
    for (i, cell) in header.split('|').enumerate() {
        let cell = cell.trim();
        if cell != format!("P{i}") {
            return error(
                line,
                format!("'{cell}' where the thread header 'P{i}' should be"),
            );
        }
        threads.push(Vec::new());
    }
    let mut i = at + 1;
    while let Some(&(line, text)) = lines.get(i) {
        if text.is_empty() {
            i += 1;
            continue;
        }
        if starts_final(text) {
            break;
        }
        let Some(row) = text.strip_suffix(';') else {
            return error(
                line,
                format!("a row of instructions must end with ';': '{text}'"),
            );
        };
        let cells: Vec<&str> = row.split('|').collect();
        if cells.len() > threads.len() {
            return error(
                line,
                format!(
                    "{} columns where the header has {} threads",
                    cells.len(),
                    threads.len()
                ),
            );
        }
        for (t, cell) in cells.iter().enumerate() {
            let cell = cell.trim();
            if !cell.is_empty() {
                threads[t].push((line, cell.to_string()));
            }
        }
        i += 1;
    }
    Ok((threads, i))
}

/// `locations [...]` (optional) and the condition, to the end of the file.
fn final_block(lines: &[(usize, &str)], at: usize) -> Result<(Lines, (usize, String)), ParseError> {
    let rest: Vec<(usize, &str)> = lines[at..]
        .iter()
        .copied()
        .filter(|(_, t)| !t.is_empty())
        .collect();
    let mut locations = Vec::new();
    let mut i = 0;
    if let Some(&(line, text)) = rest.first()
        && let Some(after) = text.strip_prefix("locations")
    {
        // `locations [x; 0:EAX;]`, on one line or several.
        let mut body = after.trim().to_string();
        while !body.contains(']') {
            i += 1;
            let Some(&(_, more)) = rest.get(i) else {
                return error(line, "'locations [' is never closed");
            };
            body.push(' ');
            body.push_str(more);
        }
        let inner = body
            .trim()
            .strip_prefix('[')
            .and_then(|b| b.split(']').next())
            .ok_or_else(|| ParseError {
                line,
                message: "'locations' must be followed by '[...]'".into(),
            })?;
        for item in inner.split(';') {
            if !item.trim().is_empty() {
                locations.push((line, item.trim().to_string()));
            }
        }
        i += 1;
    }
    let Some(&(line, first)) = rest.get(i) else {
        return error(0, "no condition (exists, ~exists or forall) at the end");
    };
    if first.starts_with("filter") {
        return error(line, "'filter' clauses are not supported");
    }
    let text: Vec<&str> = rest[i..].iter().map(|(_, t)| *t).collect();
    Ok((locations, (line, text.join(" "))))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SB: &str = "X86 SB\n\"PodWR Fre PodWR Fre\"\nCycle=Fre PodWR Fre PodWR\n{\n}\n P0          | P1          ;\n MOV [x],$1  | MOV [y],$1  ;\n MOV EAX,[y] | MOV EAX,[x] ;\nexists\n(0:EAX=0 /\\ 1:EAX=0)\n";

    #[test]
    fn the_catalogues_sb_cuts_into_its_sections() {
        let s = sections(SB).unwrap();
        assert_eq!(s.arch, Arch::X86);
        assert_eq!(s.name, "SB");
        assert_eq!(s.doc.as_deref(), Some("PodWR Fre PodWR Fre"));
        assert_eq!(s.info, [("Cycle".into(), "Fre PodWR Fre PodWR".into())]);
        assert!(s.init.is_empty());
        assert_eq!(
            s.threads,
            [
                vec![(7, "MOV [x],$1".into()), (8, "MOV EAX,[y]".into())],
                vec![(7, "MOV [y],$1".into()), (8, "MOV EAX,[x]".into())]
            ]
        );
        assert_eq!(s.condition, (9, "exists (0:EAX=0 /\\ 1:EAX=0)".into()));
    }

    #[test]
    fn comments_nest_and_keep_line_numbers() {
        let text = "(* a (* nested *) comment\n over lines *) X86 T\n{ x=1; (* here *) }\n P0 ;\n MOV EAX,[x] ;\nforall 0:EAX=1\n";
        let s = sections(text).unwrap();
        assert_eq!(s.name, "T");
        assert_eq!(s.init, [(3, "x=1".into())]);
        assert_eq!(s.threads[0], [(5, "MOV EAX,[x]".into())]);
        assert!(
            strip_comments("(* open")
                .unwrap_err()
                .message
                .contains("never closed")
        );
    }

    #[test]
    fn init_blocks_span_lines_and_locations_are_read() {
        let text = "X86_64 A010\n{\n  uint64_t x;\n  0:RBX=0x202;\n}\n  P0            ;\n  MOVQ %RBX,(x) ;\nlocations [x;]\nforall [x] = 0x202\n";
        let s = sections(text).unwrap();
        assert_eq!(s.arch, Arch::X86_64);
        assert_eq!(
            s.init,
            [(3, "uint64_t x".into()), (4, "0:RBX=0x202".into())]
        );
        assert_eq!(s.locations, [(8, "x".into())]);
        assert_eq!(s.condition, (9, "forall [x] = 0x202".into()));
    }

    #[test]
    fn each_malformed_section_names_its_line() {
        let cases = [
            ("", 0, "empty"),
            ("ARM T\n{}\n P0;\nexists (x=1)\n", 1, "architecture 'ARM'"),
            ("X86\n", 1, "no name"),
            ("X86 T\nnonsense\n{}\n", 2, "initial state"),
            ("X86 T\n{ x=0;\n", 2, "never closed"),
            (
                "X86 T\n{} junk\n P0 ;\nexists (x=0)\n",
                2,
                "after the initial",
            ),
            ("X86 T\n{}\n P0 | P2 ;\nexists (x=0)\n", 3, "'P2'"),
            (
                "X86 T\n{}\n P0 ;\n MOV [x],$1\nexists (x=0)\n",
                4,
                "must end with ';'",
            ),
            (
                "X86 T\n{}\n P0 ;\n MOV [x],$1 | MOV [y],$1 ;\nexists (x=0)\n",
                4,
                "2 columns",
            ),
            ("X86 T\n{}\n P0 ;\n MOV [x],$1 ;\n", 0, "no condition"),
            (
                "X86 T\n{}\n P0 ;\n MOV [x],$1 ;\nfilter (x=1)\nexists (x=1)\n",
                5,
                "filter",
            ),
            ("X86 T\n\"open\n{}\n", 2, "never closed"),
        ];
        for (text, line, says) in cases {
            let e = sections(text).unwrap_err();
            assert_eq!(e.line, line, "{text:?}: {e:?}");
            assert!(e.message.contains(says), "{text:?}: {e:?}");
        }
    }
}
