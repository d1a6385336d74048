//! A pooled XML-RPC client over HTTP/1.1.

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, StatusCode, Uri, header};
use http_body_util::{BodyExt, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use samp_protocol::Value;
use samp_protocol::xmlrpc::{self, Fault, WriteError, WriteValue};

use super::{BoxError, DEFAULT_MAX_BODY};
use crate::body::Body;

/// Why an XML-RPC call did not produce a value.
///
/// Each variant's text says what happened in a line; [`source`](std::error::Error::source)
/// keeps the underlying error (hyper's, the OS's) for those who walk the chain.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CallError {
    /// The endpoint URL is not one this client can call.
    #[error("invalid endpoint URL {url:?}: {source}")]
    BadUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        #[source]
        source: EndpointError,
    },
    /// The arguments hold text XML 1.0 cannot carry; nothing was sent.
    #[error("cannot send the call: {0}")]
    Encode(#[from] WriteError),
    /// The connection failed or broke.
    #[error("cannot reach {url}: {reason}")]
    Transport {
        /// The endpoint.
        url: String,
        /// The innermost cause, in words (e.g. `Connection refused (os error 111)`).
        reason: String,
        /// The error as raised.
        #[source]
        source: BoxError,
    },
    /// No answer within the timeout.
    #[error("{url} did not answer within {timeout:?}")]
    Timeout {
        /// The endpoint.
        url: String,
        /// The time waited.
        timeout: Duration,
    },
    /// The server answered with a non-200 HTTP status.
    #[error("{url} answered HTTP {status}")]
    Status {
        /// The endpoint.
        url: String,
        /// The HTTP status.
        status: u16,
    },
    /// The answer is not a well-formed XML-RPC response.
    #[error("{url} sent a malformed answer: {source}")]
    Malformed {
        /// The endpoint.
        url: String,
        /// What was wrong.
        #[source]
        source: xmlrpc::XmlRpcError,
    },
    /// The server answered with an XML-RPC fault.
    #[error(transparent)]
    Fault(#[from] Fault),
}

/// What [`HttpClient::fetch`] got.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The body.
    pub body: Bytes,
}

/// What [`HttpClient::fetch_streaming`] got: the head, and the body still to come.
#[derive(Debug)]
pub struct Streamed {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The body as it arrives; its size hint is exact when the server sent a
    /// `Content-Length`.
    pub body: Body,
}

/// A URL this client cannot call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    /// Not a URL at all.
    #[error("not a URL: {0}")]
    Syntax(String),
    /// `https:`, which this build cannot speak.
    #[error("https endpoints need the `tls` feature, which this build lacks")]
    Https,
    /// Another scheme, or no host.
    #[error("expected an http:// or https:// URL with a host")]
    NotHttp,
}

/// A request body of chunks, each sent as it is: a large part shared between several
/// requests (one message to many recipients) is never copied into each.
#[derive(Clone, Debug, Default)]
pub struct Chunks(std::collections::VecDeque<Bytes>);

impl From<Bytes> for Chunks {
    fn from(bytes: Bytes) -> Chunks {
        Chunks(std::collections::VecDeque::from([bytes]))
    }
}

impl http_body::Body for Chunks {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        std::task::Poll::Ready(self.0.pop_front().map(|b| Ok(http_body::Frame::data(b))))
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_empty()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.0.iter().map(|b| b.len() as u64).sum())
    }
}

/// The connector: plain HTTP, or with the `tls` feature HTTP and HTTPS.
#[cfg(not(feature = "tls"))]
type Connector = HttpConnector;
#[cfg(feature = "tls")]
type Connector = hyper_rustls::HttpsConnector<HttpConnector>;

/// A cheaply clonable, pooled HTTP/1.1 client that speaks XML-RPC (and, with the `tls`
/// feature, HTTPS: see [`HttpClient::with_tls`]).
#[derive(Clone, Debug)]
pub struct HttpClient {
    inner: Client<Connector, Chunks>,
    max_body: usize,
}

impl Default for HttpClient {
    fn default() -> Self {
        Self::new()
    }
}

impl HttpClient {
    /// A client with keep-alive pooling and the default response size limit (with the
    /// `tls` feature: trusting the system's roots, or `SSL_CERT_FILE`, for `https://`).
    pub fn new() -> Self {
        HttpClient {
            inner: pooled(connector(
                #[cfg(feature = "tls")]
                None,
            )),
            max_body: DEFAULT_MAX_BODY,
        }
    }

    /// The same client with its own trust and certificate for `https://` URLs.
    #[cfg(feature = "tls")]
    pub fn with_tls(mut self, tls: &crate::tls::ClientTls) -> Self {
        self.inner = pooled(connector(Some(tls)));
        self
    }

    /// Sets the largest response body accepted.
    pub fn with_max_body(mut self, max_body: usize) -> Self {
        self.max_body = max_body;
        self
    }

