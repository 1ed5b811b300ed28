//! `litmus model` of a C litmus test: herd7's output for it under the LKMM,
//! line for line (so the two can be diffed), and the file's `Result:` line
//! judged against it as the kernel's `judgelitmus.sh` judges herd7's.

use crate::catalog::file::c::CTest;
use crate::error::Error;
use crate::judge::lkmm::{LkmmVerdict, Modelled, judge};
use crate::model::lkmm;

/// The model's output for `test`, and the verdict on its `Result:` line. A
/// test the model cannot handle is bad input naming the file.
pub fn report(test: &CTest) -> Result<(String, LkmmVerdict), Error> {
    let outcome = lkmm::model(&test.program)
        .map_err(|why| Error::BadInput(format!("{}: {why}", test.source.display())))?;
    let verdict = judge(
        &outcome.name,
        test.program.result.as_deref(),
        Modelled {
            word: outcome.observation().word(),
            positive: outcome.tally.positive,
            negative: outcome.tally.negative,
            data_race: outcome.flags().any(|f| f == "data-race"),
        },
    );
    Ok((lkmm::herd_text(&outcome), verdict))
}
