//! Per-recipient delivery queues.
//!
//! Every callable client gets an unbounded queue and one task that makes its callbacks over
//! pooled keep-alive connections. Senders only push onto the queue, so a slow or dead
//! recipient delays nobody but itself.
//!
//! Order: callbacks from one sender to one recipient are made strictly one after another, in
//! the order the hub accepted them (so `table.load.votable` then `table.select.rowList`
//! arrive in that order, and hub events — all from the hub's id — keep theirs). Callbacks from
//! different senders to the same recipient may overlap, up to a limit (see [`lanes`]): a
//! client that answers `receiveCall` only after replying (as JSAMP's toolkit does) then still
//! serves several senders at once instead of one round trip at a time.
//!
//! The delivery task knows nothing of the hub's tables: what it cannot deliver it reports on
//! a channel ([`Report`]), and the hub settles the calls and ejects the unreachable.

mod lanes;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use samp_http::{CallError, HttpClient};
use samp_protocol::standard::ClientMethod;
use samp_protocol::{ClientId, Message, MsgId, MsgTag, PrivateKey, Response};
use tokio::sync::{mpsc, oneshot};
use tracing::{debug, warn};

use crate::config::DeliveryPolicy;
use lanes::Lanes;

/// One callback to make.
pub(crate) enum Delivery {
    /// `samp.client.receiveNotification`.
    Notify {
        sender: ClientId,
        message: Arc<Message>,
    },
    /// `samp.client.receiveCall`.
    Call {
        sender: ClientId,
        msg_id: MsgId,
        message: Arc<Message>,
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

    /// The callback document, addressed with the recipient's private key.
    fn document(&self, key: &PrivateKey) -> Result<String, String> {
        let doc = match self {
            Delivery::Notify { sender, message } => {
                ClientMethod::ReceiveNotification.document(&[key, sender, message])
            }
            Delivery::Call {
                sender,
                msg_id,
                message,
            } => ClientMethod::ReceiveCall.document(&[key, sender, msg_id, message]),
            Delivery::Response {
                responder,
                tag,
                response,
            } => ClientMethod::ReceiveResponse.document(&[key, responder, tag, response]),
            Delivery::Flush { .. } => return Err("a flush marker is not a callback".to_owned()),
        };
        doc.map_err(|e| e.to_string())
    }
}

/// What the delivery tasks tell the hub.
pub(crate) enum Report {
    /// A call could not be delivered: the hub answers it for its sender.
    Undelivered {
        msg_id: MsgId,
        to: ClientId,
        why: String,
    },
    /// The recipient failed too many callbacks in a row: the hub ejects it.
    Unreachable { client: ClientId, reason: String },
}

/// What every delivery task shares.
#[derive(Clone)]
pub(crate) struct DeliveryContext {
    pub(crate) http: HttpClient,
    pub(crate) policy: DeliveryPolicy,
    pub(crate) reports: mpsc::UnboundedSender<Report>,
}

/// The sending end of a client's queue, plus its callback URL.
#[derive(Clone)]
pub(crate) struct Outbox {
    tx: mpsc::UnboundedSender<Delivery>,
    url: Arc<RwLock<String>>,
    closed: Arc<AtomicBool>,
}

impl Outbox {
    /// Creates the queue of client `id` (whose private key addresses its callbacks) and
    /// starts its delivery task.
    pub(crate) fn start(
        ctx: DeliveryContext,
        id: ClientId,
        key: PrivateKey,
        url: String,
    ) -> Outbox {
        let (tx, rx) = mpsc::unbounded_channel();
        let outbox = Outbox {
            tx,
            url: Arc::new(RwLock::new(url)),
            closed: Arc::new(AtomicBool::new(false)),
        };
        let recipient = Recipient {
            ctx,
            id,
            key,
            url: outbox.url.clone(),
            closed: outbox.closed.clone(),
        };
        tokio::spawn(run(Arc::new(recipient), rx));
        outbox
    }

    /// Queues a callback. Never blocks.
    pub(crate) fn push(&self, delivery: Delivery) {
        if self.tx.send(delivery).is_err() {
            debug!("callback queued to a client whose delivery task has ended");
        }
    }

    pub(crate) fn set_url(&self, url: &str) {
        *self.url.write().unwrap_or_else(|e| e.into_inner()) = url.to_owned();
    }

    pub(crate) fn url(&self) -> String {
        read_url(&self.url)
    }

    /// Stops delivering: what is still queued is reported as undeliverable.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
    }

