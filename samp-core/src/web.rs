//! The Web Profile's XML-RPC methods (SAMP 1.3 §5): the `samp.webhub.*` names for the
//! operations the Standard Profile already has ([`standard`](crate::standard) decodes their
//! arguments), the three that differ (`register` with an identity map,
//! `allowReverseCallbacks`, `pullCallbacks`), the shape of a pulled callback, and the
//! profile's safe list of MTypes.
//!
//! A browser cannot run a server, so a web client never gets callbacks: it long-polls
//! `pullCallbacks` and receives each callback as a map of the method's name and its
//! arguments without the private key.
//!
//! ```
//! use samp_protocol::web::WebRequest;
//! use samp_protocol::xmlrpc::MethodCall;
//! use samp_protocol::{Value, map};
//!
//! let call = MethodCall {
//!     method: "samp.webhub.register".into(),
//!     params: vec![map! { "samp.name" => "Aladin Lite" }],
//! };
//! match WebRequest::decode(call).unwrap() {
//!     WebRequest::Register { name, .. } => assert_eq!(name, "Aladin Lite"),
//!     other => panic!("{other:?}"),
//! }
//! ```

use crate::encoding;
use crate::ids::PrivateKey;
use crate::names::annotation::{MOSTLY_HARMLESS, MOSTLY_HARMLESS_STD};
use crate::standard::{Arg, ArgError, Args, ClientMethod, HubMethod, HubRequest};
use crate::xmlrpc::{MethodCall, WriteError, WriteValue, write_struct};
use crate::{Map, Value};

/// Prefix of every Web Profile hub method.
pub const HUB_PREFIX: &str = "samp.webhub.";
/// The Web Profile's well-known port.
pub const PORT: u16 = 21012;
/// Key of a pulled callback's method name (`receiveNotification`, …).
pub const METHOD_NAME_KEY: &str = "samp.methodName";
/// Key of a pulled callback's arguments.
pub const PARAMS_KEY: &str = "samp.params";
/// Key of the name a web application claims when it registers.
pub const NAME_KEY: &str = "samp.name";

/// MTypes a web client may send when the recipient's subscription says nothing either way
/// (JSAMP's default list; astropy's is the same without `coverage.*`).
pub const SAFE_MTYPES: [&str; 9] = [
    "samp.app.*",
    "samp.msg.progress",
    "table.*",
    "image.*",
    "coord.*",
    "spectrum.*",
    "bibcode.*",
    "voresource.*",
    "coverage.*",
];

/// A call of one of the Web Profile hub's methods, with its arguments decoded.
#[derive(Debug)]
pub enum WebRequest {
    /// `register(identity-info)`: the first step; the hub asks its user before accepting.
    Register {
        /// `samp.name` from the identity map: what the page claims to be (unverified).
        name: String,
        /// The whole identity map.
        identity: Map,
        /// Sent as a bare string, as early drafts of the profile did.
        legacy: bool,
    },
    /// `allowReverseCallbacks(private-key, allow)`: start or stop queueing callbacks.
    AllowReverseCallbacks {
        /// The caller's key.
        key: PrivateKey,
        /// The decoded SAMP boolean.
        allow: bool,
    },
    /// `pullCallbacks(private-key, timeout)`: wait for queued callbacks.
    PullCallbacks {
        /// The caller's key.
        key: PrivateKey,
        /// Seconds to wait at most (a SAMP int; negative means as long as the hub allows).
        timeout_secs: i64,
    },
    /// One of the methods the Standard Profile has too.
    Hub(HubRequest),
}

