//! Inputs from fuzzing samp-protocol (`bash fuzz/run.sh SECONDS`, see fuzz/README.md),
//! replayed as plain tests with the invariants the fuzz targets assert:
//!
//! - XML-RPC: parsing never panics; a parsed call, response or fault, written back out and
//!   parsed again, gives the same values, and the writer never refuses what the parser
//!   accepted; the Standard Profile decoders never panic on a parsed call.
//! - Lockfiles: parsing never panics; a parsed lockfile renders and parses back unchanged.
//! - Discovery: a located `file:` lockfile, turned back into a `SAMP_HUB` value, locates the
//!   same file.
//! - The serde decoder never panics.
//!
//! Each input here was either a finding of the fuzzers or an odd case met while reading
//! what they found; the comments say which behaviour it pins.

use std::path::Path;

use samp_protocol::convert::{from_value, from_value_ref};
use samp_protocol::discovery::{HubLocation, locate_hub_with, std_lockurl};
use samp_protocol::lockfile::PROFILE_VERSION;
use samp_protocol::standard::{Callback, HubRequest};
use samp_protocol::xmlrpc::{
    MAX_DEPTH, WriteValue, parse_call, parse_response, write_call, write_fault, write_response,
};
use samp_protocol::{LockInfo, Response, Value};

/// The xmlrpc fuzz target's invariants, for one input; returns whether it parsed as a call
/// or a response.
fn xmlrpc_round_trips(doc: &[u8]) -> bool {
    let mut parsed = false;
    if let Ok(call) = parse_call(doc) {
        parsed = true;
        let refs: Vec<&dyn WriteValue> = call.params.iter().map(|p| p as &dyn WriteValue).collect();
        let written = write_call(&call.method, &refs).expect("the writer takes a parsed call");
        assert_eq!(
            parse_call(written.as_bytes()).as_ref(),
            Ok(&call),
            "{written}"
        );
        let _ = HubRequest::decode(call.clone());
        let _ = Callback::decode(call);
    }
    match parse_response(doc) {
        Ok(Ok(value)) => {
            parsed = true;
            let written = write_response(&value).expect("the writer takes a parsed value");
            assert_eq!(
                parse_response(written.as_bytes()),
                Ok(Ok(value)),
                "{written}"
            );
        }
        Ok(Err(fault)) => {
            parsed = true;
            let written = write_fault(&fault);
            assert_eq!(
                parse_response(written.as_bytes()),
                Ok(Err(fault)),
                "{written}"
            );
        }
        Err(_) => {}
    }
    parsed
}

fn call_with(param: &str) -> String {
    format!(
        "<methodCall><methodName>m</methodName><params><param>{param}</param></params></methodCall>"
    )
}

