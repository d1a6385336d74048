//! The other protocol maps: application metadata (SAMP.md §2.3), subscriptions (§2.4) and
//! registration info (§2.2).

use crate::names::metadata::DESCRIPTION_HTML as DESCRIPTION_HTML_KEY;
use crate::names::metadata::DESCRIPTION_TEXT as DESCRIPTION_TEXT_KEY;
use crate::names::metadata::DOCUMENTATION_URL as DOCUMENTATION_URL_KEY;
use crate::names::metadata::ICON_URL as ICON_URL_KEY;
use crate::names::metadata::NAME as NAME_KEY;
use crate::names::reg_info::HUB_ID as HUB_ID_KEY;
use crate::names::reg_info::PRIVATE_KEY as PRIVATE_KEY_KEY;
use crate::names::reg_info::SELF_ID as SELF_ID_KEY;
use crate::names::reg_info::URL_TRANSLATOR as URL_TRANSLATOR_KEY;
use std::collections::BTreeMap;

use crate::xmlrpc::{WriteError, WriteValue, write_struct};
use crate::{Map, Value};

use crate::error::ProtocolError;
use crate::ids::{ClientId, PrivateKey};
use crate::mtype::{MTypeError, MTypePattern};

/// An application's metadata map, as given to `declareMetadata`.
///
/// Every key is optional; getters return `None` when a key is absent or not a string.
///
/// ```
/// use samp_protocol::Metadata;
/// let md = Metadata::new()
///     .with_name("Plotter")
///     .with_description_text("Plots tables")
///     .with("author.name", "A. Person");
/// assert_eq!(md.name(), Some("Plotter"));
/// assert_eq!(md.get_str("author.name"), Some("A. Person"));
/// assert_eq!(Metadata::from_value(md.to_value())?, md);
/// # Ok::<(), samp_protocol::ProtocolError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Metadata(pub Map);

impl Metadata {
    /// Empty metadata (what a newly registered client has).
    pub fn new() -> Metadata {
        Metadata(Map::new())
    }

    /// Any key's value.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    /// Any key's value, if it is a string.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }

    /// `samp.name`: the display label.
    pub fn name(&self) -> Option<&str> {
        self.get_str(NAME_KEY)
    }

    /// `samp.description.text`.
    pub fn description_text(&self) -> Option<&str> {
        self.get_str(DESCRIPTION_TEXT_KEY)
    }

    /// `samp.description.html`.
    pub fn description_html(&self) -> Option<&str> {
        self.get_str(DESCRIPTION_HTML_KEY)
    }

    /// `samp.icon.url`.
    pub fn icon_url(&self) -> Option<&str> {
        self.get_str(ICON_URL_KEY)
    }

    /// `samp.documentation.url`.
    pub fn documentation_url(&self) -> Option<&str> {
        self.get_str(DOCUMENTATION_URL_KEY)
    }

    /// Builder: sets any key (prefix private keys with something you own).
    pub fn with(mut self, key: impl Into<String>, value: impl Into<Value>) -> Metadata {
        self.0.insert(key.into(), value.into());
        self
    }

    /// Builder: sets `samp.name`.
    pub fn with_name(self, name: impl Into<String>) -> Metadata {
        self.with(NAME_KEY, name.into())
    }

    /// Builder: sets `samp.description.text`.
    pub fn with_description_text(self, text: impl Into<String>) -> Metadata {
        self.with(DESCRIPTION_TEXT_KEY, text.into())
    }

    /// Builder: sets `samp.description.html`.
    pub fn with_description_html(self, html: impl Into<String>) -> Metadata {
        self.with(DESCRIPTION_HTML_KEY, html.into())
    }

    /// Builder: sets `samp.icon.url`.
    pub fn with_icon_url(self, url: impl Into<String>) -> Metadata {
        self.with(ICON_URL_KEY, url.into())
    }

    /// Builder: sets `samp.documentation.url`.
    pub fn with_documentation_url(self, url: impl Into<String>) -> Metadata {
        self.with(DOCUMENTATION_URL_KEY, url.into())
    }

