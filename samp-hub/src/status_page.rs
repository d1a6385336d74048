//! The hub's status page: `GET /status/TOKEN` on the Standard Profile's port, a read-only
//! HTML page with the clients (it renders without JavaScript), counters, and a log of
//! messages that a small inline script keeps current by long-polling `news`.
//!
//! The token is random and sits in the path, never in a query string (astropy's lockfile
//! parser fails on a second `=`); it is written to the lockfile (`samp-hub.status-url`),
//! which only its owner can read. A wrong token gets the same 404 as any unknown path.
//! The page loads nothing from elsewhere (it works offline), sends no `Referer` (which
//! would carry the token), and everything a client declared is escaped.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode, header};
use samp_http::{Body, HttpFuture, plain};
use samp_protocol::Secret;

use crate::core::{ClientView, Entry, HubCore, StatusSnapshot};

/// Path prefix of the page.
pub(crate) const PREFIX: &str = "/status/";
/// How long a `news` request waits for something to happen.
const NEWS_WAIT: Duration = Duration::from_secs(25);

/// The page of one hub.
pub(crate) struct StatusPage {
    core: Arc<HubCore>,
    token: Secret,
}

impl StatusPage {
    pub(crate) fn new(core: Arc<HubCore>) -> StatusPage {
        StatusPage {
            core,
            token: Secret::generate(),
        }
    }

    /// The page's path, token included.
    pub(crate) fn path(&self) -> String {
        format!("{PREFIX}{}", self.token.expose())
    }

    /// Answers a GET under [`PREFIX`].
    pub(crate) fn answer(&self, req: &Request<Bytes>) -> HttpFuture {
        let rest = req.uri().path().strip_prefix(PREFIX).unwrap_or("");
        let (token, sub) = rest.split_once('/').unwrap_or((rest, ""));
        if !self.token.matches(token) {
            return ready(plain(StatusCode::NOT_FOUND, "not found\n"));
        }
        let query = req.uri().query().unwrap_or("");
        match sub {
            "" => ready(page(&self.core.status(0))),
            "news" => {
                let core = self.core.clone();
                let after = query_u64(query, "after");
                let version = query_u64(query, "clients");
                Box::pin(async move {
                    let snap = core.status_news(after, version, NEWS_WAIT).await;
                    news(&snap, version)
                })
            }
            _ => ready(plain(StatusCode::NOT_FOUND, "not found\n")),
        }
    }
}

fn ready(resp: Response<Body>) -> HttpFuture {
    Box::pin(std::future::ready(resp))
}

fn query_u64(query: &str, key: &str) -> u64 {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == key)
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0)
}

fn respond(body: String, content_type: &'static str, csp: Option<String>) -> Response<Body> {
    let mut resp = Response::new(Body::full(body));
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Some(csp) = csp.and_then(|c| HeaderValue::from_str(&c).ok()) {
        h.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    resp
}

/// The whole page.
fn page(s: &StatusSnapshot) -> Response<Body> {
    let nonce = Secret::generate().expose().replace(':', "");
    let mut html = String::with_capacity(16 * 1024);
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <meta name=\"viewport\" content=\"width=device-width\">\
         <title>{name} status</title><style>{STYLE}</style></head><body>\
         <h1>{name} <small>SAMP hub</small></h1>\
         <p class=\"meta\">up since {since} UTC · read-only view · updates live</p>\
         <p id=\"counters\">{counters}</p>\
         <h2>Clients</h2><div id=\"clients\">{clients}</div>\
         <h2>Messages <small>(newest first, last {keep})</small></h2>\
         <table id=\"log\"><thead><tr><th>time (UTC)</th><th>from</th><th></th><th>to</th>\
         <th>what</th><th>MType</th><th>status</th></tr></thead><tbody>",
        name = esc(&s.hub_name),
        since = date_time(s.started),
        counters = counters(s),
        clients = clients_table(&s.clients),
        keep = crate::core::KEEP,
    );
    for e in s.entries.iter().rev() {
        log_row(&mut html, e, &s.clients);
    }
    let _ = writeln!(
        html,
        "</tbody></table><script nonce=\"{nonce}\">var seq={seq},clients={version};{SCRIPT}</script></body></html>",
        seq = s.last_seq,
        version = s.clients_version,
    );
    let csp = format!(
        "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; \
         img-src http: https: data:; connect-src 'self'; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'none'"
    );
    respond(html, "text/html; charset=utf-8", Some(csp))
}

/// What the page's script polls for: new log rows (as HTML), the counters, and the client
/// table when it changed.
fn news(s: &StatusSnapshot, version: u64) -> Response<Body> {
    let mut rows = String::new();
    for e in s.entries.iter().rev() {
        log_row(&mut rows, e, &s.clients);
    }
    let mut json = format!(
        "{{\"seq\":{},\"clients_version\":{},\"counters\":{},\"rows\":{}",
        s.last_seq,
        s.clients_version,
        json_str(&counters(s)),
        json_str(&rows)
    );
    if s.clients_version != version {
        let _ = write!(
            json,
            ",\"clients\":{}",
            json_str(&clients_table(&s.clients))
        );
    }
    json.push('}');
    respond(json, "application/json", None)
}

fn counters(s: &StatusSnapshot) -> String {
    let c = &s.counters;
    format!(
        "<b>{}</b> clients · <b>{}</b> registrations · <b>{}</b> notifications · \
         <b>{}</b> calls · <b>{}</b> replies · <b>{}</b> refused",
        s.clients.len().saturating_sub(1),
        c.registrations,
        c.notifications,
        c.calls,
        c.replies,
        c.refused
    )
}

