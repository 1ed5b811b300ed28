//! Every primitive, on this CPU, returns and stores the values it should:
//! zero, all ones, distinct halves, sign bits. Single-threaded: these check
//! the data path, the litmus runner checks the ordering.

use pte_asm::cpu::Features;
use pte_asm::shims::{SHIMS, ShimFn};
use pte_asm::strategy::{PteReader, ReadStrategy, Writer};
use pte_asm::{Pte, SeqCount, halves, join, read, with_reader};

const VALUES: [u64; 7] = [
    0,
    u64::MAX,
    0x1234_5678_9abc_def0,
    0x8000_0000_0000_0000,
    0x0000_0000_8000_0000,
    0x8000_0000_8000_0000,
    0x0001_0002_0001_0067, // the seed's torn value, with present flags
];

/// Reads a PTE back with the plain two-load read.
fn value_of(pte: &Pte) -> u64 {
    let (lo, hi) = read::split(pte);
    join(lo, hi)
}

#[test]
fn every_read_shim_returns_the_value_and_leaves_it() {
    let cpu = Features::detect();
    let mut checked = 0;
    for shim in SHIMS {
        let ShimFn::Read(f) = shim.call else { continue };
        if !(shim.runs_on)(&cpu) {
            eprintln!("{}: not run, this CPU lacks the feature", shim.symbol);
            continue;
        }
        if shim.symbol.starts_with("pte_asm_rdtsc") {
            continue; // clocks: see the_time_stamp_counter_moves_forward
        }
        for value in VALUES {
            let pte = Pte::new(value);
            // An even count: `seqcount` reads through; load32 reads this word.
            let seq = SeqCount::new(value as u32 & !1);
            for spins in [0, 5] {
                // SAFETY: runs_on checked above.
                let got = unsafe { f(&seq, &pte, spins) };
                let want = if ["pte_asm_load32", "pte_asm_load32_indexed"].contains(&shim.symbol) {
                    (value as u32 & !1) as u64
                } else {
                    value
                };
                assert_eq!(
                    got, want,
                    "{} read {value:#018x} (spins {spins})",
                    shim.symbol
                );
                assert_eq!(value_of(&pte), value, "{} changed the PTE", shim.symbol);
            }
        }
        checked += 1;
    }
    // 22 reads everywhere (20 PTE/word reads, the protocols' 6 among them,
    // rdtsc, rdtscp), 11 more with SSE2 (lfence x2, movq, the protocols'
    // lfence reads x8), 1 on x86-64.
    let built = SHIMS
        .iter()
        .filter(|s| matches!(s.call, ShimFn::Read(_)))
        .count();
    let want =
        22 + 11 * cfg!(target_feature = "sse2") as usize + cfg!(target_arch = "x86_64") as usize;
    assert_eq!(built, want, "read shims in this build");
    assert!(checked > 0 && checked <= built);
}

