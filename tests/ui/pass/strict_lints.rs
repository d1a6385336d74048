//! Generated code compiles in a crate with strict lints.
#![forbid(unsafe_code)]
#![deny(missing_docs, unused, nonstandard_style, rust_2018_idioms)]

use samp::Context;

/// Params.
#[derive(serde::Deserialize)]
pub struct PointAt {
    /// Right ascension.
    pub ra: f64,
}

/// Handles a point.
#[samp::notification("coord.pointAt.sky")]
pub async fn point(at: PointAt, _ctx: Context) {
    let _ = at.ra;
}

/// Pings.
#[samp::call("samp.app.ping")]
pub fn ping() {}

fn main() {}
