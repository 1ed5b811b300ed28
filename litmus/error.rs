//! Why a command stopped short of success, as a value. Library code returns
//! it; `main` alone turns it into the exit status and the one line printed.

use std::fmt;

/// How a command ended, when not with success.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The user's input cannot be used: an unknown test, a bad number, a
    /// core that does not exist, an unwritable path, a malformed CSV or
    /// `.litmus` file. Exit status 2; nothing was run.
    BadInput(String),
    /// The command worked and found something: a forbidden outcome was
    /// observed. Exit status 1.
    Finding(String),
    /// Ctrl-C. Every finished result is already written. Exit status 130.
    Interrupted,
    /// Something the command needs failed: a download, a build, a boot, a
    /// write in the middle of a run. Exit status 2, like bad input: the
    /// command could not do what it was asked.
    Failed(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Error::BadInput(m) | Error::Finding(m) | Error::Failed(m) => f.write_str(m),
            Error::Interrupted => f.write_str("interrupted; every finished run is recorded"),
        }
    }
}

impl std::error::Error for Error {}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Lets `?` turn the plain `String` errors of input checks into bad input.
pub trait BadInputExt<T> {
    fn bad_input(self) -> Result<T>;
}

impl<T> BadInputExt<T> for std::result::Result<T, String> {
    fn bad_input(self) -> Result<T> {
        self.map_err(Error::BadInput)
    }
}

/// The same for failures of the environment.
pub trait FailedExt<T> {
    fn failed(self) -> Result<T>;
}

impl<T> FailedExt<T> for std::result::Result<T, String> {
    fn failed(self) -> Result<T> {
        self.map_err(Error::Failed)
    }
}
