//! Starting and stopping a hub: the lockfile (SAMP 1.3 §4.3) and the server.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use samp_http::{HttpClient, Server, ServerHandle};
use samp_protocol::discovery::{DiscoveryError, HubLocation, locate_hub};
use samp_protocol::lockfile::{self, LockInfo};
use samp_protocol::standard::HubMethod;
use samp_protocol::{ClientId, Secret};
use tracing::{info, warn};

use crate::config::{DeliveryPolicy, HubConfig, LockfileSetting, WebConfig};
use crate::core::HubCore;
use crate::hub_client::HUB_ID;
use crate::standard::HubService;
use crate::status_page::StatusPage;

/// The lockfile key of the status page's URL.
pub const STATUS_URL_KEY: &str = "samp-hub.status-url";
use crate::web::WebService;

/// Why a hub could not start.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// Another hub owns the lockfile and answers `samp.hub.ping`.
    #[error("a SAMP hub is already running at {url} (lockfile {}); stop it first or use another lockfile (--lockfile / SAMP_HUB)", .lockfile.display())]
    AlreadyRunning {
        /// The live hub's XML-RPC URL.
        url: String,
        /// The lockfile naming it.
        lockfile: PathBuf,
    },
    /// The lockfile location could not be worked out.
    #[error("cannot decide where to write the lockfile: {0}")]
    Discovery(#[from] DiscoveryError),
    /// `SAMP_HUB` names a lockfile the hub cannot write.
    #[error("SAMP_HUB names {0}, which is not a local file; a hub can only write a file: lockfile")]
    RemoteLockfile(String),
    /// The server could not listen.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The OS error.
        source: io::Error,
    },
    /// The lockfile could not be written or replaced.
    #[error("cannot write the lockfile {}: {source}", .path.display())]
    Lockfile {
        /// The lockfile path.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
}

/// Entry point: `Hub::builder()`.
pub struct Hub;

impl Hub {
    /// A builder with the defaults: loopback, any free port, lockfile by discovery rules.
    pub fn builder() -> HubBuilder {
        HubBuilder {
            config: HubConfig::default(),
        }
    }
}

/// Configures and starts a hub.
#[derive(Debug, Clone)]
pub struct HubBuilder {
    config: HubConfig,
}

impl HubBuilder {
    /// Listen on this address (default 127.0.0.1).
    pub fn addr(mut self, addr: IpAddr) -> Self {
        self.config.addr = addr;
        self
    }

