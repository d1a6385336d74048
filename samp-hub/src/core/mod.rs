//! The hub's state and the SAMP operations on it (SAMP 1.3 §3.11, routing per §5.1),
//! independent of any profile: a front end (the Standard Profile's XML-RPC methods, see
//! [`crate::standard`]) decodes calls into these operations and encodes their results.
//!
//! One mutex guards the client table and the pending calls. It is never held across I/O:
//! operations change the tables and push callbacks onto per-recipient queues (see
//! [`crate::delivery`]) before they return, so events reach each recipient in the order the
//! changes happened, and no sender waits for a recipient.
//!
//! - [`registration`]: joining, leaving, metadata, subscriptions, queries.
//! - [`messaging`]: notifications, calls, replies.
//! - here: the state, hub events, removing clients, settling calls nobody will answer, and
//!   acting on the delivery tasks' reports.

mod messaging;
mod registration;

use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use samp_http::HttpClient;
use samp_protocol::names::mtype;
use samp_protocol::standard::ClientMethod;
use samp_protocol::{ClientId, ErrInfo, Map, Message, MsgId, MsgTag, Response, Secret, Value};
use tokio::sync::mpsc;
use tracing::{debug, warn};

use crate::clients::ClientTable;
use crate::config::HubConfig;
use crate::delivery::{Delivery, DeliveryContext, Outbox, Report};
use crate::hub_client::{self, HUB_ID};
use crate::pending::{Pending, PendingCalls, ReplyTo};

/// Why an operation was refused: the text of the fault the caller gets (the front end
/// prefixes the method's name).
#[derive(Debug)]
pub(crate) struct Refusal(pub(crate) String);

impl Refusal {
    pub(crate) fn new(text: impl Into<String>) -> Refusal {
        Refusal(text.into())
    }
}

pub(crate) type Op<T> = Result<T, Refusal>;

pub(crate) struct HubCore {
    pub(crate) config: HubConfig,
    secret: Secret,
    delivery: DeliveryContext,
    state: Mutex<State>,
}

struct State {
    clients: ClientTable,
    pending: PendingCalls,
    closed: bool,
}

