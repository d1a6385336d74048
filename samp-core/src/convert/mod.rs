//! serde between Rust types and [`crate::Value`].
//!
//! MType parameters and protocol maps are declared as ordinary Rust structs and converted
//! with [`to_value`] / [`from_value`]. The mapping follows the SAMP data model (SAMP 1.3
//! §3.3–3.4):
//!
//! | Rust | SAMP |
//! |---|---|
//! | integers of any width | SAMP int string, e.g. `"-42"` |
//! | `f32`, `f64` | SAMP float string, e.g. `"0.5"`, `"1e300"`; NaN/infinity are an error |
//! | `bool` | `"1"` / `"0"` (reading: any non-zero SAMP int is true) |
//! | `char`, `str`, `String` | string |
//! | `Option` field or map value | key left out when `None`; SAMP has no null |
//! | `()` and unit structs | empty map |
//! | unit enum variant | its name as a string |
//! | other enum variants | single-key map `{variant: content}` |
//! | sequences, tuples | list |
//! | structs, maps | map (map keys: strings, integers, booleans) |
//! | byte strings | error |
//!
//! One serde limitation applies: `#[serde(flatten)]`, `#[serde(untagged)]` and internally
//! tagged enums (`#[serde(tag = "...")]`) buffer the input before decoding it, and that
//! buffer cannot read SAMP number or boolean strings into numeric or `bool` fields (nor
//! does it keep error paths). Give such fields `String`, [`Value`] or [`crate::Map`] types,
//! or keep them in a plain nested struct.
//!
//! Errors carry the path to the failing place, so a bad parameter can be reported as
//! ``at `row-list[3]`: invalid SAMP int "x": expected [sign] digits``.
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use samp_protocol::convert::{from_value, to_value};
//! use samp_protocol::map;
//!
//! #[derive(Serialize, Deserialize, Debug, PartialEq)]
//! #[serde(rename_all = "kebab-case")]
//! struct PointAt { ra: f64, dec: f64 }
//!
//! let v = to_value(&PointAt { ra: 180.5, dec: -30.0 }).unwrap();
//! assert_eq!(v, map! { "ra" => "180.5", "dec" => "-30" });
//! assert_eq!(from_value::<PointAt>(v).unwrap(), PointAt { ra: 180.5, dec: -30.0 });
//!
//! let err = from_value::<PointAt>(map! { "ra" => "abc", "dec" => "0" }).unwrap_err();
//! assert_eq!(err.path(), "ra");
//! assert!(err.to_string().starts_with(r#"at `ra`: invalid SAMP float "abc""#));
//! ```

mod de;
mod error;
mod ser;
mod text;
mod value_serde;

#[cfg(test)]
mod tests;

pub use error::ConvertError;

use crate::value::Value;

/// Converts a Rust value into a SAMP [`Value`].
///
/// Fails for NaN/infinite floats, byte strings, map keys that are not strings, integers or
/// booleans, and for a `None` anywhere but a struct field or map value (where the key is
/// simply left out).
///
/// ```
/// use samp_protocol::convert::to_value;
/// use samp_protocol::{map, Value};
///
/// assert_eq!(to_value(&42u8).unwrap(), Value::from("42"));
/// assert_eq!(to_value(&vec![true, false]).unwrap(), Value::List(vec!["1".into(), "0".into()]));
/// assert!(to_value(&f64::NAN).is_err());
/// ```
pub fn to_value<T: serde::Serialize + ?Sized>(value: &T) -> Result<Value, ConvertError> {
    value.serialize(ser::Ser)?.ok_or_else(ConvertError::null)
}

/// Converts a SAMP [`Value`] into a Rust value, taking ownership so strings are moved
/// rather than copied.
///
/// Numbers and booleans are parsed with the strict SAMP encodings of
/// [`crate::encoding`]; a missing `Option` field becomes `None`; unknown map keys are
/// ignored unless the struct says `#[serde(deny_unknown_fields)]`.
///
/// ```
/// use samp_protocol::convert::from_value;
/// use samp_protocol::Value;
///
/// let n: u16 = from_value(Value::from("+0065")).unwrap();
/// assert_eq!(n, 65);
/// let err = from_value::<u8>(Value::from("300")).unwrap_err();
/// assert_eq!(err.to_string(), r#"invalid SAMP int "300" for u8: out of range"#);
/// ```
pub fn from_value<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, ConvertError> {
    T::deserialize(de::Deserializer::new(value))
}

/// Converts a borrowed SAMP [`Value`] into a Rust value that may borrow from it.
///
/// Use this to read `&str` fields without copying, or to decode a value that must also be
/// kept (e.g. for forwarding) without cloning it first.
///
/// ```
/// use serde::Deserialize;
/// use samp_protocol::convert::from_value_ref;
/// use samp_protocol::map;
///
/// #[derive(Deserialize)]
/// struct Load<'a> { url: &'a str }
///
/// let params = map! { "url" => "file:///tmp/t.vot" };
/// let load: Load<'_> = from_value_ref(&params).unwrap();
/// assert_eq!(load.url, "file:///tmp/t.vot");
/// ```
pub fn from_value_ref<'de, T: serde::Deserialize<'de>>(
    value: &'de Value,
) -> Result<T, ConvertError> {
    T::deserialize(de::Deserializer::new(value))
}
