//! The PTE tests as C: the reader (`P0`, the seed's A) by each strategy
//! with a C form, against the catalog's writers (`P1`, ...) taking the
//! model's bounded turns: the same zaps and installs, the same values,
//! as `export --herd` writes them (`PTE-ABA`: A, zap, B, zap, C).

use super::code::{self, Access, CRead, CWriter};
use super::{Draft, Thread, conjunction};
use crate::catalog::Case;
use crate::catalog::pte::{PTE, PteOutcome, PteTest, WriterStep};
use crate::model;
use pte_asm::strategy::ReadStrategy;
use std::collections::BTreeSet;

/// A strategy's C forms: the file name's suffix (after `TEST+`) and the
/// read; or why it has none.
fn c_forms(strategy: ReadStrategy) -> Result<Vec<(String, CRead)>, &'static str> {
    use ReadStrategy as S;
    let name = strategy.name().to_string();
    match strategy {
        S::Split => Ok(vec![(name, code::split())]),
        S::Lowhigh => Ok(vec![
            (name, code::lowhigh("smp_rmb", Access::Once)),
            (
                "lowhigh+plain".into(),
                code::lowhigh("smp_rmb", Access::Plain),
            ),
        ]),
        // `lock addl $0,-4(%esp)` is x86's `smp_mb()` (`__smp_mb()`).
        S::LowhighLockadd => Ok(vec![(name, code::lowhigh("smp_mb", Access::Once))]),
        S::Seqcount => Ok(vec![(name, code::seqcount())]),
        S::LowhighLfence => Err(
            "lfence is x86's rmb(), which linux-kernel.def does not define; the LKMM's read \
             barrier is smp_rmb(), the lowhigh file",
        ),
        S::Cmpxchg8b | S::Cmpxchg8bNolock | S::MovqSse2 | S::MovqMmx | S::Fild | S::Native64 => {
            Err(
                "one 8-byte access: the LKMM has no mixed-size accesses (the PTE is two int \
                 halves), and mips32 and sh, the machines the C answer is for, have no such load",
            )
        }
    }
}

/// The writer a strategy's reader faces: the kernel's, or the kernel's in
/// a sequence count for `seqcount`.
fn writer_for(strategy: ReadStrategy) -> CWriter {
    match strategy.writer() {
        pte_asm::strategy::Writer::Seqcount => CWriter::SEQCOUNT,
        pte_asm::strategy::Writer::Pae => CWriter::KERNEL,
    }
}

/// The seed's names for installs 0, 1, 2, ...: A, B, C.
fn install_name(k: usize) -> String {
    char::from(b'A' + (k % 26) as u8).to_string()
}

/// The writers' threads, and what the condition needs of them.
#[derive(Default)]
struct Writers {
    threads: Vec<Thread>,
    /// Every value the PTE's halves hold at some point.
    lows: BTreeSet<u32>,
    highs: BTreeSet<u32>,
    /// Each writer read the turn it waited for: `2:t0=1`.
    turns: Vec<String>,
    /// `(thread, low register, high register, what it must see)`.
    checks: Vec<(usize, String, String, (u32, u32))>,
    /// The last install.
    last: (u32, u32),
    /// The sequence count the writers leave (their increments).
    bumps: u32,
    /// The installs after A, by name, as the file's question lists them.
    named: Vec<String>,
}

/// The catalog's writers, turn for turn as the model runs them (writer
/// `turn % writers` takes turn `turn`): `model::pte_program`'s order.
fn writers(t: &PteTest, writer: CWriter) -> Writers {
    let first = t.scheme.install(0);
    let mut w = Writers {
        threads: vec![Thread::default(); t.writers],
        lows: BTreeSet::from([first.0, 0]),
        highs: BTreeSet::from([first.1, 0]),
        last: first,
        ..Writers::default()
    };
    let mut turns_taken = vec![0; t.writers];
    let mut checks_made = vec![0; t.writers];
    for turn in 0..t.model_turns {
        let i = turn % t.writers;
        let thread = &mut w.threads[i];
        if t.writers > 1 {
            let reg = format!("t{}", turns_taken[i]);
            turns_taken[i] += 1;
            thread.body.extend(code::take_turn(&reg));
            w.turns.push(format!("{}:{reg}={i}", 1 + i));
            thread.locals.push(reg);
        }
        for step in t.turn {
            match step {
                WriterStep::CheckLast | WriterStep::CheckZero => {
                    let (expect, what) = if *step == WriterStep::CheckLast {
                        (w.last, "check: the PTE is still what I installed")
                    } else {
                        ((0, 0), "check: the PTE is still zapped")
                    };
                    let n = checks_made[i];
                    checks_made[i] += 1;
                    let (low, high) = (format!("l{n}"), format!("h{n}"));
                    thread.body.extend(code::check(what, &low, &high));
                    thread.locals.extend([low.clone(), high.clone()]);
                    w.checks.push((1 + i, low, high, expect));
                }
                WriterStep::Zap => thread.body.extend(writer.zap(&mut w.bumps)),
                WriterStep::Install => {
                    let name = install_name(turn + 1);
                    w.last = t.scheme.install(turn as u32 + 1);
                    w.lows.insert(w.last.0);
                    w.highs.insert(w.last.1);
                    thread
                        .body
                        .extend(writer.install(&name, w.last, &mut w.bumps));
                    w.named
                        .push(format!("{name} = {}", code::pte_value(w.last)));
                }
            }
        }
        if t.writers > 1 {
            thread
                .body
                .extend(code::pass_turn(((i + 1) % t.writers) as u32));
        }
    }
    for thread in &mut w.threads {
        thread.params = writer.params();
        if t.writers > 1 {
            thread.params.push("turn");
        }
    }
    w
}

