//! SAMP strings to Rust values: the [`Text`] a deserializer hands on (moved or lent) and
//! the deserializer for string values and map keys, which parses scalars with the SAMP
//! encodings.

use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Visitor};

use super::ConvertError;
use super::error::describe_str;
use crate::encoding::{self, SampInt, parse_bool, parse_float, parse_float_f32};

type Result<T> = std::result::Result<T, ConvertError>;

/// Text that can be handed to a visitor: moved (`String`) or lent for `'de` (`&'de str`).
pub(crate) trait Text<'de> {
    fn as_str(&self) -> &str;
    /// Gives the text to the visitor, by move or by `'de` borrow.
    fn visit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value>;
    /// Gives the text to the visitor without consuming it (a `'de` borrow if there is one).
    fn visit_ref<V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value>;
}

impl<'de> Text<'de> for String {
    fn as_str(&self) -> &str {
        self
    }
    fn visit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_string(self)
    }
    fn visit_ref<V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value> {
        visitor.visit_str(self)
    }
}

impl<'de> Text<'de> for &'de str {
    fn as_str(&self) -> &str {
        self
    }
    fn visit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_borrowed_str(self)
    }
    fn visit_ref<V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value> {
        visitor.visit_borrowed_str(self)
    }
}

/// Lends another [`Text`] without giving it up, so a map key stays available for paths.
pub(super) struct Lent<'a, S>(pub(super) &'a S);

impl<'de, S: Text<'de>> Text<'de> for Lent<'_, S> {
    fn as_str(&self) -> &str {
        self.0.as_str()
    }
    fn visit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.0.visit_ref(visitor)
    }
    fn visit_ref<V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value> {
        self.0.visit_ref(visitor)
    }
}

/// Deserializes from a SAMP string: scalars are parsed with the SAMP encodings.
///
/// Used for string values and for map keys (so `BTreeMap<u32, _>` keys are SAMP ints).
pub(crate) struct TextDeserializer<'de, S> {
    text: S,
    marker: PhantomData<&'de ()>,
}

impl<'de, S: Text<'de>> TextDeserializer<'de, S> {
    pub(super) fn new(text: S) -> Self {
        TextDeserializer {
            text,
            marker: PhantomData,
        }
    }

    fn int<T: SampInt>(&self) -> Result<T> {
        Ok(encoding::parse_int_as::<T>(self.text.as_str())?)
    }

    fn wrong(&self, what: &str) -> ConvertError {
        ConvertError::expected(what, describe_str(self.text.as_str()))
    }
}

macro_rules! text_int {
    ($($method:ident $visit:ident $t:ty;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            visitor.$visit(self.int::<$t>()?)
        }
    )*};
}

impl<'de, S: Text<'de>> de::Deserializer<'de> for TextDeserializer<'de, S> {
    type Error = ConvertError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.text.visit(visitor)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_bool(parse_bool(self.text.as_str())?)
    }

    text_int! {
        deserialize_i8 visit_i8 i8;
        deserialize_i16 visit_i16 i16;
        deserialize_i32 visit_i32 i32;
        deserialize_i64 visit_i64 i64;
        deserialize_i128 visit_i128 i128;
        deserialize_u8 visit_u8 u8;
        deserialize_u16 visit_u16 u16;
        deserialize_u32 visit_u32 u32;
        deserialize_u64 visit_u64 u64;
        deserialize_u128 visit_u128 u128;
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_f32(parse_float_f32(self.text.as_str())?)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_f64(parse_float(self.text.as_str())?)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let mut chars = self.text.as_str().chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => visitor.visit_char(c),
            _ => Err(self.wrong("a single character")),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.text.visit(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.text.visit(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.text.visit(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.text.visit(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.text.visit(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_some(self)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.text.as_str().is_empty() {
            visitor.visit_unit()
        } else {
            Err(self.wrong("an empty SAMP map or empty string"))
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

    fn deserialize_seq<V: Visitor<'de>>(self, _: V) -> Result<V::Value> {
        Err(self.wrong("a SAMP list"))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, _: V) -> Result<V::Value> {
        Err(self.wrong("a SAMP list"))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        _: V,
    ) -> Result<V::Value> {
        Err(self.wrong("a SAMP list"))
    }

    fn deserialize_map<V: Visitor<'de>>(self, _: V) -> Result<V::Value> {
        Err(self.wrong("a SAMP map"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        _: V,
    ) -> Result<V::Value> {
        Err(self.wrong("a SAMP map"))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_enum(UnitVariant { text: self.text })
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_unit()
    }
}

/// An enum given as a bare string: only unit variants fit.
struct UnitVariant<S> {
    text: S,
}

impl<'de, S: Text<'de>> de::EnumAccess<'de> for UnitVariant<S> {
    type Error = ConvertError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self)> {
        let tag = seed.deserialize(TextDeserializer::new(Lent(&self.text)))?;
        Ok((tag, self))
    }
}

impl<'de, S: Text<'de>> UnitVariant<S> {
    fn bare(&self, what: &str) -> ConvertError {
        ConvertError::new(format_args!(
            "expected {what} `{}` as a single-key map, found a bare variant name",
            self.text.as_str()
        ))
    }
}

impl<'de, S: Text<'de>> de::VariantAccess<'de> for UnitVariant<S> {
    type Error = ConvertError;

    fn unit_variant(self) -> Result<()> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, _: T) -> Result<T::Value> {
        Err(self.bare("newtype variant"))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, _: V) -> Result<V::Value> {
        Err(self.bare("tuple variant"))
    }

    fn struct_variant<V: Visitor<'de>>(self, _: &'static [&'static str], _: V) -> Result<V::Value> {
        Err(self.bare("struct variant"))
    }
}
