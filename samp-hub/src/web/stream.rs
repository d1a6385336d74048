//! The URL translator's response bodies: a local file read a chunk at a time, and a relay
//! that passes a body on within a size cap, gives up on a source that stalls, and holds
//! the translation's slot until the last byte is sent.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use samp_http::{Body, StreamError};
use tokio::io::{AsyncRead, ReadBuf};
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::Sleep;
use tracing::warn;

/// Bytes read from a file at a time.
const CHUNK: usize = 64 * 1024;

/// The first `len` bytes of a file (its size when opened), as a body.
pub(super) struct FileBody {
    file: tokio::fs::File,
    remaining: u64,
}

impl FileBody {
    pub(super) fn new(file: tokio::fs::File, len: u64) -> FileBody {
        FileBody {
            file,
            remaining: len,
        }
    }
}

impl http_body::Body for FileBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        let want = CHUNK.min(usize::try_from(self.remaining).unwrap_or(CHUNK));
        let mut chunk = vec![0u8; want];
        let mut buf = ReadBuf::new(&mut chunk);
        ready!(Pin::new(&mut self.file).poll_read(cx, &mut buf))?;
        let got = buf.filled().len();
        if got == 0 {
            return Poll::Ready(Some(Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the file got shorter while it was being sent",
            ))));
        }
        chunk.truncate(got);
        self.remaining -= got as u64;
        Poll::Ready(Some(Ok(Frame::data(Bytes::from(chunk)))))
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

/// Why a relayed body was cut short.
#[derive(Debug, thiserror::Error)]
enum Cut {
    #[error("the resource is larger than the translator's limit of {0} bytes")]
    TooLarge(u64),
    #[error("the source sent nothing for {0:?}")]
    Stalled(Duration),
}

/// Passes `inner` on: at most `limit` bytes, and no more than `idle` between chunks.
pub(super) struct Relay {
    inner: Body,
    limit: u64,
    sent: u64,
    idle: Duration,
    /// Whether the last poll found the source with nothing to give.
    waiting: bool,
    stall: Pin<Box<Sleep>>,
    _slot: OwnedSemaphorePermit,
}

impl Relay {
    pub(super) fn new(
        inner: Body,
        limit: u64,
        idle: Duration,
        slot: OwnedSemaphorePermit,
    ) -> Relay {
        Relay {
            inner,
            limit,
            sent: 0,
            idle,
            waiting: false,
            stall: Box::pin(tokio::time::sleep(idle)),
            _slot: slot,
        }
    }
}

impl http_body::Body for Relay {
    type Data = Bytes;
    type Error = StreamError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, StreamError>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.sent += data.len() as u64;
                    if this.sent > this.limit {
                        warn!(
                            limit = this.limit,
                            "URL translation cut off: over the size limit"
                        );
                        return Poll::Ready(Some(Err(Cut::TooLarge(this.limit).into())));
                    }
                }
                this.waiting = false;
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Pending => {
                // Time the source from when we first wait on it, not from the last chunk: a
                // page that reads slowly has hyper poll us late, and that is not a stall.
                if !this.waiting {
                    this.waiting = true;
                    let until = tokio::time::Instant::now() + this.idle;
                    this.stall.as_mut().reset(until);
                }
                ready!(this.stall.as_mut().poll(cx));
                warn!(idle = ?this.idle, sent = this.sent, "URL translation cut off: the source stalled");
                Poll::Ready(Some(Err(Cut::Stalled(this.idle).into())))
            }
            Poll::Ready(Some(Err(e))) => {
                warn!(sent = this.sent, error = %e, "URL translation cut off: the source failed");
                Poll::Ready(Some(Err(e)))
            }
            Poll::Ready(None) => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
