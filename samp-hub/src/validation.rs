//! What the hub checks beyond the shape of its arguments: the MType grammar of sent
//! messages, subscription patterns, responses' presence rules, callback URLs.

use samp_protocol::{MType, MTypePattern, Map, RawMessage, Response, Subscriptions, Value};

/// A sent message's MType must be concrete and well-formed (§3.8).
pub(crate) fn check_message(message: &RawMessage) -> Result<(), String> {
    MType::parse(message.mtype())
        .map(drop)
        .map_err(|e| e.to_string())
}

/// Reads a declared subscriptions map: every key a pattern, every value an annotation
/// map. Lenient with clients that send `""` for "no annotations".
pub(crate) fn subscriptions(declared: Map) -> Result<Subscriptions, String> {
    let mut subs = Subscriptions::new();
    for (pattern, annotation) in declared {
        let annotation = match annotation {
            Value::Map(m) => m,
            Value::String(s) if s.is_empty() => Map::new(),
            other => {
                return Err(format!(
                    "annotation of {pattern:?} must be a map, got a {}",
                    other.kind()
                ));
            }
        };
        let parsed = MTypePattern::try_from(pattern).map_err(|e| e.to_string())?;
        subs.insert(parsed, annotation);
    }
    Ok(subs)
}

/// A reply's response must follow the presence rules of §3.9 before it is forwarded.
pub(crate) fn check_response(response: &Response) -> Result<(), String> {
    response
        .check()
        .map_err(|e| format!("invalid response: {e}"))
}

/// A callback URL must be one the hub can call.
pub(crate) fn check_callback_url(url: &str) -> Result<(), String> {
    samp_http::parse_http_url(url)
        .map(drop)
        .map_err(|e| format!("invalid callback URL {url:?}: {e}"))
}
