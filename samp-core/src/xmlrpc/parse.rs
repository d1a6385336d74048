//! The one-pass XML-RPC parser, on `quick-xml` events.
//!
//! Two ways to read a `<value>`: into a [`Value`] tree, or — for a value the caller only
//! forwards — *kept*: checked in the same pass (well-formed, XML 1.0 characters, depth)
//! without building anything, and cut out of the document as it is ([`RawValue`]), with
//! the names and kinds of its top-level members for the caller to route on.

use bytes::Bytes;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::raw::Kept;
use super::{Fault, MAX_DEPTH, MethodCall, XmlRpcError};
use crate::value::{Map, Value};

/// Parses an XML-RPC `<methodCall>` document.
pub fn parse_call(body: &[u8]) -> Result<MethodCall, XmlRpcError> {
    let (method, params) = parse_call_with(body, None, &|_, _| false)?;
    let params = params
        .into_iter()
        .map(|p| match p {
            Param::Value(v) => v,
            Param::Kept(_) => unreachable!("nothing is kept when nothing is asked to be"),
        })
        .collect();
    Ok(MethodCall { method, params })
}

/// A parameter of a call read by [`parse_call_keeping`].
#[derive(Debug)]
pub enum Param {
    /// Read into a value.
    Value(Value),
    /// Kept as it arrived.
    Kept(Kept),
}

/// Parses a `<methodCall>`, keeping as they arrived the parameters `keep(method, index)`
/// asks for (when they can be forwarded unchanged; see [`Kept`]) and reading the others.
/// The kept ones share `body`'s memory.
pub fn parse_call_keeping(
    body: &Bytes,
    keep: &dyn Fn(&str, usize) -> bool,
) -> Result<(String, Vec<Param>), XmlRpcError> {
    parse_call_with(body, Some(body), keep)
}

mod keep;
mod plain;

fn parse_call_with(
    body: &[u8],
    shared: Option<&Bytes>,
    keep: &dyn Fn(&str, usize) -> bool,
) -> Result<(String, Vec<Param>), XmlRpcError> {
    let mut p = Parser::new(body, "methodCall")?;
    p.expect_start(El::MethodCall)?;
    p.expect_start(El::MethodName)?;
    let method = p.text_until("methodName")?;
    let mut params = Vec::new();
    match p.next_tag()? {
        Tag::Start(El::Params) => loop {
            match p.next_tag()? {
                Tag::Start(El::Param) => {
                    let param = match shared {
                        Some(bytes) if keep(&method, params.len()) => p.kept_param(bytes)?,
                        _ => Param::Value(p.value_element(0)?),
                    };
                    params.push(param);
                    p.expect_end(El::Param)?;
                }
                Tag::End(El::Params) => break,
                other => return Err(p.unexpected("<param> or </params>", &other)),
            }
        },
        Tag::Empty(El::Params) => {}
        Tag::End(El::MethodCall) => {
            return p.finish().map(|_| (method, params));
        }
        other => return Err(p.unexpected("<params>", &other)),
    }
    p.expect_end(El::MethodCall)?;
    p.finish()?;
    Ok((method, params))
}

/// Parses an XML-RPC `<methodResponse>` document: the value, or the fault it carries.
pub fn parse_response(body: &[u8]) -> Result<Result<Value, Fault>, XmlRpcError> {
    let mut p = Parser::new(body, "methodResponse")?;
    p.expect_start(El::MethodResponse)?;
    let result = match p.next_tag()? {
        Tag::Start(El::Params) => {
            p.expect_start(El::Param)?;
            let v = p.value_element(0)?;
            p.expect_end(El::Param)?;
            p.expect_end(El::Params)?;
            Ok(v)
        }
        Tag::Start(El::Fault) => {
            let v = p.value_element(0)?;
            p.expect_end(El::Fault)?;
            let fields = v.as_map();
            let code = fields
                .and_then(|m| m.get("faultCode"))
                .and_then(Value::as_str);
            let message = fields
                .and_then(|m| m.get("faultString"))
                .and_then(Value::as_str);
            Err(Fault {
                code: code.and_then(|c| c.trim().parse().ok()).unwrap_or(0),
                message: message
                    .unwrap_or("(fault without a faultString)")
                    .to_owned(),
            })
        }
        other => return Err(p.unexpected("<params> or <fault>", &other)),
    };
    p.expect_end(El::MethodResponse)?;
    p.finish()?;
    Ok(result)
}

/// Parses a document that is one `<value>` element (what [`RawValue`] holds).
pub(super) fn parse_value(body: &[u8]) -> Result<Value, XmlRpcError> {
    let mut p = Parser::new(body, "value")?;
    let v = p.value_element(0)?;
    p.finish()?;
    Ok(v)
}

