//! The HTTP server shared by the hub and callable clients: keep-alive connections, a cap
//! on how many are open, body limits and timeouts. What it serves is an [`HttpService`];
//! an XML-RPC service (`xmlrpc_endpoint`, which adds `Server::bind`) is the usual one.

use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode, header};
use http_body_util::BodyExt;

use crate::body::Body;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
#[cfg(feature = "tls")]
use tokio::net::TcpStream;
use tokio::sync::{Semaphore, watch};
use tracing::{debug, warn};

use super::DEFAULT_MAX_BODY;

/// Limits and timeouts of a [`Server`].
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Largest accepted request body; larger ones get `413 Payload Too Large`.
    pub max_body: usize,
    /// How long a connection may take to send a request's headers, counted from the moment
    /// the server waits for them — so it also closes keep-alive connections idle that long.
    pub header_timeout: Duration,
    /// How long a request body may take to arrive once its headers are in.
    pub body_timeout: Duration,
    /// Most connections open at once; more wait in the listen queue until one closes.
    pub max_connections: usize,
    /// Go on with a request whose peer closes its side of the connection before the
    /// answer (on by default): DS9 sends a `samp.hub.reply` and closes, and the reply must
    /// still count. Off, such a request is abandoned as soon as the close is seen; that is
    /// right where answers wait (Web Profile long polls): a poll nobody will read must
    /// not take callbacks off the queue and write them into a closed socket.
    pub serve_half_closed: bool,
    /// Serve HTTPS with this identity (feature `tls`).
    #[cfg(feature = "tls")]
    pub tls: Option<crate::tls::ServerTls>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            max_body: DEFAULT_MAX_BODY,
            header_timeout: Duration::from_secs(120),
            body_timeout: Duration::from_secs(120),
            max_connections: 1024,
            serve_half_closed: true,
            #[cfg(feature = "tls")]
            tls: None,
        }
    }
}

/// Where a request came from, for logs and access decisions.
#[derive(Debug, Clone, Copy)]
pub struct RequestInfo {
    /// The peer's socket address.
    pub peer: SocketAddr,
}

/// The future an [`HttpService`] answers with.
pub type HttpFuture = Pin<Box<dyn Future<Output = Response<Body>> + Send + 'static>>;

/// Answers HTTP requests whose bodies the server has already read (within its limits).
pub trait HttpService: Send + Sync + 'static {
    /// Handles one request.
    fn handle(&self, req: Request<Bytes>, info: RequestInfo) -> HttpFuture;
}

/// An HTTP server on one TCP listener.
pub struct Server;

/// A running [`Server`]: its address and a way to stop it.
#[derive(Debug)]
pub struct ServerHandle {
    local_addr: SocketAddr,
    /// The URL's `scheme://host`, host as the certificate names it for HTTPS.
    origin: String,
    stop: watch::Sender<bool>,
    done: tokio::task::JoinHandle<()>,
}

impl Server {
    /// Binds `addr` and serves any HTTP with `service` until the handle is shut down or
    /// dropped (dropping the handle closes the sender the accept loop watches).
    pub async fn bind_http(
        addr: SocketAddr,
        config: ServerConfig,
        service: Arc<dyn HttpService>,
    ) -> std::io::Result<ServerHandle> {
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let origin = origin(local_addr, &config)?;
        let (stop, stopped) = watch::channel(false);
        let done = tokio::spawn(accept_loop(listener, Arc::new(config), service, stopped));
        Ok(ServerHandle {
            local_addr,
            origin,
            stop,
            done,
        })
    }
}

impl ServerHandle {
    /// The address the server listens on (with the real port when bound to port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The URL peers call: `http://HOST:PORT/xmlrpc`, with a wildcard bind address
    /// (`0.0.0.0`, `::`) given as loopback, which is where local peers reach it; for
    /// HTTPS, `https://` and the host the certificate names (`127.0.0.1` or `localhost`).
    pub fn url(&self) -> String {
        format!("{}/xmlrpc", self.origin)
    }

    /// Whether it serves HTTPS.
    pub fn is_tls(&self) -> bool {
        self.origin.starts_with("https:")
    }

