//! The Standard Profile front end (SAMP 1.3 §4.2–4.3): `samp.hub.*` XML-RPC calls decoded
//! by the protocol's method table into operations on the hub core, their results encoded
//! back, every refusal a fault that names the method.

use std::sync::Arc;

use samp_http::{CallFuture, RequestInfo, XmlRpcService};
use samp_protocol::standard::HubRequest;
use samp_protocol::xmlrpc::{Fault, MethodCall};
use samp_protocol::{Map, Value};
use tracing::info;

use crate::clients::Via;
use crate::core::{Caller, HubCore, Refusal};

/// The hub's XML-RPC endpoint.
pub(crate) struct HubService(pub(crate) Arc<HubCore>);

impl XmlRpcService for HubService {
    fn call(&self, call: MethodCall, info: RequestInfo) -> CallFuture {
        let core = self.0.clone();
        Box::pin(async move {
            let result = match HubRequest::decode(call) {
                Ok(request) => {
                    let method = request.method();
                    serve(&core, request, Via::Standard)
                        .await
                        .map_err(|Refusal(text)| Fault::new(format!("{method}: {text}")))
                }
                Err(e) => Err(Fault::new(e.to_string())),
            };
            if let Err(fault) = &result {
                info!(peer = %info.peer, fault = %fault.message, "hub method refused");
            }
            result
        })
    }
}

/// What void methods return (JSAMP and astropy send an empty string too).
pub(crate) fn ack() -> Value {
    Value::from("")
}

/// Serves one request made through profile `via` (the Web Profile's front end decodes its
/// own forms of these methods and comes here too).
pub(crate) async fn serve(core: &HubCore, request: HubRequest, via: Via) -> Result<Value, Refusal> {
    use HubRequest as R;
    let as_caller = |key| Caller { key, via };
    Ok(match request {
        R::Ping => ack(),
        R::Register { secret } if via == Via::Standard => core.register(&secret)?.to_value(),
        R::Register { .. } => {
            return Err(Refusal::new("registration needs the profile's own form"));
        }
        R::Unregister { key } => core.unregister(as_caller(&key)).map(|()| ack())?,
        R::SetXmlrpcCallback { key, url } => {
            core.set_callback(as_caller(&key), &url).map(|()| ack())?
        }
        R::DeclareMetadata { key, metadata } => core
            .declare_metadata(as_caller(&key), metadata)
            .map(|()| ack())?,
        R::GetMetadata { key, client } => core.get_metadata(as_caller(&key), &client)?.into(),
        R::DeclareSubscriptions { key, subscriptions } => core
            .declare_subscriptions(as_caller(&key), subscriptions)
            .map(|()| ack())?,
        R::GetSubscriptions { key, client } => {
            core.get_subscriptions(as_caller(&key), &client)?.into()
        }
        R::GetRegisteredClients { key } => Value::List(
            core.get_registered_clients(as_caller(&key))?
                .into_iter()
                .map(Value::from)
                .collect(),
        ),
        R::GetSubscribedClients { key, mtype } => Value::Map(
            core.get_subscribed_clients(as_caller(&key), &mtype)?
                .into_iter()
                .map(|(id, annotations)| (id.into_string(), Value::Map(annotations)))
                .collect(),
        ),
        R::Notify { key, to, message } => {
            core.notify(as_caller(&key), &to, message).map(|()| ack())?
        }
        R::NotifyAll { key, message } => Value::List(
            core.notify_all(as_caller(&key), message)?
                .into_iter()
                .map(Value::from)
                .collect(),
        ),
        R::Call {
            key,
            to,
            tag,
            message,
        } => core.call(as_caller(&key), &to, tag, message)?.into(),
        R::CallAll { key, tag, message } => Value::Map(
            core.call_all(as_caller(&key), tag, message)?
                .into_iter()
                .map(|(to, msg_id)| (to.into_string(), Value::from(msg_id)))
                .collect::<Map>(),
        ),
        R::CallAndWait {
            key,
            to,
            message,
            timeout,
        } => core
            .call_and_wait(as_caller(&key), &to, message, &timeout)
            .await?
            .into_value(),
        R::Reply {
            key,
            msg_id,
            response,
        } => core
            .reply(as_caller(&key), &msg_id, response)
            .map(|()| ack())?,
    })
}
