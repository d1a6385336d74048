//! A typed proxy for the hub's `samp.hub.*` methods (SAMP 1.3 §4.3; sampy's `SAMPHubProxy`).
//!
//! One async method per hub method, taking and returning the protocol types rather than raw
//! [`Value`]s, so argument order and result shapes are checked in one place. A fault from the
//! hub becomes [`Error::HubFault`] naming the method (a `callAndWait` fault once its timeout
//! has passed becomes [`Error::Timeout`]); a result of the wrong shape becomes
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
use std::time::{Duration, Instant};

use samp_http::HttpClient;
use samp_protocol::standard::HubMethod;
use samp_protocol::xmlrpc::WriteValue;
use samp_protocol::{
    ClientId, Map, Message, Metadata, MsgId, MsgTag, PrivateKey, RegInfo, Response, Secret,
    Subscriptions, Value,
};

use crate::error::{Error, Result};

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

    /// Writes a call of `method`, the private key first when `keyed`.
    fn document(&self, method: HubMethod, keyed: bool, args: &[&dyn WriteValue]) -> Result<String> {
        let mut all: Vec<&dyn WriteValue> = Vec::with_capacity(args.len() + 1);
        if keyed {
            all.push(self.key.as_ref().ok_or(Error::NotRegistered)?);
        }
        all.extend_from_slice(args);
        method.document(&all).map_err(|source| Error::Unsendable {
            what: method.full_name().to_owned(),
            source,
        })
    }

    /// Sends a written call and maps a failure to an error naming the method.
    async fn send(
        &self,
        method: HubMethod,
        document: Result<String>,
        timeout: Option<Duration>,
    ) -> Result<Value> {
        self.http
            .call_document(&self.url, document?, timeout)
            .await
            .map_err(|e| Error::from_hub_call(method, e))
    }

    /// Calls a keyed `method` with the default timeout.
    async fn keyed(&self, method: HubMethod, document: Result<String>) -> Result<Value> {
        self.send(method, document, self.timeout).await
    }

    /// `samp.hub.register(secret)`: joins the hub. Use the returned key with
    /// [`with_private_key`](Self::with_private_key) for every later call.
    pub async fn register(&self, secret: &Secret) -> Result<RegInfo> {
        let doc = self.document(HubMethod::Register, false, &[secret]);
        let v = self.send(HubMethod::Register, doc, self.timeout).await?;
        RegInfo::from_value(v).map_err(|e| Error::bad_result(HubMethod::Register, e))
    }

    /// `samp.hub.unregister`: leaves the hub.
    pub async fn unregister(&self) -> Result<()> {
        let doc = self.document(HubMethod::Unregister, true, &[]);
        self.keyed(HubMethod::Unregister, doc).await.map(drop)
    }

    /// `samp.hub.setXmlrpcCallback(url)`: where the hub sends our callbacks; makes us callable.
    pub async fn set_xmlrpc_callback(&self, url: &str) -> Result<()> {
        let doc = self.document(HubMethod::SetXmlrpcCallback, true, &[&url]);
        self.keyed(HubMethod::SetXmlrpcCallback, doc)
            .await
            .map(drop)
    }

    /// `samp.hub.ping()` with no arguments (the form every hub accepts): is the hub alive?
    pub async fn ping(&self) -> Result<()> {
        let doc = self.document(HubMethod::Ping, false, &[]);
        self.send(HubMethod::Ping, doc, self.timeout)
            .await
            .map(drop)
    }

    /// `samp.hub.declareMetadata`: replaces our metadata.
    pub async fn declare_metadata(&self, metadata: &Metadata) -> Result<()> {
        let doc = self.document(HubMethod::DeclareMetadata, true, &[metadata]);
        self.keyed(HubMethod::DeclareMetadata, doc).await.map(drop)
    }

    /// `samp.hub.getMetadata(id)`: another client's metadata.
    pub async fn get_metadata(&self, id: &ClientId) -> Result<Metadata> {
        let doc = self.document(HubMethod::GetMetadata, true, &[id]);
        let v = self.keyed(HubMethod::GetMetadata, doc).await?;
        Metadata::from_value(v).map_err(|e| Error::bad_result(HubMethod::GetMetadata, e))
    }

    /// `samp.hub.declareSubscriptions`: replaces our subscriptions (needs a callback URL).
    pub async fn declare_subscriptions(&self, subscriptions: &Subscriptions) -> Result<()> {
        let doc = self.document(HubMethod::DeclareSubscriptions, true, &[subscriptions]);
        self.keyed(HubMethod::DeclareSubscriptions, doc)
            .await
            .map(drop)
    }

    /// `samp.hub.getSubscriptions(id)`: another client's subscriptions.
    pub async fn get_subscriptions(&self, id: &ClientId) -> Result<Subscriptions> {
        let doc = self.document(HubMethod::GetSubscriptions, true, &[id]);
        let v = self.keyed(HubMethod::GetSubscriptions, doc).await?;
        Subscriptions::from_value(v).map_err(|e| Error::bad_result(HubMethod::GetSubscriptions, e))
    }

    /// `samp.hub.getRegisteredClients`: every client but us (the hub's own id included).
    pub async fn get_registered_clients(&self) -> Result<Vec<ClientId>> {
        let doc = self.document(HubMethod::GetRegisteredClients, true, &[]);
        let v = self.keyed(HubMethod::GetRegisteredClients, doc).await?;
        id_list(HubMethod::GetRegisteredClients, v)
    }

    /// `samp.hub.getSubscribedClients(mtype)`: clients (but us) subscribed to `mtype`, with
    /// the annotations of their matching subscription.
    pub async fn get_subscribed_clients(&self, mtype: &str) -> Result<BTreeMap<ClientId, Map>> {
        const M: HubMethod = HubMethod::GetSubscribedClients;
        let doc = self.document(HubMethod::GetSubscribedClients, true, &[&mtype]);
        let v = self.keyed(HubMethod::GetSubscribedClients, doc).await?;
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
        let doc = self.document(HubMethod::Notify, true, &[to, message]);
        self.keyed(HubMethod::Notify, doc).await.map(drop)
    }

    /// `samp.hub.notifyAll(message)`: one-way message to every subscribed client; returns
    /// the recipients.
    pub async fn notify_all(&self, message: &Message) -> Result<Vec<ClientId>> {
        let doc = self.document(HubMethod::NotifyAll, true, &[message]);
        let v = self.keyed(HubMethod::NotifyAll, doc).await?;
        id_list(HubMethod::NotifyAll, v)
    }

    /// `samp.hub.call(to, tag, message)`: asynchronous call; the response comes back
    /// through `receiveResponse` with `tag`. Returns the hub's msg-id.
    pub async fn call(&self, to: &ClientId, tag: &MsgTag, message: &Message) -> Result<MsgId> {
        let doc = self.document(HubMethod::Call, true, &[to, tag, message]);
        let v = self.keyed(HubMethod::Call, doc).await?;
        match v {
            Value::String(s) => Ok(MsgId::new(s)),
            other => Err(Error::bad_result(
                HubMethod::Call,
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
        const M: HubMethod = HubMethod::CallAll;
        let doc = self.document(HubMethod::CallAll, true, &[tag, message]);
        let v = self.keyed(HubMethod::CallAll, doc).await?;
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
        const M: HubMethod = HubMethod::CallAndWait;
        let secs = match timeout {
            None => 0,
            Some(t) => (t.as_secs() + u64::from(t.subsec_nanos() > 0)).max(1),
        };
        let http_timeout = timeout.map(|t| t + CALL_AND_WAIT_MARGIN);
        let doc = self.document(
            HubMethod::CallAndWait,
            true,
            &[to, message, &secs.to_string()],
        );
        let started = Instant::now();
        let v = self
            .send(HubMethod::CallAndWait, doc, http_timeout)
            .await
            .map_err(|e| timed_out(e, to, secs, started.elapsed()))?;
        Response::from_value(v).map_err(|e| Error::bad_result(M, e))
    }

    /// `samp.hub.reply(msg_id, response)`: answers a call we received.
    pub async fn reply(&self, msg_id: &MsgId, response: &Response) -> Result<()> {
        let doc = self.document(HubMethod::Reply, true, &[msg_id, response]);
        self.keyed(HubMethod::Reply, doc).await.map(drop)
    }
}

/// A hub reports a `callAndWait` timeout only as a fault, in words of its own (JSAMP, astropy
/// and samp-hub all differ). A fault that came once the whole timeout had passed is that
/// timeout (give or take a hub's coarse clock): say so with [`Error::Timeout`], which
/// callers match on to retry. Faults that come early (unknown recipient, not subscribed)
/// stay [`Error::HubFault`].
fn timed_out(e: Error, to: &ClientId, secs: u64, waited: Duration) -> Error {
    const CLOCK_SLACK: Duration = Duration::from_millis(100);
    match e {
        Error::HubFault { message, .. }
            if secs > 0 && waited + CLOCK_SLACK >= Duration::from_secs(secs) =>
        {
            Error::Timeout {
                what: format!("samp.hub.callAndWait to {to} (the hub: {message})"),
                after: Duration::from_secs(secs),
            }
        }
        other => other,
    }
}

/// A list of client ids.
fn id_list(method: HubMethod, v: Value) -> Result<Vec<ClientId>> {
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
    method: HubMethod,
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
    use samp_protocol::map;

    #[test]
    fn result_shapes_are_checked() {
        assert_eq!(
            id_list(
                HubMethod::GetRegisteredClients,
                Value::List(vec!["a".into(), "b".into()])
            )
            .unwrap(),
            [ClientId::new("a"), ClientId::new("b")]
        );
        let e = id_list(HubMethod::NotifyAll, map! {})
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("samp.hub.notifyAll") && e.contains("expected a list"),
            "{e}"
        );
        let e = id_list(HubMethod::GetRegisteredClients, Value::List(vec![map! {}])).unwrap_err();
        assert!(matches!(e, Error::Protocol { .. }));
        let e = string_keyed(
            HubMethod::CallAll,
            map! { "c1" => map! {} },
            |_, v| match v {
                Value::String(s) => Ok(s),
                o => Err(format!("got {}", o.kind())),
            },
        )
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
