//! Unit tests of the client pieces that need no hub; the end-to-end behaviour is tested
//! against the in-process hub in the workspace's `tests/client_*.rs`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use super::dispatch::{DispatchTable, Entry, ErasedFn, Origin, table_from};
use super::registry::{HandlerFuture, HandlerKind, Registration};
use super::response::{decode_fast, decode_for};
use super::routing::{Delivery, ResponseStream, Route, Routes};
use super::*;
use samp_http::CallError;
use samp_protocol::map;
use samp_protocol::standard::HubMethod;
use samp_protocol::xmlrpc::Fault;
use samp_protocol::{ErrInfo, MTypePattern, MsgId, MsgTag, Response, Status};
use samp_protocol::{Map, Value};

fn assert_traits<T: Clone + Send + Sync + 'static>() {}
fn assert_send<T: Send + 'static>() {}

#[test]
fn handles_are_shareable() {
    assert_traits::<Client>();
    assert_traits::<Context>();
    assert_traits::<Error>();
    assert_send::<Responder>();
    assert_send::<PendingResponse>();
    assert_send::<ResponseStream>();
    assert_send::<ClientBuilder>();
}

fn entry(pattern: &str, tag: &'static str) -> Entry {
    let handler: ErasedFn = Arc::new(move |_ctx, _params| {
        Box::pin(async move { Response::ok(map! { "by" => tag }.into_map().unwrap_or_default()) })
    });
    Entry {
        pattern: MTypePattern::parse(pattern).unwrap(),
        handler,
        annotations: Map::new(),
        origin: Origin::Runtime,
    }
}

fn found(table: &DispatchTable, kind: HandlerKind, mtype: &str) -> Option<String> {
    table
        .find(kind, mtype)
        .map(|e| e.pattern.as_str().to_owned())
}

#[test]
fn dispatch_picks_the_most_specific_pattern_per_kind() {
    let mut t = DispatchTable::default();
    for p in ["*", "table.*", "table.load.*", "table.load.votable"] {
        t.insert(HandlerKind::Call, entry(p, "x"));
    }
    t.insert(HandlerKind::Notification, entry("coord.*", "n"));
    let call = |m| found(&t, HandlerKind::Call, m);
    assert_eq!(
        call("table.load.votable").as_deref(),
        Some("table.load.votable")
    );
    assert_eq!(call("table.load.fits").as_deref(), Some("table.load.*"));
    assert_eq!(call("table.highlight.row").as_deref(), Some("table.*"));
    assert_eq!(call("table").as_deref(), Some("*"));
    assert_eq!(
        found(&t, HandlerKind::Notification, "table.load.fits"),
        None
    );
    assert_eq!(
        found(&t, HandlerKind::Notification, "coord.pointAt.sky").as_deref(),
        Some("coord.*")
    );
    assert!(t.remove(HandlerKind::Call, "table.load.votable"));
    assert!(!t.remove(HandlerKind::Call, "table.load.votable"));
    assert_eq!(
        found(&t, HandlerKind::Call, "table.load.votable").as_deref(),
        Some("table.load.*")
    );
}

#[test]
fn subscriptions_merge_bindings_extras_and_implicit_ones() {
    let mut t = DispatchTable::default();
    let mut annotated = entry("image.*", "i");
    annotated
        .annotations
        .insert("x-samp.mostly-harmless".into(), "1".into());
    t.insert(HandlerKind::Notification, annotated);
    let mut call_side = entry("image.*", "i");
    call_side.annotations.insert("k".into(), "v".into());
    t.insert(HandlerKind::Call, call_side);
    // Bound with declare(false): still subscribed at the next declaration (sampy's rule).
    t.insert(HandlerKind::Call, entry("quiet.x", "q"));
    let extra = samp_protocol::Subscriptions::from_patterns(["extra.y"]).unwrap();
    let subs = t.subscriptions(&extra);
    let keys: Vec<&str> = subs.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        keys,
        [
            "extra.y",
            "image.*",
            "quiet.x",
            "samp.app.ping",
            "samp.hub.disconnect",
            "samp.hub.event.shutdown",
            "samp.msg.progress"
        ]
    );
    let image = subs.get("image.*").unwrap();
    assert_eq!(image["x-samp.mostly-harmless"], Value::from("1"));
    assert_eq!(image["k"], Value::from("v"));
}

