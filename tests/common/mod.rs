//! Helpers shared by the end-to-end tests: a private in-process hub per test (never
//! `~/.samp`), clients aimed at it, and a guard that turns a hang into a failure.

#![allow(dead_code)] // each test crate uses its own subset

use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use samp::client::ClientBuilder;
use samp::hub::{Hub, RunningHub};
use samp::{Client, Context};

/// How long anything may take before a test calls it a hang.
pub const WAIT: Duration = Duration::from_secs(10);

/// A hub of this test's own, without a lockfile.
pub async fn hub() -> RunningHub {
    Hub::builder().no_lockfile().start().await.unwrap()
}

/// A client builder aimed at `hub`, without the static handlers linked into the test.
pub fn builder(hub: &RunningHub) -> ClientBuilder {
    Client::builder()
        .lock_info(hub.lock_info().clone())
        .no_static_handlers()
}

/// Awaits `f`, failing the test if it takes longer than [`WAIT`].
pub async fn guard<T>(f: impl Future<Output = T>) -> T {
    tokio::time::timeout(WAIT, f).await.expect("did not hang")
}

/// A lockfile path of this test's own (the file itself is not created), in a directory
/// named after `tag` and this process.
pub fn temp_lockfile(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("samp-test-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("lock")
}

/// Has `client` take calls matching `pattern` and never answer them: each reply is kept
/// parked until the test ends.
pub async fn never_answers(client: &Client, pattern: &str) {
    client
        .bind_call(pattern, |ctx: Context| async move {
            let parked = ctx.reply_later();
            std::future::pending::<()>().await;
            drop(parked);
        })
        .await
        .unwrap();
}
