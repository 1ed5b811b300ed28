//! The `litmus` binary as users drive it: bad input, CSV files, Ctrl-C,
//! and bounded hardware runs whose expected outcomes could fail.
//!
//! Hardware runs assert outcomes, never timings: a forbidden outcome stays
//! unseen; an allowed one that the suite exists to show (`split` tearing
//! under `PTE-MP`, `lowhigh` under `PTE-ABA`) is caught within the bound.

use std::path::PathBuf;
use std::process::{Command, Output};

fn litmus(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_litmus"))
        .args(args)
        .output()
        .expect("run litmus")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pte-litmus-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

/// Exit status 2 and exactly one line on stderr naming the problem.
fn assert_bad_input(args: &[&str], mentions: &str) {
    let out = litmus(args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: status; stderr {err}");
    assert_eq!(err.lines().count(), 1, "{args:?}: one line, got {err:?}");
    assert!(
        err.contains(mentions),
        "{args:?}: {err:?} should mention {mentions:?}"
    );
    assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
}

#[test]
fn bad_input_is_one_line_and_status_2() {
    assert_bad_input(&["run", "NOPE"], "unknown test 'NOPE'");
    assert_bad_input(&["show", "NOPE"], "unknown test 'NOPE'");
    assert_bad_input(
        &["run", "SB", "--strategy", "lowhigh,bogus"],
        "unknown strategy 'bogus'",
    );
    assert_bad_input(
        &["run", "SB", "--cores", "0,4096"],
        "core 4096 does not exist",
    );
    assert_bad_input(&["run", "SB", "--cores", "0,0"], "named twice");
    assert_bad_input(&["run", "SB", "--cores", "zero"], "zero");
    assert_bad_input(&["run", "SB", "--iterations", "0"], "0");
    assert_bad_input(&["run", "SB", "--iterations", "many"], "many");
    assert_bad_input(&["run", "SB", "--duration", "-1"], "-1");
    assert_bad_input(&["run", "SB", "--duration", "NaN"], "NaN");
    assert_bad_input(
        &["run", "SB", "--duration", "1", "--iterations", "5"],
        "cannot be used with",
    );
    assert_bad_input(&["run", "SB", "--reader-delay", "x"], "x");
    assert_bad_input(
        &["run", "PTE-ABA", "--reader-window", "5s"],
        "'5s' is not a window",
    );
    assert_bad_input(
        &["run", "PTE-ABA", "--reader-window", "-1ns"],
        "not a window",
    );
    assert_bad_input(&["run", "PTE-ABA", "--reader-window", "2h"], "not a window");
    assert_bad_input(
        &[
            "run",
            "PTE-ABA",
            "--reader-window",
            "1ns",
            "--reader-delay",
            "3",
        ],
        "cannot be used with",
    );
    assert_bad_input(&["run", "PTE-ABA", "--tear-rate", "0"], "rate");
    assert_bad_input(&["refault", "--core", "4096"], "core 4096 does not exist");
    assert_bad_input(&["refault", "--cycles", "0"], "0");
    assert_bad_input(
        &["refault", "--csv", "/nonexistent-dir/r.csv"],
        "cannot write",
    );
    assert_bad_input(&["run", "SB", "--batch", "0"], "batch");
    assert_bad_input(&["run", "SB", "--timebase-delta", "soon"], "soon");
    assert_bad_input(
        &[
            "run",
            "SB",
            "--csv",
            "/nonexistent-dir/out.csv",
            "--iterations",
            "1",
        ],
        "cannot write",
    );
    assert_bad_input(&["frobnicate"], "frobnicate");
}

#[test]
fn bench_report_bad_input_is_one_line_and_writes_nothing() {
    let out_csv = temp("bench-report.csv");
    let out = out_csv.to_str().unwrap();
    assert_bad_input(
        &[
            "bench-report",
            "--csv",
            out,
            "--dir",
            "/nonexistent-criterion",
        ],
        "cannot read",
    );
    // A target directory whose machine record has another header.
    let root = temp("criterion");
    std::fs::create_dir_all(root.join("some-target")).unwrap();
    std::fs::write(
        root.join("some-target/pte-litmus-machine.csv"),
        "commit,foo\n1,2\n",
    )
    .unwrap();
    assert_bad_input(
        &[
            "bench-report",
            "--csv",
            out,
            "--dir",
            root.to_str().unwrap(),
        ],
        "not a machine record CSV",
    );
    assert!(!out_csv.exists(), "nothing written on bad input");
    assert_bad_input(&["bench-report", "--dir", root.to_str().unwrap()], "--csv");
}

#[test]
fn a_csv_with_another_header_is_refused_and_left_alone() {
    let path = temp("other-header.csv");
    std::fs::write(&path, "a,b,c\n1,2,3\n").unwrap();
    assert_bad_input(
        &[
            "run",
            "SB",
            "--iterations",
            "64",
            "--csv",
            path.to_str().unwrap(),
        ],
        "another header",
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "a,b,c\n1,2,3\n");
}

#[test]
fn csv_rows_carry_every_documented_column_and_append() {
    let path = temp("runs.csv");
    let p = path.to_str().unwrap();
    for _ in 0..2 {
        let out = litmus(&[
            "run",
            "SB",
            "PTE-MP",
            "--strategy",
            "lowhigh",
            "--iterations",
            "2000",
            "--quiet",
            "--csv",
            p,
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    for column in [
        "run_id",
        "timestamp",
        "commit",
        "target",
        "pointer_width",
        "cpu_vendor",
        "cpu_model",
        "cpu_family",
        "cpu_model_id",
        "cpu_stepping",
        "microcode",
        "hypervisor",
        "kernel",
        "logical_cpus",
        "accel",
        "vcpus",
        "cores",
        "test",
        "strategy",
        "writer",
        "reader_delay",
        "window",
        "window_ns",
        "writer_turn_ns",
        "refault_ns",
        "iterations",
        "seconds",
        "outcome",
        "count",
        "expected",
        "verdict",
    ] {
        assert!(
            header.iter().any(|h| h == column),
            "missing column {column}: {header:?}"
        );
    }
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    // Two appends, each with one row per outcome of SB (up to 4) and PTE-MP (3).
    let runs: std::collections::BTreeSet<&str> = rows.iter().map(|r| &r[col("run_id")]).collect();
    assert_eq!(runs.len(), 2, "two runs appended under one header");
    let mp: Vec<_> = rows
        .iter()
        .filter(|r| &r[col("test")] == "PTE-MP")
        .collect();
    // Two runs, each at the default windows (none, and 2 writer turns),
    // each with intact/torn/absent.
    assert_eq!(mp.len(), 12);
    for r in &mp {
        assert_eq!(&r[col("strategy")], "lowhigh");
        assert_eq!(&r[col("writer")], "pae-clear/pae-set");
        assert_eq!(&r[col("expected")], "Forbidden");
        assert!(r[col("iterations")].parse::<u64>().unwrap() >= 2000);
        assert_eq!(&r[col("pointer_width")], &usize::BITS.to_string());
        let window_ns: f64 = r[col("window_ns")].parse().unwrap();
        let pauses: u32 = r[col("reader_delay")].parse().unwrap();
        match &r[col("window")] {
            "0" => assert_eq!((pauses, window_ns), (0, 0.0)),
            "2turns" => assert!(pauses >= 1 && window_ns > 0.0, "{r:?}"),
            other => panic!("window {other}"),
        }
        for column in ["writer_turn_ns", "refault_ns"] {
            assert!(
                r[col(column)].parse::<f64>().unwrap() > 0.0,
                "{column}: {r:?}"
            );
        }
    }
    let sb = rows.iter().find(|r| &r[col("test")] == "SB").unwrap();
    assert_eq!((&sb[col("window")], &sb[col("window_ns")]), ("-", ""));
    let counted: u64 = rows
        .iter()
        .filter(|r| &r[col("test")] == "SB" && &r[col("run_id")] == *runs.iter().next().unwrap())
        .map(|r| r[col("count")].parse::<u64>().unwrap())
        .sum();
    assert_eq!(counted, 2000, "SB's outcome counts add up to its instances");
}

/// Runs `args` and requires exit status 0: no forbidden outcome seen.
fn assert_nothing_forbidden(args: &[&str], what: &str) {
    let out = litmus(args);
    assert_eq!(out.status.code(), Some(0), "{what}:\n{}", stdout(&out));
    assert!(
        !stdout(&out).contains("UNEXPECTED"),
        "{what}:\n{}",
        stdout(&out)
    );
}

/// Forbidden outcomes stay unseen over a bounded run.
#[test]
fn forbidden_outcomes_are_never_seen() {
    let classic = [
        "MP",
        "LB",
        "CoRR",
        "2+2W",
        "SB+mfences",
        "SB+lockadds",
        "IRIW",
    ];
    let mut args = vec!["run"];
    args.extend(classic);
    args.extend(["--iterations", "200000", "--quiet"]);
    assert_nothing_forbidden(&args, "a forbidden classic outcome was observed");

    let safe = "lowhigh,lowhigh-lfence,lowhigh-lockadd,cmpxchg8b,movq-sse2,movq-mmx,fild,seqcount,native64";
    let pte_mp = [
        "run",
        "PTE-MP",
        "--strategy",
        safe,
        "--duration",
        "0.5",
        "--quiet",
    ];
    assert_nothing_forbidden(&pte_mp, "a torn PTE under PTE-MP");
    let single = "cmpxchg8b,movq-sse2,movq-mmx,fild,seqcount,native64";
    let pte_aba = [
        "run",
        "PTE-ABA",
        "--strategy",
        single,
        "--duration",
        "0.5",
        "--reader-window",
        "0,2turns,300ns",
        "--quiet",
    ];
    assert_nothing_forbidden(&pte_aba, "a torn PTE from a single-access read");
    let pte_lost = [
        "run",
        "PTE-LOST",
        "--strategy",
        "lowhigh,cmpxchg8b",
        "--duration",
        "0.5",
        "--quiet",
    ];
    assert_nothing_forbidden(&pte_lost, "a lost write without an unlocked write-back");
}

/// The witness count of the summary row for `test` and `strategy`.
fn witnesses(args: &[&str], test: &str, strategy: &str) -> u64 {
    let csv = temp(&format!("witnesses-{test}-{strategy}.csv"));
    let _ = std::fs::remove_file(&csv);
    let mut args = args.to_vec();
    args.extend(["--csv", csv.to_str().unwrap()]);
    let out = litmus(&args);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stdout(&out));
    let mut reader = csv::Reader::from_path(&csv).unwrap();
    let header = reader.headers().unwrap().clone();
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    reader
        .records()
        .map(Result::unwrap)
        .filter(|r| &r[col("test")] == test && &r[col("strategy")] == strategy)
        .filter(|r| &r[col("witness")] == "true")
        .map(|r| r[col("count")].parse::<u64>().unwrap())
        .sum()
}

/// Allowed outcomes the suite exists to show are caught within a bound.
#[test]
fn the_detectors_catch_torn_reads() {
    // split has no recheck: tears under a zap/install writer.
    let args = [
        "run",
        "PTE-MP",
        "--strategy",
        "split",
        "--duration",
        "1",
        "--reader-delay",
        "0,10",
        "--quiet",
    ];
    assert!(witnesses(&args, "PTE-MP", "split") > 0, "split never tore");

    // lowhigh: the seed's ABA. A window given in time (a vCPU descheduled
    // mid-read for 200 ns after each load) makes it frequent; up to ten
    // tries of a second each.
    let mut seen = 0;
    for _ in 0..10 {
        let args = [
            "run",
            "PTE-ABA",
            "--strategy",
            "lowhigh",
            "--duration",
            "1",
            "--reader-window",
            "200ns",
            "--quiet",
        ];
        seen += witnesses(&args, "PTE-ABA", "lowhigh");
        if seen > 0 {
            break;
        }
    }
    assert!(seen > 0, "lowhigh never returned a PTE that never existed");

    // SB, the store-buffering reordering x86-TSO allows.
    let args = ["run", "SB", "--iterations", "1000000", "--quiet"];
    assert!(witnesses(&args, "SB", "-") > 0, "SB witness never seen");
}

/// A batch shorter than `--batch` counts exactly the instances it ran: in
/// `R` thread 1 always stores y, so a final y=0 means a slot never ran.
#[test]
fn short_batches_count_only_instances_that_ran() {
    for iterations in ["10", "70"] {
        let out = litmus(&[
            "run",
            "R",
            "--iterations",
            iterations,
            "--batch",
            "64",
            "--verbose",
        ]);
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(0), "{text}");
        assert!(
            !text.contains("y=0;"),
            "an instance that never ran was counted:\n{text}"
        );
        assert!(text.contains(&format!("{iterations} iterations")), "{text}");
    }
}

#[test]
fn list_and_show_describe_every_test() {
    let list = stdout(&litmus(&["list"]));
    for test in [
        "SB",
        "SB+mfences",
        "SB+lockadds",
        "SB+lfences",
        "MP",
        "LB",
        "CoRR",
        "2+2W",
        "R",
        "IRIW",
        "PTE-MP",
        "PTE-ABA",
        "PTE-ABA3",
        "PTE-LOST",
    ] {
        assert!(
            list.lines().any(|l| l.starts_with(&format!("{test} "))),
            "{test} missing from list"
        );
        let show = litmus(&["show", test]);
        assert_eq!(show.status.code(), Some(0));
        assert!(
            stdout(&show).contains("Result: "),
            "{test}: show has a Result line"
        );
    }
    assert!(list.contains("lowhigh=A") && list.contains("cmpxchg8b=F"));
    let show = stdout(&litmus(&["show", "SB"]));
    assert!(
        show.contains("P0: x=1; barrier(); r0=y") && show.contains("exists (0:r0=0 /\\ 1:r0=0)"),
        "{show}"
    );
}

#[test]
fn ctrl_c_keeps_every_finished_run() {
    let path = temp("interrupted.csv");
    let child = Command::new(env!("CARGO_BIN_EXE_litmus"))
        .args([
            "run",
            "SB",
            "MP",
            "--duration",
            "3",
            "--quiet",
            "--csv",
            path.to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(4500));
    // SAFETY: kill(2) on our own child's pid.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stdout(&out));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.lines().skip(1).any(|l| l.contains(",SB,")),
        "SB finished and is recorded:\n{text}"
    );
    assert!(
        !text.lines().any(|l| l.contains(",MP,")),
        "MP was interrupted and is not:\n{text}"
    );
    assert!(stdout(&out).contains("interrupted"));
}

/// A real litmus CSV (SB and PTE-MP/lowhigh), and the same rows relabelled
/// as a second machine whose PTE-MP reader saw a forbidden torn PTE and
/// whose SB never saw its witness.
fn two_machines(name: &str) -> (PathBuf, PathBuf) {
    let first = temp(&format!("{name}-a.csv"));
    let out = litmus(&[
        "run",
        "SB",
        "PTE-MP",
        "--strategy",
        "lowhigh",
        "--iterations",
        "5000",
        "--quiet",
        "--csv",
        first.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut reader = csv::Reader::from_path(&first).unwrap();
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let second = temp(&format!("{name}-b.csv"));
    let mut writer = csv::Writer::from_path(&second).unwrap();
    writer.write_record(&header).unwrap();
    for record in reader.records() {
        let mut row: Vec<String> = record.unwrap().iter().map(String::from).collect();
        row[col("target")] = "i486-imaginary-linux".into();
        if row[col("witness")] == "true" {
            let forbidden = row[col("test")] == "PTE-MP";
            row[col("count")] = if forbidden { "3".into() } else { "0".into() };
        }
        writer.write_record(&row).unwrap();
    }
    writer.flush().unwrap();
    (first, second)
}

#[test]
fn compare_groups_machines_and_puts_forbidden_and_disagreements_first() {
    let (a, b) = two_machines("grouping");
    let out = litmus(&["compare", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("M1: ") && text.contains("M2: ") && text.contains("i486-imaginary-linux"),
        "{text}"
    );
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("PTE-MP") || l.starts_with("SB "))
        .collect();
    assert!(
        rows[0].starts_with("PTE-MP")
            && rows[0].contains("UNEXPECTED 3")
            && rows[0].contains("FORBIDDEN SEEN"),
        "{rows:?}"
    );
    let sb = rows.iter().find(|l| l.starts_with("SB ")).unwrap();
    assert!(
        sb.contains("never") && sb.contains("machines disagree"),
        "{sb}"
    );

    let md = stdout(&litmus(&[
        "compare",
        "--markdown",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    ]));
    assert!(
        md.contains("| test | strategy | window | expected | M1 | M2 | note |"),
        "{md}"
    );
    assert!(md.contains("| --- |"));
    // The answer opens the reply, per machine, before any other view: M2's
    // lowhigh row says its forbidden torn PTE in words.
    assert!(
        md.starts_with("### Which reads of a 64-bit PTE stay whole on M1: "),
        "{md}"
    );
    let litmus_view = md.find("## Litmus tests").unwrap();
    let m2 = md.find("stay whole on M2: ").unwrap();
    assert!(m2 < litmus_view, "{md}");
    let broken = md[m2..]
        .lines()
        .find(|l| l.starts_with("| lowhigh |"))
        .unwrap();
    assert!(
        broken.contains("FORBIDDEN and seen: ") && broken.contains("BROKEN"),
        "{broken}"
    );

    let svg = temp("compare.svg");
    let out = litmus(&[
        "compare",
        "--plot",
        svg.to_str().unwrap(),
        a.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(std::fs::read_to_string(&svg).unwrap().starts_with("<svg"));
}

#[test]
fn compare_bad_input_is_one_line_and_status_2() {
    assert_bad_input(&["compare"], "at least one CSV");
    assert_bad_input(
        &["compare", "/nonexistent.csv"],
        "cannot read /nonexistent.csv",
    );
    let (good, _) = two_machines("bad-input");
    let text = std::fs::read_to_string(&good).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();

    let short = temp("short-row.csv");
    let broken = format!("{}\n{}\n1,2,3\n", lines[0], lines[1]);
    std::fs::write(&short, broken).unwrap();
    assert_bad_input(
        &["compare", short.to_str().unwrap()],
        &format!("{}:3: malformed CSV row", short.display()),
    );

    let not_number = temp("not-number.csv");
    let header: Vec<&str> = lines[0].split(',').collect();
    let count = header.iter().position(|h| *h == "count").unwrap();
    let mut row: Vec<String> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(lines[1].as_bytes())
        .records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(|f| {
            if f.contains(' ') || f.contains(',') {
                format!("\"{f}\"")
            } else {
                f.to_string()
            }
        })
        .collect();
    row[count] = "many".into();
    std::fs::write(&not_number, format!("{}\n{}\n", lines[0], row.join(","))).unwrap();
    assert_bad_input(
        &["compare", not_number.to_str().unwrap()],
        "column count: 'many' is not a number",
    );

    // An older header: one column fewer.
    let older = temp("older.csv");
    let without_witness: Vec<&str> = header.iter().copied().filter(|h| *h != "witness").collect();
    lines[0] = "";
    std::fs::write(&older, format!("{}\n", without_witness.join(","))).unwrap();
    assert_bad_input(
        &["compare", older.to_str().unwrap()],
        "without column 'witness'",
    );

    let other = temp("other.csv");
    std::fs::write(&other, "a,b,c\n1,2,3\n").unwrap();
    assert_bad_input(
        &["compare", other.to_str().unwrap()],
        "not a litmus, bench-report, refault or protocols CSV",
    );
}

#[test]
fn model_prints_final_states_the_witness_and_the_seeds_trace() {
    let out = litmus(&["model", "PTE-ABA", "--strategy", "lowhigh", "--why"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("*> torn"), "{text}");
    assert!(
        text.contains("Witness: Allowed (declared Allowed, agrees)"),
        "{text}"
    );
    assert!(
        text.contains("A: read ptep->pte_high, sees 0x00010002"),
        "{text}"
    );
    let forbidden = stdout(&litmus(&[
        "model",
        "PTE-ABA",
        "--strategy",
        "cmpxchg8b",
        "--why",
    ]));
    assert!(forbidden.contains("x86-TSO forbids it"), "{forbidden}");
    // list and run show the model beside the declared expectation.
    assert!(stdout(&litmus(&["list"])).contains("the model: agrees for every strategy"));
    let run = stdout(&litmus(&[
        "run",
        "MP",
        "--iterations",
        "64",
        "--quiet",
        "--verbose",
    ]));
    assert!(
        run.lines()
            .any(|l| l.starts_with("MP ") && l.contains("Forbidden  Forbidden")),
        "{run}"
    );
    assert_bad_input(&["model", "NOPE"], "unknown test 'NOPE'");
    assert_bad_input(
        &["model", "SB", "--strategy", "movq"],
        "unknown strategy 'movq'",
    );
}

#[test]
fn export_writes_herd_files_or_says_why_not() {
    let dir = temp("herd");
    let out = litmus(&["export", "--herd", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let sb = std::fs::read_to_string(dir.join("SB.litmus")).unwrap();
    assert!(sb.starts_with("X86 SB\n"), "{sb}");
    let all = std::fs::read_to_string(dir.join("@all")).unwrap();
    assert!(all.lines().any(|l| l == "PTE-ABA+lowhigh.litmus"), "{all}");
    assert!(stdout(&out).contains("not exported: PTE-LOST"));
    std::fs::remove_dir_all(&dir).unwrap();
    assert_bad_input(
        &["export", "--herd", "/proc/no-such-dir/herd"],
        "cannot create",
    );
}

/// `results/` keeps at its top level only what `compare` reads, so the
/// natural command takes every file there.
#[test]
fn compare_reads_every_csv_at_the_top_of_results() {
    let results = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("results");
    let mut files: Vec<String> = std::fs::read_dir(&results)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert!(files.len() >= 3, "{files:?}");
    let mut args = vec!["compare"];
    args.extend(files.iter().map(String::as_str));
    let out = litmus(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("Litmus tests") && stdout(&out).contains("Benchmarks"));
}

/// `--reader-window auto` names the narrowest window that tore `lowhigh`,
/// records it with its measured units, and `compare` shows it.
#[test]
fn the_window_search_finds_a_window_that_tears_and_compare_shows_it() {
    let path = temp("auto.csv");
    let out = litmus(&[
        "run",
        "PTE-ABA",
        "--strategy",
        "lowhigh,cmpxchg8b",
        "--reader-window",
        "auto",
        "--tear-rate",
        "1e-5",
        "--duration",
        "0.2",
        "--quiet",
        "--csv",
        path.to_str().unwrap(),
    ]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("PTE-ABA [lowhigh]: narrowest window that tears at 1e-5 per read: "),
        "{text}"
    );
    assert!(
        text.contains("PTE-ABA [cmpxchg8b]: no window up to "),
        "a single 8-byte read never tears: {text}"
    );
    let compare = stdout(&litmus(&["compare", path.to_str().unwrap()]));
    assert!(compare.contains("Narrowest window that tears"), "{compare}");
    let lowhigh = compare
        .lines()
        .skip_while(|l| !l.starts_with("Narrowest"))
        .find(|l| l.starts_with("PTE-ABA") && l.contains("lowhigh"))
        .unwrap();
    // The search found a window that tears; the run at it is another
    // sample, which on a noisy host can come back with none: compare shows
    // what the recorded run saw.
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let header = reader.headers().unwrap().clone();
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let torn: u64 = reader
        .records()
        .map(Result::unwrap)
        .filter(|r| &r[col("strategy")] == "lowhigh" && &r[col("witness")] == "true")
        .map(|r| r[col("count")].parse::<u64>().unwrap())
        .sum();
    assert!(lowhigh.contains("turns)"), "{lowhigh}");
    assert_eq!(
        lowhigh.contains("none to"),
        torn == 0,
        "{torn} torn: {lowhigh}"
    );
}

/// `litmus refault` writes a row `compare` reads (the kernel's cycle per
/// machine), and every run with PTE tests reports the same cycle.
#[test]
fn the_kernels_refault_is_measured_recorded_and_compared() {
    let path = temp("refault.csv");
    let out = litmus(&[
        "refault",
        "--cycles",
        "500",
        "--csv",
        path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("zap and refault of one anonymous page"));
    let compare = stdout(&litmus(&["compare", path.to_str().unwrap()]));
    assert!(
        compare.contains("The kernel's zap and refault of one page"),
        "{compare}"
    );
    let run = stdout(&litmus(&[
        "run",
        "PTE-ABA",
        "--strategy",
        "lowhigh",
        "--iterations",
        "1000",
    ]));
    assert!(
        run.contains("the kernel's zap+refault of one page: median"),
        "{run}"
    );
    assert!(
        run.contains("The seed's race needs two zap-and-refault cycles"),
        "{run}"
    );
}

/// The project's copies of herdtools7's x86 catalogue shapes.
fn catalogue() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/litmus/x86")
}

/// A `.litmus` file runs on the harness: litmus7's lines, the model beside
/// them, the file's path and hash in the CSV.
#[test]
fn a_litmus_file_runs_with_litmus7s_report_and_the_models_verdict() {
    let sb = catalogue().join("SB.litmus");
    let csv = temp("file.csv");
    let out = litmus(&[
        "run",
        sb.to_str().unwrap(),
        "--iterations",
        "200000",
        "--verbose",
        "--csv",
        csv.to_str().unwrap(),
    ]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}\n{}", stderr(&out));
    assert!(text.contains("Observation SB "), "{text}");
    assert!(
        text.contains("Condition exists (0:EAX=0 /\\ 1:EAX=0) is "),
        "{text}"
    );
    assert!(
        text.contains("*> 0:EAX=0; 1:EAX=0;") || text.contains("allowed but not observed"),
        "{text}"
    );
    let mut reader = csv::Reader::from_path(&csv).unwrap();
    let header = reader.headers().unwrap().clone();
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(&row[col("test")], "SB");
    assert!(row[col("source")].ends_with("SB.litmus"));
    assert_eq!(row[col("source_hash")].len(), 64);
    assert_eq!(&row[col("expected")], "Allowed");
    // show and model take files too.
    let show = stdout(&litmus(&["show", sb.to_str().unwrap()]));
    assert!(
        show.contains("P0: x=1; EAX=y") && show.contains("Result: Sometimes"),
        "{show}"
    );
    let model = stdout(&litmus(&["model", sb.to_str().unwrap()]));
    assert!(model.contains("Observation SB Sometimes 1 3"), "{model}");
}

#[test]
fn a_bad_litmus_file_is_one_line_naming_file_and_line() {
    let bad = temp("bad.litmus");
    std::fs::write(&bad, "X86 BAD\n{ x=0; }\n P0 ;\n JNE L0 ;\nexists (x=1)\n").unwrap();
    let shown = bad.to_str().unwrap();
    for command in ["run", "show", "model"] {
        assert_bad_input(
            &[command, shown],
            &format!("{shown}:4: 'JNE L0' has no CMP right before it"),
        );
    }
    let joined = temp("joined.litmus");
    std::fs::write(
        &joined,
        "X86 JOINED\n{ x=0; y=0; }\n P0 | P1 ;\n MOV [x],$1 | MOV [y],$1 ;\n \
         MOV EAX,[y] MOV EBX,[x] ;\nexists (0:EAX=0)\n",
    )
    .unwrap();
    assert_bad_input(
        &["show", joined.to_str().unwrap()],
        ":5: 'MOV EAX,[y] MOV EBX,[x]' holds two instructions: a column separator '|' is missing",
    );
    assert_bad_input(
        &["run", "/nonexistent/x.litmus"],
        "cannot read /nonexistent/x.litmus",
    );
    let list = temp("@list");
    std::fs::write(&list, "# one missing\nnope.litmus\n").unwrap();
    assert_bad_input(
        &["run", list.to_str().unwrap()],
        ":2: 'nope.litmus' is not a file",
    );
    assert_bad_input(&["guest", shown], "the guest runs the built-in tests only");
}

/// The whole catalogue through the harness: nothing the model forbids is
/// seen, and every file's model verdict is what the file's test asks.
#[test]
fn the_catalogue_runs_with_nothing_forbidden() {
    let all = catalogue().join("@all");
    let out = litmus(&[
        "run",
        all.to_str().unwrap(),
        "--iterations",
        "50000",
        "--quiet",
    ]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}\n{}", stderr(&out));
    assert!(!text.contains("UNEXPECTED"), "{text}");
    assert!(!text.contains("FORBIDDEN"), "{text}");
    // The closing table's lines end with the verdict in words.
    let judged = text
        .lines()
        .filter(|l| {
            [
                "  allowed, seen",
                "  allowed, not seen",
                "  forbidden, never seen",
            ]
            .iter()
            .any(|w| l.ends_with(w))
        })
        .count();
    // The i586 build has no `mfence`: those files are unavailable, saying
    // why; every other build runs all 23.
    let unavailable: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("Unavailable here: "))
        .flat_map(|l| l.split("; "))
        .collect();
    assert!(
        unavailable.iter().all(|l| l.contains("needs SSE2")),
        "{unavailable:?}"
    );
    if cfg!(target_feature = "sse2") {
        assert!(unavailable.is_empty(), "{unavailable:?}");
    }
    assert_eq!(judged + unavailable.len(), 23, "every file judged:\n{text}");
    assert!(judged >= 7, "{text}");
}

/// Export, then import: every exported file is read back, and the model
/// gives it the verdict the built-in test declares; a bounded run of each
/// sees nothing the model forbids.
#[test]
fn exported_files_come_back_with_the_built_in_verdicts() {
    let dir = temp("roundtrip");
    let out = litmus(&["export", "--herd", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let list = stdout(&litmus(&["list"]));
    for entry in std::fs::read_to_string(dir.join("@all")).unwrap().lines() {
        let file = dir.join(entry);
        let model = stdout(&litmus(&["model", file.to_str().unwrap()]));
        let declared = std::fs::read_to_string(&file)
            .unwrap()
            .lines()
            .find_map(|l| l.strip_prefix(" * Result: ").map(str::to_string))
            .unwrap();
        let want = if declared == "Sometimes" {
            "Allowed"
        } else {
            "Forbidden"
        };
        assert!(
            model.contains(&format!("Witness: {want} (the file declares none)")),
            "{entry}: declared {declared}\n{model}"
        );
    }
    assert!(list.contains("PTE-ABA"));
    // Every exported file runs (briefly) with nothing forbidden seen.
    let out = litmus(&[
        "run",
        dir.join("@all").to_str().unwrap(),
        "--iterations",
        "2000",
        "--quiet",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `--mode`: perpetual runs what converts (its rows say so; `R`, whose
/// location both threads store, with observers), says why a test does not
/// convert (unavailable under `perpetual`, run as instances under `auto`),
/// and a forbidden test stays unseen.
#[test]
fn perpetual_mode_runs_what_converts_and_says_why_not() {
    let csv = temp("perpetual.csv");
    let out = litmus(&[
        "run",
        "SB",
        "MP",
        "R",
        "IRIW",
        "--mode",
        "perpetual",
        "--iterations",
        "100000",
        "--quiet",
        "--csv",
        csv.to_str().unwrap(),
    ]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}\n{}", stderr(&out));
    assert!(
        text.contains(
            "Unavailable here: IRIW (no perpetual form: perpetual runs two-thread tests; this \
             one has 4 threads)"
        ),
        "{text}"
    );
    let mut reader = csv::Reader::from_path(&csv).unwrap();
    let header = reader.headers().unwrap().clone();
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert!(rows.iter().all(|r| &r[col("mode")] == "perpetual"));
    let witnesses = |test: &str| -> u64 {
        rows.iter()
            .filter(|r| &r[col("test")] == test && &r[col("witness")] == "true")
            .map(|r| r[col("count")].parse::<u64>().unwrap())
            .sum()
    };
    assert!(witnesses("SB") > 0, "{text}");
    assert_eq!(witnesses("MP"), 0, "{text}");
    assert!(rows.iter().any(|r| &r[col("test")] == "R"));
    assert!(rows.iter().all(|r| &r[col("test")] != "IRIW"));

    let auto = temp("auto-mode.csv");
    let out = litmus(&[
        "run",
        "SB",
        "IRIW",
        "--mode",
        "auto",
        "--iterations",
        "20000",
        "--quiet",
        "--csv",
        auto.to_str().unwrap(),
    ]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains(
            "litmus: IRIW: runs as instances, not perpetually: perpetual runs two-thread"
        ),
        "{text}"
    );
    let mut reader = csv::Reader::from_path(&auto).unwrap();
    let header = reader.headers().unwrap().clone();
    let (test, mode) = (
        header.iter().position(|h| h == "test").unwrap(),
        header.iter().position(|h| h == "mode").unwrap(),
    );
    let modes: std::collections::BTreeSet<(String, String)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[test].to_string(), r[mode].to_string())
        })
        .collect();
    // IRIW has no perpetual form; SB runs whichever way its probe found
    // witnesses fastest (a timing: perpetual on an idle machine, not
    // always on a loaded one), one way for the whole run.
    let modes: Vec<(String, String)> = modes.into_iter().collect();
    assert_eq!(modes.len(), 2, "{modes:?}");
    assert_eq!(modes[0], ("IRIW".to_string(), "instances".to_string()));
    assert_eq!(modes[1].0, "SB");
    assert!(
        ["perpetual", "instances"].contains(&modes[1].1.as_str()),
        "{modes:?}"
    );
    assert_bad_input(&["run", "SB", "--mode", "forever"], "forever");
}

/// `--sync none`: instances with no meeting within a batch (litmus7's
/// `-barrier none`); a forbidden outcome stays unseen, the detail says how
/// it ran (the pattern it learnt), and an unknown sync mode is bad input.
#[test]
fn free_running_instances_run_and_keep_forbidden_outcomes_unseen() {
    let out = litmus(&[
        "run",
        "MP",
        "2+2W",
        "R",
        "--mode",
        "instances",
        "--sync",
        "none",
        "--iterations",
        "50000",
        "--quiet",
        "--verbose",
    ]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}\n{}", stderr(&out));
    assert!(text.contains("no meeting within a batch"), "{text}");
    // The memory pattern is learnt (`--tuning auto`); there are no
    // deadlines to shift.
    let free: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("-barrier none)"))
        .collect();
    assert!(!free.is_empty(), "{text}");
    for l in free {
        assert!(
            l.contains("-barrier none); tuned: ") && !l.contains("shifted"),
            "{l}"
        );
    }
    for test in ["MP", "2+2W"] {
        let line = text
            .lines()
            .find(|l| l.split_whitespace().next() == Some(test) && l.contains("never seen"));
        assert!(line.is_some(), "{test}: {text}");
    }
    assert_bad_input(&["run", "SB", "--sync", "sometimes"], "sometimes");
}
