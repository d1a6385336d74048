//! Per-recipient delivery queues.
//!
//! Every callable client gets an unbounded queue and one task that makes its callbacks over
//! pooled keep-alive connections. Senders only push onto the queue, so a slow or dead
//! recipient delays nobody but itself.
//!
//! Order: callbacks from one sender to one recipient are made strictly one after another, in
//! the order the hub accepted them (so `table.load.votable` then `table.select.rowList`
//! arrive in that order, and hub events — all from the hub's id — keep theirs). Callbacks from
//! different senders to the same recipient may overlap, up to a limit: a client that answers
//! `receiveCall` only after replying (as JSAMP's toolkit does) then still serves several
//! senders at once instead of one round trip at a time.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock, Weak};

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use samp_runtime::Value;
use samp_runtime::http::CallError;
use tokio::sync::{mpsc, oneshot};
use tracing::{debug, warn};

use crate::core::HubCore;

/// One callback to make.
pub(crate) enum Delivery {
    /// `samp.client.receiveNotification`.
    Notify { sender: String, message: Arc<Value> },
    /// `samp.client.receiveCall`.
    Call {
        sender: String,
        msg_id: String,
        message: Arc<Value>,
    },
    /// `samp.client.receiveResponse`.
    Response {
        responder: String,
        tag: String,
        response: Arc<Value>,
    },
    /// Not a callback: signals when everything queued before it has been tried.
    Flush(oneshot::Sender<()>),
}

impl Delivery {
    /// The lane: callbacks from one sender are made in order.
    fn lane(&self) -> &str {
        match self {
            Delivery::Notify { sender, .. } | Delivery::Call { sender, .. } => sender,
            Delivery::Response { responder, .. } => responder,
            Delivery::Flush(_) => crate::core::HUB_ID,
        }
    }

    fn method(&self) -> &'static str {
        match self {
            Delivery::Notify { .. } => "samp.client.receiveNotification",
            Delivery::Call { .. } => "samp.client.receiveCall",
            Delivery::Response { .. } => "samp.client.receiveResponse",
            Delivery::Flush(_) => "flush",
        }
    }
}

/// The sending end of a client's queue, plus its callback URL.
#[derive(Clone)]
pub(crate) struct Outbox {
    tx: mpsc::UnboundedSender<Delivery>,
    url: Arc<RwLock<String>>,
    closed: Arc<AtomicBool>,
}

impl Outbox {
    /// Creates the queue and starts its delivery task.
    pub(crate) fn start(core: Weak<HubCore>, id: String, key: String, url: String) -> Outbox {
        let (tx, rx) = mpsc::unbounded_channel();
        let outbox = Outbox {
            tx,
            url: Arc::new(RwLock::new(url)),
            closed: Arc::new(AtomicBool::new(false)),
        };
        tokio::spawn(run(
            core,
            id,
            Arc::new(Value::from(key)),
            outbox.url.clone(),
            outbox.closed.clone(),
            rx,
        ));
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

    /// Stops delivering: what is still queued is settled as undeliverable.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
    }

    /// Resolves once everything queued so far has been tried.
    pub(crate) fn flush(&self) -> oneshot::Receiver<()> {
        let (tx, rx) = oneshot::channel();
        self.push(Delivery::Flush(tx));
        rx
    }
}

/// Most callbacks in flight to one recipient at once (each from a different sender).
const MAX_IN_FLIGHT: usize = 8;

/// How one callback went.
enum Outcome {
    Delivered,
    /// The client answered with an XML-RPC fault: it is there, but refused this callback.
    Refused(String),
    /// The client could not be reached.
    Failed(String),
    /// Not attempted: the client has left.
    Skipped,
}

/// Per-sender FIFO lanes of one recipient. Invariant: a sender is in `ready` exactly when
/// it has queued work and no callback in flight.
#[derive(Default)]
struct Lanes {
    queued: HashMap<String, VecDeque<Delivery>>,
    busy: HashSet<String>,
    ready: VecDeque<String>,
}

impl Lanes {
    fn push(&mut self, delivery: Delivery) {
        let sender = delivery.lane().to_owned();
        let lane = self.queued.entry(sender.clone()).or_default();
        lane.push_back(delivery);
        if lane.len() == 1 && !self.busy.contains(&sender) {
            self.ready.push_back(sender);
        }
    }

