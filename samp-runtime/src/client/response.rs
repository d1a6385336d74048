//! What handlers return: the one trait every handler's return value goes through, closures
//! and attribute handlers alike.

use std::any::Any;
use std::fmt::Display;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::Error;
use samp_protocol::convert::from_value;
use samp_protocol::response::IntoResult;
use samp_protocol::{ErrInfo, Map, Response, Value};

/// A handler's return value, turned into the SAMP response sent back.
///
/// | return | response |
/// |---|---|
/// | `()` | `samp.ok`, `samp.result` = `{}` |
/// | [`Map`] | `samp.ok` with that result |
/// | [`Reply`]`(value)`, `value: Serialize` (a struct or map) | `samp.ok`, the value as the result |
/// | `Result<T, E>` | `Ok(t)`: `t` any `Serialize` value, or a [`Response`]; `Err(e)`: `samp.error` |
/// | [`Response`] | sent as it is (for `samp.warning`, extra keys, …) |
/// | [`ErrInfo`] | `samp.error` with that error map |
///
/// For `Err(e)`, an [`ErrInfo`] or a [`crate::Error`] keeps its code and texts; any other
/// error's `Display` text becomes `samp.errortxt`.
///
/// ```
/// use samp_runtime::client::{IntoResponse, Reply};
/// use samp_runtime::{ErrInfo, Error, Response};
///
/// #[derive(serde::Serialize)]
/// struct Loaded { rows: u64 }
///
/// assert!(().into_response().is_ok());
/// assert_eq!(Reply(Loaded { rows: 3 }).into_response().result.unwrap()["rows"], "3".into());
/// let ok: Result<Loaded, Error> = Ok(Loaded { rows: 3 });
/// assert!(ok.into_response().is_ok());
/// let e: Result<(), ErrInfo> = Err(ErrInfo::new("no such table").code("404"));
/// assert_eq!(e.into_response().error.unwrap().code.as_deref(), Some("404"));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a SAMP handler's reply",
    label = "not a reply",
    note = "return `()`, a `samp::Map`, `Result<T, E>` (T a map-like `Serialize` type or a `samp::Response`, E: Display), a `samp::Response`, or wrap a map-like `Serialize` value in `samp::client::Reply(..)`"
)]
pub trait IntoResponse {
    /// The response.
    fn into_response(self) -> Response;
}

/// A map-like `Serialize` value as a successful reply: its fields are the `samp.result`
/// keys, in the SAMP encodings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reply<T>(pub T);

impl IntoResponse for Response {
    fn into_response(self) -> Response {
        self
    }
}

impl IntoResponse for () {
    fn into_response(self) -> Response {
        Response::ok_empty()
    }
}

impl IntoResponse for Map {
    fn into_response(self) -> Response {
        Response::ok(self)
    }
}

impl IntoResponse for ErrInfo {
    fn into_response(self) -> Response {
        Response::error(self)
    }
}

impl<T: Serialize> IntoResponse for Reply<T> {
    fn into_response(self) -> Response {
        self.0.into_ok_response()
    }
}

impl<T: IntoResult, E: Display + 'static> IntoResponse for Result<T, E> {
    fn into_response(self) -> Response {
        match self {
            Ok(t) => t.into_ok_response(),
            Err(e) => Response::error(err_info(e)),
        }
    }
}

/// The error map for a handler's error, keeping what an `ErrInfo` or our `Error` carries.
pub(crate) fn err_info<E: Display + 'static>(error: E) -> ErrInfo {
    let mut slot = Some(error);
    let any = &mut slot as &mut dyn Any;
    if let Some(info) = any.downcast_mut::<Option<ErrInfo>>().and_then(Option::take) {
        return info;
    }
    if let Some(e) = any.downcast_mut::<Option<Error>>().and_then(Option::take) {
        return ErrInfo::from(e);
    }
    ErrInfo::new(slot.map(|e| e.to_string()).unwrap_or_default())
}

/// Decodes a message's params into `T`, or gives the `samp.error` response to send instead:
/// the text names the MType and the bad field, e.g.
/// ``table.load.votable: params did not decode: at `ra`: invalid SAMP float "abc" ...``.
// The error is the reply itself, built once on a cold path: boxing it buys nothing.
#[allow(clippy::result_large_err)]
pub(crate) fn decode_for<T: DeserializeOwned>(mtype: &str, params: Map) -> Result<T, Response> {
    from_value(Value::Map(params)).map_err(|e| decode_error(mtype, e))
}

/// Like [`decode_for`], reading from a borrowed map (when several arguments take the params).
#[allow(clippy::result_large_err)]
pub(crate) fn decode_ref<T: DeserializeOwned>(mtype: &str, params: &Value) -> Result<T, Response> {
    samp_protocol::convert::from_value_ref(params).map_err(|e| decode_error(mtype, e))
}

fn decode_error(mtype: &str, e: samp_protocol::convert::ConvertError) -> Response {
    Response::error(ErrInfo::new(format!("{mtype}: params did not decode: {e}")))
}

/// Like [`decode_for`], but hands a raw [`Map`] over without converting it.
#[allow(clippy::result_large_err)]
pub(crate) fn decode_fast<T: DeserializeOwned + 'static>(
    mtype: &str,
    params: Map,
) -> Result<T, Response> {
    let mut slot = Some(params);
    if let Some(same) = (&mut slot as &mut dyn Any).downcast_mut::<Option<T>>()
        && let Some(t) = same.take()
    {
        return Ok(t);
    }
    decode_for(mtype, slot.unwrap_or_default())
}
