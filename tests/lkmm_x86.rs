//! The kernel's C litmus tests run on this x86 machine as the x86 code the
//! kernel compiles them to (`litmus/catalog/file/c/x86.rs`): bounded
//! hardware runs, the closing table with the LKMM's verdict beside
//! x86-TSO's, the refusal of a test with no such code, and, without
//! hardware, the project's C tests' x86 code never weaker than the LKMM's
//! promise.
//!
//! Hardware runs assert outcomes, never timings, and never that an allowed
//! outcome was seen.

use pte_litmus::catalog::file::c;
use pte_litmus::catalog::file::c::ast::Quantifier;
use pte_litmus::judge::Expect;
use pte_litmus::judge::lkmm::{Mapping, mapping};
use pte_litmus::model;
use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn c_test(name: &str) -> String {
    let path = root().join("tests/litmus/c").join(name);
    path.to_str().unwrap().to_string()
}

fn litmus(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_litmus"))
        .args(args)
        .output()
        .expect("run litmus")
}

/// A closing-table row whose witness x86-TSO forbids, run as instances
/// and never seen.
fn forbidden_and_unseen_as_instances(r: &[String]) {
    assert_eq!(r[2], "Never", "x86-TSO: {r:?}");
    assert_eq!(r[3], "instances", "{r:?}");
    assert!(
        r.last().unwrap().starts_with("forbidden, never seen"),
        "{r:?}"
    );
}

/// The closing table's row of `test`, split into its cells (its last
/// line: `--verbose`'s summary comes before the table).
fn row(out: &Output, test: &str) -> Vec<String> {
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .rfind(|l| l.split_whitespace().next() == Some(test))
        .unwrap_or_else(|| panic!("no row for {test} in:\n{text}"));
    line.split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(String::from)
        .collect()
}

