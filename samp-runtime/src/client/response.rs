//! What handlers return, and how their params are decoded.

use std::any::Any;
use std::fmt::Display;

use serde::de::DeserializeOwned;

use crate::error::Error;
use samp_protocol::convert::from_value;
use samp_protocol::{ErrInfo, Response};
use samp_protocol::{Map, Value};

/// A handler's return value, turned into the SAMP response to send back.
///
/// `()` is success with no result, a [`Map`] is success with that result, a [`Response`]
/// goes as it is, and `Err(e)` is a `samp.error` whose `samp.errortxt` is `e`'s text.
///
/// ```
/// use samp_runtime::client::IntoResponse;
/// use samp_runtime::{Error, Response};
/// assert!(().into_response().is_ok());
/// let r: Result<(), Error> = Err(Error::msg("no such table"));
/// assert_eq!(r.into_response().error.unwrap().errortxt, "no such table");
/// ```
pub trait IntoResponse {
    /// The response.
    fn into_response(self) -> Response;
}

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

/// `Err(e)` is a `samp.error`: an [`ErrInfo`] or a [`crate::Error`] keeps its code and
/// texts (see `From<Error> for ErrInfo`); any other error's text becomes `samp.errortxt`.
impl<T: IntoResponse, E: Display + 'static> IntoResponse for Result<T, E> {
    fn into_response(self) -> Response {
        match self {
            Ok(t) => t.into_response(),
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

/// Decodes a message's params into `T`, given the MType for the error text.
#[allow(clippy::result_large_err)]
pub(crate) fn decode_for<T: DeserializeOwned>(mtype: &str, params: Map) -> Result<T, Response> {
    from_value(Value::Map(params))
        .map_err(|e| Response::error(ErrInfo::new(format!("{mtype}: params did not decode: {e}"))))
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
