//! The tests as herdtools7 `.litmus` files (`litmus export --herd DIR`),
//! so users with herd7 or litmus7 can check this suite's expectations (and
//! its model) against theirs, and run them back through `litmus run`.
//!
//! - The classic tests, in the `X86` dialect.
//! - The PTE tests with a read built from 32-bit loads (`split`,
//!   `lowhigh`, `lowhigh-lfence`, `lowhigh-lockadd`), in the `X86` dialect:
//!   the PTE as two variables `lo` and `hi`, the layout a litmus7 test
//!   gets; the retry loop in the `exists` clause (the recheck equals the
//!   first read), as in the kernel's litmus tests; `lock addl $0,-4(%esp)`
//!   as `LOCK ADD [s0],$0` on a location only the reader uses.
//! - The PTE tests with a single 8-byte read and with `seqcount`, in the
//!   `X86_64` mixed-size dialect (`herd7 -variant mixed -model
//!   x86tso-mixed.cat`): the PTE as one `uint64_t`, written by the kernel's
//!   4-byte half-stores through `4(%r15)`, read by one `movq` (`movq-sse2`,
//!   `movq-mmx`, `fild`, `native64` alike: herd has one 8-byte load) or by
//!   `lock cmpxchgq` (herd's nearest form of `lock cmpxchg8b`).
//! - Not written: `cmpxchg8b-nolock` (herd's `cmpxchg` writes nothing when
//!   the compare fails; the hardware writes the old value back, which is
//!   the whole hazard), and so `PTE-LOST`'s only allowed case.
//!
//! The witness is spelled out as herd needs it: every value the reader
//! could return that no install wrote, from the values the model's bounded
//! writers store.
//!
//! [`program`] writes any 4-byte program of the suite, above all a C test's
//! mapped x86 code (`litmus export --herd DIR FILE.litmus`).
//!
//! [`lkmm`] writes the same tests as the kernel's C litmus tests (`litmus
//! export --lkmm DIR`), judged by the Linux-kernel memory model.

pub mod lkmm;
pub mod program;
mod pte;

pub use pte::{X86_64_STRATEGIES, X86_STRATEGIES, pte};

use crate::catalog::classic::ClassicTest;
use crate::catalog::program::{Fence, Instr, Operand, Program as LitmusProgram};
use crate::catalog::{Case, Test};
use crate::judge::Expect;
use crate::model;
use pte_asm::strategy::ReadStrategy;
use std::path::Path;

/// herd's `X86` registers for the suite's `r0`, `r1`, ...
pub(super) const X86_REGS: [&str; 6] = ["EAX", "EBX", "ECX", "EDX", "ESI", "EDI"];
/// herd's `X86_64` registers for the model's 0, 1, ...: (32-bit, 64-bit).
pub(super) const X64_REGS: [(&str, &str); 10] = [
    ("eax", "rax"),
    ("ebx", "rbx"),
    ("ecx", "rcx"),
    ("edx", "rdx"),
    ("r8d", "r8"),
    ("r9d", "r9"),
    ("r10d", "r10"),
    ("r11d", "r11"),
    ("r12d", "r12"),
    ("r13d", "r13"),
];
/// The register every `X86_64` thread holds the PTE's address in.
pub(super) const PTE_REG: &str = "r15";

/// One `.litmus` file.
pub struct Litmus {
    pub name: String,
    pub text: String,
}

