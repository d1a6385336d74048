#[samp::call("table.load.votable", anotations("x-samp.mostly-harmless" = "1"))]
async fn load() {}

fn main() {}
