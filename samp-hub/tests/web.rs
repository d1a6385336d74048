//! The Web Profile end to end over real HTTP: consent, CORS, long polls, the URL
//! translator, MType restrictions, and the caps that bound what the hub keeps.

use std::time::{Duration, Instant};

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use samp_hub::{
    Consent, ConsentPrompt, DeliveryPolicy, Hub, RegistrationRequest, RunningHub, WebConfig,
};
use samp_protocol::xmlrpc::{self, WriteValue};
use samp_protocol::{Value, map};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

mod common;
use common::*;

const PAGE: &str = "http://localhost:8000";

/// One raw HTTP/1.1 exchange: (status, headers in lower case, body).
async fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, Vec<(String, String)>, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(WAIT, stream.read_to_end(&mut raw))
        .await
        .expect("answer in time")
        .unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, body.to_owned())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// An XML-RPC call to the Web Profile, as a page from `origin` makes it.
async fn web_call(
    port: u16,
    origin: Option<&str>,
    method: &str,
    args: &[&dyn WriteValue],
) -> Result<Value, String> {
    let doc = xmlrpc::write_call(&format!("samp.webhub.{method}"), args).unwrap();
    let mut headers = vec![("Content-Type", "text/plain")];
    if let Some(origin) = origin {
        headers.push(("Origin", origin));
    }
    let (status, _, body) = http(port, "POST", "/", &headers, &doc).await;
    assert_eq!(status, 200, "{body}");
    xmlrpc::parse_response(body.as_bytes())
        .unwrap()
        .map_err(|f| f.message)
}

/// A registered web client.
struct Page {
    port: u16,
    key: String,
    id: String,
    translator: String,
}

impl Page {
    async fn register(port: u16, origin: &str) -> Page {
        let identity = map! { "samp.name" => "test page" };
        let reg = web_call(port, Some(origin), "register", &[&identity])
            .await
            .unwrap();
        let reg = reg.as_map().unwrap();
        Page {
            port,
            key: reg["samp.private-key"].as_str().unwrap().to_owned(),
            id: reg["samp.self-id"].as_str().unwrap().to_owned(),
            translator: reg["samp.url-translator"].as_str().unwrap().to_owned(),
        }
    }

    async fn call(&self, method: &str, args: &[&dyn WriteValue]) -> Result<Value, String> {
        let key = Value::from(self.key.as_str());
        let mut all: Vec<&dyn WriteValue> = vec![&key];
        all.extend_from_slice(args);
        web_call(self.port, Some(PAGE), method, &all).await
    }

    async fn callable(&self, mtypes: &[&str]) {
        self.call("allowReverseCallbacks", &[&"1"]).await.unwrap();
        let subs: Value = mtypes.iter().map(|m| (*m, Value::empty_map())).collect();
        self.call("declareSubscriptions", &[&subs]).await.unwrap();
    }

    /// Pulls until a callback that is not a hub event arrives.
    async fn pull_message(&self) -> Value {
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            let pulled = self.call("pullCallbacks", &[&"5"]).await.unwrap();
            for cb in pulled.as_list().unwrap() {
                let params = cb.as_map().unwrap()["samp.params"].as_list().unwrap();
                let message = params.last().unwrap();
                let mtype = message.as_map().unwrap()["samp.mtype"].as_str().unwrap();
                if !mtype.starts_with("samp.hub.") {
                    return cb.clone();
                }
            }
        }
        panic!("no message pulled in time");
    }
}

async fn web_hub(configure: impl FnOnce(&mut WebConfig)) -> (RunningHub, u16) {
    let mut web = WebConfig {
        port: 0,
        allow_origins: vec![PAGE.to_owned()],
        ..WebConfig::default()
    };
    configure(&mut web);
    let hub = Hub::builder().no_lockfile().web(web).start().await.unwrap();
    let port: u16 = hub
        .web_url()
        .unwrap()
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    (hub, port)
}

