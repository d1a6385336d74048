//! [`Value`]s to Rust values.
//!
//! One deserializer serves both owned values (strings are moved into the target) and
//! borrowed ones (strings are lent to the target, so `&str` fields work). The difference is
//! confined to the [`Input`] and [`Text`] traits. Every error leaving a map value or list
//! element gets that key or index put in front of its path.

use std::collections::btree_map;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Visitor};

use super::ConvertError;
use super::error::{describe, describe_str};
use super::text::{Lent, Text, TextDeserializer};
use crate::value::Value;

type Result<T> = std::result::Result<T, ConvertError>;

/// A value taken apart.
pub(crate) enum Shape<S, L, M> {
    Str(S),
    List(L),
    Map(M),
}

/// A [`Value`], owned or borrowed for `'de`.
pub(crate) trait Input<'de>: Sized {
    type Str: Text<'de>;
    type Items: ExactSizeIterator<Item = Self>;
    type Entries: ExactSizeIterator<Item = (Self::Str, Self)>;
    fn peek(&self) -> &Value;
    fn unpack(self) -> Shape<Self::Str, Self::Items, Self::Entries>;
}

impl<'de> Input<'de> for Value {
    type Str = String;
    type Items = std::vec::IntoIter<Value>;
    type Entries = btree_map::IntoIter<String, Value>;
    fn peek(&self) -> &Value {
        self
    }
    fn unpack(self) -> Shape<String, Self::Items, Self::Entries> {
        match self {
            Value::String(s) => Shape::Str(s),
            Value::List(l) => Shape::List(l.into_iter()),
            Value::Map(m) => Shape::Map(m.into_iter()),
        }
    }
}

/// The entries of a borrowed map, keys as `&'de str`.
pub(crate) struct BorrowedEntries<'de>(btree_map::Iter<'de, String, Value>);

impl<'de> Iterator for BorrowedEntries<'de> {
    type Item = (&'de str, &'de Value);
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k.as_str(), v))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl ExactSizeIterator for BorrowedEntries<'_> {}

impl<'de> Input<'de> for &'de Value {
    type Str = &'de str;
    type Items = std::slice::Iter<'de, Value>;
    type Entries = BorrowedEntries<'de>;
    fn peek(&self) -> &Value {
        self
    }
    fn unpack(self) -> Shape<&'de str, Self::Items, Self::Entries> {
        match self {
            Value::String(s) => Shape::Str(s.as_str()),
            Value::List(l) => Shape::List(l.iter()),
            Value::Map(m) => Shape::Map(BorrowedEntries(m.iter())),
        }
    }
}

/// Deserializes from a whole [`Value`].
pub(crate) struct Deserializer<'de, I> {
    input: I,
    marker: PhantomData<&'de ()>,
}

impl<'de, I: Input<'de>> Deserializer<'de, I> {
    pub(crate) fn new(input: I) -> Self {
        Deserializer {
            input,
            marker: PhantomData,
        }
    }

    /// The string inside, or a wrong-shape error.
    fn text(self) -> Result<TextDeserializer<'de, I::Str>> {
        match self.input.unpack() {
            Shape::Str(s) => Ok(TextDeserializer::new(s)),
            other => Err(ConvertError::expected("a SAMP string", other.describe())),
        }
    }
}

impl<'de, S: Text<'de>, L, M> Shape<S, L, M> {
    /// Like [`describe`], for a value already taken apart.
    fn describe(&self) -> String {
        match self {
            Shape::Str(s) => describe_str(s.as_str()),
            Shape::List(_) => "a list".to_owned(),
            Shape::Map(_) => "a map".to_owned(),
        }
    }
}

/// Visits a list, checking that the visitor took all of it.
fn visit_list<'de, I: Input<'de>, V: Visitor<'de>>(list: I::Items, visitor: V) -> Result<V::Value> {
    let len = list.len();
    let mut access = SeqAccess::<'de, I> {
        iter: list,
        index: 0,
        marker: PhantomData,
    };
    let value = visitor.visit_seq(&mut access)?;
    if access.iter.len() == 0 {
        Ok(value)
    } else {
        Err(de::Error::invalid_length(
            len,
            &"fewer elements in the list",
        ))
    }
}

/// Visits a map, checking that the visitor took all of it.
fn visit_map<'de, I: Input<'de>, V: Visitor<'de>>(map: I::Entries, visitor: V) -> Result<V::Value> {
    let len = map.len();
    let mut access = MapAccess::<'de, I> {
        iter: map,
        pending: None,
    };
    let value = visitor.visit_map(&mut access)?;
    if access.iter.len() == 0 {
        Ok(value)
    } else {
        Err(de::Error::invalid_length(len, &"fewer entries in the map"))
    }
}

/// Forwards scalar requests to the [`TextDeserializer`] of the string inside.
macro_rules! via_text {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            self.text()?.$method(visitor)
        }
    )*};
}