    /// Resolves once everything queued so far in lane `after` has been tried.
    pub(crate) fn flush(&self, after: ClientId) -> oneshot::Receiver<()> {
        let (done, rx) = oneshot::channel();
        self.push(Delivery::Flush { after, done });
        rx
    }
}

/// Most callbacks in flight to one recipient at once (each from a different sender).
const MAX_IN_FLIGHT: usize = 8;

/// How one callback went.
enum Outcome {
    Delivered,
    /// The client answered with an XML-RPC fault (or the callback could not be written):
    /// it is there, but this callback did not go through.
    Refused(String),
    /// The client could not be reached.
    Failed(String),
    /// Not attempted: the client has left.
    Skipped,
}

/// One recipient, as its delivery task sees it.
struct Recipient {
    ctx: DeliveryContext,
    id: ClientId,
    key: PrivateKey,
    url: Arc<RwLock<String>>,
    closed: Arc<AtomicBool>,
}

/// One recipient's delivery task: ends when its queue is closed and drained.
async fn run(recipient: Arc<Recipient>, mut rx: mpsc::UnboundedReceiver<Delivery>) {
    let mut lanes = Lanes::new(MAX_IN_FLIGHT);
    let mut in_flight = FuturesUnordered::new();
    let mut failures = 0u32;
    let mut open = true;
    loop {
        while let Some((sender, delivery)) = lanes.next() {
            let recipient = recipient.clone();
            in_flight.push(async move {
                let outcome = recipient.attempt(&delivery).await;
                (sender, delivery, outcome)
            });
        }
        if !open && in_flight.is_empty() && lanes.is_idle() {
            return;
        }
        tokio::select! {
            received = rx.recv(), if open => match received {
                Some(delivery) => lanes.push(delivery),
                None => open = false,
            },
            Some((sender, delivery, outcome)) = in_flight.next(), if !in_flight.is_empty() => {
                lanes.done(sender);
                recipient.settle(&delivery, outcome, &mut failures);
            }
        }
    }
}

/// The current callback URL (`setXmlrpcCallback` may change it at any time).
fn read_url(url: &RwLock<String>) -> String {
    url.read().unwrap_or_else(|e| e.into_inner()).clone()
}

impl Recipient {
    /// Makes one callback.
    async fn attempt(&self, delivery: &Delivery) -> Outcome {
        if self.closed.load(Ordering::Acquire) {
            return Outcome::Skipped;
        }
        let document = match delivery.document(&self.key) {
            Ok(doc) => doc,
            Err(e) => return Outcome::Refused(e),
        };
        let url = read_url(&self.url);
        let timeout = Some(self.ctx.policy.timeout);
        match self.ctx.http.call_document(&url, document, timeout).await {
            Ok(_) => Outcome::Delivered,
            Err(CallError::Fault(fault)) => Outcome::Refused(fault.message),
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }

    /// Acts on how a callback went: logs, reports undeliverable calls and the unreachable.
    fn settle(&self, delivery: &Delivery, outcome: Outcome, failures: &mut u32) {
        let id = &self.id;
        let method = delivery.method().map_or("flush", |m| m.full_name());
        match outcome {
            Outcome::Delivered => *failures = 0,
            Outcome::Skipped => self.undelivered(delivery, "it is no longer registered"),
            Outcome::Refused(fault) => {
                *failures = 0;
                warn!(client = %id, %method, %fault, "client answered a callback with a fault");
                self.undelivered(delivery, &format!("it answered with a fault: {fault}"));
            }
            Outcome::Failed(error) => {
                *failures += 1;
                warn!(client = %id, %method, %error, failures = *failures, "callback failed");
                self.undelivered(delivery, &error);
                let limit = self.ctx.policy.unregister_after_failures;
                if limit.is_some_and(|n| *failures >= n)
                    && !self.closed.swap(true, Ordering::AcqRel)
                {
                    let reason = format!(
                        "the hub could not reach it {} times in a row (last: {error})",
                        *failures
                    );
                    self.report(Report::Unreachable {
                        client: id.clone(),
                        reason,
                    });
                }
            }
        }
    }

    /// Reports a call that did not reach its recipient, so that its sender gets an answer.
    fn undelivered(&self, delivery: &Delivery, why: &str) {
        if let Delivery::Call { msg_id, .. } = delivery {
            self.report(Report::Undelivered {
                msg_id: msg_id.clone(),
                to: self.id.clone(),
                why: why.to_owned(),
            });
        }
    }

    fn report(&self, report: Report) {
        if self.ctx.reports.send(report).is_err() {
            debug!(client = %self.id, "the hub has stopped; report dropped");
        }
    }
}
