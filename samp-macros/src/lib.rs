//! Procedural macros for the `samp` crate: `#[samp::notification]`, `#[samp::call]` and
//! `samp::metadata!()`.
//!
//! Use them through the `samp` facade (`samp::call`, …); the generated code refers only to
//! `samp::__private`, so depending on `samp` alone is enough. If the facade is renamed in
//! `Cargo.toml`, say so with `crate = "new_name"`.

#![warn(missing_docs)]

use proc_macro::TokenStream;

mod args;
mod handler;
mod metadata;
mod mtype;

use args::Kind;

/// Declares a function as the handler of a SAMP notification.
///
/// ```
/// use samp::mtypes::CoordPointAtSky;
/// use samp::{Context, State};
///
/// #[derive(Clone)]
/// struct Sky { name: &'static str }
///
/// /// Point the view at a sky position.
/// #[samp::notification]                          // MType from the type: coord.pointAt.sky
/// async fn point(at: CoordPointAtSky, ctx: Context, State(sky): State<Sky>) {
///     println!("{} asks {} to look at {} {}", ctx.sender(), sky.name, at.ra, at.dec);
/// }
///
/// #[derive(serde::Deserialize)]
/// struct Status { txt: String }
///
/// #[samp::notification("samp.app.status")]      // any Deserialize type, MType given
/// fn status(s: Status) {
///     println!("status: {}", s.txt);
/// }
/// ```
///
/// The attribute takes the MType (pattern) first — it may be left out when an argument's
/// type is from `samp::mtypes` (or implements `samp::mtypes::MessageType`), whose MType is
/// then used; given both, they must agree — then optionally:
///
/// - `annotations("key" = "value", ...)`: the subscription's annotation map, e.g.
///   `annotations("x-samp.mostly-harmless" = "1")`. Integer and boolean literals are
///   written with the SAMP encodings (`1` → `"1"`, `true` → `"1"`).
/// - `group = "name"`: puts the handler in a named group, so a client can be built with
///   only that group (`ClientBuilder::handler_group`).
/// - `crate = "path"`: where the `samp` crate is, when it is renamed in `Cargo.toml`.
///
/// The MType is checked against the SAMP pattern grammar at compile time; a wildcard
/// pattern (`"table.load.*"`, `"*"`) subscribes to every matching MType, and
/// `ctx.mtype()` tells the handler which one arrived. The first line of the doc comment
/// becomes the subscription annotation `x-samp.description` (unless `annotations(...)`
/// sets that key itself).
///
/// **Arguments**, in any order, each decided by the `FromMessage` trait (never by the
/// type's name): params — any type that implements `serde::de::DeserializeOwned` (a
/// `#[derive(Deserialize)]` struct with one field per `samp.params` key, a type from
/// `samp::mtypes`, or `samp::Map` for the raw map), decoded with the SAMP encodings
/// (`"5"` → `5u32`, `"1"` → `true`); a `samp::Context` (sender, MType, msg-id, client
/// handle); and `samp::State<T>` values, given to `Client::builder().state(..)` (a state
/// type the client was not given is an error at `connect()`). These are the rules of
/// closures given to `bind_notification` too.
///
/// **Return**: `()` or `Result<(), E>` with `E: Display`; an error is logged by the client
/// (a notification has no reply).
///
/// Both `async fn` and plain `fn` work. The function stays callable as written, so it can
/// be unit-tested without a hub. If the params do not decode, a warning is logged and the
/// function is not called.
///
/// The macro adds an `inventory` registration beside the function; every client built
/// with `samp::Client::builder()` picks it up. A crate whose items nothing references is
/// not linked, and its registrations vanish with it: if handlers live in a separate
/// library crate, reference it from the binary, e.g. `use my_handlers as _;`.
#[proc_macro_attribute]
pub fn notification(attr: TokenStream, item: TokenStream) -> TokenStream {
    handler::expand(Kind::Notification, attr.into(), item.into()).into()
}

