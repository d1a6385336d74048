//! Whole-system load driver: drives a hub running in its own process with Rust clients and
//! measures it, then does the same against JSAMP's hub and astropy's hub when they are
//! installed (see `tests/interop/`), and prints the ratios.
//!
//! ```text
//! cargo bench -p samp-hub --bench hub_load            # full run
//! cargo bench -p samp-hub --bench hub_load -- --quick   # smaller counts
//! cargo bench -p samp-hub --bench hub_load -- --million # 1,000,000 notifications, samp-hub only
//! cargo bench -p samp-hub --bench hub_load -- --baseline /path/to/other/samp-hub
//! cargo bench -p samp-hub --bench hub_load -- --tls   # also samp-hub over HTTPS, both hops
//! cargo bench -p samp-hub --bench hub_load -- --no-peers --wrap "perf record -g --"  # profile
//! cargo bench -p samp-hub --bench hub_load -- --json figures.json  # every figure, as JSON
//! ```
//!
//! Figures: notifications/s from 16 senders to 4 receivers (and whether any was lost), hub
//! CPU per relayed notification (from /proc, so Linux only), `callAndWait` round trip
//! (median and p99), hub RSS idle and with 100 registered clients, and a 1,000,000-row
//! `table.select.rowList` end to end.

#[path = "support/hub_process.rs"]
mod hub_process;
#[path = "support/relay.rs"]
mod relay;
#[path = "support/report.rs"]
mod report;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use samp_http::{CallFuture, HttpClient, RequestInfo, Server, ServerConfig, XmlRpcService};
use samp_protocol::xmlrpc::MethodCall;
use samp_protocol::{Value, map};
use tokio::sync::Notify;

use hub_process::{HubProcess, temp_dir};

const JSAMP_JAR: &str = "/usr/share/java/jsamp.jar";

/// Senders in the notification test.
const SENDERS: usize = 16;

struct Sizes {
    senders: usize,
    per_sender: usize,
    calls: usize,
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_owned()
}

/// Counts notifications and answers calls at once, for every client registered on it.
struct Receiver {
    count: AtomicU64,
    target: AtomicU64,
    reached: Notify,
    http: HttpClient,
    hub_url: String,
}

impl Receiver {
    /// Counts afresh, toward `n` notifications.
    fn expect(&self, n: u64) {
        self.count.store(0, Ordering::Release);
        self.target.store(n, Ordering::Release);
    }

    /// Whether the expected notifications all arrive within `limit` (the last one's
    /// `notify_one` leaves a permit if nobody waits yet, so this may be called late).
    async fn all_in(&self, limit: Duration) -> bool {
        tokio::time::timeout(limit, self.reached.notified())
            .await
            .is_ok()
    }
}

impl XmlRpcService for Receiver {
    fn call(&self, call: MethodCall, _: RequestInfo) -> CallFuture {
        match call.method.as_str() {
            "samp.client.receiveNotification" => {
                let n = self.count.fetch_add(1, Ordering::AcqRel) + 1;
                if n == self.target.load(Ordering::Acquire) {
                    self.reached.notify_one();
                }
            }
            "samp.client.receiveCall" => {
                let (key, msg_id) = (call.params[0].clone(), call.params[2].clone());
                let http = self.http.clone();
                let url = self.hub_url.clone();
                tokio::spawn(async move {
                    let ok = map! { "samp.status" => "samp.ok", "samp.result" => map! {} };
                    if let Err(e) = http
                        .call(&url, "samp.hub.reply", &[&key, &msg_id, &ok], None)
                        .await
                    {
                        eprintln!("reply failed: {e}");
                    }
                });
            }
            _ => {}
        }
        Box::pin(async { Ok(Value::from("")) })
    }
}

struct Client {
    key: Value,
    id: String,
}

