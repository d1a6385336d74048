//! The one positional-argument decoder: arguments checked against a method's table entry,
//! each error naming the method, the argument and what was wrong.

use std::borrow::Cow;
use std::fmt;

use crate::error::ProtocolError;
use crate::ids::{ClientId, MsgId, MsgTag, PrivateKey};
use crate::message::Message;
use crate::raw_message::RawMessage;
use crate::response::Response;
use crate::xmlrpc::Param;
use crate::{Map, Value};

use super::Arg;

/// Why a call's arguments do not fit its method; the text is what a fault says.
///
/// ```
/// use samp_protocol::standard::{Args, HubMethod};
/// use samp_protocol::Value;
/// let m = HubMethod::GetMetadata;
/// let err = Args::new(m.full_name(), m.args(), vec![Value::from("k")]).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "samp.hub.getMetadata: expected 2 arguments (private-key, client-id), got 1"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{method}: {problem}")]
pub struct ArgError {
    /// The XML-RPC method name.
    pub method: String,
    /// What is wrong.
    pub problem: String,
}

impl ArgError {
    /// An error about `method` as a whole (e.g. an unknown method).
    pub fn new(method: impl Into<String>, problem: impl Into<String>) -> ArgError {
        ArgError {
            method: method.into(),
            problem: problem.into(),
        }
    }
}

/// Positional arguments of one call, taken in order and checked against the signature.
#[derive(Debug)]
pub struct Args {
    method: Cow<'static, str>,
    sig: &'static [Arg],
    values: std::vec::IntoIter<Param>,
    next: usize,
}

impl Args {
    /// Checks the number of `params` against `sig`; `method` names the call in errors.
    pub fn new(
        method: impl Into<Cow<'static, str>>,
        sig: &'static [Arg],
        params: Vec<Value>,
    ) -> Result<Args, ArgError> {
        Args::from_params(method, sig, params.into_iter().map(Param::Value).collect())
    }

