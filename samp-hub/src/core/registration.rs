//! Joining and leaving, metadata, subscriptions, and the queries about other clients.

use samp_protocol::names::mtype;
use samp_protocol::{ClientId, Map, Metadata, PrivateKey, RegInfo, Secret, Subscriptions, Value};
use tracing::{debug, info, warn};

use super::{HubCore, Op, Refusal, State, hub_event, params};
use crate::clients::HubClient;
use crate::delivery::Outbox;
use crate::hub_client::HUB_ID;
use crate::validation;

impl State {
    /// The caller's public id.
    pub(super) fn caller(&self, key: &PrivateKey) -> Op<ClientId> {
        self.clients
            .by_key(key)
            .cloned()
            .ok_or_else(|| Refusal::new("unknown private key (not registered, or unregistered)"))
    }

    /// The registered client `id`.
    pub(super) fn client(&self, id: &str) -> Op<&HubClient> {
        self.clients
            .get(id)
            .ok_or_else(|| Refusal::new(format!("no registered client {id:?}")))
    }

    /// The caller's own entry.
    fn caller_mut(&mut self, key: &PrivateKey) -> Op<&mut HubClient> {
        let id = self.caller(key)?;
        self.clients
            .get_mut(id.as_str())
            .ok_or_else(|| Refusal::new("the caller left meanwhile"))
    }
}

impl HubCore {
    pub(crate) fn register(&self, secret: &Secret) -> Op<RegInfo> {
        if !self.secret.matches(secret.expose()) {
            warn!("registration refused: wrong secret");
            return Err(Refusal::new("wrong samp.secret"));
        }
        let mut state = self.lock();
        if state.closed {
            return Err(Refusal::new("the hub is shutting down"));
        }
        let (id, key) = state.clients.add();
        hub_event(
            &mut state,
            mtype::HUB_EVENT_REGISTER,
            params([("id", Value::from(&id))]),
        );
        drop(state);
        info!(client = %id, "registered");
        Ok(RegInfo::new(ClientId::new(HUB_ID), id, key))
    }

    pub(crate) fn unregister(&self, key: &PrivateKey) -> Op<()> {
        let mut state = self.lock();
        let id = state.caller(key)?;
        self.remove_client(&mut state, id.as_str(), "it unregistered");
        drop(state);
        info!(client = %id, "unregistered");
        Ok(())
    }

    pub(crate) fn set_callback(&self, key: &PrivateKey, url: &str) -> Op<()> {
        validation::check_callback_url(url).map_err(Refusal)?;
        let ctx = self.delivery.clone();
        let mut state = self.lock();
        let client = state.caller_mut(key)?;
        match &client.outbox {
            Some(outbox) => outbox.set_url(url),
            None => {
                let outbox = Outbox::start(ctx, client.id.clone(), key.clone(), url.to_owned());
                client.outbox = Some(outbox);
            }
        }
        debug!(client = %client.id, %url, "callback set");
        Ok(())
    }

    pub(crate) fn declare_metadata(&self, key: &PrivateKey, metadata: Map) -> Op<()> {
        let mut state = self.lock();
        let client = state.caller_mut(key)?;
        client.metadata = Metadata::from(metadata.clone());
        let id = Value::from(&client.id);
        hub_event(
            &mut state,
            mtype::HUB_EVENT_METADATA,
            params([("id", id), ("metadata", Value::Map(metadata))]),
        );
        Ok(())
    }

    pub(crate) fn get_metadata(&self, key: &PrivateKey, of: &ClientId) -> Op<Metadata> {
        let state = self.lock();
        state.caller(key)?;
        Ok(state.client(of.as_str())?.metadata.clone())
    }

    pub(crate) fn declare_subscriptions(&self, key: &PrivateKey, declared: Map) -> Op<()> {
        let subscriptions = validation::subscriptions(declared).map_err(Refusal)?;
        let mut state = self.lock();
        let client = state.caller_mut(key)?;
        if client.outbox.is_none() {
            return Err(Refusal::new(format!(
                "client {} is not callable; call samp.hub.setXmlrpcCallback first",
                client.id
            )));
        }
        let event = params([
            ("id", Value::from(&client.id)),
            ("subscriptions", subscriptions.to_value()),
        ]);
        client.set_subscriptions(subscriptions);
        hub_event(&mut state, mtype::HUB_EVENT_SUBSCRIPTIONS, event);
        Ok(())
    }

    pub(crate) fn get_subscriptions(&self, key: &PrivateKey, of: &ClientId) -> Op<Subscriptions> {
        let state = self.lock();
        state.caller(key)?;
        Ok(state.client(of.as_str())?.subscriptions().clone())
    }

    /// Every client but the caller, the hub's own included, in registration order.
    pub(crate) fn get_registered_clients(&self, key: &PrivateKey) -> Op<Vec<ClientId>> {
        let state = self.lock();
        let me = state.caller(key)?;
        Ok(state
            .clients
            .iter()
            .filter(|c| c.id != me)
            .map(|c| c.id.clone())
            .collect())
    }

    /// The other clients that would receive `mtype`, with their subscription's annotations.
    pub(crate) fn get_subscribed_clients(
        &self,
        key: &PrivateKey,
        mtype: &str,
    ) -> Op<Vec<(ClientId, Map)>> {
        let state = self.lock();
        let me = state.caller(key)?;
        Ok(state
            .clients
            .iter()
            .filter(|c| c.id != me)
            .filter_map(|c| c.accepts(mtype).map(|a| (c.id.clone(), a.clone())))
            .collect())
    }
}
