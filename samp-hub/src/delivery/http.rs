//! Delivery to Standard Profile clients: one queue and one task per recipient, making
//! its callbacks over pooled keep-alive connections.
//!
//! Order: callbacks from one sender to one recipient are made strictly one after another, in
//! the order the hub accepted them (so `table.load.votable` then `table.select.rowList`
//! arrive in that order, and hub events — all from the hub's id — keep theirs). Callbacks from
//! different senders to the same recipient may overlap, up to a limit (see [`super::lanes`]):
//! a client that answers `receiveCall` only after replying (as JSAMP's toolkit does) then
//! still serves several senders at once instead of one round trip at a time.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use samp_http::CallError;
use samp_protocol::{ClientId, PrivateKey};
use tokio::sync::{mpsc, oneshot};
use tracing::{debug, warn};

use super::backlog::{Admit, Backlog, Full, Queued};
use super::lanes::Lanes;
use super::{Delivery, DeliveryContext, Report};

/// The sending end of a client's queue, plus its callback URL.
#[derive(Clone)]
pub(crate) struct HttpOutbox {
    tx: mpsc::UnboundedSender<Queued>,
    url: Arc<RwLock<String>>,
    closed: Arc<AtomicBool>,
    backlog: Arc<Backlog>,
}

impl HttpOutbox {
    /// Creates the queue of client `id` (whose private key addresses its callbacks) and
    /// starts its delivery task.
    pub(crate) fn start(
        ctx: DeliveryContext,
        id: ClientId,
        key: PrivateKey,
        url: String,
    ) -> HttpOutbox {
        let (tx, rx) = mpsc::unbounded_channel();
        let outbox = HttpOutbox {
            tx,
            url: Arc::new(RwLock::new(url)),
            closed: Arc::new(AtomicBool::new(false)),
            backlog: Backlog::new(&ctx.policy),
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

    /// Queues a callback within the caps. Never blocks.
    pub(crate) fn push(&self, delivery: Delivery, admit: Admit) -> Result<(), Full> {
        let queued = self.backlog.admit(delivery, admit)?;
        self.send(queued);
        Ok(())
    }

    fn send(&self, queued: Queued) {
        if self.tx.send(queued).is_err() {
            debug!("callback queued to a client whose delivery task has ended");
        }
    }

    /// Callbacks waiting or in flight.
    pub(crate) fn queued(&self) -> usize {
        self.backlog.count()
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
        self.send(Queued::uncounted(Delivery::Flush { after, done }));
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
async fn run(recipient: Arc<Recipient>, mut rx: mpsc::UnboundedReceiver<Queued>) {
    let mut lanes = Lanes::new(MAX_IN_FLIGHT);
    let mut in_flight = FuturesUnordered::new();
    let mut failures = 0u32;
    let mut open = true;
    loop {
        while let Some((sender, delivery)) = lanes.next() {
            let recipient = recipient.clone();
            in_flight.push(async move {
                let outcome = recipient.attempt(&delivery.delivery).await;
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
                recipient.settle(&delivery.delivery, outcome, &mut failures);
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
        match self.ctx.http.call_chunks(&url, document, timeout).await {
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
        self.ctx.undelivered(&self.id, delivery, why);
    }

    fn report(&self, report: Report) {
        self.ctx.report(report);
    }
}
