//! Configuring a client before it connects.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::sync::watch;

use super::dispatch::table_from;
use super::handler::StateMap;
use super::registry::{Registration, registrations};
use super::routing::Routes;
use super::{Client, ConnState, Inner, RawHandler, Reconnect, Settings, check_state};
use crate::error::{Error, Result};
use crate::hub_proxy::DEFAULT_HUB_TIMEOUT;
use samp_http::HttpClient;
use samp_protocol::Value;
use samp_protocol::{LockInfo, Metadata, Secret, Subscriptions};

/// Which hub to use.
#[derive(Clone, Debug)]
pub(crate) enum HubSource {
    /// The standard discovery rules: `SAMP_HUB`, else `~/.samp`.
    Discover,
    /// This lockfile.
    Lockfile(PathBuf),
    /// This URL and secret (e.g. an in-process hub's `lock_info()`).
    Direct(LockInfo),
}

/// Which static registrations the client takes.
#[derive(Clone, Debug, Default)]
struct StaticSelection {
    none: bool,
    modules: Vec<String>,
    groups: Vec<String>,
    explicit: Vec<&'static Registration>,
}

/// Settings for a [`Client`]: metadata, whether it is callable, where its callback server
/// listens, which hub, and which compile-time handlers. Finish with
/// [`connect`](Self::connect) (or [`build`](Self::build) to bind handlers first).
///
/// ```no_run
/// # async fn demo() -> samp_runtime::Result<()> {
/// let client = samp_runtime::Client::builder()
///     .name("plotter")
///     .description("Plots tables")
///     .metadata_entry("author.name", "A. Person")
///     .connect()
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "a builder does nothing until connect() or build()"]
pub struct ClientBuilder {
    metadata: Metadata,
    callable: bool,
    callback_ip: IpAddr,
    callback_port: u16,
    hub: HubSource,
    hub_timeout: Option<Duration>,
    track_clients: bool,
    reconnect: Option<Reconnect>,
    http: Option<HttpClient>,
    #[cfg(feature = "tls")]
    tls: Option<samp_http::tls::TlsOptions>,
    raw: Option<Arc<dyn RawHandler>>,
    state: StateMap,
    statics: StaticSelection,
}

impl ClientBuilder {
    pub(crate) fn new() -> ClientBuilder {
        ClientBuilder {
            metadata: Metadata::new(),
            callable: true,
            callback_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            callback_port: 0,
            hub: HubSource::Discover,
            hub_timeout: Some(DEFAULT_HUB_TIMEOUT),
            track_clients: false,
            reconnect: None,
            http: None,
            #[cfg(feature = "tls")]
            tls: None,
            raw: None,
            state: StateMap::default(),
            statics: StaticSelection::default(),
        }
    }

    /// Replaces the whole metadata map.
    pub fn metadata(mut self, metadata: Metadata) -> Self {
        self.metadata = metadata;
        self
    }

    /// Sets one metadata key (e.g. `author.name`).
    pub fn metadata_entry(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.metadata = self.metadata.with(key, value);
        self
    }

