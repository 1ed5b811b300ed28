//! The documentation holds together: the README stays one short page with
//! the two commands, every markdown link in it, in `docs/` and in
//! `results/README.md` resolves (file and heading), and every repository
//! path quoted in backticks exists.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// README.md, every page of docs/, results/README.md.
fn pages() -> Vec<PathBuf> {
    let mut pages = vec![root().join("README.md"), root().join("results/README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    assert!(docs.len() >= 7, "docs/ has a page per part: {docs:?}");
    pages.extend(docs);
    pages
}

/// The text outside fenced code blocks, line by line, with line numbers.
fn prose(text: &str) -> Vec<(usize, &str)> {
    let mut fenced = false;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with("```") {
            fenced = !fenced;
        } else if !fenced && !line.starts_with("    ") {
            out.push((n + 1, line));
        }
    }
    out
}

/// Every `[text](target)` link's target.
fn links(line: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("](") {
        let after = &rest[at + 2..];
        let Some(end) = after.find(')') else { break };
        found.push(&after[..end]);
        rest = &after[end..];
    }
    found
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces
/// to hyphens.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn anchors(page: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(page).unwrap();
    prose(&text)
        .into_iter()
        .filter_map(|(_, l)| l.strip_prefix('#'))
        .map(|h| anchor(h.trim_start_matches('#')))
        .collect()
}

#[test]
fn every_link_resolves() {
    let mut broken = Vec::new();
    let mut checked = 0;
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        let dir = page.parent().unwrap();
        for (n, line) in prose(&text) {
            for target in links(line) {
                if target.starts_with("http://") || target.starts_with("https://") {
                    continue;
                }
                checked += 1;
                let (file, heading) = target.split_once('#').unwrap_or((target, ""));
                let path = if file.is_empty() {
                    page.clone()
                } else {
                    dir.join(file)
                };
                let shown = format!("{}:{n}: {target}", page.display());
                if !path.exists() {
                    broken.push(format!("{shown}: no such file"));
                } else if !heading.is_empty() && !anchors(&path).contains(&heading.to_string()) {
                    broken.push(format!("{shown}: no heading '#{heading}'"));
                }
            }
        }
    }
    assert!(
        checked >= 20,
        "only {checked} links: the README links its docs"
    );
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// A `` `path` `` naming a file of this repository.
fn repo_path(quoted: &str) -> bool {
    let tops = [
        "asm/", "litmus/", "benches/", "tests/", "scripts/", "results/", "docs/", "fuzz/",
    ];
    tops.iter().any(|t| quoted.starts_with(t))
        && quoted
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+".contains(c))
}

#[test]
fn every_quoted_repository_path_exists() {
    let mut missing = Vec::new();
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        for (n, line) in prose(&text) {
            for (i, quoted) in line.split('`').enumerate() {
                if i % 2 == 1 && repo_path(quoted) && !root().join(quoted).exists() {
                    missing.push(format!("{}:{n}: `{quoted}`", page.display()));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "quoted paths that do not exist:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_readme_is_one_short_page_with_the_two_commands() {
    let text = std::fs::read_to_string(root().join("README.md")).unwrap();
    let lines = text.lines().count();
    assert!(
        lines < 250,
        "README.md has {lines} lines: move detail to docs/"
    );
    for command in ["cargo run --release --bin litmus -- run", "scripts/test.sh"] {
        assert!(
            text.lines().any(|l| l.trim() == command),
            "README.md lacks the command `{command}` on a line of its own"
        );
    }
    // The answer comes first: its table before the commands.
    let answer = text.find("## The answer").expect("an answer section");
    let commands = text.find("## The two commands").expect("the commands");
    assert!(answer < commands);
}

#[test]
fn anchors_are_made_as_github_makes_them() {
    assert_eq!(
        anchor(" `litmus refault`: the kernel's own zap and refault"),
        "litmus-refault-the-kernels-own-zap-and-refault"
    );
    assert_eq!(
        anchor("The reader's window, in time"),
        "the-readers-window-in-time"
    );
}

#[test]
fn every_csv_column_is_documented() {
    use pte_litmus::report::columns;
    let docs: String = ["docs/csv.md", "docs/benchmarks.md"]
        .iter()
        .map(|p| std::fs::read_to_string(root().join(p)).unwrap())
        .collect();
    let mut missing = Vec::new();
    for (kind, header) in [
        ("litmus run", columns::run()),
        ("litmus protocols", columns::protocols()),
        ("litmus refault", columns::refault()),
        ("bench-report", columns::bench_report()),
        ("machine record", columns::machine_record()),
    ] {
        for column in header {
            if !docs.contains(&format!("`{column}`")) {
                missing.push(format!("{kind}: {column}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "columns docs/csv.md does not name: {missing:?}"
    );
}
