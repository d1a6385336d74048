//! Consent for Web Profile registrations (SAMP 1.3 §5.3): a web page joins the hub only if
//! its origin is on the allow list, the user says yes, or — in tests — the hub accepts all.

use std::future::Future;
use std::io::{BufRead, IsTerminal, Write};
use std::pin::Pin;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use samp_protocol::Map;
use tokio::sync::mpsc;
use tracing::warn;

use crate::config::{Consent, WebConfig};

/// A registration waiting for consent: what a prompt shows the user.
#[derive(Debug, Clone)]
pub struct RegistrationRequest {
    /// The name the page claims (`samp.name`); anyone can claim any name.
    pub name: String,
    /// The page's origin (`Origin` header), when the browser sent one.
    pub origin: Option<String>,
    /// The page that made the request (`Referer` header), when sent.
    pub referer: Option<String>,
    /// The whole identity map the page sent.
    pub identity: Map,
}

impl RegistrationRequest {
    /// A `Referer` from another origin than `Origin` is suspicious (JSAMP warns too).
    pub fn referer_mismatch(&self) -> bool {
        match (&self.origin, &self.referer) {
            (Some(origin), Some(referer)) => !referer.starts_with(origin.as_str()),
            _ => false,
        }
    }
}

/// Asks the user whether a web page may register. Implement it to put the question in
/// your own interface; the `samp-hub` binary uses [`TerminalPrompt`].
pub trait ConsentPrompt: Send + Sync + 'static {
    /// True to let the page register.
    fn ask(&self, request: RegistrationRequest) -> Pin<Box<dyn Future<Output = bool> + Send>>;
}

/// Is `origin` on the allow list? Compared without case and trailing slash.
fn listed(config: &WebConfig, origin: &str) -> bool {
    let norm = |o: &str| o.trim_end_matches('/').to_ascii_lowercase();
    let origin = norm(origin);
    config.allow_origins.iter().any(|a| norm(a) == origin)
}

/// Could a registration from `origin` be approved? Only such origins get CORS headers.
pub(crate) fn could_approve(config: &WebConfig, origin: &str) -> bool {
    listed(config, origin) || !matches!(config.consent, Consent::AllowListOnly)
}

/// Decides a registration; the error says why it was refused.
pub(crate) async fn decide(config: &WebConfig, request: RegistrationRequest) -> Result<(), String> {
    if let Some(origin) = &request.origin
        && listed(config, origin)
    {
        return Ok(());
    }
    let from = match &request.origin {
        Some(origin) => format!("origin {origin}"),
        None => "a request with no Origin header".to_owned(),
    };
    match &config.consent {
        Consent::AcceptAll => {
            warn!(name = %request.name, %from, "web registration accepted without asking (--web-accept-all: for tests only)");
            Ok(())
        }
        Consent::Ask(prompt) => {
            let name = request.name.clone();
            if prompt.ask(request).await {
                Ok(())
            } else {
                Err(format!("the user refused the registration of {name:?} from {from}"))
            }
        }
        Consent::AllowListOnly => Err(match &request.origin {
            Some(origin) => format!(
                "origin {origin} is not on the hub's allow list (start the hub with --web-allow-origin {origin} to allow it)"
            ),
            None => "the request has no Origin header, and this hub only accepts web registrations from origins on its allow list".to_owned(),
        }),
    }
}

/// Asks on the terminal the hub runs on: one question at a time, refused after a minute
/// without an answer, or at once when standard input is not a terminal.
pub struct TerminalPrompt {
    timeout: Duration,
}

impl TerminalPrompt {
    /// A prompt on this process's terminal, if standard input and error are one.
    pub fn if_terminal() -> Option<TerminalPrompt> {
        (std::io::stdin().is_terminal() && std::io::stderr().is_terminal()).then(|| {
            TerminalPrompt {
                timeout: Duration::from_secs(60),
            }
        })
    }
}

