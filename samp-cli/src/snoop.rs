//! `samp snoop`: subscribes to MType patterns and prints every message that arrives, as
//! text or one JSON object per line, answering calls with `samp.ok`.
//!
//! Messages are taken from the raw callbacks (before any dispatch), so nothing a pattern
//! matches is hidden by the client's own handling (e.g. of `samp.app.ping`). They go
//! through one queue to one printing task: lines keep the order of arrival even when
//! finding a sender's name takes a hub query.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use samp::client::{RawHandler, Reconnect};
use samp::protocol::names::mtype::{HUB_EVENT_METADATA, HUB_EVENT_UNREGISTER};
use samp::protocol::{MTypePattern, MsgId, Subscriptions};
use samp::{Client, ClientId, Map, Message, Response, Value};
use serde_json::json;
use tokio::sync::mpsc;

use crate::fail::Failure;
use crate::json::map_to_json;
use crate::out;

const EXAMPLES: &str = "\
Examples:
  samp snoop
  samp snoop 'table.*' 'image.*'
  samp snoop --json | jq .params

Each line shows the time (UTC), whether it is a notification or a call (with its
msg-id), the MType, the sender's samp.name and id, and the params. With --json each
message is one JSON object on its own line: {\"time\", \"kind\" (\"notification\" or
\"call\"), \"sender\", \"sender_name\", \"mtype\", \"params\", \"msg_id\" (calls only),
\"extra\" (if the message has keys beyond samp.mtype and samp.params)}.

Calls are answered with samp.ok and an empty result. Runs until Ctrl-C or SIGTERM,
then unregisters; survives hub restarts.";

/// `samp snoop` arguments.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct SnoopArgs {
    /// MType patterns to subscribe to, e.g. table.load.votable or table.* [default: *]
    #[arg(value_name = "PATTERN", value_parser = parse_pattern)]
    patterns: Vec<MTypePattern>,
    /// One JSON object per line instead of text.
    #[arg(long)]
    json: bool,
}

fn parse_pattern(text: &str) -> Result<MTypePattern, String> {
    MTypePattern::parse(text).map_err(|e| e.to_string())
}

/// One message as it arrived.
struct Arrival {
    at: SystemTime,
    sender: ClientId,
    msg_id: Option<MsgId>,
    message: Message,
}

/// Names learnt from the hub's events, kept after their clients leave: a message can
/// be printed after its sender has gone.
#[derive(Default)]
struct Seen {
    names: HashMap<String, Option<String>>,
    gone: HashSet<String>,
}

fn lock(seen: &Mutex<Seen>) -> MutexGuard<'_, Seen> {
    seen.lock().unwrap_or_else(|e| e.into_inner())
}

struct Snooper {
    patterns: Vec<MTypePattern>,
    queue: mpsc::UnboundedSender<Arrival>,
    seen: Arc<Mutex<Seen>>,
}

impl Snooper {
    fn wanted(&self, mtype: &str) -> bool {
        self.patterns.iter().any(|p| p.matches(mtype))
    }

    /// Keeps names from `samp.hub.event.*` (the client drops `samp.hub.*` messages that do
    /// not come from the hub before they get here).
    fn learn(&self, message: &Message) {
        let id = message.get_str("id").map(str::to_owned);
        let Some(id) = id else { return };
        match message.mtype.as_str() {
            HUB_EVENT_METADATA => {
                let name = match message.params.get("metadata") {
                    Some(Value::Map(m)) => m.get("samp.name").and_then(Value::as_str),
                    _ => None,
                };
                lock(&self.seen).names.insert(id, name.map(str::to_owned));
            }
            HUB_EVENT_UNREGISTER => {
                lock(&self.seen).gone.insert(id);
            }
            _ => {}
        }
    }

    fn queue(&self, sender: ClientId, msg_id: Option<MsgId>, message: Message) {
        let at = SystemTime::now();
        let _ = self.queue.send(Arrival {
            at,
            sender,
            msg_id,
            message,
        });
    }
}

impl RawHandler for Snooper {
    fn receive_notification(&self, _client: &Client, sender: ClientId, message: Message) {
        self.learn(&message);
        if self.wanted(&message.mtype) {
            self.queue(sender, None, message);
        }
    }

    fn receive_call(&self, client: &Client, sender: ClientId, msg_id: MsgId, message: Message) {
        if self.wanted(&message.mtype) {
            self.queue(sender, Some(msg_id.clone()), message);
            let client = client.clone();
            tokio::spawn(async move { client.reply(&msg_id, Response::ok_empty()).await });
        } else {
            client.handle_call(sender, msg_id, message); // e.g. samp.app.ping
        }
    }
}

