//! The client table: every registered client (the hub's own included), found by public id
//! or by private key, listed in registration order.

use std::collections::HashMap;

use samp_protocol::web::web_sender_may_send;
use samp_protocol::{ClientId, MTypePattern, Map, Metadata, PrivateKey, Secret, Subscriptions};

use crate::delivery::Outbox;

/// Which profile a client registered through, which is the only one it may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Via {
    Standard,
    Web,
}

/// What the hub knows of a Web Profile client beyond what every client has.
pub(crate) struct WebIdentity {
    /// The name it claimed when it registered (unverified).
    pub(crate) name: String,
    /// The page's origin, when the browser sent one.
    pub(crate) origin: Option<String>,
    /// The token in its URL-translator prefix (not its private key, so a leaked
    /// translated URL does not leak the key).
    pub(crate) translator: Secret,
}

/// One registered client, as the hub knows it.
pub(crate) struct HubClient {
    pub(crate) id: ClientId,
    /// `None` for the hub's own client, which is never called with a key.
    pub(crate) key: Option<PrivateKey>,
    /// `Some` for a Web Profile client.
    pub(crate) web: Option<WebIdentity>,
    pub(crate) metadata: Metadata,
    subscriptions: Subscriptions,
    /// The subscription patterns, most specific first, so the first match is the one whose
    /// annotations count.
    ranked: Vec<(MTypePattern, Map)>,
    /// Where its callbacks go, once it has a callback URL.
    pub(crate) outbox: Option<Outbox>,
}

impl HubClient {
    pub(crate) fn new(id: ClientId, key: Option<PrivateKey>) -> HubClient {
        HubClient {
            id,
            key,
            web: None,
            metadata: Metadata::new(),
            subscriptions: Subscriptions::new(),
            ranked: Vec::new(),
            outbox: None,
        }
    }

    pub(crate) fn subscriptions(&self) -> &Subscriptions {
        &self.subscriptions
    }

    pub(crate) fn set_subscriptions(&mut self, subscriptions: Subscriptions) {
        let mut ranked: Vec<(MTypePattern, Map)> = subscriptions
            .iter()
            .map(|(p, a)| (p.clone(), a.clone()))
            .collect();
        ranked.sort_by_key(|(p, _)| std::cmp::Reverse(p.specificity()));
        self.ranked = ranked;
        self.subscriptions = subscriptions;
    }

    /// The annotations of the most specific subscription matching `mtype`.
    pub(crate) fn annotation(&self, mtype: &str) -> Option<&Map> {
        self.ranked
            .iter()
            .find(|(p, _)| p.matches(mtype))
            .map(|(_, a)| a)
    }

    /// The profile it registered through.
    pub(crate) fn via(&self) -> Via {
        if self.web.is_some() {
            Via::Web
        } else {
            Via::Standard
        }
    }

    /// The hub answers calls itself; other clients once they have a callback URL.
    pub(crate) fn is_callable(&self) -> bool {
        self.key.is_none() || self.outbox.is_some()
    }

    /// Callable and subscribed to `mtype`: the annotations of its subscription.
    pub(crate) fn accepts(&self, mtype: &str) -> Option<&Map> {
        self.annotation(mtype).filter(|_| self.is_callable())
    }

    /// [`accepts`](Self::accepts), and for a `restricted` (web) sender only if the MType is
    /// safe or the subscription marks it harmless: a blocked subscriber is, for that
    /// sender, not subscribed.
    pub(crate) fn accepts_from(&self, mtype: &str, restricted: bool) -> Option<&Map> {
        self.accepts(mtype)
            .filter(|a| !restricted || web_sender_may_send(mtype, a))
    }
}

/// Every registered client.
pub(crate) struct ClientTable {
    clients: HashMap<ClientId, HubClient>,
    by_key: HashMap<PrivateKey, ClientId>,
    /// Registration order, for stable listings.
    order: Vec<ClientId>,
    registered: u64,
}

