//! The instruction checks: this test binary disassembles itself with
//! `objdump` and holds every shim of `pte_asm::shims` to the instruction
//! shape it declares, then to the reviewed disassembly committed under
//! `asm/disasm/<target>.s`.
//!
//! The primitives are always compiled at opt-level 3 (see the workspace
//! `Cargo.toml`), so a plain `cargo test` checks the optimised code.
//! The committed files are of the release build, which the project's test
//! command uses (a dev build of the musl target differs: it keeps frame
//! pointers in other places). After a deliberate change, regenerate with
//! `PTE_ASM_BLESS=1 cargo test --release -p pte-asm --test instructions --target T`
//! and review the diff.

use pte_asm::cpu::Features;
use pte_asm::shims::{SHIMS, ShimFn};
use pte_asm::{Pte, SeqCount};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

/// Each `pte_asm_*` function of this executable, as objdump's AT&T lines
/// (`mnemonic operands`, white space folded, addresses and padding removed).
fn disassemble_self() -> BTreeMap<String, Vec<String>> {
    let exe = std::env::current_exe().expect("path of the test binary");
    let output = Command::new("objdump")
        .args(["-d", "--no-show-raw-insn", "-M", "att"])
        .arg(&exe)
        .output()
        .expect("objdump (Debian package binutils) must be installed for the instruction checks");
    assert!(
        output.status.success(),
        "objdump failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).expect("objdump prints text");

    let mut functions = BTreeMap::new();
    let mut current: Option<(String, Vec<String>)> = None;
    for line in text.lines() {
        if let Some(name) = line
            .strip_suffix(">:")
            .and_then(|l| l.split_once(" <"))
            .map(|(_, n)| n)
        {
            if let Some((name, body)) = current.take() {
                functions.insert(name, body);
            }
            if name.starts_with("pte_asm_") {
                current = Some((name.to_string(), Vec::new()));
            }
        } else if let Some((_, body)) = current.as_mut() {
            // "   6d234:\tmov    (%ecx),%eax" -> "mov (%ecx),%eax"
            if let Some((_, instruction)) = line.split_once(":\t") {
                body.push(fold(instruction));
            }
        }
    }
    if let Some((name, body)) = current {
        functions.insert(name, body);
    }
    for body in functions.values_mut() {
        // Drop the alignment padding after the last `ret`.
        if let Some(last_ret) = body.iter().rposition(|i| i == "ret") {
            body.truncate(last_ret + 1);
        }
    }
    functions
}

/// Fold white space, drop `# comments` and the absolute address of branch
/// targets: `jne    6d234 <f+0x4>` becomes `jne <f+0x4>`.
fn fold(instruction: &str) -> String {
    let instruction = instruction.split(" #").next().unwrap_or("");
    let words: Vec<&str> = instruction.split_whitespace().collect();
    let words: Vec<&str> = words
        .iter()
        .enumerate()
        .filter(|(i, w)| {
            let next_is_target = words.get(i + 1).is_some_and(|n| n.starts_with('<'));
            !(next_is_target && w.chars().all(|c| c.is_ascii_hexdigit()))
        })
        .map(|(_, w)| *w)
        .collect();
    words.join(" ")
}

const ORDERING: [&str; 5] = ["lfence", "sfence", "mfence", "pause", "emms"];
/// Stack and frame addressing: argument loads, spills, locals. `ebp`/`rbp`
/// can never hold an asm! operand (Rust reserves the frame pointer).
const STACK: [&str; 4] = ["(%esp", "(%rsp", "(%ebp", "(%rbp"];

/// The shape the shims declare: memory accesses off the stack, locked
/// instructions and ordering instructions, registers generalised.
fn shape(body: &[String]) -> Vec<String> {
    body.iter()
        .filter(|i| {
            let mnemonic = i.split(' ').next().unwrap_or("");
            let off_stack_memory = i.contains('(') && !STACK.iter().any(|s| i.contains(s));
            i.starts_with("lock ") || ORDERING.contains(&mnemonic) || off_stack_memory
        })
        .map(|i| generalise(i))
        .collect()
}

fn generalise(instruction: &str) -> String {
    let mut out = String::new();
    let mut rest = instruction;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let register: String = rest[at + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let name = match register.as_str() {
            "esp" | "rsp" => "%sp".to_string(),
            r if r.starts_with("xmm") => "%xmm".to_string(),
            r if r.starts_with("mm") || r.starts_with("st") => format!("%{r}"),
            _ => "%r".to_string(),
        };
        out.push_str(&name);
        rest = &rest[at + 1 + register.len()..];
    }
    out.push_str(rest);
    out
}

#[test]
fn every_shim_compiles_to_exactly_its_declared_instructions() {
    let functions = disassemble_self();
    let cpu = Features::detect();
    let (seq, pte) = (SeqCount::new(0), Pte::new(0));
    let mut failures = Vec::new();
    for shim in SHIMS {
        // Call it once where the CPU allows, which also keeps it linked in.
        if (shim.runs_on)(&cpu) {
            // SAFETY: runs_on checked.
            unsafe {
                match shim.call {
                    ShimFn::Read(f) => drop(f(&seq, &pte, 1)),
                    ShimFn::Write(f) => drop(f(&seq, &pte, 0, 0)),
                    ShimFn::Fence(f) => f(),
                }
            }
        }
        let Some(body) = functions.get(shim.symbol) else {
            failures.push(format!("{}: not found in the disassembly", shim.symbol));
            continue;
        };
        let got = shape(body);
        if got != shim.instructions {
            failures.push(format!(
                "{}:\n  declared {:?}\n  compiled {:?}\n  full body {:#?}",
                shim.symbol, shim.instructions, got, body
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "instruction checks failed:\n{}",
        failures.join("\n")
    );
}

/// Spot checks in plain words, so a mistaken declaration cannot pass unseen.
#[test]
fn the_claims_of_the_issue_hold() {
    let functions = disassemble_self();
    let body = |name: &str| {
        functions
            .get(name)
            .unwrap_or_else(|| panic!("{name} missing"))
            .clone()
    };

    let lowhigh = body("pte_asm_lowhigh");
    let loads = lowhigh
        .iter()
        .filter(|i| i.starts_with("mov (") || i.starts_with("mov 0x4("))
        .count();
    assert_eq!(loads, 2, "lowhigh: two 32-bit mov loads: {lowhigh:?}");
    assert!(
        lowhigh.iter().any(|i| i.starts_with("cmp (")),
        "lowhigh rechecks low"
    );
    assert!(
        !lowhigh
            .iter()
            .any(|i| i.contains("fence") || i.starts_with("lock")),
        "lowhigh has no fence"
    );
    assert!(
        body("pte_asm_cmpxchg8b")
            .iter()
            .any(|i| i.starts_with("lock cmpxchg8b (")),
        "cmpxchg8b is locked"
    );
    assert!(
        !body("pte_asm_cmpxchg8b_nolock")
            .iter()
            .any(|i| i.starts_with("lock")),
        "cmpxchg8b-nolock is not"
    );
    let fild = shape(&body("pte_asm_fild"));
    assert_eq!(fild, ["fildll (%r)", "fistpll (%r)"], "fild then fistp");
    let frame = [
        "push %ebp",
        "mov %esp,%ebp",
        "pop %ebp",
        "push %rbp",
        "mov %rsp,%rbp",
        "pop %rbp",
    ];
    let barrier: Vec<String> = body("pte_asm_compiler_barrier")
        .into_iter()
        .filter(|i| !frame.contains(&i.as_str()))
        .collect();
    assert_eq!(
        barrier,
        ["ret"],
        "a compiler barrier emits nothing but the frame"
    );
    let chain = body("pte_asm_add_chain");
    let adds: Vec<&String> = chain
        .iter()
        .filter(|i| i.starts_with("add $0x1,"))
        .collect();
    assert_eq!(
        adds.len(),
        pte_asm::cycles::ADDS_PER_ITERATION as usize,
        "the add chain: {chain:?}"
    );
    assert!(
        adds.windows(2).all(|w| w[0] == w[1]),
        "every add of the chain adds to one register, so each waits for the last: {chain:?}"
    );
    if cfg!(target_feature = "sse2") {
        let lfence = shape(&body("pte_asm_lowhigh_lfence"));
        assert_eq!(lfence.iter().filter(|i| *i == "lfence").count(), 2);
    } else {
        assert!(
            !functions.contains_key("pte_asm_movq_sse2"),
            "i586 builds no SSE2 read"
        );
    }
}

/// The whole disassembly of every shim, as reviewed and committed.
#[test]
fn disassembly_matches_the_committed_review() {
    let functions = disassemble_self();
    let mut text = format!(
        "# pte-asm shims for {}, objdump -d (AT&T), addresses and padding removed.\n\
         # Regenerate: PTE_ASM_BLESS=1 cargo test --release -p pte-asm --test instructions --target {}\n",
        pte_asm::TARGET,
        pte_asm::TARGET
    );
    for shim in SHIMS {
        text.push_str(&format!("\n<{}>:\n", shim.symbol));
        for instruction in functions.get(shim.symbol).into_iter().flatten() {
            text.push_str(&format!("    {instruction}\n"));
        }
    }
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "disasm",
        &format!("{}.s", pte_asm::TARGET),
    ]
    .iter()
    .collect();
    if std::env::var_os("PTE_ASM_BLESS").is_some() {
        std::fs::write(&path, &text).expect("write the disassembly");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "{} is missing: generate it with PTE_ASM_BLESS=1 and review it",
            path.display()
        )
    });
    if committed != text {
        let first = committed
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b);
        panic!(
            "codegen drifted from {} (first differing line {:?}); if intended, regenerate with \
             PTE_ASM_BLESS=1 and review the diff.\ncompiled now:\n{text}",
            path.display(),
            first.map(|l| l + 1)
        );
    }
}
