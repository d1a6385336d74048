//! Notifications, calls and replies (SAMP 1.3 §3.11, routing per §5.1), within each
//! recipient's caps: a directed send past them is refused with a fault naming the
//! recipient and its backlog; a broadcast leaves that recipient out.

use std::sync::Arc;
use std::time::Duration;

use samp_protocol::web::web_sender_may_send;
use samp_protocol::{ClientId, MsgId, MsgTag, RawMessage, Response, encoding};
use tokio::sync::oneshot;
use tracing::{debug, warn};

use super::{Caller, HubCore, Op, Refusal, State, What, queue_to, send_response};
use crate::clients::{HubClient, Via};
use crate::delivery::{Admit, Delivery};
use crate::hub_client::{self, HUB_ID};
use crate::pending::ReplyTo;
use crate::validation;

impl State {
    /// The recipient of a directed send, checked as §5.1 requires: registered, callable,
    /// subscribed (for a `restricted` web sender: to an MType it may send).
    fn recipient(&self, to: &ClientId, mtype: &str, restricted: bool) -> Op<&HubClient> {
        let client = self.client(to.as_str())?;
        if !client.is_callable() {
            return Err(Refusal::new(format!("client {to} is not callable")));
        }
        let Some(annotation) = client.annotation(mtype) else {
            return Err(Refusal::new(format!(
                "client {to} is not subscribed to {mtype}"
            )));
        };
        if restricted && !web_sender_may_send(mtype, annotation) {
            return Err(Refusal::new(format!(
                "client {to} is not subscribed to {mtype} for web clients: this hub lets web pages send only safe MTypes unless the recipient's subscription is marked x-samp.mostly-harmless"
            )));
        }
        Ok(client)
    }

    /// A sender of asynchronous calls must be able to receive the responses.
    fn check_can_receive_response(&self, me: &ClientId) -> Op<()> {
        match self.clients.get(me.as_str()) {
            Some(c) if c.is_callable() => Ok(()),
            Some(c) if c.via() == Via::Web => Err(Refusal::new(format!(
                "client {me} is not callable, so it cannot receive the response; use callAndWait or call allowReverseCallbacks first"
            ))),
            _ => Err(Refusal::new(format!(
                "client {me} is not callable, so it cannot receive the response; use callAndWait or call setXmlrpcCallback first"
            ))),
        }
    }

    /// Queues a notification for `to`; the refusal names it and its backlog.
    fn notify_one(
        &mut self,
        sender: &ClientId,
        from_web: bool,
        to: &ClientId,
        message: &Arc<RawMessage>,
    ) -> Op<()> {
        let State { clients, urls, .. } = self;
        let Some(client) = clients.get(to.as_str()) else {
            return Err(Refusal::new(format!("no registered client {to:?}")));
        };
        let delivery = Delivery::Notify {
            sender: sender.clone(),
            message: message.clone(),
        };
        match queue_to(urls, client, from_web, delivery, Admit::New) {
            // The hub's own client (samp.app.ping) needs no action.
            None | Some(Ok(())) => Ok(()),
            Some(Err(full)) => Err(Refusal::new(format!(
                "client {to} cannot take more: {full}"
            ))),
        }
    }

