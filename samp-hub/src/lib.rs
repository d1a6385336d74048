//! A SAMP hub (Standard Profile, SAMP 1.3), embeddable in-process or run as `samp-hub`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), samp_hub::HubError> {
//! let hub = samp_hub::Hub::builder().start().await?;   // writes ~/.samp (or $SAMP_HUB)
//! println!("hub at {}", hub.url());
//! hub.shutdown().await;                                // tells clients, removes the lockfile
//! # Ok(()) }
//! ```
//!
//! Design: one state table behind a mutex that is never held across I/O; a FIFO and a
//! delivery task per callable client, so no sender waits on a recipient and hub events keep
//! their order per recipient; `callAndWait` parks a future, not a thread.

#![warn(missing_docs)]

mod config;
mod core;
mod delivery;
mod lifecycle;
mod methods;

pub use config::{DeliveryPolicy, HubConfig, LockfileSetting};
pub use core::HUB_ID;
pub use lifecycle::{Hub, HubBuilder, HubError, RunningHub};
