//! Identifier newtypes, so a client id can't be passed where a msg-id or private key is
//! expected (SAMP.md §2.1).
//!
//! All of them are opaque strings: nothing here checks their contents.
//! [`PrivateKey`] and [`Secret`] are credentials, so they print as `<redacted>` in `Debug`
//! and have no `Display`; call `expose()` when the text is really needed.

use std::borrow::Borrow;
use std::fmt;

use crate::Value;
use crate::xmlrpc::{WriteError, WriteValue, write_string};

/// Defines the shared part of every id newtype: constructors, accessors, conversions.
macro_rules! id_common {
    ($name:ident) => {
        impl $name {
            /// Wraps the text as-is; no validation (SAMP ids are opaque).
            pub fn new(text: impl Into<String>) -> Self {
                Self(text.into())
            }

            /// Unwraps into the owned text.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                Self(text)
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                Self(text.to_owned())
            }
        }

        // Hash/Eq/Ord are derived from the single `String` field, so they agree with
        // `str`'s: `HashMap<$name, _>` can be looked up with a `&str`.
        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

/// Defines a public (non-secret) id: `as_str`, `Display`, `AsRef<str>`, `Into<Value>`.
macro_rules! public_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        id_common!($name);

        impl $name {
            /// The id's text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<$name> for Value {
            fn from(id: $name) -> Value {
                Value::String(id.0)
            }
        }

        impl From<&$name> for Value {
            fn from(id: &$name) -> Value {
                Value::String(id.0.clone())
            }
        }

        impl WriteValue for $name {
            fn write_value(&self, out: &mut String) -> Result<(), WriteError> {
                write_string(out, &self.0)
            }
        }
    };
}

/// Defines a credential: redacted `Debug`, no `Display`, `expose()` and `generate()`.
macro_rules! secret_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        id_common!($name);

        impl $name {
            /// The secret text. Named `expose` so that every place that leaks it is greppable.
            pub fn expose(&self) -> &str {
                &self.0
            }

            /// Alias of [`expose`](Self::expose), for code generic over the id types.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// A fresh unguessable value: the prefix
            #[doc = concat!("`", $prefix, "`")]
            /// followed by 24 random alphanumerics (~142 bits from the thread-local CSPRNG).
            pub fn generate() -> Self {
                use rand::Rng as _;
                let tail: String = rand::rng()
                    .sample_iter(rand::distr::Alphanumeric)
                    .take(24)
                    .map(char::from)
                    .collect();
                Self(format!("{}{tail}", $prefix))
            }

            /// Compares with `candidate` in time independent of where they differ, so a
            /// caller probing the hub can't learn the value byte by byte from timings.
            pub fn matches(&self, candidate: &str) -> bool {
                let (a, b) = (self.0.as_bytes(), candidate.as_bytes());
                if a.len() != b.len() {
                    return false;
                }
                a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }

        /// Written in clear: a credential goes into a document only to be sent to the
        /// party it identifies to.
        impl WriteValue for $name {
            fn write_value(&self, out: &mut String) -> Result<(), WriteError> {
                write_string(out, &self.0)
            }
        }
    };
}

public_id!(
    /// A client's public id, assigned by the hub at registration (`samp.self-id`,
    /// `sender-id`, `recipient-id`, ...).
    ///
    /// ```
    /// use samp_protocol::ClientId;
    /// let id = ClientId::new("c1");
    /// assert_eq!(id.to_string(), "c1");
    /// let table: std::collections::HashMap<ClientId, u32> = [(id, 1)].into();
    /// assert_eq!(table.get("c1"), Some(&1)); // lookup by &str via Borrow<str>
    /// ```
    ClientId
);

public_id!(
    /// A message id, made by the hub for each call and passed back in `reply`.
    ///
    /// ```
    /// use samp_protocol::MsgId;
    /// assert_eq!(MsgId::from("m-17").as_str(), "m-17");
    /// ```
    MsgId
);

public_id!(
    /// A message tag, chosen by the sender of a call and echoed back with the response.
    ///
    /// ```
    /// use samp_protocol::MsgTag;
    /// assert_eq!(MsgTag::new(String::from("t1")).into_string(), "t1");
    /// ```
    MsgTag
);

secret_id!(
    /// A client's private key: proves the caller's identity on every hub call, so it is
    /// never printed.
    ///
    /// ```
    /// use samp_protocol::PrivateKey;
    /// let key = PrivateKey::new("k:abc");
    /// assert_eq!(format!("{key:?}"), "PrivateKey(<redacted>)");
    /// assert_eq!(key.expose(), "k:abc");
    /// assert!(PrivateKey::generate().expose().starts_with("k:"));
    /// ```
    PrivateKey,
    "k:"
);

secret_id!(
    /// The Standard Profile lockfile secret (`samp.secret`): whoever knows it may register,
    /// so it is never printed.
    ///
    /// ```
    /// use samp_protocol::Secret;
    /// let s = Secret::new("6a3f0c19be2d44e1");
    /// assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
    /// assert!(s.matches("6a3f0c19be2d44e1"));
    /// assert!(!s.matches("6a3f0c19be2d44e2"));
    /// ```
    Secret,
    "s:"
);

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, HashMap};

    #[test]
    fn public_ids_display_and_convert() {
        let c = ClientId::from(String::from("c7"));
        assert_eq!(format!("{c}"), "c7");
        assert_eq!(format!("{c:?}"), "ClientId(\"c7\")");
        assert_eq!(Value::from(&c), Value::from("c7"));
        assert_eq!(c.clone().into_string(), "c7");
        assert_eq!(MsgTag::from("x").as_ref(), "x");
        assert!(MsgId::new("a") < MsgId::new("b"));
    }

    #[test]
    fn lookups_by_str() {
        let mut h: HashMap<PrivateKey, ClientId> = HashMap::new();
        h.insert(PrivateKey::new("k:1"), ClientId::new("c1"));
        assert_eq!(h.get("k:1").map(ClientId::as_str), Some("c1"));
        let b: BTreeMap<MsgId, u8> = [(MsgId::new("m"), 3)].into();
        assert_eq!(b.get("m"), Some(&3));
    }

    #[test]
    fn secrets_are_redacted() {
        let k = PrivateKey::new("k:topsecret");
        let s = Secret::new("topsecret");
        assert_eq!(format!("{k:?}"), "PrivateKey(<redacted>)");
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
        assert_eq!(format!("{:?}", Some(&k)), "Some(PrivateKey(<redacted>))");
        assert_eq!(k.expose(), "k:topsecret");
        assert_eq!(s.as_str(), "topsecret");
    }

    #[test]
    fn generated_secrets_differ() {
        let a = Secret::generate();
        let b = Secret::generate();
        assert_ne!(a, b);
        assert_eq!(a.expose().len(), 26);
        assert!(a.expose().starts_with("s:"));
        assert!(a.expose()[2..].bytes().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn constant_time_match() {
        let s = Secret::new("abc");
        assert!(s.matches("abc"));
        assert!(!s.matches("abd"));
        assert!(!s.matches("ab"));
        assert!(!s.matches(""));
        assert!(Secret::new("").matches(""));
    }
}
