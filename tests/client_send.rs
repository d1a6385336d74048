//! Sending: `call` futures, `call_all` streams, tagged calls with bound response
//! handlers, messages from `Serialize` params — through the in-process hub.

use std::time::Duration;

use samp::hub::RunningHub;
use samp::protocol::{ClientId, MsgTag};
use samp::{Client, Context, Error, Map, Message, Response, Value};
use tokio::sync::mpsc;

mod common;
use common::{WAIT, builder, guard, hub, never_answers};

/// A callable client answering `test.echo` with its params and `test.whoami` with its id.
async fn echo(hub: &RunningHub) -> (Client, ClientId) {
    let c = builder(hub).connect().await.unwrap();
    c.bind_call("test.echo", |_ctx: Context, params: Map| async move {
        Response::ok(params)
    })
    .await
    .unwrap();
    c.bind_call("test.whoami", |ctx: Context, _p: Map| async move {
        let mut m = Map::new();
        m.insert("id".into(), Value::from(ctx.client().public_id().unwrap()));
        m
    })
    .await
    .unwrap();
    let id = c.public_id().unwrap();
    (c, id)
}

#[tokio::test]
async fn call_resolves_to_the_response() {
    let hub = hub().await;
    let (_e, id) = echo(&hub).await;
    let me = builder(&hub).connect().await.unwrap();
    let pending = me
        .call(&id, Message::new("test.echo").param("k", "v"), WAIT)
        .await
        .unwrap();
    assert!(!pending.msg_id().as_str().is_empty());
    let r = guard(pending).await.unwrap();
    assert_eq!(r.result.unwrap()["k"], Value::from("v"));

    // Many concurrent calls each get their own response.
    let mut pendings = Vec::new();
    for i in 0..20 {
        let p = me
            .call(
                &id,
                Message::new("test.echo").param("i", i.to_string()),
                WAIT,
            )
            .await
            .unwrap();
        pendings.push((i, p));
    }
    for (i, p) in pendings {
        let r = guard(p).await.unwrap();
        assert_eq!(r.result.unwrap()["i"], Value::from(i.to_string()));
    }
}

#[tokio::test]
async fn call_all_streams_responses_until_all_answer() {
    let hub = hub().await;
    let (_a, a) = echo(&hub).await;
    let (_b, b) = echo(&hub).await;
    let me = builder(&hub).connect().await.unwrap();
    let mut stream = me
        .call_all(Message::new("test.whoami"), WAIT)
        .await
        .unwrap();
    assert_eq!(stream.recipients().keys().cloned().collect::<Vec<_>>(), {
        let mut v = vec![a.clone(), b.clone()];
        v.sort();
        v
    });
    let mut seen = Vec::new();
    while let Some(item) = guard(stream.next()).await {
        let (from, r) = item.unwrap();
        assert_eq!(r.result.unwrap()["id"], Value::from(&from));
        seen.push(from);
    }
    seen.sort();
    assert_eq!(seen.len(), 2);
    assert_eq!(stream.outstanding().count(), 0);
}

