//! `samp-echo`: answers `test.echo` calls with their params, counts `test.count`
//! notifications and reports the count on `test.count.get`, and answers `test.clients`
//! with the clients it tracks. It survives hub restarts and crashes: when the hub goes, it
//! waits for a new one and registers again.
//!
//! Start a hub first (`samp-hub`, TOPCAT, `jsamp hub`, astropy's `samp_hub`), then:
//!
//! ```text
//! cargo run --example echo
//! ```
//!
//! Ctrl-C (or SIGTERM) leaves the hub and exits.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use samp::client::{ConnectionEvent, Reconnect};
use samp::{Client, Context, Error, Map, Response, State, Value};

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

/// How many `test.count` notifications have arrived.
#[derive(Clone, Default)]
struct Count(Arc<AtomicU64>);

async fn run() -> samp::Result<()> {
    let client = Client::builder()
        .name("samp-echo")
        .description("Echoes test.echo calls, counts test.count notifications, lists clients")
        .track_clients(true)
        .reconnect(Reconnect::default())
        .state(Count::default())
        .build()?;

    client
        .bind_call(
            "test.echo",
            |params: Map| async move { Response::ok(params) },
        )
        .await?;
    client
        .bind_notification("test.count", |State(count): State<Count>| async move {
            count.0.fetch_add(1, Ordering::Relaxed);
        })
        .await?;
    client
        .bind_call("test.count.get", |State(count): State<Count>| async move {
            let n = count.0.load(Ordering::Relaxed);
            Map::from([("count".to_owned(), n.to_string().into())])
        })
        .await?;
    // The tracked table: every other client (the hub's own included) and its samp.name.
    client
        .bind_call("test.clients", |ctx: Context| async move {
            let clients: Map = ctx
                .client()
                .clients()?
                .into_iter()
                .map(|c| {
                    let name = c.name().unwrap_or("").to_owned();
                    (c.id.into_string(), Value::from(name))
                })
                .collect();
            Ok::<_, Error>(Map::from([("clients".to_owned(), Value::Map(clients))]))
        })
        .await?;

    client.register().await?;
    let me = || {
        client
            .public_id()
            .map(|id| id.to_string())
            .unwrap_or_default()
    };
    println!("samp-echo registered as {}", me());

    // Say what happens to the connection.
    let mut events = client.connection_events();
    let report = client.clone();
    tokio::spawn(async move {
        while let Some(event) = events.next().await {
            match event {
                ConnectionEvent::Lost(why) => println!("samp-echo lost its hub: {why}"),
                ConnectionEvent::Reconnected(url) => println!(
                    "samp-echo registered again as {} with {url}",
                    report
                        .public_id()
                        .map(|id| id.to_string())
                        .unwrap_or_default()
                ),
                other => println!("samp-echo: {other:?}"),
            }
        }
    });

    client.run_until(samp::client::shutdown_signal()).await
}
