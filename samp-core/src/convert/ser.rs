//! Rust values to [`Value`]s.
//!
//! The serializer's output is `Option<Value>`: `None` means "nothing to write", which a
//! struct field or map entry turns into a left-out key and everything else into an error,
//! since SAMP has no null.

use serde::ser::{self, Serialize};

use super::ConvertError;
use crate::encoding::{format_bool, format_float, format_float_f32};
use crate::value::{Map, Value};

type Result<T> = std::result::Result<T, ConvertError>;

/// Serializes into `Some(value)`, or `None` for `Option::None`.
pub(crate) struct Ser;

/// Turns "nothing to write" into the no-null error, for places that cannot leave it out.
fn required(v: Option<Value>) -> Result<Value> {
    v.ok_or_else(ConvertError::null)
}

fn single(key: &str, value: Value) -> Value {
    let mut map = Map::new();
    map.insert(key.to_owned(), value);
    Value::Map(map)
}

fn string(s: impl Into<String>) -> Result<Option<Value>> {
    Ok(Some(Value::String(s.into())))
}

impl ser::Serializer for Ser {
    type Ok = Option<Value>;
    type Error = ConvertError;
    type SerializeSeq = SeqSer;
    type SerializeTuple = SeqSer;
    type SerializeTupleStruct = SeqSer;
    type SerializeTupleVariant = VariantSeqSer;
    type SerializeMap = MapSer;
    type SerializeStruct = MapSer;
    type SerializeStructVariant = VariantMapSer;