    /// Listen on this port (default 0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.config.port = port;
        self
    }

    /// Write the lockfile here instead of where discovery says.
    pub fn lockfile(mut self, path: impl Into<PathBuf>) -> Self {
        self.config.lockfile = LockfileSetting::Path(path.into());
        self
    }

    /// Write no lockfile (in-process use: hand clients [`RunningHub::lock_info`]).
    pub fn no_lockfile(mut self) -> Self {
        self.config.lockfile = LockfileSetting::None;
        self
    }

    /// Cap on any `callAndWait` wait.
    pub fn max_call_wait(mut self, max: Duration) -> Self {
        self.config.max_call_wait = max;
        self
    }

    /// What to do about unreachable recipients.
    pub fn delivery_policy(mut self, policy: DeliveryPolicy) -> Self {
        self.config.delivery = policy;
        self
    }

    /// Largest request body accepted (default 128 MiB).
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.config.server.max_body = bytes;
        self
    }

    /// Serves the Standard Profile over HTTPS (the lockfile then names an `https://`
    /// URL) and calls `https://` callback URLs with the given trust.
    #[cfg(feature = "tls")]
    pub fn tls(mut self, tls: crate::tls::HubTls) -> Self {
        self.config.tls = Some(tls);
        self
    }

    /// Turns the Web Profile on, so web pages can join (with consent).
    pub fn web(mut self, web: WebConfig) -> Self {
        self.config.web = Some(web);
        self
    }

    /// Serve the read-only status page or not (default: yes).
    pub fn status_page(mut self, on: bool) -> Self {
        self.config.status_page = on;
        self
    }

    /// The hub's `samp.name`.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.config.name = name.into();
        self
    }

    /// Replaces the whole configuration.
    pub fn config(mut self, config: HubConfig) -> Self {
        self.config = config;
        self
    }

    /// Starts the hub: checks for a live hub, listens, writes the lockfile.
    pub async fn start(self) -> Result<RunningHub, HubError> {
        let config = self.config;
        let lockfile = match &config.lockfile {
            LockfileSetting::None => None,
            LockfileSetting::Path(p) => Some(p.clone()),
            LockfileSetting::Discover => match locate_hub()? {
                HubLocation::File(p) => Some(p),
                other => return Err(HubError::RemoteLockfile(format!("{other:?}"))),
            },
        };
        #[cfg(feature = "tls")]
        let http = match &config.tls {
            Some(tls) => HttpClient::new().with_tls(&tls.client),
            None => HttpClient::new(),
        };
        #[cfg(not(feature = "tls"))]
        let http = HttpClient::new();
        if let Some(path) = &lockfile {
            clear_stale_lockfile(path, &http).await?;
        }
        let secret = Secret::generate();
        let addr = SocketAddr::new(config.addr, config.port);
        // The Web Profile is plain HTTP on loopback (browsers reach localhost:21012). Pages
        // do not half-close; a page's closed connection is an abandoned request, and a
        // long poll abandoned must leave its callbacks queued for the next one.
        let web_server_config = samp_http::ServerConfig {
            serve_half_closed: false,
            ..config.server.clone()
        };
        #[allow(unused_mut)]
        let mut server_config = config.server.clone();
        #[cfg(feature = "tls")]
        if let Some(tls) = &config.tls {
            server_config.tls = Some(tls.server.clone());
        }
        let web = config.web.clone();
        let with_status = config.status_page;
        let core = HubCore::start(config, secret.clone());
        let status = with_status.then(|| Arc::new(StatusPage::new(core.clone())));
        let service = HubService {
            core: core.clone(),
            status: status.clone(),
        };
        let server = Server::bind_http(addr, server_config, Arc::new(service))
            .await
            .map_err(|source| HubError::Bind { addr, source })?;
        let web_servers = match web {
            Some(web) => match start_web(&core, web, web_server_config).await {
                Ok(servers) => servers,
                Err(e) => {
                    server.shutdown(Duration::from_millis(100)).await;
                    return Err(e);
                }
            },
            None => Vec::new(),
        };
        let url = server.url();
        let status_url = status
            .as_ref()
            .map(|page| format!("{}{}", url.trim_end_matches("/xmlrpc"), page.path()));
        let mut extra = vec![(
            "hub.impl".to_owned(),
            format!("samp-hub {} (Rust)", env!("CARGO_PKG_VERSION")),
        )];
        if let Some(status_url) = &status_url {
            extra.push((STATUS_URL_KEY.to_owned(), status_url.clone()));
        }
        let info = LockInfo {
            secret,
            xmlrpc_url: url.clone(),
            profile_version: "1.3".to_owned(),
            extra,
        };
        if let Some(path) = &lockfile {
            if let Err(source) = lockfile::write_new(path, &info.render()) {
                server.shutdown(Duration::from_millis(100)).await;
                for web in web_servers {
                    web.shutdown(Duration::from_millis(100)).await;
                }
                return Err(HubError::Lockfile {
                    path: path.clone(),
                    source,
                });
            }
            info!(lockfile = %path.display(), %url, "hub started");
        } else {
            info!(%url, "hub started (no lockfile)");
        }
        Ok(RunningHub {
            core,
            server: Some(server),
            status_url,
            web_servers,
            lockfile,
            info,
        })
    }
}

/// Serves the Web Profile on loopback: 127.0.0.1, and ::1 too where the system has it
/// (browsers may resolve `localhost` to either).
async fn start_web(
    core: &Arc<HubCore>,
    web: WebConfig,
    server_config: samp_http::ServerConfig,
) -> Result<Vec<ServerHandle>, HubError> {
    let port = web.port;
    let service = Arc::new(WebService::new(core.clone(), web));
    let v4 = SocketAddr::from(([127, 0, 0, 1], port));
    let first = Server::bind_http(v4, server_config.clone(), service.clone())
        .await
        .map_err(|source| HubError::Bind { addr: v4, source })?;
    let port = first.local_addr().port();
    let mut servers = vec![first];
    let v6 = SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, port));
    match Server::bind_http(v6, server_config, service).await {
        Ok(server) => servers.push(server),
        Err(e) => info!(error = %e, "Web Profile not served on [::1]; 127.0.0.1 only"),
    }
    info!(port, "Web Profile on");
    Ok(servers)
}

/// Refuses to start over a live hub; removes a stale lockfile.
async fn clear_stale_lockfile(path: &Path, http: &HttpClient) -> Result<(), HubError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(HubError::Lockfile {
                path: path.to_owned(),
                source,
            });
        }
    };
    if let Ok(existing) = LockInfo::parse(&text)
        && is_alive(&existing.xmlrpc_url, http).await
    {
        return Err(HubError::AlreadyRunning {
            url: existing.xmlrpc_url,
            lockfile: path.to_owned(),
        });
    }
    warn!(lockfile = %path.display(), "replacing a stale lockfile (its hub does not answer)");
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(HubError::Lockfile {
            path: path.to_owned(),
            source,
        }),
    }
}

