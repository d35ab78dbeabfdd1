//! The endpoints through the axum router: status codes, formats, filters, probes, errors.

use crate::common::*;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use prodready::{check_fn, Checklist, Item, Kind, Outcome, Readiness, Report, Severity};
use serde_json::Value;
use tower::ServiceExt;

fn checklist(db_ok: bool) -> Checklist {
    Checklist::new("Service checklist")
        .item(
            Item::new("Infrastructure", Some("Database"), "Database reachable")
                .tags(["database"])
                .check(check_fn(move |_ctx| async move {
                    if db_ok {
                        Outcome::pass("SELECT 1 in 2 ms")
                    } else {
                        Outcome::fail("connection refused").remediation("start the database")
                    }
                })),
        )
        .item(
            Item::new("Infrastructure", Some("Database"), "Backups")
                .severity(Severity::Warning)
                .kind(Kind::Evidence),
        )
        .item(Item::new("Security", None, "No root user").check(pass()))
        .item(
            Item::new("Runtime", None, "Event loop responsive")
                .liveness(true)
                .check(pass()),
        )
}

async fn get(r: &Readiness, uri: &str) -> (StatusCode, String, String) {
    get_with(r, uri, None).await
}

async fn get_with(r: &Readiness, uri: &str, accept: Option<&str>) -> (StatusCode, String, String) {
    let app: axum::Router = axum::Router::new()
        .route("/pay", axum::routing::post(|| async { "paid" }))
        .merge(r.router());
    let mut req = Request::get(uri);
    if let Some(a) = accept {
        req = req.header(header::ACCEPT, a);
    }
    let resp = app.oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let status = resp.status();
    let ct = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, ct, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn the_checklist_is_200_when_ready_and_503_when_not() {
    let (status, ct, body) = get(&readiness(checklist(true)), "/readiness-checklist").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ct, "application/json");
    let report: Report = serde_json::from_str(&body).unwrap();
    assert!(report.ready);
    assert_eq!(report.items.len(), 4);
    assert_eq!(report.service.name, "svc");

    let (status, _, body) = get(&readiness(checklist(false)), "/readiness-checklist").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["ready"], false);
    assert_eq!(v["status"], "fail");
    assert_eq!(v["summary"]["fail"], 1);
    let item = &v["items"][0];
    for key in [
        "id",
        "section",
        "group",
        "title",
        "kind",
        "severity",
        "status",
        "message",
        "details",
        "duration_ms",
        "remediation",
    ] {
        assert!(item.get(key).is_some(), "item has `{key}`: {item}");
    }
    assert_eq!(item["id"], "infrastructure.database.database-reachable");
    assert_eq!(item["remediation"], "start the database");
}

#[tokio::test]
async fn format_by_query_or_accept() {
    let r = readiness(checklist(false));
    let (_, ct, body) = get(&r, "/readiness-checklist?format=text").await;
    assert_eq!(ct, "text/plain; charset=utf-8");
    assert!(body.contains("✗ Database reachable: connection refused  [infrastructure.database.database-reachable]"), "{body}");
    let (_, ct, body) = get_with(&r, "/readiness-checklist", Some("text/markdown")).await;
    assert_eq!(ct, "text/markdown; charset=utf-8");
    assert!(
        body.contains("### Database\n\n- [ ] Database reachable\n  - **fail**: connection refused"),
        "{body}"
    );
    let (_, ct, _) = get_with(&r, "/readiness-checklist?format=json", Some("text/plain")).await;
    assert_eq!(ct, "application/json", "?format wins over Accept");
    let (_, ct, _) = get_with(&r, "/readiness-checklist", Some("image/png")).await;
    assert_eq!(
        ct, "application/json",
        "an Accept we cannot serve falls back to JSON"
    );
}

