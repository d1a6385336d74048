//! The SAMP client runtime: connect to a hub, receive messages through handlers, send
//! messages and query the hub — everything astropy's `SAMPClient` does, in async Rust.
//!
//! ```no_run
//! use samp_runtime::{Client, Context, Map, Response};
//!
//! # async fn demo() -> samp_runtime::Result<()> {
//! let client = Client::builder().name("samp-echo").build()?;
//! client
//!     .bind_call("test.echo", |_ctx: Context, params: Map| async move { Response::ok(params) })
//!     .await?;
//! client.register().await?;       // discover, register, serve callbacks, declare
//! client.run_until(tokio::signal::ctrl_c()).await
//! # }
//! ```
//!
//! Modules: [`builder`](ClientBuilder) (settings), `connection` (register, unregister,
//! run), `server` (the callback endpoint), `dispatch` and `bind` (handlers), [`Context`],
//! `send` (messages and hub queries), `routing` (responses to our calls), `registry`
//! (handlers from the attribute macros; not public API).

mod bind;
mod builder;
mod connection;
mod context;
mod dispatch;
mod handler;
mod lifecycle;
#[cfg(feature = "hub")]
mod own_hub;
mod progress;
#[doc(hidden)]
pub mod registry;
mod response;
mod routing;
mod send;
mod server;
mod sync_all;
mod tracking;
mod watchdog;

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use tokio::sync::watch;

pub use crate::error::{Error, Result};
pub use bind::{Bind, Unbind};
pub use builder::ClientBuilder;
pub use context::{Context, ReportProgress, Responder};
pub use handler::{FromMessage, Handler, HandlerFuture, Parts, State, StateRequirement};
pub use lifecycle::{ConnectionEvent, ConnectionEvents, Reconnect, SessionEnd, shutdown_signal};
pub use progress::Progress;
pub use response::{IntoResponse, Reply};
pub use routing::{PendingResponse, ResponseStream};
pub use samp_protocol::IntoMessage;
pub use server::RawHandler;
pub use sync_all::SyncResponses;
pub use tracking::{ClientEvent, ClientEvents, ClientInfo};
pub use watchdog::NOTICE_WITHIN;

use crate::hub_proxy::HubProxy;
use dispatch::DispatchTable;
use routing::{Routes, lock};
use samp_http::{HttpClient, ServerHandle};
use samp_protocol::{ClientId, MTypePattern, Metadata, PrivateKey, RegInfo, Subscriptions};

/// A SAMP client: a cheap, clonable handle (an `Arc` inside) usable from any task.
///
/// Build one with [`Client::builder`]. Handlers get it back through [`Context::client`];
/// closures given to `bind_*` should use that rather than capture a `Client`, which would
/// keep the client alive through its own dispatch table.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

/// Settings fixed at build time.
pub(crate) struct Settings {
    pub(crate) callable: bool,
    pub(crate) callback_addr: std::net::SocketAddr,
    /// Limits of the callback server (and its TLS, with the `tls` feature).
    pub(crate) callback_server: samp_http::ServerConfig,
    pub(crate) hub: builder::HubSource,
    pub(crate) hub_timeout: Option<std::time::Duration>,
    pub(crate) track_clients: bool,
    pub(crate) reconnect: Option<Reconnect>,
}

/// One registration with a hub.
pub(crate) struct Session {
    pub(crate) proxy: HubProxy,
    pub(crate) reg: RegInfo,
    pub(crate) generation: u64,
}

/// Registration state watched by `run()` and `disconnected()`.
#[derive(Clone, Debug, Default)]
pub(crate) struct ConnState {
    pub(crate) registered: bool,
    pub(crate) generation: u64,
    pub(crate) last_end: Option<SessionEnd>,
}

pub(crate) struct Inner {
    pub(crate) http: HttpClient,
    pub(crate) settings: Settings,
    pub(crate) metadata: Mutex<Metadata>,
    pub(crate) extra_subscriptions: Mutex<Subscriptions>,
    pub(crate) session: Mutex<Option<Arc<Session>>>,
    pub(crate) server: Mutex<Option<(ServerHandle, String)>>,
    pub(crate) dispatch: RwLock<DispatchTable>,
    pub(crate) routes: Mutex<Routes>,
    pub(crate) progress: Mutex<progress::ProgressRoutes>,
    pub(crate) tracker: Mutex<tracking::Tracker>,
    pub(crate) raw: Option<Arc<dyn RawHandler>>,
    pub(crate) state: handler::StateMap,
    pub(crate) conn: watch::Sender<ConnState>,
    pub(crate) connection: tokio::sync::broadcast::Sender<ConnectionEvent>,
    pub(crate) reconnecting: AtomicBool,
    /// When the hub was last heard from, in ms since `epoch`.
    pub(crate) last_heard: AtomicU64,
    pub(crate) epoch: std::time::Instant,
    /// Serialises registration changes and subscription declarations, so the hub sees
    /// them in the order they were made. Never taken by the callback path.
    pub(crate) ops: tokio::sync::Mutex<()>,
    pub(crate) running: AtomicBool,
    pub(crate) generation: AtomicU64,
    pub(crate) tags: AtomicU64,
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// The current registration, or [`Error::NotRegistered`].
    pub(crate) fn session(&self) -> Result<Arc<Session>> {
        lock(&self.inner.session)
            .clone()
            .ok_or(Error::NotRegistered)
    }