#[test]
fn every_write_shim_stores_the_value() {
    let cpu = Features::detect();
    for shim in SHIMS {
        let ShimFn::Write(f) = shim.call else {
            continue;
        };
        if !(shim.runs_on)(&cpu) {
            eprintln!("{}: not run, this CPU lacks the feature", shim.symbol);
            continue;
        }
        for value in VALUES {
            let old = 0x0bad_cafe_dead_beef_u64;
            let pte = Pte::new(old);
            let seq = SeqCount::new(4);
            let (lo, hi) = halves(value);
            // SAFETY: runs_on checked above.
            let returned = unsafe { f(&seq, &pte, lo, hi) };
            let (want_pte, want_seq, want_returned) = match shim.symbol {
                "pte_asm_store32" | "pte_asm_store32_indexed" => (old, lo, 0),
                "pte_asm_pae_clear" | "pte_asm_pae_clear_high_first" => (0, 4, 0),
                "pte_asm_seqcount_clear" => (0, 6, 0),
                "pte_asm_seqcount_set" => (value, 6, 0),
                "pte_asm_xchg64" | "pte_asm_xchg64q" => (value, 4, old),
                "pte_asm_lock_add32" | "pte_asm_add32" => (old, 4u32.wrapping_add(lo), 0),
                "pte_asm_xchg32" => (old, lo, 4),
                "pte_asm_lock_xadd32" => (old, 4u32.wrapping_add(lo), 4),
                // Whether the sum is zero and whether negative, as the two
                // halves of what comes back.
                "pte_asm_lock_add32_test" => {
                    let sum = 4u32.wrapping_add(lo);
                    let flags = join((sum == 0) as u32, ((sum as i32) < 0) as u32);
                    (old, sum, flags)
                }
                "pte_asm_lock_xadd64" => (old.wrapping_add(value), 4, old),
                // The sequence holds 4: the lock is held, the spin gives up.
                "pte_asm_spin_lock32" => (old, 4, 0),
                // Compared with `lo`: the sequence holds 4, so they fail,
                // store 4 back and return it (success: the test below).
                "pte_asm_lock_cmpxchg32" | "pte_asm_cmpxchg32" => (old, 4, 4),
                "pte_asm_lock_add64" | "pte_asm_add64" => (old.wrapping_add(value), 4, 0),
                "pte_asm_lock_cmpxchg64" | "pte_asm_cmpxchg64" | "pte_asm_lock_cmpxchg8b_swap" => {
                    (old, 4, old)
                }
                _ => (value, 4, 0),
            };
            assert_eq!(
                value_of(&pte),
                want_pte,
                "{} with {value:#018x}",
                shim.symbol
            );
            assert_eq!(
                read::load32(&seq),
                want_seq,
                "{}: sequence count",
                shim.symbol
            );
            assert_eq!(
                returned, want_returned,
                "{}: returned old value",
                shim.symbol
            );
        }
    }
}

#[test]
fn fence_shims_run() {
    let cpu = Features::detect();
    for shim in SHIMS {
        if let ShimFn::Fence(f) = shim.call
            && (shim.runs_on)(&cpu)
        {
            f();
        }
    }
}

/// The reader types behind `with_reader!` read the same values as the
/// primitives, for every strategy this build and CPU can run.
#[test]
fn with_reader_dispatches_every_available_strategy() {
    fn read_both<R: PteReader>(seq: &SeqCount, pte: &Pte) -> (u64, u64) {
        // SAFETY: the caller checked availability.
        unsafe {
            let (a, b) = R::read(seq, pte);
            let (c, d) = R::read_windowed(seq, pte, 7);
            (join(a, b), join(c, d))
        }
    }
    let cpu = Features::detect();
    let seq = SeqCount::new(2);
    let mut ran = Vec::new();
    for strategy in ReadStrategy::ALL {
        let available = strategy.availability(&cpu);
        let compiled = with_reader!(strategy, R => { assert_eq!(R::STRATEGY, strategy); true }, missing => false);
        if let Err(reason) = available {
            // Unavailable strategies are never executed; a missing one is
            // unavailable, with a reason.
            assert!(!reason.is_empty());
            continue;
        }
        assert!(
            compiled,
            "{} is available but not compiled",
            strategy.name()
        );
        for value in VALUES {
            let pte = Pte::new(value);
            let got =
                with_reader!(strategy, R => read_both::<R>(&seq, &pte), missing => unreachable!());
            assert_eq!(got, (value, value), "{}", strategy.name());
        }
        ran.push(strategy.name());
    }
    // The plain strategies run everywhere; on x86-64 and i686 so do the SSE2 ones.
    assert!(ran.contains(&"lowhigh") && ran.contains(&"split") && ran.contains(&"seqcount"));
    if cfg!(target_feature = "sse2") && cpu.sse2 {
        assert!(ran.contains(&"movq-sse2") && ran.contains(&"lowhigh-lfence"));
    }
}

#[test]
fn i586_build_has_no_sse2_strategies() {
    let cpu = Features::detect();
    for strategy in [ReadStrategy::MovqSse2, ReadStrategy::LowhighLfence] {
        let compiled = with_reader!(strategy, R => true, missing => false);
        assert_eq!(
            compiled,
            cfg!(target_feature = "sse2"),
            "{}",
            strategy.name()
        );
        if !cfg!(target_feature = "sse2") {
            assert!(strategy.availability(&cpu).unwrap_err().contains("i586"));
        }
    }
    assert_eq!(
        ReadStrategy::Native64.availability(&cpu).is_ok(),
        cfg!(target_arch = "x86_64")
    );
}

