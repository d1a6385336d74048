//! Every vocabulary type through the wire: to a message, into an XML-RPC document, parsed,
//! and back; the keys spelled as the vocabulary spells them, extra keys kept.

use std::fmt::Debug;

use super::*;
use crate::convert::from_value;
use crate::xmlrpc::{parse_call, write_call};
use crate::{IntoMessage, Map, Message, Value, map};

/// Sends `value` through an XML-RPC document and checks what arrives: the MType, the wire
/// keys (exactly `keys`, plus `x-test.extra`), and the value itself.
fn round_trip<T>(value: T, keys: &[&str])
where
    T: MessageType + Clone + PartialEq + Debug,
{
    let with_extra = value.clone().into_message().unwrap();
    let mut message = with_extra.clone();
    message.params.insert(
        "x-test.extra".into(),
        map! { "deep" => vec![Value::from("1")] },
    );
    let doc = write_call("samp.client.receiveNotification", &[&"k", &"c1", &message]).unwrap();
    let call = parse_call(doc.as_bytes()).unwrap();
    let arrived = Message::from_value(call.params[2].clone()).unwrap();
    assert_eq!(arrived.mtype, T::MTYPE);
    let mut wire: Vec<&str> = arrived.params.keys().map(String::as_str).collect();
    wire.retain(|k| *k != "x-test.extra");
    let mut want = keys.to_vec();
    want.sort_unstable();
    assert_eq!(wire, want, "{}", T::MTYPE);
    let back: T = from_value(Value::Map(arrived.params.clone())).unwrap();
    let again = back.into_message().unwrap();
    assert_eq!(again.params, arrived.params, "{}: extra key kept", T::MTYPE);
    let plain: T = from_value(Value::Map(with_extra.params)).unwrap();
    assert_eq!(plain, value);
}

#[test]
fn tables() {
    round_trip(
        TableLoadVotable::new("file:///t.vot")
            .table_id("t1")
            .name("M31"),
        &["url", "table-id", "name"],
    );
    round_trip(TableLoadVotable::new("http://x/t.vot"), &["url"]);
    round_trip(
        TableLoadFits::new("file:///t.fits").name("n"),
        &["url", "name"],
    );
    round_trip(
        TableLoadCdf::new("file:///t.cdf").table_id("c"),
        &["url", "table-id"],
    );
    round_trip(
        TableHighlightRow::new(7u64).table_id("t1"),
        &["row", "table-id"],
    );
    round_trip(
        TableSelectRowList::new(vec![0u64, 5, 99]).url("file:///t.vot"),
        &["row-list", "url"],
    );
    round_trip(TableSelectRowList::new(Vec::<u64>::new()), &["row-list"]);
}

#[test]
fn images_coverage_and_positions() {
    round_trip(
        ImageLoadFits::new("file:///i.fits")
            .image_id("i1")
            .name("n"),
        &["url", "image-id", "name"],
    );
    round_trip(
        CoverageLoadMocFits::new("file:///m.fits").coverage_id("m"),
        &["url", "coverage-id"],
    );
    round_trip(CoordPointAtSky::new(83.633_083, -22.014_5), &["ra", "dec"]);
}

#[test]
fn spectra_bibcodes_resources() {
    let meta: Map = [("Access.Format".to_owned(), Value::from("application/fits"))].into();
    round_trip(
        SpectrumLoadSsaGeneric::new("file:///s.fits", meta)
            .spectrum_id("s")
            .name("n"),
        &["url", "meta", "spectrum-id", "name"],
    );
    round_trip(
        SpectrumLoadSsaGeneric::new("file:///s.fits", Map::new()),
        &["url", "meta"],
    );
    round_trip(BibcodeLoad::new("2009A&A...500..713B"), &["bibcode"]);
    let ids: Map = [("ivo://x/tap".to_owned(), Value::from(""))].into();
    round_trip(
        VoresourceLoadlist::new(ids.clone()).name("list"),
        &["ids", "name"],
    );
    round_trip(VoresourceLoadlistCone::new(ids.clone()), &["ids"]);
    round_trip(VoresourceLoadlistSiap::new(ids.clone()), &["ids"]);
    round_trip(VoresourceLoadlistSsap::new(ids.clone()), &["ids"]);
    round_trip(VoresourceLoadlistTap::new(ids), &["ids"]);
}

#[test]
fn client_control() {
    round_trip(ClientEnvGet::new("HOME"), &["name"]);
    round_trip(ClientEnvSet::new("A", "1"), &["name", "value"]);
    round_trip(ClientParamGet::new("p"), &["name"]);
    round_trip(ClientParamSet::new("p", "v"), &["name", "value"]);
    round_trip(ClientCmdExec::new("ls"), &["cmd"]);
}

#[test]
fn samp_administration() {
    round_trip(SampAppPing::new(), &[]);
    round_trip(SampAppStatus::new("busy"), &["txt"]);
    round_trip(SampAppEventShutdown::new(), &[]);
    round_trip(
        SampMsgProgress::new("c1_m3", "half way")
            .percent(50.0)
            .time_left(1.5),
        &["msgid", "txt", "percent", "timeLeft"],
    );
    round_trip(
        XSampQueryByMeta::new("samp.name", "topcat"),
        &["key", "value"],
    );
    round_trip(SampHubEventShutdown::new(), &[]);
    round_trip(SampHubEventRegister::new("c2"), &["id"]);
    round_trip(SampHubEventUnregister::new("c2"), &["id"]);
    round_trip(
        SampHubEventMetadata::new("c2", Map::new()),
        &["id", "metadata"],
    );
    round_trip(
        SampHubEventSubscriptions::new("c2", Map::new()),
        &["id", "subscriptions"],
    );
    round_trip(SampHubDisconnect::new().reason("bye"), &["reason"]);
}

#[test]
fn numbers_use_the_samp_encodings() {
    let m = CoordPointAtSky::new(83.63, 22.01).into_message().unwrap();
    assert_eq!(m.params["ra"], Value::from("83.63"));
    let m = TableSelectRowList::new(vec![1u64, 2])
        .into_message()
        .unwrap();
    assert_eq!(
        m.params["row-list"],
        Value::List(vec!["1".into(), "2".into()])
    );
    let from = |v: Value| from_value::<CoordPointAtSky>(v).unwrap_err().to_string();
    assert!(from(map! { "ra" => "abc", "dec" => "0" }).contains("at `ra`"));
    assert!(from(map! { "ra" => "1" }).contains("dec"));
}

#[test]
fn typed_results() {
    let r: ClientEnvGetResult = from_value(map! { "value" => "/home/u", "x" => "y" }).unwrap();
    assert_eq!(r.value, "/home/u");
    assert_eq!(r.extra["x"], Value::from("y"));
    let ids: XSampQueryByMetaResult =
        from_value(map! { "ids" => vec![Value::from("c1"), Value::from("c4")] }).unwrap();
    assert_eq!(ids.ids, ["c1", "c4"]);
    // "No return values" is the empty map.
    let (): <TableLoadVotable as MessageType>::Result = from_value(map! {}).unwrap();
}
