//! The body a service gets owns its memory. The hub keeps messages as slices of their
//! request body while they wait in a recipient's queue; a body that were a slice of
//! hyper's read buffer would pin that whole buffer (a flood of 10,000 queued 400-byte
//! notifications held 60 MB that way).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;

use hyper::{Request, Response};
use samp_http::{Body, HttpFuture, HttpService, RequestInfo, Server, ServerConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Keeps every body it gets, as the hub's queues do.
#[derive(Default)]
struct Keeper(Mutex<Vec<Bytes>>);

impl HttpService for Keeper {
    fn handle(&self, req: Request<Bytes>, _: RequestInfo) -> HttpFuture {
        self.0.lock().unwrap().push(req.into_body());
        Box::pin(async { Response::new(Body::from("ok")) })
    }
}

async fn post_on(conn: &mut TcpStream, body: &str) {
    let req = format!(
        "POST /xmlrpc HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    conn.write_all(req.as_bytes()).await.unwrap();
    let mut answer = [0u8; 512];
    let n = conn.read(&mut answer).await.unwrap();
    assert!(answer[..n].starts_with(b"HTTP/1.1 200"));
}

#[tokio::test]
async fn kept_bodies_share_no_buffer_with_the_connection() {
    let keeper = Arc::new(Keeper::default());
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let server = Server::bind_http(addr, ServerConfig::default(), keeper.clone())
        .await
        .unwrap();
    let mut conn = TcpStream::connect(server.local_addr()).await.unwrap();
    // Small bodies arrive in one read, as one chunk of hyper's buffer; a large one in many.
    post_on(&mut conn, "<methodCall>a</methodCall>").await;
    post_on(&mut conn, "<methodCall>b</methodCall>").await;
    post_on(&mut conn, &"x".repeat(300_000)).await;
    let kept = std::mem::take(&mut *keeper.0.lock().unwrap());
    assert_eq!(kept.len(), 3);
    assert_eq!(&kept[0][..], b"<methodCall>a</methodCall>");
    assert_eq!(kept[2].len(), 300_000);
    for (n, body) in kept.into_iter().enumerate() {
        let len = body.len();
        // Only the body's own bytes are held: a unique buffer no larger than the body.
        let owned = body
            .try_into_mut()
            .unwrap_or_else(|_| panic!("body {n} shares its buffer"));
        assert!(
            owned.capacity() <= len,
            "body {n} of {len} bytes holds a buffer of {}",
            owned.capacity()
        );
    }
}
