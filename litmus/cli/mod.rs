//! The `litmus` command line: clap's types, and dispatch to the layer that
//! does each command. Nothing below imports this module.

pub mod args;

pub use args::{GuestArgs, ProtocolsArgs, RunArgs};

use crate::catalog::Named;
use crate::catalog::file::c::show::show as c_show;
use crate::error::Error;
use crate::judge::lkmm::LkmmVerdict;
use crate::report;
use crate::{bench, compare, guest, model, protocols, refault, run};
use args::parse_strategy;
use clap::{Parser, Subcommand};
use pte_asm::strategy::ReadStrategy;
use std::path::{Path, PathBuf};

/// Hardware litmus tests for reading a 64-bit PTE as two 32-bit halves.
#[derive(Parser, Debug)]
#[command(name = "litmus", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Every test with its description and its expected result per strategy;
    /// or, given files, each with its `Result:` line (a C test's, as the
    /// kernel's judgelitmus.sh reads it) and the model's verdict.
    List {
        /// .litmus files, directories of them, @all lists, or test names.
        tests: Vec<String>,
    },
    /// What each thread of TEST runs, its outcomes, expectation and kernel code.
    Show {
        /// A test name from `litmus list`, or a .litmus file, a directory of
        /// them, an @all list.
        test: String,
    },
    /// Run tests on pinned cores and judge the outcomes.
    Run(RunArgs),
    /// Every outcome x86-TSO allows for TEST, by exhaustive search of the
    /// operational model (mixed-size: the PTE is two 32-bit halves).
    Model {
        /// A test name from `litmus list`, or a .litmus file, a directory of
        /// them, an @all list.
        test: String,
        /// Read strategies for a PTE test (default: all).
        #[arg(long, value_delimiter = ',', value_name = "S[,S...]", value_parser = parse_strategy)]
        strategy: Vec<ReadStrategy>,
        /// Also print a shortest interleaving that reaches the witness; for a
        /// C test, an execution the LKMM allows that reaches the outcome, or
        /// which axiom rules out each one that would.
        #[arg(long)]
        why: bool,
        /// For a C test: judge every candidate execution, none dropped
        /// early by the pruning of rf and coherence orders (the same
        /// answer, slower).
        #[arg(long)]
        exhaustive: bool,
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
    /// Write the tests herdtools7's X86 syntax can express as .litmus files
    /// (--herd), and the PTE tests as the kernel's C litmus tests (--lkmm);
    /// given tests, only those (a C test as the x86 code the kernel
    /// compiles it to, an X86 file for herd7 and litmus7).
    #[command(group(
        clap::ArgGroup::new("into")
            .required(true)
            .multiple(true)
            .args(["herd", "lkmm"])
    ))]
    Export {
        /// Write the X86 and X86_64 files into DIR (created if missing).
        #[arg(long, value_name = "DIR")]
        herd: Option<PathBuf>,
        /// Write the PTE tests and the protocols' pairs as C litmus tests,
        /// each with the LKMM's Result:, into DIR (created if missing).
        #[arg(long, value_name = "DIR", conflicts_with = "tests")]
        lkmm: Option<PathBuf>,
        /// Tests to write with --herd: names, .litmus files (C or X86),
        /// directories of them, @all lists [default: every built-in test].
        #[arg(requires = "herd")]
        tests: Vec<String>,
    },
    /// Which PTE read and write protocols built from 32-bit accesses keep a
    /// read whole, and how many zap+install cycles inside one read break
    /// each: the model's matrix, and torn reads per second on this machine.
    Protocols(ProtocolsArgs),
    /// What the running kernel takes to zap a PTE and fault it back in
    /// (madvise(MADV_DONTNEED) on one page, then a write), median and spread.
    Refault {
        /// The core to pin to [default: the first allowed].
        #[arg(long, value_name = "CORE")]
        core: Option<usize>,
        /// Zap-and-refault cycles to time.
        #[arg(long, value_name = "N", default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
        cycles: u64,
        /// Append the result (with the machine columns) to this CSV.
        #[arg(long, value_name = "PATH")]
        csv: Option<PathBuf>,
    },
    /// `litmus run` inside a 32-bit PAE Linux guest (Debian's 686-pae kernel
    /// under QEMU: KVM where the host allows it, else software emulation).
    Guest(GuestArgs),
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

/// What parsing the command line gave, when not a command.
pub enum Usage {
    /// `--help` or `--version`: clap prints it, status 0.
    Shown(clap::Error),
    /// Bad input, folded to one line.
    Bad(Error),
}

