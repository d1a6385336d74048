//! Incoming Standard Profile calls, decoded into typed requests.

use std::borrow::Cow;

use crate::ids::{ClientId, MsgId, MsgTag, PrivateKey};
use crate::message::Message;
use crate::raw_message::RawMessage;
use crate::response::Response;
use crate::xmlrpc::{MethodCall, Param, XmlRpcError, parse_call_keeping};
use crate::{Map, Secret, Value};

use super::{ArgError, Args, ClientMethod, HUB_PREFIX, HubMethod};

/// A call of one of the hub's methods, with its arguments decoded.
///
/// Messages and responses are checked for their structure only; a hub still checks the
/// MType grammar and a response's presence rules, which are its policy. Messages are
/// [`RawMessage`]s: read from a request body with [`HubRequest::parse`], they are the XML
/// they arrived as, to be forwarded without being written again.
#[derive(Debug)]
#[allow(missing_docs)] // the fields are the standard's arguments, named as in HubMethod::args
pub enum HubRequest {
    Register {
        secret: Secret,
    },
    Unregister {
        key: PrivateKey,
    },
    SetXmlrpcCallback {
        key: PrivateKey,
        url: String,
    },
    /// `ping`, with no arguments or (as JSAMP allows) a private key.
    Ping,
    DeclareMetadata {
        key: PrivateKey,
        metadata: Map,
    },
    GetMetadata {
        key: PrivateKey,
        client: ClientId,
    },
    /// The subscriptions map as sent: the hub parses its patterns.
    DeclareSubscriptions {
        key: PrivateKey,
        subscriptions: Map,
    },
    GetSubscriptions {
        key: PrivateKey,
        client: ClientId,
    },
    GetRegisteredClients {
        key: PrivateKey,
    },
    GetSubscribedClients {
        key: PrivateKey,
        mtype: String,
    },
    Notify {
        key: PrivateKey,
        to: ClientId,
        message: RawMessage,
    },
    NotifyAll {
        key: PrivateKey,
        message: RawMessage,
    },
    Call {
        key: PrivateKey,
        to: ClientId,
        tag: MsgTag,
        message: RawMessage,
    },
    CallAll {
        key: PrivateKey,
        tag: MsgTag,
        message: RawMessage,
    },
    /// `timeout` is the SAMP int as sent.
    CallAndWait {
        key: PrivateKey,
        to: ClientId,
        message: RawMessage,
        timeout: String,
    },
    Reply {
        key: PrivateKey,
        msg_id: MsgId,
        response: Response,
    },
}

impl HubRequest {
    /// Reads a `samp.hub.*` call from its body in one pass, keeping messages as the XML
    /// they arrived as (shared with `body`). The error is the fault text to send back.
    pub fn parse(body: &bytes::Bytes) -> Result<HubRequest, RequestError> {
        let is_message = |name: &str, i: usize| {
            HubMethod::from_full_name(name)
                .and_then(|m| m.args().get(i))
                .is_some_and(|a| a.name == "message")
        };
        let (name, params) = parse_call_keeping(body, &is_message)?;
        Ok(HubRequest::decode_params(method_of(name)?, params)?)
    }

    /// Decodes a `samp.hub.*` call; the error is the fault text to send back.
    pub fn decode(call: MethodCall) -> Result<HubRequest, ArgError> {
        let method = method_of(call.method)?;
        HubRequest::decode_as(method, method.full_name(), call.params)
    }

    fn decode_params(method: HubMethod, params: Vec<Param>) -> Result<HubRequest, ArgError> {
        HubRequest::decode_params_as(method, method.full_name(), params)
    }

    /// Decodes the arguments of `method`, called under the name `name` (another profile's
    /// name for the same operation, e.g. `samp.webhub.notify`), which errors then give.
    pub fn decode_as(
        method: HubMethod,
        name: impl Into<Cow<'static, str>>,
        params: Vec<Value>,
    ) -> Result<HubRequest, ArgError> {
        let params = params.into_iter().map(Param::Value).collect();
        HubRequest::decode_params_as(method, name, params)
    }

