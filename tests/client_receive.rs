//! Receiving: handlers bound at run time, decoding, replies (exactly once), panics,
//! private-key checks, hub-only MTypes, hub events, raw handlers — all through the
//! in-process hub.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use samp::client::{RawHandler, SessionEnd};
use samp::hub::RunningHub;
use samp::protocol::http::{CallError, HttpClient};
use samp::protocol::{ClientId, MsgId, Status, Subscriptions};
use samp::{Client, Context, Error, Map, Message, Response, Value, map};
use tokio::sync::{Notify, mpsc, oneshot};

mod common;
use common::{WAIT, builder, guard, hub};

/// A callable receiver and a non-callable sender on one hub.
async fn pair(hub: &RunningHub) -> (Client, ClientId, Client) {
    let receiver = builder(hub).name("receiver").connect().await.unwrap();
    let id = receiver.public_id().unwrap();
    let sender = builder(hub).callable(false).connect().await.unwrap();
    (receiver, id, sender)
}

fn errortxt(r: &Response) -> String {
    assert_eq!(r.status, Status::Error, "{r:?}");
    r.error.as_ref().unwrap().errortxt.clone()
}

#[tokio::test]
async fn call_handlers_reply_with_their_result() {
    let hub = hub().await;
    let (rx, id, tx) = pair(&hub).await;
    rx.bind_call("test.echo", |_ctx: Context, params: Map| async move {
        Response::ok(params)
    })
    .await
    .unwrap();
    rx.bind_call("test.unit", |_ctx: Context, _p: Map| async {})
        .await
        .unwrap();
    rx.bind_call("test.fails", |_ctx: Context, _p: Map| async {
        Err::<(), _>(Error::msg("no such table"))
    })
    .await
    .unwrap();

    let msg = Message::new("test.echo")
        .param("s", "x")
        .param("l", vec![Value::from("1")]);
    let r = tx.call_and_wait(&id, msg.clone(), WAIT).await.unwrap();
    assert_eq!(r.result, Some(msg.params));
    let r = tx
        .call_and_wait(&id, Message::new("test.unit"), WAIT)
        .await
        .unwrap();
    assert!(r.is_ok() && r.result == Some(Map::new()));
    let r = tx
        .call_and_wait(&id, Message::new("test.fails"), WAIT)
        .await
        .unwrap();
    assert_eq!(errortxt(&r), "no such table");
}

#[derive(serde::Deserialize)]
struct PointAt {
    ra: f64,
    dec: f64,
}

#[tokio::test]
async fn typed_params_decode_or_name_the_field() {
    let hub = hub().await;
    let (rx, id, tx) = pair(&hub).await;
    rx.bind_call(
        "coord.pointAt.sky",
        |_ctx: Context, at: PointAt| async move {
            let mut m = Map::new();
            m.insert("sum".into(), format!("{}", at.ra + at.dec).into());
            m
        },
    )
    .await
    .unwrap();
    let ok = tx
        .call_and_wait(
            &id,
            Message::new("coord.pointAt.sky")
                .param("ra", "1.5")
                .param("dec", "2"),
            WAIT,
        )
        .await
        .unwrap();
    assert_eq!(ok.result.unwrap()["sum"], Value::from("3.5"));
    let bad = tx
        .call_and_wait(
            &id,
            Message::new("coord.pointAt.sky")
                .param("ra", "abc")
                .param("dec", "2"),
            WAIT,
        )
        .await
        .unwrap();
    let text = errortxt(&bad);
    assert!(
        text.starts_with(
            r#"coord.pointAt.sky: params did not decode: at `ra`: invalid SAMP float "abc""#
        ),
        "{text}"
    );
}

#[tokio::test]
async fn panics_and_missing_handlers_still_get_one_reply() {
    let hub = hub().await;
    let (rx, id, tx) = pair(&hub).await;
    rx.bind_call("test.panic", |_ctx: Context, _p: Map| async {
        if true {
            panic!("boom");
        }
    })
    .await
    .unwrap();
    // Subscribed (so the hub delivers) but not bound.
    rx.declare_subscriptions(Subscriptions::from_patterns(["test.unbound"]).unwrap())
        .await
        .unwrap();

    let r = tx
        .call_and_wait(&id, Message::new("test.panic"), WAIT)
        .await
        .unwrap();
    let text = errortxt(&r);
    assert!(
        text.contains("test.panic") && text.contains("boom"),
        "{text}"
    );
    let r = tx
        .call_and_wait(&id, Message::new("test.unbound"), WAIT)
        .await
        .unwrap();
    assert!(errortxt(&r).contains("no handler"), "{r:?}");
    // Still serving after the panic.
    let r = tx
        .call_and_wait(&id, Message::new("samp.app.ping"), WAIT)
        .await
        .unwrap();
    assert!(r.is_ok());
}

