use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::*;
use crate::map;
use crate::value::Map;

fn s(text: &str) -> Value {
    Value::from(text)
}

fn list(items: Vec<Value>) -> Value {
    Value::List(items)
}

/// The MType `table.select.rowList` parameters.
#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
#[serde(rename_all = "kebab-case")]
struct SelectRowList {
    table_id: Option<String>,
    url: Option<String>,
    row_list: Vec<u64>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone, Copy)]
#[serde(rename_all = "kebab-case")]
enum Shape {
    Circle,
    BoxRegion,
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
enum Shaped {
    Unit,
    Newtype(i32),
    Tuple(i32, String),
    Struct { a: u8, b: Option<String> },
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Inner {
    x: i32,
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Outer {
    meta: Inner,
    rows: Vec<Inner>,
}

// ---- serialize -------------------------------------------------------------------------

#[test]
fn integers_of_every_width_are_samp_ints() {
    assert_eq!(to_value(&-5i8).unwrap(), s("-5"));
    assert_eq!(to_value(&300i16).unwrap(), s("300"));
    assert_eq!(to_value(&i32::MIN).unwrap(), s("-2147483648"));
    assert_eq!(to_value(&i64::MAX).unwrap(), s("9223372036854775807"));
    assert_eq!(to_value(&255u8).unwrap(), s("255"));
    assert_eq!(to_value(&u64::MAX).unwrap(), s("18446744073709551615"));
    assert_eq!(
        to_value(&i128::MIN).unwrap(),
        s("-170141183460469231731687303715884105728")
    );
    assert_eq!(
        to_value(&u128::MAX).unwrap(),
        s("340282366920938463463374607431768211455")
    );
    assert_eq!(to_value(&7usize).unwrap(), s("7"));
}

#[test]
fn floats_bools_chars_strings() {
    assert_eq!(to_value(&0.5f64).unwrap(), s("0.5"));
    assert_eq!(to_value(&1e300).unwrap(), s("1e300"));
    assert_eq!(to_value(&0.1f32).unwrap(), s("0.1"));
    assert_eq!(to_value(&true).unwrap(), s("1"));
    assert_eq!(to_value(&false).unwrap(), s("0"));
    assert_eq!(to_value(&'x').unwrap(), s("x"));
    assert_eq!(to_value("text").unwrap(), s("text"));
    assert_eq!(to_value(&String::from("owned")).unwrap(), s("owned"));
}

#[test]
fn non_finite_floats_are_errors_with_path() {
    assert_eq!(
        to_value(&f64::NAN).unwrap_err().to_string(),
        "cannot encode NaN as a SAMP float: SAMP has no NaN or infinity"
    );
    let err = to_value(&Outer2 {
        ra: f64::INFINITY,
        list: vec![],
    })
    .unwrap_err();
    assert_eq!(err.path(), "ra");
    let err = to_value(&Outer2 {
        ra: 0.0,
        list: vec![1.0, f32::NAN],
    })
    .unwrap_err();
    assert_eq!(err.path(), "list[1]");
    assert!(
        err.to_string()
            .starts_with("at `list[1]`: cannot encode NaN")
    );

    #[derive(Serialize)]
    struct Outer2 {
        ra: f64,
        list: Vec<f32>,
    }
}

#[test]
fn none_fields_and_map_values_are_left_out() {
    let v = to_value(&SelectRowList {
        table_id: None,
        url: Some("http://x/t.vot".into()),
        row_list: vec![1, 2],
    })
    .unwrap();
    assert_eq!(
        v,
        map! { "url" => "http://x/t.vot", "row-list" => list(vec![s("1"), s("2")]) }
    );
    let mut m = BTreeMap::new();
    m.insert("a", Some(1));
    m.insert("b", None);
    assert_eq!(to_value(&m).unwrap(), map! { "a" => "1" });
    // Some(None) is still nothing.
    #[derive(Serialize)]
    struct Nested {
        x: Option<Option<i32>>,
    }
    assert_eq!(to_value(&Nested { x: Some(None) }).unwrap(), map! {});
}

#[test]
fn none_elsewhere_is_an_error() {
    let err = to_value(&None::<i32>).unwrap_err();
    assert!(err.message().starts_with("SAMP has no null"), "{err}");
    let err = to_value(&vec![Some(1), None]).unwrap_err();
    assert_eq!(err.path(), "[1]");
    assert!(err.to_string().starts_with("at `[1]`: SAMP has no null"));
    let err = to_value(&(1, None::<String>)).unwrap_err();
    assert_eq!(err.path(), "[1]");
    #[derive(Serialize)]
    enum E {
        V(Option<i32>),
    }
    let err = to_value(&E::V(None)).unwrap_err();
    assert_eq!(err.path(), "V");
    assert_eq!(to_value(&Some(3)).unwrap(), s("3"));
}

#[test]
fn unit_and_unit_structs_are_empty_maps() {
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Nothing;
    assert_eq!(to_value(&()).unwrap(), map! {});
    assert_eq!(to_value(&Nothing).unwrap(), map! {});
    assert_eq!(from_value::<Nothing>(map! {}).unwrap(), Nothing);
    from_value::<()>(map! {}).unwrap();
    from_value::<()>(s("")).unwrap();
    assert_eq!(
        from_value::<()>(s("x")).unwrap_err().to_string(),
        r#"expected an empty SAMP map or empty string, found a string "x""#
    );
    assert_eq!(
        from_value::<()>(map! { "k" => "v" })
            .unwrap_err()
            .to_string(),
        "expected an empty SAMP map or empty string, found a map"
    );
}

#[test]
fn enums_are_externally_tagged() {
    assert_eq!(to_value(&Shape::BoxRegion).unwrap(), s("box-region"));
    assert_eq!(to_value(&Shaped::Unit).unwrap(), s("Unit"));
    assert_eq!(
        to_value(&Shaped::Newtype(3)).unwrap(),
        map! { "Newtype" => "3" }
    );
    assert_eq!(
        to_value(&Shaped::Tuple(1, "a".into())).unwrap(),
        map! { "Tuple" => list(vec![s("1"), s("a")]) }
    );
    assert_eq!(
        to_value(&Shaped::Struct { a: 1, b: None }).unwrap(),
        map! { "Struct" => map! { "a" => "1" } }
    );
    for v in [
        Shaped::Unit,
        Shaped::Newtype(-4),
        Shaped::Tuple(7, "x".into()),
        Shaped::Struct {
            a: 9,
            b: Some("y".into()),
        },
    ] {
        assert_eq!(from_value::<Shaped>(to_value(&v).unwrap()).unwrap(), v);
        let owned = to_value(&v).unwrap();
        assert_eq!(from_value_ref::<Shaped>(&owned).unwrap(), v);
    }
    assert_eq!(from_value::<Shape>(s("circle")).unwrap(), Shape::Circle);
    // A unit variant may also come as `{name: {}}`.
    assert_eq!(
        from_value::<Shaped>(map! { "Unit" => map! {} }).unwrap(),
        Shaped::Unit
    );
}

#[test]
fn enum_errors() {
    let err = from_value::<Shape>(s("square")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown variant `square`, expected `circle` or `box-region`"
    );
    let err = from_value::<Shaped>(s("Newtype")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "expected newtype variant `Newtype` as a single-key map, found a bare variant name"
    );
    let err = from_value::<Shaped>(map! { "Newtype" => "x" }).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"at `Newtype`: invalid SAMP int "x": expected [sign] digits"#
    );
    let err = from_value::<Shaped>(map! { "Struct" => map! { "a" => "1000" } }).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"at `Struct.a`: invalid SAMP int "1000" for u8: out of range"#
    );
    let err = from_value::<Shaped>(map! { "a" => "1", "b" => "2" }).unwrap_err();
    assert_eq!(
        err.to_string(),
        "expected a SAMP string (unit variant) or a single-key map (variant with content), \
         found a map with 2 keys"
    );
    let err = from_value::<Shaped>(list(vec![])).unwrap_err();
    assert!(err.to_string().ends_with("found a list"), "{err}");
}

#[test]
fn sequences_tuples_maps_structs() {
    assert_eq!(
        to_value(&(1, "a", true)).unwrap(),
        list(vec![s("1"), s("a"), s("1")])
    );
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Pair(i32, i32);
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Wrapper(String);
    assert_eq!(to_value(&Pair(1, 2)).unwrap(), list(vec![s("1"), s("2")]));
    assert_eq!(to_value(&Wrapper("w".into())).unwrap(), s("w"));
    assert_eq!(
        from_value::<Pair>(to_value(&Pair(3, 4)).unwrap()).unwrap(),
        Pair(3, 4)
    );
    assert_eq!(
        from_value::<Wrapper>(s("w")).unwrap(),
        Wrapper("w".to_owned())
    );
    assert_eq!(
        from_value::<(u8, String)>(list(vec![s("1"), s("a")])).unwrap(),
        (1, "a".to_owned())
    );
    assert_eq!(
        from_value::<(u8,)>(list(vec![s("1"), s("2")]))
            .unwrap_err()
            .to_string(),
        "invalid length 2, expected fewer elements in the list"
    );
    assert!(from_value::<(u8, u8)>(list(vec![s("1")])).is_err());
    assert_eq!(
        to_value(&Outer {
            meta: Inner { x: 1 },
            rows: vec![Inner { x: 2 }],
        })
        .unwrap(),
        map! { "meta" => map! { "x" => "1" }, "rows" => list(vec![map! { "x" => "2" }]) }
    );
}

#[test]
fn map_keys() {
    let mut ints = BTreeMap::new();
    ints.insert(-3i32, "a");
    ints.insert(10, "b");
    let v = to_value(&ints).unwrap();
    assert_eq!(v, map! { "-3" => "a", "10" => "b" });
    assert_eq!(from_value::<BTreeMap<i32, String>>(v).unwrap().len(), 2);
    let mut bools = BTreeMap::new();
    bools.insert(true, 1);
    assert_eq!(to_value(&bools).unwrap(), map! { "1" => "1" });
    let mut chars = HashMap::new();
    chars.insert('c', 1);
    assert_eq!(to_value(&chars).unwrap(), map! { "c" => "1" });
    let mut enums = BTreeMap::new();
    enums.insert("k", Shape::Circle);
    assert_eq!(to_value(&enums).unwrap(), map! { "k" => "circle" });

    let mut lists = BTreeMap::new();
    lists.insert(vec![1], 1);
    assert_eq!(
        to_value(&lists).unwrap_err().to_string(),
        "SAMP map keys must be strings (or integers or booleans), found a list"
    );
    let floats = vec![(1.5f64, 1)];
    struct FloatKeys(Vec<(f64, i32)>);
    impl Serialize for FloatKeys {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
        }
    }
    assert!(to_value(&FloatKeys(floats)).is_err());

