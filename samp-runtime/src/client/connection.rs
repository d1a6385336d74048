//! Joining and leaving the hub: discovery, registration, the callback server, and the end
//! of a registration (our `unregister`, the hub's shutdown, or its `samp.hub.disconnect`).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tracing::{debug, info, warn};

use super::builder::HubSource;
use super::lifecycle::SessionEnd;
use super::routing::lock;
use super::server::CallbackService;
use super::tracking::Field;
use super::{Client, Session, watchdog};
use crate::error::{Error, Result};
use crate::hub_proxy::HubProxy;
use samp_http::Server;
use samp_protocol::discovery::{DiscoveryError, HubLocation, locate_hub};
use samp_protocol::lockfile::{self, LockInfo, LockfileError};
use samp_protocol::{Metadata, Subscriptions};

/// How long requests in flight may take to finish when the callback server stops.
const SERVER_GRACE: Duration = Duration::from_secs(1);

impl Client {
    /// Registers with the hub: reads the lockfile (unless given a URL), pings the hub,
    /// registers, starts the callback server and sets its URL (if callable), declares
    /// metadata and subscriptions. Does nothing if already registered.
    ///
    /// Together with [`unregister`](Self::unregister) this lets a client leave and join
    /// again, e.g. after a hub restart.
    pub async fn register(&self) -> Result<()> {
        let _ops = self.inner.ops.lock().await;
        if self.is_registered() {
            return Ok(());
        }
        let (lock_info, looked, lockfile) = self.resolve_hub().await?;
        let proxy = HubProxy::with_http(self.inner.http.clone(), &lock_info.xmlrpc_url)
            .with_timeout(self.inner.settings.hub_timeout);
        if let Err(e) = proxy.ping().await {
            return Err(Error::NoHub {
                looked,
                reason: format!(
                    "the hub at {} does not answer ({e}); the lockfile is probably left over from a hub that exited: start a hub",
                    lock_info.xmlrpc_url
                ),
                source: Some(Arc::new(e)),
            });
        }
        let reg = proxy.register(&lock_info.secret).await?;
        let proxy = proxy.with_private_key(reg.private_key.clone());
        let generation = self.inner.generation.fetch_add(1, Ordering::AcqRel) + 1;
        lock(&self.inner.tracker).begin(reg.self_id.clone());
        info!(hub = %lock_info.xmlrpc_url, id = %reg.self_id, "registered");
        let session = Arc::new(Session {
            proxy: proxy.clone(),
            reg,
            generation,
        });
        *lock(&self.inner.session) = Some(session);
        self.inner.running.store(true, Ordering::Release);
        self.heard_from_hub();
        if let Err(e) = self.finish_registration(&proxy).await {
            warn!(error = %e, "registration could not be completed; leaving the hub");
            let _ = proxy.unregister().await;
            self.end_session(None, SessionEnd::Unregistered);
            return Err(e);
        }
        self.inner.conn.send_modify(|c| {
            c.registered = true;
            c.generation = generation;
        });
        watchdog::spawn(
            Arc::downgrade(&self.inner),
            watchdog::Watch {
                generation,
                proxy,
                lockfile: lockfile.map(|path| (path, lock_info.secret.clone())),
            },
        );
        Ok(())
    }

    /// The steps after `register`: callback URL, metadata, subscriptions.
    async fn finish_registration(&self, proxy: &HubProxy) -> Result<()> {
        if self.inner.settings.callable {
            let url = self.ensure_server().await?;
            proxy.set_xmlrpc_callback(&url).await?;
        }
        let metadata = self.metadata();
        if !metadata.as_map().is_empty() {
            proxy.declare_metadata(&metadata).await?;
        }
        if self.inner.settings.callable {
            proxy.declare_subscriptions(&self.subscriptions()).await?;
        }
        if self.inner.settings.track_clients {
            self.seed_tracker(proxy).await?;
        }
        Ok(())
    }

    /// Fills the tracked table from the hub; events that cross the answers win (see
    /// `tracking`).
    async fn seed_tracker(&self, proxy: &HubProxy) -> Result<()> {
        let ids = proxy.get_registered_clients().await?;
        {
            let mut tracker = lock(&self.inner.tracker);
            for id in &ids {
                tracker.seed_client(id.clone());
            }
        }
        let fetch = ids.iter().map(|id| async move {
            let mark = lock(&self.inner.tracker).mark();
            let metadata = proxy.get_metadata(id).await;
            let subscriptions = proxy.get_subscriptions(id).await;
            let mut tracker = lock(&self.inner.tracker);
            // A client that left meanwhile makes these fail: its event removes it.
            if let Ok(md) = metadata {
                tracker.seed_field(id, mark, Field::Metadata, md.to_value());
            }
            if let Ok(subs) = subscriptions {
                tracker.seed_field(id, mark, Field::Subscriptions, subs.to_value());
            }
        });
        futures_util::future::join_all(fetch).await;
        lock(&self.inner.tracker).seeded();
        Ok(())
    }

