//! The conversion error: what went wrong, and where in the value.

use std::fmt;

use crate::encoding::shorten;
use crate::value::Value;

/// A failed conversion between a Rust value and a [`Value`]: a message plus the path from
/// the root of the value to the place it went wrong.
///
/// The path joins map keys with `.` and writes list indices as `[i]`, e.g. `row-list[3]`
/// or `meta.x`; it is empty when the problem is at the root. Display puts the two together,
/// ``at `row-list[3]`: invalid SAMP int "x": expected [sign] digits``, so the text can go
/// straight into a fault string or a log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvertError {
    context: Option<String>,
    path: String,
    message: String,
}

impl ConvertError {
    /// An error at the root with the given message.
    pub fn new(message: impl fmt::Display) -> Self {
        ConvertError {
            context: None,
            path: String::new(),
            message: message.to_string(),
        }
    }

    /// The path from the root to the failing place (`""` at the root), e.g. `row-list[3]`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The message without the path, e.g. `missing field `url``.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Says what was being converted, e.g. `params of table.load.votable`; shown first.
    pub fn context(mut self, context: impl fmt::Display) -> Self {
        self.context = Some(context.to_string());
        self
    }

    /// Puts the error one map key deeper: the path becomes `key.<old path>`.
    ///
    /// Used as errors bubble up out of map values; callers that unpack maps by hand can use
    /// it to keep the same style.
    pub fn with_key(mut self, key: &str) -> Self {
        if self.path.is_empty() {
            self.path = key.to_owned();
        } else {
            let sep = if self.path.starts_with('[') { "" } else { "." };
            self.path = format!("{key}{sep}{}", self.path);
        }
        self
    }

    /// Puts the error one list element deeper: the path becomes `[index]<old path>`.
    pub fn with_index(mut self, index: usize) -> Self {
        let sep = if self.path.is_empty() || self.path.starts_with('[') {
            ""
        } else {
            "."
        };
        self.path = format!("[{index}]{sep}{}", self.path);
        self
    }

    /// `expected <what>, found <found>`, where `found` comes from [`describe`].
    pub(crate) fn expected(what: &str, found: impl fmt::Display) -> Self {
        ConvertError::new(format_args!("expected {what}, found {found}"))
    }

    /// The error for a `None` that has nowhere to go.
    pub(crate) fn null() -> Self {
        ConvertError::new(
            "SAMP has no null: None can only be left out, as a struct field or map value",
        )
    }
}

/// A short description of a value for messages: `a string "abc"`, `a list`, `a map`.
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::String(s) => describe_str(s),
        Value::List(_) => "a list".to_owned(),
        Value::Map(_) => "a map".to_owned(),
    }
}

/// `a string "abc"`, with long text shortened.
pub(crate) fn describe_str(s: &str) -> String {
    format!("a string {:?}", shorten(s))
}

impl fmt::Display for ConvertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(context) = &self.context {
            write!(f, "{context}: ")?;
        }
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "at `{}`: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for ConvertError {}

impl From<crate::encoding::EncodingError> for ConvertError {
    fn from(e: crate::encoding::EncodingError) -> Self {
        ConvertError::new(e)
    }
}

impl serde::ser::Error for ConvertError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ConvertError::new(msg)
    }
}

impl serde::de::Error for ConvertError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ConvertError::new(msg)
    }

    fn invalid_type(unexp: serde::de::Unexpected<'_>, exp: &dyn serde::de::Expected) -> Self {
        use serde::de::Unexpected;
        let found = match unexp {
            Unexpected::Str(s) => describe_str(s),
            Unexpected::Seq => "a list".to_owned(),
            Unexpected::Map => "a map".to_owned(),
            other => other.to_string(),
        };
        ConvertError::new(format_args!("expected {exp}, found {found}"))
    }

    fn invalid_value(unexp: serde::de::Unexpected<'_>, exp: &dyn serde::de::Expected) -> Self {
        use serde::de::Unexpected;
        match unexp {
            Unexpected::Str(s) => ConvertError::new(format_args!(
                "invalid value {:?}, expected {exp}",
                shorten(s)
            )),
            other => ConvertError::new(format_args!("invalid value {other}, expected {exp}")),
        }
    }

    fn missing_field(field: &'static str) -> Self {
        ConvertError::new(format_args!("missing field `{field}`"))
    }
}
