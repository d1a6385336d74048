//! The body of the server's responses: one buffer (every XML-RPC answer), or a stream
//! (a resource the Web Profile's URL translator passes on without holding it whole).

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use http_body_util::BodyExt;

/// What a streamed body may fail with; the server then aborts the connection, so the
/// peer sees a cut-short transfer rather than a complete wrong one.
pub type StreamError = Box<dyn std::error::Error + Send + Sync>;

type Stream = Pin<Box<dyn http_body::Body<Data = Bytes, Error = StreamError> + Send>>;

/// A response body: [`Body::full`] for what is already in memory, [`Body::stream`] for
/// what arrives piece by piece.
///
/// ```
/// use http_body::Body as _;
/// let answer = samp_http::Body::full("<methodResponse/>");
/// assert_eq!(answer.size_hint().exact(), Some(17)); // sent with Content-Length: 17
/// ```
pub struct Body(Kind);

enum Kind {
    /// Taken when sent.
    Full(Option<Bytes>),
    Stream(Stream),
}

impl Body {
    /// A body of these bytes.
    pub fn full(bytes: impl Into<Bytes>) -> Body {
        let bytes = bytes.into();
        Body(Kind::Full((!bytes.is_empty()).then_some(bytes)))
    }

    /// No body.
    pub fn empty() -> Body {
        Body(Kind::Full(None))
    }

    /// A body sent as `body` yields it; its [`size_hint`](http_body::Body::size_hint)
    /// becomes the `Content-Length` when exact.
    pub fn stream<B>(body: B) -> Body
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<StreamError>,
    {
        Body(Kind::Stream(Box::pin(body.map_err(Into::into))))
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Body {
        Body::full(bytes)
    }
}

impl From<String> for Body {
    fn from(text: String) -> Body {
        Body::full(text)
    }
}

impl From<&'static str> for Body {
    fn from(text: &'static str) -> Body {
        Body::full(text)
    }
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Kind::Full(bytes) => write!(
                f,
                "Body::full({} bytes)",
                bytes.as_ref().map_or(0, Bytes::len)
            ),
            Kind::Stream(_) => f.write_str("Body::stream"),
        }
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = StreamError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, StreamError>>> {
        match &mut self.0 {
            Kind::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            Kind::Stream(stream) => stream.as_mut().poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.0 {
            Kind::Full(bytes) => bytes.is_none(),
            Kind::Stream(stream) => stream.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.0 {
            Kind::Full(bytes) => SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64)),
            Kind::Stream(stream) => stream.size_hint(),
        }
    }
}
