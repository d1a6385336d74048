//! `samp clients`: the registered clients as a table or JSON, once or kept current from
//! the hub's events (`--watch`).

use std::time::{Duration, SystemTime};

use samp::client::{ClientEvent, ClientInfo, Reconnect};
use samp::protocol::{Metadata, Subscriptions};
use samp::{Client, ClientId};
use serde_json::json;

use crate::directory::{self, natural};
use crate::fail::Failure;
use crate::json::map_to_json;
use crate::out;

const EXAMPLES: &str = "\
Examples:
  samp clients
  samp clients --json | jq '.[].name'
  samp clients --watch

Columns: the public id, samp.name, whether the client is callable, and how many MType
patterns it subscribes to. The Standard Profile does not say whether a client is
callable; one with subscriptions must be (only callable clients can receive messages),
so CALLABLE is \"yes\" for those and \"?\" for the rest. This command's own
registration is not listed.

--json prints one JSON array: [{\"id\", \"name\", \"callable\" (true or null),
\"subscriptions\" (a count), \"mtypes\" (the patterns), \"metadata\"}].

With --watch the table, headed by the time (UTC) and what happened, or the JSON array
(one per line) is printed again whenever it changes, until Ctrl-C or SIGTERM; it
survives hub restarts.";

/// Changes that arrive this close together are shown as one: a client registering sends
/// three events (register, metadata, subscriptions).
const SETTLE: Duration = Duration::from_millis(150);

/// `samp clients` arguments.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct ClientsArgs {
    /// Keep the list current: print it again on every change, until Ctrl-C.
    #[arg(long)]
    watch: bool,
    /// A JSON array instead of a table (with --watch, one per line).
    #[arg(long)]
    json: bool,
}

/// One row.
struct Row {
    id: ClientId,
    metadata: Metadata,
    subscriptions: Subscriptions,
}

/// Lists the clients once, or until a signal with `--watch`.
pub async fn run(args: ClientsArgs) -> Result<(), Failure> {
    if args.watch {
        return watch(args.json).await;
    }
    let client = Client::builder()
        .name("samp clients")
        .description("Lists the registered clients (samp clients)")
        .callable(false)
        .no_static_handlers()
        .connect()
        .await?;
    let listed = directory::registered(&client, true).await;
    let _ = client.stop().await;
    let rows: Vec<Row> = listed?
        .into_iter()
        .map(|e| Row {
            id: e.id,
            metadata: e.metadata,
            subscriptions: e.subscriptions,
        })
        .collect();
    out::line(&render(&rows, args.json))?;
    Ok(())
}

async fn watch(json: bool) -> Result<(), Failure> {
    let client = Client::builder()
        .name("samp clients")
        .description("Watches the registered clients (samp clients --watch)")
        .track_clients(true)
        .reconnect(Reconnect::default())
        .no_static_handlers()
        .build()?;
    client.register().await?; // seeds the table
    // Subscribed after the seeding, so its Seeded event is not shown as a change; a change
    // in between is in the first table anyway, which is read after this.
    let mut events = client.client_events()?;
    out::note_connection_changes(&client, "samp clients");
    // Shows the table if it differs from the one shown last (a client that came and
    // went within one burst changes nothing), headed by what happened.
    let mut last = None;
    let mut show = |heading: Option<String>| -> std::io::Result<()> {
        let table = render(&tracked(&client), json);
        if last.as_ref() == Some(&table) {
            return Ok(());
        }
        if json {
            out::line(&table)?;
        } else {
            let (_, time) = out::utc(SystemTime::now());
            let heading = heading.map_or(String::new(), |h| format!(": {h}"));
            out::line(&format!("{time}Z{heading}\n{table}\n"))?;
        }
        last = Some(table);
        Ok(())
    };
    let changes = async {
        show(None)?;
        while let Some(first) = events.next().await {
            let mut seen = vec![first];
            // Let a burst settle, then show it once.
            while let Ok(Some(more)) = tokio::time::timeout(SETTLE, events.next()).await {
                seen.push(more);
            }
            show(summary(&seen, client.public_id().as_ref()))?;
        }
        Ok::<(), std::io::Error>(())
    };
    out::run_while_writing(&client, changes).await
}

/// The tracked table as rows (empty while the hub is away).
fn tracked(client: &Client) -> Vec<Row> {
    let mut rows: Vec<Row> = client
        .clients()
        .unwrap_or_default()
        .into_iter()
        .map(|c: ClientInfo| Row {
            id: c.id,
            metadata: c.metadata,
            subscriptions: c.subscriptions,
        })
        .collect();
    rows.sort_by(|a, b| natural(a.id.as_str(), b.id.as_str()));
    rows
}

/// What changed, in words, for the heading of a watched table; our own declarations
/// (`me`) are left out.
fn summary(events: &[ClientEvent], me: Option<&ClientId>) -> Option<String> {
    let words: Vec<String> = events
        .iter()
        .filter(|e| match e {
            ClientEvent::Registered(id)
            | ClientEvent::Unregistered(id)
            | ClientEvent::Metadata(id)
            | ClientEvent::Subscriptions(id) => Some(id) != me,
            _ => true,
        })
        .filter_map(|e| match e {
            ClientEvent::Registered(id) => Some(format!("{id} registered")),
            ClientEvent::Unregistered(id) => Some(format!("{id} left")),
            ClientEvent::Metadata(id) => Some(format!("{id} declared metadata")),
            ClientEvent::Subscriptions(id) => Some(format!("{id} declared subscriptions")),
            ClientEvent::Seeded => Some("(re)read from the hub".to_owned()),
            ClientEvent::Cleared => Some("hub gone".to_owned()),
            _ => None,
        })
        .collect();
    (!words.is_empty()).then(|| words.join(", "))
}

/// The rows as an aligned text table or a compact JSON array.
fn render(rows: &[Row], json: bool) -> String {
    if json {
        let all: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                let mtypes: Vec<&str> = r.subscriptions.iter().map(|(p, _)| p.as_str()).collect();
                json!({
                    "id": r.id.as_str(),
                    "name": r.metadata.name(),
                    "callable": (!r.subscriptions.is_empty()).then_some(true),
                    "subscriptions": r.subscriptions.len(),
                    "mtypes": mtypes,
                    "metadata": map_to_json(r.metadata.as_map()),
                })
            })
            .collect();
        return serde_json::Value::Array(all).to_string();
    }
    let mut table = vec![[
        "ID".to_owned(),
        "NAME".to_owned(),
        "CALLABLE".to_owned(),
        "SUBSCRIPTIONS".to_owned(),
    ]];
    for r in rows {
        table.push([
            r.id.to_string(),
            r.metadata.name().unwrap_or("-").to_owned(),
            if r.subscriptions.is_empty() {
                "?"
            } else {
                "yes"
            }
            .to_owned(),
            r.subscriptions.len().to_string(),
        ]);
    }
    let width = |col: usize| {
        table
            .iter()
            .map(|r| r[col].chars().count())
            .max()
            .unwrap_or(0)
    };
    let widths = [width(0), width(1), width(2)];
    let lines: Vec<String> = table
        .iter()
        .map(|r| {
            format!(
                "{:w0$}  {:w1$}  {:w2$}  {}",
                r[0],
                r[1],
                r[2],
                r[3],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2]
            )
        })
        .collect();
    lines.join("\n")
}
