//! Finding the Standard Profile hub's lockfile (SAMP.md §4.4): `SAMP_HUB=std-lockurl:<url>`
//! if set, else `.samp` in the home directory.

use std::path::{Path, PathBuf};

use crate::lockfile::{self, LockInfo, LockfileError};

/// The environment variable naming the hub's lockfile.
pub const SAMP_HUB_VAR: &str = "SAMP_HUB";
/// The only `SAMP_HUB` prefix the Standard Profile defines.
pub const STD_LOCKURL_PREFIX: &str = "std-lockurl:";
/// The lockfile's name in the home directory.
pub const DEFAULT_LOCKFILE_NAME: &str = ".samp";

/// The variable holding the home directory on this platform.
#[cfg(windows)]
pub const HOME_VAR: &str = "USERPROFILE";
/// The variable holding the home directory on this platform.
#[cfg(not(windows))]
pub const HOME_VAR: &str = "HOME";

#[cfg(windows)]
const HOME_VAR_SHOWN: &str = "%USERPROFILE%";
#[cfg(not(windows))]
const HOME_VAR_SHOWN: &str = "$HOME";

/// Why the hub's lockfile could not be located or read. Messages say where we looked and
/// what the user can do.
#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    /// `SAMP_HUB` is set to something other than `std-lockurl:...`.
    #[error(
        "SAMP_HUB={0:?} selects a hub profile this library does not support; only `std-lockurl:` values (the Standard Profile) are supported, e.g. SAMP_HUB=std-lockurl:file:///path/to/lockfile"
    )]
    UnsupportedHubProfile(String),
    /// The `std-lockurl:` URL has a scheme other than `file`, `http` or `https`.
    #[error(
        "SAMP_HUB lockfile URL {0:?} is not supported; use a file:, http: or https: URL, e.g. SAMP_HUB=std-lockurl:file:///path/to/lockfile"
    )]
    UnsupportedLockUrl(String),
    /// The `std-lockurl:` URL is a `file:` URL we cannot turn into a local path.
    #[error("SAMP_HUB lockfile URL {url:?} is not a usable file URL: {reason}")]
    BadFileUrl {
        /// The URL after `std-lockurl:`.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Neither `SAMP_HUB` nor the home-directory variable is set.
    #[error(
        "cannot locate the SAMP hub lockfile: neither SAMP_HUB nor {HOME_VAR_SHOWN} is set; set SAMP_HUB=std-lockurl:file:///path/to/lockfile"
    )]
    NoHome,
    /// No file at the lockfile path: no Standard Profile hub is running.
    #[error(
        "no SAMP hub lockfile at {}; start a hub (e.g. `samp-hub`) or set SAMP_HUB=std-lockurl:file:///path/to/lockfile", .0.display()
    )]
    NoLockfile(PathBuf),
    /// The lockfile is remote; reading it needs an HTTP client.
    #[error(
        "the SAMP hub lockfile is at {0}, which cannot be read as a local file; fetch it over HTTP"
    )]
    RemoteLockfile(String),
    /// The lockfile exists but could not be read or is incomplete.
    #[error(transparent)]
    Lockfile(#[from] LockfileError),
}

/// Where the hub's lockfile is.
///
/// ```
/// use samp_protocol::discovery::{locate_hub_with, HubLocation};
/// let env = |var: &str| (var == "SAMP_HUB").then(|| "std-lockurl:file:///tmp/my%20lock".to_owned());
/// let loc = locate_hub_with(env)?;
/// assert_eq!(loc, HubLocation::File("/tmp/my lock".into()));
/// # Ok::<(), samp_protocol::discovery::DiscoveryError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HubLocation {
    /// A local file (from `$HOME/.samp` or a `file:` lockurl).
    File(PathBuf),
    /// An `http:`/`https:` URL; the lockfile has to be fetched by an HTTP client.
    Url(String),
}

impl HubLocation {
    /// The local path, for the `File` case.
    pub fn as_path(&self) -> Option<&Path> {
        match self {
            HubLocation::File(p) => Some(p),
            HubLocation::Url(_) => None,
        }
    }

