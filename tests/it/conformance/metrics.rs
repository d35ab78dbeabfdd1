//! `/metrics` after traffic: latencies as a real summary and histogram (no gauge with a
//! `quantile` label), and the classic text format when the scraper asks for it.

use super::*;
use prodready::monitor::metrics::{parse_exposition, CONTENT_TYPE, TEXT_CONTENT_TYPE};
use prodready::monitor::RequestMonitor;
use std::collections::HashMap;
use std::time::Duration;

const PROMETHEUS_ACCEPT: &str = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

fn served() -> (Readiness, RequestMonitor) {
    let monitor = RequestMonitor::new();
    let r = Readiness::builder()
        .service("demo", "1.2.3")
        .checklist(Checklist::new("c").item(Item::new("Ops", None, "Runbook").check(pass())))
        .host(FakeHost::new())
        .registered_checks(false)
        .resource(monitor.clone())
        .build()
        .unwrap();
    (r, monitor)
}

/// The `# TYPE` of each family.
fn types(body: &str) -> HashMap<String, String> {
    body.lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .map(|l| {
            let (name, t) = l.split_once(' ').unwrap();
            (name.to_owned(), t.to_owned())
        })
        .collect()
}

fn family_of<'a>(sample: &str, types: &'a HashMap<String, String>) -> (&'a str, &'a str) {
    let (name, t) = types
        .iter()
        .filter(|(n, _)| sample.starts_with(n.as_str()))
        .max_by_key(|(n, _)| n.len())
        .unwrap_or_else(|| panic!("{sample} has no # TYPE"));
    (name.as_str(), t.as_str())
}

#[tokio::test]
async fn after_traffic_latencies_are_a_summary_and_a_histogram() {
    let (r, monitor) = served();
    let latencies = [3u64, 40, 900, 1_500, 30_000];
    for ms in latencies {
        monitor.record("/orders", 200, Duration::from_millis(ms));
    }
    for accept in [
        None,
        Some(PROMETHEUS_ACCEPT),
        Some("text/plain;version=0.0.4"),
    ] {
        let (code, _, body) = get(&r, "/metrics", accept).await;
        assert_eq!(code, 200);
        let types = types(&body);
        assert_eq!(types["prodready_request_latency_seconds"], "summary");
        assert_eq!(types["prodready_request_duration_seconds"], "histogram");
        let samples = parse_exposition(&body).unwrap();
        for s in &samples {
            let (family, t) = family_of(&s.name, &types);
            let has = |label: &str| s.labels.iter().any(|(k, _)| k == label);
            if has("quantile") {
                assert_eq!(t, "summary", "{} has a quantile label", s.name);
            }
            if has("le") {
                assert_eq!(t, "histogram", "{} has an le label", s.name);
            }
            if t == "gauge" {
                assert_eq!(s.name, family, "a gauge sample has its family's name");
            }
        }
        let value = |name: &str, labels: &[(&str, &str)]| {
            samples
                .iter()
                .find(|s| {
                    s.name == name
                        && s.labels.len() == labels.len()
                        && labels
                            .iter()
                            .all(|(k, v)| s.labels.iter().any(|(a, b)| a == k && b == v))
                })
                .map(|s| s.value)
                .unwrap_or_else(|| panic!("no {name}{labels:?}"))
        };
        let n = latencies.len() as f64;
        assert_eq!(value("prodready_request_duration_seconds_count", &[]), n);
        assert_eq!(
            value(
                "prodready_request_duration_seconds_bucket",
                &[("le", "+Inf")]
            ),
            n
        );
        let sum: f64 = latencies.iter().map(|ms| *ms as f64 / 1000.0).sum();
        assert!((value("prodready_request_duration_seconds_sum", &[]) - sum).abs() < 1e-6);
        // Buckets are cumulative and exact: 0.004095 s holds 3 ms only, 1.048575 s four.
        assert_eq!(
            value(
                "prodready_request_duration_seconds_bucket",
                &[("le", "0.004095")]
            ),
            1.0
        );
        assert_eq!(
            value(
                "prodready_request_duration_seconds_bucket",
                &[("le", "1.048575")]
            ),
            3.0
        );
        assert_eq!(
            value(
                "prodready_request_duration_seconds_bucket",
                &[("le", "2.097151")]
            ),
            4.0
        );
        let buckets: Vec<f64> = samples
            .iter()
            .filter(|s| s.name == "prodready_request_duration_seconds_bucket")
            .map(|s| s.value)
            .collect();
        assert!(buckets.windows(2).all(|w| w[0] <= w[1]), "{buckets:?}");
        assert_eq!(
            value(
                "prodready_request_latency_seconds_count",
                &[("window", "1m")]
            ),
            n
        );
        assert!(
            value(
                "prodready_request_latency_seconds",
                &[("window", "5m"), ("quantile", "0.99")]
            ) >= 30.0
        );
        assert!(
            (value(
                "prodready_request_latency_seconds_sum",
                &[("window", "deployment")]
            ) - sum)
                .abs()
                < 1e-6
        );
    }
}

#[tokio::test]
async fn the_classic_text_format_when_the_scraper_asks_for_it() {
    let (r, monitor) = served();
    monitor.record("/orders", 200, Duration::from_millis(5));
    let (_, ct, body) = get(&r, "/metrics", Some("text/plain;version=0.0.4")).await;
    assert_eq!(ct, TEXT_CONTENT_TYPE);
    assert_eq!(ct, "text/plain; version=0.0.4; charset=utf-8");
    assert!(
        !body.contains("# EOF") && !body.contains("# UNIT"),
        "{body}"
    );
    let (_, ct, body) = get(&r, "/metrics", Some(PROMETHEUS_ACCEPT)).await;
    assert_eq!(ct, CONTENT_TYPE);
    assert!(body.ends_with("# EOF\n"));
    assert!(body.contains("# UNIT prodready_request_duration_seconds seconds\n"));
    let (_, ct, _) = get(&r, "/metrics", None).await;
    assert_eq!(ct, CONTENT_TYPE, "OpenMetrics without an Accept header");
    let (_, ct, _) = get(
        &r,
        "/metrics",
        Some("text/plain;q=0.9, application/openmetrics-text;q=0.5"),
    )
    .await;
    assert_eq!(ct, TEXT_CONTENT_TYPE, "by quality");
}