    /// Calls `method` with `params` at `url`, waiting at most `timeout` for the answer.
    /// The document is written before the future is returned, so the future holds no
    /// borrow of `params`.
    pub fn call(
        &self,
        url: &str,
        method: &str,
        params: &[&dyn WriteValue],
        timeout: Option<Duration>,
    ) -> impl Future<Output = Result<Value, CallError>> + Send + 'static {
        let document = xmlrpc::write_call(method, params);
        let (client, url) = (self.clone(), url.to_owned());
        async move { client.call_document(&url, document?, timeout).await }
    }

    /// Posts a `<methodCall>` document given as chunks (from
    /// [`write_call_chunks`](samp_protocol::xmlrpc::write_call_chunks): large shared parts
    /// are sent as they are, not copied) and reads the answer.
    pub async fn call_chunks(
        &self,
        url: &str,
        chunks: Vec<Bytes>,
        timeout: Option<Duration>,
    ) -> Result<Value, CallError> {
        let body = self.post_body(url, Chunks(chunks.into()), timeout).await?;
        read_answer(url, &body)
    }

    /// Posts an already written `<methodCall>` document (e.g. from
    /// `samp_protocol::standard::HubMethod::document`) and reads the answer.
    pub async fn call_document(
        &self,
        url: &str,
        document: String,
        timeout: Option<Duration>,
    ) -> Result<Value, CallError> {
        let bytes = self.post(url, Bytes::from(document), timeout).await?;
        read_answer(url, &bytes)
    }

    /// POSTs an XML body and returns the response body of a 200 answer.
    pub async fn post(
        &self,
        url: &str,
        body: Bytes,
        timeout: Option<Duration>,
    ) -> Result<Bytes, CallError> {
        self.post_body(url, Chunks::from(body), timeout).await
    }

    async fn post_body(
        &self,
        url: &str,
        body: Chunks,
        timeout: Option<Duration>,
    ) -> Result<Bytes, CallError> {
        let uri = parse_http_uri(url)?;
        let req = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::CONTENT_TYPE, "text/xml")
            .header(
                header::USER_AGENT,
                concat!("samp-rust/", env!("CARGO_PKG_VERSION")),
            )
            .body(body)
            .map_err(|e| CallError::BadUrl {
                url: url.to_owned(),
                source: EndpointError::Syntax(e.to_string()),
            })?;
        self.send(url, req, timeout).await
    }

    /// GETs `url` (used to read a lockfile published over HTTP).
    pub async fn get(&self, url: &str, timeout: Option<Duration>) -> Result<Bytes, CallError> {
        let uri = parse_http_uri(url)?;
        let req = Request::builder()
            .method(Method::GET)
            .uri(uri)
            .body(Chunks::default())
            .map_err(|e| CallError::BadUrl {
                url: url.to_owned(),
                source: EndpointError::Syntax(e.to_string()),
            })?;
        self.send(url, req, timeout).await
    }

    /// GETs `url` whatever the status, keeping the status and content type, with the body
    /// cut off at `max_body` bytes (an error), all within `timeout`.
    pub async fn fetch(
        &self,
        url: &str,
        max_body: usize,
        timeout: Duration,
    ) -> Result<Fetched, CallError> {
        let exchange = async {
            let head = self.fetch_streaming(url).await?;
            let body = Limited::new(head.body, max_body)
                .collect()
                .await
                .map_err(|e| transport(url, e))?
                .to_bytes();
            Ok(Fetched {
                status: head.status,
                content_type: head.content_type,
                body,
            })
        };
        tokio::time::timeout(timeout, exchange)
            .await
            .map_err(|_| CallError::Timeout {
                url: url.to_owned(),
                timeout,
            })?
    }

    /// GETs `url` whatever the status and returns once the head is in, the body to be read
    /// as it arrives (the Web Profile's URL translator passes it on so). No time limit:
    /// the caller sets one.
    pub async fn fetch_streaming(&self, url: &str) -> Result<Streamed, CallError> {
        let uri = parse_http_uri(url)?;
        let req = Request::builder()
            .method(Method::GET)
            .uri(uri)
            .header(
                header::USER_AGENT,
                concat!("samp-rust/", env!("CARGO_PKG_VERSION")),
            )
            .body(Chunks::default())
            .map_err(|e| CallError::BadUrl {
                url: url.to_owned(),
                source: EndpointError::Syntax(e.to_string()),
            })?;
        let resp = self
            .inner
            .request(req)
            .await
            .map_err(|e| transport(url, e))?;
        let content_type = resp
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Ok(Streamed {
            status: resp.status().as_u16(),
            content_type,
            body: Body::stream(resp.into_body()),
        })
    }

    async fn send(
        &self,
        url: &str,
        req: Request<Chunks>,
        timeout: Option<Duration>,
    ) -> Result<Bytes, CallError> {
        let exchange = async {
            let resp = self.request_once_more_if_stale(url, req).await?;
            let status = resp.status();
            let body = Limited::new(resp.into_body(), self.max_body);
            let bytes = body
                .collect()
                .await
                .map_err(|e| transport(url, e))?
                .to_bytes();
            if status != StatusCode::OK {
                return Err(CallError::Status {
                    url: url.to_owned(),
                    status: status.as_u16(),
                });
            }
            Ok(bytes)
        };
        match timeout {
            Some(t) => tokio::time::timeout(t, exchange)
                .await
                .map_err(|_| CallError::Timeout {
                    url: url.to_owned(),
                    timeout: t,
                })?,
            None => exchange.await,
        }
    }
}

