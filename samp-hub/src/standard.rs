//! The Standard Profile front end (SAMP 1.3 §4.2–4.3): `samp.hub.*` XML-RPC calls decoded
//! by the protocol's method table into operations on the hub core, their results encoded
//! back, every refusal a fault that names the method.

use std::sync::Arc;

use samp_http::{CallFuture, RequestInfo, XmlRpcService};
use samp_protocol::standard::HubRequest;
use samp_protocol::xmlrpc::{Fault, MethodCall};
use samp_protocol::{Map, Value};
use tracing::info;

use crate::core::{HubCore, Refusal};

/// The hub's XML-RPC endpoint.
pub(crate) struct HubService(pub(crate) Arc<HubCore>);

impl XmlRpcService for HubService {
    fn call(&self, call: MethodCall, info: RequestInfo) -> CallFuture {
        let core = self.0.clone();
        Box::pin(async move {
            let result = match HubRequest::decode(call) {
                Ok(request) => {
                    let method = request.method();
                    serve(&core, request)
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
fn ack() -> Value {
    Value::from("")
}

async fn serve(core: &HubCore, request: HubRequest) -> Result<Value, Refusal> {
    use HubRequest as R;
    Ok(match request {
        R::Ping => ack(),
        R::Register { secret } => core.register(&secret)?.to_value(),
        R::Unregister { key } => core.unregister(&key).map(|()| ack())?,
        R::SetXmlrpcCallback { key, url } => core.set_callback(&key, &url).map(|()| ack())?,
        R::DeclareMetadata { key, metadata } => {
            core.declare_metadata(&key, metadata).map(|()| ack())?
        }
        R::GetMetadata { key, client } => core.get_metadata(&key, &client)?.into(),
        R::DeclareSubscriptions { key, subscriptions } => core
            .declare_subscriptions(&key, subscriptions)
            .map(|()| ack())?,
        R::GetSubscriptions { key, client } => core.get_subscriptions(&key, &client)?.into(),
        R::GetRegisteredClients { key } => Value::List(
            core.get_registered_clients(&key)?
                .into_iter()
                .map(Value::from)
                .collect(),
        ),
        R::GetSubscribedClients { key, mtype } => Value::Map(
            core.get_subscribed_clients(&key, &mtype)?
                .into_iter()
                .map(|(id, annotations)| (id.into_string(), Value::Map(annotations)))
                .collect(),
        ),
        R::Notify { key, to, message } => core.notify(&key, &to, message).map(|()| ack())?,
        R::NotifyAll { key, message } => Value::List(
            core.notify_all(&key, message)?
                .into_iter()
                .map(Value::from)
                .collect(),
        ),
        R::Call {
            key,
            to,
            tag,
            message,
        } => core.call(&key, &to, tag, message)?.into(),
        R::CallAll { key, tag, message } => Value::Map(
            core.call_all(&key, tag, message)?
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
            .call_and_wait(&key, &to, message, &timeout)
            .await?
            .into_value(),
        R::Reply {
            key,
            msg_id,
            response,
        } => core.reply(&key, &msg_id, response).map(|()| ack())?,
    })
}
