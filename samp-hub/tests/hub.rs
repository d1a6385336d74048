//! End-to-end tests of the hub over real HTTP, with raw XML-RPC clients.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use samp_http::{CallError, HttpClient};
use samp_hub::{DeliveryPolicy, Hub, RunningHub};
use samp_protocol::xmlrpc;
use samp_protocol::{Value, map};

mod common;
use common::*;

async fn hub() -> RunningHub {
    Hub::builder().no_lockfile().start().await.unwrap()
}

#[tokio::test]
async fn registration_and_queries() {
    let hub = hub().await;
    let http = HttpClient::new();
    http.call(hub.url(), "samp.hub.ping", &[], None)
        .await
        .unwrap();
    let bad = http
        .call(hub.url(), "samp.hub.register", &[&"wrong"], None)
        .await;
    assert!(matches!(bad, Err(CallError::Fault(f)) if f.message.contains("secret")));

    let a = Raw::register(&hub, true).await;
    let b = Raw::register(&hub, false).await;
    assert_ne!(a.id, b.id);
    let list = a.ok("getRegisteredClients", vec![]).await;
    let ids: Vec<&str> = list
        .as_list()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(ids.contains(&"hub") && ids.contains(&b.id.as_str()) && !ids.contains(&a.id.as_str()));

    assert_eq!(
        a.ok("getMetadata", vec![Value::from(b.id.as_str())]).await,
        Value::empty_map()
    );
    b.ok(
        "declareMetadata",
        vec![map! { "samp.name" => "bee", "x.y" => "z" }],
    )
    .await;
    let meta = a.ok("getMetadata", vec![Value::from(b.id.as_str())]).await;
    assert_eq!(meta.as_map().unwrap()["samp.name"], Value::from("bee"));
    let hub_meta = a.ok("getMetadata", vec![Value::from("hub")]).await;
    assert!(hub_meta.as_map().unwrap().contains_key("samp.name"));
    let hub_subs = a.ok("getSubscriptions", vec![Value::from("hub")]).await;
    assert!(hub_subs.as_map().unwrap().contains_key("samp.app.ping"));

    // Non-callable clients may not subscribe.
    let f = b
        .fault("declareSubscriptions", vec![map! { "a.b" => map! {} }])
        .await;
    assert!(f.contains("not callable"), "{f}");

    // A used key stops working after unregister; ids are never reused.
    b.ok("unregister", vec![]).await;
    assert!(
        b.fault("getRegisteredClients", vec![])
            .await
            .contains("unknown private key")
    );
    let c = Raw::register(&hub, false).await;
    assert_ne!(c.id, b.id);
    assert_eq!(hub.client_count(), 2);
}

#[tokio::test]
async fn subscriptions_follow_the_wildcard_rules() {
    let hub = hub().await;
    let a = Raw::register(&hub, true).await;
    let b = Raw::register(&hub, true).await;
    let subs = map! {
        "table.*" => map! { "level" => "wild" },
        "table.load.votable" => map! { "level" => "exact" },
    };
    b.ok("declareSubscriptions", vec![subs]).await;
    let who = |m: &'static str| {
        let a = &a;
        async move {
            a.ok("getSubscribedClients", vec![Value::from(m)])
                .await
                .into_map()
                .unwrap()
        }
    };
    assert_eq!(
        who("table.load.votable").await[&b.id],
        map! { "level" => "exact" }
    );
    assert_eq!(
        who("table.select.rowList").await[&b.id],
        map! { "level" => "wild" }
    );
    assert!(who("table").await.is_empty());
    assert!(who("tablex.y").await.is_empty());
    // The caller is never listed.
    assert!(
        b.ok("getSubscribedClients", vec![Value::from("table.x")])
            .await
            .as_map()
            .unwrap()
            .is_empty()
    );
    // Bad patterns are refused with the pattern named.
    let f = b
        .fault(
            "declareSubscriptions",
            vec![map! { "table.*.x" => map! {} }],
        )
        .await;
    assert!(f.contains("table.*.x"), "{f}");
    assert!(
        a.fault("notify", vec![Value::from(b.id.as_str()), msg("table")])
            .await
            .contains("not subscribed")
    );
}

