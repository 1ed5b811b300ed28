//! The `litmus` command line: `list`, `show`, `run`.
//!
//! Exit status: 0 when no forbidden outcome was seen, 1 when one was (a
//! finding), 2 on bad input (one line on stderr), 130 after Ctrl-C (every
//! finished run is already in the CSV).

use crate::catalog::{ClassicTest, Expect, PteTest, Test};
use crate::machine::Machine;
use crate::pin::Cores;
use crate::record::CsvSink;
use crate::run::{Budget, OutcomeCount, Plan, Progress, RunResult, Sync, run_classic, run_pte};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use pte_asm::cpu::Features;
use pte_asm::strategy::ReadStrategy;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::time::{Duration, SystemTime};

/// Hardware litmus tests for reading a 64-bit PTE as two 32-bit halves.
#[derive(Parser, Debug)]
#[command(name = "litmus", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Every test with its description and its expected result per strategy.
    List,
    /// What each thread of TEST runs, its outcomes, expectation and kernel code.
    Show {
        /// A test name from `litmus list`.
        test: String,
    },
    /// Run tests on pinned cores and judge the outcomes.
    Run(RunArgs),
    /// Every outcome x86-TSO allows for TEST, by exhaustive search of the
    /// operational model (mixed-size: the PTE is two 32-bit halves).
    Model {
        /// A test name from `litmus list`.
        test: String,
        /// Read strategies for a PTE test (default: all).
        #[arg(long, value_delimiter = ',', value_name = "S[,S...]", value_parser = parse_strategy)]
        strategy: Vec<ReadStrategy>,
        /// Also print a shortest interleaving that reaches the witness.
        #[arg(long)]
        why: bool,
    },
    /// Litmus and bench CSVs of many machines side by side.
    Compare {
        /// CSV files from `litmus run --csv` and `litmus bench-report --csv`.
        files: Vec<PathBuf>,
        /// Markdown tables (for a mailing-list reply or an issue).
        #[arg(long)]
        markdown: bool,
        /// Also draw the read costs and the PTE-ABA sweep into this SVG.
        #[arg(long, value_name = "PATH.svg")]
        plot: Option<PathBuf>,
    },
    /// Write the tests herdtools7's X86 syntax can express as .litmus files.
    Export {
        /// The directory to write them into (created if missing).
        #[arg(long, value_name = "DIR")]
        herd: PathBuf,
    },
    /// `litmus run` inside a 32-bit PAE Linux guest (Debian's 686-pae kernel
    /// under QEMU: KVM where the host allows it, else software emulation).
    Guest(crate::guest::GuestArgs),
    /// Turn the criterion results of the last `cargo bench` runs (every
    /// target) into CSV rows with the machine columns and ratios to split.
    BenchReport {
        /// The CSV to write (appended to if it has the same header).
        #[arg(long, value_name = "PATH")]
        csv: PathBuf,
        /// Where criterion wrote its results [default: target/criterion].
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Tests to run (default: the whole suite).
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
    /// `pause` iterations in the PTE reader's window (after its low load, and
    /// for lowhigh* also after its high load), on its first attempt; a list
    /// runs a sweep.
    #[arg(long, value_delimiter = ',', value_name = "N[,N...]")]
    pub reader_delay: Vec<u32>,
    /// Instances per batch of a classic test (256: their lines still fit
    /// a 32 KiB L1, and fewer batch boundaries leave more time for bodies).
    #[arg(long, value_name = "N", default_value_t = 256, value_parser = parse_batch)]
    pub batch: usize,
    /// How classic-test threads enter each instance together: `timebase`
    /// (a shared TSC deadline per instance) or `flags` (plain store/load
    /// handshake, for machines whose TSCs are not synchronised).
    #[arg(long, value_name = "MODE", default_value = "timebase", value_parser = ["timebase", "flags"])]
    pub sync: String,
    /// TSC ticks between instance starts with `--sync timebase`, or `auto`:
    /// start at 3/2 of the measured cache-line round trip between the first
    /// two cores, then narrow while threads are on time and widen while
    /// they start instances late. Either way each thread's deadlines are
    /// shifted to meet thread 0's, as measured between batches.
    #[arg(long, value_name = "TICKS|auto", default_value = "auto", value_parser = parse_delta)]
    pub timebase_delta: Delta,
    /// Append one row per run, test, strategy and outcome to this CSV.
    #[arg(long, value_name = "PATH")]
    pub csv: Option<PathBuf>,
    /// No progress bar and no histograms: the summary only.
    #[arg(long)]
    pub quiet: bool,
}

