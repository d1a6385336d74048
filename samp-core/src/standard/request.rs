//! Incoming Standard Profile calls, decoded into typed requests.

use std::borrow::Cow;

use crate::ids::{ClientId, MsgId, MsgTag, PrivateKey};
use crate::message::Message;
use crate::response::Response;
use crate::xmlrpc::MethodCall;
use crate::{Map, Secret, Value};

use super::{ArgError, Args, ClientMethod, HUB_PREFIX, HubMethod};

/// A call of one of the hub's methods, with its arguments decoded.
///
/// Messages and responses are checked for their structure only; a hub still checks the
/// MType grammar and a response's presence rules, which are its policy.
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
        message: Message,
    },
    NotifyAll {
        key: PrivateKey,
        message: Message,
    },
    Call {
        key: PrivateKey,
        to: ClientId,
        tag: MsgTag,
        message: Message,
    },
    CallAll {
        key: PrivateKey,
        tag: MsgTag,
        message: Message,
    },
    /// `timeout` is the SAMP int as sent.
    CallAndWait {
        key: PrivateKey,
        to: ClientId,
        message: Message,
        timeout: String,
    },
    Reply {
        key: PrivateKey,
        msg_id: MsgId,
        response: Response,
    },
}

impl HubRequest {
    /// Decodes a `samp.hub.*` call; the error is the fault text to send back.
    pub fn decode(call: MethodCall) -> Result<HubRequest, ArgError> {
        let Some(method) = HubMethod::from_full_name(&call.method) else {
            let problem = if call.method.starts_with(HUB_PREFIX) {
                "unknown method: the Standard Profile has no such hub method"
            } else {
                "unknown method: this is a SAMP hub (samp.hub.*)"
            };
            return Err(ArgError::new(call.method, problem));
        };
        HubRequest::decode_as(method, method.full_name(), call.params)
    }

    /// Decodes the arguments of `method`, called under the name `name` (another profile's
    /// name for the same operation, e.g. `samp.webhub.notify`), which errors then give.
    pub fn decode_as(
        method: HubMethod,
        name: impl Into<Cow<'static, str>>,
        params: Vec<Value>,
    ) -> Result<HubRequest, ArgError> {
        if method == HubMethod::Ping && params.len() <= 1 {
            return Ok(HubRequest::Ping);
        }
        let mut a = Args::new(name, method.args(), params)?;
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
                message: a.message()?,
            },
            M::NotifyAll => HubRequest::NotifyAll {
                key: a.key()?,
                message: a.message()?,
            },
            M::Call => HubRequest::Call {
                key: a.key()?,
                to: a.client_id()?,
                tag: a.msg_tag()?,
                message: a.message()?,
            },
            M::CallAll => HubRequest::CallAll {
                key: a.key()?,
                tag: a.msg_tag()?,
                message: a.message()?,
            },
            M::CallAndWait => HubRequest::CallAndWait {
                key: a.key()?,
                to: a.client_id()?,
                message: a.message()?,
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
        assert_eq!(message.get_str("x"), Some("1"));
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