    /// `samp.name`: the label other applications show for us.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.metadata = self.metadata.with_name(name);
        self
    }

    /// `samp.description.text`.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.metadata = self.metadata.with_description_text(text);
        self
    }

    /// `samp.icon.url`.
    pub fn icon_url(mut self, url: impl Into<String>) -> Self {
        self.metadata = self.metadata.with_icon_url(url);
        self
    }

    /// `samp.documentation.url`.
    pub fn documentation_url(mut self, url: impl Into<String>) -> Self {
        self.metadata = self.metadata.with_documentation_url(url);
        self
    }

    /// Whether to receive messages (default `true`). A non-callable client runs no
    /// server and declares no subscriptions, but can still send, query and
    /// `call_and_wait`.
    pub fn callable(mut self, callable: bool) -> Self {
        self.callable = callable;
        self
    }

    /// The address the callback server binds (default 127.0.0.1). Only loopback is safe
    /// unless the hub is on another host.
    pub fn callback_addr(mut self, ip: IpAddr) -> Self {
        self.callback_ip = ip;
        self
    }

    /// The callback server's port (default 0: any free port).
    pub fn callback_port(mut self, port: u16) -> Self {
        self.callback_port = port;
        self
    }

    /// Use the hub named by this lockfile instead of discovery.
    pub fn hub_lockfile(mut self, path: impl Into<PathBuf>) -> Self {
        self.hub = HubSource::Lockfile(path.into());
        self
    }

    /// Use the hub at this XML-RPC URL with this secret (what an in-process hub hands out).
    pub fn hub_url(mut self, url: impl Into<String>, secret: Secret) -> Self {
        self.hub = HubSource::Direct(LockInfo::new(secret, url));
        self
    }

    /// Use the hub a lockfile's contents describe.
    pub fn lock_info(mut self, info: LockInfo) -> Self {
        self.hub = HubSource::Direct(info);
        self
    }

    /// Find the hub by the standard rules (`SAMP_HUB`, else `~/.samp`): the default.
    pub fn discover_hub(mut self) -> Self {
        self.hub = HubSource::Discover;
        self
    }

    /// How long one hub call may take (default 30 s; `None`: no limit).
    pub fn hub_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.hub_timeout = timeout;
        self
    }

    /// Keep a live table of the other clients (default off): seeded from the hub at each
    /// registration and kept current from its events (the client subscribes to
    /// `samp.hub.event.*` for it). Read it with [`Client::clients`],
    /// [`Client::client_info`], [`Client::subscribers`] and [`Client::client_events`];
    /// handlers see the sender's name through [`Context::sender_name`](super::Context::sender_name).
    /// Needs a callable client (the events are callbacks).
    pub fn track_clients(mut self, track: bool) -> Self {
        self.track_clients = track;
        self
    }

    /// Come back after the hub goes (default: off, as a library should be; the examples
    /// turn it on): after a shutdown, a disconnect or a lost hub, keep the handlers and
    /// state, register again when a hub is there, and declare metadata and subscriptions
    /// again. [`Client::connection_events`] reports each loss and return; `run()` then
    /// serves until the application stops it.
    pub fn reconnect(mut self, policy: Reconnect) -> Self {
        self.reconnect = Some(policy);
        self
    }

    /// Share this HTTP client (and its connection pool).
    pub fn http_client(mut self, http: HttpClient) -> Self {
        self.http = Some(http);
        self
    }

    /// TLS as sampy's `SAMPClient` takes it (`https`, `key_file`, `cert_file`,
    /// `cert_reqs`, `ca_certs`, `ssl_version`): the trust and certificate for an
    /// `https://` hub, and with `https` an HTTPS callback server. Without it, an
    /// `https://` hub is still reached, trusting the system's roots (or `SSL_CERT_FILE`).
    /// The files are read by [`build`](Self::build), whose error names any that is wrong.
    ///
    /// ```no_run
    /// # async fn demo() -> samp_runtime::Result<()> {
    /// use samp_http::tls::{CertReqs, TlsOptions, TlsVersion};
    /// let client = samp_runtime::Client::builder()
    ///     .name("secure viewer")
    ///     .tls(TlsOptions {
    ///         https: true,
    ///         cert_file: Some("client.pem".into()),
    ///         key_file: Some("client-key.pem".into()),
    ///         cert_reqs: CertReqs::Required,
    ///         ca_certs: Some("ca.pem".into()),
    ///         ssl_version: TlsVersion::V1_3,
    ///     })
    ///     .connect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "tls")]
    pub fn tls(mut self, options: samp_http::tls::TlsOptions) -> Self {
        self.tls = Some(options);
        self
    }

    /// Application state that handlers take as [`State<T>`](super::State): any number of
    /// values of distinct types (a second value of one type replaces the first), cloned
    /// for each message, so share what must be shared through an `Arc` inside.
    ///
    /// ```no_run
    /// # async fn demo() -> samp_runtime::Result<()> {
    /// use std::sync::{Arc, Mutex};
    /// use samp_runtime::client::State;
    /// use samp_runtime::Map;
    ///
    /// #[derive(Clone, Default)]
    /// struct Counter(Arc<Mutex<u64>>);
    ///
    /// let client = samp_runtime::Client::builder().state(Counter::default()).build()?;
    /// client
    ///     .bind_notification("test.count", |State(c): State<Counter>, _: Map| async move {
    ///         *c.0.lock().unwrap() += 1;
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn state<T: Clone + Send + Sync + 'static>(mut self, value: T) -> Self {
        self.state.insert(value);
        self
    }

    /// Takes over raw `receiveNotification`/`receiveCall`/`receiveResponse` handling
    /// (sampy's "override receiveCall"); see [`RawHandler`].
    pub fn raw_handler(mut self, handler: impl RawHandler) -> Self {
        self.raw = Some(Arc::new(handler));
        self
    }

    /// Only take static handlers declared in module `prefix` or below (e.g.
    /// `my_app::viewer`). May be given several times.
    pub fn handlers_in_module(mut self, prefix: impl Into<String>) -> Self {
        self.statics.modules.push(prefix.into());
        self
    }

    /// Only take static handlers of this group (`#[samp::call(..., group = "name")]`).
    /// May be given several times.
    pub fn handler_group(mut self, name: impl Into<String>) -> Self {
        self.statics.groups.push(name.into());
        self
    }

    /// Take no handlers from the attribute macros, except those passed to
    /// [`static_handler`](Self::static_handler).
    pub fn no_static_handlers(mut self) -> Self {
        self.statics.none = true;
        self
    }

    /// Adds one registration explicitly, e.g. from a crate `inventory` would not see.
    #[doc(hidden)]
    pub fn static_handler(mut self, registration: &'static Registration) -> Self {
        self.statics.explicit.push(registration);
        self
    }

    /// The static registrations this builder selects.
    fn selected(&self) -> Vec<&'static Registration> {
        let s = &self.statics;
        let mut out: Vec<&'static Registration> = if s.none {
            Vec::new()
        } else {
            registrations()
                .filter(|r| s.modules.is_empty() || s.modules.iter().any(|m| r.is_in_module(m)))
                .filter(|r| {
                    s.groups.is_empty() || r.group.is_some_and(|g| s.groups.iter().any(|n| n == g))
                })
                .collect()
        };
        for r in &s.explicit {
            if !out.iter().any(|o| std::ptr::eq(*o, *r)) {
                out.push(r);
            }
        }
        out
    }

    /// Creates the client without contacting the hub, so handlers can be bound before
    /// [`Client::register`] declares them all at once. Fails if two selected static
    /// handlers claim the same MType.
    pub fn build(self) -> Result<Client> {
        if self.track_clients && !self.callable {
            return Err(Error::NotCallable {
                what: "track_clients",
            });
        }
        let selected = self.selected();
        for reg in &selected {
            check_state(&self.state, &(reg.requirements)(), || reg.location())?;
        }
        let table = table_from(&selected).map_err(Error::Config)?;
        let (conn, _) = watch::channel(ConnState::default());
        #[allow(unused_mut)]
        let mut http = self.http.unwrap_or_default();
        #[allow(unused_mut)]
        let mut callback_server = samp_http::ServerConfig::default();
        #[cfg(feature = "tls")]
        if let Some(options) = &self.tls {
            let tls = |e: samp_http::tls::TlsError| Error::Config(format!("TLS: {e}"));
            http = http.with_tls(&options.client().map_err(tls)?);
            callback_server.tls = options.server().map_err(tls)?;
        }
        let inner = Inner {
            http,
            settings: Settings {
                callable: self.callable,
                callback_addr: SocketAddr::new(self.callback_ip, self.callback_port),
                callback_server,
                hub: self.hub,
                hub_timeout: self.hub_timeout,
                track_clients: self.track_clients,
                reconnect: self.reconnect,
            },
            metadata: Mutex::new(self.metadata),
            extra_subscriptions: Mutex::new(Subscriptions::new()),
            session: Mutex::new(None),
            server: Mutex::new(None),
            dispatch: RwLock::new(table),
            routes: Mutex::new(Routes::default()),
            progress: Mutex::new(Default::default()),
            tracker: Mutex::new(Default::default()),
            raw: self.raw,
            state: self.state,
            conn,
            connection: tokio::sync::broadcast::channel(16).0,
            reconnecting: AtomicBool::new(false),
            last_heard: AtomicU64::new(0),
            epoch: std::time::Instant::now(),
            ops: tokio::sync::Mutex::new(()),
            running: AtomicBool::new(false),
            generation: AtomicU64::new(0),
            tags: AtomicU64::new(0),
        };
        Ok(Client {
            inner: Arc::new(inner),
        })
    }

    /// Where the client will look for its hub.
    pub(crate) fn hub_source(&self) -> &HubSource {
        &self.hub
    }

    /// Builds the client and registers it: pings the hub, registers, starts the callback
    /// server, sets the callback URL, declares metadata and subscriptions.
    pub async fn connect(self) -> Result<Client> {
        let client = self.build()?;
        client.register().await?;
        Ok(client)
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("metadata", &self.metadata)
            .field("callable", &self.callable)
            .field(
                "callback",
                &SocketAddr::new(self.callback_ip, self.callback_port),
            )
            .field("hub", &self.hub)
            .field("raw_handler", &self.raw.is_some())
            .finish_non_exhaustive()
    }
}