    /// The underlying map.
    pub fn as_map(&self) -> &Map {
        &self.0
    }

    /// Unwraps into the underlying map.
    pub fn into_map(self) -> Map {
        self.0
    }

    /// The wire form.
    pub fn to_value(&self) -> Value {
        Value::Map(self.0.clone())
    }

    /// Reads metadata; only requires a map (keys are free-form).
    pub fn from_value(value: Value) -> Result<Metadata, ProtocolError> {
        match value {
            Value::Map(m) => Ok(Metadata(m)),
            other => Err(ProtocolError::not_a_map("metadata", &other)),
        }
    }
}

impl WriteValue for Metadata {
    fn write_value(&self, out: &mut String) -> Result<(), WriteError> {
        self.0.write_value(out)
    }

    fn size_hint(&self) -> usize {
        self.0.size_hint()
    }
}

impl From<Map> for Metadata {
    fn from(m: Map) -> Metadata {
        Metadata(m)
    }
}

impl From<Metadata> for Value {
    fn from(m: Metadata) -> Value {
        Value::Map(m.0)
    }
}

/// A client's subscriptions: MType pattern → annotation map (usually empty).
///
/// Patterns are parsed once, on the way in, so [`matching`](Self::matching) is cheap enough
/// for a hub to call on every message.
///
/// ```
/// use samp_protocol::{map, Map, Subscriptions};
/// let subs = Subscriptions::from_value(map! {
///     "*" => map! { "level" => "any" },
///     "table.*" => map! { "level" => "table" },
///     "table.load.votable" => map! { "level" => "exact" },
/// })?;
/// let level = |m: &str| subs.matching(m).and_then(|a| a["level"].as_str());
/// assert_eq!(level("table.load.votable"), Some("exact"));
/// assert_eq!(level("table.load.fits"), Some("table"));
/// assert_eq!(level("table"), Some("any"));
/// # Ok::<(), samp_protocol::ProtocolError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Subscriptions(BTreeMap<MTypePattern, Map>);

impl Subscriptions {
    /// No subscriptions.
    pub fn new() -> Subscriptions {
        Subscriptions(BTreeMap::new())
    }

    /// Subscriptions to `patterns`, each with an empty annotation map.
    ///
    /// ```
    /// use samp_protocol::Subscriptions;
    /// let subs = Subscriptions::from_patterns(["samp.app.ping", "samp.hub.event.*"])?;
    /// assert!(subs.is_subscribed("samp.hub.event.shutdown"));
    /// assert!(Subscriptions::from_patterns(["bad.*.x"]).is_err());
    /// # Ok::<(), samp_protocol::MTypeError>(())
    /// ```
    pub fn from_patterns<I, S>(patterns: I) -> Result<Subscriptions, MTypeError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        patterns
            .into_iter()
            .map(|p| Ok((MTypePattern::parse(p.as_ref())?, Map::new())))
            .collect()
    }

    /// Adds or replaces a subscription; returns the previous annotations for that pattern.
    pub fn insert(&mut self, pattern: MTypePattern, annotations: Map) -> Option<Map> {
        self.0.insert(pattern, annotations)
    }

    /// Removes a subscription by pattern text.
    pub fn remove(&mut self, pattern: &str) -> Option<Map> {
        self.0.remove(pattern)
    }

    /// The annotations declared for exactly this pattern text (no wildcard matching).
    pub fn get(&self, pattern: &str) -> Option<&Map> {
        self.0.get(pattern)
    }

    /// Number of patterns.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no patterns (the client receives nothing).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The patterns and their annotations, in pattern-text order.
    pub fn iter(&self) -> impl Iterator<Item = (&MTypePattern, &Map)> {
        self.0.iter()
    }

    /// The most specific pattern matching `mtype` (see [`MTypePattern::specificity`]) and
    /// its annotations. Two matching patterns never tie (more literal atoms always win).
    pub fn matching_pattern(&self, mtype: &str) -> Option<(&MTypePattern, &Map)> {
        self.0
            .iter()
            .filter(|(p, _)| p.matches(mtype))
            .max_by_key(|(p, _)| p.specificity())
    }

    /// The annotations of the most specific pattern matching `mtype`, or `None` if the
    /// client is not subscribed to it.
    pub fn matching(&self, mtype: &str) -> Option<&Map> {
        self.matching_pattern(mtype).map(|(_, a)| a)
    }

    /// Whether any pattern matches `mtype`.
    pub fn is_subscribed(&self, mtype: &str) -> bool {
        self.0.keys().any(|p| p.matches(mtype))
    }

    /// The wire form: pattern text → annotation map.
    pub fn to_value(&self) -> Value {
        Value::Map(
            self.0
                .iter()
                .map(|(p, a)| (p.as_str().to_owned(), Value::Map(a.clone())))
                .collect(),
        )
    }

    /// Reads a subscriptions map: every key must be an MType pattern and every value a
    /// map; the error names the offending key.
    pub fn from_value(value: Value) -> Result<Subscriptions, ProtocolError> {
        match value {
            Value::Map(m) => Subscriptions::from_map(m),
            other => Err(ProtocolError::not_a_map("subscriptions", &other)),
        }
    }

    /// [`from_value`](Self::from_value) for an already unwrapped map.
    pub fn from_map(map: Map) -> Result<Subscriptions, ProtocolError> {
        let mut out = BTreeMap::new();
        for (key, val) in map {
            let annotations = match val {
                Value::Map(a) => a,
                other => {
                    return Err(ProtocolError::WrongType {
                        key: format!("annotation value for subscription {key:?}"),
                        found: other.kind(),
                        expected: "map",
                    });
                }
            };
            let pattern = MTypePattern::try_from(key).map_err(ProtocolError::BadPattern)?;
            out.insert(pattern, annotations);
        }
        Ok(Subscriptions(out))
    }
}

