//! The SAMP protocol core and client runtime behind the `samp` crate.
//!
//! Layers, bottom up: the data model ([`Value`], [`encoding`], [`convert`]), the wire
//! ([`xmlrpc`], [`http`]), and the protocol maps ([`protocol`]).

pub mod client;
pub mod convert;
pub mod encoding;
pub mod http;
pub mod hub_proxy;
pub mod protocol;
pub mod value;
pub mod xmlrpc;

pub use value::{Map, Value};
