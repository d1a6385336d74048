//! The Standard Profile's XML-RPC methods (SAMP 1.3 §4.2–4.3), written once: the hub's
//! `samp.hub.*` methods and the clients' `samp.client.*` callbacks with their positional
//! arguments, one decoder for incoming calls ([`HubRequest`], [`Callback`]) and one encoder
//! for outgoing ones ([`HubMethod::document`], [`ClientMethod::document`]).
//!
//! Every other layer goes through this module: the hub's server decodes [`HubRequest`]s and
//! encodes callbacks, the client's hub proxy encodes hub calls, and its callback server
//! decodes [`Callback`]s. A method is matched by enum, never by string.
//!
//! ```
//! use samp_protocol::standard::{HubMethod, HubRequest};
//! use samp_protocol::{ClientId, Message, PrivateKey, xmlrpc};
//!
//! let key = PrivateKey::new("k:1");
//! let doc = HubMethod::Notify
//!     .document(&[&key, &ClientId::new("c2"), &Message::new("samp.app.ping")])
//!     .unwrap();
//! let call = xmlrpc::parse_call(doc.as_bytes()).unwrap();
//! match HubRequest::decode(call).unwrap() {
//!     HubRequest::Notify { to, message, .. } => {
//!         assert_eq!((to.as_str(), message.mtype()), ("c2", "samp.app.ping"));
//!     }
//!     other => panic!("{other:?}"),
//! }
//! ```

mod args;
mod request;

pub use args::{ArgError, Args};
pub use request::{Callback, HubRequest, RequestError};

use crate::xmlrpc::{WriteError, WriteValue, write_call};

/// Prefix of every hub method.
pub const HUB_PREFIX: &str = "samp.hub.";
/// Prefix of every client callback.
pub const CLIENT_PREFIX: &str = "samp.client.";

/// The SAMP type of a positional argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    /// A string (ids, keys, URLs, SAMP ints).
    String,
    /// A map (messages, responses, metadata, subscriptions).
    Map,
}

impl ArgKind {
    /// `string` or `map`, as SAMP names the types.
    pub fn as_str(self) -> &'static str {
        match self {
            ArgKind::String => "string",
            ArgKind::Map => "map",
        }
    }
}

/// One positional argument: its name in the standard and its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arg {
    /// The name the standard gives it, e.g. `recipient-id`.
    pub name: &'static str,
    /// Its SAMP type.
    pub kind: ArgKind,
}

impl Arg {
    /// A string argument.
    pub const fn string(name: &'static str) -> Arg {
        Arg {
            name,
            kind: ArgKind::String,
        }
    }

    /// A map argument.
    pub const fn map(name: &'static str) -> Arg {
        Arg {
            name,
            kind: ArgKind::Map,
        }
    }
}

const fn s(name: &'static str) -> Arg {
    Arg::string(name)
}

const fn m(name: &'static str) -> Arg {
    Arg::map(name)
}

const KEY: Arg = s("private-key");

/// Defines a method enum with its wire names and argument table.
macro_rules! methods {
    (
        $(#[$doc:meta])* $enum:ident, $prefix:literal;
        $( $(#[$vdoc:meta])* $variant:ident = $name:literal [$($arg:expr),*]; )*
    ) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $enum {
            $( $(#[$vdoc])* $variant, )*
        }

        impl $enum {
            /// Every method, in the standard's order.
            pub const ALL: &'static [$enum] = &[$($enum::$variant),*];

            /// The name without its prefix, e.g. `notifyAll`.
            pub fn name(self) -> &'static str {
                match self { $($enum::$variant => $name,)* }
            }

            /// The XML-RPC method name, e.g. `samp.hub.notifyAll`.
            pub fn full_name(self) -> &'static str {
                match self { $($enum::$variant => concat!($prefix, $name),)* }
            }

            /// The positional arguments, in order.
            pub fn args(self) -> &'static [Arg] {
                match self { $($enum::$variant => const { &[$($arg),*] },)* }
            }

            /// The method of a name without its prefix (`notifyAll`), if it is one of these.
            pub fn from_name(name: &str) -> Option<$enum> {
                match name {
                    $($name => Some($enum::$variant),)*
                    _ => None,
                }
            }

            /// The method of an XML-RPC method name, if it is one of these.
            pub fn from_full_name(full: &str) -> Option<$enum> {
                match full {
                    $(concat!($prefix, $name) => Some($enum::$variant),)*
                    _ => None,
                }
            }

            /// Writes a call of this method; `args` must follow [`args`](Self::args).
            ///
            /// # Panics
            ///
            /// If the number of `args` is not the method's (a bug in the caller, never
            /// caused by input).
            pub fn document(self, args: &[&dyn WriteValue]) -> Result<String, WriteError> {
                assert_eq!(
                    args.len(),
                    self.args().len(),
                    "{} takes {} arguments",
                    self.full_name(),
                    self.args().len()
                );
                write_call(self.full_name(), args)
            }
        }

        impl std::fmt::Display for $enum {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.full_name())
            }
        }
    };
}

