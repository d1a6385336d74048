#[derive(serde::Serialize)]
struct Ack {
    ok: bool,
}

#[samp::notification("coord.pointAt.sky")]
async fn point() -> Ack {
    Ack { ok: true }
}

fn main() {}