async fn register(
    http: &HttpClient,
    hub: &HubProcess,
    callback: Option<&str>,
    subs: &[&str],
) -> Client {
    let reg = http
        .call(&hub.url, "samp.hub.register", &[&hub.secret.as_str()], None)
        .await
        .expect("register");
    let reg = reg.as_map().expect("reg-info map");
    let key = reg["samp.private-key"].clone();
    let id = reg["samp.self-id"].as_str().expect("self-id").to_owned();
    http.call(
        &hub.url,
        "samp.hub.declareMetadata",
        &[&key, &map! { "samp.name" => "bench" }],
        None,
    )
    .await
    .expect("metadata");
    if let Some(url) = callback {
        http.call(&hub.url, "samp.hub.setXmlrpcCallback", &[&key, &url], None)
            .await
            .expect("callback");
        let subs: Value = subs.iter().map(|m| (*m, Value::empty_map())).collect();
        http.call(
            &hub.url,
            "samp.hub.declareSubscriptions",
            &[&key, &subs],
            None,
        )
        .await
        .expect("subs");
    }
    Client { key, id }
}

#[derive(Default, Clone)]
struct Figures {
    rate: f64,
    lost: u64,
    cpu_us: f64,
    median_us: f64,
    p99_us: f64,
    call_failures: usize,
    rss_idle: u64,
    rss_100: u64,
    rowlist_s: Option<f64>,
    /// The 1,000,000-row message's size, in KiB.
    rowlist_kib: u64,
    /// `notifyAll` of it to N recipients: (N, seconds until all had it, the hub's peak RSS
    /// in KiB during it).
    fanout: Vec<(usize, f64, u64)>,
}

/// Each sender notifies `per` times, round robin over `targets`; waits until all have
/// arrived (or 120 s). Returns how many arrived and whether all did.
async fn notify_round(
    http: &HttpClient,
    hub: &HubProcess,
    senders: &[Client],
    targets: &[Value],
    per: usize,
    receiver: &Receiver,
) -> (u64, bool) {
    let total = (senders.len() * per) as u64;
    receiver.expect(total);
    let mut tasks = Vec::new();
    for (i, s) in senders.iter().enumerate() {
        let (http, url, key) = (http.clone(), hub.url.clone(), s.key.clone());
        let targets = targets.to_vec();
        tasks.push(tokio::spawn(async move {
            for n in 0..per {
                let msg = map! { "samp.mtype" => "bench.note", "samp.params" => map! { "n" => n.to_string() } };
                let to = &targets[(i + n) % targets.len()];
                http.call(&url, "samp.hub.notify", &[&key, to, &msg], None).await.expect("notify");
            }
        }));
    }
    for t in tasks {
        t.await.expect("sender");
    }
    let all_in = receiver.all_in(Duration::from_secs(120)).await;
    (receiver.count.load(Ordering::Acquire), all_in)
}

