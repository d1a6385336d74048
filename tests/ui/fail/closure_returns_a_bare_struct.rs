// A closure goes through the same traits: a map-like value is returned as Ok(..) or Reply(..).
#[derive(serde::Serialize)]
struct Loaded {
    rows: u64,
}

async fn bind(client: samp::Client) {
    let _ = client
        .bind_call("x-test.load", |_p: samp::Map| async { Loaded { rows: 1 } })
        .await;
}

fn main() {
    let _ = bind;
}
