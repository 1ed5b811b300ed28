//! `litmus protocols`: which PTE read and write protocols built from 32-bit
//! accesses keep a read whole, and how many zap+install cycles inside one
//! read break each. The model answers for every reader x writer pair
//! ([`crate::model::protocol`]); the hardware runs each pair with a sweep
//! of reader windows ([`crate::harness::protocol`]) and counts torn reads
//! beside the answer; a torn read the model rules out is UNEXPECTED.

use crate::catalog::protocol::{Installs, Pair, Reader, SEED_INSTALLS, Writer};
use crate::error::{BadInputExt, Error, FailedExt};
use crate::harness::clocks::Clocks;
use crate::harness::pin::Cores;
use crate::harness::protocol::{ProtocolJob, protocol_turn_ticks, run_protocol};
use crate::harness::window::{Scale, Window, nanos};
use crate::harness::{Budget, INTERRUPTED, Plan, Sync, interrupt_on_ctrl_c};
use crate::judge::Verdict;
use crate::model::herd::lkmm::matrix::{self as lkmm_matrix, Judged};
use crate::model::herd::write_dir;
use crate::model::protocol::{Answer, answer};
use crate::report::format::describe_budget;
use crate::report::machine::Machine;
use crate::report::protocol::{Measured, csv_rows, hardware_matrix, model_matrix, verdict, why};
use crate::report::rows::ProtocolRow;
use crate::report::sink::CsvSink;
use pte_asm::cpu::Features;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, SystemTime};

/// The windows of a sweep that names none.
pub const DEFAULT_WINDOWS: [Window; 3] =
    [Window::Pauses(0), Window::Turns(1.0), Window::Turns(2.0)];
/// Seconds per hardware run by default.
pub const DEFAULT_SECONDS: f64 = 0.2;
/// Exchanges that time a writer's zap+install as the reader sees it.
const TURN_ROUNDS: u32 = 1_000;

/// What `litmus protocols` is asked to do.
#[derive(Clone, Debug, PartialEq)]
pub struct ProtocolsRequest {
    /// Readers and writers to judge (empty: all).
    pub readers: Vec<Reader>,
    pub writers: Vec<Writer>,
    /// Writer threads taking turns, a hardware run per count.
    pub writer_threads: Vec<usize>,
    /// Cycles the model tries, at most.
    pub bound: u32,
    /// The model only: no hardware runs.
    pub model_only: bool,
    /// The LKMM's matrix beside x86-TSO's (model only).
    pub lkmm: bool,
    /// Where to write the C tests the LKMM judged.
    pub c_tests: Option<PathBuf>,
    pub why: bool,
    pub markdown: bool,
    pub csv: Option<PathBuf>,
    pub cores: Vec<usize>,
    pub duration: Option<f64>,
    pub iterations: Option<u64>,
    pub windows: Vec<Window>,
    pub quiet: bool,
}

impl ProtocolsRequest {
    fn pairs(&self) -> Vec<Pair> {
        Pair::all()
            .into_iter()
            .filter(|p| self.readers.is_empty() || self.readers.contains(&p.reader))
            .filter(|p| self.writers.is_empty() || self.writers.contains(&p.writer))
            .collect()
    }

    fn budget(&self) -> Budget {
        match self.iterations {
            Some(n) => Budget::Iterations(n),
            None => Budget::Duration(Duration::from_secs_f64(
                self.duration.unwrap_or(DEFAULT_SECONDS),
            )),
        }
    }

    fn windows(&self) -> Result<Vec<Window>, Error> {
        let windows = if self.windows.is_empty() {
            DEFAULT_WINDOWS.to_vec()
        } else {
            self.windows.clone()
        };
        for w in &windows {
            // Two windows a read: wider than half the bound, a read could
            // hold more cycles than the model tried.
            let turns = match *w {
                Window::Turns(t) => Some(t),
                Window::Auto => {
                    return Err(Error::BadInput(
                        "--reader-window auto is for litmus run; protocols sweep the windows given"
                            .into(),
                    ));
                }
                _ => None,
            };
            if turns.is_some_and(|t| 2.0 * t > self.bound as f64) {
                return Err(Error::BadInput(format!(
                    "--reader-window {w}: a read with two such windows could hold more than \
                     --cycles {} zap+install cycles, past what the model tried (raise --cycles)",
                    self.bound
                )));
            }
        }
        Ok(windows)
    }
}

