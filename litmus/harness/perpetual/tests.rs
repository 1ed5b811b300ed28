//! The conversion, and the linear counter against its exhaustive oracle on
//! executions of a small x86-TSO machine (store buffers, flushed at random).

use super::check::{Recorded, Share, count, count_exhaustive, count_share, witness_at};
use super::convert::{Conjunct, Perpetual, convert, decode, encode};
use crate::catalog::Test;
use crate::catalog::program::{Fence, Instr, Operand, Program};
use std::collections::VecDeque;

fn program(name: &str) -> Program {
    Test::by_name(name).unwrap().program().unwrap().into_owned()
}

#[test]
fn values_name_their_store_instance() {
    for stores in [1, 2, 3] {
        for index in 0..stores {
            for k in [0, 1, 7, 100_000] {
                assert_eq!(decode(encode(index, stores, k), stores), Some((index, k)));
            }
        }
        assert_eq!(decode(0, stores), None);
    }
}

#[test]
fn sb_converts_stores_to_registers_and_loads_to_their_own() {
    let p = convert(&program("SB")).unwrap();
    for t in 0..2 {
        let plan = &p.threads[t];
        assert_eq!((plan.stores.len(), plan.loads.len()), (1, 1));
        assert_eq!(plan.stores[0].original, 1);
        // The body keeps its instructions; the store now takes a register.
        let code = &p.program.threads[t];
        assert_eq!(code.len(), program("SB").threads[t].len());
        assert!(
            matches!(code[0], Instr::Store { value: Operand::Reg(r), .. } if r == plan.stores[0].reg)
        );
        assert!(matches!(code.last(), Some(Instr::Load { reg, .. }) if *reg == plan.loads[0].reg));
        assert_ne!(plan.stores[0].reg, plan.loads[0].reg);
    }
    let sb = [
        Conjunct::Load {
            thread: 0,
            load: 0,
            value: 0,
        },
        Conjunct::Load {
            thread: 1,
            load: 0,
            value: 0,
        },
    ];
    assert_eq!(p.disjuncts, [sb]);
}

#[test]
fn what_does_not_convert_says_why() {
    let e = convert(&program("IRIW")).unwrap_err();
    assert!(e.contains("this one has 4 threads"), "{e}");
    use crate::catalog::program::Prop;
    let mut not = program("SB");
    not.condition.prop = Prop::Not(Box::new(not.condition.prop.clone()));
    assert!(
        convert(&not)
            .unwrap_err()
            .contains("not a disjunction of conjunctions")
    );
    let mut nested = program("SB");
    nested.condition.prop = Prop::And(vec![Prop::Or(vec![Prop::True, Prop::True])]);
    assert!(convert(&nested).is_err());
}

