//! A typed proxy for the hub's `samp.hub.*` methods (SAMP 1.3 §4.3; sampy's `SAMPHubProxy`).
//!
//! One async method per hub method, taking and returning the protocol types rather than raw
//! [`Value`]s, so argument order and result shapes are checked in one place. A fault from the
//! hub becomes [`Error::HubFault`] naming the method; a result of the wrong shape becomes
//! [`Error::Protocol`].
//!
//! ```no_run
//! # async fn demo(lock: samp_runtime::protocol::LockInfo) -> samp_runtime::Result<()> {
//! use samp_runtime::hub_proxy::HubProxy;
//! use samp_runtime::protocol::Message;
//!
//! let hub = HubProxy::new(&lock.xmlrpc_url);
//! hub.ping().await?;
//! let reg = hub.register(&lock.secret).await?;
//! let hub = hub.with_private_key(reg.private_key.clone());
//! let recipients = hub.notify_all(&Message::new("samp.app.status").param("txt", "hi")).await?;
//! println!("told {recipients:?}");
//! hub.unregister().await?;
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use crate::client::error::{Error, Result};
use crate::http::HttpClient;
use crate::protocol::{
    ClientId, Message, Metadata, MsgId, MsgTag, PrivateKey, RegInfo, Response, Secret,
    Subscriptions,
};
use crate::{Map, Value};

/// The default time allowed for one hub call (all but `callAndWait`): hub methods are
/// meant to return at once, so a long wait means the hub is stuck or gone.
pub const DEFAULT_HUB_TIMEOUT: Duration = Duration::from_secs(30);

/// Extra time given to the HTTP exchange of `callAndWait` beyond the SAMP timeout, so the
/// hub's own timeout fault arrives before ours fires.
const CALL_AND_WAIT_MARGIN: Duration = Duration::from_secs(10);

/// A handle on one hub: its XML-RPC URL, a pooled HTTP client and, once registered, the
/// private key. Cheap to clone.
#[derive(Clone, Debug)]
pub struct HubProxy {
    http: HttpClient,
    url: Arc<str>,
    key: Option<PrivateKey>,
    timeout: Option<Duration>,
}

impl HubProxy {
    /// A proxy for the hub at `url` with its own HTTP client and no private key (enough for
    /// [`ping`](Self::ping) and [`register`](Self::register)).
    pub fn new(url: impl AsRef<str>) -> HubProxy {
        HubProxy::with_http(HttpClient::new(), url)
    }

    /// Like [`new`](Self::new), sharing an existing HTTP client (and its connection pool).
    pub fn with_http(http: HttpClient, url: impl AsRef<str>) -> HubProxy {
        HubProxy {
            http,
            url: Arc::from(url.as_ref()),
            key: None,
            timeout: Some(DEFAULT_HUB_TIMEOUT),
        }
    }

    /// The same hub, calling as the client that owns `key` (from [`RegInfo::private_key`]).
    pub fn with_private_key(mut self, key: PrivateKey) -> HubProxy {
        self.key = Some(key);
        self
    }

    /// Sets how long one hub call may take (`None`: no limit); `callAndWait` adds its own
    /// timeout to this.
    pub fn with_timeout(mut self, timeout: Option<Duration>) -> HubProxy {
        self.timeout = timeout;
        self
    }

    /// The hub's XML-RPC URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The private key calls are made with, if registered.
    pub fn private_key(&self) -> Option<&PrivateKey> {
        self.key.as_ref()
    }

