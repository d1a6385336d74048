//! Notifications, calls and replies (SAMP 1.3 §3.11, routing per §5.1).

use std::sync::Arc;
use std::time::Duration;

use samp_protocol::{ClientId, Message, MsgId, MsgTag, PrivateKey, Response, encoding};
use tokio::sync::oneshot;
use tracing::{debug, warn};

use super::{HubCore, Op, Refusal, State, send_response};
use crate::clients::HubClient;
use crate::delivery::Delivery;
use crate::hub_client::{self, HUB_ID};
use crate::pending::ReplyTo;
use crate::validation;

impl State {
    /// The recipient of a directed send, checked as §5.1 requires: registered, callable,
    /// subscribed.
    fn recipient(&self, to: &ClientId, mtype: &str) -> Op<&HubClient> {
        let client = self.client(to.as_str())?;
        if !client.is_callable() {
            return Err(Refusal::new(format!("client {to} is not callable")));
        }
        if client.annotation(mtype).is_none() {
            return Err(Refusal::new(format!(
                "client {to} is not subscribed to {mtype}"
            )));
        }
        Ok(client)
    }

    /// A sender of asynchronous calls must be able to receive the responses.
    fn check_can_receive_response(&self, me: &ClientId) -> Op<()> {
        match self.clients.get(me.as_str()) {
            Some(c) if c.is_callable() => Ok(()),
            _ => Err(Refusal::new(format!(
                "client {me} is not callable, so it cannot receive the response; use callAndWait or call setXmlrpcCallback first"
            ))),
        }
    }

    /// Starts one call: records it and hands it to the recipient (or answers it, for the
    /// hub's own client).
    fn dispatch_call(
        &mut self,
        sender: &ClientId,
        to: &ClientId,
        message: &Arc<Message>,
        reply_to: ReplyTo,
    ) -> MsgId {
        let msg_id = self.pending.insert(sender, to, reply_to);
        let outbox = self
            .clients
            .get(to.as_str())
            .and_then(|c| c.outbox.as_ref());
        match outbox {
            Some(outbox) => outbox.push(Delivery::Call {
                sender: sender.clone(),
                msg_id: msg_id.clone(),
                message: message.clone(),
            }),
            None => {
                let response = hub_client::answer(&self.clients, message);
                self.complete(&msg_id, &ClientId::new(HUB_ID), response);
            }
        }
        msg_id
    }

    /// Routes a response to whoever waits for it. False if nobody can receive it any more.
    fn complete(&mut self, msg_id: &MsgId, responder: &ClientId, response: Response) -> bool {
        let Some(p) = self.pending.remove(msg_id.as_str()) else {
            return false;
        };
        match p.reply_to {
            ReplyTo::Sync(tx) => tx.send(Ok(response)).is_ok(),
            ReplyTo::Async { tag } => {
                let sent = send_response(self, &p.sender, responder.clone(), tag, response);
                if !sent {
                    warn!(%msg_id, sender = %p.sender, "response lost: its sender is gone");
                }
                sent
            }
        }
    }
}

impl HubCore {
    pub(crate) fn notify(&self, key: &PrivateKey, to: &ClientId, message: Message) -> Op<()> {
        validation::check_message(&message).map_err(Refusal)?;
        let state = self.lock();
        let me = state.caller(key)?;
        let client = state.recipient(to, &message.mtype)?;
        // Notifications to the hub's own client (samp.app.ping) need no action.
        if let Some(outbox) = &client.outbox {
            outbox.push(Delivery::Notify {
                sender: me,
                message: Arc::new(message),
            });
        }
        Ok(())
    }

    /// Returns the recipients.
    pub(crate) fn notify_all(&self, key: &PrivateKey, message: Message) -> Op<Vec<ClientId>> {
        validation::check_message(&message).map_err(Refusal)?;
        let state = self.lock();
        let me = state.caller(key)?;
        let message = Arc::new(message);
        let mut recipients = Vec::new();
        for client in state.clients.iter() {
            if client.id == me || client.accepts(&message.mtype).is_none() {
                continue;
            }
            if let Some(outbox) = &client.outbox {
                outbox.push(Delivery::Notify {
                    sender: me.clone(),
                    message: message.clone(),
                });
            }
            recipients.push(client.id.clone());
        }
        Ok(recipients)
    }

