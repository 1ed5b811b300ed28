//! The progress bar of a run: on stderr, hidden with `--quiet` or when
//! stderr is not a terminal, and shown only once the run has taken a second.

use crate::harness::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::cell::Cell;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

pub struct Bar {
    bar: ProgressBar,
    enabled: bool,
    started: Instant,
    /// Units done by earlier jobs.
    offset: Cell<u64>,
    /// Units are milliseconds for time budgets, iterations otherwise.
    by_time: bool,
}

impl Bar {
    /// A bar for `total` units (milliseconds if `by_time`, else iterations).
    pub fn new(total: u64, by_time: bool, quiet: bool) -> Bar {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {percent}% {msg}",
            )
            .expect("a valid template"),
        );
        Bar {
            bar,
            enabled: !quiet && std::io::stderr().is_terminal(),
            started: Instant::now(),
            offset: Default::default(),
            by_time,
        }
    }

    /// A new job starts, `offset` units into the whole.
    pub fn start_job(&self, message: String, offset: u64) {
        self.offset.set(offset);
        self.bar.set_message(message);
    }

    /// Print `text` to stdout without tearing the bar.
    pub fn print(&self, text: &str) {
        self.bar.suspend(|| print!("{text}"));
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Progress for Bar {
    fn update(&self, done: u64, elapsed: Duration) {
        if self.enabled && self.bar.is_hidden() && self.started.elapsed() > Duration::from_secs(1) {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        let units = if self.by_time {
            elapsed.as_millis() as u64
        } else {
            done
        };
        self.bar.set_position(self.offset.get() + units);
    }
}
