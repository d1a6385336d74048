//! The message map (SAMP.md §2.5): `samp.mtype`, `samp.params`, and any extra keys, which
//! hubs and clients must pass on unchanged.

use crate::convert::{ConvertError, to_value};
use crate::names::message::MTYPE as MTYPE_KEY;
use crate::names::message::PARAMS as PARAMS_KEY;
use crate::xmlrpc::{WriteError, WriteValue, write_struct};
use crate::{Map, Value};

use crate::error::ProtocolError;
use crate::mtype::{MType, MTypeError};

/// A SAMP message.
///
/// `mtype` is kept as received (not validated) so that a relaying hub or a lenient client
/// can still handle slightly off-grammar MTypes; use [`Message::parsed_mtype`] to check it.
///
/// ```
/// use samp_protocol::{map, Message, Value};
/// let msg = Message::new("table.load.votable")
///     .param("url", "file:///tmp/t.vot")
///     .param("name", "t");
/// let v = msg.to_value();
/// assert_eq!(v.as_map().unwrap()["samp.mtype"], Value::from("table.load.votable"));
/// assert_eq!(Message::from_value(v)?, msg);
/// # Ok::<(), samp_protocol::ProtocolError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Message {
    /// The MType (`samp.mtype`).
    pub mtype: String,
    /// The parameters (`samp.params`); empty if the message had none.
    pub params: Map,
    /// Any other top-level keys, relayed unchanged.
    pub extra: Map,
}

impl Message {
    /// A message with no parameters.
    pub fn new(mtype: impl Into<String>) -> Message {
        Message {
            mtype: mtype.into(),
            params: Map::new(),
            extra: Map::new(),
        }
    }

    /// Builder: sets parameter `key` (replacing any earlier value).
    pub fn param(mut self, key: impl Into<String>, value: impl Into<Value>) -> Message {
        self.params.insert(key.into(), value.into());
        self
    }

    /// Builder: sets a non-standard top-level key (e.g. a private `x-app.trace` entry).
    /// `samp.mtype` and `samp.params` set here are overridden by the fields.
    pub fn extra(mut self, key: impl Into<String>, value: impl Into<Value>) -> Message {
        self.extra.insert(key.into(), value.into());
        self
    }

    /// A message whose params are any `Serialize` value that converts to a SAMP map.
    ///
    /// ```
    /// use samp_protocol::Message;
    /// #[derive(serde::Serialize)]
    /// struct PointAt { ra: f64, dec: f64 }
    /// let m = Message::from_params("coord.pointAt.sky", &PointAt { ra: 83.63, dec: 22.01 })?;
    /// assert_eq!(m.get_str("ra"), Some("83.63"));
    /// # Ok::<(), samp_protocol::convert::ConvertError>(())
    /// ```
    pub fn from_params<T: serde::Serialize + ?Sized>(
        mtype: impl Into<String>,
        params: &T,
    ) -> Result<Message, ConvertError> {
        let mtype = mtype.into();
        match to_value(params) {
            Ok(Value::Map(params)) => Ok(Message {
                mtype,
                params,
                extra: Map::new(),
            }),
            Ok(other) => Err(ConvertError::new(format_args!(
                "params must convert to a map, not a {}",
                other.kind()
            ))
            .context(format_args!("params of {mtype}"))),
            Err(e) => Err(e.context(format_args!("params of {mtype}"))),
        }
    }

    /// Parameter `key`, if present.
    pub fn get_param(&self, key: &str) -> Option<&Value> {
        self.params.get(key)
    }

    /// Parameter `key`, if present and a string.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.params.get(key).and_then(Value::as_str)
    }

    /// The MType checked against the grammar (a sent message must have a concrete MType).
    pub fn parsed_mtype(&self) -> Result<MType, MTypeError> {
        MType::parse(&self.mtype)
    }

    /// The wire form: extra keys, then `samp.mtype` and `samp.params` (always present,
    /// `{}` when empty, as the spec asks senders to do).
    pub fn to_value(&self) -> Value {
        self.clone().into_value()
    }

    /// Like [`to_value`](Self::to_value) without cloning.
    pub fn into_value(self) -> Value {
        let mut m = self.extra;
        m.insert(MTYPE_KEY.to_owned(), Value::String(self.mtype));
        m.insert(PARAMS_KEY.to_owned(), Value::Map(self.params));
        Value::Map(m)
    }

    /// Reads a message: `samp.mtype` must be a string; a missing `samp.params` means no
    /// parameters, a non-map one is an error; other keys go to `extra`.
    pub fn from_value(value: Value) -> Result<Message, ProtocolError> {
        match value {
            Value::Map(m) => Message::from_map(m),
            other => Err(ProtocolError::not_a_map("message", &other)),
        }
    }

    /// [`from_value`](Self::from_value) for an already unwrapped map.
    pub fn from_map(mut map: Map) -> Result<Message, ProtocolError> {
        let mtype = match map.remove(MTYPE_KEY) {
            Some(Value::String(s)) => s,
            other => return Err(ProtocolError::message_mtype(other.map(|v| v.kind()))),
        };
        let params = match map.remove(PARAMS_KEY) {
            Some(Value::Map(p)) => p,
            None => Map::new(),
            Some(other) => return Err(ProtocolError::message_params(other.kind())),
        };
        Ok(Message {
            mtype,
            params,
            extra: map,
        })
    }
}