impl WriteValue for Subscriptions {
    fn write_value(&self, out: &mut String) -> Result<(), WriteError> {
        write_struct(out, |s| {
            self.0
                .iter()
                .try_for_each(|(pattern, annotations)| s.member(pattern.as_str(), annotations))
        })
    }
}

impl FromIterator<(MTypePattern, Map)> for Subscriptions {
    fn from_iter<I: IntoIterator<Item = (MTypePattern, Map)>>(iter: I) -> Self {
        Subscriptions(iter.into_iter().collect())
    }
}

impl From<Subscriptions> for Value {
    fn from(s: Subscriptions) -> Value {
        Value::Map(
            s.0.into_iter()
                .map(|(p, a)| (p.into_string(), Value::Map(a)))
                .collect(),
        )
    }
}

/// The result of registering (`reg-info`): the ids and the private key for later calls.
///
/// ```
/// use samp_protocol::{map, RegInfo};
/// let info = RegInfo::from_value(map! {
///     "samp.hub-id" => "hub",
///     "samp.self-id" => "c1",
///     "samp.private-key" => "k:xyz",
/// })?;
/// assert_eq!(info.self_id.as_str(), "c1");
/// assert_eq!(info.private_key.expose(), "k:xyz");
/// # Ok::<(), samp_protocol::ProtocolError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegInfo {
    /// `samp.hub-id`: the hub's own public client id.
    pub hub_id: ClientId,
    /// `samp.self-id`: the registered client's public id.
    pub self_id: ClientId,
    /// `samp.private-key`: proves identity on every later call.
    pub private_key: PrivateKey,
    /// Other keys (e.g. `samp.url-translator` from a Web Profile hub).
    pub extra: Map,
}

impl RegInfo {
    /// Reg-info with the three standard keys and no extras.
    pub fn new(hub_id: ClientId, self_id: ClientId, private_key: PrivateKey) -> RegInfo {
        RegInfo {
            hub_id,
            self_id,
            private_key,
            extra: Map::new(),
        }
    }

    /// `samp.url-translator`, present for Web Profile registrations.
    pub fn url_translator(&self) -> Option<&str> {
        self.extra.get(URL_TRANSLATOR_KEY).and_then(Value::as_str)
    }

