//! The response map and its error map (SAMP.md §2.6).

use crate::names::error::CODE as CODE_KEY;
use crate::names::error::DEBUGTXT as DEBUGTXT_KEY;
use crate::names::error::ERRORTXT as ERRORTXT_KEY;
use crate::names::error::USERTXT as USERTXT_KEY;
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

impl WriteValue for ErrInfo {
    fn write_value(&self, out: &mut String) -> Result<(), WriteError> {
        const STANDARD: [&str; 4] = [ERRORTXT_KEY, USERTXT_KEY, DEBUGTXT_KEY, CODE_KEY];
        write_struct(out, |s| {
            s.member(ERRORTXT_KEY, &self.errortxt)?;
            for (key, val) in [
                (USERTXT_KEY, &self.usertxt),
                (DEBUGTXT_KEY, &self.debugtxt),
                (CODE_KEY, &self.code),
            ] {
                if let Some(v) = val {
                    s.member(key, v)?;
                }
            }
            s.members(&self.extra, &STANDARD)
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

/// Checks a response map against the rules of SAMP.md §2.6, as a hub does before
/// forwarding a reply. Borrows only; no allocation unless it fails.
///
/// Rules, in the order checked: the response is a map; `samp.status` is present, a string,
/// and one of `samp.ok`/`samp.warning`/`samp.error`; `samp.result` and `samp.error`, when
/// present, are maps; ok and warning have `samp.result`; error and warning have
/// `samp.error`; an error map has a string `samp.errortxt`. The `Err` text names the rule.
///
/// ```
/// use samp_protocol::{map, response::validate_response};
/// assert!(validate_response(&map! { "samp.status" => "samp.ok", "samp.result" => map! {} }).is_ok());
/// assert_eq!(
///     validate_response(&map! { "samp.status" => "samp.error" }).unwrap_err().to_string(),
///     r#"response has samp.status "samp.error" but no samp.error map"#
/// );
/// ```
pub fn validate_response(v: &Value) -> Result<(), ProtocolError> {
    check_response(v).map_err(ProtocolError::InvalidResponse)
}

/// What breaks the presence rules: ok and warning need a result, error and warning an
/// error map.
fn presence_problem(status: Status, has_result: bool, has_error: bool) -> Option<String> {
    let missing = if status.needs_result() && !has_result {
        RESULT_KEY
    } else if status.needs_error() && !has_error {
        ERROR_KEY
    } else {
        return None;
    };
    Some(format!(
        "response has {STATUS_KEY} {:?} but no {missing} map",
        status.as_str()
    ))
}

fn check_response(v: &Value) -> Result<(), String> {
    let map = v
        .as_map()
        .ok_or_else(|| format!("response is a {}, expected a map", v.kind()))?;
    let status_text = match map.get(STATUS_KEY) {
        None => return Err(format!("response has no {STATUS_KEY}")),
        Some(Value::String(s)) => s.as_str(),
        Some(other) => {
            return Err(format!(
                "response {STATUS_KEY} is a {}, expected a string",
                other.kind()
            ));
        }
    };
    let status = Status::from_wire(status_text).ok_or_else(|| {
        format!(
            "response has unknown {STATUS_KEY} {status_text:?} (expected samp.ok, samp.warning or samp.error)"
        )
    })?;
    let result = map.get(RESULT_KEY);
    let error = map.get(ERROR_KEY);
    for (key, val) in [(RESULT_KEY, result), (ERROR_KEY, error)] {
        if let Some(val) = val
            && val.as_map().is_none()
        {
            return Err(format!(
                "response {key} is a {}, expected a map",
                val.kind()
            ));
        }
    }
    if let Some(problem) = presence_problem(status, result.is_some(), error.is_some()) {
        return Err(problem);
    }
    if let Some(err_map) = error.and_then(Value::as_map) {
        match err_map.get(ERRORTXT_KEY) {
            None => {
                return Err(format!(
                    "response {ERROR_KEY} map has no {ERRORTXT_KEY} string"
                ));
            }
            Some(Value::String(_)) => {}
            Some(other) => {
                return Err(format!(
                    "response {ERROR_KEY}.{ERRORTXT_KEY} is a {}, expected a string",
                    other.kind()
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
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
}
