#[samp::call("x-test.name")]
async fn name() -> String {
    "viewer".to_owned()
}

fn main() {}