/// Judge, run, print, record.
pub fn execute(request: &ProtocolsRequest) -> Result<(), Error> {
    let pairs = request.pairs();
    if request.c_tests.is_some() && !request.lkmm {
        return Err(Error::BadInput(
            "--c-tests writes the C tests the LKMM judged: give --model lkmm".into(),
        ));
    }
    // The model alone sweeps no windows: none to check against --cycles.
    let windows = if request.model_only {
        Vec::new()
    } else {
        request.windows()?
    };
    let answers: Vec<Answer> = pairs.iter().map(|&p| answer(p, request.bound)).collect();
    let mut measured = Vec::new();
    let machine = Machine::detect();
    let run_id = format!(
        "{}-{}",
        humantime::format_rfc3339_seconds(SystemTime::now()),
        std::process::id()
    );
    let mut sink = match &request.csv {
        Some(path) => Some(CsvSink::<ProtocolRow>::open(path).bad_input()?),
        None => None,
    };
    let cores =
        Cores::choose((!request.cores.is_empty()).then_some(&request.cores[..])).bad_input()?;
    println!("litmus: {}", machine.describe());
    let mut unexpected = 0;
    if request.model_only {
        println!(
            "litmus: protocols, the model only, up to {} zap+install cycles inside a read",
            request.bound
        );
        if let Some(sink) = sink.as_mut() {
            let now = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
            let rows = csv_rows(&run_id, &now, &machine, &cores.to_string(), &answers, &[]);
            sink.write(&rows).failed()?;
        }
    } else {
        interrupt_on_ctrl_c();
        println!(
            "litmus: protocols run {run_id}, cores {cores}, {} per run, windows {}",
            describe_budget(request.budget()),
            windows
                .iter()
                .map(|w| w.to_string())
                .collect::<Vec<_>>()
                .join(",")
        );
        let mut runner = Runner {
            request,
            cores: &cores,
            plan: Plan {
                cores: cores.clone(),
                budget: request.budget(),
                batch: 1,
                sync: Sync::Flags,
                reader_delay: 0,
            },
            clocks: Clocks::measure(cores.for_thread(0)).failed()?,
            turns: HashMap::new(),
            cpu: Features::detect(),
        };
        'all: for a in &answers {
            for &writers in &request.writer_threads {
                for &window in &windows {
                    if INTERRUPTED.load(Relaxed) {
                        break 'all;
                    }
                    let Some(m) = runner.run(a, writers, window)? else {
                        continue;
                    };
                    if verdict(a, &m) == Verdict::Unexpected {
                        unexpected += 1;
                    }
                    if let Some(sink) = sink.as_mut() {
                        let now = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
                        let rows = csv_rows(
                            &run_id,
                            &now,
                            &machine,
                            &cores.to_string(),
                            &answers,
                            std::slice::from_ref(&m),
                        );
                        sink.write(&rows).failed()?;
                    }
                    measured.push(m);
                }
            }
        }
    }
    let lkmm: Vec<(Pair, Result<Answer, String>)> = if request.lkmm {
        let judged: Vec<(Pair, Result<Judged, String>)> = pairs
            .iter()
            .map(|&p| (p, lkmm_matrix::answer(p, request.bound)))
            .collect();
        if let Some(dir) = &request.c_tests {
            let tests = judged.iter().filter_map(|(_, j)| j.as_ref().ok());
            let files =
                tests.flat_map(|j| j.tests.iter().map(|t| (t.name.as_str(), t.text.as_str())));
            let written = write_dir(dir, files).bad_input()?;
            println!(
                "litmus: {written} C tests the LKMM judged written to {}",
                dir.display()
            );
        }
        judged
            .into_iter()
            .map(|(p, j)| (p, j.map(|j| j.answer)))
            .collect()
    } else {
        Vec::new()
    };
    print_report(request, &answers, &measured, &cores);
    if request.lkmm {
        print_lkmm(request, &answers, &lkmm);
    }
    if unexpected > 0 {
        return Err(Error::Finding(format!(
            "{unexpected} run(s) saw a torn read the model rules out"
        )));
    }
    if INTERRUPTED.load(Relaxed) {
        return Err(Error::Interrupted);
    }
    Ok(())
}

