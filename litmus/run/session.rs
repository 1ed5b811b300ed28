//! One `litmus run` from start to summary. Everything is checked before
//! anything runs; each finished run is written to the CSV at once.

use super::costs::{Costs, WindowCosts};
use super::modes::{Runner, merge, perpetual_form};
use super::search::{Narrowest, Trial, narrowest};
use super::{Mode, RunRequest};
use crate::catalog::file::c::ast::Quantifier as CQuantifier;
use crate::catalog::program::{Observation, Program};
use crate::catalog::pte::PteOutcome;
use crate::catalog::{Case, FileTest, PteTest, Test};
use crate::error::{BadInputExt, Error, FailedExt};
use crate::harness::perpetual::convert::Perpetual;
use crate::harness::pin::Cores;
use crate::harness::price::{self, Price};
use crate::harness::window::{Scale, nanos, pauses_for};
use crate::harness::{
    Budget, INTERRUPTED, Job, Plan, RunMode, RunResult, interrupt_on_ctrl_c, run_pte,
};
use crate::judge::histogram::{self, Forbidden};
use crate::judge::lkmm::{Mapping, mapping};
use crate::judge::{self, Expect};
use crate::model;
use crate::model::Exploration;
use crate::report::answer::Prices;
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

/// Each trial of the `auto` window search, at most.
const SEARCH_TRIAL: Duration = Duration::from_millis(250);

/// What every run of one invocation shares, by concern.
struct Session {
    /// Which run, on which machine (the cores are the plan's).
    identity: Identity,
    /// What was asked.
    settings: Settings,
    /// Where results go as each run finishes.
    output: Output,
    /// What is measured or searched once and reused: the PTE windows'
    /// costs, the model's explorations.
    caches: Caches,
    /// What the closing tables and the exit status say.
    totals: Totals,
}

struct Identity {
    run_id: String,
    machine: Machine,
    cpu: Features,
}

struct Settings {
    plan: Plan,
    /// `--mode`: how litmus programs run.
    mode: Mode,
    /// `--sync auto`: `--mode auto` probes instances with no meeting too.
    probe_free: bool,
    /// `--tear-rate`, for `--reader-window auto`.
    tear_rate: f64,
    /// Each run's histogram as it finishes, and every run's line at the end.
    verbose: bool,
}

struct Output {
    sink: Option<CsvSink<RunRow>>,
    bar: Bar,
    /// Units of the progress bar per job.
    per_job: u64,
}

#[derive(Default)]
struct Caches {
    /// Each litmus program's perpetual form, or why it has none, by test
    /// key (`None`: it runs as instances anyway).
    forms: HashMap<String, Option<Result<Perpetual, String>>>,
    /// The clocks, the refault and each writer's turn.
    costs: WindowCosts,
    /// The model's search of each litmus program, by test key.
    explorations: HashMap<String, Exploration>,
    /// Each C test's LKMM verdict on its witness, by test key (`None`: the
    /// LKMM model could not judge it).
    lkmm: HashMap<String, Option<Expect>>,
}

#[derive(Default)]
struct Totals {
    summaries: Vec<Summary>,
    /// A forbidden outcome was seen.
    finding: bool,
    /// The C tests whose x86 code x86-TSO lets reach a witness the LKMM
    /// forbids (a finding too).
    weaker: Vec<String>,
}

