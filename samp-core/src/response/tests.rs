//! Tests of the response and error maps.

use super::validate::check_response;
use super::*;
use crate::map;

fn m(v: Value) -> Map {
    v.into_map().unwrap()
}

#[test]
fn status_wire_strings() {
    for s in [Status::Ok, Status::Warning, Status::Error] {
        assert_eq!(Status::from_wire(s.as_str()), Some(s));
        assert_eq!(s.to_string(), s.as_str());
    }
    assert_eq!(Status::from_wire("samp.OK"), None);
    assert_eq!(
        "ok".parse::<Status>().unwrap_err().to_string(),
        r#"samp.status "ok" is not samp.ok, samp.warning or samp.error"#
    );
}

#[test]
fn constructors_produce_valid_wire_forms() {
    let rs = [
        Response::ok(m(map! { "x" => "1" })),
        Response::ok_empty(),
        Response::warning(m(map! {}), ErrInfo::new("partial")),
        Response::error(ErrInfo::new("bad").debugtxt("trace").code("7")),
    ];
    for r in rs {
        let v = r.to_value();
        validate_response(&v).unwrap();
        assert_eq!(Response::from_value(v).unwrap(), r);
    }
}

#[test]
fn wire_form_shapes() {
    assert_eq!(
        Response::ok_empty().to_value(),
        map! { "samp.status" => "samp.ok", "samp.result" => map! {} }
    );
    assert_eq!(
        Response::error(ErrInfo::new("e").usertxt("u"))
            .extra("x-hub.note", "n")
            .to_value(),
        map! {
            "samp.status" => "samp.error",
            "samp.error" => map! { "samp.errortxt" => "e", "samp.usertxt" => "u" },
            "x-hub.note" => "n",
        }
    );
    // An ok response whose result was cleared still goes out valid.
    let mut r = Response::ok_empty();
    r.result = None;
    validate_response(&r.to_value()).unwrap();
}

#[test]
fn from_value_keeps_extras() {
    let v = map! {
        "samp.status" => "samp.warning",
        "samp.result" => map! { "a" => "1" },
        "samp.error" => map! {
            "samp.errortxt" => "careful",
            "samp.code" => map! { "odd" => "1" },
            "my.key" => "k",
        },
        "top.extra" => "t",
    };
    let r = Response::from_value(v.clone()).unwrap();
    assert_eq!(r.status, Status::Warning);
    let e = r.error.as_ref().unwrap();
    assert_eq!(e.errortxt, "careful");
    assert_eq!(e.code, None);
    assert_eq!(e.extra["samp.code"], map! { "odd" => "1" });
    assert_eq!(e.extra["my.key"], Value::from("k"));
    assert_eq!(r.extra["top.extra"], Value::from("t"));
    assert_eq!(r.to_value(), v);
}

#[test]
fn from_value_errors() {
    let err = |v: Value| Response::from_value(v).unwrap_err().to_string();
    assert_eq!(
        err(Value::from("x")),
        "response is a string, expected a map"
    );
    assert_eq!(err(map! {}), "response map has no samp.status string");
    assert_eq!(
        err(map! { "samp.status" => "samp.maybe" }),
        r#"samp.status "samp.maybe" is not samp.ok, samp.warning or samp.error"#
    );
    assert_eq!(
        err(map! { "samp.status" => "samp.ok", "samp.result" => "x" }),
        "samp.result is a string, expected a map"
    );
    assert_eq!(
        err(map! { "samp.status" => "samp.error", "samp.error" => map! {} }),
        "samp.error map has no samp.errortxt string"
    );
    assert_eq!(
        err(map! { "samp.status" => "samp.error", "samp.error" => Vec::<Value>::new() }),
        "samp.error is a list, expected a map"
    );
    // Lenient: a missing result is None.
    let r = Response::from_value(map! { "samp.status" => "samp.ok" }).unwrap();
    assert_eq!(r.result, None);
}

#[test]
fn validate_rules() {
    let check = |v: Value| check_response(&v).err();
    let ok_map = map! {};
    let err_map = map! { "samp.errortxt" => "e" };
    assert_eq!(
        check(map! { "samp.status" => "samp.ok", "samp.result" => ok_map.clone() }),
        None
    );
    assert_eq!(
        check(map! { "samp.status" => "samp.error", "samp.error" => err_map.clone() }),
        None
    );
    assert_eq!(
        check(map! {
            "samp.status" => "samp.warning",
            "samp.result" => ok_map.clone(),
            "samp.error" => err_map.clone(),
        }),
        None
    );
    // Error responses may also carry a result.
    assert_eq!(
        check(map! {
            "samp.status" => "samp.error",
            "samp.result" => ok_map.clone(),
            "samp.error" => err_map.clone(),
        }),
        None
    );

    let cases: Vec<(Value, &str)> = vec![
        (Value::from(vec![]), "response is a list, expected a map"),
        (map! {}, "response has no samp.status"),
        (
            map! { "samp.status" => map! {} },
            "response samp.status is a map, expected a string",
        ),
        (
            map! { "samp.status" => "samp.fine", "samp.result" => ok_map.clone() },
            r#"response has unknown samp.status "samp.fine" (expected samp.ok, samp.warning or samp.error)"#,
        ),
        (
            map! { "samp.status" => "samp.ok" },
            r#"response has samp.status "samp.ok" but no samp.result map"#,
        ),
        (
            map! { "samp.status" => "samp.warning", "samp.error" => err_map.clone() },
            r#"response has samp.status "samp.warning" but no samp.result map"#,
        ),
        (
            map! { "samp.status" => "samp.warning", "samp.result" => ok_map.clone() },
            r#"response has samp.status "samp.warning" but no samp.error map"#,
        ),
        (
            map! { "samp.status" => "samp.error" },
            r#"response has samp.status "samp.error" but no samp.error map"#,
        ),
        (
            map! { "samp.status" => "samp.ok", "samp.result" => "x" },
            "response samp.result is a string, expected a map",
        ),
        (
            map! { "samp.status" => "samp.error", "samp.error" => "boom" },
            "response samp.error is a string, expected a map",
        ),
        (
            map! { "samp.status" => "samp.error", "samp.error" => map! { "samp.usertxt" => "u" } },
            "response samp.error map has no samp.errortxt string",
        ),
        (
            map! {
                "samp.status" => "samp.error",
                "samp.error" => map! { "samp.errortxt" => vec![Value::from("x")] },
            },
            "response samp.error.samp.errortxt is a list, expected a string",
        ),
        (
            map! {
                "samp.status" => "samp.ok",
                "samp.result" => ok_map.clone(),
                "samp.error" => map! {},
            },
            "response samp.error map has no samp.errortxt string",
        ),
    ];
    for (v, want) in cases {
        assert_eq!(check(v.clone()).as_deref(), Some(want), "for {v:?}");
    }
}

#[test]
fn errinfo_display() {
    assert_eq!(ErrInfo::new("bad").to_string(), "bad");
    assert_eq!(
        ErrInfo::new("bad").usertxt("try again").to_string(),
        "bad (try again)"
    );
}