#[tokio::test]
async fn hub_events_arrive_in_order() {
    let hub = hub().await;
    let watcher = Raw::register(&hub, true).await;
    watcher.subscribe(&["samp.hub.event.*"]).await;
    let other = Raw::register(&hub, true).await;
    other
        .ok("declareMetadata", vec![map! { "samp.name" => "other" }])
        .await;
    other.subscribe(&["x.y"]).await;
    other.ok("unregister", vec![]).await;
    let mut seen = Vec::new();
    while seen.len() < 5 {
        let c = watcher.next().await;
        assert_eq!(c.method, "samp.client.receiveNotification");
        assert_eq!(c.params[0], Value::from(watcher.key.as_str()));
        assert_eq!(c.params[1], Value::from("hub"));
        seen.push(mtype_of(&c));
    }
    // The watcher's own subscriptions event comes first, then the other client's life.
    assert_eq!(
        seen,
        [
            "samp.hub.event.subscriptions",
            "samp.hub.event.register",
            "samp.hub.event.metadata",
            "samp.hub.event.subscriptions",
            "samp.hub.event.unregister"
        ]
    );
}

#[tokio::test]
async fn notifications_route_and_faults_name_the_problem() {
    let hub = hub().await;
    let a = Raw::register(&hub, true).await;
    let b = Raw::register(&hub, true).await;
    let c = Raw::register(&hub, false).await;
    a.subscribe(&["test.*"]).await;
    b.subscribe(&["test.hello"]).await;

    a.ok(
        "notify",
        vec![Value::from(b.id.as_str()), msg("test.hello")],
    )
    .await;
    let got = b.next_matching(|c| mtype_of(c) == "test.hello").await;
    assert_eq!(got.method, "samp.client.receiveNotification");
    assert_eq!(got.params[1], Value::from(a.id.as_str()));
    assert_eq!(got.params[2], msg("test.hello"));

    // notifyAll: never back to the sender; the recipients come back.
    let to = a.ok("notifyAll", vec![msg("test.hello")]).await;
    assert_eq!(to, Value::List(vec![Value::from(b.id.as_str())]));
    b.next_matching(|c| mtype_of(c) == "test.hello").await;
    let to = b.ok("notifyAll", vec![msg("test.other")]).await;
    assert_eq!(to, Value::List(vec![Value::from(a.id.as_str())]));
    a.next_matching(|c| mtype_of(c) == "test.other").await;
    assert!(
        b.nothing_within(Duration::from_millis(200)).await,
        "b's own broadcast came back"
    );
    assert_eq!(
        c.ok("notifyAll", vec![msg("nobody.listens")]).await,
        Value::List(vec![])
    );

    assert!(
        a.fault("notify", vec![Value::from("c999"), msg("test.hello")])
            .await
            .contains("no registered client")
    );
    assert!(
        a.fault(
            "notify",
            vec![Value::from(c.id.as_str()), msg("test.hello")]
        )
        .await
        .contains("not callable")
    );
    assert!(
        a.fault("notify", vec![Value::from(b.id.as_str()), msg("test.*")])
            .await
            .contains("test.*")
    );
    let f = a.fault("notify", vec![Value::from(b.id.as_str())]).await;
    assert!(
        f.contains("samp.hub.notify") && f.contains("expected 3 arguments"),
        "{f}"
    );
    let f = a
        .fault(
            "notify",
            vec![Value::from(b.id.as_str()), Value::from("not a map")],
        )
        .await;
    assert!(f.contains("argument 3 (message) must be a map"), "{f}");
    let f = a
        .fault(
            "notify",
            vec![
                Value::from(b.id.as_str()),
                map! { "samp.params" => map! {} },
            ],
        )
        .await;
    assert!(f.contains("samp.mtype"), "{f}");
}

