//! The library's own requests (smoke, critical-path, "Service accessible", metrics) go through
//! the service's router like any client's, but the request monitor leaves them out.

use super::get_from;
use axum::routing::get;
use axum::Router;
use prodready::checks::dependencies::{
    critical_paths_passing, metrics_exposed, service_accessible, smoke_tests_passing, ServiceSpec,
};
use prodready::monitor::{performance_acceptable, RequestMonitor};
use prodready::{Checklist, Item, Readiness, Status};
use std::time::Duration;
use tokio::net::TcpListener;

#[tokio::test]
async fn self_check_requests_are_not_the_services_traffic() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let monitor = RequestMonitor::new();
    let spec = ServiceSpec::new(format!("http://{addr}"))
        .probe_path("/orders")
        .metrics_path("/app-metrics")
        .smoke("list orders", "GET", "/orders", 200)
        .smoke("missing order", "GET", "/orders/404", 404)
        .critical("checkout", "GET", "/checkout", 200);
    let checklist = Checklist::new("c")
        .item(Item::new("S", None, "Accessible").check(service_accessible()))
        .item(Item::new("S", None, "Metrics").check(metrics_exposed()))
        .item(Item::new("S", None, "Smoke").check(smoke_tests_passing()))
        .item(Item::new("S", None, "Critical").check(critical_paths_passing()))
        .item(
            Item::new("S", None, "Performance")
                .check(performance_acceptable().min_requests(1))
                .depends_on(["s.smoke"]),
        );
    let readiness = Readiness::builder()
        .checklist(checklist)
        .host(prodready::testing::FakeHost::new())
        .registered_checks(false)
        .resource(monitor.clone())
        .resource(spec)
        .build()
        .unwrap();
    let app = Router::new()
        .route("/orders", get(|| async { "[]" }))
        .route(
            "/orders/404",
            get(|| async { axum::http::StatusCode::NOT_FOUND }),
        )
        .route("/checkout", get(|| async { "ok" }))
        .route(
            "/app-metrics",
            get(|| async { "# HELP up Up.\n# TYPE up gauge\nup 1\n" }),
        )
        .merge(readiness.router())
        .layer(monitor.layer());
    tokio::spawn(async move { axum::serve(listener, app).await });

    for _ in 0..3 {
        let report = readiness.evaluate_fresh().await;
        for id in ["s.accessible", "s.metrics", "s.smoke", "s.critical"] {
            let item = report.item(id).unwrap();
            assert_eq!(item.status, Status::Pass, "{id}: {}", item.message);
        }
        // Nothing but synthetic traffic: the performance item has nothing to judge.
        let perf = report.item("s.performance").unwrap();
        assert_eq!(perf.status, Status::Pending, "{}", perf.message);
    }
    let all = monitor.overall(None);
    assert_eq!(
        all.requests,
        0,
        "self-check requests were counted: {all:?}, routes {:?}",
        monitor.routes()
    );
    assert!(monitor.routes().is_empty(), "{:?}", monitor.routes());

    // A client's request is the service's traffic.
    assert_eq!(get_from(addr, "/orders", "curl/8.5").await.0, 200);
    let all = monitor.overall(Some(Duration::from_secs(60)));
    assert_eq!(all.requests, 1);
    assert_eq!(monitor.routes(), vec!["/orders".to_owned()]);
}
