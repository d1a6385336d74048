//! The status page over HTTP: the token guards it, clients are listed (escaped), and the
//! news long poll returns as soon as something happens.

use std::time::Duration;

use samp_http::HttpClient;
use samp_hub::{Hub, STATUS_URL_KEY};
use samp_protocol::{Value, map};

mod common;
use common::{Raw, WAIT};

async fn get(url: &str) -> (u16, String) {
    let f = HttpClient::new().fetch(url, 1 << 20, WAIT).await.unwrap();
    (f.status, String::from_utf8_lossy(&f.body).into_owned())
}

#[tokio::test]
async fn the_status_page_lists_clients_and_follows_the_hub() {
    let dir = std::env::temp_dir().join(format!("samp-status-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let hub = Hub::builder()
        .lockfile(dir.join("lock"))
        .start()
        .await
        .unwrap();
    let url = hub.status_url().unwrap().to_owned();
    let lock = std::fs::read_to_string(dir.join("lock")).unwrap();
    assert!(
        lock.contains(&format!("{STATUS_URL_KEY}={url}\n")),
        "{lock}"
    );
    assert!(!url.contains('?') && !url.contains('='), "{url}");

    let a = Raw::register(&hub, true).await;
    a.ok(
        "declareMetadata",
        vec![map! { "samp.name" => "<b>alpha</b>" }],
    )
    .await;
    a.subscribe(&["status.*"]).await;
    let (status, html) = get(&url).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("&lt;b&gt;alpha&lt;/b&gt;"),
        "names are escaped"
    );
    assert!(!html.contains("<b>alpha</b>"));

    // The news poll waits, and returns as soon as a message goes through.
    let seq: u64 = html
        .split("var seq=")
        .nth(1)
        .and_then(|r| r.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    let version: u64 = html
        .split("clients=")
        .nth(1)
        .and_then(|r| r.split(';').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    let poll = tokio::spawn(get_later(format!(
        "{url}/news?after={seq}&clients={version}"
    )));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!poll.is_finished(), "nothing happened: the poll waits");
    let b = Raw::register(&hub, false).await;
    let note = map! { "samp.mtype" => "status.note", "samp.params" => map! {} };
    b.ok("notify", vec![Value::from(a.id.as_str()), note]).await;
    let (status, news) = tokio::time::timeout(WAIT, poll).await.unwrap().unwrap();
    assert_eq!(status, 200);
    assert!(news.contains("\"seq\":"), "{news}");
    assert!(
        news.contains("\"clients\":"),
        "the client list changed: sent again"
    );

    // Wrong tokens, and what is not the page, get 404.
    let base = url.rsplit_once('/').unwrap().0;
    for wrong in [
        format!("{base}/s:nope"),
        format!("{url}/other"),
        format!("{base}/"),
    ] {
        assert_eq!(get(&wrong).await.0, 404, "{wrong}");
    }
    drop(hub);
    let _ = std::fs::remove_dir_all(&dir);
}

async fn get_later(url: String) -> (u16, String) {
    get(&url).await
}
