//! `/metrics` over TCP, parsed back; the scrape makes "Metrics being collected" pass.

use super::{get_from, serve, TRIGGER};
use prodready::monitor::metrics::parse_exposition;
use prodready::monitor::{error_rate_trigger, metrics_being_collected, LogMonitor, RequestMonitor};
use prodready::{Checklist, Item, Kind, Readiness, Status};
use std::time::Duration;

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
    let value = |name: &str, labels: &[(&str, &str)]| {
        samples
            .iter()
            .find(|s| {
                s.name == name
                    && labels
                        .iter()
                        .all(|(k, v)| s.labels.iter().any(|(a, b)| a == k && b == v))
            })
            .map(|s| s.value)
    };
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
