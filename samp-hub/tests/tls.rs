//! The hub over HTTPS, end to end: TLS callback clients, mutual TLS, the lowest version,
//! and plain HTTP on the TLS port.
#![cfg(feature = "tls")]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use samp_http::tls::{CertReqs, ClientTls, Identity, ServerTls, TlsVersion};
use samp_http::{CallError, HttpClient, Server, ServerConfig};
use samp_hub::tls::{HubTls, SelfSigned, self_signed};
use samp_hub::{Hub, RunningHub};
use samp_protocol::{Value, map};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

mod common;
use common::{Recorder, WAIT};

fn ca_dir(tag: &str) -> SelfSigned {
    let dir = std::env::temp_dir().join(format!("samp-tls-test-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    self_signed(&dir).unwrap()
}

fn identity(cert: &Path, key: &Path) -> Identity {
    Identity::from_pem_files(cert, key).unwrap()
}

async fn tls_hub(ca: &SelfSigned, reqs: CertReqs, min: TlsVersion) -> RunningHub {
    let id = identity(&ca.cert, &ca.key);
    let client_ca = (reqs != CertReqs::None).then_some(ca.ca.as_path());
    let server = ServerTls::new(id.clone(), reqs, client_ca, min).unwrap();
    let client = ClientTls::new(&[&ca.ca], Some(&id), min).unwrap();
    Hub::builder()
        .no_lockfile()
        .tls(HubTls::new(server, client))
        .start()
        .await
        .unwrap()
}

/// An HTTP client trusting `ca`, presenting `cert` if given.
fn client(ca: &SelfSigned, cert: Option<(&Path, &Path)>) -> HttpClient {
    let id = cert.map(|(c, k)| identity(c, k));
    HttpClient::new().with_tls(&ClientTls::new(&[&ca.ca], id.as_ref(), TlsVersion::V1_2).unwrap())
}

async fn register(http: &HttpClient, hub: &RunningHub) -> Result<(String, String), CallError> {
    let reg = http
        .call(
            hub.url(),
            "samp.hub.register",
            &[&hub.lock_info().secret],
            Some(WAIT),
        )
        .await?;
    let reg = reg.as_map().unwrap();
    Ok((
        reg["samp.private-key"].as_str().unwrap().to_owned(),
        reg["samp.self-id"].as_str().unwrap().to_owned(),
    ))
}

#[tokio::test]
async fn tls_hub_and_tls_callback_clients() {
    let ca = ca_dir("callbacks");
    let hub = tls_hub(&ca, CertReqs::None, TlsVersion::V1_2).await;
    assert!(hub.url().starts_with("https://127.0.0.1:"), "{}", hub.url());
    let http = client(&ca, None);
    // A receiver whose callback server speaks HTTPS too.
    let (key, id) = register(&http, &hub).await.unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let tls = ServerTls::new(
        identity(&ca.client_cert, &ca.client_key),
        CertReqs::None,
        None,
        TlsVersion::V1_2,
    )
    .unwrap();
    let config = ServerConfig {
        tls: Some(tls),
        ..ServerConfig::default()
    };
    let server = Server::bind(
        "127.0.0.1:0".parse().unwrap(),
        config,
        Arc::new(Recorder(tx)),
    )
    .await
    .unwrap();
    assert!(server.url().starts_with("https://"));
    http.call(
        hub.url(),
        "samp.hub.setXmlrpcCallback",
        &[&key.as_str(), &server.url()],
        Some(WAIT),
    )
    .await
    .unwrap();
    let subs = map! { "tls.note" => map! {} };
    http.call(
        hub.url(),
        "samp.hub.declareSubscriptions",
        &[&key.as_str(), &subs],
        Some(WAIT),
    )
    .await
    .unwrap();
    let (skey, _) = register(&http, &hub).await.unwrap();
    let note = map! { "samp.mtype" => "tls.note", "samp.params" => map! { "x" => "secret" } };
    http.call(
        hub.url(),
        "samp.hub.notify",
        &[&skey.as_str(), &id.as_str(), &note],
        Some(WAIT),
    )
    .await
    .unwrap();
    let got = loop {
        let call = tokio::time::timeout(WAIT, rx.recv())
            .await
            .unwrap()
            .unwrap();
        let m = call.params.last().unwrap().as_map().unwrap().clone();
        if m["samp.mtype"] == Value::from("tls.note") {
            break m;
        }
    };
    assert_eq!(
        got["samp.params"].as_map().unwrap()["x"],
        Value::from("secret")
    );
}

#[tokio::test]
async fn mutual_tls_lets_in_only_certificates_of_the_ca() {
    let ca = ca_dir("mutual");
    let other = ca_dir("other");
    let hub = tls_hub(&ca, CertReqs::Required, TlsVersion::V1_2).await;
    let good = client(&ca, Some((&ca.client_cert, &ca.client_key)));
    assert!(register(&good, &hub).await.is_ok());
    let none = client(&ca, None);
    let err = register(&none, &hub).await.unwrap_err();
    assert!(matches!(err, CallError::Transport { .. }), "{err}");
    // A certificate from another CA (trusting ours for the server).
    let id = identity(&other.client_cert, &other.client_key);
    let foreign = HttpClient::new()
        .with_tls(&ClientTls::new(&[&ca.ca], Some(&id), TlsVersion::V1_2).unwrap());
    assert!(register(&foreign, &hub).await.is_err());
    // The hub goes on.
    assert!(register(&good, &hub).await.is_ok());
}

#[tokio::test]
async fn tls_1_2_is_refused_under_a_1_3_minimum_and_plain_http_gets_a_clear_answer() {
    let ca = ca_dir("versions");
    let hub = tls_hub(&ca, CertReqs::None, TlsVersion::V1_3).await;
    let addr = hub.local_addr().unwrap();
    // A client that speaks TLS 1.2 only.
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(&ca.ca).unwrap())
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS12])
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    assert!(
        connector.connect(name, tcp).await.is_err(),
        "TLS 1.2 accepted"
    );
    // Plain HTTP on the TLS port: a readable refusal.
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    tcp.write_all(b"POST /xmlrpc HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(5), tcp.read_to_string(&mut answer))
        .await
        .unwrap()
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("https://"), "{answer}");
    // And the hub keeps serving TLS 1.3.
    assert!(register(&client(&ca, None), &hub).await.is_ok());
}

