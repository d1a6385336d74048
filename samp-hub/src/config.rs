//! Hub settings: where it listens, where it writes its lockfile, its limits, and the Web
//! Profile's.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;

use samp_http::{DEFAULT_MAX_BODY, ServerConfig};

/// Where the hub publishes itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockfileSetting {
    /// What `SAMP_HUB` names, else `~/.samp` (the standard discovery rules).
    Discover,
    /// This path.
    Path(PathBuf),
    /// No lockfile: for in-process use, where clients are handed the URL and secret.
    None,
}

/// What the hub does about a recipient it cannot reach, and how much it keeps for one.
///
/// The caps bound the hub's memory whatever a recipient does: past them, new messages for
/// it are refused with a fault that names it and its backlog (a broadcast skips it), never
/// accepted and then dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryPolicy {
    /// How long one callback to a client may take before it counts as failed.
    pub timeout: Duration,
    /// After this many consecutive failed callbacks the client is unregistered
    /// (after `samp.hub.disconnect` is tried); `None` keeps it registered forever.
    pub unregister_after_failures: Option<u32>,
    /// Most callbacks queued for one recipient.
    pub max_queued: usize,
    /// Most bytes (of messages and responses, as encoded) queued for one recipient. A
    /// message for a recipient with nothing queued is always accepted, however large.
    pub max_queued_bytes: usize,
    /// Most calls one recipient may have received and not yet answered.
    pub max_unanswered: usize,
}

impl Default for DeliveryPolicy {
    fn default() -> Self {
        DeliveryPolicy {
            timeout: Duration::from_secs(30),
            unregister_after_failures: Some(3),
            max_queued: 10_000,
            max_queued_bytes: 256 * 1024 * 1024,
            max_unanswered: 10_000,
        }
    }
}

/// Who may register through the Web Profile. Origins on [`WebConfig::allow_origins`] are
/// always accepted; this decides about the others.
#[derive(Clone, Default)]
pub enum Consent {
    /// Refuse every origin not on the allow list (the default).
    #[default]
    AllowListOnly,
    /// Ask: the prompt sees the claimed name, the origin and the referring page.
    Ask(std::sync::Arc<dyn crate::ConsentPrompt>),
    /// Accept every registration, logging a warning for each: for tests only.
    AcceptAll,
}

impl std::fmt::Debug for Consent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Consent::AllowListOnly => "AllowListOnly",
            Consent::Ask(_) => "Ask(..)",
            Consent::AcceptAll => "AcceptAll",
        })
    }
}

/// Settings of the Web Profile (SAMP 1.3 §5), which lets web pages join the hub.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Port on 127.0.0.1 (and ::1 where available); the profile's well-known port is 21012.
    pub port: u16,
    /// Origins (`scheme://host[:port]`) whose pages may register without being asked.
    pub allow_origins: Vec<String>,
    /// What happens for other origins.
    pub consent: Consent,
    /// Let web clients send only the MTypes on the safe list (or marked harmless by the
    /// recipient's subscription). On by default; JSAMP's hub tester needs it off.
    pub restrict_mtypes: bool,
    /// A callable web client that has not polled for this long is taken to be gone (its
    /// page closed without unregistering) and is removed.
    pub idle_eject: Duration,
    /// Most web clients registered at once.
    pub max_clients: usize,
    /// Largest resource the URL translator passes on to a web client. It streams, holding
    /// a chunk at a time, so this bounds transfer, not memory.
    pub translator_max_bytes: u64,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            port: samp_protocol::web::PORT,
            allow_origins: Vec::new(),
            consent: Consent::default(),
            restrict_mtypes: true,
            idle_eject: Duration::from_secs(120),
            max_clients: 100,
            translator_max_bytes: 16 << 30,
        }
    }
}

/// All settings of a hub; built through [`crate::HubBuilder`].
#[derive(Debug, Clone)]
pub struct HubConfig {
    /// Address to listen on. Loopback by default: the Standard Profile is a desktop protocol.
    pub addr: IpAddr,
    /// Port to listen on; 0 picks a free one.
    pub port: u16,
    /// Where to write the lockfile.
    pub lockfile: LockfileSetting,
    /// The longest any `callAndWait` may wait, whatever timeout the caller asks for
    /// (a timeout ≤ 0 means "no timeout" and gets this cap); also how long an asynchronous
    /// call may stay unanswered before the hub answers it with `samp.error`.
    pub max_call_wait: Duration,
    /// What to do with unreachable recipients.
    pub delivery: DeliveryPolicy,
    /// HTTP limits of the hub's servers.
    pub server: ServerConfig,
    /// Most `callAndWait` calls one client may have waiting at once.
    pub max_waits_per_client: usize,
    /// Serve the read-only status page (`/status/TOKEN`, named in the lockfile).
    pub status_page: bool,
    /// The Web Profile, when on.
    pub web: Option<WebConfig>,
    /// HTTPS for the Standard Profile, when set.
    #[cfg(feature = "tls")]
    pub tls: Option<crate::tls::HubTls>,
    /// The hub's `samp.name`.
    pub name: String,
}

impl Default for HubConfig {
    fn default() -> Self {
        HubConfig {
            addr: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            lockfile: LockfileSetting::Discover,
            max_call_wait: Duration::from_secs(12 * 3600),
            delivery: DeliveryPolicy::default(),
            server: ServerConfig {
                max_body: DEFAULT_MAX_BODY,
                ..ServerConfig::default()
            },
            name: "samp-hub".to_owned(),
            max_waits_per_client: 256,
            status_page: true,
            web: None,
            #[cfg(feature = "tls")]
            tls: None,
        }
    }
}