fn clients_table(clients: &[ClientView]) -> String {
    let mut t = String::from(
        "<table><thead><tr><th></th><th>name</th><th>id</th><th>profile</th>\
         <th>description</th><th>subscriptions</th></tr></thead><tbody>",
    );
    for c in clients {
        let icon = match &c.icon {
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => format!(
                "<img src=\"{}\" alt=\"\" width=\"24\" height=\"24\" referrerpolicy=\"no-referrer\">",
                esc(url)
            ),
            _ => String::new(),
        };
        let subs = if c.subscriptions.is_empty() {
            "<span class=\"none\">none</span>".to_owned()
        } else {
            c.subscriptions
                .iter()
                .map(|p| format!("<code>{}</code>", esc(p)))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let _ = write!(
            t,
            "<tr class=\"client\"><td>{icon}</td><td class=\"name\">{}</td><td><code>{}</code></td>\
             <td>{}{}</td><td>{}</td><td>{subs}</td></tr>",
            esc(c.name.as_deref().unwrap_or("(no name)")),
            esc(&c.id),
            c.profile,
            if c.callable { "" } else { ", not callable" },
            esc(c.description.as_deref().unwrap_or("")),
        );
    }
    t.push_str("</tbody></table>");
    t
}

fn who(id: &str, clients: &[ClientView]) -> String {
    match clients
        .iter()
        .find(|c| c.id == id)
        .and_then(|c| c.name.as_deref())
    {
        Some(name) => format!("{} <code>{}</code>", esc(name), esc(id)),
        None => format!("<code>{}</code>", esc(id)),
    }
}

fn log_row(out: &mut String, e: &Entry, clients: &[ClientView]) {
    let to = match &e.to {
        Some(to) => who(to.as_str(), clients),
        None if e.what.as_str() == "notify" || e.what.as_str() == "call" => {
            "all subscribers".to_owned()
        }
        None => String::new(),
    };
    let arrow = if to.is_empty() { "" } else { "→" };
    let mtype = if e.mtype.is_empty() {
        String::new()
    } else {
        format!("<code>{}</code>", esc(&e.mtype))
    };
    let _ = write!(
        out,
        "<tr class=\"{what}\"><td>{time}</td><td>{from}</td><td>{arrow}</td><td>{to}</td>\
         <td>{what}</td><td>{mtype}</td><td>{status}</td></tr>",
        what = e.what.as_str(),
        time = clock(e.at),
        from = who(e.from.as_str(), clients),
        status = esc(&e.status),
    );
}

/// `HH:MM:SS` (UTC) of a time.
fn clock(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (h, m, s) = ((secs / 3600) % 24, (secs / 60) % 60, secs % 60);
    format!("{h:02}:{m:02}:{s:02}")
}

/// `YYYY-MM-DD HH:MM:SS` (UTC) of a time (days to date after H. Hinnant's algorithm).
fn date_time(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {}", clock(t))
}

/// Escapes text for HTML content and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A JSON string literal.
fn json_str(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '<' => out.push_str("\\u003c"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

const STYLE: &str = "body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}\
h1 small,h2 small{font-weight:normal;color:#777;font-size:60%}\
.meta{color:#666}table{border-collapse:collapse;width:100%;margin-bottom:1.5em}\
th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #e4e4e4;vertical-align:top}\
th{background:#f4f4f4}code{font-size:90%;background:#f6f6f6;padding:0 3px}\
.none{color:#999}tr.refused td{color:#b00}tr.register td,tr.unregister td{color:#555}\
tr.new{animation:flash 2s}@keyframes flash{from{background:#ffe9a8}to{background:none}}";

/// Long-polls `news` and applies it; on an error, waits and tries again.
const SCRIPT: &str = "var base=location.pathname.replace(/\\/$/,'');\
function poll(){fetch(base+'/news?after='+seq+'&clients='+clients,{cache:'no-store'})\
.then(function(r){if(!r.ok)throw r.status;return r.json();}).then(function(n){\
if(n.rows){var tb=document.querySelector('#log tbody');var t=document.createElement('tbody');\
t.innerHTML=n.rows;var rs=Array.prototype.slice.call(t.children);\
for(var i=rs.length-1;i>=0;i--){rs[i].classList.add('new');tb.insertBefore(rs[i],tb.firstChild);}\
while(tb.children.length>500)tb.removeChild(tb.lastChild);}\
document.getElementById('counters').innerHTML=n.counters;\
if(n.clients!==undefined){document.getElementById('clients').innerHTML=n.clients;}\
seq=n.seq;clients=n.clients_version;poll();})\
.catch(function(){setTimeout(poll,2000);});}poll();";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_clients_cannot_break_out() {
        assert_eq!(
            esc("<script>\"x\" & 'y'"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;"
        );
        assert_eq!(
            json_str("a\"b\\c\n</script>"),
            "\"a\\\"b\\\\c\\u000a\\u003c/script>\""
        );
        assert_eq!(query_u64("after=12&clients=3", "clients"), 3);
        assert_eq!(query_u64("after=x", "after"), 0);
        let t = UNIX_EPOCH + Duration::from_secs(1_795_000_000);
        assert_eq!(date_time(t), "2026-11-18 11:06:40");
    }
}
