//! The one handler pipeline end to end: closures with every argument order and every kind
//! of reply, application state, typed vocabulary messages and results, progress reports.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use samp::client::Reply;
use samp::mtypes::{ClientEnvGet, ClientEnvGetResult, CoordPointAtSky, TableHighlightRow};
use samp::protocol::Status;
use samp::{ClientId, Context, ErrInfo, Error, Map, Message, Response, State, Value};
use serde::{Deserialize, Serialize};

mod common;
use common::{WAIT, builder, guard, hub};

#[derive(Clone, Default)]
struct Counter(Arc<AtomicU64>);

#[derive(Clone)]
struct Label(&'static str);

#[derive(Deserialize)]
struct Point {
    ra: f64,
}

#[derive(Serialize)]
struct Doubled {
    ra: f64,
    by: String,
}

/// Binds `pattern` on a fresh client with the state, and returns it and its id.
async fn receiver(hub: &samp::hub::RunningHub) -> (samp::Client, ClientId) {
    let rx = builder(hub)
        .state(Counter::default())
        .state(Label("viewer"))
        .connect()
        .await
        .unwrap();
    let id = rx.public_id().unwrap();
    (rx, id)
}

async fn call(from: &samp::Client, to: &ClientId, message: Message) -> Response {
    from.call_and_wait(to, message, WAIT).await.unwrap()
}

fn point(mtype: &str) -> Message {
    Message::new(mtype).param("ra", "1.5")
}

#[tokio::test]
async fn closures_take_their_arguments_in_any_order() {
    let hub = hub().await;
    let (rx, id) = receiver(&hub).await;
    let tx = builder(&hub).callable(false).connect().await.unwrap();

    rx.bind_call(
        "o.params-state-ctx",
        |p: Point, State(l): State<Label>, ctx: Context| async move {
            Ok::<_, Error>(Doubled {
                ra: p.ra * 2.0,
                by: format!("{} {}", l.0, ctx.mtype()),
            })
        },
    )
    .await
    .unwrap();
    rx.bind_call("o.ctx-params", |ctx: Context, p: Point| async move {
        Reply(Doubled {
            ra: p.ra * 2.0,
            by: ctx.sender().to_string(),
        })
    })
    .await
    .unwrap();
    rx.bind_call("o.state-only", |State(c): State<Counter>| async move {
        let n = c.0.fetch_add(1, Ordering::SeqCst) + 1;
        Map::from([("n".to_owned(), Value::from(n.to_string()))])
    })
    .await
    .unwrap();
    rx.bind_call("o.nothing", || async {}).await.unwrap();
    // Two params arguments: each decodes the params.
    rx.bind_call("o.two-params", |raw: Map, p: Point| async move {
        Reply(Doubled {
            ra: p.ra,
            by: format!("{} keys", raw.len()),
        })
    })
    .await
    .unwrap();

    let r = call(&tx, &id, point("o.params-state-ctx")).await;
    let result = r.result.unwrap();
    assert_eq!(result["ra"], Value::from("3"));
    assert_eq!(result["by"], Value::from("viewer o.params-state-ctx"));
    let r = call(&tx, &id, point("o.ctx-params")).await;
    assert_eq!(
        r.result.unwrap()["by"],
        Value::from(tx.public_id().unwrap().as_str())
    );
    let r = call(&tx, &id, Message::new("o.state-only")).await;
    assert_eq!(r.result.unwrap()["n"], Value::from("1"));
    let r = call(&tx, &id, Message::new("o.state-only")).await;
    assert_eq!(
        r.result.unwrap()["n"],
        Value::from("2"),
        "the state is shared"
    );
    let r = call(&tx, &id, Message::new("o.nothing")).await;
    assert_eq!((r.status, r.result), (Status::Ok, Some(Map::new())));
    let r = call(&tx, &id, point("o.two-params")).await;
    assert_eq!(r.result.unwrap()["by"], Value::from("1 keys"));
    // Params that do not decode: the handler does not run, the sender is told why.
    let r = call(&tx, &id, Message::new("o.ctx-params").param("ra", "east")).await;
    assert_eq!(r.status, Status::Error);
    let text = r.error.unwrap().errortxt;
    assert!(
        text.contains("o.ctx-params") && text.contains("at `ra`"),
        "{text}"
    );
}

#[tokio::test]
async fn every_kind_of_reply() {
    let hub = hub().await;
    let (rx, id) = receiver(&hub).await;
    let tx = builder(&hub).callable(false).connect().await.unwrap();
    rx.bind_call("r.errinfo", |_: Map| async {
        Err::<(), _>(
            ErrInfo::new("gone")
                .usertxt("The table was closed")
                .code("404"),
        )
    })
    .await
    .unwrap();
    rx.bind_call("r.error", |_: Map| async {
        Err::<(), _>(Error::from(ErrInfo::new("refused").code("7")))
    })
    .await
    .unwrap();
    rx.bind_call("r.string", |_: Map| async {
        Err::<Map, _>("plain text".to_owned())
    })
    .await
    .unwrap();
    rx.bind_call("r.io", |_: Map| async {
        Err::<(), _>(std::io::Error::other("disk full"))
    })
    .await
    .unwrap();
    rx.bind_call("r.response", |_: Map| async {
        Response::warning(Map::new(), ErrInfo::new("partly"))
    })
    .await
    .unwrap();
    rx.bind_call("r.ok-response", |_: Map| async {
        Ok::<_, Error>(Response::ok_empty().extra("x-test.note", "kept"))
    })
    .await
    .unwrap();
    rx.bind_call("r.not-a-map", |_: Map| async { Reply(vec![1, 2]) })
        .await
        .unwrap();

    let e = call(&tx, &id, Message::new("r.errinfo"))
        .await
        .error
        .unwrap();
    assert_eq!(
        (e.errortxt.as_str(), e.usertxt.as_deref(), e.code.as_deref()),
        ("gone", Some("The table was closed"), Some("404"))
    );
    let e = call(&tx, &id, Message::new("r.error")).await.error.unwrap();
    assert_eq!(e.code.as_deref(), Some("7"));
    let e = call(&tx, &id, Message::new("r.string"))
        .await
        .error
        .unwrap();
    assert_eq!(e.errortxt, "plain text");
    let e = call(&tx, &id, Message::new("r.io")).await.error.unwrap();
    assert_eq!(e.errortxt, "disk full");
    let r = call(&tx, &id, Message::new("r.response")).await;
    assert_eq!(r.status, Status::Warning);
    let r = call(&tx, &id, Message::new("r.ok-response")).await;
    assert_eq!(r.extra["x-test.note"], Value::from("kept"));
    let r = call(&tx, &id, Message::new("r.not-a-map")).await;
    assert!(r.error.unwrap().errortxt.contains("must be a map"));
}

#[tokio::test]
async fn a_state_type_never_given_is_an_error_when_binding() {
    let hub = hub().await;
    let rx = builder(&hub).connect().await.unwrap();
    #[derive(Clone)]
    struct Missing;
    let e = rx
        .bind_call("s.missing", |State(_m): State<Missing>| async {})
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, Error::Config(_)), "{text}");
    assert!(
        text.contains("s.missing") && text.contains("Missing"),
        "{text}"
    );
    assert!(rx.state::<Missing>().is_none());
    let rx = builder(&hub).state(Counter::default()).build().unwrap();
    assert!(rx.state::<Counter>().is_some());
}

