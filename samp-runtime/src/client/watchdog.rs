//! Noticing a hub that is gone without saying so (killed, crashed, or replaced): a light
//! `samp.hub.ping` when nothing has been heard from the hub for a while, failed hub calls,
//! and the lockfile going away or naming another hub. Callable or not, a client notices
//! within about [`NOTICE_WITHIN`].

use std::path::PathBuf;
use std::sync::Weak;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime};

use tracing::{debug, info};

use super::lifecycle::SessionEnd;
use super::{Client, Inner};
use crate::error::Error;
use crate::hub_proxy::HubProxy;
use samp_protocol::Secret;
use samp_protocol::lockfile;

/// How often the watchdog looks.
const TICK: Duration = Duration::from_millis(250);
/// Quiet this long, the hub is pinged.
const IDLE: Duration = Duration::from_millis(750);
/// How long one ping may take before it counts as missed; two misses in a row mean the hub
/// is gone (a hub that refuses the connection is gone at once).
const PING_TIMEOUT: Duration = Duration::from_millis(600);

/// The promise the timings above keep.
pub const NOTICE_WITHIN: Duration = Duration::from_secs(2);

/// What the watchdog of one registration checks.
pub(crate) struct Watch {
    pub(crate) generation: u64,
    pub(crate) proxy: HubProxy,
    /// The lockfile the hub was found through, and the secret it held.
    pub(crate) lockfile: Option<(PathBuf, Secret)>,
}

/// Watches registration `watch.generation` until it ends or the client is dropped.
pub(crate) fn spawn(client: Weak<Inner>, watch: Watch) {
    tokio::spawn(run(client, watch));
}

/// What a lockfile looked like last time: enough to see it change without reading it.
#[derive(PartialEq, Eq)]
struct Stamp(Option<SystemTime>, u64);

async fn run(client: Weak<Inner>, watch: Watch) {
    let mut ticks = tokio::time::interval(TICK);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut stamp: Option<Stamp> = None;
    let mut missed = 0u32;
    loop {
        ticks.tick().await;
        // Hold the client only between awaits, so the watchdog never keeps it alive.
        let quiet = {
            let Some(inner) = client.upgrade() else {
                return;
            };
            let client = Client { inner };
            if client.current_generation() != Some(watch.generation) {
                return;
            }
            if let Some(why) = lockfile_problem(&watch, &mut stamp) {
                client.end_session(Some(watch.generation), SessionEnd::Lost(why));
                return;
            }
            client.quiet_for()
        };
        if quiet < IDLE {
            missed = 0;
            continue;
        }
        let answer = tokio::time::timeout(PING_TIMEOUT, watch.proxy.ping()).await;
        let Some(inner) = client.upgrade() else {
            return;
        };
        let client = Client { inner };
        match answer {
            Ok(Ok(())) => {
                missed = 0;
                client.heard_from_hub();
            }
            Ok(Err(e @ (Error::Transport { .. } | Error::Protocol { .. }))) => {
                let why = format!("the hub stopped answering: {e}");
                client.end_session(Some(watch.generation), SessionEnd::Lost(why));
                return;
            }
            Ok(Err(e)) => {
                // A fault: the hub is there (astropy's ping takes no key, ours none).
                debug!(error = %e, "samp.hub.ping answered with an error");
                client.heard_from_hub();
            }
            Err(_) => {
                missed += 1;
                if missed >= 2 {
                    let why = format!(
                        "the hub did not answer samp.hub.ping twice in {} ms",
                        2 * PING_TIMEOUT.as_millis()
                    );
                    client.end_session(Some(watch.generation), SessionEnd::Lost(why));
                    return;
                }
            }
        }
    }
}

/// Whether the lockfile has gone or now names another hub.
fn lockfile_problem(watch: &Watch, last: &mut Option<Stamp>) -> Option<String> {
    let (path, secret) = watch.lockfile.as_ref()?;
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Some(format!("its lockfile {} was removed", path.display()));
        }
        Err(_) => return None,
    };
    let now = Stamp(meta.modified().ok(), meta.len());
    if last.as_ref() == Some(&now) {
        return None;
    }
    *last = Some(now);
    match lockfile::read(path) {
        Ok(info) if !secret.matches(info.secret.expose()) => {
            info!(lockfile = %path.display(), "the lockfile now names another hub");
            Some(format!(
                "its lockfile {} now names another hub",
                path.display()
            ))
        }
        // Unreadable for a moment (being rewritten): look again next time.
        _ => None,
    }
}

impl Client {
    /// Notes that the hub was heard from (a callback, an answered ping).
    pub(crate) fn heard_from_hub(&self) {
        let now = self.inner.epoch.elapsed().as_millis() as u64;
        self.inner.last_heard.store(now, Ordering::Relaxed);
    }

    /// How long since the hub was last heard from.
    fn quiet_for(&self) -> Duration {
        let now = self.inner.epoch.elapsed().as_millis() as u64;
        let then = self.inner.last_heard.load(Ordering::Relaxed);
        Duration::from_millis(now.saturating_sub(then))
    }
}
