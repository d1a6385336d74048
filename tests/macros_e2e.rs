//! `#[samp::call]` / `#[samp::notification]` end to end: macro-declared handlers in a
//! `samp::Client`, messages sent by a plain `HubProxy` client through the in-process hub.
//!
//! Each test starts its own hub and picks its handlers with `handlers_in_module` or
//! `handler_group`, so the tests (and the two clients of `two_clients_*`) never see each
//! other's handlers.

use std::sync::Mutex;
use std::time::Duration;

use samp::client::{ClientBuilder, Reply};
use samp::hub::RunningHub;
use samp::protocol::HubProxy;
use samp::protocol::{ClientId, Status};
use samp::{Client, Context, ErrInfo, Map, Message, Response, Value, map};
use serde::{Deserialize, Serialize};

mod common;
use common::{WAIT, hub};

/// A builder aimed at `hub` (never at `~/.samp`).
fn builder(hub: &RunningHub) -> ClientBuilder {
    Client::builder()
        .lock_info(hub.lock_info().clone())
        .metadata(samp::metadata!(name = "macro-e2e"))
}

/// A non-callable client that sends messages.
async fn sender(hub: &RunningHub) -> HubProxy {
    sender_with_id(hub).await.0
}

/// [`sender`], and its public id.
async fn sender_with_id(hub: &RunningHub) -> (HubProxy, ClientId) {
    let proxy = HubProxy::new(hub.url());
    let reg = proxy.register(&hub.lock_info().secret).await.unwrap();
    (proxy.with_private_key(reg.private_key), reg.self_id)
}

async fn call(from: &HubProxy, to: &Client, message: Message) -> Response {
    let id = to.public_id().expect("registered");
    from.call_and_wait(&id, &message, Some(WAIT)).await.unwrap()
}

fn errortxt(r: &Response) -> &str {
    assert_eq!(r.status, Status::Error, "{r:?}");
    &r.error.as_ref().unwrap().errortxt
}

