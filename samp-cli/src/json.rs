//! JSON on the command line and in the output: `KEY=VALUE` params whose VALUE may be JSON,
//! and SAMP values printed as JSON.
//!
//! SAMP has only strings, lists and maps; JSON numbers and booleans are turned into the
//! strings SAMP uses for them (SAMP 1.3 §3.3), so `n=[1, 2.5, true]` sends
//! `["1", "2.5", "1"]`. JSON `null` has no SAMP form and is refused rather than guessed.

use samp::protocol::encoding::{format_bool, format_float};
use samp::{Map, Value};

/// Splits a `KEY=VALUE` argument at its first `=` (clap value parser; the error is shown
/// with the usage).
pub fn split_param(arg: &str) -> Result<(String, String), String> {
    match arg.split_once('=') {
        Some(("", _)) => Err(format!("{arg:?}: the KEY before `=` is empty")),
        Some((key, value)) => Ok((key.to_owned(), value.to_owned())),
        None => Err(format!("{arg:?}: expected KEY=VALUE")),
    }
}

/// The SAMP value of a param's VALUE: JSON if it starts with `[` or `{` (and `raw` is
/// off), else the text itself.
pub fn param_value(key: &str, text: &str, raw: bool) -> Result<Value, String> {
    if raw || !(text.starts_with('[') || text.starts_with('{')) {
        return Ok(Value::from(text));
    }
    let json: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        format!(
            "param {key}: {text:?} starts like JSON but is not JSON ({e}); \
             fix it, or give --raw to send every VALUE as plain text"
        )
    })?;
    from_json(&json).map_err(|e| format!("param {key}: {e}"))
}

/// A JSON value as a SAMP value.
pub fn from_json(json: &serde_json::Value) -> Result<Value, String> {
    use serde_json::Value as J;
    Ok(match json {
        J::Null => {
            return Err("JSON null has no SAMP form: leave the key out, or send \"\"".into());
        }
        J::Bool(b) => Value::from(format_bool(*b)),
        J::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Value::from(i.to_string()),
            (None, Some(u), _) => Value::from(u.to_string()),
            (None, None, Some(f)) => Value::from(format_float(f).map_err(|e| e.to_string())?),
            _ => return Err(format!("the number {n} has no SAMP form")),
        },
        J::String(s) => Value::from(s.as_str()),
        J::Array(items) => Value::List(items.iter().map(from_json).collect::<Result<_, _>>()?),
        J::Object(entries) => Value::Map(
            entries
                .iter()
                .map(|(k, v)| Ok((k.clone(), from_json(v)?)))
                .collect::<Result<Map, String>>()?,
        ),
    })
}

/// A SAMP value as JSON (every scalar a JSON string).
pub fn to_json(value: &Value) -> serde_json::Value {
    match value {
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::List(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
        Value::Map(map) => map_to_json(map),
    }
}

/// A SAMP map as a JSON object.
pub fn map_to_json(map: &Map) -> serde_json::Value {
    serde_json::Value::Object(map.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_json_values() {
        assert_eq!(param_value("k", "hello", false), Ok(Value::from("hello")));
        assert_eq!(param_value("k", "", false), Ok(Value::from("")));
        assert_eq!(param_value("k", "[1,2]", true), Ok(Value::from("[1,2]")));
        let v = param_value(
            "k",
            r#"{"a": [1, -2, 2.5, true, false, "x"], "b": {}}"#,
            false,
        );
        let want = samp::map! {
            "a" => Value::List(vec!["1".into(), "-2".into(), "2.5".into(), "1".into(), "0".into(), "x".into()]),
            "b" => Value::empty_map(),
        };
        assert_eq!(v, Ok(want));
        assert!(
            param_value("k", "[null]", false)
                .unwrap_err()
                .contains("null")
        );
        assert!(
            param_value("k", "[1,", false)
                .unwrap_err()
                .contains("--raw")
        );
    }

    #[test]
    fn splitting() {
        assert_eq!(split_param("a=b=c"), Ok(("a".into(), "b=c".into())));
        assert_eq!(split_param("a="), Ok(("a".into(), "".into())));
        assert!(split_param("=x").is_err());
        assert!(split_param("x").is_err());
    }

    #[test]
    fn round_trip_to_json() {
        let v = Value::List(vec!["1".into(), samp::map! { "k" => "v" }]);
        assert_eq!(to_json(&v), serde_json::json!(["1", {"k": "v"}]));
    }
}
