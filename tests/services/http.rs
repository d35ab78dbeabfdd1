//! The HTTP items against a real listener on 127.0.0.1 (an axum app started by the test): the
//! service's address, its metrics, its smoke and critical-path requests.

use crate::support::{closed_port, run};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use prodready::checks::dependencies::{
    critical_paths_passing, metrics_exposed, service_accessible, smoke_tests_passing, ServiceSpec,
};
use prodready::Status;

async fn serve() -> String {
    let app = Router::new()
        .route("/livez", get(|| async { "ok" }))
        .route(
            "/metrics",
            get(|| async {
                "# HELP up Whether the service is up.\n# TYPE up gauge\nup 1\n# HELP requests_total Requests answered.\n# TYPE requests_total counter\nrequests_total{code=\"200\"} 5\n"
            }),
        )
        .route(
            "/lint-metrics",
            get(|| async { "# TYPE up gauge\nup 1\n# TYPE latency gauge\nlatency{quantile=\"0.99\"} 0.2\n" }),
        )
        .route(
            "/duplicate-metrics",
            get(|| async { "# HELP up Up.\n# TYPE up gauge\nup 1\nup 1\n" }),
        )
        .route(
            "/login",
            get(|| async { StatusCode::UNAUTHORIZED }),
        )
        .route("/bad-metrics", get(|| async { "<html>oops</html>" }))
        .route("/orders", get(|| async { "[]" }))
        .route(
            "/broken",
            get(|| async { StatusCode::INTERNAL_SERVER_ERROR }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

#[tokio::test]
async fn the_service_answers_exposes_metrics_and_passes_its_smoke_requests() {
    let base = serve().await;
    let spec = ServiceSpec::new(&base)
        .smoke("list orders", "GET", "/orders", 200)
        .critical("liveness", "GET", "/livez", 200);
    let s = spec.clone();
    let item = run(service_accessible(), |b| b.resource(s)).await;
    assert_eq!(item.status, Status::Pass, "{}", item.message);
    let s = spec.clone();
    let item = run(metrics_exposed(), |b| b.resource(s)).await;
    assert_eq!(item.status, Status::Pass, "{}", item.message);
    assert_eq!(item.details["samples"], 2);
    let s = spec.clone();
    let item = run(smoke_tests_passing(), |b| b.resource(s)).await;
    assert_eq!(item.status, Status::Pass, "{}", item.message);
    let item = run(critical_paths_passing(), |b| b.resource(spec)).await;
    assert_eq!(item.status, Status::Pass, "{}", item.message);
    assert!(item.details["requests"].get("list orders").is_none());
}

#[tokio::test]
async fn wrong_statuses_bad_metrics_and_a_closed_port_fail() {
    let base = serve().await;
    let spec = ServiceSpec::new(&base)
        .metrics_path("/bad-metrics")
        .smoke("list orders", "GET", "/orders", 200)
        .critical("checkout", "GET", "/broken", 200);
    let s = spec.clone();
    let item = run(metrics_exposed(), |b| b.resource(s)).await;
    assert_eq!(item.status, Status::Fail, "{}", item.message);
    assert!(
        item.message.contains("not Prometheus text exposition"),
        "{}",
        item.message
    );
    let s = spec.clone();
    let item = run(smoke_tests_passing(), |b| b.resource(s)).await;
    assert_eq!(item.status, Status::Fail, "{}", item.message);
    assert!(
        item.message
            .contains("1 of 2 smoke requests failed: checkout (GET /broken): 500, expected 200"),
        "{}",
        item.message
    );
    let item = run(critical_paths_passing(), |b| b.resource(spec)).await;
    assert_eq!(item.status, Status::Fail, "{}", item.message);

    let down = ServiceSpec::new(format!("http://127.0.0.1:{}", closed_port()));
    let item = run(service_accessible(), |b| b.resource(down)).await;
    assert_eq!(item.status, Status::Fail, "{}", item.message);
}

/// Below 500 is not "accessible": a 404 on the probe path fails unless that status is declared.
#[tokio::test]
async fn the_probe_path_must_answer_2xx_unless_another_status_is_declared() {
    let base = serve().await;
    let missing = ServiceSpec::new(&base).probe_path("/nowhere");
    let item = run(service_accessible(), |b| b.resource(missing)).await;
    assert_eq!(item.status, Status::Fail, "{}", item.message);
    assert!(
        item.message
            .ends_with("/nowhere answered 404, expected 2xx"),
        "{}",
        item.message
    );
    let login = ServiceSpec::new(&base).probe_path("/login");
    let item = run(service_accessible(), |b| b.resource(login.clone())).await;
    assert_eq!(item.status, Status::Fail, "{}", item.message);
    let declared = login.probe_expected([401]);
    let item = run(service_accessible(), |b| b.resource(declared)).await;
    assert_eq!(item.status, Status::Pass, "{}", item.message);
    assert_eq!(item.details["expected_status"], "401");
    let orders = ServiceSpec::new(&base).probe_path("/orders");
    let item = run(service_accessible(), |b| b.resource(orders)).await;
    assert_eq!(item.status, Status::Pass, "{}", item.message);
}

/// The exposition is judged by the rules of its consumers, not by whether it splits into lines.
#[tokio::test]
async fn metrics_prometheus_or_promtool_would_reject_do_not_pass() {
    let base = serve().await;
    let lint = ServiceSpec::new(&base).metrics_path("/lint-metrics");
    let item = run(metrics_exposed(), |b| b.resource(lint)).await;
    assert_eq!(item.status, Status::Warn, "{}", item.message);
    assert!(item.message.contains("no help text"), "{}", item.message);
    assert!(
        item.message.contains("should not have \"quantile\" label"),
        "{}",
        item.message
    );
    let dup = ServiceSpec::new(&base).metrics_path("/duplicate-metrics");
    let item = run(metrics_exposed(), |b| b.resource(dup)).await;
    assert_eq!(item.status, Status::Fail, "{}", item.message);
    assert!(item.message.contains("appears twice"), "{}", item.message);
}

#[tokio::test]
async fn nothing_declared_or_registered_is_a_warning() {
    let item = run(service_accessible(), |b| b).await;
    assert_eq!(item.status, Status::Warn, "{}", item.message);
    let base = serve().await;
    let item = run(critical_paths_passing(), |b| {
        b.resource(ServiceSpec::new(base))
    })
    .await;
    assert_eq!(item.status, Status::Warn, "{}", item.message);
}
