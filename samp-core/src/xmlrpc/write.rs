//! Writing XML-RPC documents in one pass, straight from the protocol types.
//!
//! SAMP only ever emits `<string>`, `<array>` and `<struct>`, so every [`WriteValue`] type
//! (a [`Value`], a [`Message`](crate::Message), a [`Response`](crate::Response), an id, ...)
//! writes its own `<value>` element without building a [`Value`] tree first. Text is
//! checked on the way: XML 1.0 cannot carry most control characters (not even as
//! `&#1;`), so a string holding one is refused with a [`WriteError`] instead of being
//! written into a document the other side cannot parse.

use std::sync::Arc;

use crate::value::{Map, Value};

use super::Fault;

const PROLOG: &str = "<?xml version=\"1.0\"?>";

/// A string that XML 1.0 cannot carry: it holds a control character other than tab, line
/// feed and carriage return, or U+FFFE / U+FFFF.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "character U+{code:04X} at byte {position} of the string starting {start:?} cannot be sent: XML 1.0 has no way to carry it"
)]
pub struct WriteError {
    /// The code point.
    pub code: u32,
    /// Its byte offset in the string.
    pub position: usize,
    /// The string's first characters, to find it.
    pub start: String,
}

/// A type that writes itself as one XML-RPC `<value>` element. `Sync`, so that a list of
/// `&dyn WriteValue` arguments may live across an `.await`.
///
/// ```
/// use samp_protocol::xmlrpc::{WriteValue, write_response};
/// use samp_protocol::{map, Message};
/// let doc = write_response(&Message::new("samp.app.ping")).unwrap();
/// assert!(doc.contains("<name>samp.mtype</name><value><string>samp.app.ping</string></value>"));
/// assert!(write_response(&map! { "x" => "bell \u{7}" }).is_err());
/// ```
pub trait WriteValue: Sync {
    /// Appends `<value>…</value>` to `out`.
    fn write_value(&self, out: &mut String) -> Result<(), WriteError>;

    /// A rough guess of the encoded size, to size the output buffer once.
    fn size_hint(&self) -> usize {
        64
    }

    /// The value as XML already written, if it is kept that way ([`RawValue`]): a
    /// document built by [`write_call_chunks`] shares these bytes instead of copying.
    ///
    /// [`RawValue`]: super::RawValue
    fn raw_xml(&self) -> Option<&bytes::Bytes> {
        None
    }
}

/// Writes an XML-RPC `<methodCall>` document as a list of chunks: what is written is
/// gathered into chunks of its own, and a parameter kept as XML ([`WriteValue::raw_xml`])
/// is a chunk sharing its bytes. For one large message sent to many recipients, each
/// document then costs only its few hundred bytes of its own.
pub fn write_call_chunks(
    method: &str,
    params: &[&dyn WriteValue],
) -> Result<Vec<bytes::Bytes>, WriteError> {
    let mut chunks = Vec::new();
    let mut out = String::with_capacity(256);
    out.push_str(PROLOG);
    out.push_str("<methodCall><methodName>");
    escape_into(&mut out, method)?;
    out.push_str("</methodName><params>");
    for p in params {
        out.push_str("<param>");
        match p.raw_xml() {
            Some(raw) => {
                chunks.push(bytes::Bytes::from(std::mem::take(&mut out)));
                chunks.push(raw.clone());
            }
            None => p.write_value(&mut out)?,
        }
        out.push_str("</param>");
    }
    out.push_str("</params></methodCall>");
    chunks.push(bytes::Bytes::from(out));
    Ok(chunks)
}

/// Writes an XML-RPC `<methodCall>` document.
///
/// ```
/// use samp_protocol::xmlrpc::{parse_call, write_call};
/// use samp_protocol::{ClientId, Value};
/// let doc = write_call("samp.hub.getMetadata", &[&"k:1", &ClientId::new("c2")]).unwrap();
/// assert_eq!(parse_call(doc.as_bytes()).unwrap().params, [Value::from("k:1"), Value::from("c2")]);
/// ```
pub fn write_call(method: &str, params: &[&dyn WriteValue]) -> Result<String, WriteError> {
    let hint: usize = params.iter().map(|p| p.size_hint()).sum();
    let mut out = String::with_capacity(128 + hint);
    out.push_str(PROLOG);
    out.push_str("<methodCall><methodName>");
    escape_into(&mut out, method)?;
    out.push_str("</methodName><params>");
    for p in params {
        out.push_str("<param>");
        p.write_value(&mut out)?;
        out.push_str("</param>");
    }
    out.push_str("</params></methodCall>");
    Ok(out)
}

