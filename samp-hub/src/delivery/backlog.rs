//! What one recipient has waiting, counted as callbacks and bytes, with the caps that bound
//! it. Every queued callback holds a [`Ticket`]; dropping it (delivered, failed, or thrown
//! away with the queue) gives its share back, so the count cannot drift.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::Delivery;
use crate::config::DeliveryPolicy;

/// One recipient's queued callbacks.
pub(crate) struct Backlog {
    count: AtomicUsize,
    bytes: AtomicUsize,
    max_count: usize,
    max_bytes: usize,
}

/// Admission to a queue: a new message (refused at the caps) or something the hub owes
/// the recipient (a response, a hub event), refused only at twice the caps, where the
/// recipient is hopelessly behind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Admit {
    New,
    Owed,
}

/// A queue is full: the text names the backlog.
#[derive(Debug, Clone)]
pub(crate) struct Full {
    count: usize,
    bytes: usize,
}

impl fmt::Display for Full {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} callbacks ({:.1} MiB) are already waiting for it, the most the hub queues for one client",
            self.count,
            self.bytes as f64 / (1024.0 * 1024.0)
        )
    }
}

/// A queued callback's share of its recipient's backlog, given back when dropped.
pub(crate) struct Ticket {
    backlog: Arc<Backlog>,
    bytes: usize,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.backlog.count.fetch_sub(1, Ordering::AcqRel);
        self.backlog.bytes.fetch_sub(self.bytes, Ordering::AcqRel);
    }
}

/// A callback in a queue, with its ticket (none for flush markers, which cost nothing).
pub(crate) struct Queued {
    pub(crate) delivery: Delivery,
    _ticket: Option<Ticket>,
}

impl Queued {
    /// A callback that is not counted (flush markers, tests).
    pub(crate) fn uncounted(delivery: Delivery) -> Queued {
        Queued {
            delivery,
            _ticket: None,
        }
    }
}

impl Backlog {
    pub(crate) fn new(policy: &DeliveryPolicy) -> Arc<Backlog> {
        Arc::new(Backlog {
            count: AtomicUsize::new(0),
            bytes: AtomicUsize::new(0),
            max_count: policy.max_queued.max(1),
            max_bytes: policy.max_queued_bytes,
        })
    }

    /// Counts `delivery` in, or says why not.
    pub(crate) fn admit(
        self: &Arc<Self>,
        delivery: Delivery,
        admit: Admit,
    ) -> Result<Queued, Full> {
        let bytes = delivery.size();
        let factor = match admit {
            Admit::New => 1,
            Admit::Owed => 2,
        };
        let count = self.count.fetch_add(1, Ordering::AcqRel);
        let queued_bytes = self.bytes.fetch_add(bytes, Ordering::AcqRel);
        let over_count = count >= self.max_count.saturating_mul(factor);
        // Something always fits into an empty queue, however large.
        let over_bytes = count > 0 && queued_bytes + bytes > self.max_bytes.saturating_mul(factor);
        let ticket = Ticket {
            backlog: self.clone(),
            bytes,
        };
        if over_count || over_bytes {
            drop(ticket);
            return Err(Full {
                count,
                bytes: queued_bytes,
            });
        }
        Ok(Queued {
            delivery,
            _ticket: Some(ticket),
        })
    }

    /// Callbacks queued now.
    pub(crate) fn count(&self) -> usize {
        self.count.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use samp_protocol::{ClientId, Message, RawMessage};

    use super::*;

    fn note(bytes: usize) -> Delivery {
        Delivery::Notify {
            sender: ClientId::new("c1"),
            message: Arc::new(
                RawMessage::from_message(&Message::new("a.b").param("x", "y".repeat(bytes)))
                    .unwrap(),
            ),
        }
    }

    #[test]
    fn caps_hold_and_tickets_give_back() {
        let policy = DeliveryPolicy {
            max_queued: 3,
            max_queued_bytes: 10_000,
            ..DeliveryPolicy::default()
        };
        let backlog = Backlog::new(&policy);
        let mut held: Vec<Queued> = (0..3)
            .map(|_| backlog.admit(note(10), Admit::New).ok().unwrap())
            .collect();
        let full = backlog.admit(note(10), Admit::New).err().unwrap();
        assert!(full.to_string().starts_with("3 callbacks"), "{full}");
        // What the hub owes still fits, up to twice the cap.
        held.push(backlog.admit(note(10), Admit::Owed).ok().unwrap());
        assert_eq!(backlog.count(), 4);
        held.clear();
        assert_eq!(backlog.count(), 0);
        // A huge message fits an empty queue, not a second time.
        let big = backlog.admit(note(50_000), Admit::New).ok().unwrap();
        assert!(backlog.admit(note(10), Admit::New).is_err());
        drop(big);
        assert_eq!(backlog.count(), 0);
    }
}
