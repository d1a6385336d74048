//! Every argument and return shape the attributes accept.

extern crate samp as sampy;

use samp::{Context, ErrInfo, Map, Response, State};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Load {
    url: String,
    table_id: Option<String>,
}

#[derive(Serialize)]
struct Loaded {
    rows: u64,
}

#[derive(Debug)]
struct MyError;

impl std::fmt::Display for MyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("my error")
    }
}

/// Load a table.
#[samp::call("table.load.votable", annotations("x-samp.mostly-harmless" = "1"))]
async fn load(table: Load, ctx: Context) -> Result<(), samp::Error> {
    let _ = (table.url, table.table_id, ctx.sender());
    Ok(())
}

#[samp::call("x-test.ctx-first")]
async fn ctx_first(ctx: Context, table: Load) -> samp::Result<Loaded> {
    let _ = (ctx.mtype(), table.url);
    Ok(Loaded { rows: 1 })
}

#[samp::call("x-test.raw")]
fn raw(params: Map) -> Map {
    params
}

#[samp::call("x-test.value")]
async fn value() -> samp::client::Reply<Loaded> {
    samp::client::Reply(Loaded { rows: 2 })
}

/// Two params arguments each decode the params; the state and context go anywhere.
#[samp::call("x-test.two-params")]
async fn two_params(a: Load, State(n): State<u32>, ctx: Context, all: Map) -> Result<Loaded, String> {
    let _ = (a.url, n, ctx.mtype(), all.len());
    Ok(Loaded { rows: 3 })
}

/// The MType comes from the params type.
#[samp::call(group = "typed")]
async fn typed(t: samp::mtypes::TableHighlightRow) -> Map {
    let _ = t.row;
    Map::new()
}

#[samp::call("x-test.response")]
fn response(ctx: Context) -> Response {
    Response::warning(Map::new(), ErrInfo::new(ctx.mtype().to_owned()))
}

#[samp::call("x-test.display-error")]
fn display_error() -> Result<Loaded, MyError> {
    Err(MyError)
}

#[samp::call("x-test.errinfo")]
fn errinfo() -> Result<(), ErrInfo> {
    Err(ErrInfo::new("nope").code("404"))
}

#[samp::call("x-test.string-error")]
async fn string_error() -> Result<Response, String> {
    Err("nope".to_owned())
}

#[samp::call("x-test.unit")]
fn unit() -> () {}

#[samp::call("table.*", group = "wild")]
#[samp::notification("table.*", group = "wild")]
async fn any_table(ctx: Context) {
    let _ = ctx.mtype();
}

#[samp::notification("*", crate = "sampy")]
fn everything() {}

#[samp::notification("x-test.io", annotations("n" = 3, "flag" = true))]
async fn io() -> std::io::Result<()> {
    Ok(())
}

mod nested {
    #[derive(serde::Deserialize)]
    pub struct PointAt {
        pub ra: f64,
        pub dec: f64,
    }

    #[samp::notification("coord.pointAt.sky")]
    pub async fn point(at: PointAt, _ctx: samp::Context) -> Result<(), samp::ErrInfo> {
        let _ = (at.ra, at.dec);
        Ok(())
    }
}

fn local_items() {
    #[samp::call("x-test.local")]
    fn local() {}
    local();
}

fn main() {
    // The functions stay callable as written.
    raw(Map::new());
    assert_eq!(errinfo().unwrap_err().code.as_deref(), Some("404"));
    assert!(display_error().is_err());
    everything();
    local_items();
    let _ = (load, ctx_first, value, response, string_error, unit, any_table, io, two_params, typed);
    let _ = nested::point;

    let regs: Vec<_> = samp_runtime::client::registry::registrations()
        .filter(|r| r.file.ends_with("handlers.rs"))
        .collect();
    assert_eq!(regs.len(), 17, "{regs:#?}");
    let typed = regs.iter().find(|r| r.fn_name == "typed").unwrap();
    assert_eq!(typed.mtype, "table.highlight.row");
    let two = regs.iter().find(|r| r.fn_name == "two_params").unwrap();
    assert_eq!((two.requirements)().len(), 1);
    let load = regs.iter().find(|r| r.fn_name == "load").unwrap();
    assert_eq!(load.mtype, "table.load.votable");
    assert_eq!(load.kind, samp_runtime::client::registry::HandlerKind::Call);
    assert_eq!(
        load.annotations,
        &[
            ("x-samp.mostly-harmless", "1"),
            ("x-samp.description", "Load a table.")
        ]
    );
    assert!(load.file.ends_with("handlers.rs"), "{}", load.file);
    let wild: Vec<_> = regs.iter().filter(|r| r.group == Some("wild")).collect();
    assert_eq!(wild.len(), 2);
    let io = regs.iter().find(|r| r.fn_name == "io").unwrap();
    assert_eq!(io.annotations, &[("n", "3"), ("flag", "1")]);
    let point = regs.iter().find(|r| r.fn_name == "point").unwrap();
    assert!(point.module_path.ends_with("::nested"), "{}", point.module_path);
}
