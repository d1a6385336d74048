//! The hub's state and the SAMP operations on it (SAMP 1.3 §3.11, routing per §5.1).
//!
//! One mutex guards the client table, the subscription patterns and the pending calls. It is
//! never held across I/O: operations change the tables and push callbacks onto per-recipient
//! queues (see [`crate::delivery`]) before they return, so events reach each recipient in the
//! order the changes happened, and no sender waits for a recipient.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use samp_runtime::http::{HttpClient, parse_http_url};
use samp_runtime::protocol::{MTypePattern, PrivateKey, Secret, validate_response};
use samp_runtime::xmlrpc::Fault;
use samp_runtime::{Map, Value, map};
use tokio::sync::oneshot;
use tracing::{debug, info, warn};

use crate::config::HubConfig;
use crate::delivery::{Delivery, Outbox};

/// The hub's own public id.
pub const HUB_ID: &str = "hub";

/// MTypes the hub's own client answers.
const HUB_SUBSCRIPTIONS: [&str; 3] = [
    "samp.app.ping",
    "x-samp.query.by-meta",
    "samp.query.by-meta",
];

pub(crate) struct HubCore {
    pub(crate) config: HubConfig,
    pub(crate) secret: Secret,
    pub(crate) http: HttpClient,
    state: Mutex<State>,
    this: Weak<HubCore>,
}

#[derive(Default)]
struct State {
    /// Private key → public id.
    by_key: HashMap<String, String>,
    clients: HashMap<String, Client>,
    /// Registration order, for stable listings.
    order: Vec<String>,
    next_client: u64,
    next_msg: u64,
    /// When unanswered asynchronous calls were last swept out.
    last_sweep: Option<Instant>,
    pending: HashMap<String, Pending>,
    closed: bool,
}

struct Client {
    id: String,
    /// The private key (empty for the hub's own client, which has none).
    key: String,
    metadata: Map,
    subscriptions: Map,
    /// Parsed subscription patterns, most specific first, with their annotations.
    patterns: Vec<(MTypePattern, Map)>,
    outbox: Option<Outbox>,
}

impl Client {
    fn new(id: &str, key: String) -> Client {
        Client {
            id: id.to_owned(),
            key,
            metadata: Map::new(),
            subscriptions: Map::new(),
            patterns: Vec::new(),
            outbox: None,
        }
    }

    fn annotation(&self, mtype: &str) -> Option<&Map> {
        self.patterns
            .iter()
            .find(|(p, _)| p.matches(mtype))
            .map(|(_, a)| a)
    }

    fn is_hub(&self) -> bool {
        self.id == HUB_ID
    }

    /// The hub answers calls itself; other clients once they have a callback URL.
    fn is_callable(&self) -> bool {
        self.is_hub() || self.outbox.is_some()
    }

    /// Callable and subscribed to `mtype`: the annotation of its subscription.
    fn accepts(&self, mtype: &str) -> Option<&Map> {
        self.annotation(mtype).filter(|_| self.is_callable())
    }
}

struct Pending {
    sender: String,
    recipient: String,
    reply_to: ReplyTo,
    since: Instant,
}

enum ReplyTo {
    Async { tag: String },
    Sync(oneshot::Sender<Result<Value, Fault>>),
}

/// A SAMP message checked for the parts the hub reads.
struct Message {
    mtype: String,
    value: Arc<Value>,
}

fn fault(method: &str, text: impl std::fmt::Display) -> Fault {
    Fault::new(format!("samp.hub.{method}: {text}"))
}