async fn measure(hub: &HubProcess, sizes: &Sizes, rowlist: bool) -> Figures {
    let mut f = Figures {
        rss_idle: hub.usage().1,
        ..Figures::default()
    };
    let (http, server_config) = bench_http(hub);
    let receiver = Arc::new(Receiver {
        count: AtomicU64::new(0),
        target: AtomicU64::new(u64::MAX),
        reached: Notify::new(),
        http: http.clone(),
        hub_url: hub.url.clone(),
    });
    let server = Server::bind(
        "127.0.0.1:0".parse().expect("addr"),
        server_config,
        receiver.clone(),
    )
    .await
    .expect("receiver server");
    let callback = server.url();
    let mut receivers = Vec::new();
    for _ in 0..4 {
        receivers.push(register(&http, hub, Some(&callback), &["bench.*"]).await);
    }
    let mut senders = Vec::new();
    for _ in 0..sizes.senders {
        senders.push(register(&http, hub, None, &[]).await);
    }

    // Notifications: 16 senders, round robin over the receivers. A tenth as many first,
    // unmeasured, so that no figure includes start-up (first connections, heap growth).
    let targets: Vec<Value> = receivers
        .iter()
        .map(|r| Value::from(r.id.as_str()))
        .collect();
    let warm_up = (sizes.per_sender / 10).max(1);
    notify_round(&http, hub, &senders, &targets, warm_up, &receiver).await;
    let total = (sizes.senders * sizes.per_sender) as u64;
    let (cpu0, _) = hub.usage();
    let start = Instant::now();
    let (got, all_in) =
        notify_round(&http, hub, &senders, &targets, sizes.per_sender, &receiver).await;
    let elapsed = start.elapsed().as_secs_f64();
    f.lost = total.saturating_sub(got);
    if !all_in {
        eprintln!("{}: only {got} of {total} notifications arrived", hub.name);
    }
    f.rate = got as f64 / elapsed;
    let (cpu1, _) = hub.usage();
    f.cpu_us = (cpu1 - cpu0) / total as f64 * 1e6;

    // callAndWait round trips, one at a time.
    let mut times = Vec::with_capacity(sizes.calls);
    let caller = &senders[0];
    // A hub that loses the reply to a call answered at once would stall here for the
    // whole timeout each time: 2 s, and failures are counted, not fatal.
    for _ in 0..sizes.calls {
        let msg = map! { "samp.mtype" => "bench.call", "samp.params" => map! {} };
        let t = Instant::now();
        let answered = http
            .call(
                &hub.url,
                "samp.hub.callAndWait",
                &[&caller.key, &receivers[0].id.as_str(), &msg, &"2"],
                None,
            )
            .await;
        match answered {
            Ok(_) => times.push(t.elapsed().as_secs_f64() * 1e6),
            Err(e) => {
                f.call_failures += 1;
                if f.call_failures == 1 {
                    eprintln!("{}: callAndWait failed: {e}", hub.name);
                }
            }
        }
    }
    times.sort_by(f64::total_cmp);
    if !times.is_empty() {
        f.median_us = times[times.len() / 2];
        f.p99_us = times[times.len() * 99 / 100];
    }

    // RSS with 100 clients in all.
    let registered = 4 + sizes.senders;
    for _ in registered..100 {
        register(&http, hub, Some(&callback), &["bench.*"]).await;
    }
    f.rss_100 = hub.usage().1;

    if rowlist {
        let rows: Vec<Value> = (0..1_000_000)
            .map(|i: u32| Value::from(i.to_string()))
            .collect();
        let params = map! { "table-id" => "t1", "row-list" => Value::List(rows) };
        let msg = map! { "samp.mtype" => "bench.select.rowList", "samp.params" => params.clone() };
        f.rowlist_kib = (samp_protocol::xmlrpc::write_response(&msg)
            .map(|d| d.len())
            .unwrap_or(0)
            / 1024) as u64;
        receiver.expect(1);
        let t = Instant::now();
        let sent = http
            .call(
                &hub.url,
                "samp.hub.notify",
                &[&senders[0].key, &receivers[0].id.as_str(), &msg],
                None,
            )
            .await;
        let arrived = sent.is_ok() && receiver.all_in(Duration::from_secs(60)).await;
        f.rowlist_s = arrived.then(|| t.elapsed().as_secs_f64());

        // The same message with notifyAll to 1, 4 and 8 recipients: the hub's peak RSS.
        for i in 0..8 {
            let mut subs = vec!["fan.8"];
            if i < 4 {
                subs.push("fan.4");
            }
            if i < 1 {
                subs.push("fan.1");
            }
            register(&http, hub, Some(&callback), &subs).await;
        }
        for n in [1usize, 4, 8] {
            let msg = map! { "samp.mtype" => format!("fan.{n}"), "samp.params" => params.clone() };
            receiver.expect(n as u64);
            hub.reset_peak();
            let t = Instant::now();
            let sent = http
                .call(
                    &hub.url,
                    "samp.hub.notifyAll",
                    &[&senders[0].key, &msg],
                    None,
                )
                .await;
            let arrived = sent.is_ok() && receiver.all_in(Duration::from_secs(120)).await;
            if arrived {
                f.fanout
                    .push((n, t.elapsed().as_secs_f64(), hub.peak_kib()));
            } else {
                eprintln!(
                    "{}: notifyAll of the rowList to {n} did not all arrive",
                    hub.name
                );
            }
        }
    }
    server.shutdown(Duration::from_millis(100)).await;
    f
}

