//! Property tests for the SAMP data model: values survive XML-RPC and serde, typed structs
//! survive a trip through `Value`, and the scalar encodings are exact.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde::{Deserialize, Serialize};

use samp_protocol::convert::{from_value, from_value_ref, to_value};
use samp_protocol::encoding::{
    EncodingError, format_float, format_int, parse_bool, parse_float, parse_int,
};
use samp_protocol::xmlrpc::{WriteValue, parse_call, parse_response, write_call, write_response};
use samp_protocol::{Map, Value};

/// A character a SAMP string may hold: TAB, LF, CR, 0x20–0x7f, plus some non-ASCII text,
/// which the standard forbids but real peers send (and we must carry).
fn samp_char() -> impl Strategy<Value = char> {
    prop_oneof![
        8 => (0x20u8..=0x7f).prop_map(char::from),
        1 => prop::sample::select(vec!['\t', '\n', '\r']),
        1 => prop::sample::select(vec!['é', 'ß', 'λ', 'Ω', '€', '中', '😀', '\u{a0}']),
    ]
}

fn samp_string() -> impl Strategy<Value = String> {
    prop::collection::vec(samp_char(), 0..24).prop_map(String::from_iter)
}

/// A map key: any SAMP string, the empty one and all-whitespace ones included (JSAMP's hub
/// tester sends empty member names).
fn samp_key() -> impl Strategy<Value = String> {
    samp_string()
}

/// Any SAMP value, nested up to depth 4.
fn samp_value() -> impl Strategy<Value = Value> {
    samp_string()
        .prop_map(Value::String)
        .prop_recursive(4, 64, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::List),
                prop::collection::btree_map(samp_key(), inner, 0..6).prop_map(Value::Map),
            ]
        })
}

/// Any finite f64, with all exponents equally likely (bit patterns, not magnitudes).
fn finite_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<u64>().prop_map(f64::from_bits),
        any::<f64>(),
        prop::sample::select(vec![
            0.0,
            -0.0,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::MIN,
            5e-324,
            1e-5,
            1e16,
            0.1,
        ]),
    ]
    .prop_filter("finite", |f| f.is_finite())
}

/// An independent matcher for the SAMP float grammar (SAMP 1.3 §3.4), written as a tiny
/// state machine rather than sharing code with the parser under test.
fn matches_float_grammar(s: &str) -> bool {
    let mut chars = s.chars().peekable();
    if matches!(chars.peek(), Some('+' | '-')) {
        chars.next();
    }
    let mut mantissa_digits = 0;
    while chars.peek().is_some_and(char::is_ascii_digit) {
        chars.next();
        mantissa_digits += 1;
    }
    if chars.peek() == Some(&'.') {
        chars.next();
        while chars.peek().is_some_and(char::is_ascii_digit) {
            chars.next();
            mantissa_digits += 1;
        }
    }
    if mantissa_digits == 0 {
        return false;
    }
    if matches!(chars.peek(), Some('e' | 'E')) {
        chars.next();
        if matches!(chars.peek(), Some('+' | '-')) {
            chars.next();
        }
        let mut exp_digits = 0;
        while chars.peek().is_some_and(char::is_ascii_digit) {
            chars.next();
            exp_digits += 1;
        }
        if exp_digits == 0 {
            return false;
        }
    }
    chars.next().is_none()
}