#[tokio::test]
async fn call_all_stops_at_the_timeout_and_says_who_is_missing() {
    let hub = hub().await;
    let (_a, a) = echo(&hub).await;
    let silent = builder(&hub).connect().await.unwrap();
    never_answers(&silent, "test.whoami").await;
    let me = builder(&hub).connect().await.unwrap();
    let mut stream = me
        .call_all(Message::new("test.whoami"), Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(stream.recipients().len(), 2);
    // The stream ends (at the timeout) although one recipient never answers; only
    // the other can have answered (no assumption on how fast).
    while let Some(item) = guard(stream.next()).await {
        assert_eq!(item.unwrap().0, a);
    }
    let silent_id = silent.public_id().unwrap();
    assert!(stream.outstanding().any(|id| *id == silent_id));
}

#[tokio::test]
async fn tagged_calls_go_to_bound_response_handlers() {
    let hub = hub().await;
    let (_e, id) = echo(&hub).await;
    let me = builder(&hub).connect().await.unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    me.bind_response(
        "my-tag",
        move |client: Client, from: ClientId, tag: MsgTag, r: Response| {
            let tx = tx.clone();
            async move {
                let _ = tx.send((client.public_id(), from, tag, r));
            }
        },
    )
    .unwrap();
    let tag = MsgTag::new("my-tag");
    let msg_id = me
        .call_with_tag(&id, &tag, Message::new("test.echo").param("n", "1"))
        .await
        .unwrap();
    assert!(!msg_id.as_str().is_empty());
    let (me_id, from, got_tag, r) = guard(rx.recv()).await.unwrap();
    assert_eq!(me_id, me.public_id());
    assert_eq!((from, got_tag), (id.clone(), tag.clone()));
    assert_eq!(r.result.unwrap()["n"], Value::from("1"));

    // The binding stays for later calls, and for broadcasts with the same tag.
    let ids = me
        .call_all_with_tag(&tag, Message::new("test.echo"))
        .await
        .unwrap();
    assert_eq!(ids.len(), 1);
    guard(rx.recv()).await.unwrap();

    assert!(me.unbind_response("my-tag"));
    assert!(!me.unbind_response("my-tag"));
}

#[tokio::test]
async fn pending_calls_fail_when_the_registration_ends() {
    let hub = hub().await;
    let silent = builder(&hub).connect().await.unwrap();
    never_answers(&silent, "test.never").await;
    let me = builder(&hub).connect().await.unwrap();
    let pending = me
        .call(
            &silent.public_id().unwrap(),
            Message::new("test.never"),
            WAIT,
        )
        .await
        .unwrap();
    me.unregister().await.unwrap();
    let e = guard(pending).await.unwrap_err();
    assert!(matches!(e, Error::Disconnected { .. }), "{e}");
    assert!(e.to_string().contains("register again"), "{e}");
}

#[derive(serde::Serialize)]
#[serde(rename_all = "kebab-case")]
struct Load {
    url: String,
    table_id: Option<String>,
    row_list: Vec<u32>,
    visible: bool,
}

#[tokio::test]
async fn messages_from_serialize_params() {
    let hub = hub().await;
    let (_e, id) = echo(&hub).await;
    let me = builder(&hub).callable(false).connect().await.unwrap();
    let msg = Message::from_params(
        "test.echo",
        &Load {
            url: "file:///t.vot".into(),
            table_id: None,
            row_list: vec![1, 2],
            visible: true,
        },
    )
    .unwrap();
    let r = me.call_and_wait(&id, &msg, WAIT).await.unwrap();
    let result = r.result.unwrap();
    assert_eq!(result["url"], Value::from("file:///t.vot"));
    assert!(!result.contains_key("table-id"));
    assert_eq!(
        result["row-list"],
        Value::List(vec!["1".into(), "2".into()])
    );
    assert_eq!(result["visible"], Value::from("1"));

    let e = Message::from_params("a.b", "just a string").unwrap_err();
    assert!(e.to_string().starts_with("params of a.b: "), "{e}");
    let e = Message::from_params("a.b", &[("x", f64::NAN)]).unwrap_err();
    assert!(e.to_string().contains("a.b"), "{e}");
    assert!(matches!(Error::from(e), Error::Decode { .. }));
}

#[tokio::test]
async fn text_xml_cannot_carry_is_refused_before_sending() {
    let hub = hub().await;
    let (_echo, id) = echo(&hub).await;
    let me = builder(&hub).callable(false).connect().await.unwrap();
    let bell = Message::new("test.echo").param("x", "ring \u{7} ring");
    let e = me.notify(&id, bell).await.unwrap_err();
    assert!(matches!(e, Error::Unsendable { .. }), "{e}");
    assert!(e.to_string().contains("U+0007"), "{e}");
    assert!(std::error::Error::source(&e).is_some());
    // The client is still fine.
    me.notify(&id, Message::new("test.echo")).await.unwrap();
}

#[tokio::test]
async fn call_and_wait_all_collects_every_answer_and_the_silence() {
    let hub = hub().await;
    let (_a, a) = echo(&hub).await;
    let (_b, b) = echo(&hub).await;
    let silent = builder(&hub).connect().await.unwrap();
    never_answers(&silent, "test.whoami").await;
    let quiet = silent.public_id().unwrap();
    // Non-callable: everything goes through callAndWait.
    let me = builder(&hub).callable(false).connect().await.unwrap();
    let answers =
        guard(me.call_and_wait_all(Message::new("test.whoami"), Duration::from_millis(10)))
            .await
            .unwrap();
    let mut called = answers.recipients().to_vec();
    called.sort();
    let mut want = vec![a.clone(), b.clone(), quiet.clone()];
    want.sort();
    assert_eq!(called, want);
    let all = guard(answers.collect_all()).await;
    assert_eq!(all.len(), 3);
    for id in [&a, &b] {
        let r = all[id].as_ref().unwrap();
        assert_eq!(r.result.as_ref().unwrap()["id"], Value::from(id.as_str()));
    }
    assert!(
        matches!(all[&quiet], Err(Error::Timeout { .. })),
        "{:?}",
        all[&quiet]
    );
}