#[tokio::test]
async fn certificate_problems_are_named_when_loaded() {
    let ca = ca_dir("problems");
    let missing = ca.ca.with_file_name("nope.pem");
    let err = Identity::from_pem_files(&missing, &ca.key)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("cannot read") && err.contains("nope.pem"),
        "{err}"
    );
    let not_pem = ca.ca.with_file_name("junk.pem");
    std::fs::write(&not_pem, "hello").unwrap();
    let err = Identity::from_pem_files(&not_pem, &ca.key)
        .unwrap_err()
        .to_string();
    assert!(err.contains("no PEM certificate"), "{err}");
    let err = Identity::from_pem_files(&ca.cert, &not_pem)
        .unwrap_err()
        .to_string();
    assert!(err.contains("no PEM private key"), "{err}");
    let err = Identity::from_pem_files(&ca.cert, &ca.client_key)
        .unwrap_err()
        .to_string();
    assert!(err.contains("does not match"), "{err}");
    // An expired certificate.
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    params.not_before = rcgen::date_time_ymd(2001, 1, 1);
    params.not_after = rcgen::date_time_ymd(2002, 1, 1);
    let old = params.self_signed(&key).unwrap();
    let (old_cert, old_key) = (
        ca.ca.with_file_name("old.pem"),
        ca.ca.with_file_name("old-key.pem"),
    );
    std::fs::write(&old_cert, old.pem()).unwrap();
    std::fs::write(&old_key, key.serialize_pem()).unwrap();
    let err = Identity::from_pem_files(&old_cert, &old_key)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("valid from") && err.contains("2002") && err.contains("not now"),
        "{err}"
    );
    // A certificate for another host.
    let id = identity(&ca.cert, &ca.key);
    let err = id
        .url_host("10.1.2.3".parse().unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.contains("not 10.1.2.3"), "{err}");
}
