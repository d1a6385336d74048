//! The scheduler of one recipient's callbacks: a FIFO lane per sender, at most one callback
//! in flight per lane (so one sender's messages arrive in order), and a cap on the
//! callbacks in flight to the recipient altogether.

use std::collections::{HashMap, HashSet, VecDeque};

use samp_protocol::ClientId;

use super::Delivery;
use super::backlog::Queued;

/// Per-sender FIFO lanes of one recipient. Invariant: a sender is in `ready` exactly when
/// it has queued work and no callback in flight.
pub(super) struct Lanes {
    queued: HashMap<ClientId, VecDeque<Queued>>,
    busy: HashSet<ClientId>,
    ready: VecDeque<ClientId>,
    max_in_flight: usize,
}

impl Lanes {
    pub(super) fn new(max_in_flight: usize) -> Lanes {
        Lanes {
            queued: HashMap::new(),
            busy: HashSet::new(),
            ready: VecDeque::new(),
            max_in_flight: max_in_flight.max(1),
        }
    }

    pub(super) fn push(&mut self, delivery: Queued) {
        let sender = delivery.delivery.lane().clone();
        let lane = self.queued.entry(sender.clone()).or_default();
        lane.push_back(delivery);
        if lane.len() == 1 && !self.busy.contains(&sender) {
            self.ready.push_back(sender);
        }
    }

    /// The next callback that may start, marking its lane busy; `None` when nothing is
    /// ready or the cap is reached. Flush markers are answered here, once everything
    /// before them in their lane is done.
    pub(super) fn next(&mut self) -> Option<(ClientId, Queued)> {
        while self.busy.len() < self.max_in_flight {
            let sender = self.ready.pop_front()?;
            let Some(delivery) = self.queued.get_mut(&sender).and_then(VecDeque::pop_front) else {
                continue;
            };
            if let Delivery::Flush { done, .. } = delivery.delivery {
                let _ = done.send(());
                self.requeue(sender);
                continue;
            }
            self.busy.insert(sender.clone());
            return Some((sender, delivery));
        }
        None
    }

    /// A lane's callback finished: the lane may go again.
    pub(super) fn done(&mut self, sender: ClientId) {
        self.busy.remove(&sender);
        self.requeue(sender);
    }

    fn requeue(&mut self, sender: ClientId) {
        match self.queued.get(&sender) {
            Some(lane) if !lane.is_empty() => self.ready.push_back(sender),
            _ => {
                self.queued.remove(&sender);
            }
        }
    }

    /// Nothing in flight and nothing queued.
    pub(super) fn is_idle(&self) -> bool {
        self.busy.is_empty() && self.ready.is_empty()
    }

    /// Callbacks in flight.
    #[cfg(test)]
    pub(super) fn in_flight(&self) -> usize {
        self.busy.len()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use samp_protocol::{Message, RawMessage};
    use tokio::sync::oneshot;

    use super::*;

    fn note(sender: &str, n: usize) -> Queued {
        Queued::uncounted(Delivery::Notify {
            sender: ClientId::new(sender),
            message: Arc::new(
                RawMessage::from_message(&Message::new("test.n").param("n", n.to_string()))
                    .unwrap(),
            ),
        })
    }

    fn number(d: &Queued) -> usize {
        match &d.delivery {
            Delivery::Notify { message, .. } => message
                .parse()
                .unwrap()
                .get_str("n")
                .unwrap()
                .parse()
                .unwrap(),
            _ => panic!("not a notification"),
        }
    }

    #[test]
    fn one_sender_is_served_in_order_one_at_a_time() {
        let mut lanes = Lanes::new(8);
        for n in 0..5 {
            lanes.push(note("c1", n));
        }
        let mut seen = Vec::new();
        while let Some((sender, d)) = lanes.next() {
            // A second callback from the same sender never starts while one is in flight.
            assert!(lanes.next().is_none());
            seen.push(number(&d));
            lanes.done(sender);
        }
        assert_eq!(seen, [0, 1, 2, 3, 4]);
        assert!(lanes.is_idle());
    }

    #[test]
    fn senders_overlap_up_to_the_cap() {
        let mut lanes = Lanes::new(3);
        for s in 0..5 {
            for n in 0..2 {
                lanes.push(note(&format!("c{s}"), s * 10 + n));
            }
        }
        let mut started = Vec::new();
        while let Some(item) = lanes.next() {
            started.push(item);
        }
        assert_eq!(started.len(), 3, "the cap holds");
        assert_eq!(lanes.in_flight(), 3);
        // Finishing one lets the next lane start; per sender, order is kept.
        let mut order: HashMap<ClientId, Vec<usize>> = HashMap::new();
        while let Some((sender, d)) = started.pop() {
            order.entry(sender.clone()).or_default().push(number(&d));
            lanes.done(sender);
            while let Some(item) = lanes.next() {
                started.push(item);
            }
            assert!(lanes.in_flight() <= 3);
        }
        assert!(lanes.is_idle());
        assert_eq!(order.len(), 5);
        for (sender, ns) in order {
            let s: usize = sender.as_str()[1..].parse().unwrap();
            assert_eq!(ns, [s * 10, s * 10 + 1], "{sender}");
        }
    }

    #[test]
    fn flush_waits_for_what_came_before() {
        let mut lanes = Lanes::new(8);
        lanes.push(note("hub", 1));
        let (tx, mut rx) = oneshot::channel();
        lanes.push(Queued::uncounted(Delivery::Flush {
            after: ClientId::new("hub"),
            done: tx,
        }));
        let (sender, _) = lanes.next().unwrap();
        assert!(
            rx.try_recv().is_err(),
            "not before the callback ahead of it"
        );
        lanes.done(sender);
        assert!(lanes.next().is_none());
        assert!(rx.try_recv().is_ok());
        assert!(lanes.is_idle());
    }
}
