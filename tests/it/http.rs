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
                .gate(prodready::Gate::Liveness)
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
    let mut req = Request::get(uri).header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
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
    let (status, ct, body) = get(&warm(checklist(true)).await, "/readiness-checklist").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ct, "application/json");
    let report: Report = serde_json::from_str(&body).unwrap();
    assert!(report.ready);
    assert_eq!(report.items.len(), 4);
    assert_eq!(report.service.name, "svc");

    let (status, _, body) = get(&warm(checklist(false)).await, "/readiness-checklist").await;
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
    // What bound the check: here the line of `Item::check` in this file.
    let by = item["bound_by"].as_str().unwrap();
    assert!(by.starts_with("tests/it/http.rs:"), "{by}");
}

#[tokio::test]
async fn format_by_query_or_accept() {
    let r = warm(checklist(false)).await;
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
    let r = warm(checklist(false)).await;
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
    let r = warm(checklist(true)).await;
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
        // An empty value names nothing to filter by.
        ("/readiness-checklist?gate=", "gate", "".into()),
        ("/readiness-checklist?status=pass,", "status", "".into()),
        ("/readiness-checklist?tag=", "tag", "".into()),
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
    let r = warm(checklist(false)).await;
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

async fn get_anonymous(r: &Readiness, uri: &str) -> (StatusCode, String, String, Option<String>) {
    let resp = r
        .router::<()>()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let header = |name| {
        resp.headers()
            .get(name)
            .map(|v: &axum::http::HeaderValue| v.to_str().unwrap().to_owned())
    };
    let (ct, nosniff) = (
        header(header::CONTENT_TYPE),
        header(header::X_CONTENT_TYPE_OPTIONS),
    );
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (
        status,
        ct.unwrap_or_default(),
        String::from_utf8(body.to_vec()).unwrap(),
        nosniff,
    )
}

#[tokio::test]
async fn readyz_and_livez_in_the_kubernetes_style() {
    let good = warm(checklist(true)).await;
    assert_eq!(get(&good, "/readyz").await.2, "ok");
    assert_eq!(get(&good, "/livez").await.0, StatusCode::OK);
    let bad = warm(checklist(false)).await;
    // Always verbose on failure; reasons only for an authorized caller.
    let (status, ct, body) = get(&bad, "/readyz").await;
    assert_eq!(
        (status, ct.as_str(), body.as_str()),
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "text/plain; charset=utf-8",
            "[-]infrastructure.database.database-reachable failed: connection refused\n[+]security.no-root-user ok\nreadyz check failed\n"
        )
    );
    let (status, ct, body, nosniff) = get_anonymous(&bad, "/readyz").await;
    assert_eq!(
        (status, ct.as_str(), body.as_str(), nosniff.as_deref()),
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "text/plain; charset=utf-8",
            "[-]infrastructure.database.database-reachable failed: reason withheld\n[+]security.no-root-user ok\nreadyz check failed\n",
            Some("nosniff")
        )
    );
    // `verbose` is presence-only, and unknown parameters on probe paths are ignored.
    for uri in ["/readyz?verbose=maybe", "/readyz?verbose=0&colour=red"] {
        let (status, _, body, _) = get_anonymous(&good, uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert_eq!(
            body,
            "[+]infrastructure.database.database-reachable ok\n[+]security.no-root-user ok\nreadyz check passed\n",
            "{uri}"
        );
    }
    let (status, _, body) = get(
        &bad,
        "/readyz?verbose&exclude=infrastructure.database.database-reachable",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        "[+]infrastructure.database.database-reachable excluded: ok\n[+]security.no-root-user ok\nreadyz check passed\n"
    );
    // An exclude that matches nothing answers normally, with kube-apiserver's warning; a
    // gating item of another probe may be excluded too.
    let (status, _, body) = get(
        &good,
        "/readyz?exclude=nope&exclude=runtime.event-loop-responsive",
    )
    .await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
    let (_, _, body) = get(
        &good,
        "/readyz?verbose&exclude=nope&exclude=zz&exclude=runtime.event-loop-responsive",
    )
    .await;
    assert_eq!(
        body,
        "[+]infrastructure.database.database-reachable ok\n[+]security.no-root-user ok\nwarn: some health checks cannot be excluded: no matches for \"nope\",\"zz\"\nreadyz check passed\n"
    );
    // Per-check paths.
    assert_eq!(get(&bad, "/readyz/security.no-root-user").await.2, "ok");
    let (status, _, body, _) =
        get_anonymous(&bad, "/readyz/infrastructure.database.database-reachable").await;
    assert_eq!(
        (status, body.as_str()),
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "internal server error: reason withheld\n"
        )
    );
    assert_eq!(get(&bad, "/readyz/nope").await.0, StatusCode::NOT_FOUND);
    // A database outage does not fail liveness: only liveness items do.
    let (status, _, body) = get(&bad, "/livez?verbose").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        "[+]runtime.event-loop-responsive ok\nlivez check passed\n"
    );
    let stuck = warm(
        Checklist::new("c").item(
            Item::new("Runtime", None, "Loop")
                .gate(prodready::Gate::Liveness)
                .check(fail("stuck")),
        ),
    )
    .await;
    let (status, _, body) = get(&stuck, "/livez?verbose=true").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body, "[-]runtime.loop failed: stuck\nlivez check failed\n");
    assert_eq!(
        get(&stuck, "/livez/runtime.loop").await.2,
        "internal server error: stuck\n"
    );
}

