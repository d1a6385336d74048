//! Per-recipient delivery queues.
//!
//! Every callable client has an [`Outbox`]: for a Standard Profile client a queue and a
//! task that makes its callbacks over pooled keep-alive connections ([`http`]); for a Web
//! Profile client a queue it empties itself with `pullCallbacks` ([`web_queue`]). Senders
//! only push onto the queue, so a slow or dead recipient delays nobody but itself, and
//! each queue is bounded ([`backlog`]): past its caps a new message is refused, never
//! accepted and dropped.
//!
//! The queues know nothing of the hub's tables: what cannot be delivered is reported on a
//! channel ([`Report`]), and the hub settles the calls and ejects the unreachable.

mod backlog;
mod http;
mod lanes;
mod web_queue;

use std::sync::Arc;

use samp_http::HttpClient;
use samp_protocol::standard::ClientMethod;
use samp_protocol::xmlrpc::{WriteError, WriteValue, write_call_chunks};
use samp_protocol::{ClientId, MsgId, MsgTag, PrivateKey, RawMessage, Response, web};
use tokio::sync::{mpsc, oneshot};

use crate::config::DeliveryPolicy;
pub(crate) use backlog::{Admit, Full};
pub(crate) use http::HttpOutbox;
pub(crate) use web_queue::{Pulled, WebQueue};

/// One callback to make.
pub(crate) enum Delivery {
    /// `samp.client.receiveNotification`.
    Notify {
        sender: ClientId,
        message: Arc<RawMessage>,
    },
    /// `samp.client.receiveCall`.
    Call {
        sender: ClientId,
        msg_id: MsgId,
        message: Arc<RawMessage>,
    },
    /// `samp.client.receiveResponse`.
    Response {
        responder: ClientId,
        tag: MsgTag,
        response: Arc<Response>,
    },
    /// Not a callback: signals once everything queued before it in lane `after` has been
    /// tried.
    Flush {
        after: ClientId,
        done: oneshot::Sender<()>,
    },
}

impl Delivery {
    /// The lane: callbacks from one sender are made in order.
    fn lane(&self) -> &ClientId {
        match self {
            Delivery::Notify { sender, .. } | Delivery::Call { sender, .. } => sender,
            Delivery::Response { responder, .. } => responder,
            Delivery::Flush { after, .. } => after,
        }
    }

    fn method(&self) -> Option<ClientMethod> {
        match self {
            Delivery::Notify { .. } => Some(ClientMethod::ReceiveNotification),
            Delivery::Call { .. } => Some(ClientMethod::ReceiveCall),
            Delivery::Response { .. } => Some(ClientMethod::ReceiveResponse),
            Delivery::Flush { .. } => None,
        }
    }

    /// Roughly what it takes encoded: what the caps count.
    fn size(&self) -> usize {
        match self {
            Delivery::Notify { message, .. } | Delivery::Call { message, .. } => message.len(),
            Delivery::Response { response, .. } => response.size_hint(),
            Delivery::Flush { .. } => 0,
        }
    }

    /// The callback document, addressed with the recipient's private key, in chunks: a
    /// message is shared with every other recipient's document, not copied.
    fn document(&self, key: &PrivateKey) -> Result<Vec<bytes::Bytes>, String> {
        let (method, args): (ClientMethod, &[&dyn WriteValue]) = match self {
            Delivery::Notify { sender, message } => {
                (ClientMethod::ReceiveNotification, &[key, sender, message])
            }
            Delivery::Call {
                sender,
                msg_id,
                message,
            } => (ClientMethod::ReceiveCall, &[key, sender, msg_id, message]),
            Delivery::Response {
                responder,
                tag,
                response,
            } => (
                ClientMethod::ReceiveResponse,
                &[key, responder, tag, response],
            ),
            Delivery::Flush { .. } => return Err("a flush marker is not a callback".to_owned()),
        };
        write_call_chunks(method.full_name(), args).map_err(|e| e.to_string())
    }