fn row(name: &str, f: &Figures, base: Option<&Figures>) {
    let ratio = |ours: f64, theirs: f64| {
        if ours > 0.0 {
            format!(" ({:.1}x)", theirs / ours)
        } else {
            String::new()
        }
    };
    let (rate_r, cpu_r, med_r) = match base {
        Some(b) => (
            if f.rate > 0.0 {
                format!(" ({:.1}x)", b.rate / f.rate)
            } else {
                String::new()
            },
            ratio(b.cpu_us, f.cpu_us),
            ratio(b.median_us, f.median_us),
        ),
        None => Default::default(),
    };
    println!(
        "{name:<10} {:>9.0}/s{rate_r:<8} lost {:<3} cpu/notify {:>7.1} µs{cpu_r:<8} callAndWait median {:>8.0} µs{med_r:<8} p99 {:>8.0} µs ({} failed)  rss idle {:>6} KiB, 100 clients {:>6} KiB  rowList 1e6: {}",
        f.rate,
        f.lost,
        f.cpu_us,
        f.median_us,
        f.p99_us,
        f.call_failures,
        f.rss_idle,
        f.rss_100,
        f.rowlist_s
            .map(|s| format!("{s:.2} s"))
            .unwrap_or_else(|| "n/a".to_owned()),
    );
}

/// Prints the table: samp-hub first, each peer with its ratio to samp-hub.
/// The bench's HTTP client and receiver server: plain, or for a TLS hub trusting its CA
/// and serving callbacks over HTTPS with the CA's client certificate.
fn bench_http(hub: &HubProcess) -> (HttpClient, ServerConfig) {
    let Some(ca) = &hub.tls else {
        return (HttpClient::new(), ServerConfig::default());
    };
    use samp_http::tls::{CertReqs, ClientTls, Identity, ServerTls, TlsVersion};
    let client = ClientTls::new(&[&ca.join("ca.pem")], None, TlsVersion::V1_2).expect("client TLS");
    let id = Identity::from_pem_files(&ca.join("client.pem"), &ca.join("client-key.pem"))
        .expect("client identity");
    let server = ServerTls::new(id, CertReqs::None, None, TlsVersion::V1_2).expect("server TLS");
    let config = ServerConfig {
        tls: Some(server),
        ..ServerConfig::default()
    };
    (HttpClient::new().with_tls(&client), config)
}

fn report(results: &[(&str, Figures)]) {
    println!("\nhub load (16 senders → 4 receivers; peers get 1/5 of the notifications)");
    let base = results.first().map(|(_, f)| f.clone());
    for (i, (name, f)) in results.iter().enumerate() {
        row(name, f, if i == 0 { None } else { base.as_ref() });
    }
    println!("(x) = how many times better samp-hub is than that peer on the figure");
    for (name, f) in results {
        for (n, secs, kib) in &f.fanout {
            println!(
                "{name:<10} rowList ({} KiB) notifyAll to {n}: {secs:.2} s, hub peak RSS {kib} KiB ({:.2}x the message)",
                f.rowlist_kib,
                *kib as f64 / f.rowlist_kib.max(1) as f64
            );
        }
    }
}

