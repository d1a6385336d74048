//! `samp-hub`: a SAMP hub (Standard and Web Profiles) for the desktop.

use std::process::ExitCode;

use clap::Parser;
use samp_hub::cli::{ABOUT, HubArgs, run};

#[derive(Parser, Debug)]
#[command(
    version,
    about = ABOUT,
    after_help = "Examples:\n  samp-hub\n  samp-hub --web --web-allow-origin https://aladin.cds.unistra.fr\n  samp-hub --tls-self-signed ~/.samp-tls\n  samp-hub --lockfile /tmp/samp.lock -v"
)]
struct Cli {
    #[command(flatten)]
    hub: HubArgs,
}

#[tokio::main]
async fn main() -> ExitCode {
    run(Cli::parse().hub, "samp-hub").await
}
