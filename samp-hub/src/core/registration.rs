//! Joining and leaving, metadata, subscriptions, and the queries about other clients.

use samp_protocol::names::mtype;
use samp_protocol::web::web_sender_may_send;
use samp_protocol::{ClientId, Map, Metadata, RegInfo, Secret, Subscriptions, Value};
use tracing::{debug, info, warn};

use super::{Caller, HubCore, Op, Refusal, State, What, hub_event, params};
use crate::clients::{HubClient, Via};
use crate::delivery::{HttpOutbox, Outbox};
use crate::hub_client::HUB_ID;
use crate::validation;

impl State {
    /// The caller's public id: its key must be registered, through the same profile.
    pub(super) fn caller(&self, caller: Caller<'_>) -> Op<ClientId> {
        let id = self
            .clients
            .by_key(caller.key)
            .ok_or_else(|| Refusal::new("unknown private key (not registered, or unregistered)"))?;
        match self.clients.get(id.as_str()) {
            Some(c) if c.via() == caller.via => Ok(id.clone()),
            Some(c) => Err(Refusal::new(format!(
                "this private key belongs to a {} Profile client, which must call the hub through that profile",
                match c.via() {
                    Via::Standard => "Standard",
                    Via::Web => "Web",
                }
            ))),
            None => Err(Refusal::new("the caller left meanwhile")),
        }
    }

    /// The registered client `id`.
    pub(super) fn client(&self, id: &str) -> Op<&HubClient> {
        self.clients
            .get(id)
            .ok_or_else(|| Refusal::new(format!("no registered client {id:?}")))
    }

    /// The caller's own entry.
    pub(super) fn caller_mut(&mut self, caller: Caller<'_>) -> Op<&mut HubClient> {
        let id = self.caller(caller)?;
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
        let (id, key) = state.clients.add(None);
        hub_event(
            &mut state,
            mtype::HUB_EVENT_REGISTER,
            params([("id", Value::from(&id))]),
            None,
        );
        self.record(
            &mut state,
            What::Register,
            &id,
            None,
            "",
            "Standard Profile",
        );
        drop(state);
        info!(client = %id, "registered");
        Ok(RegInfo::new(ClientId::new(HUB_ID), id, key))
    }

    pub(crate) fn unregister(&self, caller: Caller<'_>) -> Op<()> {
        let mut state = self.lock();
        let id = state.caller(caller)?;
        self.remove_client(&mut state, id.as_str(), "it unregistered");
        drop(state);
        info!(client = %id, "unregistered");
        Ok(())
    }

    pub(crate) fn set_callback(&self, caller: Caller<'_>, url: &str) -> Op<()> {
        validation::check_callback_url(url).map_err(Refusal)?;
        let ctx = self.delivery.clone();
        let mut state = self.lock();
        let client = state.caller_mut(caller)?;
        match &client.outbox {
            Some(Outbox::Http(outbox)) => outbox.set_url(url),
            Some(Outbox::Web(_)) => return Err(Refusal::new("a web client has no callback URL")),
            None => {
                let key = caller.key.clone();
                let outbox = HttpOutbox::start(ctx, client.id.clone(), key, url.to_owned());
                client.outbox = Some(Outbox::Http(outbox));
            }
        }
        debug!(client = %client.id, %url, "callback set");
        Ok(())
    }

    pub(crate) fn declare_metadata(&self, caller: Caller<'_>, metadata: Map) -> Op<()> {
        let mut state = self.lock();
        if caller.via == Via::Web {
            state.urls.note_from_web(&metadata);
        }
        let client = state.caller_mut(caller)?;
        client.metadata = Metadata::from(metadata.clone());
        let id = Value::from(&client.id);
        state.activity.clients_changed();
        self.activity_changed.notify_waiters();
        hub_event(
            &mut state,
            mtype::HUB_EVENT_METADATA,
            params([("id", id), ("metadata", Value::Map(metadata))]),
            None,
        );
        Ok(())
    }

    pub(crate) fn get_metadata(&self, caller: Caller<'_>, of: &ClientId) -> Op<Metadata> {
        let mut state = self.lock();
        state.caller(caller)?;
        let client = state.client(of.as_str())?;
        let metadata = client.metadata.clone();
        if caller.via == Via::Web && client.via() == Via::Standard {
            state.urls.note_to_web(metadata.as_map());
        }
        Ok(metadata)
    }

    pub(crate) fn declare_subscriptions(&self, caller: Caller<'_>, declared: Map) -> Op<()> {
        let subscriptions = validation::subscriptions(declared).map_err(Refusal)?;
        let mut state = self.lock();
        let client = state.caller_mut(caller)?;
        if client.outbox.is_none() {
            let how = match caller.via {
                Via::Standard => "samp.hub.setXmlrpcCallback",
                Via::Web => "samp.webhub.allowReverseCallbacks",
            };
            return Err(Refusal::new(format!(
                "client {} is not callable; call {how} first",
                client.id
            )));
        }
        let id = Value::from(&client.id);
        let web_view = self.restrict_web.then(|| {
            params([
                ("id", id.clone()),
                ("subscriptions", web_view(&subscriptions).to_value()),
            ])
        });
        let event = params([("id", id), ("subscriptions", subscriptions.to_value())]);
        client.set_subscriptions(subscriptions);
        state.activity.clients_changed();
        self.activity_changed.notify_waiters();
        hub_event(&mut state, mtype::HUB_EVENT_SUBSCRIPTIONS, event, web_view);
        Ok(())
    }

    /// A client's subscriptions, as far as the caller may send to them.
    pub(crate) fn get_subscriptions(&self, caller: Caller<'_>, of: &ClientId) -> Op<Subscriptions> {
        let state = self.lock();
        state.caller(caller)?;
        let subscriptions = state.client(of.as_str())?.subscriptions();
        Ok(if self.restricted(caller.via) {
            web_view(subscriptions)
        } else {
            subscriptions.clone()
        })
    }

    /// Every client but the caller, the hub's own included, in registration order.
    pub(crate) fn get_registered_clients(&self, caller: Caller<'_>) -> Op<Vec<ClientId>> {
        let state = self.lock();
        let me = state.caller(caller)?;
        Ok(state
            .clients
            .iter()
            .filter(|c| c.id != me)
            .map(|c| c.id.clone())
            .collect())
    }

    /// The other clients that would receive `mtype` from the caller, with their
    /// subscription's annotations.
    pub(crate) fn get_subscribed_clients(
        &self,
        caller: Caller<'_>,
        mtype: &str,
    ) -> Op<Vec<(ClientId, Map)>> {
        let state = self.lock();
        let me = state.caller(caller)?;
        let restricted = self.restricted(caller.via);
        Ok(state
            .clients
            .subscribers(&me, mtype, restricted)
            .map(|(c, annotation)| (c.id.clone(), annotation.clone()))
            .collect())
    }
}

/// What a restricted web sender sees of `subscriptions`: the patterns it may send to.
fn web_view(subscriptions: &Subscriptions) -> Subscriptions {
    let mut view = Subscriptions::new();
    for (pattern, annotation) in subscriptions.iter() {
        if web_sender_may_send(pattern.as_str(), annotation) {
            view.insert(pattern.clone(), annotation.clone());
        }
    }
    view
}