    /// Returns the msg-id.
    pub(crate) fn call(
        &self,
        key: &PrivateKey,
        to: &ClientId,
        tag: MsgTag,
        message: Message,
    ) -> Op<MsgId> {
        validation::check_message(&message).map_err(Refusal)?;
        let mut state = self.lock();
        let me = state.caller(key)?;
        state.recipient(to, &message.mtype)?;
        state.check_can_receive_response(&me)?;
        Ok(state.dispatch_call(&me, to, &Arc::new(message), ReplyTo::Async { tag }))
    }

    /// Returns recipient → msg-id.
    pub(crate) fn call_all(
        &self,
        key: &PrivateKey,
        tag: MsgTag,
        message: Message,
    ) -> Op<Vec<(ClientId, MsgId)>> {
        validation::check_message(&message).map_err(Refusal)?;
        let mut state = self.lock();
        let me = state.caller(key)?;
        state.check_can_receive_response(&me)?;
        let targets: Vec<ClientId> = state
            .clients
            .iter()
            .filter(|c| c.id != me && c.accepts(&message.mtype).is_some())
            .map(|c| c.id.clone())
            .collect();
        let message = Arc::new(message);
        let ids = targets
            .into_iter()
            .map(|to| {
                let reply_to = ReplyTo::Async { tag: tag.clone() };
                let msg_id = state.dispatch_call(&me, &to, &message, reply_to);
                (to, msg_id)
            })
            .collect();
        Ok(ids)
    }

    /// Parks until the response, the timeout, or the recipient's departure; holds no
    /// worker while it waits.
    pub(crate) async fn call_and_wait(
        &self,
        key: &PrivateKey,
        to: &ClientId,
        message: Message,
        timeout: &str,
    ) -> Op<Response> {
        validation::check_message(&message).map_err(Refusal)?;
        let secs =
            encoding::parse_int(timeout).map_err(|e| Refusal::new(format!("timeout: {e}")))?;
        let cap = self.config.max_call_wait;
        let wait = if secs <= 0 {
            cap
        } else {
            Duration::from_secs(secs as u64).min(cap)
        };
        let (tx, rx) = oneshot::channel();
        let msg_id = {
            let mut state = self.lock();
            let me = state.caller(key)?;
            state.recipient(to, &message.mtype)?;
            state.dispatch_call(&me, to, &Arc::new(message), ReplyTo::Sync(tx))
        };
        // However the wait ends (answered, timed out, or the caller hung up and this future
        // was dropped), the call leaves the table, so a late reply is refused.
        let _forget = ForgetOnDrop {
            core: self,
            msg_id: &msg_id,
        };
        match tokio::time::timeout(wait, rx).await {
            Ok(Ok(answer)) => answer.map_err(Refusal),
            Ok(Err(_)) => Err(Refusal::new("the hub dropped the call (shutting down)")),
            Err(_) => {
                debug!(%msg_id, "callAndWait timed out");
                Err(Refusal::new(format!(
                    "no reply from {to} within {} s",
                    wait.as_secs_f64()
                )))
            }
        }
    }

    pub(crate) fn reply(&self, key: &PrivateKey, msg_id: &MsgId, response: Response) -> Op<()> {
        validation::check_response(&response).map_err(Refusal)?;
        let mut state = self.lock();
        let me = state.caller(key)?;
        match state.pending.get(msg_id.as_str()) {
            None => {
                return Err(Refusal::new(format!(
                    "no call awaits a reply with msg-id {:?} (already answered, timed out, or its sender left)",
                    msg_id.as_str()
                )));
            }
            Some(p) if p.recipient != me => {
                return Err(Refusal::new(format!(
                    "msg-id {:?} was not sent to {me}",
                    msg_id.as_str()
                )));
            }
            Some(_) => {}
        }
        if !state.complete(msg_id, &me, response) {
            return Err(Refusal::new(format!(
                "the sender of {:?} is no longer callable; response not delivered",
                msg_id.as_str()
            )));
        }
        Ok(())
    }
}

/// Removes a `callAndWait` entry from the pending table when dropped.
struct ForgetOnDrop<'a> {
    core: &'a HubCore,
    msg_id: &'a MsgId,
}

impl Drop for ForgetOnDrop<'_> {
    fn drop(&mut self) {
        self.core.lock().pending.remove(self.msg_id.as_str());
    }
}