/// Run everything `request` asks for. A forbidden outcome seen is
/// [`Error::Finding`]; Ctrl-C is [`Error::Interrupted`] (after the
/// summary; every finished run is already in the CSV).
pub fn execute(request: &RunRequest) -> Result<(), Error> {
    let (jobs, unmappable) = request.jobs_and_unmappable()?;
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
    let timebase_used = matches!(
        request.sync,
        super::SyncMode::Timebase | super::SyncMode::Auto
    ) && jobs.iter().any(|j| matches!(j.case, Case::Classic(_)));
    if timebase_used && !cpu.invariant_tsc {
        println!(
            "litmus: note: this CPU reports no invariant TSC (cpuid 0x80000007:EDX bit 8); \
             the timebase needs each core's counter to run at one rate: if classic tests \
             see nothing, try --sync flags"
        );
    }
    // Each program converted once, whatever its jobs.
    let mut forms = HashMap::new();
    for job in &jobs {
        forms
            .entry(job.test_key())
            .or_insert_with(|| perpetual_form(job, request.mode));
    }
    let runnable = jobs
        .iter()
        .filter(|j| {
            j.availability(&cpu).is_ok() && forms[&j.test_key()].as_ref().is_none_or(|p| p.is_ok())
        })
        .count() as u64;
    let (per_job, by_time) = match budget {
        Budget::Duration(d) => (d.as_millis() as u64, true),
        Budget::Iterations(n) => (n, false),
    };
    let mut session = Session {
        identity: Identity {
            run_id,
            machine,
            cpu,
        },
        settings: Settings {
            plan: Plan {
                cores,
                budget,
                batch: request.batch,
                sync: request.sync(),
                reader_delay: 0,
            },
            mode: request.mode,
            probe_free: request.sync == super::SyncMode::Auto,
            tear_rate: request.tear_rate,
            verbose: request.verbose,
        },
        output: Output {
            sink,
            bar: Bar::new(per_job * runnable, by_time, request.quiet),
            per_job,
        },
        caches: Caches {
            forms,
            ..Caches::default()
        },
        totals: Totals::default(),
    };
    let mut done = 0;
    for job in &jobs {
        if let Err(reason) = job.availability(&cpu).and(session.perpetual_available(job)) {
            if session.settings.verbose {
                println!("\n=== {}: unavailable: {reason}", title(job));
            }
            session
                .totals
                .summaries
                .push(Summary::unavailable(job, reason));
            continue;
        }
        let ran = session.run_job(job, done);
        done += 1;
        match ran {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                session.output.bar.finish();
                return Err(e);
            }
        }
    }
    session.output.bar.finish();
    for u in &unmappable {
        if session.settings.verbose {
            println!("\n=== {}: unavailable: {}", u.name, u.line());
        }
        session.totals.summaries.push(Summary::unmappable(u));
    }
    if session.settings.verbose {
        print!("{}", summary(&session.totals.summaries));
    }
    let prices = match &request.prices {
        Some(p) => Some(p.clone()),
        // Under QEMU's TCG (`litmus guest`) a read's cycles are translated
        // code's, not the hardware's: no price is measured there (and the
        // pricing loop trapped under TCG, 2026-12-07, not yet understood).
        None if session.identity.machine.hypervisor == "TCGTCGTCGTCG" => None,
        None => measured_prices(&session.totals.summaries, &session.settings.plan.cores),
    };
    print!(
        "{}",
        closing(&session.totals.summaries, prices.as_ref(), request.markdown)
    );
    if !session.settings.verbose {
        println!(
            "\nEach run's histogram and line: --verbose; every outcome of every run: --csv FILE."
        );
    }
    if INTERRUPTED.load(Relaxed) {
        return Err(Error::Interrupted);
    }
    findings(&session.totals)
}

/// How the run ends: a finding when a forbidden outcome was seen, or a C
/// test's x86 code is weaker than the LKMM's promise.
fn findings(totals: &Totals) -> Result<(), Error> {
    let mut said = Vec::new();
    if totals.finding {
        said.push("a forbidden outcome was observed (UNEXPECTED above)".to_string());
    }
    if !totals.weaker.is_empty() {
        said.push(format!(
            "the x86 mapping is weaker than the kernel's promise: {}",
            totals.weaker.join(", ")
        ));
    }
    if said.is_empty() {
        Ok(())
    } else {
        Err(Error::Finding(said.join("; ")))
    }
}

