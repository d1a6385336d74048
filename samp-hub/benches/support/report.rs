//! `hub_load --json`: every figure as one JSON object, for scripts that compare runs.

use super::Figures;

/// Every figure as one JSON object (`--json FILE`), for scripts that compare runs.
pub fn to_json(results: &[(&str, Figures)], relay: Option<(f64, f64)>) -> String {
    let num = |v: f64| {
        if v.is_finite() {
            format!("{v:.3}")
        } else {
            "null".to_owned()
        }
    };
    let mut out = String::from("{\"hubs\":{");
    for (i, (name, f)) in results.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let fanout: Vec<String> = f
            .fanout
            .iter()
            .map(|(n, s, kib)| {
                format!(
                    "{{\"recipients\":{n},\"seconds\":{},\"peak_rss_kib\":{kib}}}",
                    num(*s)
                )
            })
            .collect();
        out.push_str(&format!(
            "\"{name}\":{{\"notifications_per_s\":{},\"lost\":{},\"cpu_us_per_notification\":{},\"call_and_wait_median_us\":{},\"call_and_wait_p99_us\":{},\"call_failures\":{},\"rss_idle_kib\":{},\"rss_100_clients_kib\":{},\"rowlist_seconds\":{},\"rowlist_kib\":{},\"rowlist_fanout\":[{}]}}",
            num(f.rate),
            f.lost,
            num(f.cpu_us),
            num(f.median_us),
            num(f.p99_us),
            f.call_failures,
            f.rss_idle,
            f.rss_100,
            f.rowlist_s.map_or("null".to_owned(), num),
            f.rowlist_kib,
            fanout.join(","),
        ));
    }
    out.push('}');
    if let Some((rate, cpu)) = relay {
        out.push_str(&format!(
            ",\"bare_relay\":{{\"relays_per_s\":{},\"cpu_us_per_relay\":{}}}",
            num(rate),
            num(cpu)
        ));
    }
    out.push_str("}\n");
    out
}
