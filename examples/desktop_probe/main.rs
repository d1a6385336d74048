//! Checks `samp::mtypes` against TOPCAT, SAOImage DS9 and Aladin: typed messages must do
//! what the vocabulary says, typed handlers must decode what the applications send.
//! `tests/interop/desktop/run.sh` starts a hub and the applications, then runs
//!
//! ```text
//! desktop_probe --table table.vot --image image.fits [--apps topcat,ds9,aladin]
//! ```
//!
//! with that directory's `table.vot` (rows `src0`..`src4`) and an image from its
//! `make_image.py` (OBJECT = 'SAMP-PROBE'). The hub is found through `SAMP_HUB` or
//! `~/.samp`. Prints `PASS:`/`FAIL:`/`SKIP: app: what - detail`; exits 1 on any FAIL.

use std::cell::Cell;
use std::future::Future;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use samp::client::IntoMessage;
use samp::mtypes::{
    ClientEnvGet, CoordPointAtSky, ImageLoadFits, MessageType, SampAppPing, TableHighlightRow,
    TableLoadFits, TableLoadVotable, TableSelectRowList,
};
use samp::{Client, ClientId, Context, Response, State};
use serde::{Deserialize, Serialize};

const NAME: &str = "desktop-probe";
const CALL: Duration = Duration::from_secs(30); // loading a table happens inside the call
const SENT: Duration = Duration::from_secs(20); // for a message from an application
const MISSING_TABLE: &str = "file:///nonexistent/probe.vot";
const MISSING_IMAGE: &str = "file:///nonexistent/probe.fits";

mod apps;
use apps::{Files, aladin, ds9, topcat};

// ------------------------------------------------------ the applications' private MTypes

/// An MType outside the vocabulary as a typed message: a params struct (of strings here)
/// whose `MessageType` impl names the MType and what its `samp.result` decodes to.
macro_rules! private_mtype {
    ($doc:literal $name:ident($($field:ident),*) = $mtype:literal -> $result:ty) => {
        #[doc = $doc]
        #[derive(Serialize, Deserialize)]
        struct $name { $($field: String),* }
        impl $name {
            fn new($($field: &str),*) -> Self { $name { $($field: $field.into()),* } }
        }
        impl MessageType for $name {
            const MTYPE: &'static str = $mtype;
            type Result = $result;
        }
    };
}
private_mtype!("DS9: an XPA-style query" Ds9Get(cmd) = "ds9.get" -> Ds9Value);
private_mtype!("DS9: an XPA-style command" Ds9Set(cmd) = "ds9.set" -> samp::Map);
private_mtype!("Aladin: a script" AladinScript(script) = "script.aladin.send" -> AladinOutput);
private_mtype!("Aladin: the view's centre" CoordGetSky() = "coord.get.sky" -> SkyPosition);

#[derive(Serialize, Deserialize)]
struct Ds9Value {
    #[serde(default)]
    value: String,
}
#[derive(Serialize, Deserialize)]
struct AladinOutput {
    #[serde(rename = "script.result", default)]
    text: String,
}
/// SAMP floats (strings on the wire) decode to `f64`.
#[derive(Serialize, Deserialize)]
struct SkyPosition {
    ra: f64,
    dec: f64,
}

// ------------------------------------ receiving: typed handlers fill an inbox (the state)

/// A decoded message. Images and tables come with what their URL held when they arrived
/// (the senders' files are temporary).
#[derive(Debug)]
enum Got {
    Image(ImageLoadFits, Check<Vec<u8>>),
    Table(TableLoadVotable, Check<Vec<u8>>),
    Point(CoordPointAtSky),
}

/// A message, its sender, and how it came ("notification from c2 \"SAOImageDS9\"").
struct Received(Got, ClientId, String);

#[derive(Clone, Default)]
struct Inbox(Arc<(Mutex<Vec<Received>>, tokio::sync::Notify)>);

impl Inbox {
    async fn put(&self, ctx: &Context, got: Got) {
        let meta = ctx.client().client_metadata(ctx.sender()).await;
        let name = meta
            .ok()
            .and_then(|m| m.name().map(str::to_owned))
            .unwrap_or_default();
        let kind = ["notification", "call"][usize::from(ctx.is_call())];
        let how = format!("{kind} from {} {name:?}", ctx.sender());
        println!("  (received {}: {how})", ctx.mtype());
        let received = Received(got, ctx.sender().clone(), how);
        self.0.0.lock().unwrap().push(received);
        self.0.1.notify_waiters();
    }

