//! The Standard Profile lockfile (SAMP.md §4.5–4.6): parsing, rendering, and creating it
//! with owner-only permissions.

use crate::names::lockfile::PROFILE_VERSION as PROFILE_VERSION_KEY;
use crate::names::lockfile::SECRET as SECRET_KEY;
use crate::names::lockfile::XMLRPC_URL as XMLRPC_URL_KEY;
use std::fs::OpenOptions;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use crate::ids::Secret;

/// The Standard Profile version this library implements, written by [`LockInfo::render`].
pub const PROFILE_VERSION: &str = "1.3";

/// A lockfile could not be read or lacks a required entry.
#[derive(Debug, thiserror::Error)]
pub enum LockfileError {
    /// A required key is absent or has an empty value.
    #[error("SAMP lockfile{} has no {key} entry (or it is empty)", in_path(.path))]
    MissingKey {
        /// The key: `samp.secret` or `samp.hub.xmlrpc.url`.
        key: &'static str,
        /// The file, when read from one.
        path: Option<PathBuf>,
    },
    /// The file could not be read or written.
    #[error("cannot access SAMP lockfile {}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error; check `kind()` for `NotFound`.
        #[source]
        source: io::Error,
    },
}

fn in_path(path: &Option<PathBuf>) -> String {
    match path {
        Some(p) => format!(" {}", p.display()),
        None => String::new(),
    }
}

/// The contents of a lockfile.
///
/// ```
/// use samp_protocol::{LockInfo, Secret};
/// let info = LockInfo::new(Secret::new("6a3f0c19"), "http://127.0.0.1:46123/xmlrpc")
///     .with_extra("hub.impl", "samp-hub");
/// let text = info.render();
/// assert!(text.contains("samp.secret=6a3f0c19\n"));
/// assert_eq!(LockInfo::parse(&text)?, info);
/// # Ok::<(), samp_protocol::LockfileError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockInfo {
    /// `samp.secret`: passed to `samp.hub.register`.
    pub secret: Secret,
    /// `samp.hub.xmlrpc.url`: the hub's XML-RPC endpoint.
    pub xmlrpc_url: String,
    /// `samp.profile.version`; empty if the file had none (it is informational).
    pub profile_version: String,
    /// Other entries (e.g. `hub.impl`), in file order.
    pub extra: Vec<(String, String)>,
}

/// Whether `name` is a lockfile key: one or more of `[a-zA-Z0-9_.-]`.
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Splits on `\n`, `\r\n` and lone `\r`, as the lockfile grammar allows all three.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let s = rest?;
        match s.find(['\r', '\n']) {
            None => {
                rest = None;
                (!s.is_empty()).then_some(s)
            }
            Some(i) => {
                let skip = if s[i..].starts_with("\r\n") { 2 } else { 1 };
                rest = Some(&s[i + skip..]);
                Some(&s[..i])
            }
        }
    })
}

impl LockInfo {
    /// A lockfile for a hub at `xmlrpc_url`, profile version [`PROFILE_VERSION`], no extras.
    pub fn new(secret: Secret, xmlrpc_url: impl Into<String>) -> LockInfo {
        LockInfo {
            secret,
            xmlrpc_url: xmlrpc_url.into(),
            profile_version: PROFILE_VERSION.to_owned(),
            extra: Vec::new(),
        }
    }

    /// Builder: appends an informational entry (key should not start with `samp.`).
    pub fn with_extra(mut self, key: impl Into<String>, value: impl Into<String>) -> LockInfo {
        self.extra.push((key.into(), value.into()));
        self
    }

    /// An informational entry's value.
    pub fn get_extra(&self, key: &str) -> Option<&str> {
        self.extra
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Parses lockfile text. Blank and `#` lines are ignored; in `name=value` lines the
    /// value is everything after the first `=`, verbatim; other lines are skipped with a
    /// warning. A repeated key keeps its last value. `samp.secret` and
    /// `samp.hub.xmlrpc.url` are required and must be non-empty.
    pub fn parse(text: &str) -> Result<LockInfo, LockfileError> {
        Self::parse_from(text, None)
    }

    fn parse_from(text: &str, path: Option<&Path>) -> Result<LockInfo, LockfileError> {
        let mut secret = None;
        let mut url = None;
        let mut version = None;
        let mut extra: Vec<(String, String)> = Vec::new();
        for (index, line) in lines(text).enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((name, value)) = line.split_once('=').filter(|(n, _)| is_token(n)) else {
                // Log only the would-be name: a malformed `samp.secret = x` line must not
                // put the secret into the logs.
                let name = line.split_once('=').map(|(n, _)| n);
                tracing::warn!(
                    line = index + 1,
                    path = ?path,
                    name = ?name,
                    "skipping lockfile line that is neither a comment nor name=value"
                );
                continue;
            };
            let value = value.to_owned();
            match name {
                SECRET_KEY => secret = Some(value),
                XMLRPC_URL_KEY => url = Some(value),
                PROFILE_VERSION_KEY => version = Some(value),
                _ => match extra.iter_mut().find(|(k, _)| k == name) {
                    Some(entry) => entry.1 = value,
                    None => extra.push((name.to_owned(), value)),
                },
            }
        }
        let required = |v: Option<String>, key| {
            v.filter(|s| !s.is_empty())
                .ok_or_else(|| LockfileError::MissingKey {
                    key,
                    path: path.map(Path::to_path_buf),
                })
        };
        Ok(LockInfo {
            secret: Secret::new(required(secret, SECRET_KEY)?),
            xmlrpc_url: required(url, XMLRPC_URL_KEY)?,
            profile_version: version.unwrap_or_default(),
            extra,
        })
    }

