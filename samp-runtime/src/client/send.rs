//! Sending messages and querying the hub.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use super::Client;
use super::lifecycle::SessionEnd;
use super::progress::Progress;
use super::routing::{PendingResponse, ResponseStream, Route, lock};
use crate::error::{Error, Result};
use samp_protocol::Map;
use samp_protocol::convert::from_value;
use samp_protocol::mtypes::MessageType;
use samp_protocol::{
    ClientId, IntoMessage, Metadata, MsgId, MsgTag, Response, Status, Subscriptions, Value,
};

/// The prefix of the msg-tags the client picks itself; applications' own tags may not
/// start with it, so theirs never collide with the client's.
pub(crate) const AUTO_TAG_PREFIX: &str = "samp-rs.";

impl Client {
    /// A fresh msg-tag for a call whose response this client routes itself.
    fn next_tag(&self) -> MsgTag {
        let n = self.inner.tags.fetch_add(1, Ordering::Relaxed);
        MsgTag::new(format!("{AUTO_TAG_PREFIX}auto.{n}"))
    }

    /// Refuses an application's msg-tag in the client's own namespace.
    pub(crate) fn check_own_tag(tag: &MsgTag) -> Result<()> {
        if tag.as_str().starts_with(AUTO_TAG_PREFIX) {
            return Err(Error::Config(format!(
                "msg-tag {tag:?} starts with {AUTO_TAG_PREFIX:?}, which the client keeps for its own tags: choose another"
            )));
        }
        Ok(())
    }

    /// Runs a hub call of the current registration; a hub that cannot be reached any more
    /// ends the registration at once (see `watchdog`), and the registration ending while
    /// the call waits (a `callAndWait`, say) fails it at once.
    async fn through_hub<T, F>(
        &self,
        what: &str,
        call: impl FnOnce(crate::hub_proxy::HubProxy) -> F,
    ) -> Result<T>
    where
        F: std::future::Future<Output = Result<T>>,
    {
        let session = self.session()?;
        let generation = session.generation;
        let result = tokio::select! {
            result = call(session.proxy.clone()) => result,
            why = self.ended(generation) => Err(Error::Disconnected { what: what.to_owned(), why }),
        };
        if let Err(Error::Transport { reason, .. }) = &result {
            let why = format!("the hub stopped answering: {reason}");
            self.end_session(Some(generation), SessionEnd::Lost(why));
        } else if result.is_ok() {
            self.heard_from_hub();
        }
        result
    }

    fn need_callable(&self, what: &'static str) -> Result<()> {
        if self.is_callable() {
            Ok(())
        } else {
            Err(Error::NotCallable { what })
        }
    }

    /// Sends a notification to one client (`samp.hub.notify`).
    pub async fn notify(&self, to: &ClientId, message: impl IntoMessage) -> Result<()> {
        let message = message.into_message()?;
        self.through_hub("samp.hub.notify", |hub| async move {
            hub.notify(to, &message).await
        })
        .await
    }

    /// Sends a notification to every subscribed client; returns who it went to.
    pub async fn notify_all(&self, message: impl IntoMessage) -> Result<Vec<ClientId>> {
        let message = message.into_message()?;
        self.through_hub("samp.hub.notifyAll", |hub| async move {
            hub.notify_all(&message).await
        })
        .await
    }

    /// Calls one client; the returned [`PendingResponse`] resolves to its response (the
    /// client chooses the msg-tag and routes `receiveResponse` to it), or fails when
    /// `timeout` passes first or the registration ends.
    ///
    /// ```no_run
    /// # async fn demo(client: samp_runtime::Client, to: samp_runtime::protocol::ClientId) -> samp_runtime::Result<()> {
    /// use std::time::Duration;
    /// use samp_runtime::Message;
    /// let pending = client.call(&to, Message::new("samp.app.ping"), Duration::from_secs(10)).await?;
    /// assert!(pending.await?.is_ok());
    /// # Ok(()) }
    /// ```
    pub async fn call(
        &self,
        to: &ClientId,
        message: impl IntoMessage,
        timeout: Duration,
    ) -> Result<PendingResponse> {
        self.need_callable("call")?;
        let message = message.into_message()?;
        let tag = self.next_tag();
        let (tx, rx) = oneshot::channel();
        // Route first: the response can overtake the hub's answer to `call`.
        lock(&self.inner.routes).insert(&tag, Route::Once(tx));
        let mut pending = PendingResponse {
            rx,
            msg_id: MsgId::new(""),
            tag: tag.clone(),
            client: Arc::downgrade(&self.inner),
            progress: Progress::ended(),
            deadline: Box::pin(tokio::time::sleep(timeout)),
            timeout,
        };
        // On error `pending` is dropped, which removes the route.
        let call_tag = tag.clone();
        pending.msg_id = self
            .through_hub("samp.hub.call", |hub| async move {
                hub.call(to, &call_tag, &message).await
            })
            .await?;
        pending.progress = lock(&self.inner.progress).open(&pending.msg_id, &tag);
        Ok(pending)
    }

    /// Calls one client with a tag of our choosing; the response goes to the handler
    /// bound with [`bind_response`](Self::bind_response) for `tag`. Returns the msg-id.
    pub async fn call_with_tag(
        &self,
        to: &ClientId,
        tag: &MsgTag,
        message: impl IntoMessage,
    ) -> Result<MsgId> {
        self.need_callable("call_with_tag")?;
        Self::check_own_tag(tag)?;
        let message = message.into_message()?;
        self.through_hub("samp.hub.call", |hub| async move {
            hub.call(to, tag, &message).await
        })
        .await
    }

