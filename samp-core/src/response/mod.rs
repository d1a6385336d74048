//! The response map and its error map (SAMP.md §2.6).

mod err_info;
mod validate;

pub use err_info::ErrInfo;
use validate::presence_problem;
pub use validate::validate_response;

use crate::names::response::ERROR as ERROR_KEY;
use crate::names::response::RESULT as RESULT_KEY;
use crate::names::response::STATUS as STATUS_KEY;
use std::fmt;
use std::str::FromStr;

use crate::xmlrpc::{WriteError, WriteValue, write_struct};
use crate::{Map, Value, names};

use crate::error::ProtocolError;

/// Outcome of a call, carried as `samp.status`.
///
/// ```
/// use samp_protocol::Status;
/// assert_eq!(Status::Warning.as_str(), "samp.warning");
/// assert_eq!("samp.error".parse::<Status>(), Ok(Status::Error));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// `samp.ok`: success.
    Ok,
    /// `samp.warning`: partial success, or success with caveats.
    Warning,
    /// `samp.error`: failure.
    Error,
}

impl Status {
    /// The wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => names::response::OK,
            Status::Warning => names::response::WARNING,
            Status::Error => names::response::ERROR_STATUS,
        }
    }

    /// The status for a wire string; `None` for anything but the three standard values.
    pub fn from_wire(s: &str) -> Option<Status> {
        match s {
            names::response::OK => Some(Status::Ok),
            names::response::WARNING => Some(Status::Warning),
            names::response::ERROR_STATUS => Some(Status::Error),
            _ => None,
        }
    }

    /// Whether a response with this status must carry `samp.result`.
    pub fn needs_result(self) -> bool {
        matches!(self, Status::Ok | Status::Warning)
    }

    /// Whether a response with this status must carry `samp.error`.
    pub fn needs_error(self) -> bool {
        matches!(self, Status::Error | Status::Warning)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = ProtocolError;
    fn from_str(s: &str) -> Result<Status, ProtocolError> {
        Status::from_wire(s).ok_or_else(|| ProtocolError::UnknownStatus(s.to_owned()))
    }
}

/// A response to a call.
///
/// Build with [`Response::ok`], [`Response::ok_empty`], [`Response::warning`] or
/// [`Response::error`]; those always pass [`validate_response`] once converted.
///
/// ```
/// use samp_protocol::{map, ErrInfo, Response, Status};
/// let r = Response::error(ErrInfo::new("no such table"));
/// let v = r.to_value();
/// samp_protocol::response::validate_response(&v).unwrap();
/// let back = Response::from_value(v)?;
/// assert_eq!(back.status, Status::Error);
/// assert_eq!(back.error.unwrap().errortxt, "no such table");
/// # Ok::<(), samp_protocol::ProtocolError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// `samp.status`.
    pub status: Status,
    /// `samp.result` (required for ok and warning).
    pub result: Option<Map>,
    /// `samp.error` (required for error and warning).
    pub error: Option<ErrInfo>,
    /// Other top-level keys, passed through unchanged.
    pub extra: Map,
}

impl Response {
    /// A success carrying `result`.
    pub fn ok(result: Map) -> Response {
        Response {
            status: Status::Ok,
            result: Some(result),
            error: None,
            extra: Map::new(),
        }
    }

    /// A success with no return values (`samp.result` = `{}`), e.g. for `samp.app.ping`.
    pub fn ok_empty() -> Response {
        Response::ok(Map::new())
    }

    /// A partial success: a result plus an explanation of what went wrong.
    pub fn warning(result: Map, error: ErrInfo) -> Response {
        Response {
            status: Status::Warning,
            result: Some(result),
            error: Some(error),
            extra: Map::new(),
        }
    }

    /// A failure.
    pub fn error(error: ErrInfo) -> Response {
        Response {
            status: Status::Error,
            result: None,
            error: Some(error),
            extra: Map::new(),
        }
    }

    /// Builder: sets a non-standard top-level key.
    pub fn extra(mut self, key: impl Into<String>, value: impl Into<Value>) -> Response {
        self.extra.insert(key.into(), value.into());
        self
    }

    /// Checks the presence rules of SAMP.md §2.6 on a response read with
    /// [`from_value`](Self::from_value) (which checks the structure): ok and warning carry
    /// a result, error and warning an error map. Same wording as [`validate_response`].
    ///
    /// ```
    /// use samp_protocol::{map, Response};
    /// let r = Response::from_value(map! { "samp.status" => "samp.ok" })?;
    /// assert_eq!(
    ///     r.check().unwrap_err().to_string(),
    ///     r#"response has samp.status "samp.ok" but no samp.result map"#
    /// );
    /// # Ok::<(), samp_protocol::ProtocolError>(())
    /// ```
    pub fn check(&self) -> Result<(), ProtocolError> {
        match presence_problem(self.status, self.result.is_some(), self.error.is_some()) {
            Some(problem) => Err(ProtocolError::InvalidResponse(problem)),
            None => Ok(()),
        }
    }

    /// Whether the status is `samp.ok`.
    pub fn is_ok(&self) -> bool {
        self.status == Status::Ok
    }

