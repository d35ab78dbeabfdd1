//! Monitors and triggers, driven by real HTTP traffic through the layer over TCP.

#[cfg(feature = "prometheus")]
mod metrics;
mod resources;
#[cfg(feature = "http-client")]
mod self_check;

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use prodready::monitor::{error_rate_trigger, RequestMonitor, OTHER_ROUTES};
use prodready::{Availability, Checklist, Item, Kind, Readiness, Status, StatusChange};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;

pub(crate) const TRIGGER: &str = "rollback-plan.triggers.error-rate-threshold";

pub(crate) async fn get_from(addr: SocketAddr, path: &str, user_agent: &str) -> (u16, String) {
    crate::common::http_request(addr, "GET", path, &format!("user-agent: {user_agent}\r\n")).await
}

async fn status_of(addr: SocketAddr, path: &str) -> u16 {
    get_from(addr, path, "test/1.0").await.0
}

/// The app: `/ok` answers 200, `/boom` 500, behind the monitor layer, with the endpoints merged.
pub(crate) async fn serve(readiness: &Readiness, monitor: &RequestMonitor) -> SocketAddr {
    let app = Router::new()
        .route("/ok", get(|| async { "fine" }))
        .route(
            "/boom",
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "boom") }),
        )
        .merge(readiness.router())
        .layer(monitor.layer());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

fn trigger_checklist(min_requests: u64) -> Checklist {
    Checklist::new("c").item(
        Item::new("Rollback Plan", Some("Triggers"), "Error rate > threshold")
            .kind(Kind::Monitor)
            .rollback_trigger()
            .check(error_rate_trigger().min_requests(min_requests)),
    )
}

#[tokio::test]
async fn a_trigger_is_an_item_property_not_an_id_prefix() {
    let failing = || prodready::check_fn(|_| async { prodready::Outcome::fail("ledger mismatch") });
    let checklist = Checklist::new("c")
        .item(
            Item::new("Data", None, "Ledger balanced")
                .rollback_trigger()
                .check(failing()),
        )
        .item(Item::new("Rollback Plan", Some("Triggers"), "Looks like one").check(failing()))
        .item(Item::new("Data", None, "Named by the builder").check(failing()));
    let readiness = Readiness::builder()
        .checklist(checklist)
        .registered_checks(false)
        .rollback_trigger("data.named-by-the-builder")
        .build()
        .unwrap();
    let report = readiness.evaluate().await;
    let ids: Vec<&str> = report
        .rollback
        .reasons
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(ids, ["data.ledger-balanced", "data.named-by-the-builder"]);
    assert!(report
        .item("data.named-by-the-builder")
        .unwrap()
        .is_rollback_trigger());
    assert!(!report
        .item("rollback-plan.triggers.looks-like-one")
        .unwrap()
        .is_rollback_trigger());
    assert!(readiness.is_rollback_trigger("data.ledger-balanced"));

    let typo = Readiness::builder()
        .checklist(Checklist::new("c").item(Item::new("Data", None, "Ledger balanced")))
        .registered_checks(false)
        .rollback_trigger("data.ledger-balance")
        .build()
        .expect_err("an unknown trigger id is a build error")
        .to_string();
    assert!(typo.contains("data.ledger-balance"), "{typo}");
    assert!(typo.contains("data.ledger-balanced"), "{typo}");
}

