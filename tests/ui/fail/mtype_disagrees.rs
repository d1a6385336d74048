// The attribute names one MType, the params type carries another.
use samp::mtypes::TableLoadVotable;

#[samp::call("image.load.fits")]
async fn load(table: TableLoadVotable) {
    let _ = table.url;
}

fn main() {}