    /// The wire form. For ok and warning, a missing `result` is written as `{}` (the
    /// spec's "no return values"); a missing `error` is left out as it is.
    pub fn to_value(&self) -> Value {
        self.clone().into_value()
    }

    /// Like [`to_value`](Self::to_value) without cloning.
    pub fn into_value(self) -> Value {
        let mut m = self.extra;
        m.insert(
            STATUS_KEY.to_owned(),
            Value::String(self.status.as_str().to_owned()),
        );
        let result = match self.result {
            None if self.status.needs_result() => Some(Map::new()),
            r => r,
        };
        if let Some(r) = result {
            m.insert(RESULT_KEY.to_owned(), Value::Map(r));
        }
        if let Some(e) = self.error {
            m.insert(ERROR_KEY.to_owned(), Value::Map(e.into_map()));
        }
        Value::Map(m)
    }

    /// Reads a response. Structural checks only: `samp.status` must be one of the three
    /// values, `samp.result`/`samp.error` must be maps when present, and an error map must
    /// have a string `samp.errortxt`. A missing result or error map is accepted (`None`);
    /// use [`validate_response`] for the full presence rules.
    pub fn from_value(value: Value) -> Result<Response, ProtocolError> {
        match value {
            Value::Map(m) => Response::from_map(m),
            other => Err(ProtocolError::not_a_map("response", &other)),
        }
    }

    /// [`from_value`](Self::from_value) for an already unwrapped map.
    pub fn from_map(mut map: Map) -> Result<Response, ProtocolError> {
        let status = match map.remove(STATUS_KEY) {
            Some(Value::String(s)) => s.parse::<Status>()?,
            Some(other) => {
                return Err(ProtocolError::WrongType {
                    key: STATUS_KEY.to_owned(),
                    found: other.kind(),
                    expected: "string",
                });
            }
            None => {
                return Err(ProtocolError::MissingKey {
                    map: "response",
                    key: STATUS_KEY,
                    expected: "string",
                });
            }
        };
        let result = match map.remove(RESULT_KEY) {
            None => None,
            Some(Value::Map(r)) => Some(r),
            Some(other) => {
                return Err(ProtocolError::WrongType {
                    key: RESULT_KEY.to_owned(),
                    found: other.kind(),
                    expected: "map",
                });
            }
        };
        let error = match map.remove(ERROR_KEY) {
            None => None,
            Some(v) => Some(ErrInfo::from_value(v)?),
        };
        Ok(Response {
            status,
            result,
            error,
            extra: map,
        })
    }
}

impl WriteValue for Response {
    /// The same map as [`Response::to_value`], written directly.
    fn write_value(&self, out: &mut String) -> Result<(), WriteError> {
        write_struct(out, |s| {
            s.member(STATUS_KEY, &self.status.as_str())?;
            match &self.result {
                Some(r) => s.member(RESULT_KEY, r)?,
                None if self.status.needs_result() => s.member(RESULT_KEY, &Map::new())?,
                None => {}
            }
            if let Some(e) = &self.error {
                s.member(ERROR_KEY, e)?;
            }
            s.members(&self.extra, &[STATUS_KEY, RESULT_KEY, ERROR_KEY])
        })
    }

    fn size_hint(&self) -> usize {
        96 + self.result.as_ref().map_or(0, WriteValue::size_hint) + self.extra.size_hint()
    }
}

impl From<Response> for Value {
    fn from(r: Response) -> Value {
        r.into_value()
    }
}

impl TryFrom<Value> for Response {
    type Error = ProtocolError;
    fn try_from(v: Value) -> Result<Response, ProtocolError> {
        Response::from_value(v)
    }
}

#[cfg(test)]
mod tests;

/// The successful side of a handler's result: a map-like `Serialize` value (sent as
/// `samp.result`), or a whole [`Response`].
///
/// ```
/// use samp_protocol::response::IntoResult;
/// use samp_protocol::{Response, Status};
/// #[derive(serde::Serialize)]
/// struct Loaded { rows: u64 }
/// assert_eq!(Loaded { rows: 3 }.into_ok_response().result.unwrap()["rows"], "3".into());
/// assert_eq!(Response::ok_empty().into_ok_response().status, Status::Ok);
/// let not_a_map = "text".into_ok_response();
/// assert_eq!(not_a_map.status, Status::Error);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the `Ok` value of a SAMP handler's reply",
    note = "derive `serde::Serialize` for it (a struct or map, sent as `samp.result`), or return a `samp::Response`"
)]
pub trait IntoResult {
    /// The response for a success carrying `self`.
    fn into_ok_response(self) -> Response;
}

impl<T: serde::Serialize> IntoResult for T {
    fn into_ok_response(self) -> Response {
        match crate::convert::to_value(&self) {
            Ok(Value::Map(result)) => Response::ok(result),
            Ok(other) => Response::error(ErrInfo::new(format!(
                "the handler's result is a {}, but samp.result must be a map",
                other.kind()
            ))),
            Err(e) => Response::error(ErrInfo::new(format!(
                "the handler's result could not be encoded as SAMP: {e}"
            ))),
        }
    }
}

impl IntoResult for Response {
    fn into_ok_response(self) -> Response {
        self
    }
}