impl<'de, I: Input<'de>> de::Deserializer<'de> for Deserializer<'de, I> {
    type Error = ConvertError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.input.unpack() {
            Shape::Str(s) => s.visit(visitor),
            Shape::List(l) => visit_list::<I, V>(l, visitor),
            Shape::Map(m) => visit_map::<I, V>(m, visitor),
        }
    }

    via_text! {
        deserialize_bool
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64 deserialize_char
        deserialize_str deserialize_string deserialize_identifier
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_any(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_any(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        // A present value is always Some: absence is the only SAMP spelling of None.
        visitor.visit_some(self)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.input.peek() {
            Value::Map(m) if m.is_empty() => visitor.visit_unit(),
            Value::String(s) if s.is_empty() => visitor.visit_unit(),
            other => Err(ConvertError::expected(
                "an empty SAMP map or empty string",
                describe(other),
            )),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.input.unpack() {
            Shape::List(l) => visit_list::<I, V>(l, visitor),
            other => Err(ConvertError::expected("a SAMP list", other.describe())),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.input.unpack() {
            Shape::Map(m) => visit_map::<I, V>(m, visitor),
            other => Err(ConvertError::expected("a SAMP map", other.describe())),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        const EXPECTED: &str =
            "a SAMP string (unit variant) or a single-key map (variant with content)";
        match self.input.unpack() {
            Shape::Str(s) => visitor.visit_enum(EnumAccess::<'de, I> {
                variant: s,
                content: None,
            }),
            Shape::Map(mut m) if m.len() == 1 => match m.next() {
                Some((variant, content)) => visitor.visit_enum(EnumAccess::<'de, I> {
                    variant,
                    content: Some(content),
                }),
                None => Err(ConvertError::expected(EXPECTED, "an empty map")),
            },
            Shape::Map(m) => Err(ConvertError::expected(
                EXPECTED,
                format_args!("a map with {} keys", m.len()),
            )),
            Shape::List(_) => Err(ConvertError::expected(EXPECTED, "a list")),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_unit()
    }
}

struct SeqAccess<'de, I: Input<'de>> {
    iter: I::Items,
    index: usize,
    marker: PhantomData<&'de ()>,
}

impl<'de, I: Input<'de>> de::SeqAccess<'de> for SeqAccess<'de, I> {
    type Error = ConvertError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        let Some(item) = self.iter.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        seed.deserialize(Deserializer::new(item))
            .map(Some)
            .map_err(|e| e.with_index(index))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

struct MapAccess<'de, I: Input<'de>> {
    iter: I::Entries,
    pending: Option<(I::Str, I)>,
}

impl<'de, I: Input<'de>> de::MapAccess<'de> for MapAccess<'de, I> {
    type Error = ConvertError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        let Some((key, value)) = self.iter.next() else {
            return Ok(None);
        };
        let out = seed
            .deserialize(TextDeserializer::new(Lent(&key)))
            .map_err(|e| e.with_key(key.as_str()))?;
        self.pending = Some((key, value));
        Ok(Some(out))
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value> {
        let (key, value) = self
            .pending
            .take()
            .ok_or_else(|| ConvertError::new("map value requested before its key"))?;
        seed.deserialize(Deserializer::new(value))
            .map_err(|e| e.with_key(key.as_str()))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

/// An enum: a bare variant name, or a variant name with its content.
struct EnumAccess<'de, I: Input<'de>> {
    variant: I::Str,
    content: Option<I>,
}

impl<'de, I: Input<'de>> de::EnumAccess<'de> for EnumAccess<'de, I> {
    type Error = ConvertError;
    type Variant = VariantAccess<'de, I>;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self::Variant)> {
        let tag = seed.deserialize(TextDeserializer::new(Lent(&self.variant)))?;
        Ok((
            tag,
            VariantAccess {
                variant: self.variant,
                content: self.content,
            },
        ))
    }
}

struct VariantAccess<'de, I: Input<'de>> {
    variant: I::Str,
    content: Option<I>,
}

impl<'de, I: Input<'de>> VariantAccess<'de, I> {
    /// The content of a variant that must have some.
    fn content(self, what: &str) -> Result<(I::Str, I)> {
        match self.content {
            Some(c) => Ok((self.variant, c)),
            None => Err(ConvertError::new(format_args!(
                "expected {what} `{}` as a single-key map, found a bare variant name",
                self.variant.as_str()
            ))),
        }
    }
}

impl<'de, I: Input<'de>> de::VariantAccess<'de> for VariantAccess<'de, I> {
    type Error = ConvertError;

    fn unit_variant(self) -> Result<()> {
        match self.content {
            None => Ok(()),
            Some(c) => de::Deserialize::deserialize(Deserializer::new(c))
                .map_err(|e: ConvertError| e.with_key(self.variant.as_str())),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        let (variant, content) = self.content("newtype variant")?;
        seed.deserialize(Deserializer::new(content))
            .map_err(|e| e.with_key(variant.as_str()))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value> {
        let (variant, content) = self.content("tuple variant")?;
        de::Deserializer::deserialize_seq(Deserializer::new(content), visitor)
            .map_err(|e| e.with_key(variant.as_str()))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        let (variant, content) = self.content("struct variant")?;
        de::Deserializer::deserialize_map(Deserializer::new(content), visitor)
            .map_err(|e| e.with_key(variant.as_str()))
    }
}
