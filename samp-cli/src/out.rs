//! Writing to standard output: one flushed line at a time, because `snoop` and
//! `clients --watch` are read through pipes by other programs, and without `println!`,
//! which panics when the reader has gone.

use std::io::{self, Write};
use std::time::{SystemTime, UNIX_EPOCH};

/// Writes `text` and a newline to standard output and flushes it.
pub fn line(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "{text}")?;
    out.flush()
}

/// A moment as UTC, for output: `(date, time of day)` with milliseconds, e.g.
/// `("2025-03-01", "12:34:56.789")`. UTC because a local time zone needs a time-zone
/// database this tool does not carry.
pub fn utc(at: SystemTime) -> (String, String) {
    let since = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    (
        format!("{y:04}-{m:02}-{d:02}"),
        format!(
            "{:02}:{:02}:{:02}.{:03}",
            rest / 3600,
            rest % 3600 / 60,
            rest % 60,
            since.subsec_millis()
        ),
    )
}

/// Now, as RFC 3339 UTC with milliseconds: `2025-03-01T12:34:56.789Z`.
pub fn rfc3339(at: SystemTime) -> String {
    let (date, time) = utc(at);
    format!("{date}T{time}Z")
}

/// Year, month, day of the `days`-th day after 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Tells standard error when a long-running command (`snoop`, `clients --watch`) loses
/// its hub and when it is back, so a silent terminal is not mistaken for a quiet hub.
pub fn note_connection_changes(client: &samp::Client, who: &'static str) {
    use samp::client::{ConnectionEvent, SessionEnd};
    let mut events = client.connection_events();
    tokio::spawn(async move {
        while let Some(event) = events.next().await {
            match event {
                ConnectionEvent::Lost(SessionEnd::Unregistered) => {} // our own leaving
                ConnectionEvent::Lost(why) => {
                    eprintln!("{who}: {why}; waiting for a hub (start one with `samp hub`)")
                }
                ConnectionEvent::Reconnected(url) => {
                    eprintln!("{who}: registered again with the hub at {url}")
                }
                other => eprintln!("{who}: {other:?}"),
            }
        }
    });
}

/// Runs a long-running command's `client` until Ctrl-C or SIGTERM, or until `writer` (what
/// prints to standard output) ends, then unregisters it. A writer ended by a broken pipe
/// (the reader left, as with `| head`) is a normal end; any other write error is the
/// command's error.
pub async fn run_while_writing(
    client: &samp::Client,
    writer: impl std::future::Future<Output = io::Result<()>>,
) -> Result<(), crate::fail::Failure> {
    let mut written = Ok(());
    let stop = async {
        tokio::select! {
            _ = samp::client::shutdown_signal() => {}
            ended = writer => written = ended,
        }
    };
    let ran = client.run_until(stop).await;
    let _ = client.stop().await;
    match written {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(e.into()),
        Ok(()) => {}
    }
    ran.map_err(crate::fail::Failure::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn dates() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        // 2000-02-29 12:00:00.250 (a leap day in a century leap year)
        let t = UNIX_EPOCH + Duration::from_millis(951_825_600_250);
        assert_eq!(rfc3339(t), "2000-02-29T12:00:00.250Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_735_689_599);
        assert_eq!(rfc3339(t), "2024-12-31T23:59:59.000Z");
    }
}