#[tokio::test]
async fn livez_without_liveness_items_says_what_it_checked() {
    let r = warm(Checklist::new("c").item(item("db").check(fail("down")))).await;
    let (status, _, body, _) = get_anonymous(&r, "/livez?verbose").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        "[+]ping ok\nno liveness checks are declared: only that the process answers was checked\nlivez check passed\n"
    );
}

#[tokio::test]
async fn pending_items_are_never_printed_as_passing() {
    let c = Checklist::new("c")
        .item(item("db").check(pass()))
        .item(item("cache"));
    let r = warm(c).await;
    let (status, _, body, _) = get_anonymous(&r, "/readyz?verbose").await;
    assert_eq!(status, StatusCode::OK, "pending does not block by default");
    assert_eq!(
        body,
        "[+]tests.engine.db ok\n[-]tests.engine.cache pending: reason withheld\nreadyz check passed\n"
    );
}

#[tokio::test]
async fn anonymous_callers_see_statuses_and_no_message_or_detail_in_any_format() {
    let r = warm(checklist(false)).await;
    let secretish = ["connection refused", "start the database", "SELECT 1"];
    for format in prodready::Format::ALL {
        let uri = format!(
            "/readiness-checklist?format={}",
            format.name().replace('+', "%2B")
        );
        let (status, _, body, _) = get_anonymous(&r, &uri).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{uri}");
        assert!(
            body.contains("database-reachable") || body.contains("Database reachable"),
            "{uri}: {body}"
        );
        for word in secretish {
            assert!(!body.contains(word), "{uri} leaks `{word}`:\n{body}");
        }
        let uri = format!(
            "/readiness-checklist/infrastructure.database.database-reachable?format={}",
            format.name().replace('+', "%2B")
        );
        let (_, _, body, _) = get_anonymous(&r, &uri).await;
        for word in secretish {
            assert!(!body.contains(word), "{uri} leaks `{word}`:\n{body}");
        }
        // The token shows everything.
        let (_, _, body) = get(
            &r,
            &format!(
                "/readiness-checklist?format={}",
                format.name().replace('+', "%2B")
            ),
        )
        .await;
        assert!(
            body.contains("connection refused"),
            "{format:?} with the token:\n{body}"
        );
    }
    let v: Value =
        serde_json::from_str(&get_anonymous(&r, "/readiness-checklist").await.2).unwrap();
    assert_eq!(v["summary"]["fail"], 1);
    assert_eq!(v["items"][0]["status"], "fail");
    assert_eq!(v["items"][0]["details"], serde_json::json!({}));
    assert_eq!(v["items"][0]["remediation"], Value::Null);
}

