//! Everything the suite prints or writes: the CSV rows (one type per kind,
//! in [`rows`]; their headers derived in [`columns`]), the CSV sink and
//! reader, the machine identity every row carries, number formatting, the
//! progress bar, and the text reports of `list`, `show`, `model` and
//! `run`, with the answer table (`answer`).

pub mod answer;
pub mod catalog;
pub mod columns;
pub mod csv_file;
pub mod format;
pub mod lkmm;
pub mod machine;
pub mod model;
pub mod progress;
pub mod protocol;
pub mod rows;
pub mod run;
pub mod sink;