/// Registers, prints until a signal (or until standard output is gone), unregisters.
pub async fn run(args: SnoopArgs) -> Result<(), Failure> {
    let patterns = if args.patterns.is_empty() {
        vec![MTypePattern::any()]
    } else {
        args.patterns
    };
    let (queue, arrivals) = mpsc::unbounded_channel();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let client = Client::builder()
        .name("samp snoop")
        .description("Prints the messages it receives (samp snoop)")
        .track_clients(true) // senders' names
        .reconnect(Reconnect::default())
        .no_static_handlers()
        .raw_handler(Snooper {
            patterns: patterns.clone(),
            queue,
            seen: seen.clone(),
        })
        .build()?;
    let mut subscriptions = Subscriptions::new();
    for pattern in &patterns {
        subscriptions.insert(pattern.clone(), Map::new());
    }
    client.declare_subscriptions(subscriptions).await?; // declared by register()
    client.register().await?;
    let shown: Vec<&str> = patterns.iter().map(MTypePattern::as_str).collect();
    eprintln!(
        "samp snoop: registered as {}, subscribed to {}; stop with Ctrl-C",
        client
            .public_id()
            .map(|id| id.to_string())
            .unwrap_or_default(),
        shown.join(" ")
    );
    out::note_connection_changes(&client, "samp snoop");
    let printer = tokio::spawn(print(client.clone(), arrivals, seen, args.json));
    out::run_while_writing(&client, async { printer.await.unwrap_or(Ok(())) }).await
}

/// Prints arrivals in order until standard output fails.
async fn print(
    client: Client,
    mut arrivals: mpsc::UnboundedReceiver<Arrival>,
    seen: Arc<Mutex<Seen>>,
    json: bool,
) -> std::io::Result<()> {
    while let Some(arrival) = arrivals.recv().await {
        let name = sender_name(&client, &seen, &arrival.sender).await;
        out::line(&describe(&arrival, name.as_deref(), json))?;
    }
    Ok(())
}

/// The sender's `samp.name`: from the hub's events, the tracked table, or the hub. A
/// sender that has already left is waited for briefly: the hub sends its metadata event,
/// if any, before its unregister event.
async fn sender_name(client: &Client, seen: &Mutex<Seen>, id: &ClientId) -> Option<String> {
    if let Some(name) = lock(seen).names.get(id.as_str()) {
        return name.clone();
    }
    let name = match client.client_info(id) {
        Ok(Some(info)) if !info.metadata.as_map().is_empty() => Some(info.metadata),
        _ => client.client_metadata(id).await.ok(),
    }
    .map(|metadata| metadata.name().map(str::to_owned));
    if let Some(name) = name {
        lock(seen).names.insert(id.to_string(), name.clone());
        return name;
    }
    let until = Instant::now() + Duration::from_secs(2);
    while Instant::now() < until {
        {
            let seen = lock(seen);
            if let Some(name) = seen.names.get(id.as_str()) {
                return name.clone();
            }
            if seen.gone.contains(id.as_str()) {
                return None;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

fn describe(arrival: &Arrival, name: Option<&str>, json: bool) -> String {
    let message = &arrival.message;
    if json {
        let mut line = json!({
            "time": out::rfc3339(arrival.at),
            "kind": if arrival.msg_id.is_some() { "call" } else { "notification" },
            "sender": arrival.sender.as_str(),
            "sender_name": name,
            "mtype": message.mtype,
            "params": map_to_json(&message.params),
        });
        if let Some(msg_id) = &arrival.msg_id {
            line["msg_id"] = msg_id.as_str().into();
        }
        if !message.extra.is_empty() {
            line["extra"] = map_to_json(&message.extra);
        }
        return line.to_string();
    }
    let (_, time) = out::utc(arrival.at);
    let kind = match &arrival.msg_id {
        Some(msg_id) => format!("call {msg_id}"),
        None => "notification".to_owned(),
    };
    let mut text = format!(
        "{time}Z {} from {} ({}), {kind}: {}",
        message.mtype,
        name.unwrap_or("no name"),
        arrival.sender,
        map_to_json(&message.params)
    );
    if !message.extra.is_empty() {
        text.push_str(&format!(" extra {}", map_to_json(&message.extra)));
    }
    text
}
