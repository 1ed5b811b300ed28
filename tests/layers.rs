//! The `litmus` crate is built in layers (`pte_litmus::LAYERS`): each
//! module imports only from layers below it, modules of one layer do not
//! import each other, so there is no cycle and the crate reads bottom up.
//! This reads every source file's `crate::` paths and holds them to it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
    found
}

/// The top-level module a file belongs to: `harness/pte.rs` -> `harness`.
fn module_of(root: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(root).unwrap();
    let first = relative.components().next().unwrap();
    let name = first.as_os_str().to_string_lossy();
    name.trim_end_matches(".rs").to_string()
}

/// The top-level modules a file names as `crate::module`, including inside
/// grouped imports (`use crate::{a, b::c}`).
fn crate_references(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for (at, _) in text.match_indices("crate::") {
        // Skip `pte_litmus::crate` lookalikes and `$crate::`.
        if at > 0 && text[..at].ends_with('$') {
            continue;
        }
        let rest = &text[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name = ident(item.trim());
                if !name.is_empty() {
                    found.insert(name);
                }
            }
        } else {
            let name = ident(rest);
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found
}

#[test]
fn each_layer_imports_only_from_layers_below() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("litmus");
    let layer_of: BTreeMap<&str, usize> = pte_litmus::LAYERS
        .iter()
        .enumerate()
        .flat_map(|(i, modules)| modules.iter().map(move |m| (*m, i)))
        .collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in sources(&root) {
        let module = module_of(&root, &file);
        if module == "lib" || module == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let uses = graph.entry(module.clone()).or_default();
        for other in crate_references(&text) {
            // `crate::pte_asm` is the re-exported primitives crate.
            if other != module && other != "pte_asm" {
                uses.insert(other);
            }
        }
    }
    let mut problems = Vec::new();
    for (module, uses) in &graph {
        let Some(&own) = layer_of.get(module.as_str()) else {
            problems.push(format!("{module}: not in pte_litmus::LAYERS"));
            continue;
        };
        for other in uses {
            match layer_of.get(other.as_str()) {
                None => problems.push(format!("{module} uses {other}, which is in no layer")),
                Some(&layer) if layer >= own => problems.push(format!(
                    "{module} (layer {own}) uses {other} (layer {layer})"
                )),
                _ => {}
            }
        }
    }
    // The graph, one line per module, for reviewers (`cargo test -- --nocapture`).
    for (module, uses) in &graph {
        let uses: Vec<&str> = uses.iter().map(String::as_str).collect();
        println!("{module:>8} -> {}", uses.join(", "));
    }
    assert!(
        problems.is_empty(),
        "layering broken:\n{}",
        problems.join("\n")
    );
}

#[test]
fn references_are_found_in_every_form() {
    let text = "use crate::judge::Expect;\nuse crate::{catalog, report::x};\nlet m = crate::model::verdict(t);\nmacro $crate::x";
    let found: Vec<String> = crate_references(text).into_iter().collect();
    assert_eq!(found, ["catalog", "judge", "model", "report"]);
}
