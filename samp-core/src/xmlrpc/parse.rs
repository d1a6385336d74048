//! The one-pass XML-RPC parser.

use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::{Fault, MAX_DEPTH, MethodCall, XmlRpcError};
use crate::value::{Map, Value};

/// Parses an XML-RPC `<methodCall>` document.
pub fn parse_call(body: &[u8]) -> Result<MethodCall, XmlRpcError> {
    let mut p = Parser::new(body, "methodCall")?;
    p.expect_start("methodCall")?;
    p.expect_start("methodName")?;
    let method = p.text_until("methodName")?;
    let mut params = Vec::new();
    match p.next_tag()? {
        Tag::Start(n) if n == "params" => loop {
            match p.next_tag()? {
                Tag::Start(n) if n == "param" => {
                    params.push(p.value_element(0)?);
                    p.expect_end("param")?;
                }
                Tag::End(n) if n == "params" => break,
                other => return Err(p.unexpected("<param> or </params>", &other)),
            }
        },
        Tag::Empty(n) if n == "params" => {}
        Tag::End(n) if n == "methodCall" => {
            return p.finish().map(|_| MethodCall { method, params });
        }
        other => return Err(p.unexpected("<params>", &other)),
    }
    p.expect_end("methodCall")?;
    p.finish()?;
    Ok(MethodCall { method, params })
}

/// Parses an XML-RPC `<methodResponse>` document: the value, or the fault it carries.
pub fn parse_response(body: &[u8]) -> Result<Result<Value, Fault>, XmlRpcError> {
    let mut p = Parser::new(body, "methodResponse")?;
    p.expect_start("methodResponse")?;
    let result = match p.next_tag()? {
        Tag::Start(n) if n == "params" => {
            p.expect_start("param")?;
            let v = p.value_element(0)?;
            p.expect_end("param")?;
            p.expect_end("params")?;
            Ok(v)
        }
        Tag::Start(n) if n == "fault" => {
            let v = p.value_element(0)?;
            p.expect_end("fault")?;
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
    p.expect_end("methodResponse")?;
    p.finish()?;
    Ok(result)
}

/// An element boundary, by local name.
#[derive(Debug)]
enum Tag {
    Start(Name),
    End(Name),
    Empty(Name),
    Eof,
}

/// An element name: the XML-RPC vocabulary without allocating, anything else owned.
type Name = Cow<'static, str>;

impl std::fmt::Display for Tag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Tag::Start(n) => write!(f, "<{n}>"),
            Tag::End(n) => write!(f, "</{n}>"),
            Tag::Empty(n) => write!(f, "<{n}/>"),
            Tag::Eof => f.write_str("end of document"),
        }
    }
}

fn local(e: &BytesStart<'_>) -> Name {
    name(e.local_name().as_ref())
}

fn name(text: &str) -> Name {
    const KNOWN: [&str; 21] = [
        "value",
        "string",
        "member",
        "name",
        "struct",
        "array",
        "data",
        "param",
        "params",
        "methodCall",
        "methodName",
        "methodResponse",
        "fault",
        "int",
        "i4",
        "i8",
        "boolean",
        "double",
        "dateTime.iso8601",
        "base64",
        "nil",
    ];
    match KNOWN.iter().find(|k| **k == text) {
        Some(k) => Cow::Borrowed(k),
        None => Cow::Owned(text.to_owned()),
    }
}

struct Parser<'a> {
    reader: Reader<&'a [u8]>,
    doc: &'static str,
}

impl<'a> Parser<'a> {
    fn new(body: &'a [u8], doc: &'static str) -> Result<Self, XmlRpcError> {
        let text = std::str::from_utf8(body).map_err(|e| XmlRpcError::NotUtf8(e.valid_up_to()))?;
        let mut reader = Reader::from_str(text);
        reader.config_mut().trim_text(false);
        Ok(Parser { reader, doc })
    }

