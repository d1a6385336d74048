//! A SAMP hub (Standard and Web Profiles, SAMP 1.3), embeddable in-process or run as
//! `samp-hub`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), samp_hub::HubError> {
//! let hub = samp_hub::Hub::builder().start().await?;   // writes ~/.samp (or $SAMP_HUB)
//! println!("hub at {}", hub.url());
//! hub.shutdown().await;                                // tells clients, removes the lockfile
//! # Ok(()) }
//! ```
//!
//! Built on `samp-protocol` (the protocol maps and the Standard Profile's method table) and
//! `samp-http` (server and pooled client), beside the client runtime rather than on it.
//!
//! Inside: a profile-independent core (`core`: the operations; `clients`: the client table;
//! `pending`: calls awaiting replies; `hub_client`: the hub's own client; `validation`;
//! `url_tracker`: what the Web Profile may fetch) with two front ends, the Standard
//! Profile's (`standard`) and the Web Profile's (`web`: consent, CORS, long polls, the URL
//! translator); per-recipient delivery queues (`delivery`), bounded, that report failures
//! back on a channel; and the lockfile lifecycle (`lifecycle`). One mutex guards the tables
//! and is never held across I/O; each callable client has a FIFO, so no sender waits on a
//! recipient and hub events keep their order per recipient; `callAndWait` and
//! `pullCallbacks` park a future, not a thread.

#![warn(missing_docs)]

#[cfg(feature = "cli")]
pub mod cli;
mod clients;
mod config;
mod core;
mod delivery;
mod hub_client;
mod lifecycle;
mod pending;
mod standard;
mod status_page;
#[cfg(feature = "tls")]
pub mod tls;
mod url_tracker;
mod validation;
mod web;

pub use config::{Consent, DeliveryPolicy, HubConfig, LockfileSetting, WebConfig};
pub use hub_client::HUB_ID;
pub use lifecycle::{Hub, HubBuilder, HubError, RunningHub, STATUS_URL_KEY};
pub use web::{ConsentPrompt, RegistrationRequest, TerminalPrompt};
