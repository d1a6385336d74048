//! The quickstart of DESIGN.md, as written. `main` is renamed so the test does not need a
//! hub; `examples/viewer.rs` runs it.

use samp::{Context, State, mtypes::{CoordPointAtSky, TableLoadVotable}};

#[derive(Clone, Default)]
struct Viewer { /* the application's own state */ }

impl Viewer {
    async fn open(&self, _url: &str, _name: Option<&str>) -> samp::Result<()> {
        Ok(())
    }
}

/// Load a VOTable into the viewer.
#[samp::call]                                    // MType from the type: table.load.votable
async fn load(table: TableLoadVotable, State(v): State<Viewer>) -> Result<(), samp::Error> {
    v.open(&table.url, table.name.as_deref()).await?;
    Ok(())                                       // -> samp.status = samp.ok
}

#[samp::notification]
async fn point(at: CoordPointAtSky, ctx: Context) {  // SAMP floats arrive as "83.63"
    println!("{} asks us to look at {} {}", ctx.sender(), at.ra, at.dec);
}

#[allow(dead_code)]
async fn quickstart_main() -> samp::Result<()> {
    let client = samp::Client::builder()
        .metadata(samp::metadata!())            // samp.name etc. from Cargo.toml
        .state(Viewer::default())
        .connect().await?;                      // discover, register, serve callbacks,
                                                // declare metadata + subscriptions
    client.notify_all(TableLoadVotable::new("file:///data/m31.xml")).await?;
    client.run().await                          // until the hub shuts down or Ctrl-C
}

fn main() {
    let md = samp::metadata!();
    assert!(md.name().is_some());
    let md = samp::metadata!(name = "Viewer", icon = "https://example.org/v.png");
    assert_eq!(md.name(), Some("Viewer"));
    assert_eq!(md.icon_url(), Some("https://example.org/v.png"));
}
