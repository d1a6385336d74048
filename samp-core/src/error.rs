//! Errors from reading SAMP protocol maps: each message says which key was wrong and how,
//! because the text often ends up in an XML-RPC fault shown to another application's user.

use crate::mtype::MTypeError;

/// A protocol map (message, response, subscriptions, reg-info, ...) did not have the
/// required shape.
///
/// ```
/// use samp_protocol::{map, Message};
/// let err = Message::from_value(map! { "samp.params" => map! {} }).unwrap_err();
/// assert_eq!(err.to_string(), "message map has no samp.mtype string");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// A whole value that should be a map is something else (`what` names it, e.g. `message`).
    #[error("{what} is a {found}, expected a map")]
    NotAMap {
        /// Which value, e.g. `message`, `response`.
        what: &'static str,
        /// The SAMP type actually found (`string` or `list`).
        found: &'static str,
    },
    /// A required key is absent.
    #[error("{map} map has no {key} {expected}")]
    MissingKey {
        /// Which map, e.g. `message`, `registration info`.
        map: &'static str,
        /// The missing key, e.g. `samp.mtype`.
        key: &'static str,
        /// The SAMP type it should have had.
        expected: &'static str,
    },
    /// A key is present with the wrong SAMP type.
    #[error("{key} is a {found}, expected a {expected}")]
    WrongType {
        /// The key (or a description of the entry), e.g. `samp.params`.
        key: String,
        /// The SAMP type found.
        found: &'static str,
        /// The SAMP type required.
        expected: &'static str,
    },
    /// `samp.status` is not one of the three standard values.
    #[error("samp.status {0:?} is not samp.ok, samp.warning or samp.error")]
    UnknownStatus(String),
    /// A subscriptions key is not an MType pattern.
    #[error("bad subscriptions key: {0}")]
    BadPattern(#[source] MTypeError),
    /// A response broke the presence rules of SAMP.md §2.6 (see
    /// [`validate_response`](crate::response::validate_response) for the wording).
    #[error("{0}")]
    InvalidResponse(String),
}

impl ProtocolError {
    /// `NotAMap` for `value` if it isn't a map; helper for `from_value` implementations.
    pub(crate) fn not_a_map(what: &'static str, value: &crate::Value) -> ProtocolError {
        ProtocolError::NotAMap {
            what,
            found: value.kind(),
        }
    }

    /// A message whose `samp.mtype` is a `found` rather than a string, or is missing.
    pub(crate) fn message_mtype(found: Option<&'static str>) -> ProtocolError {
        use crate::names::message::MTYPE;
        match found {
            Some(found) => ProtocolError::WrongType {
                key: MTYPE.to_owned(),
                found,
                expected: "string",
            },
            None => ProtocolError::MissingKey {
                map: "message",
                key: MTYPE,
                expected: "string",
            },
        }
    }

    /// A message whose `samp.params` is a `found` rather than a map.
    pub(crate) fn message_params(found: &'static str) -> ProtocolError {
        ProtocolError::WrongType {
            key: crate::names::message::PARAMS.to_owned(),
            found,
            expected: "map",
        }
    }
}
