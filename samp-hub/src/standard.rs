//! The Standard Profile front end (SAMP 1.3 §4.2–4.3): `samp.hub.*` XML-RPC calls decoded
//! by the protocol's method table into operations on the hub core, their results encoded
//! back, every refusal a fault that names the method.

use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderValue, Method, Request, StatusCode, header};
use samp_http::{HttpFuture, HttpService, RequestInfo, plain, xml_answer};
use samp_protocol::standard::{HubRequest, RequestError};
use samp_protocol::xmlrpc::Fault;
use samp_protocol::{Map, Value};
use tracing::info;

use crate::clients::Via;
use crate::core::{Caller, HubCore, Refusal};
use crate::status_page::{self, StatusPage};

/// The Standard Profile's port: XML-RPC on POST, and the status page on GET.
pub(crate) struct HubService {
    pub(crate) core: Arc<HubCore>,
    pub(crate) status: Option<Arc<StatusPage>>,
}

impl HttpService for HubService {
    fn handle(&self, req: Request<Bytes>, info: RequestInfo) -> HttpFuture {
        if req.method() == Method::POST {
            let core = self.core.clone();
            return Box::pin(async move {
                let body = req.into_body();
                let request = HubRequest::parse(&body);
                drop(body); // what a message keeps of it, it shares
                let name = request.as_ref().map_or("", |r| r.method().full_name());
                xml_answer(call_method(core, request, info).await, name, info)
            });
        }
        if req.method() == Method::GET
            && req.uri().path().starts_with(status_page::PREFIX)
            && let Some(status) = &self.status
        {
            return status.answer(&req);
        }
        let mut resp = plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "SAMP XML-RPC endpoint: use POST\n",
        );
        resp.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        Box::pin(std::future::ready(resp))
    }
}

async fn call_method(
    core: Arc<HubCore>,
    request: Result<HubRequest, RequestError>,
    info: RequestInfo,
) -> Result<Value, Fault> {
    if let Err(RequestError::Xml(e)) = &request {
        tracing::warn!(peer = %info.peer, error = %e, "malformed XML-RPC request");
    }
    let result = match request {
        Ok(request) => {
            let method = request.method();
            serve(&core, request, Via::Standard)
                .await
                .map_err(|Refusal(text)| {
                    core.record_refusal(method.full_name(), &text);
                    Fault::new(format!("{method}: {text}"))
                })
        }
        Err(e) => Err(Fault::new(e.to_string())),
    };
    if let Err(fault) = &result {
        info!(peer = %info.peer, fault = %fault.message, "hub method refused");
    }
    result
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