    /// The remote URL, for the `Url` case. This module has no HTTP client: the client layer
    /// fetches the text and hands it to [`LockInfo::parse`].
    pub fn as_url(&self) -> Option<&str> {
        match self {
            HubLocation::File(_) => None,
            HubLocation::Url(u) => Some(u),
        }
    }

    /// Reads the lockfile in the `File` case. A missing file becomes
    /// [`DiscoveryError::NoLockfile`] (no hub running); the `Url` case is
    /// [`DiscoveryError::RemoteLockfile`].
    pub fn read_local(&self) -> Result<LockInfo, DiscoveryError> {
        match self {
            HubLocation::File(path) => lockfile::read(path).map_err(|e| match e {
                LockfileError::Io { path, source }
                    if source.kind() == std::io::ErrorKind::NotFound =>
                {
                    DiscoveryError::NoLockfile(path)
                }
                other => DiscoveryError::Lockfile(other),
            }),
            HubLocation::Url(u) => Err(DiscoveryError::RemoteLockfile(u.clone())),
        }
    }
}

/// Locates the lockfile from the real process environment; see [`locate_hub_with`].
/// Touches no files (a hub uses the result as the place to write its lockfile).
pub fn locate_hub() -> Result<HubLocation, DiscoveryError> {
    locate_hub_with(|var| std::env::var_os(var).map(|v| v.to_string_lossy().into_owned()))
}

/// Locates the lockfile using `env` to read environment variables (so tests need not touch
/// the process environment).
///
/// If `SAMP_HUB` is set and non-blank it must be `std-lockurl:<url>`: a `file:` URL
/// (`file:///abs`, `file://localhost/abs`, `file:/abs`; percent-escapes decoded) gives
/// [`HubLocation::File`], an `http:`/`https:` URL gives [`HubLocation::Url`]. Otherwise
/// the lockfile is `.samp` in `$HOME` (`%USERPROFILE%` on Windows).
pub fn locate_hub_with(
    env: impl Fn(&str) -> Option<String>,
) -> Result<HubLocation, DiscoveryError> {
    let non_blank = |var: &str| env(var).filter(|v| !v.trim().is_empty());
    if let Some(value) = non_blank(SAMP_HUB_VAR) {
        let value = value.trim();
        let Some(url) = value.strip_prefix(STD_LOCKURL_PREFIX) else {
            return Err(DiscoveryError::UnsupportedHubProfile(value.to_owned()));
        };
        let location = parse_lock_url(url)?;
        tracing::debug!(?location, "SAMP hub lockfile location from SAMP_HUB");
        return Ok(location);
    }
    let home = non_blank(HOME_VAR).ok_or(DiscoveryError::NoHome)?;
    let path = Path::new(&home).join(DEFAULT_LOCKFILE_NAME);
    tracing::debug!(path = %path.display(), "SAMP hub lockfile location from {HOME_VAR_SHOWN}");
    Ok(HubLocation::File(path))
}

/// Classifies a lockurl by scheme (case-insensitive).
fn parse_lock_url(url: &str) -> Result<HubLocation, DiscoveryError> {
    let scheme = url.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("file") => file_url_to_path(url).map(HubLocation::File),
        Some("http" | "https") => Ok(HubLocation::Url(url.to_owned())),
        _ => Err(DiscoveryError::UnsupportedLockUrl(url.to_owned())),
    }
}

/// `file:` URL → local path. Query and fragment are dropped, as in any URL.
fn file_url_to_path(url: &str) -> Result<PathBuf, DiscoveryError> {
    let bad = |reason| DiscoveryError::BadFileUrl {
        url: url.to_owned(),
        reason,
    };
    // Skip "file:" (any case; the scheme was checked by the caller).
    let rest = &url[5..];
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let path = if let Some(after) = rest.strip_prefix("//") {
        // Authority form: file://host/path, host empty or localhost.
        let slash = after
            .find('/')
            .ok_or_else(|| bad("no path after the host"))?;
        let host = &after[..slash];
        if !(host.is_empty() || host.eq_ignore_ascii_case("localhost")) {
            return Err(bad(
                "it names a remote host; only local files (file:///path) can be read",
            ));
        }
        &after[slash..]
    } else if rest.starts_with('/') {
        rest
    } else {
        return Err(bad(
            "the path must be absolute, as in file:///path/to/lockfile",
        ));
    };
    let bytes = percent_decode(path);
    bytes_to_path(bytes).ok_or_else(|| bad("the decoded path is not valid text on this platform"))
}

