//! The serde decoder (`convert::from_value`, `convert::from_value_ref`) into many Rust types.
//!
//! The input becomes SAMP values in one of two ways: an input starting with `<` is parsed as
//! an XML-RPC call or response (so captured documents make good seeds) and every parameter
//! is used; any other input drives a small structured generator (`arbitrary::Unstructured`)
//! whose strings are often taken from a dictionary of field names, variant names and numbers.
//! Values are nested at most `xmlrpc::MAX_DEPTH` deep, like anything the parser hands over.
//!
//! For every target type `T`:
//! - decoding never panics;
//! - the owned and the borrowing decoder agree (same value, or the same error text);
//! - a decoded `T` serializes (`to_value`) and decodes back to an equal `T`.
//!
//! Generated values are also written as XML-RPC (`write_response`, `write_call`): the
//! writer must either refuse a value, and only one holding a character XML 1.0 cannot
//! carry, or write a document that parses back to the same value.

#![no_main]

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Debug;

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use samp_protocol::convert::{from_value, from_value_ref, to_value};
use samp_protocol::xmlrpc::{
    MAX_DEPTH, WriteValue, is_xml_char, parse_call, parse_response, write_call, write_response,
};
use samp_protocol::{Map, Value};

fuzz_target!(|data: &[u8]| {
    let from_xml = data.first() == Some(&b'<');
    for value in values(data) {
        if !from_xml {
            check_wire(&value);
        }
        check_all(&value);
    }
});

/// Whether a string or key anywhere in `v` has a character XML 1.0 cannot carry.
fn unwritable(v: &Value) -> bool {
    let bad = |s: &str| s.chars().any(|c| !is_xml_char(c));
    match v {
        Value::String(s) => bad(s),
        Value::List(items) => items.iter().any(unwritable),
        Value::Map(m) => m.iter().any(|(k, v)| bad(k) || unwritable(v)),
    }
}

/// The writer and the parser agree on `value`.
fn check_wire(value: &Value) {
    match write_response(value) {
        Ok(doc) => match parse_response(doc.as_bytes()) {
            Ok(Ok(back)) => assert_eq!(&back, value, "value changed on the wire:\n{doc}"),
            other => panic!("the parser does not read what the writer wrote: {other:?}\n{doc}"),
        },
        Err(e) => assert!(unwritable(value), "writer refused a writable value: {e}"),
    }
    let method = value.as_str().unwrap_or("m");
    let params: [&dyn WriteValue; 2] = [value, &"x"];
    match write_call(method, &params) {
        Ok(doc) => match parse_call(doc.as_bytes()) {
            Ok(call) => {
                assert_eq!(
                    call.method, method,
                    "method name changed on the wire:\n{doc}"
                );
                assert_eq!(&call.params[0], value, "param changed on the wire:\n{doc}");
            }
            Err(e) => panic!("the parser does not read what the writer wrote: {e}\n{doc}"),
        },
        Err(e) => assert!(unwritable(value), "writer refused a writable call: {e}"),
    }
}

/// The values to decode, from XML-RPC or from the generator.
fn values(data: &[u8]) -> Vec<Value> {
    if data.first() == Some(&b'<') {
        let mut out = Vec::new();
        if let Ok(call) = parse_call(data) {
            out.push(Value::String(call.method));
            out.extend(call.params);
        }
        if let Ok(Ok(v)) = parse_response(data) {
            out.push(v);
        }
        return out;
    }
    let mut u = Unstructured::new(data);
    let mut out = Vec::new();
    while !u.is_empty() && out.len() < 4 {
        match gen_value(&mut u, 0) {
            Ok(v) => out.push(v),
            Err(_) => break,
        }
    }
    out
}

/// Strings the decoder looks for: field and variant names, numbers, booleans.
#[rustfmt::skip]
const WORDS: &[&str] = &[
    "", "0", "1", "-1", "+7", "255", "256", "-128", "65535", "4294967296", "-0",
    "9223372036854775807", "9223372036854775808", "-9223372036854775809",
    "340282366920938463463374607431768211455", "-170141183460469231731687303715884105728",
    "0.5", ".5", "5.", "1e300", "1e400", "-1.5E+2", "3.4028235e38", "3.5e38", "1e-400",
    "nan", "inf", " 1", "a", "é", "ab", "x", "y", "z", "i8", "i16", "i32", "i64", "i128",
    "u8", "u16", "u32", "u64", "u128", "f32", "f64", "b", "c", "s", "o", "v", "opt", "list",
    "map", "keys", "nested", "unit", "Unit", "Newtype", "Tuple", "Struct", "Nested", "List",
    "t", "A", "B", "C", "ra", "dec", "table-id", "url", "name", "row-list", "samp.mtype",
    "samp.params", "samp.status", "samp.ok", "samp.result", "samp.error", "samp.errortxt",
];

fn gen_string(u: &mut Unstructured<'_>) -> arbitrary::Result<String> {
    if u.ratio(1, 4)? {
        Ok(u.arbitrary::<&str>()?.to_owned())
    } else {
        Ok((*u.choose(WORDS)?).to_owned())
    }
}

