// No MType in the attribute, and the params type does not carry one.
#[derive(serde::Deserialize)]
struct PointAt {
    ra: f64,
}

#[samp::notification]
async fn point(at: PointAt) {
    let _ = at.ra;
}

fn main() {}
