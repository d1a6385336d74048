//! A request that arrived whole is handled even when the peer closes its side before
//! reading the answer. DS9's XML-RPC client can close a socket without reading (its
//! nested `vwait`s on one global wake the wrong call); had the server dropped the
//! request there, a `samp.hub.reply` would be lost and the caller would wait forever.
//! With `serve_half_closed` off (the hub's Web Profile, whose long polls wait for
//! something to answer), a request whose peer has gone is abandoned instead.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;

use hyper::{Request, Response};
use samp_http::{Body, HttpFuture, HttpService, RequestInfo, Server, ServerConfig};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

/// Records each body once it has done some asynchronous work, as the hub does.
#[derive(Default, Clone)]
struct SlowRecorder(Arc<Mutex<Vec<Bytes>>>);

impl HttpService for SlowRecorder {
    fn handle(&self, req: Request<Bytes>, _: RequestInfo) -> HttpFuture {
        let record = self.0.clone();
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            record.lock().unwrap().push(req.into_body());
            Response::new(Body::from("ok"))
        })
    }
}

async fn send_and_close(addr: SocketAddr, body: &str, half: bool) {
    let mut conn = TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "POST /xmlrpc HTTP/1.0\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    conn.write_all(req.as_bytes()).await.unwrap();
    if half {
        conn.shutdown().await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    drop(conn);
}

#[tokio::test]
async fn a_whole_request_is_handled_though_the_peer_closes_first() {
    let rec = SlowRecorder::default();
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let server = Server::bind_http(addr, ServerConfig::default(), Arc::new(rec.clone()))
        .await
        .unwrap();
    send_and_close(server.local_addr(), "half-closed", true).await;
    send_and_close(server.local_addr(), "closed", false).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut got: Vec<_> = rec.0.lock().unwrap().iter().map(|b| b.to_vec()).collect();
    got.sort();
    assert_eq!(got, vec![b"closed".to_vec(), b"half-closed".to_vec()]);
}

#[tokio::test]
async fn without_serve_half_closed_a_request_whose_peer_left_is_abandoned() {
    let rec = SlowRecorder::default();
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let config = ServerConfig {
        serve_half_closed: false,
        ..ServerConfig::default()
    };
    let server = Server::bind_http(addr, config, Arc::new(rec.clone()))
        .await
        .unwrap();
    send_and_close(server.local_addr(), "half-closed", true).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        rec.0.lock().unwrap().is_empty(),
        "the handler did not finish"
    );
}
