//! Who is registered: the clients as the hub lists them, finding one by `samp.name` or
//! id for `--to`, and names for output.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use samp::protocol::{Metadata, Subscriptions};
use samp::{Client, ClientId};

use crate::fail::Failure;

/// One registered client, as the hub describes it.
pub struct Entry {
    /// Its public id.
    pub id: ClientId,
    /// Its metadata (empty if it declared none).
    pub metadata: Metadata,
    /// Its subscriptions, when asked for.
    pub subscriptions: Subscriptions,
}

impl Entry {
    /// `samp.name`, if declared.
    pub fn name(&self) -> Option<&str> {
        self.metadata.name()
    }
}

/// Every other registered client (the hub included), in id order, with metadata and, if
/// `subscriptions`, subscriptions. A client that leaves while we ask is left out.
pub async fn registered(client: &Client, subscriptions: bool) -> samp::Result<Vec<Entry>> {
    let mut entries = Vec::new();
    for id in client.registered_clients().await? {
        let Ok(metadata) = client.client_metadata(&id).await else {
            continue;
        };
        let subscriptions = if subscriptions {
            match client.client_subscriptions(&id).await {
                Ok(subs) => subs,
                Err(_) => continue,
            }
        } else {
            Subscriptions::new()
        };
        entries.push(Entry {
            id,
            metadata,
            subscriptions,
        });
    }
    entries.sort_by(|a, b| natural(a.id.as_str(), b.id.as_str()));
    Ok(entries)
}

/// The one client `wanted` names: its public id exactly, else its `samp.name` ignoring
/// case. None or several is a usage error that lists the candidates, so the user can pick.
pub fn resolve(entries: &[Entry], wanted: &str) -> Result<ClientId, Failure> {
    if let Some(e) = entries.iter().find(|e| e.id.as_str() == wanted) {
        return Ok(e.id.clone());
    }
    let folded = wanted.to_lowercase();
    let named: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.name().is_some_and(|n| n.to_lowercase() == folded))
        .collect();
    match named.as_slice() {
        [one] => Ok(one.id.clone()),
        [] => Err(Failure::Usage(format!(
            "--to {wanted:?}: no registered client has that id or samp.name; the clients are: {}",
            listing(entries.iter())
        ))),
        several => Err(Failure::Usage(format!(
            "--to {wanted:?}: {} clients are called that: {}; give one of their ids with --to",
            several.len(),
            listing(several.iter().copied())
        ))),
    }
}

/// `c1 (Hub), c3 (samp-echo)`: ids with their names, for messages.
fn listing<'a>(entries: impl Iterator<Item = &'a Entry>) -> String {
    let all: Vec<String> = entries
        .map(|e| format!("{} ({})", e.id, e.name().unwrap_or("no name")))
        .collect();
    if all.is_empty() {
        "none".to_owned()
    } else {
        all.join(", ")
    }
}

/// Orders ids like `c2` before `c10`: by the text before the trailing digits, then by the
/// number they make.
pub fn natural(a: &str, b: &str) -> Ordering {
    fn split(s: &str) -> (&str, Option<u128>) {
        let head = s.trim_end_matches(|c: char| c.is_ascii_digit());
        (head, s[head.len()..].parse().ok())
    }
    split(a).cmp(&split(b)).then_with(|| a.cmp(b))
}

/// Names of clients for output, asked of the hub once per client.
#[derive(Default)]
pub struct Names {
    known: BTreeMap<ClientId, Option<String>>,
}

impl Names {
    /// Starts with what `entries` already say.
    pub fn from_entries(entries: &[Entry]) -> Names {
        Names {
            known: entries
                .iter()
                .map(|e| (e.id.clone(), e.name().map(str::to_owned)))
                .collect(),
        }
    }

    /// `samp.name` of `id`, or `None` if it declared none (or has left).
    pub async fn get(&mut self, client: &Client, id: &ClientId) -> Option<String> {
        if let Some(name) = self.known.get(id) {
            return name.clone();
        }
        let name = client
            .client_metadata(id)
            .await
            .ok()
            .and_then(|m| m.name().map(str::to_owned));
        self.known.insert(id.clone(), name.clone());
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, name: Option<&str>) -> Entry {
        let mut metadata = Metadata::new();
        if let Some(n) = name {
            metadata = metadata.with_name(n);
        }
        Entry {
            id: ClientId::new(id),
            metadata,
            subscriptions: Subscriptions::new(),
        }
    }

    #[test]
    fn resolves_ids_then_names_ignoring_case() {
        let all = [
            entry("hub", Some("Hub")),
            entry("c2", Some("Echo")),
            entry("c3", Some("echo")),
            entry("c4", Some("TOPCAT")),
            entry("c5", None),
        ];
        assert_eq!(resolve(&all, "c3").unwrap().as_str(), "c3");
        assert_eq!(resolve(&all, "topcat").unwrap().as_str(), "c4");
        match resolve(&all, "ECHO") {
            Err(Failure::Usage(text)) => assert!(text.contains("c2 (Echo), c3 (echo)"), "{text}"),
            other => panic!("{other:?}"),
        }
        match resolve(&all, "ds9") {
            Err(Failure::Usage(text)) => assert!(text.contains("c5 (no name)"), "{text}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn natural_order() {
        let mut ids = vec!["c10", "c2", "hub", "c1", "x"];
        ids.sort_by(|a, b| natural(a, b));
        assert_eq!(ids, ["c1", "c2", "c10", "hub", "x"]);
    }
}
