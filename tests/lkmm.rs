//! The LKMM model and the C reader against herd7 (herdtools7 7.58 with the
//! kernel's `linux-kernel.cfg`) on the project's own C litmus tests
//! (`tests/litmus/c/`): herd7's output for each, recorded as data with the
//! command that made it (`tests/litmus/c/herd7-output.txt`, written by
//! `scripts/c-herd7-output.sh`), must be what `litmus model` prints, line
//! for line but `Time`; each file's `Result:` line must be what the model
//! says, judged as `judgelitmus.sh` judges; and each bad file is refused in
//! one line naming its line and column. Neither herd7 nor `../shared` is
//! needed.

use pte_litmus::catalog::file::c;
use pte_litmus::judge::lkmm::judge;
use pte_litmus::model::lkmm;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// herd7's recorded output: file (from the repository root) -> its lines.
fn recorded() -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(root().join("tests/litmus/c/herd7-output.txt")).unwrap();
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current = None;
    for line in text.lines() {
        if line.starts_with('#') {
            continue;
        }
        if let Some(file) = line.strip_prefix("== ") {
            current = Some(file.to_string());
            out.insert(file.to_string(), Vec::new());
        } else if let Some(file) = &current
            && !line.is_empty()
        {
            out.get_mut(file).unwrap().push(line.to_string());
        }
    }
    out
}

fn model_lines(path: &Path) -> (Vec<String>, lkmm::Outcome, c::CTest) {
    let test = c::read(path).unwrap_or_else(|e| panic!("{e}"));
    let outcome = lkmm::model(&test.program).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let lines = lkmm::herd_text(&outcome)
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with("Time "))
        .map(String::from)
        .collect();
    (lines, outcome, test)
}

#[test]
fn the_model_prints_what_herd7_printed_on_every_recorded_file() {
    let recorded = recorded();
    assert!(recorded.len() >= 90, "{} files recorded", recorded.len());
    let mut differ = Vec::new();
    for (file, herd) in &recorded {
        let (ours, _, _) = model_lines(&root().join(file));
        if &ours != herd {
            differ.push(format!(
                "{file}:\n  herd7: {}\n  model: {}",
                herd.join(" | "),
                ours.join(" | ")
            ));
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {} differ:\n{}",
        differ.len(),
        recorded.len(),
        differ.join("\n")
    );
}

#[test]
fn every_result_line_is_what_the_model_derives() {
    let list = std::fs::read_to_string(root().join("tests/litmus/c/@all")).unwrap();
    let mut wrong = Vec::new();
    let mut count = 0;
    for name in list
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (_, outcome, test) = model_lines(&root().join("tests/litmus/c").join(name));
        let result = test.program.result.as_deref();
        assert!(result.is_some(), "{name} has no Result: line");
        let verdict = judge(&outcome.name, result, outcome.modelled());
        if !verdict.passed() {
            wrong.push(format!("{name}: {verdict:?}"));
        }
        count += 1;
    }
    assert!(count >= 80, "{count} tests listed");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn each_bad_file_is_refused_in_one_line_at_its_construct() {
    let dir = root().join("tests/litmus/c/bad");
    let expected = std::fs::read_to_string(dir.join("EXPECTED.txt")).unwrap();
    let mut count = 0;
    for line in expected.lines().filter(|l| !l.starts_with('#')) {
        let fields: Vec<&str> = line.split('|').collect();
        let (file, at) = (fields[0], fields[1]);
        let e = c::read(&dir.join(file))
            .map(|_| ())
            .expect_err(file)
            .to_string();
        assert!(!e.contains('\n'), "{file}: {e}");
        // FILE:LINE:COL: message
        let after = e
            .split_once(".litmus:")
            .unwrap_or_else(|| panic!("{file}: {e}"))
            .1;
        let mut parts = after.splitn(3, ':');
        let (l, col) = (parts.next().unwrap(), parts.next().unwrap());
        assert!(col.parse::<u32>().is_ok(), "{file}: no column: {e}");
        // Where the construct is, or (a missing ';', an unclosed brace)
        // where the reader found out, at most two lines on.
        let l: u32 = l.parse().unwrap_or_else(|_| panic!("{file}: no line: {e}"));
        let at: u32 = at.parse().unwrap();
        assert!(
            (at..=at + 3).contains(&l),
            "{file}: line {l}, wanted {at}: {e}"
        );
        count += 1;
    }
    assert_eq!(count, 12);
}

#[test]
fn what_herd7_accepts_the_reader_accepts() {
    let dir = root().join("tests/litmus/c/accepted");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "litmus") {
            c::read(&path).unwrap_or_else(|e| panic!("{e}"));
            count += 1;
        }
    }
    assert_eq!(count, 5);
}

fn litmus(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_litmus"))
        .args(args)
        .output()
        .expect("run litmus")
}