mod typed {
    use super::*;

    /// Highlight a row, MType from the type.
    #[samp::call(group = "typed")]
    pub async fn highlight(row: TableHighlightRow, State(seen): State<Arc<Mutex<Vec<u64>>>>) {
        seen.lock().unwrap().push(row.row);
    }

    /// Answer client.env.get with a typed result.
    #[samp::call(group = "typed")]
    pub fn env(get: ClientEnvGet) -> Result<ClientEnvGetResult, String> {
        match get.name.as_str() {
            "HOME" => Ok(ClientEnvGetResult::new("/home/viewer")),
            other => Err(format!("no variable {other}")),
        }
    }

    /// Slow work, with progress reports.
    #[samp::call("x-test.slow", group = "typed")]
    pub async fn slow(ctx: Context) -> samp::Result<Map> {
        ctx.progress("starting").await?;
        ctx.progress("half way")
            .percent(50.0)
            .time_left(Duration::from_millis(1500))
            .await?;
        Ok(Map::from([("done".to_owned(), Value::from("1"))]))
    }
}

#[tokio::test]
async fn typed_messages_results_and_static_state() {
    let hub = hub().await;
    let seen: Arc<Mutex<Vec<u64>>> = Arc::default();
    let rx = samp::Client::builder()
        .lock_info(hub.lock_info().clone())
        .handler_group("typed")
        .state(seen.clone())
        .connect()
        .await
        .unwrap();
    let id = rx.public_id().unwrap();
    let subs = rx.subscriptions();
    assert!(subs.get("table.highlight.row").is_some());
    assert!(subs.get("client.env.get").is_some());
    let tx = builder(&hub).callable(false).connect().await.unwrap();

    // A typed message reaches a typed handler; its number arrives as a u64.
    tx.notify(&id, TableHighlightRow::new(42u64).table_id("t1"))
        .await
        .unwrap();
    guard(async {
        while seen.lock().unwrap().is_empty() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    assert_eq!(*seen.lock().unwrap(), [42]);

    // A typed call with a typed result.
    let home = tx
        .request(&id, ClientEnvGet::new("HOME"), WAIT)
        .await
        .unwrap();
    assert_eq!(home.value, "/home/viewer");
    let e = tx
        .request(&id, ClientEnvGet::new("PATH"), WAIT)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::Failed(info) if info.errortxt == "no variable PATH"),
        "{e}"
    );

    // The same through a closure with a typed argument.
    let got: Arc<Mutex<Option<(f64, f64)>>> = Arc::default();
    let sink = got.clone();
    rx.bind_notification("coord.pointAt.sky", move |at: CoordPointAtSky| {
        *sink.lock().unwrap() = Some((at.ra, at.dec));
        async {}
    })
    .await
    .unwrap();
    tx.notify(&id, CoordPointAtSky::new(83.63, -5.0))
        .await
        .unwrap();
    guard(async {
        while got.lock().unwrap().is_none() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    assert_eq!(*got.lock().unwrap(), Some((83.63, -5.0)));
}

#[tokio::test]
async fn progress_reports_reach_the_caller_before_the_response() {
    let hub = hub().await;
    let rx = samp::Client::builder()
        .lock_info(hub.lock_info().clone())
        .handler_group("typed")
        .state(Arc::new(Mutex::new(Vec::<u64>::new())))
        .connect()
        .await
        .unwrap();
    let id = rx.public_id().unwrap();
    let tx = builder(&hub).connect().await.unwrap();

    let mut pending = tx
        .call(&id, Message::new("x-test.slow"), WAIT)
        .await
        .unwrap();
    let msg_id = pending.msg_id().clone();
    let mut progress = pending.progress();
    let mut reports = Vec::new();
    let response = guard(async {
        loop {
            tokio::select! {
                Some(report) = progress.next() => reports.push(report),
                response = &mut pending => break response.unwrap(),
            }
        }
    })
    .await;
    // Reports that raced the response are still in the stream; then it ends.
    while let Some(report) = guard(progress.next()).await {
        reports.push(report);
    }
    assert_eq!(response.result.unwrap()["done"], Value::from("1"));
    let texts: Vec<&str> = reports.iter().map(|r| r.txt.as_str()).collect();
    assert_eq!(texts, ["starting", "half way"]);
    assert!(reports.iter().all(|r| r.msgid == msg_id.as_str()));
    assert_eq!(reports[1].percent, Some(50.0));
    assert_eq!(reports[1].time_left, Some(1.5));

    // Progress is about calls: a notification handler cannot report any.
    let tried: Arc<Mutex<Option<String>>> = Arc::default();
    let sink = tried.clone();
    rx.bind_notification("x-test.note", move |ctx: Context| {
        let sink = sink.clone();
        async move {
            let e = ctx.progress("nope").await.unwrap_err();
            *sink.lock().unwrap() = Some(e.to_string());
        }
    })
    .await
    .unwrap();
    tx.notify(&id, Message::new("x-test.note")).await.unwrap();
    guard(async {
        while tried.lock().unwrap().is_none() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    assert!(
        tried
            .lock()
            .unwrap()
            .as_deref()
            .unwrap()
            .contains("notification")
    );
}
