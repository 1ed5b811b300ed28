//! The tests herdtools7's `X86` syntax can express, as `.litmus` files
//! (`litmus export --herd DIR`), so users with herd7 or litmus7 can check
//! this suite's expectations (and its model) against theirs.
//!
//! herd's `X86` has 32-bit locations only, so a PTE is two variables,
//! `lo` and `hi`: the strategies built from 32-bit loads (`split`,
//! `lowhigh`, `lowhigh-lfence`, `lowhigh-lockadd`) with the `pae` writers
//! export; 8-byte single accesses (`cmpxchg8b`, `movq`, `fild`) do not, nor
//! `seqcount` (its "even" exit condition), nor `PTE-LOST` (`cmpxchg8b`).
//! A retry loop becomes part of the `exists` clause (the recheck equals the
//! first read), as in the kernel's litmus tests. `lock addl $0,-4(%esp)`
//! becomes `LOCK ADD [s1],$0` on a location only that thread uses.

use crate::catalog::Test;
use crate::catalog::classic::{ClassicTest, Fence, Observe, Op};
use crate::catalog::pte::{PteOutcome, PteTest};
use crate::judge::Expect;
use crate::model::{self, Cond, PTE_HIGH, PTE_LOW, Step};
use pte_asm::strategy::ReadStrategy;
use std::collections::BTreeSet;
use std::path::Path;

/// herd's names for the model's locations (`model::PTE_LOW` ...).
const HERD_LOCS: [&str; 4] = ["lo", "hi", "seq", "turn"];

/// herd's registers for the suite's `r0`, `r1`, ...
const REGS: [&str; 6] = ["EAX", "EBX", "ECX", "EDX", "ESI", "EDI"];

/// The strategies herd's 32-bit `X86` can express.
pub const EXPORTED_STRATEGIES: [ReadStrategy; 4] = [
    ReadStrategy::Split,
    ReadStrategy::Lowhigh,
    ReadStrategy::LowhighLfence,
    ReadStrategy::LowhighLockadd,
];

/// One `.litmus` file.
pub struct Litmus {
    pub name: String,
    pub text: String,
}

