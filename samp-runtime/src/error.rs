//! The one error type of the client side: every variant says what went wrong and what to
//! do about it, because these messages usually end up in front of a user.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use samp_http::{BoxError, CallError};
use samp_protocol::convert::ConvertError;
use samp_protocol::standard::HubMethod;
use samp_protocol::xmlrpc::WriteError;
use samp_protocol::{ErrInfo, Response};

/// `Result` with the client [`enum@Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a client operation failed.
///
/// Match on the variant to react (retry on [`Error::Timeout`], reconnect on
/// [`Error::NotRegistered`], tell the user to start a hub on [`Error::NoHub`]); print it
/// to tell a person what to do next.
///
/// ```
/// use samp_runtime::protocol::standard::HubMethod;
/// let e = samp_runtime::Error::HubFault {
///     method: HubMethod::Notify,
///     code: 1,
///     message: "client c9 is not subscribed to x.y".into(),
/// };
/// assert!(e.to_string().contains("samp.hub.notify"));
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No usable hub: no lockfile, an unreadable one, or a hub that does not answer.
    #[error("no SAMP hub at {looked}: {reason}")]
    NoHub {
        /// Where we looked: the lockfile path or URL, or the hub URL we were given.
        looked: String,
        /// What was wrong there, ending with what to do about it.
        reason: String,
        /// The error behind it (an unreadable lockfile, a refused connection), if any.
        #[source]
        source: Option<BoxError>,
    },
    /// The hub answered a `samp.hub.*` call with an XML-RPC fault.
    #[error(
        "the hub refused {method}: {message} (fault code {code}); {}",
        fault_hint(*method)
    )]
    HubFault {
        /// The method.
        method: HubMethod,
        /// The fault code (SAMP does not standardise codes).
        code: i32,
        /// The hub's explanation.
        message: String,
    },
    /// Nothing came back in time.
    #[error(
        "{what} got no answer within {after:?}; the other side may be busy or gone: retry, or allow a longer timeout"
    )]
    Timeout {
        /// What was waited for, e.g. `samp.hub.callAndWait`.
        what: String,
        /// How long we waited.
        after: Duration,
    },
    /// The other side sent something SAMP does not allow.
    #[error(
        "protocol violation in {context}: {detail}; the peer does not follow SAMP here (report it to its authors)"
    )]
    Protocol {
        /// Where, e.g. `samp.hub.register result`.
        context: String,
        /// What was wrong.
        detail: String,
    },
    /// The connection to the hub (or another endpoint) failed.
    #[error("cannot talk to {url}: {reason}; check that the hub is still running")]
    Transport {
        /// The endpoint.
        url: String,
        /// What failed, in words.
        reason: String,
        /// The error as raised by the HTTP layer.
        #[source]
        source: Arc<CallError>,
    },
    /// A value holds text that XML 1.0 (and so SAMP) cannot carry; nothing was sent.
    #[error("{what} cannot be sent: {source}; remove the control character")]
    Unsendable {
        /// What was being sent, e.g. `samp.hub.notify`.
        what: String,
        /// Where the character is.
        #[source]
        source: WriteError,
    },
    /// A value did not convert between Rust and SAMP.
    #[error("{context}: {source}; make the value fit the type, or the type fit the value")]
    Decode {
        /// What was being converted, e.g. `params of table.load.votable`.
        context: String,
        /// The conversion error, with the path to the bad field.
        #[source]
        source: ConvertError,
    },
    /// The operation needs a registration and there is none (never made, or ended).
    #[error(
        "not registered with a SAMP hub; call connect() or register() first (the hub may have shut down: register again once one is running)"
    )]
    NotRegistered,
    /// The registration ended while waiting (hub shutdown, disconnect, a hub that is gone,
    /// or our own unregister).
    #[error(
        "{what}: the registration ended before it completed ({why}); {}",
        disconnected_hint(why)
    )]
    Disconnected {
        /// What was interrupted, e.g. `the response to call m3`.
        what: String,
        /// Why the registration ended.
        why: SessionEnd,
    },
    /// The operation needs the client to receive callbacks.
    #[error("{what} needs a callable client; build it with callable(true), the default")]
    NotCallable {
        /// What was attempted, e.g. `bind_call`.
        what: &'static str,
    },
    /// The client was set up inconsistently (bad MType pattern, duplicate handlers, ...).
    #[error("invalid client setup: {0}")]
    Config(String),
    /// The callback server could not listen.
    #[error("cannot start the callback server on {addr}: {source}; choose another address or port")]
    Server {
        /// The address asked for.
        addr: SocketAddr,
        /// The OS error.
        #[source]
        source: Arc<std::io::Error>,
    },
    /// A SAMP error map, as a handler's failure (its code and texts are kept when it is
    /// sent back) or as the `samp.error` answer to one of our calls.
    #[error("{0}")]
    Failed(Box<ErrInfo>),
    /// An embedded hub could not start.
    #[cfg(feature = "hub")]
    #[error("cannot start the embedded SAMP hub: {0}")]
    Hub(#[source] Arc<samp_hub::HubError>),
    /// An application-level failure, for handlers that return `samp::Result`.
    #[error("{message}")]
    Application {
        /// The text sent back as `samp.errortxt`.
        message: String,
        /// The underlying error, if any.
        #[source]
        source: Option<Arc<dyn std::error::Error + Send + Sync>>,
    },
}

