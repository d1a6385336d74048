//! Which URLs the Web Profile's URL translator may fetch (JSAMP's rule): those the hub has
//! passed to a web client from a Standard Profile client, and never one a web client
//! mentioned first. Anything else — a `file:` URL a page guessed, an intranet address — is
//! refused, so an approved page cannot use the hub to read the machine.

use std::collections::{HashSet, VecDeque};

use samp_protocol::{Map, Message, RawMessage, Response, Value};

/// Most URLs remembered on each side; the oldest are forgotten first.
const CAPACITY: usize = 10_000;

/// URLs seen in traffic to and from web clients.
#[derive(Default)]
pub(crate) struct UrlTracker {
    permitted: BoundedSet,
    blocked: BoundedSet,
}

impl UrlTracker {
    /// A Standard Profile client passed `value` to a web client: its URLs become fetchable,
    /// unless a web client mentioned them first.
    pub(crate) fn note_to_web(&mut self, value: &impl Scan) {
        value.scan(&mut |url| {
            if !self.blocked.contains(url) {
                self.permitted.insert(url);
            }
        });
    }

    /// A web client sent `value`: its URLs are never fetched for a web client.
    pub(crate) fn note_from_web(&mut self, value: &impl Scan) {
        value.scan(&mut |url| {
            if !self.permitted.contains(url) {
                self.blocked.insert(url);
            }
        });
    }

    /// May the translator fetch `url`?
    pub(crate) fn permits(&self, url: &str) -> bool {
        self.permitted.contains(url) && !self.blocked.contains(url)
    }
}

/// Does `text` look like a URL worth tracking?
fn is_url(text: &str) -> bool {
    let lower = |n: usize| text.get(..n).map(str::to_ascii_lowercase);
    matches!(lower(5).as_deref(), Some("file:"))
        || matches!(lower(7).as_deref(), Some("http://"))
        || matches!(lower(8).as_deref(), Some("https://"))
        || matches!(lower(6).as_deref(), Some("ftp://"))
}

/// Something whose strings may hold URLs.
pub(crate) trait Scan {
    /// Calls `found` with every string in it that looks like a URL.
    fn scan(&self, found: &mut dyn FnMut(&str));
}

impl Scan for Value {
    fn scan(&self, found: &mut dyn FnMut(&str)) {
        match self {
            Value::String(s) if is_url(s) => found(s),
            Value::String(_) => {}
            Value::List(items) => items.iter().for_each(|v| v.scan(found)),
            Value::Map(map) => map.scan(found),
        }
    }
}

impl Scan for Map {
    fn scan(&self, found: &mut dyn FnMut(&str)) {
        self.values().for_each(|v| v.scan(found));
    }
}

impl Scan for Message {
    fn scan(&self, found: &mut dyn FnMut(&str)) {
        self.params.scan(found);
        self.extra.scan(found);
    }
}

impl Scan for RawMessage {
    /// Read on purpose: only messages to and from web clients are scanned.
    fn scan(&self, found: &mut dyn FnMut(&str)) {
        if let Ok(message) = self.parse() {
            message.scan(found);
        }
    }
}

impl Scan for Response {
    fn scan(&self, found: &mut dyn FnMut(&str)) {
        if let Some(result) = &self.result {
            result.scan(found);
        }
        if let Some(error) = &self.error {
            error.extra.scan(found);
        }
        self.extra.scan(found);
    }
}

/// A set that forgets its oldest entries past [`CAPACITY`].
#[derive(Default)]
struct BoundedSet {
    set: HashSet<String>,
    order: VecDeque<String>,
}

impl BoundedSet {
    fn contains(&self, url: &str) -> bool {
        self.set.contains(url)
    }

    fn insert(&mut self, url: &str) {
        if self.set.contains(url) {
            return;
        }
        if self.order.len() >= CAPACITY
            && let Some(oldest) = self.order.pop_front()
        {
            self.set.remove(&oldest);
        }
        self.set.insert(url.to_owned());
        self.order.push_back(url.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_urls_passed_to_web_clients_are_permitted() {
        let mut t = UrlTracker::default();
        let from_topcat = Message::new("table.load.votable")
            .param("url", "file:///tmp/t.vot")
            .param("name", "not a url");
        t.note_to_web(&from_topcat);
        assert!(t.permits("file:///tmp/t.vot"));
        assert!(!t.permits("file:///etc/passwd"));
        assert!(!t.permits("not a url"));
        // A URL a web client mentions first stays blocked, even when passed back later.
        let from_page = Message::new("table.load.votable").param("url", "FILE:///etc/shadow");
        t.note_from_web(&from_page);
        t.note_to_web(&from_page);
        assert!(!t.permits("FILE:///etc/shadow"));
    }

    #[test]
    fn the_sets_are_bounded() {
        let mut t = UrlTracker::default();
        for n in 0..CAPACITY + 10 {
            t.note_to_web(&Value::from(format!("http://h/{n}")));
        }
        assert!(!t.permits("http://h/0"));
        assert!(t.permits(&format!("http://h/{}", CAPACITY + 9)));
        assert_eq!(t.permitted.set.len(), CAPACITY);
    }
}
