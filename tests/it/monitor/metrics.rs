//! `/metrics` over TCP, parsed back; the scrape makes "Metrics being collected" pass.

use super::{get_from, serve, TRIGGER};
use prodready::monitor::metrics::{parse_exposition, Sample};
use prodready::monitor::{
    error_rate_trigger, metrics_being_collected, metrics_verified, LogMonitor, RequestMonitor,
};
use prodready::{Checklist, Item, Kind, Readiness, Status};
use std::time::Duration;

/// The value of the first sample named `name` that carries every one of `labels`.
fn sample(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    samples
        .iter()
        .find(|s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.iter().any(|(a, b)| a == k && b == v))
        })
        .map(|s| s.value)
}

#[tokio::test]
async fn metrics_parse_and_a_scrape_is_seen() {
    let monitor = RequestMonitor::new();
    let logs = LogMonitor::new();
    logs.record(tracing::Level::ERROR, Some("boom"));
    let scraped = "deployment.verification.metrics-being-collected";
    let checklist = Checklist::new("c")
        .item(
            Item::new("Rollback Plan", Some("Triggers"), "Error rate > threshold")
                .kind(Kind::Monitor)
                .rollback_trigger()
                .ttl(Duration::from_millis(1))
                .check(error_rate_trigger().min_requests(5)),
        )
        .item(
            Item::new(
                "Deployment",
                Some("Verification"),
                "Metrics being collected",
            )
            .ttl(Duration::from_millis(1))
            .check(metrics_being_collected()),
        );
    let readiness = Readiness::builder()
        .checklist(checklist)
        .host(prodready::testing::FakeHost::new())
        .registered_checks(false)
        .resource(monitor.clone())
        .resource(logs)
        .build()
        .unwrap();
    let addr = serve(&readiness, &monitor).await;
    for _ in 0..5 {
        get_from(addr, "/boom", "t").await;
    }
    assert_eq!(
        readiness
            .evaluate_fresh()
            .await
            .item(scraped)
            .unwrap()
            .status,
        Status::Pending
    );
    let (status, body) = get_from(addr, "/metrics", "Prometheus/2.53.0").await;
    assert_eq!(status, 200);
    let samples = parse_exposition(&body).unwrap();
    let value = |name: &str, labels: &[(&str, &str)]| sample(&samples, name, labels);
    assert_eq!(
        value(
            "prodready_item_status",
            &[("id", TRIGGER), ("status", "fail")]
        ),
        Some(1.0)
    );
    assert_eq!(
        value(
            "prodready_item_status",
            &[("id", TRIGGER), ("status", "pass")]
        ),
        Some(0.0)
    );
    assert_eq!(
        value("prodready_trigger_fired", &[("id", TRIGGER)]),
        Some(1.0)
    );
    assert_eq!(value("prodready_rollback_recommended", &[]), Some(1.0));
    assert_eq!(
        value("prodready_requests", &[("window", "deployment")]),
        Some(5.0)
    );
    assert_eq!(
        value("prodready_request_errors", &[("window", "1m")]),
        Some(5.0)
    );
    assert_eq!(
        value(
            "prodready_log_events",
            &[("level", "error"), ("window", "5m")]
        ),
        Some(1.0)
    );
    assert!(body.ends_with("# EOF\n"));
    assert_eq!(readiness.probe_log().answered("/metrics"), 1);
    let item = readiness
        .evaluate_fresh()
        .await
        .item(scraped)
        .unwrap()
        .clone();
    assert_eq!(item.status, Status::Pass, "{}", item.message);
}

/// A request with a Prometheus user agent answered 400 is not a scrape: the items stay unmet
/// until one is answered 200 with a body.
#[tokio::test]
async fn a_scrape_answered_400_is_not_collection() {
    let monitor = RequestMonitor::new();
    let collected = "deployment.verification.metrics-being-collected";
    let verified = "post-deployment.monitoring.verify-metrics";
    let checklist = Checklist::new("c")
        .item(
            Item::new(
                "Deployment",
                Some("Verification"),
                "Metrics being collected",
            )
            .ttl(Duration::from_millis(1))
            .check(metrics_being_collected().window(Duration::from_secs(60))),
        )
        .item(
            Item::new("Post-Deployment", Some("Monitoring"), "Verify metrics")
                .kind(Kind::Monitor)
                .ttl(Duration::from_millis(1))
                .check(metrics_verified()),
        );
    let readiness = Readiness::builder()
        .checklist(checklist)
        .host(prodready::testing::FakeHost::new())
        .registered_checks(false)
        .resource(monitor.clone())
        .build()
        .unwrap();
    let addr = serve(&readiness, &monitor).await;
    let (status, _) = get_from(addr, "/metrics?match=up", "Prometheus/2.53.0").await;
    assert_eq!(status, 400);
    let report = readiness.evaluate_fresh().await;
    for id in [collected, verified] {
        let item = report.item(id).unwrap();
        assert_eq!(item.status, Status::Warn, "{id}: {}", item.message);
        assert!(
            item.message.contains("answered 400"),
            "{id}: {}",
            item.message
        );
    }
    let (status, body) = get_from(addr, "/metrics", "Prometheus/2.53.0").await;
    assert_eq!(status, 200);
    let report = readiness.evaluate_fresh().await;
    for id in [collected, verified] {
        let item = report.item(id).unwrap();
        assert_eq!(item.status, Status::Pass, "{id}: {}", item.message);
        assert!(
            item.message
                .contains(&format!("answered 200 with {} bytes", body.len())),
            "{id}: {}",
            item.message
        );
    }
}

