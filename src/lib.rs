//! SAMP, the IVOA Simple Application Messaging Protocol, for Rust.
//!
//! This facade re-exports the runtime ([`samp_runtime`]), the hub ([`samp_hub`]) and the
//! handler macros ([`macro@call`], [`macro@notification`], [`metadata!`]).
//!
//! ```no_run
//! use samp::Context;
//!
//! #[derive(serde::Deserialize)]
//! struct PointAt { ra: f64, dec: f64 }            // SAMP floats arrive as strings: "83.63"
//!
//! /// Point the view at a sky position.
//! #[samp::notification("coord.pointAt.sky")]
//! async fn point(at: PointAt, ctx: Context) {
//!     println!("{} asks us to look at {} {}", ctx.sender(), at.ra, at.dec);
//! }
//!
//! #[tokio::main]
//! async fn main() -> samp::Result<()> {
//!     let client = samp::Client::builder()
//!         .metadata(samp::metadata!())            // samp.name etc. from Cargo.toml
//!         .connect().await?;                      // discover, register, serve, declare
//!     client.run().await                          // until the hub shuts down or Ctrl-C
//! }
//! ```
//!
//! # Handlers and linking
//!
//! Every `#[samp::notification]` / `#[samp::call]` adds a registration through
//! [`inventory`](https://docs.rs/inventory), which [`Client::builder`] picks up at
//! `connect()` (all of them by default; a subset with `handlers_in_module` or
//! `handler_group`). The linker drops a library crate that nothing in the binary refers
//! to, and its registrations go with it: the handlers silently vanish. If your handlers
//! live in their own crate, refer to it once from the binary:
//!
//! ```text
//! use my_handlers as _; // keeps my_handlers, and its #[samp::call]s, linked
//! ```

#![warn(missing_docs)]

pub use samp_runtime::*;

/// The in-process and standalone SAMP hub.
pub use samp_hub as hub;

pub use samp_macros::{call, metadata, notification};

#[doc(hidden)]
pub mod __private;