/// The alternatives, one a line in brackets (one alone as it is), for an
/// `exists` clause.
fn any_of(alternatives: &[String]) -> String {
    super::disjunction(alternatives)
}

/// The condition: the turns were taken in order, and the witness.
fn condition(t: &PteTest, read: &CRead, w: &Writers) -> String {
    let witness = if t.witness == PteOutcome::Torn {
        let torn: Vec<String> = w
            .lows
            .iter()
            .flat_map(|lo| w.highs.iter().map(move |hi| (*lo, *hi)))
            .filter(|(lo, hi)| t.scheme.classify(*lo, *hi) == PteOutcome::Torn)
            .map(|pte| conjunction(&read.returned(0, pte)))
            .collect();
        any_of(&torn)
    } else {
        // A writer's check saw other than it left, or the PTE does not end
        // as the last install.
        let mut lost: Vec<String> = Vec::new();
        for (thread, low, high, (lo, hi)) in &w.checks {
            lost.push(format!("~({thread}:{low}={})", code::value(*lo)));
            lost.push(format!("~({thread}:{high}={})", code::value(*hi)));
        }
        lost.push(format!(
            "~(pte_low={} /\\ pte_high={})",
            code::value(w.last.0),
            code::value(w.last.1)
        ));
        lost.join(" \\/ ")
    };
    let mut parts = w.turns.clone();
    let single = parts.is_empty() && read.sequence.is_none();
    parts.push(if single {
        witness
    } else {
        format!("({witness})")
    });
    if let Some(exit) = read.sequence_exit(0, w.bumps) {
        parts.push(format!("({exit})"));
    }
    conjunction(&parts)
}

/// What the file asks, in one sentence.
fn asks(t: &PteTest, read: &CRead, writer: CWriter, w: &Writers) -> String {
    let (who, zaps, installs_word) = match t.writers {
        1 => ("a writer".to_string(), "zaps", "installs"),
        n => (format!("{n} writers, taking turns,"), "zap", "install"),
    };
    let how = format!("with {}", writer.describe());
    let from = format!("A = {}", code::pte_value(t.scheme.install(0)));
    let installs = w.named.join(", then ");
    if t.witness == PteOutcome::Torn {
        format!(
            "Can {} return a PTE that was never installed while {who} {zaps} the PTE {how} \
             and {installs_word} {installs}, starting from {from}?",
            read.what
        )
    } else {
        format!(
            "Does {who} that {zaps} the PTE {how} and {installs_word} {installs}, starting \
             from {from}, checking before each store that the PTE still holds what it left, \
             ever find it otherwise while {} reads it?",
            read.what
        )
    }
}

fn draft(t: &'static PteTest, strategy: ReadStrategy, suffix: &str, read: CRead) -> Draft {
    let writer = writer_for(strategy);
    let w = writers(t, writer);
    let tso = model::verdict(Case::Pte(t, strategy)).result_line();
    let mut threads = vec![Thread {
        params: read.params.clone(),
        locals: read.locals.iter().map(|l| l.to_string()).collect(),
        body: read.body.clone(),
    }];
    threads.extend(w.threads.iter().cloned());
    let (a_lo, a_hi) = t.scheme.install(0);
    Draft {
        name: format!("{}+{suffix}", t.name),
        asks: asks(t, &read, writer, &w),
        note: format!(
            "Written by pte-litmus `litmus export --lkmm`. The same test as x86 instructions \
             (`litmus model {} --strategy {}`): x86-TSO says {tso}.",
            t.name,
            strategy.name()
        ),
        init: vec![("pte_low", a_lo), ("pte_high", a_hi)],
        filter: None,
        exists: condition(t, &read, &w),
        threads,
    }
}