/// True if a hub answers `samp.hub.ping` at `url` — or, for an `https://` URL whose
/// certificate we may not trust, if anything listens there: a live hub must not be
/// mistaken for a dead one.
async fn is_alive(url: &str, http: &HttpClient) -> bool {
    let ping = http.call(
        url,
        HubMethod::Ping.full_name(),
        &[],
        Some(Duration::from_secs(2)),
    );
    if ping.await.is_ok() {
        return true;
    }
    let Some(rest) = url.strip_prefix("https://") else {
        return false;
    };
    let authority = rest.split('/').next().unwrap_or("");
    let connect = tokio::net::TcpStream::connect(authority);
    matches!(
        tokio::time::timeout(Duration::from_secs(2), connect).await,
        Ok(Ok(_))
    )
}

/// A hub that is serving. Dropping it removes the lockfile; call [`RunningHub::shutdown`]
/// to tell the clients first.
pub struct RunningHub {
    core: Arc<HubCore>,
    server: Option<ServerHandle>,
    status_url: Option<String>,
    web_servers: Vec<ServerHandle>,
    lockfile: Option<PathBuf>,
    info: LockInfo,
}

impl std::fmt::Debug for RunningHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningHub")
            .field("url", &self.info.xmlrpc_url)
            .field("lockfile", &self.lockfile)
            .finish()
    }
}

impl RunningHub {
    /// The hub's XML-RPC URL.
    pub fn url(&self) -> &str {
        &self.info.xmlrpc_url
    }

    /// The lockfile written, if any.
    pub fn lockfile(&self) -> Option<&Path> {
        self.lockfile.as_deref()
    }

    /// What the lockfile says (URL and secret): how in-process clients find this hub.
    pub fn lock_info(&self) -> &LockInfo {
        &self.info
    }

    /// The address the hub listens on.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.server.as_ref().map(ServerHandle::local_addr)
    }

    /// The status page's URL (`http://127.0.0.1:PORT/status/TOKEN`), when it is on; the
    /// lockfile has it too, under [`STATUS_URL_KEY`].
    pub fn status_url(&self) -> Option<&str> {
        self.status_url.as_deref()
    }

    /// The Web Profile's URL (`http://localhost:PORT/`), when it is on.
    pub fn web_url(&self) -> Option<String> {
        self.web_servers
            .first()
            .map(|s| format!("http://localhost:{}/", s.local_addr().port()))
    }

    /// Registered clients, the hub's own excluded.
    pub fn client_count(&self) -> usize {
        self.core.client_count()
    }

    /// Broadcasts `samp.hub.event.shutdown`, gives the deliveries a moment, stops serving and
    /// removes the lockfile if it is still ours.
    pub async fn shutdown(mut self) {
        let outboxes = self.core.close();
        let flushes: Vec<_> = outboxes
            .iter()
            .map(|o| o.flush(ClientId::new(HUB_ID)))
            .collect();
        let _ = tokio::time::timeout(
            Duration::from_secs(3),
            futures_util::future::join_all(flushes),
        )
        .await;
        for outbox in &outboxes {
            outbox.close();
        }
        if let Some(server) = self.server.take() {
            server.shutdown(Duration::from_secs(1)).await;
        }
        for server in self.web_servers.drain(..) {
            server.shutdown(Duration::from_secs(1)).await;
        }
        self.remove_lockfile();
        info!("hub stopped");
    }

    /// Removes the lockfile only if it still holds our secret (another hub may own it now).
    fn remove_lockfile(&mut self) {
        let Some(path) = self.lockfile.take() else {
            return;
        };
        match lockfile::read(&path) {
            Ok(current) if self.info.secret.matches(current.secret.expose()) => {
                if let Err(e) = std::fs::remove_file(&path) {
                    warn!(lockfile = %path.display(), error = %e, "could not remove the lockfile");
                }
            }
            Ok(_) => {
                warn!(lockfile = %path.display(), "lockfile now belongs to another hub; left in place")
            }
            Err(e) => {
                warn!(lockfile = %path.display(), error = %e, "lockfile unreadable; left in place")
            }
        }
    }
}

impl Drop for RunningHub {
    fn drop(&mut self) {
        self.remove_lockfile();
    }
}

impl DeliveryPolicy {
    /// Never unregister a client for failed deliveries.
    pub fn keep_unreachable() -> Self {
        DeliveryPolicy {
            unregister_after_failures: None,
            ..DeliveryPolicy::default()
        }
    }
}
