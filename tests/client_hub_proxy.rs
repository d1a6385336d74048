//! `HubProxy` end to end: every `samp.hub.*` method against the in-process hub.

use std::sync::Arc;
use std::time::Duration;

use samp::hub::RunningHub;
use samp::protocol::HubProxy;
use samp::protocol::http::{
    CallFuture, RequestInfo, Server, ServerConfig, ServerHandle, XmlRpcService,
};
use samp::protocol::standard::HubMethod;
use samp::protocol::xmlrpc::MethodCall;
use samp::protocol::{ClientId, MsgTag, Secret, Subscriptions};
use samp::{Error, Message, Metadata, Response, Value};
use tokio::sync::mpsc;

mod common;
use common::{WAIT, hub};

/// Records callbacks; answers every `receiveCall` by replying through `reply_with`.
struct Recorder {
    tx: mpsc::UnboundedSender<MethodCall>,
}

impl XmlRpcService for Recorder {
    fn call(&self, call: MethodCall, _: RequestInfo) -> CallFuture {
        let _ = self.tx.send(call);
        Box::pin(async { Ok(Value::from("")) })
    }
}

/// Registers a callable client subscribed to `subs`; returns its proxy, id, inbox, server.
async fn callable(
    hub: &RunningHub,
    subs: &[&str],
) -> (
    HubProxy,
    ClientId,
    mpsc::UnboundedReceiver<MethodCall>,
    ServerHandle,
) {
    let proxy = HubProxy::new(hub.url());
    let reg = proxy.register(&hub.lock_info().secret).await.unwrap();
    let proxy = proxy.with_private_key(reg.private_key.clone());
    let (tx, rx) = mpsc::unbounded_channel();
    let server = Server::bind(
        "127.0.0.1:0".parse().unwrap(),
        ServerConfig::default(),
        Arc::new(Recorder { tx }),
    )
    .await
    .unwrap();
    proxy
        .set_xmlrpc_callback(&format!("http://{}/xmlrpc", server.local_addr()))
        .await
        .unwrap();
    proxy
        .declare_subscriptions(&Subscriptions::from_patterns(subs).unwrap())
        .await
        .unwrap();
    (proxy, reg.self_id, rx, server)
}

/// The next callback whose message (last argument) has `mtype`.
async fn next_with(rx: &mut mpsc::UnboundedReceiver<MethodCall>, mtype: &str) -> MethodCall {
    loop {
        let call = tokio::time::timeout(WAIT, rx.recv())
            .await
            .expect("callback in time")
            .expect("server alive");
        let m = call.params.last().and_then(Value::as_map);
        if m.and_then(|m| m.get("samp.mtype")).and_then(Value::as_str) == Some(mtype) {
            return call;
        }
    }
}

#[tokio::test]
async fn registration_metadata_and_queries() {
    let hub = hub().await;
    let anon = HubProxy::new(hub.url());
    anon.ping().await.unwrap();

    let bad = anon.register(&Secret::new("wrong")).await.unwrap_err();
    assert!(
        matches!(
            &bad,
            Error::HubFault {
                method: HubMethod::Register,
                ..
            }
        ),
        "{bad}"
    );
    assert!(bad.to_string().contains("samp.hub.register"), "{bad}");

    let (a, a_id, _a_rx, _a_srv) = callable(&hub, &["test.*"]).await;
    let reg_b = anon.register(&hub.lock_info().secret).await.unwrap();
    assert_eq!(reg_b.hub_id.as_str(), samp::hub::HUB_ID);
    let b = anon.clone().with_private_key(reg_b.private_key.clone());

    let clients = a.get_registered_clients().await.unwrap();
    assert!(clients.contains(&reg_b.self_id) && clients.contains(&reg_b.hub_id));
    assert!(!clients.contains(&a_id));

    let md = Metadata::new().with_name("bee").with("x.y", "z");
    b.declare_metadata(&md).await.unwrap();
    assert_eq!(a.get_metadata(&reg_b.self_id).await.unwrap(), md);

    let subs = a.get_subscriptions(&a_id).await.unwrap();
    assert!(subs.is_subscribed("test.echo"));
    let subscribed = b.get_subscribed_clients("test.echo").await.unwrap();
    assert_eq!(subscribed.keys().collect::<Vec<_>>(), [&a_id]);
    assert!(
        a.get_subscribed_clients("test.echo")
            .await
            .unwrap()
            .is_empty()
    );

    let unknown = a.get_metadata(&ClientId::new("nobody")).await.unwrap_err();
    assert!(matches!(
        unknown,
        Error::HubFault {
            method: HubMethod::GetMetadata,
            ..
        }
    ));

    b.unregister().await.unwrap();
    let after = b.get_registered_clients().await.unwrap_err();
    assert!(matches!(after, Error::HubFault { .. }), "{after}");
    a.unregister().await.unwrap();
}