#[tokio::test]
async fn async_calls_and_replies() {
    let hub = hub().await;
    let a = Raw::register(&hub, true).await;
    let b = Raw::register(&hub, true).await;
    b.subscribe(&["test.echo"]).await;
    a.subscribe(&["test.echo"]).await;

    let msg_id = a
        .ok(
            "call",
            vec![
                Value::from(b.id.as_str()),
                Value::from("tag-1"),
                msg("test.echo"),
            ],
        )
        .await;
    let got = b
        .next_matching(|c| c.method == "samp.client.receiveCall")
        .await;
    assert_eq!(got.params[1], Value::from(a.id.as_str()));
    assert_eq!(got.params[2], msg_id);
    let response = map! { "samp.status" => "samp.ok", "samp.result" => map! { "echo" => "1" }, "x-extra" => "kept" };
    b.ok("reply", vec![msg_id.clone(), response.clone()]).await;
    let back = a
        .next_matching(|c| c.method == "samp.client.receiveResponse")
        .await;
    assert_eq!(back.params[1], Value::from(b.id.as_str()));
    assert_eq!(back.params[2], Value::from("tag-1"));
    assert_eq!(back.params[3], response);
    // A second reply to the same call is refused.
    assert!(
        b.fault("reply", vec![msg_id.clone(), response.clone()])
            .await
            .contains("no call awaits")
    );

    // callAll reaches every subscriber but the sender, each with its own msg-id.
    let c = Raw::register(&hub, true).await;
    c.subscribe(&["test.*"]).await;
    let ids = a
        .ok("callAll", vec![Value::from("t2"), msg("test.echo")])
        .await
        .into_map()
        .unwrap();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains_key(&b.id) && ids.contains_key(&c.id));
    // Only the recipient may reply; responses are validated.
    let f = a
        .fault("reply", vec![ids[&b.id].clone(), response.clone()])
        .await;
    assert!(f.contains("was not sent to"), "{f}");
    let bad = map! { "samp.status" => "samp.error" };
    let f = b.fault("reply", vec![ids[&b.id].clone(), bad]).await;
    assert!(f.contains("invalid response"), "{f}");
}

#[tokio::test]
async fn call_and_wait_round_trip_timeout_and_departure() {
    let hub = hub().await;
    let a = Raw::register(&hub, false).await;
    let b = Arc::new(Raw::register(&hub, true).await);
    b.subscribe(&["test.echo"]).await;

    // Round trip: b answers from another task while a waits.
    let answering = b.clone();
    let responder = tokio::spawn(async move {
        let call = answering
            .next_matching(|c| c.method == "samp.client.receiveCall")
            .await;
        let ok = map! { "samp.status" => "samp.ok", "samp.result" => map! { "v" => "42" } };
        answering
            .ok("reply", vec![call.params[2].clone(), ok])
            .await;
    });
    let r = a
        .ok(
            "callAndWait",
            vec![
                Value::from(b.id.as_str()),
                msg("test.echo"),
                Value::from("5"),
            ],
        )
        .await;
    assert_eq!(r.as_map().unwrap()["samp.result"], map! { "v" => "42" });
    responder.await.unwrap();

    // Timeout: a fault, and a late reply is refused.
    let f = a
        .fault(
            "callAndWait",
            vec![
                Value::from(b.id.as_str()),
                msg("test.echo"),
                Value::from("1"),
            ],
        )
        .await;
    assert!(f.contains("no reply"), "{f}");
    let late = b
        .next_matching(|c| c.method == "samp.client.receiveCall")
        .await;
    let ok = map! { "samp.status" => "samp.ok", "samp.result" => map! {} };
    assert!(
        b.fault("reply", vec![late.params[2].clone(), ok])
            .await
            .contains("no call awaits")
    );

    // A wait fails at once when the recipient unregisters.
    let leaving = b.clone();
    tokio::spawn(async move {
        leaving
            .next_matching(|c| c.method == "samp.client.receiveCall")
            .await;
        leaving.ok("unregister", vec![]).await;
    });
    let f = a
        .fault(
            "callAndWait",
            vec![
                Value::from(b.id.as_str()),
                msg("test.echo"),
                Value::from("0"),
            ],
        )
        .await;
    assert!(f.contains("left before replying"), "{f}");

    // The hub answers samp.app.ping and the by-meta query itself.
    let r = a
        .ok(
            "callAndWait",
            vec![Value::from("hub"), msg("samp.app.ping"), Value::from("5")],
        )
        .await;
    assert_eq!(r.as_map().unwrap()["samp.status"], Value::from("samp.ok"));
    a.ok("declareMetadata", vec![map! { "samp.name" => "finder" }])
        .await;
    let q = map! { "samp.mtype" => "x-samp.query.by-meta", "samp.params" => map! { "key" => "samp.name", "value" => "finder" } };
    let r = a
        .ok("callAndWait", vec![Value::from("hub"), q, Value::from("5")])
        .await;
    assert_eq!(
        r.as_map().unwrap()["samp.result"],
        map! { "ids" => Value::List(vec![Value::from(a.id.as_str())]) }
    );
}

