//! Dispatch through a macro-generated handler and through a closure (both the one pipeline:
//! `FromMessage` for the arguments, `IntoResponse` for the reply), per message: decode
//! `samp.params` into the typed argument, run the (trivial) handler, build the response.
//! Compared with the same work written by hand against the raw map, so the figure is the
//! cost of the pipeline and of serde, not of the transport.
//!
//! `cargo bench --bench dispatch`
//!
//! The adapter needs a real [`Context`]; one is captured from a handler that receives a
//! message through the in-process hub once, before the measurements.

use std::hint::black_box;
use std::sync::OnceLock;
use std::task::{Context as TaskContext, Poll, Waker};
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use samp::protocol::encoding::{format_float, format_int, parse_bool, parse_float, parse_int};
use samp::protocol::{ClientId, Status};
use samp::{Context, ErrInfo, Map, Message, Response, Value, map};
use samp_runtime::client::registry::{HandlerFuture, call_handler, registrations};
use serde::{Deserialize, Serialize};

/// `table.select.rowList`-like params with a few SAMP floats, ints, a boolean, a list and
/// a nested map.
fn params() -> Map {
    let rows: Vec<Value> = (0..10).map(|i| Value::from((i * 7).to_string())).collect();
    match map! {
        "table-id" => "t1",
        "url" => "file:///data/m31.xml",
        "ra" => "83.633083",
        "dec" => "22.0145",
        "count" => "10",
        "verbose" => "1",
        "row-list" => Value::List(rows),
        "meta" => map! { "author" => "someone", "epoch" => "2000" },
    } {
        Value::Map(m) => m,
        _ => unreachable!(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Select {
    table_id: String,
    url: String,
    ra: f64,
    dec: f64,
    count: u32,
    verbose: bool,
    row_list: Vec<i64>,
    meta: Meta,
}

#[derive(Deserialize)]
struct Meta {
    author: String,
    epoch: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Selected {
    table_id: String,
    rows: i64,
    sum: i64,
    centre: f64,
}

fn compute(p: &Select) -> Selected {
    black_box((&p.url, &p.meta.author));
    let sum: i64 = p.row_list.iter().sum();
    Selected {
        table_id: p.table_id.clone(),
        rows: i64::from(p.count),
        sum: sum + if p.verbose { p.meta.epoch } else { 0 },
        centre: p.ra + p.dec,
    }
}

mod handlers {
    use super::*;

    pub static CAPTURED: OnceLock<Context> = OnceLock::new();

    #[samp::notification("x-bench.capture")]
    fn capture(ctx: Context) {
        let _ = CAPTURED.set(ctx);
    }

    #[samp::call("x-bench.select")]
    async fn select(p: Select) -> Result<Selected, samp::Error> {
        Ok(compute(&p))
    }
}

/// The hand-written equivalent: read each key, parse the SAMP encodings, build the map.
fn by_hand(mtype: &str, mut params: Map) -> Response {
    fn err(mtype: &str, key: &str, what: impl std::fmt::Display) -> Response {
        Response::error(ErrInfo::new(format!(
            "{mtype}: params did not decode: at `{key}`: {what}"
        )))
    }
    macro_rules! string {
        ($key:literal) => {
            match params.remove($key) {
                Some(Value::String(s)) => s,
                _ => return err(mtype, $key, "expected a string"),
            }
        };
    }
    macro_rules! parsed {
        ($key:literal, $parse:expr) => {
            match params.get($key) {
                Some(Value::String(s)) => match $parse(s) {
                    Ok(v) => v,
                    Err(e) => return err(mtype, $key, e),
                },
                _ => return err(mtype, $key, "expected a string"),
            }
        };
    }
    let table_id = string!("table-id");
    let url = string!("url");
    let ra = parsed!("ra", parse_float);
    let dec = parsed!("dec", parse_float);
    let count = parsed!("count", |s: &str| samp::protocol::encoding::parse_int_as::<
        u32,
    >(s));
    let verbose = parsed!("verbose", parse_bool);
    let row_list = match params.get("row-list") {
        Some(Value::List(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::String(s) => match parse_int(s) {
                        Ok(v) => out.push(v),
                        Err(e) => return err(mtype, "row-list", e),
                    },
                    _ => return err(mtype, "row-list", "expected a string"),
                }
            }
            out
        }
        _ => return err(mtype, "row-list", "expected a list"),
    };
    let meta = match params.remove("meta") {
        Some(Value::Map(mut m)) => {
            let author = match m.remove("author") {
                Some(Value::String(s)) => s,
                _ => return err(mtype, "meta.author", "expected a string"),
            };
            let epoch = match m.get("epoch") {
                Some(Value::String(s)) => match parse_int(s) {
                    Ok(v) => v,
                    Err(e) => return err(mtype, "meta.epoch", e),
                },
                _ => return err(mtype, "meta.epoch", "expected a string"),
            };
            Meta { author, epoch }
        }
        _ => return err(mtype, "meta", "expected a map"),
    };
    let p = Select {
        table_id,
        url,
        ra,
        dec,
        count,
        verbose,
        row_list,
        meta,
    };
    let out = compute(&p);
    let mut result = Map::new();
    result.insert("table-id".into(), Value::String(out.table_id));
    result.insert("rows".into(), Value::String(format_int(out.rows)));
    result.insert("sum".into(), Value::String(format_int(out.sum)));
    match format_float(out.centre) {
        Ok(c) => {
            result.insert("centre".into(), Value::String(c));
        }
        Err(e) => return Response::error(ErrInfo::new(e.to_string())),
    }
    Response::ok(result)
}

/// Polls a future that completes without waiting (the handlers here never await).
fn run_ready(mut fut: HandlerFuture) -> Response {
    let mut cx = TaskContext::from_waker(Waker::noop());
    match fut.as_mut().poll(&mut cx) {
        Poll::Ready(r) => r,
        Poll::Pending => panic!("handler did not complete at once"),
    }
}

/// Gets a real `Context` by receiving one notification through an in-process hub.
fn captured_context() -> Context {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let hub = samp::hub::Hub::builder()
            .no_lockfile()
            .start()
            .await
            .unwrap();
        let client = samp::Client::builder()
            .lock_info(hub.lock_info().clone())
            .handlers_in_module(concat!(module_path!(), "::handlers"))
            .connect()
            .await
            .unwrap();
        let id: ClientId = client.public_id().unwrap();
        client
            .notify(&id, Message::new("x-bench.capture"))
            .await
            .unwrap();
        for _ in 0..500 {
            if let Some(ctx) = handlers::CAPTURED.get() {
                return ctx.clone();
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("no message arrived")
    })
}

fn bench(c: &mut Criterion) {
    let ctx = captured_context();
    let reg = registrations()
        .find(|r| r.mtype == "x-bench.select")
        .expect("registered");

    // Both paths agree before anything is measured.
    let via_macro = run_ready((reg.handler)(ctx.clone(), params()));
    let manual = by_hand("x-bench.select", params());
    assert_eq!(via_macro.status, Status::Ok);
    assert_eq!(via_macro, manual);

    let mut group = c.benchmark_group("dispatch");
    group.bench_function("macro adapter (decode, call, respond)", |b| {
        b.iter_batched(
            || (ctx.clone(), params()),
            |(ctx, p)| black_box(run_ready((reg.handler)(ctx, p))),
            BatchSize::SmallInput,
        )
    });
    // A closure given to bind_call goes through the same traits (FromMessage, IntoResponse).
    let closure = |p: Select| async move { Ok::<_, samp::Error>(compute(&p)) };
    assert_eq!(
        run_ready(call_handler(closure, ctx.clone(), params())),
        manual
    );
    group.bench_function("closure through Handler (decode, call, respond)", |b| {
        b.iter_batched(
            || (ctx.clone(), params()),
            |(ctx, p)| black_box(run_ready(call_handler(closure, ctx, p))),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("hand-written decoding", |b| {
        b.iter_batched(
            params,
            |p| black_box(by_hand(black_box("x-bench.select"), p)),
            BatchSize::SmallInput,
        )
    });
    let mut bad = params();
    bad.insert("ra".into(), Value::from("east"));
    group.bench_function("macro adapter, params that do not decode", |b| {
        b.iter_batched(
            || (ctx.clone(), bad.clone()),
            |(ctx, p)| black_box(run_ready((reg.handler)(ctx, p))),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
