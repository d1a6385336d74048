//! A server that answers HTTP/1.1 without `Connection: close` and then closes the
//! connection (DS9's XML-RPC server does): the next request, sent on the kept-alive
//! connection before the close is seen, must still get through.

use std::time::Duration;

use samp_http::HttpClient;
use samp_protocol::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Answers one request per connection, then, without reading further, closes it.
async fn one_answer_per_connection(listener: TcpListener) {
    loop {
        let Ok((mut conn, _)) = listener.accept().await else {
            return;
        };
        tokio::spawn(async move {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            // Read the head and the body (Content-Length).
            loop {
                let n = conn.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    return;
                }
                buf.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buf);
                if let Some(end) = text.find("\r\n\r\n") {
                    let len: usize = text[..end]
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if buf.len() >= end + 4 + len {
                        break;
                    }
                }
            }
            let body = "<?xml version=\"1.0\"?><methodResponse><params><param><value>ok</value></param></params></methodResponse>";
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            let _ = conn.write_all(answer.as_bytes()).await;
            // Give the client time to send its next request on this connection, then close.
            tokio::time::sleep(Duration::from_millis(100)).await;
        });
    }
}

#[tokio::test]
async fn a_request_on_a_connection_the_server_closed_is_sent_again() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/xmlrpc", listener.local_addr().unwrap());
    tokio::spawn(one_answer_per_connection(listener));
    let http = HttpClient::new();
    for n in 0..5 {
        let got = http
            .call(
                &url,
                "samp.client.receiveNotification",
                &[&"k", &n.to_string()],
                Some(Duration::from_secs(5)),
            )
            .await
            .unwrap_or_else(|e| panic!("call {n}: {e}"));
        assert_eq!(got, Value::from("ok"));
    }
}