#[tokio::test]
async fn slow_handlers_block_nothing() {
    let hub = hub().await;
    let rx = builder(&hub).connect().await.unwrap();
    let id = rx.public_id().unwrap();
    let tx = builder(&hub).connect().await.unwrap();
    let gate = Arc::new(Notify::new());
    let gate2 = gate.clone();
    rx.bind_call("test.slow", move |_ctx: Context, _p: Map| {
        let gate = gate2.clone();
        async move { gate.notified().await }
    })
    .await
    .unwrap();
    let (note_tx, mut note_rx) = mpsc::unbounded_channel();
    rx.bind_notification("test.note", move |_ctx: Context, _p: Map| {
        let note_tx = note_tx.clone();
        async move {
            let _ = note_tx.send(());
        }
    })
    .await
    .unwrap();

    let slow = tx.call(&id, Message::new("test.slow"), WAIT).await.unwrap();
    // While the slow call is in its handler, pings, calls and notifications go through.
    for _ in 0..3 {
        let r = guard(tx.call_and_wait(&id, Message::new("samp.app.ping"), WAIT))
            .await
            .unwrap();
        assert!(r.is_ok());
        tx.notify(&id, Message::new("test.note")).await.unwrap();
        guard(note_rx.recv()).await.unwrap();
    }
    gate.notify_one();
    let r = guard(slow).await.unwrap();
    assert!(r.is_ok());
}

#[tokio::test]
async fn notifications_reach_handlers_with_context() {
    let hub = hub().await;
    let (rx, id, tx) = pair(&hub).await;
    let (seen_tx, mut seen) = mpsc::unbounded_channel();
    rx.bind_notification("test.*", move |ctx: Context, params: Map| {
        let seen_tx = seen_tx.clone();
        async move {
            let _ = seen_tx.send((
                ctx.sender().clone(),
                ctx.mtype().to_owned(),
                ctx.msg_id().cloned(),
                ctx.is_call(),
                ctx.extra().clone(),
                params,
                ctx.client().public_id(),
            ));
        }
    })
    .await
    .unwrap();
    tx.notify(
        &id,
        Message::new("test.hello")
            .param("p", "1")
            .extra("x-trace", "t1"),
    )
    .await
    .unwrap();
    let (sender, mtype, msg_id, is_call, extra, params, me) = guard(seen.recv()).await.unwrap();
    assert_eq!(sender, tx.public_id().unwrap());
    assert_eq!(mtype, "test.hello");
    assert_eq!((msg_id, is_call), (None, false));
    assert_eq!(extra["x-trace"], Value::from("t1"));
    assert_eq!(params["p"], Value::from("1"));
    assert_eq!(me, Some(id));
}

#[tokio::test]
async fn a_notification_runs_a_call_only_handler() {
    let hub = hub().await;
    let (rx, id, tx) = pair(&hub).await;
    let (seen_tx, mut seen) = mpsc::unbounded_channel();
    rx.bind_call("table.load.votable", move |ctx: Context, params: Map| {
        let seen_tx = seen_tx.clone();
        async move {
            let _ = seen_tx.send((ctx.is_call(), params));
            Response::ok_empty()
        }
    })
    .await
    .unwrap();
    tx.notify(
        &id,
        Message::new("table.load.votable").param("url", "file:///t.xml"),
    )
    .await
    .unwrap();
    let (is_call, params) = guard(seen.recv()).await.unwrap();
    assert!(!is_call);
    assert_eq!(params["url"], Value::from("file:///t.xml"));
}

#[tokio::test]
async fn the_most_specific_binding_wins_and_rebinding_replaces() {
    let hub = hub().await;
    let (rx, id, tx) = pair(&hub).await;
    let tagged = |tag: &'static str| {
        move |_ctx: Context, _p: Map| async move {
            let mut m = Map::new();
            m.insert("by".into(), tag.into());
            m
        }
    };
    rx.bind_call("*", tagged("any")).await.unwrap();
    rx.bind_call("test.*", tagged("test")).await.unwrap();
    rx.bind_call("test.a.*", tagged("test.a")).await.unwrap();
    rx.bind_call("test.a.b", tagged("exact")).await.unwrap();
    let by = |mtype: &'static str| {
        let tx = tx.clone();
        let id = id.clone();
        async move {
            let r = tx
                .call_and_wait(&id, Message::new(mtype), WAIT)
                .await
                .unwrap();
            r.result.unwrap()["by"].as_str().unwrap().to_owned()
        }
    };
    assert_eq!(by("test.a.b").await, "exact");
    assert_eq!(by("test.a.c").await, "test.a");
    assert_eq!(by("test.x").await, "test");
    assert_eq!(by("other.y").await, "any");
    // `*` does not take over ping: the client still answers it itself.
    let r = tx
        .call_and_wait(&id, Message::new("samp.app.ping"), WAIT)
        .await
        .unwrap();
    assert!(r.is_ok() && r.result == Some(Map::new()));

    rx.bind_call("test.a.b", tagged("again")).await.unwrap();
    assert_eq!(by("test.a.b").await, "again");
    assert!(rx.unbind_call("test.a.b").await.unwrap());
    assert!(!rx.unbind_call("test.a.b").await.unwrap());
    assert_eq!(by("test.a.b").await, "test.a");

    // An application ping handler replaces the built-in one.
    rx.bind_call("samp.app.ping", tagged("app-ping"))
        .await
        .unwrap();
    assert_eq!(by("samp.app.ping").await, "app-ping");
}

