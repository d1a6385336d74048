//! Checks `samp::mtypes` against the real desktop applications (TOPCAT, SAOImage DS9,
//! Aladin): the typed messages must do what the vocabulary says, and the typed handlers
//! must decode what the applications send. Run by `tests/interop/desktop/run.sh`, which
//! starts a hub and the applications; by hand:
//!
//! ```text
//! cargo run --release --example desktop_probe -- --table T.vot --image I.fits [--apps topcat,ds9,aladin]
//! ```
//!
//! The hub is found the standard way (`SAMP_HUB`, else `~/.samp`). `--table` must be
//! `tests/interop/desktop/table.vot` (five sources, `src0`..`src4`) and `--image` the
//! output of `make_image.py` (OBJECT = 'SAMP-PROBE', centred on RA 83.633, Dec 22.0145).
//! Prints one `PASS:`/`FAIL:`/`SKIP: app: what - detail` line per check, exits 1 on any
//! FAIL (2 when it cannot start).

use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use samp::mtypes::{
    ClientEnvGet, CoordPointAtSky, ImageLoadFits, MessageType, SampAppPing, TableHighlightRow,
    TableLoadFits, TableLoadVotable, TableSelectRowList,
};
use samp::client::IntoMessage;
use samp::{Client, ClientId, Context, Response, State};
use serde::{Deserialize, Serialize};

const CALL: Duration = Duration::from_secs(30); // TOPCAT and Aladin load tables in the call
const SENT: Duration = Duration::from_secs(20); // wait for an application to send to us
const NAME: &str = "desktop-probe";

// ---------------------------------------------------------------------------------------
// The applications' own MTypes, as typed messages (outside the vocabulary).

/// DS9's `ds9.get` (an XPA/SAMP "get" command, e.g. `pan wcs fk5 degrees`) and `ds9.set`.
#[derive(Serialize, Deserialize)]
struct Ds9Get {
    cmd: String,
}
#[derive(Serialize, Deserialize)]
struct Ds9Set {
    cmd: String,
}
/// What `ds9.get` returns: the answer as `value`, or in a file named by `url`.
#[derive(Serialize, Deserialize, Debug)]
struct Ds9Value {
    #[serde(default)]
    value: String,
    url: Option<String>,
}
impl MessageType for Ds9Get {
    const MTYPE: &'static str = "ds9.get";
    type Result = Ds9Value;
}
impl MessageType for Ds9Set {
    const MTYPE: &'static str = "ds9.set";
    type Result = samp::Map;
}

/// Aladin's `script.aladin.send`: run an Aladin script command.
#[derive(Serialize, Deserialize)]
struct AladinScript {
    script: String,
}
#[derive(Serialize, Deserialize)]
struct AladinOutput {
    #[serde(rename = "script.result", default)]
    text: String,
}
impl MessageType for AladinScript {
    const MTYPE: &'static str = "script.aladin.send";
    type Result = AladinOutput;
}

/// Aladin's `coord.get.sky`: where is the view centred? (SAMP floats decode to `f64`.)
#[derive(Serialize, Deserialize, Default)]
struct CoordGetSky {}
#[derive(Serialize, Deserialize)]
struct SkyPosition {
    ra: f64,
    dec: f64,
}
impl MessageType for CoordGetSky {
    const MTYPE: &'static str = "coord.get.sky";
    type Result = SkyPosition;
}

// ---------------------------------------------------------------------------------------
// Receiving: typed handlers put what they decode into the inbox (application state).

#[derive(Debug)]
enum Got {
    Image(ImageLoadFits),
    /// The table message and what its URL held when the handler fetched it.
    Table(TableLoadVotable, Result<Vec<u8>, String>),
    Point(CoordPointAtSky),
}

#[derive(Debug)]
struct Received {
    from: ClientId,
    from_name: String,
    call: bool,
    got: Got,
}

#[derive(Clone, Default)]
struct Inbox(Arc<(Mutex<Vec<Received>>, tokio::sync::Notify)>);

