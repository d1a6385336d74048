//! HTTP/1.1 for SAMP's XML-RPC: a keep-alive server with limits and timeouts, and a pooled
//! client (hyper 1 and hyper-util).
//!
//! SAMP's Standard Profile is XML-RPC over HTTP POST. Both hubs and callable clients run a
//! server; both talk to the other side with a client. Connections are kept alive and reused
//! because SAMP traffic is many small requests between the same few peers. The documents
//! themselves come from `samp-protocol`; this crate only moves them.

#![warn(missing_docs)]

mod body;
mod client;
mod server;
#[cfg(feature = "tls")]
pub mod tls;
mod xmlrpc_endpoint;

pub use body::{Body, StreamError};
pub use client::{CallError, Chunks, EndpointError, Fetched, HttpClient, Streamed, parse_http_url};
pub use server::{HttpFuture, HttpService, RequestInfo, Server, ServerConfig, ServerHandle, plain};
pub use xmlrpc_endpoint::{CallFuture, XmlRpcService, answer_call, xml_answer};

/// The default cap on a request or response body: room for a 1,000,000-row
/// `table.select.rowList` (about 60 MiB of XML) with margin.
pub const DEFAULT_MAX_BODY: usize = 128 * 1024 * 1024;

/// An underlying error kept as the `source()` of ours; shared, so our errors stay `Clone`.
pub type BoxError = std::sync::Arc<dyn std::error::Error + Send + Sync>;