/// Run `p`'s converted threads for `n` iterations each on an x86-TSO
/// machine: a FIFO store buffer per thread (thread 1 takes
/// `second_share` percent of the steps), loads forwarding from their own
/// buffer, `mfence` and `lock`ed instructions waiting for it to drain; the
/// scheduler picks a thread and a step at random. Returns each thread's
/// recorded loads, as the harness records them.
fn tso(
    p: &Perpetual,
    n: [usize; 2],
    rng: &mut fastrand::Rng,
    flush_bias: u64,
    second_share: u64,
) -> [Vec<u32>; 2] {
    let mut memory = vec![0u64; p.program.locations.len()];
    let mut buffers: [VecDeque<(u8, u64)>; 2] = [VecDeque::new(), VecDeque::new()];
    let mut recorded: [Vec<u32>; 2] = [Vec::new(), Vec::new()];
    let mut at = [(0usize, 0usize); 2]; // (iteration, instruction)
    let mut regs = [p.program.init_regs[0], p.program.init_regs[1]];
    let set_stores = |t: usize, k: usize, regs: &mut [u64; 16]| {
        for s in &p.threads[t].stores {
            regs[s.reg as usize] = s.value(k as u64);
        }
    };
    for (t, regs) in regs.iter_mut().enumerate() {
        set_stores(t, 0, regs);
    }
    while (0..2).any(|t| at[t].0 < n[t]) || buffers.iter().any(|b| !b.is_empty()) {
        let t = (rng.u64(..100) < second_share) as usize;
        let flush = !buffers[t].is_empty() && (at[t].0 >= n[t] || rng.u64(..100) < flush_bias);
        if flush {
            let (loc, v) = buffers[t].pop_front().unwrap();
            memory[loc as usize] = v;
            continue;
        }
        let (k, pc) = at[t];
        if k >= n[t] {
            continue;
        }
        if pc == p.program.threads[t].len() {
            // After the body, a step of its own (the harness copies and
            // observes between iterations): the loads' registers, then the
            // observers, each from the thread's own buffer if it holds a
            // store there, else memory.
            for load in &p.threads[t].loads {
                recorded[t].push(regs[t][load.reg as usize] as u32);
            }
            for &loc in &p.threads[t].observers {
                let forwarded = buffers[t].iter().rev().find(|(l, _)| *l == loc);
                recorded[t].push(forwarded.map_or(memory[loc as usize], |(_, v)| *v) as u32);
            }
            at[t] = (k + 1, 0);
            regs[t] = p.program.init_regs[t];
            set_stores(t, k + 1, &mut regs[t]);
            continue;
        }
        match p.program.threads[t][pc] {
            Instr::Load { at: a, reg, .. } => {
                let forwarded = buffers[t]
                    .iter()
                    .rev()
                    .find(|(l, _)| *l == a.loc)
                    .map(|(_, v)| *v);
                regs[t][reg as usize] = forwarded.unwrap_or(memory[a.loc as usize]);
            }
            Instr::Store { at: a, value, .. } => {
                let v = match value {
                    Operand::Imm(v) => v,
                    Operand::Reg(r) => regs[t][r as usize],
                };
                buffers[t].push_back((a.loc, v));
            }
            Instr::Fence(Fence::Mfence | Fence::LockAddStack) if !buffers[t].is_empty() => {
                continue; // waits for the buffer to drain
            }
            _ => {}
        }
        at[t].1 += 1;
    }
    recorded
}

/// On x86-TSO executions: the linear count equals the maximum matching,
/// each pair it counts is a witness and no iteration is in two; a test
/// x86-TSO forbids is never witnessed, and the allowed ones are.
#[test]
fn the_linear_count_is_the_maximum_on_tso_executions_and_never_forbidden() {
    let tests = [
        ("SB", true),
        ("SB+lfences", true),
        ("SB+mfences", false),
        ("SB+lockadds", false),
        ("MP", false),
        ("LB", false),
        ("CoRR", false),
    ];
    for (name, allowed) in tests {
        let p = convert(&program(name)).unwrap();
        let Counted { total, halves } = tso_rounds(&p, name, 0x9e37_79b9_7f4a_7c15, 40, 60);
        assert_eq!(total > 0, allowed, "{name}: {total} witnesses");
        // Split in two, the count loses only pairs across the split: on
        // these short executions (up to 60 iterations a thread) that was
        // up to a fifth of them (348 of 444 for SB on i686's draws).
        assert!(halves * 2 >= total, "{name}: halves {halves} of {total}");
    }
}

/// What `tso_rounds` counted in all: the linear count's witnesses, and
/// the runner's two half counts' (`check::Share`).
struct Counted {
    total: u64,
    halves: u64,
}

