//! Client connection lifecycle against the in-process hub: connect, identity, metadata,
//! unregister/register, stop, hub shutdown, discovery through a lockfile, errors.

use std::path::PathBuf;
use std::time::Duration;

use samp::client::SessionEnd;
use samp::hub::Hub;
use samp::protocol::standard::HubMethod;
use samp::protocol::{ClientId, Secret, Subscriptions};
use samp::{Client, Error, Message, Metadata};

mod common;
use common::{WAIT, builder, guard, hub};

/// A fresh temp directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "samp-client-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn connect_declares_identity_metadata_and_subscriptions() {
    let hub = hub().await;
    let client = builder(&hub)
        .name("tester")
        .description("a test client")
        .icon_url("http://example.org/icon.png")
        .documentation_url("http://example.org/doc")
        .metadata_entry("author.name", "A. Person")
        .connect()
        .await
        .unwrap();
    assert!(client.is_registered() && client.is_running() && client.is_callable());
    let me = client.public_id().unwrap();
    assert_eq!(client.hub_id().unwrap().as_str(), samp::hub::HUB_ID);
    assert_eq!(
        format!("{:?}", client.private_key().unwrap()),
        "PrivateKey(<redacted>)"
    );
    assert!(!format!("{client:?}").contains(client.private_key().unwrap().expose()));
    assert!(
        client
            .callback_url()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );

    let other = builder(&hub).callable(false).connect().await.unwrap();
    let md = other.client_metadata(&me).await.unwrap();
    assert_eq!(md.name(), Some("tester"));
    assert_eq!(md.description_text(), Some("a test client"));
    assert_eq!(md.icon_url(), Some("http://example.org/icon.png"));
    assert_eq!(md.documentation_url(), Some("http://example.org/doc"));
    assert_eq!(md.get_str("author.name"), Some("A. Person"));
    let subs = other.client_subscriptions(&me).await.unwrap();
    for implicit in [
        "samp.app.ping",
        "samp.hub.event.shutdown",
        "samp.hub.disconnect",
    ] {
        assert!(subs.get(implicit).is_some(), "{implicit} in {subs:?}");
    }
    assert!(other.registered_clients().await.unwrap().contains(&me));

    // declare_metadata replaces the whole map.
    client
        .declare_metadata(Metadata::new().with_name("renamed"))
        .await
        .unwrap();
    let md = other.client_metadata(&me).await.unwrap();
    assert_eq!(md.name(), Some("renamed"));
    assert_eq!(md.get_str("author.name"), None);
}

#[tokio::test]
async fn unregister_and_register_again() {
    let hub = hub().await;
    let client = builder(&hub).name("again").connect().await.unwrap();
    let first = client.public_id().unwrap();
    let url = client.callback_url().unwrap();
    client.unregister().await.unwrap();
    assert!(!client.is_registered());
    assert_eq!(client.public_id(), None);
    assert!(matches!(
        client.registered_clients().await,
        Err(Error::NotRegistered)
    ));
    assert_eq!(
        guard(client.disconnected()).await,
        Some(SessionEnd::Unregistered)
    );

    client.register().await.unwrap();
    let second = client.public_id().unwrap();
    assert_ne!(first, second);
    // Same callback server, re-declared to the hub.
    assert_eq!(client.callback_url().unwrap(), url);
    let other = builder(&hub).callable(false).connect().await.unwrap();
    let resp = other
        .call_and_wait(&second, Message::new("samp.app.ping"), WAIT)
        .await
        .unwrap();
    assert!(resp.is_ok());
    // register() while registered is a no-op.
    client.register().await.unwrap();
    assert_eq!(client.public_id().unwrap(), second);
}

#[tokio::test]
async fn stop_unregisters_and_closes_the_server() {
    let hub = hub().await;
    let client = builder(&hub).connect().await.unwrap();
    let url = client.callback_url().unwrap();
    let id = client.public_id().unwrap();
    client.stop().await.unwrap();
    assert!(!client.is_running() && !client.is_registered());
    assert_eq!(client.callback_url(), None);
    let http = samp::protocol::http::HttpClient::new();
    let e = http
        .call(&url, "samp.client.receiveNotification", &[], Some(WAIT))
        .await;
    assert!(
        matches!(e, Err(samp::protocol::http::CallError::Transport { .. })),
        "{e:?}"
    );
    let other = builder(&hub).callable(false).connect().await.unwrap();
    assert!(!other.registered_clients().await.unwrap().contains(&id));
    // A stopped client can start again.
    client.register().await.unwrap();
    assert!(client.is_running() && client.callback_url().is_some());
}

