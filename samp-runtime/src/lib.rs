//! The SAMP protocol core and client runtime behind the `samp` crate.
//!
//! Layers, bottom up: the data model ([`Value`], [`encoding`]), the wire ([`xmlrpc`],
//! [`http`]), and the protocol maps.

pub mod value;
pub mod xmlrpc;

pub use value::{Map, Value};