/// The library's own `/metrics`, after traffic, passes the rules of the real consumers: the
/// library's judge, and `promtool check metrics` when it is installed.
#[tokio::test]
async fn the_exposition_after_traffic_passes_promtool() {
    use prodready::monitor::exposition::{judge, Syntax};
    let monitor = RequestMonitor::new();
    let logs = LogMonitor::new();
    logs.record(tracing::Level::ERROR, Some("boom"));
    logs.record(tracing::Level::WARN, None);
    let readiness = Readiness::builder()
        .checklist(prodready::standard::production_deployment())
        .host(prodready::testing::FakeHost::new())
        .registered_checks(false)
        .resource(monitor.clone())
        .resource(logs)
        .build()
        .unwrap();
    let addr = serve(&readiness, &monitor).await;
    for path in ["/ok", "/ok", "/boom", "/nowhere"] {
        get_from(addr, path, "curl/8.5").await;
    }
    let (status, body) = get_from(addr, "/metrics", "Prometheus/2.53.0").await;
    assert_eq!(status, 200);
    assert!(body.contains("prodready_request_latency_seconds"), "{body}");
    let j = judge(&body, Syntax::OpenMetrics);
    assert!(j.is_clean(), "{:#?}", j.problems);
    assert!(j.samples > 100, "{}", j.samples);

    let item = readiness
        .evaluate_fresh()
        .await
        .item("post-deployment.monitoring.verify-metrics")
        .unwrap()
        .clone();
    assert_eq!(item.status, Status::Pass, "{}", item.message);
    assert_eq!(item.details["exposition_errors"], 0);
    assert_eq!(item.details["exposition_lints"], 0);

    match crate::common::promtool_check_metrics(&body) {
        Some((ok, output)) => assert!(ok, "promtool check metrics rejected /metrics:\n{output}"),
        None => eprintln!(
            "skipped the promtool half: `promtool` is not on PATH (Debian package `prometheus`)"
        ),
    }
}

/// With no address declared, "Prometheus metrics exposed" takes a real scrape answered 200 as
/// proof, instead of warning that the address is not declared.
#[cfg(feature = "http-client")]
#[tokio::test]
async fn a_real_scrape_shows_the_metrics_are_exposed() {
    let exposed = "infrastructure.monitoring.prometheus-metrics-exposed";
    let monitor = RequestMonitor::new();
    let readiness = Readiness::builder()
        .checklist(prodready::standard::production_deployment())
        .host(prodready::testing::FakeHost::new())
        .registered_checks(false)
        .resource(monitor.clone())
        .build()
        .unwrap();
    let addr = serve(&readiness, &monitor).await;
    let item = readiness
        .evaluate_fresh()
        .await
        .item(exposed)
        .unwrap()
        .clone();
    assert_eq!(item.status, Status::Warn, "{}", item.message);
    assert!(
        item.message.contains("could not be checked"),
        "{}",
        item.message
    );
    let (status, _) = get_from(addr, "/metrics", "Prometheus/2.53.0").await;
    assert_eq!(status, 200);
    let item = readiness
        .evaluate_fresh()
        .await
        .item(exposed)
        .unwrap()
        .clone();
    assert_eq!(item.status, Status::Pass, "{}", item.message);
    assert!(
        item.message
            .contains("a Prometheus server scraped /metrics"),
        "{}",
        item.message
    );
    assert_eq!(item.details["errors"], 0);
}

