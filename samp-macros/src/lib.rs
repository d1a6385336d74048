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
/// use samp::Context;
///
/// #[derive(serde::Deserialize)]
/// struct PointAt { ra: f64, dec: f64 }       // SAMP floats arrive as strings: "83.63"
///
/// /// Point the view at a sky position.
/// #[samp::notification("coord.pointAt.sky")]
/// async fn point(at: PointAt, ctx: Context) {
///     println!("{} asks us to look at {} {}", ctx.sender(), at.ra, at.dec);
/// }
/// ```
///
/// The attribute takes the MType first, then optionally:
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
/// **Arguments**, in any order: at most one *params* argument, of any type that
/// implements `serde::de::DeserializeOwned` (a `#[derive(Deserialize)]` struct with one
/// field per `samp.params` key, or `samp::Map` for the raw map), decoded with the SAMP
/// encodings (`"5"` → `5u32`, `"1"` → `true`); and optionally a `samp::Context` (any type
/// path ending in `Context`), which carries the sender, the concrete MType and a client
/// handle. With no params argument the params are ignored.
///
/// **Return**: `()` or `Result<(), E>` where `E: Display` or `E: Into<samp::ErrInfo>`; an
/// error is logged by the client (a notification has no reply).
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
/// use samp::{Context, ErrInfo, Response};
///
/// #[derive(serde::Deserialize)]
/// #[serde(rename_all = "kebab-case")]
/// struct Load { url: String, table_id: Option<String> }
///
/// #[derive(serde::Serialize)]
/// struct Loaded { rows: u64 }
///
/// /// Load a VOTable.
/// #[samp::call("table.load.votable", annotations("x-samp.mostly-harmless" = "1"))]
/// async fn load(table: Load, ctx: Context) -> Result<Loaded, String> {
///     if table.url.is_empty() {
///         return Err(format!("{} sent no URL", ctx.sender()));  // -> samp.error
///     }
///     Ok(Loaded { rows: 3 })                    // -> samp.ok, samp.result = {rows: "3"}
/// }
///
/// #[samp::call("samp.app.ping")]
/// fn ping() {}                                  // -> samp.ok with an empty samp.result
///
/// #[samp::call("x-viewer.check")]
/// fn check() -> Response {                      // full control, e.g. for samp.warning
///     Response::warning(samp::Map::new(), ErrInfo::new("nothing to check"))
/// }
/// ```
///
/// Arguments and attribute options are those of [`macro@notification`]. The return value
/// becomes the response:
///
/// | return | response |
/// |---|---|
/// | `()` | `samp.ok`, `samp.result` = `{}` |
/// | `T: Serialize` (a struct or map) | `samp.ok`, `samp.result` = `T` as a SAMP map |
/// | `Result<T, E>` | `Ok` as above; `Err` → `samp.error` |
/// | `samp::Response` | sent as it is (for `samp.warning`, extra keys, …) |
///
/// For `Err(e)`: if `E: Into<samp::ErrInfo>` that conversion is used (so
/// `Err(ErrInfo::new("…").code("404"))` keeps its code, and your own error types can
/// `impl From<MyError> for samp::ErrInfo`); otherwise `E: Display` gives `samp.errortxt`.
///
/// Params that do not decode give a `samp.error` response whose `samp.errortxt` names the
/// MType and the field; a handler that panics gives a `samp.error`, and the client keeps
/// serving.
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