/// Parse the command line.
pub fn parse() -> Result<Cli, Usage> {
    Cli::try_parse().map_err(|e| {
        use clap::error::ErrorKind;
        if matches!(
            e.kind(),
            ErrorKind::DisplayHelp
                | ErrorKind::DisplayVersion
                | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        ) {
            return Usage::Shown(e);
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
        Usage::Bad(Error::BadInput(
            line.trim_start_matches("error: ").to_string(),
        ))
    })
}

/// Do `command`.
pub fn dispatch(command: Command) -> Result<(), Error> {
    match command {
        Command::List { tests } if tests.is_empty() => print!("{}", report::catalog::list()),
        Command::List { tests } => {
            let mut named = Vec::new();
            for arg in &tests {
                named.extend(Named::resolve(arg)?);
            }
            let (text, failed) = report::lkmm::list(&named)?;
            print!("{text}");
            if failed > 0 {
                return Err(Error::Finding(format!(
                    "{failed} test(s) whose Result: line the model contradicts"
                )));
            }
        }
        Command::Show { test } => {
            for (i, named) in Named::resolve(&test)?.into_iter().enumerate() {
                if i > 0 {
                    println!();
                }
                match named {
                    Named::Suite(t) => print!("{}", report::catalog::show(t)),
                    Named::C(c) => {
                        print!("{}{}", c_show(&c.program), report::catalog::c_mapping(c))
                    }
                }
            }
        }
        Command::Run(args) => {
            let prices = bench::prices(args.bench_csv.as_deref())?;
            run::execute(&run::RunRequest {
                prices,
                ..args.into()
            })?
        }
        Command::Guest(args) => guest::run(&args.into())?,
        Command::Protocols(args) => protocols::execute(&args.into())?,
        Command::Refault { core, cycles, csv } => refault::execute(&refault::RefaultRequest {
            core,
            cycles: cycles as usize,
            csv,
        })?,
        Command::Model {
            test,
            strategy,
            why,
            exhaustive,
        } => model_report(&test, &strategy, why, exhaustive)?,
        Command::Compare {
            files,
            markdown,
            plot,
        } => {
            let inputs = compare::load(&files)?;
            if let Some(path) = plot {
                compare::plot(&inputs, &path)?;
            }
            print!("{}", compare::report(&inputs, markdown));
        }
        Command::Export { herd, lkmm, tests } => {
            if let Some(dir) = herd {
                if tests.is_empty() {
                    exported(&dir, model::herd::export(&dir))?;
                } else {
                    exported(&dir, model::herd::export_named(&dir, &tests))?;
                }
            }
            if let Some(dir) = lkmm {
                exported(&dir, model::herd::lkmm::export(&dir))?;
            }
        }
        Command::BenchReport { csv, dir } => {
            let root = dir.unwrap_or_else(bench::criterion_root);
            for (target, rows) in bench::bench_report(&root, &csv)? {
                println!("litmus: {rows} rows from {target} into {}", csv.display());
            }
        }
    }
    Ok(())
}

/// What an export wrote into `dir`, and what it left out and why.
fn exported(dir: &Path, done: Result<(usize, Vec<String>), String>) -> Result<(), Error> {
    let (written, skipped) = done.map_err(Error::BadInput)?;
    println!(
        "litmus: {written} tests into {} (listed in @all)",
        dir.display()
    );
    for line in skipped {
        println!("litmus: not exported: {line}");
    }
    Ok(())
}

/// `litmus model TEST`: one report per strategy (every strategy of a PTE
/// test unless given).
fn model_report(
    name: &str,
    strategies: &[ReadStrategy],
    why: bool,
    exhaustive: bool,
) -> Result<(), Error> {
    let mut first = true;
    let strategies = if strategies.is_empty() {
        &ReadStrategy::ALL[..]
    } else {
        strategies
    };
    let mut contradicted = Vec::new();
    for named in Named::resolve(name)? {
        let test = match named {
            Named::Suite(test) => test,
            Named::C(c) => {
                if !first {
                    println!();
                }
                first = false;
                let (text, verdict) = report::lkmm::report(c, why, exhaustive)?;
                print!("{text}");
                if let LkmmVerdict::Fail(why) = verdict {
                    eprintln!("litmus: {}: {why}", c.source.display());
                    contradicted.push(c.source.display().to_string());
                }
                continue;
            }
        };
        for case in test.cases(strategies) {
            if !first {
                println!();
            }
            first = false;
            print!("{}", report::model::report(case, why));
        }
    }
    if contradicted.is_empty() {
        Ok(())
    } else {
        Err(Error::Finding(format!(
            "the model contradicts the Result: line of {} C test(s) (judged as judgelitmus.sh does): {}",
            contradicted.len(),
            contradicted.join(", ")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_arguments_survive_the_trip_into_the_guest() {
        let parse = |argv: &[String]| -> run::RunRequest {
            match Cli::try_parse_from(
                ["litmus", "run"]
                    .into_iter()
                    .map(String::from)
                    .chain(argv.iter().cloned()),
            ) {
                Ok(Cli {
                    command: Command::Run(args),
                }) => args.into(),
                other => panic!("{other:?}"),
            }
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
            "--verbose",
            "--markdown",
            "--csv",
            "host.csv",
        ]
        .map(String::from)
        .to_vec();
        let request = parse(&given);
        let argv = request.to_argv();
        assert!(
            !argv.contains(&"--csv".to_string()),
            "the host writes the CSV"
        );
        let again = parse(&argv);
        assert_eq!(again.csv, None);
        assert!(again.verbose && again.markdown);
        assert_eq!(
            run::RunRequest {
                csv: None,
                ..request
            },
            again
        );
    }
}