    /// The file text: a header comment, `samp.secret`, `samp.hub.xmlrpc.url`,
    /// `samp.profile.version` ([`PROFILE_VERSION`] if empty), then the extras; `\n` line
    /// ends. Line breaks inside values are dropped so no entry can inject another; extras
    /// with malformed or reserved keys are left out (with a warning).
    pub fn render(&self) -> String {
        fn clean(v: &str) -> String {
            v.chars().filter(|c| !matches!(c, '\r' | '\n')).collect()
        }
        let version = if self.profile_version.is_empty() {
            PROFILE_VERSION
        } else {
            &self.profile_version
        };
        let mut out = String::from(
            "# SAMP Standard Profile lockfile\n\
             # Written by a SAMP hub; readable only by its owner, since the secret\n\
             # below lets any process holding it register with the hub.\n",
        );
        for (key, value) in [
            (SECRET_KEY, self.secret.expose()),
            (XMLRPC_URL_KEY, self.xmlrpc_url.as_str()),
            (PROFILE_VERSION_KEY, version),
        ] {
            out.push_str(key);
            out.push('=');
            out.push_str(&clean(value));
            out.push('\n');
        }
        for (key, value) in &self.extra {
            if !is_token(key)
                || [SECRET_KEY, XMLRPC_URL_KEY, PROFILE_VERSION_KEY].contains(&key.as_str())
            {
                tracing::warn!("leaving lockfile entry with bad or reserved key {key:?} out");
                continue;
            }
            out.push_str(key);
            out.push('=');
            out.push_str(&clean(value));
            out.push('\n');
        }
        out
    }
}

/// Creates `path` with `contents`, failing if it already exists (`ErrorKind::AlreadyExists`).
///
/// On Unix the file is created with mode 0600 in the same `open` call, so the secret is
/// never readable by other users, not even briefly. Parent directories are not created.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("samp-doc-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// use samp_protocol::lockfile::write_new;
/// let path = dir.join("lock");
/// # let _ = std::fs::remove_file(&path);
/// write_new(&path, "samp.secret=x\n")?;
/// assert!(write_new(&path, "again").is_err());
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write_new(path: &Path, contents: &str) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())?;
    file.flush()
}