fn print_report(
    request: &ProtocolsRequest,
    answers: &[Answer],
    measured: &[Measured],
    cores: &Cores,
) {
    println!();
    println!(
        "The model: zap+install cycles inside one read that tear it (in brackets: with both \
         halves from installed PTEs), x86-TSO, installs chosen by the adversary, up to {} \
         cycles:",
        request.bound
    );
    println!();
    print!("{}", model_matrix(answers, request.markdown));
    for &writers in &request.writer_threads {
        if !measured.iter().any(|m| m.writers == writers) {
            continue;
        }
        let windows: Vec<String> = distinct_windows(measured);
        println!();
        println!(
            "This machine: torn reads per second with {writers} writer thread(s), reader \
             window {} (UNEXPECTED: a torn read the model rules out; *: besides, torn reads \
             more than {} cycles may have landed in, more than the model tried, which are \
             not counted):",
            windows.join(" / "),
            request.bound
        );
        // The reader and its writers: sharing cores, the writers' turns
        // come at the scheduler's pace and the zeros say little.
        if let Some(note) = cores.oversubscription(writers + 1) {
            println!("({note}: writer turns come at the scheduler's pace.)");
        }
        println!();
        print!(
            "{}",
            hardware_matrix(answers, measured, writers, request.markdown)
        );
    }
    if request.why {
        println!();
        for a in answers {
            print!("{}", why(a));
        }
    }
}

/// The LKMM's matrix, the pairs it has no C form for, and where it and
/// x86-TSO differ.
fn print_lkmm(request: &ProtocolsRequest, x86: &[Answer], lkmm: &[(Pair, Result<Answer, String>)]) {
    println!();
    println!(
        "The kernel's memory model (LKMM, linux-kernel.cat; the answer for mips32 and sh, \
         which have no 64-bit load): zap+install cycles inside one read that tear it (in \
         brackets: with both halves from installed PTEs), the reads and writes in C with \
         READ_ONCE()/WRITE_ONCE(), smp_rmb() and smp_wmb(), installs chosen by the adversary, \
         one writer thread, up to {} cycles:",
        request.bound
    );
    println!();
    let answered: Vec<Answer> = lkmm
        .iter()
        .filter_map(|(_, a)| a.as_ref().ok().cloned())
        .collect();
    print!("{}", model_matrix(&answered, request.markdown));
    let mut said = Vec::new();
    for (pair, a) in lkmm {
        if let Err(why) = a
            && !said.contains(&pair.reader)
        {
            said.push(pair.reader);
            println!("- the {} reader: {why}", pair.reader.name());
        }
    }
    let differ: Vec<String> = answered
        .iter()
        .filter_map(|l| {
            let t = x86.iter().find(|t| t.pair == l.pair)?;
            (t.cell() != l.cell()).then(|| {
                format!(
                    "{}: x86-TSO {}, LKMM {}{}",
                    l.pair.name(),
                    t.cell(),
                    l.cell(),
                    unordered_turn(l.pair.writer)
                )
            })
        })
        .collect();
    println!();
    if differ.is_empty() {
        println!(
            "The LKMM and x86-TSO agree on every pair both judge: with smp_rmb() between \
             the reader's loads and smp_wmb() between the writer's stores, the kernel's \
             model orders these accesses as x86 does."
        );
    } else {
        println!("Where the LKMM and x86-TSO differ:");
        for line in differ {
            println!("- {line}");
        }
    }
    if request.why {
        println!();
        for a in &answered {
            print!("{}", why(a).replacen("=== ", "=== LKMM: ", 1));
        }
    }
}