/// `rounds` executions of the x86-TSO machine (up to `most` iterations a
/// thread, flush biases and thread shares varied): on each, the linear
/// count equals the maximum matching, each pair it counts is a witness and
/// no iteration is in two. The witnesses counted in all.
fn tso_rounds(p: &Perpetual, name: &str, seed: u64, rounds: usize, most: usize) -> Counted {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut all = Counted {
        total: 0,
        halves: 0,
    };
    for round in 0..rounds {
        let n = [1 + rng.usize(..most), 1 + rng.usize(..most)];
        let recorded = tso(p, n, &mut rng, [5, 20, 50, 90][round % 4], 50);
        let rec = Recorded {
            n,
            loads: [&recorded[0], &recorded[1]],
        };
        let (linear, pairs) = count(p, &rec);
        assert_eq!(linear, count_exhaustive(p, &rec), "{name}, round {round}");
        for (i, j) in &pairs {
            assert!(witness_at(p, &rec, *i, *j));
        }
        // The runner's count: two halves, one a thread, never more than
        // the maximum.
        let halves: u64 = (0..2)
            .map(|part| count_share(p, &rec, Share { part, parts: 2 }))
            .sum();
        assert!(
            halves <= linear,
            "{name}, round {round}: {halves} > {linear}"
        );
        all.halves += halves;
        let mut is: Vec<usize> = pairs.iter().map(|(i, _)| *i).collect();
        let mut js: Vec<usize> = pairs.iter().map(|(_, j)| *j).collect();
        is.dedup();
        js.sort();
        js.dedup();
        assert_eq!((is.len(), js.len()), (pairs.len(), pairs.len()), "disjoint");
        all.total += linear;
    }
    all
}

/// The seed's race as two variables, as `litmus export --herd` writes it:
/// the writer stores each half four times an iteration, the low half's
/// values recur, and the condition is a disjunction. On x86-TSO
/// executions every counted pair is a witness, none shares an iteration,
/// and the count is the maximum on these executions too.
const PTE_ABA_LOWHIGH: &str = "X86 PTE-ABA+lowhigh
{ lo=65639; hi=65537; }
 P0           | P1               ;
 MOV EAX,[lo] | MOV [lo],$0      ;
 MOV EBX,[hi] | MOV [hi],$0      ;
 MOV ECX,[lo] | MOV [hi],$65538  ;
              | MOV [lo],$131175 ;
              | MOV [lo],$0      ;
              | MOV [hi],$0      ;
              | MOV [hi],$65539  ;
              | MOV [lo],$65639  ;
exists (((0:EAX=65639 /\\ 0:EBX=0 /\\ 0:ECX=65639) \\/ (0:EAX=65639 /\\ 0:EBX=65538 /\\ 0:ECX=65639) \\/ (0:EAX=131175 /\\ 0:EBX=0 /\\ 0:ECX=131175) \\/ (0:EAX=131175 /\\ 0:EBX=65537 /\\ 0:ECX=131175) \\/ (0:EAX=131175 /\\ 0:EBX=65539 /\\ 0:ECX=131175)))
";

#[test]
fn the_seeds_race_as_two_variables_converts_and_counts_soundly() {
    let file = crate::catalog::file::from_text(PTE_ABA_LOWHIGH).unwrap();
    let p = convert(&file.program).unwrap();
    assert_eq!(p.disjuncts.len(), 5);
    assert_eq!(p.writers[0].map(|w| (w.thread, w.stores)), Some((1, 4)));
    let mut rng = fastrand::Rng::with_seed(7);
    let mut total = 0;
    for round in 0..60 {
        let n = [1 + rng.usize(..20), 1 + rng.usize(..40)];
        let recorded = tso(&p, n, &mut rng, [2, 10, 50][round % 3], [75, 90][round % 2]);
        let rec = Recorded {
            n,
            loads: [&recorded[0], &recorded[1]],
        };
        let (linear, pairs) = count(&p, &rec);
        assert_eq!(linear, count_exhaustive(&p, &rec), "round {round}");
        assert!(pairs.iter().all(|(i, j)| witness_at(&p, &rec, *i, *j)));
        total += linear;
    }
    assert!(
        total > 0,
        "the torn read is allowed and the machine shows it"
    );
}