impl Inbox {
    async fn put(&self, ctx: &Context, got: Got) {
        let meta = ctx.client().client_metadata(ctx.sender()).await;
        let from_name = meta.ok().and_then(|m| m.name().map(str::to_owned));
        let received = Received {
            from: ctx.sender().clone(),
            from_name: from_name.unwrap_or_default(),
            call: ctx.is_call(),
            got,
        };
        println!("  (received {} from {})", ctx.mtype(), received.from);
        self.0.0.lock().unwrap().push(received);
        self.0.1.notify_waiters();
    }

    /// Takes the first message `pick` accepts, waiting up to `SENT` for one.
    async fn take(&self, pick: impl Fn(&Received) -> bool) -> Option<Received> {
        let deadline = Instant::now() + SENT;
        loop {
            let notified = self.0.1.notified();
            {
                let mut items = self.0.0.lock().unwrap();
                if let Some(i) = items.iter().position(&pick) {
                    return Some(items.remove(i));
                }
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            let _ = tokio::time::timeout(left, notified).await;
        }
    }
}

/// An image to load: DS9's `samp send image` / `samp broadcast image` notify.
#[samp::notification(group = "desktop-probe")]
async fn image_notified(image: ImageLoadFits, ctx: Context, State(inbox): State<Inbox>) {
    inbox.put(&ctx, Got::Image(image)).await;
}

/// A table to load (DS9's `catalog samp send` notifies). The URL is read at once.
#[samp::notification(group = "desktop-probe")]
async fn table_notified(table: TableLoadVotable, ctx: Context, State(inbox): State<Inbox>) {
    let body = fetch(&table.url).await;
    inbox.put(&ctx, Got::Table(table, body)).await;
}

/// A table to load, as a call (STILTS's `omode=samp`): it serves the table over HTTP only
/// until we reply, so fetch it first; a table we cannot read gets `samp.error`.
#[samp::call(group = "desktop-probe")]
async fn table_called(
    table: TableLoadVotable,
    ctx: Context,
    State(inbox): State<Inbox>,
) -> Result<(), String> {
    let body = fetch(&table.url).await;
    let outcome = body.as_ref().map(|_| ()).map_err(Clone::clone);
    inbox.put(&ctx, Got::Table(table, body)).await;
    outcome
}

/// Reads a `file:` or `http:` URL (DS9 writes `file://localhost//tmp/...`).
async fn fetch(url: &str) -> Result<Vec<u8>, String> {
    if let Some(rest) = url.strip_prefix("file:") {
        let path = rest.strip_prefix("//localhost").or(rest.strip_prefix("//"));
        return std::fs::read(path.unwrap_or(rest)).map_err(|e| format!("{url}: {e}"));
    }
    let http = samp::protocol::http::HttpClient::new();
    let body = http.get(url, Some(Duration::from_secs(10))).await;
    body.map(|b| b.to_vec()).map_err(|e| format!("{url}: {e}"))
}

// ---------------------------------------------------------------------------------------
// Checks and their report.

type Check = Result<String, String>;

#[derive(Default)]
struct Report {
    passed: usize,
    failed: usize,
}

impl Report {
    fn check(&mut self, app: &str, what: &str, outcome: Check) {
        match outcome {
            Ok(detail) => {
                self.passed += 1;
                println!("PASS: {app}: {what} - {detail}");
            }
            Err(detail) => {
                self.failed += 1;
                println!("FAIL: {app}: {what} - {detail}");
            }
        }
    }
    fn skip(&self, app: &str, what: &str, why: &str) {
        println!("SKIP: {app}: {what} - {why}");
    }
}

/// One application under test.
struct App<'a> {
    client: &'a Client,
    inbox: &'a Inbox,
    id: ClientId,
    label: &'static str,
    subscribed: Vec<String>,
}

