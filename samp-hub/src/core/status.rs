//! What the status page reads: the clients as they are now, and the activity log, with a
//! wait for news that parks a future, not a thread.

use std::time::{Duration, SystemTime};

use samp_protocol::names::metadata;

use super::{Counters, Entry, HubCore};
use crate::clients::Via;

/// One client, as the status page shows it.
#[derive(Clone, Debug)]
pub(crate) struct ClientView {
    pub(crate) id: String,
    pub(crate) name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) icon: Option<String>,
    pub(crate) profile: &'static str,
    pub(crate) callable: bool,
    pub(crate) subscriptions: Vec<String>,
}

/// The page's view of the hub at one moment.
#[derive(Clone, Debug)]
pub(crate) struct StatusSnapshot {
    pub(crate) hub_name: String,
    pub(crate) started: SystemTime,
    pub(crate) clients: Vec<ClientView>,
    pub(crate) counters: Counters,
    /// Log entries after the point asked for, oldest first.
    pub(crate) entries: Vec<Entry>,
    pub(crate) last_seq: u64,
    pub(crate) clients_version: u64,
}

impl HubCore {
    /// The clients and counters now, and the log after `after`.
    pub(crate) fn status(&self, after: u64) -> StatusSnapshot {
        let state = self.lock();
        let clients = state
            .clients
            .iter()
            .map(|c| {
                let text = |key: &str| {
                    c.metadata
                        .get(key)
                        .and_then(|v| v.as_str())
                        .map(str::to_owned)
                };
                ClientView {
                    id: c.id.to_string(),
                    name: text(metadata::NAME),
                    description: text(metadata::DESCRIPTION_TEXT),
                    icon: text(metadata::ICON_URL),
                    profile: match (c.key.is_some(), c.via()) {
                        (false, _) => "hub",
                        (true, Via::Standard) => "Standard",
                        (true, Via::Web) => "Web",
                    },
                    callable: c.is_callable(),
                    subscriptions: c
                        .subscriptions()
                        .iter()
                        .map(|(p, _)| p.as_str().to_owned())
                        .collect(),
                }
            })
            .collect();
        StatusSnapshot {
            hub_name: self.config.name.clone(),
            started: self.started,
            clients,
            counters: state.activity.counters,
            entries: state.activity.after(after),
            last_seq: state.activity.last_seq(),
            clients_version: state.activity.clients_version,
        }
    }

    /// Waits (at most `wait`) until the log has entries after `after` or the client list
    /// is no longer at `clients_version`, then returns the status.
    pub(crate) async fn status_news(
        &self,
        after: u64,
        clients_version: u64,
        wait: Duration,
    ) -> StatusSnapshot {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let changed = self.activity_changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            {
                let state = self.lock();
                if state.activity.last_seq() > after
                    || state.activity.clients_version != clients_version
                {
                    drop(state);
                    return self.status(after);
                }
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return self.status(after);
            }
        }
    }
}
