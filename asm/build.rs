//! Records the target triple, which `pte_asm::TARGET` reports: the CSV
//! `target` column and the name of the committed disassembly file.
fn main() {
    let target = std::env::var("TARGET").expect("cargo sets TARGET for build scripts");
    println!("cargo:rustc-env=PTE_ASM_TARGET={target}");
    println!("cargo:rerun-if-changed=build.rs");
}