    fn decode_params_as(
        method: HubMethod,
        name: impl Into<Cow<'static, str>>,
        params: Vec<Param>,
    ) -> Result<HubRequest, ArgError> {
        if method == HubMethod::Ping && params.len() <= 1 {
            return Ok(HubRequest::Ping);
        }
        let mut a = Args::from_params(name, method.args(), params)?;
        use HubMethod as M;
        Ok(match method {
            M::Register => HubRequest::Register {
                secret: Secret::new(a.string()?),
            },
            M::Unregister => HubRequest::Unregister { key: a.key()? },
            M::SetXmlrpcCallback => HubRequest::SetXmlrpcCallback {
                key: a.key()?,
                url: a.string()?,
            },
            M::Ping => HubRequest::Ping,
            M::DeclareMetadata => HubRequest::DeclareMetadata {
                key: a.key()?,
                metadata: a.map()?,
            },
            M::GetMetadata => HubRequest::GetMetadata {
                key: a.key()?,
                client: a.client_id()?,
            },
            M::DeclareSubscriptions => HubRequest::DeclareSubscriptions {
                key: a.key()?,
                subscriptions: a.map()?,
            },
            M::GetSubscriptions => HubRequest::GetSubscriptions {
                key: a.key()?,
                client: a.client_id()?,
            },
            M::GetRegisteredClients => HubRequest::GetRegisteredClients { key: a.key()? },
            M::GetSubscribedClients => HubRequest::GetSubscribedClients {
                key: a.key()?,
                mtype: a.string()?,
            },
            M::Notify => HubRequest::Notify {
                key: a.key()?,
                to: a.client_id()?,
                message: a.raw_message()?,
            },
            M::NotifyAll => HubRequest::NotifyAll {
                key: a.key()?,
                message: a.raw_message()?,
            },
            M::Call => HubRequest::Call {
                key: a.key()?,
                to: a.client_id()?,
                tag: a.msg_tag()?,
                message: a.raw_message()?,
            },
            M::CallAll => HubRequest::CallAll {
                key: a.key()?,
                tag: a.msg_tag()?,
                message: a.raw_message()?,
            },
            M::CallAndWait => HubRequest::CallAndWait {
                key: a.key()?,
                to: a.client_id()?,
                message: a.raw_message()?,
                timeout: a.string()?,
            },
            M::Reply => HubRequest::Reply {
                key: a.key()?,
                msg_id: a.msg_id()?,
                response: a.response()?,
            },
        })
    }

    /// Which method this is.
    pub fn method(&self) -> HubMethod {
        use HubMethod as M;
        match self {
            HubRequest::Register { .. } => M::Register,
            HubRequest::Unregister { .. } => M::Unregister,
            HubRequest::SetXmlrpcCallback { .. } => M::SetXmlrpcCallback,
            HubRequest::Ping => M::Ping,
            HubRequest::DeclareMetadata { .. } => M::DeclareMetadata,
            HubRequest::GetMetadata { .. } => M::GetMetadata,
            HubRequest::DeclareSubscriptions { .. } => M::DeclareSubscriptions,
            HubRequest::GetSubscriptions { .. } => M::GetSubscriptions,
            HubRequest::GetRegisteredClients { .. } => M::GetRegisteredClients,
            HubRequest::GetSubscribedClients { .. } => M::GetSubscribedClients,
            HubRequest::Notify { .. } => M::Notify,
            HubRequest::NotifyAll { .. } => M::NotifyAll,
            HubRequest::Call { .. } => M::Call,
            HubRequest::CallAll { .. } => M::CallAll,
            HubRequest::CallAndWait { .. } => M::CallAndWait,
            HubRequest::Reply { .. } => M::Reply,
        }
    }
}

/// The hub method named `name`, or the fault text for an unknown one.
fn method_of(name: String) -> Result<HubMethod, ArgError> {
    match HubMethod::from_full_name(&name) {
        Some(method) => Ok(method),
        None => {
            let problem = if name.starts_with(HUB_PREFIX) {
                "unknown method: the Standard Profile has no such hub method"
            } else {
                "unknown method: this is a SAMP hub (samp.hub.*)"
            };
            Err(ArgError::new(name, problem))
        }
    }
}

