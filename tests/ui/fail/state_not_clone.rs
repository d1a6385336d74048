// State is cloned for each message, so its type must be Clone.
use samp::State;

struct Viewer;

#[samp::call("table.load.votable")]
async fn load(State(viewer): State<Viewer>) {
    let _ = viewer;
}

fn main() {}
