//! How a command fails, and the exit status each kind of failure gets, so scripts can tell
//! "the hub is not there" (3) from "the user asked for something impossible" (2) from
//! "the message went wrong" (1).

use std::process::ExitCode;

/// A failed command: what to tell the user, and which exit status.
#[derive(Debug)]
pub enum Failure {
    /// Exit 1: a `samp.error` response, a recipient that did not answer, a send the hub
    /// refused, a hub that went away.
    Failed(String),
    /// Exit 2: arguments that parse but cannot be carried out, e.g. `--to` naming no
    /// client or several. (clap's own usage errors exit 2 as well.)
    Usage(String),
    /// Exit 3: no hub to talk to.
    NoHub(String),
}

/// The exit status for a `samp.error` response or a failed send.
pub const EXIT_FAILED: u8 = 1;
/// The exit status for a usage error (clap's too).
pub const EXIT_USAGE: u8 = 2;
/// The exit status when there is no hub.
pub const EXIT_NO_HUB: u8 = 3;

impl Failure {
    /// Tells the user, and gives the exit status.
    pub fn report(self) -> ExitCode {
        match self {
            Failure::Failed(text) => {
                eprintln!("samp: {text}");
                ExitCode::from(EXIT_FAILED)
            }
            Failure::Usage(text) => {
                eprintln!("samp: {text}");
                ExitCode::from(EXIT_USAGE)
            }
            Failure::NoHub(text) => {
                eprintln!("samp: {text}");
                eprintln!("samp: no hub: start one with `samp hub` (or TOPCAT, or any SAMP hub)");
                ExitCode::from(EXIT_NO_HUB)
            }
        }
    }
}

impl From<samp::Error> for Failure {
    fn from(e: samp::Error) -> Failure {
        match e {
            samp::Error::NoHub { .. } => Failure::NoHub(e.to_string()),
            other => Failure::Failed(other.to_string()),
        }
    }
}

impl From<std::io::Error> for Failure {
    /// Only standard output fails this way (a closed pipe): nothing more can be shown.
    fn from(e: std::io::Error) -> Failure {
        Failure::Failed(format!("cannot write to standard output: {e}"))
    }
}
