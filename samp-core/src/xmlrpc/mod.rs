//! XML-RPC documents for SAMP (SAMP 1.3 §4.1): method calls, responses and faults.
//!
//! Parsing is a single pass over `quick-xml` events, tolerant in the ways real peers need:
//! untyped `<value>text</value>` strings (whitespace kept exactly), empty member names
//! (JSAMP's hub tester sends them), `<int>`, `<i4>`, `<i8>`, `<boolean>`, `<double>` and
//! `<dateTime.iso8601>` from sloppy peers read as their string form, comments and CDATA.
//! Both sides keep to XML 1.0: text holding a character it cannot carry (most control
//! characters, even written as `&#1;`) is refused when parsed and when written, so nothing
//! ill-formed is relayed. Writing ([`write_call`], [`write_response`]) goes straight from
//! the protocol types through [`WriteValue`], without building a [`Value`] tree.

mod parse;
mod raw;
mod write;

use parse::parse_value;
pub use parse::{Param, parse_call, parse_call_keeping, parse_response};
pub use raw::{Kept, Member, MemberKind, RawValue};
pub use write::{
    StructWriter, WriteError, WriteValue, is_xml_char, write_call, write_call_chunks, write_fault,
    write_response, write_string, write_struct,
};

use crate::value::Value;

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
        let refs: Vec<&dyn WriteValue> = params.iter().map(|p| p as &dyn WriteValue).collect();
        let doc = write_call("samp.hub.notify", &refs).unwrap();
        let call = parse_call(doc.as_bytes()).unwrap();
        assert_eq!(call.method, "samp.hub.notify");
        assert_eq!(call.params, params);
    }

    #[test]
    fn response_and_fault_round_trip() {
        let v = map! { "samp.status" => "samp.ok", "samp.result" => map! {} };
        assert_eq!(
            parse_response(write_response(&v).unwrap().as_bytes()).unwrap(),
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

    #[test]
    fn characters_xml_forbids_are_refused() {
        for body in [
            "<value>a&#1;b</value>",
            "<value><string>&#x1F;</string></value>",
            "<value>raw \u{1} byte</value>",
            "<value>&#xFFFE;</value>",
        ] {
            let doc = format!(
                "<methodCall><methodName>m</methodName><params><param>{body}</param></params></methodCall>"
            );
            let err = parse_call(doc.as_bytes()).unwrap_err().to_string();
            assert!(err.contains("not allowed in XML 1.0"), "{body}: {err}");
        }
        let ok = "<methodCall><methodName>m</methodName><params><param><value>&#9;&#10;&#13;&#xE9;</value></param></params></methodCall>";
        assert_eq!(
            parse_call(ok.as_bytes()).unwrap().params,
            [Value::from("\t\n\ré")]
        );
    }
}

#[cfg(test)]
mod keep_tests {
    use bytes::Bytes;

    use super::*;

    fn doc(message: &str) -> Bytes {
        Bytes::from(format!(
            "<?xml version=\"1.0\"?><methodCall><methodName>samp.hub.notify</methodName><params>\
             <param><value>k</value></param>\n<param>\n  <!-- to --> <value><string>c2</string></value></param>\
             <param> {message} </param></params></methodCall>"
        ))
    }

    fn keep_third(_: &str, i: usize) -> bool {
        i == 2
    }

    #[test]
    fn a_kept_parameter_is_the_bytes_it_arrived_as() {
        let message = "<value><struct><member><name>samp.mtype</name><value>a.b</value></member>\
                       <member><name>samp.params</name><value><struct><member><name>x</name>\
                       <value><string>&lt;1&gt;</string></value></member></struct></value></member>\
                       <member><name>extra</name><value><array><data><value/></data></array></value></member>\
                       </struct></value>";
        let body = doc(message);
        let (method, params) = parse_call_keeping(&body, &keep_third).unwrap();
        assert_eq!(method, "samp.hub.notify");
        let Param::Kept(kept) = &params[2] else {
            panic!("{:?}", params[2])
        };
        assert_eq!(kept.raw.bytes(), message.as_bytes());
        let members = kept.members.as_ref().unwrap();
        let names: Vec<_> = members.iter().map(|m| (m.name.as_str(), &m.kind)).collect();
        assert_eq!(
            names,
            [
                ("samp.mtype", &MemberKind::String("a.b".into())),
                ("samp.params", &MemberKind::Map),
                ("extra", &MemberKind::List)
            ]
        );
        // The same value as reading it.
        let full = parse_call(&body).unwrap();
        assert_eq!(kept.raw.to_value().unwrap(), full.params[2]);
        assert!(matches!(&params[0], Param::Value(v) if v.as_str() == Some("k")));
        // Written into a document, the bytes are shared, not copied.
        let chunks =
            write_call_chunks("samp.client.receiveNotification", &[&"k", &kept.raw]).unwrap();
        assert_eq!(chunks.len(), 3);
        assert_eq!(chunks[1].as_ptr(), kept.raw.bytes().as_ptr());
        let joined: Vec<u8> = chunks.concat();
        let back = parse_call(&joined).unwrap();
        assert_eq!(back.params[1], full.params[2]);
    }

    #[test]
    fn what_a_recipient_might_read_otherwise_is_read_instead() {
        for message in [
            "<value><struct><member><name>n</name><value><int>4</int></value></member></struct></value>",
            "<value><struct><member><name>n</name><value><!-- c -->x</value></member></struct></value>",
        ] {
            let (_, params) = parse_call_keeping(&doc(message), &keep_third).unwrap();
            assert!(matches!(params[2], Param::Value(_)), "{message}");
        }
        // Bad input is as bad kept or not.
        for message in [
            "<value><struct><member><name>n</name><value>&#1;</value></member></struct></value>",
            "<value><struct><member><name>n</name><value><base64>AA</base64></value></member></struct></value>",
            "<value><struct><member><name>n</name></struct></value>",
        ] {
            assert!(
                parse_call_keeping(&doc(message), &keep_third).is_err(),
                "{message}"
            );
            assert!(parse_call(&doc(message)).is_err(), "{message}");
        }
        let deep = format!(
            "{}x{}",
            "<value><array><data>".repeat(300),
            "</data></array></value>".repeat(300)
        );
        assert!(parse_call_keeping(&doc(&deep), &keep_third).is_err());
    }
}

#[cfg(test)]
mod keep_bom_test {
    use super::*;

    #[test]
    fn a_byte_order_mark_does_not_shift_what_is_kept() {
        let body = bytes::Bytes::from_static(
            b"\xef\xbb\xbf<?xml version='1.0'?>\n<methodCall><methodName>m</methodName><params>\n<param>\n<value><string>k</string></value>\n</param></params></methodCall>",
        );
        let (_, params) = parse_call_keeping(&body, &|_, _| true).unwrap();
        let Param::Kept(k) = &params[0] else { panic!() };
        assert_eq!(k.raw.bytes().as_ref(), b"<value><string>k</string></value>");
    }
}
