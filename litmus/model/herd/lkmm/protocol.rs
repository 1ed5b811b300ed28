//! The protocols' pairs as C (`PTE-PROTOCOL+READER+WRITER`): each reader
//! of `litmus protocols` with a C form against each writer, one writer
//! thread, on the installs of x86-TSO's shortest torn read for the pair
//! (`model::protocol::answer`: the adversary's values, as many zap+install
//! cycles as it needed), or, where x86-TSO finds the pair whole within its
//! bound, on the seed's A, B, C as the writer stores them. The question is
//! then whether the LKMM allows what x86-TSO allows, and forbids what it
//! forbids, on the same values.

use super::code::{self, Access, CRead, CWriter, Half};
use super::{Draft, Thread, conjunction, disjunction};
use crate::catalog::protocol::{Installs, Pair, Reader, SEED_INSTALLS, Writer};
use crate::catalog::pte_read::{PteOutcome, classify_read};
use crate::model::protocol::{Answer, DEFAULT_BOUND, answer};
use std::collections::BTreeSet;

/// A reader's C form, or why it has none.
pub(super) fn c_read(reader: Reader) -> Result<CRead, String> {
    let rmb = Some("smp_rmb");
    let (lo, hi) = (("lo", Half::Low), ("hi", Half::High));
    match reader {
        Reader::Lowhigh => Ok(code::lowhigh("smp_rmb", Access::Once)),
        Reader::Highlow => Ok(code::halves(
            "high, smp_rmb(), low, smp_rmb(), high again: ptep_get_lockless() mirrored",
            &[hi, lo, ("hi2", Half::High)],
            rmb,
            Access::Once,
        )),
        Reader::Lowhighlowhigh => Ok(code::halves(
            "low, high, low again, high again, smp_rmb() between",
            &[lo, hi, ("lo2", Half::Low), ("hi2", Half::High)],
            rmb,
            Access::Once,
        )),
        Reader::Seqcount => Ok(code::seqcount()),
        Reader::Twice => Err(
            "one pass of it is lowhighlowhigh's four loads (its sliding retry is the loop the \
             condition assumes exited): the lowhighlowhigh file"
                .to_string(),
        ),
        lfence => {
            let twin = match lfence.with_compiler_barrier() {
                Reader::Twice => Reader::Lowhighlowhigh,
                other => other,
            };
            Err(format!(
                "lfence is x86's rmb(), which linux-kernel.def does not define; the LKMM's read \
                 barrier is smp_rmb(), the {} file",
                twin.name()
            ))
        }
    }
}

/// A writer's C form: its orders, and whether it keeps a sequence count.
/// (The generation writer's numbers are in the values it installs.)
pub(super) fn c_writer(writer: Writer) -> CWriter {
    CWriter {
        zap_low_first: writer.zaps_low_first(),
        install_high_first: writer.installs_high_first(),
        seqcount: writer == Writer::Seqcount,
    }
}

/// The PTE the read starts on, then each install: x86-TSO's torn read's,
/// else the seed's A, B, C as `writer` stores them.
fn installs(pair: Pair, x86: &Answer) -> Vec<(u32, u32)> {
    match &x86.torn {
        Some(witness) => witness.installs.clone(),
        None => {
            let stored = Installs::new(pair.writer, &SEED_INSTALLS);
            (0..SEED_INSTALLS.len() as u64)
                .map(|k| stored.install(k))
                .collect()
        }
    }
}

/// x86-TSO's answer for the file's note.
fn x86_says(x86: &Answer) -> String {
    match &x86.torn {
        Some(w) => format!(
            "x86-TSO tears this pair with {} zap+install cycle{} inside one read, on these \
             installs (`litmus protocols --why`)",
            w.cycles,
            if w.cycles == 1 { "" } else { "s" }
        ),
        None => format!(
            "x86-TSO finds this pair whole with up to {} cycles inside one read, whatever the \
             installs (`litmus protocols`); the installs here are the seed's",
            x86.bound
        ),
    }
}

/// Every (low, high) the read could return that no install held.
fn torn(installs: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let lows: BTreeSet<u32> = installs.iter().map(|p| p.0).chain([0]).collect();
    let highs: BTreeSet<u32> = installs.iter().map(|p| p.1).chain([0]).collect();
    lows.iter()
        .flat_map(|lo| highs.iter().map(move |hi| (*lo, *hi)))
        .filter(|(lo, hi)| {
            classify_read(*lo, *hi, |l, h| installs.contains(&(l, h))) == PteOutcome::Torn
        })
        .collect()
}

