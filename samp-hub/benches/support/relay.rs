//! The physical reference for `hub_load`: a bare two-hop relay. It receives a POST and
//! forwards its body as a POST to one target, then answers with the target's answer:
//! no parsing, no routing, no queue. It runs in a process of its own (this bench binary,
//! run again with [`ENV`] set), as the hubs do, so that the figures compare.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use std::sync::atomic::{AtomicU64, Ordering};

use samp_http::{
    Body, HttpClient, HttpFuture, HttpService, RequestInfo, Server, ServerConfig, plain,
};
use samp_protocol::map;
use tokio::sync::Notify;

use super::{Receiver, Sizes, temp_dir};

/// Set (to `TARGET_URL PORT_FILE`) in the relay's process.
pub const ENV: &str = "HUB_LOAD_RELAY";

struct Relay {
    http: HttpClient,
    target: String,
}

impl HttpService for Relay {
    fn handle(&self, req: Request<Bytes>, _: RequestInfo) -> HttpFuture {
        if req.method() != Method::POST {
            return Box::pin(std::future::ready(plain(
                StatusCode::METHOD_NOT_ALLOWED,
                "POST\n",
            )));
        }
        let (http, target) = (self.http.clone(), self.target.clone());
        Box::pin(async move {
            match http.post(&target, req.into_body(), None).await {
                Ok(answer) => {
                    let mut resp = Response::new(Body::full(answer));
                    resp.headers_mut().insert(
                        http::header::CONTENT_TYPE,
                        http::HeaderValue::from_static("text/xml"),
                    );
                    resp
                }
                Err(e) => plain(StatusCode::BAD_GATEWAY, &format!("{e}\n")),
            }
        })
    }
}

/// The relay process's body: serves until killed.
pub fn run_child(spec: &str) -> ! {
    let (target, port_file) = spec.split_once(' ').expect("TARGET PORT_FILE");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let relay = Arc::new(Relay {
            http: HttpClient::new(),
            target: target.to_owned(),
        });
        let server = Server::bind_http(
            "127.0.0.1:0".parse().unwrap(),
            ServerConfig::default(),
            relay,
        )
        .await
        .expect("relay server");
        std::fs::write(port_file, server.url()).expect("port file");
        std::future::pending::<()>().await;
    });
    unreachable!()
}

/// Starts the relay to `target`; its URL once it listens.
pub fn start(target: &str, dir: &Path) -> Option<(Child, String)> {
    let url_file: PathBuf = dir.join("relay.url");
    let _ = std::fs::remove_file(&url_file);
    let child = Command::new(std::env::current_exe().ok()?)
        .env(ENV, format!("{target} {}", url_file.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(url) = std::fs::read_to_string(&url_file)
            && !url.is_empty()
        {
            return Some((child, url));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

/// The bare relay's rate (relays/s) and CPU (µs per relay), with the same senders and
/// receiver as the hub's notification test.
pub async fn measure(sizes: &Sizes) -> Option<(f64, f64)> {
    let receiver = Arc::new(Receiver {
        count: AtomicU64::new(0),
        target: AtomicU64::new(u64::MAX),
        reached: Notify::new(),
        http: HttpClient::new(),
        hub_url: String::new(),
    });
    let server = Server::bind(
        "127.0.0.1:0".parse().ok()?,
        ServerConfig::default(),
        receiver.clone(),
    )
    .await
    .ok()?;
    let dir = temp_dir("relay");
    let (mut child, url) = start(&server.url(), &dir)?;
    let cpu = |pid: u32| {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace().collect())
            .unwrap_or_default();
        let t = |i: usize| {
            fields
                .get(i)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        (t(11) + t(12)) / 100.0
    };
    let total = (sizes.senders * sizes.per_sender) as u64;
    receiver.target.store(total, Ordering::Release);
    let http = HttpClient::new();
    let cpu0 = cpu(child.id());
    let start = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..sizes.senders {
        let (http, url) = (http.clone(), url.clone());
        let per = sizes.per_sender;
        tasks.push(tokio::spawn(async move {
            for n in 0..per {
                let msg = map! { "samp.mtype" => "bench.note", "samp.params" => map! { "n" => n.to_string() } };
                let sender = format!("c{i}");
                http.call(&url, "samp.client.receiveNotification", &[&"key", &sender.as_str(), &msg], None)
                    .await
                    .expect("relay");
            }
        }));
    }
    for t in tasks {
        t.await.ok()?;
    }
    let all_in = tokio::time::timeout(Duration::from_secs(120), receiver.reached.notified())
        .await
        .is_ok();
    let elapsed = start.elapsed().as_secs_f64();
    let cpu_us = (cpu(child.id()) - cpu0) / total as f64 * 1e6;
    let _ = child.kill();
    let _ = child.wait();
    server.shutdown(Duration::from_millis(100)).await;
    let _ = std::fs::remove_dir_all(&dir);
    all_in.then(|| {
        (
            receiver.count.load(Ordering::Acquire) as f64 / elapsed,
            cpu_us,
        )
    })
}
