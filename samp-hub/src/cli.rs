//! The hub's command line (feature `cli`), shared by the `samp-hub` binary and `samp hub`:
//! the options as a clap [`HubArgs`], and [`run`], which serves until SIGINT or SIGTERM.

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use crate::{Consent, DeliveryPolicy, Hub, TerminalPrompt, WebConfig};

/// What a command line that runs a hub says about it.
pub const ABOUT: &str = "A SAMP hub (Standard Profile, and with --web the Web Profile; SAMP 1.3).

Writes the lockfile that SAMP clients discover, relays their messages, and on SIGINT or
SIGTERM tells every client it is going and removes the lockfile.

With --web, web pages join through the Web Profile on localhost:21012. A page's
registration is accepted if its origin is on the allow list (--web-allow-origin), or
if you answer yes at the prompt when the hub runs on a terminal; otherwise refused.";

/// The hub's options.
#[derive(clap::Args, Debug, Clone)]
pub struct HubArgs {
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
    /// Accept web registrations from this origin without asking, e.g. `https://example.org`
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
    /// Serve no status page (by default a read-only page at a secret URL, printed at the
    /// start and written to the lockfile as samp-hub.status-url).
    #[arg(long)]
    no_status_page: bool,
    #[cfg(feature = "tls")]
    #[command(flatten)]
    tls: TlsArgs,
}

/// HTTPS for the Standard Profile (sampy's https, key_file, cert_file, cert_reqs, ca_certs
/// and ssl_version, for the hub).
#[cfg(feature = "tls")]
#[derive(clap::Args, Debug, Clone)]
#[command(next_help_heading = "HTTPS")]
struct TlsArgs {
    /// Serve HTTPS with this certificate (PEM, leaf first); the lockfile then names an
    /// https:// URL.
    #[arg(
        long,
        value_name = "FILE",
        requires = "tls_key",
        conflicts_with = "tls_self_signed"
    )]
    tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Make (once) a local CA and a certificate for this machine in DIR, and serve HTTPS
    /// with them; prints what clients need to trust it.
    #[arg(long, value_name = "DIR")]
    tls_self_signed: Option<PathBuf>,
    /// Require client certificates signed by this CA (PEM).
    #[arg(long, value_name = "FILE")]
    tls_client_ca: Option<PathBuf>,
    /// With --tls-client-ca: check a client certificate when one is given, but let
    /// clients without one in.
    #[arg(long, requires = "tls_client_ca")]
    tls_client_ca_optional: bool,
    /// Trust this CA (PEM) for clients' https:// callback servers, besides the system's
    /// roots (or SSL_CERT_FILE). Repeatable.
    #[arg(long, value_name = "FILE")]
    tls_ca: Vec<PathBuf>,
    /// Lowest TLS version accepted.
    #[arg(long, value_name = "1.2|1.3", default_value = "1.2")]
    tls_min: samp_http::tls::TlsVersion,
}

#[cfg(feature = "tls")]
impl TlsArgs {
    /// The hub's TLS, if asked for; the error is for the user.
    fn hub_tls(&self) -> Result<Option<crate::tls::HubTls>, String> {
        use samp_http::tls::{CertReqs, ClientTls, Identity, ServerTls};
        let mut trust: Vec<PathBuf> = self.tls_ca.clone();
        let (cert, key) = match (&self.tls_self_signed, &self.tls_cert, &self.tls_key) {
            (Some(dir), _, _) => {
                let made = crate::tls::self_signed(dir).map_err(|e| e.to_string())?;
                eprintln!(
                    "HTTPS with the local CA in {} ({}). Clients trust it with\n\
                     \x20 SSL_CERT_FILE={} (Python, OpenSSL, samp; or .tls_ca(..) / --tls-ca)\n\
                     \x20 Java: keytool -importcert -noprompt -alias samp-hub -file {} -keystore samp.jks -storepass changeit\n\
                     \x20       then java -Djavax.net.ssl.trustStore=samp.jks -Djavax.net.ssl.trustStorePassword=changeit ...\n\
                     \x20 A client certificate for mutual TLS: {} and {}",
                    dir.display(),
                    if made.created {
                        "made now"
                    } else {
                        "made before"
                    },
                    made.ca.display(),
                    made.ca.display(),
                    made.client_cert.display(),
                    made.client_key.display(),
                );
                trust.push(made.ca.clone());
                (made.cert, made.key)
            }
            (None, Some(cert), Some(key)) => (cert.clone(), key.clone()),
            _ => return Ok(None),
        };
        let identity = Identity::from_pem_files(&cert, &key).map_err(|e| e.to_string())?;
        let reqs = match (&self.tls_client_ca, self.tls_client_ca_optional) {
            (None, _) => CertReqs::None,
            (Some(_), true) => CertReqs::Optional,
            (Some(_), false) => CertReqs::Required,
        };
        let server = ServerTls::new(
            identity.clone(),
            reqs,
            self.tls_client_ca.as_deref(),
            self.tls_min,
        )
        .map_err(|e| e.to_string())?;
        let trust: Vec<&std::path::Path> = trust.iter().map(PathBuf::as_path).collect();
        let client =
            ClientTls::new(&trust, Some(&identity), self.tls_min).map_err(|e| e.to_string())?;
        Ok(Some(crate::tls::HubTls::new(server, client)))
    }
}

/// Runs a hub with `args` until SIGINT or SIGTERM; messages to the terminal start with
/// `program`. Sets up log output to standard error.
pub async fn run(args: HubArgs, program: &str) -> ExitCode {
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
        .try_init()
        .ok(); // an embedding program may have set up its own

    let policy = DeliveryPolicy {
        timeout: Duration::from_secs(args.delivery_timeout.max(1)),
        max_queued: args.max_queued,
        ..DeliveryPolicy::default()
    };
    let mut builder = Hub::builder()
        .addr(args.addr)
        .port(args.port)
        .delivery_policy(policy)
        .status_page(!args.no_status_page);
    if let Some(path) = args.lockfile {
        builder = builder.lockfile(path);
    }
    #[cfg(feature = "tls")]
    match args.tls.hub_tls() {
        Ok(Some(tls)) => builder = builder.tls(tls),
        Ok(None) => {}
        Err(e) => {
            eprintln!("{program}: {e}");
            return ExitCode::FAILURE;
        }
    }
    if args.web {
        let consent = if args.web_accept_all {
            eprintln!(
                "{program}: WARNING: --web-accept-all: every web page may register without asking"
            );
            Consent::AcceptAll
        } else if let Some(prompt) = TerminalPrompt::if_terminal() {
            Consent::Ask(Arc::new(prompt))
        } else {
            Consent::AllowListOnly
        };
        if args.web_no_mtype_restrictions {
            eprintln!(
                "{program}: WARNING: --web-no-mtype-restrictions: web pages may send any MType"
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
            eprintln!("{program}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match hub.lockfile() {
        Some(path) => eprintln!(
            "{program}: serving {} (lockfile {})",
            hub.url(),
            path.display()
        ),
        None => eprintln!("{program}: serving {}", hub.url()),
    }
    if let Some(web) = hub.web_url() {
        eprintln!("{program}: Web Profile at {web}");
    }
    if let Some(status) = hub.status_url() {
        eprintln!("{program}: status page at {status}");
    }
    wait_for_signal().await;
    eprintln!("{program}: shutting down");
    hub.shutdown().await;
    ExitCode::SUCCESS
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