#[tokio::test]
async fn filters_narrow_the_items() {
    let r = readiness(checklist(false));
    let ids = |body: &str| -> Vec<String> {
        let report: Report = serde_json::from_str(body).unwrap();
        report.items.into_iter().map(|i| i.id.clone()).collect()
    };
    let (status, _, body) = get(&r, "/readiness-checklist?section=security").await;
    assert_eq!(
        status,
        StatusCode::SERVICE_UNAVAILABLE,
        "the status code stays the service's"
    );
    assert_eq!(ids(&body), ["security.no-root-user"]);
    let (_, _, body) = get(
        &r,
        "/readiness-checklist?section=Infrastructure&severity=warning",
    )
    .await;
    assert_eq!(ids(&body), ["infrastructure.database.backups"]);
    let (_, _, body) = get(&r, "/readiness-checklist?status=pass,pending").await;
    assert_eq!(
        ids(&body),
        [
            "infrastructure.database.backups",
            "security.no-root-user",
            "runtime.event-loop-responsive"
        ]
    );
    let (_, _, body) = get(
        &r,
        "/readiness-checklist?kind=evidence&kind=probe&group=infrastructure.database",
    )
    .await;
    assert_eq!(
        ids(&body),
        [
            "infrastructure.database.database-reachable",
            "infrastructure.database.backups"
        ]
    );
    let (_, _, body) = get(&r, "/readiness-checklist?tag=database").await;
    assert_eq!(ids(&body), ["infrastructure.database.database-reachable"]);
    let v: Value =
        serde_json::from_str(&get(&r, "/readiness-checklist?status=pass").await.2).unwrap();
    assert_eq!(v["summary"]["total"], 2);
    assert_eq!(v["ready"], false);
}

#[tokio::test]
async fn unknown_parameters_and_values_are_400_naming_them() {
    let r = readiness(checklist(true));
    for (uri, parameter, value) in [
        ("/readiness-checklist?colour=red", "colour", Value::Null),
        ("/readiness-checklist?format=yaml", "format", "yaml".into()),
        (
            "/readiness-checklist?status=broken",
            "status",
            "broken".into(),
        ),
        ("/readiness-checklist?kind=guess", "kind", "guess".into()),
        (
            "/readiness-checklist?severity=fatal",
            "severity",
            "fatal".into(),
        ),
        (
            "/readiness-checklist?section=payments",
            "section",
            "payments".into(),
        ),
        ("/readiness-checklist?group=cache", "group", "cache".into()),
        ("/readiness-checklist?tag=nope", "tag", "nope".into()),
        (
            "/readiness-checklist?format=json&format=text",
            "format",
            "text".into(),
        ),
        (
            "/readiness-checklist/security.no-root-user?section=x",
            "section",
            Value::Null,
        ),
        ("/readyz?verbose=maybe", "verbose", "maybe".into()),
        ("/readyz?exclude=nope", "exclude", "nope".into()),
        ("/livez?format=json", "format", Value::Null),
    ] {
        let (status, ct, body) = get(&r, uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(ct, "application/json");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["parameter"], parameter, "{uri}: {v}");
        assert_eq!(v["value"], value, "{uri}: {v}");
        assert!(
            v["error"].as_str().unwrap().contains(parameter),
            "{uri}: {v}"
        );
    }
    let v: Value =
        serde_json::from_str(&get(&r, "/readiness-checklist?status=broken").await.2).unwrap();
    assert_eq!(
        v["allowed"],
        serde_json::json!([
            "pass",
            "warn",
            "fail",
            "pending",
            "skipped",
            "not_applicable",
            "waived"
        ])
    );
}

#[tokio::test]
async fn one_item_by_id() {
    let r = readiness(checklist(false));
    let (status, _, body) = get(&r, "/readiness-checklist/security.no-root-user").await;
    assert_eq!(status, StatusCode::OK);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["status"], "pass");
    let (status, _, body) = get(
        &r,
        "/readiness-checklist/infrastructure.database.database-reachable?format=text",
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        body.starts_with("✗ Database reachable: connection refused"),
        "{body}"
    );
    assert!(body.contains("↳ start the database"), "{body}");
    let (status, _, body) = get(&r, "/readiness-checklist/no-root-user").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error"], "unknown item id `no-root-user`");
    assert_eq!(v["did_you_mean"], "security.no-root-user");
}