#[tokio::test]
async fn a_burst_of_5xx_fires_the_trigger_and_recovery_clears_it_with_hysteresis() {
    // A 2-second window, so recovery does not take a minute.
    let monitor = RequestMonitor::with_window(Duration::from_millis(200), 10);
    let changes: Arc<Mutex<Vec<StatusChange>>> = Arc::default();
    let seen = changes.clone();
    let readiness = Readiness::builder()
        .checklist(trigger_checklist(10))
        .host(prodready::testing::FakeHost::new())
        .registered_checks(false)
        .resource(monitor.clone())
        .hysteresis(TRIGGER, 2, 2)
        .on_status_change(move |c| {
            let seen = seen.clone();
            async move { seen.lock().unwrap().push(c) }
        })
        .build()
        .unwrap();
    let addr = serve(&readiness, &monitor).await;

    let report = readiness.evaluate_fresh().await;
    assert_eq!(report.item(TRIGGER).unwrap().status, Status::Pending);
    for _ in 0..20 {
        assert_eq!(status_of(addr, "/ok").await, 200);
    }
    assert_eq!(
        readiness
            .evaluate_fresh()
            .await
            .item(TRIGGER)
            .unwrap()
            .status,
        Status::Pass
    );

    for _ in 0..20 {
        assert_eq!(status_of(addr, "/boom").await, 500);
    }
    assert_eq!(monitor.route("/boom", None).unwrap().server_errors, 20);
    // One bad evaluation is not enough.
    let report = readiness.evaluate_fresh().await;
    let item = report.item(TRIGGER).unwrap();
    assert_eq!(item.status, Status::Pass, "{}", item.message);
    assert!(!report.rollback.recommended);
    let report = readiness.evaluate_fresh().await;
    assert_eq!(report.item(TRIGGER).unwrap().status, Status::Fail);
    assert!(report.rollback.recommended);
    assert_eq!(report.rollback.reasons[0].id, TRIGGER);
    assert!(
        report.rollback.reasons[0].message.contains("error ratio"),
        "{:?}",
        report.rollback
    );
    // The JSON report says so at `$.rollback.recommended`.
    let (_, body) = get_from(
        addr,
        "/readiness-checklist?format=json",
        "argo-rollouts/1.7",
    )
    .await;
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["rollback"]["recommended"], true);
    assert_eq!(json["rollback"]["reasons"][0]["id"], TRIGGER);

    // Recovery: the burst leaves the window, good traffic refills it.
    tokio::time::sleep(Duration::from_millis(2300)).await;
    for _ in 0..20 {
        status_of(addr, "/ok").await;
    }
    let report = readiness.evaluate_fresh().await;
    let item = report.item(TRIGGER).unwrap();
    assert_eq!(
        item.status,
        Status::Fail,
        "one good evaluation is not enough: {}",
        item.message
    );
    assert!(
        item.message.starts_with("recovering: 1 of 2"),
        "{}",
        item.message
    );
    let report = readiness.evaluate_fresh().await;
    assert_eq!(report.item(TRIGGER).unwrap().status, Status::Pass);
    assert!(!report.rollback.recommended);

    tokio::time::sleep(Duration::from_millis(50)).await;
    let changes = changes.lock().unwrap().clone();
    let transitions: Vec<(Option<Status>, Status, bool)> =
        changes.iter().map(|c| (c.from, c.to, c.trigger)).collect();
    assert_eq!(
        transitions,
        vec![
            (Some(Status::Pending), Status::Pass, true),
            (Some(Status::Pass), Status::Fail, true),
            (Some(Status::Fail), Status::Pass, true),
        ]
    );
}

#[tokio::test]
async fn a_fired_trigger_fails_readiness_only_when_configured() {
    let monitor = RequestMonitor::new();
    for _ in 0..20 {
        monitor.record("/boom", 500, Duration::from_millis(1));
    }
    for fails in [false, true] {
        let readiness = Readiness::builder()
            .checklist(trigger_checklist(10))
            .host(prodready::testing::FakeHost::new())
            .registered_checks(false)
            .resource(monitor.clone())
            .triggers_fail_readiness(fails)
            .build()
            .unwrap();
        let report = readiness.evaluate().await;
        assert!(report.rollback.recommended);
        assert_eq!(report.ready, !fails);
    }
}

