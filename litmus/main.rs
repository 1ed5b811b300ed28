//! `litmus`: see `litmus --help` and the README.
use pte_litmus::cli::{self, Command};

fn main() {
    // `litmus list | head` ends quietly, as other Unix tools do, rather than
    // panicking on the closed pipe.
    // SAFETY: restoring the default action of a signal has no preconditions.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
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
        Command::Export { herd } => cli::export(&herd),
        Command::Model {
            test,
            strategy,
            why,
        } => cli::model(&test, &strategy, why),
        Command::Compare {
            files,
            markdown,
            plot,
        } => cli::compare(&files, markdown, plot.as_deref()),
        Command::BenchReport { csv, dir } => cli::bench_report(&csv, dir.as_deref()),
    };
    std::process::exit(code);
}