/// Waits until `log` holds an entry for which `pred` holds.
async fn wait_for(log: &Mutex<Vec<String>>, pred: impl Fn(&str) -> bool) -> String {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(hit) = log.lock().unwrap().iter().find(|e| pred(e)) {
            return hit.clone();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "nothing matched in {:?}",
            log.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Handlers for the typed-params, error, panic and wildcard tests.
mod viewer {
    use super::*;

    #[derive(Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub struct Stats {
        count: u32,
        scale: f64,
        verbose: bool,
        rows: Vec<i64>,
        region: Region,
        label: Option<String>,
    }

    #[derive(Deserialize)]
    pub struct Region {
        ra: f64,
        dec: f64,
        tags: Map,
    }

    #[derive(Serialize)]
    #[serde(rename_all = "kebab-case")]
    pub struct Summary {
        total: i64,
        scaled: f64,
        verbose: bool,
        centre: Vec<f64>,
        tag_count: usize,
        label: Option<String>,
        from: String,
    }

    /// Sums rows, scales them.
    #[samp::call("x-e2e.stats", annotations("x-samp.mostly-harmless" = "1"))]
    pub async fn stats(p: Stats, ctx: Context) -> Reply<Summary> {
        let total: i64 = p.rows.iter().sum::<i64>() * i64::from(p.count);
        Reply(Summary {
            total,
            scaled: total as f64 * p.scale,
            verbose: !p.verbose,
            centre: vec![p.region.ra, p.region.dec],
            tag_count: p.region.tags.len(),
            label: p.label,
            from: ctx.sender().to_string(),
        })
    }

    #[derive(Deserialize)]
    pub struct Url {
        url: String,
    }

    #[samp::call("x-e2e.fail")]
    pub async fn fail(p: Url) -> Result<(), String> {
        Err(format!("cannot open {}", p.url))
    }

    #[samp::call("x-e2e.fail-coded")]
    pub fn fail_coded() -> Result<Map, ErrInfo> {
        Err(ErrInfo::new("not found")
            .code("404")
            .usertxt("check the URL"))
    }

    #[samp::call("x-e2e.samp-error")]
    pub async fn samp_error() -> samp::Result<()> {
        Err(samp::Error::msg("no such table"))
    }

    #[samp::call("x-e2e.warn")]
    pub async fn warn(ctx: Context) -> Response {
        Response::warning(
            match map! { "mtype" => ctx.mtype() } {
                Value::Map(m) => m,
                _ => unreachable!(),
            },
            ErrInfo::new("partly done"),
        )
    }

    #[samp::call("x-e2e.panic")]
    pub async fn panics(p: Url) -> Map {
        panic!("bad url {}", p.url);
    }

    #[samp::call("x-e2e.sync")]
    pub fn sync_echo(params: Map) -> Map {
        params
    }

    #[derive(Serialize)]
    pub struct Seen {
        mtype: String,
    }

    /// Any wild message.
    #[samp::call("x-e2e.wild.*")]
    pub async fn wild(ctx: Context) -> samp::Result<Seen> {
        Ok(Seen {
            mtype: ctx.mtype().to_owned(),
        })
    }

    pub static NOTES: Mutex<Vec<String>> = Mutex::new(Vec::new());

    #[derive(Deserialize)]
    pub struct PointAt {
        ra: f64,
        dec: f64,
    }

    /// Point at a position.
    #[samp::notification("x-e2e.point")]
    pub async fn point(at: PointAt, ctx: Context) {
        NOTES.lock().unwrap().push(format!(
            "{} {} {} {}",
            ctx.mtype(),
            ctx.sender(),
            at.ra,
            at.dec
        ));
    }

    #[samp::notification("x-e2e.note.*")]
    pub fn note_any(ctx: Context) -> Result<(), String> {
        NOTES.lock().unwrap().push(format!("wild {}", ctx.mtype()));
        Err("logged, not sent".to_owned())
    }
}

#[tokio::test]
async fn typed_params_and_results() {
    let hub = hub().await;
    let client = builder(&hub)
        .handlers_in_module(concat!(module_path!(), "::viewer"))
        .connect()
        .await
        .unwrap();
    let (from, from_id) = sender_with_id(&hub).await;

    let msg = Message::new("x-e2e.stats")
        .param("count", "2")
        .param("scale", "0.5")
        .param("verbose", "0")
        .param(
            "rows",
            vec![Value::from("1"), Value::from("-2"), Value::from("+40")],
        )
        .param(
            "region",
            map! { "ra" => "83.63", "dec" => "-22.01", "tags" => map! { "a" => "x", "b" => map! {} } },
        );
    let r = call(&from, &client, msg).await;
    assert_eq!(r.status, Status::Ok, "{r:?}");
    let result = Value::Map(r.result.unwrap());
    assert_eq!(
        result,
        map! {
            "total" => "78",
            "scaled" => "39",
            "verbose" => "1",
            "centre" => vec![Value::from("83.63"), Value::from("-22.01")],
            "tag-count" => "2",
            "from" => from_id.as_str(),
        }
    );

    // The raw map comes back as it went, through a sync fn.
    let raw =
        map! { "k" => "v", "list" => vec![Value::from("1")], "nested" => map! { "x" => "y" } };
    let mut msg = Message::new("x-e2e.sync");
    msg.params = raw.as_map().unwrap().clone();
    let r = call(&from, &client, msg).await;
    assert_eq!(Value::Map(r.result.unwrap()), raw);
}

#[tokio::test]
async fn params_that_do_not_decode_name_mtype_and_field() {
    let hub = hub().await;
    let client = builder(&hub)
        .handlers_in_module(concat!(module_path!(), "::viewer"))
        .connect()
        .await
        .unwrap();
    let from = sender(&hub).await;

    let msg = Message::new("x-e2e.stats")
        .param("count", "2")
        .param("scale", "0.5")
        .param("verbose", "maybe")
        .param("rows", vec![])
        .param(
            "region",
            map! { "ra" => "1", "dec" => "2", "tags" => map! {} },
        );
    let r = call(&from, &client, msg).await;
    let text = errortxt(&r);
    assert!(text.contains("x-e2e.stats"), "{text}");
    assert!(text.contains("verbose"), "{text}");

    let msg = Message::new("x-e2e.stats")
        .param("count", "2")
        .param("scale", "0.5")
        .param("verbose", "1")
        .param("rows", vec![Value::from("1"), Value::from("x")])
        .param(
            "region",
            map! { "ra" => "1", "dec" => "2", "tags" => map! {} },
        );
    let text = errortxt(&call(&from, &client, msg).await).to_owned();
    assert!(
        text.contains("x-e2e.stats") && text.contains("rows[1]"),
        "{text}"
    );

    let msg = Message::new("x-e2e.fail");
    let text = errortxt(&call(&from, &client, msg).await).to_owned();
    assert!(
        text.contains("x-e2e.fail") && text.contains("url"),
        "{text}"
    );

    // A notification whose params do not decode is logged; the handler is not called
    // and the client keeps going.
    let id = client.public_id().unwrap();
    from.notify(&id, &Message::new("x-e2e.point").param("ra", "east"))
        .await
        .unwrap();
    from.notify(
        &id,
        &Message::new("x-e2e.point")
            .param("ra", "10.5")
            .param("dec", "-3"),
    )
    .await
    .unwrap();
    let seen = wait_for(&viewer::NOTES, |e| e.contains(" 10.5 -3")).await;
    assert!(seen.starts_with("x-e2e.point "), "{seen}");
    assert!(
        !viewer::NOTES
            .lock()
            .unwrap()
            .iter()
            .any(|e| e.contains("east"))
    );
}

#[tokio::test]
async fn errors_warnings_and_panics() {
    let hub = hub().await;
    let client = builder(&hub)
        .handlers_in_module(concat!(module_path!(), "::viewer"))
        .connect()
        .await
        .unwrap();
    let from = sender(&hub).await;

    let r = call(
        &from,
        &client,
        Message::new("x-e2e.fail").param("url", "file:///x"),
    )
    .await;
    assert_eq!(errortxt(&r), "cannot open file:///x");

    let r = call(&from, &client, Message::new("x-e2e.fail-coded")).await;
    assert_eq!(errortxt(&r), "not found");
    let e = r.error.unwrap();
    assert_eq!(e.code.as_deref(), Some("404"));
    assert_eq!(e.usertxt.as_deref(), Some("check the URL"));

    let r = call(&from, &client, Message::new("x-e2e.samp-error")).await;
    assert_eq!(errortxt(&r), "no such table");

    let r = call(&from, &client, Message::new("x-e2e.warn")).await;
    assert_eq!(r.status, Status::Warning);
    assert_eq!(r.error.unwrap().errortxt, "partly done");
    assert_eq!(
        Value::Map(r.result.unwrap()),
        map! { "mtype" => "x-e2e.warn" }
    );

    // A panicking handler answers samp.error, and the client keeps serving.
    for _ in 0..2 {
        let r = call(
            &from,
            &client,
            Message::new("x-e2e.panic").param("url", "u"),
        )
        .await;
        assert!(errortxt(&r).contains("bad url u"), "{r:?}");
    }
    let r = call(&from, &client, Message::new("x-e2e.sync").param("a", "b")).await;
    assert_eq!(r.status, Status::Ok);
}

#[tokio::test]
async fn wildcards_see_the_concrete_mtype() {
    let hub = hub().await;
    let client = builder(&hub)
        .handlers_in_module(concat!(module_path!(), "::viewer"))
        .connect()
        .await
        .unwrap();
    let from = sender(&hub).await;

    for mtype in ["x-e2e.wild.one", "x-e2e.wild.two.deep"] {
        let r = call(&from, &client, Message::new(mtype)).await;
        assert_eq!(Value::Map(r.result.unwrap()), map! { "mtype" => mtype });
    }
    let id = client.public_id().unwrap();
    from.notify(&id, &Message::new("x-e2e.note.hello"))
        .await
        .unwrap();
    wait_for(&viewer::NOTES, |e| e == "wild x-e2e.note.hello").await;
}

#[tokio::test]
async fn annotations_are_declared() {
    let hub = hub().await;
    let client = builder(&hub)
        .handlers_in_module(concat!(module_path!(), "::viewer"))
        .connect()
        .await
        .unwrap();
    let from = sender(&hub).await;
    let subs = from
        .get_subscriptions(&client.public_id().unwrap())
        .await
        .unwrap();
    let stats = subs.get("x-e2e.stats").expect("subscribed");
    assert_eq!(
        Value::Map(stats.clone()),
        map! {
            "x-samp.mostly-harmless" => "1",
            "x-samp.description" => "Sums rows, scales them.",
        }
    );
    assert_eq!(
        Value::Map(subs.get("x-e2e.wild.*").unwrap().clone()),
        map! { "x-samp.description" => "Any wild message." }
    );
    assert_eq!(
        Value::Map(subs.get("x-e2e.point").unwrap().clone()),
        map! { "x-samp.description" => "Point at a position." }
    );
    assert!(subs.get("x-e2e.fail").unwrap().is_empty());
    // The hub's view of who handles what.
    let who = from.get_subscribed_clients("x-e2e.wild.abc").await.unwrap();
    assert!(who.contains_key(&client.public_id().unwrap()));
    // And the metadata from metadata!().
    let md = from
        .get_metadata(&client.public_id().unwrap())
        .await
        .unwrap();
    assert_eq!(md.name(), Some("macro-e2e"));
    assert_eq!(
        md.get_str("x-samp.release.version"),
        Some(env!("CARGO_PKG_VERSION"))
    );
}

/// Two handler sets answering the same MType differently, chosen by group.
mod sets {
    use super::*;

    #[derive(Serialize)]
    pub struct Who {
        who: &'static str,
    }

    #[samp::call("x-e2e.who", group = "left")]
    pub fn left() -> Reply<Who> {
        Reply(Who { who: "left" })
    }

    #[samp::call("x-e2e.left-only", group = "left")]
    pub fn left_only() {}

    #[samp::call("x-e2e.who", group = "right")]
    pub fn right() -> Reply<Who> {
        Reply(Who { who: "right" })
    }
}

#[tokio::test]
async fn two_clients_with_different_handler_sets() {
    let hub = hub().await;
    let left = builder(&hub).handler_group("left").connect().await.unwrap();
    let right = builder(&hub)
        .handler_group("right")
        .connect()
        .await
        .unwrap();
    let from = sender(&hub).await;

    let r = call(&from, &left, Message::new("x-e2e.who")).await;
    assert_eq!(Value::Map(r.result.unwrap()), map! { "who" => "left" });
    let r = call(&from, &right, Message::new("x-e2e.who")).await;
    assert_eq!(Value::Map(r.result.unwrap()), map! { "who" => "right" });

    let right_subs = from
        .get_subscriptions(&right.public_id().unwrap())
        .await
        .unwrap();
    assert!(right_subs.get("x-e2e.who").is_some());
    assert!(right_subs.get("x-e2e.left-only").is_none());
    assert!(right_subs.get("x-e2e.stats").is_none());
    let left_subs = from
        .get_subscriptions(&left.public_id().unwrap())
        .await
        .unwrap();
    assert!(left_subs.get("x-e2e.left-only").is_some());
}

/// Two handlers for one MType in one set.
mod dup {
    #[samp::call("x-e2e.dup")]
    pub fn first() {}

    #[samp::call("x-e2e.dup")]
    pub fn second() {}
}

#[test]
fn duplicate_handlers_name_both_locations() {
    let err = Client::builder()
        .handlers_in_module(concat!(module_path!(), "::dup"))
        .build()
        .unwrap_err()
        .to_string();
    assert!(err.contains("x-e2e.dup"), "{err}");
    let line = |name: &str| {
        let src = include_str!("macros_e2e.rs");
        1 + src.lines().position(|l| l.contains(name)).unwrap()
    };
    let first = format!("fn first (tests/macros_e2e.rs:{})", line("pub fn first()"));
    let second = format!(
        "fn second (tests/macros_e2e.rs:{})",
        line("pub fn second()")
    );
    assert!(err.contains(&first), "{err} / {first}");
    assert!(err.contains(&second), "{err} / {second}");
}

#[tokio::test]
async fn run_time_binding_replaces_the_static_handler() {
    let hub = hub().await;
    let client = builder(&hub).handler_group("left").connect().await.unwrap();
    let from = sender(&hub).await;
    client
        .bind_call("x-e2e.who", |_ctx: Context, _p: Map| async move {
            let mut m = Map::new();
            m.insert("who".into(), Value::from("bound"));
            m
        })
        .await
        .unwrap();
    let r = call(&from, &client, Message::new("x-e2e.who")).await;
    assert_eq!(Value::Map(r.result.unwrap()), map! { "who" => "bound" });
}

/// The quickstart of DESIGN.md, as written: the MType from the type, the state as an argument.
mod quickstart {
    use std::sync::{Arc, Mutex};

    use samp::mtypes::{CoordPointAtSky, TableLoadVotable};
    use samp::{Context, State};

    #[derive(Clone, Default)]
    pub struct Viewer {
        pub opened: Arc<Mutex<Vec<String>>>,
    }

    impl Viewer {
        async fn open(&self, url: &str, name: Option<&str>) -> samp::Result<()> {
            if url.starts_with("http:") {
                return Err(samp::Error::msg(format!("{url}: no network here")));
            }
            self.opened
                .lock()
                .unwrap()
                .push(format!("{url} {}", name.unwrap_or("-")));
            Ok(())
        }
    }

    /// Load a VOTable into the viewer.
    #[samp::call] // MType from the type: table.load.votable
    async fn load(table: TableLoadVotable, State(v): State<Viewer>) -> Result<(), samp::Error> {
        v.open(&table.url, table.name.as_deref()).await?;
        Ok(()) // -> samp.status = samp.ok
    }

    #[samp::notification]
    async fn point(at: CoordPointAtSky, ctx: Context, State(v): State<Viewer>) {
        // SAMP floats arrive as strings: "83.63"
        println!("{} asks us to look at {} {}", ctx.sender(), at.ra, at.dec);
        v.opened
            .lock()
            .unwrap()
            .push(format!("point {} {}", at.ra, at.dec));
    }
}

#[tokio::test]
async fn quickstart_works() {
    use samp::mtypes::TableLoadVotable;
    let hub = hub().await;
    let viewer = quickstart::Viewer::default();
    let client = builder(&hub)
        .handlers_in_module(concat!(module_path!(), "::quickstart"))
        .state(viewer.clone())
        .connect()
        .await
        .unwrap();
    let from = sender(&hub).await;

    let r = call(
        &from,
        &client,
        Message::new("table.load.votable")
            .param("url", "file:///data/m31.xml")
            .param("name", "M31"),
    )
    .await;
    assert_eq!(r.status, Status::Ok, "{r:?}");
    assert_eq!(r.result, Some(Map::new()));
    let r = call(
        &from,
        &client,
        Message::new("table.load.votable").param("url", "http://x/t.xml"),
    )
    .await;
    assert_eq!(errortxt(&r), "http://x/t.xml: no network here");

    from.notify(
        &client.public_id().unwrap(),
        &Message::new("coord.pointAt.sky")
            .param("ra", "83.63")
            .param("dec", "22.01"),
    )
    .await
    .unwrap();
    wait_for(&viewer.opened, |e| e == "point 83.63 22.01").await;
    assert!(
        viewer
            .opened
            .lock()
            .unwrap()
            .contains(&"file:///data/m31.xml M31".to_owned())
    );

    // The client sends the quickstart's notification to every subscriber.
    let other = builder(&hub)
        .handlers_in_module(concat!(module_path!(), "::quickstart"))
        .state(quickstart::Viewer::default())
        .connect()
        .await
        .unwrap();
    let to = client
        .notify_all(TableLoadVotable::new("file:///data/m33.xml"))
        .await
        .unwrap();
    assert!(to.contains(&other.public_id().unwrap()), "{to:?}");
}