/// Reads and parses the lockfile at `path`. Invalid UTF-8 is replaced rather than rejected.
pub fn read(path: &Path) -> Result<LockInfo, LockfileError> {
    let bytes = std::fs::read(path).map_err(|source| LockfileError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    LockInfo::parse_from(&String::from_utf8_lossy(&bytes), Some(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh empty directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(tag: &str) -> TempDir {
            use std::sync::atomic::{AtomicUsize, Ordering};
            static N: AtomicUsize = AtomicUsize::new(0);
            let dir = std::env::temp_dir().join(format!(
                "samp-lockfile-{tag}-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    const EXAMPLE: &str = "# SAMP Standard Profile lockfile\n\
        samp.secret=6a3f0c19be2d44e1\n\
        samp.hub.xmlrpc.url=http://127.0.0.1:46123/xmlrpc\n\
        samp.profile.version=1.3\n\
        hub.impl=example.RustHub\n";

    #[test]
    fn parses_spec_example() {
        let info = LockInfo::parse(EXAMPLE).unwrap();
        assert_eq!(info.secret.expose(), "6a3f0c19be2d44e1");
        assert_eq!(info.xmlrpc_url, "http://127.0.0.1:46123/xmlrpc");
        assert_eq!(info.profile_version, "1.3");
        assert_eq!(info.get_extra("hub.impl"), Some("example.RustHub"));
    }

    #[test]
    fn round_trip() {
        let info = LockInfo::new(Secret::new("abc"), "http://localhost:1/x")
            .with_extra("hub.impl", "samp-hub")
            .with_extra("a.b", "c=d");
        let text = info.render();
        assert!(text.starts_with("# SAMP Standard Profile lockfile\n"));
        assert!(!text.contains('\r'));
        assert_eq!(LockInfo::parse(&text).unwrap(), info);
        let body: Vec<_> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(
            body,
            [
                "samp.secret=abc",
                "samp.hub.xmlrpc.url=http://localhost:1/x",
                "samp.profile.version=1.3",
                "hub.impl=samp-hub",
                "a.b=c=d"
            ]
        );
    }

    #[test]
    fn line_ends() {
        for eol in ["\n", "\r\n", "\r"] {
            let text = EXAMPLE.replace('\n', eol);
            let info = LockInfo::parse(&text).unwrap();
            assert_eq!(info.secret.expose(), "6a3f0c19be2d44e1", "{eol:?}");
            assert_eq!(info.xmlrpc_url, "http://127.0.0.1:46123/xmlrpc");
            assert_eq!(info.get_extra("hub.impl"), Some("example.RustHub"));
        }
        // Mixed, with blank lines in each style and no final line end.
        let info = LockInfo::parse("samp.secret=s\r\r\n\nsamp.hub.xmlrpc.url=u\r\n\rx=y").unwrap();
        assert_eq!(info.secret.expose(), "s");
        assert_eq!(info.xmlrpc_url, "u");
        assert_eq!(info.extra, [("x".to_owned(), "y".to_owned())]);
    }

    #[test]
    fn values_keep_equals_and_spaces() {
        let info = LockInfo::parse(
            "samp.secret=a=b==c\nsamp.hub.xmlrpc.url=http://h/x?q=1&r=2\nk=  spaced \n",
        )
        .unwrap();
        assert_eq!(info.secret.expose(), "a=b==c");
        assert_eq!(info.xmlrpc_url, "http://h/x?q=1&r=2");
        assert_eq!(info.get_extra("k"), Some("  spaced "));
    }

    #[test]
    fn comments_junk_and_duplicates() {
        let text = "#c1\n# samp.secret=fromcomment\n\n   \njunk line\n=novalue\nbad key=1\n\
                    samp.secret=first\nsamp.secret=second\nsamp.hub.xmlrpc.url=u\n\
                    z.last=1\na.first=2\nz.last=3\n";
        let info = LockInfo::parse(text).unwrap();
        assert_eq!(info.secret.expose(), "second");
        assert_eq!(info.profile_version, "");
        assert_eq!(
            info.extra,
            [
                ("z.last".to_owned(), "3".to_owned()),
                ("a.first".to_owned(), "2".to_owned())
            ]
        );
    }

    #[test]
    fn missing_keys_are_named() {
        let e = LockInfo::parse("samp.hub.xmlrpc.url=u\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "SAMP lockfile has no samp.secret entry (or it is empty)"
        );
        let e = LockInfo::parse("samp.secret=s\n").unwrap_err();
        assert!(e.to_string().contains("samp.hub.xmlrpc.url"), "{e}");
        let e = LockInfo::parse("samp.secret=\nsamp.hub.xmlrpc.url=u\n").unwrap_err();
        assert!(matches!(
            e,
            LockfileError::MissingKey {
                key: SECRET_KEY,
                ..
            }
        ));
        assert!(LockInfo::parse("").is_err());
    }

    #[test]
    fn render_blocks_injection() {
        let mut info = LockInfo::new(Secret::new("s"), "http://u/\nsamp.secret=evil")
            .with_extra("samp.secret", "evil2")
            .with_extra("bad key", "v")
            .with_extra("ok", "line1\r\nsamp.secret=evil3");
        info.profile_version.clear();
        let text = info.render();
        let back = LockInfo::parse(&text).unwrap();
        assert_eq!(back.secret.expose(), "s");
        assert_eq!(back.profile_version, PROFILE_VERSION);
        assert_eq!(back.extra.len(), 1);
        assert_eq!(back.get_extra("ok"), Some("line1samp.secret=evil3"));
    }

    #[test]
    fn debug_redacts_secret() {
        let info = LockInfo::parse(EXAMPLE).unwrap();
        assert!(!format!("{info:?}").contains("6a3f0c19be2d44e1"));
    }

    #[test]
    fn write_new_then_read() {
        let dir = TempDir::new("rw");
        let path = dir.0.join("samp lock");
        let info = LockInfo::new(Secret::new("xyz"), "http://127.0.0.1:9/xmlrpc");
        write_new(&path, &info.render()).unwrap();
        assert_eq!(read(&path).unwrap(), info);
    }

    #[cfg(unix)]
    #[test]
    fn write_new_is_owner_only() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = TempDir::new("mode");
        let path = dir.0.join(".samp");
        write_new(&path, "samp.secret=x\n").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
    }

    #[test]
    fn write_new_refuses_to_overwrite() {
        let dir = TempDir::new("excl");
        let path = dir.0.join(".samp");
        write_new(&path, "first").unwrap();
        let e = write_new(&path, "second").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "first");
    }

    #[test]
    fn write_new_does_not_create_parents() {
        let dir = TempDir::new("parents");
        let path = dir.0.join("no").join("such").join(".samp");
        assert_eq!(
            write_new(&path, "x").unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
    }

    #[test]
    fn read_errors_name_the_path() {
        let dir = TempDir::new("missing");
        let path = dir.0.join("absent");
        let e = read(&path).unwrap_err();
        assert!(e.to_string().contains(&path.display().to_string()), "{e}");
        assert!(
            matches!(&e, LockfileError::Io { source, .. } if source.kind() == io::ErrorKind::NotFound)
        );
        let bad = dir.0.join("bad");
        write_new(&bad, "samp.secret=s\n").unwrap();
        let e = read(&bad).unwrap_err();
        assert!(e.to_string().contains(&bad.display().to_string()), "{e}");
        assert!(e.to_string().contains("samp.hub.xmlrpc.url"), "{e}");
    }
}
