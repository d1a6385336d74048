#[derive(Debug)]
struct LoadFailed;

#[samp::call("table.load.votable")]
async fn load() -> Result<(), LoadFailed> {
    Err(LoadFailed)
}

fn main() {}