/// Why the LKMM may let a writer's install overtake its zap: the zap's
/// last store and the install's first are to different halves, with no
/// `smp_wmb()` between (the kernel's writers have it only inside
/// `pte_clear()` and `set_pte()`); x86 keeps every store in order.
fn unordered_turn(writer: Writer) -> String {
    let zap_ends_high = writer.zaps_low_first();
    let install_starts_high = writer.installs_high_first();
    if writer == Writer::Seqcount || zap_ends_high == install_starts_high {
        return String::new();
    }
    let half = |high: bool| if high { "pte_high" } else { "pte_low" };
    format!(
        " (the zap's last store, to {}, and the install's first, to {}, have no smp_wmb() \
         between them: the LKMM lets the install reach the reader first, x86 keeps every \
         store in order)",
        half(zap_ends_high),
        half(install_starts_high)
    )
}

fn distinct_windows(measured: &[Measured]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in measured {
        if !out.contains(&m.window) {
            out.push(m.window.clone());
        }
    }
    out
}

/// The hardware side: clocks measured once, each writer's turn timed once.
struct Runner<'a> {
    request: &'a ProtocolsRequest,
    cores: &'a Cores,
    plan: Plan,
    clocks: Clocks,
    turns: HashMap<Writer, f64>,
    cpu: Features,
}

impl Runner<'_> {
    /// One run, or `None` when this build or CPU lacks the reader.
    fn run(
        &mut self,
        a: &Answer,
        writers: usize,
        window: Window,
    ) -> Result<Option<Measured>, Error> {
        let pair = a.pair;
        if let Err(why) = pair.reader.availability(&self.cpu) {
            if window == Window::Pauses(0) && writers == self.request.writer_threads[0] {
                println!("litmus: {}: not run: {why}", pair.name());
            }
            return Ok(None);
        }
        // The hardware installs what the model's shortest torn read used
        // (else the seed's A, B, C), round and round.
        let planned = a
            .torn
            .as_ref()
            .map_or(SEED_INSTALLS.to_vec(), |w| w.installs.clone());
        let installs = Installs::new(pair.writer, &planned);
        let mut job = ProtocolJob {
            pair,
            writers,
            installs: &installs,
            bound: None,
        };
        let turn_ns = match self.turns.get(&pair.writer) {
            Some(ns) => *ns,
            None => {
                let ticks = protocol_turn_ticks(&job, self.cores, TURN_ROUNDS).failed()?;
                let ns = ticks as f64 * self.clocks.ns_per_tick();
                self.turns.insert(pair.writer, ns);
                ns
            }
        };
        // Where the model found no tear within the bound, count each
        // read's cycles: a torn read more than the bound's cycles may have
        // landed in is not held against the model.
        if a.torn.is_none() {
            job.bound = Some(a.bound);
        }
        let scale = Scale {
            ns_per_pause: self.clocks.ns_per_pause(),
            turn_ns,
        };
        let pauses = window.pauses(scale).expect("auto is refused up front");
        let plan = Plan {
            reader_delay: pauses,
            ..self.plan.clone()
        };
        let r = run_protocol(&job, &plan, &INTERRUPTED, &()).failed()?;
        let count = |label: &str| {
            r.outcomes
                .iter()
                .filter(|o| o.label == label)
                .map(|o| o.count)
                .sum()
        };
        let m = Measured {
            reader: pair.reader,
            writer: pair.writer,
            writers,
            window: window.to_string(),
            window_ns: pauses as f64 * scale.ns_per_pause,
            writer_turn_ns: turn_ns,
            reads: r.iterations,
            seconds: r.seconds,
            torn: count("torn"),
            absent: count("absent"),
            stalled: count("stalled"),
        };
        if !self.request.quiet {
            println!(
                "{:44} {} writer(s), window {:>8}: {:>10} reads, {:>8} torn{}  (model: {})",
                pair.name(),
                writers,
                nanos(m.window_ns),
                m.reads,
                m.torn,
                if m.stalled > 0 {
                    format!(" (+{} in reads stalled past {} cycles)", m.stalled, a.bound)
                } else {
                    String::new()
                },
                a.cell()
            );
        }
        Ok(Some(m))
    }
}
