//! The argument structs of `run` and `guest` and the strict parsers of
//! their values; each converts into the plain struct its layer takes.

use crate::guest::{Accel, GuestConfig};
use crate::harness::window::Window;
use crate::protocols::ProtocolsRequest;
use crate::run::request::DEFAULT_TEAR_RATE;
use crate::run::{Mode, RunRequest, SyncMode};
use pte_asm::protocol::{Reader, Writer as ProtocolWriter};
use pte_asm::strategy::ReadStrategy;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Tests to run: names from `litmus list`, or herdtools7 .litmus files
    /// (X86 and X86_64 dialects), directories of them, @all lists (default:
    /// the whole built-in suite).
    pub tests: Vec<String>,
    /// Read strategies for the PTE tests (default: all available).
    #[arg(long, value_delimiter = ',', value_name = "S[,S...]", value_parser = parse_strategy)]
    pub strategy: Vec<ReadStrategy>,
    /// Cores to pin the threads to, in thread order (default: all allowed).
    #[arg(long, value_delimiter = ',', value_name = "A,B[,...]")]
    pub cores: Vec<usize>,
    /// Instances (classic tests) or reads (PTE tests) per run.
    #[arg(long, value_name = "N", conflicts_with = "duration", value_parser = clap::value_parser!(u64).range(1..))]
    pub iterations: Option<u64>,
    /// Seconds per run [default: 1].
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    pub duration: Option<f64>,
    /// The PTE reader's window, exactly: `pause` iterations after each load
    /// of its first attempt (after its low load, and for lowhigh* also after
    /// its high load); a list runs a sweep. A `pause` costs another time on
    /// each CPU: prefer --reader-window.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "N[,N...]",
        conflicts_with = "reader_window"
    )]
    pub reader_delay: Vec<u32>,
    /// The PTE reader's window in time (`0,50ns,500ns,5us`), in turns of the
    /// test's writer (`2turns`), or `auto`: the narrowest window that tears
    /// at --tear-rate. Converted to `pause`s with what a `pause` costs on the
    /// reader's core; a list runs a sweep [default: 0,2turns].
    #[arg(long, value_delimiter = ',', value_name = "W[,W...]", value_parser = Window::parse, allow_hyphen_values = true)]
    pub reader_window: Vec<Window>,
    /// With `--reader-window auto`: the torn reads per read the narrowest
    /// window must reach.
    #[arg(long, value_name = "RATE", default_value_t = DEFAULT_TEAR_RATE, value_parser = parse_rate)]
    pub tear_rate: f64,
    /// Instances per batch of a classic test (fewer batch boundaries leave
    /// more time for bodies; each instance's cells have lines of their own,
    /// so a larger batch spreads over more of the cache).
    #[arg(long, value_name = "N", default_value_t = 256, value_parser = parse_batch)]
    pub batch: usize,
    /// How classic-test threads enter each instance together: `timebase`
    /// (a shared TSC deadline per instance), `flags` (plain store/load
    /// handshake, for machines whose TSCs are not synchronised), `none`
    /// (no meeting within a batch: each thread runs through the batch's
    /// instances as fast as it can, as litmus7's `-barrier none`) or
    /// `auto`: `timebase`, and under `--mode auto` a probe of `none` too.
    #[arg(long, value_name = "MODE", default_value = "auto", value_parser = ["auto", "timebase", "flags", "none"])]
    pub sync: String,
    /// TSC ticks between instance starts with `--sync timebase`, or `auto`:
    /// start at 3/2 of the measured cache-line round trip between the first
    /// two cores, then narrow while threads are on time and widen while
    /// they start instances late. Either way each thread's deadlines are
    /// shifted to meet thread 0's, as measured between batches.
    #[arg(long, value_name = "TICKS|auto", default_value = "auto", value_parser = parse_delta)]
    pub timebase_delta: Delta,
    /// `auto` draws each batch's memory pattern (own lines or packed,
    /// shuffled or descending) and, with `--sync timebase` or `auto`,
    /// shifts of the other threads' deadlines, learning from the
    /// witnesses seen which show the test's witness most (with `--sync
    /// none`, the pattern alone); `off` keeps own lines, shuffled, aligned.
    #[arg(long, value_name = "auto|off", default_value = "auto", value_parser = ["auto", "off"])]
    pub tuning: String,
    /// How classic tests and `.litmus` files run: `instances` (litmus7's
    /// way: the threads meet at every instance), `perpetual` (PerpLE's:
    /// each thread loops its body with no meeting, every store writes a
    /// value naming its instance, the outcomes are found afterwards;
    /// tests that do not convert are unavailable, saying why) or `auto`
    /// (a short probe of each way the test may run: perpetually where it
    /// converts, as instances, and with `--sync auto` as instances with no
    /// meeting; then the rest of the budget the way whose witness came
    /// fastest).
    #[arg(long, value_name = "MODE", default_value = "auto", value_parser = ["instances", "perpetual", "auto"])]
    pub mode: String,
    /// Append one row per run, test, strategy and outcome to this CSV.
    #[arg(long, value_name = "PATH")]
    pub csv: Option<PathBuf>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// Each run's histogram (litmus7's report) as it finishes, and every
    /// run's line at the end, before the closing tables.
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// The closing tables (the answer, the litmus tests) as markdown, for a
    /// mailing-list reply.
    #[arg(long)]
    pub markdown: bool,
    /// Price each read in the answer table from this `bench-report` CSV
    /// (its rows for this build's target) [default: this build's `cargo
    /// bench` output in target/criterion, where there is one].
    #[arg(long, value_name = "PATH")]
    pub bench_csv: Option<PathBuf>,
}

