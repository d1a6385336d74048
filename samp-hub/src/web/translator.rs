//! The URL translator (SAMP 1.3 §5.2.6): a web client appends a URL it was sent to its
//! `samp.url-translator` prefix and gets the resource through the hub, which the browser's
//! sandbox would not let it read directly (a `file:` URL, another origin).
//!
//! Only URLs the hub handed to web clients from Standard Profile clients are fetched (see
//! [`crate::url_tracker`]); the token in the path is the client's translator token, not
//! its private key. Resources stream through a chunk at a time (a FITS image of gigabytes
//! costs no more memory than a small table); those larger than the configured limit are
//! refused, or cut off if their size was not announced.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode, header};
use http_body::Body as _;
use samp_http::{Body, plain};
use tracing::{info, warn};

use super::WebFront;
use super::stream::{FileBody, Relay};
use crate::core::Untranslatable;

/// Path prefix of translated URLs: `/translator/<token>?<url>`.
pub(super) const PREFIX: &str = "/translator/";

/// How long the source (an upstream server, rarely a disk) may go without sending
/// anything: a resource of any size streams, so there is no limit on the whole transfer.
const SOURCE_IDLE: Duration = Duration::from_secs(60);

/// Answers `GET /translator/<token>?<url>`.
pub(super) async fn answer(front: &Arc<WebFront>, req: Request<Bytes>) -> Response<Body> {
    let token = req.uri().path().strip_prefix(PREFIX).unwrap_or("");
    let Some(query) = req.uri().query().filter(|q| !q.is_empty()) else {
        return plain(
            StatusCode::BAD_REQUEST,
            "append the URL to translate after the '?' of the translator prefix\n",
        );
    };
    // sampjs appends the URL as it is, JSAMP's clients percent-encode it: try both.
    let mut candidates = vec![query.to_owned()];
    if let Some(decoded) = percent_decode(query)
        && decoded != query
    {
        candidates.push(decoded);
    }
    let mut target = None;
    for url in &candidates {
        match front.core.may_translate(token, url) {
            Ok(()) => {
                target = Some(url.clone());
                break;
            }
            Err(Untranslatable::UnknownClient) => {
                warn!("URL translation refused: not a registered web client's token");
                return plain(
                    StatusCode::FORBIDDEN,
                    "this translator prefix belongs to no registered web client\n",
                );
            }
            Err(Untranslatable::NotHanded) => {}
        }
    }
    let Some(url) = target else {
        warn!(url = %candidates.last().map_or("", String::as_str), "URL translation refused: not a URL sent to web clients");
        return plain(
            StatusCode::FORBIDDEN,
            "the hub translates only URLs that desktop (Standard Profile) clients have sent to web clients; this is not one\n",
        );
    };
    let Ok(slot) = front.translations.clone().acquire_owned().await else {
        return plain(StatusCode::SERVICE_UNAVAILABLE, "the hub is stopping\n");
    };
    let limit = front.config.translator_max_bytes;
    info!(%url, "translating a URL for a web client");
    let scheme = url.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
    let source = match scheme.as_deref() {
        Some("file") => open_file(&url, limit).await,
        Some("http") => fetch(front, &url, limit).await,
        Some(other) => {
            return plain(
                StatusCode::NOT_IMPLEMENTED,
                &format!("the translator cannot fetch {other}: URLs\n"),
            );
        }
        None => return plain(StatusCode::BAD_REQUEST, "not a URL\n"),
    };
    let (status, content_type, body) = match source {
        Ok(source) => source,
        Err(refusal) => return refusal,
    };
    // For HEAD too: hyper sends no body then, but takes Content-Length from it.
    let mut resp = Response::new(Body::stream(Relay::new(body, limit, SOURCE_IDLE, slot)));
    *resp.status_mut() = status;
    if let Some(ct) = content_type {
        resp.headers_mut().insert(header::CONTENT_TYPE, ct);
    }
    resp
}

/// What a translation passes on: the source's status, content type and body to come;
/// or the answer refusing it.
type Source = Result<(StatusCode, Option<HeaderValue>, Body), Response<Body>>;

