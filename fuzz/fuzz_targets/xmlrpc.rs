//! XML-RPC documents: `parse_call` / `parse_response` on arbitrary bytes, then
//!
//! - round trip: whatever parses is written back (`write_call`, `write_response`,
//!   `write_fault`) and parsed again, and must give the same values. The writer may refuse a
//!   value with a `WriteError`, but only for a character the parser would have refused too:
//!   since the parser never lets one through, a refusal is a finding as well;
//! - the Standard Profile decoders (`HubRequest::decode`, `Callback::decode`) on every parsed
//!   call, and the protocol maps (`Message`, `Response`, `ErrInfo`, `RegInfo`, `Metadata`,
//!   `Subscriptions`) on every parsed value, each written back through its own `WriteValue`
//!   and read again;
//! - MType and MType-pattern parsing and matching on the strings found;
//! - kept parameters (`parse_call_keeping`, what the hub forwards without writing again):
//!   accepted exactly when `parse_call` accepts, each reading back as `parse_call` reads
//!   it, and a document written with them kept reads back the same; `HubRequest::parse`
//!   decodes what `HubRequest::decode` decodes.
//!
//! Nothing may panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use samp_protocol::response::validate_response;
use samp_protocol::standard::{Callback, HubRequest};
use samp_protocol::xmlrpc::{
    MethodCall, Param, WriteValue, parse_call, parse_call_keeping, parse_response, write_call,
    write_call_chunks, write_fault, write_response,
};
use samp_protocol::{
    ErrInfo, MType, MTypePattern, Message, Metadata, RegInfo, Response, Subscriptions, Value,
};

fuzz_target!(|data: &[u8]| {
    let parsed = parse_call(data);
    check_kept(data, parsed.as_ref().ok());
    if let Ok(call) = parsed {
        check_call(call);
    }
    match parse_response(data) {
        Ok(Ok(value)) => {
            let doc = write_response(&value).unwrap_or_else(|e| {
                panic!("parsed response value refused by the writer: {e}\n{value:?}")
            });
            match parse_response(doc.as_bytes()) {
                Ok(Ok(again)) => assert_eq!(again, value, "response changed in a round trip"),
                other => panic!("written response does not parse back: {other:?}\n{doc}"),
            }
            check_value(value);
        }
        Ok(Err(fault)) => {
            let doc = write_fault(&fault);
            match parse_response(doc.as_bytes()) {
                Ok(Err(again)) => assert_eq!(again, fault, "fault changed in a round trip"),
                other => panic!("written fault does not parse back: {other:?}\n{doc}"),
            }
        }
        Err(_) => {}
    }
});

fn check_call(call: MethodCall) {
    let refs: Vec<&dyn WriteValue> = call.params.iter().map(|p| p as &dyn WriteValue).collect();
    let doc = write_call(&call.method, &refs)
        .unwrap_or_else(|e| panic!("parsed call refused by the writer: {e}\n{call:?}"));
    match parse_call(doc.as_bytes()) {
        Ok(again) => assert_eq!(again, call, "call changed in a round trip"),
        Err(e) => panic!("written call does not parse back: {e}\n{doc}"),
    }
    let _ = HubRequest::decode(call.clone());
    let _ = Callback::decode(call.clone());
    let _ = MType::parse(&call.method);
    for p in call.params {
        check_value(p);
    }
}

/// What the hub keeps as it arrived reads as what the parser reads.
fn check_kept(data: &[u8], parsed: Option<&MethodCall>) {
    let body = bytes::Bytes::copy_from_slice(data);
    let kept = parse_call_keeping(&body, &|_, _| true);
    let (Ok((method, params)), Some(call)) = (&kept, parsed) else {
        assert_eq!(kept.is_ok(), parsed.is_some(), "kept and read parsing disagree: {kept:?}");
        return;
    };
    assert_eq!(method, &call.method);
    assert_eq!(params.len(), call.params.len());
    let mut refs: Vec<&dyn WriteValue> = Vec::new();
    for (p, want) in params.iter().zip(&call.params) {
        match p {
            Param::Kept(k) => {
                let v = k.raw.to_value().expect("a kept value reads");
                assert_eq!(&v, want, "a kept value reads otherwise");
                refs.push(&k.raw);
            }
            Param::Value(v) => {
                assert_eq!(v, want);
                refs.push(v);
            }
        }
    }
    let chunks = write_call_chunks(method, &refs).expect("kept values are written");
    let again = parse_call(&chunks.concat()).expect("a document with kept values parses");
    assert_eq!(&again, call, "a document with kept values reads otherwise");
    let by_parse = HubRequest::parse(&body).map(|r| format!("{r:?}")).is_ok();
    let by_decode = HubRequest::decode(call.clone()).is_ok();
    assert_eq!(by_parse, by_decode, "HubRequest::parse and ::decode disagree");
}