/// The value of an XML-RPC answer, or its fault.
fn read_answer(url: &str, bytes: &[u8]) -> Result<Value, CallError> {
    match xmlrpc::parse_response(bytes) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(fault)) => Err(CallError::Fault(fault)),
        Err(source) => Err(CallError::Malformed {
            url: url.to_owned(),
            source,
        }),
    }
}

impl HttpClient {
    /// Sends `req`; if the connection fails before any answer in the way a kept-alive
    /// connection the server has meanwhile closed fails (reset, broken pipe, closed
    /// before a response), sends it once more, on a new connection. Browsers do the
    /// same; DS9's server, for one, answers HTTP/1.1 without `Connection: close` and then
    /// closes, so the next callback on that connection would otherwise be lost.
    async fn request_once_more_if_stale(
        &self,
        url: &str,
        req: Request<Chunks>,
    ) -> Result<http::Response<hyper::body::Incoming>, CallError> {
        let (parts, body) = req.into_parts();
        let again = Request::from_parts(parts.clone(), body.clone());
        match self.inner.request(Request::from_parts(parts, body)).await {
            Ok(resp) => Ok(resp),
            Err(e) if is_stale_connection(&e) => {
                tracing::debug!(%url, error = %e, "connection closed under the request; sending it again");
                self.inner
                    .request(again)
                    .await
                    .map_err(|e| transport(url, e))
            }
            Err(e) => Err(transport(url, e)),
        }
    }
}

/// The failures of a request written into a connection the peer had closed.
fn is_stale_connection(e: &hyper_util::client::legacy::Error) -> bool {
    let mut source = std::error::Error::source(e);
    while let Some(err) = source {
        if let Some(h) = err.downcast_ref::<hyper::Error>()
            && (h.is_incomplete_message() || h.is_canceled())
        {
            return true;
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::BrokenPipe
                    | std::io::ErrorKind::UnexpectedEof
            )
        {
            return true;
        }
        source = err.source();
    }
    false
}

fn connector(#[cfg(feature = "tls")] tls: Option<&crate::tls::ClientTls>) -> Connector {
    let mut http = HttpConnector::new();
    http.set_nodelay(true);
    http.set_connect_timeout(Some(Duration::from_secs(10)));
    #[cfg(not(feature = "tls"))]
    {
        http
    }
    #[cfg(feature = "tls")]
    {
        http.enforce_http(false);
        let config = match tls {
            Some(tls) => (*tls.config).clone(),
            None => crate::tls::default_client_config(),
        };
        hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(config)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http)
    }
}

fn pooled(connector: Connector) -> Client<Connector, Chunks> {
    Client::builder(TokioExecutor::new())
        .pool_timer(TokioTimer::new())
        // Shorter than the servers' idle timeouts, so we rarely reuse a closing socket.
        .pool_idle_timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(32)
        .build(connector)
}

fn transport(url: &str, error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> CallError {
    let source: BoxError = BoxError::from(error.into());
    CallError::Transport {
        url: url.to_owned(),
        reason: innermost(&*source),
        source,
    }
}

fn parse_http_uri(url: &str) -> Result<Uri, CallError> {
    parse_http_url(url).map_err(|source| CallError::BadUrl {
        url: url.to_owned(),
        source,
    })
}

/// Parses an endpoint this client can call: an `http://` URL with a host. The error says
/// what is wrong with it (hubs use it to vet callback URLs before accepting them).
pub fn parse_http_url(url: &str) -> Result<Uri, EndpointError> {
    let uri: Uri = url
        .parse()
        .map_err(|e: http::uri::InvalidUri| EndpointError::Syntax(e.to_string()))?;
    match uri.scheme_str() {
        Some("http") if uri.host().is_some() => Ok(uri),
        #[cfg(feature = "tls")]
        Some("https") if uri.host().is_some() => Ok(uri),
        #[cfg(not(feature = "tls"))]
        Some("https") => Err(EndpointError::Https),
        _ => Err(EndpointError::NotHttp),
    }
}

/// The text of the deepest error in the chain: hyper's top-level messages are vague
/// ("client error (Connect)"), the OS's at the bottom say what happened.
fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut last = e;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string()
}