/// Why a request body could not be read as a hub call: the text is the fault's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// Not a well-formed XML-RPC call.
    #[error(transparent)]
    Xml(#[from] XmlRpcError),
    /// A call, but not one the hub has, or with the wrong arguments.
    #[error(transparent)]
    Args(#[from] ArgError),
}

/// A call of one of a client's callbacks, with its arguments decoded.
///
/// A malformed message in `receiveCall` still leaves a msg-id the client owes a reply
/// to: [`Callback::decode`] reports it as [`Callback::BadCall`] rather than failing.
#[derive(Debug)]
pub enum Callback {
    /// `samp.client.receiveNotification`.
    Notification {
        /// The recipient's private key, as the hub sent it.
        key: PrivateKey,
        /// The sender's public id.
        sender: ClientId,
        /// The message.
        message: Message,
    },
    /// `samp.client.receiveCall`.
    Call {
        /// The recipient's private key, as the hub sent it.
        key: PrivateKey,
        /// The sender's public id.
        sender: ClientId,
        /// The id to reply to.
        msg_id: MsgId,
        /// The message.
        message: Message,
    },
    /// `samp.client.receiveCall` whose message could not be read; it still needs a reply.
    BadCall {
        /// The recipient's private key, as the hub sent it.
        key: PrivateKey,
        /// The sender's public id.
        sender: ClientId,
        /// The id to reply to.
        msg_id: MsgId,
        /// What was wrong with the message.
        problem: ArgError,
    },
    /// `samp.client.receiveResponse`.
    Response {
        /// The recipient's private key, as the hub sent it.
        key: PrivateKey,
        /// Who answered.
        responder: ClientId,
        /// The tag given with the call.
        tag: MsgTag,
        /// The response.
        response: Response,
    },
}

impl Callback {
    /// Decodes a `samp.client.*` call; the error is the fault text to send back.
    pub fn decode(call: MethodCall) -> Result<Callback, ArgError> {
        let Some(method) = ClientMethod::from_full_name(&call.method) else {
            return Err(ArgError::new(
                call.method,
                "unknown method: no such client callback",
            ));
        };
        let mut a = Args::new(method.full_name(), method.args(), call.params)?;
        Ok(match method {
            ClientMethod::ReceiveNotification => Callback::Notification {
                key: a.key()?,
                sender: a.client_id()?,
                message: a.message()?,
            },
            ClientMethod::ReceiveCall => {
                let (key, sender, msg_id) = (a.key()?, a.client_id()?, a.msg_id()?);
                match a.message() {
                    Ok(message) => Callback::Call {
                        key,
                        sender,
                        msg_id,
                        message,
                    },
                    Err(problem) => Callback::BadCall {
                        key,
                        sender,
                        msg_id,
                        problem,
                    },
                }
            }
            ClientMethod::ReceiveResponse => Callback::Response {
                key: a.key()?,
                responder: a.client_id()?,
                tag: a.msg_tag()?,
                response: a.response()?,
            },
        })
    }

    /// The private key the hub sent, to check against ours.
    pub fn key(&self) -> &PrivateKey {
        match self {
            Callback::Notification { key, .. }
            | Callback::Call { key, .. }
            | Callback::BadCall { key, .. }
            | Callback::Response { key, .. } => key,
        }
    }

    /// Which callback this is.
    pub fn method(&self) -> ClientMethod {
        match self {
            Callback::Notification { .. } => ClientMethod::ReceiveNotification,
            Callback::Call { .. } | Callback::BadCall { .. } => ClientMethod::ReceiveCall,
            Callback::Response { .. } => ClientMethod::ReceiveResponse,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map;

    fn call(method: &str, params: Vec<Value>) -> MethodCall {
        MethodCall {
            method: method.to_owned(),
            params,
        }
    }

    #[test]
    fn hub_requests_decode() {
        let msg = map! { "samp.mtype" => "a.b", "samp.params" => map! { "x" => "1" } };
        let r = HubRequest::decode(call(
            "samp.hub.call",
            vec!["k".into(), "c1".into(), "t".into(), msg],
        ))
        .unwrap();
        let HubRequest::Call {
            key,
            to,
            tag,
            message,
        } = r
        else {
            panic!()
        };
        assert_eq!((key.expose(), to.as_str(), tag.as_str()), ("k", "c1", "t"));
        assert_eq!(message.parse().unwrap().get_str("x"), Some("1"));
        assert!(matches!(
            HubRequest::decode(call("samp.hub.ping", vec![])),
            Ok(HubRequest::Ping)
        ));
        assert!(matches!(
            HubRequest::decode(call("samp.hub.ping", vec!["k".into()])),
            Ok(HubRequest::Ping)
        ));
        assert_eq!(
            HubRequest::decode(call("samp.hub.nope", vec![]))
                .unwrap_err()
                .to_string(),
            "samp.hub.nope: unknown method: the Standard Profile has no such hub method"
        );
        assert!(
            HubRequest::decode(call("system.listMethods", vec![]))
                .unwrap_err()
                .to_string()
                .contains("this is a SAMP hub")
        );
        let r = HubRequest::decode(call(
            "samp.hub.reply",
            vec!["k".into(), "m".into(), map! {}],
        ));
        assert!(
            r.unwrap_err()
                .to_string()
                .contains("argument 3 (response) is not valid")
        );
    }

    #[test]
    fn a_bad_call_still_owes_a_reply() {
        let cb = Callback::decode(call(
            "samp.client.receiveCall",
            vec![
                "k".into(),
                "c1".into(),
                "m7".into(),
                map! { "samp.params" => map! {} },
            ],
        ))
        .unwrap();
        let Callback::BadCall {
            msg_id, problem, ..
        } = cb
        else {
            panic!()
        };
        assert_eq!(msg_id.as_str(), "m7");
        assert!(problem.to_string().contains("no samp.mtype"));
        let e = Callback::decode(call("samp.client.receiveNotification", vec!["k".into()]));
        assert!(e.unwrap_err().to_string().contains("expected 3 arguments"));
    }
}