    /// Stops accepting, lets requests in flight finish (up to `grace`), then returns.
    pub async fn shutdown(self, grace: Duration) {
        let _ = self.stop.send(true);
        let abort = self.done.abort_handle();
        if tokio::time::timeout(grace, self.done).await.is_err() {
            abort.abort();
        }
    }
}

async fn accept_loop(
    listener: TcpListener,
    config: Arc<ServerConfig>,
    service: Arc<dyn HttpService>,
    mut stopped: watch::Receiver<bool>,
) {
    let graceful = GracefulShutdown::new();
    #[cfg(feature = "tls")]
    let acceptor = config
        .tls
        .as_ref()
        .map(|tls| tokio_rustls::TlsAcceptor::from(tls.config.clone()));
    let slots = Arc::new(Semaphore::new(config.max_connections.max(1)));
    loop {
        // Accept only with a free slot: the rest wait in the kernel's listen queue.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            _ = stopped.changed() => break,
        };
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    let conn = Connection { peer, config: config.clone(), service: service.clone(), watcher: graceful.watcher(), slot };
                    #[cfg(feature = "tls")]
                    if let Some(acceptor) = &acceptor {
                        tokio::spawn(tls_handshake(stream, acceptor.clone(), conn));
                        continue;
                    }
                    conn.serve(stream);
                }
                Err(e) => {
                    // Out of descriptors and the like: back off instead of spinning.
                    warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            _ = stopped.changed() => break,
        }
    }
    drop(listener);
    graceful.shutdown().await;
}

/// One accepted connection, before it is served.
struct Connection {
    peer: SocketAddr,
    config: Arc<ServerConfig>,
    service: Arc<dyn HttpService>,
    watcher: hyper_util::server::graceful::Watcher,
    slot: tokio::sync::OwnedSemaphorePermit,
}

impl Connection {
    /// Serves HTTP/1.1 on `io` (a TCP stream, or a TLS stream over one) until it closes.
    fn serve<S>(self, io: S)
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let Connection {
            peer,
            config,
            service,
            watcher,
            slot,
        } = self;
        let config_for_conn = config.clone();
        let svc = service_fn(move |req| {
            let config = config_for_conn.clone();
            let service = service.clone();
            async move { Ok::<_, Infallible>(handle(req, peer, &config, service).await) }
        });
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(config.header_timeout)
            .keep_alive(true)
            .half_close(config.serve_half_closed)
            .serve_connection(TokioIo::new(io), svc);
        let conn = watcher.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                debug!(%peer, error = %e, "connection ended with an error");
            }
            drop(slot);
        });
    }
}

/// The TLS handshake, then HTTP. A peer speaking plain HTTP to the HTTPS port gets a
/// readable 400 instead of a handshake failure, and the server goes on.
#[cfg(feature = "tls")]
async fn tls_handshake(stream: TcpStream, acceptor: tokio_rustls::TlsAcceptor, conn: Connection) {
    use tokio::io::AsyncWriteExt;
    let peer = conn.peer;
    let limit = conn.config.header_timeout;
    let mut first = [0u8; 1];
    match tokio::time::timeout(limit, stream.peek(&mut first)).await {
        Ok(Ok(1)) if first[0] == 0x16 => {}
        Ok(Ok(1)) => {
            warn!(%peer, "plain HTTP on the HTTPS port refused");
            let mut stream = stream;
            let body = "this server speaks HTTPS: use an https:// URL\n";
            let answer = format!(
                "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = tokio::time::timeout(limit, stream.write_all(answer.as_bytes())).await;
            let _ = stream.shutdown().await;
            return;
        }
        _ => return,
    }
    match tokio::time::timeout(limit, acceptor.accept(stream)).await {
        Ok(Ok(tls)) => conn.serve(tls),
        Ok(Err(e)) => warn!(%peer, error = %e, "TLS handshake failed"),
        Err(_) => warn!(%peer, "TLS handshake timed out"),
    }
}

/// Reads the body within the limits, then hands the request to the service.
async fn handle(
    req: Request<Incoming>,
    peer: SocketAddr,
    config: &ServerConfig,
    service: Arc<dyn HttpService>,
) -> Response<Body> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > config.max_body as u64) {
        warn!(%peer, declared, limit = config.max_body, "request body too large");
        return too_large(config.max_body);
    }
    let (parts, body) = req.into_parts();
    let read = read_body(body, declared, config.max_body);
    let bytes = match tokio::time::timeout(config.body_timeout, read).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(BodyError::TooLarge)) => {
            warn!(%peer, limit = config.max_body, "request body too large");
            return too_large(config.max_body);
        }
        Ok(Err(BodyError::Broken(e))) => {
            debug!(%peer, error = %e, "request body failed");
            return plain(StatusCode::BAD_REQUEST, "could not read the request body\n");
        }
        Err(_) => {
            warn!(%peer, "request body timed out");
            return plain(StatusCode::REQUEST_TIMEOUT, "request body took too long\n");
        }
    };
    service
        .handle(Request::from_parts(parts, bytes), RequestInfo { peer })
        .await
}

