//! `samp-send`: sends one SAMP message from the command line and prints the responses,
//! like JSAMP's `messagesender`.
//!
//! ```text
//! cargo run --example send -- [--to ID | --to-name NAME] --mtype MTYPE
//!     [--param KEY=VALUE ...] [--mode notify|call|sync] [--timeout SECS]
//! ```
//!
//! * `--to ID` sends to one client by public id; `--to-name NAME` to the one client whose
//!   `samp.name` metadata is `NAME`; with neither, the message goes to every client
//!   subscribed to the MType.
//! * `--param KEY=VALUE` adds a string param (split at the first `=`; repeatable).
//! * `--mode sync` (the default) uses `samp.hub.callAndWait` (one call per recipient when
//!   broadcasting); `call` sends asynchronous calls and waits for the responses through
//!   our callback server; `notify` sends a notification. Only `call` registers as callable.
//! * `--timeout SECS` (default 30) bounds the wait for responses.
//!
//! Output, one line per recipient on stdout:
//!
//! ```text
//! c3 samp.ok {"samp.result":{"got":"42"},"samp.status":"samp.ok"}    (a response, as JSON)
//! c3 notified                                                       (notify mode)
//! c3 no-response                                                    (timed out)
//! ```
//!
//! Exit status: 0 when every recipient answered `samp.ok` (or, for `notify`, when the
//! notification went to at least one client); 1 for anything else (an error or warning
//! response, a timeout, no recipient, a hub fault); 2 when no hub is running; 64 for bad
//! arguments.

use std::process::ExitCode;
use std::time::Duration;

use samp::protocol::{ClientId, Status};
use samp::{Client, Error, Map, Message, Response, Value};

const USAGE: &str = "usage: send [--to ID | --to-name NAME] --mtype MTYPE \
[--param KEY=VALUE ...] [--mode notify|call|sync] [--timeout SECS]";

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Notify,
    Call,
    Sync,
}

enum Target {
    All,
    Id(String),
    Name(String),
}

struct Args {
    target: Target,
    message: Message,
    mode: Mode,
    timeout: Duration,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("send: {e}\n{USAGE}");
            return ExitCode::from(64);
        }
    };
    match run(args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("send: {e}");
            match e {
                Error::NoHub { .. } => ExitCode::from(2),
                _ => ExitCode::FAILURE,
            }
        }
    }
}

/// The parsed command line, or `None` for `--help`.
fn parse_args(mut argv: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let (mut target, mut mtype, mut mode, mut timeout) = (Target::All, None, Mode::Sync, 30.0);
    let mut params = Map::new();
    while let Some(flag) = argv.next() {
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--to" | "--to-name" | "--mtype" | "--param" | "--mode" | "--timeout" => {}
            _ => return Err(format!("unknown argument {flag}")),
        }
        let value = argv.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--to" => target = Target::Id(value),
            "--to-name" => target = Target::Name(value),
            "--mtype" => mtype = Some(value),
            "--param" => {
                let (key, val) = value
                    .split_once('=')
                    .ok_or_else(|| format!("--param {value}: expected KEY=VALUE"))?;
                params.insert(key.to_owned(), Value::from(val));
            }
            "--mode" => {
                mode = match value.as_str() {
                    "notify" => Mode::Notify,
                    "call" => Mode::Call,
                    "sync" => Mode::Sync,
                    _ => return Err(format!("--mode {value}: expected notify, call or sync")),
                }
            }
            "--timeout" => {
                timeout = value
                    .parse::<f64>()
                    .ok()
                    .filter(|t| t.is_finite() && *t > 0.0)
                    .ok_or_else(|| format!("--timeout {value}: expected a positive number"))?
            }
            _ => unreachable!("flags are checked above"),
        }
    }
    let mtype = mtype.ok_or("--mtype is required")?;
    let mut message = Message::new(mtype);
    message.params = params;
    Ok(Some(Args {
        target,
        message,
        mode,
        timeout: Duration::from_secs_f64(timeout),
    }))
}

/// Sends the message and prints the outcome; `Ok(true)` when everything succeeded.
async fn run(args: Args) -> samp::Result<bool> {
    let client = Client::builder()
        .name("samp-send")
        .description("Sends one message from the command line")
        .callable(args.mode == Mode::Call)
        .connect()
        .await?;
    let outcome = send(&client, &args).await;
    let _ = client.stop().await; // unregister either way
    outcome
}