fn parse_strategy(name: &str) -> Result<ReadStrategy, String> {
    ReadStrategy::from_name(name).ok_or_else(|| {
        let known: Vec<&str> = ReadStrategy::ALL.iter().map(|s| s.name()).collect();
        format!("unknown strategy '{name}' (known: {})", known.join(", "))
    })
}

fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 && s <= 86_400.0 => Ok(s),
        _ => Err(format!(
            "'{text}' is not a number of seconds between 0 and 86400"
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

fn parse_batch(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=1 << 20).contains(&n) => Ok(n),
        _ => Err(format!("'{text}' is not a batch size from 1 to 1048576")),
    }
}

/// Parse the command line; bad input is one line and exit status 2.
pub fn parse() -> Cli {
    Cli::try_parse().unwrap_or_else(|e| {
        use clap::error::ErrorKind;
        if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion)
            || e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        {
            e.exit();
        }
        // clap's message without its usage block, folded into one line
        // (a missing argument's name is on the message's second line).
        let text = e.to_string();
        let message: Vec<&str> = text
            .lines()
            .take_while(|l| !l.is_empty() && !l.starts_with("Usage:"))
            .map(str::trim)
            .collect();
        let line = message.join(" ");
        bad_input(line.trim_start_matches("error: "))
    })
}

/// One line on stderr, exit status 2.
pub fn bad_input(message: &str) -> ! {
    eprintln!("litmus: {message}");
    std::process::exit(2)
}

pub fn compare(files: &[PathBuf], markdown: bool, plot: Option<&std::path::Path>) -> i32 {
    let inputs = crate::compare::load(files).unwrap_or_else(|e| bad_input(&e));
    if let Some(path) = plot {
        crate::compare::plot(&inputs, path).unwrap_or_else(|e| bad_input(&e));
    }
    print!("{}", crate::compare::report(&inputs, markdown));
    0
}

pub fn bench_report(csv: &std::path::Path, dir: Option<&std::path::Path>) -> i32 {
    let root = dir
        .map(PathBuf::from)
        .unwrap_or_else(crate::bench::criterion_root);
    match crate::bench::bench_report(&root, csv) {
        Ok(written) => {
            for (target, rows) in written {
                println!("litmus: {rows} rows from {target} into {}", csv.display());
            }
            0
        }
        Err(e) => bad_input(&e),
    }
}

