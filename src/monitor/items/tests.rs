use super::*;
use crate::check::Resources;
use crate::testing::FakeHost;
use std::sync::Arc;

fn ctx(requests: Option<RequestMonitor>, logs: Option<LogMonitor>) -> Context {
    let mut r = Resources::default();
    if let Some(m) = requests {
        r.insert(m);
    }
    if let Some(l) = logs {
        r.insert(l);
    }
    Context::new(Arc::new(FakeHost::new()), r)
}

fn traffic(m: &RequestMonitor, n: u64, status: u16, ms: u64) {
    for _ in 0..n {
        m.record("/pay", status, Duration::from_millis(ms));
    }
}

#[tokio::test(start_paused = true)]
async fn pending_until_enough_requests_then_judged() {
    let m = RequestMonitor::new();
    let c = ctx(Some(m.clone()), None);
    traffic(&m, 5, 200, 10);
    let o = error_rate_acceptable().run(&c).await;
    assert_eq!(o.status(), Status::Pending, "{}", o.message());
    assert_eq!(o.details()["requests"], 5);
    traffic(&m, 95, 200, 10);
    let o = error_rate_acceptable().run(&c).await;
    assert_eq!(o.status(), Status::Pass, "{}", o.message());
    assert_eq!(o.details()["fail_error_ratio"], 0.05);
    traffic(&m, 3, 500, 10);
    assert_eq!(error_rate_acceptable().run(&c).await.status(), Status::Warn);
    assert_eq!(error_rate_trigger().run(&c).await.status(), Status::Pass);
    traffic(&m, 10, 503, 10);
    let o = error_rate_trigger().run(&c).await;
    assert_eq!(o.status(), Status::Fail, "{}", o.message());
    assert_eq!(o.details()["server_errors"], 13);
}

#[tokio::test(start_paused = true)]
async fn latency_thresholds_on_p99() {
    let m = RequestMonitor::new();
    let c = ctx(Some(m.clone()), None);
    traffic(&m, 100, 200, 20);
    let o = response_times_acceptable().run(&c).await;
    assert_eq!(o.status(), Status::Pass, "{}", o.message());
    assert!(o.details()["p99_ms"].as_f64().unwrap_or(0.0) >= 20.0);
    traffic(&m, 5, 200, 400);
    assert_eq!(
        response_times_monitored().run(&c).await.status(),
        Status::Warn
    );
    traffic(&m, 5, 200, 2000);
    assert_eq!(response_time_trigger().run(&c).await.status(), Status::Fail);
    assert_eq!(
        performance_acceptable().run(&c).await.status(),
        Status::Fail
    );
    let o = response_times_acceptable().route("/other").run(&c).await;
    assert_eq!(o.status(), Status::Pending);
    // Old traffic leaves the window.
    tokio::time::advance(Duration::from_secs(400)).await;
    assert_eq!(
        response_time_trigger().run(&c).await.status(),
        Status::Pending
    );
    assert_eq!(
        performance_acceptable().run(&c).await.status(),
        Status::Fail
    );
}

#[tokio::test]
async fn without_monitors_warn_naming_the_fix() {
    let c = ctx(None, None);
    let o = error_rate_acceptable().run(&c).await;
    assert_eq!(o.status(), Status::Warn);
    assert!(o
        .get_remediation()
        .unwrap_or("")
        .contains("RequestMonitor::layer()"));
    let o = log_errors_below().run(&c).await;
    assert_eq!(o.status(), Status::Warn);
    assert!(o
        .get_remediation()
        .unwrap_or("")
        .contains("LogMonitor::layer()"));
}

#[tokio::test]
async fn log_errors_thresholds() {
    let logs = LogMonitor::new();
    let c = ctx(None, Some(logs.clone()));
    assert_eq!(log_errors_below().run(&c).await.status(), Status::Pass);
    logs.record(tracing::Level::ERROR, Some("db down"));
    let o = log_errors_below().run(&c).await;
    assert_eq!(o.status(), Status::Warn);
    assert_eq!(o.details()["last_errors"][0], "db down");
    for _ in 0..10 {
        logs.record(tracing::Level::ERROR, None);
    }
    assert_eq!(log_errors_below().run(&c).await.status(), Status::Fail);
}