    /// The next callback that may start, marking its lane busy. Flush markers are answered
    /// here, once everything before them in their lane is done.
    fn next(&mut self) -> Option<(String, Delivery)> {
        while let Some(sender) = self.ready.pop_front() {
            let lane = self.queued.get_mut(&sender)?;
            let delivery = lane.pop_front()?;
            if let Delivery::Flush(done) = delivery {
                let _ = done.send(());
                self.done_with(sender, false);
                continue;
            }
            self.busy.insert(sender.clone());
            return Some((sender, delivery));
        }
        None
    }

    /// A lane's callback finished (or was a marker): it may go again.
    fn done_with(&mut self, sender: String, was_busy: bool) {
        if was_busy {
            self.busy.remove(&sender);
        }
        match self.queued.get(&sender) {
            Some(lane) if !lane.is_empty() => self.ready.push_back(sender),
            _ => {
                self.queued.remove(&sender);
            }
        }
    }

    fn is_idle(&self) -> bool {
        self.busy.is_empty() && self.ready.is_empty()
    }
}

/// One recipient's delivery task.
async fn run(
    core: Weak<HubCore>,
    id: String,
    key: Arc<Value>,
    url: Arc<RwLock<String>>,
    closed: Arc<AtomicBool>,
    mut rx: mpsc::UnboundedReceiver<Delivery>,
) {
    let mut lanes = Lanes::default();
    let mut in_flight = FuturesUnordered::new();
    let mut failures = 0u32;
    let mut open = true;
    loop {
        while in_flight.len() < MAX_IN_FLIGHT {
            let Some((sender, delivery)) = lanes.next() else {
                break;
            };
            let Some(core) = core.upgrade() else { return };
            let (key, closed) = (key.clone(), closed.clone());
            let target = read_url(&url);
            in_flight.push(async move {
                let outcome = if closed.load(Ordering::Acquire) {
                    Outcome::Skipped
                } else {
                    attempt(&core, &key, &target, &delivery).await
                };
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
                lanes.done_with(sender, true);
                let Some(core) = core.upgrade() else { return };
                settle(&core, &id, &closed, &delivery, outcome, &mut failures).await;
            }
        }
    }
}

/// The current callback URL (`setXmlrpcCallback` may change it at any time).
fn read_url(url: &RwLock<String>) -> String {
    url.read().unwrap_or_else(|e| e.into_inner()).clone()
}

/// Makes one callback.
async fn attempt(core: &HubCore, key: &Value, url: &str, delivery: &Delivery) -> Outcome {
    let (from, extra);
    let params: Vec<&Value> = match delivery {
        Delivery::Notify { sender, message } => {
            from = Value::from(sender.as_str());
            vec![key, &from, message]
        }
        Delivery::Call {
            sender,
            msg_id,
            message,
        } => {
            from = Value::from(sender.as_str());
            extra = Value::from(msg_id.as_str());
            vec![key, &from, &extra, message]
        }
        Delivery::Response {
            responder,
            tag,
            response,
        } => {
            from = Value::from(responder.as_str());
            extra = Value::from(tag.as_str());
            vec![key, &from, &extra, response]
        }
        Delivery::Flush(_) => return Outcome::Delivered,
    };
    let timeout = core.config.delivery.timeout;
    match core
        .http
        .call(
            url,
            delivery.method(),
            params.iter().copied(),
            Some(timeout),
        )
        .await
    {
        Ok(_) => Outcome::Delivered,
        Err(CallError::Fault(fault)) => Outcome::Refused(fault.message),
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

/// Acts on how a callback went: logs, answers undeliverable calls, ejects the unreachable.
async fn settle(
    core: &HubCore,
    id: &str,
    closed: &AtomicBool,
    delivery: &Delivery,
    outcome: Outcome,
    failures: &mut u32,
) {
    let method = delivery.method();
    match outcome {
        Outcome::Delivered => *failures = 0,
        Outcome::Skipped => core.delivery_failed(delivery, id, "it is no longer registered"),
        Outcome::Refused(fault) => {
            *failures = 0;
            warn!(client = %id, %method, %fault, "client answered a callback with a fault");
            core.delivery_failed(delivery, id, &format!("it answered with a fault: {fault}"));
        }
        Outcome::Failed(error) => {
            *failures += 1;
            warn!(client = %id, %method, %error, failures = *failures, "callback failed");
            core.delivery_failed(delivery, id, &error);
            let limit = core.config.delivery.unregister_after_failures;
            if limit.is_some_and(|n| *failures >= n) && !closed.swap(true, Ordering::AcqRel) {
                let reason = format!(
                    "the hub could not reach it {} times in a row (last: {error})",
                    *failures
                );
                core.eject(id, &reason).await;
            }
        }
    }
}
