//! Response routing: `receiveResponse` carries the msg-tag we chose, and the tag leads to
//! whoever waits for it — one future ([`PendingResponse`]), a stream of responses from a
//! broadcast ([`ResponseStream`]), or a handler bound with `bind_response`.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use futures_util::Stream;
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, Sleep};

use super::Client;
use super::Inner;
use super::progress::Progress;
use crate::error::SessionEnd;
use crate::error::{Error, Result};
use samp_protocol::{ClientId, MsgId, MsgTag, Response};

/// A handler bound to a msg-tag with `bind_response`.
pub(crate) type ResponseHandler = Arc<
    dyn Fn(Client, ClientId, MsgTag, Response) -> Pin<Box<dyn Future<Output = ()> + Send>>
        + Send
        + Sync,
>;

/// Where the responses for one tag go.
pub(crate) enum Route {
    /// One awaited response.
    Once(oneshot::Sender<(ClientId, Response)>),
    /// Responses from several recipients.
    Many(mpsc::UnboundedSender<(ClientId, Response)>),
    /// A bound handler; stays until unbound.
    Bound(ResponseHandler),
}

/// Routes by tag.
#[derive(Default)]
pub(crate) struct Routes(HashMap<String, Route>);

impl Routes {
    pub(crate) fn insert(&mut self, tag: &MsgTag, route: Route) {
        self.0.insert(tag.as_str().to_owned(), route);
    }

    pub(crate) fn remove(&mut self, tag: &str) -> Option<Route> {
        self.0.remove(tag)
    }

    /// Takes what the response for `tag` goes to: a one-shot route is removed, the others
    /// stay. `None` if nobody waits for `tag`.
    pub(crate) fn deliver(&mut self, tag: &str) -> Option<Delivery> {
        match self.0.get(tag)? {
            Route::Once(_) => match self.0.remove(tag) {
                Some(Route::Once(tx)) => Some(Delivery::Once(tx)),
                _ => None,
            },
            Route::Many(tx) => Some(Delivery::Many(tx.clone())),
            Route::Bound(h) => Some(Delivery::Bound(h.clone())),
        }
    }

    /// Routes in place.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// Drops every waiter (their futures then fail with `Disconnected`); bound handlers stay.
    pub(crate) fn drop_waiters(&mut self) {
        self.0.retain(|_, r| matches!(r, Route::Bound(_)));
    }
}

/// A route taken for one response.
pub(crate) enum Delivery {
    Once(oneshot::Sender<(ClientId, Response)>),
    Many(mpsc::UnboundedSender<(ClientId, Response)>),
    Bound(ResponseHandler),
}

/// Why the client's last registration ended (for an error about a waiter it dropped).
fn session_end(client: &Weak<Inner>) -> SessionEnd {
    client
        .upgrade()
        .and_then(|inner| inner.conn.borrow().last_end.clone())
        .unwrap_or(SessionEnd::Unregistered)
}

/// Removes the route of `tag` (and its progress route) from the client, if it is still
/// alive.
fn unroute(client: &Weak<Inner>, tag: &MsgTag) {
    if let Some(inner) = client.upgrade() {
        lock(&inner.routes).remove(tag.as_str());
        lock(&inner.progress).close_tag(tag.as_str());
    }
}

/// Locks a std mutex, shrugging off poisoning (no invariant spans a panic here).
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The response to one [`Client::call`]: a future resolving to the [`Response`].
///
/// Fails with [`Error::Timeout`] when the timeout given to `call` passes first, and with
/// [`Error::Disconnected`] (saying why) at once if the registration ends first. Dropping
/// it stops waiting (a late response is then discarded); its route goes with it.
pub struct PendingResponse {
    pub(crate) rx: oneshot::Receiver<(ClientId, Response)>,
    pub(crate) msg_id: MsgId,
    pub(crate) tag: MsgTag,
    pub(crate) client: Weak<Inner>,
    pub(crate) progress: Progress,
    pub(crate) deadline: Pin<Box<Sleep>>,
    pub(crate) timeout: Duration,
}

impl PendingResponse {
    /// The hub's msg-id for the call (to match `samp.msg.progress` reports).
    pub fn msg_id(&self) -> &MsgId {
        &self.msg_id
    }

    /// The msg-tag the client chose.
    pub fn tag(&self) -> &MsgTag {
        &self.tag
    }

    /// The progress reports (`samp.msg.progress`) the recipient sends about this call,
    /// for reading while the response is awaited; ends when the response arrives. The
    /// reports can be taken once: a second call gets an empty stream.
    pub fn progress(&mut self) -> Progress {
        std::mem::replace(&mut self.progress, Progress::ended())
    }
}