impl WebRequest {
    /// Decodes a `samp.webhub.*` call; the error is the fault text to send back.
    pub fn decode(call: MethodCall) -> Result<WebRequest, ArgError> {
        let Some(name) = call.method.strip_prefix(HUB_PREFIX) else {
            return Err(ArgError::new(
                call.method,
                "unknown method: this is a SAMP Web Profile hub (samp.webhub.*)",
            ));
        };
        let full = || format!("{HUB_PREFIX}{name}");
        match name {
            "register" => decode_register(full(), call.params),
            "allowReverseCallbacks" => {
                let mut a = Args::new(full(), ALLOW_ARGS, call.params)?;
                let key = a.key()?;
                let text = a.string()?;
                let allow = encoding::parse_bool(&text).map_err(|e| {
                    ArgError::new(full(), format!("argument 2 (allow) is not valid: {e}"))
                })?;
                Ok(WebRequest::AllowReverseCallbacks { key, allow })
            }
            "pullCallbacks" => {
                let mut a = Args::new(full(), PULL_ARGS, call.params)?;
                let key = a.key()?;
                let text = a.string()?;
                let timeout_secs = encoding::parse_int(&text).map_err(|e| {
                    ArgError::new(full(), format!("argument 2 (timeout) is not valid: {e}"))
                })?;
                Ok(WebRequest::PullCallbacks { key, timeout_secs })
            }
            "setXmlrpcCallback" => Err(ArgError::new(
                full(),
                "not part of the Web Profile: call allowReverseCallbacks, then pullCallbacks",
            )),
            _ => match HubMethod::from_name(name) {
                Some(method) => {
                    HubRequest::decode_as(method, full(), call.params).map(WebRequest::Hub)
                }
                None => Err(ArgError::new(
                    full(),
                    "unknown method: the Web Profile has no such hub method",
                )),
            },
        }
    }

    /// The method's name without the prefix, e.g. `pullCallbacks`.
    pub fn name(&self) -> &'static str {
        match self {
            WebRequest::Register { .. } => "register",
            WebRequest::AllowReverseCallbacks { .. } => "allowReverseCallbacks",
            WebRequest::PullCallbacks { .. } => "pullCallbacks",
            WebRequest::Hub(request) => request.method().name(),
        }
    }
}

const ALLOW_ARGS: &[Arg] = &[Arg::string("private-key"), Arg::string("allow")];
const PULL_ARGS: &[Arg] = &[Arg::string("private-key"), Arg::string("timeout")];

/// `register` takes an identity map with `samp.name`; JSAMP and astropy still accept the
/// bare name early drafts sent, and so do we.
fn decode_register(full: String, mut params: Vec<Value>) -> Result<WebRequest, ArgError> {
    if params.len() != 1 {
        return Err(ArgError::new(
            full,
            format!("expected 1 argument (identity-info), got {}", params.len()),
        ));
    }
    match params.remove(0) {
        Value::Map(identity) => match identity.get(NAME_KEY) {
            Some(Value::String(name)) => Ok(WebRequest::Register {
                name: name.clone(),
                identity,
                legacy: false,
            }),
            _ => Err(ArgError::new(
                full,
                "argument 1 (identity-info) needs a samp.name string: the name shown to the user who approves the registration",
            )),
        },
        Value::String(name) => {
            let identity = Map::from([(NAME_KEY.to_owned(), Value::from(name.as_str()))]);
            Ok(WebRequest::Register {
                name,
                identity,
                legacy: true,
            })
        }
        Value::List(_) => Err(ArgError::new(
            full,
            "argument 1 (identity-info) must be a map, got a list",
        )),
    }
}

/// Writes one callback as `pullCallbacks` returns it: a map of `samp.methodName` (without
/// prefix) and `samp.params` (the callback's arguments without the private key).
///
/// # Panics
///
/// If `args` does not hold the method's arguments after the key (a bug in the caller).
pub fn write_pulled(
    out: &mut String,
    method: ClientMethod,
    args: &[&dyn WriteValue],
) -> Result<(), WriteError> {
    assert_eq!(
        args.len() + 1,
        method.args().len(),
        "{method} takes {} arguments after the key",
        method.args().len() - 1
    );
    write_struct(out, |s| {
        s.member(METHOD_NAME_KEY, &method.name())?;
        s.member(PARAMS_KEY, &PulledArgs(args))
    })
}

struct PulledArgs<'a>(&'a [&'a dyn WriteValue]);

impl WriteValue for PulledArgs<'_> {
    fn write_value(&self, out: &mut String) -> Result<(), WriteError> {
        out.push_str("<value><array><data>");
        for arg in self.0 {
            arg.write_value(out)?;
        }
        out.push_str("</data></array></value>");
        Ok(())
    }
}