enum BodyError {
    TooLarge,
    Broken(hyper::Error),
}

/// Reads a body into one buffer of its own, sized once from `Content-Length`: a large
/// message is held once, not as chunks and then again as their concatenation.
///
/// A body that came in one chunk is still copied: that chunk is a slice of hyper's read
/// buffer, and the hub keeps messages as slices of their body for as long as a recipient's
/// queue holds them, so keeping the chunk would pin the whole read buffer (kilobytes for
/// a 400-byte notification; 60 MB for 10,000 queued ones).
async fn read_body(
    mut body: Incoming,
    declared: Option<u64>,
    limit: usize,
) -> Result<Bytes, BodyError> {
    let mut first: Option<Bytes> = None;
    let mut buf: Option<bytes::BytesMut> = None;
    let mut len = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame.map_err(BodyError::Broken)?.into_data() else {
            continue; // trailers
        };
        len += data.len();
        if len > limit {
            return Err(BodyError::TooLarge);
        }
        match (&mut first, &mut buf) {
            (None, None) => first = Some(data),
            (Some(_), None) => {
                let capacity = declared.map_or(len, |d| d as usize).max(len);
                let mut b = bytes::BytesMut::with_capacity(capacity);
                b.extend_from_slice(&first.take().unwrap_or_default());
                b.extend_from_slice(&data);
                buf = Some(b);
            }
            (_, Some(b)) => b.extend_from_slice(&data),
        }
    }
    Ok(match (first, buf) {
        (_, Some(b)) => b.freeze(),
        (Some(one), None) => Bytes::copy_from_slice(&one),
        (None, None) => Bytes::new(),
    })
}

fn too_large(limit: usize) -> Response<Body> {
    plain(
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!("request body exceeds the limit of {limit} bytes\n"),
    )
}

/// A plain-text response: for errors a person may read.
pub fn plain(status: StatusCode, text: &str) -> Response<Body> {
    let mut resp = Response::new(Body::full(Bytes::copy_from_slice(text.as_bytes())));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/plain"),
    );
    resp
}

/// `http://HOST:PORT`, or for HTTPS `https://` and the host the certificate names.
fn origin(addr: SocketAddr, config: &ServerConfig) -> std::io::Result<String> {
    #[cfg(feature = "tls")]
    if let Some(tls) = &config.tls {
        let host = tls
            .identity()
            .url_host(addr.ip())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        return Ok(format!("https://{host}:{}", addr.port()));
    }
    let _ = config;
    Ok(plain_origin(addr))
}

fn plain_origin(addr: SocketAddr) -> String {
    let host = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => "127.0.0.1".to_owned(),
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) if v6.is_unspecified() => "[::1]".to_owned(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    };
    format!("http://{host}:{}", addr.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_urls() {
        assert_eq!(
            plain_origin("127.0.0.1:5000".parse().unwrap()),
            "http://127.0.0.1:5000"
        );
        assert_eq!(
            plain_origin("0.0.0.0:1".parse().unwrap()),
            "http://127.0.0.1:1"
        );
        assert_eq!(plain_origin("[::]:2".parse().unwrap()), "http://[::1]:2");
    }
}