    let err = from_value::<BTreeMap<u8, String>>(map! { "999" => "x" }).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"at `999`: invalid SAMP int "999" for u8: out of range"#
    );
}

#[test]
fn bytes_are_refused() {
    struct Bytes;
    impl Serialize for Bytes {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(b"abc")
        }
    }
    assert_eq!(
        to_value(&Bytes).unwrap_err().to_string(),
        "SAMP has no byte strings; use a list or base64 text"
    );
}

#[test]
fn value_and_map_fields_pass_through() {
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Message {
        #[serde(rename = "samp.mtype")]
        mtype: String,
        #[serde(rename = "samp.params")]
        params: Map,
        #[serde(flatten)]
        extra: BTreeMap<String, Value>,
    }
    let v = map! {
        "samp.mtype" => "table.load.votable",
        "samp.params" => map! { "url" => "file:///t", "nested" => list(vec![map! {}]) },
        "x-private" => list(vec![s("1")]),
    };
    let m: Message = from_value(v.clone()).unwrap();
    assert_eq!(m.mtype, "table.load.votable");
    assert_eq!(m.extra.len(), 1);
    assert_eq!(to_value(&m).unwrap(), v);
    let m2: Message = from_value_ref(&v).unwrap();
    assert_eq!(m2, m);
    assert_eq!(to_value(&v).unwrap(), v);
    assert_eq!(from_value::<Value>(v.clone()).unwrap(), v);
    assert_eq!(from_value_ref::<Value>(&v).unwrap(), v);
}