#[test]
fn litmus_model_prints_herd7s_lines_and_judges_the_result_line() {
    let sb = root().join("tests/litmus/c/SB+mbs.litmus");
    let out = litmus(&["model", sb.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("\nObservation SB+mbs Never 0 3\n"), "{text}");
    assert!(
        text.starts_with("Test SB+mbs Allowed\nStates 3\n"),
        "{text}"
    );

    // The same test claiming the outcome happens: judged as judgelitmus.sh
    // judges, a finding (status 1), the output itself unchanged.
    let wrong = std::env::temp_dir().join(format!("lkmm-wrong-{}.litmus", std::process::id()));
    let source = std::fs::read_to_string(&sb).unwrap();
    std::fs::write(&wrong, source.replace("Result: Never", "Result: Sometimes")).unwrap();
    let out = litmus(&["model", wrong.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("Sometimes predicted, but: Observation SB+mbs Never 0 3"),
        "{err}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("\nObservation SB+mbs Never 0 3\n"));
    std::fs::remove_file(&wrong).unwrap();
}

#[test]
fn bad_c_files_are_one_line_and_status_2() {
    let dir = root().join("tests/litmus/c/bad");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "litmus") {
            continue;
        }
        for command in ["show", "model"] {
            let out = litmus(&[command, path.to_str().unwrap()]);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{command} {}: {err}",
                path.display()
            );
            assert_eq!(err.lines().count(), 1, "{err}");
            assert!(
                err.contains(path.file_name().unwrap().to_str().unwrap()),
                "{err}"
            );
        }
    }
    // A C test with no x86 code, run: tests/lkmm_x86.rs
    // (a_test_with_no_x86_code_is_refused_in_one_line).
}

#[test]
fn what_show_prints_reads_back_to_the_same_verdict() {
    let list = std::fs::read_to_string(root().join("tests/litmus/c/@all")).unwrap();
    for name in list
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let path = root().join("tests/litmus/c").join(name);
        let out = litmus(&["show", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{name}");
        let shown = String::from_utf8_lossy(&out.stdout);
        let again = c::from_text(&shown).unwrap_or_else(|e| panic!("{name}: {e}\n{shown}"));
        let verdict = |p: &c::ast::CProgram| {
            let text = lkmm::herd_text(&lkmm::model(p).unwrap());
            text.lines()
                .filter(|l| !l.starts_with("Time "))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let original = c::read(&path).unwrap().program;
        assert_eq!(verdict(&again), verdict(&original), "{name}");
        assert_eq!(again.result, original.result, "{name}");
    }
}

#[test]
fn litmus_list_reads_result_lines_as_judgelitmus_sh_does() {
    let dir = root().join("tests/litmus/c");
    let out = litmus(&[
        "list",
        dir.join("Plain+race.litmus").to_str().unwrap(),
        dir.join("Lock-twice.litmus").to_str().unwrap(),
        dir.join("SB+mbs.litmus").to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let row = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} in {text}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        row("Plain+race"),
        "Plain+race Sometimes DATARACE LKMM Sometimes data-race pass"
    );
    assert_eq!(row("Lock-twice"), "Lock-twice DEADLOCK LKMM Never pass");
    assert_eq!(row("SB+mbs"), "SB+mbs Never LKMM Never pass");
}

#[test]
fn the_pruned_search_answers_as_the_exhaustive_one() {
    let list = std::fs::read_to_string(root().join("tests/litmus/c/@all")).unwrap();
    for name in list
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let test = c::read(&root().join("tests/litmus/c").join(name)).unwrap();
        let text = |exhaustive| {
            let search = lkmm::Search {
                exhaustive,
                ..lkmm::Search::default()
            };
            let outcome = lkmm::model_with(&test.program, search).unwrap();
            lkmm::herd_text(&outcome)
                .lines()
                .filter(|l| !l.starts_with("Time "))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(text(true), text(false), "{name}");
    }
}

#[test]
fn why_shows_a_witness_or_the_axioms_that_rule_the_outcome_out() {
    let dir = root().join("tests/litmus/c");
    let why = |name: &str| {
        let out = litmus(&["model", "--why", dir.join(name).to_str().unwrap()]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // SB with smp_mb(): the one candidate reaching r0=0 in both fails pb.
    let sb = why("SB+mbs.litmus");
    assert!(
        sb.contains("Why: 1 candidate execution(s) reach the outcome"),
        "{sb}"
    );
    assert!(sb.contains("propagation: acyclic pb"), "{sb}");
    // MP with wmb and rmb: ruled out by happens-before.
    let mp = why("MP+wmb+rmb.litmus");
    assert!(mp.contains("happens-before: acyclic hb"), "{mp}");
    // The seed's ABA: the reader's three loads and what each reads from.
    let aba = why("PTE-lowhigh-ABA.litmus");
    assert!(
        aba.contains("Why: an execution the LKMM allows reaches the outcome"),
        "{aba}"
    );
    assert!(aba.contains("R[once] pte_high=20"), "{aba}");
    assert!(aba.contains("co pte_low: init -> "), "{aba}");
}
