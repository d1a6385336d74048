struct Viewer;

impl Viewer {
    #[samp::call("table.load.votable")]
    async fn load(&self) {}
}

fn main() {
    let _ = Viewer;
}
