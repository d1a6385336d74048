#[derive(serde::Deserialize)]
struct PointAt {
    ra: f64,
}

#[samp::notification("coord.pointAt.sky")]
async fn point(at: &PointAt, ctx: &samp::Context) {
    let _ = (at.ra, ctx);
}

fn main() {}