#[tokio::test]
async fn bindings_declare_subscriptions_with_annotations() {
    let hub = hub().await;
    let (rx, id, tx) = pair(&hub).await;
    rx.bind_notification("table.load.*", |_ctx: Context, _p: Map| async {})
        .annotation("x-samp.mostly-harmless", "1")
        .await
        .unwrap();
    rx.bind_message("image.load.fits", |_ctx: Context, _p: Map| async {})
        .annotations(map! { "a" => "b" }.into_map().unwrap())
        .await
        .unwrap();
    rx.bind_call("hidden.call", |_ctx: Context, _p: Map| async {})
        .declare(false)
        .await
        .unwrap();
    // declare(false) only skips the immediate declaration (sampy's rule)...
    let subs = tx.client_subscriptions(&id).await.unwrap();
    assert!(subs.get("hidden.call").is_none());
    assert!(rx.subscriptions().get("hidden.call").is_some());
    // ...the next one declares every bound MType, plus the extras.
    rx.declare_subscriptions(Subscriptions::from_patterns(["extra.mtype"]).unwrap())
        .await
        .unwrap();
    let subs = tx.client_subscriptions(&id).await.unwrap();
    assert_eq!(
        subs.get("table.load.*").unwrap()["x-samp.mostly-harmless"],
        Value::from("1")
    );
    assert_eq!(subs.get("image.load.fits").unwrap()["a"], Value::from("b"));
    assert!(subs.get("extra.mtype").is_some());
    assert!(subs.get("hidden.call").is_some());
    assert!(subs.get("samp.app.ping").is_some());
    assert!(subs.get("samp.msg.progress").is_some());
    assert_eq!(subs, rx.subscriptions());
    let r = tx
        .call_and_wait(&id, Message::new("hidden.call"), WAIT)
        .await
        .unwrap();
    assert!(r.is_ok());

    // Unbinding with declare(false) keeps the subscription; the default re-declares.
    assert!(
        rx.unbind_notification("table.load.*")
            .declare(false)
            .await
            .unwrap()
    );
    let subs = tx.client_subscriptions(&id).await.unwrap();
    assert!(subs.get("table.load.*").is_some());
    assert!(rx.unbind_call("image.load.fits").await.unwrap());
    let subs = tx.client_subscriptions(&id).await.unwrap();
    assert!(subs.get("table.load.*").is_none());
    assert!(
        subs.get("image.load.fits").is_some(),
        "the notification side is still bound"
    );

    let e = rx
        .bind_call("bad..pattern", |_ctx: Context, _p: Map| async {})
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Config(_)), "{e}");
}

#[tokio::test]
async fn reply_later_answers_once_from_elsewhere() {
    let hub = hub().await;
    let (rx, id, tx) = pair(&hub).await;
    let (hand_tx, mut hand_rx) = mpsc::unbounded_channel();
    rx.bind_call("test.later", move |ctx: Context, _p: Map| {
        let hand_tx = hand_tx.clone();
        async move {
            let responder = ctx.reply_later().expect("a call");
            assert!(ctx.reply_later().is_none(), "taken once");
            let _ = hand_tx.send(responder);
            // Ignored: the responder answers.
            Response::error(samp::ErrInfo::new("must not be sent"))
        }
    })
    .await
    .unwrap();
    let t = tokio::spawn({
        let tx = tx.clone();
        let id = id.clone();
        async move {
            tx.call_and_wait(&id, Message::new("test.later"), WAIT)
                .await
        }
    });
    let responder = guard(hand_rx.recv()).await.unwrap();
    assert!(responder.msg_id().is_some());
    let mut result = Map::new();
    result.insert("late".into(), "1".into());
    responder.reply(result.clone()).await.unwrap();
    let r = guard(t).await.unwrap().unwrap();
    assert_eq!(r.result, Some(result));

    // A responder dropped unused still answers, with samp.error.
    let t = tokio::spawn({
        let tx = tx.clone();
        async move {
            tx.call_and_wait(&id, Message::new("test.later"), WAIT)
                .await
        }
    });
    drop(guard(hand_rx.recv()).await.unwrap());
    let r = guard(t).await.unwrap().unwrap();
    assert!(errortxt(&r).contains("without replying"), "{r:?}");
}

