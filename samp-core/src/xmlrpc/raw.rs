//! Values kept as the XML they arrived in, so that a hub can forward them without
//! reading them into a tree and writing them again.

use bytes::Bytes;

use super::{WriteError, WriteValue, XmlRpcError};
use crate::value::Value;

/// A `<value>` element exactly as it arrived: well-formed, every character one XML 1.0
/// allows, nested no deeper than the limit, and holding only what every reader reads
/// alike (strings, arrays, structs; no comments, no sloppy scalar types) — all checked
/// by the parser that cut it out. Cloning shares the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct RawValue(Bytes);

impl std::fmt::Debug for RawValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RawValue({} bytes)", self.0.len())
    }
}

impl RawValue {
    /// Wraps bytes the parser has checked.
    pub(super) fn from_checked(bytes: Bytes) -> RawValue {
        RawValue(bytes)
    }

    /// The value written once, to be spliced into many documents.
    pub fn encode(value: &dyn WriteValue) -> Result<RawValue, WriteError> {
        let mut out = String::with_capacity(value.size_hint());
        value.write_value(&mut out)?;
        Ok(RawValue(Bytes::from(out)))
    }

    /// The XML, `<value>…</value>`.
    pub fn bytes(&self) -> &Bytes {
        &self.0
    }

    /// Its length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it is empty (it never is: `<value/>` at least).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Reads it into a value.
    pub fn to_value(&self) -> Result<Value, XmlRpcError> {
        super::parse_value(&self.0)
    }
}

impl WriteValue for RawValue {
    fn write_value(&self, out: &mut String) -> Result<(), WriteError> {
        // Checked UTF-8 when it was cut out or written; a failure here is impossible,
        // and reported rather than trusted.
        let text = std::str::from_utf8(&self.0).map_err(|e| WriteError {
            code: 0xFFFD,
            position: e.valid_up_to(),
            start: "(a value kept as it arrived)".to_owned(),
        })?;
        out.push_str(text);
        Ok(())
    }

    fn size_hint(&self) -> usize {
        self.0.len()
    }

    fn raw_xml(&self) -> Option<&Bytes> {
        Some(&self.0)
    }
}

/// A parameter kept as it arrived, with what its top level holds.
#[derive(Clone, Debug)]
pub struct Kept {
    /// The `<value>` element.
    pub raw: RawValue,
    /// For a struct, its members' names and kinds, in document order; `None` for a
    /// string or an array.
    pub members: Option<Vec<Member>>,
}

/// One top-level member of a kept struct.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// The member's name.
    pub name: String,
    /// What its value is.
    pub kind: MemberKind,
}

/// The kind of a member's value, with a string's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemberKind {
    /// A string, read.
    String(String),
    /// A struct.
    Map,
    /// An array.
    List,
    /// Not described (only the top level's members are).
    Other,
}
