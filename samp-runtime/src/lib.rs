//! The SAMP client runtime: find a hub, register, serve callbacks through handlers, send
//! messages and query the hub — everything astropy's `SAMPClient` does, in async Rust.
//!
//! Layers below: `samp-protocol` (data model, XML-RPC, protocol maps, the Standard
//! Profile's method table), re-exported as [`protocol`], and `samp-http` (server and
//! pooled client), re-exported as [`http`]. Here: the typed [`hub_proxy`], the
//! [`client`] ([`Client`], [`Context`], handlers, sending, response routing) and the one
//! [`enum@Error`] type.
//!
//! Applications normally use the `samp` facade, which re-exports what they need.

#![warn(missing_docs)]

pub mod client;
pub mod error;
pub mod hub_proxy;

#[doc(no_inline)]
pub use samp_http as http;
#[doc(no_inline)]
pub use samp_protocol as protocol;

pub use client::{Client, ClientBuilder, Context};
pub use error::{Error, Result};
pub use samp_protocol::{
    ClientId, ErrInfo, Map, Message, Metadata, MsgId, MsgTag, Response, Value, map,
};