/// Whether a web client may send `mtype` to a subscriber whose subscription carries
/// `annotation`: the subscriber's `x-samp.mostly-harmless` (or `samp.mostly-harmless`)
/// decides when it is `"1"` or `"0"`; otherwise the MType must match [`SAFE_MTYPES`].
///
/// ```
/// use samp_protocol::web::web_sender_may_send;
/// use samp_protocol::{Map, Value};
/// assert!(web_sender_may_send("table.load.votable", &Map::new()));
/// assert!(!web_sender_may_send("script.aladin.send", &Map::new()));
/// let harmless = Map::from([("x-samp.mostly-harmless".to_owned(), Value::from("1"))]);
/// assert!(web_sender_may_send("script.aladin.send", &harmless));
/// ```
pub fn web_sender_may_send(mtype: &str, annotation: &Map) -> bool {
    let marked = annotation
        .get(MOSTLY_HARMLESS_STD)
        .or_else(|| annotation.get(MOSTLY_HARMLESS))
        .and_then(Value::as_str);
    match marked {
        Some("1") => true,
        Some("0") => false,
        _ => SAFE_MTYPES
            .iter()
            .any(|p| samp_grammar::pattern_matches(p, mtype)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xmlrpc::{parse_response, write_response};
    use crate::{ClientId, Message, map};

    fn call(method: &str, params: Vec<Value>) -> MethodCall {
        MethodCall {
            method: method.to_owned(),
            params,
        }
    }

    #[test]
    fn web_methods_decode_with_their_own_names_in_errors() {
        let r = WebRequest::decode(call("samp.webhub.register", vec!["legacy".into()])).unwrap();
        assert!(
            matches!(r, WebRequest::Register { legacy: true, ref name, .. } if name == "legacy")
        );
        let e = WebRequest::decode(call("samp.webhub.register", vec![map! {}])).unwrap_err();
        assert!(e.to_string().contains("needs a samp.name"), "{e}");
        let r = WebRequest::decode(call(
            "samp.webhub.allowReverseCallbacks",
            vec!["k".into(), "1".into()],
        ))
        .unwrap();
        assert!(matches!(
            r,
            WebRequest::AllowReverseCallbacks { allow: true, .. }
        ));
        let e = WebRequest::decode(call(
            "samp.webhub.pullCallbacks",
            vec!["k".into(), "soon".into()],
        ))
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("samp.webhub.pullCallbacks: argument 2 (timeout)")
        );
        let e = WebRequest::decode(call("samp.webhub.notify", vec!["k".into()])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "samp.webhub.notify: expected 3 arguments (private-key, recipient-id, message), got 1"
        );
        assert!(matches!(
            WebRequest::decode(call("samp.webhub.ping", vec![])).unwrap(),
            WebRequest::Hub(HubRequest::Ping)
        ));
        for bad in [
            "samp.webhub.setXmlrpcCallback",
            "samp.webhub.nope",
            "samp.hub.ping",
        ] {
            assert!(WebRequest::decode(call(bad, vec![])).is_err(), "{bad}");
        }
    }

    #[test]
    fn pulled_callbacks_leave_out_the_key() {
        let message = Message::new("table.load.votable").param("url", "http://x/t.vot");
        let mut out = String::new();
        let sender = ClientId::new("c1");
        write_pulled(
            &mut out,
            ClientMethod::ReceiveNotification,
            &[&sender, &message],
        )
        .unwrap();
        let doc = write_response(&RawValue(out)).unwrap();
        let value = parse_response(doc.as_bytes()).unwrap().unwrap();
        let Value::Map(m) = value else { panic!() };
        assert_eq!(m[METHOD_NAME_KEY], Value::from("receiveNotification"));
        let Value::List(params) = &m[PARAMS_KEY] else {
            panic!()
        };
        assert_eq!(params[0], Value::from("c1"));
        assert_eq!(params.len(), 2);
    }

    /// A value already written.
    struct RawValue(String);
    impl WriteValue for RawValue {
        fn write_value(&self, out: &mut String) -> Result<(), WriteError> {
            out.push_str(&self.0);
            Ok(())
        }
    }

    #[test]
    fn restrictions_follow_the_list_and_the_annotation() {
        let none = Map::new();
        for ok in [
            "samp.app.ping",
            "samp.msg.progress",
            "coverage.load.moc.fits",
        ] {
            assert!(web_sender_may_send(ok, &none), "{ok}");
        }
        for blocked in ["samp.hub.disconnect", "script.aladin.send", "test.echo"] {
            assert!(!web_sender_may_send(blocked, &none), "{blocked}");
        }
        let off = map! { "samp.mostly-harmless" => "0" };
        let Value::Map(off) = off else { panic!() };
        assert!(!web_sender_may_send("table.load.votable", &off));
    }
}