#[tokio::test]
async fn only_get_is_allowed_and_other_paths_are_left_to_the_app() {
    let r = warm(checklist(true)).await;
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
    r.evaluate().await;
    let (status, _, body) = get(&r, "/readiness-checklist").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("check panicked: kaboom"), "{body}");
    assert_eq!(get(&r, "/readyz").await.0, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn the_probe_log_records_what_the_endpoints_answered() {
    let r = warm(checklist(true)).await;
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
    let r = warm(checklist(false)).await;
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

/// `/rolloutz` for a Flagger webhook (POST) or an Argo metric (GET): 200 while ready and no
/// trigger fired; 503 with the reasons (ids only for anonymous callers) otherwise.
#[tokio::test]
async fn the_rollout_gate_answers_get_and_post_from_readiness_and_rollback() {
    let trigger = |fired: bool| {
        Item::new("Rollback Plan", Some("Triggers"), "Error rate > threshold")
            .kind(Kind::Monitor)
            .severity(Severity::Warning)
            .rollback_trigger()
            .check(check_fn(move |_| async move {
                if fired {
                    Outcome::fail("5xx ratio 0.40 over 1m")
                } else {
                    Outcome::pass("5xx ratio 0.00 over 1m")
                }
            }))
    };
    let ask = |r: Readiness, method: &'static str, token: bool| async move {
        let app: axum::Router = r.router();
        let mut req = Request::builder().method(method).uri("/rolloutz");
        if token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
        }
        let resp = app
            .oneshot(
                req.body(Body::from(
                    "{\"name\":\"orders\",\"phase\":\"Progressing\"}",
                ))
                .unwrap(),
            )
            .await
            .unwrap();
        let status = resp.status();
        let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap();
        (
            status,
            serde_json::from_slice::<Value>(&body).unwrap_or(Value::Null),
        )
    };
    let good = warm(checklist(true).item(trigger(false))).await;
    for method in ["GET", "POST"] {
        let (status, body) = ask(good.clone(), method, false).await;
        assert_eq!(status, StatusCode::OK, "{method}: {body}");
        assert_eq!(body["proceed"], true);
        assert_eq!(body["availability"], "ready");
    }
    let fired = warm(checklist(true).item(trigger(true))).await;
    let (status, body) = ask(fired.clone(), "POST", false).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["proceed"], false);
    assert_eq!(body["ready"], true);
    assert_eq!(
        body["rollback"]["reasons"],
        serde_json::json!([{"id": "rollback-plan.triggers.error-rate-threshold"}])
    );
    let (_, body) = ask(fired.clone(), "GET", true).await;
    assert_eq!(
        body["rollback"]["reasons"][0]["message"],
        "5xx ratio 0.40 over 1m"
    );
    // `?code=200`: the verdict in the body only (Argo's web metric reads no body of a 503).
    let (status, _, text) = get(&fired, "/rolloutz?code=200").await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap()["proceed"],
        false
    );
    let (status, _, _) = get(&fired, "/rolloutz?code=500").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Not ready, or draining: no rollout either.
    let (status, body) = ask(warm(checklist(false)).await, "GET", false).await;
    assert_eq!(
        (status, &body["ready"]),
        (StatusCode::SERVICE_UNAVAILABLE, &Value::Bool(false))
    );
    good.set_availability(prodready::Availability::Draining);
    let (status, body) = ask(good, "POST", false).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["availability"], "draining");
    // Other methods stay refused.
    let (status, _) = ask(warm(checklist(true)).await, "PUT", false).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}

/// A request to the router with `headers`; the status, the headers and the raw body.
async fn get_headers(
    r: &Readiness,
    uri: &str,
    headers: &[(header::HeaderName, &str)],
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let app: axum::Router = r.router();
    let mut req = Request::get(uri);
    for (name, value) in headers {
        req = req.header(name, *value);
    }
    let resp = app.oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, headers, body.to_vec())
}