/// The XML-RPC vocabulary, matched without allocating.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum El {
    Value,
    String,
    Member,
    Name,
    Struct,
    Array,
    Data,
    Param,
    Params,
    MethodCall,
    MethodName,
    MethodResponse,
    Fault,
    Int,
    I4,
    I8,
    Boolean,
    Double,
    DateTime,
    Base64,
    Nil,
    Other,
}

impl El {
    fn of(local: &str) -> El {
        match local {
            "value" => El::Value,
            "string" => El::String,
            "member" => El::Member,
            "name" => El::Name,
            "struct" => El::Struct,
            "array" => El::Array,
            "data" => El::Data,
            "param" => El::Param,
            "params" => El::Params,
            "methodCall" => El::MethodCall,
            "methodName" => El::MethodName,
            "methodResponse" => El::MethodResponse,
            "fault" => El::Fault,
            "int" => El::Int,
            "i4" => El::I4,
            "i8" => El::I8,
            "boolean" => El::Boolean,
            "double" => El::Double,
            "dateTime.iso8601" => El::DateTime,
            "base64" => El::Base64,
            "nil" => El::Nil,
            _ => El::Other,
        }
    }

    fn name(self) -> &'static str {
        match self {
            El::Value => "value",
            El::String => "string",
            El::Member => "member",
            El::Name => "name",
            El::Struct => "struct",
            El::Array => "array",
            El::Data => "data",
            El::Param => "param",
            El::Params => "params",
            El::MethodCall => "methodCall",
            El::MethodName => "methodName",
            El::MethodResponse => "methodResponse",
            El::Fault => "fault",
            El::Int => "int",
            El::I4 => "i4",
            El::I8 => "i8",
            El::Boolean => "boolean",
            El::Double => "double",
            El::DateTime => "dateTime.iso8601",
            El::Base64 => "base64",
            El::Nil => "nil",
            El::Other => "(unknown element)",
        }
    }
}

/// An element boundary.
#[derive(Debug)]
enum Tag {
    Start(El),
    End(El),
    Empty(El),
    Eof,
}

impl std::fmt::Display for Tag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Tag::Start(n) => write!(f, "<{}>", n.name()),
            Tag::End(n) => write!(f, "</{}>", n.name()),
            Tag::Empty(n) => write!(f, "<{}/>", n.name()),
            Tag::Eof => f.write_str("end of document"),
        }
    }
}

/// Attributes: XML-RPC has none, and a kept value must not carry any unchecked.
fn has_attributes(e: &BytesStart<'_>) -> bool {
    !is_blank(e.attributes_raw())
}

fn local(e: &BytesStart<'_>) -> El {
    El::of(e.local_name().as_ref())
}

/// XML's white space: space, tab, carriage return, line feed (not form feed, which
/// `u8::is_ascii_whitespace` counts and XML 1.0 does not even allow).
fn is_xml_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_blank(text: &str) -> bool {
    text.bytes().all(is_xml_space)
}

/// A byte XML 1.0 forbids in text at `i` (C0 controls but tab, newline and carriage
/// return; U+FFFE and U+FFFF), as the character it starts.
fn forbidden_at(text: &str) -> Option<char> {
    let bytes = text.as_bytes();
    let i = bytes.iter().enumerate().position(|(i, &b)| {
        (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
            || (b == 0xEF
                && bytes.get(i + 1) == Some(&0xBF)
                && matches!(bytes.get(i + 2), Some(0xBE | 0xBF)))
    })?;
    text[i..].chars().next()
}

/// Whether a character reference or predefined entity names an allowed character.
fn resolve_ref(name: &str) -> Result<char, Option<char>> {
    match name {
        "amp" => Ok('&'),
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "quot" => Ok('"'),
        "apos" => Ok('\''),
        _ => {
            let r = quick_xml::events::BytesRef::new(name);
            match r.resolve_char_ref() {
                Ok(Some(c)) if !super::is_xml_char(c) => Err(Some(c)),
                Ok(Some(c)) => Ok(c),
                _ => Err(None),
            }
        }
    }
}

struct Parser<'a> {
    reader: Reader<&'a [u8]>,
    doc: &'static str,
    /// Set when an element read carried attributes (a kept value must not).
    attributes: bool,
    /// The document's length in bytes.
    len: usize,
}

impl<'a> Parser<'a> {
    fn new(body: &'a [u8], doc: &'static str) -> Result<Self, XmlRpcError> {
        let text = std::str::from_utf8(body).map_err(|e| XmlRpcError::NotUtf8(e.valid_up_to()))?;
        let mut reader = Reader::from_str(text);
        reader.config_mut().trim_text(false);
        Ok(Parser {
            reader,
            doc,
            attributes: false,
            len: body.len(),
        })
    }

