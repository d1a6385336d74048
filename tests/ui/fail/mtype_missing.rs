#[samp::notification]
async fn point() {}

fn main() {}
