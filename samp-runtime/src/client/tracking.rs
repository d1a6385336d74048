//! Client tracking: a live table of the other clients (JSAMP's `ClientTracker`), seeded
//! from the hub at registration and kept current from its `samp.hub.event.*` messages.
//!
//! Exact under churn: events and the seeding queries may cross. Every event is applied
//! when it arrives; a seeding answer for one client's metadata or subscriptions is kept
//! only if no event about that field arrived after the query was sent (the event is then
//! at least as new), and a client seen to unregister is never added back by a seeding
//! answer that was already on its way (public ids are never reused).

use std::collections::{BTreeMap, HashSet};

use samp_protocol::mtypes::{
    SampHubEventMetadata, SampHubEventRegister, SampHubEventSubscriptions, SampHubEventUnregister,
};
use samp_protocol::names::mtype;
use samp_protocol::{ClientId, Map, Message, Metadata, Subscriptions, Value};
use tokio::sync::broadcast;
use tracing::{debug, warn};

/// What the client knows about another client.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientInfo {
    /// Its public id.
    pub id: ClientId,
    /// Its metadata (empty until it declares some).
    pub metadata: Metadata,
    /// Its subscriptions (empty until it declares some).
    pub subscriptions: Subscriptions,
}

impl ClientInfo {
    /// `samp.name`, if declared.
    pub fn name(&self) -> Option<&str> {
        self.metadata.name()
    }
}

/// A change in the table of clients.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientEvent {
    /// A client registered.
    Registered(ClientId),
    /// A client left.
    Unregistered(ClientId),
    /// A client declared metadata.
    Metadata(ClientId),
    /// A client declared subscriptions.
    Subscriptions(ClientId),
    /// The table was filled from the hub (after registering, or registering again): read
    /// it afresh.
    Seeded,
    /// The registration ended: the table is empty until the next one.
    Cleared,
}

impl ClientEvent {
    /// The client the event is about (none for `Seeded` and `Cleared`).
    pub fn client(&self) -> Option<&ClientId> {
        match self {
            ClientEvent::Registered(id)
            | ClientEvent::Unregistered(id)
            | ClientEvent::Metadata(id)
            | ClientEvent::Subscriptions(id) => Some(id),
            ClientEvent::Seeded | ClientEvent::Cleared => None,
        }
    }
}

struct Entry {
    info: ClientInfo,
    /// Sequence number of the last event about each field (0: none).
    metadata_event: u64,
    subscriptions_event: u64,
}

impl Entry {
    fn new(id: ClientId) -> Entry {
        Entry {
            info: ClientInfo {
                id,
                metadata: Metadata::new(),
                subscriptions: Subscriptions::new(),
            },
            metadata_event: 0,
            subscriptions_event: 0,
        }
    }
}

/// The table and the bookkeeping that keeps it exact.
pub(crate) struct Tracker {
    clients: BTreeMap<ClientId, Entry>,
    /// Clients seen to unregister since tracking began (ids are never reused).
    gone: HashSet<ClientId>,
    /// Events applied so far.
    seq: u64,
    me: Option<ClientId>,
    events: broadcast::Sender<ClientEvent>,
}

impl Default for Tracker {
    fn default() -> Self {
        Tracker {
            clients: BTreeMap::new(),
            gone: HashSet::new(),
            seq: 0,
            me: None,
            events: broadcast::channel(256).0,
        }
    }
}

/// Which field a seeding answer is for.
#[derive(Clone, Copy)]
pub(crate) enum Field {
    Metadata,
    Subscriptions,
}

impl Tracker {
    /// Starts a new registration as `me`: an empty table.
    pub(crate) fn begin(&mut self, me: ClientId) {
        self.clients.clear();
        self.gone.clear();
        self.me = Some(me);
    }

    /// The registration ended.
    pub(crate) fn clear(&mut self) {
        self.clients.clear();
        self.gone.clear();
        self.me = None;
        let _ = self.events.send(ClientEvent::Cleared);
    }

    /// A mark to give [`seed_field`](Self::seed_field): events after it win.
    pub(crate) fn mark(&self) -> u64 {
        self.seq
    }

