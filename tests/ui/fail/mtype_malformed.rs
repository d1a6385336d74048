#[samp::notification("coord..pointAt.sky")]
async fn point() {}

#[samp::call("table.*.votable")]
async fn load() {}

#[samp::call("table load")]
async fn load_spaced() {}

fn main() {}
