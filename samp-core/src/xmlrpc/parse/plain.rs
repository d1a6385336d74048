//! Array items in their commonest shape, read straight from the bytes: a 1,000,000-row
//! `row-list` is a million `<value><string>123</string></value>`, and going through the
//! XML reader's five events for each costs more than everything else in the document.
//!
//! Only items that mean the same however they are read are taken here — a string or an
//! untyped value whose text has no markup, reference, `>` or carriage return and only
//! characters XML 1.0 allows. Anything else, and any error, is left to the event loop,
//! which then reads from that item on exactly as it would have.

use super::{Parser, forbidden_at, is_xml_space};
use crate::value::Value;
use crate::xmlrpc::MAX_DEPTH;

/// The text of a plain item at the start of `bytes` and the length of the item.
fn plain_item(bytes: &[u8]) -> Option<(&[u8], usize)> {
    let inner = bytes.strip_prefix(b"<value>")?;
    let (inner, close): (&[u8], &[u8]) = match inner.strip_prefix(b"<string>") {
        Some(inner) => (inner, b"</string></value>"),
        None => (inner, b"</value>"),
    };
    let n = inner
        .iter()
        .position(|b| matches!(b, b'<' | b'&' | b'>' | b'\r'))?;
    let after = inner[n..].strip_prefix(close)?;
    Some((&inner[..n], bytes.len() - after.len()))
}

impl<'a> Parser<'a> {
    /// Moves the reader past the plain items that come next in an array's `<data>` (at
    /// `depth`), each handed to `take` as its text.
    fn plain_items(&mut self, depth: usize, mut take: impl FnMut(&'a str)) {
        if depth > MAX_DEPTH {
            return;
        }
        let mut rest: &'a [u8] = self.reader.get_ref();
        loop {
            let spaces = rest.iter().take_while(|b| is_xml_space(**b)).count();
            let Some((text, len)) = plain_item(&rest[spaces..]) else {
                break;
            };
            // Cut at ASCII bytes of a document checked as UTF-8 as a whole.
            let Ok(text) = std::str::from_utf8(text) else {
                break;
            };
            if forbidden_at(text).is_some() {
                break;
            }
            take(text);
            rest = &rest[spaces + len..];
        }
        *self.reader.get_mut() = rest;
    }

    /// [`Self::plain_items`] into values.
    pub(super) fn plain_values(&mut self, depth: usize, items: &mut Vec<Value>) {
        self.plain_items(depth, |text| items.push(Value::String(text.to_owned())));
    }

    /// [`Self::plain_items`], keeping nothing: the hub only checks them.
    pub(super) fn skip_plain(&mut self, depth: usize) {
        self.plain_items(depth, |_| {});
    }
}

#[cfg(test)]
mod tests {
    use super::plain_item;

    #[test]
    fn plain_items_and_what_is_left_to_the_reader() {
        let item = |s: &str| plain_item(s.as_bytes()).map(|(t, n)| (t.to_vec(), n));
        assert_eq!(
            item("<value><string>12</string></value><value>"),
            Some((b"12".to_vec(), 34))
        );
        assert_eq!(item("<value>a b</value>"), Some((b"a b".to_vec(), 18)));
        assert_eq!(item("<value></value>"), Some((Vec::new(), 15)));
        for left in [
            "<value><string>a&amp;b</string></value>",
            "<value><string>a\r</string></value>",
            "<value><string>]]></string></value>",
            "<value><int>1</int></value>",
            "<value> <string>1</string></value>",
            "<value><string>1</string> </value>",
            "<value/>",
            "<value><string>1</string></value",
            "</data>",
        ] {
            assert_eq!(item(left), None, "{left}");
        }
    }
}

#[cfg(test)]
mod mixed {
    use bytes::Bytes;

    use crate::value::Value;
    use crate::xmlrpc::{Param, parse_call, parse_call_keeping};

    fn doc(data: &str) -> String {
        format!(
            "<?xml version=\"1.0\"?><methodCall><methodName>m</methodName><params>\
             <param><value><array><data>{data}</data></array></value></param>\
             </params></methodCall>"
        )
    }

    fn list(data: &str) -> Result<Vec<Value>, String> {
        let call = parse_call(doc(data).as_bytes()).map_err(|e| e.to_string())?;
        match call.params.into_iter().next() {
            Some(Value::List(items)) => Ok(items),
            other => panic!("not a list: {other:?}"),
        }
    }

    fn s(text: &str) -> Value {
        Value::from(text)
    }

    #[test]
    fn plain_items_beside_every_other_kind_read_as_before() {
        let data = "<value><string>1</string></value><value>two</value>\n  \
                    <value><string>a&amp;b</string></value><value><int> 3 </int></value>\
                    <value><string>4</string></value><value/><value></value>\
                    <value><array><data><value>in</value><value>ner</value></data></array></value>\
                    <value><string>x\r\ny</string></value><value> <string>5</string> </value>\
                    <value><string>6</string></value>";
        let inner = Value::List(vec![s("in"), s("ner")]);
        let want = vec![
            s("1"),
            s("two"),
            s("a&b"),
            s("3"),
            s("4"),
            s(""),
            s(""),
            inner,
            s("x\ny"),
            s("5"),
            s("6"),
        ];
        assert_eq!(list(data).unwrap(), want);
        // The hub reads it (an `<int>` is read anew, to be written as a string) to the same.
        let body = Bytes::from(doc(data));
        let (_, params) = parse_call_keeping(&body, &|_, _| true).unwrap();
        assert!(matches!(&params[0], Param::Value(Value::List(l)) if *l == want));
        // Without it the hub checks the document without reading it, and keeps it.
        let data = data.replace("<value><int> 3 </int></value>", "");
        let body = Bytes::from(doc(&data));
        let (_, params) = parse_call_keeping(&body, &|_, _| true).unwrap();
        assert!(matches!(&params[0], Param::Kept(_)), "{params:?}");
    }

    #[test]
    fn errors_after_plain_items_are_found_and_placed() {
        let data = "<value><string>1</string></value><value><string>2</string></value>";
        let bad = format!("{data}<value><string>3</strin></value>");
        let err = list(&bad).unwrap_err();
        // The reader stopped at the end tag that does not match, counted from the start.
        let at = doc(&bad).find("</strin>").unwrap() + "</strin>".len();
        assert!(err.contains(&format!("near byte {at})")), "{err}");
        // A control character in a plain-looking item is still refused.
        assert!(list(&format!("{data}<value>\u{1}</value>")).is_err());
        let body = Bytes::from(doc(&format!("{data}<value>\u{1}</value>")));
        assert!(parse_call_keeping(&body, &|_, _| true).is_err());
        // As is an unclosed document.
        assert!(parse_call(format!("<methodCall><methodName>m</methodName><params><param><value><array><data>{data}").as_bytes()).is_err());
    }
}
