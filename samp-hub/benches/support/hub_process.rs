//! `hub_load`'s hubs: each in a child process with a private lockfile and `HOME`, found
//! through that lockfile, measured through `/proc`, killed on drop.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use samp_protocol::lockfile::LockInfo;

/// A hub in a child process, found through its own private lockfile.
pub struct HubProcess {
    pub name: &'static str,
    /// With `--tls`: the local CA the hub made, which the bench's clients trust.
    pub tls: Option<PathBuf>,
    child: Child,
    pub url: String,
    pub secret: String,
    dir: PathBuf,
}

impl HubProcess {
    pub fn start(name: &'static str, mut cmd: Command, dir: PathBuf) -> Option<HubProcess> {
        let lock = dir.join("lock");
        let child = cmd
            .env("SAMP_HUB", format!("std-lockurl:file://{}", lock.display()))
            .env("HOME", &dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut hub = HubProcess {
            tls: None,
            name,
            child,
            url: String::new(),
            secret: String::new(),
            dir,
        };
        while Instant::now() < deadline {
            if let Ok(text) = std::fs::read_to_string(&lock)
                && let Ok(info) = LockInfo::parse(&text)
            {
                hub.url = info.xmlrpc_url.clone();
                hub.secret = info.secret.expose().to_owned();
                return Some(hub);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!("{name}: no lockfile after 30 s; skipped");
        None
    }

    /// The hub's peak RSS (KiB) since the last [`reset_peak`](Self::reset_peak).
    pub fn peak_kib(&self) -> u64 {
        self.status_kib("VmHWM:")
    }

    /// Starts counting the peak RSS afresh (Linux: `echo 5 > /proc/PID/clear_refs`).
    pub fn reset_peak(&self) {
        let _ = std::fs::write(format!("/proc/{}/clear_refs", self.child.id()), "5");
    }

    /// (user + system CPU seconds, RSS in KiB) of the hub process, from /proc.
    pub fn usage(&self) -> (f64, u64) {
        let pid = self.child.id();
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace().collect())
            .unwrap_or_default();
        let ticks: f64 = fields
            .get(11)
            .and_then(|u| u.parse::<f64>().ok())
            .unwrap_or(0.0)
            + fields
                .get(12)
                .and_then(|s| s.parse::<f64>().ok())
                .unwrap_or(0.0);
        (ticks / 100.0, self.status_kib("VmRSS:"))
    }

    /// A `… kB` field of `/proc/PID/status` (`VmRSS:`, `VmHWM:`), in KiB; 0 if unreadable.
    fn status_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A fresh private directory for one hub's lockfile and `HOME`.
pub fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("samp-bench-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
