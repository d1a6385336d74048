//! XML-RPC documents for SAMP (SAMP 1.3 §4.1): method calls, responses and faults.
//!
//! Parsing is a single pass over `quick-xml` events, tolerant in the ways real peers need:
//! untyped `<value>text</value>` strings (whitespace kept exactly), empty member names
//! (JSAMP's hub tester sends them), `<int>`, `<i4>`, `<i8>`, `<boolean>`, `<double>` and
//! `<dateTime.iso8601>` from sloppy peers read as their string form, comments and CDATA.
//! Writing is done here directly: SAMP only ever emits `<string>`, `<array>` and
//! `<struct>`, so one pass over the [`Value`] produces the document without a tree.

use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::value::{Map, Value};

/// A fault code used by SAMP peers for "the call could not be carried out".
///
/// SAMP leaves fault codes unspecified; the `faultString` carries the explanation.
pub const FAULT_GENERAL: i32 = 1;

/// Nesting deeper than this is refused, so hostile input cannot exhaust the stack.
pub const MAX_DEPTH: usize = 200;

/// An XML-RPC method call: the method name and its positional parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodCall {
    /// The method name, e.g. `samp.hub.register`.
    pub method: String,
    /// The positional parameters.
    pub params: Vec<Value>,
}

/// An XML-RPC fault: an integer code and a message saying what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("XML-RPC fault {code}: {message}")]
pub struct Fault {
    /// The `faultCode` member.
    pub code: i32,
    /// The `faultString` member.
    pub message: String,
}

impl Fault {
    /// A fault with the general code and the given explanation.
    pub fn new(message: impl Into<String>) -> Self {
        Fault {
            code: FAULT_GENERAL,
            message: message.into(),
        }
    }
}

/// A document that is not well-formed XML-RPC, or uses a type SAMP cannot carry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlRpcError {
    /// The body is not UTF-8.
    #[error("XML-RPC body is not valid UTF-8 (at byte {0})")]
    NotUtf8(usize),
    /// The body does not parse as the expected XML-RPC document.
    #[error("malformed XML-RPC {doc} (near byte {offset}): {detail}")]
    Malformed {
        /// `methodCall` or `methodResponse`.
        doc: &'static str,
        /// Byte offset where parsing stopped.
        offset: u64,
        /// What was wrong.
        detail: String,
    },
    /// A value of a type that has no SAMP equivalent.
    #[error("XML-RPC type <{0}> cannot be carried by SAMP (only string, array and struct can)")]
    UnsupportedType(String),
}

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
                Event::Text(t) => out.push_str(&t.xml10_content()),
                Event::CData(c) => out.push_str(&c.xml10_content()),
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
                Event::Text(t) => text.push_str(&t.xml10_content()),
                Event::CData(c) => text.push_str(&c.xml10_content()),
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

const PROLOG: &str = "<?xml version=\"1.0\"?>";

/// Writes an XML-RPC `<methodCall>` document.
///
/// `params` is anything that yields `&Value`: a slice, a `Vec`, or an array of references
/// (so a message shared by many recipients is written without cloning it).
pub fn write_call<'a, I>(method: &str, params: I) -> String
where
    I: IntoIterator<Item = &'a Value>,
    I::IntoIter: Clone,
{
    let params = params.into_iter();
    let mut out = String::with_capacity(128 + params.clone().map(size_hint).sum::<usize>());
    out.push_str(PROLOG);
    out.push_str("<methodCall><methodName>");
    escape_into(&mut out, method);
    out.push_str("</methodName><params>");
    for p in params {
        out.push_str("<param>");
        write_value(&mut out, p);
        out.push_str("</param>");
    }
    out.push_str("</params></methodCall>");
    out
}

/// Writes an XML-RPC `<methodResponse>` document carrying one value.
pub fn write_response(value: &Value) -> String {
    let mut out = String::with_capacity(96 + size_hint(value));
    out.push_str(PROLOG);
    out.push_str("<methodResponse><params><param>");
    write_value(&mut out, value);
    out.push_str("</param></params></methodResponse>");
    out
}

/// Writes an XML-RPC `<methodResponse>` document carrying a fault.
pub fn write_fault(fault: &Fault) -> String {
    let mut out = String::with_capacity(256 + fault.message.len());
    out.push_str(PROLOG);
    out.push_str(
        "<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>",
    );
    out.push_str(&fault.code.to_string());
    out.push_str("</int></value></member><member><name>faultString</name><value><string>");
    escape_into(&mut out, &fault.message);
    out.push_str("</string></value></member></struct></value></fault></methodResponse>");
    out
}

/// Appends one `<value>` element.
pub fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::String(s) => {
            out.push_str("<value><string>");
            escape_into(out, s);
            out.push_str("</string></value>");
        }
        Value::List(items) => {
            out.push_str("<value><array><data>");
            for item in items {
                write_value(out, item);
            }
            out.push_str("</data></array></value>");
        }
        Value::Map(map) => {
            out.push_str("<value><struct>");
            for (k, v) in map {
                out.push_str("<member><name>");
                escape_into(out, k);
                out.push_str("</name>");
                write_value(out, v);
                out.push_str("</member>");
            }
            out.push_str("</struct></value>");
        }
    }
}

