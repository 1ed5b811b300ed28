//! `litmus export --lkmm DIR`, driven as users drive it: the PTE tests and
//! the protocols' pairs written as the kernel's C litmus tests, each read
//! back by the suite's C reader with its `Result:` line re-derived from the
//! suite's LKMM; the seed's race as the LKMM answers it; the 2022 plain
//! loads flagged as a data race; bad directories refused in one line.
//! Neither herd7 nor `../shared` is needed (`scripts/lkmm-export-vs-herd7.sh`
//! holds the files against herd7).

use pte_litmus::catalog::file::c;
use pte_litmus::judge::lkmm::{LkmmVerdict, judge};
use pte_litmus::model::lkmm;
use std::path::{Path, PathBuf};
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

/// A fresh directory for one test's export.
fn fresh(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "pte-litmus-lkmm-export-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Export into a fresh directory; the files in `@all`'s order.
fn export(name: &str) -> (PathBuf, Vec<String>, String) {
    let dir = fresh(name);
    let out = litmus(&["export", "--lkmm", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let all = std::fs::read_to_string(dir.join("@all")).unwrap();
    let files = all.lines().map(String::from).collect();
    (dir, files, text(&out.stdout))
}

/// What the suite's LKMM says of a file, as its `Result:` line writes it.
fn modelled_result(path: &Path) -> (String, c::CTest, lkmm::Outcome) {
    let test = c::read(path).unwrap_or_else(|e| panic!("{e}"));
    let outcome = lkmm::model(&test.program).unwrap_or_else(|e| panic!("{e}"));
    let race = outcome.flags().any(|f| f == "data-race");
    let word = outcome.observation().word();
    let result = if race {
        format!("{word} DATARACE")
    } else {
        word.to_string()
    };
    (result, test, outcome)
}

fn expected_files() -> Vec<String> {
    let mut names = Vec::new();
    for test in ["PTE-MP", "PTE-ABA", "PTE-LOST"] {
        for read in [
            "split",
            "lowhigh",
            "lowhigh+plain",
            "lowhigh-lockadd",
            "seqcount",
        ] {
            names.push(format!("{test}+{read}.litmus"));
        }
    }
    for reader in ["lowhigh", "highlow", "lowhighlowhigh", "seqcount"] {
        for writer in [
            "kernel",
            "zap-high-first",
            "install-low-first",
            "reversed",
            "seqcount",
            "generation",
        ] {
            names.push(format!("PTE-PROTOCOL+{reader}+{writer}.litmus"));
        }
    }
    names
}

#[test]
fn the_export_writes_the_expected_files_each_with_the_models_result() {
    let (dir, files, stdout) = export("all");
    assert_eq!(files, expected_files());
    assert!(
        stdout.starts_with(&format!("litmus: {} tests into ", files.len())),
        "{stdout}"
    );
    for name in &files {
        let path = dir.join(name);
        let (result, test, outcome) = modelled_result(&path);
        assert_eq!(test.program.name, name.trim_end_matches(".litmus"));
        assert_eq!(
            test.program.result.as_deref(),
            Some(result.as_str()),
            "{name}"
        );
        assert!(test.text.starts_with(&format!("C {}\n", test.program.name)));
        // judgelitmus.sh would pass it.
        let verdict = judge(
            &outcome.name,
            test.program.result.as_deref(),
            outcome.modelled(),
        );
        assert_eq!(verdict, LkmmVerdict::Pass, "{name}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_seeds_race_is_what_the_lkmm_says_and_the_plain_form_races() {
    let (dir, _, stdout) = export("seed");
    let read = |name: &str| {
        c::read(&dir.join(format!("{name}.litmus")))
            .unwrap_or_else(|e| panic!("{e}"))
            .program
            .result
            .unwrap_or_default()
    };
    // The kernel's ptep_get_lockless() against pte_clear()/set_pte() with
    // the seed's A, B, C: as the suite's own hand-written C test says.
    let own = c::read(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/litmus/c/PTE-lowhigh-ABA.litmus"),
    )
    .unwrap();
    assert_eq!(own.program.result.as_deref(), Some("Sometimes"));
    assert_eq!(read("PTE-ABA+lowhigh"), "Sometimes");
    assert_eq!(read("PTE-ABA+lowhigh+plain"), "Sometimes DATARACE");
    // Jason's fresh PTEs keep the kernel's reader whole; the sequence
    // count keeps the seed's race out.
    assert_eq!(read("PTE-MP+lowhigh"), "Never");
    assert_eq!(read("PTE-ABA+seqcount"), "Never");
    assert_eq!(read("PTE-PROTOCOL+seqcount+seqcount"), "Never");
    let aba = std::fs::read_to_string(dir.join("PTE-ABA+lowhigh.litmus")).unwrap();
    for line in [
        "\tlo = READ_ONCE(*pte_low);\n\tsmp_rmb();\n\thi = READ_ONCE(*pte_high);\n\tsmp_rmb();\n\tlo2 = READ_ONCE(*pte_low);\n",
        "\tWRITE_ONCE(*pte_high, 65538);\n\tsmp_wmb();\n\tWRITE_ONCE(*pte_low, 131175);\n",
        "(0:lo=65639 /\\ 0:hi=65538 /\\ 0:lo2=65639)",
    ] {
        assert!(aba.contains(line), "{line:?} not in\n{aba}");
    }
    // What has no C form is said, with the reason.
    assert!(
        stdout
            .contains("not exported: PTE-MP, PTE-ABA, PTE-LOST with cmpxchg8b: one 8-byte access"),
        "{stdout}"
    );
    assert!(stdout.contains("not exported: PTE-ABA3"), "{stdout}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Exit status 2 and exactly one line on stderr naming the problem.
fn assert_bad_input(args: &[&str], mentions: &str) {
    let out = litmus(args);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{args:?}: one line, got {err:?}");
    assert!(
        err.contains(mentions),
        "{args:?}: {err:?} lacks {mentions:?}"
    );
    assert!(!err.contains("panicked"), "{args:?}: {err}");
}

#[test]
fn an_unwritable_directory_or_no_directory_is_one_line_and_status_2() {
    assert_bad_input(
        &["export", "--lkmm", "/proc/no-such-dir/lkmm"],
        "cannot create /proc/no-such-dir/lkmm",
    );
    assert_bad_input(&["export"], "--herd");
}

#[test]
fn both_exports_at_once_write_both_directories() {
    let (herd, lkmm) = (fresh("both-herd"), fresh("both-lkmm"));
    let out = litmus(&[
        "export",
        "--herd",
        herd.to_str().unwrap(),
        "--lkmm",
        lkmm.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(herd.join("PTE-ABA+lowhigh.litmus").is_file());
    assert!(lkmm.join("PTE-ABA+lowhigh.litmus").is_file());
    let stdout = text(&out.stdout);
    assert_eq!(
        stdout
            .lines()
            .filter(|l| l.contains(" tests into "))
            .count(),
        2,
        "{stdout}"
    );
    std::fs::remove_dir_all(&herd).unwrap();
    std::fs::remove_dir_all(&lkmm).unwrap();
}
