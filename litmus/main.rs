//! `litmus`: see `litmus --help` and the README.
use pte_litmus::cli::{self, Command};

fn main() {
    let code = match cli::parse().command {
        Command::List => {
            cli::list();
            0
        }
        Command::Show { test } => {
            cli::show(&test);
            0
        }
        Command::Run(args) => cli::run(args),
        Command::Guest(args) => cli::guest(args),
        Command::Compare {
            files,
            markdown,
            plot,
        } => cli::compare(&files, markdown, plot.as_deref()),
        Command::BenchReport { csv, dir } => cli::bench_report(&csv, dir.as_deref()),
    };
    std::process::exit(code);
}
