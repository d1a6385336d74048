//! SAMP, the IVOA Simple Application Messaging Protocol, for Rust.
//!
//! This facade re-exports the runtime ([`samp_runtime`]) and the hub ([`samp_hub`]).

pub use samp_runtime::*;

/// The in-process and standalone SAMP hub.
pub use samp_hub as hub;
