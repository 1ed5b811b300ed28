//! `litmus protocols` as users drive it: the model's matrix and traces,
//! bad input, and a bounded hardware run whose verdicts could fail (a torn
//! read the model rules out would make it exit 1).

use std::path::PathBuf;
use std::process::{Command, Output};

fn litmus(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_litmus"))
        .args(args)
        .output()
        .expect("run litmus")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pte-litmus-protocols-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

#[test]
fn the_model_prints_the_matrix_and_the_seeds_trace() {
    let out = litmus(&["protocols", "--model", "--why", "--markdown"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains(
            "| reader \\ writer | kernel | zap-high-first | install-low-first | reversed | seqcount | generation |"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("| lowhigh | 1 (2) |"), "{stdout}");
    assert!(
        stdout.contains("| seqcount | 1 | 1 | 1 | 1 | whole <= 8 | 1 |"),
        "{stdout}"
    );
    // --why: the kernel's pair, both tears, the seed's the second.
    assert!(
        stdout.contains("=== lowhigh x kernel: torn with 1 cycle(s)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("torn with both halves from installed PTEs: 2 cycles"),
        "{stdout}"
    );
    assert!(
        stdout.contains("returns 0x0000000200001067: never installed"),
        "{stdout}"
    );
    assert!(
        stdout.contains("=== seqcount x seqcount: whole: no torn read with up to 8"),
        "{stdout}"
    );
}

/// `--model lkmm`: the kernel's memory model's matrix beside x86-TSO's,
/// the pairs where they differ and why, and the C tests it judged.
#[test]
fn the_lkmm_matrix_says_where_it_differs_from_x86() {
    let dir = temp("lkmm-tests");
    let _ = std::fs::remove_dir_all(&dir);
    let out = litmus(&[
        "protocols",
        "--model",
        "lkmm",
        "--reader",
        "lowhigh,lowhigh-lfence",
        "--writer",
        "kernel,zap-high-first",
        "--cycles",
        "2",
        "--why",
        "--c-tests",
        dir.to_str().unwrap(),
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("The kernel's memory model (LKMM"),
        "{stdout}"
    );
    // The lfence reader has no C form: said, not in the matrix.
    assert!(
        stdout.contains("- the lowhigh-lfence reader: lfence is x86's rmb()"),
        "{stdout}"
    );
    assert!(
        stdout.contains("- lowhigh x zap-high-first: x86-TSO 1 (2), LKMM 1 (the zap's last store, to pte_low, and the install's first, to pte_high, have no smp_wmb() between them"),
        "{stdout}"
    );
    assert!(!stdout.contains("- lowhigh x kernel:"), "{stdout}");
    // The LKMM's seed-like tear: the high half of B with A's low, read
    // before the zap's low store reached the reader.
    assert!(
        stdout.contains("=== LKMM: lowhigh x zap-high-first: torn with 1 cycle(s)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("torn with both halves from installed PTEs: 1 cycle\n"),
        "{stdout}"
    );
    // One test per pair and cycle count tried: the kernel's pair needs 2.
    let all = std::fs::read_to_string(dir.join("@all")).unwrap();
    assert_eq!(
        all.lines().collect::<Vec<_>>(),
        [
            "PTE-PROTOCOL+lowhigh+kernel+1.litmus",
            "PTE-PROTOCOL+lowhigh+kernel+2.litmus",
            "PTE-PROTOCOL+lowhigh+zap-high-first+1.litmus"
        ]
    );
    let model = litmus(&[
        "model",
        dir.join("PTE-PROTOCOL+lowhigh+zap-high-first+1.litmus")
            .to_str()
            .unwrap(),
    ]);
    assert!(
        text(&model.stdout).contains("0:hi=2; 0:lo=1; 0:lo2=1;"),
        "{}",
        text(&model.stdout)
    );
}

#[test]
fn bad_input_is_one_line_and_status_2() {
    for (args, mentions) in [
        (
            &["protocols", "--reader", "nope"][..],
            "unknown reader 'nope'",
        ),
        (
            &["protocols", "--writer", "nope"][..],
            "unknown writer 'nope'",
        ),
        (&["protocols", "--writers", "4"][..], "4"),
        (&["protocols", "--cycles", "0"][..], "0"),
        (
            &["protocols", "--reader-window", "5turns"][..],
            "--reader-window 5turns",
        ),
        (&["protocols", "--reader-window", "auto"][..], "auto"),
        (&["protocols", "--cores", "0,4096"][..], "4096"),
        (
            &["protocols", "--model", "--csv", "/nonexistent/dir/p.csv"][..],
            "/nonexistent/dir/p.csv",
        ),
        (&["protocols", "--model", "sc"][..], "sc"),
        (
            &["protocols", "--model", "--c-tests", "/tmp/x"][..],
            "--model lkmm",
        ),
        (
            &[
                "protocols",
                "--model",
                "lkmm",
                "--reader",
                "seqcount",
                "--writer",
                "kernel",
                "--c-tests",
                "/proc/no",
            ][..],
            "/proc/no",
        ),
    ] {
        let out = litmus(args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err:?}");
        assert!(err.contains(mentions), "{args:?}: {err:?}");
    }
}

/// Four pairs, three windows, 20,000 reads each: the kernel's pair must
/// tear somewhere in the sweep (the model's 1 cycle), seqcount against its
/// writer never (the model's whole), and the CSV holds a row per run that
/// `compare` reads back.
#[test]
fn a_bounded_hardware_run_judges_each_pair_and_records_it() {
    let csv = temp("protocols.csv");
    let args = [
        "protocols",
        "--reader",
        "lowhigh,seqcount",
        "--writer",
        "kernel,seqcount",
        "--iterations",
        "200000",
        "--csv",
        csv.to_str().unwrap(),
    ];
    let out = litmus(&args);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    let mut reader = csv::Reader::from_path(&csv).unwrap();
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 4 * 3, "a row per pair and window");
    let torn = |reader: &str, writer: &str| -> u64 {
        rows.iter()
            .filter(|r| &r[column("reader")] == reader && &r[column("writer")] == writer)
            .map(|r| r[column("torn")].parse::<u64>().unwrap())
            .sum()
    };
    assert!(torn("seqcount", "kernel") > 0, "{stdout}");
    assert_eq!(torn("seqcount", "seqcount"), 0, "{stdout}");
    for r in &rows {
        assert_ne!(&r[column("verdict")], "UNEXPECTED", "{r:?}");
        assert_eq!(&r[column("reads")], "200000");
    }
    let compared = litmus(&["compare", csv.to_str().unwrap()]);
    let report = text(&compared.stdout);
    assert_eq!(
        compared.status.code(),
        Some(0),
        "{}",
        text(&compared.stderr)
    );
    assert!(
        report.contains("Protocols: torn reads per second"),
        "{report}"
    );
    assert!(report.contains("whole <= 8"), "{report}");
}
