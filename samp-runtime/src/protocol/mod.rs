//! Typed SAMP protocol maps, identifiers, MType patterns, lockfiles and hub discovery.
//!
//! Everything here is transport-independent: it converts between [`Value`](crate::Value)
//! maps and Rust types, and checks the rules of the SAMP 1.3 data model, so that the
//! hub and client layers share one reading of the spec.
//!
//! - [`ids`]: [`ClientId`], [`MsgId`], [`MsgTag`], and the redacted [`PrivateKey`] and [`Secret`].
//! - [`mtype`]: [`MType`] and subscription [`MTypePattern`]s with the spec's wildcard rules.
//! - [`message`], [`response`], [`maps`]: the message, response, metadata, subscriptions
//!   and registration-info maps.
//! - [`lockfile`], [`discovery`]: the Standard Profile lockfile and where to find it.

pub mod discovery;
pub mod error;
pub mod ids;
pub mod lockfile;
pub mod maps;
pub mod message;
pub mod mtype;
pub mod response;

pub use discovery::{
    DiscoveryError, HubLocation, file_url, locate_hub, locate_hub_with, std_lockurl,
};
pub use error::ProtocolError;
pub use ids::*;
pub use lockfile::{LockInfo, LockfileError};
pub use maps::{Metadata, RegInfo, Subscriptions};
pub use message::Message;
pub use mtype::{
    MType, MTypeError, MTypeErrorKind, MTypePattern, is_valid_mtype, is_valid_pattern,
};
pub use response::{ErrInfo, Response, Status, validate_response};