/// `litmus guest`: check everything on the host, fetch and build what the
/// guest needs, boot it, bring its CSV rows back, exit with its status.
pub fn guest(args: crate::guest::GuestArgs) -> i32 {
    use crate::guest::{self, Accel, Boot, Ending};
    let jobs = args.run.job_count().unwrap_or_else(|e| bad_input(&e));
    if let Some(core) = args.run.cores.iter().find(|c| **c >= args.cpus as usize) {
        bad_input(&format!(
            "core {core} does not exist in a guest with {} vCPUs (--cpus)",
            args.cpus
        ));
    }
    let header = run_header();
    let mut sink = args
        .run
        .csv
        .as_ref()
        .map(|p| CsvSink::open(p, &header).unwrap_or_else(|e| bad_input(&e)));
    if let Err(e) = ctrlc::set_handler(|| INTERRUPTED.store(true, Relaxed)) {
        eprintln!("litmus: warning: Ctrl-C will not stop cleanly: {e}");
    }
    let failed = |e: String| -> ! { bad_input(&format!("guest: {e}")) };
    guest::find_qemu().unwrap_or_else(|e| failed(e));
    let cache = args.cache.clone().unwrap_or_else(guest::default_cache);
    let image = guest::fetch_image(&cache).unwrap_or_else(|e| failed(e));
    let litmus = match &args.binary {
        Some(path) => path.clone(),
        None => guest::build_guest_litmus().unwrap_or_else(|e| failed(e)),
    };
    let work = cache.join(format!("run-{}", std::process::id()));
    let share = work.join("results");
    std::fs::create_dir_all(&share)
        .unwrap_or_else(|e| failed(format!("cannot create {}: {e}", share.display())));
    let initramfs = work.join("initramfs.cpio");
    let init = guest::init_script(&args.run.to_argv());
    guest::write_initramfs(&initramfs, &image, &litmus, &init).unwrap_or_else(|e| failed(e));
    let console_log = cache.join("console.log");
    let probe_log = cache.join("console-probe.log");
    let boot = |accel, probe| Boot {
        image: &image,
        initramfs: &initramfs,
        share: &share,
        accel,
        cpus: args.cpus,
        memory: args.memory,
        probe,
        console_log: if probe { &probe_log } else { &console_log },
    };
    let interrupted = || INTERRUPTED.load(Relaxed);

    let accel = match args.accel {
        Accel::Auto => match guest::kvm_device() {
            Err(why) => {
                eprintln!("litmus: guest: TCG ({why})");
                Accel::Tcg
            }
            Ok(()) => match boot(Accel::Kvm, true).run(
                guest::PROBE_TIMEOUT,
                guest::PROBE_TIMEOUT,
                &interrupted,
            ) {
                Ok(_) => {
                    eprintln!("litmus: guest: KVM (a probe boot of the 686-pae kernel worked)");
                    Accel::Kvm
                }
                Err(why) => {
                    eprintln!("litmus: guest: TCG (KVM probe boot failed: {why})");
                    Accel::Tcg
                }
            },
        },
        chosen => chosen,
    };
    if accel == Accel::Tcg {
        eprintln!(
            "litmus: guest: under TCG each vCPU is a host thread running translated code: the \
             x86 ordering model is kept, but timings and rates are not those of real hardware"
        );
    }
    eprintln!(
        "litmus: guest: booting {} with {} vCPUs, {} MiB; console log in {}",
        image.release,
        args.cpus,
        args.memory,
        console_log.display()
    );
    // The boot is seconds under TCG; the run gets twice its budget (its
    // calibration and thread start-up are slower under emulation).
    let run_timeout = args.timeout.map(Duration::from_secs).unwrap_or_else(|| {
        let per_run = args.run.seconds_per_run().unwrap_or(60.0);
        Duration::from_secs_f64(60.0 + 2.0 * jobs as f64 * (per_run + 1.0))
    });
    let ending = boot(accel, false).run(Duration::from_secs(120), run_timeout, &interrupted);

    // Whatever finished reaches the host's CSV, however the guest ended.
    let guest_csv = share.join("guest.csv");
    let mut copied = Ok(0);
    if let (Some(sink), Ok(text)) = (sink.as_mut(), std::fs::read_to_string(&guest_csv)) {
        copied = guest_rows(&text, &header).and_then(|rows| {
            sink.write_rows(&rows)?;
            Ok(rows.len())
        });
    }
    let code = match (&ending, &copied) {
        (_, Err(e)) => failed(format!("the guest's CSV: {e}")),
        (Err(e), _) => failed(e.clone()),
        (Ok(Ending::Interrupted), _) => 130,
        (Ok(Ending::Exited(status)), _) => *status,
    };
    if let (Some(path), Ok(rows)) = (&args.run.csv, copied) {
        eprintln!("litmus: guest: {rows} rows into {}", path.display());
    }
    let _ = std::fs::remove_dir_all(&work);
    code
}

/// The rows of the guest's CSV, which must have this version's header.
fn guest_rows(text: &str, header: &[&str]) -> Result<Vec<Vec<String>>, String> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let theirs = reader.headers().map_err(|e| e.to_string())?;
    if theirs.iter().ne(header.iter().copied()) {
        return Err("its header is not this version's".into());
    }
    reader
        .records()
        .map(|r| {
            r.map(|r| r.iter().map(String::from).collect())
                .map_err(|e| e.to_string())
        })
        .collect()
}

// ------------------------------------------------------------- list/show ---