/// The file a `file:` URL names, read as it is sent.
async fn open_file(url: &str, limit: u64) -> Source {
    let Some(path) = file_path(url) else {
        return Err(plain(StatusCode::BAD_REQUEST, "not a local file: URL\n"));
    };
    let unreadable = |e: std::io::Error| {
        plain(
            StatusCode::NOT_FOUND,
            &format!("cannot read the file: {e}\n"),
        )
    };
    let file = tokio::fs::File::open(&path).await.map_err(unreadable)?;
    let meta = file.metadata().await.map_err(unreadable)?;
    if !meta.is_file() {
        return Err(plain(StatusCode::NOT_FOUND, "not a regular file\n"));
    }
    if meta.len() > limit {
        return Err(too_large(limit));
    }
    let content_type = HeaderValue::from_static(guess_type(&path));
    let body = Body::stream(FileBody::new(file, meta.len()));
    Ok((StatusCode::OK, Some(content_type), body))
}

/// GETs an `http:` URL, its body still to come.
async fn fetch(front: &WebFront, url: &str, limit: u64) -> Source {
    let head = tokio::time::timeout(SOURCE_IDLE, front.http.fetch_streaming(url)).await;
    match head {
        Ok(Ok(fetched)) => {
            if fetched
                .body
                .size_hint()
                .exact()
                .is_some_and(|len| len > limit)
            {
                return Err(too_large(limit));
            }
            let status = StatusCode::from_u16(fetched.status).unwrap_or(StatusCode::BAD_GATEWAY);
            let content_type = fetched
                .content_type
                .and_then(|c| HeaderValue::from_str(&c).ok());
            Ok((status, content_type, fetched.body))
        }
        Ok(Err(e)) => Err(plain(
            StatusCode::BAD_GATEWAY,
            &format!("the translator could not fetch the URL: {e}\n"),
        )),
        Err(_) => Err(plain(
            StatusCode::GATEWAY_TIMEOUT,
            &format!("the translator got no answer from the URL within {SOURCE_IDLE:?}\n"),
        )),
    }
}

fn too_large(limit: u64) -> Response<Body> {
    plain(
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!("the resource is larger than the translator's limit of {limit} bytes\n"),
    )
}

/// The local path of a `file:` URL (`file:///p`, `file://localhost/p`, `file:/p`).
fn file_path(url: &str) -> Option<PathBuf> {
    let rest = url.get(5..)?;
    let path = if let Some(after) = rest.strip_prefix("//") {
        let (host, path) = after.split_at(after.find('/')?);
        if !(host.is_empty() || host.eq_ignore_ascii_case("localhost")) {
            return None;
        }
        path
    } else {
        rest
    };
    let path = path.split(['?', '#']).next()?;
    Some(PathBuf::from(percent_decode(path)?))
}

/// Decodes `%XX` escapes; `None` if they do not make UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// A content type from the file name, for the formats SAMP messages point at.
fn guess_type(path: &std::path::Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("vot" | "votable") => "application/x-votable+xml",
        Some("xml") => "text/xml",
        Some("fits" | "fit" | "fts") => "application/fits",
        Some("csv") => "text/csv",
        Some("json") => "application/json",
        Some("txt") => "text/plain",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_urls_and_escapes() {
        assert_eq!(
            file_path("file:///tmp/a%20b.vot"),
            Some(PathBuf::from("/tmp/a b.vot"))
        );
        assert_eq!(
            file_path("file://localhost/tmp/x"),
            Some(PathBuf::from("/tmp/x"))
        );
        assert_eq!(file_path("file:/tmp/x"), Some(PathBuf::from("/tmp/x")));
        assert_eq!(file_path("file://otherhost/tmp/x"), None);
        assert_eq!(
            percent_decode("http%3A%2F%2Fh%2Fa%3Fb%3D1").as_deref(),
            Some("http://h/a?b=1")
        );
        assert_eq!(percent_decode("100%").as_deref(), Some("100%"));
        assert_eq!(
            guess_type(std::path::Path::new("/t/x.VOT")),
            "application/x-votable+xml"
        );
    }
}