    /// Calls every subscribed client; the [`ResponseStream`] yields the responses as they
    /// arrive and ends when all have answered or `timeout` has passed.
    pub async fn call_all(
        &self,
        message: impl IntoMessage,
        timeout: Duration,
    ) -> Result<ResponseStream> {
        self.need_callable("call_all")?;
        let message = message.into_message()?;
        let tag = self.next_tag();
        let (tx, rx) = mpsc::unbounded_channel();
        lock(&self.inner.routes).insert(&tag, Route::Many(tx));
        let weak = Arc::downgrade(&self.inner);
        let call_tag = tag.clone();
        let sent = self
            .through_hub("samp.hub.callAll", |hub| async move {
                hub.call_all(&call_tag, &message).await
            })
            .await;
        match sent {
            Ok(recipients) => Ok(ResponseStream::new(rx, recipients, timeout, tag, weak)),
            Err(e) => {
                lock(&self.inner.routes).remove(tag.as_str());
                Err(e)
            }
        }
    }

    /// Calls every subscribed client with a tag of our choosing; responses go to the
    /// handler bound for `tag`. Returns recipient → msg-id.
    pub async fn call_all_with_tag(
        &self,
        tag: &MsgTag,
        message: impl IntoMessage,
    ) -> Result<BTreeMap<ClientId, MsgId>> {
        self.need_callable("call_all_with_tag")?;
        Self::check_own_tag(tag)?;
        let message = message.into_message()?;
        self.through_hub("samp.hub.callAll", |hub| async move {
            hub.call_all(tag, &message).await
        })
        .await
    }

    /// Calls one client and waits for the response through the hub
    /// (`samp.hub.callAndWait`); works for non-callable clients too. `timeout` is
    /// rounded up to whole seconds; when it passes, the hub's fault comes back as
    /// [`Error::Timeout`].
    pub async fn call_and_wait(
        &self,
        to: &ClientId,
        message: impl IntoMessage,
        timeout: Duration,
    ) -> Result<Response> {
        let message = message.into_message()?;
        self.through_hub("samp.hub.callAndWait", |hub| async move {
            hub.call_and_wait(to, &message, Some(timeout)).await
        })
        .await
    }

    /// Calls `to` with a typed message and waits for its typed result (through
    /// `samp.hub.callAndWait`, so non-callable clients can use it too): `samp.ok` and
    /// `samp.warning` give the result decoded as [`MessageType::Result`], `samp.error` gives
    /// [`Error::Failed`] with the recipient's error map.
    ///
    /// ```no_run
    /// # async fn demo(client: samp_runtime::Client, ds9: samp_runtime::ClientId) -> samp_runtime::Result<()> {
    /// use std::time::Duration;
    /// use samp_runtime::protocol::mtypes::ClientEnvGet;
    /// let home = client.request(&ds9, ClientEnvGet::new("HOME"), Duration::from_secs(5)).await?;
    /// println!("ds9 runs in {}", home.value);
    /// # Ok(()) }
    /// ```
    pub async fn request<M: MessageType>(
        &self,
        to: &ClientId,
        message: M,
        timeout: Duration,
    ) -> Result<M::Result> {
        let response = self.call_and_wait(to, message, timeout).await?;
        typed_result::<M>(to, response)
    }

    /// Replies to a call we received (for [`RawHandler`](super::RawHandler)s; handlers
    /// reply by returning, or through [`Context::reply_later`](super::Context::reply_later)).
    pub async fn reply(&self, msg_id: &MsgId, response: Response) -> Result<()> {
        self.through_hub("samp.hub.reply", |hub| async move {
            hub.reply(msg_id, &response).await
        })
        .await
    }

    /// The other registered clients, the hub's own client included.
    pub async fn registered_clients(&self) -> Result<Vec<ClientId>> {
        self.through_hub("samp.hub.getRegisteredClients", |hub| async move {
            hub.get_registered_clients().await
        })
        .await
    }

    /// Another client's metadata.
    pub async fn client_metadata(&self, id: &ClientId) -> Result<Metadata> {
        self.through_hub("samp.hub.getMetadata", |hub| async move {
            hub.get_metadata(id).await
        })
        .await
    }

    /// Another client's subscriptions.
    pub async fn client_subscriptions(&self, id: &ClientId) -> Result<Subscriptions> {
        self.through_hub("samp.hub.getSubscriptions", |hub| async move {
            hub.get_subscriptions(id).await
        })
        .await
    }

    /// The other clients subscribed to `mtype`, with their subscription annotations.
    pub async fn subscribed_clients(&self, mtype: &str) -> Result<BTreeMap<ClientId, Map>> {
        self.through_hub("samp.hub.getSubscribedClients", |hub| async move {
            hub.get_subscribed_clients(mtype).await
        })
        .await
    }
}

/// The typed result of a response to an `M`, or its error map.
pub(crate) fn typed_result<M: MessageType>(
    from: &ClientId,
    response: Response,
) -> Result<M::Result> {
    match response.status {
        Status::Error => Err(Error::Failed(Box::new(response.error.unwrap_or_else(
            || samp_protocol::ErrInfo::new(format!("{from} answered {} with samp.error", M::MTYPE)),
        )))),
        Status::Ok | Status::Warning => {
            let result = response.result.unwrap_or_default();
            from_value(Value::Map(result)).map_err(|source| Error::Decode {
                context: format!("the result of {} from {from}", M::MTYPE),
                source,
            })
        }
    }
}