/// Values no coherent machine gives (loads reading instances out of
/// order, garbage): the linear count stays sound, at most the maximum.
#[test]
fn on_incoherent_values_the_linear_count_stays_sound() {
    let p = convert(&program("SB")).unwrap();
    let mut rng = fastrand::Rng::with_seed(12345);
    for _ in 0..200 {
        let n = [1 + rng.usize(..40), 1 + rng.usize(..40)];
        let mut values =
            |t: usize| -> Vec<u32> { (0..n[t]).map(|_| rng.u32(..n[1 - t] as u32 + 2)).collect() };
        let (a, b) = (values(0), values(1));
        let rec = Recorded { n, loads: [&a, &b] };
        let (linear, pairs) = count(&p, &rec);
        assert!(linear <= count_exhaustive(&p, &rec));
        assert!(pairs.iter().all(|(i, j)| witness_at(&p, &rec, *i, *j)));
    }
}

fn x86_file(name: &str) -> Program {
    let path = format!(
        "{}/tests/litmus/x86/{name}.litmus",
        env!("CARGO_MANIFEST_DIR")
    );
    crate::catalog::file::read(std::path::Path::new(&path))
        .unwrap()
        .program
}

/// Two writers to one location convert: each thread that stores it observes
/// it after each iteration, and the condition's final value becomes "this
/// thread's store came last".
#[test]
fn two_writers_convert_with_observers() {
    let r = convert(&program("R")).unwrap();
    let y = r
        .program
        .locations
        .iter()
        .position(|l| l.name == "y")
        .unwrap() as u8;
    assert_eq!(r.threads[0].observers, [y]);
    assert_eq!(r.threads[1].observers, [y]);
    assert_eq!(r.shared[y as usize].map(|s| s.stores), Some([1, 1]));
    // R: y=2 /\ 1:r0=0, thread 1 stores y=2.
    assert!(r.disjuncts[0].contains(&Conjunct::Last { loc: y, thread: 1 }));
    let w = convert(&program("2+2W")).unwrap();
    assert_eq!(w.threads[0].observers.len(), 2);
    assert_eq!(
        w.disjuncts[0]
            .iter()
            .filter(|c| matches!(c, Conjunct::Last { .. }))
            .count(),
        2
    );
    assert!(super::observers(&w).contains("observers: x, y"));
}

/// On x86-TSO executions with two writers: the linear count equals the
/// maximum matching, counted pairs are witnesses, R and its fenced forms'
/// allowed witness is seen, S and 2+2W (forbidden) never.
#[test]
fn two_writers_count_the_maximum_and_never_a_forbidden_outcome() {
    let tests: [(Program, bool); 7] = [
        (program("R"), true),
        (x86_file("R"), true),
        (x86_file("R+mfences"), false),
        (x86_file("S"), false),
        (x86_file("S+mfences"), false),
        (program("2+2W"), false),
        (x86_file("2+2W+mfences"), false),
    ];
    for (original, allowed) in tests {
        let name = original.name.clone();
        let p = convert(&original).unwrap_or_else(|e| panic!("{name}: {e}"));
        let total = tso_rounds(&p, &name, 0x5eed_0f2b_17e5, 60, 40).total;
        assert_eq!(total > 0, allowed, "{name}: {total} witnesses");
    }
}

