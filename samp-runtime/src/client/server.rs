//! The callback endpoint: `samp.client.receiveNotification`, `receiveCall` and
//! `receiveResponse` (SAMP 1.3 §4.3).
//!
//! Every callback is checked (private key, arguments) and answered at once; the handler
//! runs on its own task, so a slow handler never holds up the hub or other messages. Every
//! call gets exactly one `samp.hub.reply`.

use std::panic::AssertUnwindSafe;
use std::sync::Weak;

use futures_util::FutureExt as _;

use tracing::{debug, info, warn};

use super::context::{Context, ReplySlot};
use super::dispatch::run_handler;
use super::registry::HandlerKind;
use super::routing::{Delivery, lock};
use super::{Client, Inner, Session, SessionEnd};
use samp_http::{CallFuture, RequestInfo, XmlRpcService};
use samp_protocol::Value;
use samp_protocol::mtypes::SampMsgProgress;
use samp_protocol::names::{self, mtype};
use samp_protocol::standard::Callback;
use samp_protocol::xmlrpc::{Fault, MethodCall};
use samp_protocol::{ClientId, ErrInfo, Message, MsgId, MsgTag, Response, Status};

/// Takes over the raw callbacks (sampy's "override receiveCall"), after the client has
/// checked the private key and handled the hub's own events.
///
/// The methods are called on the server's request path: return quickly and spawn anything
/// slow. Each default does what the client normally does, so an implementation can handle
/// some MTypes itself and pass the rest on. An implementation of `receive_call` owns the
/// reply: send exactly one with [`Client::reply`].
///
/// ```
/// use samp_runtime::client::RawHandler;
/// use samp_runtime::protocol::{ClientId, MsgId};
/// use samp_runtime::{Client, Message, Response};
///
/// struct Audit;
/// impl RawHandler for Audit {
///     fn receive_call(&self, client: &Client, sender: ClientId, msg_id: MsgId, message: Message) {
///         if message.mtype == "audit.ping" {
///             let client = client.clone();
///             tokio::spawn(async move { client.reply(&msg_id, Response::ok_empty()).await });
///         } else {
///             client.handle_call(sender, msg_id, message);
///         }
///     }
/// }
/// let _builder = Client::builder().raw_handler(Audit);
/// ```
pub trait RawHandler: Send + Sync + 'static {
    /// `samp.client.receiveNotification`.
    fn receive_notification(&self, client: &Client, sender: ClientId, message: Message) {
        client.handle_notification(sender, message);
    }

    /// `samp.client.receiveCall`.
    fn receive_call(&self, client: &Client, sender: ClientId, msg_id: MsgId, message: Message) {
        client.handle_call(sender, msg_id, message);
    }

    /// `samp.client.receiveResponse`.
    fn receive_response(
        &self,
        client: &Client,
        responder: ClientId,
        tag: MsgTag,
        response: Response,
    ) {
        client.handle_response(responder, tag, response);
    }
}

/// The XML-RPC service of the callback server. Holds the client weakly: the server must
/// not keep the client alive.
pub(crate) struct CallbackService {
    pub(crate) client: Weak<Inner>,
}

impl XmlRpcService for CallbackService {
    fn call(&self, call: MethodCall, info: RequestInfo) -> CallFuture {
        let result = match self.client.upgrade() {
            Some(inner) => receive(&Client { inner }, call, info),
            None => Err(Fault::new("this SAMP client has shut down")),
        };
        Box::pin(std::future::ready(result))
    }
}