/// Writes an XML-RPC `<methodResponse>` document carrying one value.
pub fn write_response(value: &dyn WriteValue) -> Result<String, WriteError> {
    let mut out = String::with_capacity(96 + value.size_hint());
    out.push_str(PROLOG);
    out.push_str("<methodResponse><params><param>");
    value.write_value(&mut out)?;
    out.push_str("</param></params></methodResponse>");
    Ok(out)
}

/// Writes an XML-RPC `<methodResponse>` document carrying a fault. A fault is text for
/// people, so characters XML 1.0 cannot carry are replaced by U+FFFD rather than refused.
pub fn write_fault(fault: &Fault) -> String {
    let message: String = fault
        .message
        .chars()
        .map(|c| if is_xml_char(c) { c } else { '\u{FFFD}' })
        .collect();
    let mut out = String::with_capacity(256 + message.len());
    out.push_str(PROLOG);
    out.push_str(
        "<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>",
    );
    out.push_str(&fault.code.to_string());
    out.push_str("</int></value></member><member><name>faultString</name><value><string>");
    escape_into(&mut out, &message).expect("replaced above");
    out.push_str("</string></value></member></struct></value></fault></methodResponse>");
    out
}

/// Writes one `<struct>` value member by member: for protocol maps whose fields are typed.
pub struct StructWriter<'a> {
    out: &'a mut String,
}

impl StructWriter<'_> {
    /// Appends a member.
    pub fn member(&mut self, name: &str, value: &dyn WriteValue) -> Result<(), WriteError> {
        self.out.push_str("<member><name>");
        escape_into(self.out, name)?;
        self.out.push_str("</name>");
        value.write_value(self.out)?;
        self.out.push_str("</member>");
        Ok(())
    }

    /// Appends every entry of `map` except those whose key is in `skip`.
    pub fn members(&mut self, map: &Map, skip: &[&str]) -> Result<(), WriteError> {
        for (k, v) in map {
            if !skip.contains(&k.as_str()) {
                self.member(k, v)?;
            }
        }
        Ok(())
    }
}