#[tokio::test]
async fn messaging_methods() {
    let hub = hub().await;
    let (recv, recv_id, mut inbox, _srv) = callable(&hub, &["test.*"]).await;
    let (send, send_id, mut send_inbox, _srv2) = callable(&hub, &[]).await;

    // notify / notifyAll
    let msg = Message::new("test.note").param("x", "1");
    send.notify(&recv_id, &msg).await.unwrap();
    let got = next_with(&mut inbox, "test.note").await;
    assert_eq!(got.method, "samp.client.receiveNotification");
    assert_eq!(got.params[1], Value::from(&send_id));
    assert_eq!(
        send.notify_all(&msg).await.unwrap(),
        std::slice::from_ref(&recv_id)
    );
    next_with(&mut inbox, "test.note").await;
    let none = send.notify(&recv_id, &Message::new("other.x")).await;
    assert!(matches!(
        none,
        Err(Error::HubFault {
            method: HubMethod::Notify,
            ..
        })
    ));

    // call + reply -> receiveResponse with our tag
    let tag = MsgTag::new("tag-1");
    let msg_id = send
        .call(&recv_id, &tag, &Message::new("test.call"))
        .await
        .unwrap();
    let got = next_with(&mut inbox, "test.call").await;
    assert_eq!(got.method, "samp.client.receiveCall");
    assert_eq!(got.params[2].as_str(), Some(msg_id.as_str()));
    let mut result = samp::Map::new();
    result.insert("n".into(), "1".into());
    recv.reply(&msg_id, &Response::ok(result.clone()))
        .await
        .unwrap();
    let resp = tokio::time::timeout(WAIT, send_inbox.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(resp.method, "samp.client.receiveResponse");
    assert_eq!(resp.params[1], Value::from(&recv_id));
    assert_eq!(resp.params[2], Value::from("tag-1"));
    let resp = Response::from_value(resp.params[3].clone()).unwrap();
    assert_eq!(resp.result, Some(result));

    // callAll
    let ids = send
        .call_all(&MsgTag::new("tag-2"), &Message::new("test.call"))
        .await
        .unwrap();
    assert_eq!(ids.keys().collect::<Vec<_>>(), [&recv_id]);
    let got = next_with(&mut inbox, "test.call").await;
    let id = samp::protocol::MsgId::new(got.params[2].as_str().unwrap());
    recv.reply(&id, &Response::ok_empty()).await.unwrap();

    // callAndWait: answered from another task while we wait
    let replier = tokio::spawn(async move {
        let got = next_with(&mut inbox, "test.sync").await;
        let id = samp::protocol::MsgId::new(got.params[2].as_str().unwrap());
        recv.reply(&id, &Response::ok_empty()).await.unwrap();
        (recv, inbox)
    });
    let resp = send
        .call_and_wait(&recv_id, &Message::new("test.sync"), Some(WAIT))
        .await
        .unwrap();
    assert!(resp.is_ok());
    let (_recv, _inbox) = replier.await.unwrap();

    // callAndWait timeout: the hub faults once the (whole-second) timeout has passed, and
    // the proxy reports that as a timeout.
    let e = send
        .call_and_wait(
            &recv_id,
            &Message::new("test.never"),
            Some(Duration::from_millis(10)),
        )
        .await
        .unwrap_err();
    match &e {
        Error::Timeout { what, after } => {
            assert_eq!(*after, Duration::from_secs(1), "{e}");
            assert!(what.contains(recv_id.as_str()), "{e}");
            assert!(
                what.contains("no reply from"),
                "the hub's words are kept: {e}"
            );
        }
        other => panic!("expected a timeout, got {other:?}"),
    }

    // A fault that comes at once is the hub's refusal, not a timeout.
    let e = send
        .call_and_wait(
            &ClientId::new("c-none"),
            &Message::new("test.never"),
            Some(WAIT),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::HubFault {
                method: HubMethod::CallAndWait,
                ..
            }
        ),
        "{e}"
    );
}

#[tokio::test]
async fn transport_errors_name_the_url() {
    let hub = hub().await;
    let url = hub.url().to_owned();
    hub.shutdown().await;
    let e = HubProxy::new(&url).ping().await.unwrap_err();
    assert!(matches!(e, Error::Transport { .. }), "{e}");
    assert!(e.to_string().contains(&url), "{e}");
}