    /// The HTTP client, to share its pool.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    async fn invoke(
        &self,
        method: &str,
        args: &[Value],
        timeout: Option<Duration>,
    ) -> Result<Value> {
        let full = format!("samp.hub.{method}");
        self.http
            .call(&self.url, &full, args, timeout)
            .await
            .map_err(|e| Error::from_hub_call(method, e))
    }

    /// Calls `method` with the private key prepended to `args`.
    async fn keyed(&self, method: &str, mut args: Vec<Value>) -> Result<Value> {
        let key = self.key.as_ref().ok_or(Error::NotRegistered)?;
        args.insert(0, Value::from(key.expose()));
        self.invoke(method, &args, self.timeout).await
    }

    /// `samp.hub.register(secret)`: joins the hub. Use the returned key with
    /// [`with_private_key`](Self::with_private_key) for every later call.
    pub async fn register(&self, secret: &Secret) -> Result<RegInfo> {
        let v = self
            .invoke("register", &[Value::from(secret.expose())], self.timeout)
            .await?;
        RegInfo::from_value(v).map_err(|e| Error::bad_result("register", e))
    }

    /// `samp.hub.unregister`: leaves the hub.
    pub async fn unregister(&self) -> Result<()> {
        self.keyed("unregister", vec![]).await.map(drop)
    }

    /// `samp.hub.setXmlrpcCallback(url)`: where the hub sends our callbacks; makes us callable.
    pub async fn set_xmlrpc_callback(&self, url: &str) -> Result<()> {
        self.keyed("setXmlrpcCallback", vec![Value::from(url)])
            .await
            .map(drop)
    }

    /// `samp.hub.ping()` with no arguments (the form every hub accepts): is the hub alive?
    pub async fn ping(&self) -> Result<()> {
        self.invoke("ping", &[], self.timeout).await.map(drop)
    }

    /// `samp.hub.declareMetadata`: replaces our metadata.
    pub async fn declare_metadata(&self, metadata: &Metadata) -> Result<()> {
        self.keyed("declareMetadata", vec![metadata.to_value()])
            .await
            .map(drop)
    }

    /// `samp.hub.getMetadata(id)`: another client's metadata.
    pub async fn get_metadata(&self, id: &ClientId) -> Result<Metadata> {
        let v = self.keyed("getMetadata", vec![Value::from(id)]).await?;
        Metadata::from_value(v).map_err(|e| Error::bad_result("getMetadata", e))
    }

    /// `samp.hub.declareSubscriptions`: replaces our subscriptions (needs a callback URL).
    pub async fn declare_subscriptions(&self, subscriptions: &Subscriptions) -> Result<()> {
        self.keyed("declareSubscriptions", vec![subscriptions.to_value()])
            .await
            .map(drop)
    }

    /// `samp.hub.getSubscriptions(id)`: another client's subscriptions.
    pub async fn get_subscriptions(&self, id: &ClientId) -> Result<Subscriptions> {
        let v = self
            .keyed("getSubscriptions", vec![Value::from(id)])
            .await?;
        Subscriptions::from_value(v).map_err(|e| Error::bad_result("getSubscriptions", e))
    }

    /// `samp.hub.getRegisteredClients`: every client but us (the hub's own id included).
    pub async fn get_registered_clients(&self) -> Result<Vec<ClientId>> {
        let v = self.keyed("getRegisteredClients", vec![]).await?;
        id_list("getRegisteredClients", v)
    }

    /// `samp.hub.getSubscribedClients(mtype)`: clients (but us) subscribed to `mtype`, with
    /// the annotations of their matching subscription.
    pub async fn get_subscribed_clients(&self, mtype: &str) -> Result<BTreeMap<ClientId, Map>> {
        const M: &str = "getSubscribedClients";
        let v = self.keyed(M, vec![Value::from(mtype)]).await?;
        string_keyed(M, v, |id, val| match val {
            Value::Map(m) => Ok(m),
            other => Err(format!(
                "the annotations of {id:?} are a {}, expected a map",
                other.kind()
            )),
        })
    }

    /// `samp.hub.notify(to, message)`: one-way message to one client.
    pub async fn notify(&self, to: &ClientId, message: &Message) -> Result<()> {
        self.keyed("notify", vec![Value::from(to), message.to_value()])
            .await
            .map(drop)
    }

    /// `samp.hub.notifyAll(message)`: one-way message to every subscribed client; returns
    /// the recipients.
    pub async fn notify_all(&self, message: &Message) -> Result<Vec<ClientId>> {
        let v = self.keyed("notifyAll", vec![message.to_value()]).await?;
        id_list("notifyAll", v)
    }

    /// `samp.hub.call(to, tag, message)`: asynchronous call; the response comes back
    /// through `receiveResponse` with `tag`. Returns the hub's msg-id.
    pub async fn call(&self, to: &ClientId, tag: &MsgTag, message: &Message) -> Result<MsgId> {
        let v = self
            .keyed(
                "call",
                vec![Value::from(to), Value::from(tag), message.to_value()],
            )
            .await?;
        match v {
            Value::String(s) => Ok(MsgId::new(s)),
            other => Err(Error::bad_result(
                "call",
                format!("the msg-id is a {}, expected a string", other.kind()),
            )),
        }
    }

    /// `samp.hub.callAll(tag, message)`: asynchronous call to every subscribed client;
    /// returns recipient → msg-id.
    pub async fn call_all(
        &self,
        tag: &MsgTag,
        message: &Message,
    ) -> Result<BTreeMap<ClientId, MsgId>> {
        const M: &str = "callAll";
        let v = self
            .keyed(M, vec![Value::from(tag), message.to_value()])
            .await?;
        string_keyed(M, v, |id, val| match val {
            Value::String(s) => Ok(MsgId::new(s)),
            other => Err(format!(
                "the msg-id for {id:?} is a {}, expected a string",
                other.kind()
            )),
        })
    }

    /// `samp.hub.callAndWait(to, message, timeout)`: synchronous call. `timeout` is rounded
    /// up to whole seconds; `None` waits as long as the hub allows.
    pub async fn call_and_wait(
        &self,
        to: &ClientId,
        message: &Message,
        timeout: Option<Duration>,
    ) -> Result<Response> {
        const M: &str = "callAndWait";
        let key = self.key.as_ref().ok_or(Error::NotRegistered)?;
        let secs = match timeout {
            None => 0,
            Some(t) => (t.as_secs() + u64::from(t.subsec_nanos() > 0)).max(1),
        };
        let http_timeout = timeout.map(|t| t + CALL_AND_WAIT_MARGIN);
        let args = [
            Value::from(key.expose()),
            Value::from(to),
            message.to_value(),
            Value::from(secs.to_string()),
        ];
        let v = self.invoke(M, &args, http_timeout).await?;
        Response::from_value(v).map_err(|e| Error::bad_result(M, e))
    }

    /// `samp.hub.reply(msg_id, response)`: answers a call we received.
    pub async fn reply(&self, msg_id: &MsgId, response: &Response) -> Result<()> {
        self.keyed("reply", vec![Value::from(msg_id), response.to_value()])
            .await
            .map(drop)
    }
}

