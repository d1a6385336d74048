//! Lockfiles and hub discovery.
//!
//! - `LockInfo::parse` on the input (read as `lockfile::read` does: invalid UTF-8 replaced);
//!   whatever parses is rendered and parsed again and must be the same lockfile (the only
//!   change `render` is documented to make is writing an empty `samp.profile.version` as
//!   `1.3`).
//! - `locate_hub_with` with `SAMP_HUB` and `HOME` taken from the input's first two lines;
//!   a `file:` location turned back into a `SAMP_HUB` value with `std_lockurl` must locate
//!   the same file.
//!
//! Nothing may panic.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use samp_protocol::LockInfo;
use samp_protocol::discovery::{HubLocation, locate_hub_with, std_lockurl};
use samp_protocol::lockfile::PROFILE_VERSION;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    check_lockfile(&text);
    check_discovery(&text);
});

fn check_lockfile(text: &str) {
    let Ok(info) = LockInfo::parse(text) else {
        return;
    };
    assert!(!info.secret.expose().is_empty() && !info.xmlrpc_url.is_empty());
    let rendered = info.render();
    let back = LockInfo::parse(&rendered)
        .unwrap_or_else(|e| panic!("rendered lockfile does not parse: {e}\n{rendered}"));
    let mut want = info.clone();
    if want.profile_version.is_empty() {
        want.profile_version = PROFILE_VERSION.to_owned();
    }
    assert_eq!(back, want, "lockfile changed in a round trip:\n{rendered}");
    assert_eq!(back.render(), rendered, "render is not stable");
    for (k, v) in &info.extra {
        assert_eq!(info.get_extra(k), Some(v.as_str()));
    }
}

fn check_discovery(text: &str) {
    let mut lines = text.splitn(3, '\n');
    let samp_hub = lines.next().map(str::to_owned);
    let home = lines.next().map(str::to_owned);
    let env = |var: &str| match var {
        "SAMP_HUB" => samp_hub.clone(),
        "HOME" | "USERPROFILE" => home.clone(),
        _ => None,
    };
    let Ok(location) = locate_hub_with(env) else {
        return;
    };
    let _ = (location.as_path(), location.as_url());
    if let HubLocation::File(path) = &location
        && path.is_absolute()
    {
        let value = std_lockurl(path);
        let again = locate_hub_with(|var| (var == "SAMP_HUB").then(|| value.clone()))
            .unwrap_or_else(|e| panic!("std_lockurl({path:?}) = {value:?} is refused: {e}"));
        assert_eq!(
            again.as_path(),
            Some(Path::new(path)),
            "std_lockurl({path:?}) = {value:?} locates another file"
        );
    }
}
