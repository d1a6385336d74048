//! The life of a client across registrations: why one ends, running until the
//! application says stop, and registering again when the hub comes back.

use std::future::Future;
use std::sync::Weak;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::sync::broadcast;
use tracing::{debug, info, warn};

use super::builder::HubSource;
use super::routing::lock;
use super::{Client, Inner};
use crate::error::Result;
pub use crate::error::SessionEnd;
use samp_protocol::discovery::{HubLocation, locate_hub};

/// How a client comes back after its hub goes: [`ClientBuilder::reconnect`].
///
/// After a shutdown, a disconnect or a lost hub, the client keeps its handlers and state,
/// watches for a hub (the lockfile appearing, or the hub's URL answering), registers again,
/// declares its metadata and every subscription again, and reports
/// [`ConnectionEvent`]s. Tries come `interval` apart at first, then further apart up to
/// `max_interval`; a lockfile is looked at every `interval` whatever the back-off, so a new
/// hub is joined soon after it writes one.
///
/// [`ClientBuilder::reconnect`]: super::ClientBuilder::reconnect
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reconnect {
    /// The first wait, and how often a lockfile is looked at.
    pub interval: Duration,
    /// The longest wait between tries on a hub that does not answer.
    pub max_interval: Duration,
}

impl Default for Reconnect {
    /// Every 250 ms at first, backing off to every 5 s.
    fn default() -> Self {
        Reconnect {
            interval: Duration::from_millis(250),
            max_interval: Duration::from_secs(5),
        }
    }
}

/// A change in the client's connection, for applications that show it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionEvent {
    /// The registration ended, and why.
    Lost(SessionEnd),
    /// Registered again, at this hub URL.
    Reconnected(String),
}

/// The connection events of a client; see [`Client::connection_events`].
#[derive(Debug)]
pub struct ConnectionEvents {
    rx: broadcast::Receiver<ConnectionEvent>,
}

impl ConnectionEvents {
    /// The next event; `None` once the client is gone.
    pub async fn next(&mut self) -> Option<ConnectionEvent> {
        loop {
            match self.rx.recv().await {
                Ok(event) => return Some(event),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }
}

impl Client {
    /// Serves until the application says stop: until `shutdown` completes (e.g.
    /// `tokio::signal::ctrl_c()`), or — when not reconnecting — until the registration
    /// ends; then [`stop`](Self::stop)s. With [`Reconnect`] on, hub restarts and crashes
    /// do not end it. The library never takes Ctrl-C by itself.
    ///
    /// ```no_run
    /// # async fn demo(client: samp_runtime::Client) -> samp_runtime::Result<()> {
    /// client.run_until(tokio::signal::ctrl_c()).await
    /// # }
    /// ```
    pub async fn run_until<F: Future>(&self, shutdown: F) -> Result<()> {
        let until_over = async {
            if self.reconnects() {
                std::future::pending::<()>().await;
            }
            let end = self.disconnected().await;
            info!(?end, "registration ended");
        };
        tokio::select! {
            _ = shutdown => info!("asked to stop; leaving the hub"),
            () = until_over => {}
        }
        self.stop().await
    }

    /// [`run_until`](Self::run_until) with no stop signal of the application's own.
    pub async fn run(&self) -> Result<()> {
        self.run_until(std::future::pending::<()>()).await
    }

    /// Waits until the client is not registered; returns why the last registration ended
    /// (`None` if it never registered).
    pub async fn disconnected(&self) -> Option<SessionEnd> {
        let mut rx = self.inner.conn.subscribe();
        let state = rx.wait_for(|c| !c.registered).await.ok()?;
        state.last_end.clone()
    }

    /// The connection's changes from now on: losses and reconnections.
    pub fn connection_events(&self) -> ConnectionEvents {
        ConnectionEvents {
            rx: self.inner.connection.subscribe(),
        }
    }

    /// Why the last registration ended, if one has.
    pub fn last_session_end(&self) -> Option<SessionEnd> {
        self.inner.conn.borrow().last_end.clone()
    }

    fn reconnects(&self) -> bool {
        self.inner.settings.reconnect.is_some()
    }

    /// The generation of the current registration.
    pub(crate) fn current_generation(&self) -> Option<u64> {
        lock(&self.inner.session).as_ref().map(|s| s.generation)
    }

    /// Resolves when registration `generation` ends (at once if it has).
    pub(crate) async fn ended(&self, generation: u64) -> SessionEnd {
        let mut rx = self.inner.conn.subscribe();
        let state = rx
            .wait_for(|c| !c.registered || c.generation != generation)
            .await
            .map(|c| c.last_end.clone());
        match state {
            Ok(Some(end)) => end,
            _ => SessionEnd::Unregistered,
        }
    }

    /// Ends registration `generation` (any, if `None`) without telling the hub: waiting
    /// calls fail, the tables empty, and — unless we unregistered ourselves — reconnection
    /// starts when it is on.
    pub(crate) fn end_session(&self, generation: Option<u64>, why: SessionEnd) {
        {
            let mut session = lock(&self.inner.session);
            match (&*session, generation) {
                (None, _) => return,
                (Some(s), Some(g)) if s.generation != g => return,
                _ => *session = None,
            }
        }
        info!(%why, "registration ended");
        lock(&self.inner.routes).drop_waiters();
        lock(&self.inner.progress).clear();
        lock(&self.inner.tracker).clear();
        self.inner.conn.send_modify(|c| {
            c.registered = false;
            c.last_end = Some(why.clone());
        });
        let _ = self
            .inner
            .connection
            .send(ConnectionEvent::Lost(why.clone()));
        if why != SessionEnd::Unregistered
            && let Some(policy) = self.inner.settings.reconnect.clone()
            && !self.inner.reconnecting.swap(true, Ordering::AcqRel)
        {
            tokio::spawn(reconnect(
                Weak::clone(&std::sync::Arc::downgrade(&self.inner)),
                policy,
            ));
        }
    }
}

/// Resolves on Ctrl-C or (on Unix) SIGTERM: a stop signal for
/// [`Client::run_until`], for applications that want the usual ones. The library installs
/// no signal handler until this is called.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    if tokio::signal::ctrl_c().await.is_err() {
        // No signal handling available: never resolve rather than stop at once.
        std::future::pending::<()>().await;
    }
}

