//! The macros that define the vocabulary's types. Serde's `#[serde(flatten)]` would buffer
//! the params and lose the SAMP number encodings, so the (de)serializers are written out
//! here: known keys to fields, every other key to `extra`.

/// A params or result struct: fields, `new(required..)`, a setter per optional field, and
/// serde impls keyed by the vocabulary's spellings.
macro_rules! vocab_struct {
    (
        $(#[$doc:meta])*
        $name:ident {
            required { $( $(#[$rdoc:meta])* $req:ident : $rty:ty = $rkey:literal, )* }
            optional { $( $(#[$odoc:meta])* $opt:ident : $oty:ty = $okey:literal, )* }
        }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub struct $name {
            $( $(#[$rdoc])* pub $req: $rty, )*
            $( $(#[$odoc])* pub $opt: Option<$oty>, )*
            /// Keys outside the vocabulary, kept as they were sent.
            pub extra: $crate::Map,
        }

        impl $name {
            /// The keys this type knows, as spelled on the wire.
            pub const KEYS: &'static [&'static str] = &[$($rkey,)* $($okey,)*];

            /// A value with the required keys, no optional ones and no extras.
            #[allow(clippy::new_without_default)]
            pub fn new($($req: impl Into<$rty>),*) -> Self {
                $name {
                    $( $req: $req.into(), )*
                    $( $opt: None, )*
                    extra: $crate::Map::new(),
                }
            }

            $(
                #[doc = concat!("Sets `", $okey, "`.")]
                pub fn $opt(mut self, value: impl Into<$oty>) -> Self {
                    self.$opt = Some(value.into());
                    self
                }
            )*

            /// Adds a key outside the vocabulary (prefix it with something you own).
            pub fn with_extra(
                mut self,
                key: impl Into<String>,
                value: impl Into<$crate::Value>,
            ) -> Self {
                self.extra.insert(key.into(), value.into());
                self
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap as _;
                let mut __map = serializer.serialize_map(None)?;
                $( __map.serialize_entry($rkey, &self.$req)?; )*
                $(
                    if let Some(value) = &self.$opt {
                        __map.serialize_entry($okey, value)?;
                    }
                )*
                for (key, value) in &self.extra {
                    if !Self::KEYS.contains(&key.as_str()) {
                        __map.serialize_entry(key, value)?;
                    }
                }
                __map.end()
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct __Visitor;
                impl<'de> serde::de::Visitor<'de> for __Visitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(concat!("the params map of ", stringify!($name)))
                    }

                    #[allow(unused_mut)]
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut __access: A,
                    ) -> Result<$name, A::Error> {
                        $( let mut $req: Option<$rty> = None; )*
                        $( let mut $opt: Option<$oty> = None; )*
                        let mut __extra = $crate::Map::new();
                        while let Some(__key) = __access.next_key::<String>()? {
                            match __key.as_str() {
                                $( $rkey => $req = Some(__access.next_value()?), )*
                                $( $okey => $opt = Some(__access.next_value()?), )*
                                _ => {
                                    let __value: $crate::Value = __access.next_value()?;
                                    __extra.insert(__key, __value);
                                }
                            }
                        }
                        Ok($name {
                            $(
                                $req: $req
                                    .ok_or_else(|| serde::de::Error::missing_field($rkey))?,
                            )*
                            $( $opt, )*
                            extra: __extra,
                        })
                    }
                }
                deserializer.deserialize_map(__Visitor)
            }
        }
    };
}

/// A vocabulary MType: its params struct, `MTYPE`, and the [`MessageType`] impl.
///
/// [`MessageType`]: super::MessageType
macro_rules! vocabulary {
    (
        $(#[$doc:meta])*
        $name:ident = $mtype:literal -> $result:ty {
            required { $($required:tt)* }
            optional { $($optional:tt)* }
        }
    ) => {
        vocab_struct! {
            $(#[$doc])*
            #[doc = ""]
            #[doc = concat!("MType `", $mtype, "`.")]
            $name {
                required { $($required)* }
                optional { $($optional)* }
            }
        }

        impl $name {
            /// The MType.
            pub const MTYPE: &'static str = $mtype;
        }

        impl $crate::mtypes::MessageType for $name {
            const MTYPE: &'static str = $mtype;
            type Result = $result;
        }
    };
}
