//! The SAMP protocol, without any I/O runtime: the data model, its encodings and a serde
//! bridge, XML-RPC documents, the typed protocol maps and identifiers, MType patterns,
//! lockfiles and hub discovery, and the Standard Profile's method table.
//!
//! Layers above this one (`samp-http`, the client runtime, the hub) add transport; nothing
//! here depends on tokio or hyper, so the protocol can be read, tested and fuzzed alone.
//!
//! - Data model: [`Value`] and [`Map`], the SAMP int/float/boolean [`encoding`]s, and
//!   [`convert`] (serde to and from [`Value`]).
//! - Wire: [`xmlrpc`] documents (one-pass parser, writer that emits only what XML 1.0 allows).
//! - Protocol maps: [`Message`], [`Response`] and [`ErrInfo`], [`Metadata`],
//!   [`Subscriptions`], [`RegInfo`]; identifiers [`ClientId`], [`MsgId`], [`MsgTag`], and the
//!   redacted credentials [`PrivateKey`] and [`Secret`]; [`MType`] and [`MTypePattern`].
//! - Standard Profile: [`standard`] (the `samp.hub.*` and `samp.client.*` methods, their
//!   arguments, decoded and encoded in one place), [`lockfile`] and [`discovery`].
//! - Web Profile: [`web`] (the `samp.webhub.*` names, pulled callbacks, the MTypes web
//!   pages may send).
//! - [`names`]: every `samp.*` MType and map key the standard defines.

#![warn(missing_docs)]

pub mod convert;
pub mod discovery;
pub mod encoding;
pub mod error;
pub mod ids;
pub mod lockfile;
pub mod maps;
pub mod message;
pub mod mtype;
pub mod mtypes;
pub mod raw_message;
pub mod response;
pub mod standard;
pub mod value;
pub mod web;
pub mod xmlrpc;

pub use samp_grammar::names;

pub use discovery::{
    DiscoveryError, HubLocation, file_url, locate_hub, locate_hub_with, std_lockurl,
};
pub use error::ProtocolError;
pub use ids::{ClientId, MsgId, MsgTag, PrivateKey, Secret};
pub use lockfile::{LockInfo, LockfileError};
pub use maps::{Metadata, RegInfo, Subscriptions};
pub use message::{IntoMessage, Message};
pub use mtype::{
    MType, MTypeError, MTypeErrorKind, MTypePattern, is_valid_mtype, is_valid_pattern,
};
pub use raw_message::RawMessage;
pub use response::{ErrInfo, Response, Status};
pub use value::{Map, Value};
