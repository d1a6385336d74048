//! XML-RPC documents for SAMP (SAMP 1.3 §4.1): method calls, responses and faults.
//!
//! Parsing goes through `dxr`, which accepts untyped `<value>text</value>` strings as real
//! clients send them. Values of other XML-RPC types from sloppy peers (`<int>`, `<i4>`,
//! `<boolean>`, `<double>`, `<dateTime.iso8601>`) are read as their string form. Writing is
//! done here directly: SAMP only ever emits `<string>`, `<array>` and `<struct>`, so a
//! single pass over the [`Value`] produces the document without an intermediate tree.

use crate::value::{Map, Value};

/// A fault code used by SAMP peers for "the call could not be carried out".
///
/// SAMP leaves fault codes unspecified; the `faultString` carries the explanation.
pub const FAULT_GENERAL: i32 = 1;

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
    #[error("malformed XML-RPC {0}: the body is not a well-formed <{0}> document")]
    Malformed(&'static str),
    /// A value of a type that has no SAMP equivalent.
    #[error("XML-RPC type <{0}> cannot be carried by SAMP (only string, array and struct can)")]
    UnsupportedType(&'static str),
}

/// Parses an XML-RPC `<methodCall>` document.
pub fn parse_call(body: &[u8]) -> Result<MethodCall, XmlRpcError> {
    let text = as_utf8(body)?;
    let call = dxr::MethodCall::from_xml(text).map_err(|_| XmlRpcError::Malformed("methodCall"))?;
    let params = call
        .params
        .into_iter()
        .map(from_dxr)
        .collect::<Result<_, _>>()?;
    Ok(MethodCall {
        method: call.name.into_owned(),
        params,
    })
}

/// Parses an XML-RPC `<methodResponse>` document: the value, or the fault it carries.
pub fn parse_response(body: &[u8]) -> Result<Result<Value, Fault>, XmlRpcError> {
    let text = as_utf8(body)?;
    match dxr::MethodResponse::from_xml(text) {
        Ok(response) => Ok(Ok(from_dxr(response.value)?)),
        Err(_) => match dxr::FaultResponse::from_xml(text) {
            Ok(fault) => Ok(Err(Fault {
                code: fault.fault.code(),
                message: fault.fault.string().to_owned(),
            })),
            Err(_) => Err(XmlRpcError::Malformed("methodResponse")),
        },
    }
}

fn as_utf8(body: &[u8]) -> Result<&str, XmlRpcError> {
    std::str::from_utf8(body).map_err(|e| XmlRpcError::NotUtf8(e.valid_up_to()))
}

/// Converts a parsed XML-RPC value into a SAMP value, coercing scalars to strings.
fn from_dxr(value: dxr::Value) -> Result<Value, XmlRpcError> {
    Ok(match value {
        dxr::Value::String(s) => Value::String(s),
        dxr::Value::Struct(members) => {
            let mut map = Map::new();
            for (k, v) in members {
                map.insert(k, from_dxr(v)?);
            }
            Value::Map(map)
        }
        dxr::Value::Array(items) => {
            Value::List(items.into_iter().map(from_dxr).collect::<Result<_, _>>()?)
        }
        dxr::Value::Integer(i) => Value::String(i.to_string()),
        dxr::Value::Boolean(b) => Value::String(if b { "1" } else { "0" }.to_owned()),
        dxr::Value::Double(d) => Value::String(d.to_string()),
        dxr::Value::DateTime(dt) => Value::String(dt.to_string()),
        dxr::Value::Base64(_) => return Err(XmlRpcError::UnsupportedType("base64")),
        _ => return Err(XmlRpcError::UnsupportedType("unknown")),
    })
}

const PROLOG: &str = "<?xml version=\"1.0\"?>";

/// Writes an XML-RPC `<methodCall>` document.
pub fn write_call(method: &str, params: &[Value]) -> String {
    let mut out = String::with_capacity(128 + params.iter().map(size_hint).sum::<usize>());
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
        assert_eq!(
            parse_call(b"<methodCall><methodName>x"),
            Err(XmlRpcError::Malformed("methodCall"))
        );
        assert_eq!(parse_call(b"\xff\xfe"), Err(XmlRpcError::NotUtf8(0)));
        assert!(parse_response(b"<html/>").is_err());
    }
}
