//! `samp ping`: is there a hub, where, and how fast does it answer `samp.hub.ping`?
//!
//! It does not register (so other clients see nothing): it finds the lockfile the way
//! every client does and calls the hub's URL directly.

use std::time::{Duration, Instant};

use samp::protocol::HubProxy;
use samp::protocol::discovery::{HubLocation, locate_hub};
use samp::protocol::http::HttpClient;
use samp::protocol::lockfile::{self, LockInfo, LockfileError};
use serde_json::json;

use crate::fail::Failure;
use crate::out;
use crate::send::parse_secs;

const EXAMPLES: &str = "\
Examples:
  samp ping
  samp ping -n 20 --json

Prints the hub's URL, the lockfile that names it, and the median, fastest and slowest
of the round trips. Exit status 0 when the hub answers every ping, 1 when it stops
answering part way, 3 when there is no hub (no lockfile, or a hub that does not answer).";

/// `samp ping` arguments.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct PingArgs {
    /// How many pings.
    #[arg(short = 'n', long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    count: u32,
    /// Seconds to wait for each answer.
    #[arg(long, value_name = "SECS", default_value = "5", value_parser = parse_secs)]
    timeout: Duration,
    /// One JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// Finds the hub, pings it `count` times, prints the timings.
pub async fn run(args: PingArgs) -> Result<(), Failure> {
    let (info, lockfile) = find_hub(args.timeout).await?;
    let url = info.xmlrpc_url.clone();
    let hub = HubProxy::new(&url).with_timeout(Some(args.timeout));
    let mut times = Vec::new();
    for n in 0..args.count {
        let start = Instant::now();
        if let Err(e) = hub.ping().await {
            let what = format!("the hub at {url} (named by {lockfile}) does not answer: {e}");
            return Err(if n == 0 {
                Failure::NoHub(format!(
                    "{what}; the lockfile is probably left over from a hub that exited"
                ))
            } else {
                Failure::Failed(format!("{what}, after {n} answers"))
            });
        }
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let median = if sorted.len() % 2 == 1 {
        sorted[sorted.len() / 2]
    } else {
        (sorted[sorted.len() / 2 - 1] + sorted[sorted.len() / 2]) / 2.0
    };
    let (min, max) = (sorted[0], sorted[sorted.len() - 1]);
    let text = if args.json {
        json!({
            "url": url,
            "lockfile": lockfile,
            "pings": times.len(),
            "median_ms": median,
            "min_ms": min,
            "max_ms": max,
            "times_ms": times,
        })
        .to_string()
    } else {
        format!(
            "hub at {url} (lockfile {lockfile}) answers samp.hub.ping: \
             median {median:.3} ms of {} (fastest {min:.3} ms, slowest {max:.3} ms)",
            times.len()
        )
    };
    out::line(&text)?;
    Ok(())
}

/// The lockfile's contents and where it is, as `samp::Client` finds them (SAMP_HUB, else
/// ~/.samp); every way of not finding one is `NoHub`.
async fn find_hub(timeout: Duration) -> Result<(LockInfo, String), Failure> {
    let location = locate_hub().map_err(|e| Failure::NoHub(e.to_string()))?;
    match location {
        HubLocation::File(path) => {
            let shown = path.display().to_string();
            match lockfile::read(&path) {
                Ok(info) => Ok((info, shown)),
                Err(LockfileError::Io { source, .. })
                    if source.kind() == std::io::ErrorKind::NotFound =>
                {
                    Err(Failure::NoHub(format!(
                        "no SAMP hub: there is no lockfile at {shown}"
                    )))
                }
                Err(e) => Err(Failure::NoHub(format!("no usable lockfile: {e}"))),
            }
        }
        HubLocation::Url(url) => {
            let text = HttpClient::new()
                .get(&url, Some(timeout))
                .await
                .map_err(|e| Failure::NoHub(format!("cannot fetch the lockfile {url}: {e}")))?;
            let info = LockInfo::parse(&String::from_utf8_lossy(&text))
                .map_err(|e| Failure::NoHub(format!("the lockfile {url} is not usable: {e}")))?;
            Ok((info, url))
        }
    }
}