#[tokio::test]
async fn report_answers_carry_an_etag_and_a_matching_if_none_match_is_304() {
    let r = warm(checklist(true)).await;
    let (status, headers, body) = get_headers(&r, "/readiness-checklist", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let etag = headers[header::ETAG].to_str().unwrap().to_owned();
    assert!(etag.starts_with("W/\"") && etag.ends_with('"'), "{etag}");
    // The same report answers the same bytes and the same tag: rendered once, kept.
    let (_, again, body2) = get_headers(&r, "/readiness-checklist", &[]).await;
    assert_eq!(again[header::ETAG], etag.as_str());
    assert_eq!(body, body2);
    let (status, headers, body) = get_headers(
        &r,
        "/readiness-checklist",
        &[(header::IF_NONE_MATCH, &format!("\"other\", {etag}"))],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    assert_eq!(headers[header::ETAG], etag.as_str());
    // Another format or filter is another answer, with its own tag.
    let (_, text, _) = get_headers(&r, "/readiness-checklist?format=text", &[]).await;
    assert_ne!(text[header::ETAG], etag.as_str());
    let (status, _, _) = get_headers(
        &r,
        "/readiness-checklist?format=text",
        &[(header::IF_NONE_MATCH, &etag)],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the JSON tag does not match the text"
    );
    let (status, item, _) = get_headers(
        &r,
        "/readiness-checklist/infrastructure.database.backups",
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(item.contains_key(header::ETAG));
    // Three answers of this report are kept, each once, and only of the latest report.
    let stats = r.render_cache_stats();
    assert_eq!(stats.entries, 3, "{stats:?}");
    assert!(stats.bytes >= body2.len(), "{stats:?}");
}

#[tokio::test]
async fn the_tag_follows_the_verdicts_not_the_timestamps() {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;
    let latency = Arc::new(AtomicU32::new(2));
    let seen = latency.clone();
    let r = warm(
        Checklist::new("Service checklist")
            .item(
                Item::new("Infrastructure", Some("Database"), "Database reachable").check(
                    check_fn(move |_ctx| {
                        let ms = seen.load(Ordering::SeqCst);
                        async move { Outcome::pass(format!("SELECT 1 in {ms} ms")) }
                    }),
                ),
            )
            .item(Item::new("Security", None, "No root user").check(pass())),
    )
    .await;
    // The whole report (messages included), as the details token sees it.
    let auth = format!("Bearer {TOKEN}");
    let auth = (header::AUTHORIZATION, auth.as_str());
    let (_, headers, before) =
        get_headers(&r, "/readiness-checklist", std::slice::from_ref(&auth)).await;
    let etag = headers[header::ETAG].to_str().unwrap().to_owned();
    let other = "/readiness-checklist/security.no-root-user";
    let tag_of = |h: &axum::http::HeaderMap| h[header::ETAG].to_str().unwrap().to_owned();
    let other_tag = tag_of(&get_headers(&r, other, std::slice::from_ref(&auth)).await.1);
    let anonymous_tag = tag_of(&get_headers(&r, "/readiness-checklist", &[]).await.1);
    // Every item run again, later: the same verdicts with other timestamps keep the tag.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    r.evaluate_fresh().await;
    let (status, headers, after) =
        get_headers(&r, "/readiness-checklist", std::slice::from_ref(&auth)).await;
    assert_eq!(status, StatusCode::OK);
    let (before, after): (Report, Report) = (
        serde_json::from_slice(&before).unwrap(),
        serde_json::from_slice(&after).unwrap(),
    );
    assert_ne!(before.evaluated_at, after.evaluated_at);
    assert_ne!(before.items[0].evaluated_at, after.items[0].evaluated_at);
    assert_eq!(headers[header::ETAG], etag.as_str());
    let (status, _, body) = get_headers(
        &r,
        "/readiness-checklist",
        &[(header::IF_NONE_MATCH, etag.as_str()), auth.clone()],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    // A message that changes is a new tag, and the old one gets the whole answer.
    latency.store(3, Ordering::SeqCst);
    r.evaluate_fresh().await;
    let (status, fresh, body) = get_headers(
        &r,
        "/readiness-checklist",
        &[(header::IF_NONE_MATCH, etag.as_str()), auth.clone()],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "a changed verdict is never 304");
    assert_ne!(fresh[header::ETAG], etag.as_str());
    let report: Report = serde_json::from_slice(&body).unwrap();
    assert_eq!(report.items[0].message, "SELECT 1 in 3 ms");
    // One item's answer is another representation, with its own tag; the other item's answer
    // did not change, nor did what an anonymous caller sees (statuses only): their tags stay.
    let item = "/readiness-checklist/infrastructure.database.database-reachable";
    let (_, one, _) = get_headers(&r, item, std::slice::from_ref(&auth)).await;
    assert_ne!(one[header::ETAG], fresh[header::ETAG]);
    assert_eq!(tag_of(&get_headers(&r, other, &[auth]).await.1), other_tag);
    let (status, _, _) = get_headers(
        &r,
        "/readiness-checklist",
        &[(header::IF_NONE_MATCH, anonymous_tag.as_str())],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn probe_answers_are_rendered_once_per_result_and_follow_new_results() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let alive = Arc::new(AtomicBool::new(true));
    let seen = alive.clone();
    let r = warm(
        checklist(true).item(
            Item::new("Runtime", None, "Loop")
                .gate(prodready::Gate::Liveness)
                .ttl(std::time::Duration::from_secs(3))
                .check(check_fn(move |_ctx| {
                    let ok = seen.load(Ordering::SeqCst);
                    async move {
                        if ok {
                            Outcome::pass("turns")
                        } else {
                            Outcome::fail("stuck")
                        }
                    }
                })),
        ),
    )
    .await;
    let kept = || r.render_cache_stats().entries;
    assert_eq!(kept(), 0);
    for (uri, entries) in [
        ("/livez", 1),
        ("/livez", 1),
        ("/livez?verbose", 2),
        ("/startupz", 3),
        ("/startupz", 3),
        ("/readyz", 4),
        ("/readyz", 4),
        ("/livez/runtime.loop", 5),
    ] {
        let (status, _, body) = get_headers(&r, uri, &[]).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{uri}: {}",
            String::from_utf8_lossy(&body)
        );
        assert_eq!(kept(), entries, "{uri}");
    }
    // New liveness results: the answers of the old ones are not served.
    alive.store(false, Ordering::SeqCst);
    tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
    let (status, _, body) = get_headers(&r, "/livez?verbose", &[]).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let body = String::from_utf8(body).unwrap();
    assert!(body.contains("[-]runtime.loop failed"), "{body}");
    let (status, _, _) = get_headers(&r, "/livez/runtime.loop", &[]).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    // The liveness slot holds the new results' two answers; the reports' answers stay.
    assert_eq!(kept(), 4);
}

#[tokio::test]
async fn a_failing_report_is_never_304() {
    let r = warm(checklist(false)).await;
    let (status, headers, _) = get_headers(&r, "/readiness-checklist", &[]).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let etag = headers[header::ETAG].to_str().unwrap().to_owned();
    let (status, _, body) = get_headers(
        &r,
        "/readiness-checklist",
        &[(header::IF_NONE_MATCH, &etag)],
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(!body.is_empty());
}

#[tokio::test]
async fn the_render_cache_is_bounded_whatever_the_filters() {
    let r = warm(checklist(true)).await;
    for i in 0..(prodready::http::RENDER_CACHE_MAX_ENTRIES + 20) {
        // A distinct query string each time, the same filter.
        let query = vec!["tag=database"; i + 1].join("&");
        let (status, _, body) =
            get_headers(&r, &format!("/readiness-checklist?{query}"), &[]).await;
        assert_eq!(status, StatusCode::OK);
        // Past the bound the answer is rendered for the request, and still right.
        let report: Report = serde_json::from_slice(&body).unwrap();
        assert_eq!(report.items.len(), 1);
    }
    assert_eq!(
        r.render_cache_stats().entries,
        prodready::http::RENDER_CACHE_MAX_ENTRIES
    );
}

#[cfg(feature = "gzip")]
#[tokio::test]
async fn gzip_is_sent_when_accepted_and_tagged_apart() {
    use std::io::Read;
    let r = warm(checklist(true)).await;
    let (_, plain, body) = get_headers(&r, "/readiness-checklist", &[]).await;
    assert!(!plain.contains_key(header::CONTENT_ENCODING));
    let (status, headers, gz) = get_headers(
        &r,
        "/readiness-checklist",
        &[(header::ACCEPT_ENCODING, "br;q=1, gzip;q=0.8")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
    assert!(headers[header::VARY]
        .to_str()
        .unwrap()
        .contains("accept-encoding"));
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, body);
    let tag = headers[header::ETAG].to_str().unwrap().to_owned();
    assert_ne!(tag, plain[header::ETAG].to_str().unwrap());
    let (status, _, _) = get_headers(
        &r,
        "/readiness-checklist",
        &[
            (header::ACCEPT_ENCODING, "gzip"),
            (header::IF_NONE_MATCH, &tag),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    let (_, refused, _) = get_headers(
        &r,
        "/readiness-checklist",
        &[(header::ACCEPT_ENCODING, "gzip;q=0, identity")],
    )
    .await;
    assert!(!refused.contains_key(header::CONTENT_ENCODING));
}

#[tokio::test]
async fn readyz_answers_are_rendered_once_per_report_and_audience() {
    let r = warm(checklist(true)).await;
    let (status, _, body) = get_headers(&r, "/readyz", &[]).await;
    assert_eq!((status, body.as_slice()), (StatusCode::OK, &b"ok"[..]));
    let (_, _, verbose) = get_headers(&r, "/readyz?verbose", &[]).await;
    let verbose = String::from_utf8(verbose).unwrap();
    assert!(verbose.contains("[+]"), "{verbose}");
    let (_, _, again) = get_headers(&r, "/readyz?verbose", &[]).await;
    assert_eq!(String::from_utf8(again).unwrap(), verbose);
    assert_eq!(r.render_cache_stats().entries, 2);
    // Draining is said at once, whatever was cached.
    r.set_availability(prodready::Availability::Draining);
    let (status, _, body) = get_headers(&r, "/readyz", &[]).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(String::from_utf8(body).unwrap().contains("draining"));
}
