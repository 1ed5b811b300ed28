//! What `litmus run` is asked to do, as a plain struct: the command line
//! (`cli`) fills it, `litmus guest` forwards it into the guest as argv.

use crate::catalog::{Case, Test, Unmappable};
use crate::error::Error;
use crate::harness::window::Window;
use crate::harness::{Budget, Job, Sync};
use crate::report::answer::Prices;
use pte_asm::strategy::ReadStrategy;
use std::path::PathBuf;
use std::time::Duration;

/// How classic-test threads enter each instance together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncMode {
    /// A shared TSC deadline per instance.
    Timebase,
    /// A plain store/load handshake per instance.
    Flags,
    /// None: each thread runs through the batch's instances as fast as it
    /// can (litmus7's `-barrier none`).
    Free,
    /// A shared TSC deadline per instance, and under `--mode auto` a
    /// probe with none too.
    Auto,
}

impl SyncMode {
    pub fn name(self) -> &'static str {
        match self {
            SyncMode::Timebase => "timebase",
            SyncMode::Flags => "flags",
            SyncMode::Free => "none",
            SyncMode::Auto => "auto",
        }
    }
}

/// How litmus programs (classic tests and `.litmus` files) run: `--mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// litmus7's way: the threads meet at every instance.
    Instances,
    /// PerpLE's way: iterations with no meeting, where the test converts;
    /// a test that does not is unavailable, saying why.
    Perpetual,
    /// Perpetual where the test converts, instances elsewhere.
    Auto,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Instances => "instances",
            Mode::Perpetual => "perpetual",
            Mode::Auto => "auto",
        }
    }

    pub fn parse(name: &str) -> Option<Mode> {
        [Mode::Instances, Mode::Perpetual, Mode::Auto]
            .into_iter()
            .find(|m| m.name() == name)
    }
}

/// The windows of a run that names none: no window, and one wide enough
/// for the seed's two refills by the test's writer (one turn in each of
/// the reader's two gaps, with a turn to spare in each).
pub const DEFAULT_WINDOWS: [Window; 2] = [Window::Pauses(0), Window::Turns(2.0)];

/// `--tear-rate`'s default: one torn read per million.
pub const DEFAULT_TEAR_RATE: f64 = 1e-6;

/// Every setting of one `litmus run`.
#[derive(Clone, Debug, PartialEq)]
pub struct RunRequest {
    /// Test names, or `.litmus` files, directories and `@all` lists (empty:
    /// the whole built-in suite).
    pub tests: Vec<String>,
    /// Read strategies for the PTE tests (empty: all).
    pub strategies: Vec<ReadStrategy>,
    /// Cores in thread order (empty: every allowed core).
    pub cores: Vec<usize>,
    /// Instances or reads per run; else `duration`.
    pub iterations: Option<u64>,
    /// Seconds per run (default 1).
    pub duration: Option<f64>,
    /// The PTE reader's windows; a list sweeps (empty: [`DEFAULT_WINDOWS`]).
    pub windows: Vec<Window>,
    /// `--reader-window auto`: torn reads per read the narrowest window must
    /// reach.
    pub tear_rate: f64,
    /// Instances per batch of a classic test.
    pub batch: usize,
    pub sync: SyncMode,
    /// `--timebase-delta`: ticks, or `None` for `auto`.
    pub timebase_delta: Option<u32>,
    /// `--tuning auto`: learn each test's memory pattern and shifts.
    pub tuning: bool,
    pub mode: Mode,
    pub csv: Option<PathBuf>,
    /// No progress bar.
    pub quiet: bool,
    /// Each run's histogram and line, not only the closing tables.
    pub verbose: bool,
    /// The closing tables as markdown (for a mailing-list reply).
    pub markdown: bool,
    /// Core cycles per read for the answer table, where a benchmark is at
    /// hand (the command line finds it; the guest has none).
    pub prices: Option<Prices>,
}

/// The line for a run of C tests none of which has x86 code here.
fn only_unmappable(first: &Unmappable, count: usize) -> String {
    match count {
        1 => first.line(),
        n => format!(
            "{} (and {} more C tests without x86 code)",
            first.line(),
            n - 1
        ),
    }
}

impl RunRequest {
    /// Every (test, strategy, window) asked for, in order; an unknown test
    /// is bad input.
    pub fn jobs(&self) -> Result<Vec<Job>, Error> {
        Ok(self.jobs_and_unmappable()?.0)
    }

