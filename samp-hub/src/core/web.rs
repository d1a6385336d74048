//! What only Web Profile clients do: join (once their front end has the user's consent),
//! turn callbacks on and off, pull them, and have URLs translated.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use samp_protocol::names::mtype;
use samp_protocol::{ClientId, PrivateKey, RegInfo, Secret, Value};
use tracing::{debug, info, warn};

use super::{Caller, HubCore, Op, Refusal, State, What, hub_event, params};
use crate::clients::{Via, WebIdentity};
use crate::delivery::{Outbox, WebQueue};
use crate::hub_client::HUB_ID;

impl HubCore {
    /// Registers an approved web client; returns its reg-info and its translator token.
    pub(crate) fn register_web(&self, name: &str, origin: Option<&str>) -> Op<(RegInfo, Secret)> {
        let max = self.config.web.as_ref().map_or(0, |w| w.max_clients);
        let mut state = self.lock();
        if state.closed {
            return Err(Refusal::new("the hub is shutting down"));
        }
        let web_clients = state.clients.iter().filter(|c| c.via() == Via::Web).count();
        if web_clients >= max {
            return Err(Refusal::new(format!(
                "{web_clients} web clients are registered, the most this hub allows"
            )));
        }
        let translator = Secret::generate();
        let identity = WebIdentity {
            name: name.to_owned(),
            origin: origin.map(str::to_owned),
            translator: translator.clone(),
        };
        let (id, key) = state.clients.add(Some(identity));
        hub_event(
            &mut state,
            mtype::HUB_EVENT_REGISTER,
            params([("id", Value::from(&id))]),
            None,
        );
        let from = format!("Web Profile, {}", origin.unwrap_or("no origin"));
        self.record(&mut state, What::Register, &id, None, "", from);
        drop(state);
        info!(client = %id, %name, origin = origin.unwrap_or("(none)"), "web client registered");
        Ok((RegInfo::new(ClientId::new(HUB_ID), id, key), translator))
    }

    /// `allowReverseCallbacks`: starts queueing callbacks for the client, or stops (what is
    /// queued then is answered as undelivered).
    pub(crate) fn allow_callbacks(&self, caller: Caller<'_>, allow: bool) -> Op<()> {
        let ctx = self.delivery.clone();
        let mut state = self.lock();
        let client = state.caller_mut(caller)?;
        match (&client.outbox, allow) {
            (Some(_), true) | (None, false) => {}
            (None, true) => {
                let queue = WebQueue::new(ctx, client.id.clone());
                client.outbox = Some(Outbox::Web(queue));
            }
            (Some(outbox), false) => {
                outbox.close();
                client.outbox = None;
            }
        }
        Ok(())
    }

    /// The queue `pullCallbacks` waits on. For a web client that has just left, its retired
    /// queue, which holds the poll for its time and then ends it with an empty list.
    pub(crate) fn web_queue(&self, caller: Caller<'_>) -> Op<Arc<WebQueue>> {
        let mut state = self.lock();
        let id = match state.caller(caller) {
            Ok(id) => id,
            Err(refusal) => {
                return match state.departed.queue(caller.key) {
                    Some(queue) => {
                        debug!("a poll from a web client that has just left: held, then empty");
                        Ok(queue)
                    }
                    None => Err(refusal),
                };
            }
        };
        match state.client(id.as_str())?.outbox.as_ref() {
            Some(Outbox::Web(queue)) => Ok(queue.clone()),
            _ => Err(Refusal::new(format!(
                "client {id} is not callable; call samp.webhub.allowReverseCallbacks first"
            ))),
        }
    }

    /// Whether the web client holding translator `token` may have `url` fetched: the token
    /// must be a registered web client's, the URL one the hub handed to web clients.
    pub(crate) fn may_translate(&self, token: &str, url: &str) -> Result<(), Untranslatable> {
        let state = self.lock();
        let known = state
            .clients
            .iter()
            .any(|c| c.web.as_ref().is_some_and(|w| w.translator.matches(token)));
        if !known {
            return Err(Untranslatable::UnknownClient);
        }
        if state.urls.permits(url) {
            Ok(())
        } else {
            Err(Untranslatable::NotHanded)
        }
    }

    /// Removes callable web clients that have not polled for the configured time: their
    /// page is gone without unregistering.
    pub(super) fn remove_idle_web_clients(&self, state: &mut State) {
        let Some(limit) = self.config.web.as_ref().map(|w| w.idle_eject) else {
            return;
        };
        let idle: Vec<(ClientId, String, f64)> = state
            .clients
            .iter()
            .filter_map(|c| match (&c.outbox, &c.web) {
                (Some(Outbox::Web(queue)), Some(web)) => {
                    let idle = queue.idle_for();
                    let who = format!(
                        "{:?} from {}",
                        web.name,
                        web.origin.as_deref().unwrap_or("no origin")
                    );
                    (idle > limit).then(|| (c.id.clone(), who, idle.as_secs_f64()))
                }
                _ => None,
            })
            .collect();
        for (id, who, secs) in idle {
            warn!(client = %id, %who, idle_s = secs, "web client stopped polling; removed");
            self.remove_client(state, id.as_str(), "it stopped polling for callbacks");
        }
    }
}

/// Why the translator will not fetch a URL.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Untranslatable {
    /// The token is no registered web client's.
    UnknownClient,
    /// No Standard Profile client handed this URL to a web client.
    NotHanded,
}

/// Web clients that left lately, by key. A web client's poller can race its own unregister
/// (JSAMP's does: it registers, turns callbacks on and unregisters while its first
/// `pullCallbacks` is on its way). A poll that arrives just after gets what a poll parked
/// just before gets: held for its time, then an empty list, not an "unknown key" fault
/// (which JSAMP's client takes for a broken hub). Bounded in time and number.
#[derive(Default)]
pub(super) struct DepartedPollers {
    recent: VecDeque<(PrivateKey, Instant, Arc<WebQueue>)>,
}

/// How long a departed web client's key still gets the empty answer.
const DEPARTED_FOR: Duration = Duration::from_secs(60);
/// Most departed web clients remembered.
const DEPARTED_MAX: usize = 256;

impl DepartedPollers {
    /// Remembers a web client that has left, with its (retired) queue.
    pub(super) fn add(&mut self, key: PrivateKey, queue: Arc<WebQueue>) {
        self.forget_old();
        if self.recent.len() == DEPARTED_MAX {
            self.recent.pop_front();
        }
        self.recent.push_back((key, Instant::now(), queue));
    }

    /// The retired queue of a web client that left within the last minute.
    fn queue(&mut self, key: &PrivateKey) -> Option<Arc<WebQueue>> {
        self.forget_old();
        self.recent
            .iter()
            .find(|(k, _, _)| k.expose() == key.expose())
            .map(|(_, _, queue)| queue.clone())
    }

    fn forget_old(&mut self) {
        while let Some((_, left, _)) = self.recent.front()
            && left.elapsed() > DEPARTED_FOR
        {
            self.recent.pop_front();
        }
    }
}