fn pte_expectations(test: &PteTest) -> String {
    ReadStrategy::ALL
        .iter()
        .map(|s| format!("{}={}", s.name(), &(test.expect)(*s).name()[..1]))
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn list() {
    println!(
        "{:<12} {:<10} {:<10} description",
        "test", "expected", "model"
    );
    for test in Test::all() {
        match test {
            Test::Classic(t) => println!(
                "{:<12} {:<10} {:<10} {}",
                t.name,
                t.expect.name(),
                crate::model::verdict(test, None).name(),
                t.summary
            ),
            Test::Pte(t) => {
                println!(
                    "{:<12} {:<10} {:<10} {}",
                    t.name, "per read", "per read", t.summary
                );
                println!(
                    "{:<23} {} (A=Allowed, F=Forbidden): {}",
                    "",
                    t.witness.name(),
                    pte_expectations(t)
                );
                let disagree: Vec<String> = ReadStrategy::ALL
                    .iter()
                    .filter(|s| crate::model::verdict(test, Some(**s)) != (t.expect)(**s))
                    .map(|s| s.name().to_string())
                    .collect();
                println!(
                    "{:<23} the model: {}",
                    "",
                    if disagree.is_empty() {
                        "agrees for every strategy".to_string()
                    } else {
                        format!("DISAGREES for {}", disagree.join(", "))
                    }
                );
            }
        }
    }
}

pub fn export(dir: &std::path::Path) -> i32 {
    match crate::herd::export(dir) {
        Ok((written, skipped)) => {
            println!(
                "litmus: {written} tests into {} (listed in @all)",
                dir.display()
            );
            for line in skipped {
                println!("litmus: not exported: {line}");
            }
            0
        }
        Err(e) => bad_input(&e),
    }
}

pub fn model(name: &str, strategies: &[ReadStrategy], why: bool) -> i32 {
    let Some(test) = Test::by_name(name) else {
        bad_input(&unknown_test(name))
    };
    let strategies: Vec<Option<ReadStrategy>> = match test {
        Test::Classic(_) => vec![None],
        Test::Pte(_) if strategies.is_empty() => {
            ReadStrategy::ALL.iter().copied().map(Some).collect()
        }
        Test::Pte(_) => strategies.iter().copied().map(Some).collect(),
    };
    for (i, strategy) in strategies.into_iter().enumerate() {
        if i > 0 {
            println!();
        }
        print!("{}", crate::model::report(test, strategy, why));
    }
    0
}

pub fn show(name: &str) {
    let Some(test) = Test::by_name(name) else {
        bad_input(&unknown_test(name))
    };
    match test {
        Test::Classic(t) => show_classic(t),
        Test::Pte(t) => show_pte(t),
    }
}

fn show_classic(t: &ClassicTest) {
    println!("{}: {}\n", t.name, t.summary);
    println!("{}\n", t.about);
    for (i, ops) in t.threads.iter().enumerate() {
        let ops: Vec<String> = ops.iter().map(|op| op.to_string()).collect();
        println!("  P{i}: {}", ops.join("; "));
    }
    let witness = crate::run::classic_label(t, t.witness);
    let columns: Vec<String> = t.observed.iter().map(|o| o.to_string()).collect();
    println!("\n  observed: {}", columns.join(", "));
    println!("  exists ({witness})");
    println!("  x86-TSO: {}", t.expect.name());
    println!("  Result: {}", t.expect.result_line());
}

fn show_pte(t: &PteTest) {
    println!("{}: {}\n", t.name, t.summary);
    println!("{}\n", t.about);
    for thread in t.thread_lines() {
        println!("  {thread}");
    }
    println!(
        "\n  outcomes: intact (installed whole), torn (present, halves never together), absent (not present){}",
        if t.writer_checks() {
            ", lost (a write of the writer's overwritten)"
        } else {
            ""
        }
    );
    println!("  witness: {}\n", t.witness.name());
    println!("  {:<18} {:<28} {:<10}", "strategy", "writer", "x86-TSO");
    for s in ReadStrategy::ALL {
        let expect = (t.expect)(s);
        println!(
            "  {:<18} {:<28} {:<10} Result: {}",
            s.name(),
            s.writer().name(),
            expect.name(),
            expect.result_line()
        );
    }
}

fn unknown_test(name: &str) -> String {
    let known: Vec<&str> = Test::all().map(|t| t.name()).collect();
    format!("unknown test '{name}' (known: {})", known.join(", "))
}

// -------------------------------------------------------------------- run ---

/// How a run's witness count compares with its expectation, judged as the
/// kernel's `judgelitmus.sh` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Allowed and seen, or forbidden and never seen.
    Ok,
    /// Forbidden, yet seen: a finding.
    Unexpected,
    /// Allowed, never seen in this run: reported, not hidden.
    NotObserved,
}

