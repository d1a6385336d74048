//! Clients that outlive their hub: client tracking under churn, noticing a hub killed
//! with SIGKILL, and registering again with a new hub.
//!
//! The hubs that get killed run in a child process: this test binary itself, re-run with
//! `SAMP_TEST_HUB_CHILD=<lockfile>` so that only `hub_child_process` does anything.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use samp::client::{ConnectionEvent, Reconnect, SessionEnd};
use samp::mtypes::SampAppPing;
use samp::protocol::Subscriptions;
use samp::{Client, ClientId, Context, Error, Map, Message, Metadata, Value};

mod common;
use common::{WAIT, builder, guard, hub, never_answers, temp_lockfile};

/// Not a test of its own: the body of the hub child process.
#[test]
fn hub_child_process() {
    let Ok(lockfile) = std::env::var("SAMP_TEST_HUB_CHILD") else {
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let _hub = samp::hub::Hub::builder()
            .lockfile(lockfile)
            .start()
            .await
            .unwrap();
        std::future::pending::<()>().await;
    });
}

/// A hub in a child process, writing `lockfile`; killed (SIGKILL) when dropped.
struct ChildHub(Child);

impl ChildHub {
    fn start(lockfile: &Path) -> ChildHub {
        let _ = std::fs::remove_file(lockfile);
        let child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "hub_child_process", "--nocapture"])
            .env("SAMP_TEST_HUB_CHILD", lockfile)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + WAIT;
        while !lockfile.exists() {
            assert!(Instant::now() < deadline, "the child hub wrote no lockfile");
            std::thread::sleep(Duration::from_millis(20));
        }
        ChildHub(child)
    }

    /// SIGKILL: the hub vanishes without a word, its lockfile left behind.
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for ChildHub {
    fn drop(&mut self) {
        self.kill();
    }
}

fn on(lockfile: &Path) -> samp::client::ClientBuilder {
    Client::builder()
        .hub_lockfile(lockfile)
        .no_static_handlers()
}