    /// Takes the first message `pick` accepts, waiting up to `SENT` for one.
    async fn take(&self, pick: impl Fn(&Received) -> bool) -> Check<Received> {
        let deadline = Instant::now() + SENT;
        loop {
            let notified = self.0.1.notified();
            if let Some(found) = {
                let mut items = self.0.0.lock().unwrap();
                let at = items.iter().position(&pick);
                at.map(|i| items.remove(i))
            } {
                return Ok(found);
            }
            let left = deadline.checked_duration_since(Instant::now());
            let left = left.ok_or(format!("nothing arrived within {SENT:?}"))?;
            let _ = tokio::time::timeout(left, notified).await;
        }
    }
}

/// An image (DS9's `samp send image` and `samp broadcast image` notify).
#[samp::notification(group = "desktop-probe")]
async fn image_notified(image: ImageLoadFits, ctx: Context, State(inbox): State<Inbox>) {
    let data = fetch(&image.url).await;
    inbox.put(&ctx, Got::Image(image, data)).await;
}

/// A table (DS9's `catalog samp broadcast` notifies).
#[samp::notification(group = "desktop-probe")]
async fn table_notified(table: TableLoadVotable, ctx: Context, State(inbox): State<Inbox>) {
    let data = fetch(&table.url).await;
    inbox.put(&ctx, Got::Table(table, data)).await;
}

/// A table as a call (STILTS's `omode=samp`, which serves it over HTTP until we reply);
/// one we cannot read gets `samp.error`.
#[samp::call(group = "desktop-probe")]
async fn table_called(
    table: TableLoadVotable,
    ctx: Context,
    State(inbox): State<Inbox>,
) -> Check<()> {
    let data = fetch(&table.url).await;
    let outcome = data.as_ref().map(|_| ()).map_err(Clone::clone);
    inbox.put(&ctx, Got::Table(table, data)).await;
    outcome
}

/// Reads a `file:` or `http:` URL (DS9 sends `file://localhost//tmp/...`).
async fn fetch(url: &str) -> Check<Vec<u8>> {
    if let Some(rest) = url.strip_prefix("file:") {
        let path = rest.strip_prefix("//localhost").or(rest.strip_prefix("//"));
        return std::fs::read(path.unwrap_or(rest)).map_err(|e| format!("{url}: {e}"));
    }
    let http = samp::protocol::http::HttpClient::new();
    let body = http.get(url, Some(Duration::from_secs(10))).await;
    body.map(|b| b.to_vec()).map_err(|e| format!("{url}: {e}"))
}

// ------------------------------------------------------------------ checks and report

type Check<T = String> = Result<T, String>;

/// One application under test, and the PASS/FAIL counts.
struct App<'a> {
    client: &'a Client,
    inbox: &'a Inbox,
    counts: &'a [Cell<usize>; 2],
    id: ClientId,
    name: &'a str,
}

impl App<'_> {
    async fn check(&self, what: &str, outcome: impl Future<Output = Check>) {
        let (verdict, detail, count) = match outcome.await {
            Ok(detail) => ("PASS", detail, &self.counts[0]),
            Err(detail) => ("FAIL", detail, &self.counts[1]),
        };
        count.set(count.get() + 1);
        println!("{verdict}: {}: {what} - {detail}", self.name);
    }

    /// Calls the application and waits for its response (`samp.hub.callAndWait`).
    async fn call(&self, message: impl IntoMessage) -> Check<Response> {
        let message = message.into_message().map_err(|e| e.to_string())?;
        let mtype = message.mtype.clone();
        let response = self.client.call_and_wait(&self.id, message, CALL).await;
        response.map_err(|e| format!("{mtype}: {e}"))
    }

    /// A typed request: `samp.result` decoded as `M::Result`, or the error.
    async fn request<M: MessageType>(&self, message: M) -> Check<M::Result> {
        let result = self.client.request(&self.id, message, CALL).await;
        result.map_err(|e| format!("{}: {e}", M::MTYPE))
    }

    async fn notify(&self, message: impl IntoMessage) -> Check<()> {
        let sent = self.client.notify(&self.id, message).await;
        sent.map_err(|e| e.to_string())
    }

    async fn ds9_get(&self, cmd: &str) -> Check {
        Ok(self.request(Ds9Get::new(cmd)).await?.value)
    }

    /// Checks that `message` gets `samp.ok`.
    async fn expect_ok(&self, what: &str, message: impl IntoMessage) {
        let response = async { ok(self.call(message).await?) };
        self.check(what, response).await;
    }

    /// Checks that `message` gets `samp.error` (with a text).
    async fn expect_error(&self, what: &str, message: impl IntoMessage) {
        let refused = async {
            let response = self.call(message).await?;
            match response.status.as_str() {
                "samp.error" => Ok(format!("samp.error \"{}\"", errortxt(&response))),
                status => Err(format!("{status}, expected samp.error")),
            }
        };
        self.check(what, refused).await;
    }

    /// Checks that once it got `trigger`, the application sends us a message that
    /// `judge` accepts (`None`: not the kind of message waited for).
    async fn expect_sent(&self, what: &str, trigger: impl IntoMessage, judge: Judge) {
        let sent = async {
            ok(self.call(trigger).await?)?;
            self.sent(judge).await
        };
        self.check(what, sent).await;
    }

    /// The judgement of the first message from the application that `judge` accepts.
    async fn sent(&self, judge: Judge) -> Check {
        let pick = |r: &Received| r.1 == self.id && judge(&r.0).is_some();
        let Received(got, _, how) = self.inbox.take(pick).await?;
        Ok(format!(
            "{} ({how})",
            judge(&got).unwrap_or(Err(String::new()))?
        ))
    }
}