/// What to do after a registration ended.
fn disconnected_hint(why: &SessionEnd) -> &'static str {
    match why {
        SessionEnd::Unregistered => "register again first",
        _ => "register again once a hub is running (or build the client with .reconnect(..))",
    }
}

/// What to do about a fault from hub method `method`.
fn fault_hint(method: HubMethod) -> &'static str {
    match method {
        HubMethod::Register => {
            "the secret was not accepted: read the lockfile again (the hub may have restarted)"
        }
        HubMethod::Notify | HubMethod::Call | HubMethod::CallAndWait => {
            "check that the recipient is still registered and subscribed to the MType"
        }
        HubMethod::DeclareSubscriptions => {
            "subscriptions need a callable client (setXmlrpcCallback first)"
        }
        _ => "the hub's message says which argument it did not accept",
    }
}

impl Error {
    /// An application error with just a message: what a call handler reports back to the
    /// sender as `samp.errortxt`.
    ///
    /// ```
    /// let e = samp_runtime::Error::msg("no table with id t7");
    /// assert_eq!(e.to_string(), "no table with id t7");
    /// ```
    pub fn msg(message: impl Into<String>) -> Error {
        Error::Application {
            message: message.into(),
            source: None,
        }
    }

    /// An application error wrapping any error (its text becomes `samp.errortxt`).
    pub fn other(error: impl std::error::Error + Send + Sync + 'static) -> Error {
        Error::Application {
            message: error.to_string(),
            source: Some(Arc::new(error)),
        }
    }

    /// Maps an XML-RPC call failure of hub method `method` (without `samp.hub.`).
    pub(crate) fn from_hub_call(method: HubMethod, err: CallError) -> Error {
        match err {
            CallError::Fault(f) => Error::HubFault {
                method,
                code: f.code,
                message: f.message,
            },
            CallError::Timeout { timeout, .. } => Error::Timeout {
                what: method.full_name().to_owned(),
                after: timeout,
            },
            CallError::Malformed { source, .. } => Error::Protocol {
                context: format!("the answer to {method}"),
                detail: source.to_string(),
            },
            CallError::Encode(source) => Error::Unsendable {
                what: method.full_name().to_owned(),
                source,
            },
            CallError::BadUrl {
                ref url,
                ref source,
            } => Error::Transport {
                url: url.clone(),
                reason: source.to_string(),
                source: Arc::new(err),
            },
            CallError::Transport {
                ref url,
                ref reason,
                ..
            } => Error::Transport {
                url: url.clone(),
                reason: reason.clone(),
                source: Arc::new(err),
            },
            CallError::Status { ref url, status } => Error::Transport {
                url: url.clone(),
                reason: format!("HTTP status {status} (is this a SAMP hub?)"),
                source: Arc::new(err),
            },
        }
    }

    /// A `Protocol` error about the result of hub method `method`.
    pub(crate) fn bad_result(method: HubMethod, detail: impl std::fmt::Display) -> Error {
        Error::Protocol {
            context: format!("the result of {method}"),
            detail: detail.to_string(),
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error::other(e)
    }
}

impl From<ConvertError> for Error {
    fn from(source: ConvertError) -> Error {
        Error::Decode {
            context: "converting a SAMP value".to_owned(),
            source,
        }
    }
}

impl From<ErrInfo> for Error {
    fn from(info: ErrInfo) -> Error {
        Error::Failed(Box::new(info))
    }
}

/// The error map a failed handler sends: a [`Failed`](Error::Failed) error's own map
/// (code and texts kept), else the error's text as `samp.errortxt`.
impl From<&Error> for ErrInfo {
    fn from(e: &Error) -> ErrInfo {
        match e {
            Error::Failed(info) => (**info).clone(),
            other => ErrInfo::new(other.to_string()),
        }
    }
}

impl From<Error> for ErrInfo {
    fn from(e: Error) -> ErrInfo {
        match e {
            Error::Failed(info) => *info,
            other => ErrInfo::from(&other),
        }
    }
}

/// A failed handler becomes a `samp.error` response (see `From<&Error> for ErrInfo`).
impl From<Error> for Response {
    fn from(e: Error) -> Response {
        Response::error(ErrInfo::from(e))
    }
}

#[cfg(feature = "hub")]
impl From<samp_hub::HubError> for Error {
    fn from(e: samp_hub::HubError) -> Error {
        Error::Hub(Arc::new(e))
    }
}

/// Why a registration ended.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionEnd {
    /// The hub announced `samp.hub.event.shutdown`.
    HubShutdown,
    /// The hub sent `samp.hub.disconnect` (with its reason, if it gave one).
    Disconnected(Option<String>),
    /// We called [`Client::unregister`](crate::Client::unregister) (or
    /// [`Client::stop`](crate::Client::stop)).
    Unregistered,
    /// The hub went away without a word: it stopped answering, or its lockfile was removed
    /// or now names another hub. The text says which.
    Lost(String),
}

impl fmt::Display for SessionEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionEnd::HubShutdown => f.write_str("the hub shut down"),
            SessionEnd::Disconnected(Some(why)) => write!(f, "the hub disconnected us: {why}"),
            SessionEnd::Disconnected(None) => f.write_str("the hub disconnected us"),
            SessionEnd::Unregistered => f.write_str("this client unregistered"),
            SessionEnd::Lost(why) => write!(f, "the hub is gone: {why}"),
        }
    }
}