/// Checks and routes one callback; never blocks on a handler.
fn receive(client: &Client, call: MethodCall, info: RequestInfo) -> Result<Value, Fault> {
    let callback = Callback::decode(call).map_err(|e| {
        debug!(peer = %info.peer, error = %e, "callback refused");
        Fault::new(e.to_string())
    })?;
    let method = callback.method();
    let session = client.session().map_err(|_| {
        Fault::new(format!(
            "{method}: this client is not registered with a hub"
        ))
    })?;
    if !session.reg.private_key.matches(callback.key().expose()) {
        warn!(peer = %info.peer, %method, "callback with a wrong private key refused");
        return Err(Fault::new(format!("{method}: wrong private key")));
    }
    client.heard_from_hub();
    match callback {
        Callback::Notification {
            sender, message, ..
        } => {
            if hub_only(&session, &sender, &message) {
                return Ok(ack());
            }
            if client.inner.settings.track_clients
                && sender == session.reg.hub_id
                && message.mtype.starts_with("samp.hub.event.")
            {
                lock(&client.inner.tracker).apply(&message);
            }
            hub_event(client, &session, &message);
            match &client.inner.raw {
                Some(raw) => raw.receive_notification(client, sender, message),
                None => client.handle_notification(sender, message),
            }
        }
        Callback::Call {
            sender,
            msg_id,
            message,
            ..
        } => {
            if hub_only(&session, &sender, &message) {
                let text = format!("{} is only accepted from the hub", message.mtype);
                spawn_reply(&session, msg_id, Response::error(ErrInfo::new(text)));
                return Ok(ack());
            }
            match &client.inner.raw {
                Some(raw) => raw.receive_call(client, sender, msg_id, message),
                None => client.handle_call(sender, msg_id, message),
            }
        }
        // Still owe a reply: tell the sender what was wrong with its message.
        Callback::BadCall {
            msg_id, problem, ..
        } => {
            warn!(peer = %info.peer, error = %problem, "malformed call answered with samp.error");
            spawn_reply(
                &session,
                msg_id,
                Response::error(ErrInfo::new(problem.to_string())),
            );
        }
        Callback::Response {
            responder,
            tag,
            response,
            ..
        } => match &client.inner.raw {
            Some(raw) => raw.receive_response(client, responder, tag, response),
            None => client.handle_response(responder, tag, response),
        },
    }
    Ok(ack())
}

/// What void client methods return.
fn ack() -> Value {
    Value::from("")
}

/// True (and logged) for a `samp.hub.*` message that does not come from the hub.
fn hub_only(session: &Session, from: &ClientId, message: &Message) -> bool {
    let spoofed = message.mtype.starts_with(mtype::HUB_PREFIX) && *from != session.reg.hub_id;
    if spoofed {
        warn!(sender = %from, mtype = %message.mtype, "ignoring a hub message not sent by the hub");
    }
    spoofed
}

/// Ends the registration on the hub's shutdown or disconnect notice.
fn hub_event(client: &Client, session: &Session, message: &Message) {
    let why = match message.mtype.as_str() {
        mtype::HUB_EVENT_SHUTDOWN => SessionEnd::HubShutdown,
        mtype::HUB_DISCONNECT => {
            SessionEnd::Disconnected(message.get_str("reason").map(str::to_owned))
        }
        _ => return,
    };
    tracing::info!(?why, "the hub ended our registration");
    client.end_session(Some(session.generation), why);
}

fn spawn_reply(session: &Session, msg_id: MsgId, response: Response) {
    let slot = ReplySlot::new(session.proxy.clone(), msg_id, String::new());
    tokio::spawn(async move { slot.finish(response).await });
}

impl Client {
    /// The default handling of a notification: runs the best-matching notification
    /// handler on its own task, else the best-matching call handler (its reply dropped);
    /// ignored (logged) if none matches.
    pub fn handle_notification(&self, sender: ClientId, message: Message) {
        let Message {
            mtype,
            params,
            extra,
        } = message;
        // A notification of an MType that only a call handler takes runs that handler and
        // drops its reply (as JSAMP's toolkit does): the subscription covers both forms,
        // and senders choose freely between notify and call.
        if mtype == names::mtype::MSG_PROGRESS {
            self.route_progress(&sender, &params);
        }
        let handler = self
            .find_handler(HandlerKind::Notification, &mtype)
            .or_else(|| self.find_handler(HandlerKind::Call, &mtype));
        let Some(handler) = handler else {
            if mtype != names::mtype::MSG_PROGRESS {
                info!(%sender, %mtype, "no handler for this notification; ignored");
            }
            return;
        };
        let ctx = Context::new(self.clone(), sender, mtype, extra, None);
        tokio::spawn(async move {
            let (sender, mtype) = (ctx.sender().clone(), ctx.mtype().to_owned());
            let response = run_handler(handler, ctx, params).await;
            if response.status == Status::Error {
                let text = response.error.map(|e| e.to_string()).unwrap_or_default();
                warn!(%sender, %mtype, error = %text, "notification handler failed");
            }
        });
    }