fn h(_ctx: Context, _params: Map) -> HandlerFuture {
    Box::pin(async { Response::ok_empty() })
}

const fn reg(mtype: &'static str, fn_name: &'static str, line: u32) -> Registration {
    Registration {
        mtype,
        kind: HandlerKind::Call,
        handler: h,
        requirements: Vec::new,
        annotations: &[("a", "b")],
        group: Some("unit-tests"),
        fn_name,
        module_path: "my_app::viewer::tables",
        file: "src/viewer.rs",
        line,
    }
}

static A: Registration = reg("x.y", "load_a", 10);
static B: Registration = reg("x.y", "load_b", 20);
static C: Registration = reg("x.*", "load_c", 30);

#[test]
fn registrations_by_module_and_duplicates() {
    assert!(A.is_in_module("my_app"));
    assert!(A.is_in_module("my_app::viewer"));
    assert!(A.is_in_module("my_app::viewer::tables"));
    assert!(!A.is_in_module("my_app::view"));
    assert!(!A.is_in_module("my_app::viewer::tables::inner"));
    assert_eq!(A.location(), "fn load_a (src/viewer.rs:10)");

    let t = table_from(&[&A, &C]).unwrap();
    let e = t.find(HandlerKind::Call, "x.y").unwrap();
    assert_eq!(e.annotations["a"], Value::from("b"));
    assert!(matches!(e.origin, Origin::Static(r) if std::ptr::eq(r, &A)));
    let err = table_from(&[&A, &C, &B]).err().unwrap();
    assert!(err.contains("fn load_a (src/viewer.rs:10)"), "{err}");
    assert!(err.contains("fn load_b (src/viewer.rs:20)"), "{err}");
    assert!(err.contains("`x.y`"), "{err}");

    // The builder takes the same path.
    let e = Client::builder()
        .no_static_handlers()
        .static_handler(&A)
        .static_handler(&B)
        .build()
        .unwrap_err();
    assert!(matches!(e, Error::Config(_)));
    // Giving the same registration twice is not a duplicate.
    Client::builder()
        .no_static_handlers()
        .static_handler(&A)
        .static_handler(&A)
        .build()
        .unwrap();
}

#[derive(serde::Deserialize, Debug, PartialEq)]
struct At {
    ra: f64,
    dec: Option<f64>,
}

#[test]
fn params_decode_or_explain() {
    let params = map! { "ra" => "1.5", "x" => "y" }.into_map().unwrap();
    let at: At = decode_for("coord.pointAt.sky", params.clone()).unwrap();
    assert_eq!(at, At { ra: 1.5, dec: None });
    let raw: Map = decode_fast("a.b", params.clone()).unwrap();
    assert_eq!(raw, params);
    let typed: At = decode_fast("a.b", params).unwrap();
    assert_eq!(typed.ra, 1.5);

    let bad = map! { "ra" => "abc" }.into_map().unwrap();
    let r = decode_for::<At>("table.load.votable", bad).unwrap_err();
    assert_eq!(r.status, Status::Error);
    let text = r.error.unwrap().errortxt;
    assert!(
        text.starts_with(
            r#"table.load.votable: params did not decode: at `ra`: invalid SAMP float "abc""#
        ),
        "{text}"
    );
}

#[test]
fn handler_results_become_responses() {
    assert_eq!(().into_response(), Response::ok_empty());
    let m = map! { "k" => "v" }.into_map().unwrap();
    assert_eq!(m.clone().into_response(), Response::ok(m.clone()));
    let e = ErrInfo::new("bad").into_response();
    assert_eq!(e.status, Status::Error);
    let r: std::result::Result<Map, String> = Err("nope".into());
    assert_eq!(r.into_response().error.unwrap().errortxt, "nope");
    let r: Result<()> = Err(Error::msg("app failure"));
    assert_eq!(r.into_response().error.unwrap().errortxt, "app failure");
    let resp: Response = Error::NotRegistered.into();
    assert!(resp.error.unwrap().errortxt.contains("not registered"));
}