    fn error(&self, detail: impl Into<String>) -> XmlRpcError {
        XmlRpcError::Malformed {
            doc: self.doc,
            offset: self.reader.buffer_position(),
            detail: detail.into(),
        }
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
                Event::Start(e) => return Ok(Tag::Start(local(&e))),
                Event::Empty(e) => return Ok(Tag::Empty(local(&e))),
                Event::End(e) => return Ok(Tag::End(name(e.local_name().as_ref()))),
                Event::Eof => return Ok(Tag::Eof),
                Event::Text(t) if t.chars().all(|c| c.is_ascii_whitespace()) => {}
                Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => {
                    return Err(self.error("unexpected text between elements"));
                }
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            }
        }
    }

    fn expect_start(&mut self, name: &str) -> Result<(), XmlRpcError> {
        match self.next_tag()? {
            Tag::Start(n) if n == name => Ok(()),
            other => Err(self.unexpected(&format!("<{name}>"), &other)),
        }
    }

    fn expect_end(&mut self, name: &str) -> Result<(), XmlRpcError> {
        match self.next_tag()? {
            Tag::End(n) if n == name => Ok(()),
            other => Err(self.unexpected(&format!("</{name}>"), &other)),
        }
    }

    fn finish(&mut self) -> Result<(), XmlRpcError> {
        match self.next_tag()? {
            Tag::Eof => Ok(()),
            other => Err(self.unexpected("end of document", &other)),
        }
    }

    /// Appends text to `out` if XML 1.0 allows every character in it.
    fn push_text(&self, out: &mut String, text: &str) -> Result<(), XmlRpcError> {
        let bytes = text.as_bytes();
        let bad = bytes.iter().enumerate().find(|&(i, &b)| {
            (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
                || (b == 0xEF
                    && bytes.get(i + 1) == Some(&0xBF)
                    && matches!(bytes.get(i + 2), Some(0xBE | 0xBF)))
        });
        if let Some((i, _)) = bad {
            let c = text[i..].chars().next().unwrap_or('\0');
            return Err(self.forbidden(c));
        }
        out.push_str(text);
        Ok(())
    }

    fn forbidden(&self, c: char) -> XmlRpcError {
        self.error(format!(
            "character U+{:04X} is not allowed in XML 1.0 (not even as a character reference)",
            u32::from(c)
        ))
    }

    /// Appends a reference (`&amp;`, `&#13;`) to `out`.
    fn push_ref(&self, out: &mut String, name: &str) -> Result<(), XmlRpcError> {
        let c = match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let r = quick_xml::events::BytesRef::new(name);
                match r.resolve_char_ref() {
                    Ok(Some(c)) if !super::is_xml_char(c) => return Err(self.forbidden(c)),
                    Ok(Some(c)) => c,
                    _ => return Err(self.error(format!("unknown entity &{name};"))),
                }
            }
        };
        out.push(c);
        Ok(())
    }

    /// Text content up to `</end>`; no child elements allowed.
    fn text_until(&mut self, end: &str) -> Result<String, XmlRpcError> {
        let mut out = String::new();
        loop {
            match self.event()? {
                Event::Text(t) => self.push_text(&mut out, &t.xml10_content())?,
                Event::CData(c) => self.push_text(&mut out, &c.xml10_content())?,
                Event::GeneralRef(r) => self.push_ref(&mut out, &r)?,
                Event::End(e) if e.local_name().as_ref() == end => return Ok(out),
                Event::Comment(_) | Event::PI(_) => {}
                Event::Eof => return Err(self.error(format!("document ends inside <{end}>"))),
                _ => return Err(self.error(format!("unexpected element inside <{end}>"))),
            }
        }
    }

    /// Reads `<value>…</value>` (or `<value/>`), the next element.
    fn value_element(&mut self, depth: usize) -> Result<Value, XmlRpcError> {
        match self.next_tag()? {
            Tag::Start(n) if n == "value" => self.value_body(depth),
            Tag::Empty(n) if n == "value" => Ok(Value::String(String::new())),
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
                Event::GeneralRef(r) => self.push_ref(&mut text, &r)?,
                Event::Comment(_) | Event::PI(_) => {}
                // Untyped: the text is the string, whitespace and all.
                Event::End(e) if e.local_name().as_ref() == "value" => {
                    return Ok(Value::String(text));
                }
                Event::Start(e) => {
                    if !text.trim().is_empty() {
                        return Err(self.error("text beside a typed value"));
                    }
                    let value = self.typed(&local(&e), depth)?;
                    self.expect_end("value")?;
                    return Ok(value);
                }
                Event::Empty(e) => {
                    let value = match local(&e).as_ref() {
                        "string" => Value::String(String::new()),
                        "struct" => Value::Map(Map::new()),
                        "array" => Value::List(Vec::new()),
                        other => return Err(self.type_error(other)),
                    };
                    self.expect_end("value")?;
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

    fn type_error(&self, name: &str) -> XmlRpcError {
        match name {
            "base64" | "nil" => XmlRpcError::UnsupportedType(name.to_owned()),
            _ => self.error(format!("unknown value type <{name}>")),
        }
    }

    /// A typed value whose start tag `<name>` has been read.
    fn typed(&mut self, name: &str, depth: usize) -> Result<Value, XmlRpcError> {
        match name {
            "string" => Ok(Value::String(self.text_until("string")?)),
            "int" | "i4" | "i8" | "double" | "dateTime.iso8601" => {
                Ok(Value::String(self.text_until(name)?.trim().to_owned()))
            }
            "boolean" => {
                let text = self.text_until("boolean")?;
                Ok(Value::from(match text.trim() {
                    "1" | "true" => "1",
                    "0" | "false" => "0",
                    other => return Err(self.error(format!("invalid <boolean> {other:?}"))),
                }))
            }
            "struct" => {
                let mut map = Map::new();
                loop {
                    match self.next_tag()? {
                        Tag::Start(n) if n == "member" => {
                            let key = match self.next_tag()? {
                                Tag::Start(n) if n == "name" => self.text_until("name")?,
                                Tag::Empty(n) if n == "name" => String::new(),
                                other => return Err(self.unexpected("<name>", &other)),
                            };
                            let value = self.value_element(depth + 1)?;
                            self.expect_end("member")?;
                            map.insert(key, value);
                        }
                        Tag::End(n) if n == "struct" => return Ok(Value::Map(map)),
                        other => return Err(self.unexpected("<member> or </struct>", &other)),
                    }
                }
            }
            "array" => {
                let mut items = Vec::new();
                match self.next_tag()? {
                    Tag::Start(n) if n == "data" => loop {
                        match self.next_tag()? {
                            Tag::Start(n) if n == "value" => {
                                items.push(self.value_body(depth + 1)?)
                            }
                            Tag::Empty(n) if n == "value" => {
                                items.push(Value::String(String::new()))
                            }
                            Tag::End(n) if n == "data" => break,
                            other => return Err(self.unexpected("<value> or </data>", &other)),
                        }
                    },
                    Tag::Empty(n) if n == "data" => {}
                    other => return Err(self.unexpected("<data>", &other)),
                }
                self.expect_end("array")?;
                Ok(Value::List(items))
            }
            other => Err(self.type_error(other)),
        }
    }
}