#[test]
fn names_round_trip_and_writers_pair() {
    for strategy in ReadStrategy::ALL {
        assert_eq!(ReadStrategy::from_name(strategy.name()), Some(strategy));
    }
    assert_eq!(ReadStrategy::from_name("lowhigh-mfence"), None);
    assert_eq!(ReadStrategy::Seqcount.writer(), Writer::Seqcount);
    assert_eq!(ReadStrategy::Lowhigh.writer(), Writer::Pae);

    let (seq, pte) = (SeqCount::new(0), Pte::new(0));
    for writer in Writer::ALL {
        writer.install(&seq, &pte, 0x1067, 0x2);
        assert_eq!(value_of(&pte), 0x2_0000_1067, "{}", writer.name());
        writer.zap(&seq, &pte);
        assert_eq!(value_of(&pte), 0, "{}", writer.name());
    }
    assert_eq!(
        read::load32(&seq),
        4,
        "seqcount writer bumps twice per write"
    );
}

#[test]
fn the_time_stamp_counter_moves_forward() {
    use pte_asm::tsc::{rdtsc, rdtscp};
    let first = rdtsc();
    let mut last = first;
    for _ in 0..1000 {
        let now = rdtsc();
        assert!(now >= last, "rdtsc went back: {last} then {now}");
        last = now;
    }
    assert!(last > first, "rdtsc did not advance over 1000 reads");
    if Features::detect().rdtscp {
        let after = rdtscp();
        assert!(after >= last, "rdtscp {after} before rdtsc {last}");
    }
}

#[test]
fn target_is_recorded() {
    assert!(
        pte_asm::TARGET.starts_with(if cfg!(target_arch = "x86_64") {
            "x86_64"
        } else {
            "i"
        })
    );
}

/// The invariant-TSC bit as Linux reads it: the kernel sets `nonstop_tsc`
/// in `/proc/cpuinfo` from the same cpuid bit (0x8000_0007:EDX bit 8).
#[test]
fn the_invariant_tsc_bit_is_the_one_linux_reports() {
    let Ok(cpuinfo) = std::fs::read_to_string("/proc/cpuinfo") else {
        return; // not Linux, or no /proc: nothing to compare with
    };
    let flags = cpuinfo
        .lines()
        .find(|l| l.starts_with("flags"))
        .unwrap_or("");
    let linux = flags.split_whitespace().any(|f| f == "nonstop_tsc");
    assert_eq!(
        Features::detect().invariant_tsc,
        linux,
        "cpuid 0x80000007:EDX bit 8 against /proc/cpuinfo's nonstop_tsc"
    );
}

/// The compare-and-swaps swap exactly when the location holds the expected
/// value, and always return what it held; the adds and swaps do their
/// arithmetic, in both sizes.
#[test]
fn read_modify_writes_do_what_the_sdm_says() {
    use pte_asm::{Word, rmw};
    let w = Word::new(7);
    assert_eq!(rmw::lock_cmpxchg32(&w, 7, 9), 7);
    assert_eq!(read::load32(&w), 9, "equal: swapped");
    assert_eq!(rmw::lock_cmpxchg32(&w, 7, 11), 9);
    assert_eq!(read::load32(&w), 9, "unequal: unchanged");
    assert_eq!(rmw::cmpxchg32(&w, 9, 1), 9);
    assert_eq!(read::load32(&w), 1);
    rmw::lock_add32(&w, u32::MAX);
    assert_eq!(read::load32(&w), 0, "adds wrap");
    rmw::add32(&w, 5);
    assert_eq!(rmw::xchg32(&w, 6), 5);
    assert_eq!(read::load32(&w), 6);
    assert_eq!(rmw::lock_xadd32(&w, 3), 6, "xadd returns the old value");
    assert_eq!(read::load32(&w), 9, "and adds");
    rmw::lock_xadd32(&w, u32::MAX - 8);
    assert_eq!(read::load32(&w), 0, "xadd wraps");
    let lock = Word::new(0);
    assert!(rmw::spin_lock32(&lock, 0), "a free lock is taken");
    assert_eq!(read::load32(&lock), 1, "and holds 1");
    assert!(!rmw::spin_lock32(&lock, 100), "a held one is given up");
    assert_eq!(read::load32(&lock), 1, "and left as it was");
    pte_asm::write::store32(&lock, 0);
    assert!(rmw::spin_lock32(&lock, 0), "released, it is taken again");
    let p = Pte::new(0x1_0000_0002);
    // The halves of an 8-byte location are 4-byte locations of their own.
    assert_eq!(
        (read::load32(p.low_word()), read::load32(p.high_word())),
        (2, 1)
    );
    #[cfg(target_arch = "x86_64")]
    {
        assert_eq!(
            rmw::lock_cmpxchg64(&p, 0x1_0000_0002, 3 << 32),
            0x1_0000_0002
        );
        assert_eq!(value_of(&p), 3 << 32);
        assert_eq!(rmw::cmpxchg64(&p, 0, 1), 3 << 32);
        assert_eq!(value_of(&p), 3 << 32, "unequal: unchanged");
        rmw::lock_add64(&p, 1);
        rmw::add64(&p, 1 << 32);
        assert_eq!(rmw::xchg64(&p, 5), (4 << 32) + 1);
        assert_eq!(rmw::lock_xadd64(&p, 1 << 32), 5);
        assert_eq!(value_of(&p), (1 << 32) + 5);
        pte_asm::write::store64(&p, u64::MAX);
        assert_eq!(value_of(&p), u64::MAX);
    }
    #[cfg(target_arch = "x86")]
    if Features::detect().cx8 {
        // SAFETY: CX8 checked.
        unsafe {
            assert_eq!(
                rmw::lock_cmpxchg8b(&p, 0x1_0000_0002, 3 << 32),
                0x1_0000_0002
            );
            assert_eq!(value_of(&p), 3 << 32);
            assert_eq!(rmw::lock_cmpxchg8b(&p, 0, 1), 3 << 32);
            assert_eq!(value_of(&p), 3 << 32, "unequal: unchanged");
        }
    }
}