/// A rough guess of the encoded size, to size the output buffer once.
fn size_hint(value: &Value) -> usize {
    match value {
        Value::String(s) => 31 + s.len(),
        Value::List(items) => 42 + items.iter().map(size_hint).sum::<usize>(),
        Value::Map(map) => {
            32 + map
                .iter()
                .map(|(k, v)| 30 + k.len() + size_hint(v))
                .sum::<usize>()
        }
    }
}

/// Escapes text for element content. CR is written as a character reference so that
/// XML end-of-line normalisation cannot turn it into LF on the way.
fn escape_into(out: &mut String, text: &str) {
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'\r' => "&#13;",
            _ => continue,
        };
        out.push_str(&text[start..i]);
        out.push_str(rep);
        start = i + 1;
    }
    out.push_str(&text[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map;

    #[test]
    fn call_round_trips() {
        let params = vec![
            Value::from("  spaced  "),
            Value::from(""),
            Value::from("a<b>&c\r\nd\te"),
            Value::List(vec![]),
            map! {},
            map! { "k" => Value::List(vec![Value::from("x"), map! { "k2" => "" }]) },
        ];
        let doc = write_call("samp.hub.notify", &params);
        let call = parse_call(doc.as_bytes()).unwrap();
        assert_eq!(call.method, "samp.hub.notify");
        assert_eq!(call.params, params);
    }

    #[test]
    fn response_and_fault_round_trip() {
        let v = map! { "samp.status" => "samp.ok", "samp.result" => map! {} };
        assert_eq!(
            parse_response(write_response(&v).as_bytes()).unwrap(),
            Ok(v)
        );
        let f = Fault {
            code: 3,
            message: "no such client <c9>".into(),
        };
        assert_eq!(parse_response(write_fault(&f).as_bytes()).unwrap(), Err(f));
    }

    #[test]
    fn sloppy_scalars_read_as_strings() {
        let doc = "<?xml version='1.0'?><methodCall><methodName>m</methodName><params>\
            <param><value><int>42</int></value></param>\
            <param><value><i4>-7</i4></value></param>\
            <param><value><boolean>1</boolean></value></param>\
            <param><value><double>0.5</double></value></param>\
            <param><value>bare text</value></param>\
            <param><value></value></param>\
            </params></methodCall>";
        let call = parse_call(doc.as_bytes()).unwrap();
        let strs: Vec<_> = call.params.iter().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(strs, ["42", "-7", "1", "0.5", "bare text", ""]);
    }

    #[test]
    fn what_jsamp_sends_survives() {
        // Empty member names and untyped values with leading whitespace, as JSAMP's hub tester sends.
        let doc = "<?xml version='1.0' encoding='UTF-8'?>\n<methodCall>\n  <methodName>m</methodName>\n  <params>\n    <param>\n      <value><struct><member><name></name><value>\t\n !&amp;&lt;</value></member>\n<member><name/><value/></member></struct></value>\n    </param>\n  </params>\n</methodCall>\n";
        let call = parse_call(doc.as_bytes()).unwrap();
        assert_eq!(call.params, vec![map! { "" => "" }]);
        let doc = doc.replace(
            "<name/><value/>",
            "<name>k</name><value><!-- c --><![CDATA[<x>]]></value>",
        );
        let call = parse_call(doc.as_bytes()).unwrap();
        assert_eq!(call.params, vec![map! { "" => "\t\n !&<", "k" => "<x>" }]);
    }

    #[test]
    fn hostile_input_is_refused_not_fatal() {
        let deep = "<value><array><data>".repeat(10_000);
        let doc = format!("<methodCall><methodName>m</methodName><params><param>{deep}");
        assert!(parse_call(doc.as_bytes()).is_err());
        for bad in [
            "<methodCall><methodName>m</methodName><params><param><value><base64>AA==</base64></value></param></params></methodCall>",
            "<methodCall><methodName>m</methodName><params><param><value><nil/></value></param></params></methodCall>",
            "<methodCall><methodName>m</methodName><params><param><value>&bogus;</value></param></params></methodCall>",
            "<methodCall><methodName>m</methodName><params><param><value><string>a</value></param></params></methodCall>",
            "<methodCall><methodName>m</methodName></methodCall><extra/>",
        ] {
            assert!(parse_call(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn no_params_element_is_an_empty_call() {
        let call = parse_call(b"<?xml version=\"1.0\"?><methodCall><methodName>samp.hub.ping</methodName></methodCall>").unwrap();
        assert!(call.params.is_empty());
        let call =
            parse_call(b"<methodCall><methodName>samp.hub.ping</methodName><params/></methodCall>")
                .unwrap();
        assert!(call.params.is_empty());
    }

    #[test]
    fn malformed_is_an_error() {
        assert!(matches!(
            parse_call(b"<methodCall><methodName>x"),
            Err(XmlRpcError::Malformed { .. })
        ));
        assert_eq!(parse_call(b"\xff\xfe"), Err(XmlRpcError::NotUtf8(0)));
        assert!(parse_response(b"<html/>").is_err());
    }
}