    fn serialize_bool(self, v: bool) -> Result<Self::Ok> {
        string(format_bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Self::Ok> {
        string(v.to_string())
    }
    fn serialize_i16(self, v: i16) -> Result<Self::Ok> {
        string(v.to_string())
    }
    fn serialize_i32(self, v: i32) -> Result<Self::Ok> {
        string(v.to_string())
    }
    fn serialize_i64(self, v: i64) -> Result<Self::Ok> {
        string(v.to_string())
    }
    fn serialize_i128(self, v: i128) -> Result<Self::Ok> {
        string(v.to_string())
    }
    fn serialize_u8(self, v: u8) -> Result<Self::Ok> {
        string(v.to_string())
    }
    fn serialize_u16(self, v: u16) -> Result<Self::Ok> {
        string(v.to_string())
    }
    fn serialize_u32(self, v: u32) -> Result<Self::Ok> {
        string(v.to_string())
    }
    fn serialize_u64(self, v: u64) -> Result<Self::Ok> {
        string(v.to_string())
    }
    fn serialize_u128(self, v: u128) -> Result<Self::Ok> {
        string(v.to_string())
    }
    fn serialize_f32(self, v: f32) -> Result<Self::Ok> {
        string(format_float_f32(v)?)
    }
    fn serialize_f64(self, v: f64) -> Result<Self::Ok> {
        string(format_float(v)?)
    }
    fn serialize_char(self, v: char) -> Result<Self::Ok> {
        string(v)
    }
    fn serialize_str(self, v: &str) -> Result<Self::Ok> {
        string(v)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Self::Ok> {
        Err(ConvertError::new(
            "SAMP has no byte strings; use a list or base64 text",
        ))
    }
    fn serialize_none(self) -> Result<Self::Ok> {
        Ok(None)
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<Self::Ok> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Self::Ok> {
        Ok(Some(Value::empty_map()))
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Self::Ok> {
        Ok(Some(Value::empty_map()))
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Self::Ok> {
        string(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Self::Ok> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Self::Ok> {
        let inner = value
            .serialize(Ser)
            .and_then(required)
            .map_err(|e| e.with_key(variant))?;
        Ok(Some(single(variant, inner)))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq> {
        Ok(SeqSer {
            items: Vec::with_capacity(len.unwrap_or(0)),
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Ok(VariantSeqSer {
            variant,
            seq: SeqSer {
                items: Vec::with_capacity(len),
            },
        })
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap> {
        Ok(MapSer {
            map: Map::new(),
            key: None,
        })
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct> {
        self.serialize_map(None)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Ok(VariantMapSer {
            variant,
            map: MapSer {
                map: Map::new(),
                key: None,
            },
        })
    }
}

/// Builds a list; elements may not be `None`.
pub(crate) struct SeqSer {
    items: Vec<Value>,
}

impl SeqSer {
    fn push<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        let index = self.items.len();
        let item = value
            .serialize(Ser)
            .and_then(required)
            .map_err(|e| e.with_index(index))?;
        self.items.push(item);
        Ok(())
    }
}

impl ser::SerializeSeq for SeqSer {
    type Ok = Option<Value>;
    type Error = ConvertError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.push(value)
    }
    fn end(self) -> Result<Self::Ok> {
        Ok(Some(Value::List(self.items)))
    }
}

impl ser::SerializeTuple for SeqSer {
    type Ok = Option<Value>;
    type Error = ConvertError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.push(value)
    }
    fn end(self) -> Result<Self::Ok> {
        Ok(Some(Value::List(self.items)))
    }
}

impl ser::SerializeTupleStruct for SeqSer {
    type Ok = Option<Value>;
    type Error = ConvertError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.push(value)
    }
    fn end(self) -> Result<Self::Ok> {
        Ok(Some(Value::List(self.items)))
    }
}

/// A tuple variant: `{variant: [..]}`.
pub(crate) struct VariantSeqSer {
    variant: &'static str,
    seq: SeqSer,
}

impl ser::SerializeTupleVariant for VariantSeqSer {
    type Ok = Option<Value>;
    type Error = ConvertError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.seq.push(value).map_err(|e| e.with_key(self.variant))
    }
    fn end(self) -> Result<Self::Ok> {
        Ok(Some(single(self.variant, Value::List(self.seq.items))))
    }
}

/// Builds a map; an entry whose value is `None` is left out.
pub(crate) struct MapSer {
    map: Map,
    key: Option<String>,
}

impl MapSer {
    fn insert<T: ?Sized + Serialize>(&mut self, key: String, value: &T) -> Result<()> {
        match value.serialize(Ser) {
            Ok(Some(v)) => {
                self.map.insert(key, v);
                Ok(())
            }
            Ok(None) => Ok(()),
            Err(e) => Err(e.with_key(&key)),
        }
    }
}

impl ser::SerializeMap for MapSer {
    type Ok = Option<Value>;
    type Error = ConvertError;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<()> {
        self.key = Some(key.serialize(KeySer)?);
        Ok(())
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        let key = self
            .key
            .take()
            .ok_or_else(|| ConvertError::new("map value serialized before its key"))?;
        self.insert(key, value)
    }
    fn end(self) -> Result<Self::Ok> {
        Ok(Some(Value::Map(self.map)))
    }
}

impl ser::SerializeStruct for MapSer {
    type Ok = Option<Value>;
    type Error = ConvertError;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.insert(key.to_owned(), value)
    }
    fn end(self) -> Result<Self::Ok> {
        Ok(Some(Value::Map(self.map)))
    }
}

/// A struct variant: `{variant: {..}}`.
pub(crate) struct VariantMapSer {
    variant: &'static str,
    map: MapSer,
}

impl ser::SerializeStructVariant for VariantMapSer {
    type Ok = Option<Value>;
    type Error = ConvertError;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.map
            .insert(key.to_owned(), value)
            .map_err(|e| e.with_key(self.variant))
    }
    fn end(self) -> Result<Self::Ok> {
        Ok(Some(single(self.variant, Value::Map(self.map.map))))
    }
}

/// Serializes a map key: strings as they are, integers as SAMP ints, booleans as `0`/`1`.
struct KeySer;

fn key_error(found: &str) -> ConvertError {
    ConvertError::new(format_args!(
        "SAMP map keys must be strings (or integers or booleans), found {found}"
    ))
}

impl ser::Serializer for KeySer {
    type Ok = String;
    type Error = ConvertError;
    type SerializeSeq = ser::Impossible<String, ConvertError>;
    type SerializeTuple = ser::Impossible<String, ConvertError>;
    type SerializeTupleStruct = ser::Impossible<String, ConvertError>;
    type SerializeTupleVariant = ser::Impossible<String, ConvertError>;
    type SerializeMap = ser::Impossible<String, ConvertError>;
    type SerializeStruct = ser::Impossible<String, ConvertError>;
    type SerializeStructVariant = ser::Impossible<String, ConvertError>;

    fn serialize_bool(self, v: bool) -> Result<String> {
        Ok(format_bool(v).to_owned())
    }
    fn serialize_i8(self, v: i8) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_i16(self, v: i16) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_i32(self, v: i32) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_i64(self, v: i64) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_i128(self, v: i128) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_u8(self, v: u8) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_u16(self, v: u16) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_u32(self, v: u32) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_u64(self, v: u64) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_u128(self, v: u128) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_f32(self, _: f32) -> Result<String> {
        Err(key_error("a float"))
    }
    fn serialize_f64(self, _: f64) -> Result<String> {
        Err(key_error("a float"))
    }
    fn serialize_char(self, v: char) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_str(self, v: &str) -> Result<String> {
        Ok(v.to_owned())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<String> {
        Err(key_error("bytes"))
    }
    fn serialize_none(self) -> Result<String> {
        Err(key_error("None"))
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<String> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<String> {
        Err(key_error("a unit"))
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<String> {
        Err(key_error(name))
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<String> {
        Ok(variant.to_owned())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<String> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<String> {
        Err(key_error("an enum variant with content"))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(key_error("a list"))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple> {
        Err(key_error("a tuple"))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        Err(key_error("a tuple struct"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(key_error("an enum variant with content"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap> {
        Err(key_error("a map"))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct> {
        Err(key_error("a struct"))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(key_error("an enum variant with content"))
    }
}
