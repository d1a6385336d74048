struct PointAt {
    ra: f64,
    dec: f64,
}

#[samp::notification("coord.pointAt.sky")]
async fn point(at: PointAt) {
    let _ = (at.ra, at.dec);
}

fn main() {}