fn main() {
    if let Ok(spec) = std::env::var(relay::ENV) {
        relay::run_child(&spec);
    }
    let quick = std::env::args().any(|a| a == "--quick");
    let million = std::env::args().any(|a| a == "--million");
    let sizes = if million {
        // The loss check at scale: 16 × 62,500 = 1,000,000 notifications, samp-hub only.
        Sizes {
            senders: SENDERS,
            per_sender: 62_500,
            calls: 2000,
        }
    } else if quick {
        Sizes {
            senders: SENDERS,
            per_sender: 250,
            calls: 300,
        }
    } else {
        Sizes {
            senders: SENDERS,
            per_sender: 2500,
            calls: 2000,
        }
    };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let mut results: Vec<(&str, Figures)> = Vec::new();

    let args: Vec<String> = std::env::args().collect();
    // `--wrap "perf record -g -o FILE --"`: run samp-hub under another command, to profile
    // it (its CPU figure is then the wrapper's).
    let ours_cmd = match args
        .iter()
        .position(|a| a == "--wrap")
        .and_then(|i| args.get(i + 1))
    {
        Some(wrap) => {
            let mut words = wrap.split_whitespace();
            let mut cmd = Command::new(words.next().expect("--wrap COMMAND"));
            cmd.args(words).arg(env!("CARGO_BIN_EXE_samp-hub"));
            cmd
        }
        None => Command::new(env!("CARGO_BIN_EXE_samp-hub")),
    };
    let ours = HubProcess::start("samp-hub", ours_cmd, temp_dir("samp"));
    // `--no-rowlist`: leave out the 1,000,000-row test (e.g. to profile the rest).
    let rowlist = !args.iter().any(|a| a == "--no-rowlist");
    if let Some(hub) = ours {
        std::thread::sleep(Duration::from_millis(300));
        results.push(("samp-hub", rt.block_on(measure(&hub, &sizes, rowlist))));
    }
    // `--baseline PATH`: another samp-hub build (e.g. main's), measured with the same
    // sizes in the same run, to show what a change did.
    if let Some(bin) = args
        .iter()
        .position(|a| a == "--baseline")
        .and_then(|i| args.get(i + 1))
        && let Some(hub) = HubProcess::start("baseline", Command::new(bin), temp_dir("base"))
    {
        std::thread::sleep(Duration::from_millis(300));
        results.push(("baseline", rt.block_on(measure(&hub, &sizes, rowlist))));
    }
    if args.iter().any(|a| a == "--tls") {
        let dir = temp_dir("tls");
        let ca = dir.join("ca");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_samp-hub"));
        cmd.arg("--tls-self-signed").arg(&ca);
        if let Some(mut hub) = HubProcess::start("samp-hub TLS", cmd, dir) {
            hub.tls = Some(ca);
            std::thread::sleep(Duration::from_millis(300));
            results.push(("samp-hub TLS", rt.block_on(measure(&hub, &sizes, true))));
        }
    }
    // The bare two-hop relay, the physical limit, with the same senders and receiver.
    let relay = rt.block_on(relay::measure(&sizes));
    if let Some((rate, cpu)) = relay {
        let ours = results.first().map_or(0.0, |(_, f)| f.rate);
        println!(
            "bare relay {rate:>9.0}/s  cpu/relay {cpu:>7.1} µs   samp-hub reaches {:.2} of its rate",
            ours / rate
        );
    }
    let write_json = |results: &[(&str, Figures)]| {
        if let Some(path) = args
            .iter()
            .position(|a| a == "--json")
            .and_then(|i| args.get(i + 1))
            && let Err(e) = std::fs::write(path, report::to_json(results, relay))
        {
            eprintln!("cannot write {path}: {e}");
        }
    };
    if million || args.iter().any(|a| a == "--no-peers") {
        report(&results);
        write_json(&results);
        return;
    }
    let peer_sizes = Sizes {
        senders: sizes.senders,
        per_sender: sizes.per_sender / 5,
        calls: sizes.calls / 4,
    };
    if Path::new(JSAMP_JAR).exists() {
        let mut cmd = Command::new("java");
        cmd.args([
            "-Djava.awt.headless=true",
            "-cp",
            JSAMP_JAR,
            "org.astrogrid.samp.JSamp",
            "hub",
            "-mode",
            "no-gui",
            "-profiles",
            "std",
        ]);
        if let Some(hub) = HubProcess::start("jsamp", cmd, temp_dir("jsamp")) {
            std::thread::sleep(Duration::from_millis(500));
            results.push(("JSAMP", rt.block_on(measure(&hub, &peer_sizes, true))));
        }
    } else {
        eprintln!("JSAMP not installed ({JSAMP_JAR}); run tests/interop/run.sh once to install it");
    }
    let python = workspace_root().join("tests/interop/.work/venv/bin/python");
    let launcher = workspace_root().join("tests/interop/astropy_hub.py");
    if python.exists() && launcher.exists() {
        let dir = temp_dir("astropy");
        let mut cmd = Command::new(&python);
        cmd.arg(&launcher).arg("--lockfile").arg(dir.join("lock"));
        if let Some(hub) = HubProcess::start("astropy", cmd, dir) {
            std::thread::sleep(Duration::from_millis(500));
            results.push(("astropy", rt.block_on(measure(&hub, &peer_sizes, false))));
        }
    } else {
        eprintln!("astropy venv not found; run tests/interop/run.sh once to create it");
    }

    report(&results);
    write_json(&results);
}
