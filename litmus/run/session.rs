//! One `litmus run` from start to summary. Everything is checked before
//! anything runs; each finished run is written to the CSV at once.

use super::RunRequest;
use crate::catalog::{Job, Test};
use crate::error::{BadInputExt, Error, FailedExt};
use crate::harness::pin::Cores;
use crate::harness::{
    Budget, INTERRUPTED, Plan, RunResult, interrupt_on_ctrl_c, run_classic, run_pte,
};
use crate::judge;
use crate::model;
use crate::report::format::describe_budget;
use crate::report::machine::Machine;
use crate::report::progress::Bar;
use crate::report::run::{Judged, Summary, csv_rows, histogram, summary, title};
use crate::report::{columns, sink::CsvSink};
use pte_asm::cpu::Features;
use std::sync::atomic::Ordering::Relaxed;
use std::time::SystemTime;

/// What every run of one invocation shares.
struct Session {
    run_id: String,
    machine: Machine,
    cores: Cores,
    plan: Plan,
    sink: Option<CsvSink>,
    quiet: bool,
    bar: Bar,
    /// Units of the progress bar per job.
    per_job: u64,
    summaries: Vec<Summary>,
    finding: bool,
}

/// Run everything `request` asks for. A forbidden outcome seen is
/// [`Error::Finding`]; Ctrl-C is [`Error::Interrupted`] (after the
/// summary; every finished run is already in the CSV).
pub fn execute(request: &RunRequest) -> Result<(), Error> {
    let jobs = request.jobs()?;
    let cores =
        Cores::choose((!request.cores.is_empty()).then_some(&request.cores[..])).bad_input()?;
    let machine = Machine::detect();
    let sink = match &request.csv {
        Some(path) => Some(CsvSink::open(path, &columns::run()).bad_input()?),
        None => None,
    };
    interrupt_on_ctrl_c();
    let cpu = Features::detect();
    let budget = request.budget();
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
    let timebase_used = request.sync == super::SyncMode::Timebase
        && jobs.iter().any(|j| matches!(j.test, Test::Classic(_)));
    if timebase_used && !cpu.invariant_tsc {
        println!(
            "litmus: note: this CPU reports no invariant TSC (cpuid 0x80000007:EDX bit 8); \
             the timebase needs each core's counter to run at one rate: if classic tests \
             see nothing, try --sync flags"
        );
    }
    let runnable = jobs.iter().filter(|j| j.availability(&cpu).is_ok()).count() as u64;
    let (per_job, by_time) = match budget {
        Budget::Duration(d) => (d.as_millis() as u64, true),
        Budget::Iterations(n) => (n, false),
    };
    let mut session = Session {
        run_id,
        machine,
        plan: Plan {
            cores: cores.clone(),
            budget,
            batch: request.batch,
            sync: request.sync(),
            reader_delay: 0,
        },
        cores,
        sink,
        quiet: request.quiet,
        bar: Bar::new(per_job * runnable, by_time, request.quiet),
        per_job,
        summaries: Vec::new(),
        finding: false,
    };
    let mut done = 0;
    for job in &jobs {
        if let Err(reason) = job.availability(&cpu) {
            println!("\n=== {}: unavailable: {reason}", title(job));
            session.summaries.push(Summary::unavailable(job));
            continue;
        }
        let ran = session.run_job(job, done);
        done += 1;
        match ran {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                session.bar.finish();
                return Err(e);
            }
        }
    }
    session.bar.finish();
    print!("{}", summary(&session.summaries));
    if INTERRUPTED.load(Relaxed) {
        return Err(Error::Interrupted);
    }
    if session.finding {
        return Err(Error::Finding(
            "a forbidden outcome was observed (UNEXPECTED above)".into(),
        ));
    }
    Ok(())
}

impl Session {
    /// Run one job (the `done`-th runnable one), judge, report and record
    /// it. `Ok(false)`: Ctrl-C stopped it, and nothing more should run.
    fn run_job(&mut self, job: &Job, done: u64) -> Result<bool, Error> {
        self.bar.start_job(title(job), done * self.per_job);
        let plan = Plan {
            reader_delay: job.reader_delay,
            ..self.plan.clone()
        };
        let result = match (job.test, job.strategy) {
            (Test::Classic(t), _) => run_classic(t, &plan, &INTERRUPTED, &self.bar),
            (Test::Pte(t), Some(s)) => run_pte(t, s, &plan, &INTERRUPTED, &self.bar),
            (Test::Pte(t), None) => unreachable!("{} runs per strategy", t.name),
        }
        .failed()?;
        if result.interrupted {
            self.bar.finish();
            println!(
                "\n=== {}: interrupted after {:.2} s; not recorded",
                title(job),
                result.seconds
            );
            return Ok(false);
        }
        let expect = job.expect();
        let judged = Judged {
            expect,
            model: model::verdict(job.test, job.strategy),
            verdict: judge::judge(expect, result.witnesses()),
        };
        self.finding |= judged.verdict == judge::Verdict::Unexpected;
        if !self.quiet {
            self.bar
                .print(&histogram(job, &self.cores, &judged, &result));
        }
        self.record(job, &judged, &result)?;
        self.summaries.push(Summary::ran(job, &judged, &result));
        Ok(true)
    }

    /// Write the run's rows, flushed, before anything else runs.
    fn record(&mut self, job: &Job, judged: &Judged, result: &RunResult) -> Result<(), Error> {
        if let Some(sink) = self.sink.as_mut() {
            let rows = csv_rows(
                &self.run_id,
                &self.machine,
                &self.cores,
                job,
                judged,
                result,
            );
            sink.write_rows(&rows).failed()?;
        }
        Ok(())
    }
}
