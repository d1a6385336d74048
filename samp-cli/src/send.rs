//! `samp send`: one message to one client or to every subscriber, as a notification, an
//! asynchronous call, or a synchronous call, and what came back.

use std::time::Duration;

use samp::client::ResponseStream;
use samp::protocol::{MType, Status};
use samp::{Client, ClientId, Error, Map, Message, Response};
use serde_json::json;

use crate::directory::{self, Names};
use crate::fail::Failure;
use crate::json::{map_to_json, param_value, split_param};
use crate::out;

const EXAMPLES: &str = "\
Examples:
  samp send samp.app.ping --mode sync
  samp send table.load.votable url=file:///data/m31.xml name=M31 --to topcat
  samp send coord.pointAt.sky ra=83.63 dec=22.01
  samp send test.echo 'list=[1, 2.5, true]' 'map={\"a\": \"b\"}' --mode call --json

Params: KEY=VALUE is split at the first `=`. A VALUE that starts with `[` or `{` is read
as JSON (unless --raw): JSON strings, lists and maps become SAMP strings, lists and maps;
JSON numbers and booleans become SAMP strings in SAMP's encoding (42 -> \"42\",
2.5 -> \"2.5\", true -> \"1\", false -> \"0\"); null is an error. Any other VALUE is a
string as it stands.

Output: notify prints one line per recipient; call and sync one line per responder
(id, name, status, then the result or the error), or with --json one JSON object per
line: {\"id\", \"name\", \"status\", \"response\"} (\"response\" is the whole response map;
\"status\" is \"notified\" or \"no-response\" when there is none).

Exit status: 0 sent (and every response samp.ok or samp.warning); 1 a samp.error
response, no response in time, no recipient, or a send the hub refused; 2 usage error,
including --to naming no client or several; 3 no hub.";

/// How to send.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A notification: no response (samp.hub.notify / notifyAll).
    Notify,
    /// Asynchronous calls; responses come back to our callback server (call / callAll).
    Call,
    /// Synchronous calls through the hub (callAndWait, one per recipient).
    Sync,
}

/// `samp send` arguments.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct SendArgs {
    /// The MType, e.g. table.load.votable.
    #[arg(value_parser = parse_mtype)]
    mtype: String,
    /// Params of the message (see below for JSON values).
    #[arg(value_name = "KEY=VALUE", value_parser = split_param)]
    params: Vec<(String, String)>,
    /// Send to this client only: its samp.name (any case) or its public id. Default:
    /// every client subscribed to the MType.
    #[arg(long, value_name = "NAME_OR_ID")]
    to: Option<String>,
    /// How to send.
    #[arg(long, value_enum, default_value_t = Mode::Notify)]
    mode: Mode,
    /// Seconds to wait for responses (call, sync).
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_secs)]
    timeout: Duration,
    /// Every VALUE is a plain string, even one that starts with `[` or `{`.
    #[arg(long)]
    raw: bool,
    /// One JSON object per line instead of text.
    #[arg(long)]
    json: bool,
}

fn parse_mtype(text: &str) -> Result<String, String> {
    MType::parse(text)
        .map(MType::into_string)
        .map_err(|e| e.to_string())
}

/// A positive number of seconds.
pub fn parse_secs(text: &str) -> Result<Duration, String> {
    text.parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0 && *s < 1e9)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| format!("{text:?} is not a positive number of seconds"))
}

/// What came back from one recipient.
enum Outcome {
    Notified,
    Answered(Response),
    Silent(String),
}

/// Registers, sends, prints, unregisters.
pub async fn run(args: SendArgs) -> Result<(), Failure> {
    let message = message(&args)?;
    let client = Client::builder()
        .name("samp send")
        .description("Sends one message from the command line (samp send)")
        .callable(args.mode == Mode::Call)
        .no_static_handlers()
        .connect()
        .await?;
    let result = send(&client, &args, &message).await;
    let _ = client.stop().await; // unregister either way
    result
}

fn message(args: &SendArgs) -> Result<Message, Failure> {
    let mut message = Message::new(args.mtype.as_str());
    for (key, text) in &args.params {
        let value = param_value(key, text, args.raw).map_err(Failure::Usage)?;
        if message.params.insert(key.clone(), value).is_some() {
            return Err(Failure::Usage(format!("param {key} is given twice")));
        }
    }
    Ok(message)
}