#[test]
fn odd_but_harmless_xml_round_trips() {
    // None of these has ever broken the invariants; each pins an edge of the parser.
    let docs = [
        // A form feed between elements is refused: it is not XML white space (not even
        // an XML character). (Until the fuzzing found it, it was taken as white space.)
        "<methodCall>\x0c<methodName>m</methodName></methodCall>".to_owned(),
        // Unicode white space (NBSP) beside a typed value is text: refused before it...
        call_with("<value>\u{a0}<string>x</string></value>"),
        // ...and after it.
        call_with("<value><string>x</string>\u{a0}</value>"),
        // A byte order mark.
        format!("\u{feff}{}", call_with("<value>x</value>")),
        // Attributes are never looked at, even ill-formed ones.
        call_with("<value a='&#0;' b='<' a=x>x</value>"),
        // Declarations, DOCTYPEs and processing instructions in the middle of a document.
        call_with("<?xml version='1.0'?><!DOCTYPE x><value>a<?pi?>b</value>"),
        // XML 1.1 is read as XML 1.0: U+0085 is kept, not turned into a line feed.
        format!(
            "<?xml version=\"1.1\"?>{}",
            call_with("<value>a\u{85}b</value>")
        ),
        // `]]>` in text, and `--` in a comment.
        call_with("<value>a]]>b<!-- c -- d --></value>"),
        // CR and CRLF in CDATA are line ends (normalised to LF); `&#13;` survives.
        call_with("<value><![CDATA[a\r\nb\rc]]>&#13;&#xD;</value>"),
        // Namespace prefixes are ignored; sloppy scalar types read as trimmed strings.
        call_with("<ex:value xmlns:ex='u'><ex:i4> 7 </ex:i4></ex:value>"),
        call_with("<value><boolean> true </boolean></value>"),
        // Empty names, empty values, duplicate keys (the last one wins).
        call_with(
            "<value><struct><member><name/><value/></member>\
             <member><name>k</name><value>1</value></member>\
             <member><name>k</name><value><array><data/></array></value></member></struct></value>",
        ),
        // Characters outside the BMP, U+FFFD, and text the writer must escape.
        call_with("<value>\u{10000}\u{FFFD}&lt;&amp;&gt;\"'\t\n</value>"),
        // Refused: characters XML 1.0 cannot carry, even as references.
        call_with("<value>&#xFFFE;</value>"),
        call_with("<value>&#0;</value>"),
        call_with("<value>&#99999999999999999999;</value>"),
        call_with("<value>&#xD800;</value>"),
        // Faults whose code is not an int, or whose members are missing or not strings.
        "<methodResponse><fault><value><struct><member><name>faultCode</name>\
         <value><int>99999999999</int></value></member></struct></value></fault></methodResponse>"
            .to_owned(),
        "<methodResponse><fault><value>oops</value></fault></methodResponse>".to_owned(),
        "<methodResponse><fault><value><struct><member><name>faultString</name>\
         <value><array><data/></array></value></member></struct></value></fault></methodResponse>"
            .to_owned(),
    ];
    for doc in &docs {
        xmlrpc_round_trips(doc.as_bytes());
    }
    assert!(!xmlrpc_round_trips(docs[0].as_bytes()));
    assert!(!xmlrpc_round_trips(docs[1].as_bytes()));
    assert!(!xmlrpc_round_trips(docs[2].as_bytes()));
    assert!(
        xmlrpc_round_trips(docs[3].as_bytes()),
        "a byte order mark is fine"
    );
}

#[test]
fn nesting_stops_at_max_depth_without_overflowing() {
    let nested = |levels: usize| {
        let open = "<value><array><data>".repeat(levels);
        let close = "</data></array></value>".repeat(levels);
        call_with(&format!("{open}<value>x</value>{close}"))
    };
    // MAX_DEPTH levels of nesting around the innermost value parse and round-trip...
    assert!(xmlrpc_round_trips(nested(MAX_DEPTH).as_bytes()));
    let call = parse_call(nested(MAX_DEPTH).as_bytes()).unwrap();
    // ...and the serde decoder walks them without trouble.
    assert_eq!(
        from_value::<Value>(call.params[0].clone()),
        Ok(call.params[0].clone())
    );
    assert!(from_value_ref::<Vec<Value>>(&call.params[0]).is_ok());
    // One more is refused, and so is far more (no stack overflow).
    assert!(!xmlrpc_round_trips(nested(MAX_DEPTH + 1).as_bytes()));
    assert!(!xmlrpc_round_trips(nested(100_000).as_bytes()));
}

/// The lockfile fuzz target's invariants, for one input.
fn lockfile_round_trips(text: &str) -> Option<LockInfo> {
    let info = LockInfo::parse(text).ok()?;
    let rendered = info.render();
    let mut want = info.clone();
    if want.profile_version.is_empty() {
        want.profile_version = PROFILE_VERSION.to_owned();
    }
    assert_eq!(LockInfo::parse(&rendered).unwrap(), want, "{rendered}");
    Some(info)
}

#[test]
fn odd_lockfiles_round_trip() {
    let cases = [
        // A byte order mark makes the first key unreadable (it is skipped as junk).
        "\u{feff}samp.secret=s\nsamp.hub.xmlrpc.url=u\n",
        "samp.secret=s\r\nsamp.hub.xmlrpc.url=u\r\n\u{feff}x=1\n",
        // Values are verbatim: spaces, `=`, `#`, NUL and non-ASCII kept.
        "samp.secret= s=#\0\nsamp.hub.xmlrpc.url=\u{e9}\rk.=\n-=\n",
        // Reserved keys repeated; the last value wins, the first position is kept.
        "samp.secret=1\nz=1\nsamp.secret=2\nsamp.hub.xmlrpc.url=u\nz=2\nsamp.profile.version=\n",
        // Lone CRs only, and no final line end.
        "samp.secret=s\rsamp.hub.xmlrpc.url=u\r\r#c\rx=y",
    ];
    for text in cases {
        lockfile_round_trips(text);
    }
    assert!(lockfile_round_trips(cases[0]).is_none());
    let info = lockfile_round_trips(cases[2]).unwrap();
    assert_eq!(info.secret.expose(), " s=#\0");
    assert_eq!(info.extra.len(), 2);
}