type Judge = Box<dyn Fn(&Got) -> Option<Check>>;

/// Our FITS image (OBJECT = 'SAMP-PROBE'), as an `image.load.fits`.
fn our_image() -> Judge {
    Box::new(|got| match got {
        Got::Image(m, data) => Some(holds(data, &m.url, "OBJECT  = 'SAMP-PROBE'")),
        _ => None,
    })
}

/// Our VOTable (with row `src3`), as a `table.load.votable`.
fn our_table() -> Judge {
    Box::new(|got| match got {
        Got::Table(m, data) => Some(
            holds(data, &m.url, "<TD>src3</TD>")
                .map(|url| format!("{url} table-id={:?} name={:?}", m.table_id, m.name)),
        ),
        _ => None,
    })
}

/// This position, as a `coord.pointAt.sky`.
fn point_at(ra: f64, dec: f64) -> Judge {
    Box::new(move |got| match got {
        Got::Point(p) => Some(at(p.ra, p.dec, (ra, dec))),
        _ => None,
    })
}

fn holds(data: &Check<Vec<u8>>, url: &str, text: &str) -> Check {
    let data = String::from_utf8_lossy(data.as_ref()?);
    match data.contains(text) {
        true => Ok(format!("url={url}, our data")),
        false => Err(format!("{url}: {} bytes without {text:?}", data.len())),
    }
}

/// Whether a position is `want` (degrees) to 1e-4.
fn at(ra: f64, dec: f64, want: (f64, f64)) -> Check {
    let text = format!("ra={ra} dec={dec}");
    match (ra - want.0).abs() < 1e-4 && (dec - want.1).abs() < 1e-4 {
        true => Ok(text),
        false => Err(format!("{text}, expected {want:?}")),
    }
}

/// `samp.ok`, or what the response says.
fn ok(response: Response) -> Check {
    match response.status.as_str() {
        "samp.ok" => Ok("samp.ok".into()),
        status => Err(format!("{status}: {}", errortxt(&response))),
    }
}

fn errortxt(response: &Response) -> &str {
    let text = response.error.as_ref().map(|e| e.errortxt.as_str());
    text.and_then(|t| t.lines().next()).unwrap_or("-")
}

// ---------------------------------------------------------------------- the applications

/// `client.env.get` as a typed request: its result decodes to `ClientEnvGetResult`.
async fn env_check(app: &App<'_>) {
    app.check("client.env.get (typed request)", async {
        let value = app.request(ClientEnvGet::new("SAMP_HUB")).await?.value;
        match std::env::var("SAMP_HUB") {
            Ok(ours) if ours != value => Err(format!("SAMP_HUB = {value:?}, ours is {ours:?}")),
            _ => Ok(format!("SAMP_HUB = {value}")),
        }
    })
    .await;
}

// ----------------------------------------------------------------------------------------

