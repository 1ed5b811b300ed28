//! pte-litmus: hardware litmus tests for reading a 64-bit PTE as two 32-bit
//! halves. The instruction sequences live in `pte-asm` (re-exported as
//! [`pte_asm`]); this crate holds the tests, the harness and the reports.

pub use pte_asm;

pub mod bench;
pub mod catalog;
pub mod cli;
pub mod compare;
pub mod guest;
pub mod herd;
pub mod machine;
pub mod model;
pub mod pin;
pub mod record;
pub mod run;
