//! Messages as a hub forwards them: the MType read, the rest kept as the XML it arrived
//! in, so a message goes to every recipient without being read into a tree and written
//! again for each.

use std::sync::OnceLock;

use crate::Value;
use crate::error::ProtocolError;
use crate::message::Message;
use crate::names::message::{MTYPE as MTYPE_KEY, PARAMS as PARAMS_KEY};
use crate::xmlrpc::{Kept, MemberKind, Param, RawValue, WriteError, WriteValue};

/// A message kept as XML: its MType, and the whole `<value>` element — as it arrived when
/// that can be forwarded unchanged, else written once. Reading it into a [`Message`]
/// happens only when asked for ([`parse`](Self::parse)), once. Cloning shares the bytes.
///
/// ```
/// use samp_protocol::{Message, RawMessage};
/// let m = RawMessage::from_message(&Message::new("coord.pointAt.sky").param("ra", "1"))?;
/// assert_eq!(m.mtype(), "coord.pointAt.sky");
/// assert_eq!(m.parse()?.get_str("ra"), Some("1"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct RawMessage {
    mtype: String,
    xml: RawValue,
    parsed: std::sync::Arc<OnceLock<Message>>,
}

impl RawMessage {
    /// A message written once.
    pub fn from_message(message: &Message) -> Result<RawMessage, WriteError> {
        Ok(RawMessage {
            mtype: message.mtype.clone(),
            xml: RawValue::encode(message)?,
            parsed: Default::default(),
        })
    }

    /// A message from a call's parameter: kept as it arrived if its shape is the one a
    /// message has (a `samp.mtype` string, a `samp.params` map), else read and written
    /// once. The error says what is wrong with it.
    pub fn from_param(param: Param) -> Result<RawMessage, ProtocolError> {
        match param {
            Param::Kept(kept) => RawMessage::from_kept(kept),
            Param::Value(value) => {
                let message = Message::from_value(value)?;
                RawMessage::encoded(message)
            }
        }
    }

    fn encoded(message: Message) -> Result<RawMessage, ProtocolError> {
        let xml = RawValue::encode(&message).map_err(|e| ProtocolError::WrongType {
            key: format!("message text ({e})"),
            found: "string",
            expected: "XML 1.0 text",
        })?;
        Ok(RawMessage {
            mtype: message.mtype.clone(),
            xml,
            parsed: std::sync::Arc::new(OnceLock::from(message)),
        })
    }

    fn from_kept(kept: Kept) -> Result<RawMessage, ProtocolError> {
        let Some(members) = &kept.members else {
            // Not a struct: read it for the precise error.
            let value = kept.raw.to_value().unwrap_or(Value::String(String::new()));
            return Err(ProtocolError::not_a_map("message", &value));
        };
        let find = |key: &str| members.iter().rev().find(|m| m.name == key);
        let mtype = match find(MTYPE_KEY).map(|m| &m.kind) {
            Some(MemberKind::String(s)) => s.clone(),
            other => return Err(ProtocolError::message_mtype(other.map(kind_name))),
        };
        match find(PARAMS_KEY).map(|m| &m.kind) {
            Some(MemberKind::Map) => Ok(RawMessage {
                mtype,
                xml: kept.raw,
                parsed: Default::default(),
            }),
            // Without samp.params a recipient would see something other than what the
            // hub read (an empty map): write it anew.
            None => {
                let value = kept.raw.to_value().map_err(unreadable)?;
                RawMessage::encoded(Message::from_value(value)?)
            }
            Some(other) => Err(ProtocolError::message_params(kind_name(other))),
        }
    }

    /// `samp.mtype`.
    pub fn mtype(&self) -> &str {
        &self.mtype
    }

    /// The message's size as XML, in bytes.
    pub fn len(&self) -> usize {
        self.xml.len()
    }

    /// Whether the XML is empty (it never is).
    pub fn is_empty(&self) -> bool {
        self.xml.is_empty()
    }

    /// The message read (once; later calls share the result).
    pub fn parse(&self) -> Result<&Message, ProtocolError> {
        if let Some(m) = self.parsed.get() {
            return Ok(m);
        }
        let value = self.xml.to_value().map_err(unreadable)?;
        let message = Message::from_value(value)?;
        Ok(self.parsed.get_or_init(|| message))
    }
}

/// A kept message whose XML does not read back as a value.
fn unreadable(e: impl std::fmt::Display) -> ProtocolError {
    ProtocolError::WrongType {
        key: format!("message ({e})"),
        found: "XML",
        expected: "map",
    }
}

fn kind_name(kind: &MemberKind) -> &'static str {
    match kind {
        MemberKind::String(_) => "string",
        MemberKind::Map => "map",
        MemberKind::List => "list",
        MemberKind::Other => "value",
    }
}

impl WriteValue for RawMessage {
    fn write_value(&self, out: &mut String) -> Result<(), WriteError> {
        self.xml.write_value(out)
    }

    fn size_hint(&self) -> usize {
        self.xml.len()
    }

    fn raw_xml(&self) -> Option<&bytes::Bytes> {
        Some(self.xml.bytes())
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;
    use crate::xmlrpc::parse_call_keeping;

    fn kept(message: &str) -> Result<RawMessage, ProtocolError> {
        let body = Bytes::from(format!(
            "<methodCall><methodName>m</methodName><params><param>{message}</param></params></methodCall>"
        ));
        let (_, mut params) = parse_call_keeping(&body, &|_, _| true).unwrap();
        RawMessage::from_param(params.remove(0))
    }

    #[test]
    fn messages_are_checked_as_when_read() {
        let ok = kept("<value><struct><member><name>samp.mtype</name><value>a.b</value></member><member><name>samp.params</name><value><struct/></value></member></struct></value>").unwrap();
        assert_eq!(ok.mtype(), "a.b");
        assert_eq!(ok.parse().unwrap().mtype, "a.b");
        let no_params = kept("<value><struct><member><name>samp.mtype</name><value>a.b</value></member></struct></value>").unwrap();
        assert!(
            String::from_utf8_lossy(no_params.xml.bytes()).contains("samp.params"),
            "written anew, with samp.params"
        );
        for (bad, says) in [
            ("<value>x</value>", "message is a string"),
            ("<value><struct/></value>", "no samp.mtype"),
            (
                "<value><struct><member><name>samp.mtype</name><value><struct/></value></member></struct></value>",
                "samp.mtype is a map",
            ),
            (
                "<value><struct><member><name>samp.mtype</name><value>a</value></member><member><name>samp.params</name><value>x</value></member></struct></value>",
                "samp.params is a string",
            ),
        ] {
            let err = kept(bad).unwrap_err().to_string();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }
}
