//! A synchronous broadcast: `callAndWait` has no broadcast form, so one call per
//! subscribed client, in parallel, the answers taken as they come. This is what JSAMP's
//! `messagesender -mode sync` does without a target.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use samp_protocol::{ClientId, IntoMessage, Response};
use tokio::task::{Id, JoinSet};

use super::Client;
use crate::error::{Error, Result};

/// The answers to [`Client::call_and_wait_all`], as they come. Dropping it gives up on the
/// calls not yet answered.
pub struct SyncResponses {
    calls: JoinSet<(ClientId, Result<Response>)>,
    /// Which call each task makes, to name the recipient should a task fail.
    tasks: HashMap<Id, ClientId>,
    recipients: Vec<ClientId>,
}

impl SyncResponses {
    /// Everyone called: the clients subscribed to the MType when the calls were made.
    pub fn recipients(&self) -> &[ClientId] {
        &self.recipients
    }

    /// The next answer with its recipient (a response, or why there is none, such as
    /// [`Error::Timeout`]), or `None` once every recipient has had its turn.
    pub async fn next(&mut self) -> Option<(ClientId, Result<Response>)> {
        match self.calls.join_next_with_id().await? {
            Ok((_, answer)) => Some(answer),
            Err(failed) => {
                let id = self.tasks.get(&failed.id()).cloned()?;
                Some((id, Err(Error::other(failed))))
            }
        }
    }

    /// Waits for every answer.
    pub async fn collect_all(mut self) -> BTreeMap<ClientId, Result<Response>> {
        let mut all = BTreeMap::new();
        while let Some((id, answer)) = self.next().await {
            all.insert(id, answer);
        }
        all
    }
}

impl Client {
    /// Calls every client subscribed to the message's MType and waits for each response
    /// (`samp.hub.callAndWait` to each, in parallel, so non-callable clients can use it).
    /// A recipient that does not answer within `timeout` gives [`Error::Timeout`].
    ///
    /// ```no_run
    /// # async fn demo(client: samp_runtime::Client) -> samp_runtime::Result<()> {
    /// use std::time::Duration;
    /// use samp_runtime::protocol::Message;
    /// let mut answers = client
    ///     .call_and_wait_all(Message::new("samp.app.ping"), Duration::from_secs(5))
    ///     .await?;
    /// while let Some((id, answer)) = answers.next().await {
    ///     match answer {
    ///         Ok(response) => println!("{id}: {}", response.status),
    ///         Err(e) => println!("{id}: {e}"),
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn call_and_wait_all(
        &self,
        message: impl IntoMessage,
        timeout: Duration,
    ) -> Result<SyncResponses> {
        let message = message.into_message()?;
        let recipients: Vec<ClientId> = self
            .subscribed_clients(&message.mtype)
            .await?
            .into_keys()
            .collect();
        let mut calls = JoinSet::new();
        let mut tasks = HashMap::new();
        for to in &recipients {
            let (client, message, to) = (self.clone(), message.clone(), to.clone());
            let id = to.clone();
            let handle = calls.spawn(async move {
                let answer = client.call_and_wait(&to, message, timeout).await;
                (to, answer)
            });
            tasks.insert(handle.id(), id);
        }
        Ok(SyncResponses {
            calls,
            tasks,
            recipients,
        })
    }
}
