//! A pooled XML-RPC client over HTTP/1.1.

use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, StatusCode, Uri, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use super::DEFAULT_MAX_BODY;
use crate::value::Value;
use crate::xmlrpc::{self, Fault};

/// Why an XML-RPC call did not produce a value.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CallError {
    /// The endpoint URL does not parse as an `http:` URL.
    #[error("invalid endpoint URL {url:?}: {reason}")]
    BadUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The connection failed or broke.
    #[error("cannot reach {url}: {reason}")]
    Transport {
        /// The endpoint.
        url: String,
        /// What failed.
        reason: String,
    },
    /// No answer within the timeout.
    #[error("{url} did not answer within {0:?}", .timeout)]
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
    #[error("{url} sent a malformed answer: {reason}")]
    Malformed {
        /// The endpoint.
        url: String,
        /// What was wrong.
        reason: String,
    },
    /// The server answered with an XML-RPC fault.
    #[error(transparent)]
    Fault(#[from] Fault),
}

/// A cheaply clonable, pooled HTTP/1.1 client that speaks XML-RPC.
#[derive(Clone, Debug)]
pub struct HttpClient {
    inner: Client<HttpConnector, Full<Bytes>>,
    max_body: usize,
}

impl Default for HttpClient {
    fn default() -> Self {
        Self::new()
    }
}

impl HttpClient {
    /// A client with keep-alive pooling and the default response size limit.
    pub fn new() -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(Duration::from_secs(10)));
        let inner = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            // Shorter than the servers' idle timeouts, so we rarely reuse a closing socket.
            .pool_idle_timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(32)
            .build(connector);
        HttpClient {
            inner,
            max_body: DEFAULT_MAX_BODY,
        }
    }

    /// Sets the largest response body accepted.
    pub fn with_max_body(mut self, max_body: usize) -> Self {
        self.max_body = max_body;
        self
    }

    /// Calls `method` with `params` at `url`, waiting at most `timeout` for the answer.
    pub async fn call<'a, I>(
        &self,
        url: &str,
        method: &str,
        params: I,
        timeout: Option<Duration>,
    ) -> Result<Value, CallError>
    where
        I: IntoIterator<Item = &'a Value>,
        I::IntoIter: Clone,
    {
        let body = xmlrpc::write_call(method, params);
        let bytes = self.post(url, Bytes::from(body), timeout).await?;
        match xmlrpc::parse_response(&bytes) {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(fault)) => Err(CallError::Fault(fault)),
            Err(e) => Err(CallError::Malformed {
                url: url.to_owned(),
                reason: e.to_string(),
            }),
        }
    }

    /// POSTs an XML body and returns the response body of a 200 answer.
    pub async fn post(
        &self,
        url: &str,
        body: Bytes,
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
            .body(Full::new(body))
            .map_err(|e| CallError::BadUrl {
                url: url.to_owned(),
                reason: e.to_string(),
            })?;
        self.send(url, req, timeout).await
    }

    /// GETs `url` (used to read a lockfile published over HTTP).
    pub async fn get(&self, url: &str, timeout: Option<Duration>) -> Result<Bytes, CallError> {
        let uri = parse_http_uri(url)?;
        let req = Request::builder()
            .method(Method::GET)
            .uri(uri)
            .body(Full::new(Bytes::new()))
            .map_err(|e| CallError::BadUrl {
                url: url.to_owned(),
                reason: e.to_string(),
            })?;
        self.send(url, req, timeout).await
    }

    async fn send(
        &self,
        url: &str,
        req: Request<Full<Bytes>>,
        timeout: Option<Duration>,
    ) -> Result<Bytes, CallError> {
        let exchange = async {
            let resp = self
                .inner
                .request(req)
                .await
                .map_err(|e| CallError::Transport {
                    url: url.to_owned(),
                    reason: error_chain(&e),
                })?;
            let status = resp.status();
            let body = Limited::new(resp.into_body(), self.max_body);
            let bytes = body
                .collect()
                .await
                .map_err(|e| CallError::Transport {
                    url: url.to_owned(),
                    reason: e.to_string(),
                })?
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

fn parse_http_uri(url: &str) -> Result<Uri, CallError> {
    parse_http_url(url).map_err(|reason| CallError::BadUrl {
        url: url.to_owned(),
        reason,
    })
}

/// Parses an endpoint this client can call: an `http://` URL with a host. The error says
/// what is wrong with it (hubs use it to vet callback URLs before accepting them).
pub fn parse_http_url(url: &str) -> Result<Uri, String> {
    let uri: Uri = url
        .parse()
        .map_err(|e: http::uri::InvalidUri| e.to_string())?;
    match uri.scheme_str() {
        Some("http") if uri.host().is_some() => Ok(uri),
        Some("https") => Err("https endpoints are not supported by this build".to_owned()),
        _ => Err("expected an http:// URL with a host".to_owned()),
    }
}

/// Joins an error with its sources: hyper's top-level messages alone are vague.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