impl HubCore {
    /// A hub core and the tasks that keep it: one acting on delivery reports, one sweeping
    /// calls left unanswered. Both stop when the core is dropped.
    pub(crate) fn start(config: HubConfig, secret: Secret) -> Arc<HubCore> {
        let (reports, rx) = mpsc::unbounded_channel();
        let http = HttpClient::new().with_max_body(config.server.max_body);
        let delivery = DeliveryContext {
            http,
            policy: config.delivery.clone(),
            reports,
        };
        let state = State {
            clients: ClientTable::new(hub_client::client(&config.name)),
            pending: PendingCalls::default(),
            closed: false,
        };
        let core = Arc::new(HubCore {
            config,
            secret,
            delivery,
            state: Mutex::new(state),
        });
        tokio::spawn(act_on_reports(Arc::downgrade(&core), rx));
        tokio::spawn(sweep_unanswered(Arc::downgrade(&core)));
        core
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the tables half-changed in a way that
        // matters more than stopping the hub would; keep serving.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Removes a client, stops its deliveries, settles the calls it was due to answer, and
    /// tells the others.
    fn remove_client(&self, state: &mut State, id: &str, why: &str) {
        let Some(client) = state.clients.remove(id) else {
            return;
        };
        if let Some(outbox) = &client.outbox {
            outbox.close();
        }
        for (msg_id, p) in state.pending.take_involving(id) {
            if p.recipient.as_str() == id && p.sender.as_str() != id {
                let text = format!("recipient {id} left before replying ({why})");
                settle_unanswered(state, p, &msg_id, text);
            }
        }
        hub_event(
            state,
            mtype::HUB_EVENT_UNREGISTER,
            params([("id", id.into())]),
        );
    }

    /// Acts on a delivery task's report.
    async fn on_report(&self, report: Report) {
        match report {
            Report::Undelivered { msg_id, to, why } => {
                let mut state = self.lock();
                if let Some(p) = state.pending.remove(msg_id.as_str()) {
                    let text = format!("could not deliver the call to {to}: {why}");
                    settle_unanswered(&mut state, p, &msg_id, text);
                }
            }
            Report::Unreachable { client, reason } => self.eject(&client, &reason).await,
        }
    }

    /// Ejects a client the hub cannot reach: `samp.hub.disconnect` is tried, then it is
    /// removed and `samp.hub.event.unregister` goes to the others.
    pub(crate) async fn eject(&self, id: &ClientId, reason: &str) {
        let target = {
            let state = self.lock();
            let Some(client) = state.clients.get(id.as_str()) else {
                return;
            };
            match (&client.outbox, &client.key) {
                (Some(outbox), Some(key)) if client.annotation(mtype::HUB_DISCONNECT).is_some() => {
                    Some((outbox.url(), key.clone()))
                }
                _ => None,
            }
        };
        if let Some((url, key)) = target {
            let message = Message::new(mtype::HUB_DISCONNECT).param("reason", reason);
            let hub = ClientId::new(HUB_ID);
            let doc = ClientMethod::ReceiveNotification.document(&[&key, &hub, &message]);
            if let Ok(doc) = doc {
                let timeout = Some(Duration::from_secs(2));
                let _ = self.delivery.http.call_document(&url, doc, timeout).await;
            }
        }
        self.remove_client(&mut self.lock(), id.as_str(), reason);
        warn!(client = %id, %reason, "client ejected");
    }

    /// Answers, with `samp.error`, asynchronous calls left unanswered for longer than
    /// `max_call_wait`, so a recipient that never replies cannot grow the table forever.
    fn sweep(&self) {
        let ttl = self.config.max_call_wait;
        let mut state = self.lock();
        for (msg_id, p) in state.pending.take_unanswered(ttl) {
            let text = format!(
                "{} did not reply within the hub's limit of {} s",
                p.recipient,
                ttl.as_secs_f64()
            );
            settle_unanswered(&mut state, p, &msg_id, text);
        }
    }

    /// Tells every client the hub is going, fails pending waits, and refuses new work;
    /// returns the outboxes, to flush.
    pub(crate) fn close(&self) -> Vec<Outbox> {
        let mut state = self.lock();
        state.closed = true;
        hub_event(&mut state, mtype::HUB_EVENT_SHUTDOWN, Map::new());
        for (_, p) in state.pending.drain() {
            if let ReplyTo::Sync(tx) = p.reply_to {
                let _ = tx.send(Err("the hub is shutting down".to_owned()));
            }
        }
        state
            .clients
            .iter()
            .filter_map(|c| c.outbox.clone())
            .collect()
    }

    /// Number of registered clients, the hub excluded.
    pub(crate) fn client_count(&self) -> usize {
        self.lock().clients.len() - 1
    }
}

/// Acts on the delivery tasks' reports until the core is gone.
async fn act_on_reports(core: Weak<HubCore>, mut rx: mpsc::UnboundedReceiver<Report>) {
    while let Some(report) = rx.recv().await {
        let Some(core) = core.upgrade() else { return };
        core.on_report(report).await;
    }
}

/// Sweeps unanswered calls every quarter of `max_call_wait` (at least every minute), so the
/// table is bounded even when no new call comes in.
async fn sweep_unanswered(core: Weak<HubCore>) {
    let every = match core.upgrade() {
        Some(core) => (core.config.max_call_wait / 4)
            .clamp(Duration::from_millis(10), Duration::from_secs(60)),
        None => return,
    };
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match core.upgrade() {
            Some(core) if !core.lock().closed => core.sweep(),
            _ => return,
        }
    }
}

/// Answers a call that will never be replied to: a fault for a waiting `callAndWait`, a
/// `samp.error` response for an asynchronous call, so no sender waits forever.
fn settle_unanswered(state: &mut State, pending: Pending, msg_id: &MsgId, text: String) {
    debug!(%msg_id, sender = %pending.sender, "{text}");
    match pending.reply_to {
        ReplyTo::Sync(tx) => {
            let _ = tx.send(Err(text));
        }
        ReplyTo::Async { tag } => {
            let response = Response::error(ErrInfo::new(text));
            send_response(state, &pending.sender, pending.recipient, tag, response);
        }
    }
}

/// Queues `response` for an asynchronous `sender`; false if it is gone or not callable.
fn send_response(
    state: &State,
    sender: &ClientId,
    responder: ClientId,
    tag: MsgTag,
    response: Response,
) -> bool {
    match state
        .clients
        .get(sender.as_str())
        .and_then(|c| c.outbox.as_ref())
    {
        Some(outbox) => {
            outbox.push(Delivery::Response {
                responder,
                tag,
                response: Arc::new(response),
            });
            true
        }
        None => false,
    }
}

/// A params map from `(key, value)` pairs.
fn params<const N: usize>(entries: [(&str, Value); N]) -> Map {
    entries
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
}

/// Sends a hub event (a notification from the hub id) to every subscribed client.
fn hub_event(state: &mut State, mtype: &str, params: Map) {
    let message = Arc::new(Message {
        mtype: mtype.to_owned(),
        params,
        extra: Map::new(),
    });
    let hub = ClientId::new(HUB_ID);
    for client in state.clients.iter() {
        if let (Some(outbox), Some(_)) = (&client.outbox, client.annotation(mtype)) {
            outbox.push(Delivery::Notify {
                sender: hub.clone(),
                message: message.clone(),
            });
        }
    }
}
