//! The SAMP MType vocabulary as types: one struct per MType (SAMP.md §6 and §8, the IVOA
//! `SampMTypes` list), named as the MType in UpperCamelCase with the dots dropped —
//! `table.load.votable` is [`TableLoadVotable`], `coord.pointAt.sky` is [`CoordPointAtSky`].
//!
//! Each has public fields for the vocabulary's keys (snake_case in Rust, spelled as the
//! vocabulary spells them on the wire), `Option` for the optional ones, typed numbers
//! (SAMP floats as `f64`, row indexes as `u64`), and an `extra` map that keeps every key
//! outside the vocabulary, so nothing a sender adds is lost. `new(..)` takes the required
//! keys and a method named after each optional key sets it:
//!
//! ```
//! use samp_protocol::mtypes::{MessageType, TableLoadVotable};
//! use samp_protocol::IntoMessage;
//!
//! let load = TableLoadVotable::new("file:///data/m31.xml").name("M31");
//! assert_eq!(TableLoadVotable::MTYPE, "table.load.votable");
//! let message = load.clone().into_message()?;
//! assert_eq!(message.mtype, "table.load.votable");
//! assert_eq!(message.get_str("url"), Some("file:///data/m31.xml"));
//! let back: TableLoadVotable = samp_protocol::convert::from_value(message.params.into())?;
//! assert_eq!(back, load);
//! # Ok::<(), samp_protocol::convert::ConvertError>(())
//! ```
//!
//! A call's typed result is [`MessageType::Result`]: `()` when the vocabulary defines none
//! (the result map is `{}`), else a struct such as [`ClientEnvGetResult`].

#[macro_use]
mod define;
mod admin;
mod client;
mod data;
mod sky;

pub use admin::*;
pub use client::*;
pub use data::*;
pub use sky::*;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A typed SAMP message: its MType, its params (the struct itself), and what a call of it
/// returns.
///
/// Implemented by every type in this module; implement it for an application's own MTypes
/// to send them with the same typed methods.
///
/// ```
/// use samp_protocol::mtypes::MessageType;
///
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Refresh { catalog: String }
///
/// impl MessageType for Refresh {
///     const MTYPE: &'static str = "x-myapp.refresh";
///     type Result = ();
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a typed SAMP message (it has no MType)",
    label = "no MType known for this type",
    note = "use a type from `samp::mtypes`, implement `samp::mtypes::MessageType` for it, or name the MType in the attribute: #[samp::call(\"x.y\")]"
)]
pub trait MessageType: Serialize + DeserializeOwned {
    /// The MType, e.g. `table.load.votable`.
    const MTYPE: &'static str;
    /// What `samp.result` holds in a successful response: `()` for "no return values".
    type Result: Serialize + DeserializeOwned;
}

#[cfg(test)]
mod tests;