// ---- deserialize -----------------------------------------------------------------------

#[test]
fn select_row_list_both_ways() {
    let params = SelectRowList {
        table_id: Some("tbl-1".into()),
        url: None,
        row_list: vec![0, 5, u64::MAX],
    };
    let v = to_value(&params).unwrap();
    assert_eq!(
        v,
        map! {
            "table-id" => "tbl-1",
            "row-list" => list(vec![s("0"), s("5"), s("18446744073709551615")]),
        }
    );
    assert_eq!(from_value::<SelectRowList>(v.clone()).unwrap(), params);
    assert_eq!(from_value_ref::<SelectRowList>(&v).unwrap(), params);

    // Missing Option fields are None; unknown keys are ignored.
    let got: SelectRowList = from_value(map! {
        "url" => "http://x",
        "row-list" => list(vec![]),
        "x-extra" => map! { "deep" => list(vec![]) },
    })
    .unwrap();
    assert_eq!(
        got,
        SelectRowList {
            table_id: None,
            url: Some("http://x".into()),
            row_list: vec![],
        }
    );
}

#[test]
fn errors_name_the_path() {
    let err = from_value::<SelectRowList>(map! {
        "row-list" => list(vec![s("1"), s("2"), s("3"), s("x")]),
    })
    .unwrap_err();
    assert_eq!(err.path(), "row-list[3]");
    assert_eq!(
        err.message(),
        r#"invalid SAMP int "x": expected [sign] digits"#
    );
    assert_eq!(
        err.to_string(),
        r#"at `row-list[3]`: invalid SAMP int "x": expected [sign] digits"#
    );

    let err = from_value::<SelectRowList>(map! { "table-id" => "t" }).unwrap_err();
    assert_eq!(err.to_string(), "missing field `row-list`");
    assert_eq!(err.path(), "");

    let err = from_value::<Outer>(map! { "meta" => map! {}, "rows" => list(vec![]) }).unwrap_err();
    assert_eq!(err.to_string(), "at `meta`: missing field `x`");

    let err = from_value::<Outer>(map! {
        "meta" => map! { "x" => "1" },
        "rows" => list(vec![map! { "x" => "1" }, map! { "x" => list(vec![]) }]),
    })
    .unwrap_err();
    assert_eq!(err.path(), "rows[1].x");
    assert_eq!(
        err.to_string(),
        "at `rows[1].x`: expected a SAMP string, found a list"
    );

    let err = from_value::<Vec<Vec<i32>>>(list(vec![list(vec![]), list(vec![s("1"), s("")])]))
        .unwrap_err();
    assert_eq!(err.path(), "[1][1]");

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Pos {
        ra: f64,
        dec: f64,
    }
    let err = from_value::<Pos>(map! { "ra" => "abc", "dec" => "0" }).unwrap_err();
    assert!(
        err.to_string()
            .starts_with(r#"at `ra`: invalid SAMP float "abc""#),
        "{err}"
    );
    let err = from_value::<Pos>(map! { "ra" => "1", "dec" => list(vec![]) }).unwrap_err();
    assert_eq!(
        err.to_string(),
        "at `dec`: expected a SAMP string, found a list"
    );
    let err = from_value::<Pos>(map! { "ra" => "1", "dec" => map! {} }).unwrap_err();
    assert_eq!(
        err.to_string(),
        "at `dec`: expected a SAMP string, found a map"
    );
}

#[test]
fn keys_with_dots_join_readably() {
    let err = from_value::<BTreeMap<String, BTreeMap<String, u8>>>(map! {
        "samp.params" => map! { "n" => "-1" },
    })
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"at `samp.params.n`: invalid SAMP int "-1" for u8: out of range"#
    );
    assert_eq!(
        ConvertError::new("m")
            .with_index(2)
            .with_key("a")
            .with_index(0)
            .path(),
        "[0].a[2]"
    );
}

