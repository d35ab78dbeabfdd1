//! Startup verification: strict mode returns an error when not ready.

use crate::common::*;
use prodready::testing::FakeHost;
use prodready::{Checklist, Readiness};

fn build(host: FakeHost, strict: Option<bool>) -> Readiness {
    let c = Checklist::new("c").item(item("db").check(fail("connection refused")));
    let mut b = Readiness::builder()
        .service("payments", "2.0.0")
        .checklist(c)
        .host(host)
        .registered_checks(false);
    if let Some(s) = strict {
        b = b.strict(s);
    }
    b.build().unwrap()
}

#[tokio::test]
async fn strict_startup_fails_when_not_ready() {
    let err = build(FakeHost::new(), Some(true))
        .verify_startup()
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "payments 2.0.0 may not start: 1 item(s) fail a gate\n  ✗ tests.engine.db [readiness gate]: connection refused"
    );
    // `main` returning the error prints its Debug: the same summary, not the whole report.
    assert_eq!(format!("{err:?}"), err.to_string());
    assert!(!err.report.ready);
}

#[tokio::test]
async fn lenient_startup_reports_and_continues() {
    let report = build(FakeHost::new(), Some(false))
        .verify_startup()
        .await
        .unwrap();
    assert!(!report.ready);
}

#[tokio::test]
async fn strictness_comes_from_prodready_strict_when_unset() {
    assert!(build(FakeHost::new().env("PRODREADY_STRICT", "1"), None).is_strict());
    assert!(build(FakeHost::new().env("PRODREADY_STRICT", "true"), None)
        .verify_startup()
        .await
        .is_err());
    assert!(!build(FakeHost::new().env("PRODREADY_STRICT", "0"), None).is_strict());
    assert!(!build(FakeHost::new(), None).is_strict());
    assert!(
        !build(FakeHost::new().env("PRODREADY_STRICT", "1"), Some(false)).is_strict(),
        "the builder wins"
    );
}

#[tokio::test]
async fn startup_logs_through_tracing_and_prints_nothing_itself() {
    use prodready::checks::logging::{LogPipeline, LogTarget, MemoryWriter};
    let out = MemoryWriter::new();
    let logs = LogPipeline::json()
        .writer(out.clone(), LogTarget::Shipper("capture".into()))
        .build();
    let dispatch = tracing::Dispatch::new(logs.subscriber());
    let _guard = tracing::dispatcher::set_default(&dispatch);
    let report = build(FakeHost::new(), Some(false))
        .verify_startup()
        .await
        .unwrap();
    assert!(!report.ready);
    let lines: Vec<serde_json::Value> = out
        .contents()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|l: &serde_json::Value| l["target"] == "prodready")
        .collect();
    assert_eq!(lines.len(), 2, "{}", out.contents());
    let summary = &lines[0]["fields"];
    assert_eq!(summary["message"], "startup verification: not ready");
    assert_eq!(summary["service"], "payments");
    assert_eq!(
        (summary["ready"].as_bool(), summary["fail"].as_u64()),
        (Some(false), Some(1))
    );
    let failure = &lines[1];
    assert_eq!(failure["level"], "WARN");
    assert_eq!(failure["fields"]["item"], "tests.engine.db");
    assert_eq!(failure["fields"]["gate"], "readiness");
    assert_eq!(failure["fields"]["message"], "connection refused");
}