/// Threads side by side, `|`-separated, `;`-terminated, as herd wants.
fn columns(threads: &[Vec<String>]) -> String {
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

fn header(name: &str, summary: &str, expect: Expect, model: Expect) -> String {
    format!(
        "X86 {name}\n\"{summary}\"\n(*\n * Result: {}\n *\n * Written by pte-litmus `litmus export --herd`; its x86-TSO model says {}.\n *)\n",
        expect.result_line(),
        model.result_line()
    )
}

pub fn classic(t: &'static ClassicTest) -> Litmus {
    let threads: Vec<Vec<String>> = t
        .threads
        .iter()
        .enumerate()
        .map(|(i, ops)| {
            ops.iter()
                .filter_map(|op| match *op {
                    Op::Store(loc, v) => Some(format!("MOV [{}],${v}", loc.name())),
                    Op::Load(loc, r) => Some(format!("MOV {},[{}]", REGS[r as usize], loc.name())),
                    Op::Fence(Fence::Mfence) => Some("MFENCE".into()),
                    Op::Fence(Fence::Lfence) => Some("LFENCE".into()),
                    Op::Fence(Fence::LockAddl) => Some(format!("LOCK ADD [s{i}],$0")),
                    Op::Fence(Fence::Compiler) => None,
                })
                .collect()
        })
        .collect();
    let mut locations = vec!["x=0".to_string(), "y=0".to_string()];
    for (i, ops) in t.threads.iter().enumerate() {
        if ops.contains(&Op::Fence(Fence::LockAddl)) {
            locations.push(format!("s{i}=0"));
        }
    }
    let exists: Vec<String> = t
        .observed
        .iter()
        .zip(t.witness)
        .map(|(o, v)| match *o {
            Observe::Reg(thread, r) => format!("{thread}:{}={v}", REGS[r as usize]),
            Observe::Final(loc) => format!("{}={v}", loc.name()),
        })
        .collect();
    Litmus {
        name: t.name.to_string(),
        text: format!(
            "{}\n{{ {}; }}\n\n{}\nexists ({})\n",
            header(
                t.name,
                t.summary,
                t.expect,
                model::verdict(Test::Classic(t), None)
            ),
            locations.join("; "),
            columns(&threads),
            exists.join(" /\\ ")
        ),
    }
}

/// A PTE test with one of [`EXPORTED_STRATEGIES`]: the model's bounded
/// version (one read; the writers' turns), with the PTE as `lo` and `hi`.
pub fn pte(t: &'static PteTest, strategy: ReadStrategy) -> Litmus {
    assert!(
        !t.writer_checks(),
        "{}: writer checks have no herd X86 form here",
        t.name
    );
    let (reader, lo2) = match strategy {
        ReadStrategy::Split => (vec!["MOV EAX,[lo]", "MOV EBX,[hi]"], false),
        ReadStrategy::Lowhigh => (vec!["MOV EAX,[lo]", "MOV EBX,[hi]", "MOV ECX,[lo]"], true),
        ReadStrategy::LowhighLfence => (
            vec![
                "MOV EAX,[lo]",
                "LFENCE",
                "MOV EBX,[hi]",
                "LFENCE",
                "MOV ECX,[lo]",
            ],
            true,
        ),
        ReadStrategy::LowhighLockadd => (
            vec![
                "MOV EAX,[lo]",
                "LOCK ADD [s0],$0",
                "MOV EBX,[hi]",
                "LOCK ADD [s0],$0",
                "MOV ECX,[lo]",
            ],
            true,
        ),
        other => panic!("{} has no herd X86 form", other.name()),
    };
    let mut threads = vec![reader.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    // The writers are the model's bounded ones, step for step: one place
    // says what the writers' turns are.
    let program = model::pte_program(t, strategy);
    let (a_lo, a_hi) = (
        program.init[PTE_LOW as usize],
        program.init[PTE_HIGH as usize],
    );
    let (mut lows, mut highs) = (BTreeSet::from([a_lo, 0]), BTreeSet::from([a_hi, 0]));
    let mut turn_reads = Vec::new();
    for (w, steps) in program.threads[1..].iter().enumerate() {
        let mut code = Vec::new();
        for instr in steps {
            match instr.step {
                Step::Load(loc, r) => code.push(format!(
                    "MOV {},[{}]",
                    REGS[r as usize], HERD_LOCS[loc as usize]
                )),
                Step::Store(loc, v) => {
                    code.push(format!("MOV [{}],${v}", HERD_LOCS[loc as usize]));
                    match loc {
                        PTE_LOW => lows.insert(v),
                        PTE_HIGH => highs.insert(v),
                        _ => false,
                    };
                }
                Step::Assume(Cond::Is(r, v)) => {
                    turn_reads.push(format!("{}:{}={v}", 1 + w, REGS[r as usize]))
                }
                other => panic!(
                    "{}: writer step {other:?} has no herd X86 form here",
                    t.name
                ),
            }
        }
        threads.push(code);
    }
    // Every (low, high) the reader could return that no install wrote:
    // the witness, as herd has to be told it.
    let torn: Vec<String> = lows
        .iter()
        .flat_map(|lo| highs.iter().map(move |hi| (*lo, *hi)))
        .filter(|(lo, hi)| t.scheme.classify(*lo, *hi) == PteOutcome::Torn)
        .map(|(lo, hi)| {
            let recheck = if lo2 {
                format!(" /\\ 0:ECX={lo}")
            } else {
                String::new()
            };
            format!("(0:EAX={lo} /\\ 0:EBX={hi}{recheck})")
        })
        .collect();
    let mut condition = format!("({})", torn.join(" \\/ "));
    if !turn_reads.is_empty() {
        condition = format!("{} /\\ {condition}", turn_reads.join(" /\\ "));
    }
    let mut locations = vec![format!("lo={a_lo}"), format!("hi={a_hi}")];
    if t.writers > 1 {
        locations.push("turn=0".into());
    }
    if strategy == ReadStrategy::LowhighLockadd {
        locations.push("s0=0".into());
    }
    let name = format!("{}+{}", t.name, strategy.name());
    let test = Test::Pte(t);
    Litmus {
        text: format!(
            "{}\n{{ {}; }}\n\n{}\nexists ({condition})\n",
            header(
                &name,
                &format!("{} (the model's bounded version)", t.summary),
                (t.expect)(strategy),
                model::verdict(test, Some(strategy))
            ),
            locations.join("; "),
            columns(&threads),
        ),
        name,
    }
}

/// Every exportable test, and what was left out and why.
pub fn all() -> (Vec<Litmus>, Vec<String>) {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for test in Test::all() {
        match test {
            Test::Classic(t) => files.push(classic(t)),
            Test::Pte(t) if t.writer_checks() => skipped.push(format!(
                "{}: its witness needs cmpxchg8b, which herd's X86 has no 8-byte form of",
                t.name
            )),
            Test::Pte(t) => {
                for s in EXPORTED_STRATEGIES {
                    files.push(pte(t, s));
                }
                skipped.push(format!(
                    "{} with cmpxchg8b, movq, fild, native64 (8-byte accesses) and seqcount (its \
                     even-sequence exit): not in herd's 32-bit X86",
                    t.name
                ));
            }
        }
    }
    (files, skipped)
}

/// Write every file into `dir` (created if missing), with `@all` listing them.
pub fn export(dir: &Path) -> Result<(usize, Vec<String>), String> {
    let shown = dir.display();
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {shown}: {e}"))?;
    let (files, skipped) = all();
    let mut index = String::new();
    for file in &files {
        let path = dir.join(format!("{}.litmus", file.name));
        std::fs::write(&path, &file.text)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        index.push_str(&format!("{}.litmus\n", file.name));
    }
    let all = dir.join("@all");
    std::fs::write(&all, index).map_err(|e| format!("cannot write {}: {e}", all.display()))?;
    Ok((files.len(), skipped))
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
    fn the_seeds_aba_is_in_the_witness_and_installs_are_not() {
        let aba = pte(&PTE[1], ReadStrategy::Lowhigh);
        // A = 0x0001000100010067; the seed's torn value: B's high, A's low.
        assert!(aba.text.contains("{ lo=65639; hi=65537; }"), "{}", aba.text);
        assert!(
            aba.text
                .contains("(0:EAX=65639 /\\ 0:EBX=65538 /\\ 0:ECX=65639)")
        );
        assert!(
            !aba.text.contains("(0:EAX=65639 /\\ 0:EBX=65537 /\\"),
            "A itself"
        );
        assert!(aba.text.contains("MOV [hi],$65538"));
    }

    #[test]
    fn every_exported_file_names_the_tests_result() {
        let (files, skipped) = all();
        assert_eq!(files.len(), CLASSIC.len() + 3 * EXPORTED_STRATEGIES.len());
        assert!(skipped.iter().any(|s| s.starts_with("PTE-LOST")));
        for f in &files {
            assert!(f.text.contains(" * Result: "), "{}", f.name);
            assert!(f.text.contains("exists ("), "{}", f.name);
        }
    }
}