/// Threads side by side, `|`-separated, `;`-terminated, as herd wants.
pub(super) fn columns(threads: &[Vec<String>]) -> String {
    let rows = threads.iter().map(Vec::len).max().unwrap_or(0);
    let width: Vec<usize> = threads
        .iter()
        .enumerate()
        .map(|(i, t)| {
            t.iter()
                .map(String::len)
                .chain([format!("P{i}").len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<String>| {
        let cells: Vec<String> = cells
            .iter()
            .zip(&width)
            .map(|(c, w)| format!(" {c:<w$} "))
            .collect();
        format!("{};\n", cells.join("|"))
    };
    let mut out = line((0..threads.len()).map(|i| format!("P{i}")).collect());
    for row in 0..rows {
        out.push_str(&line(
            threads
                .iter()
                .map(|t| t.get(row).cloned().unwrap_or_default())
                .collect(),
        ));
    }
    out
}

pub(super) fn header(
    arch: &str,
    name: &str,
    summary: &str,
    expect: Expect,
    model: Expect,
) -> String {
    format!(
        "{arch} {name}\n\"{summary}\"\n(*\n * Result: {}\n *\n * Written by pte-litmus `litmus export --herd`; its x86-TSO model says {}.\n *)\n",
        expect.result_line(),
        model.result_line()
    )
}

/// A classic test in the `X86` dialect.
pub fn classic(t: &'static ClassicTest) -> Litmus {
    let p = t.program();
    let threads: Vec<Vec<String>> = p
        .threads
        .iter()
        .enumerate()
        .map(|(i, code)| {
            code.iter()
                .filter_map(|ins| x86_instr(&p, i, ins))
                .collect()
        })
        .collect();
    let mut locations = vec!["x=0".to_string(), "y=0".to_string()];
    for (i, code) in p.threads.iter().enumerate() {
        if code.contains(&Instr::Fence(Fence::LockAddStack)) {
            locations.push(format!("s{i}=0"));
        }
    }
    let exists: Vec<String> = p
        .observed
        .iter()
        .zip(t.witness)
        .map(|(o, v)| match *o {
            crate::catalog::program::Observable::Reg { thread, reg } => {
                format!("{thread}:{}={v}", X86_REGS[reg as usize])
            }
            crate::catalog::program::Observable::Loc(l) => {
                format!("{}={v}", p.locations[l as usize].name)
            }
        })
        .collect();
    Litmus {
        name: t.name.to_string(),
        text: format!(
            "{}\n{{ {}; }}\n\n{}\nexists ({})\n",
            header(
                "X86",
                t.name,
                t.summary,
                t.expect,
                model::verdict(Case::Classic(t))
            ),
            locations.join("; "),
            columns(&threads),
            exists.join(" /\\ ")
        ),
    }
}

/// One instruction of a classic test in herd's Intel syntax.
fn x86_instr(p: &LitmusProgram, thread: usize, i: &Instr) -> Option<String> {
    let loc = |l: u8| p.locations[l as usize].name.clone();
    Some(match *i {
        Instr::Store {
            at,
            value: Operand::Imm(v),
            ..
        } => format!("MOV [{}],${v}", loc(at.loc)),
        Instr::Load { at, reg, .. } => format!("MOV {},[{}]", X86_REGS[reg as usize], loc(at.loc)),
        Instr::Fence(Fence::Mfence) => "MFENCE".into(),
        Instr::Fence(Fence::Lfence) => "LFENCE".into(),
        Instr::Fence(Fence::Sfence) => "SFENCE".into(),
        Instr::Fence(Fence::LockAddStack) => format!("LOCK ADD [s{thread}],$0"),
        Instr::Fence(Fence::Compiler) => return None,
        Instr::Store { .. }
        | Instr::Move { .. }
        | Instr::Alu { .. }
        | Instr::Rmw { .. }
        | Instr::SpinLock { .. }
        | Instr::Jump { .. }
        | Instr::Label(_) => {
            unreachable!("the built-in classic tests store constants, load and fence")
        }
    })
}

/// Every exportable test, and what was left out and why.
pub fn all() -> (Vec<Litmus>, Vec<String>) {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for test in Test::all() {
        // A built-in test names no file.
        if !matches!(test, Test::File(_)) {
            of_test(test, &mut files, &mut skipped);
        }
    }
    (files, skipped)
}

/// `test`'s files (a PTE test's one per strategy), or why not.
fn of_test(test: Test, files: &mut Vec<Litmus>, skipped: &mut Vec<String>) {
    match test {
        Test::Classic(t) => files.push(classic(t)),
        Test::Pte(t) => {
            for s in ReadStrategy::ALL {
                match pte(t, s) {
                    Ok(f) => files.push(f),
                    Err(why) => skipped.push(why),
                }
            }
        }
        Test::File(f) => match program::x86(f) {
            Ok(l) => files.push(l),
            Err(why) => skipped.push(why),
        },
    }
}

/// Write every file into `dir` (created if missing), with `@all` listing them.
pub fn export(dir: &Path) -> Result<(usize, Vec<String>), String> {
    let (files, skipped) = all();
    let written = write_dir(
        dir,
        files.iter().map(|f| (f.name.as_str(), f.text.as_str())),
    )?;
    Ok((written, skipped))
}

/// Write the tests the command-line arguments name into `dir`: a built-in
/// test as [`all`] writes it, a file (above all a C test, as the x86 code
/// the kernel compiles it to) by [`program::x86`]; with what was left out
/// and why.
pub fn export_named(dir: &Path, args: &[String]) -> Result<(usize, Vec<String>), String> {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for arg in args {
        // A C test comes as its x86 code, or as why it has none.
        for test in Test::resolve(arg).map_err(|e| e.to_string())? {
            match test {
                Ok(test) => of_test(test, &mut files, &mut skipped),
                Err(u) => skipped.push(format!(
                    "{} ({}): no x86 code: {}",
                    u.name,
                    u.source,
                    u.reason()
                )),
            }
        }
    }
    // Two files may hold tests of one name (paulmckrcu's demo/C-relseq and
    // another C-relseq): the second is written as NAME.2.litmus.
    let mut seen = std::collections::HashMap::new();
    let names: Vec<String> = files
        .iter()
        .map(|f| {
            let n = seen.entry(f.name.clone()).or_insert(0);
            *n += 1;
            if *n == 1 {
                f.name.clone()
            } else {
                format!("{}.{n}", f.name)
            }
        })
        .collect();
    let written = write_dir(
        dir,
        names
            .iter()
            .zip(&files)
            .map(|(n, f)| (n.as_str(), f.text.as_str())),
    )?;
    Ok((written, skipped))
}

/// Write `(name, text)` files into `dir` (created if missing) as
/// `NAME.litmus`, with `@all` listing them in order; how many.
pub fn write_dir<'a>(
    dir: &Path,
    files: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<usize, String> {
    let shown = dir.display();
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {shown}: {e}"))?;
    let mut index = String::new();
    let mut written = 0;
    for (name, text) in files {
        let path = dir.join(format!("{name}.litmus"));
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        index.push_str(&format!("{name}.litmus\n"));
        written += 1;
    }
    let all = dir.join("@all");
    std::fs::write(&all, index).map_err(|e| format!("cannot write {}: {e}", all.display()))?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{classic::CLASSIC, pte::PTE};

    #[test]
    fn sb_reads_as_herd_writes_it() {
        let sb = classic(&CLASSIC[0]);
        assert!(sb.text.starts_with("X86 SB\n"), "{}", sb.text);
        assert!(sb.text.contains("{ x=0; y=0; }"));
        assert!(
            sb.text.contains(" MOV [x],$1  | MOV [y],$1  ;"),
            "{}",
            sb.text
        );
        assert!(
            sb.text.contains(" MOV EAX,[y] | MOV EAX,[x] ;"),
            "{}",
            sb.text
        );
        assert!(sb.text.ends_with("exists (0:EAX=0 /\\ 1:EAX=0)\n"));
        assert!(sb.text.contains("Result: Sometimes"));
    }

    #[test]
    fn every_exported_file_names_the_tests_result() {
        let (files, skipped) = all();
        // Ten classic; per PTE test every strategy but cmpxchg8b-nolock, and
        // not the three-writer seqcount.
        assert_eq!(
            files.len(),
            CLASSIC.len() + PTE.len() * (ReadStrategy::ALL.len() - 1) - 1
        );
        assert_eq!(skipped.len(), PTE.len() + 1);
        assert_eq!(
            skipped
                .iter()
                .filter(|s| s.contains("cmpxchg8b-nolock"))
                .count(),
            PTE.len()
        );
        for f in &files {
            assert!(f.text.contains(" * Result: "), "{}", f.name);
            assert!(f.text.contains("exists ("), "{}", f.name);
        }
    }
}