#[tokio::test]
async fn startup_and_drain() {
    let monitor = RequestMonitor::new();
    let readiness = Readiness::builder()
        .checklist(trigger_checklist(10))
        .host(prodready::testing::FakeHost::new())
        .registered_checks(false)
        .resource(monitor.clone())
        .build()
        .unwrap();
    readiness.set_availability(Availability::Starting);
    let addr = serve(&readiness, &monitor).await;
    assert_eq!(
        get_from(addr, "/startupz", "kube-probe/1.30").await,
        (
            503,
            "[-]startup failed: starting\nstartupz check failed\n".into()
        )
    );
    assert_eq!(status_of(addr, "/readyz").await, 503);
    readiness.verify_startup().await.unwrap();
    assert_eq!(readiness.availability(), Availability::Ready);
    assert_eq!(status_of(addr, "/startupz").await, 200);
    assert_eq!(status_of(addr, "/readyz").await, 200);

    let draining = {
        let r = readiness.clone();
        tokio::spawn(async move { r.drain(Duration::from_millis(300)).await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        get_from(addr, "/readyz?verbose", "kube-probe/1.30").await,
        (
            503,
            "[-]availability failed: draining\nreadyz check failed\n".into()
        )
    );
    // Still serving while draining.
    assert_eq!(status_of(addr, "/ok").await, 200);
    assert_eq!(status_of(addr, "/livez").await, 200);
    assert!(!draining.is_finished());
    draining.await.unwrap();
    assert_eq!(readiness.availability(), Availability::Draining);
}

#[tokio::test]
async fn memory_is_bounded_whatever_the_routes_and_count() {
    let monitor = RequestMonitor::new().max_routes(8);
    for i in 0..100_000u64 {
        monitor.record(&format!("/users/{i}"), 200, Duration::from_micros(i));
    }
    let routes = monitor.routes();
    assert_eq!(routes.len(), 9);
    assert!(routes.contains(&OTHER_ROUTES.to_owned()));
    let all = monitor.overall(None);
    assert_eq!(all.requests, 100_000);
    // Log-linear buckets: within 12.5 % of the true p50 (50 ms).
    let p50 = all.p50_ms.unwrap();
    assert!((50.0..=56.25).contains(&p50), "{p50}");
}

#[cfg(feature = "http-client")]
#[tokio::test]
async fn the_webhook_is_told_when_a_trigger_fires_and_clears() {
    let received: Arc<Mutex<Vec<serde_json::Value>>> = Arc::default();
    let sink = received.clone();
    let hook = Router::new().route(
        "/hook",
        axum::routing::post(move |body: String| {
            let sink = sink.clone();
            async move {
                sink.lock()
                    .unwrap()
                    .push(serde_json::from_str(&body).unwrap())
            }
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, hook).await });

    let monitor = RequestMonitor::new();
    let readiness = Readiness::builder()
        .checklist(trigger_checklist(10))
        .host(prodready::testing::FakeHost::new())
        .registered_checks(false)
        .resource(monitor.clone())
        .rollback_webhook(format!("http://{hook_addr}/hook"))
        .build()
        .unwrap();
    for _ in 0..20 {
        monitor.record("/boom", 500, Duration::from_millis(1));
    }
    assert!(readiness.evaluate_fresh().await.rollback.recommended);
    for _ in 0..2000 {
        monitor.record("/ok", 200, Duration::from_millis(1));
    }
    assert!(!readiness.evaluate_fresh().await.rollback.recommended);
    for _ in 0..100 {
        if received.lock().unwrap().len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut got = received.lock().unwrap().clone();
    got.sort_by_key(|v| v["fired"].as_bool());
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[1]["id"], TRIGGER);
    assert_eq!(got[1]["to"], "fail");
    assert_eq!(got[0]["from"], "fail");
    assert_eq!(got[0]["fired"], false);
}

#[tokio::test]
async fn hysteresis_needs_n_failures_before_fail_and_m_successes_after() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let failing = Arc::new(AtomicBool::new(true));
    let flag = failing.clone();
    let check = prodready::check_fn(move |_| {
        let bad = flag.load(Ordering::SeqCst);
        async move {
            if bad {
                prodready::Outcome::fail("down")
            } else {
                prodready::Outcome::pass("up")
            }
        }
    });
    let readiness = Readiness::builder()
        .checklist(Checklist::new("c").item(Item::new("S", None, "Db").check(check)))
        .host(prodready::testing::FakeHost::new())
        .registered_checks(false)
        .hysteresis("s.db", 3, 2)
        .build()
        .unwrap();
    let status = |r: &Arc<prodready::Report>| r.item("s.db").unwrap().status;
    // Nothing shown yet: the first failures are a warning, not a failure.
    let r = readiness.evaluate_fresh().await;
    assert_eq!(status(&r), Status::Warn);
    assert!(r
        .item("s.db")
        .unwrap()
        .message
        .starts_with("failing 1 of 3"));
    assert!(r.ready);
    assert_eq!(status(&readiness.evaluate_fresh().await), Status::Warn);
    let r = readiness.evaluate_fresh().await;
    assert_eq!(status(&r), Status::Fail);
    assert!(!r.ready);
    assert_eq!(r.item("s.db").unwrap().details["consecutive_failures"], 3);
    failing.store(false, Ordering::SeqCst);
    assert_eq!(status(&readiness.evaluate_fresh().await), Status::Fail);
    assert_eq!(status(&readiness.evaluate_fresh().await), Status::Pass);
    // A single failure after recovery does not flap.
    failing.store(true, Ordering::SeqCst);
    assert_eq!(status(&readiness.evaluate_fresh().await), Status::Pass);
}

#[tokio::test]
async fn reports_without_rollback_still_deserialize() {
    let readiness = Readiness::builder()
        .checklist(trigger_checklist(10))
        .host(prodready::testing::FakeHost::new())
        .registered_checks(false)
        .build()
        .unwrap();
    let report = readiness.evaluate().await;
    let mut json = serde_json::to_value(&*report).unwrap();
    assert_eq!(
        json["rollback"],
        serde_json::json!({"recommended": false, "reasons": []})
    );
    json.as_object_mut().unwrap().remove("rollback");
    let old: prodready::Report = serde_json::from_value(json).unwrap();
    assert!(!old.rollback.recommended);
}

mod own_endpoints {
    use axum::body::Body;
    use axum::http::Request;
    use prodready::monitor::RequestMonitor;
    use std::time::Duration;
    use tower::ServiceExt;

    #[tokio::test]
    async fn the_librarys_own_endpoints_are_not_counted() {
        let monitor = RequestMonitor::new();
        let readiness = crate::common::readiness(
            prodready::Checklist::new("c")
                .item(prodready::Item::new("S", None, "Db").check(crate::common::fail("down"))),
        );
        let app: axum::Router = axum::Router::new()
            .route("/orders", axum::routing::get(|| async { "[]" }))
            .merge(readiness.router())
            .layer(monitor.layer());
        for uri in ["/readyz", "/readiness-checklist", "/livez", "/orders"] {
            let resp = app
                .clone()
                .oneshot(Request::get(uri).body(Body::empty()).unwrap())
                .await
                .unwrap();
            assert!(resp.status().as_u16() < 600);
        }
        let stats = monitor.overall(Some(Duration::from_secs(60)));
        assert_eq!(stats.requests, 1, "only /orders is the service's traffic");
        assert_eq!(
            stats.server_errors, 0,
            "the 503 of /readyz is not a server error"
        );
    }
}

mod route_patterns {
    use axum::body::Body;
    use axum::http::Request;
    use prodready::monitor::{RequestMonitor, OTHER_ROUTES};
    use tower::ServiceExt;

    #[tokio::test]
    async fn requests_are_grouped_by_the_matched_route_pattern() {
        let monitor = RequestMonitor::new().max_routes(4);
        let app: axum::Router = axum::Router::new()
            .route("/orders/{id}", axum::routing::get(|| async { "{}" }))
            .route("/health", axum::routing::get(|| async { "ok" }))
            .layer(monitor.layer());
        for i in 0..100 {
            let uri = format!("/orders/{i}");
            let resp = app
                .clone()
                .oneshot(Request::get(uri).body(Body::empty()).unwrap())
                .await
                .unwrap();
            assert_eq!(resp.status(), 200);
        }
        app.clone()
            .oneshot(Request::get("/health").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(monitor.routes(), vec!["/health", "/orders/{id}"]);
        let orders = monitor.route("/orders/{id}", None).unwrap();
        assert_eq!(orders.requests, 100);
        assert_eq!(monitor.overall(None).requests, 101);
        assert!(monitor.route("/orders/7", None).is_none());
        assert!(!monitor.routes().iter().any(|r| r == OTHER_ROUTES));
    }

    #[tokio::test]
    async fn outside_a_router_raw_paths_are_capped() {
        // Wrapped around the router from outside, no route pattern is known: the path is used,
        // and the cap folds the rest into one bucket.
        let monitor = RequestMonitor::new().max_routes(3);
        let app = axum::Router::new().route("/orders/{id}", axum::routing::get(|| async { "{}" }));
        let app = tower::Layer::layer(&monitor.layer(), app);
        for i in 0..10 {
            let uri = format!("/orders/{i}");
            app.clone()
                .oneshot(Request::get(uri).body(Body::empty()).unwrap())
                .await
                .unwrap();
        }
        assert_eq!(monitor.routes().len(), 4);
        assert_eq!(monitor.route(OTHER_ROUTES, None).unwrap().requests, 7);
    }
}
