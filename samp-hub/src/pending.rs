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
    /// The call's MType, for the status page's log.
    pub(crate) mtype: String,
    pub(crate) reply_to: ReplyTo,
    pub(crate) since: Instant,
}

/// Every call in flight, by msg-id, with counts per recipient and per waiting sender so
/// the caps on them cost no scan.
#[derive(Default)]
pub(crate) struct PendingCalls {
    calls: HashMap<MsgId, Pending>,
    issued: u64,
    /// Calls each recipient has not answered yet.
    unanswered: HashMap<ClientId, usize>,
    /// `callAndWait` calls each sender has waiting.
    waiting: HashMap<ClientId, usize>,
}

fn up(counts: &mut HashMap<ClientId, usize>, id: &ClientId) {
    *counts.entry(id.clone()).or_default() += 1;
}

fn down(counts: &mut HashMap<ClientId, usize>, id: &ClientId) {
    if let Some(n) = counts.get_mut(id) {
        *n -= 1;
        if *n == 0 {
            counts.remove(id);
        }
    }
}

impl PendingCalls {
    /// Records a call and returns its fresh msg-id (`<sender>_m<n>`, never reused).
    pub(crate) fn insert(
        &mut self,
        sender: &ClientId,
        recipient: &ClientId,
        mtype: &str,
        reply_to: ReplyTo,
    ) -> MsgId {
        self.issued += 1;
        let msg_id = MsgId::new(format!("{sender}_m{}", self.issued));
        up(&mut self.unanswered, recipient);
        if matches!(reply_to, ReplyTo::Sync(_)) {
            up(&mut self.waiting, sender);
        }
        self.calls.insert(
            msg_id.clone(),
            Pending {
                sender: sender.clone(),
                recipient: recipient.clone(),
                mtype: mtype.to_owned(),
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
        let p = self.calls.remove(msg_id)?;
        self.forget(&p);
        Some(p)
    }

    fn forget(&mut self, p: &Pending) {
        down(&mut self.unanswered, &p.recipient);
        if matches!(p.reply_to, ReplyTo::Sync(_)) {
            down(&mut self.waiting, &p.sender);
        }
    }

    /// Calls `recipient` has received and not answered.
    pub(crate) fn unanswered_by(&self, recipient: &ClientId) -> usize {
        self.unanswered.get(recipient).copied().unwrap_or(0)
    }

    /// `callAndWait` calls `sender` has waiting.
    pub(crate) fn waiting_for(&self, sender: &ClientId) -> usize {
        self.waiting.get(sender).copied().unwrap_or(0)
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
        self.unanswered.clear();
        self.waiting.clear();
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
            .filter_map(|id| self.remove(id.as_str()).map(|p| (id, p)))
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
        let a = p.insert(&id("c1"), &id("c2"), "a.b", tag());
        let b = p.insert(&id("c1"), &id("c3"), "a.b", tag());
        let c = p.insert(&id("c3"), &id("c2"), "a.b", tag());
        assert_ne!(a, b);
        assert_eq!(a.as_str(), "c1_m1");
        let gone: Vec<MsgId> = p.take_involving("c3").into_iter().map(|(m, _)| m).collect();
        assert_eq!(gone.len(), 2);
        assert!(gone.contains(&b) && gone.contains(&c));
        assert_eq!(p.len(), 1);
        assert!(p.get(a.as_str()).is_some());
        assert_eq!(p.unanswered_by(&id("c2")), 1);
        assert_eq!(p.unanswered_by(&id("c3")), 0);
        p.remove(a.as_str());
        assert_eq!(p.unanswered_by(&id("c2")), 0);
        assert!(p.unanswered.is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn only_old_asynchronous_calls_are_swept() {
        let mut p = PendingCalls::default();
        let (tx, _rx) = oneshot::channel();
        p.insert(
            &id("c1"),
            &id("c2"),
            "a.b",
            ReplyTo::Async {
                tag: MsgTag::new("t"),
            },
        );
        p.insert(&id("c1"), &id("c2"), "a.b", ReplyTo::Sync(tx));
        assert_eq!(p.waiting_for(&id("c1")), 1);
        assert!(p.take_unanswered(Duration::from_secs(60)).is_empty());
        tokio::time::advance(Duration::from_secs(61)).await;
        let swept = p.take_unanswered(Duration::from_secs(60));
        assert_eq!(swept.len(), 1);
        assert!(matches!(swept[0].1.reply_to, ReplyTo::Async { .. }));
        assert_eq!(p.len(), 1);
    }
}