    /// Starts the callback server if it is not running; returns its URL.
    async fn ensure_server(&self) -> Result<String> {
        if let Some(url) = self.callback_url() {
            return Ok(url);
        }
        let addr = self.inner.settings.callback_addr;
        let service = Arc::new(CallbackService {
            client: Arc::downgrade(&self.inner),
        });
        let config = self.inner.settings.callback_server.clone();
        let handle = Server::bind(addr, config, service)
            .await
            .map_err(|e| Error::Server {
                addr,
                source: Arc::new(e),
            })?;
        let url = handle.url();
        debug!(%url, "callback server listening");
        *lock(&self.inner.server) = Some((handle, url.clone()));
        Ok(url)
    }

    /// Reads the lockfile (or takes the given URL); also says where it looked, and which
    /// local lockfile (if any) names the hub.
    async fn resolve_hub(&self) -> Result<(LockInfo, String, Option<PathBuf>)> {
        let location = match &self.inner.settings.hub {
            HubSource::Direct(info) => {
                return Ok((info.clone(), info.xmlrpc_url.clone(), None));
            }
            HubSource::Lockfile(path) => HubLocation::File(path.clone()),
            HubSource::Discover => locate_hub().map_err(|e| Error::NoHub {
                looked: "SAMP_HUB and the home directory".to_owned(),
                reason: e.to_string(),
                source: Some(Arc::new(e)),
            })?,
        };
        match &location {
            HubLocation::File(path) => {
                let looked = path.display().to_string();
                match lockfile::read(path) {
                    Ok(info) => Ok((info, looked, Some(path.clone()))),
                    Err(LockfileError::Io { source, .. })
                        if source.kind() == std::io::ErrorKind::NotFound =>
                    {
                        Err(Error::NoHub {
                            looked,
                            reason: "no lockfile there, so no hub is running; start one (e.g. `samp hub`, `samp-hub`, TOPCAT or `jsamp hub`) or set SAMP_HUB=std-lockurl:file:///path/to/lockfile".to_owned(),
                            source: None,
                        })
                    }
                    Err(e) => {
                        let e = DiscoveryError::from(e);
                        Err(Error::NoHub {
                            looked,
                            reason: e.to_string(),
                            source: Some(Arc::new(e)),
                        })
                    }
                }
            }
            HubLocation::Url(url) => {
                let text = self
                    .inner
                    .http
                    .get(url, self.inner.settings.hub_timeout)
                    .await
                    .map_err(|e| Error::NoHub {
                        looked: url.clone(),
                        reason: format!("cannot fetch the lockfile: {e}"),
                        source: Some(Arc::new(e)),
                    })?;
                let info =
                    LockInfo::parse(&String::from_utf8_lossy(&text)).map_err(|e| Error::NoHub {
                        looked: url.clone(),
                        reason: e.to_string(),
                        source: Some(Arc::new(e)),
                    })?;
                Ok((info, url.clone(), None))
            }
        }
    }

    /// Leaves the hub (`samp.hub.unregister`). The callback server keeps running, so
    /// [`register`](Self::register) can join again. Calls still waiting for responses fail
    /// with [`Error::Disconnected`]. Does nothing if not registered.
    pub async fn unregister(&self) -> Result<()> {
        let _ops = self.inner.ops.lock().await;
        let Ok(session) = self.session() else {
            return Ok(());
        };
        let result = session.proxy.unregister().await;
        self.end_session(Some(session.generation), SessionEnd::Unregistered);
        info!("unregistered");
        result
    }

    /// Unregisters (if registered) and shuts the callback server down. The client can
    /// still [`register`](Self::register) again later.
    pub async fn stop(&self) -> Result<()> {
        let result = self.unregister().await;
        let _ops = self.inner.ops.lock().await;
        let server = lock(&self.inner.server).take();
        if let Some((handle, _)) = server {
            handle.shutdown(SERVER_GRACE).await;
            debug!("callback server stopped");
        }
        self.inner.running.store(false, Ordering::Release);
        result
    }

    /// Replaces our metadata and declares it if registered (`samp.hub.declareMetadata`).
    pub async fn declare_metadata(&self, metadata: Metadata) -> Result<()> {
        let _ops = self.inner.ops.lock().await;
        *lock(&self.inner.metadata) = metadata.clone();
        match self.session() {
            Ok(s) => s.proxy.declare_metadata(&metadata).await,
            Err(_) => Ok(()),
        }
    }

    /// Sets subscriptions to declare beside those the bindings imply (they replace the
    /// extras given before) and declares the merged set if registered. Use it for
    /// MTypes handled by a [`RawHandler`](super::RawHandler) or bound with `declare(false)`.
    pub async fn declare_subscriptions(&self, extra: Subscriptions) -> Result<()> {
        if !self.inner.settings.callable {
            return Err(Error::NotCallable {
                what: "declare_subscriptions",
            });
        }
        *lock(&self.inner.extra_subscriptions) = extra;
        self.redeclare_subscriptions().await
    }

    /// Declares the current subscriptions if registered.
    pub(crate) async fn redeclare_subscriptions(&self) -> Result<()> {
        let _ops = self.inner.ops.lock().await;
        match self.session() {
            Ok(s) => s.proxy.declare_subscriptions(&self.subscriptions()).await,
            Err(_) => Ok(()),
        }
    }
}
