//! The error map of an error or warning response (SAMP.md §2.6).

use std::fmt;

use crate::error::ProtocolError;
use crate::names::error::{
    CODE as CODE_KEY, DEBUGTXT as DEBUGTXT_KEY, ERRORTXT as ERRORTXT_KEY, USERTXT as USERTXT_KEY,
};
use crate::names::response::ERROR as ERROR_KEY;
use crate::xmlrpc::{WriteError, WriteValue, write_struct};
use crate::{Map, Value};

/// The error map (`samp.error`) of an error or warning response.
///
/// ```
/// use samp_protocol::ErrInfo;
/// let e = ErrInfo::new("file not found").usertxt("Check the URL").code("404");
/// let back = ErrInfo::from_value(e.to_value())?;
/// assert_eq!(back, e);
/// # Ok::<(), samp_protocol::ProtocolError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrInfo {
    /// `samp.errortxt`: short description (required).
    pub errortxt: String,
    /// `samp.usertxt`: longer free text for the user.
    pub usertxt: Option<String>,
    /// `samp.debugtxt`: debugging detail such as a backtrace.
    pub debugtxt: Option<String>,
    /// `samp.code`: numeric or textual code.
    pub code: Option<String>,
    /// Other keys, passed through unchanged.
    pub extra: Map,
}

impl ErrInfo {
    /// An error map with just the required short text.
    pub fn new(errortxt: impl Into<String>) -> ErrInfo {
        ErrInfo {
            errortxt: errortxt.into(),
            ..ErrInfo::default()
        }
    }

    /// Builder: sets `samp.usertxt`.
    pub fn usertxt(mut self, text: impl Into<String>) -> ErrInfo {
        self.usertxt = Some(text.into());
        self
    }

    /// Builder: sets `samp.debugtxt`.
    pub fn debugtxt(mut self, text: impl Into<String>) -> ErrInfo {
        self.debugtxt = Some(text.into());
        self
    }

    /// Builder: sets `samp.code`.
    pub fn code(mut self, code: impl Into<String>) -> ErrInfo {
        self.code = Some(code.into());
        self
    }

    /// Builder: sets a non-standard key.
    pub fn extra(mut self, key: impl Into<String>, value: impl Into<Value>) -> ErrInfo {
        self.extra.insert(key.into(), value.into());
        self
    }

    /// The wire map: extras, then the standard keys that are set.
    pub fn to_map(&self) -> Map {
        self.clone().into_map()
    }

    /// Like [`to_map`](Self::to_map) without cloning.
    pub fn into_map(self) -> Map {
        let mut m = self.extra;
        m.insert(ERRORTXT_KEY.to_owned(), Value::String(self.errortxt));
        for (key, val) in [
            (USERTXT_KEY, self.usertxt),
            (DEBUGTXT_KEY, self.debugtxt),
            (CODE_KEY, self.code),
        ] {
            if let Some(v) = val {
                m.insert(key.to_owned(), Value::String(v));
            }
        }
        m
    }

    /// The wire form, as a [`Value::Map`].
    pub fn to_value(&self) -> Value {
        Value::Map(self.to_map())
    }

    /// Reads an error map: `samp.errortxt` must be a string. Optional keys that are not
    /// strings (off-spec senders) are kept in `extra` rather than rejected, so nothing is lost.
    pub fn from_value(value: Value) -> Result<ErrInfo, ProtocolError> {
        match value {
            Value::Map(m) => ErrInfo::from_map(m),
            other => Err(ProtocolError::not_a_map("samp.error", &other)),
        }
    }

    /// [`from_value`](Self::from_value) for an already unwrapped map.
    pub fn from_map(mut map: Map) -> Result<ErrInfo, ProtocolError> {
        let errortxt = match map.remove(ERRORTXT_KEY) {
            Some(Value::String(s)) => s,
            Some(other) => {
                return Err(ProtocolError::WrongType {
                    key: format!("{ERROR_KEY}.{ERRORTXT_KEY}"),
                    found: other.kind(),
                    expected: "string",
                });
            }
            None => {
                return Err(ProtocolError::MissingKey {
                    map: ERROR_KEY,
                    key: ERRORTXT_KEY,
                    expected: "string",
                });
            }
        };
        let mut take = |key: &str| match map.remove_entry(key) {
            Some((_, Value::String(s))) => Some(s),
            Some((k, other)) => {
                map.insert(k, other);
                None
            }
            None => None,
        };
        let usertxt = take(USERTXT_KEY);
        let debugtxt = take(DEBUGTXT_KEY);
        let code = take(CODE_KEY);
        Ok(ErrInfo {
            errortxt,
            usertxt,
            debugtxt,
            code,
            extra: map,
        })
    }
}

impl fmt::Display for ErrInfo {
    /// The short text, plus the user text in parentheses when there is one.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.errortxt)?;
        if let Some(u) = &self.usertxt {
            write!(f, " ({u})")?;
        }
        Ok(())
    }
}

impl WriteValue for ErrInfo {
    fn write_value(&self, out: &mut String) -> Result<(), WriteError> {
        write_struct(out, |s| {
            s.member(ERRORTXT_KEY, &self.errortxt)?;
            // A standard key kept in `extra` (because its value was not a string) is
            // written from there, unless the typed field wrote it; found by fuzzing.
            let mut written = vec![ERRORTXT_KEY];
            for (key, val) in [
                (USERTXT_KEY, &self.usertxt),
                (DEBUGTXT_KEY, &self.debugtxt),
                (CODE_KEY, &self.code),
            ] {
                if let Some(v) = val {
                    s.member(key, v)?;
                    written.push(key);
                }
            }
            s.members(&self.extra, &written)
        })
    }
}
