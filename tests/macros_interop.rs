//! Interop for the handler macros: an app whose handlers are `#[samp::call]` /
//! `#[samp::notification]` functions receives messages from astropy.samp clients and from
//! JSAMP's `messagesender`, through this repository's hub and through JSAMP's hub, and its
//! responses reach them intact.
//!
//! Needs Java with `/usr/share/java/jsamp.jar`, and a Python with astropy (by default the
//! interop suite's venv `tests/interop/.work/venv`, made by `bash tests/interop/run.sh`;
//! or set `INTEROP_PYTHON`). The tests are `#[ignore]`d so a plain `cargo test` needs
//! neither; run them with
//!
//! ```text
//! cargo test -p samp --test macros_interop -- --ignored --test-threads 1
//! ```
//!
//! Every hub and client here uses a private lockfile in a temporary directory (never
//! `~/.samp`). A missing peer makes the test fail with a message saying what to install.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use samp::client::Reply;
use samp::hub::{Hub, RunningHub};
use samp::{Client, Context, ErrInfo, Map};
use serde::{Deserialize, Serialize};

const JSAMP_JAR: &str = "/usr/share/java/jsamp.jar";
const APP_NAME: &str = "macro-interop";

/// The app under test.
mod app {
    use super::*;

    pub static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

    #[derive(Deserialize)]
    pub struct Stats {
        count: u32,
        scale: f64,
        flag: bool,
        rows: Vec<i64>,
        region: Region,
        label: Option<String>,
    }

    #[derive(Deserialize)]
    pub struct Region {
        ra: f64,
        dec: f64,
    }

    #[derive(Serialize)]
    pub struct Summary {
        total: i64,
        scaled: f64,
        flag: bool,
        centre: Vec<f64>,
        label: String,
        from: String,
    }

    /// Sums and scales rows.
    #[samp::call("x-interop.stats", annotations("x-samp.mostly-harmless" = "1"))]
    pub async fn stats(p: Stats, ctx: Context) -> Reply<Summary> {
        let total = p.rows.iter().sum::<i64>() * i64::from(p.count);
        Reply(Summary {
            total,
            scaled: total as f64 * p.scale,
            flag: !p.flag,
            centre: vec![p.region.ra, p.region.dec],
            label: p.label.unwrap_or_else(|| "none".to_owned()),
            from: ctx.sender().to_string(),
        })
    }

    #[derive(Deserialize)]
    pub struct Level {
        level: u8,
    }

    #[derive(Serialize)]
    pub struct Doubled {
        doubled: u16,
    }

    #[samp::call("x-interop.double")]
    pub fn double(p: Level) -> Reply<Doubled> {
        Reply(Doubled {
            doubled: u16::from(p.level) * 2,
        })
    }

    #[samp::call("x-interop.fail")]
    pub async fn fail() -> Result<(), ErrInfo> {
        Err(ErrInfo::new("refused on purpose").code("42"))
    }

    /// Echo anything under x-interop.echo.
    #[samp::call("x-interop.echo.*")]
    pub async fn echo(params: Map, ctx: Context) -> Map {
        let mut out = params;
        out.insert("mtype".into(), ctx.mtype().into());
        out
    }

    #[derive(Deserialize)]
    pub struct PointAt {
        ra: f64,
        dec: f64,
    }

    #[samp::notification("x-interop.point")]
    pub async fn point(at: PointAt, ctx: Context) {
        SEEN.lock()
            .unwrap()
            .push(format!("point {} {} {}", at.ra, at.dec, ctx.mtype()));
    }
}