/// Every PTE test with every strategy that has a C form, and one line per
/// strategy that has none.
pub(super) fn drafts() -> (Vec<Draft>, Vec<String>) {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    let (written, too_big): (Vec<&'static PteTest>, Vec<&'static PteTest>) =
        PTE.iter().partition(|t| t.writers == 1);
    let tests: Vec<&str> = written.iter().map(|t| t.name).collect();
    for strategy in ReadStrategy::ALL {
        if let Err(why) = c_forms(strategy) {
            skipped.push(format!(
                "{} with {}: {why}",
                tests.join(", "),
                strategy.name()
            ));
        }
    }
    for t in too_big {
        skipped.push(format!(
            "{} (every strategy): {} writer threads make every coherence order of their stores \
             a candidate, and herd7 7.58 does not finish even the lowhigh file in 5 minutes (nor \
             does the suite's LKMM); PTE-ABA is the same race with one writer",
            t.name, t.writers
        ));
    }
    for t in written {
        for strategy in ReadStrategy::ALL {
            for (suffix, read) in c_forms(strategy).unwrap_or_default() {
                out.push(draft(t, strategy, &suffix, read));
            }
        }
    }
    (out, skipped)
}

/// For each read strategy with a C form (its kernel form: `lowhigh` with
/// `READ_ONCE()`, not the 2022 plain loads), the PTE tests whose torn PTE
/// the LKMM allows: the answer's column for the machines with no 64-bit
/// atomic load (mips32, sh). Only the one-writer tests (`PTE-ABA`,
/// `PTE-MP`, `PTE-LOST`): three writers are beyond the model's reach.
/// Judged once per process (a third of a second).
pub fn tears() -> &'static [(ReadStrategy, Vec<&'static str>)] {
    static TEARS: std::sync::OnceLock<Vec<(ReadStrategy, Vec<&'static str>)>> =
        std::sync::OnceLock::new();
    TEARS.get_or_init(|| {
        let one_writer: Vec<&'static PteTest> = PTE.iter().filter(|t| t.writers == 1).collect();
        ReadStrategy::ALL
            .into_iter()
            .filter_map(|strategy| {
                let forms = c_forms(strategy).ok()?;
                let (suffix, read) = forms.into_iter().find(|(s, _)| s == strategy.name())?;
                let torn = one_writer
                    .iter()
                    .filter(|t| {
                        let d = draft(t, strategy, &suffix, read.clone());
                        let text = super::text(&d, "?");
                        crate::catalog::file::c::from_text(&text)
                            .ok()
                            .and_then(|p| model::lkmm::model(&p).ok())
                            .is_some_and(|o| o.observation().word() != "Never")
                    })
                    .map(|t| t.name)
                    .collect();
                Some((strategy, torn))
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PTE_HIGH, PTE_LOW, Step, Value};

    /// The C writers store what the model's writers store, in the same
    /// order, thread by thread.
    #[test]
    fn the_writers_store_what_the_models_writers_store() {
        for t in PTE {
            for strategy in [ReadStrategy::Lowhigh, ReadStrategy::Seqcount] {
                let program = model::pte_program(t, strategy);
                let w = writers(t, writer_for(strategy));
                for (i, thread) in w.threads.iter().enumerate() {
                    let modelled: Vec<String> = program.threads[1 + i]
                        .iter()
                        .filter_map(|instr| match instr.step {
                            Step::Store {
                                at,
                                value: Value::Imm(v),
                                ..
                            } if at == PTE_LOW || at == PTE_HIGH => {
                                let half = if at == PTE_LOW { "pte_low" } else { "pte_high" };
                                Some(format!("WRITE_ONCE(*{half}, {});", code::value(v as u32)))
                            }
                            _ => None,
                        })
                        .collect();
                    let written: Vec<String> = thread
                        .body
                        .iter()
                        .filter(|s| s.starts_with("WRITE_ONCE(*pte_"))
                        .cloned()
                        .collect();
                    assert_eq!(written, modelled, "{} {}", t.name, strategy.name());
                }
            }
        }
    }

    #[test]
    fn the_seeds_aba_is_the_witness() {
        let aba = &PTE[1];
        let d = draft(
            aba,
            ReadStrategy::Lowhigh,
            "lowhigh",
            code::lowhigh("smp_rmb", Access::Once),
        );
        assert_eq!(d.name, "PTE-ABA+lowhigh");
        // The seed's torn value: A's low with B's high.
        assert!(
            d.exists
                .contains("(0:lo=65639 /\\ 0:hi=65538 /\\ 0:lo2=65639)"),
            "{}",
            d.exists
        );
        assert!(!d.exists.contains("0:hi=65537 /\\ 0:lo2=65639)"), "A");
        let (_, skipped) = drafts();
        // Seven strategies without a C form, and PTE-ABA3.
        assert_eq!(skipped.len(), 8, "{skipped:?}");
    }
}