impl Session {
    /// Run one job (the `done`-th runnable one), judge, report and record
    /// it. `Ok(false)`: Ctrl-C stopped it, and nothing more should run.
    fn run_job(&mut self, job: &Job, done: u64) -> Result<bool, Error> {
        self.output
            .bar
            .start_job(title(job), done * self.output.per_job);
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
                    lkmm: None,
                };
                (result, Some(units), judged)
            }
            _ => {
                let (result, judged) = self.run_litmus_job(job)?;
                (result, None, judged)
            }
        };
        if result.interrupted {
            self.output.bar.finish();
            println!(
                "\n=== {}: interrupted after {:.2} s; not recorded",
                title(job),
                result.seconds
            );
            return Ok(false);
        }
        self.totals.finding |= judged.verdict == judge::Verdict::Unexpected;
        if judged.lkmm.map(|l| mapping(l, judged.expect)) == Some(Mapping::Weaker) {
            self.totals.weaker.push(job.test().name().to_string());
        }
        if self.settings.verbose {
            self.output.bar.print(&histogram(
                job,
                &self.settings.plan.cores,
                &judged,
                units.as_ref(),
                &result,
            ));
        }
        if let Some(sink) = self.output.sink.as_mut() {
            let rows = csv_rows(
                &self.identity.run_id,
                &self.identity.machine,
                &self.settings.plan.cores,
                job,
                &judged,
                units.as_ref(),
                &result,
            );
            sink.write(&rows).failed()?;
        }
        self.totals
            .summaries
            .push(Summary::ran(job, &judged, units.as_ref(), &result));
        Ok(true)
    }

    /// Under `--mode perpetual`, a litmus program that does not convert
    /// cannot run: why.
    fn perpetual_available(&self, job: &Job) -> Result<(), String> {
        match (self.settings.mode, self.form(job)) {
            (Mode::Perpetual, Some(Err(why))) => Err(format!("no perpetual form: {why}")),
            _ => Ok(()),
        }
    }

    /// The job's program's perpetual form, converted once (see [`Caches`]).
    fn form(&self, job: &Job) -> Option<&Result<Perpetual, String>> {
        self.caches.forms.get(&job.test_key())?.as_ref()
    }

    /// A litmus program (a built-in classic test or a `.litmus` file):
    /// run, then judged outcome by outcome against the model's reachable
    /// final states, and its witness against the expectation (the declared
    /// one, else the model's).
    fn run_litmus_job(&mut self, job: &Job) -> Result<(RunResult, Judged), Error> {
        let program = job.test().program().expect("a litmus test");
        let form = self.form(job);
        if let Some(Err(why)) = &form {
            self.output.bar.print(&format!(
                "litmus: {}: runs as instances, not perpetually: {why}\n",
                program.name
            ));
        }
        let label = witness_label(job);
        let runner = Runner {
            plan: &self.settings.plan,
            cpu: &self.identity.cpu,
            progress: &self.output.bar,
            label: &label,
            probe_free: self.settings.probe_free,
        };
        let runs = runner.run(&program, form, self.settings.mode)?;
        let lkmm = self.lkmm_verdict(job);
        let key = job.test().key();
        if !self.caches.explorations.contains_key(&key) {
            let exploration = model::explore(&model::litmus::litmus_program(&program));
            self.caches.explorations.insert(key.clone(), exploration);
        }
        let exploration = &self.caches.explorations[&key];
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
                    negative: result.counted().saturating_sub(positive),
                },
            }),
            lkmm,
        };
        Ok((result, judged))
    }

    /// A C test's LKMM verdict on its witness, modelled once; `None` for
    /// other tests, and (said on the way) when the LKMM model cannot judge
    /// the test.
    fn lkmm_verdict(&mut self, job: &Job) -> Option<Expect> {
        let Test::File(FileTest { c: Some(c), .. }) = job.test() else {
            return None;
        };
        let key = job.test_key();
        if let Some(known) = self.caches.lkmm.get(&key) {
            return *known;
        }
        let verdict = match model::lkmm::model(&c.program) {
            Ok(outcome) => Some(lkmm_witness(&outcome)),
            Err(why) => {
                self.output.bar.print(&format!(
                    "litmus: {}: the LKMM model cannot judge it: {why}\n",
                    c.program.name
                ));
                None
            }
        };
        self.caches.lkmm.insert(key, verdict);
        verdict
    }

    /// A PTE job: its window converted (or searched for), then run.
    fn run_pte_job(
        &mut self,
        job: &Job,
        test: &'static PteTest,
        strategy: ReadStrategy,
    ) -> Result<(RunResult, Units), Error> {
        let (cores, bar) = (&self.settings.plan.cores, &self.output.bar);
        let costs = self.caches.costs.costs(cores, bar)?;
        let turn_ns = self.caches.costs.turn_ns(test, strategy, cores, bar)?;
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
            ..self.settings.plan.clone()
        };
        let result = run_pte(test, strategy, &plan, &INTERRUPTED, &self.output.bar).failed()?;
        let units = Units {
            pauses,
            window_ns: pauses as f64 * scale.ns_per_pause,
            ns_per_pause: scale.ns_per_pause,
            writer_turn_ns: turn_ns,
            refault_ns: costs.refault_ns,
        };
        Ok((result, units))
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
        let trial_budget = match self.settings.plan.budget {
            Budget::Duration(d) => Budget::Duration(d.min(SEARCH_TRIAL)),
            Budget::Iterations(n) => Budget::Iterations(n),
        };
        let failed = std::cell::RefCell::new(None);
        let found: Narrowest = narrowest(
            max,
            self.settings.tear_rate,
            |pauses| {
                let plan = Plan {
                    budget: trial_budget,
                    reader_delay: pauses,
                    ..self.settings.plan.clone()
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
                self.settings.tear_rate,
                nanos(window(p)),
                window(p) / scale.turn_ns
            ),
            None => format!(
                "no window up to {} ({max} pause, {:.0} writer turns) tears at {:e} per read",
                nanos(window(max)),
                window(max) / scale.turn_ns,
                self.settings.tear_rate
            ),
        };
        self.output.bar.print(&format!(
            "litmus: {} [{}]: {said} ({} trials); running it\n",
            test.name,
            strategy.name(),
            found.trials.len()
        ));
        Ok(found.pauses.unwrap_or(max))
    }
}

