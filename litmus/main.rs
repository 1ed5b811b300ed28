//! `litmus`: see `litmus --help` and the README. The one place where how a
//! command ended becomes an exit status and a line of text.
use pte_litmus::cli::{self, Usage};
use pte_litmus::error::Error;

fn main() {
    // `litmus list | head` ends quietly, as other Unix tools do, rather than
    // panicking on the closed pipe.
    // SAFETY: restoring the default action of a signal has no preconditions.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let result = match cli::parse() {
        Ok(cli) => cli::dispatch(cli.command),
        Err(Usage::Shown(help)) => help.exit(),
        Err(Usage::Bad(e)) => Err(e),
    };
    let status = match result {
        Ok(()) => 0,
        // A finding and Ctrl-C end a report on stdout: they are its last line.
        Err(e @ Error::Finding(_)) => {
            println!("litmus: {e}");
            1
        }
        Err(e @ Error::Interrupted) => {
            println!("litmus: {e}");
            130
        }
        Err(e @ (Error::BadInput(_) | Error::Failed(_))) => {
            eprintln!("litmus: {e}");
            2
        }
    };
    std::process::exit(status);
}