impl Future for PendingResponse {
    type Output = Result<Response>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Result<Response>> {
        let this = &mut *self;
        match Pin::new(&mut this.rx).poll(cx) {
            Poll::Ready(Ok((_, response))) => return Poll::Ready(Ok(response)),
            Poll::Ready(Err(_)) => {
                return Poll::Ready(Err(Error::Disconnected {
                    what: format!("waiting for the response to call {}", this.msg_id),
                    why: session_end(&this.client),
                }));
            }
            Poll::Pending => {}
        }
        match this.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => {
                unroute(&this.client, &this.tag);
                Poll::Ready(Err(Error::Timeout {
                    what: format!("the response to call {}", this.msg_id),
                    after: this.timeout,
                }))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl Drop for PendingResponse {
    fn drop(&mut self) {
        unroute(&self.client, &self.tag);
    }
}

impl fmt::Debug for PendingResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingResponse")
            .field("msg_id", &self.msg_id)
            .field("tag", &self.tag)
            .finish_non_exhaustive()
    }
}

/// The responses to one [`Client::call_all`], in the order they arrive.
///
/// Ends when every recipient has answered or when the timeout given to `call_all` has
/// passed; if the registration ends first, it yields one [`Error::Disconnected`] (saying
/// why) and ends. Read it with [`next`](Self::next) or as a [`Stream`];
/// [`outstanding`](Self::outstanding) tells who has not answered.
pub struct ResponseStream {
    pub(crate) rx: mpsc::UnboundedReceiver<(ClientId, Response)>,
    pub(crate) recipients: BTreeMap<ClientId, MsgId>,
    pub(crate) waiting: BTreeMap<ClientId, MsgId>,
    pub(crate) ended: bool,
    pub(crate) deadline: Pin<Box<Sleep>>,
    pub(crate) tag: MsgTag,
    pub(crate) client: Weak<Inner>,
}

impl ResponseStream {
    pub(crate) fn new(
        rx: mpsc::UnboundedReceiver<(ClientId, Response)>,
        recipients: BTreeMap<ClientId, MsgId>,
        timeout: Duration,
        tag: MsgTag,
        client: Weak<Inner>,
    ) -> ResponseStream {
        ResponseStream {
            rx,
            waiting: recipients.clone(),
            ended: false,
            recipients,
            deadline: Box::pin(tokio::time::sleep_until(Instant::now() + timeout)),
            tag,
            client,
        }
    }

    /// Who the hub sent the call to, with the msg-id of each.
    pub fn recipients(&self) -> &BTreeMap<ClientId, MsgId> {
        &self.recipients
    }

    /// The recipients that have not answered (yet, or before the stream ended).
    pub fn outstanding(&self) -> impl Iterator<Item = &ClientId> {
        self.waiting.keys()
    }

    /// The next response with its responder, or `None` at the end.
    pub async fn next(&mut self) -> Option<Result<(ClientId, Response)>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Waits for the remaining responses and returns them all (those that came before the
    /// timeout); fails if the registration ends first.
    pub async fn collect_all(mut self) -> Result<Vec<(ClientId, Response)>> {
        let mut all = Vec::new();
        while let Some(item) = self.next().await {
            all.push(item?);
        }
        Ok(all)
    }
}

impl Stream for ResponseStream {
    type Item = Result<(ClientId, Response)>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if this.ended || this.waiting.is_empty() {
                return Poll::Ready(None);
            }
            match this.rx.poll_recv(cx) {
                Poll::Ready(Some((id, response))) => {
                    // Only the first answer of each recipient counts.
                    if this.waiting.remove(&id).is_some() {
                        return Poll::Ready(Some(Ok((id, response))));
                    }
                }
                Poll::Ready(None) => {
                    // The route was dropped: the registration ended.
                    this.ended = true;
                    return Poll::Ready(Some(Err(Error::Disconnected {
                        what: format!("waiting for the responses to call-all {}", this.tag),
                        why: session_end(&this.client),
                    })));
                }
                Poll::Pending => {
                    return match this.deadline.as_mut().poll(cx) {
                        Poll::Ready(()) => {
                            this.ended = true;
                            Poll::Ready(None)
                        }
                        Poll::Pending => Poll::Pending,
                    };
                }
            }
        }
    }
}

impl Drop for ResponseStream {
    fn drop(&mut self) {
        unroute(&self.client, &self.tag);
    }
}

impl fmt::Debug for ResponseStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseStream")
            .field("recipients", &self.recipients)
            .field("waiting", &self.waiting)
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}
