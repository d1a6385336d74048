//! The `samp.webhub.*` methods: registration (after consent), callbacks switched on and
//! pulled, and everything else served by the same code as the Standard Profile's methods.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, header};
use samp_http::{Body, RequestInfo, answer_call};
use samp_protocol::names::reg_info::URL_TRANSLATOR;
use samp_protocol::web::{HUB_PREFIX, WebRequest};
use samp_protocol::xmlrpc::{Fault, MethodCall, WriteError, WriteValue};
use samp_protocol::{Map, Value};
use tracing::info;

use super::WebFront;
use super::consent::{self, RegistrationRequest};
use crate::clients::Via;
use crate::core::{Caller, Refusal};
use crate::delivery::Pulled;
use crate::standard::{ack, serve};

/// Longest a `pullCallbacks` waits, whatever it asks for (JSAMP's clients ask for 600 s).
const MAX_PULL_WAIT: Duration = Duration::from_secs(600);

/// What a web method returns.
enum Reply {
    Value(Value),
    Pulled(Pulled),
}

impl WriteValue for Reply {
    fn write_value(&self, out: &mut String) -> Result<(), WriteError> {
        match self {
            Reply::Value(v) => v.write_value(out),
            Reply::Pulled(p) => p.write_value(out),
        }
    }

    fn size_hint(&self) -> usize {
        match self {
            Reply::Value(v) => v.size_hint(),
            Reply::Pulled(p) => p.size_hint(),
        }
    }
}

/// Who asks, as far as the browser tells.
struct Page {
    origin: Option<String>,
    referer: Option<String>,
    /// The host name and port the page used to reach the hub, for the translator's URL.
    host: String,
}

/// Answers a POSTed XML-RPC call.
pub(super) async fn answer(
    front: &Arc<WebFront>,
    req: Request<Bytes>,
    info: RequestInfo,
) -> Response<Body> {
    let header = |name: header::HeaderName| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let page = Page {
        origin: header(header::ORIGIN),
        referer: header(header::REFERER),
        host: header(header::HOST).unwrap_or_else(|| format!("localhost:{}", front.config.port)),
    };
    answer_call(req.body(), info, |call| call_method(front, call, page)).await
}

async fn call_method(front: &Arc<WebFront>, call: MethodCall, page: Page) -> Result<Reply, Fault> {
    let request = WebRequest::decode(call).map_err(|e| Fault::new(e.to_string()))?;
    let name = request.name();
    let core = &front.core;
    let result = match request {
        WebRequest::Register {
            name,
            identity,
            legacy,
        } => register(front, name, identity, legacy, page).await,
        WebRequest::AllowReverseCallbacks { key, allow } => core
            .allow_callbacks(
                Caller {
                    key: &key,
                    via: Via::Web,
                },
                allow,
            )
            .map(|()| Reply::Value(ack())),
        WebRequest::PullCallbacks { key, timeout_secs } => {
            match core.web_queue(Caller {
                key: &key,
                via: Via::Web,
            }) {
                // A poll cut short by the client unregistering or turning callbacks off
                // ends with an empty list, as JSAMP's hub does: its clients take a fault
                // there for a broken hub.
                Ok(queue) => Ok(Reply::Pulled(
                    queue
                        .pull(pull_wait(timeout_secs))
                        .await
                        .unwrap_or_else(|_| Pulled::empty()),
                )),
                Err(refusal) => Err(refusal),
            }
        }
        WebRequest::Hub(request) => serve(core, request, Via::Web).await.map(Reply::Value),
    };
    result.map_err(|Refusal(text)| {
        let method = format!("{HUB_PREFIX}{name}");
        core.record_refusal(&method, &text);
        Fault::new(format!("{method}: {text}"))
    })
}

/// How long to hold a poll: what it asks for within the cap, less a little, so the answer
/// (possibly an empty list) arrives before the client's own timeout fires.
fn pull_wait(timeout_secs: i64) -> Duration {
    let asked = if timeout_secs <= 0 {
        MAX_PULL_WAIT
    } else {
        Duration::from_secs(timeout_secs as u64).min(MAX_PULL_WAIT)
    };
    asked.saturating_sub((asked / 10).min(Duration::from_secs(1)))
}

/// Registers a page, if its origin is allowed or the user agrees.
async fn register(
    front: &Arc<WebFront>,
    name: String,
    identity: Map,
    legacy: bool,
    page: Page,
) -> Result<Reply, Refusal> {
    if legacy {
        info!(%name, "web registration in the old form (a name, not an identity map)");
    }
    let Ok(_waiting) = front.registering.try_acquire() else {
        return Err(Refusal::new(
            "too many registrations are waiting for consent; try again later",
        ));
    };
    let request = RegistrationRequest {
        name: name.clone(),
        origin: page.origin.clone(),
        referer: page.referer,
        identity,
    };
    if let Err(why) = consent::decide(&front.config, request).await {
        info!(%name, origin = page.origin.as_deref().unwrap_or("(none)"), "web registration refused: {why}");
        return Err(Refusal::new(format!("registration refused: {why}")));
    }
    let (mut reg_info, token) = front.core.register_web(&name, page.origin.as_deref())?;
    let translator = format!(
        "http://{}{}{}?",
        page.host,
        super::translator::PREFIX,
        token.expose()
    );
    reg_info
        .extra
        .insert(URL_TRANSLATOR.to_owned(), Value::from(translator));
    Ok(Reply::Value(reg_info.to_value()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polls_end_before_the_client_gives_up() {
        assert_eq!(pull_wait(600), Duration::from_secs(599));
        assert_eq!(pull_wait(0), Duration::from_secs(599));
        assert_eq!(pull_wait(5), Duration::from_millis(4500));
        assert_eq!(pull_wait(100_000), Duration::from_secs(599));
    }
}