#[test]
fn wrong_shapes_say_expected_and_found() {
    assert_eq!(
        from_value::<Inner>(s("abc")).unwrap_err().to_string(),
        r#"expected a SAMP map, found a string "abc""#
    );
    assert_eq!(
        from_value::<Vec<i32>>(map! {}).unwrap_err().to_string(),
        "expected a SAMP list, found a map"
    );
    assert_eq!(
        from_value::<BTreeMap<String, String>>(list(vec![]))
            .unwrap_err()
            .to_string(),
        "expected a SAMP map, found a list"
    );
    let long = "y".repeat(500);
    let msg = from_value::<Inner>(Value::String(long))
        .unwrap_err()
        .to_string();
    assert_eq!(
        msg,
        format!(
            "expected a SAMP map, found a string \"{}…\"",
            "y".repeat(40)
        )
    );
}

#[test]
fn integers_are_range_checked() {
    assert_eq!(from_value::<u8>(s("255")).unwrap(), 255);
    assert_eq!(
        from_value::<u8>(s("300")).unwrap_err().to_string(),
        r#"invalid SAMP int "300" for u8: out of range"#
    );
    assert_eq!(
        from_value::<u32>(s("-1")).unwrap_err().to_string(),
        r#"invalid SAMP int "-1" for u32: out of range"#
    );
    assert_eq!(from_value::<i8>(s("-128")).unwrap(), -128);
    assert!(from_value::<i16>(s("40000")).is_err());
    assert_eq!(
        from_value::<u64>(s("18446744073709551615")).unwrap(),
        u64::MAX
    );
    assert!(from_value::<u64>(s("18446744073709551616")).is_err());
    assert!(from_value::<i64>(s("9223372036854775808")).is_err());
    assert_eq!(from_value::<i128>(s("-5")).unwrap(), -5);
    assert_eq!(
        from_value::<u128>(s("340282366920938463463374607431768211455")).unwrap(),
        u128::MAX
    );
    assert!(from_value::<i32>(s(" 1")).is_err());
    assert!(from_value::<i32>(s("1.0")).is_err());
    assert!(from_value::<usize>(s("0x10")).is_err());
}