/// Declares a function as the handler of a SAMP call; its return value is the response.
///
/// ```
/// use samp::client::Reply;
/// use samp::mtypes::TableLoadVotable;
/// use samp::{Context, ErrInfo, Response};
///
/// #[derive(serde::Serialize)]
/// struct Loaded { rows: u64 }
///
/// /// Load a VOTable.
/// #[samp::call(annotations("x-samp.mostly-harmless" = "1"))]   // table.load.votable
/// async fn load(table: TableLoadVotable, ctx: Context) -> Result<Loaded, ErrInfo> {
///     if table.url.is_empty() {
///         return Err(ErrInfo::new(format!("{} sent no URL", ctx.sender())).code("no-url"));
///     }
///     Ok(Loaded { rows: 3 })                    // -> samp.ok, samp.result = {rows: "3"}
/// }
///
/// #[samp::call("samp.app.ping")]
/// fn ping() {}                                  // -> samp.ok with an empty samp.result
///
/// #[samp::call("x-viewer.count")]
/// fn count() -> Reply<Loaded> {                 // a bare map-like value: Reply(..)
///     Reply(Loaded { rows: 7 })
/// }
///
/// #[samp::call("x-viewer.check")]
/// fn check() -> Response {                      // full control, e.g. for samp.warning
///     Response::warning(samp::Map::new(), ErrInfo::new("nothing to check"))
/// }
/// ```
///
/// Arguments and attribute options are those of [`macro@notification`]. The return value
/// becomes the response through the `IntoResponse` trait, as for closures given to
/// `bind_call`:
///
/// | return | response |
/// |---|---|
/// | `()` | `samp.ok`, `samp.result` = `{}` |
/// | `samp::Map` | `samp.ok` with that result |
/// | `Result<T, E>` | `Ok(t)`: `t` a map-like `Serialize` value (`samp.result` = `t`), or a `Response`; `Err(e)` → `samp.error` |
/// | `samp::client::Reply(t)`, `t: Serialize` | `samp.ok`, `samp.result` = `t` as a SAMP map |
/// | `samp::Response` | sent as it is (for `samp.warning`, extra keys, …) |
/// | `samp::ErrInfo` | `samp.error` with that error map |
///
/// For `Err(e)`: a `samp::ErrInfo` or a `samp::Error` keeps its code and user text
/// (`Err(ErrInfo::new("…").code("404"))`); any other `E: Display` gives `samp.errortxt`.
///
/// Params that do not decode give a `samp.error` response whose `samp.errortxt` names the
/// MType and the field; a handler that panics gives a `samp.error`, and the client keeps
/// serving. A handler may report progress first: `ctx.progress("reading").await?`.
#[proc_macro_attribute]
pub fn call(attr: TokenStream, item: TokenStream) -> TokenStream {
    handler::expand(Kind::Call, attr.into(), item.into()).into()
}

/// The application metadata from `Cargo.toml`, for `ClientBuilder::metadata`.
///
/// ```
/// let md = samp::metadata!();
/// assert_eq!(md.name(), Some("samp-macros"));
/// let md = samp::metadata!(name = "Viewer", icon = "https://example.org/viewer.png");
/// assert_eq!(md.name(), Some("Viewer"));
/// assert_eq!(md.icon_url(), Some("https://example.org/viewer.png"));
/// ```
///
/// | override | metadata key | default from Cargo |
/// |---|---|---|
/// | `name` | `samp.name` | `package.name` |
/// | `description` | `samp.description.text` | `package.description` |
/// | `description_html` | `samp.description.html` | — |
/// | `icon` | `samp.icon.url` | — |
/// | `documentation` | `samp.documentation.url` | `package.homepage`, else `package.repository` |
/// | `homepage` | `home.page` | `package.homepage`, else `package.repository` |
/// | `author` | `author.name` | `package.authors`, joined with `", "` |
/// | `email` | `author.email` | — |
/// | `version` | `x-samp.release.version` | `package.version` |
///
/// Empty values are left out. The Cargo values are read with `env!` in the calling crate,
/// so they describe the application, not `samp`. Other keys can be added to the returned
/// `Metadata` with `.with("key", "value")`.
#[proc_macro]
pub fn metadata(input: TokenStream) -> TokenStream {
    metadata::expand(input.into()).into()
}