impl App<'_> {
    /// Calls the application and waits for its response (`samp.hub.callAndWait`).
    async fn call(&self, message: impl IntoMessage) -> Result<Response, String> {
        let message = message.into_message().map_err(|e| e.to_string())?;
        let mtype = message.mtype.clone();
        let response = self.client.call_and_wait(&self.id, message, CALL).await;
        response.map_err(|e| format!("{mtype}: {e}"))
    }

    /// A typed request: the response's `samp.result` decoded as `M::Result`.
    async fn request<M: MessageType>(&self, message: M) -> Result<M::Result, String> {
        let result = self.client.request(&self.id, message, CALL).await;
        result.map_err(|e| format!("{}: {e}", M::MTYPE))
    }

    async fn ds9_get(&self, cmd: &str) -> Result<String, String> {
        let cmd = cmd.to_owned();
        Ok(self.request(Ds9Get { cmd }).await?.value)
    }

    async fn ds9_set(&self, cmd: &str) -> Result<Response, String> {
        self.call(Ds9Set { cmd: cmd.to_owned() }).await
    }

    async fn aladin(&self, script: &str) -> Result<String, String> {
        let script = script.to_owned();
        Ok(self.request(AladinScript { script }).await?.text)
    }

    fn subscribes(&self, mtype: &str) -> bool {
        self.subscribed.iter().any(|s| s == mtype)
    }

    /// Waits for a message from this application that `pick` accepts.
    async fn sent(&self, pick: impl Fn(&Got) -> bool) -> Result<Received, String> {
        let got = self.inbox.take(|r| r.from == self.id && pick(&r.got)).await;
        got.ok_or_else(|| format!("nothing arrived from {} within {SENT:?}", self.id))
    }
}

/// `samp.ok`, or the error text.
fn ok(response: Result<Response, String>) -> Check {
    let response = response?;
    match response.status.as_str() {
        "samp.ok" => Ok("samp.ok".into()),
        status => Err(format!("{status}: {}", errortxt(&response))),
    }
}

/// `samp.error` with a text (what a load of a missing file should give).
fn refused(response: Result<Response, String>) -> Check {
    let response = response?;
    match response.status.as_str() {
        "samp.error" => Ok(format!("samp.error \"{}\"", errortxt(&response))),
        status => Err(format!("{status}, expected samp.error")),
    }
}

fn errortxt(response: &Response) -> String {
    let text = response.error.as_ref().map(|e| e.errortxt.as_str());
    text.unwrap_or("(no samp.error map)").lines().next().unwrap_or("").to_owned()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-4
}

/// Whether a position reached us unchanged (the vocabulary: SAMP floats, degrees).
fn at(point: &CoordPointAtSky, ra: f64, dec: f64) -> Check {
    let text = format!("ra={} dec={}", point.ra, point.dec);
    if close(point.ra, ra) && close(point.dec, dec) {
        Ok(text)
    } else {
        Err(format!("{text}, expected {ra} {dec}"))
    }
}

/// Whether a received table is ours: the decoded keys and what its URL held.
fn our_table(r: &Received) -> Check {
    let Got::Table(table, body) = &r.got else {
        return Err(format!("not a table: {:?}", r.got));
    };
    let body = body.as_ref().map_err(Clone::clone)?;
    let text = String::from_utf8_lossy(body);
    let how = if r.call { "call" } else { "notification" };
    match (text.contains("<VOTABLE"), text.contains("src3")) {
        (true, true) => Ok(format!(
            "{how} from {} ({}), url={} table-id={:?} name={:?}, {} bytes of VOTable with our rows",
            r.from_name,
            r.from,
            table.url,
            table.table_id,
            table.name,
            body.len()
        )),
        _ => Err(format!("{} does not hold our VOTable", table.url)),
    }
}

/// Whether a received image is ours: a FITS file whose header says OBJECT = 'SAMP-PROBE'.
async fn our_image(r: &Received) -> Check {
    let Got::Image(image) = &r.got else {
        return Err(format!("not an image: {:?}", r.got));
    };
    let body = fetch(&image.url).await?;
    let header = String::from_utf8_lossy(&body[..body.len().min(2880)]).into_owned();
    let how = if r.call { "call" } else { "notification" };
    match header.starts_with("SIMPLE  =") && header.contains("'SAMP-PROBE'") {
        true => Ok(format!(
            "{how}, url={} name={:?}: FITS with OBJECT='SAMP-PROBE'",
            image.url, image.name
        )),
        false => Err(format!("{} is not our FITS image", image.url)),
    }
}

