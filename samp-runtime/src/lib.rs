//! The SAMP protocol core and client runtime behind the `samp` crate.
//!
//! Layers, bottom up: the data model ([`Value`], [`encoding`], [`convert`]), the wire
//! ([`xmlrpc`], [`http`]), the protocol maps ([`protocol`]), the hub proxy ([`hub_proxy`]) and
//! the client runtime ([`client`]: [`Client`], [`Context`], [`enum@Error`]).

#![warn(missing_docs)]

pub mod client;
pub mod convert;
pub mod encoding;
pub mod http;
pub mod hub_proxy;
pub mod protocol;
pub mod value;
pub mod xmlrpc;

pub use client::{Client, ClientBuilder, Context, Error, Result};
pub use protocol::{ErrInfo, Message, Metadata, Response};
pub use value::{Map, Value};
