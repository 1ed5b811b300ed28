//! The `options(...)` of every `asm!` block must be true. `preserves_flags`
//! promises that the block keeps EFLAGS' status flags, the whole x87 status
//! word and MXCSR's exception flags (the Rust Reference, "Inline assembly").
//! x87 and MMX instructions write the x87 status word (C1, TOP), so no block
//! that holds one may claim it. This reads the crate's source, block by
//! block.

use std::path::Path;

/// Mnemonics that write the x87 status word.
const X87_OR_MMX: [&str; 5] = ["fild", "fistp", "emms", "%mm", "fld"];

/// Every `asm!( ... )` block of `text`, as its full text.
fn asm_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("asm!(") {
        let body = &rest[at + "asm!(".len()..];
        let mut depth = 1usize;
        let mut end = 0;
        for (i, c) in body.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        blocks.push(body[..end].to_string());
        rest = &body[end..];
    }
    blocks
}

/// The block's code and options, without `//` comments (which may name
/// the option while explaining why it is absent).
fn without_comments(block: &str) -> String {
    block
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn no_block_that_touches_x87_state_claims_to_preserve_flags() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut checked = 0;
    let mut x87_blocks = 0;
    let mut wrong = Vec::new();
    for entry in std::fs::read_dir(&src).unwrap().flatten() {
        let path = entry.path();
        let text = std::fs::read_to_string(&path).unwrap();
        for block in asm_blocks(&text) {
            checked += 1;
            let code = without_comments(&block);
            if X87_OR_MMX.iter().any(|m| code.contains(m)) {
                x87_blocks += 1;
                if code.contains("preserves_flags") {
                    wrong.push(format!(
                        "{}: {}",
                        path.display(),
                        code.lines().find(|l| !l.trim().is_empty()).unwrap_or("")
                    ));
                }
            }
        }
    }
    assert!(checked > 20, "found only {checked} asm! blocks");
    // fild (read), movq_mmx (read), store64_fistp (write).
    assert_eq!(x87_blocks, 3, "x87/MMX blocks found");
    assert!(
        wrong.is_empty(),
        "preserves_flags on blocks that write the x87 status word:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_scan_finds_a_false_claim() {
    let bad = "asm!(\"fildll ({p})\", p = in(reg) x, options(nostack, preserves_flags))";
    let blocks = asm_blocks(bad);
    assert_eq!(blocks.len(), 1);
    assert!(without_comments(&blocks[0]).contains("preserves_flags"));
    let commented = "asm!(\"emms\", // not preserves_flags\n options(nostack))";
    assert!(!without_comments(&asm_blocks(commented)[0]).contains("preserves_flags"));
}
