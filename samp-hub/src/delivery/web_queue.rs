//! Delivery to Web Profile clients: a queue the client empties with `pullCallbacks`, a long
//! poll that parks a future (never a worker) until something arrives or its time is up.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use samp_protocol::ClientId;
use samp_protocol::xmlrpc::{WriteError, WriteValue};
use tokio::sync::{Notify, oneshot};
use tokio::time::Instant;

use super::backlog::{Admit, Backlog, Full, Queued};
use super::{Delivery, DeliveryContext};

/// Most callbacks one `pullCallbacks` returns; the rest wait for the next poll.
const MAX_PER_PULL: usize = 1000;
/// Most bytes one `pullCallbacks` returns, unless a single callback is larger.
const MAX_BYTES_PER_PULL: usize = 16 * 1024 * 1024;

/// One web client's queue.
pub(crate) struct WebQueue {
    id: ClientId,
    ctx: DeliveryContext,
    backlog: Arc<Backlog>,
    state: Mutex<QueueState>,
    arrived: Notify,
}

struct QueueState {
    queue: VecDeque<Queued>,
    closed: bool,
    /// Closed because the client left: polls run out their time.
    retired: bool,
    /// Polls in progress.
    polling: usize,
    /// When the last poll started or ended.
    last_poll: Instant,
    /// Waiting for the queue to be pulled empty.
    flushes: Vec<oneshot::Sender<()>>,
}

/// What one `pullCallbacks` hands over: written as the list it returns.
pub(crate) struct Pulled(Vec<Queued>);

impl Pulled {
    pub(crate) fn empty() -> Pulled {
        Pulled(Vec::new())
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
}

impl WriteValue for Pulled {
    fn write_value(&self, out: &mut String) -> Result<(), WriteError> {
        out.push_str("<value><array><data>");
        for queued in &self.0 {
            queued.delivery.write_value(out)?;
        }
        out.push_str("</data></array></value>");
        Ok(())
    }

    fn size_hint(&self) -> usize {
        42 + self.0.iter().map(|q| q.delivery.size_hint()).sum::<usize>()
    }
}

/// The queue was closed: the client unregistered, turned callbacks off, or was removed.
#[derive(Debug)]
pub(crate) struct Closed;

impl WebQueue {
    pub(crate) fn new(ctx: DeliveryContext, id: ClientId) -> Arc<WebQueue> {
        Arc::new(WebQueue {
            id,
            backlog: Backlog::new(&ctx.policy),
            ctx,
            state: Mutex::new(QueueState {
                queue: VecDeque::new(),
                closed: false,
                retired: false,
                polling: 0,
                last_poll: Instant::now(),
                flushes: Vec::new(),
            }),
            arrived: Notify::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, QueueState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues a callback within the caps. Never blocks.
    pub(crate) fn push(&self, delivery: Delivery, admit: Admit) -> Result<(), Full> {
        let queued = self.backlog.admit(delivery, admit)?;
        let mut state = self.lock();
        if state.closed {
            drop(state);
            self.ctx
                .undelivered(&self.id, &queued.delivery, "it is no longer registered");
            return Ok(());
        }
        state.queue.push_back(queued);
        drop(state);
        self.arrived.notify_waiters();
        Ok(())
    }

    /// Waits up to `wait` for callbacks and takes what is queued (within the per-poll
    /// limits); an empty list when the time is up.
    pub(crate) async fn pull(&self, wait: Duration) -> Result<Pulled, Closed> {
        let deadline = Instant::now() + wait;
        let _polling = Polling::start(self);
        loop {
            let arrived = self.arrived.notified();
            tokio::pin!(arrived);
            arrived.as_mut().enable();
            let retired = {
                let mut state = self.lock();
                if !state.retired && state.closed {
                    return Err(Closed);
                }
                if !state.closed && !state.queue.is_empty() {
                    return Ok(take_batch(&mut state));
                }
                state.retired
            };
            if retired {
                tokio::time::sleep_until(deadline).await;
                return Err(Closed);
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                return Ok(Pulled(Vec::new()));
            }
        }
    }

    /// Stops the queue: pollers get [`Closed`], queued calls are reported undelivered.
    pub(crate) fn close(&self) {
        self.end(false);
    }

    /// [`close`](Self::close) for a client that has left: polls in progress run out their
    /// time first.
    pub(crate) fn retire(&self) {
        self.end(true);
    }

    fn end(&self, retire: bool) {
        let dropped = {
            let mut state = self.lock();
            state.closed = true;
            state.retired |= retire;
            for done in state.flushes.drain(..) {
                let _ = done.send(());
            }
            std::mem::take(&mut state.queue)
        };
        self.arrived.notify_waiters();
        for queued in dropped {
            self.ctx.undelivered(
                &self.id,
                &queued.delivery,
                "it left before pulling the call",
            );
        }
    }

    /// Resolves once the queue has been pulled empty (or closed).
    pub(crate) fn flush(&self) -> oneshot::Receiver<()> {
        let (done, rx) = oneshot::channel();
        let mut state = self.lock();
        if state.queue.is_empty() || state.closed {
            let _ = done.send(());
        } else {
            state.flushes.push(done);
        }
        rx
    }

    /// Callbacks waiting to be pulled.
    pub(crate) fn queued(&self) -> usize {
        self.backlog.count()
    }

    /// How long it has been since the client last polled; zero while it polls.
    pub(crate) fn idle_for(&self) -> Duration {
        let state = self.lock();
        if state.polling > 0 {
            Duration::ZERO
        } else {
            state.last_poll.elapsed()
        }
    }
}

/// Takes the oldest callbacks, within the per-poll limits (at least one).
fn take_batch(state: &mut QueueState) -> Pulled {
    let mut batch = Vec::new();
    let mut bytes = 0;
    while let Some(front) = state.queue.front() {
        let size = front.delivery.size_hint();
        if !batch.is_empty() && (batch.len() >= MAX_PER_PULL || bytes + size > MAX_BYTES_PER_PULL) {
            break;
        }
        bytes += size;
        batch.extend(state.queue.pop_front());
    }
    if state.queue.is_empty() {
        for done in state.flushes.drain(..) {
            let _ = done.send(());
        }
    }
    Pulled(batch)
}

/// Counts a poll in progress, and stamps its start and end.
struct Polling<'a>(&'a WebQueue);

impl<'a> Polling<'a> {
    fn start(queue: &'a WebQueue) -> Polling<'a> {
        let mut state = queue.lock();
        state.polling += 1;
        state.last_poll = Instant::now();
        Polling(queue)
    }
}

impl Drop for Polling<'_> {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.polling -= 1;
        state.last_poll = Instant::now();
    }
}

#[cfg(test)]
mod tests {
    use samp_http::HttpClient;
    use samp_protocol::{Message, MsgId, RawMessage};
    use tokio::sync::mpsc;

