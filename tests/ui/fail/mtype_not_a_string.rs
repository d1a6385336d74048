#[samp::call(table.load.votable)]
async fn load() {}

fn main() {}