#[tokio::test]
async fn wrong_private_keys_and_spoofed_hub_messages_are_refused() {
    let hub = hub().await;
    let (rx, _id, tx) = pair(&hub).await;
    let url = rx.callback_url().unwrap();
    let key = rx.private_key().unwrap();
    let http = HttpClient::new();
    let note = |mtype: &str| Message::new(mtype).to_value();

    let e = http
        .call(
            &url,
            "samp.client.receiveNotification",
            &[&"k:wrong", &"hub", &note("x.y")],
            Some(WAIT),
        )
        .await;
    assert!(
        matches!(&e, Err(CallError::Fault(f)) if f.message.contains("private key")),
        "{e:?}"
    );
    let e = http.call(&url, "samp.client.bogus", &[], Some(WAIT)).await;
    assert!(matches!(e, Err(CallError::Fault(_))), "{e:?}");

    // A shutdown event from someone other than the hub is ignored...
    let spoofer = tx.public_id().unwrap();
    http.call(
        &url,
        "samp.client.receiveNotification",
        &[&key, &spoofer, &note("samp.hub.event.shutdown")],
        Some(WAIT),
    )
    .await
    .unwrap();
    assert!(rx.is_registered());
    let r = tx
        .call_and_wait(
            &rx.public_id().unwrap(),
            Message::new("samp.app.ping"),
            WAIT,
        )
        .await
        .unwrap();
    assert!(r.is_ok(), "still registered and serving");

    // samp.hub.disconnect from the hub ends the registration.
    http.call(
        &url,
        "samp.client.receiveNotification",
        &[
            &key,
            &rx.hub_id().unwrap(),
            &Message::new("samp.hub.disconnect").param("reason", "test"),
        ],
        Some(WAIT),
    )
    .await
    .unwrap();
    assert_eq!(
        guard(rx.disconnected()).await,
        Some(SessionEnd::Disconnected(Some("test".into())))
    );
    assert!(!rx.is_registered());
}

#[tokio::test]
async fn raw_handler_takes_over() {
    struct Raw {
        calls: Arc<AtomicUsize>,
    }
    impl RawHandler for Raw {
        fn receive_call(&self, client: &Client, sender: ClientId, msg_id: MsgId, message: Message) {
            if message.mtype == "raw.call" {
                self.calls.fetch_add(1, Ordering::SeqCst);
                let client = client.clone();
                tokio::spawn(async move {
                    let mut m = Map::new();
                    m.insert("raw".into(), "1".into());
                    client.reply(&msg_id, Response::ok(m)).await.unwrap();
                });
            } else {
                client.handle_call(sender, msg_id, message);
            }
        }
    }
    let hub = hub().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let rx = builder(&hub)
        .raw_handler(Raw {
            calls: calls.clone(),
        })
        .connect()
        .await
        .unwrap();
    rx.declare_subscriptions(Subscriptions::from_patterns(["raw.call"]).unwrap())
        .await
        .unwrap();
    let id = rx.public_id().unwrap();
    let tx = builder(&hub).callable(false).connect().await.unwrap();
    let r = tx
        .call_and_wait(&id, Message::new("raw.call"), WAIT)
        .await
        .unwrap();
    assert_eq!(r.result.unwrap()["raw"], Value::from("1"));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    // The defaults still run for everything else.
    let r = tx
        .call_and_wait(&id, Message::new("samp.app.ping"), WAIT)
        .await
        .unwrap();
    assert!(r.is_ok());
}

#[tokio::test]
async fn handlers_can_use_the_client() {
    let hub = hub().await;
    let (rx, id, tx) = pair(&hub).await;
    let (done_tx, done_rx) = oneshot::channel::<Vec<ClientId>>();
    let done_tx = Arc::new(std::sync::Mutex::new(Some(done_tx)));
    rx.bind_notification("test.ask", move |ctx: Context, _p: Map| {
        let done_tx = done_tx.clone();
        async move {
            let clients = ctx.client().registered_clients().await.unwrap();
            if let Some(tx) = done_tx.lock().unwrap().take() {
                let _ = tx.send(clients);
            }
        }
    })
    .await
    .unwrap();
    tx.notify(&id, Message::new("test.ask")).await.unwrap();
    let clients = guard(done_rx).await.unwrap();
    assert!(clients.contains(&tx.public_id().unwrap()));
}