    /// [`new`](Self::new) for parameters some of which may have been kept as XML
    /// ([`parse_call_keeping`](crate::xmlrpc::parse_call_keeping)).
    pub fn from_params(
        method: impl Into<Cow<'static, str>>,
        sig: &'static [Arg],
        params: Vec<Param>,
    ) -> Result<Args, ArgError> {
        let method = method.into();
        if params.len() != sig.len() {
            let names: Vec<&str> = sig.iter().map(|a| a.name).collect();
            return Err(ArgError::new(
                method.into_owned(),
                format!(
                    "expected {} argument{}{}, got {}",
                    sig.len(),
                    if sig.len() == 1 { "" } else { "s" },
                    if names.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", names.join(", "))
                    },
                    params.len()
                ),
            ));
        }
        Ok(Args {
            method,
            sig,
            values: params.into_iter(),
            next: 0,
        })
    }

    /// The method's name, for messages.
    pub fn method(&self) -> &str {
        &self.method
    }

    fn take_param(&mut self) -> (Param, Arg, usize) {
        let i = self.next;
        self.next += 1;
        let param = self.values.next().unwrap_or_else(|| {
            // `new` checked the count; reading past it is a bug in the decoder's caller.
            panic!("{}: read past argument {}", self.method, self.sig.len())
        });
        (param, self.sig[i], i)
    }

    fn take(&mut self) -> Result<(Value, Arg, usize), ArgError> {
        match self.take_param() {
            (Param::Value(v), arg, i) => Ok((v, arg, i)),
            (Param::Kept(k), arg, i) => match k.raw.to_value() {
                Ok(v) => Ok((v, arg, i)),
                Err(e) => Err(self.wrong(i, arg, format_args!("is not valid: {e}"))),
            },
        }
    }

    fn wrong(&self, i: usize, arg: Arg, problem: impl fmt::Display) -> ArgError {
        ArgError::new(
            self.method.clone().into_owned(),
            format!("argument {} ({}) {problem}", i + 1, arg.name),
        )
    }

    /// The next argument, which must be a string.
    pub fn string(&mut self) -> Result<String, ArgError> {
        match self.take()? {
            (Value::String(s), _, _) => Ok(s),
            (other, arg, i) => {
                Err(self.wrong(i, arg, format!("must be a string, got a {}", other.kind())))
            }
        }
    }

    /// The next argument, which must be a map.
    pub fn map(&mut self) -> Result<Map, ArgError> {
        match self.take()? {
            (Value::Map(m), _, _) => Ok(m),
            (other, arg, i) => {
                Err(self.wrong(i, arg, format!("must be a map, got a {}", other.kind())))
            }
        }
    }

    /// The next argument as a private key.
    pub fn key(&mut self) -> Result<PrivateKey, ArgError> {
        self.string().map(PrivateKey::new)
    }

    /// The next argument as a client id.
    pub fn client_id(&mut self) -> Result<ClientId, ArgError> {
        self.string().map(ClientId::new)
    }

    /// The next argument as a msg-id.
    pub fn msg_id(&mut self) -> Result<MsgId, ArgError> {
        self.string().map(MsgId::new)
    }

    /// The next argument as a msg-tag.
    pub fn msg_tag(&mut self) -> Result<MsgTag, ArgError> {
        self.string().map(MsgTag::new)
    }

    /// The next argument as a message map (MType not checked against the grammar: the
    /// hub does that, a client is lenient).
    pub fn message(&mut self) -> Result<Message, ArgError> {
        self.typed(Message::from_map)
    }

    /// The next argument as a message kept as XML to be forwarded (see [`RawMessage`]),
    /// checked as [`message`](Self::message) checks it.
    pub fn raw_message(&mut self) -> Result<RawMessage, ArgError> {
        let (param, arg, i) = self.take_param();
        let not_a_map = match &param {
            Param::Value(v) if v.as_map().is_none() => Some(v.kind()),
            Param::Kept(k) if k.members.is_none() => {
                Some(k.raw.to_value().map_or("value", |v| v.kind()))
            }
            _ => None,
        };
        if let Some(kind) = not_a_map {
            return Err(self.wrong(i, arg, format!("must be a map, got a {kind}")));
        }
        RawMessage::from_param(param)
            .map_err(|e| self.wrong(i, arg, format_args!("is not valid: {e}")))
    }

    /// The next argument as a response map (structure only; see
    /// [`validate_response`](crate::response::validate_response) for the presence rules).
    pub fn response(&mut self) -> Result<Response, ArgError> {
        self.typed(Response::from_map)
    }

    fn typed<T>(
        &mut self,
        read: impl FnOnce(Map) -> Result<T, ProtocolError>,
    ) -> Result<T, ArgError> {
        let i = self.next;
        let arg = self.sig.get(i).copied();
        let map = self.map()?;
        read(map).map_err(|e| match arg {
            Some(arg) => self.wrong(i, arg, format_args!("is not valid: {e}")),
            None => ArgError::new(self.method.clone().into_owned(), e.to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map;
    use crate::standard::HubMethod;

    fn args(m: HubMethod, params: Vec<Value>) -> Args {
        Args::new(m.full_name(), m.args(), params).unwrap()
    }

    #[test]
    fn errors_name_the_argument() {
        let mut a = args(
            HubMethod::Notify,
            vec!["k".into(), map! {}, "not a map".into()],
        );
        assert_eq!(a.key().unwrap().expose(), "k");
        assert_eq!(
            a.client_id().unwrap_err().to_string(),
            "samp.hub.notify: argument 2 (recipient-id) must be a string, got a map"
        );
        assert_eq!(
            a.message().unwrap_err().to_string(),
            "samp.hub.notify: argument 3 (message) must be a map, got a string"
        );
        let mut a = args(HubMethod::NotifyAll, vec!["k".into(), map! {}]);
        a.key().unwrap();
        assert_eq!(
            a.message().unwrap_err().to_string(),
            "samp.hub.notifyAll: argument 2 (message) is not valid: message map has no samp.mtype string"
        );
        let err = Args::new("samp.hub.ping", &[], vec!["x".into()]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "samp.hub.ping: expected 0 arguments, got 1"
        );
    }
}
