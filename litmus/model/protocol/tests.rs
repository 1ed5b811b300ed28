use super::*;
use crate::judge::Expect;
use crate::model::program::tests::{access, shape};
use crate::model::{Judge, Program, REGS, explore};

fn pair(reader: Reader, writer: Writer) -> Answer {
    answer(Pair { reader, writer }, DEFAULT_BOUND)
}

fn cycles(w: &Option<Witness>) -> Option<u32> {
    w.as_ref().map(|w| w.cycles)
}

#[test]
fn the_kernels_pair_tears_with_one_cycle_and_the_seeds_trace_with_two() {
    let a = pair(Reader::Lowhigh, Writer::Kernel);
    // One refill whose low half equals the old one: the high read between
    // zap and install is zero, and (A's low, 0) was never installed.
    let one = a.torn.as_ref().unwrap();
    assert_eq!(one.cycles, 1);
    assert_eq!(one.returned, (one.installs[0].0, 0));
    // Both halves from installed PTEs: the seed's A, B, C.
    let seed = a.from_installs.as_ref().unwrap();
    assert_eq!(seed.cycles, 2);
    let [a_, b, c] = seed.installs[..] else {
        panic!("{:?}", seed.installs)
    };
    assert_eq!(a_.0, c.0, "A and C share the low half");
    assert_ne!(a_.0, b.0);
    assert_eq!(seed.returned, (a_.0, b.1), "A's low with B's high");
    let lines: Vec<&str> = seed
        .trace
        .iter()
        .map(|l| l.split(" ->").next().unwrap().split(" =").next().unwrap())
        .collect();
    assert_eq!(
        lines,
        [
            "reader: read ptep->pte_low",
            "writer: zap: pte_low",
            "writer: zap: pte_high",
            "writer: install B: pte_high",
            "reader: read ptep->pte_high",
            "writer: install B: pte_low",
            "writer: zap: pte_low",
            "writer: zap: pte_high",
            "writer: install C: pte_high",
            "writer: install C: pte_low",
            "reader: read ptep->pte_low again",
            "reader: pte_low unchanged: return (A's low",
            "returns 0x0000000200001067: never installed (A",
        ]
    );
}

#[test]
fn seqcount_is_whole_within_the_bound_and_only_with_its_writer() {
    for reader in [Reader::Seqcount, Reader::SeqcountLfence] {
        let a = pair(reader, Writer::Seqcount);
        assert_eq!(a.torn, None, "{}", reader.name());
        assert_eq!(a.cell(), "whole <= 8");
        // Against a writer that does not count, it checks nothing.
        assert_eq!(cycles(&pair(reader, Writer::Kernel).torn), Some(1));
    }
}

#[test]
fn a_generation_number_pushes_the_kernels_read_to_eight_cycles() {
    let a = pair(Reader::Lowhigh, Writer::Generation);
    assert_eq!(cycles(&a.torn), Some(8));
    let w = a.torn.unwrap();
    // The two low halves the recheck saw are 8 installs apart, numbered
    // alike.
    assert_eq!(w.installs[0].0, w.installs[8].0);
    // Below 8 the same pair is whole.
    assert_eq!(answer(a.pair, 7).torn, None);
}

#[test]
fn high_low_high_fails_too_but_needs_two_cycles() {
    let a = pair(Reader::Highlow, Writer::Kernel);
    assert_eq!(cycles(&a.torn), Some(2));
    assert_eq!(cycles(&a.from_installs), Some(2));
    // The mirror of the seed: A and C share the high half, B's low.
    let w = a.from_installs.unwrap();
    assert_eq!(
        w.installs[0].1, w.installs[2].1,
        "A and C share the high half"
    );
    assert_eq!(w.returned, (w.installs[1].0, w.installs[0].1));
}

#[test]
fn an_lfence_changes_nothing_the_model_sees() {
    for reader in Reader::ALL.into_iter().filter(|r| r.lfence()) {
        for writer in Writer::ALL {
            let (fenced, plain) = (
                pair(reader, writer),
                pair(reader.with_compiler_barrier(), writer),
            );
            assert_eq!(
                fenced.cell(),
                plain.cell(),
                "{} {}",
                reader.name(),
                writer.name()
            );
        }
    }
}

