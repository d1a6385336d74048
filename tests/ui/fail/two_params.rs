use samp::Context;

#[derive(serde::Deserialize)]
struct Ra {
    ra: f64,
}

#[derive(serde::Deserialize)]
struct Dec {
    dec: f64,
}

#[samp::notification("coord.pointAt.sky")]
async fn point(ra: Ra, dec: Dec, ctx: Context) {
    let _ = (ra.ra, dec.dec, ctx);
}

fn main() {}
