//! Static registrations (what `#[samp::call]` / `#[samp::notification]` generate),
//! submitted by hand here: selection by group and module, duplicates, explicit
//! registration, and run-time bindings replacing them.

use samp::client::ClientBuilder;
use samp::hub::RunningHub;
use samp::protocol::Status;
use samp::{Client, Context, Error, Map, Message, Response, Value};
use samp_runtime::client::registry::{
    HandlerFuture, HandlerKind, Registration, StateRequirement, call_handler,
};

mod common;
use common::{WAIT, hub};

fn echo(_ctx: Context, params: Map) -> HandlerFuture {
    Box::pin(async move { Response::ok(params) })
}

#[derive(serde::Deserialize)]
struct PointAt {
    ra: f64,
}

fn typed(ctx: Context, params: Map) -> HandlerFuture {
    // Through the one pipeline, as the macros' adapters do.
    call_handler(
        |p: PointAt| async move {
            let mut m = Map::new();
            m.insert("ra".into(), format!("{}", p.ra * 2.0).into());
            m
        },
        ctx,
        params,
    )
}

fn needs_nothing() -> Vec<StateRequirement> {
    Vec::new()
}

fn panics(_ctx: Context, _params: Map) -> HandlerFuture {
    Box::pin(async move { panic!("static boom") })
}

fn tagged(_ctx: Context, _params: Map) -> HandlerFuture {
    Box::pin(async move {
        let mut m = Map::new();
        m.insert("by".into(), "explicit".into());
        Response::ok(m)
    })
}

macro_rules! register {
    ($mtype:expr, $kind:ident, $handler:ident, $group:expr) => {
        inventory::submit! {
            Registration {
                mtype: $mtype,
                kind: HandlerKind::$kind,
                handler: $handler,
                requirements: needs_nothing,
                annotations: &[("x-samp.mostly-harmless", "1")],
                group: $group,
                fn_name: stringify!($handler),
                module_path: module_path!(),
                file: file!(),
                line: line!(),
            }
        }
    };
}

register!("static.echo", Call, echo, Some("main"));
register!("static.typed", Call, typed, Some("main"));
register!("static.panic", Call, panics, Some("main"));
register!("static.note", Notification, echo, Some("main"));
register!("dup.x", Call, echo, Some("dup"));
register!("dup.x", Call, typed, Some("dup"));

mod other_mod {
    use super::*;
    register!("other.echo", Call, echo, None);
}

static EXPLICIT: Registration = Registration {
    mtype: "explicit.call",
    kind: HandlerKind::Call,
    handler: tagged,
    requirements: needs_nothing,
    annotations: &[],
    group: None,
    fn_name: "tagged",
    module_path: module_path!(),
    file: file!(),
    line: line!(),
};

fn builder(hub: &RunningHub) -> ClientBuilder {
    Client::builder().lock_info(hub.lock_info().clone())
}

async fn sender(hub: &RunningHub) -> Client {
    builder(hub)
        .no_static_handlers()
        .callable(false)
        .connect()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_group_is_dispatched_and_subscribed() {
    let hub = hub().await;
    let rx = builder(&hub).handler_group("main").connect().await.unwrap();
    let id = rx.public_id().unwrap();
    let tx = sender(&hub).await;

    let subs = tx.client_subscriptions(&id).await.unwrap();
    assert_eq!(
        subs.get("static.echo").unwrap()["x-samp.mostly-harmless"],
        Value::from("1")
    );
    assert!(subs.get("static.note").is_some());
    assert!(subs.get("dup.x").is_none() && subs.get("other.echo").is_none());

    let r = tx
        .call_and_wait(&id, Message::new("static.echo").param("a", "1"), WAIT)
        .await
        .unwrap();
    assert_eq!(r.result.unwrap()["a"], Value::from("1"));
    let r = tx
        .call_and_wait(&id, Message::new("static.typed").param("ra", "1.5"), WAIT)
        .await
        .unwrap();
    assert_eq!(r.result.unwrap()["ra"], Value::from("3"));
    let r = tx
        .call_and_wait(&id, Message::new("static.typed").param("ra", "x"), WAIT)
        .await
        .unwrap();
    let text = r.error.unwrap().errortxt;
    assert!(
        text.starts_with("static.typed: params did not decode: at `ra`: invalid SAMP float"),
        "{text}"
    );
    let r = tx
        .call_and_wait(&id, Message::new("static.panic"), WAIT)
        .await
        .unwrap();
    assert_eq!(r.status, Status::Error);
    assert!(r.error.unwrap().errortxt.contains("static boom"));
    // Still serving.
    let r = tx
        .call_and_wait(&id, Message::new("static.echo"), WAIT)
        .await
        .unwrap();
    assert!(r.is_ok());

    // A run-time binding replaces the static handler of the same MType.
    rx.bind_call("static.echo", |_ctx: Context, _p: Map| async {
        Response::ok(Map::new()).extra("x-by", "runtime")
    })
    .await
    .unwrap();
    let r = tx
        .call_and_wait(&id, Message::new("static.echo").param("a", "1"), WAIT)
        .await
        .unwrap();
    assert_eq!(r.extra["x-by"], Value::from("runtime"));
    // And static handlers can be unbound.
    assert!(rx.unbind_call("static.typed").await.unwrap());
    let subs = tx.client_subscriptions(&id).await.unwrap();
    assert!(subs.get("static.typed").is_none());
}

#[tokio::test]
async fn duplicate_registrations_are_refused_naming_both() {
    let e = Client::builder().build().unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, Error::Config(_)), "{text}");
    assert!(text.contains("`dup.x`"), "{text}");
    assert!(
        text.contains("fn echo (tests/client_static.rs:")
            && text.contains("fn typed (tests/client_static.rs:"),
        "{text}"
    );
    let e = Client::builder().handler_group("dup").build().unwrap_err();
    assert!(e.to_string().contains("dup.x"));
    // Choosing another set avoids the clash.
    Client::builder().handler_group("main").build().unwrap();
}

#[tokio::test]
async fn selection_by_module_and_explicit_registration() {
    let hub = hub().await;
    let rx = builder(&hub)
        .handlers_in_module("client_static::other_mod")
        .connect()
        .await
        .unwrap();
    let subs = rx.subscriptions();
    assert!(subs.get("other.echo").is_some());
    assert!(subs.get("static.echo").is_none());
    // A prefix must end at a module boundary.
    let none = builder(&hub)
        .handlers_in_module("client_static::other")
        .build()
        .unwrap();
    assert!(none.subscriptions().get("other.echo").is_none());

    let rx = builder(&hub)
        .no_static_handlers()
        .static_handler(&EXPLICIT)
        .connect()
        .await
        .unwrap();
    assert!(rx.subscriptions().get("static.echo").is_none());
    let tx = sender(&hub).await;
    let r = tx
        .call_and_wait(
            &rx.public_id().unwrap(),
            Message::new("explicit.call"),
            WAIT,
        )
        .await
        .unwrap();
    assert_eq!(r.result.unwrap()["by"], Value::from("explicit"));
}
