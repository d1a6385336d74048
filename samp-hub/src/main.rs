//! `samp-hub`: a SAMP hub (Standard Profile) for the desktop.

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use samp_hub::Hub;

/// A SAMP hub (Standard Profile, SAMP 1.3).
///
/// Writes the lockfile that SAMP clients discover, relays their messages, and on SIGINT or
/// SIGTERM tells every client it is going and removes the lockfile.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Lockfile to write [default: what SAMP_HUB=std-lockurl:file://… names, else ~/.samp]
    #[arg(long, value_name = "PATH")]
    lockfile: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    addr: IpAddr,
    /// Port to listen on (0 = any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// More log output (-v info, -vv debug, -vvv trace). RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count)]
    verbose: u8,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let level = match args.verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();

    let mut builder = Hub::builder().addr(args.addr).port(args.port);
    if let Some(path) = args.lockfile {
        builder = builder.lockfile(path);
    }
    let hub = match builder.start().await {
        Ok(hub) => hub,
        Err(e) => {
            eprintln!("samp-hub: {e}");
            return ExitCode::FAILURE;
        }
    };
    match hub.lockfile() {
        Some(path) => eprintln!(
            "samp-hub: serving {} (lockfile {})",
            hub.url(),
            path.display()
        ),
        None => eprintln!("samp-hub: serving {}", hub.url()),
    }
    wait_for_signal().await;
    eprintln!("samp-hub: shutting down");
    hub.shutdown().await;
    ExitCode::SUCCESS
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
