struct Loaded {
    rows: u64,
}

#[samp::call("table.load.votable")]
async fn load() -> Loaded {
    Loaded { rows: 1 }
}

fn main() {
    let _ = Loaded { rows: 0 }.rows;
}
