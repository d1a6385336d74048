//! The Web Profile front end (SAMP 1.3 §5): the HTTP server web pages reach on
//! `localhost:21012`, in front of the same hub core as the Standard Profile.
//!
//! Every request is checked before it is served: from this machine only, addressed to a
//! loopback name (so a DNS-rebinding page cannot pose as local), and — for pages — given
//! CORS and Private Network Access headers only when its origin could be approved at all.
//! Then it is routed: `POST /` to the `samp.webhub.*` methods ([`methods`]), `GET
//! /translator/…` to the URL translator ([`translator`]), and the two legacy policy files.
//! Registration itself needs consent ([`consent`]).

mod consent;
mod methods;
mod stream;
mod translator;

use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, header};
use samp_http::{Body, HttpClient, HttpFuture, HttpService, RequestInfo, plain};
use tokio::sync::Semaphore;
use tracing::{debug, info, warn};

pub use consent::{ConsentPrompt, RegistrationRequest, TerminalPrompt};

use crate::config::{Consent, WebConfig};
use crate::core::HubCore;

/// The Web Profile's HTTP service.
pub(crate) struct WebService(Arc<WebFront>);

/// What the web front end holds.
pub(crate) struct WebFront {
    core: Arc<HubCore>,
    config: WebConfig,
    /// Fetches for the URL translator.
    http: HttpClient,
    /// Translations in progress (each holds a connection upstream or a file open).
    translations: Arc<Semaphore>,
    /// Registrations waiting for consent.
    registering: Semaphore,
}

/// Translations at once: bounds the files and upstream connections the translator holds.
const MAX_TRANSLATIONS: usize = 16;
/// Registrations waiting for consent at once; more are refused at once.
const MAX_REGISTERING: usize = 8;

impl WebService {
    pub(crate) fn new(core: Arc<HubCore>, config: WebConfig) -> WebService {
        let http = HttpClient::new();
        WebService(Arc::new(WebFront {
            core,
            config,
            http,
            translations: Arc::new(Semaphore::new(MAX_TRANSLATIONS)),
            registering: Semaphore::new(MAX_REGISTERING),
        }))
    }
}

impl HttpService for WebService {
    fn handle(&self, req: Request<Bytes>, info: RequestInfo) -> HttpFuture {
        let front = self.0.clone();
        Box::pin(async move {
            if let Err(refused) = check_access(&req, &info) {
                return refused;
            }
            let origin = allowed_origin(&front.config, req.headers());
            if origin.is_none()
                && let Some(refused) = req.headers().get(header::ORIGIN)
            {
                info!(
                    origin = %String::from_utf8_lossy(refused.as_bytes()),
                    method = %req.method(),
                    "web request refused CORS: the origin is not on the allow list and the hub cannot ask"
                );
            }
            if req.method() == Method::OPTIONS {
                return preflight(&req, origin.as_deref());
            }
            let mut resp = route(&front, req, info).await;
            if let Some(origin) = origin {
                let headers = resp.headers_mut();
                if let Ok(value) = HeaderValue::from_str(&origin) {
                    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
                }
                headers.append(header::VARY, HeaderValue::from_static("Origin"));
            }
            resp
        })
    }
}

async fn route(front: &Arc<WebFront>, req: Request<Bytes>, info: RequestInfo) -> Response<Body> {
    let path = req.uri().path();
    let method = req.method().clone();
    let get = method == Method::GET || method == Method::HEAD;
    match path {
        "/" if method == Method::POST => methods::answer(front, req, info).await,
        "/" => {
            let mut resp = plain(
                StatusCode::METHOD_NOT_ALLOWED,
                "SAMP Web Profile hub: POST XML-RPC calls (samp.webhub.*) here\n",
            );
            resp.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST, OPTIONS"));
            resp
        }
        "/crossdomain.xml" if get => policy_file(&front.config, PolicyFile::Flash),
        "/clientaccesspolicy.xml" if get => policy_file(&front.config, PolicyFile::Silverlight),
        _ if get && path.starts_with(translator::PREFIX) => translator::answer(front, req).await,
        _ => plain(StatusCode::NOT_FOUND, "not found\n"),
    }
}

/// From this machine, to a loopback name: anything else is refused.
#[allow(clippy::result_large_err)]
fn check_access(req: &Request<Bytes>, info: &RequestInfo) -> Result<(), Response<Body>> {
    if !info.peer.ip().is_loopback() {
        warn!(peer = %info.peer, "web request from another machine refused");
        return Err(plain(
            StatusCode::FORBIDDEN,
            "the SAMP Web Profile hub accepts connections from this machine only\n",
        ));
    }
    if let Some(host) = req.headers().get(header::HOST) {
        let host = host.to_str().unwrap_or("");
        if !is_loopback_host(host) {
            warn!(peer = %info.peer, host, "web request for another host name refused (DNS rebinding?)");
            return Err(plain(
                StatusCode::FORBIDDEN,
                "the SAMP Web Profile hub answers only to localhost, 127.0.0.1 and [::1]\n",
            ));
        }
    }
    Ok(())
}

/// `localhost`, `127.0.0.1` or `[::1]`, with or without a port.
fn is_loopback_host(host: &str) -> bool {
    let name = match host.rsplit_once(':') {
        Some((name, port)) if !name.ends_with(':') && port.bytes().all(|b| b.is_ascii_digit()) => {
            name
        }
        _ => host,
    };
    matches!(
        name.to_ascii_lowercase().as_str(),
        "localhost" | "127.0.0.1" | "[::1]"
    )
}