async fn send(client: &Client, args: &SendArgs, msg: &Message) -> Result<(), Failure> {
    let (to, mut names) = match &args.to {
        None => (None, Names::default()),
        Some(wanted) => {
            let entries = directory::registered(client, false).await?;
            let id = directory::resolve(&entries, wanted)?;
            (Some(id), Names::from_entries(&entries))
        }
    };
    let mut tally = Tally::default();
    let mut report = async |id: ClientId, outcome: Outcome| -> Result<(), Failure> {
        let name = names.get(client, &id).await;
        tally.add(&outcome);
        out::line(&describe(&id, name.as_deref(), &outcome, args.json))?;
        Ok(())
    };
    let timeout = args.timeout;
    match (args.mode, to) {
        (Mode::Notify, Some(to)) => {
            client.notify(&to, msg).await?;
            report(to, Outcome::Notified).await?;
        }
        (Mode::Notify, None) => {
            for id in client.notify_all(msg).await? {
                report(id, Outcome::Notified).await?;
            }
        }
        (Mode::Sync, Some(to)) => {
            let outcome = answer(client.call_and_wait(&to, msg, timeout).await)?;
            report(to, outcome).await?;
        }
        (Mode::Sync, None) => {
            let mut answers = client.call_and_wait_all(msg, timeout).await?;
            while let Some((id, response)) = answers.next().await {
                report(id, answer(response)?).await?;
            }
        }
        (Mode::Call, Some(to)) => {
            let pending = client.call(&to, msg, timeout).await?;
            report(to, answer(pending.await)?).await?;
        }
        (Mode::Call, None) => {
            let mut responses: ResponseStream = client.call_all(msg, timeout).await?;
            while let Some(item) = responses.next().await {
                let (id, response) = item?;
                report(id, Outcome::Answered(response)).await?;
            }
            let silent: Vec<ClientId> = responses.outstanding().cloned().collect();
            for id in silent {
                let why = format!("no response within {}", secs(timeout));
                report(id, Outcome::Silent(why)).await?;
            }
        }
    }
    tally.verdict(&msg.mtype)
}

/// A response, or the reason there is none: a timeout, or a hub fault about this one
/// recipient (callAndWait's timeout comes as `Error::Timeout`; a recipient that left
/// meanwhile is a hub fault).
/// Other errors end the send.
fn answer(response: samp::Result<Response>) -> Result<Outcome, Failure> {
    match response {
        Ok(r) => Ok(Outcome::Answered(r)),
        Err(e @ (Error::Timeout { .. } | Error::HubFault { .. })) => {
            Ok(Outcome::Silent(e.to_string()))
        }
        Err(e) => Err(e.into()),
    }
}

fn secs(d: Duration) -> String {
    format!("{} s", d.as_secs_f64())
}

/// One output line for one recipient.
fn describe(id: &ClientId, name: Option<&str>, outcome: &Outcome, json: bool) -> String {
    if json {
        let (status, response) = match outcome {
            Outcome::Notified => ("notified".to_owned(), serde_json::Value::Null),
            Outcome::Answered(r) => (r.status.to_string(), response_json(r)),
            Outcome::Silent(_) => ("no-response".to_owned(), serde_json::Value::Null),
        };
        let mut line = json!({ "id": id.as_str(), "name": name, "status": status });
        if let Outcome::Silent(why) = outcome {
            line["error"] = why.as_str().into();
        } else if !response.is_null() {
            line["response"] = response;
        }
        return line.to_string();
    }
    let who = format!("{id} ({})", name.unwrap_or("no name"));
    match outcome {
        Outcome::Notified => format!("{who}: notified"),
        Outcome::Silent(why) => format!("{who}: no response: {why}"),
        Outcome::Answered(r) => {
            let mut text = format!("{who}: {}", r.status);
            if let Some(result) = &r.result {
                text.push(' ');
                text.push_str(&map_to_json(result).to_string());
            }
            if let Some(err) = &r.error {
                text.push_str(": ");
                text.push_str(&err.errortxt);
                if let Some(user) = &err.usertxt {
                    text.push_str(&format!(" ({user})"));
                }
            }
            text
        }
    }
}

fn response_json(r: &Response) -> serde_json::Value {
    match r.to_value().into_map() {
        Some(map) => map_to_json(&map),
        None => map_to_json(&Map::new()),
    }
}

/// What happened overall, for the exit status.
#[derive(Default)]
struct Tally {
    recipients: usize,
    failed: usize,
}

impl Tally {
    fn add(&mut self, outcome: &Outcome) {
        self.recipients += 1;
        match outcome {
            Outcome::Answered(r) if r.status == Status::Error => self.failed += 1,
            Outcome::Silent(_) => self.failed += 1,
            _ => {}
        }
    }

    fn verdict(&self, mtype: &str) -> Result<(), Failure> {
        if self.recipients == 0 {
            return Err(Failure::Failed(format!(
                "no client is subscribed to {mtype}: nothing was sent (`samp clients` shows who is there)"
            )));
        }
        if self.failed > 0 {
            return Err(Failure::Failed(format!(
                "{} of {} recipients answered samp.error or not at all",
                self.failed, self.recipients
            )));
        }
        Ok(())
    }
}
