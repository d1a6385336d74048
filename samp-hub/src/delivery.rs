//! Per-recipient delivery queues.
//!
//! Every callable client gets an unbounded FIFO and one task that makes its callbacks in
//! order over a pooled keep-alive connection. Senders only push onto the queue, so a slow
//! or dead recipient delays nobody but itself; the order of the queue is the order in which
//! the hub changed its tables, which is what keeps hub events in order per recipient.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock, Weak};

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
            Value::from(key),
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
        self.url.read().unwrap_or_else(|e| e.into_inner()).clone()
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

async fn run(
    core: Weak<HubCore>,
    id: String,
    key: Value,
    url: Arc<RwLock<String>>,
    closed: Arc<AtomicBool>,
    mut rx: mpsc::UnboundedReceiver<Delivery>,
) {
    let mut failures = 0u32;
    while let Some(delivery) = rx.recv().await {
        let Some(core) = core.upgrade() else { break };
        let delivery = match delivery {
            Delivery::Flush(done) => {
                let _ = done.send(());
                continue;
            }
            other => other,
        };
        let method = delivery.method();
        let (from, extra);
        let params: Vec<&Value> = match &delivery {
            Delivery::Notify { sender, message } => {
                from = Value::from(sender.as_str());
                vec![&key, &from, message]
            }
            Delivery::Call {
                sender,
                msg_id,
                message,
            } => {
                from = Value::from(sender.as_str());
                extra = Value::from(msg_id.as_str());
                vec![&key, &from, &extra, message]
            }
            Delivery::Response {
                responder,
                tag,
                response,
            } => {
                from = Value::from(responder.as_str());
                extra = Value::from(tag.as_str());
                vec![&key, &from, &extra, response]
            }
            Delivery::Flush(_) => continue,
        };
        if closed.load(Ordering::Acquire) {
            core.delivery_failed(&delivery, &id, "it is no longer registered");
            continue;
        }
        let target = url.read().unwrap_or_else(|e| e.into_inner()).clone();
        let timeout = core.config.delivery.timeout;
        match core
            .http
            .call(&target, method, params.iter().copied(), Some(timeout))
            .await
        {
            Ok(_) => failures = 0,
            Err(CallError::Fault(fault)) => {
                // The client is there; it refused this one callback.
                failures = 0;
                warn!(client = %id, %method, fault = %fault.message, "client answered a callback with a fault");
                core.delivery_failed(
                    &delivery,
                    &id,
                    &format!("it answered with a fault: {}", fault.message),
                );
            }
            Err(e) => {
                failures += 1;
                warn!(client = %id, %method, error = %e, failures, "callback failed");
                core.delivery_failed(&delivery, &id, &e.to_string());
                if core
                    .config
                    .delivery
                    .unregister_after_failures
                    .is_some_and(|n| failures >= n)
                {
                    closed.store(true, Ordering::Release);
                    let reason =
                        format!("the hub could not reach it {failures} times in a row (last: {e})");
                    core.eject(&id, &reason).await;
                }
            }
        }
    }
}