/// The writer's zap and install of each of `installs` after the first
/// (the PTE the read starts on): its statements, each install named
/// (`B = 0x...`), and the sequence count it leaves.
pub(super) fn writer_body(
    writer: CWriter,
    installs: &[(u32, u32)],
) -> (Vec<String>, Vec<String>, u32) {
    let mut body = Vec::new();
    let mut named = Vec::new();
    let mut seq = 0;
    for (k, pte) in installs.iter().enumerate().skip(1) {
        let name = char::from(b'A' + (k % 26) as u8).to_string();
        body.extend(writer.zap(&mut seq));
        body.extend(writer.install(&name, *pte, &mut seq));
        named.push(format!("{name} = {}", code::pte_value(*pte)));
    }
    (body, named, seq)
}

fn draft(pair: Pair, read: CRead) -> Draft {
    let x86 = answer(pair, DEFAULT_BOUND);
    let installs = installs(pair, &x86);
    let writer = c_writer(pair.writer);
    let (body, named, seq) = writer_body(writer, &installs);
    let cycles = installs.len() - 1;
    let alternatives: Vec<String> = torn(&installs)
        .into_iter()
        .map(|pte| conjunction(&read.returned(0, pte)))
        .collect();
    let witness = disjunction(&alternatives);
    let exists = match read.sequence_exit(0, seq) {
        None => witness,
        Some(exit) => format!("({witness}) /\\ ({exit})"),
    };
    let reader_thread = Thread {
        params: read.params.clone(),
        locals: read.locals.iter().map(|l| l.to_string()).collect(),
        body: read.body.clone(),
    };
    let writer_thread = Thread {
        params: writer.params(),
        locals: Vec::new(),
        body,
    };
    Draft {
        name: format!("PTE-PROTOCOL+{}+{}", pair.reader.name(), pair.writer.name()),
        asks: format!(
            "Can the {} reader ({}) return a PTE that was never installed while the {} writer \
             ({}{}) makes {cycles} zap+install cycle{} from A = {}: {}?",
            pair.reader.name(),
            read.what,
            pair.writer.name(),
            writer.describe(),
            if pair.writer == Writer::Generation {
                ", each install numbered in bits 9-11 of its low half"
            } else {
                ""
            },
            if cycles == 1 { "" } else { "s" },
            code::pte_value(installs[0]),
            named.join(", then ")
        ),
        note: format!(
            "Written by pte-litmus `litmus export --lkmm`. {}.",
            x86_says(&x86)
        ),
        init: vec![("pte_low", installs[0].0), ("pte_high", installs[0].1)],
        threads: vec![reader_thread, writer_thread],
        filter: None,
        exists,
    }
}

/// Every pair whose reader has a C form, and one line per reader that has
/// none.
pub(super) fn drafts() -> (Vec<Draft>, Vec<String>) {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for reader in Reader::ALL {
        match c_read(reader) {
            Ok(read) => out.extend(
                Writer::ALL
                    .iter()
                    .map(|&writer| draft(Pair { reader, writer }, read.clone())),
            ),
            Err(why) => skipped.push(format!(
                "PTE-PROTOCOL with the {} reader (against each writer): {why}",
                reader.name()
            )),
        }
    }
    (out, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kernels_pair_uses_x86_tsos_shortest_tear() {
        let pair = Pair {
            reader: Reader::Lowhigh,
            writer: Writer::Kernel,
        };
        let d = draft(pair, c_read(Reader::Lowhigh).unwrap());
        assert_eq!(d.name, "PTE-PROTOCOL+lowhigh+kernel");
        // One cycle: the high half read between the zap and the install.
        assert_eq!(d.threads[1].body.len(), 8, "{:?}", d.threads[1].body);
        assert!(d.note.contains("1 zap+install cycle "), "{}", d.note);
        let whole = Pair {
            reader: Reader::Seqcount,
            writer: Writer::Seqcount,
        };
        let d = draft(whole, c_read(Reader::Seqcount).unwrap());
        assert!(d.note.contains("the seed's"), "{}", d.note);
        assert!(d.exists.contains("(0:s=8 /\\ 0:s2=8)"), "{}", d.exists);
    }

    #[test]
    fn the_lfence_readers_and_twice_are_not_written() {
        let (drafts, skipped) = drafts();
        assert_eq!(drafts.len(), 4 * Writer::ALL.len());
        assert_eq!(skipped.len(), Reader::ALL.len() - 4);
        assert!(skipped.iter().any(|s| s.contains("twice reader")));
    }
}