#[test]
fn floats_bools_chars_read_strictly() {
    assert_eq!(from_value::<f64>(s("-1.5e3")).unwrap(), -1500.0);
    assert_eq!(from_value::<f32>(s("0.1")).unwrap(), 0.1f32);
    assert_eq!(
        from_value::<f32>(s("1e39")).unwrap_err().to_string(),
        r#"invalid SAMP float "1e39" for f32: out of range"#
    );
    assert!(from_value::<f64>(s("NaN")).is_err());
    assert!(from_value::<f64>(s("inf")).is_err());
    assert!(from_value::<f64>(s("")).is_err());
    assert!(from_value::<bool>(s("1")).unwrap());
    assert!(from_value::<bool>(s("-7")).unwrap());
    assert!(!from_value::<bool>(s("000")).unwrap());
    assert_eq!(
        from_value::<bool>(s("true")).unwrap_err().to_string(),
        r#"invalid SAMP boolean "true": expected a SAMP int such as "0" or "1""#
    );
    assert_eq!(from_value::<char>(s("é")).unwrap(), 'é');
    assert_eq!(
        from_value::<char>(s("ab")).unwrap_err().to_string(),
        r#"expected a single character, found a string "ab""#
    );
    assert!(from_value::<char>(s("")).is_err());
}

#[test]
fn options_from_present_values_are_some() {
    assert_eq!(from_value::<Option<i32>>(s("4")).unwrap(), Some(4));
    assert_eq!(
        from_value::<Option<String>>(s("")).unwrap(),
        Some(String::new())
    );
    assert_eq!(
        from_value::<Option<Vec<String>>>(list(vec![])).unwrap(),
        Some(vec![])
    );
    #[derive(Deserialize, Debug, PartialEq)]
    struct Opt {
        a: Option<u8>,
        #[serde(default)]
        b: Vec<u8>,
    }
    assert_eq!(
        from_value::<Opt>(map! {}).unwrap(),
        Opt { a: None, b: vec![] }
    );
    assert_eq!(
        from_value::<Opt>(map! { "a" => "x" })
            .unwrap_err()
            .to_string(),
        r#"at `a`: invalid SAMP int "x": expected [sign] digits"#
    );
}

#[test]
fn deny_unknown_fields_is_respected() {
    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Strict {
        a: String,
    }
    let err = from_value::<Strict>(map! { "a" => "1", "zz" => "2" }).unwrap_err();
    assert_eq!(err.to_string(), "at `zz`: unknown field `zz`, expected `a`");
}

#[test]
fn borrowed_strings() {
    #[derive(Deserialize)]
    struct Borrowing<'a> {
        url: &'a str,
        #[serde(borrow)]
        names: Vec<&'a str>,
        #[serde(borrow)]
        by_key: BTreeMap<&'a str, &'a str>,
    }
    let v = map! {
        "url" => "http://x",
        "names" => list(vec![s("a"), s("b")]),
        "by_key" => map! { "k" => "v" },
    };
    let b: Borrowing<'_> = from_value_ref(&v).unwrap();
    assert_eq!(b.url, "http://x");
    assert_eq!(b.names, ["a", "b"]);
    assert_eq!(b.by_key["k"], "v");
    // Owned input cannot lend; serde reports it rather than panicking.
    assert!(from_value_ref::<Borrowing<'_>>(&s("x")).is_err());
}

