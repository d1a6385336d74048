//! The `samp` binary end to end: each subcommand runs as a child process against a hub
//! started here, with `SAMP_HUB` naming that hub's lockfile in a private directory and
//! `HOME` pointing there too (so `~/.samp` is never touched), and talks to clients of
//! this test process.
//!
//! Every wait has a time limit (`WAIT`); nothing asserts on how long something took.

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use samp::hub::{Hub, RunningHub};
use samp::{Client, ClientId, ErrInfo, Map, Response, Value};
use serde_json::Value as Json;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStderr, ChildStdout, Command};
use tokio::sync::mpsc;
use tokio::time::timeout;

/// The limit on every wait.
const WAIT: Duration = Duration::from_secs(20);

/// A private directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "samp-cli-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A hub with its lockfile in a private directory.
struct Setup {
    hub: RunningHub,
    dir: TempDir,
}

impl Setup {
    async fn new() -> Setup {
        let dir = TempDir::new();
        let hub = Hub::builder()
            .lockfile(dir.0.join("lock"))
            .start()
            .await
            .unwrap();
        Setup { hub, dir }
    }

    fn lock(&self) -> PathBuf {
        self.dir.0.join("lock")
    }

    /// `samp ARGS` with this hub's environment, not yet started.
    fn command(&self, args: &[&str]) -> Command {
        command_for(&self.dir.0, &self.lock(), args)
    }

    /// Runs `samp ARGS` to the end.
    async fn run(&self, args: &[&str]) -> Output {
        finish(self.command(args)).await
    }

    /// A client of this test with `samp.name` `name`: answers `test.echo` with its params,
    /// `test.fail` with samp.error and `test.slow` only after 30 s, and passes `test.note` notifications to the
    /// returned channel.
    async fn client(&self, name: &str) -> (Client, mpsc::UnboundedReceiver<Map>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let client = Client::builder()
            .name(name)
            .hub_lockfile(self.lock())
            .no_static_handlers()
            .build()
            .unwrap();
        client
            .bind_call(
                "test.echo",
                |params: Map| async move { Response::ok(params) },
            )
            .declare(false)
            .await
            .unwrap();
        client
            .bind_call("test.fail", || async {
                Response::error(ErrInfo::new("nope").usertxt("test.fail always fails"))
            })
            .declare(false)
            .await
            .unwrap();
        client
            .bind_call("test.slow", || async {
                tokio::time::sleep(Duration::from_secs(30)).await;
                Response::ok_empty()
            })
            .declare(false)
            .await
            .unwrap();
        client
            .bind_notification("test.note", move |params: Map| {
                let tx = tx.clone();
                async move {
                    let _ = tx.send(params);
                }
            })
            .declare(false)
            .await
            .unwrap();
        client.register().await.unwrap();
        (client, rx)
    }
}

fn command_for(home: &Path, lock: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_samp"));
    cmd.args(args)
        .env("SAMP_HUB", format!("std-lockurl:file://{}", lock.display()))
        .env("HOME", home)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    cmd
}