    /// Adds a client listed by `getRegisteredClients`, unless it has left meanwhile.
    pub(crate) fn seed_client(&mut self, id: ClientId) {
        if self.gone.contains(&id) || self.me.as_ref() == Some(&id) {
            return;
        }
        self.clients
            .entry(id.clone())
            .or_insert_with(|| Entry::new(id));
    }

    /// Fills one field from a seeding answer sent after `mark`, unless an event about it
    /// has arrived since.
    pub(crate) fn seed_field(&mut self, id: &ClientId, mark: u64, field: Field, value: Value) {
        let Some(entry) = self.clients.get_mut(id.as_str()) else {
            return;
        };
        match field {
            Field::Metadata if entry.metadata_event <= mark => match Metadata::from_value(value) {
                Ok(md) => entry.info.metadata = md,
                Err(e) => {
                    warn!(client = %id, error = %e, "the hub's metadata for a client is not a map")
                }
            },
            Field::Subscriptions if entry.subscriptions_event <= mark => {
                match Subscriptions::from_value(value) {
                    Ok(subs) => entry.info.subscriptions = subs,
                    Err(e) => warn!(client = %id, error = %e, "unreadable subscriptions ignored"),
                }
            }
            _ => {}
        }
    }

    /// The seeding is complete.
    pub(crate) fn seeded(&self) {
        let _ = self.events.send(ClientEvent::Seeded);
    }

    /// Applies a hub event (already checked to come from the hub).
    pub(crate) fn apply(&mut self, message: &Message) {
        self.seq += 1;
        let seq = self.seq;
        let params = Value::Map(message.params.clone());
        let event = match message.mtype.as_str() {
            mtype::HUB_EVENT_REGISTER => decode::<SampHubEventRegister>(params).map(|e| {
                let id = ClientId::new(e.id);
                if self.me.as_ref() != Some(&id) && !self.gone.contains(&id) {
                    self.clients
                        .entry(id.clone())
                        .or_insert_with(|| Entry::new(id.clone()));
                }
                ClientEvent::Registered(id)
            }),
            mtype::HUB_EVENT_UNREGISTER => decode::<SampHubEventUnregister>(params).map(|e| {
                let id = ClientId::new(e.id);
                self.clients.remove(id.as_str());
                self.gone.insert(id.clone());
                ClientEvent::Unregistered(id)
            }),
            mtype::HUB_EVENT_METADATA => decode::<SampHubEventMetadata>(params).map(|e| {
                let id = ClientId::new(e.id);
                if let Some(entry) = self.entry(&id) {
                    entry.info.metadata = Metadata::from(e.metadata);
                    entry.metadata_event = seq;
                }
                ClientEvent::Metadata(id)
            }),
            mtype::HUB_EVENT_SUBSCRIPTIONS => {
                decode::<SampHubEventSubscriptions>(params).map(|e| {
                    let id = ClientId::new(e.id);
                    match Subscriptions::from_map(e.subscriptions) {
                        Ok(subs) => {
                            if let Some(entry) = self.entry(&id) {
                                entry.info.subscriptions = subs;
                                entry.subscriptions_event = seq;
                            }
                        }
                        Err(err) => {
                            warn!(client = %id, error = %err, "unreadable subscriptions ignored")
                        }
                    }
                    ClientEvent::Subscriptions(id)
                })
            }
            _ => return,
        };
        match event {
            // The table never holds us, so neither do the events (our own declarations
            // come back as hub events too).
            Some(event) if event.client().is_some() && self.me.as_ref() == event.client() => {}
            Some(event) => {
                let _ = self.events.send(event);
            }
            None => debug!(mtype = %message.mtype, "malformed hub event ignored"),
        }
    }

    /// The entry an event is about: created if the client is not known yet (its register
    /// event may have preceded our subscription), never for ourselves or a departed client.
    fn entry(&mut self, id: &ClientId) -> Option<&mut Entry> {
        if self.me.as_ref() == Some(id) || self.gone.contains(id) {
            return None;
        }
        Some(
            self.clients
                .entry(id.clone())
                .or_insert_with(|| Entry::new(id.clone())),
        )
    }

