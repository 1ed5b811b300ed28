//! What `litmus run` is asked to do, as a plain struct: the command line
//! (`cli`) fills it, `litmus guest` forwards it into the guest as argv.

use crate::catalog::{Job, Test};
use crate::error::Error;
use crate::harness::{Budget, Sync};
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
}

impl SyncMode {
    pub fn name(self) -> &'static str {
        match self {
            SyncMode::Timebase => "timebase",
            SyncMode::Flags => "flags",
        }
    }
}

/// Every setting of one `litmus run`.
#[derive(Clone, Debug, PartialEq)]
pub struct RunRequest {
    /// Test names (empty: the whole suite).
    pub tests: Vec<String>,
    /// Read strategies for the PTE tests (empty: all).
    pub strategies: Vec<ReadStrategy>,
    /// Cores in thread order (empty: every allowed core).
    pub cores: Vec<usize>,
    /// Instances or reads per run; else `duration`.
    pub iterations: Option<u64>,
    /// Seconds per run (default 1).
    pub duration: Option<f64>,
    /// `pause`s in the PTE reader's window; a list sweeps (empty: 0).
    pub reader_delays: Vec<u32>,
    /// Instances per batch of a classic test.
    pub batch: usize,
    pub sync: SyncMode,
    /// `--timebase-delta`: ticks, or `None` for `auto`.
    pub timebase_delta: Option<u32>,
    pub csv: Option<PathBuf>,
    pub quiet: bool,
}

impl RunRequest {
    /// Every (test, strategy, reader delay) asked for, in order; an unknown
    /// test is bad input.
    pub fn jobs(&self) -> Result<Vec<Job>, Error> {
        let mut tests = Vec::new();
        for name in &self.tests {
            tests.push(Test::lookup(name)?);
        }
        if tests.is_empty() {
            tests = Test::all().collect();
        }
        let strategies = if self.strategies.is_empty() {
            ReadStrategy::ALL.to_vec()
        } else {
            self.strategies.clone()
        };
        let delays = if self.reader_delays.is_empty() {
            vec![0]
        } else {
            self.reader_delays.clone()
        };
        let mut jobs = Vec::new();
        for test in tests {
            match test {
                Test::Classic(_) => jobs.push(Job {
                    test,
                    strategy: None,
                    reader_delay: 0,
                }),
                Test::Pte(_) => {
                    for &strategy in &strategies {
                        for &reader_delay in &delays {
                            jobs.push(Job {
                                test,
                                strategy: Some(strategy),
                                reader_delay,
                            });
                        }
                    }
                }
            }
        }
        Ok(jobs)
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
            SyncMode::Timebase => Sync::Timebase {
                delta: self.timebase_delta,
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
        if !self.reader_delays.is_empty() {
            argv.push("--reader-delay".into());
            argv.push(list(
                self.reader_delays.iter().map(|d| d.to_string()).collect(),
            ));
        }
        argv.extend(["--batch".into(), self.batch.to_string()]);
        argv.extend(["--sync".into(), self.sync.name().into()]);
        argv.push("--timebase-delta".into());
        argv.push(self.timebase_delta.map_or("auto".into(), |d| d.to_string()));
        if self.quiet {
            argv.push("--quiet".into());
        }
        argv
    }
}