    /// The application state of type `T` given to [`ClientBuilder::state`], if any (a
    /// clone; handlers take it as [`State<T>`]).
    pub fn state<T: Clone + 'static>(&self) -> Option<T> {
        self.inner.state.get::<T>()
    }

    /// Checks that every state type in `needs` was given; the error names `who` and the
    /// type.
    pub(crate) fn check_state(
        &self,
        needs: &[StateRequirement],
        who: impl FnOnce() -> String,
    ) -> Result<()> {
        check_state(&self.inner.state, needs, who)
    }

    /// Whether the client is registered with a hub right now.
    pub fn is_registered(&self) -> bool {
        lock(&self.inner.session).is_some()
    }

    /// Whether the client is in use: from the first `register()`/`connect()` until
    /// [`stop`](Self::stop).
    pub fn is_running(&self) -> bool {
        self.inner.running.load(Ordering::Acquire)
    }

    /// Our public id, while registered.
    pub fn public_id(&self) -> Option<ClientId> {
        self.session().ok().map(|s| s.reg.self_id.clone())
    }

    /// Our private key, while registered (its `Debug` is redacted; never log `expose()`).
    pub fn private_key(&self) -> Option<PrivateKey> {
        self.session().ok().map(|s| s.reg.private_key.clone())
    }

    /// The hub's own public id, while registered.
    pub fn hub_id(&self) -> Option<ClientId> {
        self.session().ok().map(|s| s.reg.hub_id.clone())
    }

    /// The registration info the hub gave us, while registered.
    pub fn reg_info(&self) -> Option<RegInfo> {
        self.session().ok().map(|s| s.reg.clone())
    }

    /// A proxy for the hub's raw `samp.hub.*` methods, keyed for our registration.
    pub fn hub(&self) -> Result<HubProxy> {
        self.session().map(|s| s.proxy.clone())
    }

    /// Whether the client receives callbacks (see [`ClientBuilder::callable`]).
    pub fn is_callable(&self) -> bool {
        self.inner.settings.callable
    }

    /// The URL of our callback server, while it runs.
    pub fn callback_url(&self) -> Option<String> {
        lock(&self.inner.server)
            .as_ref()
            .map(|(_, url)| url.clone())
    }

    /// The metadata we declare (or will declare on registering).
    pub fn metadata(&self) -> Metadata {
        lock(&self.inner.metadata).clone()
    }

    /// The subscriptions we declare (or will declare): what the bindings imply, the
    /// extras from [`declare_subscriptions`](Self::declare_subscriptions), and the implicit
    /// `samp.app.ping`, `samp.hub.event.shutdown` and `samp.hub.disconnect`.
    pub fn subscriptions(&self) -> Subscriptions {
        let extra = lock(&self.inner.extra_subscriptions).clone();
        let mut subs = self
            .inner
            .dispatch
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .subscriptions(&extra);
        if self.inner.settings.track_clients && subs.get(HUB_EVENTS).is_none() {
            let events = MTypePattern::parse(HUB_EVENTS).expect("a valid pattern");
            subs.insert(events, samp_protocol::Map::new());
        }
        subs
    }

    /// The other clients registered with the hub (the hub's own included), with their
    /// metadata and subscriptions, from the table kept by client tracking
    /// ([`ClientBuilder::track_clients`]); no query is made.
    pub fn clients(&self) -> Result<Vec<ClientInfo>> {
        self.tracking()?;
        Ok(lock(&self.inner.tracker).snapshot())
    }

    /// What tracking knows about client `id`.
    pub fn client_info(&self, id: &ClientId) -> Result<Option<ClientInfo>> {
        self.tracking()?;
        Ok(lock(&self.inner.tracker).get(id.as_str()))
    }

    /// The other clients subscribed to `mtype` (the spec's wildcard rules, answered from
    /// the tracked table), with the annotations of their most specific subscription.
    pub fn subscribers(&self, mtype: &str) -> Result<Vec<(ClientId, samp_protocol::Map)>> {
        self.tracking()?;
        Ok(lock(&self.inner.tracker).subscribers(mtype))
    }

    /// The changes to the tracked table, as they happen.
    pub fn client_events(&self) -> Result<ClientEvents> {
        self.tracking()?;
        Ok(ClientEvents {
            rx: lock(&self.inner.tracker).subscribe(),
        })
    }

    fn tracking(&self) -> Result<()> {
        if self.inner.settings.track_clients {
            Ok(())
        } else {
            Err(Error::Config(
                "client tracking is off: build the client with .track_clients(true)".to_owned(),
            ))
        }
    }
}

/// The hub events client tracking subscribes to.
const HUB_EVENTS: &str = "samp.hub.event.*";

/// Checks that every state type in `needs` is in `state`.
pub(crate) fn check_state(
    state: &handler::StateMap,
    needs: &[StateRequirement],
    who: impl FnOnce() -> String,
) -> Result<()> {
    match needs.iter().find(|n| !state.contains(n.id)) {
        None => Ok(()),
        Some(missing) => Err(Error::Config(format!(
            "{} takes State<{}>, but the client was not given one: add .state(value) of that type to Client::builder()",
            who(),
            missing.name
        ))),
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let session = lock(&self.inner.session).clone();
        f.debug_struct("Client")
            .field("public_id", &session.as_ref().map(|s| &s.reg.self_id))
            .field("hub", &session.as_ref().map(|s| s.proxy.url().to_owned()))
            .field("callable", &self.inner.settings.callable)
            .finish_non_exhaustive()
    }
}

impl Drop for Inner {
    /// The last handle is gone: leave the hub if still registered (best effort, needs a
    /// runtime), so the hub does not keep a dead client around.
    fn drop(&mut self) {
        let session = self.session.get_mut().ok().and_then(Option::take);
        if let (Some(session), Ok(rt)) = (session, tokio::runtime::Handle::try_current()) {
            rt.spawn(async move {
                let _ = session.proxy.unregister().await;
            });
        }
    }
}

#[cfg(test)]
mod tests;
