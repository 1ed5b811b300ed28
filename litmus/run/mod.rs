//! `litmus run`: the jobs a request names, each run by the harness, judged,
//! reported and recorded as it finishes.

pub mod request;
pub mod search;
mod session;

pub use request::{RunRequest, SyncMode};
pub use session::execute;
