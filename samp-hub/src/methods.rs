//! The Standard Profile mapping (SAMP 1.3 §4.2–4.3): `samp.hub.*` XML-RPC methods to hub
//! operations, with every argument checked and every failure a fault that names the method.

use std::sync::Arc;

use samp_runtime::http::{CallFuture, RequestInfo, XmlRpcService};
use samp_runtime::xmlrpc::{Fault, MethodCall};
use samp_runtime::{Map, Value};
use tracing::info;

use crate::core::HubCore;

/// The hub's XML-RPC endpoint.
pub(crate) struct HubService(pub(crate) Arc<HubCore>);

impl XmlRpcService for HubService {
    fn call(&self, call: MethodCall, info: RequestInfo) -> CallFuture {
        let core = self.0.clone();
        Box::pin(async move {
            let method = call.method.clone();
            let result = dispatch(&core, call).await;
            if let Err(fault) = &result {
                info!(peer = %info.peer, %method, fault = %fault.message, "hub method refused");
            }
            result
        })
    }
}

/// Positional arguments of one call, checked against the method's signature.
struct Args {
    method: &'static str,
    names: &'static [&'static str],
    values: std::vec::IntoIter<Value>,
    next: usize,
}

impl Args {
    fn new(
        method: &'static str,
        names: &'static [&'static str],
        params: Vec<Value>,
    ) -> Result<Args, Fault> {
        if params.len() != names.len() {
            return Err(Fault::new(format!(
                "samp.hub.{method}: expected {} argument{} ({}), got {}",
                names.len(),
                if names.len() == 1 { "" } else { "s" },
                names.join(", "),
                params.len()
            )));
        }
        Ok(Args {
            method,
            names,
            values: params.into_iter(),
            next: 0,
        })
    }

    fn take(&mut self) -> (Value, usize) {
        let i = self.next;
        self.next += 1;
        (self.values.next().expect("count checked in Args::new"), i)
    }

    fn wrong(&self, i: usize, want: &str, got: &Value) -> Fault {
        Fault::new(format!(
            "samp.hub.{}: argument {} ({}) must be a {want}, got a {}",
            self.method,
            i + 1,
            self.names[i],
            got.kind()
        ))
    }

    fn string(&mut self) -> Result<String, Fault> {
        match self.take() {
            (Value::String(s), _) => Ok(s),
            (other, i) => Err(self.wrong(i, "string", &other)),
        }
    }

    fn map(&mut self) -> Result<Map, Fault> {
        match self.take() {
            (Value::Map(m), _) => Ok(m),
            (other, i) => Err(self.wrong(i, "map", &other)),
        }
    }

    /// A map-typed argument kept as a value (the message is forwarded as it came).
    fn map_value(&mut self) -> Result<Value, Fault> {
        match self.take() {
            (v @ Value::Map(_), _) => Ok(v),
            (other, i) => Err(self.wrong(i, "map", &other)),
        }
    }
}

const KEY: &str = "private-key";

async fn dispatch(core: &HubCore, call: MethodCall) -> Result<Value, Fault> {
    let Some(name) = call.method.strip_prefix("samp.hub.") else {
        return Err(Fault::new(format!(
            "unknown method {:?}: this is a SAMP hub (samp.hub.*)",
            call.method
        )));
    };
    let p = call.params;
    match name {
        "ping" => Ok(Value::from("")),
        "register" => {
            let mut a = Args::new("register", &["samp-secret"], p)?;
            core.register(&a.string()?)
        }
        "unregister" => {
            let mut a = Args::new("unregister", &[KEY], p)?;
            core.unregister(&a.string()?)
        }
        "setXmlrpcCallback" => {
            let mut a = Args::new("setXmlrpcCallback", &[KEY, "url"], p)?;
            core.set_callback(&a.string()?, &a.string()?)
        }
        "declareMetadata" => {
            let mut a = Args::new("declareMetadata", &[KEY, "metadata"], p)?;
            core.declare_metadata(&a.string()?, a.map()?)
        }
        "getMetadata" => {
            let mut a = Args::new("getMetadata", &[KEY, "client-id"], p)?;
            core.get_metadata(&a.string()?, &a.string()?)
        }
        "declareSubscriptions" => {
            let mut a = Args::new("declareSubscriptions", &[KEY, "subscriptions"], p)?;
            core.declare_subscriptions(&a.string()?, a.map()?)
        }
        "getSubscriptions" => {
            let mut a = Args::new("getSubscriptions", &[KEY, "client-id"], p)?;
            core.get_subscriptions(&a.string()?, &a.string()?)
        }
        "getRegisteredClients" => {
            let mut a = Args::new("getRegisteredClients", &[KEY], p)?;
            core.get_registered_clients(&a.string()?)
        }
        "getSubscribedClients" => {
            let mut a = Args::new("getSubscribedClients", &[KEY, "mtype"], p)?;
            core.get_subscribed_clients(&a.string()?, &a.string()?)
        }
        "notify" => {
            let mut a = Args::new("notify", &[KEY, "recipient-id", "message"], p)?;
            core.notify(&a.string()?, &a.string()?, a.map_value()?)
        }
        "notifyAll" => {
            let mut a = Args::new("notifyAll", &[KEY, "message"], p)?;
            core.notify_all(&a.string()?, a.map_value()?)
        }
        "call" => {
            let mut a = Args::new("call", &[KEY, "recipient-id", "msg-tag", "message"], p)?;
            core.call(&a.string()?, &a.string()?, a.string()?, a.map_value()?)
        }
        "callAll" => {
            let mut a = Args::new("callAll", &[KEY, "msg-tag", "message"], p)?;
            core.call_all(&a.string()?, a.string()?, a.map_value()?)
        }
        "callAndWait" => {
            let mut a = Args::new(
                "callAndWait",
                &[KEY, "recipient-id", "message", "timeout"],
                p,
            )?;
            let (key, to, message, timeout) =
                (a.string()?, a.string()?, a.map_value()?, a.string()?);
            core.call_and_wait(&key, &to, message, &timeout).await
        }
        "reply" => {
            let mut a = Args::new("reply", &[KEY, "msg-id", "response"], p)?;
            core.reply(&a.string()?, &a.string()?, a.map_value()?)
        }
        _ => Err(Fault::new(format!("unknown method samp.hub.{name}"))),
    }
}