/// Finds the application by `samp.name` (waiting up to `SENT`); says which of the
/// vocabulary MTypes we send it subscribes to, and returns the others.
async fn find(app: &mut App<'_>, samp_name: &str) -> Check<(String, Vec<&'static str>)> {
    let deadline = Instant::now() + SENT;
    let client = app.client;
    let failed = |e: samp::Error| e.to_string();
    app.id = 'search: loop {
        for id in client.registered_clients().await.map_err(failed)? {
            let metadata = client.client_metadata(&id).await.map_err(failed)?;
            if metadata.name() == Some(samp_name) {
                break 'search id;
            }
        }
        if Instant::now() > deadline {
            return Err(format!("no client named {samp_name:?} within {SENT:?}"));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let subscriptions = client.client_subscriptions(&app.id).await.map_err(failed)?;
    let (has, lacks): (Vec<_>, Vec<_>) = [
        TableLoadVotable::MTYPE,
        TableHighlightRow::MTYPE,
        TableSelectRowList::MTYPE,
        ImageLoadFits::MTYPE,
        CoordPointAtSky::MTYPE,
    ]
    .into_iter()
    .partition(|m| subscriptions.is_subscribed(m));
    let detail = format!("{} {samp_name:?}, subscribed to {}", app.id, has.join(" "));
    Ok((detail, lacks))
}

/// Connects, with the attribute handlers above and two closures.
async fn connect(inbox: &Inbox) -> samp::Result<Client> {
    let client = samp::Client::builder()
        .name(NAME)
        .description("Checks samp::mtypes against TOPCAT, DS9 and Aladin")
        .state(inbox.clone())
        .handler_group("desktop-probe")
        .connect()
        .await?;
    // Closures take the same typed arguments. DS9 sends positions only while some client
    // takes images and some takes table.load.fits, so subscribe to that too.
    let point = |at: CoordPointAtSky, ctx: Context, State(inbox): State<Inbox>| async move {
        inbox.put(&ctx, Got::Point(at)).await;
    };
    client.bind_message(CoordPointAtSky::MTYPE, point).await?;
    let ignore = |_: TableLoadFits| async {};
    client
        .bind_notification(TableLoadFits::MTYPE, ignore)
        .await?;
    Ok(client)
}

fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    let at = args.iter().position(|a| a == name)?;
    args.get(at + 1).map(String::as_str)
}

/// The `file:` URL and the path of the file named by `--table` or `--image`.
fn file(args: &[String], name: &str) -> Check<(String, String)> {
    let given = flag(args, name).ok_or(format!("{name} FILE is required"))?;
    let path = std::fs::canonicalize(given).map_err(|e| format!("{given}: {e}"))?;
    let path = path.display().to_string();
    Ok((format!("file://{path}"), path))
}

#[tokio::main]
async fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env();
    let filter = filter.unwrap_or_else(|_| "warn".into());
    tracing_subscriber::fmt().with_env_filter(filter).init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let inbox = Inbox::default();
    let started = async {
        let ((table, table_path), (image, image_path)) =
            (file(&args, "--table")?, file(&args, "--image")?);
        let client = connect(&inbox).await.map_err(|e| e.to_string())?;
        Check::Ok((
            Files {
                table,
                table_path,
                image,
                image_path,
            },
            client,
        ))
    };
    let (files, client) = match started.await {
        Ok(started) => started,
        Err(e) => {
            eprintln!("desktop_probe: {e}\nusage: desktop_probe --table T.vot --image I.fits");
            return ExitCode::from(2);
        }
    };

    let counts = [Cell::new(0), Cell::new(0)];
    for name in flag(&args, "--apps")
        .unwrap_or("topcat,ds9,aladin")
        .split(',')
    {
        let samp_name = match name {
            "topcat" => "topcat",
            "ds9" => "SAOImageDS9",
            "aladin" => "Aladin",
            other => other,
        };
        let (client, inbox, counts, id) = (&client, &inbox, &counts, ClientId::new(""));
        let mut app = App {
            client,
            inbox,
            counts,
            id,
            name,
        };
        let (detail, lacks) = match find(&mut app, samp_name).await {
            Ok(found) => found,
            Err(e) => {
                app.check("registered", async { Err(e) }).await;
                continue;
            }
        };
        app.check("registered", async { Ok(detail) }).await;
        for mtype in lacks {
            println!("SKIP: {name}: {mtype} - not subscribed");
        }
        match name {
            "topcat" => topcat(&app, &files).await,
            "ds9" => ds9(&app, &files).await,
            "aladin" => aladin(&app, &files).await,
            _ => {}
        }
    }
    let _ = client.stop().await;
    println!("{} passed, {} failed", counts[0].get(), counts[1].get());
    match counts[1].get() {
        0 => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}
