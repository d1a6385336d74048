//! A stateful SAMP application with typed results: a catalogue that remembers the tables
//! other tools send it and answers questions about them.
//!
//! ```text
//! cargo run --example catalog
//! ```
//!
//! It keeps its tables in application state (`State<Catalog>`), refuses a duplicate
//! `table-id` with a coded `samp.error`, and defines an MType of its own,
//! `x-catalog.list`, whose result is a typed struct. A second, non-callable client in the
//! same process then sends it a table and asks for the list with `request`, which returns
//! the typed result. Like the viewer, it starts a hub in-process when none is running.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use samp::client::Reply;
use samp::mtypes::{MessageType, TableLoadVotable};
use samp::{ErrInfo, State};
use serde::{Deserialize, Serialize};

/// The catalogue: table id → URL.
#[derive(Clone, Default)]
struct Catalog {
    tables: Arc<Mutex<BTreeMap<String, String>>>,
}

/// `x-catalog.list`: which tables does the catalogue hold?
#[derive(Serialize, Deserialize, Default)]
struct CatalogList {}

/// The result of `x-catalog.list`.
#[derive(Serialize, Deserialize, Debug)]
struct CatalogContents {
    /// The table ids, sorted.
    ids: Vec<String>,
    /// How many there are.
    count: u64,
}

impl MessageType for CatalogList {
    const MTYPE: &'static str = "x-catalog.list";
    type Result = CatalogContents;
}

/// Keep a table (refusing an id already in use).
#[samp::call]
async fn load(table: TableLoadVotable, State(catalog): State<Catalog>) -> Result<(), ErrInfo> {
    let id = table.table_id.unwrap_or_else(|| table.url.clone());
    let mut tables = catalog.tables.lock().unwrap();
    if tables.contains_key(&id) {
        return Err(ErrInfo::new(format!("table-id {id} is already loaded"))
            .usertxt("Give the table another table-id")
            .code("duplicate"));
    }
    println!("catalog: keeping {id} ({})", table.url);
    tables.insert(id, table.url);
    Ok(())
}

/// List the tables.
#[samp::call]
async fn list(_query: CatalogList, State(catalog): State<Catalog>) -> Reply<CatalogContents> {
    let ids: Vec<String> = catalog.tables.lock().unwrap().keys().cloned().collect();
    Reply(CatalogContents {
        count: ids.len() as u64,
        ids,
    })
}

#[tokio::main]
async fn main() -> samp::Result<()> {
    let catalog = Catalog::default();
    let (client, own_hub) = samp::Client::builder()
        .metadata(samp::metadata!(name = "catalog"))
        .state(catalog.clone())
        .connect_or_start_hub()
        .await?;
    if let Some(hub) = &own_hub {
        println!("catalog: no hub was running; started one at {}", hub.url());
    }
    let me = client.public_id().expect("registered");
    println!("catalog: registered as {me}");

    // Another application, in the same process for the demonstration.
    let asker = samp::Client::builder()
        .name("catalog-asker")
        .callable(false)
        .no_static_handlers()
        .connect()
        .await?;
    let wait = Duration::from_secs(10);
    let load = TableLoadVotable::new("file:///data/m31.xml").table_id("m31");
    asker.call_and_wait(&me, load.clone(), wait).await?;
    let again = asker.call_and_wait(&me, load, wait).await?;
    if let Some(e) = again.error {
        println!(
            "catalog-asker: second load refused: {} (code {})",
            e.errortxt,
            e.code.unwrap_or_default()
        );
    }
    let contents: CatalogContents = asker.request(&me, CatalogList::default(), wait).await?;
    println!("catalog-asker: the catalogue holds {contents:?}");
    asker.stop().await?;

    println!("catalog: waiting for tables; Ctrl-C to quit");
    let result = client.run_until(samp::client::shutdown_signal()).await;
    if let Some(hub) = own_hub {
        hub.shutdown().await;
    }
    result
}
