//! Hub settings: where it listens, where it writes its lockfile, and its policies.

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

/// What the hub does about a recipient it cannot reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryPolicy {
    /// How long one callback to a client may take before it counts as failed.
    pub timeout: Duration,
    /// After this many consecutive failed callbacks the client is unregistered
    /// (after `samp.hub.disconnect` is tried); `None` keeps it registered forever.
    pub unregister_after_failures: Option<u32>,
}

impl Default for DeliveryPolicy {
    fn default() -> Self {
        DeliveryPolicy {
            timeout: Duration::from_secs(30),
            unregister_after_failures: Some(3),
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
    /// HTTP limits of the hub's server.
    pub server: ServerConfig,
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
        }
    }
}
