//! Calls awaiting their reply: who sent each one, to whom, and where the response goes.

use std::collections::HashMap;
use std::time::Duration;

use samp_protocol::{ClientId, MsgId, MsgTag, Response};
use tokio::sync::oneshot;
use tokio::time::Instant;

/// The answer a waiting `callAndWait` gets: the response, or the text of the fault.
pub(crate) type SyncAnswer = Result<Response, String>;

/// Where a call's response goes.
pub(crate) enum ReplyTo {
    /// To the sender's `receiveResponse`, with the tag it chose.
    Async { tag: MsgTag },
    /// To the `callAndWait` parked on this channel.
    Sync(oneshot::Sender<SyncAnswer>),
}

/// One call in flight.
pub(crate) struct Pending {
    pub(crate) sender: ClientId,
    pub(crate) recipient: ClientId,
    pub(crate) reply_to: ReplyTo,
    pub(crate) since: Instant,
}

/// Every call in flight, by msg-id.
#[derive(Default)]
pub(crate) struct PendingCalls {
    calls: HashMap<MsgId, Pending>,
    issued: u64,
}

impl PendingCalls {
    /// Records a call and returns its fresh msg-id (`<sender>_m<n>`, never reused).
    pub(crate) fn insert(
        &mut self,
        sender: &ClientId,
        recipient: &ClientId,
        reply_to: ReplyTo,
    ) -> MsgId {
        self.issued += 1;
        let msg_id = MsgId::new(format!("{sender}_m{}", self.issued));
        self.calls.insert(
            msg_id.clone(),
            Pending {
                sender: sender.clone(),
                recipient: recipient.clone(),
                reply_to,
                since: Instant::now(),
            },
        );
        msg_id
    }

    pub(crate) fn get(&self, msg_id: &str) -> Option<&Pending> {
        self.calls.get(msg_id)
    }

    pub(crate) fn remove(&mut self, msg_id: &str) -> Option<Pending> {
        self.calls.remove(msg_id)
    }

    /// Takes out every call `client` sent or was sent.
    pub(crate) fn take_involving(&mut self, client: &str) -> Vec<(MsgId, Pending)> {
        self.take_where(|p| p.sender.as_str() == client || p.recipient.as_str() == client)
    }

    /// Takes out the asynchronous calls older than `ttl` (a `callAndWait` times out by
    /// itself).
    pub(crate) fn take_unanswered(&mut self, ttl: Duration) -> Vec<(MsgId, Pending)> {
        self.take_where(|p| matches!(p.reply_to, ReplyTo::Async { .. }) && p.since.elapsed() > ttl)
    }

    /// Takes out every call.
    pub(crate) fn drain(&mut self) -> Vec<(MsgId, Pending)> {
        self.calls.drain().collect()
    }

    fn take_where(&mut self, pick: impl Fn(&Pending) -> bool) -> Vec<(MsgId, Pending)> {
        let ids: Vec<MsgId> = self
            .calls
            .iter()
            .filter(|(_, p)| pick(p))
            .map(|(id, _)| id.clone())
            .collect();
        ids.into_iter()
            .filter_map(|id| self.calls.remove(&id).map(|p| (id, p)))
            .collect()
    }

    /// Calls in flight.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.calls.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> ClientId {
        ClientId::new(s)
    }

    #[test]
    fn msg_ids_are_fresh_and_calls_leave_with_their_clients() {
        let mut p = PendingCalls::default();
        let tag = || ReplyTo::Async {
            tag: MsgTag::new("t"),
        };
        let a = p.insert(&id("c1"), &id("c2"), tag());
        let b = p.insert(&id("c1"), &id("c3"), tag());
        let c = p.insert(&id("c3"), &id("c2"), tag());
        assert_ne!(a, b);
        assert_eq!(a.as_str(), "c1_m1");
        let gone: Vec<MsgId> = p.take_involving("c3").into_iter().map(|(m, _)| m).collect();
        assert_eq!(gone.len(), 2);
        assert!(gone.contains(&b) && gone.contains(&c));
        assert_eq!(p.len(), 1);
        assert!(p.get(a.as_str()).is_some());
    }

    #[tokio::test(start_paused = true)]
    async fn only_old_asynchronous_calls_are_swept() {
        let mut p = PendingCalls::default();
        let (tx, _rx) = oneshot::channel();
        p.insert(
            &id("c1"),
            &id("c2"),
            ReplyTo::Async {
                tag: MsgTag::new("t"),
            },
        );
        p.insert(&id("c1"), &id("c2"), ReplyTo::Sync(tx));
        assert!(p.take_unanswered(Duration::from_secs(60)).is_empty());
        tokio::time::advance(Duration::from_secs(61)).await;
        let swept = p.take_unanswered(Duration::from_secs(60));
        assert_eq!(swept.len(), 1);
        assert!(matches!(swept[0].1.reply_to, ReplyTo::Async { .. }));
        assert_eq!(p.len(), 1);
    }
}