/// What came back from one recipient: a response, `Notified`, or nothing in time.
enum Outcome {
    Response(Response),
    Notified,
    NoResponse,
}

async fn send(client: &Client, args: &Args) -> samp::Result<bool> {
    let to = match &args.target {
        Target::All => None,
        Target::Id(id) => Some(ClientId::new(id.as_str())),
        Target::Name(name) => Some(find_by_name(client, name).await?),
    };
    let (msg, timeout) = (&args.message, args.timeout);
    let mut outcomes: Vec<(ClientId, Outcome)> = Vec::new();
    match (args.mode, to) {
        (Mode::Notify, Some(to)) => {
            client.notify(&to, msg).await?;
            outcomes.push((to, Outcome::Notified));
        }
        (Mode::Notify, None) => {
            let told = client.notify_all(msg).await?;
            outcomes.extend(told.into_iter().map(|id| (id, Outcome::Notified)));
        }
        (Mode::Sync, Some(to)) => {
            let outcome = match client.call_and_wait(&to, msg, timeout).await {
                Ok(response) => Outcome::Response(response),
                Err(e @ Error::Timeout { .. }) => {
                    eprintln!("send: {e}");
                    Outcome::NoResponse
                }
                Err(e) => return Err(e),
            };
            outcomes.push((to, outcome));
        }
        (Mode::Sync, None) => {
            // One callAndWait per subscribed client, in parallel.
            let mut answers = client.call_and_wait_all(msg, timeout).await?;
            while let Some((id, response)) = answers.next().await {
                let outcome = response.map(Outcome::Response).unwrap_or_else(|e| {
                    eprintln!("send: {id}: {e}");
                    Outcome::NoResponse
                });
                outcomes.push((id, outcome));
            }
        }
        (Mode::Call, Some(to)) => {
            let pending = client.call(&to, msg, timeout).await?;
            let outcome = match pending.await {
                Ok(response) => Outcome::Response(response),
                Err(Error::Timeout { .. }) => Outcome::NoResponse,
                Err(e) => return Err(e),
            };
            outcomes.push((to, outcome));
        }
        (Mode::Call, None) => {
            let mut responses = client.call_all(msg, timeout).await?;
            while let Some(item) = responses.next().await {
                let (id, response) = item?;
                outcomes.push((id, Outcome::Response(response)));
            }
            let silent: Vec<ClientId> = responses.outstanding().cloned().collect();
            outcomes.extend(silent.into_iter().map(|id| (id, Outcome::NoResponse)));
        }
    }
    if outcomes.is_empty() {
        eprintln!("send: no client is subscribed to {}", msg.mtype);
        return Ok(false);
    }
    let mut all_ok = true;
    for (id, outcome) in outcomes {
        match outcome {
            Outcome::Response(r) => {
                all_ok &= r.status == Status::Ok;
                println!("{id} {} {}", r.status, json(&r.to_value()));
            }
            Outcome::Notified => println!("{id} notified"),
            Outcome::NoResponse => {
                all_ok = false;
                println!("{id} no-response");
            }
        }
    }
    Ok(all_ok)
}

/// The one registered client whose `samp.name` is `name`.
async fn find_by_name(client: &Client, name: &str) -> samp::Result<ClientId> {
    let mut found = Vec::new();
    for id in client.registered_clients().await? {
        // A client may leave between the two calls: skip it.
        if let Ok(meta) = client.client_metadata(&id).await
            && meta.name() == Some(name)
        {
            found.push(id);
        }
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(Error::msg(format!(
            "no registered client is named {name:?}"
        ))),
        _ => Err(Error::msg(format!(
            "{} clients are named {name:?} ({}); use --to ID",
            found.len(),
            found
                .iter()
                .map(ClientId::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// A SAMP value as compact JSON (every SAMP scalar is a string).
fn json(value: &Value) -> String {
    match value {
        Value::String(s) => {
            let mut out = String::from('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if c < ' ' => out.push_str(&format!("\\u{:04x}", c as u32)),
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        }
        Value::List(items) => format!("[{}]", items.iter().map(json).collect::<Vec<_>>().join(",")),
        Value::Map(map) => {
            let entries: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}:{}", json(&Value::from(k)), json(v)))
                .collect();
            format!("{{{}}}", entries.join(","))
        }
    }
}