    fn error(&self, detail: impl Into<String>) -> XmlRpcError {
        XmlRpcError::Malformed {
            doc: self.doc,
            offset: self.position(),
            detail: detail.into(),
        }
    }

    /// How far into the document the reader is: counted from what is left, as the
    /// reader's own count misses what [`Self::plain_items`] skips.
    fn position(&self) -> u64 {
        (self.len - self.reader.get_ref().len()) as u64
    }

    fn unexpected(&self, want: &str, got: &Tag) -> XmlRpcError {
        self.error(format!("expected {want}, found {got}"))
    }

    fn event(&mut self) -> Result<Event<'a>, XmlRpcError> {
        self.reader
            .read_event()
            .map_err(|e| self.error(format!("not well-formed XML: {e}")))
    }

    /// The next element boundary, skipping whitespace, comments and declarations.
    fn next_tag(&mut self) -> Result<Tag, XmlRpcError> {
        loop {
            match self.event()? {
                Event::Start(e) => {
                    self.attributes |= has_attributes(&e);
                    return Ok(Tag::Start(local(&e)));
                }
                Event::Empty(e) => {
                    self.attributes |= has_attributes(&e);
                    return Ok(Tag::Empty(local(&e)));
                }
                Event::End(e) => return Ok(Tag::End(El::of(e.local_name().as_ref()))),
                Event::Eof => return Ok(Tag::Eof),
                Event::Text(t) if is_blank(&t) => {}
                Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => {
                    return Err(self.error("unexpected text between elements"));
                }
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            }
        }
    }

    fn expect_start(&mut self, el: El) -> Result<(), XmlRpcError> {
        match self.next_tag()? {
            Tag::Start(n) if n == el => Ok(()),
            other => Err(self.unexpected(&format!("<{}>", el.name()), &other)),
        }
    }

    fn expect_end(&mut self, el: El) -> Result<(), XmlRpcError> {
        match self.next_tag()? {
            Tag::End(n) if n == el => Ok(()),
            other => Err(self.unexpected(&format!("</{}>", el.name()), &other)),
        }
    }

    fn finish(&mut self) -> Result<(), XmlRpcError> {
        match self.next_tag()? {
            Tag::Eof => Ok(()),
            other => Err(self.unexpected("end of document", &other)),
        }
    }

    fn forbidden(&self, c: char) -> XmlRpcError {
        self.error(format!(
            "character U+{:04X} is not allowed in XML 1.0 (not even as a character reference)",
            u32::from(c)
        ))
    }

    /// Checks text for characters XML 1.0 forbids.
    fn check_text(&self, text: &str) -> Result<(), XmlRpcError> {
        match forbidden_at(text) {
            Some(c) => Err(self.forbidden(c)),
            None => Ok(()),
        }
    }

    /// Appends text to `out` if XML 1.0 allows every character in it.
    fn push_text(&self, out: &mut String, text: &str) -> Result<(), XmlRpcError> {
        self.check_text(text)?;
        out.push_str(text);
        Ok(())
    }

    /// The character of a reference (`&amp;`, `&#13;`).
    fn reference(&self, name: &str) -> Result<char, XmlRpcError> {
        resolve_ref(name).map_err(|bad| match bad {
            Some(c) => self.forbidden(c),
            None => self.error(format!("unknown entity &{name};")),
        })
    }

    /// Text content up to `</end>`; no child elements allowed.
    fn text_until(&mut self, end: &str) -> Result<String, XmlRpcError> {
        let mut out = String::new();
        loop {
            match self.event()? {
                Event::Text(t) => self.push_text(&mut out, &t.xml10_content())?,
                Event::CData(c) => self.push_text(&mut out, &c.xml10_content())?,
                Event::GeneralRef(r) => out.push(self.reference(&r)?),
                Event::End(e) if e.local_name().as_ref() == end => return Ok(out),
                Event::Comment(_) | Event::PI(_) => {}
                Event::Eof => return Err(self.error("document ends inside an element")),
                _ => return Err(self.error("unexpected element inside a text element")),
            }
        }
    }

    /// Reads `<value>…</value>` (or `<value/>`), the next element.
    fn value_element(&mut self, depth: usize) -> Result<Value, XmlRpcError> {
        match self.next_tag()? {
            Tag::Start(El::Value) => self.value_body(depth),
            Tag::Empty(El::Value) => Ok(Value::String(String::new())),
            other => Err(self.unexpected("<value>", &other)),
        }
    }

    /// The inside of a `<value>` whose start tag has been read.
    fn value_body(&mut self, depth: usize) -> Result<Value, XmlRpcError> {
        if depth > MAX_DEPTH {
            return Err(self.error(format!("values nested deeper than {MAX_DEPTH}")));
        }
        let mut text = String::new();
        loop {
            match self.event()? {
                Event::Text(t) => self.push_text(&mut text, &t.xml10_content())?,
                Event::CData(c) => self.push_text(&mut text, &c.xml10_content())?,
                Event::GeneralRef(r) => text.push(self.reference(&r)?),
                Event::Comment(_) | Event::PI(_) => {}
                // Untyped: the text is the string, whitespace and all.
                Event::End(e) if e.local_name().as_ref() == "value" => {
                    return Ok(Value::String(text));
                }
                Event::Start(e) => {
                    if !is_blank(&text) {
                        return Err(self.error("text beside a typed value"));
                    }
                    let value = self.typed(local(&e), depth)?;
                    self.expect_end(El::Value)?;
                    return Ok(value);
                }
                Event::Empty(e) => {
                    let value = match local(&e) {
                        El::String => Value::String(String::new()),
                        El::Struct => Value::Map(Map::new()),
                        El::Array => Value::List(Vec::new()),
                        other => return Err(self.type_error(other, &e)),
                    };
                    self.expect_end(El::Value)?;
                    return Ok(value);
                }
                Event::End(_) => return Err(self.error("mismatched end tag inside <value>")),
                Event::Eof => return Err(self.error("document ends inside <value>")),
                Event::Decl(_) | Event::DocType(_) => {
                    return Err(self.error("declaration inside <value>"));
                }
            }
        }
    }

    fn type_error(&self, el: El, e: &BytesStart<'_>) -> XmlRpcError {
        match el {
            El::Base64 | El::Nil => XmlRpcError::UnsupportedType(el.name().to_owned()),
            _ => self.error(format!(
                "unknown value type <{}>",
                e.local_name().as_ref() as &str
            )),
        }
    }

    fn type_error_name(&self, el: El) -> XmlRpcError {
        match el {
            El::Base64 | El::Nil => XmlRpcError::UnsupportedType(el.name().to_owned()),
            _ => self.error(format!("unknown value type <{}>", el.name())),
        }
    }

    /// A typed value whose start tag has been read.
    fn typed(&mut self, el: El, depth: usize) -> Result<Value, XmlRpcError> {
        match el {
            El::String => Ok(Value::String(self.text_until("string")?)),
            El::Int | El::I4 | El::I8 | El::Double | El::DateTime => {
                Ok(Value::String(self.text_until(el.name())?.trim().to_owned()))
            }
            El::Boolean => {
                let text = self.text_until("boolean")?;
                Ok(Value::from(match text.trim() {
                    "1" | "true" => "1",
                    "0" | "false" => "0",
                    other => return Err(self.error(format!("invalid <boolean> {other:?}"))),
                }))
            }
            El::Struct => {
                let mut map = Map::new();
                loop {
                    match self.next_tag()? {
                        Tag::Start(El::Member) => {
                            let key = self.member_name()?;
                            let value = self.value_element(depth + 1)?;
                            self.expect_end(El::Member)?;
                            map.insert(key, value);
                        }
                        Tag::End(El::Struct) => return Ok(Value::Map(map)),
                        other => return Err(self.unexpected("<member> or </struct>", &other)),
                    }
                }
            }
            El::Array => {
                let mut items = Vec::new();
                match self.next_tag()? {
                    Tag::Start(El::Data) => loop {
                        self.plain_values(depth + 1, &mut items);
                        match self.next_tag()? {
                            Tag::Start(El::Value) => items.push(self.value_body(depth + 1)?),
                            Tag::Empty(El::Value) => items.push(Value::String(String::new())),
                            Tag::End(El::Data) => break,
                            other => return Err(self.unexpected("<value> or </data>", &other)),
                        }
                    },
                    Tag::Empty(El::Data) => {}
                    other => return Err(self.unexpected("<data>", &other)),
                }
                self.expect_end(El::Array)?;
                Ok(Value::List(items))
            }
            other => Err(self.type_error_name(other)),
        }
    }

    /// `<name>…</name>` (or `<name/>`) of a member whose start tag has been read.
    fn member_name(&mut self) -> Result<String, XmlRpcError> {
        match self.next_tag()? {
            Tag::Start(El::Name) => self.text_until("name"),
            Tag::Empty(El::Name) => Ok(String::new()),
            other => Err(self.unexpected("<name>", &other)),
        }
    }
}
