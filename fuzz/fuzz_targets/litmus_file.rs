#![no_main]
//! `cargo +nightly fuzz run litmus_file`: see `../one_file.rs`.

#[path = "../one_file.rs"]
mod one_file;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    one_file::one_file(bytes);
});
