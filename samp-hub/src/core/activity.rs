//! What the hub has been doing, for its status page: the last messages (who sent what to
//! whom, and how it went) and counters since the start. Bounded: only the latest
//! [`KEEP`] entries are kept, and an entry holds names, not messages.

use std::collections::VecDeque;
use std::time::SystemTime;

use samp_protocol::ClientId;

/// Entries kept.
pub(crate) const KEEP: usize = 500;

/// One thing that happened.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    /// Increasing from 1, so a page can ask for what came after what it has.
    pub(crate) seq: u64,
    pub(crate) at: SystemTime,
    pub(crate) what: What,
    pub(crate) from: ClientId,
    /// The recipient, or `None` for every subscriber.
    pub(crate) to: Option<ClientId>,
    pub(crate) mtype: String,
    /// `notified`, `called`, `samp.ok`, …, or `refused: …`.
    pub(crate) status: String,
}

/// The kinds of entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum What {
    Notify,
    Call,
    Reply,
    Register,
    Unregister,
    Refused,
}

impl What {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            What::Notify => "notify",
            What::Call => "call",
            What::Reply => "reply",
            What::Register => "register",
            What::Unregister => "unregister",
            What::Refused => "refused",
        }
    }
}

/// Counts since the hub started.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Counters {
    pub(crate) registrations: u64,
    pub(crate) notifications: u64,
    pub(crate) calls: u64,
    pub(crate) replies: u64,
    pub(crate) refused: u64,
}

/// The log and the counters.
#[derive(Default)]
pub(crate) struct Activity {
    entries: VecDeque<Entry>,
    last_seq: u64,
    pub(crate) counters: Counters,
    /// Bumped whenever the client list changes, so a page knows to redraw it.
    pub(crate) clients_version: u64,
}

impl Activity {
    pub(crate) fn record(
        &mut self,
        what: What,
        from: &ClientId,
        to: Option<&ClientId>,
        mtype: &str,
        status: impl Into<String>,
    ) {
        let c = &mut self.counters;
        match what {
            What::Notify => c.notifications += 1,
            What::Call => c.calls += 1,
            What::Reply => c.replies += 1,
            What::Register => c.registrations += 1,
            What::Refused => c.refused += 1,
            What::Unregister => {}
        }
        if matches!(what, What::Register | What::Unregister) {
            self.clients_version += 1;
        }
        self.last_seq += 1;
        if self.entries.len() == KEEP {
            self.entries.pop_front();
        }
        self.entries.push_back(Entry {
            seq: self.last_seq,
            at: SystemTime::now(),
            what,
            from: from.clone(),
            to: to.cloned(),
            mtype: mtype.to_owned(),
            status: status.into(),
        });
    }

    /// A client's metadata or subscriptions changed: the list is to be redrawn.
    pub(crate) fn clients_changed(&mut self) {
        self.clients_version += 1;
    }

    /// The entries after `seq`, oldest first.
    pub(crate) fn after(&self, seq: u64) -> Vec<Entry> {
        self.entries
            .iter()
            .filter(|e| e.seq > seq)
            .cloned()
            .collect()
    }

    pub(crate) fn last_seq(&self) -> u64 {
        self.last_seq
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_is_bounded_and_read_from_a_point() {
        let mut a = Activity::default();
        let (c1, c2) = (ClientId::new("c1"), ClientId::new("c2"));
        for n in 0..KEEP + 10 {
            a.record(What::Notify, &c1, Some(&c2), &format!("x.{n}"), "notified");
        }
        assert_eq!(a.after(0).len(), KEEP);
        assert_eq!(a.after(a.last_seq() - 2).len(), 2);
        assert_eq!(a.counters.notifications, (KEEP + 10) as u64);
        a.record(What::Register, &c1, None, "", "");
        assert_eq!(a.clients_version, 1);
    }
}