impl HubCore {
    pub(crate) fn new(config: HubConfig, secret: Secret) -> Arc<HubCore> {
        Arc::new_cyclic(|this| {
            let mut state = State::default();
            let mut hub = Client::new(HUB_ID, String::new());
            hub.metadata = hub_metadata(&config.name);
            let subs: Map = HUB_SUBSCRIPTIONS
                .iter()
                .map(|m| (m.to_string(), Value::empty_map()))
                .collect();
            set_subscriptions(&mut hub, subs).expect("hub subscriptions are valid patterns");
            state.clients.insert(HUB_ID.to_owned(), hub);
            state.order.push(HUB_ID.to_owned());
            let http = HttpClient::new().with_max_body(config.server.max_body);
            HubCore {
                config,
                secret,
                http,
                state: Mutex::new(state),
                this: this.clone(),
            }
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the tables half-changed in a way that
        // matters more than stopping the hub would; keep serving.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The caller's public id, or a fault naming the method.
    fn caller(state: &State, method: &str, key: &str) -> Result<String, Fault> {
        state.by_key.get(key).cloned().ok_or_else(|| {
            fault(
                method,
                "unknown private key (not registered, or unregistered)",
            )
        })
    }

    pub(crate) fn register(&self, secret: &str) -> Result<Value, Fault> {
        if !self.secret.matches(secret) {
            warn!("registration refused: wrong secret");
            return Err(fault("register", "wrong samp.secret"));
        }
        let key = PrivateKey::generate().into_string();
        let mut state = self.lock();
        if state.closed {
            return Err(fault("register", "the hub is shutting down"));
        }
        state.next_client += 1;
        let id = format!("c{}", state.next_client);
        state.by_key.insert(key.clone(), id.clone());
        state
            .clients
            .insert(id.clone(), Client::new(&id, key.clone()));
        state.order.push(id.clone());
        hub_event(
            &mut state,
            "samp.hub.event.register",
            map! { "id" => id.as_str() },
        );
        drop(state);
        info!(client = %id, "registered");
        Ok(map! {
            "samp.hub-id" => HUB_ID,
            "samp.self-id" => id.as_str(),
            "samp.private-key" => key,
        })
    }

    pub(crate) fn unregister(&self, key: &str) -> Result<Value, Fault> {
        let mut state = self.lock();
        let id = Self::caller(&state, "unregister", key)?;
        self.remove_client(&mut state, &id, "it unregistered");
        drop(state);
        info!(client = %id, "unregistered");
        Ok(Value::from(""))
    }

    /// Removes a client, stops its deliveries, settles the calls it was due to answer, and
    /// tells the others.
    fn remove_client(&self, state: &mut State, id: &str, why: &str) {
        let Some(client) = state.clients.remove(id) else {
            return;
        };
        state.by_key.remove(&client.key);
        if let Some(outbox) = &client.outbox {
            outbox.close();
        }
        state.order.retain(|v| v != id);
        let orphaned: Vec<String> = state
            .pending
            .iter()
            .filter(|(_, p)| p.recipient == id || p.sender == id)
            .map(|(k, _)| k.clone())
            .collect();
        for msg_id in orphaned {
            let Some(p) = state.pending.remove(&msg_id) else {
                continue;
            };
            if p.recipient == id && p.sender != id {
                let text = format!("recipient {id} left before replying ({why})");
                self.settle_unanswered(state, p, &msg_id, text);
            }
        }
        hub_event(state, "samp.hub.event.unregister", map! { "id" => id });
    }

    /// Answers a call that will never be replied to: a fault for a waiting `callAndWait`,
    /// a `samp.error` response for an asynchronous call, so no sender waits forever.
    fn settle_unanswered(&self, state: &mut State, pending: Pending, msg_id: &str, text: String) {
        debug!(%msg_id, sender = %pending.sender, "{text}");
        match pending.reply_to {
            ReplyTo::Sync(tx) => {
                let _ = tx.send(Err(Fault::new(format!("samp.hub.callAndWait: {text}"))));
            }
            ReplyTo::Async { tag } => {
                let responder = pending.recipient;
                send_response(state, &pending.sender, responder, tag, error_response(text));
            }
        }
    }

    pub(crate) fn set_callback(&self, key: &str, url: &str) -> Result<Value, Fault> {
        parse_http_url(url).map_err(|reason| {
            fault(
                "setXmlrpcCallback",
                format!("invalid callback URL {url:?}: {reason}"),
            )
        })?;
        let mut state = self.lock();
        let id = Self::caller(&state, "setXmlrpcCallback", key)?;
        let client = state.clients.get_mut(&id).expect("caller is registered");
        match &client.outbox {
            Some(outbox) => outbox.set_url(url),
            None => {
                client.outbox = Some(Outbox::start(
                    self.this.clone(),
                    id.clone(),
                    key.to_owned(),
                    url.to_owned(),
                ))
            }
        }
        debug!(client = %id, %url, "callback set");
        Ok(Value::from(""))
    }

    pub(crate) fn declare_metadata(&self, key: &str, metadata: Map) -> Result<Value, Fault> {
        let mut state = self.lock();
        let id = Self::caller(&state, "declareMetadata", key)?;
        state
            .clients
            .get_mut(&id)
            .expect("caller is registered")
            .metadata = metadata.clone();
        hub_event(
            &mut state,
            "samp.hub.event.metadata",
            map! { "id" => id.as_str(), "metadata" => metadata },
        );
        Ok(Value::from(""))
    }

    pub(crate) fn get_metadata(&self, key: &str, of: &str) -> Result<Value, Fault> {
        let state = self.lock();
        Self::caller(&state, "getMetadata", key)?;
        Ok(Value::Map(
            Self::client(&state, "getMetadata", of)?.metadata.clone(),
        ))
    }

    pub(crate) fn declare_subscriptions(
        &self,
        key: &str,
        subscriptions: Map,
    ) -> Result<Value, Fault> {
        let mut state = self.lock();
        let id = Self::caller(&state, "declareSubscriptions", key)?;
        let client = state.clients.get_mut(&id).expect("caller is registered");
        if client.outbox.is_none() {
            return Err(fault(
                "declareSubscriptions",
                format!("client {id} is not callable; call samp.hub.setXmlrpcCallback first"),
            ));
        }
        set_subscriptions(client, subscriptions.clone())
            .map_err(|e| fault("declareSubscriptions", e))?;
        hub_event(
            &mut state,
            "samp.hub.event.subscriptions",
            map! { "id" => id.as_str(), "subscriptions" => subscriptions },
        );
        Ok(Value::from(""))
    }

    pub(crate) fn get_subscriptions(&self, key: &str, of: &str) -> Result<Value, Fault> {
        let state = self.lock();
        Self::caller(&state, "getSubscriptions", key)?;
        let client = Self::client(&state, "getSubscriptions", of)?;
        Ok(Value::Map(client.subscriptions.clone()))
    }

    pub(crate) fn get_registered_clients(&self, key: &str) -> Result<Value, Fault> {
        let state = self.lock();
        let me = Self::caller(&state, "getRegisteredClients", key)?;
        Ok(Value::List(
            state
                .order
                .iter()
                .filter(|id| **id != me)
                .map(Value::from)
                .collect(),
        ))
    }

    pub(crate) fn get_subscribed_clients(&self, key: &str, mtype: &str) -> Result<Value, Fault> {
        let state = self.lock();
        let me = Self::caller(&state, "getSubscribedClients", key)?;
        let mut out = Map::new();
        for id in &state.order {
            if *id == me {
                continue;
            }
            if let Some(annotation) = state.clients[id].accepts(mtype) {
                out.insert(id.clone(), Value::Map(annotation.clone()));
            }
        }
        Ok(Value::Map(out))
    }

    /// The registered client `id`, or a fault naming the method.
    fn client<'s>(state: &'s State, method: &str, id: &str) -> Result<&'s Client, Fault> {
        state
            .clients
            .get(id)
            .ok_or_else(|| fault(method, format!("no registered client {id:?}")))
    }

    /// The recipient, checked as §5.1 requires for directed sends.
    fn check_recipient<'s>(
        state: &'s State,
        method: &str,
        to: &str,
        mtype: &str,
    ) -> Result<&'s Client, Fault> {
        let client = Self::client(state, method, to)?;
        if !client.is_callable() {
            return Err(fault(method, format!("client {to} is not callable")));
        }
        if client.annotation(mtype).is_none() {
            return Err(fault(
                method,
                format!("client {to} is not subscribed to {mtype}"),
            ));
        }
        Ok(client)
    }

    pub(crate) fn notify(&self, key: &str, to: &str, message: Value) -> Result<Value, Fault> {
        let msg = check_message("notify", message)?;
        let state = self.lock();
        let me = Self::caller(&state, "notify", key)?;
        let client = Self::check_recipient(&state, "notify", to, &msg.mtype)?;
        if let Some(outbox) = &client.outbox {
            outbox.push(Delivery::Notify {
                sender: me,
                message: msg.value,
            });
        }
        // Notifications to the hub's own client (samp.app.ping) need no action.
        Ok(Value::from(""))
    }

    pub(crate) fn notify_all(&self, key: &str, message: Value) -> Result<Value, Fault> {
        let msg = check_message("notifyAll", message)?;
        let state = self.lock();
        let me = Self::caller(&state, "notifyAll", key)?;
        let mut recipients = Vec::new();
        for id in &state.order {
            let client = &state.clients[id];
            if *id == me || client.accepts(&msg.mtype).is_none() {
                continue;
            }
            if let Some(outbox) = &client.outbox {
                outbox.push(Delivery::Notify {
                    sender: me.clone(),
                    message: msg.value.clone(),
                });
            }
            recipients.push(Value::from(id));
        }
        Ok(Value::List(recipients))
    }

    fn new_msg_id(state: &mut State, sender: &str) -> String {
        state.next_msg += 1;
        format!("{sender}_m{}", state.next_msg)
    }

    /// Answers, with `samp.error`, asynchronous calls left unanswered for longer than
    /// `max_call_wait`, so a recipient that never replies cannot grow the table forever.
    /// Runs at most every quarter of that time (and at most every minute), as calls come in.
    fn sweep_unanswered(&self, state: &mut State) {
        let ttl = self.config.max_call_wait;
        let every = (ttl / 4).min(Duration::from_secs(60));
        if state.last_sweep.is_some_and(|t| t.elapsed() < every) {
            return;
        }
        state.last_sweep = Some(Instant::now());
        let stale: Vec<String> = state
            .pending
            .iter()
            .filter(|(_, p)| matches!(p.reply_to, ReplyTo::Async { .. }) && p.since.elapsed() > ttl)
            .map(|(id, _)| id.clone())
            .collect();
        for msg_id in stale {
            if let Some(p) = state.pending.remove(&msg_id) {
                let text = format!(
                    "{} did not reply within the hub's limit of {} s",
                    p.recipient,
                    ttl.as_secs_f64()
                );
                self.settle_unanswered(state, p, &msg_id, text);
            }
        }
    }

    /// Starts one call: records it and hands it to the recipient (or answers it, for the hub).
    fn dispatch_call(
        &self,
        state: &mut State,
        sender: &str,
        to: &str,
        msg: &Message,
        reply_to: ReplyTo,
    ) -> String {
        self.sweep_unanswered(state);
        let msg_id = Self::new_msg_id(state, sender);
        state.pending.insert(
            msg_id.clone(),
            Pending {
                sender: sender.to_owned(),
                recipient: to.to_owned(),
                reply_to,
                since: Instant::now(),
            },
        );
        let client = &state.clients[to];
        match &client.outbox {
            Some(outbox) => outbox.push(Delivery::Call {
                sender: sender.to_owned(),
                msg_id: msg_id.clone(),
                message: msg.value.clone(),
            }),
            None => {
                let response = self.hub_answer(state, &msg.mtype, &msg.value);
                self.complete(state, &msg_id, HUB_ID, response);
            }
        }
        msg_id
    }

    pub(crate) fn call(
        &self,
        key: &str,
        to: &str,
        tag: String,
        message: Value,
    ) -> Result<Value, Fault> {
        let msg = check_message("call", message)?;
        let mut state = self.lock();
        let me = Self::caller(&state, "call", key)?;
        Self::check_recipient(&state, "call", to, &msg.mtype)?;
        Self::check_can_receive_response(&state, "call", &me)?;
        let msg_id = self.dispatch_call(&mut state, &me, to, &msg, ReplyTo::Async { tag });
        Ok(Value::from(msg_id))
    }

    fn check_can_receive_response(state: &State, method: &str, me: &str) -> Result<(), Fault> {
        if !state.clients[me].is_callable() {
            return Err(fault(
                method,
                format!(
                    "client {me} is not callable, so it cannot receive the response; use callAndWait or call setXmlrpcCallback first"
                ),
            ));
        }
        Ok(())
    }

    pub(crate) fn call_all(&self, key: &str, tag: String, message: Value) -> Result<Value, Fault> {
        let msg = check_message("callAll", message)?;
        let mut state = self.lock();
        let me = Self::caller(&state, "callAll", key)?;
        Self::check_can_receive_response(&state, "callAll", &me)?;
        let targets: Vec<String> = state
            .order
            .iter()
            .filter(|id| **id != me && state.clients[id.as_str()].accepts(&msg.mtype).is_some())
            .cloned()
            .collect();
        let mut ids = Map::new();
        for to in targets {
            let msg_id = self.dispatch_call(
                &mut state,
                &me,
                &to,
                &msg,
                ReplyTo::Async { tag: tag.clone() },
            );
            ids.insert(to, Value::from(msg_id));
        }
        Ok(Value::Map(ids))
    }

    pub(crate) async fn call_and_wait(
        &self,
        key: &str,
        to: &str,
        message: Value,
        timeout: &str,
    ) -> Result<Value, Fault> {
        let msg = check_message("callAndWait", message)?;
        let secs = samp_runtime::encoding::parse_int(timeout)
            .map_err(|e| fault("callAndWait", format!("timeout: {e}")))?;
        let cap = self.config.max_call_wait;
        let wait = if secs <= 0 {
            cap
        } else {
            Duration::from_secs(secs as u64).min(cap)
        };
        let (tx, rx) = oneshot::channel();
        let msg_id = {
            let mut state = self.lock();
            let me = Self::caller(&state, "callAndWait", key)?;
            Self::check_recipient(&state, "callAndWait", to, &msg.mtype)?;
            self.dispatch_call(&mut state, &me, to, &msg, ReplyTo::Sync(tx))
        };
        // However the wait ends (answered, timed out, or the caller hung up and this future
        // was dropped), the call leaves the table, so a late reply is refused.
        let _forget = ForgetOnDrop {
            core: self,
            msg_id: &msg_id,
        };
        match tokio::time::timeout(wait, rx).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(fault(
                "callAndWait",
                "the hub dropped the call (shutting down)",
            )),
            Err(_) => {
                debug!(%msg_id, "callAndWait timed out");
                Err(fault(
                    "callAndWait",
                    format!("no reply from {to} within {} s", wait.as_secs_f64()),
                ))
            }
        }
    }

    pub(crate) fn reply(&self, key: &str, msg_id: &str, response: Value) -> Result<Value, Fault> {
        validate_response(&response)
            .map_err(|e| fault("reply", format!("invalid response: {e}")))?;
        let mut state = self.lock();
        let me = Self::caller(&state, "reply", key)?;
        match state.pending.get(msg_id) {
            None => {
                return Err(fault(
                    "reply",
                    format!(
                        "no call awaits a reply with msg-id {msg_id:?} (already answered, timed out, or its sender left)"
                    ),
                ));
            }
            Some(p) if p.recipient != me => {
                return Err(fault(
                    "reply",
                    format!("msg-id {msg_id:?} was not sent to {me}"),
                ));
            }
            Some(_) => {}
        }
        if !self.complete(&mut state, msg_id, &me, response) {
            return Err(fault(
                "reply",
                format!("the sender of {msg_id:?} is no longer callable; response not delivered"),
            ));
        }
        Ok(Value::from(""))
    }

    /// Routes a response to whoever waits for it. False if nobody can receive it any more.
    fn complete(&self, state: &mut State, msg_id: &str, responder: &str, response: Value) -> bool {
        let Some(p) = state.pending.remove(msg_id) else {
            return false;
        };
        match p.reply_to {
            ReplyTo::Sync(tx) => tx.send(Ok(response)).is_ok(),
            ReplyTo::Async { tag } => {
                let sent = send_response(state, &p.sender, responder.to_owned(), tag, response);
                if !sent {
                    warn!(%msg_id, sender = %p.sender, "response lost: its sender is gone");
                }
                sent
            }
        }
    }

    /// The hub's own client answering a call.
    fn hub_answer(&self, state: &State, mtype: &str, message: &Value) -> Value {
        match mtype {
            "samp.app.ping" => map! { "samp.status" => "samp.ok", "samp.result" => map! {} },
            "x-samp.query.by-meta" | "samp.query.by-meta" => {
                let params = message
                    .as_map()
                    .and_then(|m| m.get("samp.params"))
                    .and_then(Value::as_map);
                let key = params.and_then(|p| p.get("key")).and_then(Value::as_str);
                let value = params.and_then(|p| p.get("value"));
                match (key, value) {
                    (Some(key), Some(value)) => {
                        let ids: Vec<Value> = state
                            .order
                            .iter()
                            .filter(|id| {
                                state.clients[id.as_str()].metadata.get(key) == Some(value)
                            })
                            .map(Value::from)
                            .collect();
                        map! { "samp.status" => "samp.ok", "samp.result" => map! { "ids" => ids } }
                    }
                    _ => error_response(format!("{mtype} needs string params key and value")),
                }
            }
            other => error_response(format!("the hub does not handle {other}")),
        }
    }

    /// A callback to `id` failed for good: answer the call it carried, if any.
    pub(crate) fn delivery_failed(&self, delivery: &Delivery, to: &str, why: &str) {
        if let Delivery::Call { msg_id, .. } = delivery {
            let mut state = self.lock();
            if let Some(p) = state.pending.remove(msg_id) {
                self.settle_unanswered(
                    &mut state,
                    p,
                    msg_id,
                    format!("could not deliver the call to {to}: {why}"),
                );
            }
        }
    }

    /// Ejects a client the hub cannot reach: `samp.hub.disconnect` is tried, then it is removed
    /// and `samp.hub.event.unregister` goes to the others.
    pub(crate) async fn eject(&self, id: &str, reason: &str) {
        let (outbox, key) = {
            let state = self.lock();
            let Some(client) = state.clients.get(id) else {
                return;
            };
            let outbox = client.outbox.clone();
            (
                outbox.filter(|_| client.annotation("samp.hub.disconnect").is_some()),
                client.key.clone(),
            )
        };
        if let Some(outbox) = &outbox {
            let message = map! {
                "samp.mtype" => "samp.hub.disconnect",
                "samp.params" => map! { "reason" => reason },
            };
            let params = [Value::from(key), Value::from(HUB_ID), message];
            let _ = self
                .http
                .call(
                    &outbox.url(),
                    "samp.client.receiveNotification",
                    &params,
                    Some(Duration::from_secs(2)),
                )
                .await;
        }
        self.remove_client(&mut self.lock(), id, reason);
        warn!(client = %id, %reason, "client ejected");
    }

    /// Tells every client the hub is going, fails pending waits, and refuses new work.
    pub(crate) fn close(&self) -> Vec<Outbox> {
        let mut state = self.lock();
        state.closed = true;
        hub_event(&mut state, "samp.hub.event.shutdown", Value::empty_map());
        for (_, p) in state.pending.drain() {
            if let ReplyTo::Sync(tx) = p.reply_to {
                let _ = tx.send(Err(Fault::new(
                    "samp.hub.callAndWait: the hub is shutting down",
                )));
            }
        }
        let outboxes: Vec<Outbox> = state
            .clients
            .values()
            .filter_map(|c| c.outbox.clone())
            .collect();
        outboxes
    }

    /// Number of registered clients, the hub excluded.
    pub(crate) fn client_count(&self) -> usize {
        self.lock().clients.len() - 1
    }
}

