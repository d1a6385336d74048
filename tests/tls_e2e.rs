//! Clients over HTTPS through the facade: sampy's TLS options on `ClientBuilder::tls`,
//! a hub that requires client certificates, and a call answered through an HTTPS
//! callback server.
#![cfg(all(feature = "tls", feature = "hub"))]

use samp::hub::{Hub, HubTls, SelfSigned, self_signed};
use samp::tls::{CertReqs, ClientTls, Identity, ServerTls, TlsOptions, TlsVersion};
use samp::{Client, Map, Message, Value};

mod common;
use common::{WAIT, guard};

fn ca_dir() -> SelfSigned {
    let dir = std::env::temp_dir().join(format!("samp-tls-e2e-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    self_signed(&dir).unwrap()
}

fn options(ca: &SelfSigned, https: bool) -> TlsOptions {
    TlsOptions {
        https,
        cert_file: Some(ca.client_cert.clone()),
        key_file: Some(ca.client_key.clone()),
        cert_reqs: CertReqs::Required,
        ca_certs: Some(ca.ca.clone()),
        ssl_version: TlsVersion::V1_3,
    }
}

#[tokio::test]
async fn clients_with_sampys_tls_options_talk_through_a_mutual_tls_hub() {
    let ca = ca_dir();
    let id = Identity::from_pem_files(&ca.cert, &ca.key).unwrap();
    let server = ServerTls::new(
        id.clone(),
        CertReqs::Required,
        Some(&ca.ca),
        TlsVersion::V1_3,
    )
    .unwrap();
    let client = ClientTls::new(&[&ca.ca], Some(&id), TlsVersion::V1_3).unwrap();
    let hub = Hub::builder()
        .no_lockfile()
        .tls(HubTls::new(server, client))
        .start()
        .await
        .unwrap();
    assert!(hub.url().starts_with("https://"));

    // The responder: an HTTPS callback server that requires the hub's certificate.
    let responder = Client::builder()
        .lock_info(hub.lock_info().clone())
        .no_static_handlers()
        .name("tls responder")
        .tls(options(&ca, true))
        .build()
        .unwrap();
    responder
        .bind_call("tls.echo", |params: Map| async move { params })
        .await
        .unwrap();
    guard(responder.register()).await.unwrap();

    // The caller: non-callable, but its calls to the hub go over mutual TLS too.
    let caller = Client::builder()
        .lock_info(hub.lock_info().clone())
        .no_static_handlers()
        .callable(false)
        .tls(options(&ca, false))
        .connect()
        .await
        .unwrap();
    let message = Message::new("tls.echo").param("x", "over TLS");
    let response = guard(caller.call_and_wait(&responder.public_id().unwrap(), message, WAIT))
        .await
        .unwrap();
    assert_eq!(
        response.result.unwrap().get("x"),
        Some(&Value::from("over TLS"))
    );

    // Without a client certificate the hub lets nobody in.
    let refused = Client::builder()
        .lock_info(hub.lock_info().clone())
        .no_static_handlers()
        .callable(false)
        .tls(TlsOptions {
            ca_certs: Some(ca.ca.clone()),
            ..TlsOptions::default()
        })
        .connect()
        .await;
    assert!(refused.is_err());

    // A file that is wrong is named when the client is built.
    let err = Client::builder()
        .lock_info(hub.lock_info().clone())
        .tls(TlsOptions {
            ca_certs: Some(ca.ca.with_file_name("missing.pem")),
            ..TlsOptions::default()
        })
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("missing.pem"), "{err}");
    let _ = std::fs::remove_dir_all(ca.ca.parent().unwrap());
}