/// Whether the LKMM lets some execution reach the witness (for `exists`
/// and `~exists` a state where the proposition holds, for `forall` one
/// where it does not), as a run's expectation says it.
fn lkmm_witness(outcome: &model::lkmm::Outcome) -> Expect {
    let t = &outcome.tally;
    Expect::from_reachable(match outcome.quantifier {
        CQuantifier::Exists | CQuantifier::NotExists => t.positive > 0,
        CQuantifier::Forall => t.negative > 0,
    })
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

/// With no benchmark at hand, the answer's prices measured now: one read of
/// each strategy the run judged, on the reader's core (a fraction of a
/// second each, after every run, so nothing runs beside it). `None` when no
/// PTE test ran or none could be priced.
fn measured_prices(summaries: &[Summary], cores: &Cores) -> Option<Prices> {
    let mut strategies: Vec<&str> = Vec::new();
    for s in summaries.iter().filter(|s| s.pte && s.judged.is_ok()) {
        if !strategies.contains(&s.strategy) {
            strategies.push(s.strategy);
        }
    }
    let core = cores.for_thread(0);
    let measured: Vec<(String, Price)> = strategies
        .iter()
        .filter_map(|name| {
            let strategy = ReadStrategy::from_name(name)?;
            Some((name.to_string(), price::measure(strategy, core).ok()?))
        })
        .collect();
    (!measured.is_empty()).then(|| Prices::measured(&measured, core))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_weaker_x86_mapping_ends_the_run_as_a_finding() {
        assert!(findings(&Totals::default()).is_ok());
        let weaker = Totals {
            weaker: vec!["T".into()],
            ..Totals::default()
        };
        let Err(Error::Finding(said)) = findings(&weaker) else {
            panic!("a finding")
        };
        assert_eq!(
            said,
            "the x86 mapping is weaker than the kernel's promise: T"
        );
        let both = Totals {
            finding: true,
            ..weaker
        };
        let Err(Error::Finding(said)) = findings(&both) else {
            panic!("a finding")
        };
        assert!(
            said.starts_with("a forbidden outcome was observed"),
            "{said}"
        );
    }
}