    /// The default handling of a call: runs the best-matching call handler on its own
    /// task and replies with its response; replies `samp.error` if the handler fails or
    /// panics or no handler matches. Answers `samp.app.ping` itself unless a handler is
    /// bound to exactly that MType.
    pub fn handle_call(&self, sender: ClientId, msg_id: MsgId, message: Message) {
        let Ok(session) = self.session() else {
            warn!(%msg_id, "call received while not registered; cannot reply");
            return;
        };
        let Message {
            mtype,
            params,
            extra,
        } = message;
        let slot = ReplySlot::new(session.proxy.clone(), msg_id, mtype.clone());
        let handler = self.find_handler(HandlerKind::Call, &mtype);
        let builtin_ping =
            mtype == names::mtype::APP_PING && !self.has_exact(HandlerKind::Call, &mtype);
        match handler {
            _ if builtin_ping => {
                tokio::spawn(async move { slot.finish(Response::ok_empty()).await });
            }
            Some(handler) => {
                let ctx = Context::new(self.clone(), sender, mtype, extra, Some(slot.clone()));
                tokio::spawn(async move {
                    let response = run_handler(handler, ctx, params).await;
                    slot.finish(response).await;
                });
            }
            None => {
                debug!(%sender, %mtype, "no handler for this call; answering samp.error");
                let text = format!("{mtype}: this client has no handler for this MType");
                tokio::spawn(async move { slot.finish(Response::error(ErrInfo::new(text))).await });
            }
        }
    }

    /// The default handling of a response: hands it to whoever waits for `tag` (a
    /// [`call`](Self::call) future, a [`call_all`](Self::call_all) stream, or a handler
    /// from [`bind_response`](Self::bind_response)); dropped (logged) otherwise.
    pub fn handle_response(&self, responder: ClientId, tag: MsgTag, response: Response) {
        let delivery = lock(&self.inner.routes).deliver(tag.as_str());
        match delivery {
            Some(Delivery::Once(tx)) => {
                lock(&self.inner.progress).close_tag(tag.as_str());
                let _ = tx.send((responder, response));
            }
            Some(Delivery::Many(tx)) => {
                let _ = tx.send((responder, response));
            }
            Some(Delivery::Bound(handler)) => {
                let fut = AssertUnwindSafe(handler(self.clone(), responder, tag.clone(), response));
                tokio::spawn(async move {
                    if fut.catch_unwind().await.is_err() {
                        tracing::error!(%tag, "response handler panicked");
                    }
                });
            }
            None => debug!(%responder, %tag, "response for a tag nobody waits for; dropped"),
        }
    }

    /// Hands a `samp.msg.progress` report to the call it is about.
    fn route_progress(&self, sender: &ClientId, params: &samp_protocol::Map) {
        match samp_protocol::convert::from_value_ref::<SampMsgProgress>(&Value::Map(params.clone()))
        {
            Ok(report) => lock(&self.inner.progress).deliver(report),
            Err(e) => warn!(%sender, error = %e, "malformed samp.msg.progress ignored"),
        }
    }

    fn find_handler(&self, kind: HandlerKind, mtype: &str) -> Option<super::dispatch::ErasedFn> {
        let table = self
            .inner
            .dispatch
            .read()
            .unwrap_or_else(|e| e.into_inner());
        table.find(kind, mtype).map(|e| e.handler.clone())
    }

    fn has_exact(&self, kind: HandlerKind, pattern: &str) -> bool {
        let table = self
            .inner
            .dispatch
            .read()
            .unwrap_or_else(|e| e.into_inner());
        table.has_exact(kind, pattern)
    }
}