#[test]
fn reversing_a_writers_order_tears_every_rechecking_read_in_one_cycle() {
    for reader in [
        Reader::Lowhigh,
        Reader::Highlow,
        Reader::Lowhighlowhigh,
        Reader::Twice,
    ] {
        for writer in [
            Writer::ZapHighFirst,
            Writer::InstallLowFirst,
            Writer::Reversed,
        ] {
            assert_eq!(
                cycles(&pair(reader, writer).torn),
                Some(1),
                "{} {}",
                reader.name(),
                writer.name()
            );
        }
    }
}

/// Each reader's model steps are the memory accesses of its shim, and each
/// writer's zap and install likewise (as `model::program`'s check does for
/// the read strategies).
#[test]
fn each_protocols_steps_are_its_shims_instructions() {
    let accesses = |steps: &[Instr]| -> Vec<&'static str> {
        steps.iter().filter_map(|i| access(i.step)).collect()
    };
    for reader in Reader::ALL {
        let symbol = format!("pte_asm_{}", reader.name().replace('-', "_"));
        if !pte_asm::shims::SHIMS.iter().any(|s| s.symbol == symbol) {
            assert!(
                reader.lfence() && !cfg!(target_feature = "sse2"),
                "{symbol}"
            );
            continue;
        }
        assert_eq!(
            accesses(&reader_steps(reader).0),
            shape(&symbol),
            "{}",
            reader.name()
        );
    }
    for writer in Writer::ALL {
        let (zap, install) = match writer {
            Writer::Kernel | Writer::Generation => ("pte_asm_pae_clear", "pte_asm_pae_set"),
            Writer::ZapHighFirst => ("pte_asm_pae_clear_high_first", "pte_asm_pae_set"),
            Writer::InstallLowFirst => ("pte_asm_pae_clear", "pte_asm_pae_set_low_first"),
            Writer::Reversed => ("pte_asm_pae_clear_high_first", "pte_asm_pae_set_low_first"),
            Writer::Seqcount => ("pte_asm_seqcount_clear", "pte_asm_seqcount_set"),
        };
        let steps = writer_steps(writer, 1);
        let half = steps.len() / 2;
        assert_eq!(
            accesses(&steps[..half]),
            shape(zap),
            "{} zap",
            writer.name()
        );
        assert_eq!(
            accesses(&steps[half..]),
            shape(install),
            "{} install",
            writer.name()
        );
    }
}

/// The general explorer, given a witness's concrete installs, reaches a
/// torn read too; given a whole pair the seed's installs, it reaches none.
#[test]
fn the_general_explorer_agrees_on_concrete_installs() {
    let concrete = |pair: Pair, installs: &[(u32, u32)]| -> Expect {
        let (reader, read) = reader_steps(pair.reader);
        let mut writer = Vec::new();
        for (k, &(lo, hi)) in installs.iter().enumerate().skip(1) {
            let seqcount = pair.writer == Writer::Seqcount;
            writer.extend(zap_steps_with(seqcount, pair.writer.zaps_low_first()));
            writer.extend(install_steps_with(
                seqcount,
                pair.writer.installs_high_first(),
                &install_name(k as u32),
                (lo, hi),
            ));
        }
        let mut init = vec![0; 4];
        (init[PTE_LOW as usize], init[PTE_HIGH as usize]) = installs[0];
        let program = Program {
            title: pair.name(),
            thread_names: vec!["reader".into(), "writer".into()],
            word_names: ["pte_low", "pte_high", "seq", "turn"]
                .map(String::from)
                .to_vec(),
            init,
            init_regs: vec![[0; REGS]; 2],
            threads: vec![reader, writer],
            judge: Judge::Installs {
                installs: installs.to_vec(),
                read,
            },
        };
        explore(&program).verdict()
    };
    let mut checked = 0;
    for pair in Pair::all() {
        let a = answer(pair, 3);
        match &a.torn {
            Some(w) => {
                assert_eq!(
                    concrete(pair, &w.installs),
                    Expect::Allowed,
                    "{}",
                    pair.name()
                );
                checked += 1;
            }
            None => {
                let seed = [
                    (0x1067, 1),
                    (0x2067 | 1 << 9, 2),
                    (0x1067 | 2 << 9, 3),
                    (0x1067 | 3 << 9, 2),
                ];
                assert_eq!(concrete(pair, &seed), Expect::Forbidden, "{}", pair.name());
            }
        }
    }
    assert!(checked >= 40, "{checked}");
}
