//! `samp-echo`: answers `test.echo` calls with their params, counts `test.count`
//! notifications and reports the count on `test.count.get`; exits when the hub shuts down.
//!
//! Start a hub first (`samp-hub`, TOPCAT, `jsamp hub`, astropy's `samp_hub`), then:
//!
//! ```text
//! cargo run --example echo
//! ```

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use samp::{Client, Context, Error, Map, Response};

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e @ Error::NoHub { .. }) => {
            eprintln!("samp-echo: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("samp-echo: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> samp::Result<()> {
    let client = Client::builder()
        .name("samp-echo")
        .description("Echoes test.echo calls and counts test.count notifications")
        .build()?;

    client
        .bind_call("test.echo", |_ctx: Context, params: Map| async move {
            Response::ok(params)
        })
        .await?;

    let count = Arc::new(AtomicU64::new(0));
    let counter = count.clone();
    client
        .bind_notification("test.count", move |_ctx: Context, _params: Map| {
            counter.fetch_add(1, Ordering::Relaxed);
            async {}
        })
        .await?;
    client
        .bind_call("test.count.get", move |_ctx: Context, _params: Map| {
            let n = count.load(Ordering::Relaxed);
            async move { Map::from([("count".to_owned(), n.to_string().into())]) }
        })
        .await?;

    client.register().await?;
    println!(
        "samp-echo registered as {}",
        client
            .public_id()
            .map(|id| id.to_string())
            .unwrap_or_default()
    );
    client.run().await
}