/// A private directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let dir =
            std::env::temp_dir().join(format!("samp-macros-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn lockfile(&self) -> PathBuf {
        self.0.join("lockfile")
    }

    /// `SAMP_HUB` for peers: the private lockfile.
    fn samp_hub(&self) -> String {
        format!("std-lockurl:file://{}", self.lockfile().display())
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A child process killed on drop.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Which hub the messages go through.
enum TheHub {
    Ours(Box<RunningHub>),
    Jsamp(Killed),
}

fn java(dir: &TempDir, args: &[&str]) -> Command {
    assert!(
        Path::new(JSAMP_JAR).exists(),
        "JSAMP is missing: apt-get install jsamp (needs {JSAMP_JAR})"
    );
    let mut cmd = Command::new("java");
    cmd.args([
        "-Djava.awt.headless=true",
        "-Djsamp.localhost=127.0.0.1",
        "-cp",
        JSAMP_JAR,
        "org.astrogrid.samp.JSamp",
    ])
    .args(args)
    .env("SAMP_HUB", dir.samp_hub())
    .env("HOME", &dir.0)
    .stdin(Stdio::null());
    cmd
}

async fn start_hub(dir: &TempDir, jsamp: bool) -> TheHub {
    if !jsamp {
        let hub = Hub::builder()
            .lockfile(dir.lockfile())
            .start()
            .await
            .unwrap();
        return TheHub::Ours(Box::new(hub));
    }
    let child = java(dir, &["hub", "-mode", "no-gui", "-profiles", "std"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("java runs");
    let child = Killed(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !dir.lockfile().exists() {
        assert!(Instant::now() < deadline, "JSAMP hub wrote no lockfile");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The lockfile may appear before its last line; give the hub a moment to finish.
    tokio::time::sleep(Duration::from_millis(300)).await;
    TheHub::Jsamp(child)
}

async fn connect_app(dir: &TempDir) -> Client {
    Client::builder()
        .hub_lockfile(dir.lockfile())
        .metadata(samp::metadata!(name = "macro-interop"))
        .handlers_in_module(concat!(module_path!(), "::app"))
        .connect()
        .await
        .unwrap()
}

/// Runs a blocking command off the runtime (the app must keep serving meanwhile).
async fn run(mut cmd: Command) -> Output {
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("command runs"))
        .await
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    eprintln!(
        "--- stdout\n{}--- stderr\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    out
}

fn messagesender(dir: &TempDir, mode: &str, mtype: &str, params: &[(&str, &str)]) -> Command {
    let mut args = vec![
        "messagesender",
        "-mode",
        mode,
        "-mtype",
        mtype,
        "-targetname",
        APP_NAME,
    ];
    for (k, v) in params {
        args.extend(["-param", k, v]);
    }
    java(dir, &args)
}

async fn jsamp_sender(dir: &TempDir) {
    // A sync call: the typed params decode, and the result reaches JSAMP.
    let out = run(messagesender(
        dir,
        "sync",
        "x-interop.double",
        &[("level", "21")],
    ))
    .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("samp.ok"), "{stdout}");
    assert!(stdout.contains(r#""doubled": "42""#), "{stdout}");

    // A call whose params do not decode: JSAMP sees samp.error naming MType and field.
    let out = run(messagesender(
        dir,
        "sync",
        "x-interop.double",
        &[("level", "300")],
    ))
    .await;
    let all =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(all.contains("samp.error"), "{all}");
    assert!(all.contains("x-interop.double"), "{all}");
    assert!(all.contains("level"), "{all}");

    // An error with a code.
    let out = run(messagesender(dir, "sync", "x-interop.fail", &[])).await;
    let all =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(all.contains("refused on purpose"), "{all}");
    assert!(all.contains("42"), "{all}");

    // A notification with SAMP floats.
    let out = run(messagesender(
        dir,
        "notify",
        "x-interop.point",
        &[("ra", "83.63"), ("dec", "-22.5")],
    ))
    .await;
    assert!(out.status.success());
    wait_seen("point 83.63 -22.5 x-interop.point").await;
}

async fn wait_seen(what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if app::SEEN.lock().unwrap().iter().any(|s| s == what) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "never saw {what:?} in {:?}",
            app::SEEN.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

const ASTROPY_SCRIPT: &str = r#"
import json, os, sys
from astropy.samp import SAMPIntegratedClient
c = SAMPIntegratedClient(name="astropy-sender")
c.connect()
try:
    target = None
    for cid in c.get_registered_clients():
        if c.get_metadata(cid).get("samp.name") == "macro-interop":
            target = cid
    assert target, "macro-interop not registered"
    out = {"self": c.get_public_id()}
    out["subs"] = c.get_subscriptions(target)
    out["stats"] = c.call_and_wait(target, {
        "samp.mtype": "x-interop.stats",
        "samp.params": {
            "count": "2", "scale": "0.5", "flag": "0",
            "rows": ["1", "-2", "+40"],
            "region": {"ra": "83.63", "dec": "-22.01"},
            "label": "M1 <&> \"crab\"",
        },
    }, "20")
    out["bad"] = c.call_and_wait(target, {
        "samp.mtype": "x-interop.stats",
        "samp.params": {"count": "two"},
    }, "20")
    out["fail"] = c.call_and_wait(target, {"samp.mtype": "x-interop.fail", "samp.params": {}}, "20")
    out["echo"] = c.call_and_wait(target, {
        "samp.mtype": "x-interop.echo.deep.er",
        "samp.params": {"list": ["a", {"b": "c"}, []], "empty": {}, "text": "line\nnext"},
    }, "20")
    c.notify(target, {"samp.mtype": "x-interop.point", "samp.params": {"ra": "10.5", "dec": "1e-3"}})
    print("RESULT " + json.dumps(out))
finally:
    c.disconnect()
"#;

fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("INTEROP_PYTHON") {
        return p.into();
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/.work/venv/bin/python");
    assert!(
        venv.exists(),
        "no Python with astropy: run `bash tests/interop/run.sh` once to make {}, or set \
         INTEROP_PYTHON",
        venv.display()
    );
    venv
}

async fn astropy_sender(dir: &TempDir) {
    let mut cmd = Command::new(python());
    cmd.args(["-c", ASTROPY_SCRIPT])
        .env("SAMP_HUB", dir.samp_hub())
        .env("HOME", &dir.0)
        .stdin(Stdio::null());
    let out = run(cmd).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .expect("a RESULT line");
    // Compare as text pieces: the JSON comes from Python, key order may vary.
    let json = line.to_owned();
    let has = |s: &str| assert!(json.contains(s), "{s} not in {json}");
    // Subscriptions and annotations.
    has(r#""x-interop.stats": {"#);
    has(r#""x-samp.mostly-harmless": "1""#);
    has(r#""x-samp.description": "Sums and scales rows.""#);
    has(r#""x-interop.echo.*": {"x-samp.description": "Echo anything under x-interop.echo."}"#);
    // Typed params in, typed result out, as SAMP strings.
    has(r#""total": "78""#);
    has(r#""scaled": "39""#);
    has(r#""flag": "1""#);
    has(r#""centre": ["83.63", "-22.01"]"#);
    has(r#""label": "M1 <&> \"crab\"""#);
    let self_id = json
        .split(r#""self": ""#)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap();
    has(&format!(r#""from": "{self_id}""#));
    // Decode error names MType and field.
    has(r#""samp.errortxt": "x-interop.stats: params did not decode: at `count`"#);
    // Error with code.
    has(r#""samp.errortxt": "refused on purpose""#);
    has(r#""samp.code": "42""#);
    // The raw map comes back intact, with the concrete MType.
    has(r#""list": ["a", {"b": "c"}, []]"#);
    has(r#""empty": {}"#);
    has(r#""text": "line\nnext""#);
    has(r#""mtype": "x-interop.echo.deep.er""#);
    wait_seen("point 10.5 0.001 x-interop.point").await;
}

async fn scenario(jsamp_hub: bool) {
    let dir = TempDir::new(if jsamp_hub { "jsamp-hub" } else { "samp-hub" });
    let hub = start_hub(&dir, jsamp_hub).await;
    let client = connect_app(&dir).await;
    jsamp_sender(&dir).await;
    astropy_sender(&dir).await;
    client.unregister().await.unwrap();
    match hub {
        TheHub::Ours(hub) => hub.shutdown().await,
        TheHub::Jsamp(child) => drop(child),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "interop: needs Java + JSAMP and astropy; see the file header"]
async fn through_samp_hub() {
    scenario(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "interop: needs Java + JSAMP and astropy; see the file header"]
async fn through_jsamp_hub() {
    scenario(true).await;
}