methods! {
    /// The hub's methods (`samp.hub.*`), called by clients.
    ///
    /// ```
    /// use samp_protocol::standard::HubMethod;
    /// assert_eq!(HubMethod::from_full_name("samp.hub.callAll"), Some(HubMethod::CallAll));
    /// let names: Vec<_> = HubMethod::Call.args().iter().map(|a| a.name).collect();
    /// assert_eq!(names, ["private-key", "recipient-id", "msg-tag", "message"]);
    /// ```
    HubMethod, "samp.hub.";
    /// Joins the hub with the lockfile secret; returns the registration info.
    Register = "register" [s("samp-secret")];
    /// Leaves the hub.
    Unregister = "unregister" [KEY];
    /// Sets the URL the hub calls back; makes the client callable.
    SetXmlrpcCallback = "setXmlrpcCallback" [KEY, s("url")];
    /// Is the hub alive? Sent with no arguments (JSAMP also accepts a private key).
    Ping = "ping" [];
    /// Replaces the caller's metadata.
    DeclareMetadata = "declareMetadata" [KEY, m("metadata")];
    /// A client's metadata.
    GetMetadata = "getMetadata" [KEY, s("client-id")];
    /// Replaces the caller's subscriptions.
    DeclareSubscriptions = "declareSubscriptions" [KEY, m("subscriptions")];
    /// A client's subscriptions.
    GetSubscriptions = "getSubscriptions" [KEY, s("client-id")];
    /// Every other client's id, the hub's included.
    GetRegisteredClients = "getRegisteredClients" [KEY];
    /// The other clients subscribed to an MType, with their annotations.
    GetSubscribedClients = "getSubscribedClients" [KEY, s("mtype")];
    /// A notification to one client.
    Notify = "notify" [KEY, s("recipient-id"), m("message")];
    /// A notification to every subscriber; returns the recipients.
    NotifyAll = "notifyAll" [KEY, m("message")];
    /// An asynchronous call to one client; returns the msg-id.
    Call = "call" [KEY, s("recipient-id"), s("msg-tag"), m("message")];
    /// An asynchronous call to every subscriber; returns recipient → msg-id.
    CallAll = "callAll" [KEY, s("msg-tag"), m("message")];
    /// A synchronous call; returns the response.
    CallAndWait = "callAndWait" [KEY, s("recipient-id"), m("message"), s("timeout")];
    /// The answer to a call received earlier.
    Reply = "reply" [KEY, s("msg-id"), m("response")];
}

methods! {
    /// The clients' callbacks (`samp.client.*`), called by the hub. The private key is the
    /// recipient's, so the client can tell its hub from an impostor.
    ///
    /// ```
    /// use samp_protocol::standard::ClientMethod;
    /// assert_eq!(ClientMethod::ReceiveCall.full_name(), "samp.client.receiveCall");
    /// assert_eq!(ClientMethod::ReceiveCall.args().len(), 4);
    /// ```
    ClientMethod, "samp.client.";
    /// A notification.
    ReceiveNotification = "receiveNotification" [KEY, s("sender-id"), m("message")];
    /// A call, to be answered with `samp.hub.reply`.
    ReceiveCall = "receiveCall" [KEY, s("sender-id"), s("msg-id"), m("message")];
    /// The response to a call this client made.
    ReceiveResponse = "receiveResponse" [KEY, s("responder-id"), s("msg-tag"), m("response")];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_complete_and_consistent() {
        assert_eq!(HubMethod::ALL.len(), 16);
        assert_eq!(ClientMethod::ALL.len(), 3);
        for m in HubMethod::ALL {
            assert_eq!(HubMethod::from_full_name(m.full_name()), Some(*m));
            assert_eq!(HubMethod::from_name(m.name()), Some(*m));
            assert_eq!(m.full_name(), format!("{HUB_PREFIX}{}", m.name()));
            // Every method but register and ping is keyed.
            let keyed = !matches!(m, HubMethod::Register | HubMethod::Ping);
            assert_eq!(m.args().first() == Some(&KEY), keyed, "{m}");
        }
        for m in ClientMethod::ALL {
            assert_eq!(ClientMethod::from_full_name(m.full_name()), Some(*m));
            assert_eq!(m.args()[0], KEY);
        }
        assert_eq!(HubMethod::from_full_name("samp.hub.nope"), None);
        assert_eq!(HubMethod::from_full_name("register"), None);
    }

    #[test]
    #[should_panic(expected = "samp.hub.notify takes 3 arguments")]
    fn wrong_arity_is_a_bug() {
        let _ = HubMethod::Notify.document(&[&"k"]);
    }
}
