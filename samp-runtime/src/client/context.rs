//! What a handler knows about the message it handles, and how a call gets its one reply.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use tracing::{debug, warn};

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use samp_protocol::mtypes::SampMsgProgress;

use super::Client;
use crate::error::{Error, Result};
use crate::hub_proxy::HubProxy;
use samp_protocol::Map;
use samp_protocol::{ClientId, ErrInfo, MsgId, Response};

/// The message being handled: who sent it, its MType, its msg-id if it is a call, any extra
/// top-level keys, and the [`Client`] that received it.
///
/// Cheap to clone (an `Arc` inside), so it can be moved into spawned tasks.
#[derive(Clone)]
pub struct Context(Arc<CtxInner>);

struct CtxInner {
    client: Client,
    sender: ClientId,
    mtype: String,
    extra: Map,
    call: Option<Arc<ReplySlot>>,
}

impl Context {
    pub(crate) fn new(
        client: Client,
        sender: ClientId,
        mtype: String,
        extra: Map,
        call: Option<Arc<ReplySlot>>,
    ) -> Context {
        Context(Arc::new(CtxInner {
            client,
            sender,
            mtype,
            extra,
            call,
        }))
    }

    /// The sender's public id (the hub's id for hub events).
    pub fn sender(&self) -> &ClientId {
        &self.0.sender
    }

    /// The sender's `samp.name` when client tracking knows it (see
    /// [`ClientBuilder::track_clients`](super::ClientBuilder::track_clients)), else its id.
    pub fn sender_name(&self) -> String {
        self.sender_metadata()
            .and_then(|md| md.name().map(str::to_owned))
            .unwrap_or_else(|| self.0.sender.to_string())
    }

    /// The sender's metadata, when client tracking knows it.
    pub fn sender_metadata(&self) -> Option<samp_protocol::Metadata> {
        self.0
            .client
            .client_info(&self.0.sender)
            .ok()
            .flatten()
            .map(|info| info.metadata)
    }

    /// The msg-id, for calls; `None` for notifications.
    pub fn msg_id(&self) -> Option<&MsgId> {
        self.0.call.as_ref().map(|slot| &slot.msg_id)
    }

    /// Whether this is a call (a reply is expected) rather than a notification.
    pub fn is_call(&self) -> bool {
        self.0.call.is_some()
    }

    /// The concrete MType of the message.
    pub fn mtype(&self) -> &str {
        &self.0.mtype
    }

    /// The message's top-level keys other than `samp.mtype` and `samp.params`.
    pub fn extra(&self) -> &Map {
        &self.0.extra
    }

    /// The client that received the message, e.g. to send messages from the handler.
    pub fn client(&self) -> &Client {
        &self.0.client
    }

    /// Takes over the reply of a call: the handler's own return value is then ignored and
    /// the [`Responder`] must be used (from any task) to send the response.
    ///
    /// `None` for notifications and when the responder was already taken. A responder
    /// dropped without replying sends a `samp.error`, so every call is answered once.
    pub fn reply_later(&self) -> Option<Responder> {
        let slot = self.0.call.as_ref()?;
        slot.state
            .compare_exchange(PENDING, DEFERRED, Ordering::AcqRel, Ordering::Acquire)
            .ok()?;
        Some(Responder {
            slot: Some(slot.clone()),
        })
    }

    /// Same as [`reply_later`](Self::reply_later).
    pub fn responder(&self) -> Option<Responder> {
        self.reply_later()
    }

    /// Tells the sender how the call is going (`samp.msg.progress`, SAMP.md §6.3): set
    /// `percent` and `time_left` if known, then `.await`. Only for calls; the sender sees
    /// the reports through [`PendingResponse::progress`](super::PendingResponse::progress)
    /// when it is a `samp` client, or as `samp.msg.progress` notifications.
    ///
    /// ```no_run
    /// # async fn demo(ctx: samp_runtime::Context) -> samp_runtime::Result<()> {
    /// ctx.progress("reading the table").percent(40.0).await?;
    /// # Ok(()) }
    /// ```
    pub fn progress(&self, txt: impl Into<String>) -> ReportProgress<'_> {
        ReportProgress {
            ctx: self,
            txt: txt.into(),
            percent: None,
            time_left: None,
        }
    }
}