    /// The wire form (contains the private key in clear: it is sent to its owner).
    pub fn to_value(&self) -> Value {
        let mut m = self.extra.clone();
        m.insert(HUB_ID_KEY.to_owned(), Value::from(&self.hub_id));
        m.insert(SELF_ID_KEY.to_owned(), Value::from(&self.self_id));
        m.insert(
            PRIVATE_KEY_KEY.to_owned(),
            Value::from(self.private_key.expose()),
        );
        Value::Map(m)
    }

    /// Reads reg-info: the three standard keys must be strings; others go to `extra`.
    pub fn from_value(value: Value) -> Result<RegInfo, ProtocolError> {
        let mut map = match value {
            Value::Map(m) => m,
            other => return Err(ProtocolError::not_a_map("registration info", &other)),
        };
        let mut take = |key: &'static str| match map.remove(key) {
            Some(Value::String(s)) => Ok(s),
            Some(other) => Err(ProtocolError::WrongType {
                key: key.to_owned(),
                found: other.kind(),
                expected: "string",
            }),
            None => Err(ProtocolError::MissingKey {
                map: "registration info",
                key,
                expected: "string",
            }),
        };
        let hub_id = ClientId::new(take(HUB_ID_KEY)?);
        let self_id = ClientId::new(take(SELF_ID_KEY)?);
        let private_key = PrivateKey::new(take(PRIVATE_KEY_KEY)?);
        Ok(RegInfo {
            hub_id,
            self_id,
            private_key,
            extra: map,
        })
    }
}

