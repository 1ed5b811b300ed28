//! One `litmus run` from start to summary. Everything is checked before
//! anything runs; each finished run is written to the CSV at once.

use super::modes::{Runner, merge, perpetual_form};
use super::search::{Narrowest, Trial, narrowest};
use super::{Mode, RunRequest};
use crate::catalog::program::{Observation, Program};
use crate::catalog::pte::PteOutcome;
use crate::catalog::{Case, PteTest};
use crate::error::{BadInputExt, Error, FailedExt};
use crate::harness::clocks::Clocks;
use crate::harness::pin::Cores;
use crate::harness::pte::writer_turn_ticks;
use crate::harness::refault;
use crate::harness::window::{Scale, nanos, pauses_for};
use crate::harness::{
    Budget, INTERRUPTED, Job, Plan, RunMode, RunResult, interrupt_on_ctrl_c, run_pte,
};
use crate::judge::histogram::{self, Forbidden};
use crate::judge::{self, Expect};
use crate::model;
use crate::model::Exploration;
use crate::report::format::describe_budget;
use crate::report::machine::Machine;
use crate::report::progress::Bar;
use crate::report::rows::RunRow;
use crate::report::run::{
    Conditioned, Judged, Summary, Units, closing, csv_rows, histogram, summary, title,
    witness_label,
};
use crate::report::sink::CsvSink;
use pte_asm::cpu::Features;
use pte_asm::strategy::ReadStrategy;
use std::collections::HashMap;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, SystemTime};

/// Zap-and-refault cycles measured at the start of a run with PTE tests.
const REFAULT_CYCLES: usize = 2_000;
/// Exchanges that time the writer's turn as the reader sees it.
const TURN_ROUNDS: u32 = 2_000;
/// Each trial of the `auto` window search, at most.
const SEARCH_TRIAL: Duration = Duration::from_millis(250);

/// The machine's costs a PTE window is measured in, taken once a run.
#[derive(Clone, Copy)]
struct Costs {
    clocks: Clocks,
    /// The kernel's zap+refault of one page, median, in ns.
    refault_ns: f64,
}