impl ClientTable {
    /// A table holding only the hub's own client.
    pub(crate) fn new(hub: HubClient) -> ClientTable {
        let mut table = ClientTable {
            clients: HashMap::new(),
            by_key: HashMap::new(),
            order: Vec::new(),
            registered: 0,
        };
        table.order.push(hub.id.clone());
        table.clients.insert(hub.id.clone(), hub);
        table
    }

    /// Registers a new client with a fresh public id (`c1`, `c2`, …, never reused) and a
    /// fresh private key; `web` for a Web Profile client.
    pub(crate) fn add(&mut self, web: Option<WebIdentity>) -> (ClientId, PrivateKey) {
        self.registered += 1;
        let id = ClientId::new(format!("c{}", self.registered));
        let key = PrivateKey::generate();
        self.by_key.insert(key.clone(), id.clone());
        self.order.push(id.clone());
        let mut client = HubClient::new(id.clone(), Some(key.clone()));
        client.web = web;
        self.clients.insert(id.clone(), client);
        (id, key)
    }

    pub(crate) fn remove(&mut self, id: &str) -> Option<HubClient> {
        let client = self.clients.remove(id)?;
        if let Some(key) = &client.key {
            self.by_key.remove(key);
        }
        self.order.retain(|v| v.as_str() != id);
        Some(client)
    }

    /// The public id of the client holding `key`.
    pub(crate) fn by_key(&self, key: &PrivateKey) -> Option<&ClientId> {
        self.by_key.get(key.expose())
    }

    pub(crate) fn get(&self, id: &str) -> Option<&HubClient> {
        self.clients.get(id)
    }

    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut HubClient> {
        self.clients.get_mut(id)
    }

    /// Every client, in registration order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &HubClient> {
        self.order.iter().filter_map(|id| self.clients.get(id))
    }

    /// The clients other than `sender` that would receive `mtype` from it (SAMP 1.3 §5.1;
    /// a `restricted` web sender only reaches subscriptions it may send to), with their
    /// subscription's annotation: who a broadcast reaches.
    pub(crate) fn subscribers<'t>(
        &'t self,
        sender: &'t ClientId,
        mtype: &'t str,
        restricted: bool,
    ) -> impl Iterator<Item = (&'t HubClient, &'t Map)> {
        self.iter()
            .filter(move |c| c.id != *sender)
            .filter_map(move |c| c.accepts_from(mtype, restricted).map(|a| (c, a)))
    }

    /// Number of clients, the hub's own included.
    pub(crate) fn len(&self) -> usize {
        self.clients.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_not_reused_and_keys_find_their_client() {
        let mut t = ClientTable::new(HubClient::new(ClientId::new("hub"), None));
        let (c1, k1) = t.add(None);
        let (c2, _) = t.add(None);
        assert_eq!((c1.as_str(), c2.as_str()), ("c1", "c2"));
        assert_eq!(t.by_key(&k1), Some(&c1));
        assert!(t.remove("c1").is_some());
        assert_eq!(t.by_key(&k1), None);
        let (c3, _) = t.add(None);
        assert_eq!(c3.as_str(), "c3");
        let ids: Vec<_> = t.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["hub", "c2", "c3"]);
        assert_eq!(t.len(), 3);
    }

    #[test]
    fn the_most_specific_subscription_answers() {
        let mut c = HubClient::new(ClientId::new("c1"), None);
        let mut subs = Subscriptions::new();
        for (p, tag) in [
            ("*", "any"),
            ("table.*", "table"),
            ("table.load.votable", "exact"),
        ] {
            let mut a = Map::new();
            a.insert("tag".into(), tag.into());
            subs.insert(MTypePattern::parse(p).unwrap(), a);
        }
        c.set_subscriptions(subs);
        let tag = |m: &str| {
            c.annotation(m)
                .map(|a| a["tag"].as_str().unwrap().to_owned())
        };
        assert_eq!(tag("table.load.votable").as_deref(), Some("exact"));
        assert_eq!(tag("table.x").as_deref(), Some("table"));
        assert_eq!(tag("coord.pointAt.sky").as_deref(), Some("any"));
    }
}