// ---------------------------------------------------------------------------------------
// The applications.

struct Files {
    table: String,
    image: String,
    table_path: String,
}

async fn topcat(app: &App<'_>, files: &Files, report: &mut Report) {
    let t = app.label;
    report.check(t, "samp.app.ping", ok(app.call(SampAppPing::new()).await));
    let load = TableLoadVotable::new(&files.table).table_id("probe-t1").name("probe");
    report.check(t, "table.load.votable", ok(app.call(load).await));
    let missing = TableLoadVotable::new("file:///nonexistent/probe.vot").name("missing");
    report.check(t, "table.load.votable (missing file)", refused(app.call(missing).await));

    // TOPCAT answers the load before the table is in its list: retry briefly.
    let highlight = || TableHighlightRow::new(2u64).table_id("probe-t1");
    let mut outcome = ok(app.call(highlight()).await);
    for _ in 0..20 {
        if outcome.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
        outcome = ok(app.call(highlight()).await);
    }
    report.check(t, "table.highlight.row (table-id)", outcome);
    let by_url = TableHighlightRow::new(3u64).url(&files.table);
    report.check(t, "table.highlight.row (url)", ok(app.call(by_url).await));
    let unknown = TableHighlightRow::new(0u64).table_id("no-such-table");
    report.check(t, "table.highlight.row (unknown table-id)", refused(app.call(unknown).await));
    let select = TableSelectRowList::new(vec![0u64, 2, 4]).table_id("probe-t1");
    report.check(t, "table.select.rowList", ok(app.call(select).await));
    // With no sky plot open TOPCAT cannot use a position and says so with samp.warning.
    let point = app.call(CoordPointAtSky::new(83.64, 22.02)).await;
    report.check(t, "coord.pointAt.sky", match point {
        Ok(r) if r.status.as_str() == "samp.warning" => Ok(format!("samp.warning \"{}\"", errortxt(&r))),
        other => ok(other),
    });

    // TOPCAT itself sends only from its GUI; its STILTS (`topcat -stilts`) sends a table.
    let stilts = tokio::task::spawn_blocking({
        let input = format!("in={}", files.table_path);
        move || {
            let args = ["-Djava.awt.headless=true", "-stilts", "tpipe", &input];
            let more = ["omode=samp", "format=votable", &format!("client={NAME}")];
            std::process::Command::new("topcat").args(args).args(more).output()
        }
    });
    let got = app.inbox.take(|r| r.from_name == "stilts" && matches!(r.got, Got::Table(..)));
    let (got, out) = tokio::join!(got, stilts);
    let what = "STILTS sends table.load.votable (call)";
    match (got, out) {
        (Some(r), _) => report.check(t, what, our_table(&r)),
        (None, Ok(Ok(o))) => report.check(t, what, Err(String::from_utf8_lossy(&o.stderr).into())),
        (None, out) => report.check(t, what, Err(format!("topcat -stilts did not run: {out:?}"))),
    }
}