/// The spin lock waits for the holder's release: a second thread spins
/// (without a bound that could run out) until the first stores 0, then
/// takes the lock; each takes it once, exclusively.
#[test]
fn the_spin_lock_waits_for_its_release() {
    use pte_asm::{Word, rmw, write};
    let lock = Word::new(0);
    let inside = Word::new(0);
    assert!(rmw::spin_lock32(&lock, 0));
    std::thread::scope(|scope| {
        let waiter = scope.spawn(|| {
            let taken = rmw::spin_lock32(&lock, u32::MAX);
            // The holder left before releasing: nobody is inside.
            (taken, read::load32(&inside))
        });
        write::store32(&inside, 1);
        std::thread::sleep(std::time::Duration::from_millis(20));
        write::store32(&inside, 0);
        write::store32(&lock, 0);
        assert_eq!(waiter.join().unwrap(), (true, 0));
    });
    assert_eq!(read::load32(&lock), 1, "held by the waiter");
}

#[test]
fn every_protocol_read_and_writer_does_what_its_name_says() {
    use pte_asm::protocol::{GENERATION_MASK, Reader, Writer as ProtocolWriter};
    let cpu = Features::detect();
    let seq = SeqCount::new(0);
    for reader in Reader::ALL {
        if reader.availability(&cpu).is_err() {
            continue;
        }
        for value in VALUES {
            let pte = Pte::new(value);
            for spins in [0, 3] {
                assert_eq!(
                    join_read(reader.read(&seq, &pte, spins)),
                    value,
                    "{}",
                    reader.name()
                );
            }
        }
    }
    for writer in ProtocolWriter::ALL {
        let pte = Pte::new(0x0001_0002_0001_0067);
        writer.zap(&seq, &pte);
        assert_eq!(value_of(&pte), 0, "{} zap", writer.name());
        let low = writer.low_of_install(0x0001_0067, 5);
        writer.install(&seq, &pte, low, 7);
        assert_eq!(value_of(&pte), join(low, 7), "{} install", writer.name());
        assert_eq!(
            low & GENERATION_MASK != 0,
            writer == ProtocolWriter::Generation,
            "{}: only the generation writer numbers installs",
            writer.name()
        );
        assert_eq!(ProtocolWriter::from_name(writer.name()), Some(writer));
    }
    // The sequence count: bumped twice per zap and per install, by the
    // seqcount writer alone.
    assert_eq!(read::load32(&seq), 4);
}

fn join_read((lo, hi): (u32, u32)) -> u64 {
    join(lo, hi)
}