impl Verdict {
    pub fn judge(expect: Expect, witnesses: u64) -> Verdict {
        match (expect, witnesses > 0) {
            (Expect::Forbidden, true) => Verdict::Unexpected,
            (Expect::Allowed, false) => Verdict::NotObserved,
            _ => Verdict::Ok,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Unexpected => "UNEXPECTED",
            Verdict::NotObserved => "not-observed",
        }
    }
}

/// The CSV header of `litmus run`.
pub fn run_header() -> Vec<&'static str> {
    let mut header = vec!["run_id", "timestamp"];
    header.extend(Machine::COLUMNS);
    header.extend([
        "cores",
        "test",
        "strategy",
        "writer",
        "reader_delay",
        "iterations",
        "seconds",
        "outcome",
        "count",
        "witness",
        "expected",
        "verdict",
    ]);
    header
}

/// One (test, strategy, reader delay) to run.
struct Job {
    test: Test,
    strategy: Option<ReadStrategy>,
    reader_delay: u32,
}

impl Job {
    fn threads(&self) -> usize {
        self.test.threads()
    }

    fn expect(&self) -> Expect {
        self.test.expect(self.strategy)
    }

    fn strategy_name(&self) -> &'static str {
        self.strategy.map_or("-", |s| s.name())
    }

    /// What the x86-TSO model derives for this job's witness.
    fn model(&self) -> Expect {
        crate::model::verdict(self.test, self.strategy)
    }

    fn writer_name(&self) -> &'static str {
        self.strategy.map_or("-", |s| s.writer().name())
    }

    /// `Err(reason)` when this build or CPU cannot run it.
    fn availability(&self, cpu: &Features) -> Result<(), String> {
        match (self.test, self.strategy) {
            (Test::Classic(t), _) => {
                if let Some(fence) = t.missing_fence() {
                    return Err(format!(
                        "not in this build: {} needs SSE2 (i586 target)",
                        fence.name()
                    ));
                }
                if t.needs_sse2() && !cpu.sse2 {
                    return Err("CPU lacks SSE2 (cpuid 1:EDX bit 26)".into());
                }
                Ok(())
            }
            (Test::Pte(_), Some(s)) => s.availability(cpu).map_err(String::from),
            (Test::Pte(_), None) => unreachable!(),
        }
    }
}

/// The progress bar: hidden with `--quiet` or when stderr is not a
/// terminal, and shown only once the run has taken a second.
struct Bar {
    bar: ProgressBar,
    enabled: bool,
    started: std::time::Instant,
    /// Units done by earlier jobs, and this job's budget in units.
    offset: std::cell::Cell<u64>,
    /// Units are milliseconds for time budgets, iterations otherwise.
    by_time: bool,
}