#[tokio::test]
async fn consent_and_cross_origin_headers() {
    let (_hub, port) = web_hub(|_| {}).await;
    // Allowed origin: registered, with a translator of its own.
    let page = Page::register(port, PAGE).await;
    assert!(
        page.translator
            .starts_with(&format!("http://localhost:{port}/translator/"))
    );
    assert!(
        !page.translator.contains(&page.key),
        "the translator token is not the key"
    );
    // Another origin, or none: refused, and the fault says how to allow it.
    let identity = map! { "samp.name" => "evil" };
    let refused = web_call(port, Some("http://evil.example"), "register", &[&identity]).await;
    assert!(
        refused
            .unwrap_err()
            .contains("--web-allow-origin http://evil.example")
    );
    let refused = web_call(port, None, "register", &[&identity]).await;
    assert!(refused.unwrap_err().contains("no Origin header"));

    // Preflight from the allowed origin: CORS and Private Network Access headers.
    let preflight = [
        ("Origin", PAGE),
        ("Access-Control-Request-Method", "POST"),
        ("Access-Control-Request-Private-Network", "true"),
    ];
    let (status, h, _) = http(port, "OPTIONS", "/", &preflight, "").await;
    assert_eq!(status, 200);
    assert_eq!(header(&h, "access-control-allow-origin"), Some(PAGE));
    assert_eq!(header(&h, "access-control-allow-methods"), Some("POST"));
    assert_eq!(
        header(&h, "access-control-allow-private-network"),
        Some("true")
    );
    assert_eq!(header(&h, "access-control-allow-credentials"), None);
    // From another origin: none of them.
    let preflight = [
        ("Origin", "http://evil.example"),
        ("Access-Control-Request-Method", "POST"),
        ("Access-Control-Request-Private-Network", "true"),
    ];
    let (status, h, _) = http(port, "OPTIONS", "/", &preflight, "").await;
    assert_eq!(status, 403);
    assert!(
        h.iter().all(|(k, _)| !k.starts_with("access-control-")),
        "{h:?}"
    );
    // A simple request from the allowed origin is answered with its origin echoed.
    let ping = xmlrpc::write_call("samp.webhub.ping", &[]).unwrap();
    let (_, h, _) = http(port, "POST", "/", &[("Origin", PAGE)], &ping).await;
    assert_eq!(header(&h, "access-control-allow-origin"), Some(PAGE));
    // A page reaching the hub under another host name (DNS rebinding) is refused.
    let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let req = format!(
        "POST / HTTP/1.1\r\nHost: evil.example:{port}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{ping}",
        ping.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    // The policy files grant the allowed origin only.
    let (status, h, body) = http(port, "GET", "/crossdomain.xml", &[], "").await;
    assert_eq!(status, 200);
    assert_eq!(
        header(&h, "content-type"),
        Some("text/x-cross-domain-policy")
    );
    assert!(body.contains("domain=\"localhost:8000\"") && !body.contains("domain=\"*\""));
}

/// A prompt that records what it was shown and answers yes to one name.
struct Asked(Arc<Mutex<Vec<RegistrationRequest>>>);

impl ConsentPrompt for Asked {
    fn ask(&self, request: RegistrationRequest) -> Pin<Box<dyn Future<Output = bool> + Send>> {
        let yes = request.name == "welcome";
        self.0.lock().unwrap().push(request);
        Box::pin(std::future::ready(yes))
    }
}

#[tokio::test]
async fn the_user_is_asked_about_origins_not_on_the_list() {
    let asked = Arc::new(Mutex::new(Vec::new()));
    let prompt = Asked(asked.clone());
    let (_hub, port) = web_hub(move |w| w.consent = Consent::Ask(Arc::new(prompt))).await;
    Page::register(port, PAGE).await;
    assert!(
        asked.lock().unwrap().is_empty(),
        "the allow list needs no question"
    );
    let other = "http://other.example";
    let welcome = map! { "samp.name" => "welcome" };
    assert!(
        web_call(port, Some(other), "register", &[&welcome])
            .await
            .is_ok()
    );
    let unwelcome = map! { "samp.name" => "unwelcome" };
    let fault = web_call(port, Some(other), "register", &[&unwelcome])
        .await
        .unwrap_err();
    assert!(fault.contains("the user refused"), "{fault}");
    let shown = asked.lock().unwrap().clone();
    assert_eq!(shown.len(), 2);
    assert_eq!(shown[1].origin.as_deref(), Some(other));
    // With a prompt, any origin may ask: it gets CORS headers.
    let preflight = [("Origin", other), ("Access-Control-Request-Method", "POST")];
    let (status, h, _) = http(port, "OPTIONS", "/", &preflight, "").await;
    assert_eq!(
        (status, header(&h, "access-control-allow-origin")),
        (200, Some(other))
    );
}

#[tokio::test]
async fn pages_and_desktop_clients_exchange_messages_and_files() {
    let (hub, port) = web_hub(|_| {}).await;
    let page = Page::register(port, PAGE).await;
    page.callable(&["table.load.votable"]).await;
    let desktop = Raw::register(&hub, true).await;
    desktop
        .subscribe(&["coord.pointAt.sky", "script.run", "x.harmless"])
        .await;

    // A file a desktop client sends to the page can be fetched through the translator.
    let dir = std::env::temp_dir().join(format!("samp-web-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let table = dir.join("t.vot");
    std::fs::write(&table, "<VOTABLE/>").unwrap();
    let url = format!("file://{}", table.display());
    let load = map! { "samp.mtype" => "table.load.votable", "samp.params" => map! { "url" => url.as_str() } };
    desktop
        .ok("notify", vec![page.id.as_str().into(), load])
        .await;
    let cb = page.pull_message().await;
    let cb = cb.as_map().unwrap();
    assert_eq!(cb["samp.methodName"], Value::from("receiveNotification"));
    let params = cb["samp.params"].as_list().unwrap();
    assert_eq!(params[0], Value::from(desktop.id.as_str()));
    let path = page.translator.split_once(&format!("{port}")).unwrap().1;
    let (status, h, body) = http(
        port,
        "GET",
        &format!("{path}{url}"),
        &[("Origin", PAGE)],
        "",
    )
    .await;
    assert_eq!((status, body.as_str()), (200, "<VOTABLE/>"));
    assert_eq!(
        header(&h, "content-type"),
        Some("application/x-votable+xml")
    );
    // Not a URL the page was sent, or another file: refused.
    for other in ["file:///etc/passwd", "http://127.0.0.1:1/x"] {
        let (status, _, body) = http(port, "GET", &format!("{path}{other}"), &[], "").await;
        assert_eq!(status, 403, "{other}: {body}");
    }
    let (status, _, _) = http(port, "GET", &format!("/translator/nope?{url}"), &[], "").await;
    assert_eq!(status, 403);

    // The page sends a safe MType back; an unsafe one is blocked unless marked harmless.
    let point = map! { "samp.mtype" => "coord.pointAt.sky", "samp.params" => map! { "ra" => "1", "dec" => "2" } };
    page.call("notify", &[&desktop.id.as_str(), &point])
        .await
        .unwrap();
    let got = desktop
        .next_matching(|c| mtype_of(c) == "coord.pointAt.sky")
        .await;
    assert_eq!(got.params[1], Value::from(page.id.as_str()));
    let script = map! { "samp.mtype" => "script.run", "samp.params" => map! {} };
    let fault = page
        .call("notify", &[&desktop.id.as_str(), &script])
        .await
        .unwrap_err();
    assert!(
        fault.contains("not subscribed to script.run for web clients"),
        "{fault}"
    );
    let subscribed = page
        .call("getSubscribedClients", &[&"script.run"])
        .await
        .unwrap();
    assert!(
        subscribed.as_map().unwrap().is_empty(),
        "blocked is not subscribed"
    );
    let subs = page
        .call("getSubscriptions", &[&desktop.id.as_str()])
        .await
        .unwrap();
    assert!(subs.as_map().unwrap().contains_key("coord.pointAt.sky"));
    assert!(!subs.as_map().unwrap().contains_key("script.run"));
    let harmless = map! { "x.harmless" => map! { "x-samp.mostly-harmless" => "1" } };
    desktop.ok("declareSubscriptions", vec![harmless]).await;
    let note = map! { "samp.mtype" => "x.harmless", "samp.params" => map! {} };
    page.call("notify", &[&desktop.id.as_str(), &note])
        .await
        .unwrap();

    // A page's key opens nothing on the Standard Profile's endpoint.
    let http_client = samp_http::HttpClient::new();
    let err = http_client
        .call(
            hub.url(),
            "samp.hub.getRegisteredClients",
            &[&page.key.as_str()],
            Some(WAIT),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Web Profile client"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn polls_wait_and_silent_pages_are_removed() {
    let (hub, port) = web_hub(|w| w.idle_eject = Duration::from_millis(600)).await;
    let page = Page::register(port, PAGE).await;
    page.callable(&["table.*"]).await;
    // An empty poll waits (a little less than) what it asked for.
    let started = Instant::now();
    let pulled = page.call("pullCallbacks", &[&"1"]).await.unwrap();
    assert!(pulled.as_list().unwrap().is_empty());
    assert!(started.elapsed() >= Duration::from_millis(800));
    // A notification ends a waiting poll.
    let desktop = Raw::register(&hub, true).await;
    let poll = tokio::spawn({
        let (port, key) = (page.port, page.key.clone());
        async move { web_call(port, Some(PAGE), "pullCallbacks", &[&key.as_str(), &"60"]).await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let note = map! { "samp.mtype" => "table.highlight.row", "samp.params" => map! {} };
    desktop
        .ok("notify", vec![page.id.as_str().into(), note])
        .await;
    let pulled = poll.await.unwrap().unwrap();
    assert_eq!(pulled.as_list().unwrap().len(), 1);
    // A callable page that stops polling is removed.
    let deadline = Instant::now() + WAIT;
    loop {
        let ids = desktop.ok("getRegisteredClients", vec![]).await;
        if !ids
            .as_list()
            .unwrap()
            .contains(&Value::from(page.id.as_str()))
        {
            break;
        }
        assert!(Instant::now() < deadline, "the silent page was not removed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_recipient_that_never_answers_is_capped_not_dropped() {
    let policy = DeliveryPolicy {
        max_queued: 50,
        timeout: Duration::from_secs(60),
        ..DeliveryPolicy::default()
    };
    let hub = Hub::builder()
        .no_lockfile()
        .delivery_policy(policy)
        .start()
        .await
        .unwrap();
    // Accepts connections, never answers.
    let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_url = format!("http://{}/xmlrpc", silent.local_addr().unwrap());
    let held = tokio::spawn(async move {
        let mut conns = Vec::new();
        while let Ok((c, _)) = silent.accept().await {
            conns.push(c);
        }
    });
    let sink = Raw::register(&hub, false).await;
    sink.ok("setXmlrpcCallback", vec![silent_url.as_str().into()])
        .await;
    sink.subscribe(&["flood.*"]).await;
    let other = Raw::register(&hub, true).await;
    other.subscribe(&["flood.*"]).await;
    let sender = Raw::register(&hub, false).await;
    let note = map! { "samp.mtype" => "flood.note", "samp.params" => map! {} };
    let mut refused = None;
    for n in 0..100 {
        if let Err(e) = sender
            .call("notify", vec![sink.id.as_str().into(), note.clone()])
            .await
        {
            refused = Some((n, e.to_string()));
            break;
        }
    }
    let (n, fault) = refused.expect("the cap refuses");
    // One callback is in flight (out of the queue), 50 wait.
    assert!((50..=52).contains(&n), "refused at {n}");
    assert!(
        fault.contains(&format!("client {} cannot take more", sink.id)),
        "{fault}"
    );
    assert!(fault.contains("callbacks"), "{fault}");
    // A broadcast leaves the full recipient out and reaches the others.
    let to = sender.ok("notifyAll", vec![note.clone()]).await;
    assert_eq!(to.as_list().unwrap(), &[Value::from(other.id.as_str())]);
    // Calls are capped the same way, with an answer rather than silence.
    let call = map! { "samp.mtype" => "flood.call", "samp.params" => map! {} };
    let fault = sender
        .call(
            "callAndWait",
            vec![sink.id.as_str().into(), call, "5".into()],
        )
        .await
        .unwrap_err();
    assert!(fault.to_string().contains("cannot take more"), "{fault}");
    held.abort();
}

#[tokio::test]
async fn a_poll_whose_page_went_away_takes_nothing() {
    let (hub, port) = web_hub(|_| {}).await;
    let page = Page::register(port, PAGE).await;
    page.callable(&["table.*"]).await;
    let desktop = Raw::register(&hub, true).await;

    // A long poll the page gives up on (an aborted request, a closed tab): its connection
    // closes while the hub holds the poll.
    let doc =
        xmlrpc::write_call("samp.webhub.pullCallbacks", &[&page.key.as_str(), &"60"]).unwrap();
    let request = format!(
        "POST / HTTP/1.1\r\nHost: localhost:{port}\r\nOrigin: {PAGE}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{doc}",
        doc.len()
    );
    let mut abandoned = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    abandoned.write_all(request.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(abandoned);
    tokio::time::sleep(Duration::from_millis(300)).await;

    // What arrives next waits for the page's next poll, not for the abandoned one.
    let note =
        map! { "samp.mtype" => "table.highlight.row", "samp.params" => map! { "row" => "7" } };
    desktop
        .ok("notify", vec![page.id.as_str().into(), note])
        .await;
    let got = page.pull_message().await;
    let params = got.as_map().unwrap()["samp.params"].as_list().unwrap();
    let message = params.last().unwrap().as_map().unwrap();
    assert_eq!(message["samp.mtype"].as_str(), Some("table.highlight.row"));
}

/// Serves `body` once per connection at `/sized` (with `Content-Length`) and `/chunked`
/// (without), for the translator to fetch.
async fn upstream(body: Vec<u8>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let body = Arc::new(body);
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            let body = body.clone();
            tokio::spawn(async move {
                let mut head = vec![0u8; 4096];
                let n = conn.read(&mut head).await.unwrap_or(0);
                let sized = String::from_utf8_lossy(&head[..n]).contains("/sized");
                if sized {
                    let h = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/fits\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = conn.write_all(h.as_bytes()).await;
                    let _ = conn.write_all(&body).await;
                } else {
                    let h = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
                    let _ = conn.write_all(h.as_bytes()).await;
                    for piece in body.chunks(64 * 1024) {
                        let chunk = format!("{:x}\r\n", piece.len());
                        let _ = conn.write_all(chunk.as_bytes()).await;
                        let _ = conn.write_all(piece).await;
                        let _ = conn.write_all(b"\r\n").await;
                    }
                    let _ = conn.write_all(b"0\r\n\r\n").await;
                }
                let _ = conn.shutdown().await;
            });
        }
    });
    port
}

#[tokio::test]
async fn the_translator_streams_what_fits_its_limit_and_refuses_the_rest() {
    const LIMIT: u64 = 3 << 20;
    let (hub, port) = web_hub(|w| w.translator_max_bytes = LIMIT).await;
    let page = Page::register(port, PAGE).await;
    page.callable(&["image.load.fits"]).await;
    let desktop = Raw::register(&hub, true).await;

    let dir = std::env::temp_dir().join(format!("samp-web-stream-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pattern = |len: usize| -> Vec<u8> { (0..len).map(|i| b'a' + (i % 26) as u8).collect() };
    let fits = pattern(LIMIT as usize - 4321);
    std::fs::write(dir.join("fits.fits"), &fits).unwrap();
    std::fs::write(dir.join("over.fits"), pattern(LIMIT as usize + 1)).unwrap();
    let from_web = upstream(fits.clone()).await;
    let over_web = upstream(pattern(LIMIT as usize + 1)).await;

    let urls = [
        format!("file://{}", dir.join("fits.fits").display()),
        format!("file://{}", dir.join("over.fits").display()),
        format!("http://127.0.0.1:{from_web}/sized"),
        format!("http://127.0.0.1:{from_web}/chunked"),
        format!("http://127.0.0.1:{over_web}/sized"),
        format!("http://127.0.0.1:{over_web}/chunked"),
    ];
    for url in &urls {
        let load = map! { "samp.mtype" => "image.load.fits", "samp.params" => map! { "url" => url.as_str() } };
        desktop
            .ok("notify", vec![page.id.as_str().into(), load])
            .await;
        page.pull_message().await;
    }
    let client = samp_http::HttpClient::new();
    let get = |url: &str| {
        let (client, full) = (client.clone(), format!("{}{url}", page.translator));
        async move { client.fetch(&full, 64 << 20, WAIT).await }
    };

    // Within the limit: the whole resource, with its length announced where it is known.
    for url in [&urls[0], &urls[2], &urls[3]] {
        let got = get(url).await.unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(got.status, 200, "{url}");
        assert!(
            got.body == fits,
            "{url}: {} bytes, not the {} sent",
            got.body.len(),
            fits.len()
        );
    }
    let (status, headers, _) = http(
        port,
        "HEAD",
        &format!(
            "{}{}",
            page.translator.split_once(&format!("{port}")).unwrap().1,
            urls[0]
        ),
        &[],
        "",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-type"), Some("application/fits"));
    let announced = fits.len().to_string();
    assert_eq!(header(&headers, "content-length"), Some(announced.as_str()));

    // Over it: refused when the size is known, cut short when it is not.
    for url in [&urls[1], &urls[4]] {
        assert_eq!(get(url).await.unwrap().status, 413, "{url}");
    }
    let cut = get(&urls[5]).await;
    assert!(
        cut.is_err(),
        "an over-long stream must not arrive whole: {:?}",
        cut.map(|f| f.body.len())
    );
}

#[tokio::test]
async fn a_poll_racing_its_clients_unregister_gets_an_empty_list() {
    let (_hub, port) = web_hub(|_| {}).await;
    let page = Page::register(port, PAGE).await;
    page.callable(&["table.*"]).await;
    page.call("unregister", &[]).await.unwrap();
    // The page's poller sent its poll before it knew: held for its time, then empty (as a
    // poll parked a moment earlier would be), not a fault.
    let started = Instant::now();
    let pulled = page.call("pullCallbacks", &[&"1"]).await.unwrap();
    assert!(pulled.as_list().unwrap().is_empty());
    assert!(started.elapsed() >= Duration::from_millis(800));
    // Anything else from that key, and a poll with a key never issued, are refused.
    let fault = page.call("getRegisteredClients", &[]).await.unwrap_err();
    assert!(fault.contains("unknown private key"), "{fault}");
    let never = web_call(
        port,
        Some(PAGE),
        "pullCallbacks",
        &[&"k:never-issued", &"1"],
    )
    .await
    .unwrap_err();
    assert!(never.contains("unknown private key"), "{never}");
}