/// Hand-made buffers for R (thread 0: x=1; y=1 | thread 1: y=2; r0=x):
/// a tuple is a witness only where an observer of thread 0 proves its y=1
/// came before thread 1's y=2.
#[test]
fn r_counts_only_a_proved_coherence_order() {
    let p = convert(&program("R")).unwrap();
    let y = p.shared.iter().position(Option::is_some).unwrap();
    let shared = p.shared[y].unwrap();
    // Thread 0's store of iteration k is index 0, thread 1's index 1.
    let t0 = |k: u64| encode(0, shared.total(), k) as u32;
    let t1 = |k: u64| encode(1, shared.total(), k) as u32;
    // Thread 0 records its observer only; thread 1 its load of x (0: the
    // initial value), then its observer.
    let thread1 = [0, t1(0)];
    // Proved: thread 0's observer after iteration 0 read thread 1's y=2 of
    // iteration 0.
    let proved = [t1(0)];
    let rec = Recorded {
        n: [1, 1],
        loads: [&proved, &thread1],
    };
    assert!(witness_at(&p, &rec, 0, 0));
    assert_eq!(count(&p, &rec).0, 1);
    // Unproved: thread 0's observer read its own store; thread 1's read its
    // own too. Which came last is unknown: not counted.
    let own = [t0(0)];
    let rec = Recorded {
        n: [1, 1],
        loads: [&own, &thread1],
    };
    assert!(!witness_at(&p, &rec, 0, 0));
    assert_eq!(count(&p, &rec).0, 0);
    // The opposite order proved (thread 1's observer read thread 0's y=1
    // of iteration 0: thread 1's store came first): y ends 1, no witness.
    let thread1_saw_t0 = [0, t0(0)];
    let rec = Recorded {
        n: [1, 1],
        loads: [&own, &thread1_saw_t0],
    };
    assert!(!witness_at(&p, &rec, 0, 0));
    // A proof from a later iteration of thread 0 covers an earlier one (its
    // stores are in coherence order), but not a later iteration of thread 1
    // than the one it read.
    let later = [t0(0), t1(0)];
    let thread1_two = [0, t1(0), 0, t1(1)];
    let rec = Recorded {
        n: [2, 2],
        loads: [&later, &thread1_two],
    };
    assert!(witness_at(&p, &rec, 0, 0) && witness_at(&p, &rec, 1, 0));
    assert!(
        witness_at(&p, &rec, 0, 1),
        "thread 1's y=2 of iteration 1 is later still"
    );
    assert_eq!(count(&p, &rec).0, 2);
    assert_eq!(count_exhaustive(&p, &rec), 2);
}

/// 2+2W (x=1; y=2 | y=1; x=2, exists x=1 /\ y=1): its forbidden cycle is
/// closed by coherence alone. Observers that would prove both orders the
/// condition needs are values no coherent machine gives; a tuple is counted
/// only if both are proved, and on coherent executions (the test above)
/// never.
#[test]
fn two_plus_two_w_needs_both_orders_proved() {
    let p = convert(&program("2+2W")).unwrap();
    let total = |loc: usize| p.shared[loc].unwrap().total();
    let names: Vec<&str> = p
        .program
        .locations
        .iter()
        .map(|l| l.name.as_str())
        .collect();
    let (x, y) = (
        names.iter().position(|n| *n == "x").unwrap(),
        names.iter().position(|n| *n == "y").unwrap(),
    );
    let observer = |t: usize, loc: usize| {
        p.threads[t]
            .observers
            .iter()
            .position(|&l| l as usize == loc)
            .unwrap()
    };
    // x=1 (thread 0's store) last needs thread 1's observer of x to read
    // thread 0's x; y=1 (thread 1's) last needs thread 0's observer of y to
    // read thread 1's y.
    let mut row0 = vec![0u32; p.threads[0].width()];
    let mut row1 = vec![0u32; p.threads[1].width()];
    let x_by_0 = p.threads[0]
        .stores
        .iter()
        .find(|s| s.loc as usize == x)
        .unwrap();
    let y_by_1 = p.threads[1]
        .stores
        .iter()
        .find(|s| s.loc as usize == y)
        .unwrap();
    row1[observer(1, x)] = encode(x_by_0.index, total(x), 0) as u32;
    let rec = Recorded {
        n: [1, 1],
        loads: [&row0, &row1],
    };
    assert!(
        !witness_at(&p, &rec, 0, 0),
        "one order proved is not enough"
    );
    row0[observer(0, y)] = encode(y_by_1.index, total(y), 0) as u32;
    let rec = Recorded {
        n: [1, 1],
        loads: [&row0, &row1],
    };
    assert!(
        witness_at(&p, &rec, 0, 0),
        "both proved: the cycle coherence closes"
    );
    assert_eq!(count(&p, &rec).0, 1);
}