    /// Starts one call: records it and hands it to the recipient (or answers it, for the
    /// hub's own client). Refused past the recipient's caps.
    fn dispatch_call(
        &mut self,
        sender: &ClientId,
        from_web: bool,
        to: &ClientId,
        message: &Arc<RawMessage>,
        reply_to: ReplyTo,
        max_unanswered: usize,
    ) -> Op<MsgId> {
        let open = self.pending.unanswered_by(to);
        if open >= max_unanswered {
            return Err(Refusal::new(format!(
                "client {to} cannot take more: {open} calls to it are still unanswered, the most the hub keeps open for one client"
            )));
        }
        let msg_id = self.pending.insert(sender, to, message.mtype(), reply_to);
        let delivery = Delivery::Call {
            sender: sender.clone(),
            msg_id: msg_id.clone(),
            message: message.clone(),
        };
        let State { clients, urls, .. } = self;
        let queued = clients
            .get(to.as_str())
            .and_then(|c| queue_to(urls, c, from_web, delivery, Admit::New));
        match queued {
            Some(Ok(())) => {}
            Some(Err(full)) => {
                self.pending.remove(msg_id.as_str());
                return Err(Refusal::new(format!(
                    "client {to} cannot take more: {full}"
                )));
            }
            None => {
                let response = hub_client::answer(&self.clients, message);
                self.complete(&msg_id, &ClientId::new(HUB_ID), response);
            }
        }
        Ok(msg_id)
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
    /// Checks a message before routing; notes the URLs a web sender mentions.
    fn accept(&self, state: &mut State, caller: Caller<'_>, message: &RawMessage) -> Op<ClientId> {
        let me = state.caller(caller)?;
        if caller.via == Via::Web {
            state.urls.note_from_web(message);
        }
        Ok(me)
    }

    pub(crate) fn notify(&self, caller: Caller<'_>, to: &ClientId, message: RawMessage) -> Op<()> {
        validation::check_message(&message).map_err(Refusal)?;
        let mut state = self.lock();
        let me = self.accept(&mut state, caller, &message)?;
        state.recipient(to, message.mtype(), self.restricted(caller.via))?;
        let message = Arc::new(message);
        state.notify_one(&me, caller.via == Via::Web, to, &message)?;
        self.record(
            &mut state,
            What::Notify,
            &me,
            Some(to),
            message.mtype(),
            "notified",
        );
        Ok(())
    }

    /// Returns the recipients (those whose queues took it).
    pub(crate) fn notify_all(&self, caller: Caller<'_>, message: RawMessage) -> Op<Vec<ClientId>> {
        validation::check_message(&message).map_err(Refusal)?;
        let mut state = self.lock();
        let me = self.accept(&mut state, caller, &message)?;
        let restricted = self.restricted(caller.via);
        let targets: Vec<ClientId> = state
            .clients
            .subscribers(&me, message.mtype(), restricted)
            .map(|(c, _)| c.id.clone())
            .collect();
        let message = Arc::new(message);
        let mut recipients = Vec::with_capacity(targets.len());
        for to in targets {
            match state.notify_one(&me, caller.via == Via::Web, &to, &message) {
                Ok(()) => recipients.push(to),
                Err(Refusal(why)) => warn!(sender = %me, "notifyAll skipped a recipient: {why}"),
            }
        }
        let status = format!("notified {}", recipients.len());
        self.record(&mut state, What::Notify, &me, None, message.mtype(), status);
        Ok(recipients)
    }

    /// Returns the msg-id.
    pub(crate) fn call(
        &self,
        caller: Caller<'_>,
        to: &ClientId,
        tag: MsgTag,
        message: RawMessage,
    ) -> Op<MsgId> {
        validation::check_message(&message).map_err(Refusal)?;
        let mut state = self.lock();
        let me = self.accept(&mut state, caller, &message)?;
        state.recipient(to, message.mtype(), self.restricted(caller.via))?;
        state.check_can_receive_response(&me)?;
        let max = self.config.delivery.max_unanswered;
        let from_web = caller.via == Via::Web;
        state.dispatch_call(
            &me,
            from_web,
            to,
            &Arc::new(message),
            ReplyTo::Async { tag },
            max,
        )
    }

    /// Returns recipient → msg-id, for the recipients that took it.
    pub(crate) fn call_all(
        &self,
        caller: Caller<'_>,
        tag: MsgTag,
        message: RawMessage,
    ) -> Op<Vec<(ClientId, MsgId)>> {
        validation::check_message(&message).map_err(Refusal)?;
        let mut state = self.lock();
        let me = self.accept(&mut state, caller, &message)?;
        state.check_can_receive_response(&me)?;
        let restricted = self.restricted(caller.via);
        let targets: Vec<ClientId> = state
            .clients
            .subscribers(&me, message.mtype(), restricted)
            .map(|(c, _)| c.id.clone())
            .collect();
        let message = Arc::new(message);
        let max = self.config.delivery.max_unanswered;
        let mut ids = Vec::with_capacity(targets.len());
        for to in targets {
            let reply_to = ReplyTo::Async { tag: tag.clone() };
            match state.dispatch_call(&me, caller.via == Via::Web, &to, &message, reply_to, max) {
                Ok(msg_id) => ids.push((to, msg_id)),
                Err(Refusal(why)) => warn!(sender = %me, "callAll skipped a recipient: {why}"),
            }
        }
        let status = format!("called {}", ids.len());
        self.record(&mut state, What::Call, &me, None, message.mtype(), status);
        Ok(ids)
    }

    /// Parks until the response, the timeout, or the recipient's departure; holds no
    /// worker while it waits.
    pub(crate) async fn call_and_wait(
        &self,
        caller: Caller<'_>,
        to: &ClientId,
        message: RawMessage,
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
            let me = self.accept(&mut state, caller, &message)?;
            state.recipient(to, message.mtype(), self.restricted(caller.via))?;
            let waiting = state.pending.waiting_for(&me);
            if waiting >= self.config.max_waits_per_client {
                return Err(Refusal::new(format!(
                    "client {me} already has {waiting} callAndWait calls waiting, the most the hub allows one client"
                )));
            }
            let max = self.config.delivery.max_unanswered;
            let from_web = caller.via == Via::Web;
            state.dispatch_call(
                &me,
                from_web,
                to,
                &Arc::new(message),
                ReplyTo::Sync(tx),
                max,
            )?
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

    pub(crate) fn reply(&self, caller: Caller<'_>, msg_id: &MsgId, response: Response) -> Op<()> {
        validation::check_response(&response).map_err(Refusal)?;
        let mut state = self.lock();
        let me = state.caller(caller)?;
        if caller.via == Via::Web {
            state.urls.note_from_web(&response);
        }
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
            Some(p) => {
                let (to, mtype) = (p.sender.clone(), p.mtype.clone());
                let status = response.status.as_str();
                self.record(&mut state, What::Reply, &me, Some(&to), &mtype, status);
            }
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