/// Writes `v` as a response document and parses it back.
fn reparse(v: &dyn WriteValue) -> Value {
    let doc = write_response(v).expect("a value read from XML-RPC can be written");
    match parse_response(doc.as_bytes()) {
        Ok(Ok(value)) => value,
        other => panic!("written value does not parse back: {other:?}\n{doc}"),
    }
}

/// The protocol maps that can be read from `value`, each written back and read again.
fn check_value(value: Value) {
    if let Ok(m) = Message::from_value(value.clone()) {
        let back = Message::from_value(reparse(&m)).expect("message written back reads");
        assert_eq!(back, m, "message changed in a round trip");
        assert_eq!(Message::from_value(m.to_value()).as_ref(), Ok(&m));
        let mtype = MType::parse(&m.mtype);
        for key in m.params.keys() {
            check_pattern(key, &m.mtype, mtype.as_ref().ok());
        }
    }
    let _ = validate_response(&value);
    if let Ok(r) = Response::from_value(value.clone()) {
        let _ = r.check();
        let want = Response::from_value(r.to_value()).expect("to_value of a response reads");
        let back = Response::from_value(reparse(&r)).expect("response written back reads");
        assert_eq!(back, want, "response changed in a round trip");
    }
    if let Ok(e) = ErrInfo::from_value(value.clone()) {
        let back = ErrInfo::from_value(reparse(&e)).expect("errinfo written back reads");
        assert_eq!(back, e, "errinfo changed in a round trip");
    }
    if let Ok(r) = RegInfo::from_value(value.clone()) {
        let back = RegInfo::from_value(reparse(&r)).expect("reg-info written back reads");
        assert_eq!(back, r, "reg-info changed in a round trip");
        assert_eq!(RegInfo::from_value(r.to_value()).as_ref(), Ok(&r));
    }
    if let Ok(m) = Metadata::from_value(value.clone()) {
        let back = Metadata::from_value(reparse(&m)).expect("metadata written back reads");
        assert_eq!(back, m, "metadata changed in a round trip");
        let _ = (m.name(), m.description_text(), m.icon_url());
    }
    if let Ok(s) = Subscriptions::from_value(value.clone()) {
        let back = Subscriptions::from_value(reparse(&s)).expect("subscriptions written back read");
        assert_eq!(back, s, "subscriptions changed in a round trip");
        // Match every pattern's text, and every annotation key, against every pattern.
        let texts: Vec<String> = s.iter().map(|(p, _)| p.as_str().to_owned()).collect();
        for t in texts.iter().take(16) {
            let _ = s.matching_pattern(t);
            let _ = s.is_subscribed(t);
        }
    }
    if let Value::List(items) = &value {
        for item in items.iter().take(8) {
            if let Value::String(s) = item {
                let _ = MTypePattern::parse(s);
                let _ = MType::parse(s);
            }
        }
    }
}

/// Parses `key` as a pattern and matches it against `mtype`.
fn check_pattern(key: &str, mtype_text: &str, mtype: Option<&MType>) {
    let _ = MType::parse(key);
    if let Ok(p) = MTypePattern::parse(key) {
        let by_text = p.matches(mtype_text);
        if let Some(m) = mtype {
            assert_eq!(
                p.matches_mtype(m),
                by_text,
                "pattern {key:?} vs {mtype_text:?}"
            );
        }
        let _ = (p.specificity(), p.literal_atoms(), p.is_wildcard());
    }
}
