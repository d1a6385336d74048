// An argument type that is neither params (Deserialize), a samp::Context nor a State.
#[samp::notification("coord.pointAt.sky")]
async fn point(started: std::time::Instant) {
    let _ = started;
}

fn main() {}
