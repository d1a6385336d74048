//! `samp-hub`: a SAMP hub (Standard and Web Profiles) for the desktop.

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use samp_hub::{Consent, DeliveryPolicy, Hub, TerminalPrompt, WebConfig};

/// A SAMP hub (Standard Profile, and with --web the Web Profile; SAMP 1.3).
///
/// Writes the lockfile that SAMP clients discover, relays their messages, and on SIGINT or
/// SIGTERM tells every client it is going and removes the lockfile.
///
/// With --web, web pages join through the Web Profile on localhost:21012. A page's
/// registration is accepted if its origin is on the allow list (--web-allow-origin), or
/// if you answer yes at the prompt when the hub runs on a terminal; otherwise refused.
#[derive(Parser, Debug)]
#[command(
    version,
    about,
    after_help = "Examples:\n  samp-hub\n  samp-hub --web --web-allow-origin https://aladin.cds.unistra.fr\n  samp-hub --lockfile /tmp/samp.lock -v"
)]
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
    /// Serve the Web Profile too, so web pages can join (with consent).
    #[arg(long)]
    web: bool,
    /// Port of the Web Profile (the standard's is 21012).
    #[arg(long, value_name = "PORT", default_value_t = 21012, requires = "web")]
    web_port: u16,
    /// Accept web registrations from this origin without asking, e.g. https://example.org
    /// (repeatable).
    #[arg(long, value_name = "ORIGIN", requires = "web")]
    web_allow_origin: Vec<String>,
    /// Accept every web registration without asking. For tests only: any web page you
    /// open could then talk to your SAMP applications.
    #[arg(long, requires = "web")]
    web_accept_all: bool,
    /// Let web clients send any MType (by default only safe ones, or those a subscriber
    /// marks x-samp.mostly-harmless). For tests only (JSAMP's hub tester needs it).
    #[arg(long, requires = "web")]
    web_no_mtype_restrictions: bool,
    /// Seconds a callback to a client may take before it counts as failed.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    delivery_timeout: u64,
    /// Most callbacks queued for one client; new messages for it are refused past this.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    max_queued: usize,
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

    let policy = DeliveryPolicy {
        timeout: Duration::from_secs(args.delivery_timeout.max(1)),
        max_queued: args.max_queued,
        ..DeliveryPolicy::default()
    };
    let mut builder = Hub::builder()
        .addr(args.addr)
        .port(args.port)
        .delivery_policy(policy);
    if let Some(path) = args.lockfile {
        builder = builder.lockfile(path);
    }
    if args.web {
        let consent = if args.web_accept_all {
            eprintln!(
                "samp-hub: WARNING: --web-accept-all: every web page may register without asking"
            );
            Consent::AcceptAll
        } else if let Some(prompt) = TerminalPrompt::if_terminal() {
            Consent::Ask(Arc::new(prompt))
        } else {
            Consent::AllowListOnly
        };
        if args.web_no_mtype_restrictions {
            eprintln!(
                "samp-hub: WARNING: --web-no-mtype-restrictions: web pages may send any MType"
            );
        }
        builder = builder.web(WebConfig {
            port: args.web_port,
            allow_origins: args.web_allow_origin,
            consent,
            restrict_mtypes: !args.web_no_mtype_restrictions,
            ..WebConfig::default()
        });
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
    if let Some(web) = hub.web_url() {
        eprintln!("samp-hub: Web Profile at {web}");
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
