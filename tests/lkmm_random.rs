//! The LKMM's pruned search against its exhaustive one on a few hundred
//! small C litmus tests made by a seeded generator: two or three threads of
//! one to four statements over two or three locations (the ONCE accesses,
//! acquire and release, `xchg` and its relaxed form, `cmpxchg`, `smp_mb`,
//! `smp_rmb`, `smp_wmb`, a write of a register read earlier plus one, a
//! write done only if such a register has a value), a condition on registers and final values. Pruning drops a
//! partial rf as soon as coherence, atomicity or the values fail
//! (`litmus/model/lkmm/enumerate.rs`); the exhaustive search judges every
//! candidate whole: the two must print the same observation, states and
//! flags.

use pte_litmus::catalog::file::c;
use pte_litmus::model::lkmm;

const LOCATIONS: [&str; 3] = ["x", "y", "z"];

/// One statement for thread `t`, given the registers it has declared so far
/// (it may add one).
fn statement(rng: &mut fastrand::Rng, locations: usize, regs: &mut usize) -> String {
    let loc = LOCATIONS[rng.usize(..locations)];
    let value = 1 + rng.u32(..2);
    // A register read earlier, for a write whose value or whose doing
    // depends on it (values that the pruning decides early).
    let earlier = (*regs > 0).then(|| format!("r{}", rng.usize(..*regs)));
    let mut reg = || {
        let r = format!("r{regs}");
        *regs += 1;
        r
    };
    match (rng.u32(..12), earlier) {
        (9, Some(r)) => format!("WRITE_ONCE(*{loc}, {r} + 1);"),
        (10, Some(r)) => format!("if ({r} == {value}) WRITE_ONCE(*{loc}, {value});"),
        (11, _) => format!("{} = cmpxchg({loc}, {}, {value});", reg(), rng.u32(..2)),
        (0 | 1 | 9 | 10, _) => format!("WRITE_ONCE(*{loc}, {value});"),
        (2 | 3, _) => format!("{} = READ_ONCE(*{loc});", reg()),
        (4, _) => format!("smp_store_release({loc}, {value});"),
        (5, _) => format!("{} = smp_load_acquire({loc});", reg()),
        (6, _) => ["smp_mb();", "smp_rmb();", "smp_wmb();"][rng.usize(..3)].to_string(),
        (7, _) => format!("{} = xchg({loc}, {value});", reg()),
        _ => format!("{} = xchg_relaxed({loc}, {value});", reg()),
    }
}

/// A random test, named `R<n>`.
fn test(rng: &mut fastrand::Rng, n: usize) -> String {
    let threads = 2 + rng.usize(..2);
    let locations = 2 + rng.usize(..2);
    let params: Vec<String> = LOCATIONS[..locations]
        .iter()
        .map(|l| format!("int *{l}"))
        .collect();
    let mut text = format!("C R{n}\n\n{{}}\n");
    let mut atoms = Vec::new();
    for t in 0..threads {
        let mut regs = 0;
        let body: Vec<String> = (0..1 + rng.usize(..4))
            .map(|_| statement(rng, locations, &mut regs))
            .collect();
        text.push_str(&format!("\nP{t}({})\n{{\n", params.join(", ")));
        for r in 0..regs {
            text.push_str(&format!("\tint r{r};\n"));
        }
        for s in &body {
            text.push_str(&format!("\t{s}\n"));
        }
        text.push_str("}\n");
        for r in 0..regs {
            atoms.push(format!("{t}:r{r}={}", rng.u32(..3)));
        }
    }
    for l in &LOCATIONS[..locations] {
        atoms.push(format!("{l}={}", rng.u32(..3)));
    }
    rng.shuffle(&mut atoms);
    let kept = 1 + rng.usize(..atoms.len().min(3));
    text.push_str(&format!("\nexists ({})\n", atoms[..kept].join(" /\\ ")));
    text
}

fn herd_lines(program: &c::ast::CProgram, exhaustive: bool) -> String {
    let search = lkmm::Search {
        exhaustive,
        ..lkmm::Search::default()
    };
    let outcome = lkmm::model_with(program, search).expect("the model answers");
    lkmm::herd_text(&outcome)
        .lines()
        .filter(|l| !l.starts_with("Time "))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn pruned_and_exhaustive_agree_on_random_small_tests() {
    let mut rng = fastrand::Rng::with_seed(0x1cc_2022);
    let (mut sometimes, mut never) = (0, 0);
    for n in 0..300 {
        let text = test(&mut rng, n);
        let program = c::from_text(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let pruned = herd_lines(&program, false);
        assert_eq!(pruned, herd_lines(&program, true), "\n{text}");
        if pruned.contains(" Never ") {
            never += 1;
        } else {
            sometimes += 1;
        }
    }
    // The generator makes both kinds, so the agreement is not vacuous.
    assert!(
        sometimes > 30 && never > 30,
        "{sometimes} Sometimes, {never} Never"
    );
}
