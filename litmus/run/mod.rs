//! `litmus run`: the jobs a request names, each run by the harness, judged,
//! reported and recorded as it finishes.

mod costs;
pub mod modes;
pub mod request;
pub mod search;
mod session;

pub use request::{Mode, RunRequest, SyncMode};
pub use session::execute;
