//! pte-litmus: hardware litmus tests for reading a 64-bit PTE as two 32-bit
//! halves. The instruction sequences live in `pte-asm` (re-exported as
//! [`pte_asm`]); this crate holds the tests, the harness and the reports.
//!
//! The modules are layers; each imports only from the layers below it
//! (`tests/layers.rs` checks it), so the crate reads from the bottom up:
//!
//! | layer | modules | what |
//! | --- | --- | --- |
//! | 0 | [`error`], [`judge`] | how a command ends; the one place a verdict is decided |
//! | 1 | [`catalog`] | the tests as data |
//! | 2 | [`harness`] | pinning, spinning, timebase, the classic, perpetual, PTE and protocol runners |
//! | 3 | [`model`] | the x86-TSO explorer and the herd export |
//! | 4 | [`report`] | CSV headers and sink, machine identity, formatting, text reports |
//! | 5 | [`run`] | `litmus run`: jobs, their mode, judged, reported, recorded |
//! | 6 | [`bench`], [`compare`], [`guest`], [`protocols`], [`refault`] | the other commands' work |
//! | 7 | [`cli`] | clap types and dispatch |

pub use pte_asm;

pub mod error;
pub mod judge;

pub mod catalog;

pub mod harness;

pub mod model;

pub mod report;

pub mod run;

pub mod bench;
pub mod compare;
pub mod guest;
pub mod protocols;
pub mod refault;

pub mod cli;

/// The layers of [`crate`], lowest first, as `tests/layers.rs` enforces
/// them: a module may import from its own layer's files and from lower
/// layers only, and modules of one layer do not import each other.
pub const LAYERS: &[&[&str]] = &[
    &["error", "judge"],
    &["catalog"],
    &["harness"],
    &["model"],
    &["report"],
    &["run"],
    &["bench", "compare", "guest", "protocols", "refault"],
    &["cli"],
];
