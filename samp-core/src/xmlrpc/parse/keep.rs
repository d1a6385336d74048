//! Kept values: a `<value>` checked in the same pass as the rest (well-formed, XML 1.0
//! characters, depth) without building anything, and cut out of the document as it is.
//! A value a recipient might read otherwise than we do — a sloppy scalar type, a comment,
//! a processing instruction, an attribute, `]]>` in text — is read instead, to be written
//! anew.

use bytes::Bytes;
use quick_xml::events::Event;

use super::{El, Param, Parser, Tag, has_attributes, is_blank, is_xml_space, local};
use crate::xmlrpc::raw::{Kept, Member, MemberKind, RawValue};
use crate::xmlrpc::{MAX_DEPTH, XmlRpcError};

impl Parser<'_> {
    /// The value of a `<param>` whose start tag has been read, kept as it arrived if it can
    /// be forwarded unchanged, else read (from the same place) into a value.
    pub(super) fn kept_param(&mut self, body: &Bytes) -> Result<Param, XmlRpcError> {
        let saved = self.reader.clone();
        self.skip_space()?;
        let start = self.offset(body);
        let mut plain = true;
        self.attributes = false;
        let members = match self.next_tag()? {
            Tag::Start(El::Value) => self.skip_value_body(0, true, &mut plain)?,
            Tag::Empty(El::Value) => None,
            other => return Err(self.unexpected("<value>", &other)),
        };
        let end = self.offset(body);
        if !plain || self.attributes {
            // Something a recipient might read differently (a sloppy scalar type, a
            // comment or processing instruction inside): read it, to be written anew.
            self.reader = saved;
            return Ok(Param::Value(self.value_element(0)?));
        }
        Ok(Param::Kept(Kept {
            raw: RawValue::from_checked(body.slice(start..end)),
            members,
        }))
    }

    /// Where the reader is in `body`: counted from what is left, since the reader's own
    /// position does not count a byte order mark.
    fn offset(&self, body: &[u8]) -> usize {
        let rest: &[u8] = self.reader.get_ref();
        body.len() - rest.len()
    }

    /// Skips whitespace and comments before the next element.
    fn skip_space(&mut self) -> Result<(), XmlRpcError> {
        loop {
            let rest: &[u8] = self.reader.get_ref();
            let spaces = rest.iter().take_while(|b| is_xml_space(**b)).count();
            let after = &rest[spaces..];
            if spaces == 0 && !after.starts_with(b"<!") && !after.starts_with(b"<?") {
                return Ok(());
            }
            // What `next_tag` skips; anything else is its error, met when it reads on.
            match self.event()? {
                Event::Text(t) if is_blank(&t) => {}
                Event::Comment(_) | Event::PI(_) | Event::Decl(_) | Event::DocType(_) => {}
                Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => {
                    return Err(self.error("unexpected text between elements"));
                }
                _ => return Err(self.error("unexpected markup before <value>")),
            }
        }
    }

    /// Like [`value_body`](Self::value_body) but builds nothing. For the top level
    /// (`top`), returns the struct's members (`None` for a string or list). Clears `plain`
    /// when the value holds what a recipient could read otherwise than we do.
    fn skip_value_body(
        &mut self,
        depth: usize,
        top: bool,
        plain: &mut bool,
    ) -> Result<Option<Vec<Member>>, XmlRpcError> {
        if depth > MAX_DEPTH {
            return Err(self.error(format!("values nested deeper than {MAX_DEPTH}")));
        }
        let mut text_seen = false;
        loop {
            match self.event()? {
                Event::Text(t) => {
                    *plain &= !t.contains("]]>");
                    let t = t.xml10_content();
                    self.check_text(&t)?;
                    text_seen |= !is_blank(&t);
                }
                Event::CData(c) => {
                    let c = c.xml10_content();
                    self.check_text(&c)?;
                    text_seen |= !is_blank(&c);
                }
                Event::GeneralRef(r) => {
                    let c = self.reference(&r)?;
                    text_seen |= !(c.is_ascii() && is_xml_space(c as u8));
                }
                Event::Comment(_) | Event::PI(_) => *plain = false,
                Event::End(e) if e.local_name().as_ref() == "value" => return Ok(None),
                Event::Start(e) => {
                    if text_seen {
                        return Err(self.error("text beside a typed value"));
                    }
                    self.attributes |= has_attributes(&e);
                    let members = self.skip_typed(local(&e), depth, top, plain)?;
                    self.expect_end(El::Value)?;
                    return Ok(members);
                }
                Event::Empty(e) => {
                    self.attributes |= has_attributes(&e);
                    let members = match local(&e) {
                        El::String | El::Array => None,
                        El::Struct => Some(Vec::new()),
                        other => return Err(self.type_error(other, &e)),
                    };
                    self.expect_end(El::Value)?;
                    return Ok(members.filter(|_| top));
                }
                Event::End(_) => return Err(self.error("mismatched end tag inside <value>")),
                Event::Eof => return Err(self.error("document ends inside <value>")),
                Event::Decl(_) | Event::DocType(_) => {
                    return Err(self.error("declaration inside <value>"));
                }
            }
        }
    }

    /// Skips text up to `</end>`, checking it; returns it if `keep`.
    fn skip_text_until(
        &mut self,
        end: &str,
        keep: bool,
        plain: &mut bool,
    ) -> Result<Option<String>, XmlRpcError> {
        if keep {
            return self.text_until(end).map(Some);
        }
        loop {
            match self.event()? {
                Event::Text(t) => {
                    *plain &= !t.contains("]]>");
                    self.check_text(&t.xml10_content())?
                }
                Event::CData(c) => self.check_text(&c.xml10_content())?,
                Event::GeneralRef(r) => {
                    self.reference(&r)?;
                }
                Event::End(e) if e.local_name().as_ref() == end => return Ok(None),
                Event::Comment(_) | Event::PI(_) => *plain = false,
                Event::Eof => return Err(self.error("document ends inside an element")),
                _ => return Err(self.error("unexpected element inside a text element")),
            }
        }
    }

    fn skip_typed(
        &mut self,
        el: El,
        depth: usize,
        top: bool,
        plain: &mut bool,
    ) -> Result<Option<Vec<Member>>, XmlRpcError> {
        match el {
            El::String => {
                self.skip_text_until("string", false, plain)?;
                Ok(None)
            }
            El::Int | El::I4 | El::I8 | El::Double | El::DateTime | El::Boolean => {
                // Read as strings here; a recipient may read them as numbers.
                *plain = false;
                self.skip_text_until(el.name(), false, plain)?;
                Ok(None)
            }
            El::Struct => {
                let mut members = top.then(Vec::new);
                loop {
                    match self.next_tag()? {
                        Tag::Start(El::Member) => {
                            let name = self.member_name()?;
                            let kind =
                                self.skip_member_value(depth + 1, members.is_some(), plain)?;
                            self.expect_end(El::Member)?;
                            if let Some(members) = &mut members {
                                members.push(Member { name, kind });
                            }
                        }
                        Tag::End(El::Struct) => return Ok(members),
                        other => return Err(self.unexpected("<member> or </struct>", &other)),
                    }
                }
            }
            El::Array => {
                match self.next_tag()? {
                    Tag::Start(El::Data) => loop {
                        self.skip_plain(depth + 1);
                        match self.next_tag()? {
                            Tag::Start(El::Value) => {
                                self.skip_value_body(depth + 1, false, plain)?;
                            }
                            Tag::Empty(El::Value) => {}
                            Tag::End(El::Data) => break,
                            other => return Err(self.unexpected("<value> or </data>", &other)),
                        }
                    },
                    Tag::Empty(El::Data) => {}
                    other => return Err(self.unexpected("<data>", &other)),
                }
                self.expect_end(El::Array)?;
                Ok(None)
            }
            other => Err(self.type_error_name(other)),
        }
    }

    /// The `<value>` of a top-level member: its kind, with the text of a string.
    fn skip_member_value(
        &mut self,
        depth: usize,
        describe: bool,
        plain: &mut bool,
    ) -> Result<MemberKind, XmlRpcError> {
        if !describe {
            match self.next_tag()? {
                Tag::Start(El::Value) => {
                    self.skip_value_body(depth, false, plain)?;
                }
                Tag::Empty(El::Value) => {}
                other => return Err(self.unexpected("<value>", &other)),
            }
            return Ok(MemberKind::Other);
        }
        match self.next_tag()? {
            Tag::Empty(El::Value) => Ok(MemberKind::String(String::new())),
            Tag::Start(El::Value) => self.describe_value_body(depth, plain),
            other => Err(self.unexpected("<value>", &other)),
        }
    }

    /// A top-level member's value: a string read, a struct or list skipped.
    fn describe_value_body(
        &mut self,
        depth: usize,
        plain: &mut bool,
    ) -> Result<MemberKind, XmlRpcError> {
        let mut text = String::new();
        loop {
            match self.event()? {
                Event::Text(t) => self.push_text(&mut text, &t.xml10_content())?,
                Event::CData(c) => self.push_text(&mut text, &c.xml10_content())?,
                Event::GeneralRef(r) => text.push(self.reference(&r)?),
                Event::Comment(_) | Event::PI(_) => *plain = false,
                Event::End(e) if e.local_name().as_ref() == "value" => {
                    return Ok(MemberKind::String(text));
                }
                Event::Start(e) => {
                    if !is_blank(&text) {
                        return Err(self.error("text beside a typed value"));
                    }
                    self.attributes |= has_attributes(&e);
                    let el = local(&e);
                    let kind = match el {
                        El::String => MemberKind::String(self.text_until("string")?),
                        El::Struct => {
                            self.skip_typed(el, depth, false, plain)?;
                            MemberKind::Map
                        }
                        El::Array => {
                            self.skip_typed(el, depth, false, plain)?;
                            MemberKind::List
                        }
                        other => {
                            self.skip_typed(other, depth, false, plain)?;
                            MemberKind::Other
                        }
                    };
                    self.expect_end(El::Value)?;
                    return Ok(kind);
                }
                Event::Empty(e) => {
                    self.attributes |= has_attributes(&e);
                    let kind = match local(&e) {
                        El::String => MemberKind::String(String::new()),
                        El::Struct => MemberKind::Map,
                        El::Array => MemberKind::List,
                        other => return Err(self.type_error(other, &e)),
                    };
                    self.expect_end(El::Value)?;
                    return Ok(kind);
                }
                Event::End(_) => return Err(self.error("mismatched end tag inside <value>")),
                Event::Eof => return Err(self.error("document ends inside <value>")),
                Event::Decl(_) | Event::DocType(_) => {
                    return Err(self.error("declaration inside <value>"));
                }
            }
        }
    }
}
