//! End-to-end use of the protocol layer through its public re-exports: a hub writes its
//! lockfile, a client finds it through `SAMP_HUB`, and messages, subscriptions and
//! responses go through their wire forms.

use std::path::PathBuf;

use samp_protocol::response::validate_response;
use samp_protocol::{
    ClientId, ErrInfo, HubLocation, LockInfo, Message, Metadata, PrivateKey, RegInfo, Response,
    Secret, Status, Subscriptions, locate_hub_with, lockfile, std_lockurl,
};
use samp_protocol::{Map, Value, map};

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("samp-it-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn hub_writes_lockfile_client_finds_it() {
    let dir = temp_dir("discover");
    let path = dir.join("lock file");

    // Hub side.
    let secret = Secret::generate();
    let info = LockInfo::new(secret.clone(), "http://127.0.0.1:4321/xmlrpc")
        .with_extra("hub.impl", "samp-hub");
    lockfile::write_new(&path, &info.render()).unwrap();

    // Client side.
    let samp_hub = std_lockurl(&path);
    let env = |var: &str| (var == "SAMP_HUB").then(|| samp_hub.clone());
    let location = locate_hub_with(env).unwrap();
    assert_eq!(location, HubLocation::File(path.clone()));
    let read = location.read_local().unwrap();
    assert!(secret.matches(read.secret.expose()));
    assert_eq!(read.xmlrpc_url, "http://127.0.0.1:4321/xmlrpc");
    assert_eq!(read.profile_version, "1.3");

    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn registration_subscriptions_and_routing() {
    let reg = RegInfo::new(
        ClientId::new("hub"),
        ClientId::new("c1"),
        PrivateKey::generate(),
    );
    let reg = RegInfo::from_value(reg.to_value()).unwrap();
    assert_eq!(reg.self_id.to_string(), "c1");

    let md = Metadata::from_value(Metadata::new().with_name("Viewer").to_value()).unwrap();
    assert_eq!(md.name(), Some("Viewer"));

    let subs = Subscriptions::from_value(map! {
        "samp.hub.event.*" => map! {},
        "table.*" => map! { "x-samp.mostly-harmless" => "1" },
        "table.load.votable" => map! { "x-samp.mostly-harmless" => "0" },
    })
    .unwrap();

    let msg = Message::new("table.load.votable").param("url", "file:///tmp/t.xml");
    let wire = msg.to_value();
    let received = Message::from_value(wire).unwrap();
    let annotations = subs.matching(&received.mtype).unwrap();
    assert_eq!(
        annotations.get("x-samp.mostly-harmless"),
        Some(&Value::from("0"))
    );
    assert!(subs.is_subscribed("samp.hub.event.shutdown"));
    assert!(!subs.is_subscribed("table"));
    assert!(!subs.is_subscribed("samp.hub.event"));
}

#[test]
fn responses_are_validated_before_forwarding() {
    let good = [
        Response::ok_empty(),
        Response::ok(Map::from([("n".to_owned(), Value::from("3"))])),
        Response::warning(Map::new(), ErrInfo::new("truncated")),
        Response::error(ErrInfo::new("failed").usertxt("File not found")),
    ];
    for r in good {
        let v = r.to_value();
        validate_response(&v).unwrap();
        assert_eq!(Response::from_value(v).unwrap(), r);
    }
    let bad = map! { "samp.status" => "samp.warning", "samp.result" => map! {} };
    assert_eq!(
        validate_response(&bad).unwrap_err().to_string(),
        r#"response has samp.status "samp.warning" but no samp.error map"#
    );
    // A lenient read still works for a client that wants what is there.
    let r = Response::from_value(bad).unwrap();
    assert_eq!(r.status, Status::Warning);
    assert!(r.error.is_none());
}
