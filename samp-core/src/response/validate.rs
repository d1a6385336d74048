//! The presence rules of a response (SAMP.md §2.6), as a hub checks them before
//! forwarding a reply.

use crate::Value;
use crate::error::ProtocolError;
use crate::names::error::ERRORTXT as ERRORTXT_KEY;
use crate::names::response::{ERROR as ERROR_KEY, RESULT as RESULT_KEY, STATUS as STATUS_KEY};

use super::Status;

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
pub(super) fn presence_problem(
    status: Status,
    has_result: bool,
    has_error: bool,
) -> Option<String> {
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

pub(super) fn check_response(v: &Value) -> Result<(), String> {
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