/// What every run of one invocation shares.
struct Session {
    run_id: String,
    machine: Machine,
    cores: Cores,
    plan: Plan,
    sink: Option<CsvSink<RunRow>>,
    /// Each run's histogram as it finishes, and every run's line at the end.
    verbose: bool,
    tear_rate: f64,
    bar: Bar,
    /// Units of the progress bar per job.
    per_job: u64,
    /// Measured when the first PTE job runs.
    costs: Option<Costs>,
    /// The writer's turn in ns, per test and strategy.
    turns: HashMap<(&'static str, ReadStrategy), f64>,
    /// The model's search of each litmus program, by test key.
    explorations: HashMap<String, Exploration>,
    cpu: Features,
    summaries: Vec<Summary>,
    finding: bool,
    /// `--mode`: how litmus programs run.
    mode: Mode,
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
        Some(path) => Some(CsvSink::open(path).bad_input()?),
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
        && jobs.iter().any(|j| matches!(j.case, Case::Classic(_)));
    if timebase_used && !cpu.invariant_tsc {
        println!(
            "litmus: note: this CPU reports no invariant TSC (cpuid 0x80000007:EDX bit 8); \
             the timebase needs each core's counter to run at one rate: if classic tests \
             see nothing, try --sync flags"
        );
    }
    let runnable = jobs
        .iter()
        .filter(|j| {
            j.availability(&cpu).is_ok()
                && perpetual_form(j, request.mode).is_none_or(|p| p.is_ok())
        })
        .count() as u64;
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
        verbose: request.verbose,
        tear_rate: request.tear_rate,
        bar: Bar::new(per_job * runnable, by_time, request.quiet),
        per_job,
        costs: None,
        turns: HashMap::new(),
        explorations: HashMap::new(),
        cpu,
        summaries: Vec::new(),
        finding: false,
        mode: request.mode,
    };
    let mut done = 0;
    for job in &jobs {
        if let Err(reason) = job.availability(&cpu).and(session.perpetual_available(job)) {
            if session.verbose {
                println!("\n=== {}: unavailable: {reason}", title(job));
            }
            session.summaries.push(Summary::unavailable(job, reason));
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
    if session.verbose {
        print!("{}", summary(&session.summaries));
    }
    print!(
        "{}",
        closing(
            &session.summaries,
            request.prices.as_ref(),
            request.markdown
        )
    );
    if !session.verbose {
        println!(
            "\nEach run's histogram and line: --verbose; every outcome of every run: --csv FILE."
        );
    }
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
        let (result, units, judged) = match job.case {
            Case::Pte(test, strategy) => {
                let (result, units) = self.run_pte_job(job, test, strategy)?;
                let expect = (test.expect)(strategy);
                let judged = Judged {
                    expect,
                    model: model::verdict(job.case),
                    verdict: judge::judge(expect, result.witnesses()),
                    forbidden: Vec::new(),
                    condition: None,
                };
                (result, Some(units), judged)
            }
            _ => {
                let (result, judged) = self.run_litmus_job(job)?;
                (result, None, judged)
            }
        };
        if result.interrupted {
            self.bar.finish();
            println!(
                "\n=== {}: interrupted after {:.2} s; not recorded",
                title(job),
                result.seconds
            );
            return Ok(false);
        }
        self.finding |= judged.verdict == judge::Verdict::Unexpected;
        if self.verbose {
            self.bar.print(&histogram(
                job,
                &self.cores,
                &judged,
                units.as_ref(),
                &result,
            ));
        }
        if let Some(sink) = self.sink.as_mut() {
            let rows = csv_rows(
                &self.run_id,
                &self.machine,
                &self.cores,
                job,
                &judged,
                units.as_ref(),
                &result,
            );
            sink.write(&rows).failed()?;
        }
        self.summaries
            .push(Summary::ran(job, &judged, units.as_ref(), &result));
        Ok(true)
    }

    /// Under `--mode perpetual`, a litmus program that does not convert
    /// cannot run: why.
    fn perpetual_available(&self, job: &Job) -> Result<(), String> {
        match (self.mode, perpetual_form(job, self.mode)) {
            (Mode::Perpetual, Some(Err(why))) => Err(format!("no perpetual form: {why}")),
            _ => Ok(()),
        }
    }

    /// A litmus program (a built-in classic test or a `.litmus` file):
    /// run, then judged outcome by outcome against the model's reachable
    /// final states, and its witness against the expectation (the declared
    /// one, else the model's).
    fn run_litmus_job(&mut self, job: &Job) -> Result<(RunResult, Judged), Error> {
        let program = job.test().program().expect("a litmus test");
        let form = perpetual_form(job, self.mode);
        if let Some(Err(why)) = &form {
            self.bar.print(&format!(
                "litmus: {}: runs as instances, not perpetually: {why}\n",
                program.name
            ));
        }
        let label = witness_label(job);
        let runner = Runner {
            plan: &self.plan,
            cpu: &self.cpu,
            progress: &self.bar,
            label: &label,
        };
        let runs = runner.run(&program, form, self.mode)?;
        let key = job.test().key();
        if !self.explorations.contains_key(&key) {
            let exploration = model::explore(&model::litmus::litmus_program(&program));
            self.explorations.insert(key.clone(), exploration);
        }
        let exploration = &self.explorations[&key];
        let model_expect = exploration.verdict();
        let expect = job.declared().unwrap_or(model_expect);
        let (mut forbidden, mut positive) = (Forbidden::default(), 0);
        for run in &runs {
            let (f, p) = tally(&program, exploration, model_expect, run);
            forbidden.add(f);
            positive += p;
        }
        let result = merge(runs);
        let judged = Judged {
            expect,
            model: model_expect,
            verdict: judge::judge_outcomes(expect, result.witnesses(), forbidden.seen),
            forbidden: forbidden.labels,
            condition: Some(Conditioned {
                name: program.name.clone(),
                text: program.condition_text(),
                quantifier: program.condition.quantifier,
                observation: Observation {
                    positive,
                    negative: result.iterations.saturating_sub(positive),
                },
            }),
        };
        Ok((result, judged))
    }

    /// A PTE job: its window converted (or searched for), then run.
    fn run_pte_job(
        &mut self,
        job: &Job,
        test: &'static PteTest,
        strategy: ReadStrategy,
    ) -> Result<(RunResult, Units), Error> {
        let costs = self.costs()?;
        let turn_ns = self.turn_ns(test, strategy)?;
        let scale = Scale {
            ns_per_pause: costs.clocks.ns_per_pause(),
            turn_ns,
        };
        let pauses = match job.window.pauses(scale) {
            Some(p) => p,
            None => self.search(test, strategy, scale, costs)?,
        };
        let plan = Plan {
            reader_delay: pauses,
            ..self.plan.clone()
        };
        let result = run_pte(test, strategy, &plan, &INTERRUPTED, &self.bar).failed()?;
        let units = Units {
            pauses,
            window_ns: pauses as f64 * scale.ns_per_pause,
            ns_per_pause: scale.ns_per_pause,
            writer_turn_ns: turn_ns,
            refault_ns: costs.refault_ns,
        };
        Ok((result, units))
    }

    /// The clocks and the kernel's refault, measured on the reader's core
    /// the first time a PTE job needs them.
    fn costs(&mut self) -> Result<Costs, Error> {
        if let Some(costs) = self.costs {
            return Ok(costs);
        }
        let core = self.cores.for_thread(0);
        let clocks = Clocks::measure(core).failed()?;
        let refault = refault::measure(core, REFAULT_CYCLES).failed()?;
        let ns = clocks.ns_per_tick();
        let (median, p10, p90) = refault.spread();
        let costs = Costs {
            clocks,
            refault_ns: median as f64 * ns,
        };
        self.bar.print(&format!(
            "litmus: on core {core}: TSC {:.3} GHz, core clock {:.2} cycles a tick, pause {:.1}ns \
             ({:.0} ticks); the kernel's zap+refault of one page: median {} (10% {}, 90% {}; the \
             zap alone {})\n",
            clocks.tsc_hz / 1e9,
            clocks.cycles_per_tick,
            clocks.ns_per_pause(),
            clocks.ticks_per_pause,
            nanos(costs.refault_ns),
            nanos(p10 as f64 * ns),
            nanos(p90 as f64 * ns),
            nanos(refault.zap_median() as f64 * ns),
        ));
        self.costs = Some(costs);
        Ok(costs)
    }

    /// One writer turn (zap + install) as the reader sees it, in ns, timed
    /// once per test and strategy (`harness::pte::writer_turn_ticks`).
    fn turn_ns(&mut self, test: &'static PteTest, strategy: ReadStrategy) -> Result<f64, Error> {
        if let Some(ns) = self.turns.get(&(test.name, strategy)) {
            return Ok(*ns);
        }
        let ticks = writer_turn_ticks(test, strategy, &self.cores, TURN_ROUNDS).failed()?;
        let ns = ticks as f64 * self.costs()?.clocks.ns_per_tick();
        self.turns.insert((test.name, strategy), ns);
        Ok(ns)
    }

    /// `--reader-window auto`: the narrowest window that tears at the
    /// tear rate, up to twice the kernel's two refills or 64 turns,
    /// whichever is wider. Prints what it found.
    fn search(
        &mut self,
        test: &'static PteTest,
        strategy: ReadStrategy,
        scale: Scale,
        costs: Costs,
    ) -> Result<u32, Error> {
        let widest_ns = (4.0 * costs.refault_ns).max(64.0 * scale.turn_ns);
        let max = pauses_for(widest_ns, scale.ns_per_pause);
        let trial_budget = match self.plan.budget {
            Budget::Duration(d) => Budget::Duration(d.min(SEARCH_TRIAL)),
            Budget::Iterations(n) => Budget::Iterations(n),
        };
        let failed = std::cell::RefCell::new(None);
        let found: Narrowest = narrowest(
            max,
            self.tear_rate,
            |pauses| {
                let plan = Plan {
                    budget: trial_budget,
                    reader_delay: pauses,
                    ..self.plan.clone()
                };
                match run_pte(test, strategy, &plan, &INTERRUPTED, &()) {
                    Ok(r) => Trial {
                        torn: r
                            .outcomes
                            .iter()
                            .filter(|o| o.label == PteOutcome::Torn.name())
                            .map(|o| o.count)
                            .sum(),
                        reads: r.iterations,
                    },
                    Err(e) => {
                        failed.borrow_mut().get_or_insert(e);
                        Trial { torn: 0, reads: 0 }
                    }
                }
            },
            || INTERRUPTED.load(Relaxed) || failed.borrow().is_some(),
        );
        if let Some(e) = failed.into_inner() {
            return Err(Error::Failed(e));
        }
        let window = |p: u32| p as f64 * scale.ns_per_pause;
        let said = match found.pauses {
            Some(p) => format!(
                "narrowest window that tears at {:e} per read: {} ({p} pause, {:.1} writer turns)",
                self.tear_rate,
                nanos(window(p)),
                window(p) / scale.turn_ns
            ),
            None => format!(
                "no window up to {} ({max} pause, {:.0} writer turns) tears at {:e} per read",
                nanos(window(max)),
                window(max) / scale.turn_ns,
                self.tear_rate
            ),
        };
        self.bar.print(&format!(
            "litmus: {} [{}]: {said} ({} trials); running it\n",
            test.name,
            strategy.name(),
            found.trials.len()
        ));
        Ok(found.pauses.unwrap_or(max))
    }
}

/// One run's forbidden outcomes (the judge's rule: those the model never
/// reaches), and how often the condition held.
fn tally(
    program: &Program,
    exploration: &Exploration,
    model_expect: Expect,
    result: &RunResult,
) -> (Forbidden, u64) {
    if result.mode == RunMode::Perpetual {
        // Only the condition's outcome is counted.
        let witnesses = result.witnesses();
        let labels = result.outcomes.iter().filter(|o| o.witness);
        let labels = labels.map(|o| o.label.as_str());
        let forbidden = histogram::forbidden_witness(model_expect, labels, witnesses);
        return (forbidden, witnesses);
    }
    let forbidden = histogram::forbidden_outcomes(
        result
            .outcomes
            .iter()
            .map(|o| (o.label.as_str(), o.count, exploration.reaches(&o.values))),
    );
    let positive = result
        .outcomes
        .iter()
        .filter(|o| program.holds(&o.values))
        .map(|o| o.count)
        .sum();
    (forbidden, positive)
}
