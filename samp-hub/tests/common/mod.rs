//! Raw XML-RPC clients shared by the hub's end-to-end tests.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use samp_http::{
    CallError, CallFuture, HttpClient, RequestInfo, Server, ServerConfig, ServerHandle,
    XmlRpcService,
};
use samp_hub::RunningHub;
use samp_protocol::xmlrpc::{MethodCall, WriteValue};
use samp_protocol::{Value, map};
use tokio::sync::{Mutex, mpsc};

pub const WAIT: Duration = Duration::from_secs(10);

/// Records every callback it receives.
pub struct Recorder(pub mpsc::UnboundedSender<MethodCall>);

impl XmlRpcService for Recorder {
    fn call(&self, call: MethodCall, _: RequestInfo) -> CallFuture {
        let _ = self.0.send(call);
        Box::pin(async { Ok(Value::from("")) })
    }
}

/// A raw SAMP client: registration plus a recording callback server.
pub struct Raw {
    pub http: HttpClient,
    pub url: String,
    pub key: String,
    pub id: String,
    inbox: Mutex<mpsc::UnboundedReceiver<MethodCall>>,
    _server: Option<ServerHandle>,
}

impl Raw {
    pub async fn register(hub: &RunningHub, callable: bool) -> Raw {
        let http = HttpClient::new();
        let url = hub.url().to_owned();
        let reg = http
            .call(&url, "samp.hub.register", &[&hub.lock_info().secret], None)
            .await
            .expect("register");
        let reg = reg.as_map().unwrap();
        let key = reg["samp.private-key"].as_str().unwrap().to_owned();
        let id = reg["samp.self-id"].as_str().unwrap().to_owned();
        assert_eq!(reg["samp.hub-id"], Value::from("hub"));
        let (tx, rx) = mpsc::unbounded_channel();
        let mut server = None;
        if callable {
            let s = Server::bind(
                "127.0.0.1:0".parse().unwrap(),
                ServerConfig::default(),
                Arc::new(Recorder(tx)),
            )
            .await
            .unwrap();
            let cb = format!("http://{}/xmlrpc", s.local_addr());
            http.call(
                &url,
                "samp.hub.setXmlrpcCallback",
                &[&key.as_str(), &cb],
                None,
            )
            .await
            .unwrap();
            server = Some(s);
        }
        Raw {
            http,
            url,
            key,
            id,
            inbox: Mutex::new(rx),
            _server: server,
        }
    }

    pub async fn call(&self, method: &str, args: Vec<Value>) -> Result<Value, CallError> {
        let sent = {
            let key = Value::from(self.key.as_str());
            let all: Vec<&dyn WriteValue> = std::iter::once(&key as &dyn WriteValue)
                .chain(args.iter().map(|a| a as &dyn WriteValue))
                .collect();
            self.http
                .call(&self.url, &format!("samp.hub.{method}"), &all, Some(WAIT))
        };
        sent.await
    }

    pub async fn ok(&self, method: &str, args: Vec<Value>) -> Value {
        self.call(method, args)
            .await
            .unwrap_or_else(|e| panic!("{method}: {e}"))
    }

    pub async fn fault(&self, method: &str, args: Vec<Value>) -> String {
        match self.call(method, args).await {
            Err(CallError::Fault(f)) => f.message,
            other => panic!("{method}: expected a fault, got {other:?}"),
        }
    }

    pub async fn subscribe(&self, mtypes: &[&str]) {
        let subs: Value = mtypes.iter().map(|m| (*m, Value::empty_map())).collect();
        self.ok("declareSubscriptions", vec![subs]).await;
    }

    /// The next callback, skipping hub events unless `mtype_prefix` asks for them.
    pub async fn next(&self) -> MethodCall {
        tokio::time::timeout(WAIT, self.inbox.lock().await.recv())
            .await
            .expect("callback in time")
            .unwrap()
    }

    pub async fn next_matching(&self, want: impl Fn(&MethodCall) -> bool) -> MethodCall {
        loop {
            let c = self.next().await;
            if want(&c) {
                return c;
            }
        }
    }

    pub async fn nothing_within(&self, d: Duration) -> bool {
        tokio::time::timeout(d, self.inbox.lock().await.recv())
            .await
            .is_err()
    }
}

pub fn msg(mtype: &str) -> Value {
    map! { "samp.mtype" => mtype, "samp.params" => map! { "x" => "1" } }
}

pub fn mtype_of(c: &MethodCall) -> String {
    let m = c.params.last().unwrap().as_map().unwrap();
    m.get("samp.mtype")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned()
}