/// Removes a `callAndWait` entry from the pending table when dropped.
struct ForgetOnDrop<'a> {
    core: &'a HubCore,
    msg_id: &'a str,
}

impl Drop for ForgetOnDrop<'_> {
    fn drop(&mut self) {
        self.core.lock().pending.remove(self.msg_id);
    }
}

/// Queues `response` for an asynchronous `sender`; false if it is gone or not callable.
fn send_response(
    state: &State,
    sender: &str,
    responder: String,
    tag: String,
    response: Value,
) -> bool {
    match state.clients.get(sender).and_then(|c| c.outbox.as_ref()) {
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

/// A `samp.error` response map.
fn error_response(text: String) -> Value {
    map! {
        "samp.status" => "samp.error",
        "samp.error" => map! { "samp.errortxt" => text },
    }
}

/// Replaces a client's subscriptions, validating every pattern and annotation map.
fn set_subscriptions(client: &mut Client, subscriptions: Map) -> Result<(), String> {
    let mut patterns = Vec::with_capacity(subscriptions.len());
    for (pattern, annotation) in &subscriptions {
        let parsed = MTypePattern::parse(pattern).map_err(|e| e.to_string())?;
        let annotation = match annotation {
            Value::Map(m) => m.clone(),
            // Lenient with clients that send "" instead of {} for "no annotations".
            Value::String(s) if s.is_empty() => Map::new(),
            other => {
                return Err(format!(
                    "annotation of {pattern:?} must be a map, got a {}",
                    other.kind()
                ));
            }
        };
        patterns.push((parsed, annotation));
    }
    patterns.sort_by_key(|(p, _)| std::cmp::Reverse(p.specificity()));
    client.patterns = patterns;
    client.subscriptions = subscriptions;
    Ok(())
}

/// Checks that a message is a map with a concrete MType and map-valued params.
fn check_message(method: &str, message: Value) -> Result<Message, Fault> {
    let Value::Map(map) = &message else {
        return Err(fault(
            method,
            format!("message must be a map, got a {}", message.kind()),
        ));
    };
    let mtype = match map.get("samp.mtype") {
        Some(Value::String(m)) => m.clone(),
        Some(other) => {
            return Err(fault(
                method,
                format!("samp.mtype must be a string, got a {}", other.kind()),
            ));
        }
        None => return Err(fault(method, "message has no samp.mtype")),
    };
    samp_runtime::protocol::MType::parse(&mtype).map_err(|e| fault(method, e))?;
    if let Some(params) = map.get("samp.params")
        && params.as_map().is_none()
    {
        return Err(fault(
            method,
            format!("samp.params must be a map, got a {}", params.kind()),
        ));
    }
    Ok(Message {
        mtype,
        value: Arc::new(message),
    })
}

/// Sends a hub event (a notification from the hub id) to every subscribed client.
fn hub_event(state: &mut State, mtype: &str, params: Value) {
    let message = Arc::new(map! { "samp.mtype" => mtype, "samp.params" => params });
    for id in &state.order {
        let client = &state.clients[id];
        if let (Some(outbox), Some(_)) = (&client.outbox, client.annotation(mtype)) {
            outbox.push(Delivery::Notify {
                sender: HUB_ID.to_owned(),
                message: message.clone(),
            });
        }
    }
}

fn hub_metadata(name: &str) -> Map {
    [
        ("samp.name", name),
        (
            "samp.description.text",
            "SAMP hub written in Rust (Standard Profile)",
        ),
        ("author.name", "the samp developers"),
        ("hub.version", env!("CARGO_PKG_VERSION")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), Value::from(v)))
    .collect()
}
