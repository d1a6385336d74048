//! Joining the running hub, or starting one in this process when there is none: what a
//! desktop tool does so that it works alone and with others alike (feature `hub`).

use std::io::ErrorKind;
use std::path::PathBuf;
use std::time::Duration;

use samp_hub::{Hub, HubBuilder, HubError, RunningHub};
use samp_protocol::discovery::{HubLocation, locate_hub};
use tracing::{debug, info};

use super::Client;
use super::builder::{ClientBuilder, HubSource};
use crate::error::{Error, Result};

/// How long a client that lost the race to start a hub waits for the winner's lockfile to
/// name a hub that answers.
const RACE_LOSER_WAIT: Duration = Duration::from_secs(5);

impl ClientBuilder {
    /// Connects to the running hub, or, when there is none, starts a hub in this process
    /// and connects to that. Returns the hub when it started one: keep it while the
    /// application runs, and [`shutdown`](RunningHub::shutdown) it at the end (that tells
    /// the other clients and removes the lockfile).
    ///
    /// The hub writes its lockfile where this client looks (the standard discovery rules,
    /// or [`hub_lockfile`](Self::hub_lockfile)), so TOPCAT, DS9 or astropy started later
    /// join it. A stale lockfile (its hub gone) is replaced; a live hub is never. If
    /// another process starts a hub at the same moment, one wins and both register with
    /// it. A client given a hub URL ([`hub_url`](Self::hub_url),
    /// [`lock_info`](Self::lock_info)) only connects: there is nowhere to advertise a
    /// hub it would start. (Feature `hub`, on by default in the `samp` facade.)
    ///
    /// ```no_run
    /// # async fn demo() -> samp_runtime::Result<()> {
    /// let (client, own_hub) = samp_runtime::Client::builder()
    ///     .name("viewer")
    ///     .connect_or_start_hub()
    ///     .await?;
    /// // ... run ...
    /// client.stop().await?;
    /// if let Some(hub) = own_hub {
    ///     hub.shutdown().await;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn connect_or_start_hub(self) -> Result<(Client, Option<RunningHub>)> {
        self.connect_or_start_hub_with(Hub::builder()).await
    }

    /// [`connect_or_start_hub`](Self::connect_or_start_hub) with a hub configured by
    /// `hub` (the Web Profile, TLS, policies); its lockfile setting is replaced by where
    /// this client looks.
    pub async fn connect_or_start_hub_with(
        self,
        hub: HubBuilder,
    ) -> Result<(Client, Option<RunningHub>)> {
        let lockfile = match self.hub_source() {
            HubSource::Direct(_) => return Ok((self.connect().await?, None)),
            HubSource::Lockfile(path) => Some(path.clone()),
            HubSource::Discover => None,
        };
        let client = self.build()?;
        let missing = match client.register().await {
            Ok(()) => return Ok((client, None)),
            Err(e @ (Error::NoHub { .. } | Error::Transport { .. })) => e,
            Err(e) => return Err(e),
        };
        let Some(path) = lockfile.or_else(discovered_lockfile) else {
            // SAMP_HUB names a lockfile by http URL: no hub of ours could be found there.
            return Err(missing);
        };
        debug!(lockfile = %path.display(), "no hub answers ({missing}): starting one");
        match hub.lockfile(&path).start().await {
            Ok(hub) => match client.register().await {
                Ok(()) => {
                    info!(lockfile = %path.display(), url = hub.url(), "started a hub in this process");
                    Ok((client, Some(hub)))
                }
                Err(e) => {
                    hub.shutdown().await;
                    Err(e)
                }
            },
            Err(e) if lost_the_race(&e) => {
                debug!("another process started a hub first ({e}): joining it");
                join_the_winner(&client).await?;
                Ok((client, None))
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// The lockfile the standard discovery rules name, if it is a file.
fn discovered_lockfile() -> Option<PathBuf> {
    match locate_hub() {
        Ok(HubLocation::File(path)) => Some(path),
        _ => None,
    }
}

/// Whether starting failed because another hub claimed the lockfile first: it answered
/// the liveness check, or wrote the lockfile between that check and ours.
fn lost_the_race(e: &HubError) -> bool {
    match e {
        HubError::AlreadyRunning { .. } => true,
        HubError::Lockfile { source, .. } => source.kind() == ErrorKind::AlreadyExists,
        _ => false,
    }
}

/// Registers with the hub that won the race; its lockfile may still be half written, so
/// try again for a short while.
async fn join_the_winner(client: &Client) -> Result<()> {
    let deadline = tokio::time::Instant::now() + RACE_LOSER_WAIT;
    loop {
        match client.register().await {
            Ok(()) => return Ok(()),
            Err(e @ (Error::NoHub { .. } | Error::Transport { .. }))
                if tokio::time::Instant::now() < deadline =>
            {
                debug!("the other hub is not ready yet: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => return Err(e),
        }
    }
}
