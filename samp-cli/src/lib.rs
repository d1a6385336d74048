//! The `samp` command line (SAMP from a terminal: run a hub, send a message, watch what
//! arrives, list the clients, ping the hub), as a library that the `samp` binary calls.
//!
//! It is a library so that its documentation builds: a binary called `samp` would write
//! its docs where the `samp` facade's go (cargo's output filename collision), so the
//! binary has `doc = false` and is a two-line `main`.
//!
//! Each subcommand lives in its own module; [`run`] parses the command line and turns the
//! outcome into the exit status: 0 ok, 1 a `samp.error` response or a failed send, 2 a
//! usage error, 3 no hub (see [`fail`]).

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

pub mod clients;
pub mod directory;
pub mod fail;
pub mod json;
pub mod out;
pub mod ping;
pub mod send;
pub mod snoop;

const EXAMPLES: &str = "\
Examples:
  samp hub                                  run a hub (writes ~/.samp)
  samp send samp.app.ping --mode sync       ping every client that answers pings
  samp send table.load.votable url=file:///data/m31.xml --to topcat
  samp snoop --json                         print every message sent to us
  samp clients --watch                      who is registered, kept current
  samp ping                                 is there a hub, and how fast is it?
  source <(samp completions bash)           tab completion for bash

The hub is found as every SAMP client finds it: the lockfile SAMP_HUB names
(SAMP_HUB=std-lockurl:file:///path/to/lockfile), else ~/.samp.

Exit status: 0 ok; 1 a samp.error response, no response, or a failed send;
2 usage error; 3 no hub.";

/// SAMP (the IVOA Simple Application Messaging Protocol) from the command line.
#[derive(Parser, Debug)]
#[command(name = "samp", version, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a SAMP hub until Ctrl-C or SIGTERM (the options of samp-hub).
    #[command(
        long_about = samp_hub::cli::ABOUT,
        after_help = "Examples:\n  samp hub\n  samp hub --lockfile /tmp/samp.lock -v\n  \
                      samp hub --web --web-allow-origin https://aladin.cds.unistra.fr\n  \
                      samp hub --tls-self-signed ~/.samp-tls"
    )]
    Hub {
        #[command(flatten)]
        args: samp_hub::cli::HubArgs,
    },
    /// Send a message: a notification, or a call and print the responses.
    Send(send::SendArgs),
    /// Print the messages sent to us (answering calls with samp.ok), until Ctrl-C.
    Snoop(snoop::SnoopArgs),
    /// List the registered clients, once or (--watch) as they change.
    Clients(clients::ClientsArgs),
    /// Check that a hub is running and time its answer to samp.hub.ping.
    Ping(ping::PingArgs),
    /// Print a shell completion script.
    #[command(after_help = "Examples:\n  source <(samp completions bash)\n  \
                            samp completions zsh > \"${fpath[1]}/_samp\"\n  \
                            samp completions fish > ~/.config/fish/completions/samp.fish")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// Parses the process's command line, runs the subcommand, and gives the exit status
/// (clap prints help and usage errors itself and exits, with 2 for the latter).
pub async fn run() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Hub { args } => return samp_hub::cli::run(args, "samp hub").await,
        Command::Send(args) => send::run(args).await,
        Command::Snoop(args) => snoop::run(args).await,
        Command::Clients(args) => clients::run(args).await,
        Command::Ping(args) => ping::run(args).await,
        Command::Completions { shell } => completions(shell),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}

fn completions(shell: clap_complete::Shell) -> Result<(), fail::Failure> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "samp", &mut script);
    out::line(String::from_utf8_lossy(&script).trim_end())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