/// Loads of a location both threads store, after a thread's own store to
/// it and before: each test with its x86-TSO verdict (herd7 with
/// `x86tso.cat` and the suite's model agree on each).
const SHARED_LOADS: [(&str, bool); 6] = [
    // R with thread 1 reading its own y back before x.
    (
        "X86 R+rfi\n{ }\n P0 | P1 ;\n MOV [x],$1 | MOV [y],$2 ;\n MOV [y],$1 | MOV EAX,[y] ;\n \
         | MOV EBX,[x] ;\nexists (y=2 /\\ 1:EAX=2 /\\ 1:EBX=0)\n",
        true,
    ),
    // Reading the other's x after storing its own orders its own first.
    (
        "X86 CoWR+other\n{ }\n P0 | P1 ;\n MOV [x],$1 | MOV [x],$2 ;\n MOV EAX,[x] | ;\n\
         exists (x=1 /\\ 0:EAX=2)\n",
        false,
    ),
    // Reading the other's x before storing its own orders the other's first.
    (
        "X86 CoRW+other\n{ }\n P0 | P1 ;\n MOV EAX,[x] | MOV [x],$2 ;\n MOV [x],$1 | ;\n\
         exists (x=2 /\\ 0:EAX=2)\n",
        false,
    ),
    (
        "X86 CoRW+init\n{ }\n P0 | P1 ;\n MOV EAX,[x] | MOV [x],$2 ;\n MOV [x],$1 | MOV EBX,[x] ;\n\
         exists (x=2 /\\ 0:EAX=0 /\\ 1:EBX=2)\n",
        true,
    ),
    // MP whose reader stores x after reading it: its load of x often reads
    // its own earlier store, which counts as the initial value only where
    // that store is proved before the writer's x.
    (
        "X86 MP+shared\n{ }\n P0 | P1 ;\n MOV [x],$1 | MOV EAX,[y] ;\n MOV [y],$1 | MOV EBX,[x] ;\n \
         | MOV [x],$2 ;\nexists (1:EAX=1 /\\ 1:EBX=0)\n",
        false,
    ),
    // The same with two stores: a proof that names the first of them
    // says nothing of the second.
    (
        "X86 MP+shared+two\n{ }\n P0 | P1 ;\n MOV [x],$1 | MOV EAX,[y] ;\n MOV [y],$1 | MOV EBX,[x] ;\n \
         | MOV [x],$2 ;\n | MOV [x],$3 ;\nexists (1:EAX=1 /\\ 1:EBX=0)\n",
        false,
    ),
];

#[test]
fn loads_of_a_location_both_threads_store_count_soundly() {
    // Thread 1 of R+mfence+rfi-po reads y after its one store to it, x
    // before any (x86-TSO allows the outcome: both of thread 1's loads can
    // run while its store waits in its buffer).
    let p = convert(&x86_file("R+mfence+rfi-po")).unwrap();
    assert_eq!(
        p.threads[1]
            .loads
            .iter()
            .map(|l| l.own_stores_before)
            .collect::<Vec<_>>(),
        [1, 0]
    );
    assert!(tso_rounds(&p, "R+mfence+rfi-po", 0x051a_7ed1_0ad5, 80, 40).total > 0);
    for (text, allowed) in SHARED_LOADS {
        let original = crate::catalog::file::from_text(text).unwrap().program;
        let name = original.name.clone();
        let p = convert(&original).unwrap_or_else(|e| panic!("{name}: {e}"));
        let total = tso_rounds(&p, &name, 0x051a_7ed1_0ad5, 80, 40).total;
        assert_eq!(total > 0, allowed, "{name}: {total} witnesses");
    }
}