#[cfg(unix)]
#[test]
fn odd_lockurls_locate_the_same_file_again() {
    for value in [
        "std-lockurl:file:////double/slash",
        "std-lockurl:file:///a/./b/../c/",
        "std-lockurl:file:///nul%00byte/%FF%fe",
        "std-lockurl:file://LOCALHOST/q%3F%23?x#y",
        "std-lockurl:FiLe:/%2e%2e/%zz%",
        "std-lockurl:file:///",
    ] {
        let env = |var: &str| (var == "SAMP_HUB").then(|| value.to_owned());
        let Ok(HubLocation::File(path)) = locate_hub_with(env) else {
            panic!("{value} does not locate a file");
        };
        let again = std_lockurl(&path);
        let back = locate_hub_with(|var: &str| (var == "SAMP_HUB").then(|| again.clone()));
        assert_eq!(
            back.unwrap().as_path(),
            Some(Path::new(&path)),
            "{value} -> {again}"
        );
    }
}

/// Finding of the `xmlrpc` target (fuzz/artifacts/xmlrpc/crash-c2489c98…, kept as
/// `fuzz_inputs/xmlrpc-reply-errinfo-usertxt-list.xml`): a `samp.hub.reply` captured from
/// astropy, in which one mutation moved a list into `samp.error`'s `samp.usertxt`.
/// `ErrInfo::from_map` keeps the non-string `samp.usertxt` in `extra` so that nothing is
/// lost, but `impl WriteValue for ErrInfo` skips every standard key found in `extra`, so a
/// hub relaying the reply silently drops it (`to_value` keeps it: the two wire forms
/// disagree). Fixed in samp-core/src/response/err_info.rs: the writer skips only the
/// standard keys it wrote from the typed fields.
#[test]
fn error_map_keeps_non_string_standard_keys() {
    let doc = include_bytes!("fuzz_inputs/xmlrpc-reply-errinfo-usertxt-list.xml");
    let call = parse_call(doc).unwrap();
    let HubRequest::Reply { response, .. } = HubRequest::decode(call).unwrap() else {
        panic!("not a reply");
    };
    let error = response.error.as_ref().unwrap();
    assert!(error.usertxt.is_none() && error.extra.contains_key("samp.usertxt"));
    // The hub writes the response on to the caller...
    let written = write_response(&response).unwrap();
    let back = parse_response(written.as_bytes()).unwrap().unwrap();
    // ...which must read what was sent, as `to_value` has it.
    assert_eq!(back, response.to_value(), "{written}");
    assert_eq!(Response::from_value(back).unwrap(), response);
}

/// Findings of the `xmlrpc` target's kept-parameter check: the hub keeps a message as
/// the bytes it arrived as, and those must read back exactly as the parser reads them.
/// A byte order mark shifted the cut (the reader's position does not count it); a
/// `&#9;` before a typed value was taken for text; an XML declaration before `<value>`
/// was not skipped.
#[test]
fn kept_parameters_read_as_the_parser_reads() {
    use samp_protocol::xmlrpc::{Param, parse_call_keeping, write_call_chunks};
    for name in [
        "xmlrpc-kept-after-bom.xml",
        "xmlrpc-kept-ref-space.xml",
        "xmlrpc-kept-after-decl.xml",
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fuzz_inputs")
            .join(name);
        let body = bytes::Bytes::from(std::fs::read(&path).unwrap());
        let call = parse_call(&body).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (method, params) = parse_call_keeping(&body, &|_, _| true).unwrap();
        let mut refs: Vec<&dyn WriteValue> = Vec::new();
        for (p, want) in params.iter().zip(&call.params) {
            match p {
                Param::Kept(k) => {
                    assert_eq!(&k.raw.to_value().unwrap(), want, "{name}");
                    refs.push(&k.raw);
                }
                Param::Value(v) => refs.push(v),
            }
        }
        let again = parse_call(&write_call_chunks(&method, &refs).unwrap().concat()).unwrap();
        assert_eq!(again, call, "{name}");
    }
}
