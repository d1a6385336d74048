use std::rc::Rc;

#[samp::call("x-test.slow")]
async fn slow() {
    let shared = Rc::new(1);
    tokio::task::yield_now().await;
    let _ = shared;
}

fn main() {}