impl ConsentPrompt for TerminalPrompt {
    fn ask(&self, request: RegistrationRequest) -> Pin<Box<dyn Future<Output = bool> + Send>> {
        let timeout = self.timeout;
        let question = question(&request);
        Box::pin(async move {
            let _turn = TURN.lock().await;
            {
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "{question}");
                let _ = err.flush();
            }
            let lines = stdin_lines();
            // Forget what was typed before the question.
            {
                let mut rx = lines.lock().unwrap_or_else(|e| e.into_inner());
                while rx.try_recv().is_ok() {}
            }
            let answer = tokio::time::timeout(timeout, next_line(lines)).await;
            match answer {
                Ok(Some(line)) => matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes"),
                Ok(None) => false,
                Err(_) => {
                    eprintln!(
                        "\nsamp-hub: no answer within {} s: refused",
                        timeout.as_secs()
                    );
                    false
                }
            }
        })
    }
}

/// Only one question on the terminal at a time.
static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn question(r: &RegistrationRequest) -> String {
    let mut q = String::from("\nsamp-hub: a web page asks to register with the SAMP hub\n");
    q.push_str(&format!("  name (claimed, unverified): {}\n", r.name));
    q.push_str(&format!(
        "  origin: {}\n",
        r.origin.as_deref().unwrap_or("(none sent)")
    ));
    if let Some(referer) = &r.referer {
        q.push_str(&format!("  page: {referer}\n"));
    }
    if r.referer_mismatch() {
        q.push_str("  WARNING: the page is not from the origin it gives; this is suspicious\n");
    }
    q.push_str("  If accepted it can send messages to your SAMP applications and read the data they send it.\n");
    q.push_str("Allow it? [y/N] ");
    q
}

type Lines = Mutex<mpsc::UnboundedReceiver<String>>;

/// Lines typed on standard input, read by one thread for the life of the process.
fn stdin_lines() -> &'static Lines {
    static LINES: OnceLock<Lines> = OnceLock::new();
    LINES.get_or_init(|| {
        let (tx, rx) = mpsc::unbounded_channel();
        std::thread::spawn(move || {
            for line in std::io::stdin().lock().lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Mutex::new(rx)
    })
}

/// The next line typed, `None` once standard input is closed.
async fn next_line(lines: &'static Lines) -> Option<String> {
    std::future::poll_fn(|cx| {
        let mut rx = lines.lock().unwrap_or_else(|e| e.into_inner());
        rx.poll_recv(cx)
    })
    .await
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn request(origin: Option<&str>) -> RegistrationRequest {
        RegistrationRequest {
            name: "page".into(),
            origin: origin.map(str::to_owned),
            referer: None,
            identity: Map::new(),
        }
    }

    struct Answer(bool);
    impl ConsentPrompt for Answer {
        fn ask(&self, _: RegistrationRequest) -> Pin<Box<dyn Future<Output = bool> + Send>> {
            Box::pin(std::future::ready(self.0))
        }
    }

    #[tokio::test]
    async fn the_allow_list_then_the_policy_decide() {
        let mut config = WebConfig {
            allow_origins: vec!["http://localhost:8000/".into()],
            ..WebConfig::default()
        };
        assert!(
            decide(&config, request(Some("HTTP://localhost:8000")))
                .await
                .is_ok()
        );
        let refused = decide(&config, request(Some("http://evil.example"))).await;
        assert!(
            refused
                .unwrap_err()
                .contains("--web-allow-origin http://evil.example")
        );
        assert!(
            decide(&config, request(None))
                .await
                .unwrap_err()
                .contains("no Origin")
        );
        assert!(!could_approve(&config, "http://evil.example"));
        config.consent = Consent::Ask(Arc::new(Answer(false)));
        assert!(could_approve(&config, "http://evil.example"));
        let refused = decide(&config, request(Some("http://evil.example"))).await;
        assert!(refused.unwrap_err().contains("the user refused"));
        config.consent = Consent::Ask(Arc::new(Answer(true)));
        assert!(
            decide(&config, request(Some("http://ok.example")))
                .await
                .is_ok()
        );
        config.consent = Consent::AcceptAll;
        assert!(decide(&config, request(None)).await.is_ok());
    }

    #[test]
    fn a_referer_from_elsewhere_is_flagged() {
        let mut r = request(Some("http://a.example"));
        r.referer = Some("http://b.example/page.html".into());
        assert!(r.referer_mismatch());
        assert!(question(&r).contains("suspicious"));
        r.referer = Some("http://a.example/page.html".into());
        assert!(!r.referer_mismatch());
    }
}