impl WriteValue for RegInfo {
    /// The wire form, private key included: it is written only to its owner.
    fn write_value(&self, out: &mut String) -> Result<(), WriteError> {
        write_struct(out, |s| {
            s.member(HUB_ID_KEY, &self.hub_id)?;
            s.member(SELF_ID_KEY, &self.self_id)?;
            s.member(PRIVATE_KEY_KEY, &self.private_key.expose())?;
            s.members(&self.extra, &[HUB_ID_KEY, SELF_ID_KEY, PRIVATE_KEY_KEY])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map;

    fn annotated(tag: &str) -> Value {
        map! { "tag" => tag }
    }

    #[test]
    fn metadata_getters_and_builders() {
        let md = Metadata::new()
            .with_name("n")
            .with_description_text("d")
            .with_description_html("<b>d</b>")
            .with_icon_url("http://x/i.png")
            .with_documentation_url("http://x/doc");
        assert_eq!(md.name(), Some("n"));
        assert_eq!(md.description_text(), Some("d"));
        assert_eq!(md.description_html(), Some("<b>d</b>"));
        assert_eq!(md.icon_url(), Some("http://x/i.png"));
        assert_eq!(md.documentation_url(), Some("http://x/doc"));
        assert_eq!(md.as_map().len(), 5);
        let md2 = Metadata::from_value(map! { "samp.name" => map! {} }).unwrap();
        assert_eq!(md2.name(), None);
        assert_eq!(
            Metadata::from_value(Value::from("x"))
                .unwrap_err()
                .to_string(),
            "metadata is a string, expected a map"
        );
        assert_eq!(Metadata::new().to_value(), map! {});
    }

    #[test]
    fn subscriptions_most_specific_wins() {
        let subs = Subscriptions::from_value(map! {
            "*" => annotated("any"),
            "table.*" => annotated("table"),
            "table.load.*" => annotated("load"),
            "table.load.votable" => annotated("exact"),
            "samp.app.ping" => annotated("ping"),
        })
        .unwrap();
        let tag = |m: &str| subs.matching(m).map(|a| a["tag"].as_str().unwrap());
        assert_eq!(tag("table.load.votable"), Some("exact"));
        assert_eq!(tag("table.load.fits"), Some("load"));
        assert_eq!(tag("table.highlight.row"), Some("table"));
        assert_eq!(tag("table.load"), Some("table"));
        assert_eq!(tag("table"), Some("any"));
        assert_eq!(tag("tablex.y"), Some("any"));
        assert_eq!(tag("samp.app.ping"), Some("ping"));
        assert_eq!(
            subs.matching_pattern("table.load").map(|(p, _)| p.as_str()),
            Some("table.*")
        );
    }

    #[test]
    fn subscriptions_without_catch_all() {
        let subs = Subscriptions::from_patterns(["table.*", "coord.pointAt.sky"]).unwrap();
        assert!(subs.is_subscribed("table.load.votable"));
        assert!(subs.is_subscribed("coord.pointAt.sky"));
        assert!(!subs.is_subscribed("table"));
        assert!(!subs.is_subscribed("tablex.y"));
        assert!(!subs.is_subscribed("coord.pointat.sky"));
        assert_eq!(subs.matching("table"), None);
        assert_eq!(subs.matching("table.x"), Some(&Map::new()));
        assert!(!Subscriptions::new().is_subscribed("a"));
    }

    #[test]
    fn subscriptions_round_trip_and_edit() {
        let v = map! { "a.*" => map! {}, "b" => annotated("x") };
        let mut subs = Subscriptions::from_value(v.clone()).unwrap();
        assert_eq!(subs.to_value(), v);
        assert_eq!(Value::from(subs.clone()), v);
        assert_eq!(subs.len(), 2);
        assert_eq!(subs.get("b"), Some(&annotated("x").into_map().unwrap()));
        assert!(subs.get("b.*").is_none());
        subs.insert(MTypePattern::parse("c.*").unwrap(), Map::new());
        assert!(subs.is_subscribed("c.d"));
        assert!(subs.remove("c.*").is_some());
        assert!(!subs.is_subscribed("c.d"));
        assert_eq!(
            subs.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
            ["a.*", "b"]
        );
    }

    #[test]
    fn subscriptions_errors_name_the_key() {
        let err = |v: Value| Subscriptions::from_value(v).unwrap_err().to_string();
        assert_eq!(
            err(map! { "ok" => map! {}, "table.*.x" => map! {} }),
            r#"bad subscriptions key: invalid MType pattern "table.*.x": misplaced wildcard '*' at position 6 (allowed only as the whole pattern or the last atom, as in "table.*")"#
        );
        assert_eq!(
            err(map! { "table.*" => "yes" }),
            r#"annotation value for subscription "table.*" is a string, expected a map"#
        );
        assert_eq!(
            err(Value::from(vec![])),
            "subscriptions is a list, expected a map"
        );
        assert!(err(map! { "a..b" => map! {} }).contains(r#""a..b""#));
    }

    #[test]
    fn reg_info_round_trip() {
        let info = RegInfo::new(
            ClientId::new("hub"),
            ClientId::new("c3"),
            PrivateKey::new("k:s3cret"),
        );
        let v = info.to_value();
        assert_eq!(
            v,
            map! { "samp.hub-id" => "hub", "samp.self-id" => "c3", "samp.private-key" => "k:s3cret" }
        );
        assert_eq!(RegInfo::from_value(v).unwrap(), info);
        assert!(!format!("{info:?}").contains("s3cret"));
    }

    #[test]
    fn reg_info_extras_and_errors() {
        let info = RegInfo::from_value(map! {
            "samp.hub-id" => "hub",
            "samp.self-id" => "c1",
            "samp.private-key" => "wk:1",
            "samp.url-translator" => "http://localhost:21012/translator/c1?",
        })
        .unwrap();
        assert_eq!(
            info.url_translator(),
            Some("http://localhost:21012/translator/c1?")
        );
        let err = |v: Value| RegInfo::from_value(v).unwrap_err().to_string();
        assert_eq!(
            err(map! { "samp.hub-id" => "hub", "samp.private-key" => "k" }),
            "registration info map has no samp.self-id string"
        );
        assert_eq!(
            err(map! { "samp.hub-id" => vec![Value::from("h")] }),
            "samp.hub-id is a list, expected a string"
        );
        assert_eq!(
            err(Value::from("x")),
            "registration info is a string, expected a map"
        );
    }
}
