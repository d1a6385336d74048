//! The hub's state and the SAMP operations on it (SAMP 1.3 §3.11, routing per §5.1),
//! independent of any profile: a front end (the Standard Profile's XML-RPC methods, see
//! [`crate::standard`]) decodes calls into these operations and encodes their results.
//!
//! One mutex guards the client table and the pending calls. It is never held across I/O:
//! operations change the tables and push callbacks onto per-recipient queues (see
//! [`crate::delivery`]) before they return, so events reach each recipient in the order the
//! changes happened, and no sender waits for a recipient.
//!
//! Every operation is made as a [`Caller`]: a private key and the profile it came
//! through, which must be the one the client registered with, so a web page's key opens
//! nothing on the Standard Profile's endpoint. Web senders are held to the MType
//! restrictions, and each queue to its caps: what does not fit is refused, not dropped.
//!
//! - [`registration`]: joining, leaving, metadata, subscriptions, queries.
//! - [`messaging`]: notifications, calls, replies.
//! - [`web`]: what only the Web Profile has (consent happens in its front end).
//! - here: the state, queueing, hub events, removing clients, settling calls nobody will
//!   answer, and acting on the delivery tasks' reports.

mod activity;
mod messaging;
mod registration;
mod status;
mod web;

pub(crate) use activity::{Counters, Entry, KEEP, What};
pub(crate) use status::{ClientView, StatusSnapshot};

pub(crate) use web::Untranslatable;

use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use samp_http::HttpClient;
use samp_protocol::names::mtype;
use samp_protocol::standard::ClientMethod;
use samp_protocol::{
    ClientId, ErrInfo, Map, Message, MsgId, MsgTag, PrivateKey, RawMessage, Response, Secret, Value,
};
use tokio::sync::mpsc;
use tracing::{debug, warn};

use crate::clients::{ClientTable, HubClient, Via};
use crate::config::HubConfig;
use crate::delivery::{Admit, Delivery, DeliveryContext, Full, Outbox, Report};
use crate::hub_client::{self, HUB_ID};
use crate::pending::{Pending, PendingCalls, ReplyTo};
use crate::url_tracker::UrlTracker;

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

/// Who makes an operation: a private key, and the profile the call came through.
#[derive(Clone, Copy)]
pub(crate) struct Caller<'a> {
    pub(crate) key: &'a PrivateKey,
    pub(crate) via: Via,
}

pub(crate) struct HubCore {
    pub(crate) config: HubConfig,
    secret: Secret,
    delivery: DeliveryContext,
    /// Web senders are held to the safe MTypes.
    restrict_web: bool,
    state: Mutex<State>,
    /// Woken when the activity log grows (the status page long-polls it).
    activity_changed: tokio::sync::Notify,
    started: std::time::SystemTime,
}

struct State {
    clients: ClientTable,
    pending: PendingCalls,
    /// URLs web clients were handed or sent, for the URL translator.
    urls: UrlTracker,
    /// What the status page shows.
    activity: activity::Activity,
    /// Where queues that overflow even for what the hub owes are reported, to be ejected.
    reports: mpsc::UnboundedSender<Report>,
    /// Web clients that left lately, for their pollers' late `pullCallbacks`.
    departed: web::DepartedPollers,
    closed: bool,
}