    pub(crate) fn snapshot(&self) -> Vec<ClientInfo> {
        self.clients.values().map(|e| e.info.clone()).collect()
    }

    pub(crate) fn get(&self, id: &str) -> Option<ClientInfo> {
        self.clients.get(id).map(|e| e.info.clone())
    }

    /// Clients subscribed to `mtype`, with the annotations of their most specific
    /// matching subscription.
    pub(crate) fn subscribers(&self, mtype: &str) -> Vec<(ClientId, Map)> {
        self.clients
            .values()
            .filter_map(|e| {
                let annotations = e.info.subscriptions.matching(mtype)?;
                Some((e.info.id.clone(), annotations.clone()))
            })
            .collect()
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<ClientEvent> {
        self.events.subscribe()
    }
}

fn decode<T: serde::de::DeserializeOwned>(params: Value) -> Option<T> {
    samp_protocol::convert::from_value(params).ok()
}

/// The changes to the table of clients, as they happen; see
/// [`Client::client_events`](super::Client::client_events).
#[derive(Debug)]
pub struct ClientEvents {
    pub(crate) rx: broadcast::Receiver<ClientEvent>,
}

impl ClientEvents {
    /// The next change. When the reader falls far behind, the missed changes are replaced
    /// by one [`ClientEvent::Seeded`] (read the table afresh); `None` once the client is
    /// gone.
    pub async fn next(&mut self) -> Option<ClientEvent> {
        match self.rx.recv().await {
            Ok(event) => Some(event),
            Err(broadcast::error::RecvError::Lagged(_)) => Some(ClientEvent::Seeded),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use samp_protocol::map;

    fn event(mtype: &str, params: Value) -> Message {
        Message {
            mtype: mtype.to_owned(),
            params: params.into_map().unwrap(),
            extra: Map::new(),
        }
    }

    #[test]
    fn events_win_over_older_seeding_answers() {
        let mut t = Tracker::default();
        t.begin(ClientId::new("c9"));
        let c1 = ClientId::new("c1");
        t.seed_client(c1.clone());
        let mark = t.mark();
        // A metadata event arrives before the (older) seeding answer.
        t.apply(&event(
            mtype::HUB_EVENT_METADATA,
            map! { "id" => "c1", "metadata" => map! { "samp.name" => "new" } },
        ));
        t.seed_field(&c1, mark, Field::Metadata, map! { "samp.name" => "old" });
        assert_eq!(t.get("c1").unwrap().name(), Some("new"));
        // A seeding answer with no event since is kept.
        let mark = t.mark();
        t.seed_field(&c1, mark, Field::Subscriptions, map! { "a.b" => map! {} });
        assert!(t.get("c1").unwrap().subscriptions.is_subscribed("a.b"));
    }

    #[test]
    fn the_departed_are_not_brought_back() {
        let mut t = Tracker::default();
        t.begin(ClientId::new("c9"));
        t.apply(&event(mtype::HUB_EVENT_UNREGISTER, map! { "id" => "c2" }));
        t.seed_client(ClientId::new("c2"));
        t.apply(&event(
            mtype::HUB_EVENT_METADATA,
            map! { "id" => "c2", "metadata" => map! {} },
        ));
        assert!(t.get("c2").is_none());
        // Ourselves: never in the table.
        t.apply(&event(mtype::HUB_EVENT_REGISTER, map! { "id" => "c9" }));
        t.seed_client(ClientId::new("c9"));
        assert!(t.snapshot().is_empty());
        t.apply(&event(mtype::HUB_EVENT_REGISTER, map! { "id" => "c3" }));
        assert_eq!(t.snapshot().len(), 1);
    }

    #[test]
    fn subscribers_use_the_wildcard_rules() {
        let mut t = Tracker::default();
        t.begin(ClientId::new("me"));
        t.seed_client(ClientId::new("c1"));
        t.seed_field(
            &ClientId::new("c1"),
            0,
            Field::Subscriptions,
            map! { "table.*" => map! { "k" => "v" } },
        );
        assert_eq!(t.subscribers("table.load.votable").len(), 1);
        assert!(t.subscribers("table").is_empty());
    }
}