fn matches_int_grammar(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone, Copy)]
#[serde(rename_all = "kebab-case")]
enum Mode {
    Fast,
    SlowAndSteady,
    Off,
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
#[serde(rename_all = "kebab-case")]
struct Nested {
    table_id: String,
    row_list: Vec<u64>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
#[serde(rename_all = "kebab-case")]
struct Record {
    count: i64,
    small_count: u32,
    ratio: f64,
    enabled: bool,
    label: Option<String>,
    items: Vec<i32>,
    extra: BTreeMap<String, String>,
    nested: Nested,
    mode: Mode,
}

fn record() -> impl Strategy<Value = Record> {
    let nested = (samp_string(), prop::collection::vec(any::<u64>(), 0..5))
        .prop_map(|(table_id, row_list)| Nested { table_id, row_list });
    let mode = prop::sample::select(vec![Mode::Fast, Mode::SlowAndSteady, Mode::Off]);
    (
        (any::<i64>(), any::<u32>(), finite_f64(), any::<bool>()),
        (
            prop::option::of(samp_string()),
            prop::collection::vec(any::<i32>(), 0..6),
            prop::collection::btree_map(samp_key(), samp_string(), 0..4),
        ),
        nested,
        mode,
    )
        .prop_map(
            |((count, small_count, ratio, enabled), (label, items, extra), nested, mode)| Record {
                count,
                small_count,
                ratio,
                enabled,
                label,
                items,
                extra,
                nested,
                mode,
            },
        )
}

/// A `samp.hub.notify` call carrying `params`.
fn notify_doc(params: &[Value]) -> String {
    let refs: Vec<&dyn WriteValue> = params.iter().map(|p| p as &dyn WriteValue).collect();
    write_call("samp.hub.notify", &refs).expect("generated strings are XML 1.0 text")
}

proptest! {
    // No regression files: this directory is shared, and failures print the minimal input.
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn values_survive_xmlrpc_calls(params in prop::collection::vec(samp_value(), 0..4)) {
        let doc = notify_doc(&params);
        let call = parse_call(doc.as_bytes()).map_err(|e| TestCaseError::fail(format!("{e}: {doc}")))?;
        prop_assert_eq!(call.method, "samp.hub.notify");
        prop_assert_eq!(call.params, params);
    }

    #[test]
    fn kept_parameters_read_back_as_parsed_ones(params in prop::collection::vec(samp_value(), 1..4)) {
        // Every parameter kept as it arrived reads back as the parser reads it, and a
        // document written with it kept (shared, not copied) reads back the same.
        let doc = bytes::Bytes::from(notify_doc(&params));
        let (_, kept) = samp_protocol::xmlrpc::parse_call_keeping(&doc, &|_, _| true)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut read = Vec::new();
        for p in &kept {
            match p {
                samp_protocol::xmlrpc::Param::Kept(k) => {
                    read.push(k.raw.to_value().map_err(|e| TestCaseError::fail(e.to_string()))?)
                }
                samp_protocol::xmlrpc::Param::Value(v) => read.push(v.clone()),
            }
        }
        prop_assert_eq!(&read, &params);
        let refs: Vec<&dyn WriteValue> = kept
            .iter()
            .map(|p| match p {
                samp_protocol::xmlrpc::Param::Kept(k) => &k.raw as &dyn WriteValue,
                samp_protocol::xmlrpc::Param::Value(v) => v as &dyn WriteValue,
            })
            .collect();
        let chunks = samp_protocol::xmlrpc::write_call_chunks("samp.hub.notify", &refs)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let again = parse_call(&chunks.concat()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(again.params, params);
    }

    #[test]
    fn values_survive_xmlrpc_responses(value in samp_value()) {
        let doc = write_response(&value).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let parsed = parse_response(doc.as_bytes()).map_err(|e| TestCaseError::fail(format!("{e}: {doc}")))?;
        prop_assert_eq!(parsed, Ok(value));
    }

    #[test]
    fn values_survive_serde(value in samp_value()) {
        let again = to_value(&value).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&again, &value);
        let back: Value = from_value_ref(&value).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&back, &value);
        let back: Value = from_value(value.clone()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, value);
    }