#[tokio::test]
async fn bad_input_gets_faults_and_the_hub_keeps_serving() {
    let hub = Hub::builder()
        .no_lockfile()
        .max_body(4096)
        .start()
        .await
        .unwrap();
    let http = HttpClient::new();
    let url = hub.url();
    for body in [
        "<methodCall><methodName>samp.hub.ping",
        "not xml at all",
        "<methodCall/>",
        "\u{0}\u{1}",
    ] {
        let raw = http
            .post(url, body.as_bytes().to_vec().into(), Some(WAIT))
            .await
            .unwrap();
        let parsed = xmlrpc::parse_response(&raw).unwrap();
        assert!(parsed.is_err(), "{body:?} should fault");
    }
    match http
        .call(url, "samp.hub.noSuchMethod", &[], Some(WAIT))
        .await
    {
        Err(CallError::Fault(f)) => assert!(f.message.contains("unknown method"), "{}", f.message),
        other => panic!("{other:?}"),
    }
    match http.call(url, "samp.hub.register", &[], Some(WAIT)).await {
        Err(CallError::Fault(f)) => {
            assert!(f.message.contains("expected 1 argument"), "{}", f.message)
        }
        other => panic!("{other:?}"),
    }
    // Oversized bodies: 413, and the next request is served.
    let big = xmlrpc::write_call("samp.hub.ping", &[&"x".repeat(10_000)]).unwrap();
    match http.post(url, big.into(), Some(WAIT)).await {
        Err(CallError::Status { status: 413, .. }) => {}
        other => panic!("expected 413, got {other:?}"),
    }
    http.call(url, "samp.hub.ping", &[], Some(WAIT))
        .await
        .unwrap();
    // Not POST: 405.
    match http.get(url, Some(WAIT)).await {
        Err(CallError::Status { status: 405, .. }) => {}
        other => panic!("expected 405, got {other:?}"),
    }
}

#[tokio::test]
async fn unreachable_recipients_are_unregistered() {
    let policy = DeliveryPolicy {
        timeout: Duration::from_secs(2),
        unregister_after_failures: Some(2),
        ..DeliveryPolicy::default()
    };
    let hub = Hub::builder()
        .no_lockfile()
        .delivery_policy(policy)
        .start()
        .await
        .unwrap();
    let watcher = Raw::register(&hub, true).await;
    watcher.subscribe(&["samp.hub.event.unregister"]).await;
    let a = Raw::register(&hub, false).await;
    let ghost = Raw::register(&hub, false).await;
    // A callback URL nothing listens on.
    let dead: SocketAddr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    ghost
        .ok(
            "setXmlrpcCallback",
            vec![Value::from(format!("http://{dead}/"))],
        )
        .await;
    ghost.subscribe(&["test.x"]).await;
    // A call whose delivery fails is answered with an error, not left hanging.
    let f = a
        .fault(
            "callAndWait",
            vec![
                Value::from(ghost.id.as_str()),
                msg("test.x"),
                Value::from("10"),
            ],
        )
        .await;
    assert!(f.contains("could not deliver"), "{f}");
    a.ok(
        "notify",
        vec![Value::from(ghost.id.as_str()), msg("test.x")],
    )
    .await;
    let gone = watcher
        .next_matching(|c| mtype_of(c) == "samp.hub.event.unregister")
        .await;
    let params = gone.params[2].as_map().unwrap()["samp.params"].clone();
    assert_eq!(params, map! { "id" => ghost.id.as_str() });
    assert!(
        ghost
            .fault("getRegisteredClients", vec![])
            .await
            .contains("unknown private key")
    );
}