impl HubCore {
    /// A hub core and the tasks that keep it: one acting on delivery reports, one sweeping
    /// calls left unanswered. Both stop when the core is dropped.
    pub(crate) fn start(config: HubConfig, secret: Secret) -> Arc<HubCore> {
        let (reports, rx) = mpsc::unbounded_channel();
        let http = HttpClient::new().with_max_body(config.server.max_body);
        #[cfg(feature = "tls")]
        let http = match &config.tls {
            Some(tls) => http.with_tls(&tls.client),
            None => http,
        };
        let delivery = DeliveryContext {
            http,
            policy: config.delivery.clone(),
            reports: reports.clone(),
        };
        let state = State {
            clients: ClientTable::new(hub_client::client(&config.name, config.web.is_some())),
            pending: PendingCalls::default(),
            urls: UrlTracker::default(),
            activity: activity::Activity::default(),
            reports,
            departed: web::DepartedPollers::default(),
            closed: false,
        };
        let restrict_web = config.web.as_ref().is_some_and(|w| w.restrict_mtypes);
        let core = Arc::new(HubCore {
            config,
            secret,
            delivery,
            restrict_web,
            state: Mutex::new(state),
            activity_changed: tokio::sync::Notify::new(),
            started: std::time::SystemTime::now(),
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
            let queued = outbox.queued();
            if queued > 0 {
                // Calls among them are answered for their senders (see `Report`);
                // notifications have nobody to tell, so they are counted here.
                warn!(client = %id, queued, "client removed with callbacks still queued ({why}); they will not be delivered");
            }
            outbox.retire();
            if let (Outbox::Web(queue), Some(key)) = (outbox, &client.key) {
                state.departed.add(key.clone(), queue.clone());
            }
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
            None,
        );
        self.record(state, What::Unregister, &client.id, None, "", why);
    }

    /// Adds to the status page's log, and wakes whoever waits on it.
    fn record(
        &self,
        state: &mut State,
        what: What,
        from: &ClientId,
        to: Option<&ClientId>,
        mtype: &str,
        status: impl Into<String>,
    ) {
        state.activity.record(what, from, to, mtype, status);
        self.activity_changed.notify_waiters();
    }

    /// A call the front end refused, for the log.
    pub(crate) fn record_refusal(&self, method: &str, why: &str) {
        let mut state = self.lock();
        self.record(
            &mut state,
            What::Refused,
            &ClientId::new("-"),
            None,
            method,
            why,
        );
    }

    /// Web senders are held to the safe MTypes (when restrictions are on).
    fn restricted(&self, via: Via) -> bool {
        via == Via::Web && self.restrict_web
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
                (Some(Outbox::Http(outbox)), Some(key))
                    if client.annotation(mtype::HUB_DISCONNECT).is_some() =>
                {
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
    /// `max_call_wait`, so a recipient that never replies cannot grow the table forever;
    /// removes web clients that stopped polling.
    fn sweep(&self) {
        let ttl = self.config.max_call_wait;
        let mut state = self.lock();
        self.remove_idle_web_clients(&mut state);
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
        hub_event(&mut state, mtype::HUB_EVENT_SHUTDOWN, Map::new(), None);
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

/// Sweeps every quarter of `max_call_wait` or of the web clients' idle limit (at least
/// every minute), so the tables are bounded even when no new call comes in.
async fn sweep_unanswered(core: Weak<HubCore>) {
    let every = match core.upgrade() {
        Some(core) => {
            let idle = core.config.web.as_ref().map(|w| w.idle_eject);
            (core.config.max_call_wait.min(idle.unwrap_or(Duration::MAX)) / 4)
                .clamp(Duration::from_millis(10), Duration::from_secs(60))
        }
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
    state: &mut State,
    sender: &ClientId,
    responder: ClientId,
    tag: MsgTag,
    response: Response,
) -> bool {
    let from_web = state
        .clients
        .get(responder.as_str())
        .is_some_and(|c| c.via() == Via::Web);
    let State {
        clients,
        urls,
        reports,
        ..
    } = state;
    let Some(client) = clients.get(sender.as_str()) else {
        return false;
    };
    let delivery = Delivery::Response {
        responder,
        tag,
        response: Arc::new(response),
    };
    match queue_to(urls, client, from_web, delivery, Admit::Owed) {
        Some(Ok(())) => true,
        Some(Err(full)) => {
            overflowed(reports, client, &full);
            false
        }
        None => false,
    }
}

/// Queues `delivery` for `client`, noting the URLs a web client is handed by the others.
/// `None` if it is not callable.
fn queue_to(
    urls: &mut UrlTracker,
    client: &HubClient,
    from_web: bool,
    delivery: Delivery,
    admit: Admit,
) -> Option<Result<(), Full>> {
    let outbox = client.outbox.as_ref()?;
    if client.via() == Via::Web && !from_web {
        match &delivery {
            Delivery::Notify { message, .. } | Delivery::Call { message, .. } => {
                urls.note_to_web(&**message)
            }
            Delivery::Response { response, .. } => urls.note_to_web(&**response),
            Delivery::Flush { .. } => {}
        }
    }
    Some(outbox.push(delivery, admit))
}

/// A client whose queue overflowed even for what the hub owes it is hopelessly behind:
/// it is reported, to be ejected.
fn overflowed(reports: &mpsc::UnboundedSender<Report>, client: &HubClient, full: &Full) {
    warn!(client = %client.id, "{full}: ejecting it");
    let _ = reports.send(Report::Unreachable {
        client: client.id.clone(),
        reason: format!("its queue overflowed: {full}"),
    });
}

/// A params map from `(key, value)` pairs.
fn params<const N: usize>(entries: [(&str, Value); N]) -> Map {
    entries
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
}

/// Sends a hub event (a notification from the hub id) to every subscribed client; web
/// clients get `web_params` instead of `params` when given.
fn hub_event(state: &mut State, mtype: &str, params: Map, web_params: Option<Map>) {
    let event = |params| {
        let message = Message {
            mtype: mtype.to_owned(),
            params,
            extra: Map::new(),
        };
        // Built from values the hub read from XML, so always writable.
        match RawMessage::from_message(&message) {
            Ok(raw) => Some(Arc::new(raw)),
            Err(e) => {
                warn!(%mtype, error = %e, "hub event not sent");
                None
            }
        }
    };
    let Some(message) = event(params) else { return };
    let web_message = web_params.and_then(event);
    let hub = ClientId::new(HUB_ID);
    let State {
        clients,
        urls,
        reports,
        ..
    } = state;
    for client in clients.iter() {
        if client.annotation(mtype).is_none() {
            continue;
        }
        let message = match (&web_message, client.via()) {
            (Some(web), Via::Web) => web.clone(),
            _ => message.clone(),
        };
        let delivery = Delivery::Notify {
            sender: hub.clone(),
            message,
        };
        if let Some(Err(full)) = queue_to(urls, client, false, delivery, Admit::Owed) {
            overflowed(reports, client, &full);
        }
    }
}