impl From<RunArgs> for RunRequest {
    fn from(a: RunArgs) -> RunRequest {
        RunRequest {
            tests: a.tests,
            strategies: a.strategy,
            cores: a.cores,
            iterations: a.iterations,
            duration: a.duration,
            windows: if a.reader_delay.is_empty() {
                a.reader_window
            } else {
                a.reader_delay.into_iter().map(Window::Pauses).collect()
            },
            tear_rate: a.tear_rate,
            batch: a.batch,
            sync: match a.sync.as_str() {
                "flags" => SyncMode::Flags,
                "none" => SyncMode::Free,
                "timebase" => SyncMode::Timebase,
                _ => SyncMode::Auto,
            },
            timebase_delta: a.timebase_delta.0,
            tuning: a.tuning == "auto",
            mode: Mode::parse(&a.mode).expect("clap checked the name"),
            csv: a.csv,
            quiet: a.quiet,
            verbose: a.verbose,
            markdown: a.markdown,
            prices: None,
        }
    }
}

/// `litmus protocols`: the model's matrix of read x write protocols, and
/// the hardware's torn reads beside it.
#[derive(clap::Args, Debug)]
pub struct ProtocolsArgs {
    /// Reads to judge [default: all]: lowhigh, highlow, lowhighlowhigh,
    /// twice, seqcount, each also with -lfence.
    #[arg(long = "reader", value_delimiter = ',', value_name = "R[,R...]", value_parser = parse_reader)]
    pub readers: Vec<Reader>,
    /// Writers to judge [default: all]: kernel, zap-high-first,
    /// install-low-first, reversed, seqcount, generation.
    #[arg(long = "writer", value_delimiter = ',', value_name = "W[,W...]", value_parser = parse_writer)]
    pub writers: Vec<ProtocolWriter>,
    /// Writer threads taking turns, a hardware run per count (1 to 3).
    #[arg(long = "writers", value_delimiter = ',', value_name = "N[,N...]", default_value = "1", value_parser = clap::value_parser!(u8).range(1..=3))]
    pub writer_threads: Vec<u8>,
    /// The most zap+install cycles inside one read the model tries (a
    /// pair that does not tear is "whole <= K").
    #[arg(long, value_name = "K", default_value_t = crate::model::protocol::DEFAULT_BOUND, value_parser = clap::value_parser!(u32).range(1..=24))]
    pub cycles: u32,
    /// The model only, no hardware runs: x86-TSO's matrix (`--model`), or
    /// x86-TSO's and the kernel's memory model's side by side (`--model
    /// lkmm`: the answer for mips32 and sh, which have no 64-bit load).
    #[arg(long, value_name = "MODEL", num_args = 0..=1, default_missing_value = "x86-tso", value_parser = ["x86-tso", "lkmm"])]
    pub model: Option<String>,
    /// With `--model lkmm`: write the C tests the LKMM judged (one per
    /// pair and cycle count tried) into DIR, for herd7 to judge too.
    #[arg(long, value_name = "DIR", requires = "model")]
    pub c_tests: Option<PathBuf>,
    /// Each pair's shortest torn read, step by step.
    #[arg(long)]
    pub why: bool,
    /// Print the matrices as markdown tables.
    #[arg(long)]
    pub markdown: bool,
    /// Append a row per pair, writer count and window to this CSV.
    #[arg(long, value_name = "PATH")]
    pub csv: Option<PathBuf>,
    /// Cores in thread order: the reader's, then the writers'.
    #[arg(long, value_delimiter = ',', value_name = "C[,C...]")]
    pub cores: Vec<usize>,
    /// Seconds per hardware run [default: 0.2].
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds, conflicts_with = "iterations")]
    pub duration: Option<f64>,
    /// Reads per hardware run instead of a duration.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub iterations: Option<u64>,
    /// The reader's windows to sweep (`0,50ns,1turns`; at most K/2 turns)
    /// [default: 0,1turns,2turns].
    #[arg(long, value_delimiter = ',', value_name = "W[,W...]", value_parser = Window::parse)]
    pub reader_window: Vec<Window>,
    /// Only the matrices, not a line per run.
    #[arg(long)]
    pub quiet: bool,
}

impl From<ProtocolsArgs> for ProtocolsRequest {
    fn from(a: ProtocolsArgs) -> ProtocolsRequest {
        ProtocolsRequest {
            readers: a.readers,
            writers: a.writers,
            writer_threads: a.writer_threads.into_iter().map(usize::from).collect(),
            bound: a.cycles,
            model_only: a.model.is_some(),
            lkmm: a.model.as_deref() == Some("lkmm"),
            c_tests: a.c_tests,
            why: a.why,
            markdown: a.markdown,
            csv: a.csv,
            cores: a.cores,
            duration: a.duration,
            iterations: a.iterations,
            windows: a.reader_window,
            quiet: a.quiet,
        }
    }
}

