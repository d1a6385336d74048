//! The quickstart of `DESIGN.md`, made runnable: a "viewer" that loads VOTables and points
//! at sky positions when other SAMP tools ask it to.
//!
//! ```text
//! cargo run --example viewer
//! ```
//!
//! It joins the running SAMP hub (found the standard way: `$SAMP_HUB`, else `~/.samp`).
//! When there is none, it starts a hub in this process and writes the lockfile, so TOPCAT,
//! DS9, astropy or JSAMP's `messagesender` can join it; it never replaces a live hub.
//! Try, from another terminal:
//!
//! ```text
//! jsamp messagesender -mtype coord.pointAt.sky -param ra 83.63 -param dec 22.01
//! jsamp messagesender -mode sync -mtype table.load.votable -param url file:///tmp/t.xml
//! ```
//!
//! It names the senders of what it gets (client tracking), and when the hub goes away —
//! restarted, crashed — it waits for the next one and registers again. Ctrl-C (or
//! SIGTERM) leaves the hub (and shuts down the hub if this process started it).

use std::sync::{Arc, Mutex};

use samp::mtypes::{CoordPointAtSky, TableLoadVotable};
use samp::{Context, State};

/// The viewer's own state: the tables it has open (here it only says what it would do).
#[derive(Clone, Default)]
struct Viewer {
    tables: Arc<Mutex<Vec<String>>>,
}

impl Viewer {
    /// Opens a table.
    async fn open(&self, url: &str, name: Option<&str>) -> samp::Result<()> {
        if !url.starts_with("file:") && !url.starts_with("http") {
            return Err(samp::Error::msg(format!(
                "cannot open {url}: unknown scheme"
            )));
        }
        let name = name.unwrap_or("an unnamed table");
        println!("viewer: opening {url} as {name}");
        self.tables.lock().unwrap().push(url.to_owned());
        Ok(())
    }
}

/// Load a VOTable into the viewer.
#[samp::call] // the MType comes from the type: table.load.votable
async fn load(
    table: TableLoadVotable,
    State(viewer): State<Viewer>,
    ctx: Context,
) -> samp::Result<()> {
    println!("{} ({}) sends a table", ctx.sender_name(), ctx.sender());
    viewer.open(&table.url, table.name.as_deref()).await // -> samp.status = samp.ok
}

/// Point the viewer at a sky position.
#[samp::notification] // coord.pointAt.sky; SAMP floats arrive as strings: "83.63"
async fn point(at: CoordPointAtSky, ctx: Context) {
    println!(
        "{} ({}) asks us to look at {} {}",
        ctx.sender_name(),
        ctx.sender(),
        at.ra,
        at.dec
    );
}

#[tokio::main]
async fn main() -> samp::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .init();

    let viewer = Viewer::default();
    println!("viewer: looking for a SAMP hub");
    let (client, own_hub) = samp::Client::builder()
        .metadata(samp::metadata!(name = "viewer"))
        .state(viewer.clone())
        .track_clients(true) // so handlers can name the sender
        .reconnect(samp::Reconnect::default()) // survive hub restarts and crashes
        .connect_or_start_hub() // no hub running: start one here, for other tools too
        .await?;
    if let Some(hub) = &own_hub {
        println!("viewer: no hub was running; started one in this process");
        match hub.lockfile() {
            Some(path) => println!(
                "viewer: hub at {}, lockfile {} (other tools can join)",
                hub.url(),
                path.display()
            ),
            None => println!("viewer: hub at {}", hub.url()),
        }
    }
    println!(
        "viewer: registered as {} with {}; handling table.load.votable and coord.pointAt.sky",
        client
            .public_id()
            .map(|id| id.to_string())
            .unwrap_or_default(),
        client.hub()?.url()
    );

    let told = client
        .notify_all(TableLoadVotable::new("file:///data/m31.xml").name("M31"))
        .await?;
    println!(
        "viewer: sent table.load.votable to {} client(s)",
        told.len()
    );

    println!("viewer: waiting for messages; Ctrl-C to quit");
    let result = client.run_until(samp::client::shutdown_signal()).await;
    if let Some(hub) = own_hub {
        println!("viewer: shutting down the hub it started");
        hub.shutdown().await;
    }
    println!(
        "viewer: bye ({} table(s) opened)",
        viewer.tables.lock().unwrap().len()
    );
    result
}