/// Whatever `promtool check metrics` rejects, the judge does not call clean; and what the judge
/// calls clean, promtool accepts. (The judge is stricter on purpose in places promtool's text
/// parser is lenient and a Prometheus scrape is not: duplicate series, histogram buckets.)
#[tokio::test]
async fn the_judge_agrees_with_promtool() {
    use prodready::monitor::exposition::{judge, Syntax};
    let corpus = [
        "# HELP up Up.\n# TYPE up gauge\nup 1\n",
        "# HELP a_total A.\n# TYPE a_total counter\na_total{code=\"200\"} 3\n",
        "# HELP a A.\n# TYPE a counter\na 3\n",
        "# TYPE up gauge\nup 1\n",
        "up 1\n",
        "# HELP l Latency.\n# TYPE l gauge\nl{quantile=\"0.5\"} 1\n",
        "# HELP l Latency.\n# TYPE l gauge\nl{le=\"0.5\"} 1\n",
        "# HELP x_total X.\n# TYPE x_total gauge\nx_total 1\n",
        "# HELP x_count X.\n# TYPE x_count gauge\nx_count 1\n",
        "# HELP x_bucket X.\n# TYPE x_bucket gauge\nx_bucket 1\n",
        "# HELP x_gauge X.\n# TYPE x_gauge gauge\nx_gauge 1\n",
        "# HELP x:y X.\n# TYPE x:y gauge\nx:y 1\n",
        "# HELP xY X.\n# TYPE xY gauge\nxY 1\n",
        "# HELP x X.\n# TYPE x gauge\nx{aB=\"1\"} 1\n",
        "# HELP x_ms X.\n# TYPE x_ms gauge\nx_ms 1\n",
        "# HELP x_kilobytes X.\n# TYPE x_kilobytes gauge\nx_kilobytes 1\n",
        "# HELP x X.\n# HELP x Y.\nx 1\n",
        "# HELP x X.\nx 1\n# TYPE x gauge\n",
        "# HELP x X.\n# TYPE x gauge\nx{a=\"1\",a=\"2\"} 1\n",
        "# HELP x X.\n# TYPE x gauge\nx{a=\"\\q\"} 1\n",
        "# HELP x X.\n# TYPE x gauge\nx{1a=\"1\"} 1\n",
        "# HELP x X.\n# TYPE x gauge\nx 1 1.5\n",
        "# HELP x X.\n# TYPE x gauge\nx one\n",
        "# HELP x X.\n# TYPE x wobble\nx 1\n",
        "# HELP s S.\n# TYPE s summary\ns{quantile=\"x\"} 1\n",
        "# HELP s_seconds S.\n# TYPE s_seconds summary\ns_seconds{quantile=\"0.5\"} 1\ns_seconds_sum 2\ns_seconds_count 3\n",
        "# HELP h_seconds H.\n# TYPE h_seconds histogram\nh_seconds_bucket{le=\"1\"} 1\nh_seconds_bucket{le=\"+Inf\"} 2\nh_seconds_sum 1\nh_seconds_count 2\n",
        "# HELP h_seconds H.\n# TYPE h_seconds histogram\nh_seconds_bucket{le=\"x\"} 1\n",
        "<html>oops</html>\n",
        "# HELP x X.\n# TYPE x gauge\nx{a=\"b\"}1\n",
    ];
    let mut compared = 0;
    for text in corpus {
        let Some((promtool_ok, output)) = crate::common::promtool_check_metrics(text) else {
            eprintln!("skipped: `promtool` is not on PATH (Debian package `prometheus`)");
            return;
        };
        let j = judge(text, Syntax::Prometheus);
        assert_eq!(
            j.is_clean(),
            promtool_ok,
            "{text:?}: promtool says {output:?}, the judge {:#?}",
            j.problems
        );
        compared += 1;
    }
    assert_eq!(compared, corpus.len());
}

/// The fleet series: who the service is, each item's kind, severity and gate, compliance and
/// the startup gate, and when each waiver and attestation stops counting.
#[tokio::test]
async fn the_fleet_series_name_the_service_its_items_and_expiries() {
    let checklist = Checklist::new("c")
        .item(
            Item::new("Security", None, "Image signed").check(prodready::check_fn(|_| async {
                prodready::Outcome::fail("unsigned")
            })),
        )
        .item(
            Item::new("Post-Deployment", None, "Smoke signed off")
                .kind(Kind::Attestation)
                .check(prodready::check_fn(|_| async {
                    prodready::Outcome::pass("attested")
                        .detail("expires_at", "2027-01-01T12:00:00Z")
                })),
        )
        .waive(
            prodready::Waiver::new("security.image-signed", "not shipped as an image")
                .until("2027-06-30"),
        );
    let readiness = Readiness::builder()
        .service("orders", "2.1.0")
        .checklist(checklist)
        .host(prodready::testing::FakeHost::new())
        .registered_checks(false)
        .build()
        .unwrap();
    let report = readiness.evaluate().await;
    let samples =
        parse_exposition(&prodready::monitor::metrics::render(&readiness, &report)).unwrap();
    let value = |name: &str, labels: &[(&str, &str)]| sample(&samples, name, labels);
    assert_eq!(
        value(
            "prodready_build_info",
            &[("service", "orders"), ("version", "2.1.0")]
        ),
        Some(1.0)
    );
    assert_eq!(
        value(
            "prodready_item_info",
            &[
                ("id", "post-deployment.smoke-signed-off"),
                ("kind", "attestation"),
                ("severity", "blocking"),
                ("gate", "startup"),
            ]
        ),
        Some(1.0)
    );
    // 2027-07-01T00:00:00Z: the waiver applies through its last day.
    assert_eq!(
        value(
            "prodready_waiver_expiry_timestamp_seconds",
            &[("id", "security.image-signed")]
        ),
        Some(1_814_400_000.0)
    );
    assert_eq!(
        value(
            "prodready_attestation_expiry_timestamp_seconds",
            &[("id", "post-deployment.smoke-signed-off")]
        ),
        Some(1_798_804_800.0)
    );
    assert_eq!(value("prodready_compliant", &[]), Some(1.0));
    assert_eq!(value("prodready_startup", &[]), Some(1.0));
}