impl Bar {
    fn new(total: u64, by_time: bool, quiet: bool) -> Bar {
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
            started: std::time::Instant::now(),
            offset: Default::default(),
            by_time,
        }
    }

    fn start_job(&self, message: String, offset: u64) {
        self.offset.set(offset);
        self.bar.set_message(message);
    }

    fn finish(&self) {
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

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// A finished run, for the summary table.
struct Summary {
    test: &'static str,
    strategy: &'static str,
    reader_delay: u32,
    expect: Option<Expect>,
    model: Option<Expect>,
    witness: String,
    witnesses: u64,
    rate: f64,
    verdict: String,
}

impl RunArgs {
    /// Every (test, strategy, reader delay) these arguments ask for, in
    /// order; an unknown test is an error.
    fn jobs(&self) -> Result<Vec<Job>, String> {
        let mut tests = Vec::new();
        for name in &self.tests {
            tests.push(Test::by_name(name).ok_or_else(|| unknown_test(name))?);
        }
        if tests.is_empty() {
            tests = Test::all().collect();
        }
        let strategies = if self.strategy.is_empty() {
            ReadStrategy::ALL.to_vec()
        } else {
            self.strategy.clone()
        };
        let delays = if self.reader_delay.is_empty() {
            vec![0]
        } else {
            self.reader_delay.clone()
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

    /// Seconds of a duration budget per run (the default budget is one).
    pub fn seconds_per_run(&self) -> Option<f64> {
        match (self.iterations, self.duration) {
            (Some(_), _) => None,
            (None, d) => Some(d.unwrap_or(1.0)),
        }
    }

    /// The runs these arguments ask for; an unknown test is an error.
    pub fn job_count(&self) -> Result<usize, String> {
        self.jobs().map(|j| j.len())
    }

    /// These arguments as `litmus run` takes them, without `--csv` (for
    /// the run inside `litmus guest`, whose CSV the host writes).
    pub fn to_argv(&self) -> Vec<String> {
        let mut argv = self.tests.clone();
        let list = |items: Vec<String>| items.join(",");
        if !self.strategy.is_empty() {
            argv.push("--strategy".into());
            argv.push(list(
                self.strategy.iter().map(|s| s.name().to_string()).collect(),
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
        if !self.reader_delay.is_empty() {
            argv.push("--reader-delay".into());
            argv.push(list(
                self.reader_delay.iter().map(|d| d.to_string()).collect(),
            ));
        }
        argv.extend(["--batch".into(), self.batch.to_string()]);
        argv.extend(["--sync".into(), self.sync.clone()]);
        argv.push("--timebase-delta".into());
        argv.push(
            self.timebase_delta
                .0
                .map_or("auto".into(), |d| d.to_string()),
        );
        if self.quiet {
            argv.push("--quiet".into());
        }
        argv
    }
}

pub fn run(args: RunArgs) -> i32 {
    // Everything is checked before anything runs.
    let jobs = args.jobs().unwrap_or_else(|e| bad_input(&e));
    let cores = Cores::choose((!args.cores.is_empty()).then_some(&args.cores[..]))
        .unwrap_or_else(|e| bad_input(&e));
    let budget = match (args.iterations, args.duration) {
        (Some(n), _) => Budget::Iterations(n),
        (None, Some(s)) => Budget::Duration(Duration::from_secs_f64(s)),
        (None, None) => Budget::Duration(Duration::from_secs(1)),
    };
    let sync = match args.sync.as_str() {
        "flags" => Sync::Flags,
        _ => Sync::Timebase {
            delta: args.timebase_delta.0,
        },
    };
    let machine = Machine::detect();
    let header = run_header();
    let mut sink = args
        .csv
        .as_ref()
        .map(|p| CsvSink::open(p, &header).unwrap_or_else(|e| bad_input(&e)));
    if let Err(e) = ctrlc::set_handler(|| INTERRUPTED.store(true, Relaxed)) {
        eprintln!("litmus: warning: Ctrl-C will not stop cleanly: {e}");
    }

    let cpu = Features::detect();
    let run_id = format!(
        "{}-{}",
        humantime::format_rfc3339_seconds(SystemTime::now()),
        std::process::id()
    );
    println!("litmus: {}", machine.describe());
    println!(
        "litmus: run {run_id}, cores {cores}, {} per run",
        describe_budget(budget)
    );

    let runnable = jobs.iter().filter(|j| j.availability(&cpu).is_ok()).count() as u64;
    let (per_job, by_time) = match budget {
        Budget::Duration(d) => (d.as_millis() as u64, true),
        Budget::Iterations(n) => (n, false),
    };
    let bar = Bar::new(per_job * runnable, by_time, args.quiet);
    let mut summaries = Vec::new();
    let mut finding = false;
    let mut done_jobs = 0;
    for job in &jobs {
        let title = format!(
            "{} [{}]{}",
            job.test.name(),
            job.strategy_name(),
            if job.reader_delay > 0 {
                format!(" reader-delay {}", job.reader_delay)
            } else {
                String::new()
            }
        );
        if let Err(reason) = job.availability(&cpu) {
            println!("\n=== {title}: unavailable: {reason}");
            summaries.push(Summary {
                test: job.test.name(),
                strategy: job.strategy_name(),
                reader_delay: job.reader_delay,
                expect: None,
                model: None,
                witness: "-".into(),
                witnesses: 0,
                rate: 0.0,
                verdict: "unavailable".into(),
            });
            continue;
        }
        bar.start_job(title.clone(), done_jobs * per_job);
        let plan = Plan {
            cores: cores.clone(),
            budget,
            batch: args.batch,
            sync,
            reader_delay: job.reader_delay,
        };
        let result = match (job.test, job.strategy) {
            (Test::Classic(t), _) => run_classic(t, &plan, &INTERRUPTED, &bar),
            (Test::Pte(t), Some(s)) => run_pte(t, s, &plan, &INTERRUPTED, &bar),
            (Test::Pte(_), None) => unreachable!(),
        };
        done_jobs += 1;
        let result = match result {
            Ok(r) => r,
            Err(e) => {
                bar.finish();
                bad_input(&e)
            }
        };
        if result.interrupted {
            bar.finish();
            println!(
                "\n=== {title}: interrupted after {:.2} s; not recorded",
                result.seconds
            );
            break;
        }
        let expect = job.expect();
        let verdict = Verdict::judge(expect, result.witnesses());
        finding |= verdict == Verdict::Unexpected;
        if !args.quiet {
            bar.bar
                .suspend(|| print_run(&title, job, &cores, expect, verdict, &result));
        }
        if let Some(sink) = sink.as_mut() {
            let rows = csv_rows(&run_id, &machine, &cores, job, expect, verdict, &result);
            if let Err(e) = sink.write_rows(&rows) {
                bar.finish();
                bad_input(&e);
            }
        }
        summaries.push(Summary {
            test: job.test.name(),
            strategy: job.strategy_name(),
            reader_delay: job.reader_delay,
            expect: Some(expect),
            model: Some(job.model()),
            witness: witness_of(job),
            witnesses: result.witnesses(),
            rate: result.witness_rate(),
            verdict: verdict.name().into(),
        });
    }
    bar.finish();
    print_summary(&summaries);
    if INTERRUPTED.load(Relaxed) {
        println!("litmus: interrupted; every finished run is recorded");
        return 130;
    }
    if finding {
        println!("litmus: a forbidden outcome was observed (UNEXPECTED above)");
        return 1;
    }
    0
}

fn witness_of(job: &Job) -> String {
    match job.test {
        Test::Classic(t) => crate::run::classic_label(t, t.witness),
        Test::Pte(t) => t.witness.name().into(),
    }
}

fn describe_budget(budget: Budget) -> String {
    match budget {
        Budget::Iterations(n) => format!("{n} iterations"),
        Budget::Duration(d) => format!("{:.3} s", d.as_secs_f64()),
    }
}

fn print_run(
    title: &str,
    job: &Job,
    cores: &Cores,
    expect: Expect,
    verdict: Verdict,
    result: &RunResult,
) {
    println!(
        "\n=== {title}   x86-TSO: {} (Result: {}; the model: {})",
        expect.name(),
        expect.result_line(),
        job.model().name()
    );
    if let Some(note) = cores.oversubscription(job.threads()) {
        println!("    note: {note}");
    }
    println!(
        "Histogram ({} states, {} iterations, {:.3} s, cores {}; {})",
        result.outcomes.iter().filter(|o| o.count > 0).count(),
        result.iterations,
        result.seconds,
        cores.used(job.threads()),
        result.detail
    );
    for OutcomeCount {
        label,
        count,
        witness,
    } in &result.outcomes
    {
        println!("{count:>14} {} {label}", if *witness { "*>" } else { ": " });
    }
    let witnesses = result.witnesses();
    println!(
        "Witnesses {} ({}/s), Negative {}: {}",
        witnesses,
        human_rate(result.witness_rate()),
        result.iterations.saturating_sub(witnesses),
        match verdict {
            Verdict::Ok if witnesses > 0 => "ok, allowed and observed",
            Verdict::Ok => "ok, forbidden and never observed",
            Verdict::Unexpected => "UNEXPECTED: a forbidden outcome was observed",
            Verdict::NotObserved => "allowed but not observed in this run",
        }
    );
}

/// `2.50M`, `7.2k`, `16.7`: a rate, short.
pub(crate) fn human_rate(rate: f64) -> String {
    match rate {
        r if r >= 1e6 => format!("{:.2}M", r / 1e6),
        r if r >= 1e3 => format!("{:.1}k", r / 1e3),
        r => format!("{r:.1}"),
    }
}

fn csv_rows(
    run_id: &str,
    machine: &Machine,
    cores: &Cores,
    job: &Job,
    expect: Expect,
    verdict: Verdict,
    result: &RunResult,
) -> Vec<Vec<String>> {
    let timestamp = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
    result
        .outcomes
        .iter()
        .map(|o| {
            let mut row = vec![run_id.to_string(), timestamp.clone()];
            row.extend(machine.values());
            row.extend([
                cores.used(job.threads()),
                job.test.name().into(),
                job.strategy_name().into(),
                job.writer_name().into(),
                job.reader_delay.to_string(),
                result.iterations.to_string(),
                format!("{:.6}", result.seconds),
                o.label.clone(),
                o.count.to_string(),
                o.witness.to_string(),
                expect.name().into(),
                verdict.name().into(),
            ]);
            row
        })
        .collect()
}

fn print_summary(summaries: &[Summary]) {
    println!(
        "\n{:<12} {:<17} {:>6} {:<10} {:<10} {:<32} {:>12} {:>10}  verdict",
        "test", "strategy", "delay", "expected", "model", "witness", "count", "per s"
    );
    for s in summaries {
        println!(
            "{:<12} {:<17} {:>6} {:<10} {:<10} {:<32} {:>12} {:>10}  {}",
            s.test,
            s.strategy,
            s.reader_delay,
            s.expect.map_or("-", |e| e.name()),
            s.model.map_or("-", |e| e.name()),
            s.witness,
            s.witnesses,
            human_rate(s.rate),
            s.verdict
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_are_judged_as_judgelitmus_does() {
        assert_eq!(Verdict::judge(Expect::Forbidden, 0), Verdict::Ok);
        assert_eq!(Verdict::judge(Expect::Forbidden, 1), Verdict::Unexpected);
        assert_eq!(Verdict::judge(Expect::Allowed, 5), Verdict::Ok);
        assert_eq!(Verdict::judge(Expect::Allowed, 0), Verdict::NotObserved);
    }

    #[test]
    fn the_header_holds_the_machine_columns_once() {
        let header = run_header();
        for column in Machine::COLUMNS {
            assert_eq!(
                header.iter().filter(|h| **h == column).count(),
                1,
                "{column}"
            );
        }
        assert_eq!(header.first(), Some(&"run_id"));
        assert_eq!(header.last(), Some(&"verdict"));
    }

    #[test]
    fn run_arguments_survive_the_trip_into_the_guest() {
        let parse = |argv: &[String]| match Cli::try_parse_from(
            ["litmus", "run"]
                .into_iter()
                .map(String::from)
                .chain(argv.iter().cloned()),
        ) {
            Ok(Cli {
                command: Command::Run(args),
            }) => args,
            other => panic!("{other:?}"),
        };
        let given: Vec<String> = [
            "PTE-ABA",
            "SB",
            "--strategy",
            "lowhigh,fild",
            "--cores",
            "1,0",
            "--duration",
            "2.5",
            "--reader-delay",
            "0,10",
            "--batch",
            "32",
            "--sync",
            "flags",
            "--timebase-delta",
            "900",
            "--quiet",
            "--csv",
            "host.csv",
        ]
        .map(String::from)
        .to_vec();
        let args = parse(&given);
        let argv = args.to_argv();
        assert!(
            !argv.contains(&"--csv".to_string()),
            "the host writes the CSV"
        );
        let again = parse(&argv);
        assert_eq!(format!("{:?}", again.csv), "None");
        assert_eq!(again.to_argv(), argv);
        assert_eq!(
            format!("{again:?}").replace("csv: None", ""),
            format!("{args:?}").replace("csv: Some(\"host.csv\")", "")
        );
    }

    #[test]
    fn numbers_are_parsed_strictly() {
        assert!(parse_seconds("0.5").is_ok());
        for bad in ["0", "-1", "inf", "NaN", "1e9", "x"] {
            assert!(parse_seconds(bad).is_err(), "{bad}");
        }
        assert!(matches!(parse_delta("auto"), Ok(Delta(None))));
        assert!(matches!(parse_delta("500"), Ok(Delta(Some(500)))));
        assert!(parse_delta("0").is_err());
        assert!(parse_batch("0").is_err() && parse_batch("64").is_ok());
        assert!(parse_strategy("movq-sse2").is_ok());
        assert!(parse_strategy("movq").unwrap_err().contains("known: split"));
    }
}