#[tokio::test]
async fn readyz_and_livez_in_the_kubernetes_style() {
    let good = readiness(checklist(true));
    assert_eq!(get(&good, "/readyz").await.2, "ok");
    assert_eq!(get(&good, "/livez").await.0, StatusCode::OK);
    let bad = readiness(checklist(false));
    let (status, ct, body) = get(&bad, "/readyz").await;
    assert_eq!(
        (status, ct.as_str(), body.as_str()),
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "text/plain; charset=utf-8",
            "readyz check failed"
        )
    );
    let (_, _, body) = get(&bad, "/readyz?verbose").await;
    assert_eq!(
        body,
        "[-]infrastructure.database.database-reachable failed: connection refused\n[+]security.no-root-user ok\n[+]runtime.event-loop-responsive ok\nreadyz check failed\n"
    );
    let (status, _, body) = get(
        &bad,
        "/readyz?verbose&exclude=infrastructure.database.database-reachable",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        "[+]security.no-root-user ok\n[+]runtime.event-loop-responsive ok\nreadyz check passed\n"
    );
    // A database outage does not fail liveness: only liveness items do.
    let (status, _, body) = get(&bad, "/livez?verbose").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        "[+]runtime.event-loop-responsive ok\nlivez check passed\n"
    );
    let stuck = readiness(
        Checklist::new("c").item(
            Item::new("Runtime", None, "Loop")
                .liveness(true)
                .check(fail("stuck")),
        ),
    );
    let (status, _, body) = get(&stuck, "/livez?verbose=true").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body, "[-]runtime.loop failed: stuck\nlivez check failed\n");
}

#[tokio::test]
async fn only_get_is_allowed_and_other_paths_are_left_to_the_app() {
    let r = readiness(checklist(true));
    let app: axum::Router = axum::Router::new()
        .route("/pay", axum::routing::post(|| async { "paid" }))
        .merge(r.router());
    let resp = app
        .clone()
        .oneshot(Request::post("/readyz").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
    let resp = app
        .clone()
        .oneshot(Request::post("/pay").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let resp = app
        .oneshot(Request::get("/nothing").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_panicking_check_does_not_take_the_endpoint_down() {
    let r =
        readiness(Checklist::new("c").item(
            Item::new("S", None, "Panics").check(check_fn(|_ctx| async { panic!("kaboom") })),
        ));
    let (status, _, body) = get(&r, "/readiness-checklist").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("check panicked: kaboom"), "{body}");
    assert_eq!(get(&r, "/readyz").await.0, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn the_probe_log_records_what_the_endpoints_answered() {
    let r = readiness(checklist(true));
    let app: axum::Router = r.router();
    let send = |uri: &str, ua: &str| {
        Request::get(uri)
            .header(header::USER_AGENT, ua)
            .body(Body::empty())
            .unwrap()
    };
    app.clone()
        .oneshot(send("/readyz", "kube-probe/1.30"))
        .await
        .unwrap();
    app.clone()
        .oneshot(send("/readiness-checklist/security.no-root-user", "curl/8"))
        .await
        .unwrap();
    app.oneshot(send("/readiness-checklist?bogus", "curl/8"))
        .await
        .unwrap();
    let log = r.probe_log();
    assert_eq!(log.answered("/readyz"), 1);
    assert_eq!(log.answered("/readiness-checklist"), 2);
    assert_eq!(log.answered("/livez"), 0);
    assert!(log
        .last_seen("/readyz", prodready::probes::Agent::KubeProbe)
        .is_some());
    assert!(log
        .last_seen("/livez", prodready::probes::Agent::KubeProbe)
        .is_none());
    // Checks reach the same log through their context.
    assert_eq!(
        r.context()
            .resource::<prodready::ProbeLog>()
            .unwrap()
            .answered_total(),
        3
    );
}

#[tokio::test]
async fn ci_and_monitoring_formats_are_served_too() {
    let r = readiness(checklist(false));
    let (status, ct, body) = get(&r, "/readiness-checklist?format=junit").await;
    assert_eq!(
        (status, ct.as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, "application/xml")
    );
    assert!(body.contains("<failure"), "{body}");
    let (_, ct, body) = get_with(&r, "/readiness-checklist", Some("application/health+json")).await;
    assert_eq!(ct, "application/health+json");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["status"], "fail");
    let (_, ct, body) = get(
        &r,
        "/readiness-checklist/security.no-root-user?format=sarif",
    )
    .await;
    assert_eq!(ct, "application/sarif+json");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert_eq!(v["runs"][0]["results"].as_array().unwrap().len(), 1);
}
