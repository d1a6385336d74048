//! The XML-RPC endpoint: POST only, the body parsed as a `<methodCall>`, the service's
//! answer written back as a `<methodResponse>`.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

use crate::body::Body;
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode, header};
use samp_protocol::Value;
use samp_protocol::xmlrpc::{self, Fault, MethodCall, WriteValue};
use tracing::{debug, warn};

use super::server::{
    HttpFuture, HttpService, RequestInfo, Server, ServerConfig, ServerHandle, plain,
};

/// Boxed future returned by [`XmlRpcService::call`].
pub type CallFuture = Pin<Box<dyn Future<Output = Result<Value, Fault>> + Send + 'static>>;

/// Answers XML-RPC method calls. The server owns HTTP, parsing and encoding; the service
/// sees typed calls only.
pub trait XmlRpcService: Send + Sync + 'static {
    /// Handles one call. A `Fault` becomes an XML-RPC fault response.
    fn call(&self, call: MethodCall, info: RequestInfo) -> CallFuture;
}

impl Server {
    /// Binds `addr` and serves XML-RPC calls (POST only) with `service` until the handle is
    /// shut down or dropped.
    pub async fn bind(
        addr: SocketAddr,
        config: ServerConfig,
        service: Arc<dyn XmlRpcService>,
    ) -> std::io::Result<ServerHandle> {
        Server::bind_http(addr, config, Arc::new(XmlRpcEndpoint(service))).await
    }
}

/// An [`XmlRpcService`] served over HTTP.
pub(crate) struct XmlRpcEndpoint(pub(crate) Arc<dyn XmlRpcService>);

impl HttpService for XmlRpcEndpoint {
    fn handle(&self, req: Request<Bytes>, info: RequestInfo) -> HttpFuture {
        if req.method() != Method::POST {
            debug!(peer = %info.peer, method = %req.method(), "non-POST request refused");
            let mut resp = plain(
                StatusCode::METHOD_NOT_ALLOWED,
                "SAMP XML-RPC endpoint: use POST\n",
            );
            resp.headers_mut()
                .insert(header::ALLOW, header::HeaderValue::from_static("POST"));
            return Box::pin(std::future::ready(resp));
        }
        let service = self.0.clone();
        Box::pin(
            async move { answer_call(req.body(), info, |call| service.call(call, info)).await },
        )
    }
}

/// Parses `body` as a method call, runs `serve` on it, and writes the XML-RPC answer
/// (a fault for a malformed document or a refused call).
pub async fn answer_call<F, R>(
    body: &[u8],
    info: RequestInfo,
    serve: impl FnOnce(MethodCall) -> F,
) -> Response<Body>
where
    F: Future<Output = Result<R, Fault>>,
    R: WriteValue,
{
    let peer = info.peer;
    match xmlrpc::parse_call(body) {
        Ok(call) => {
            let method = call.method.clone();
            xml_answer(serve(call).await, &method, info)
        }
        Err(e) => {
            warn!(%peer, error = %e, "malformed XML-RPC request");
            debug!(%peer, start = %String::from_utf8_lossy(&body[..body.len().min(300)]), "malformed body");
            xml_answer::<R>(Err(Fault::new(e.to_string())), "", info)
        }
    }
}

/// The HTTP answer carrying an XML-RPC result or fault, for a service that read the call
/// itself (`method` names it in logs).
pub fn xml_answer<R: WriteValue>(
    result: Result<R, Fault>,
    method: &str,
    info: RequestInfo,
) -> Response<Body> {
    let peer = info.peer;
    let xml = match result {
        Ok(value) => xmlrpc::write_response(&value).unwrap_or_else(|e| {
            warn!(%peer, %method, error = %e, "result cannot be written");
            xmlrpc::write_fault(&Fault::new(format!("{method}: {e}")))
        }),
        Err(fault) => {
            debug!(%peer, %method, fault = %fault.message, "call faulted");
            xmlrpc::write_fault(&fault)
        }
    };
    let mut resp = Response::new(Body::full(xml));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/xml"),
    );
    resp
}