fn gen_value(u: &mut Unstructured<'_>, depth: usize) -> arbitrary::Result<Value> {
    let kind = if depth >= MAX_DEPTH {
        0
    } else {
        u.int_in_range(0..=5)?
    };
    Ok(match kind {
        // Strings are the common case.
        0..=2 => Value::String(gen_string(u)?),
        3 | 4 => {
            let n = u.int_in_range(0..=6)?;
            let mut map = Map::new();
            for _ in 0..n {
                map.insert(gen_string(u)?, gen_value(u, depth + 1)?);
            }
            Value::Map(map)
        }
        _ => {
            let n = u.int_in_range(0..=6)?;
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                items.push(gen_value(u, depth + 1)?);
            }
            Value::List(items)
        }
    })
}

/// Decodes `value` as `T` both ways; a decoded `T` must survive `to_value` and back.
fn check<T>(value: &Value)
where
    T: DeserializeOwned + Serialize + PartialEq + Debug,
{
    let owned = from_value::<T>(value.clone());
    let borrowed = from_value_ref::<T>(value);
    match (&owned, &borrowed) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "owned and borrowed decoding differ"),
        (Err(a), Err(b)) => assert_eq!(
            a.to_string(),
            b.to_string(),
            "owned and borrowed decoding fail differently"
        ),
        _ => panic!(
            "owned and borrowed decoding disagree for {}: {owned:?} vs {borrowed:?}",
            std::any::type_name::<T>()
        ),
    }
    let Ok(t) = owned else { return };
    let again = to_value(&t).unwrap_or_else(|e| {
        panic!(
            "decoded {} does not serialize: {e}\n{t:?}",
            std::any::type_name::<T>()
        )
    });
    match from_value::<T>(again.clone()) {
        Ok(back) => assert_eq!(back, t, "changed in a round trip through {again:?}"),
        Err(e) => panic!(
            "{} serialized from a decoded value does not decode: {e}\n{t:?}\n{again:?}",
            std::any::type_name::<T>()
        ),
    }
}

/// Decodes `value` as a borrowing `T`; no round trip (the serialized form is owned).
fn check_ref<'de, T>(value: &'de Value)
where
    T: Deserialize<'de> + Serialize + Debug,
{
    if let Ok(t) = from_value_ref::<T>(value) {
        let _ = to_value(&t);
    }
}

fn check_all(value: &Value) {
    // A Value decodes to itself.
    assert_eq!(from_value::<Value>(value.clone()).as_ref(), Ok(value));
    assert_eq!(from_value_ref::<Value>(value).as_ref(), Ok(value));

    check::<Scalars>(value);
    check::<Kebab>(value);
    check::<Strict>(value);
    check::<Shape>(value);
    check::<Vec<Shape>>(value);
    check::<Collections>(value);
    check::<Vec<Option<u8>>>(value);
    check::<BTreeMap<String, Vec<f64>>>(value);
    check::<BTreeMap<u32, String>>(value);
    check::<BTreeMap<i64, BTreeMap<String, Value>>>(value);
    check::<HashMap<bool, f32>>(value);
    check::<(u8, String, Vec<bool>)>(value);
    check::<[i32; 3]>(value);
    check::<(Unit, (), Newtype, Wrapper)>(value);
    check::<Option<Option<char>>>(value);
    check::<Tagged>(value);
    check::<Adjacent>(value);
    check::<Untagged>(value);
    check::<Flattened>(value);
    check::<Vec<Value>>(value);
    check::<Map>(value);
    check::<u64>(value);
    check::<i128>(value);
    check::<f64>(value);
    check::<f32>(value);
    check::<bool>(value);
    check::<char>(value);
    check::<String>(value);
    check_ref::<Borrowed<'_>>(value);
    check_ref::<Vec<&str>>(value);
    check_ref::<BTreeMap<&str, Cow<'_, str>>>(value);
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Default)]
#[serde(default)]
struct Scalars {
    i8: i8,
    i16: i16,
    i32: i32,
    i64: i64,
    i128: i128,
    u8: u8,
    u16: u16,
    u32: u32,
    u64: u64,
    u128: u128,
    f32: f32,
    f64: f64,
    b: bool,
    c: char,
    s: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    o: Option<isize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    opt: Option<usize>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(rename_all = "kebab-case")]
struct Kebab {
    ra: f64,
    dec: f64,
    table_id: Option<String>,
    row_list: Option<Vec<u32>>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct Strict {
    url: String,
    name: Option<String>,
    #[serde(default)]
    keys: Vec<String>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
enum Shape {
    Unit,
    Newtype(u32),
    Tuple(i16, String),
    Struct { x: f64, y: Option<bool> },
    Nested(Box<Shape>),
    List(Vec<Shape>),
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Collections {
    list: Vec<i64>,
    map: BTreeMap<String, Option<u16>>,
    nested: Option<Box<Collections>>,
    #[serde(default)]
    v: Vec<(bool, char)>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Unit;

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Newtype(i8);

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Wrapper(String, u8);

#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(tag = "t")]
enum Tagged {
    A { x: String },
    B(Inner),
    C,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Inner {
    y: String,
    z: Option<Value>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(tag = "t", content = "c")]
enum Adjacent {
    A(String),
    B(Vec<String>),
    C,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(untagged)]
enum Untagged {
    S(String),
    L(Vec<Untagged>),
    M(BTreeMap<String, Untagged>),
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Flattened {
    name: String,
    #[serde(flatten)]
    rest: BTreeMap<String, Value>,
}

#[derive(Serialize, Deserialize, Debug)]
struct Borrowed<'a> {
    #[serde(borrow)]
    url: &'a str,
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    list: Vec<&'a str>,
}
