//! The model against herd7 (herdtools7 7.58): on the shapes of herdtools7's
//! x86 catalogue (`tests/litmus/x86/`) and on every file `litmus export
//! --herd` writes, the model gives the same word (`Never`, `Sometimes`,
//! `Always`) and the same set of final states. herd7's answers are data,
//! recorded with how they were made (`tests/litmus/herd7-states.txt`), so
//! this test needs neither herd7 nor herdtools7.
//!
//! herd7's `Observation` line counts executions, the model's counts final
//! states, so the numbers are not compared; the states are.

use pte_litmus::catalog::file;
use pte_litmus::model::{self, explore};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// `== NAME WORD` blocks, each followed by its final states.
fn recorded() -> BTreeMap<String, (String, BTreeSet<String>)> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/litmus/herd7-states.txt");
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if let Some(head) = line.strip_prefix("== ") {
            let (name, word) = head.split_once(' ').unwrap();
            out.insert(name.to_string(), (word.to_string(), BTreeSet::new()));
            current = Some(name.to_string());
        } else {
            let name = current.as_ref().unwrap();
            out.get_mut(name).unwrap().1.insert(normalise(line));
        }
    }
    out
}

/// A state as both print it, brackets, spaces and order aside: herd7
/// writes `0:EAX=0; [x]=1;`, the model `x=1; 0:EAX=0;`.
fn normalise(state: &str) -> String {
    let mut atoms: Vec<String> = state
        .replace(['[', ']', ' '], "")
        .split(';')
        .filter(|a| !a.is_empty())
        .map(String::from)
        .collect();
    atoms.sort();
    atoms.join(";")
}

/// The model's word and final states for a file's text.
fn model_of(text: &str) -> (String, BTreeSet<String>, bool) {
    let test = file::from_text(text).unwrap();
    let found = explore(&model::litmus::litmus_program(&test.program));
    let states = found.finals.iter().map(|f| normalise(&f.label)).collect();
    (
        found.observation().word().to_string(),
        states,
        found.truncated,
    )
}

#[test]
fn the_model_reaches_what_herd7_reaches() {
    let herd = recorded();
    let catalogue = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/litmus/x86");
    let mut texts: BTreeMap<String, String> = model::herd::all()
        .0
        .into_iter()
        .map(|f| (f.name, f.text))
        .collect();
    for entry in std::fs::read_dir(&catalogue).unwrap().flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "litmus") {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            texts.insert(
                format!("catalogue/{name}"),
                std::fs::read_to_string(&path).unwrap(),
            );
        }
    }
    let mut compared = 0;
    let mut unfinished = Vec::new();
    let mut wrong = Vec::new();
    for (key, text) in &texts {
        let name = key.as_str();
        let Some((word, states)) = herd.get(name) else {
            wrong.push(format!("{key}: herd7's answer is not recorded"));
            continue;
        };
        if word.starts_with("did-not-finish") {
            unfinished.push(name.to_string());
            continue;
        }
        let (ours, our_states, truncated) = model_of(text);
        assert!(!truncated, "{key}: the model's search was cut short");
        if &ours != word || &our_states != states {
            wrong.push(format!(
                "{key}: herd7 {word} {states:?}\n    model {ours} {our_states:?}"
            ));
        }
        compared += 1;
    }
    println!("compared {compared}; herd7 did not finish: {unfinished:?}");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The 23 catalogue shapes and the exported files herd7 finishes.
    assert!(compared >= 23 + 30, "compared only {compared}");
}