impl WriteValue for Message {
    fn write_value(&self, out: &mut String) -> Result<(), WriteError> {
        write_struct(out, |s| {
            s.member(MTYPE_KEY, &self.mtype)?;
            s.member(PARAMS_KEY, &self.params)?;
            s.members(&self.extra, &[MTYPE_KEY, PARAMS_KEY])
        })
    }

    fn size_hint(&self) -> usize {
        64 + self.mtype.len() + self.params.size_hint() + self.extra.size_hint()
    }
}

/// Anything that can be sent as a message: a [`Message`], or a typed message from
/// [`mtypes`](crate::mtypes) (or any [`MessageType`](crate::mtypes::MessageType)).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be sent as a SAMP message",
    label = "not a message",
    note = "send a `samp::Message`, a type from `samp::mtypes`, or a type that implements `samp::mtypes::MessageType`"
)]
pub trait IntoMessage {
    /// The message, or why its params do not convert to SAMP.
    fn into_message(self) -> Result<Message, ConvertError>;
}

impl IntoMessage for Message {
    fn into_message(self) -> Result<Message, ConvertError> {
        Ok(self)
    }
}

impl IntoMessage for &Message {
    fn into_message(self) -> Result<Message, ConvertError> {
        Ok(self.clone())
    }
}

impl<T: crate::mtypes::MessageType> IntoMessage for T {
    fn into_message(self) -> Result<Message, ConvertError> {
        Message::from_params(T::MTYPE, &self)
    }
}

impl From<Message> for Value {
    fn from(m: Message) -> Value {
        m.into_value()
    }
}

impl TryFrom<Value> for Message {
    type Error = ProtocolError;
    fn try_from(v: Value) -> Result<Message, ProtocolError> {
        Message::from_value(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map;

    #[test]
    fn builds_wire_form() {
        let v = Message::new("samp.app.ping").to_value();
        assert_eq!(
            v,
            map! { "samp.mtype" => "samp.app.ping", "samp.params" => map! {} }
        );
        let v = Message::new("a.b")
            .param("x", "1")
            .param("l", vec![Value::from("p")])
            .extra("x-app.trace", "t9")
            .to_value();
        assert_eq!(
            v,
            map! {
                "samp.mtype" => "a.b",
                "samp.params" => map! { "x" => "1", "l" => vec![Value::from("p")] },
                "x-app.trace" => "t9",
            }
        );
    }

    #[test]
    fn extras_cannot_override_fields() {
        let v = Message::new("a.b").extra("samp.mtype", "evil").into_value();
        assert_eq!(v.as_map().unwrap()["samp.mtype"], Value::from("a.b"));
    }

    #[test]
    fn reads_and_keeps_unknown_keys() {
        let m = Message::from_value(map! {
            "samp.mtype" => "table.load.votable",
            "samp.params" => map! { "url" => "file:///x" },
            "private.key" => map! { "deep" => "1" },
        })
        .unwrap();
        assert_eq!(m.mtype, "table.load.votable");
        assert_eq!(m.get_str("url"), Some("file:///x"));
        assert_eq!(m.extra["private.key"], map! { "deep" => "1" });
        assert!(m.parsed_mtype().is_ok());
        // Round trip keeps everything.
        assert_eq!(Message::from_value(m.to_value()).unwrap(), m);
    }

    #[test]
    fn missing_params_is_empty() {
        let m = Message::from_value(map! { "samp.mtype" => "samp.app.ping" }).unwrap();
        assert!(m.params.is_empty());
        assert!(m.extra.is_empty());
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let err = |v: Value| Message::from_value(v).unwrap_err().to_string();
        assert_eq!(err(map! {}), "message map has no samp.mtype string");
        assert_eq!(
            err(map! { "samp.mtype" => map! {} }),
            "samp.mtype is a map, expected a string"
        );
        assert_eq!(
            err(map! { "samp.mtype" => "a", "samp.params" => Vec::<Value>::new() }),
            "samp.params is a list, expected a map"
        );
        assert_eq!(
            err(map! { "samp.mtype" => "a", "samp.params" => "x" }),
            "samp.params is a string, expected a map"
        );
        assert_eq!(err(Value::from("x")), "message is a string, expected a map");
    }

    #[test]
    fn lenient_mtype_but_checkable() {
        let m = Message::from_value(map! { "samp.mtype" => "bad..mtype" }).unwrap();
        assert!(m.parsed_mtype().is_err());
    }
}