/// Decodes `%XX` escapes; a `%` not followed by two hex digits is kept literally.
fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (
                b.get(i + 1).and_then(|c| (*c as char).to_digit(16)),
                b.get(i + 2).and_then(|c| (*c as char).to_digit(16)),
            )
        {
            // Two hex digits: at most 0xff, so the cast cannot truncate.
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

#[cfg(unix)]
fn bytes_to_path(bytes: Vec<u8>) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStringExt as _;
    Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
}

#[cfg(not(unix))]
fn bytes_to_path(bytes: Vec<u8>) -> Option<PathBuf> {
    let s = String::from_utf8(bytes).ok()?;
    // "/C:/dir/file" → "C:/dir/file".
    let b = s.as_bytes();
    let s = if b.len() >= 3 && b[0] == b'/' && b[1].is_ascii_alphabetic() && b[2] == b':' {
        s[1..].to_owned()
    } else {
        s
    };
    Some(PathBuf::from(s))
}

/// The `file:` URL for `path` (made absolute against the current directory if relative):
/// `file:///abs/path`, with spaces and other characters outside `[A-Za-z0-9-._~/:]`
/// percent-encoded. The reverse of what [`locate_hub_with`] accepts.
///
/// ```
/// use samp_protocol::discovery::file_url;
/// # #[cfg(unix)]
/// assert_eq!(file_url("/tmp/my lock#1".as_ref()), "file:///tmp/my%20lock%231");
/// ```
pub fn file_url(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let bytes = path_bytes(&absolute);
    let mut out = String::from("file://");
    if bytes.first() != Some(&b'/') {
        out.push('/');
    }
    for &b in &bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/' | b':') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The `SAMP_HUB` value pointing at the lockfile `path`: `std-lockurl:` + [`file_url`].
///
/// ```
/// use samp_protocol::discovery::std_lockurl;
/// # #[cfg(unix)]
/// assert_eq!(std_lockurl("/tmp/lock".as_ref()), "std-lockurl:file:///tmp/lock");
/// ```
pub fn std_lockurl(path: &Path) -> String {
    format!("{STD_LOCKURL_PREFIX}{}", file_url(path))
}

#[cfg(unix)]
fn path_bytes(path: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt as _;
    path.as_os_str().as_bytes().to_vec()
}

#[cfg(not(unix))]
fn path_bytes(path: &Path) -> Vec<u8> {
    path.to_string_lossy().replace('\\', "/").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |var| map.get(var).cloned()
    }

    fn locate(pairs: &[(&str, &str)]) -> Result<HubLocation, DiscoveryError> {
        locate_hub_with(env_of(pairs))
    }

    #[test]
    fn default_is_home_dot_samp() {
        let loc = locate(&[(HOME_VAR, "/home/u")]).unwrap();
        assert_eq!(loc, HubLocation::File(Path::new("/home/u").join(".samp")));
        // Empty SAMP_HUB counts as unset.
        let loc = locate(&[(HOME_VAR, "/home/u"), ("SAMP_HUB", "")]).unwrap();
        assert_eq!(
            loc.as_path(),
            Some(Path::new("/home/u").join(".samp").as_path())
        );
        assert_eq!(loc.as_url(), None);
    }

    #[test]
    fn no_home() {
        let e = locate(&[]).unwrap_err();
        assert!(matches!(e, DiscoveryError::NoHome));
        let msg = e.to_string();
        assert!(msg.contains("SAMP_HUB") && msg.contains(HOME_VAR), "{msg}");
        assert!(matches!(
            locate(&[(HOME_VAR, "")]),
            Err(DiscoveryError::NoHome)
        ));
    }

    #[cfg(unix)]
    #[test]
    fn file_lockurls() {
        let cases = [
            ("std-lockurl:file:///abs/path", "/abs/path"),
            ("std-lockurl:file://localhost/abs/path", "/abs/path"),
            ("std-lockurl:file://LocalHost/abs/path", "/abs/path"),
            ("std-lockurl:file:/abs/path", "/abs/path"),
            ("std-lockurl:FILE:///abs/path", "/abs/path"),
            (
                "std-lockurl:file:///my%20dir/lock%2Bfile",
                "/my dir/lock+file",
            ),
            ("std-lockurl:file:///a/100%/b%zz", "/a/100%/b%zz"),
            ("std-lockurl:file:///a/lock?x=1#frag", "/a/lock"),
            ("  std-lockurl:file:///padded  ", "/padded"),
        ];
        for (value, want) in cases {
            let loc = locate(&[("SAMP_HUB", value), (HOME_VAR, "/home/u")]).unwrap();
            assert_eq!(loc, HubLocation::File(PathBuf::from(want)), "{value}");
        }
    }

    #[test]
    fn http_lockurls() {
        for url in [
            "http://example.org/lock",
            "https://example.org:8443/x/.samp",
        ] {
            let loc = locate(&[("SAMP_HUB", &format!("std-lockurl:{url}"))]).unwrap();
            assert_eq!(loc, HubLocation::Url(url.to_owned()));
            assert_eq!(loc.as_url(), Some(url));
            assert!(matches!(
                loc.read_local(),
                Err(DiscoveryError::RemoteLockfile(_))
            ));
        }
    }

    #[test]
    fn bad_lockurls() {
        for url in ["ftp://h/lock", "lock", "", "/abs/path"] {
            let e = locate(&[("SAMP_HUB", &format!("std-lockurl:{url}"))]).unwrap_err();
            assert!(
                matches!(e, DiscoveryError::UnsupportedLockUrl(_)),
                "{url}: {e}"
            );
        }
        for url in ["file://otherhost/lock", "file:relative/lock", "file://"] {
            let e = locate(&[("SAMP_HUB", &format!("std-lockurl:{url}"))]).unwrap_err();
            assert!(matches!(e, DiscoveryError::BadFileUrl { .. }), "{url}: {e}");
            assert!(e.to_string().contains(url), "{e}");
        }
    }

    #[test]
    fn other_profiles_are_rejected() {
        for value in ["jsamp-class:org.Foo", "web-appname:x", "file:///tmp/lock"] {
            let e = locate(&[("SAMP_HUB", value), (HOME_VAR, "/home/u")]).unwrap_err();
            let msg = e.to_string();
            assert!(matches!(e, DiscoveryError::UnsupportedHubProfile(_)));
            assert!(msg.contains(value), "{msg}");
            assert!(msg.contains("only `std-lockurl:`"), "{msg}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn file_url_round_trip() {
        for p in ["/tmp/plain", "/tmp/with space/.samp", "/tmp/odd#?%&=+é"] {
            let value = std_lockurl(Path::new(p));
            assert!(!value.contains(' '));
            let loc = locate(&[("SAMP_HUB", &value)]).unwrap();
            assert_eq!(loc, HubLocation::File(PathBuf::from(p)), "{value}");
        }
        assert_eq!(file_url(Path::new("/a b")), "file:///a%20b");
        let rel = file_url(Path::new("rel/x"));
        assert!(
            rel.starts_with("file:///") && rel.ends_with("/rel/x"),
            "{rel}"
        );
    }

    #[test]
    fn read_local_reports_missing_lockfile() {
        let dir = std::env::temp_dir().join(format!("samp-discovery-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(".samp");
        let loc = HubLocation::File(path.clone());
        let e = loc.read_local().unwrap_err();
        let msg = e.to_string();
        assert!(matches!(e, DiscoveryError::NoLockfile(_)));
        assert!(msg.contains(&path.display().to_string()), "{msg}");
        assert!(
            msg.contains("start a hub") && msg.contains("SAMP_HUB=std-lockurl:"),
            "{msg}"
        );

        let info = LockInfo::new(super::super::Secret::new("s"), "http://127.0.0.1:1/");
        lockfile::write_new(&path, &info.render()).unwrap();
        assert_eq!(loc.read_local().unwrap(), info);

        std::fs::remove_file(&path).unwrap();
        lockfile::write_new(&path, "samp.secret=s\n").unwrap();
        assert!(matches!(loc.read_local(), Err(DiscoveryError::Lockfile(_))));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