    /// [`RunRequest::jobs`], and the C tests named that have no x86 code
    /// here (each with why). Named tests that are all such: bad input, the
    /// first one's line.
    pub fn jobs_and_unmappable(&self) -> Result<(Vec<Job>, Vec<Unmappable>), Error> {
        let mut tests = Vec::new();
        let mut unmappable = Vec::new();
        for name in &self.tests {
            for resolved in Test::resolve(name)? {
                match resolved {
                    Ok(test) => tests.push(test),
                    Err(u) => unmappable.push(u),
                }
            }
        }
        if tests.is_empty() {
            if let Some(first) = unmappable.first() {
                return Err(Error::BadInput(only_unmappable(first, unmappable.len())));
            }
            tests = Test::all().collect();
        }
        let strategies = if self.strategies.is_empty() {
            ReadStrategy::ALL.to_vec()
        } else {
            self.strategies.clone()
        };
        let windows = if self.windows.is_empty() {
            DEFAULT_WINDOWS.to_vec()
        } else {
            self.windows.clone()
        };
        let mut jobs = Vec::new();
        for test in tests {
            for case in test.cases(&strategies) {
                if let Case::Pte(..) = case {
                    jobs.extend(windows.iter().map(|&window| Job { case, window }));
                } else {
                    let window = Window::Pauses(0);
                    jobs.push(Job { case, window });
                }
            }
        }
        Ok((jobs, unmappable))
    }

    /// How long each run goes on (one second unless told).
    pub fn budget(&self) -> Budget {
        match (self.iterations, self.duration) {
            (Some(n), _) => Budget::Iterations(n),
            (None, Some(s)) => Budget::Duration(Duration::from_secs_f64(s)),
            (None, None) => Budget::Duration(Duration::from_secs(1)),
        }
    }

    /// Seconds of a duration budget per run (`None` for an iteration budget).
    pub fn seconds_per_run(&self) -> Option<f64> {
        match self.budget() {
            Budget::Duration(d) => Some(d.as_secs_f64()),
            Budget::Iterations(_) => None,
        }
    }

    pub fn sync(&self) -> Sync {
        match self.sync {
            SyncMode::Flags => Sync::Flags,
            SyncMode::Free => Sync::Free {
                tuning: self.tuning,
            },
            SyncMode::Timebase | SyncMode::Auto => Sync::Timebase {
                delta: self.timebase_delta,
                tuning: self.tuning,
            },
        }
    }

    /// These settings as `litmus run` takes them, without `--csv` (for the
    /// run inside `litmus guest`, whose CSV the host writes).
    pub fn to_argv(&self) -> Vec<String> {
        let mut argv = self.tests.clone();
        let list = |items: Vec<String>| items.join(",");
        if !self.strategies.is_empty() {
            argv.push("--strategy".into());
            argv.push(list(
                self.strategies
                    .iter()
                    .map(|s| s.name().to_string())
                    .collect(),
            ));
        }
        if !self.cores.is_empty() {
            argv.push("--cores".into());
            argv.push(list(self.cores.iter().map(|c| c.to_string()).collect()));
        }
        if let Some(n) = self.iterations {
            argv.extend(["--iterations".into(), n.to_string()]);
        }
        if let Some(s) = self.duration {
            argv.extend(["--duration".into(), s.to_string()]);
        }
        if !self.windows.is_empty() {
            argv.push("--reader-window".into());
            argv.push(list(self.windows.iter().map(|w| w.to_string()).collect()));
        }
        if self.tear_rate != DEFAULT_TEAR_RATE {
            argv.extend(["--tear-rate".into(), self.tear_rate.to_string()]);
        }
        argv.extend(["--batch".into(), self.batch.to_string()]);
        argv.extend(["--sync".into(), self.sync.name().into()]);
        argv.push("--timebase-delta".into());
        argv.push(self.timebase_delta.map_or("auto".into(), |d| d.to_string()));
        argv.extend([
            "--tuning".into(),
            if self.tuning { "auto" } else { "off" }.into(),
        ]);
        argv.extend(["--mode".into(), self.mode.name().into()]);
        if self.quiet {
            argv.push("--quiet".into());
        }
        if self.verbose {
            argv.push("--verbose".into());
        }
        if self.markdown {
            argv.push("--markdown".into());
        }
        argv
    }
}
