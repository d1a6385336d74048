//! Hot paths of the wire: writing and parsing XML-RPC documents for a typical notification
//! and for a 1,000,000-row `table.select.rowList`.
//!
//! `cargo bench --bench xmlrpc`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use samp::protocol::xmlrpc::{WriteValue, parse_call, write_call};
use samp::{Value, map};

/// A `receiveNotification` document with `params`.
fn write(params: &[Value]) -> String {
    let refs: Vec<&dyn WriteValue> = params.iter().map(|p| p as &dyn WriteValue).collect();
    write_call("samp.client.receiveNotification", &refs).expect("XML 1.0 text")
}

fn notification() -> Vec<Value> {
    vec![
        Value::from("3f2a9c0d6b1e4c7a8f5d2e1b0a9c8d7e"),
        Value::from("c12"),
        map! {
            "samp.mtype" => "coord.pointAt.sky",
            "samp.params" => map! { "ra" => "83.633083", "dec" => "22.0145" },
        },
    ]
}

fn row_list(rows: u32) -> Vec<Value> {
    let list: Vec<Value> = (0..rows).map(|i| Value::from(i.to_string())).collect();
    vec![
        Value::from("3f2a9c0d6b1e4c7a8f5d2e1b0a9c8d7e"),
        Value::from("c12"),
        map! {
            "samp.mtype" => "table.select.rowList",
            "samp.params" => map! { "table-id" => "t1", "row-list" => Value::List(list) },
        },
    ]
}

fn bench(c: &mut Criterion) {
    let small = notification();
    let small_doc = write(&small);
    let mut g = c.benchmark_group("notification");
    g.throughput(Throughput::Bytes(small_doc.len() as u64));
    g.bench_function("write", |b| b.iter(|| write(&small)));
    g.bench_function("parse", |b| {
        b.iter(|| parse_call(small_doc.as_bytes()).expect("parses"))
    });
    g.finish();

    let mut g = c.benchmark_group("rowList");
    g.sample_size(10);
    let rows = 1_000_000u32;
    let big = row_list(rows);
    let doc = write(&big);
    g.throughput(Throughput::Bytes(doc.len() as u64));
    g.bench_with_input(BenchmarkId::new("write", rows), &big, |b, big| {
        b.iter(|| write(big))
    });
    g.bench_with_input(BenchmarkId::new("parse", rows), &doc, |b, doc| {
        b.iter(|| parse_call(doc.as_bytes()).expect("parses"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
