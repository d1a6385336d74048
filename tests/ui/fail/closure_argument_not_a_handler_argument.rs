// A closure's arguments are decided by the same trait as an attribute handler's.
async fn bind(client: samp::Client) {
    let _ = client
        .bind_notification("x-test.note", |_at: std::time::Instant| async {})
        .await;
}

fn main() {
    let _ = bind;
}