/// A progress report being made: set its parts, then `.await` it.
#[must_use = "a progress report is sent when it is awaited"]
pub struct ReportProgress<'a> {
    ctx: &'a Context,
    txt: String,
    percent: Option<f64>,
    time_left: Option<Duration>,
}

impl ReportProgress<'_> {
    /// About how much is done, in percent.
    pub fn percent(mut self, percent: f64) -> Self {
        self.percent = Some(percent);
        self
    }

    /// About how long is still to go.
    pub fn time_left(mut self, left: Duration) -> Self {
        self.time_left = Some(left);
        self
    }

    async fn send(self) -> Result<()> {
        let ctx = self.ctx;
        let Some(msg_id) = ctx.msg_id() else {
            return Err(Error::Config(format!(
                "progress reports are about calls, and this {} arrived as a notification",
                ctx.mtype()
            )));
        };
        let mut report = SampMsgProgress::new(msg_id.as_str(), self.txt);
        report.percent = self.percent;
        report.time_left = self.time_left.map(|d| d.as_secs_f64());
        ctx.client().notify(ctx.sender(), report).await
    }
}

impl<'a> IntoFuture for ReportProgress<'a> {
    type Output = Result<()>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("sender", &self.0.sender)
            .field("mtype", &self.0.mtype)
            .field("msg_id", &self.msg_id())
            .finish_non_exhaustive()
    }
}

const PENDING: u8 = 0;
const DEFERRED: u8 = 1;
const DONE: u8 = 2;

/// The one reply owed for a received call.
pub(crate) struct ReplySlot {
    proxy: HubProxy,
    msg_id: MsgId,
    mtype: String,
    state: AtomicU8,
}

impl ReplySlot {
    pub(crate) fn new(proxy: HubProxy, msg_id: MsgId, mtype: String) -> Arc<ReplySlot> {
        Arc::new(ReplySlot {
            proxy,
            msg_id,
            mtype,
            state: AtomicU8::new(PENDING),
        })
    }

    /// Sends the handler's response unless the handler deferred the reply.
    pub(crate) async fn finish(&self, response: Response) {
        if self
            .state
            .compare_exchange(PENDING, DONE, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            let _ = self.send(response).await;
        }
    }

    async fn send(&self, response: Response) -> Result<()> {
        let result = self.proxy.reply(&self.msg_id, &response).await;
        match &result {
            Ok(()) => {
                debug!(msg_id = %self.msg_id, mtype = %self.mtype, status = %response.status, "replied")
            }
            Err(e) => warn!(msg_id = %self.msg_id, mtype = %self.mtype, error = %e, "reply failed"),
        }
        result
    }
}

/// Sends the reply to a call later, from anywhere: got from [`Context::reply_later`].
///
/// Consumed by [`reply`](Self::reply), so a call is answered at most once; dropped unused,
/// it answers `samp.error`, so a call is answered at least once.
pub struct Responder {
    slot: Option<Arc<ReplySlot>>,
}

impl Responder {
    /// The msg-id being answered.
    pub fn msg_id(&self) -> Option<&MsgId> {
        self.slot.as_ref().map(|s| &s.msg_id)
    }

    /// Sends `response` with `samp.hub.reply`.
    pub async fn reply(mut self, response: impl super::IntoResponse) -> Result<()> {
        let Some(slot) = self.slot.take() else {
            return Ok(());
        };
        slot.state.store(DONE, Ordering::Release);
        slot.send(response.into_response()).await
    }
}

impl fmt::Debug for Responder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Responder")
            .field("msg_id", &self.msg_id())
            .finish()
    }
}

impl Drop for Responder {
    fn drop(&mut self) {
        let Some(slot) = self.slot.take() else {
            return;
        };
        slot.state.store(DONE, Ordering::Release);
        let response = Response::error(ErrInfo::new(format!(
            "{}: the handler gave up without replying",
            slot.mtype
        )));
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => {
                rt.spawn(async move { slot.send(response).await });
            }
            Err(_) => {
                warn!(msg_id = %slot.msg_id, "responder dropped outside a runtime; call left unanswered")
            }
        }
    }
}