/// Appends `<value><struct>…</struct></value>`, the members written by `fill`.
pub fn write_struct(
    out: &mut String,
    fill: impl FnOnce(&mut StructWriter<'_>) -> Result<(), WriteError>,
) -> Result<(), WriteError> {
    out.push_str("<value><struct>");
    fill(&mut StructWriter { out })?;
    out.push_str("</struct></value>");
    Ok(())
}

/// Appends `<value><string>…</string></value>`.
pub fn write_string(out: &mut String, text: &str) -> Result<(), WriteError> {
    out.push_str("<value><string>");
    escape_into(out, text)?;
    out.push_str("</string></value>");
    Ok(())
}

impl WriteValue for Value {
    fn write_value(&self, out: &mut String) -> Result<(), WriteError> {
        match self {
            Value::String(s) => write_string(out, s),
            Value::List(items) => items.write_value(out),
            Value::Map(map) => map.write_value(out),
        }
    }

    fn size_hint(&self) -> usize {
        value_size_hint(self)
    }
}

impl WriteValue for Map {
    fn write_value(&self, out: &mut String) -> Result<(), WriteError> {
        write_struct(out, |s| s.members(self, &[]))
    }

    fn size_hint(&self) -> usize {
        map_size_hint(self)
    }
}

impl<T: WriteValue> WriteValue for [T] {
    fn write_value(&self, out: &mut String) -> Result<(), WriteError> {
        out.push_str("<value><array><data>");
        for item in self {
            item.write_value(out)?;
        }
        out.push_str("</data></array></value>");
        Ok(())
    }

    fn size_hint(&self) -> usize {
        42 + self.iter().map(WriteValue::size_hint).sum::<usize>()
    }
}

impl<T: WriteValue> WriteValue for Vec<T> {
    fn write_value(&self, out: &mut String) -> Result<(), WriteError> {
        self.as_slice().write_value(out)
    }

    fn size_hint(&self) -> usize {
        self.as_slice().size_hint()
    }
}

impl WriteValue for str {
    fn write_value(&self, out: &mut String) -> Result<(), WriteError> {
        write_string(out, self)
    }

    fn size_hint(&self) -> usize {
        31 + self.len()
    }
}

impl WriteValue for String {
    fn write_value(&self, out: &mut String) -> Result<(), WriteError> {
        write_string(out, self)
    }

    fn size_hint(&self) -> usize {
        31 + self.len()
    }
}

impl<T: WriteValue + ?Sized> WriteValue for &T {
    fn write_value(&self, out: &mut String) -> Result<(), WriteError> {
        (**self).write_value(out)
    }

    fn size_hint(&self) -> usize {
        (**self).size_hint()
    }

    fn raw_xml(&self) -> Option<&bytes::Bytes> {
        (**self).raw_xml()
    }
}

impl<T: WriteValue + Send + ?Sized> WriteValue for Arc<T> {
    fn write_value(&self, out: &mut String) -> Result<(), WriteError> {
        (**self).write_value(out)
    }

    fn size_hint(&self) -> usize {
        (**self).size_hint()
    }

    fn raw_xml(&self) -> Option<&bytes::Bytes> {
        (**self).raw_xml()
    }
}

impl<T: WriteValue + ?Sized> WriteValue for Box<T> {
    fn write_value(&self, out: &mut String) -> Result<(), WriteError> {
        (**self).write_value(out)
    }

    fn size_hint(&self) -> usize {
        (**self).size_hint()
    }

    fn raw_xml(&self) -> Option<&bytes::Bytes> {
        (**self).raw_xml()
    }
}

fn value_size_hint(value: &Value) -> usize {
    match value {
        Value::String(s) => 31 + s.len(),
        Value::List(items) => 42 + items.iter().map(value_size_hint).sum::<usize>(),
        Value::Map(map) => map_size_hint(map),
    }
}

fn map_size_hint(map: &Map) -> usize {
    32 + map
        .iter()
        .map(|(k, v)| 30 + k.len() + value_size_hint(v))
        .sum::<usize>()
}

/// Whether XML 1.0 can carry `c` (its `Char` production; Rust has no surrogates).
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escapes text for element content, refusing what XML 1.0 cannot carry. CR is written as
/// a character reference so that end-of-line normalisation cannot turn it into LF.
fn escape_into(out: &mut String, text: &str) -> Result<(), WriteError> {
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'\r' => "&#13;",
            b'\t' | b'\n' => continue,
            0..=0x1f => return Err(forbidden(text, i)),
            // U+FFFE and U+FFFF are EF BF BE and EF BF BF.
            0xEF if bytes.get(i + 1) == Some(&0xBF)
                && matches!(bytes.get(i + 2), Some(0xBE | 0xBF)) =>
            {
                return Err(forbidden(text, i));
            }
            _ => continue,
        };
        out.push_str(&text[start..i]);
        out.push_str(rep);
        start = i + 1;
    }
    out.push_str(&text[start..]);
    Ok(())
}

fn forbidden(text: &str, position: usize) -> WriteError {
    let code = text[position..].chars().next().map_or(0, u32::from);
    WriteError {
        code,
        position,
        start: text.chars().take(40).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters_are_refused() {
        for bad in [
            "\u{0}",
            "a\u{1}b",
            "\u{8}",
            "\u{1f}",
            "x\u{FFFE}",
            "\u{FFFF}",
        ] {
            let err = write_response(&Value::from(bad)).unwrap_err();
            assert!(err.to_string().contains("XML 1.0"), "{err}");
        }
        let err = write_response(&Value::from("ok then \u{1} not")).unwrap_err();
        assert_eq!((err.code, err.position), (1, 8));
        for good in ["\t\n\r", "é ü \u{FFFD} \u{10000}", "\u{7f}"] {
            assert!(write_response(&Value::from(good)).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn faults_are_always_written() {
        let doc = write_fault(&Fault::new("bad \u{1} input"));
        assert!(doc.contains("bad \u{FFFD} input"));
    }

    #[test]
    fn xml_chars() {
        assert!(is_xml_char('\t') && is_xml_char(' ') && is_xml_char('\u{10FFFF}'));
        assert!(!is_xml_char('\u{0}') && !is_xml_char('\u{1b}') && !is_xml_char('\u{FFFF}'));
    }
}