    /// The call's msg-id, for a call.
    fn msg_id(&self) -> Option<&MsgId> {
        match self {
            Delivery::Call { msg_id, .. } => Some(msg_id),
            _ => None,
        }
    }
}

impl WriteValue for Delivery {
    /// The Web Profile's form: what `pullCallbacks` returns for this callback.
    fn write_value(&self, out: &mut String) -> Result<(), WriteError> {
        match self {
            Delivery::Notify { sender, message } => {
                web::write_pulled(out, ClientMethod::ReceiveNotification, &[sender, message])
            }
            Delivery::Call {
                sender,
                msg_id,
                message,
            } => web::write_pulled(out, ClientMethod::ReceiveCall, &[sender, msg_id, message]),
            Delivery::Response {
                responder,
                tag,
                response,
            } => web::write_pulled(
                out,
                ClientMethod::ReceiveResponse,
                &[responder, tag, response],
            ),
            // Never queued for a web client.
            Delivery::Flush { .. } => Ok(()),
        }
    }

    fn size_hint(&self) -> usize {
        self.size() + 200
    }
}

/// What the queues tell the hub.
pub(crate) enum Report {
    /// A call could not be delivered: the hub answers it for its sender.
    Undelivered {
        msg_id: MsgId,
        to: ClientId,
        why: String,
    },
    /// The recipient cannot be reached (or keeps nothing up): the hub ejects it.
    Unreachable { client: ClientId, reason: String },
}

/// What every queue shares.
#[derive(Clone)]
pub(crate) struct DeliveryContext {
    pub(crate) http: HttpClient,
    pub(crate) policy: DeliveryPolicy,
    pub(crate) reports: mpsc::UnboundedSender<Report>,
}

impl DeliveryContext {
    fn report(&self, report: Report) {
        if self.reports.send(report).is_err() {
            tracing::debug!("the hub has stopped; report dropped");
        }
    }

    /// Reports the call in `delivery`, if it is one, as undelivered.
    fn undelivered(&self, to: &ClientId, delivery: &Delivery, why: &str) {
        if let Some(msg_id) = delivery.msg_id() {
            self.report(Report::Undelivered {
                msg_id: msg_id.clone(),
                to: to.clone(),
                why: why.to_owned(),
            });
        }
    }
}

/// Where a callable client's callbacks go.
#[derive(Clone)]
pub(crate) enum Outbox {
    /// Made by the hub over HTTP (Standard Profile).
    Http(HttpOutbox),
    /// Pulled by the client (Web Profile).
    Web(Arc<WebQueue>),
}

impl Outbox {
    /// Queues a callback, unless the recipient's queue is at its caps. Never blocks.
    pub(crate) fn push(&self, delivery: Delivery, admit: Admit) -> Result<(), Full> {
        match self {
            Outbox::Http(o) => o.push(delivery, admit),
            Outbox::Web(q) => q.push(delivery, admit),
        }
    }

    /// Callbacks queued and not yet made (or pulled).
    pub(crate) fn queued(&self) -> usize {
        match self {
            Outbox::Http(o) => o.queued(),
            Outbox::Web(q) => q.queued(),
        }
    }

    /// Stops delivering: what is still queued is reported as undeliverable.
    pub(crate) fn close(&self) {
        match self {
            Outbox::Http(o) => o.close(),
            Outbox::Web(q) => q.close(),
        }
    }

    /// Stops delivering to a client that has left: like [`close`](Self::close), except
    /// that a web client's poll in progress is left to run out its time (as JSAMP's hub
    /// does: its clients poll once more when a poll ends, and take the fault for a
    /// broken hub).
    pub(crate) fn retire(&self) {
        match self {
            Outbox::Http(o) => o.close(),
            Outbox::Web(q) => q.retire(),
        }
    }

    /// Resolves once everything queued so far in lane `after` has been tried (for a web
    /// client: once its queue has been pulled empty).
    pub(crate) fn flush(&self, after: ClientId) -> oneshot::Receiver<()> {
        match self {
            Outbox::Http(o) => o.flush(after),
            Outbox::Web(q) => q.flush(),
        }
    }
}
