//! `ClientBuilder::connect_or_start_hub`: join the running hub, or start one in this process
//! and advertise it where other tools look.

use samp::Client;
use samp::client::ClientBuilder;
use samp::protocol::{LockInfo, Secret};

mod common;
use common::{guard, temp_lockfile};

fn on(lockfile: &std::path::Path, name: &str) -> ClientBuilder {
    Client::builder()
        .hub_lockfile(lockfile)
        .name(name)
        .no_static_handlers()
}

/// The hub URL a lockfile names.
fn url_in(lockfile: &std::path::Path) -> String {
    let text = std::fs::read_to_string(lockfile).unwrap();
    LockInfo::parse(&text).unwrap().xmlrpc_url
}

#[tokio::test]
async fn starts_a_hub_when_none_runs_and_later_clients_join_it() {
    let lock = temp_lockfile("own-start");
    let _ = std::fs::remove_file(&lock);

    let (first, own) = guard(on(&lock, "first").connect_or_start_hub())
        .await
        .unwrap();
    let own = own.expect("no hub was running, so one was started");
    assert_eq!(url_in(&lock), own.url(), "the lockfile advertises it");
    assert_eq!(first.hub().unwrap().url(), own.url());

    let (second, none) = guard(on(&lock, "second").connect_or_start_hub())
        .await
        .unwrap();
    assert!(none.is_none(), "a live hub is joined, not replaced");
    assert_eq!(second.hub().unwrap().url(), own.url());
    let others = second.registered_clients().await.unwrap();
    assert!(others.contains(&first.public_id().unwrap()), "{others:?}");

    second.stop().await.unwrap();
    first.stop().await.unwrap();
    own.shutdown().await;
    assert!(!lock.exists(), "the hub removed its lockfile");
}

#[tokio::test]
async fn replaces_a_stale_lockfile() {
    let lock = temp_lockfile("own-stale");
    let dead = LockInfo::new(Secret::new("s"), "http://127.0.0.1:1/xmlrpc");
    std::fs::write(&lock, dead.render()).unwrap();

    let (client, own) = guard(on(&lock, "stale").connect_or_start_hub())
        .await
        .unwrap();
    let own = own.expect("the lockfile's hub is gone, so one was started");
    assert_eq!(url_in(&lock), own.url());
    client.stop().await.unwrap();
    own.shutdown().await;
}

#[tokio::test]
async fn a_client_given_a_hub_url_only_connects() {
    let lock = temp_lockfile("own-direct");
    let _ = std::fs::remove_file(&lock);
    let gone = LockInfo::new(Secret::new("s"), "http://127.0.0.1:1/xmlrpc");
    let e = guard(
        Client::builder()
            .lock_info(gone)
            .no_static_handlers()
            .connect_or_start_hub(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(e, samp::Error::NoHub { .. } | samp::Error::Transport { .. }),
        "{e:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn clients_starting_at_once_share_one_hub() {
    let lock = temp_lockfile("own-race");
    let _ = std::fs::remove_file(&lock);
    let starts: Vec<_> = (0..4)
        .map(|i| tokio::spawn(on(&lock, &format!("racer-{i}")).connect_or_start_hub()))
        .collect();
    let mut joined = Vec::new();
    for start in starts {
        joined.push(guard(start).await.unwrap().unwrap());
    }
    let owners: Vec<_> = joined.iter().filter(|(_, hub)| hub.is_some()).collect();
    assert_eq!(owners.len(), 1, "exactly one started a hub");
    let url = owners[0].1.as_ref().unwrap().url().to_owned();
    for (client, _) in &joined {
        assert_eq!(client.hub().unwrap().url(), url, "all joined the one hub");
    }
    assert_eq!(url_in(&lock), url);
    let mut hubs = Vec::new();
    for (client, hub) in joined {
        client.stop().await.unwrap();
        hubs.extend(hub);
    }
    for hub in hubs {
        hub.shutdown().await;
    }
}
