//! Hot paths of the wire: writing and parsing XML-RPC documents for a typical notification
//! and for a 1,000,000-row `table.select.rowList`; the typed path a client takes (document
//! to `TableSelectRowList` with its `Vec<u64>`, and back); and what a hub does instead,
//! keeping the message as it arrived.
//!
//! `cargo bench --bench xmlrpc`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use samp::mtypes::TableSelectRowList;
use samp::protocol::convert::from_value;
use samp::protocol::xmlrpc::{WriteValue, parse_call, parse_call_keeping, write_call};
use samp::{Message, Value, map};

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
    // A client: the callback document into the typed message, row-list as Vec<u64>.
    g.bench_with_input(BenchmarkId::new("typed decode", rows), &doc, |b, doc| {
        b.iter(|| {
            let mut call = parse_call(doc.as_bytes()).expect("parses");
            let message = Message::from_value(call.params.remove(2)).expect("a message");
            let typed: TableSelectRowList =
                from_value(Value::Map(message.params)).expect("decodes");
            typed.row_list.len()
        })
    });
    // A client sending it: the typed message into a callback document.
    let typed = TableSelectRowList::new((0..u64::from(rows)).collect::<Vec<u64>>());
    g.bench_function(BenchmarkId::new("typed encode", rows), |b| {
        b.iter(|| {
            let message =
                samp::protocol::IntoMessage::into_message(typed.clone()).expect("encodes");
            write_call(
                "samp.client.receiveNotification",
                &[&"key", &"c12", &message],
            )
            .expect("written")
            .len()
        })
    });
    // The hub: the message checked and kept as it arrived.
    let body = bytes::Bytes::from(doc.clone());
    g.bench_with_input(BenchmarkId::new("hub keeps", rows), &body, |b, body| {
        b.iter(|| {
            parse_call_keeping(body, &|_, i| i == 2)
                .expect("parses")
                .1
                .len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
