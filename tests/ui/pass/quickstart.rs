//! The quickstart of DESIGN.md, as written, apart from `mtypes::TableLoadVotable` (a
//! local stand-in until `samp::mtypes` exists). `main` is renamed so the test does not
//! need a hub; `examples/viewer.rs` runs it.

mod mtypes {
    /// Stand-in for `samp::mtypes::TableLoadVotable`.
    #[derive(serde::Deserialize, serde::Serialize)]
    #[serde(rename_all = "kebab-case")]
    pub struct TableLoadVotable {
        pub url: String,
        pub table_id: Option<String>,
        pub name: Option<String>,
    }

    impl TableLoadVotable {
        pub fn new(url: &str) -> Self {
            TableLoadVotable { url: url.to_owned(), table_id: None, name: None }
        }
    }

    impl samp::client::IntoMessage for TableLoadVotable {
        fn into_message(self) -> samp::Result<samp::Message> {
            Ok(samp::Message::from_params("table.load.votable", &self)?)
        }
    }
}

mod viewer {
    pub async fn open(_url: &str, _name: Option<&str>) -> samp::Result<()> {
        Ok(())
    }
}

use samp::Context;
use mtypes::TableLoadVotable;

/// Load a VOTable into the viewer.
#[samp::call("table.load.votable")]
async fn load(table: TableLoadVotable, ctx: Context) -> Result<(), samp::Error> {
    viewer::open(&table.url, table.name.as_deref()).await?;
    Ok(())                                       // -> samp.status = samp.ok
}

#[derive(serde::Deserialize)]
struct PointAt { ra: f64, dec: f64 }            // SAMP floats arrive as strings: "83.63"

#[samp::notification("coord.pointAt.sky")]
async fn point(at: PointAt, ctx: Context) {
    println!("{} asks us to look at {} {}", ctx.sender(), at.ra, at.dec);
}

#[allow(dead_code)]
async fn quickstart_main() -> samp::Result<()> {
    let client = samp::Client::builder()
        .metadata(samp::metadata!())            // samp.name etc. from Cargo.toml
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