/// A list of client ids.
fn id_list(method: &str, v: Value) -> Result<Vec<ClientId>> {
    let Value::List(items) = v else {
        return Err(Error::bad_result(
            method,
            format!("got a {}, expected a list of client ids", v.kind()),
        ));
    };
    items
        .into_iter()
        .map(|item| match item {
            Value::String(s) => Ok(ClientId::new(s)),
            other => Err(Error::bad_result(
                method,
                format!("a client id is a {}, expected a string", other.kind()),
            )),
        })
        .collect()
}

/// A map keyed by client id, converting each value with `convert`.
fn string_keyed<T>(
    method: &str,
    v: Value,
    convert: impl Fn(&str, Value) -> std::result::Result<T, String>,
) -> Result<BTreeMap<ClientId, T>> {
    let Value::Map(m) = v else {
        return Err(Error::bad_result(
            method,
            format!("got a {}, expected a map keyed by client id", v.kind()),
        ));
    };
    m.into_iter()
        .map(|(id, val)| {
            let t = convert(&id, val).map_err(|e| Error::bad_result(method, e))?;
            Ok((ClientId::new(id), t))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map;

    #[test]
    fn result_shapes_are_checked() {
        assert_eq!(
            id_list("x", Value::List(vec!["a".into(), "b".into()])).unwrap(),
            [ClientId::new("a"), ClientId::new("b")]
        );
        let e = id_list("notifyAll", map! {}).unwrap_err().to_string();
        assert!(
            e.contains("samp.hub.notifyAll") && e.contains("expected a list"),
            "{e}"
        );
        let e = id_list("x", Value::List(vec![map! {}])).unwrap_err();
        assert!(matches!(e, Error::Protocol { .. }));
        let e = string_keyed("callAll", map! { "c1" => map! {} }, |_, v| match v {
            Value::String(s) => Ok(s),
            o => Err(format!("got {}", o.kind())),
        })
        .unwrap_err()
        .to_string();
        assert!(e.contains("got map"), "{e}");
    }

    #[tokio::test]
    async fn keyed_calls_need_a_key() {
        let hub = HubProxy::new("http://127.0.0.1:9/xmlrpc");
        assert!(matches!(hub.unregister().await, Err(Error::NotRegistered)));
        let e = hub
            .call_and_wait(&ClientId::new("c1"), &Message::new("a.b"), None)
            .await;
        assert!(matches!(e, Err(Error::NotRegistered)));
        assert!(
            format!("{:?}", hub.clone().with_private_key(PrivateKey::new("k:x")))
                .contains("redacted")
        );
    }
}