fn parse_reader(name: &str) -> Result<Reader, String> {
    Reader::from_name(name).ok_or_else(|| {
        let known: Vec<&str> = Reader::ALL.iter().map(|r| r.name()).collect();
        format!("unknown reader '{name}' (known: {})", known.join(", "))
    })
}

fn parse_writer(name: &str) -> Result<ProtocolWriter, String> {
    ProtocolWriter::from_name(name).ok_or_else(|| {
        let known: Vec<&str> = ProtocolWriter::ALL.iter().map(|w| w.name()).collect();
        format!("unknown writer '{name}' (known: {})", known.join(", "))
    })
}

#[derive(clap::Args, Debug)]
pub struct GuestArgs {
    /// Arguments for `litmus run` inside the guest (its `--csv` is the host's file).
    #[command(flatten)]
    pub run: RunArgs,
    /// The accelerator: `auto` probes KVM and falls back to TCG.
    #[arg(long, default_value = "auto", value_parser = Accel::NAMES)]
    pub accel: String,
    /// vCPUs of the guest.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub cpus: u32,
    /// Guest memory in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(128..=65536))]
    pub memory: u32,
    /// Seconds from QEMU's start to the guest's poweroff (boot and run
    /// together) before QEMU is killed [default: 180 plus twice the run's
    /// budget; the KVM probe boot of `--accel auto` has its own 30 s].
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: Option<u64>,
    /// A static i686 `litmus` to run in the guest instead of building one.
    #[arg(long, value_name = "PATH")]
    pub binary: Option<PathBuf>,
    /// Where downloads are cached [default: $PTE_LITMUS_CACHE, else
    /// $XDG_CACHE_HOME/pte-litmus, else ~/.cache/pte-litmus].
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
}

impl From<GuestArgs> for GuestConfig {
    fn from(a: GuestArgs) -> GuestConfig {
        GuestConfig {
            run: a.run.into(),
            accel: Accel::from_name(&a.accel).expect("clap checked the name"),
            cpus: a.cpus,
            memory: a.memory,
            timeout: a.timeout,
            binary: a.binary,
            cache: a.cache,
        }
    }
}

pub fn parse_strategy(name: &str) -> Result<ReadStrategy, String> {
    ReadStrategy::from_name(name).ok_or_else(|| {
        let known: Vec<&str> = ReadStrategy::ALL.iter().map(|s| s.name()).collect();
        format!("unknown strategy '{name}' (known: {})", known.join(", "))
    })
}

fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 && s <= 86_400.0 => Ok(s),
        Ok(0.0) => Err(format!(
            "'{text}' seconds would run nothing: give more than 0 (at most 86400)"
        )),
        _ => Err(format!(
            "'{text}' is not a number of seconds above 0 and at most 86400"
        )),
    }
}

/// `--timebase-delta`: `auto` (`None`) or a number of ticks.
#[derive(Clone, Copy, Debug)]
pub struct Delta(pub Option<u32>);

fn parse_delta(text: &str) -> Result<Delta, String> {
    match text.parse::<u32>() {
        _ if text == "auto" => Ok(Delta(None)),
        Ok(n) if (1..=1_000_000).contains(&n) => Ok(Delta(Some(n))),
        _ => Err(format!(
            "'{text}' is not 'auto' or a number of ticks from 1 to 1000000"
        )),
    }
}

fn parse_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(r) if r > 0.0 && r <= 1.0 => Ok(r),
        _ => Err(format!(
            "'{text}' is not a rate of torn reads per read (above 0, at most 1)"
        )),
    }
}

fn parse_batch(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=1 << 20).contains(&n) => Ok(n),
        _ => Err(format!("'{text}' is not a batch size from 1 to 1048576")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_parsed_strictly() {
        assert!(parse_seconds("0.5").is_ok());
        // Zero is a number: the message says why it is refused.
        let zero = parse_seconds("0").unwrap_err();
        assert!(
            zero.contains("would run nothing") && !zero.contains("not a number"),
            "{zero}"
        );
        assert!(
            parse_seconds("x")
                .unwrap_err()
                .contains("is not a number of seconds above 0")
        );
        for bad in ["0", "-1", "inf", "NaN", "1e9", "x"] {
            assert!(parse_seconds(bad).is_err(), "{bad}");
        }
        assert!(matches!(parse_delta("auto"), Ok(Delta(None))));
        assert!(matches!(parse_delta("500"), Ok(Delta(Some(500)))));
        assert!(parse_delta("0").is_err());
        assert!(parse_batch("0").is_err() && parse_batch("64").is_ok());
        assert!(parse_rate("1e-6").is_ok() && parse_rate("0").is_err() && parse_rate("2").is_err());
        assert!(parse_strategy("movq-sse2").is_ok());
        assert!(parse_strategy("movq").unwrap_err().contains("known: split"));
    }
}