#[test]
fn errors_say_what_to_do() {
    let fault = Error::from_hub_call(
        HubMethod::Notify,
        CallError::Fault(Fault::new("not subscribed")),
    );
    assert!(matches!(
        &fault,
        Error::HubFault {
            method: HubMethod::Notify,
            code: 1,
            ..
        }
    ));
    let text = fault.to_string();
    assert!(
        text.contains("samp.hub.notify") && text.contains("not subscribed"),
        "{text}"
    );

    let timeout = Error::from_hub_call(
        HubMethod::CallAndWait,
        CallError::Timeout {
            url: "http://h".into(),
            timeout: Duration::from_secs(3),
        },
    );
    assert!(matches!(timeout, Error::Timeout { .. }));
    assert!(timeout.to_string().contains("retry"), "{timeout}");

    let transport = Error::from_hub_call(
        HubMethod::Ping,
        CallError::Transport {
            url: "http://h".into(),
            reason: "refused".into(),
            source: std::sync::Arc::new(std::io::Error::other("refused")),
        },
    );
    assert!(std::error::Error::source(&transport).is_some());
    assert!(
        transport.to_string().contains("still running"),
        "{transport}"
    );
    let malformed = Error::from_hub_call(
        HubMethod::Ping,
        CallError::Malformed {
            url: "http://h".into(),
            source: samp_protocol::xmlrpc::parse_response(b"junk").unwrap_err(),
        },
    );
    assert!(matches!(malformed, Error::Protocol { .. }), "{malformed}");

    let nohub = Error::NoHub {
        looked: "/home/u/.samp".into(),
        reason: "no lockfile there; start a hub".into(),
        source: None,
    };
    assert_eq!(
        nohub.to_string(),
        "no SAMP hub at /home/u/.samp: no lockfile there; start a hub"
    );
    assert!(Error::NotRegistered.to_string().contains("register()"));
    let wrapped = Error::other(std::io::Error::other("disk full"));
    assert_eq!(wrapped.to_string(), "disk full");
    assert!(std::error::Error::source(&wrapped).is_some());
}

#[test]
fn routes_deliver_once_or_keep_going() {
    let mut routes = Routes::default();
    let (once_tx, _once_rx) = oneshot::channel();
    let (many_tx, _many_rx) = mpsc::unbounded_channel();
    routes.insert(&MsgTag::new("once"), Route::Once(once_tx));
    routes.insert(&MsgTag::new("many"), Route::Many(many_tx));
    routes.insert(
        &MsgTag::new("bound"),
        Route::Bound(Arc::new(|_c, _id, _tag, _r| Box::pin(async {}))),
    );
    assert!(matches!(routes.deliver("once"), Some(Delivery::Once(_))));
    assert!(routes.deliver("once").is_none());
    assert!(matches!(routes.deliver("many"), Some(Delivery::Many(_))));
    assert!(matches!(routes.deliver("many"), Some(Delivery::Many(_))));
    routes.drop_waiters();
    assert!(routes.deliver("many").is_none());
    assert!(matches!(routes.deliver("bound"), Some(Delivery::Bound(_))));
    assert!(routes.deliver("unknown").is_none());
}

#[tokio::test]
async fn response_streams_end_when_all_answer_or_at_the_timeout() {
    let ids: BTreeMap<_, _> = ["a", "b", "c"]
        .into_iter()
        .map(|i| (ClientId::new(i), MsgId::new(format!("m-{i}"))))
        .collect();
    let (tx, rx) = mpsc::unbounded_channel();
    let mut s = ResponseStream::new(
        rx,
        ids,
        Duration::from_millis(50),
        MsgTag::new("t"),
        std::sync::Weak::new(),
    );
    tx.send((ClientId::new("b"), Response::ok_empty())).unwrap();
    tx.send((ClientId::new("b"), Response::ok_empty())).unwrap(); // duplicate: ignored
    tx.send((ClientId::new("zz"), Response::ok_empty()))
        .unwrap(); // stranger: ignored
    tx.send((ClientId::new("a"), Response::ok_empty())).unwrap();
    assert_eq!(s.next().await.unwrap().unwrap().0.as_str(), "b");
    assert_eq!(s.next().await.unwrap().unwrap().0.as_str(), "a");
    // "c" never answers: the stream ends at the timeout.
    assert!(s.next().await.is_none());
    assert_eq!(
        s.outstanding().map(ClientId::as_str).collect::<Vec<_>>(),
        ["c"]
    );
    assert!(s.next().await.is_none(), "stays ended");
    drop(tx);
}