#[test]
fn untagged_enums_and_ignored_any() {
    #[derive(Deserialize, Debug, PartialEq)]
    #[serde(untagged)]
    enum Either {
        Text(String),
        Many(Vec<String>),
        Keyed(BTreeMap<String, String>),
    }
    assert_eq!(
        from_value::<Either>(s("a")).unwrap(),
        Either::Text("a".into())
    );
    assert_eq!(
        from_value::<Either>(list(vec![s("a")])).unwrap(),
        Either::Many(vec!["a".into()])
    );
    assert!(matches!(
        from_value::<Either>(map! { "k" => "v" }).unwrap(),
        Either::Keyed(_)
    ));
    for v in [s("x"), list(vec![map! {}]), map! { "a" => list(vec![]) }] {
        from_value::<serde::de::IgnoredAny>(v.clone()).unwrap();
        from_value_ref::<serde::de::IgnoredAny>(&v).unwrap();
    }
}

#[test]
fn internally_tagged_enums_work() {
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    #[serde(tag = "samp.status")]
    enum Status {
        #[serde(rename = "samp.ok")]
        Ok {
            #[serde(rename = "samp.result")]
            result: Map,
        },
        #[serde(rename = "samp.error")]
        Error {
            #[serde(rename = "samp.error")]
            error: Map,
        },
    }
    let v = map! { "samp.status" => "samp.ok", "samp.result" => map! { "n" => "1" } };
    let st: Status = from_value(v.clone()).unwrap();
    assert!(matches!(st, Status::Ok { .. }));
    assert_eq!(to_value(&st).unwrap(), v);
}

#[test]
fn value_deserializes_from_other_formats_shape() {
    // Value's Deserialize accepts numbers and booleans as SAMP encodings, as JSON would give.
    use serde::de::IntoDeserializer;
    use serde::de::value::Error as PlainError;
    let d: serde::de::value::I64Deserializer<PlainError> = (-3i64).into_deserializer();
    assert_eq!(Value::deserialize(d).unwrap(), s("-3"));
    let d: serde::de::value::BoolDeserializer<PlainError> = true.into_deserializer();
    assert_eq!(Value::deserialize(d).unwrap(), s("1"));
    let d: serde::de::value::F64Deserializer<PlainError> = 0.25f64.into_deserializer();
    assert_eq!(Value::deserialize(d).unwrap(), s("0.25"));
    let d: serde::de::value::F64Deserializer<PlainError> = f64::NAN.into_deserializer();
    assert!(Value::deserialize(d).is_err());
    let d: serde::de::value::UnitDeserializer<PlainError> = ().into_deserializer();
    assert_eq!(Value::deserialize(d).unwrap(), map! {});
}

#[test]
fn error_accessors_and_traits() {
    fn is_error<E: std::error::Error + Send + Sync + 'static>(_: &E) {}
    let err = from_value::<Inner>(map! { "x" => "q" }).unwrap_err();
    is_error(&err);
    assert_eq!(err.path(), "x");
    assert_eq!(
        err.message(),
        r#"invalid SAMP int "q": expected [sign] digits"#
    );
    let e = <ConvertError as serde::de::Error>::custom("boom");
    assert_eq!(e.to_string(), "boom");
    let e = <ConvertError as serde::ser::Error>::custom("bang").with_key("k");
    assert_eq!(e.to_string(), "at `k`: bang");
}

/// Pins a known serde limitation (serde-rs/serde#1183) so it is not mistaken for a bug here:
/// `flatten`, `untagged` and internally tagged enums buffer the input first, and the buffer
/// will not read the string `"5"` as a `u32`. String, `Value` and `Map` fields are fine.
#[test]
fn flatten_cannot_parse_numbers() {
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Counted {
        n: u32,
    }
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Flat {
        #[serde(flatten)]
        inner: Counted,
    }
    assert_eq!(
        from_value::<Flat>(map! { "n" => "5" })
            .unwrap_err()
            .to_string(),
        r#"expected u32, found a string "5""#
    );
}