/// The request's `Origin`, if it is well-formed and could be approved: the origin the
/// CORS headers echo. Credentials are never allowed.
fn allowed_origin(config: &WebConfig, headers: &HeaderMap) -> Option<String> {
    let origin = headers.get(header::ORIGIN)?.to_str().ok()?;
    if !is_origin(origin) {
        debug!(origin, "malformed Origin header ignored");
        return None;
    }
    consent::could_approve(config, origin).then(|| origin.to_owned())
}

/// `scheme://host…`, as RFC 6454 serializes an origin (JSAMP's check).
fn is_origin(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once("://") else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        && !rest.is_empty()
        && !rest.contains(char::is_whitespace)
}

/// Answers a CORS preflight: the permissions for an allowed origin, including Private
/// Network Access; a refusal with no CORS headers for any other.
fn preflight(req: &Request<Bytes>, origin: Option<&str>) -> Response<Body> {
    let headers = req.headers();
    let Some(requested) = headers.get(header::ACCESS_CONTROL_REQUEST_METHOD) else {
        let mut resp = plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "OPTIONS is for CORS preflights\n",
        );
        resp.headers_mut().insert(
            header::ALLOW,
            HeaderValue::from_static("POST, GET, HEAD, OPTIONS"),
        );
        return resp;
    };
    let Some(origin) = origin else {
        return plain(
            StatusCode::FORBIDDEN,
            "this origin may not use the SAMP Web Profile hub\n",
        );
    };
    let method_ok = matches!(requested.as_bytes(), b"POST" | b"GET" | b"HEAD");
    let mut resp = Response::new(Body::empty());
    let h = resp.headers_mut();
    if let Ok(value) = HeaderValue::from_str(origin) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
    }
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    if method_ok {
        h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, requested.clone());
    }
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("Content-Type"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    let private_network = headers
        .get("access-control-request-private-network")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"true"));
    if private_network {
        h.insert(
            "access-control-allow-private-network",
            HeaderValue::from_static("true"),
        );
    }
    resp
}

enum PolicyFile {
    Flash,
    Silverlight,
}

/// The legacy cross-domain policy files (Flash, Silverlight), granting what CORS grants:
/// every origin when registrations can be asked about, else the allowed origins only.
fn policy_file(config: &WebConfig, which: PolicyFile) -> Response<Body> {
    let (body, content_type) = policy_text(config, which);
    let mut resp = Response::new(Body::full(body));
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}

fn policy_text(config: &WebConfig, which: PolicyFile) -> (String, &'static str) {
    let domains: Vec<String> = if matches!(config.consent, Consent::AllowListOnly) {
        config
            .allow_origins
            .iter()
            .filter_map(|o| o.split_once("://").map(|(_, rest)| rest))
            .map(|host| xml_attr(host.trim_end_matches('/')))
            .collect()
    } else {
        vec!["*".to_owned()]
    };
    match which {
        PolicyFile::Flash => {
            let mut xml = String::from(
                "<?xml version=\"1.0\"?>\n<!DOCTYPE cross-domain-policy SYSTEM \"http://www.adobe.com/xml/dtds/cross-domain-policy.dtd\">\n<cross-domain-policy>\n  <site-control permitted-cross-domain-policies=\"master-only\"/>\n",
            );
            for d in &domains {
                xml.push_str(&format!("  <allow-access-from domain=\"{d}\"/>\n"));
                xml.push_str(&format!(
                    "  <allow-http-request-headers-from domain=\"{d}\" headers=\"*\"/>\n"
                ));
            }
            xml.push_str("</cross-domain-policy>\n");
            (xml, "text/x-cross-domain-policy")
        }
        PolicyFile::Silverlight => {
            let mut xml = String::from(
                "<?xml version=\"1.0\"?>\n<access-policy>\n  <cross-domain-access>\n    <policy>\n      <allow-from http-request-headers=\"*\">\n",
            );
            for d in &config.allow_origins {
                xml.push_str(&format!("        <domain uri=\"{}\"/>\n", xml_attr(d)));
            }
            if domains.first().is_some_and(|d| d == "*") {
                xml.push_str("        <domain uri=\"*\"/>\n");
            }
            xml.push_str("      </allow-from>\n      <grant-to>\n        <resource path=\"/\" include-subpaths=\"true\"/>\n      </grant-to>\n    </policy>\n  </cross-domain-access>\n</access-policy>\n");
            (xml, "text/xml")
        }
    }
}

fn xml_attr(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_origins() {
        for ok in [
            "localhost",
            "localhost:21012",
            "127.0.0.1:1",
            "[::1]:21012",
            "LOCALHOST",
        ] {
            assert!(is_loopback_host(ok), "{ok}");
        }
        for bad in [
            "evil.example:21012",
            "127.0.0.2",
            "localhost.evil.example",
            "",
        ] {
            assert!(!is_loopback_host(bad), "{bad}");
        }
        assert!(is_origin("http://localhost:8000"));
        assert!(is_origin("https://aladin.cds.unistra.fr"));
        for bad in ["null", "localhost", "://x", "1http://x", "http:// x"] {
            assert!(!is_origin(bad), "{bad}");
        }
    }

    #[test]
    fn policy_files_grant_what_cors_grants() {
        let config = WebConfig {
            allow_origins: vec!["http://localhost:8000".into()],
            ..WebConfig::default()
        };
        let (flash, _) = policy_text(&config, PolicyFile::Flash);
        assert!(flash.contains("domain=\"localhost:8000\""), "{flash}");
        assert!(!flash.contains("domain=\"*\""), "{flash}");
        let (silverlight, _) = policy_text(&config, PolicyFile::Silverlight);
        assert!(
            silverlight.contains("http://localhost:8000"),
            "{silverlight}"
        );
    }
}