#[test]
fn sb_with_smp_mb_never_shows_its_witness_on_this_machine() {
    let out = litmus(&[
        "run",
        &c_test("SB+mbs.litmus"),
        "--iterations",
        "20000",
        "--quiet",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let header = row(&out, "test");
    assert_eq!(
        header[..3],
        ["test", "LKMM", "x86-TSO"],
        "both verdicts, LKMM first"
    );
    let sb = row(&out, "SB+mbs");
    assert_eq!(sb[1..3], ["Never", "Never"], "{sb:?}");
    assert_eq!(sb.last().unwrap(), "forbidden, never seen", "{sb:?}");
}

#[test]
fn mp_with_onces_runs_and_x86_is_stronger_than_the_lkmm_there() {
    let out = litmus(&[
        "run",
        &c_test("MP+onces.litmus"),
        "--iterations",
        "20000",
        "--quiet",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let mp = row(&out, "MP+onces");
    assert_eq!(mp[1..3], ["Sometimes", "Never"], "{mp:?}");
    assert!(
        mp.last().unwrap().ends_with("x86 is stronger here"),
        "{mp:?}"
    );
}

/// A test with `if` runs as the kernel's compare and jump over the branch,
/// in instances mode (perpetual runs do not convert a branch), and each
/// forbidden witness stays unseen.
#[test]
fn tests_with_branches_run_as_instances_and_judge_as_expected() {
    let tests = [
        "LB+ctrl+mb",
        "LB+data+ctrl",
        "LB+if-assign+ctrl",
        "MP+wmb+ctrl-else",
    ];
    let files: Vec<String> = tests
        .iter()
        .map(|t| c_test(&format!("{t}.litmus")))
        .collect();
    let mut args = vec![
        "run",
        "--mode",
        "instances",
        "--iterations",
        "20000",
        "--quiet",
    ];
    args.extend(files.iter().map(String::as_str));
    let out = litmus(&args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    for test in tests {
        forbidden_and_unseen_as_instances(&row(&out, test));
    }
}

#[test]
fn a_test_with_no_x86_code_is_refused_in_one_line() {
    let file = c_test("MP+once-loop.litmus");
    let out = litmus(&["run", &file, "--iterations", "100"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("MP+once-loop.litmus:25:2: not run on hardware: 'while': a loop"),
        "{err}"
    );
    assert!(err.contains("`litmus model` still answers"), "{err}");
}

/// Spin locks run as the kernel's `lock cmpxchg` loop: two critical
/// sections of one lock never overlap (each reads x, then writes it), MP
/// through a lock and trylock's all-or-nothing hold, every instance's
/// outcome counted (none abandoned: each lock is released).
#[test]
fn tests_with_spin_locks_run_and_keep_their_critical_sections_apart() {
    let tests = ["Lock+exclusion", "Lock+trylock", "SB+unlock-lock+mb"];
    let files: Vec<String> = tests
        .iter()
        .map(|t| c_test(&format!("{t}.litmus")))
        .collect();
    let csv = std::env::temp_dir().join(format!("pte-litmus-locks-{}.csv", std::process::id()));
    let _ = std::fs::remove_file(&csv);
    let mut args = vec![
        "run",
        "--duration",
        "0.1",
        "--quiet",
        "--csv",
        csv.to_str().unwrap(),
    ];
    args.extend(files.iter().map(String::as_str));
    let out = litmus(&args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    for test in tests {
        forbidden_and_unseen_as_instances(&row(&out, test));
    }
    let text = std::fs::read_to_string(&csv).unwrap();
    let _ = std::fs::remove_file(&csv);
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let column = |name: &str| header.iter().position(|c| *c == name).unwrap();
    let (test, count) = (column("test"), column("count"));
    let (iterations, abandoned) = (column("iterations"), column("abandoned"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    for t in tests {
        let mine: Vec<&Vec<&str>> = rows.iter().filter(|r| r[test] == t).collect();
        let counted: u64 = mine.iter().map(|r| r[count].parse::<u64>().unwrap()).sum();
        let ran: u64 = mine[0][iterations].parse().unwrap();
        let gave_up: u64 = mine[0][abandoned].parse().unwrap();
        assert!(counted > 0, "{t}: no outcome counted");
        // A lock is held for a few accesses: an instance is abandoned only
        // when its holder lost its core for longer than the bound (rare,
        // but the other tests of this binary run beside this one).
        assert!(gave_up * 2 <= ran, "{t}: {gave_up} of {ran} abandoned");
        assert_eq!(counted + gave_up, ran, "{t}: each instance counted once");
    }
}

/// A lock never released: the thread that comes second gives up after
/// its bound, so the run ends on time, every instance abandoned and said
/// to be; x86-TSO and the LKMM have no final state for it (`Never`).
#[test]
fn a_lock_never_released_does_not_hang_the_run_and_its_instances_are_abandoned() {
    let started = std::time::Instant::now();
    let out = litmus(&[
        "run",
        &c_test("Lock+never-released.litmus"),
        "--iterations",
        "1000",
        "--verbose",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{err}{text}");
    // 1000 instances of a few tenths of a millisecond's spin each.
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
    assert!(
        text.contains("1000 iterations, 1000 abandoned (a spin_lock() never taken"),
        "{text}"
    );
    let r = row(&out, "Lock+never-released");
    assert_eq!(r[1..3], ["Never", "Never"], "{r:?}");
    assert!(
        r.last()
            .unwrap()
            .ends_with("1000 of 1000 instances abandoned (a lock never taken)"),
        "{r:?}"
    );
}

#[test]
fn beside_tests_that_run_a_refused_one_is_unavailable() {
    let out = litmus(&[
        "run",
        &c_test("SB+mbs.litmus"),
        &c_test("RCU+reader+sync.litmus"),
        "--iterations",
        "2000",
        "--quiet",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(row(&out, "RCU+reader+sync").last().unwrap(), "unavailable");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Unavailable here: RCU+reader+sync (synchronize_rcu(): a grace period has no user-space equivalent)"),
        "{text}"
    );
}

#[test]
fn a_c_runs_csv_names_its_file_and_its_dialect() {
    let csv = std::env::temp_dir().join(format!("pte-litmus-lkmm-x86-{}.csv", std::process::id()));
    let _ = std::fs::remove_file(&csv);
    let file = c_test("SB+store-mbs.litmus");
    let out = litmus(&[
        "run",
        &file,
        "--iterations",
        "2000",
        "--quiet",
        "--csv",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(&csv).unwrap();
    let _ = std::fs::remove_file(&csv);
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let dialect = header
        .iter()
        .position(|c| *c == "dialect")
        .expect("a dialect column");
    let rows: Vec<&str> = lines.collect();
    assert!(!rows.is_empty(), "{text}");
    for r in rows {
        assert!(r.contains("SB+store-mbs") && r.contains(&file), "{r}");
        assert_eq!(r.split(',').nth(dialect), Some("C"), "{r}");
    }
}

/// Whether the LKMM lets an execution reach the witness (`forall`: a
/// counterexample).
fn lkmm_verdict(program: &c::ast::CProgram) -> Expect {
    let outcome = model::lkmm::model(program).unwrap();
    let t = &outcome.tally;
    Expect::from_reachable(match outcome.quantifier {
        Quantifier::Exists | Quantifier::NotExists => t.positive > 0,
        Quantifier::Forall => t.negative > 0,
    })
}

/// Each of the project's C tests that has x86 code: x86-TSO on that code
/// never reaches a witness the LKMM forbids; and which tests have it.
#[test]
fn the_kernels_x86_code_keeps_the_lkmms_promise_on_every_project_test() {
    let list = std::fs::read_to_string(root().join("tests/litmus/c/@all")).unwrap();
    let mut runs = Vec::new();
    let mut refused = Vec::new();
    for name in list
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let test = c::read(&root().join("tests/litmus/c").join(name)).unwrap();
        let Ok(x86) = c::x86::program(&test.program) else {
            refused.push(test.program.name.clone());
            continue;
        };
        let tso = model::explore(&model::litmus::litmus_program(&x86)).verdict();
        let lkmm = lkmm_verdict(&test.program);
        assert_ne!(mapping(lkmm, tso), Mapping::Weaker, "{name}");
        runs.push(test.program.name.clone());
    }
    for expected in [
        "SB+mbs",
        "MP+onces",
        "RMW+fetch_adds",
        "RMW+cmpxchgs",
        "SB+store-mbs",
        "Lock+exclusion",
        "Lock+trylock",
        "Lock+is_locked-other",
        "Lock+increments",
        "RMW+add_unless",
    ] {
        assert!(runs.iter().any(|r| r == expected), "{expected} maps");
    }
    for expected in [
        "MP+release+acquire-loop",
        "RCU+reader+sync",
        "MP+once-loop",
        "Plain+race",
    ] {
        assert!(refused.iter().any(|r| r == expected), "{expected} refused");
    }
}

/// The project's C tests of register arithmetic, address dependencies,
/// ordered compares and value-returning atomics: each has x86 code, and
/// x86-TSO on it gives the `Result:` the file states (herd7's LKMM verdict,
/// which x86 matches on each of these).
#[test]
fn arithmetic_dependencies_and_returned_values_map_and_judge_as_stated() {
    for (name, expect) in [
        ("LB+data-arith+data-arith", Expect::Forbidden),
        ("MP+wmb+addr-zero", Expect::Forbidden),
        ("S+wmb+addr-pointer", Expect::Forbidden),
        ("SB+dec_and_tests", Expect::Forbidden),
        ("LB+ctrl-gt+ctrl-gt", Expect::Forbidden),
        ("SB+onces+arith", Expect::Allowed),
        ("RMW+sub_returns", Expect::Forbidden),
        ("RMW+add_negatives", Expect::Forbidden),
        ("RMW+add_returns", Expect::Forbidden),
        ("RMW+inc_and_tests", Expect::Forbidden),
        ("RMW+add_unless", Expect::Forbidden),
        ("RMW+add_unless+one-fails", Expect::Allowed),
    ] {
        let test = c::read(&root().join("tests/litmus/c").join(format!("{name}.litmus"))).unwrap();
        let x86 =
            c::x86::program(&test.program).unwrap_or_else(|e| panic!("{name}: {}", e.message));
        let tso = model::explore(&model::litmus::litmus_program(&x86)).verdict();
        assert_eq!(tso, expect, "{name}");
        assert_eq!(lkmm_verdict(&test.program), expect, "{name}");
    }
}

/// A short hardware run of C tests with register arithmetic, an address
/// dependency and `atomic_dec_and_test()`: each forbidden witness stays
/// unseen (instances: perpetual runs convert none of these).
#[test]
fn arithmetic_tests_run_on_this_machine_without_a_forbidden_outcome() {
    let tests = [
        "LB+data-arith+data-arith",
        "MP+wmb+addr-zero",
        "SB+dec_and_tests",
        "RMW+add_unless",
    ];
    let files: Vec<String> = tests
        .iter()
        .map(|t| c_test(&format!("{t}.litmus")))
        .collect();
    let mut args = vec!["run", "--duration", "0.1", "--quiet"];
    args.extend(files.iter().map(String::as_str));
    let out = litmus(&args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    for test in tests {
        let r = row(&out, test);
        assert_eq!(r[1], "Never", "LKMM: {r:?}");
        forbidden_and_unseen_as_instances(&r);
    }
}

/// `litmus export --herd DIR FILE.litmus`: a C test's x86 code as an X86
/// file, which the suite reads back to the same x86-TSO verdict; a test
/// with no x86 code is listed with its reason, not written.
#[test]
fn a_c_tests_x86_code_is_exported_for_herd7_and_litmus7() {
    let dir = std::env::temp_dir().join(format!("pte-litmus-export-c-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = litmus(&[
        "export",
        "--herd",
        dir.to_str().unwrap(),
        &c_test("SB+mbs.litmus"),
        &c_test("MP+onces.litmus"),
        &c_test("MP+once-loop.litmus"),
        &c_test("Lock+exclusion.litmus"),
        &c_test("RMW+add_unless.litmus"),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("litmus: 4 tests into"), "{stdout}");
    assert!(
        stdout.contains("not exported: MP+once-loop") && stdout.contains("no x86 code: 'while'"),
        "{stdout}"
    );
    let lock = std::fs::read_to_string(dir.join("Lock+exclusion.litmus")).unwrap();
    assert!(lock.starts_with("X86_64 Lock+exclusion\n"), "{lock}");
    assert!(lock.contains("lock cmpxchgl (s),%"), "{lock}");
    assert!(lock.contains("jne LK00"), "{lock}");
    assert!(lock.contains(" * Result: Never\n"), "{lock}");
    // atomic_add_unless(): the load, then the kernel's loop.
    let unless = std::fs::read_to_string(dir.join("RMW+add_unless.litmus")).unwrap();
    assert!(unless.starts_with("X86_64 RMW+add_unless\n"), "{unless}");
    for line in [
        "movl (x),%eax",
        "LA01:",
        "cmpl $1,%eax",
        "je LB01",
        "addl $1,%",
        "lock cmpxchgl (x),%",
        "jne LA01",
        " * Result: Never\n",
    ] {
        assert!(unless.contains(line), "{line}: {unless}");
    }
    let sb = std::fs::read_to_string(dir.join("SB+mbs.litmus")).unwrap();
    assert!(sb.starts_with("X86 SB+mbs\n"), "{sb}");
    assert!(sb.contains("LOCK ADD [s0],$0"), "{sb}");
    for (name, word) in [("SB+mbs", "Never"), ("MP+onces", "Never")] {
        let file = dir.join(format!("{name}.litmus"));
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains(&format!(" * Result: {word}\n")), "{text}");
        let model = litmus(&["model", file.to_str().unwrap()]);
        let shown = String::from_utf8_lossy(&model.stdout);
        assert!(
            shown.contains(&format!("Observation {name} {word}")),
            "{shown}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `litmus show C.litmus` closes with the x86 code `litmus run` runs for
/// it (or why it has none), in a comment, so the whole reads back as the
/// same C test.
#[test]
fn show_ends_with_the_kernels_x86_code() {
    let out = litmus(&["show", &c_test("SB+mbs.litmus")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(" *   P0: x=1; lock addl $0,-4(%esp); r0=y\n"),
        "{text}"
    );
    assert!(text.contains(" * x86-TSO of that code: Never\n"), "{text}");
    assert!(c::from_text(&text).is_ok(), "{text}");
    let out = litmus(&["show", &c_test("MP+once-loop.litmus")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(" * No x86 code here: 'while'"), "{text}");
    let out = litmus(&["show", &c_test("Lock+exclusion.litmus")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(" *   P0: spin_lock s: lock cmpxchg 0 -> 1, retried until it takes; r0=x; x=1; barrier(); s=0\n"),
        "{text}"
    );
    assert!(text.contains(" * x86-TSO of that code: Never\n"), "{text}");
}