#[tokio::test]
async fn tracking_stays_exact_under_churn() {
    let hub = hub().await;
    let tracker = builder(&hub).track_clients(true).connect().await.unwrap();
    let _probe = builder(&hub).callable(false).connect().await.unwrap();

    // Dozens of clients register, declare, redeclare and leave, all at once.
    let mut tasks = Vec::new();
    for i in 0..36u32 {
        let b = builder(&hub).name(format!("churn-{i}"));
        tasks.push(tokio::spawn(async move {
            let c = b.connect().await.unwrap();
            c.bind_notification(format!("churn.n{i}"), |_: Map| async {})
                .await
                .unwrap();
            if i % 3 == 0 {
                c.declare_metadata(Metadata::new().with_name(format!("renamed-{i}")))
                    .await
                    .unwrap();
            }
            if i % 4 == 0 {
                c.stop().await.unwrap();
                None
            } else {
                Some(c)
            }
        }));
    }
    let mut alive = Vec::new();
    for t in tasks {
        alive.extend(t.await.unwrap());
    }

    // The tracked table ends equal to what the hub answers.
    let truth = || async {
        let mut all = Vec::new();
        // What the hub answers the tracker (every client but the tracker itself).
        for id in tracker.registered_clients().await.unwrap() {
            let md = tracker.client_metadata(&id).await.unwrap();
            let subs = tracker.client_subscriptions(&id).await.unwrap();
            all.push((id, md, subs));
        }
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    };
    let seen = || {
        let mut all: Vec<(ClientId, Metadata, Subscriptions)> = tracker
            .clients()
            .unwrap()
            .into_iter()
            .map(|c| (c.id, c.metadata, c.subscriptions))
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    };
    let expected = truth().await;
    let settled = tokio::time::timeout(WAIT, async {
        while seen() != expected {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    if settled.is_err() {
        let now = seen();
        for (a, b) in expected.iter().zip(now.iter()) {
            if a != b {
                panic!("first difference: hub says {a:?}, tracker says {b:?}");
            }
        }
        panic!(
            "hub lists {} clients, tracker {}",
            expected.len(),
            now.len()
        );
    }
    assert_eq!(
        expected.len(),
        1 + 1 + 27,
        "hub, probe, and the 27 still there"
    );
    assert!(
        expected
            .iter()
            .any(|(_, md, _)| md.name() == Some("renamed-3"))
    );
    // Answered locally with the wildcard rules.
    assert_eq!(tracker.subscribers("churn.n5").unwrap().len(), 1);
    assert!(tracker.subscribers("churn.n4").unwrap().is_empty(), "left");
    drop(alive);
}

#[tokio::test]
async fn senders_are_named_and_changes_are_reported() {
    let hub = hub().await;
    let rx = builder(&hub).track_clients(true).connect().await.unwrap();
    let mut events = rx.client_events().unwrap();
    let names: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = names.clone();
    rx.bind_notification("test.hello", move |ctx: Context| {
        sink.lock().unwrap().push(ctx.sender_name());
        async {}
    })
    .await
    .unwrap();
    let tx = builder(&hub).name("greeter").connect().await.unwrap();
    let tx_id = tx.public_id().unwrap();
    // The events for the newcomer: registered, then its metadata.
    let mut got = Vec::new();
    while !got.contains(&samp::client::ClientEvent::Metadata(tx_id.clone())) {
        got.push(guard(events.next()).await.unwrap());
    }
    assert!(got.contains(&samp::client::ClientEvent::Registered(tx_id.clone())));
    tx.notify(&rx.public_id().unwrap(), Message::new("test.hello"))
        .await
        .unwrap();
    guard(async {
        while names.lock().unwrap().is_empty() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    assert_eq!(*names.lock().unwrap(), ["greeter"]);
    // Without tracking, the table is refused, not silently empty.
    let plain = builder(&hub).connect().await.unwrap();
    assert!(matches!(plain.clients(), Err(Error::Config(_))));
    assert!(matches!(
        builder(&hub).callable(false).track_clients(true).build(),
        Err(Error::NotCallable { .. })
    ));
}

#[tokio::test]
async fn a_killed_hub_is_noticed_and_waiting_calls_fail() {
    let lockfile = temp_lockfile("kill");
    let mut hub = ChildHub::start(&lockfile);
    let callable = on(&lockfile).connect().await.unwrap();
    let non_callable = on(&lockfile).callable(false).connect().await.unwrap();
    let silent = on(&lockfile).connect().await.unwrap();
    never_answers(&silent, "test.never").await;
    let silent_id = silent.public_id().unwrap();
    let pending = callable
        .call(
            &silent_id,
            Message::new("test.never"),
            Duration::from_secs(600),
        )
        .await
        .unwrap();
    let mut stream = callable
        .call_all(Message::new("test.never"), Duration::from_secs(600))
        .await
        .unwrap();

    let killed = Instant::now();
    hub.kill();
    let a = guard(callable.disconnected()).await;
    let b = guard(non_callable.disconnected()).await;
    // A figure for the record (tests do not assert on time): see the closing note.
    println!(
        "SIGKILL noticed after {:?} by both clients",
        killed.elapsed()
    );
    assert!(matches!(a, Some(SessionEnd::Lost(_))), "{a:?}");
    assert!(matches!(b, Some(SessionEnd::Lost(_))), "{b:?}");
    let e = guard(pending).await.unwrap_err();
    assert!(e.to_string().contains("the hub is gone"), "{e}");
    let e = guard(stream.next()).await.unwrap().unwrap_err();
    assert!(matches!(e, Error::Disconnected { .. }), "{e}");
    assert!(matches!(
        non_callable
            .call_and_wait(&silent_id, SampAppPing::new(), WAIT)
            .await,
        Err(Error::NotRegistered)
    ));
}

#[tokio::test]
async fn clients_come_back_after_a_restart_and_after_sigkill() {
    let lockfile = temp_lockfile("back");
    let mut hub = ChildHub::start(&lockfile);
    let client = on(&lockfile)
        .name("phoenix")
        .reconnect(Reconnect::default())
        .connect()
        .await
        .unwrap();
    client
        .bind_call("test.echo", |params: Map| async move { params })
        .await
        .unwrap();
    let mut events = client.connection_events();

    for round in ["sigkill", "restart"] {
        match round {
            "sigkill" => hub.kill(),
            _ => {
                // A polite restart: the hub says goodbye and removes its lockfile.
                let _ = Command::new("kill")
                    .args(["-TERM", &hub.0.id().to_string()])
                    .status();
                let _ = hub.0.wait();
            }
        }
        let lost = guard(events.next()).await.unwrap();
        assert!(
            matches!(lost, ConnectionEvent::Lost(_)),
            "{round}: {lost:?}"
        );
        hub = ChildHub::start(&lockfile);
        let back = guard(events.next()).await.unwrap();
        assert!(
            matches!(back, ConnectionEvent::Reconnected(_)),
            "{round}: {back:?}"
        );
        // Another client sees it registered again, named and subscribed, and it answers.
        let other = on(&lockfile).callable(false).connect().await.unwrap();
        let id = client.public_id().unwrap();
        assert_eq!(
            other.client_metadata(&id).await.unwrap().name(),
            Some("phoenix")
        );
        assert!(
            other
                .client_subscriptions(&id)
                .await
                .unwrap()
                .is_subscribed("test.echo")
        );
        let r = other
            .call_and_wait(&id, Message::new("test.echo").param("round", round), WAIT)
            .await
            .unwrap();
        assert_eq!(r.result.unwrap()["round"], Value::from(round));
        other.stop().await.unwrap();
    }
    // Stopping ends it for good: no reconnection afterwards.
    client.stop().await.unwrap();
    drop(hub);
}

#[tokio::test]
async fn run_until_belongs_to_the_application() {
    let hub = hub().await;
    let client = builder(&hub).connect().await.unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn({
        let client = client.clone();
        async move {
            client
                .run_until(async {
                    let _ = rx.await;
                })
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(client.is_registered(), "still serving");
    tx.send(()).unwrap();
    guard(running).await.unwrap().unwrap();
    assert!(!client.is_registered() && !client.is_running());
}