#[tokio::test]
async fn lockfile_lifecycle() {
    let dir = std::env::temp_dir().join(format!("samp-hub-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let lock = dir.join("lock");
    let _ = std::fs::remove_file(&lock);

    let hub = Hub::builder().lockfile(&lock).start().await.unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&lock).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let text = std::fs::read_to_string(&lock).unwrap();
    assert!(text.contains(&format!("samp.hub.xmlrpc.url={}", hub.url())));
    // At least 128 bits: 24 random alphanumerics carry log2(62) × 24 ≈ 143.
    let secret = text
        .lines()
        .find_map(|l| l.strip_prefix("samp.secret=s:"))
        .unwrap();
    assert!(secret.len() >= 24 && secret.chars().all(|c| c.is_ascii_alphanumeric()));

    // A second hub refuses while the first answers.
    let err = Hub::builder().lockfile(&lock).start().await.unwrap_err();
    assert!(err.to_string().contains("already running"), "{err}");

    // Clients hear the shutdown; the lockfile goes.
    let c = Raw::register(&hub, true).await;
    c.subscribe(&["samp.hub.event.shutdown"]).await;
    hub.shutdown().await;
    let got = c
        .next_matching(|m| mtype_of(m) == "samp.hub.event.shutdown")
        .await;
    assert_eq!(got.params[1], Value::from("hub"));
    assert!(!lock.exists());

    // A stale lockfile is replaced.
    std::fs::write(
        &lock,
        "samp.secret=old\nsamp.hub.xmlrpc.url=http://127.0.0.1:9/xmlrpc\n",
    )
    .unwrap();
    let hub = Hub::builder().lockfile(&lock).start().await.unwrap();
    assert!(std::fs::read_to_string(&lock).unwrap().contains(hub.url()));
    drop(hub);
    assert!(!lock.exists(), "dropping the hub removes its lockfile");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn calls_never_answered_are_answered_by_the_hub() {
    let hub = Hub::builder()
        .no_lockfile()
        .max_call_wait(Duration::from_millis(200))
        .start()
        .await
        .unwrap();
    let a = Raw::register(&hub, true).await;
    let b = Raw::register(&hub, true).await;
    b.subscribe(&["test.silent"]).await;
    let first = a
        .ok(
            "call",
            vec![
                Value::from(b.id.as_str()),
                Value::from("t1"),
                msg("test.silent"),
            ],
        )
        .await;
    b.next_matching(|c| c.method == "samp.client.receiveCall")
        .await;
    // b never replies; once the limit has passed, the hub's timer answers the call (no
    // other call needs to come in).
    let back = a
        .next_matching(|c| c.method == "samp.client.receiveResponse")
        .await;
    assert_eq!(back.params[2], Value::from("t1"));
    let response = back.params[3].as_map().unwrap();
    assert_eq!(response["samp.status"], Value::from("samp.error"));
    let text = response["samp.error"].as_map().unwrap()["samp.errortxt"].clone();
    assert!(text.as_str().unwrap().contains("did not reply"), "{text:?}");
    // A reply after that is refused: the call is settled.
    let ok = map! { "samp.status" => "samp.ok", "samp.result" => map! {} };
    assert!(
        b.fault("reply", vec![first, ok])
            .await
            .contains("no call awaits")
    );
}

#[tokio::test]
async fn characters_xml_cannot_carry_are_refused_not_relayed() {
    let hub = hub().await;
    let a = Raw::register(&hub, true).await;
    let b = Raw::register(&hub, true).await;
    b.subscribe(&["test.*"]).await;
    // A parsed `&#1;` must not reach b raw: the hub refuses the document and says why.
    let body = format!(
        "<?xml version=\"1.0\"?><methodCall><methodName>samp.hub.notify</methodName><params>\
         <param><value>{}</value></param><param><value>{}</value></param>\
         <param><value><struct><member><name>samp.mtype</name><value>test.bell</value></member>\
         <member><name>samp.params</name><value><struct><member><name>x</name>\
         <value>ring &#1; ring</value></member></struct></value></member></struct></value></param>\
         </params></methodCall>",
        a.key, b.id
    );
    let raw = a
        .http
        .post(&a.url, body.into_bytes().into(), Some(WAIT))
        .await
        .unwrap();
    match xmlrpc::parse_response(&raw).unwrap() {
        Err(fault) => assert!(
            fault.message.contains("U+0001") && fault.message.contains("XML 1.0"),
            "{}",
            fault.message
        ),
        Ok(v) => panic!("accepted: {v:?}"),
    }
    assert!(b.nothing_within(Duration::from_millis(200)).await);
    // The same message without the control character goes through.
    a.ok("notify", vec![Value::from(b.id.as_str()), msg("test.bell")])
        .await;
    b.next_matching(|c| mtype_of(c) == "test.bell").await;
}
