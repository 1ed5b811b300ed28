//! `litmus model` of a C litmus test: herd7's output for it under the LKMM,
//! line for line (so the two can be diffed), and the file's `Result:` line
//! judged against it as the kernel's `judgelitmus.sh` judges herd7's.

use crate::catalog::file::c::CTest;
use crate::catalog::{Case, Named};
use crate::error::Error;
use crate::judge::lkmm::{LkmmVerdict, judge};
use crate::model::{self, lkmm};
use std::fmt::Write as _;

/// The model's output for `test`, and the verdict on its `Result:` line. A
/// test the model cannot handle is bad input naming the file.
/// With `why`, the search is exhaustive and the explanation follows
/// herd7's lines ([`lkmm::why`]); `exhaustive` alone turns the pruning off
/// (the same answer, slower: the oracle).
pub fn report(test: &CTest, why: bool, exhaustive: bool) -> Result<(String, LkmmVerdict), Error> {
    let search = lkmm::Search {
        exhaustive: exhaustive || why,
        ..lkmm::Search::default()
    };
    let outcome = lkmm::model_with(&test.program, search)
        .map_err(|e| Error::BadInput(format!("{}: {e}", test.source.display())))?;
    let mut text = lkmm::herd_text(&outcome);
    if why {
        text.push_str(&lkmm::why::explain(&outcome));
    }
    Ok((text, verdict(test, &outcome)))
}

/// `test`'s `Result:` line judged against the model's `outcome`.
fn verdict(test: &CTest, outcome: &lkmm::Outcome) -> LkmmVerdict {
    judge(
        &outcome.name,
        test.program.result.as_deref(),
        outcome.modelled(),
    )
}

/// `litmus list FILE...`: one line a test: its name, the outcome its file
/// predicts (a C test's `Result:` line; an X86 file predicts none), the
/// model's (the LKMM's for a C test, with its flags; x86-TSO's otherwise)
/// and the C test's judgement. Also the number judged failed.
pub fn list(tests: &[Named]) -> Result<(String, usize), Error> {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<44} {:<22} {:<30} judged",
        "test", "Result:", "model"
    );
    let mut failed = 0;
    for named in tests {
        let (name, result, said, judged) = match named {
            Named::C(c) => {
                let outcome = lkmm::model(&c.program)
                    .map_err(|why| Error::BadInput(format!("{}: {why}", c.source.display())))?;
                let judged = match verdict(c, &outcome) {
                    LkmmVerdict::Pass => "pass".to_string(),
                    LkmmVerdict::Forgiven(_) => "pass (a data race forgives it)".to_string(),
                    LkmmVerdict::Fail(why) => {
                        failed += 1;
                        format!("FAIL: {why}")
                    }
                };
                let result = c.program.result.clone().unwrap_or_else(|| "-".into());
                (
                    outcome.name.clone(),
                    result,
                    format!("LKMM {}", outcome.summary()),
                    judged,
                )
            }
            Named::Suite(t) => {
                let said = match t.cases(&[]).first() {
                    Some(&case) => format!("x86-TSO {}", model::verdict(case).name()),
                    None => "x86-TSO per read strategy".to_string(),
                };
                let declared = t
                    .cases(&[])
                    .first()
                    .and_then(|c: &Case| c.declared())
                    .map_or("-".to_string(), |e| e.result_line().to_string());
                (t.name().to_string(), declared, said, "-".to_string())
            }
        };
        let _ = writeln!(out, "{name:<44} {result:<22} {said:<30} {judged}");
    }
    Ok((out, failed))
}