    #[test]
    fn maps_of_values_survive_serde(map in prop::collection::btree_map(samp_key(), samp_value(), 0..5)) {
        let v = to_value(&map).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&v, &Value::Map(map.clone()));
        let back: Map = from_value(v).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, map);
    }

    #[test]
    fn structs_survive_values(rec in record()) {
        let v = to_value(&rec).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(v.as_map().map(|m| m.contains_key("label")), Some(rec.label.is_some()));
        let back: Record = from_value_ref(&v).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back.ratio.to_bits(), rec.ratio.to_bits());
        prop_assert_eq!(&back, &rec);
        let back: Record = from_value(v).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, rec);
    }

    #[test]
    fn structs_survive_the_wire(rec in record()) {
        // Struct -> Value -> XML-RPC -> Value -> struct. CR in strings included.
        let v = to_value(&rec).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let doc = write_response(&v).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let parsed = parse_response(doc.as_bytes())
            .map_err(|e| TestCaseError::fail(e.to_string()))?
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back: Record = from_value(parsed).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, rec);
    }

    #[test]
    fn ints_round_trip(i in any::<i64>()) {
        let s = format_int(i);
        prop_assert!(matches_int_grammar(&s), "{}", s);
        prop_assert_eq!(parse_int(&s), Ok(i));
    }

    #[test]
    fn floats_round_trip_exactly(f in finite_f64()) {
        let s = format_float(f).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(matches_float_grammar(&s), "{:?} formatted as {:?}", f, s);
        let back = parse_float(&s).map_err(|e| TestCaseError::fail(e.to_string()))?;
        // -0.0 formats as "-0" and comes back as -0.0, so even the sign bit survives.
        prop_assert_eq!(back.to_bits(), f.to_bits(), "{:?} -> {:?} -> {:?}", f, s, back);
        prop_assert!(s.len() <= 24, "{:?} is too long", s);
    }

    #[test]
    fn float_parser_accepts_exactly_the_grammar(s in "[-+]?[0-9]{0,3}(\\.[0-9]{0,3})?([eE][-+]?[0-9]{0,3})?|[-+. eE0-9a-z]{0,6}") {
        match parse_float(&s) {
            Ok(f) => {
                prop_assert!(matches_float_grammar(&s), "accepted {:?}", s);
                prop_assert!(f.is_finite());
            }
            // Well-formed but beyond f64 (e.g. "1e310") is refused as out of range.
            Err(EncodingError::OutOfRange { .. }) => {
                prop_assert!(matches_float_grammar(&s), "{:?}", s);
                prop_assert!(s.parse::<f64>().is_ok_and(f64::is_infinite), "{:?}", s);
            }
            Err(_) => prop_assert!(!matches_float_grammar(&s), "rejected {:?}", s),
        }
    }

    #[test]
    fn int_and_bool_parsers_accept_exactly_the_grammar(s in "[-+]?[0-9]{0,30}|[-+ 0-9a-z.]{0,5}") {
        prop_assert_eq!(parse_bool(&s).is_ok(), matches_int_grammar(&s), "{:?}", s);
        if let Ok(b) = parse_bool(&s) {
            prop_assert_eq!(b, s.chars().any(|c| ('1'..='9').contains(&c)));
        }
        match parse_int(&s) {
            Ok(i) => prop_assert_eq!(Ok(i), s.parse::<i64>()),
            Err(_) => prop_assert!(!matches_int_grammar(&s) || s.parse::<i64>().is_err(), "{:?}", s),
        }
    }

    /// Input from the network: arbitrary bytes, and valid documents with a slice cut out or
    /// a byte changed, give a value or an error, never a panic.
    #[test]
    fn the_parser_never_panics(
        junk in prop::collection::vec(any::<u8>(), 0..200),
        params in prop::collection::vec(samp_value(), 0..3),
        cut in any::<prop::sample::Index>(),
        len in 0usize..40,
        flip in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let _ = parse_call(&junk);
        let _ = parse_response(&junk);
        let doc = notify_doc(&params).into_bytes();
        let at = cut.index(doc.len());
        let mut cut_doc = doc.clone();
        cut_doc.drain(at..(at + len).min(doc.len()));
        let _ = parse_call(&cut_doc);
        let mut flipped = doc;
        let i = flip.index(flipped.len());
        flipped[i] = byte;
        let _ = parse_call(&flipped);
        let _ = parse_response(&flipped);
    }
}