async fn finish(mut cmd: Command) -> Output {
    let child = cmd.spawn().expect("the samp binary runs");
    timeout(WAIT, child.wait_with_output())
        .await
        .expect("samp finished in time")
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The exit status, with the output shown when it is not the expected one.
fn code(out: &Output) -> i32 {
    let code = out.status.code().unwrap_or(-1);
    eprintln!(
        "exit {code}\n--- stdout\n{}--- stderr\n{}",
        stdout(out),
        stderr(out)
    );
    code
}

/// Every stdout line as JSON.
fn json_lines(out: &Output) -> Vec<Json> {
    stdout(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect()
}

async fn next_line<R: tokio::io::AsyncBufRead + Unpin>(lines: &mut Lines<R>) -> String {
    timeout(WAIT, lines.next_line())
        .await
        .expect("a line in time")
        .unwrap()
        .expect("a line before the end of the output")
}

/// SIGTERM to `child`, and its exit status.
async fn terminate(child: &mut Child) -> i32 {
    let pid = child.id().expect("still running").to_string();
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(sent.success());
    let status = timeout(WAIT, child.wait())
        .await
        .expect("exit in time")
        .unwrap();
    status.code().unwrap_or(-1)
}

fn id(client: &Client) -> ClientId {
    client.public_id().unwrap()
}

// ---------------------------------------------------------------- send

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_notifies_a_client_by_name_with_json_params() {
    let s = Setup::new().await;
    let (target, mut notes) = s.client("cli-target").await;
    let out = s
        .run(&[
            "send",
            "test.note",
            "a=1",
            "b=x=y",
            r#"list=[1, 2.5, true, false, "s"]"#,
            r#"map={"k": ["v"]}"#,
            "--to",
            "CLI-TARGET",
            "--json",
        ])
        .await;
    assert_eq!(code(&out), 0);
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["id"], id(&target).as_str());
    assert_eq!(lines[0]["name"], "cli-target");
    assert_eq!(lines[0]["status"], "notified");
    let params = timeout(WAIT, notes.recv()).await.unwrap().unwrap();
    let want = samp::map! {
        "a" => "1",
        "b" => "x=y",
        "list" => Value::List(vec!["1".into(), "2.5".into(), "1".into(), "0".into(), "s".into()]),
        "map" => samp::map! { "k" => Value::List(vec!["v".into()]) },
    };
    assert_eq!(Value::Map(params), want);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_notifies_every_subscriber_by_default() {
    let s = Setup::new().await;
    let (one, mut notes1) = s.client("one").await;
    let (two, mut notes2) = s.client("two").await;
    let out = s.run(&["send", "test.note", "x=1"]).await;
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert!(
        text.contains(&format!("{} (one): notified", id(&one))),
        "{text}"
    );
    assert!(
        text.contains(&format!("{} (two): notified", id(&two))),
        "{text}"
    );
    for notes in [&mut notes1, &mut notes2] {
        let params = timeout(WAIT, notes.recv()).await.unwrap().unwrap();
        assert_eq!(params.get("x"), Some(&Value::from("1")));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_sync_and_call_print_the_responses() {
    let s = Setup::new().await;
    let (target, _notes) = s.client("echoer").await;
    for mode in ["sync", "call"] {
        let out = s
            .run(&[
                "send",
                "test.echo",
                "q=42",
                "--to",
                "echoer",
                "--mode",
                mode,
                "--json",
            ])
            .await;
        assert_eq!(code(&out), 0, "mode {mode}");
        let lines = json_lines(&out);
        assert_eq!(lines.len(), 1, "mode {mode}");
        let line = &lines[0];
        assert_eq!(line["id"], id(&target).as_str());
        assert_eq!(line["name"], "echoer");
        assert_eq!(line["status"], "samp.ok");
        assert_eq!(line["response"]["samp.status"], "samp.ok");
        assert_eq!(
            line["response"]["samp.result"],
            serde_json::json!({"q": "42"})
        );
    }
    // The human form: id, name, status, result.
    let out = s.run(&["send", "test.echo", "q=7", "--mode", "sync"]).await;
    assert_eq!(code(&out), 0);
    let want = format!("{} (echoer): samp.ok {{\"q\":\"7\"}}", id(&target));
    assert!(stdout(&out).contains(&want), "{}", stdout(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_call_to_all_collects_every_response() {
    let s = Setup::new().await;
    let (one, _n1) = s.client("one").await;
    let (two, _n2) = s.client("two").await;
    let out = s
        .run(&["send", "test.echo", "k=v", "--mode", "call", "--json"])
        .await;
    assert_eq!(code(&out), 0);
    let mut seen: Vec<(String, String)> = json_lines(&out)
        .iter()
        .map(|l| {
            assert_eq!(l["response"]["samp.result"], serde_json::json!({"k": "v"}));
            (
                l["id"].as_str().unwrap().to_owned(),
                l["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    seen.sort();
    let mut want = vec![
        (id(&one).to_string(), "one".to_owned()),
        (id(&two).to_string(), "two".to_owned()),
    ];
    want.sort();
    assert_eq!(seen, want);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_samp_error_response_exits_1() {
    let s = Setup::new().await;
    let (_target, _notes) = s.client("failer").await;
    for mode in ["sync", "call"] {
        let out = s
            .run(&[
                "send",
                "test.fail",
                "--to",
                "failer",
                "--mode",
                mode,
                "--json",
            ])
            .await;
        assert_eq!(code(&out), 1, "mode {mode}");
        let lines = json_lines(&out);
        assert_eq!(lines[0]["status"], "samp.error");
        assert_eq!(lines[0]["response"]["samp.error"]["samp.errortxt"], "nope");
    }
    let out = s.run(&["send", "test.fail", "--mode", "sync"]).await;
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).contains("samp.error: nope (test.fail always fails)"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_response_in_time_exits_1() {
    let s = Setup::new().await;
    let (target, _notes) = s.client("sloth").await;
    for mode in ["call", "sync"] {
        let out = s
            .run(&[
                "send",
                "test.slow",
                "--mode",
                mode,
                "--timeout",
                "0.5",
                "--json",
            ])
            .await;
        assert_eq!(code(&out), 1, "mode {mode}");
        let lines = json_lines(&out);
        assert_eq!(lines.len(), 1, "mode {mode}");
        assert_eq!(lines[0]["id"], id(&target).as_str());
        assert_eq!(lines[0]["status"], "no-response");
        assert!(lines[0]["error"].is_string());
        assert!(stderr(&out).contains("1 of 1 recipients answered samp.error or not at all"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_subscribed_exits_1() {
    let s = Setup::new().await;
    let out = s.run(&["send", "test.nobody.listens"]).await;
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("no client is subscribed to test.nobody.listens"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn to_unknown_or_ambiguous_is_a_usage_error_listing_the_candidates() {
    let s = Setup::new().await;
    let (a, _na) = s.client("twin").await;
    let (b, _nb) = s.client("TWIN").await;
    let (c, _nc) = s.client("single").await;

    let out = s.run(&["send", "test.note", "--to", "Twin"]).await;
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains(&format!("{} (twin)", id(&a))), "{err}");
    assert!(err.contains(&format!("{} (TWIN)", id(&b))), "{err}");
    assert!(err.contains("ids"), "{err}");

    let out = s.run(&["send", "test.note", "--to", "nobody"]).await;
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains(&format!("{} (single)", id(&c))), "{err}");
    assert!(err.contains("hub (samp-hub)"), "{err}");

    // An id picks one of the twins.
    let out = s.run(&["send", "test.note", "--to", id(&b).as_str()]).await;
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains(&format!("{} (TWIN): notified", id(&b))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_arguments_exit_2() {
    let s = Setup::new().await;
    for args in [
        &["send", "test.x", "novalue"][..],
        &["send", "test.x", "=v"],
        &["send", "not an mtype"],
        &["send", "test.x", "k=[null]"],
        &["send", "test.x", "k=[1,"],
        &["send", "test.x", "k=1", "k=2"],
        &["send", "test.x", "--mode", "shout"],
        &["send", "test.x", "--timeout", "-1"],
        &["snoop", "bad pattern"],
        &["ping", "-n", "0"],
        &["frobnicate"],
    ] {
        let out = s.run(args).await;
        assert_eq!(code(&out), 2, "{args:?}");
    }
    // --raw takes a bracket literally.
    let (_t, mut notes) = s.client("raw").await;
    let out = s.run(&["send", "test.note", "k=[1,", "--raw"]).await;
    assert_eq!(code(&out), 0);
    let params = timeout(WAIT, notes.recv()).await.unwrap().unwrap();
    assert_eq!(params.get("k"), Some(&Value::from("[1,")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_hub_exits_3_and_says_what_to_do() {
    let dir = TempDir::new();
    let missing = dir.0.join("no-such-lock");
    for args in [
        &["send", "test.x"][..],
        &["send", "test.x", "--mode", "call"],
        &["snoop"],
        &["clients"],
        &["clients", "--watch"],
        &["ping"],
    ] {
        let out = finish(command_for(&dir.0, &missing, args)).await;
        assert_eq!(code(&out), 3, "{args:?}");
        assert!(
            stderr(&out).contains("start one with `samp hub`"),
            "{args:?}"
        );
    }
}

// ---------------------------------------------------------------- snoop

/// Starts `samp snoop ARGS`; returns it, its stdout lines, and its public id.
async fn start_snoop(s: &Setup, args: &[&str]) -> (Child, Lines<BufReader<ChildStdout>>, String) {
    let mut all = vec!["snoop"];
    all.extend_from_slice(args);
    let mut child = s.command(&all).spawn().unwrap();
    let mut err: Lines<BufReader<ChildStderr>> =
        BufReader::new(child.stderr.take().unwrap()).lines();
    let ready = next_line(&mut err).await; // "samp snoop: registered as c3, ..."
    let id = ready
        .strip_prefix("samp snoop: registered as ")
        .and_then(|rest| rest.split(',').next())
        .unwrap_or_else(|| panic!("unexpected first line {ready:?}"))
        .to_owned();
    let out = BufReader::new(child.stdout.take().unwrap()).lines();
    (child, out, id)
}

/// The next JSON line whose mtype is not a hub event.
async fn next_message(lines: &mut Lines<BufReader<ChildStdout>>) -> Json {
    loop {
        let line = next_line(lines).await;
        let json: Json = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{line:?}: {e}"));
        if !json["mtype"].as_str().unwrap().starts_with("samp.hub.") {
            return json;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snoop_prints_notifications_and_calls_as_json_and_answers_calls() {
    let s = Setup::new().await;
    let (sender, _notes) = s.client("poker").await;
    let (mut child, mut lines, snoop) = start_snoop(&s, &["--json"]).await;
    let snoop = ClientId::new(snoop);

    let note = samp::Message::new("test.snoop.note")
        .param("a", "1")
        .param("l", Value::List(vec!["x".into()]));
    sender.notify(&snoop, note).await.unwrap();
    let got = next_message(&mut lines).await;
    assert_eq!(got["kind"], "notification");
    assert_eq!(got["mtype"], "test.snoop.note");
    assert_eq!(got["sender"], id(&sender).as_str());
    assert_eq!(got["sender_name"], "poker");
    assert_eq!(got["params"], serde_json::json!({"a": "1", "l": ["x"]}));
    assert!(got.get("msg_id").is_none());
    assert!(got["time"].as_str().unwrap().ends_with('Z'));

    let call = samp::Message::new("test.snoop.call").param("b", "2");
    let response = sender.call_and_wait(&snoop, call, WAIT).await.unwrap();
    assert_eq!(response, Response::ok_empty());
    let got = next_message(&mut lines).await;
    assert_eq!(got["kind"], "call");
    assert_eq!(got["mtype"], "test.snoop.call");
    assert_eq!(got["sender_name"], "poker");
    assert_eq!(got["params"], serde_json::json!({"b": "2"}));
    assert!(got["msg_id"].as_str().is_some_and(|m| !m.is_empty()));

    assert_eq!(terminate(&mut child).await, 0);
    // It unregistered on the way out.
    let left = sender.registered_clients().await.unwrap();
    assert!(!left.contains(&snoop), "{left:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snoop_subscribes_to_its_patterns_only_and_prints_text() {
    let s = Setup::new().await;
    let (sender, _notes) = s.client("poker").await;
    let (mut child, mut lines, snoop) = start_snoop(&s, &["test.wanted.*"]).await;
    let subs = sender
        .client_subscriptions(&ClientId::new(snoop.as_str()))
        .await
        .unwrap();
    assert!(subs.get("test.wanted.*").is_some());
    assert!(subs.get("*").is_none());
    // A broadcast of another MType does not reach it; this one does.
    let told = sender
        .notify_all(samp::Message::new("test.other"))
        .await
        .unwrap();
    assert!(!told.contains(&ClientId::new(snoop.as_str())));
    sender
        .notify_all(samp::Message::new("test.wanted.x").param("p", "q"))
        .await
        .unwrap();
    let line = next_line(&mut lines).await;
    let want = format!(
        "test.wanted.x from poker ({}), notification: {{\"p\":\"q\"}}",
        id(&sender)
    );
    assert!(line.ends_with(&want), "{line}");
    assert_eq!(terminate(&mut child).await, 0);
}

// ---------------------------------------------------------------- clients

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_lists_the_registered_clients() {
    let s = Setup::new().await;
    let (alpha, _na) = s.client("alpha").await;
    let (_beta, _nb) = s.client("beta").await;
    let out = s.run(&["clients", "--json"]).await;
    assert_eq!(code(&out), 0);
    let all: Json = serde_json::from_str(stdout(&out).trim()).unwrap();
    let rows = all.as_array().unwrap();
    let mut names: Vec<&str> = rows.iter().filter_map(|r| r["name"].as_str()).collect();
    names.sort();
    assert_eq!(names, ["alpha", "beta", "samp-hub"]); // not `samp clients` itself
    let a = rows.iter().find(|r| r["name"] == "alpha").unwrap();
    assert_eq!(a["id"], id(&alpha).as_str());
    assert_eq!(a["callable"], true);
    let mtypes: Vec<&str> = a["mtypes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Json::as_str)
        .collect();
    assert!(mtypes.contains(&"test.echo"), "{mtypes:?}");
    assert_eq!(a["subscriptions"], mtypes.len());

    let out = s.run(&["clients"]).await;
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert!(text.starts_with("ID"), "{text}");
    let row = text.lines().find(|l| l.contains("alpha")).unwrap();
    assert!(
        row.starts_with(id(&alpha).as_str()) && row.contains("yes"),
        "{row}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_watch_prints_again_on_changes() {
    let s = Setup::new().await;
    let (_first, _n1) = s.client("first").await;
    let mut child = s
        .command(&["clients", "--watch", "--json"])
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let names = |line: &str| -> Vec<String> {
        let all: Json = serde_json::from_str(line).unwrap_or_else(|e| panic!("{line:?}: {e}"));
        all.as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["name"].as_str().map(str::to_owned))
            .collect()
    };
    let initial = names(&next_line(&mut lines).await);
    assert!(initial.contains(&"first".to_owned()), "{initial:?}");
    assert!(!initial.contains(&"late".to_owned()), "{initial:?}");
    let (late, _n2) = s.client("late").await;
    loop {
        if names(&next_line(&mut lines).await).contains(&"late".to_owned()) {
            break;
        }
    }
    late.stop().await.unwrap();
    loop {
        if !names(&next_line(&mut lines).await).contains(&"late".to_owned()) {
            break;
        }
    }
    assert_eq!(terminate(&mut child).await, 0);
}

// ---------------------------------------------------------------- ping, hub, completions

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ping_reports_the_hub() {
    let s = Setup::new().await;
    let out = s.run(&["ping", "--json", "-n", "3"]).await;
    assert_eq!(code(&out), 0);
    let got: Json = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(got["url"], s.hub.url());
    assert_eq!(got["lockfile"], s.lock().display().to_string());
    assert_eq!(got["pings"], 3);
    assert!(got["median_ms"].as_f64().is_some_and(|m| m >= 0.0));
    let out = s.run(&["ping"]).await;
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains(s.hub.url()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_lockfile_is_no_hub() {
    let dir = TempDir::new();
    let lock = dir.0.join("lock");
    std::fs::write(
        &lock,
        "samp.secret=x\nsamp.hub.xmlrpc.url=http://127.0.0.1:1/xmlrpc\nsamp.profile.version=1.3\n",
    )
    .unwrap();
    for args in [&["ping"][..], &["send", "test.x"]] {
        let out = finish(command_for(&dir.0, &lock, args)).await;
        assert_eq!(code(&out), 3, "{args:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn samp_hub_runs_a_hub_until_sigterm() {
    let dir = TempDir::new();
    let lock = dir.0.join("hub-lock");
    let lock_arg = lock.display().to_string();
    let mut hub = command_for(&dir.0, &lock, &["hub", "--lockfile", &lock_arg])
        .spawn()
        .unwrap();
    timeout(WAIT, async {
        while !std::fs::read_to_string(&lock).is_ok_and(|t| t.contains("samp.hub.xmlrpc.url=")) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the hub wrote its lockfile");
    let out = finish(command_for(&dir.0, &lock, &["ping"])).await;
    assert_eq!(code(&out), 0);
    assert_eq!(terminate(&mut hub).await, 0);
    assert!(!lock.exists(), "the lockfile is removed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completions_and_help() {
    let dir = TempDir::new();
    let lock = dir.0.join("lock");
    for shell in ["bash", "zsh", "fish"] {
        let out = finish(command_for(&dir.0, &lock, &["completions", shell])).await;
        assert_eq!(code(&out), 0, "{shell}");
        let script = stdout(&out);
        assert!(
            script.contains("snoop") && script.contains("timeout"),
            "{shell}"
        );
    }
    for sub in ["send", "snoop", "clients", "ping", "hub", "completions"] {
        let out = finish(command_for(&dir.0, &lock, &[sub, "--help"])).await;
        assert_eq!(code(&out), 0, "{sub}");
        assert!(stdout(&out).contains("Examples:"), "{sub}");
    }
    let out = finish(command_for(&dir.0, &lock, &["send", "--help"])).await;
    assert!(stdout(&out).contains("null is an error"));
}
