//! Progress of calls (`samp.msg.progress`, SAMP.md §6.3): reports a recipient sends about a
//! call of ours, routed by msg-id to the [`PendingResponse`](super::PendingResponse) of that
//! call until its response arrives.

use std::collections::{HashMap, VecDeque};
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use futures_util::Stream;
use samp_protocol::mtypes::SampMsgProgress;
use samp_protocol::{MsgId, MsgTag};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// Reports that arrive before the hub's answer to `call` has told us the msg-id are kept
/// this long, at most this many.
const EARLY_KEEP: Duration = Duration::from_secs(60);
const EARLY_MAX: usize = 64;

/// Where progress reports go.
#[derive(Default)]
pub(crate) struct ProgressRoutes {
    by_msg: HashMap<MsgId, mpsc::UnboundedSender<SampMsgProgress>>,
    msg_of_tag: HashMap<MsgTag, MsgId>,
    early: VecDeque<(Instant, SampMsgProgress)>,
}

impl ProgressRoutes {
    /// Starts routing the reports about call `msg_id` (made with `tag`), those that came
    /// early included.
    pub(crate) fn open(&mut self, msg_id: &MsgId, tag: &MsgTag) -> Progress {
        let (tx, rx) = mpsc::unbounded_channel();
        self.early.retain(|(_, report)| {
            if report.msgid == msg_id.as_str() {
                let _ = tx.send(report.clone());
                false
            } else {
                true
            }
        });
        self.by_msg.insert(msg_id.clone(), tx);
        self.msg_of_tag.insert(tag.clone(), msg_id.clone());
        Progress { rx: Some(rx) }
    }

    /// Stops routing reports about the call made with `tag` (its response has come, or
    /// nobody waits any more): its [`Progress`] ends.
    pub(crate) fn close_tag(&mut self, tag: &str) {
        if let Some(msg_id) = self.msg_of_tag.remove(tag) {
            self.by_msg.remove(&msg_id);
        }
    }

    /// Routes one report; keeps it a while if its call is not known yet.
    pub(crate) fn deliver(&mut self, report: SampMsgProgress) {
        if let Some(tx) = self.by_msg.get(report.msgid.as_str()) {
            let _ = tx.send(report);
            return;
        }
        let now = Instant::now();
        self.early
            .retain(|(at, _)| now.duration_since(*at) < EARLY_KEEP);
        if self.early.len() == EARLY_MAX {
            self.early.pop_front();
        }
        self.early.push_back((now, report));
    }

    /// Routes in place.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.by_msg.len() + self.msg_of_tag.len()
    }

    /// Ends every route (the registration ended).
    pub(crate) fn clear(&mut self) {
        self.by_msg.clear();
        self.msg_of_tag.clear();
    }
}

/// The progress reports about one call, in the order they arrive; ends when the call's
/// response has arrived (or the call is dropped, or the registration ends).
///
/// Take it with [`PendingResponse::progress`](super::PendingResponse::progress) and read it
/// while awaiting the response:
///
/// ```no_run
/// # async fn demo(client: samp_runtime::Client, to: samp_runtime::ClientId) -> samp_runtime::Result<()> {
/// use samp_runtime::Message;
/// let mut pending = client.call(&to, Message::new("x-app.slow"), std::time::Duration::from_secs(60)).await?;
/// let mut progress = pending.progress();
/// let response = loop {
///     tokio::select! {
///         Some(report) = progress.next() => println!("{}: {}", report.msgid, report.txt),
///         response = &mut pending => break response?,
///     }
/// };
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Progress {
    pub(crate) rx: Option<mpsc::UnboundedReceiver<SampMsgProgress>>,
}

impl Progress {
    /// A stream with no reports (what a second `progress()` gets).
    pub(crate) fn ended() -> Progress {
        Progress { rx: None }
    }

    /// The next report, or `None` at the end.
    pub async fn next(&mut self) -> Option<SampMsgProgress> {
        match &mut self.rx {
            Some(rx) => rx.recv().await,
            None => None,
        }
    }
}

impl Stream for Progress {
    type Item = SampMsgProgress;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        match &mut self.rx {
            Some(rx) => rx.poll_recv(cx),
            None => Poll::Ready(None),
        }
    }
}