    use super::*;
    use crate::config::DeliveryPolicy;
    use crate::delivery::Report;

    fn queue() -> (Arc<WebQueue>, mpsc::UnboundedReceiver<Report>) {
        let (reports, rx) = mpsc::unbounded_channel();
        let ctx = DeliveryContext {
            http: HttpClient::new(),
            policy: DeliveryPolicy {
                max_queued: 2,
                ..DeliveryPolicy::default()
            },
            reports,
        };
        (WebQueue::new(ctx, ClientId::new("c1")), rx)
    }

    fn note() -> Delivery {
        Delivery::Notify {
            sender: ClientId::new("c2"),
            message: Arc::new(RawMessage::from_message(&Message::new("a.b")).unwrap()),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_poll_waits_for_the_first_callback_or_its_time() {
        let (q, _reports) = queue();
        let empty = q.pull(Duration::from_secs(5)).await.unwrap();
        assert_eq!(empty.len(), 0);
        let q2 = q.clone();
        let poll = tokio::spawn(async move { q2.pull(Duration::from_secs(600)).await });
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(q.idle_for(), Duration::ZERO, "a poll is in progress");
        q.push(note(), Admit::New).unwrap();
        assert_eq!(poll.await.unwrap().unwrap().len(), 1);
        // The cap counts what waits, not what was pulled.
        q.push(note(), Admit::New).unwrap();
        q.push(note(), Admit::New).unwrap();
        assert!(q.push(note(), Admit::New).is_err());
        assert_eq!(q.pull(Duration::ZERO).await.unwrap().len(), 2);
        tokio::time::advance(Duration::from_secs(30)).await;
        assert!(q.idle_for() >= Duration::from_secs(30));
    }

    #[tokio::test]
    async fn closing_wakes_pollers_and_reports_queued_calls() {
        let (q, mut reports) = queue();
        q.push(
            Delivery::Call {
                sender: ClientId::new("c2"),
                msg_id: MsgId::new("m1"),
                message: Arc::new(RawMessage::from_message(&Message::new("a.b")).unwrap()),
            },
            Admit::New,
        )
        .unwrap();
        let flushed = q.flush();
        q.close();
        assert!(flushed.await.is_ok());
        assert!(q.pull(Duration::from_secs(600)).await.is_err());
        match reports.recv().await {
            Some(Report::Undelivered { msg_id, .. }) => assert_eq!(msg_id.as_str(), "m1"),
            _ => panic!("expected an undelivered report"),
        }
    }
}