#[tokio::test]
async fn hub_shutdown_ends_the_registration_and_run() {
    let hub = hub().await;
    let client = builder(&hub).connect().await.unwrap();
    let runner = tokio::spawn({
        let client = client.clone();
        async move { client.run().await }
    });
    let watcher = tokio::spawn({
        let client = client.clone();
        async move { client.disconnected().await }
    });
    hub.shutdown().await;
    guard(runner).await.unwrap().unwrap();
    assert_eq!(guard(watcher).await.unwrap(), Some(SessionEnd::HubShutdown));
    assert!(!client.is_registered());
    assert!(!client.is_running(), "run() stops the client");
}

#[tokio::test]
async fn non_callable_client_sends_queries_and_waits() {
    let hub = hub().await;
    let receiver = builder(&hub).connect().await.unwrap();
    receiver
        .bind_call("test.echo", |params: samp::Map| async move {
            samp::Response::ok(params)
        })
        .await
        .unwrap();
    let sender = builder(&hub).callable(false).connect().await.unwrap();
    assert_eq!(sender.callback_url(), None);
    assert!(sender.is_registered() && !sender.is_callable());
    let to = receiver.public_id().unwrap();
    let resp = sender
        .call_and_wait(&to, Message::new("test.echo").param("a", "b"), WAIT)
        .await
        .unwrap();
    assert_eq!(resp.result.unwrap()["a"], samp::Value::from("b"));
    assert_eq!(
        sender.subscribed_clients("test.echo").await.unwrap().len(),
        1
    );
    let recipients = sender
        .notify_all(Message::new("samp.app.ping"))
        .await
        .unwrap();
    assert!(recipients.contains(&to));

    let e = sender
        .bind_call("x.y", |_p: samp::Map| async {})
        .await
        .unwrap_err();
    assert!(matches!(e, Error::NotCallable { .. }), "{e}");
    assert!(e.to_string().contains("callable(true)"), "{e}");
    let e = sender
        .call(&to, Message::new("test.echo"), WAIT)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::NotCallable { .. }));
    let e = sender
        .declare_subscriptions(Subscriptions::new())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::NotCallable { .. }));
}

#[tokio::test]
async fn discovery_through_an_explicit_lockfile() {
    let dir = TempDir::new("lock");
    let path = dir.0.join("lockfile");
    let hub = Hub::builder().lockfile(&path).start().await.unwrap();
    let client = Client::builder()
        .hub_lockfile(&path)
        .no_static_handlers()
        .connect()
        .await
        .unwrap();
    assert!(client.is_registered());
    hub.shutdown().await;
    assert_eq!(
        guard(client.disconnected()).await,
        Some(SessionEnd::HubShutdown)
    );

    // The hub removed its lockfile: no hub now, and the error says where we looked.
    let e = client.register().await.unwrap_err();
    assert!(matches!(e, Error::NoHub { .. }), "{e}");
    let text = e.to_string();
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(text.contains("start one"), "{text}");
}

#[tokio::test]
async fn stale_lockfile_and_bad_secret() {
    let dir = TempDir::new("stale");
    let path = dir.0.join("lockfile");
    let dead = hub().await;
    let url = dead.url().to_owned();
    dead.shutdown().await;
    std::fs::write(
        &path,
        format!("samp.secret=x\nsamp.hub.xmlrpc.url={url}\nsamp.profile.version=1.3\n"),
    )
    .unwrap();
    let e = Client::builder()
        .hub_lockfile(&path)
        .connect()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::NoHub { .. }), "{e}");
    assert!(e.to_string().contains("does not answer"), "{e}");

    let hub = hub().await;
    let e = Client::builder()
        .hub_url(hub.url(), Secret::new("wrong"))
        .connect()
        .await
        .unwrap_err();
    assert!(
        matches!(
            &e,
            Error::HubFault {
                method: HubMethod::Register,
                ..
            }
        ),
        "{e}"
    );
}

#[tokio::test]
async fn hub_faults_name_the_method() {
    let hub = hub().await;
    let client = builder(&hub).connect().await.unwrap();
    let e = client
        .notify(&ClientId::new("nobody"), Message::new("a.b"))
        .await
        .unwrap_err();
    match &e {
        Error::HubFault {
            method, message, ..
        } => {
            assert_eq!(*method, HubMethod::Notify);
            assert!(!message.is_empty());
        }
        other => panic!("expected a hub fault, got {other:?}"),
    }
    assert!(e.to_string().contains("samp.hub.notify"), "{e}");
}

#[tokio::test]
async fn dropping_the_last_handle_unregisters() {
    let hub = hub().await;
    let watcher = builder(&hub).callable(false).connect().await.unwrap();
    let client = builder(&hub).connect().await.unwrap();
    let id = client.public_id().unwrap();
    drop(client);
    guard(async {
        while watcher.registered_clients().await.unwrap().contains(&id) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
}