#[tokio::test]
async fn response_streams_fail_when_the_registration_ends() {
    let ids: BTreeMap<_, _> = [(ClientId::new("a"), MsgId::new("m"))].into();
    let (tx, rx) = mpsc::unbounded_channel();
    let mut s = ResponseStream::new(rx, ids, WAIT_LONG, MsgTag::new("t"), std::sync::Weak::new());
    drop(tx); // what drop_waiters does when the registration ends
    let e = s.next().await.unwrap().unwrap_err();
    assert!(matches!(e, Error::Disconnected { .. }), "{e}");
    assert!(s.next().await.is_none());
}

const WAIT_LONG: Duration = Duration::from_secs(60);

#[tokio::test]
async fn unregistered_clients_refuse_hub_operations() {
    let client = Client::builder().no_static_handlers().build().unwrap();
    assert!(!client.is_registered() && !client.is_running());
    assert_eq!(client.public_id(), None);
    assert!(matches!(client.hub(), Err(Error::NotRegistered)));
    let e = client
        .notify(&ClientId::new("c1"), samp_protocol::Message::new("a.b"))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::NotRegistered));
    // Binding before registering only records the handler.
    client
        .bind_call("a.b", |_ctx: Context, _p: Map| async {})
        .await
        .unwrap();
    assert!(client.subscriptions().get("a.b").is_some());
    assert_eq!(client.disconnected().await, None);
    client.run().await.unwrap();
}

#[test]
fn errors_stay_small() {
    // Every `samp::Result` carries one; clippy's `result_large_err` draws the line at 128.
    assert!(
        std::mem::size_of::<Error>() <= 112,
        "{}",
        std::mem::size_of::<Error>()
    );
}

#[test]
fn handler_errors_keep_their_code() {
    let r: std::result::Result<(), ErrInfo> = Err(ErrInfo::new("gone").code("404").usertxt("u"));
    let e = r.into_response().error.unwrap();
    assert_eq!(
        (e.code.as_deref(), e.usertxt.as_deref()),
        (Some("404"), Some("u"))
    );
    let r: Result<()> = Err(Error::from(ErrInfo::new("nope").code("7")));
    assert_eq!(r.into_response().error.unwrap().code.as_deref(), Some("7"));
    let r: std::result::Result<(), std::io::Error> = Err(std::io::Error::other("disk"));
    assert_eq!(r.into_response().error.unwrap().errortxt, "disk");
}

#[tokio::test]
async fn no_route_is_left_behind() {
    let hub = samp_hub::Hub::builder()
        .no_lockfile()
        .start()
        .await
        .unwrap();
    let connect = || {
        Client::builder()
            .lock_info(hub.lock_info().clone())
            .no_static_handlers()
            .connect()
    };
    let silent = connect().await.unwrap();
    silent
        .bind_call("test.never", |ctx: Context| async move {
            let parked = ctx.reply_later();
            std::future::pending::<()>().await;
            drop(parked);
        })
        .await
        .unwrap();
    let to = silent.public_id().unwrap();
    let me = connect().await.unwrap();
    let routes = |c: &Client| (lock(&c.inner.routes).len(), lock(&c.inner.progress).len());
    let never = || samp_protocol::Message::new("test.never");

    // A call that times out.
    let e = me
        .call(&to, never(), Duration::from_millis(50))
        .await
        .unwrap()
        .await;
    assert!(matches!(e, Err(Error::Timeout { .. })), "{e:?}");
    assert_eq!(routes(&me), (0, 0));
    // A call given up on (dropped).
    drop(me.call(&to, never(), WAIT_LONG).await.unwrap());
    assert_eq!(routes(&me), (0, 0));
    // A broadcast that times out, and one dropped early.
    let s = me
        .call_all(never(), Duration::from_millis(50))
        .await
        .unwrap();
    assert_eq!(s.collect_all().await.unwrap().len(), 0);
    assert_eq!(routes(&me), (0, 0));
    drop(me.call_all(never(), WAIT_LONG).await.unwrap());
    assert_eq!(routes(&me), (0, 0));
    // A call answered.
    let r = me
        .call(
            &me.hub_id().unwrap(),
            samp_protocol::Message::new("samp.app.ping"),
            WAIT_LONG,
        )
        .await
        .unwrap()
        .await
        .unwrap();
    assert!(r.is_ok());
    assert_eq!(routes(&me), (0, 0));
    // The application's tags keep out of the client's own namespace.
    let e = me
        .call_with_tag(&to, &MsgTag::new("samp-rs.auto.1"), never())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Config(_)), "{e}");
}