/// Registers again once a hub is there; ends when registered, stopped, or dropped.
async fn reconnect(client: Weak<Inner>, policy: Reconnect) {
    let mut wait = policy.interval;
    let mut since_try = Duration::ZERO;
    loop {
        tokio::time::sleep(policy.interval).await;
        since_try += policy.interval;
        let Some(inner) = client.upgrade() else {
            return;
        };
        let client = Client { inner };
        if !client.is_running() || client.is_registered() {
            client.inner.reconnecting.store(false, Ordering::Release);
            return;
        }
        // A lockfile that appeared (or changed) is tried at once; otherwise back off.
        let fresh = client.hub_lockfile_readable();
        if !fresh && since_try < wait {
            continue;
        }
        since_try = Duration::ZERO;
        match client.register().await {
            Ok(()) => {
                client.inner.reconnecting.store(false, Ordering::Release);
                let url = client.hub().map(|h| h.url().to_owned()).unwrap_or_default();
                info!(hub = %url, "registered again");
                let _ = client
                    .inner
                    .connection
                    .send(ConnectionEvent::Reconnected(url));
                return;
            }
            Err(e) => {
                debug!(error = %e, "no hub to register with yet");
                wait = (wait * 2).min(policy.max_interval);
            }
        }
    }
}

impl Client {
    /// Whether the lockfile the client finds its hub through is there and readable.
    fn hub_lockfile_readable(&self) -> bool {
        let path = match &self.inner.settings.hub {
            HubSource::Lockfile(path) => path.clone(),
            HubSource::Discover => match locate_hub() {
                Ok(HubLocation::File(path)) => path,
                _ => return false,
            },
            HubSource::Direct(_) => return false,
        };
        match samp_protocol::lockfile::read(&path) {
            Ok(_) => true,
            Err(e) => {
                if !matches!(&e, samp_protocol::LockfileError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
                {
                    warn!(lockfile = %path.display(), error = %e, "lockfile unreadable");
                }
                false
            }
        }
    }
}
