//! SAMP, the IVOA Simple Application Messaging Protocol, for Rust: clients whose handlers
//! are ordinary async functions, and a hub.
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
//!     client.run_until(tokio::signal::ctrl_c()).await // the application decides when to stop
//! }
//! ```
//!
//! Add it as `ivoa-samp = "0.1"` (the library is called `samp`; the name `samp` on the
//! crates registry belongs to another project).
//!
//! # What is where
//!
//! - At the top: [`Client`], [`Context`], the protocol maps [`Message`], [`Response`],
//!   [`ErrInfo`], [`Metadata`], the data model [`Map`] and [`Value`], [`ClientId`], the one
//!   [`enum@Error`], and the macros [`macro@call`], [`macro@notification`], [`metadata!`].
//! - [`client`]: the rest of the client API (builder, bindings, pending responses, raw
//!   callbacks).
//! - [`hub`] (feature `hub`, on by default): the hub, to run in-process.
//! - [`protocol`]: the low level — SAMP encodings and serde, XML-RPC documents, ids and
//!   MType patterns, lockfiles and discovery, the Standard Profile's method table, the typed
//!   hub proxy, HTTP.
//!
//! The layers underneath are separate crates: `samp-grammar` (MType grammar and key names),
//! `samp-protocol` (no I/O runtime), `samp-http`, `samp-runtime` (the client) and
//! `samp-hub`, beside it; `samp-macros` generates code against this crate's hidden
//! `__private` module only.
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

pub use samp_macros::{call, metadata, notification};
pub use samp_protocol::{ClientId, ErrInfo, Map, Message, Metadata, Response, Value, map};
pub use samp_runtime::client::Reconnect;
pub use samp_runtime::client::State;
pub use samp_runtime::{Client, Context, Error, Result};

/// The SAMP MType vocabulary as types: `samp::mtypes::TableLoadVotable` for
/// `table.load.votable`, and so on; see [`MessageType`](mtypes::MessageType).
pub use samp_protocol::mtypes;

/// The client API beyond the top level: the builder, run-time bindings, what sending
/// returns, and raw callback handling.
pub mod client {
    pub use samp_runtime::client::{
        Bind, ClientBuilder, ClientEvent, ClientEvents, ClientInfo, ConnectionEvent,
        ConnectionEvents, FromMessage, Handler, IntoMessage, IntoResponse, NOTICE_WITHIN, Parts,
        PendingResponse, Progress, RawHandler, Reconnect, Reply, ReportProgress, Responder,
        ResponseStream, SessionEnd, State, StateRequirement, SyncResponses, Unbind,
        shutdown_signal,
    };
}

/// The SAMP hub, to run in the same process (or as the `samp-hub` binary), with the Web
/// Profile for web pages when asked.
///
/// ```no_run
/// # async fn demo() -> samp::Result<()> {
/// use samp::hub::{Hub, WebConfig};
/// let hub = Hub::builder()
///     .web(WebConfig {
///         allow_origins: vec!["https://aladin.cds.unistra.fr".into()],
///         ..WebConfig::default()
///     })
///     .start()
///     .await?; // or .no_lockfile() / .lockfile(path)
/// println!("SAMP hub at {}, web pages at {:?}", hub.url(), hub.web_url());
/// hub.shutdown().await; // broadcasts samp.hub.event.shutdown, removes the lockfile
/// # Ok(()) }
/// ```
#[cfg(feature = "hub")]
pub mod hub {
    #[cfg(feature = "tls")]
    pub use samp_hub::tls::{HubTls, SelfSigned, SelfSignedError, self_signed};
    pub use samp_hub::{
        Consent, ConsentPrompt, DeliveryPolicy, HUB_ID, Hub, HubBuilder, HubConfig, HubError,
        LockfileSetting, RegistrationRequest, RunningHub, TerminalPrompt, WebConfig,
    };
}

/// The low level: everything `samp-protocol` has (SAMP encodings, serde to and from
/// [`Value`], XML-RPC documents, ids, MType patterns, lockfiles and discovery, the Standard
/// Profile's method table, the standard's names), the typed [`HubProxy`](protocol::HubProxy) for raw
/// `samp.hub.*` calls, and [`http`](protocol::http), the XML-RPC server and pooled client.
pub mod protocol {
    #[doc(inline)]
    pub use samp_protocol::*;
    pub use samp_runtime::hub_proxy::{DEFAULT_HUB_TIMEOUT, HubProxy};

    /// HTTP/1.1 for XML-RPC (`samp-http`).
    pub mod http {
        #[doc(inline)]
        pub use samp_http::*;
    }
}

/// HTTPS (feature `tls`, on by default): identities, trust, and sampy's six options in
/// [`TlsOptions`](tls::TlsOptions), for [`ClientBuilder::tls`](client::ClientBuilder::tls)
/// and the hub.
#[cfg(feature = "tls")]
pub mod tls {
    #[doc(inline)]
    pub use samp_http::tls::*;
}

#[doc(hidden)]
pub mod __private;
