//! The SAMP data model: every SAMP datum is a string, a list or a map (SAMP 1.3 §3.3).
//!
//! Numbers and booleans are strings with fixed lexical forms; see [`crate::encoding`].

use std::collections::BTreeMap;
use std::fmt;

/// A SAMP map: string keys to SAMP values. Key order carries no meaning.
pub type Map = BTreeMap<String, Value>;

/// A SAMP value: string, list or map.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Value {
    /// A scalar. Numbers and booleans are strings too (see [`crate::encoding`]).
    String(String),
    /// An ordered sequence of values.
    List(Vec<Value>),
    /// A string-keyed map of values.
    Map(Map),
}

impl Value {
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The list, if this is one.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// The map, if this is one.
    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The map, mutably, if this is one.
    pub fn as_map_mut(&mut self) -> Option<&mut Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The owned string, if this is one.
    pub fn into_string(self) -> Option<String> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The owned list, if this is one.
    pub fn into_list(self) -> Option<Vec<Value>> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// The owned map, if this is one.
    pub fn into_map(self) -> Option<Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The SAMP type name, for error messages: `string`, `list` or `map`.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Map(_) => "map",
        }
    }

    /// An empty map.
    pub fn empty_map() -> Value {
        Value::Map(Map::new())
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::String(s) => fmt::Debug::fmt(s, f),
            Value::List(l) => f.debug_list().entries(l).finish(),
            Value::Map(m) => f.debug_map().entries(m).finish(),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<&String> for Value {
    fn from(s: &String) -> Self {
        Value::String(s.clone())
    }
}

impl From<Vec<Value>> for Value {
    fn from(l: Vec<Value>) -> Self {
        Value::List(l)
    }
}

impl From<Map> for Value {
    fn from(m: Map) -> Self {
        Value::Map(m)
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Value {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Value::Map(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

/// Builds a [`Value::Map`] from `key => value` pairs; values go through `Into<Value>`.
///
/// ```
/// use samp_protocol::{map, Value};
/// let v = map! { "samp.mtype" => "samp.app.ping", "samp.params" => map! {} };
/// assert_eq!(v.as_map().unwrap()["samp.mtype"], Value::from("samp.app.ping"));
/// ```
#[macro_export]
macro_rules! map {
    () => { $crate::Value::Map($crate::Map::new()) };
    ($($k:expr => $v:expr),+ $(,)?) => {{
        let mut m = $crate::Map::new();
        $( m.insert(::std::string::String::from($k), $crate::Value::from($v)); )+
        $crate::Value::Map(m)
    }};
}