async fn ds9(app: &App<'_>, files: &Files, report: &mut Report) {
    let d = app.label;
    report.check(d, "samp.app.ping", ok(app.call(SampAppPing::new()).await));

    // DS9 answers samp.ok whatever happens to the load; the empty frame tells.
    let missing = ImageLoadFits::new("file:///nonexistent/probe.fits");
    let response = ok(app.call(missing).await);
    let file = app.ds9_get("file").await;
    report.check(d, "image.load.fits (missing file)", match (response, file) {
        (Ok(_), Ok(f)) if f.is_empty() => Ok("samp.ok (DS9 reports no load errors); `file` is empty".into()),
        (r, f) => Err(format!("{r:?}, ds9.get file: {f:?}")),
    });
    let image = ImageLoadFits::new(&files.image).image_id("probe-i1").name("probe image");
    report.check(d, "image.load.fits", ok(app.call(image).await));
    let file = app.ds9_get("file").await;
    let object = app.ds9_get("fits header keyword OBJECT").await;
    report.check(d, "image.load.fits shows our image", match (file, object) {
        (Ok(f), Ok(o)) if files.image.ends_with(&f) && o == "SAMP-PROBE" => Ok(format!("ds9.get file={f}, OBJECT={o}")),
        other => Err(format!("ds9.get file / OBJECT: {other:?}")),
    });

    let point = ok(app.call(CoordPointAtSky::new(83.64, 22.02)).await);
    let pan = app.ds9_get("pan wcs fk5 degrees").await;
    report.check(d, "coord.pointAt.sky pans", point.and(pan).and_then(|pan| {
        let v: Vec<f64> = pan.split_whitespace().filter_map(|x| x.parse().ok()).collect();
        match v[..] {
            [ra, dec] if close(ra, 83.64) && close(dec, 22.02) => Ok(format!("samp.ok, ds9.get pan = {pan}")),
            _ => Err(format!("ds9.get pan = {pan:?}, expected 83.64 22.02")),
        }
    }));

    let before = app.ds9_get("catalog").await.unwrap_or_default();
    let missing = TableLoadVotable::new("file:///nonexistent/probe.vot");
    report.check(d, "table.load.votable (missing file)", ok(app.call(missing).await).map(|_| "samp.ok (DS9 reports no load errors)".into()));
    let load = TableLoadVotable::new(&files.table).table_id("probe-d1").name("probe");
    let response = ok(app.call(load).await);
    let after = app.ds9_get("catalog").await.unwrap_or_default();
    report.check(d, "table.load.votable", response.map(|r| format!("{r}, catalogs [{before}] -> [{after}]")));
    let highlight = TableHighlightRow::new(1u64).table_id("probe-d1");
    report.check(d, "table.highlight.row", ok(app.call(highlight).await));
    let select = TableSelectRowList::new(vec![1u64, 3]).table_id("probe-d1");
    report.check(d, "table.select.rowList", ok(app.call(select).await));
    let env = app.request(ClientEnvGet::new("SAMP_HUB")).await;
    let ours = std::env::var("SAMP_HUB").unwrap_or_default();
    report.check(d, "client.env.get (typed request)", match env {
        Ok(v) if ours.is_empty() || v.value == ours => Ok(format!("SAMP_HUB={}", v.value)),
        other => Err(format!("{other:?}, expected {ours}")),
    });
    report.check(d, "ds9.set unknown command", refused(app.ds9_set("no-such-command").await));

    // DS9 sends: images (`samp send image NAME`, `samp broadcast image`), its current
    // catalog (`catalog samp send NAME`), and the position after a pan.
    let is_image = |g: &Got| matches!(g, Got::Image(_));
    for (cmd, what) in [
        (format!("samp send image {NAME}"), "sends image.load.fits (samp send image)"),
        ("samp broadcast image".to_owned(), "sends image.load.fits (samp broadcast image)"),
    ] {
        let sent = ok(app.ds9_set(&cmd).await);
        report.check(d, what, match sent {
            Ok(_) => match app.sent(is_image).await {
                Ok(r) => our_image(&r).await,
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        });
    }
    let sent = ok(app.ds9_set(&format!("catalog samp send {NAME}")).await);
    let got = async { app.sent(|g| matches!(g, Got::Table(..))).await };
    report.check(d, "sends table.load.votable (catalog samp send)", match sent {
        Ok(_) => got.await.and_then(|r| our_table(&r)),
        Err(e) => Err(e),
    });
    // DS9 sends no coord.pointAt.sky while it handles a SAMP message (its samp(lock)), so
    // the pan is queued (Tcl `after`) and runs from the event loop, like a user's pan.
    let later = "tcl {after 300 {CommSet {} {pan to 83.63 22.0145 wcs fk5} 0}}";
    let sent = ok(app.ds9_set(later).await);
    let got = async { app.sent(|g| matches!(g, Got::Point(_))).await };
    report.check(d, "sends coord.pointAt.sky (after a pan)", match sent {
        Ok(_) => got.await.and_then(|r| match &r.got {
            Got::Point(p) => at(p, 83.63, 22.0145),
            other => Err(format!("{other:?}")),
        }),
        Err(e) => Err(e),
    });
}

async fn aladin(app: &App<'_>, files: &Files, report: &mut Report) {
    let a = app.label;
    report.check(a, "samp.app.ping", ok(app.call(SampAppPing::new()).await));
    let image = ImageLoadFits::new(&files.image).image_id("probe-i1").name("probe-image");
    report.check(a, "image.load.fits", ok(app.call(image).await));
    let missing = ImageLoadFits::new("file:///nonexistent/probe.fits").name("missing");
    report.check(a, "image.load.fits (missing file)", refused(app.call(missing).await));
    let load = TableLoadVotable::new(&files.table).table_id("probe-a1").name("probe-table");
    report.check(a, "table.load.votable", ok(app.call(load).await));
    let missing = TableLoadVotable::new("file:///nonexistent/probe.vot").name("missing");
    report.check(a, "table.load.votable (missing file)", refused(app.call(missing).await));
    let status = app.aladin("status").await;
    let path = files.image.trim_start_matches("file://");
    report.check(a, "loads show in its planes (script status)", status.and_then(|s| {
        let image = s.contains("PlaneID probe-image") && s.contains(path);
        let table = s.split("\n\n").any(|p| p.contains("PlaneID probe-table") && p.contains("NbObj   5"));
        match (image, table) {
            (true, true) => Ok(format!("planes probe-image (Url {path}) and probe-table (NbObj 5)")),
            _ => Err(format!("image plane: {image}, table plane with 5 objects: {table}; status: {s:?}")),
        }
    }));

    let point = ok(app.call(CoordPointAtSky::new(83.64, 22.02)).await);
    let centre = app.request(CoordGetSky::default()).await;
    report.check(a, "coord.pointAt.sky moves the view", point.and(centre).and_then(|c| {
        let p = CoordPointAtSky::new(c.ra, c.dec);
        at(&p, 83.64, 22.02).map(|s| format!("samp.ok, coord.get.sky: {s}"))
    }));
    let highlight = TableHighlightRow::new(1u64).table_id("probe-a1");
    report.check(a, "table.highlight.row", ok(app.call(highlight).await));
    let select = TableSelectRowList::new(vec![1u64, 3]).table_id("probe-a1");
    report.check(a, "table.select.rowList", ok(app.call(select).await));

    // Aladin sends coord.pointAt.sky when a script moves the view (as a notification: a
    // call of a target command faults inside Aladin, see the README).
    let script = AladinScript { script: "83.62 22.01".into() };
    let sent = app.client.notify(&app.id, script).await.map_err(|e| e.to_string());
    let got = async { app.sent(|g| matches!(g, Got::Point(_))).await };
    report.check(a, "sends coord.pointAt.sky (script moves the view)", match sent {
        Ok(()) => got.await.and_then(|r| match &r.got {
            Got::Point(p) => at(p, 83.62, 22.01),
            other => Err(format!("{other:?}")),
        }),
        Err(e) => Err(e),
    });
}

// ---------------------------------------------------------------------------------------

/// Finds a registered client whose `samp.name` `matches`, waiting up to `SENT`.
async fn find(client: &Client, matches: fn(&str) -> bool) -> Result<(ClientId, String), String> {
    let deadline = Instant::now() + SENT;
    loop {
        for id in client.registered_clients().await.map_err(|e| e.to_string())? {
            let meta = client.client_metadata(&id).await.map_err(|e| e.to_string())?;
            if let Some(name) = meta.name().filter(|n| matches(n)) {
                return Ok((id, name.to_owned()));
            }
        }
        if Instant::now() > deadline {
            return Err("no registered client with that samp.name".into());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

fn file_url(path: &str) -> Result<(String, String), String> {
    let path = std::fs::canonicalize(path).map_err(|e| format!("{path}: {e}"))?;
    let path = path.to_str().ok_or("path is not UTF-8")?.to_owned();
    Ok((format!("file://{path}"), path))
}

fn arg(args: &[String], name: &str) -> Option<String> {
    let at = args.iter().position(|a| a == name)?;
    args.get(at + 1).cloned()
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let apps = arg(&args, "--apps").unwrap_or_else(|| "topcat,ds9,aladin".into());
    let (Some(table), Some(image)) = (arg(&args, "--table"), arg(&args, "--image")) else {
        eprintln!("usage: desktop_probe --table T.vot --image I.fits [--apps topcat,ds9,aladin]");
        return ExitCode::from(2);
    };
    let files = match (file_url(&table), file_url(&image)) {
        (Ok((table, table_path)), Ok((image, _))) => Files { table, image, table_path },
        (t, i) => {
            eprintln!("desktop_probe: {t:?} {i:?}");
            return ExitCode::from(2);
        }
    };

    let inbox = Inbox::default();
    let client = samp::Client::builder()
        .name(NAME)
        .description("Checks samp::mtypes against TOPCAT, DS9 and Aladin")
        .state(inbox.clone())
        .handler_group("desktop-probe") // the three attribute handlers above
        .connect()
        .await;
    let client = match client {
        Ok(client) => client,
        Err(e) => {
            eprintln!("desktop_probe: {e}");
            return ExitCode::from(2);
        }
    };
    // Closures use the same typed extractors. Positions come as notifications (DS9,
    // Aladin); a subscription to table.load.fits makes DS9 offer images to "table" apps.
    let bound = async {
        let point = |at: CoordPointAtSky, ctx: Context, State(inbox): State<Inbox>| async move {
            inbox.put(&ctx, Got::Point(at)).await;
        };
        client.bind_message(CoordPointAtSky::MTYPE, point).await?;
        client.bind_notification(TableLoadFits::MTYPE, |_: TableLoadFits| async {}).await
    };
    if let Err(e) = bound.await {
        eprintln!("desktop_probe: {e}");
        return ExitCode::from(2);
    }

    let mut report = Report::default();
    for label in apps.split(',').map(str::trim).filter(|a| !a.is_empty()) {
        let (label, matches): (&str, fn(&str) -> bool) = match label {
            "topcat" => ("topcat", |n| n == "topcat"),
            "ds9" => ("ds9", |n| n.to_lowercase().contains("ds9")),
            "aladin" => ("aladin", |n| n == "Aladin"),
            other => {
                report.check(other, "known application", Err("use topcat, ds9 or aladin".into()));
                continue;
            }
        };
        let (id, name) = match find(&client, matches).await {
            Ok(found) => found,
            Err(e) => {
                report.check(label, "registered", Err(e));
                continue;
            }
        };
        let subscriptions = client.client_subscriptions(&id).await;
        let subscribed: Vec<String> = subscriptions
            .map(|s| s.iter().map(|(p, _)| p.as_str().to_owned()).collect())
            .unwrap_or_default();
        let vocabulary = [
            TableLoadVotable::MTYPE,
            TableHighlightRow::MTYPE,
            TableSelectRowList::MTYPE,
            ImageLoadFits::MTYPE,
            CoordPointAtSky::MTYPE,
        ];
        let app = App { client: &client, inbox: &inbox, id, label, subscribed };
        let (has, lacks): (Vec<&str>, Vec<&str>) = vocabulary.iter().partition(|m| app.subscribes(m));
        let detail = format!("{} as samp.name {name:?}, subscribed to {}", app.id, has.join(" "));
        report.check(label, "registered", Ok(detail));
        for mtype in &lacks {
            report.skip(label, mtype, "not subscribed");
        }
        match label {
            "topcat" => topcat(&app, &files, &mut report).await,
            "ds9" => ds9(&app, &files, &mut report).await,
            _ => aladin(&app, &files, &mut report).await,
        }
    }
    let _ = client.stop().await;
    println!("{} passed, {} failed", report.passed, report.failed);
    if report.failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
