//! The Linux kernel's C litmus tests, the files `herd7 -conf
//! linux-kernel.cfg` reads (`tools/memory-model/litmus-tests/`), read into
//! a [`CProgram`] with herd7 7.58's acceptance rules: a file herd refuses
//! is refused here, with one line naming the line, the column and the
//! construct, and a file herd reads is read. [`show`] prints a program
//! back as such a file.
//!
//! Files: [`ast`] (the tree), [`primitives`] (`linux-kernel.def`), `split`
//! (the sections, as herd's splitter cuts them), `scan` (places, comments,
//! brackets), [`parse`] (the threads, with `c.pest`), `state` (the init
//! block and the condition, with `state.pest`), `diagnose` (a grammar's
//! failure in words), [`show`], [`x86`] (the x86 code the kernel compiles
//! a test to, which `litmus run` runs); this one reads a file.

pub mod ast;
mod diagnose;
pub mod parse;
pub mod primitives;
mod scan;
pub mod show;
mod split;
mod state;
#[cfg(test)]
mod tests;
pub mod x86;

pub use scan::MAX_DEPTH;
pub use show::show;

use crate::error::Error;
use ast::{CProgram, InitTarget};
use scan::{Section, Where};
use sha2::{Digest, Sha256};
use std::fmt;
use std::path::{Path, PathBuf};

/// Why a text is not a C litmus test herd7 would read: where and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CError {
    pub pos: ast::Pos,
    pub message: String,
}

impl fmt::Display for CError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}:{}: {}", self.pos.line, self.pos.col, self.message)
    }
}

impl std::error::Error for CError {}

/// A C test read from a file.
#[derive(Clone, Debug)]
pub struct CTest {
    pub program: CProgram,
    /// The path as given.
    pub source: PathBuf,
    /// SHA-256 of the file's bytes, in hex (`sha256sum` shows the same).
    pub hash: String,
    /// The file's text.
    pub text: String,
}

/// Whether `text` is a C litmus test: the first non-blank line's first
/// word is `C` (herd's architecture name; `X86`, `LISA`, ... are others).
pub fn is_c(text: &str) -> bool {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .and_then(|l| l.split_whitespace().next())
        == Some("C")
}

/// Whether the file at `path` is a C litmus test ([`is_c`]); a file that
/// cannot be read is not (reading it says why).
pub fn is_c_file(path: &Path) -> bool {
    std::fs::read(path).is_ok_and(|bytes| is_c(&String::from_utf8_lossy(&bytes)))
}

/// The stack the reader runs on: nesting is bounded by [`MAX_DEPTH`], and
/// this holds the grammar's recursion at that depth many times over, in a
/// debug build too, whatever stack the caller has.
const READER_STACK: usize = 32 << 20;

/// Read one C litmus test from its text.
pub fn from_text(text: &str) -> Result<CProgram, CError> {
    std::thread::scope(|scope| {
        let reader = std::thread::Builder::new()
            .name("c-litmus-reader".to_string())
            .stack_size(READER_STACK)
            .spawn_scoped(scope, || read_text(text));
        match reader {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            // No thread to be had: read on this one.
            Err(_) => read_text(text),
        }
    })
}

fn read_text(text: &str) -> Result<CProgram, CError> {
    let at = Where::new(text);
    let split = split::split(&at)?;
    let section = |r: &std::ops::Range<usize>| Section {
        text: text.get(r.clone()).unwrap_or(""),
        start: r.start,
    };
    let init = state::init(&at, section(&split.init))?;
    let threads =
        parse::threads(&at, section(&split.program)).map_err(|e| cut_in_comment(&at, &split, e))?;
    let condition = state::condition(&at, section(&split.condition), threads.len())
        .map_err(|e| cut_in_comment(&at, &split, e))?;
    for item in &init {
        if let InitTarget::Register { thread, .. } = item.target
            && thread >= threads.len()
        {
            return Err(CError {
                pos: item.pos,
                message: state::no_such_thread("the init block", thread, threads.len()),
            });
        }
    }
    Ok(CProgram {
        name: split.name,
        header: split.header,
        result: split::result_line(text),
        init,
        threads,
        condition,
    })
}

/// When the program was cut inside a comment, that is why what follows
/// failed to read.
fn cut_in_comment(at: &Where, split: &split::Split, e: CError) -> CError {
    let Some(cut) = split.cut_in_comment else {
        return e;
    };
    let word = diagnose::token_at(at.text(), cut);
    let word = if word == "~" {
        "~exists".to_string()
    } else {
        word
    };
    at.error(
        cut,
        format!(
            "'{word}' in a comment ends the program here (herd7 ends it at the first exists, forall, final, filter, locations, cases or observed, even in a comment): reword the comment"
        ),
    )
}

/// Read and check one file; any problem is bad input naming the file, the
/// line and the column, on one line.
pub fn read(path: &Path) -> Result<CTest, Error> {
    let shown = path.display();
    let bytes =
        std::fs::read(path).map_err(|e| Error::BadInput(format!("cannot read {shown}: {e}")))?;
    let text = String::from_utf8(bytes.clone()).map_err(|e| {
        // Where the first byte that is not UTF-8 is.
        let good = &bytes[..e.utf8_error().valid_up_to()];
        let line = 1 + good.iter().filter(|&&b| b == b'\n').count();
        let start = good.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let col = 1 + String::from_utf8_lossy(&good[start..]).chars().count();
        Error::BadInput(format!("{shown}:{line}:{col}: not UTF-8 text"))
    })?;
    let program = from_text(&text)
        .map_err(|e| Error::BadInput(super::escape_controls(&format!("{shown}:{e}"))))?;
    let hash = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(CTest {
        program,
        source: path.to_path_buf(),
        hash,
        text,
    })
}
