//! Each output format against what its consumers require: GitHub code scanning and SARIF 2.1.0
//! §3.27.9–10, the Jenkins xUnit `junit-10.xsd`, draft-inadarei-api-health-check-06, Prometheus
//! scrapers, and `prodready import` of the Markdown. CI runs the consumers themselves on the
//! example service (`.ci/consumers`).

mod health;
mod junit;
mod markdown;
#[cfg(feature = "prometheus")]
mod metrics;
mod openapi;
mod sarif;

use crate::common::{fail, pass};
use prodready::testing::FakeHost;
use prodready::{check_fn, Checklist, Item, Outcome, Readiness, Report, Severity, Waiver};
use std::sync::Arc;

pub(crate) const LINT: &str = "build.quality.lint-clean";
pub(crate) const DASHBOARDS: &str = "ops.dashboards";
pub(crate) const SIGN_OFF: &str = "ops.sign-off";
pub(crate) const SMOKE: &str = "ops.smoke";
pub(crate) const IMAGE: &str = "ops.image-signed";
pub(crate) const ROOT: &str = "security.container-security.no-root-user";
pub(crate) const DATABASE: &str = "infrastructure.database.database-reachable";
pub(crate) const NAMESPACE: &str = "infrastructure.kubernetes.namespace-created";

/// One item of every status: pass, blocking fail, warning fail, info fail, warn with
/// measurements, blocking pending, skipped (its dependency failed), not applicable and waived.
pub(crate) fn checklist() -> Checklist {
    Checklist::new("Conformance & <checks>")
        .item(Item::new("Security", Some("Container Security"), "No root user").check(pass()))
        .item(
            Item::new("Build", Some("Quality"), "Lint clean")
                .docs("https://example.com/docs/lint")
                .check(fail("3 errors in \"src/a.rs\" <x>")),
        )
        .item(
            Item::new("Ops", None, "Dashboards")
                .severity(Severity::Warning)
                .check(check_fn(|_| async {
                    Outcome::warn("certificate expires in 9 days")
                        .detail("days_left", 9)
                        .detail("p99_ms", 12.5)
                        .detail("engine", "PostgreSQL")
                        .detail("stale", true)
                })),
        )
        .item(Item::new("Ops", None, "Sign-off"))
        .item(
            Item::new("Ops", None, "Post-mortem").check(check_fn(|_| async {
                Outcome::not_applicable("no rollback")
            })),
        )
        .item(
            Item::new("Ops", None, "Smoke")
                .depends_on([LINT])
                .check(pass()),
        )
        .item(Item::new("Ops", None, "Image signed").check(fail("no signature")))
        .item(
            Item::new("Ops", None, "Style")
                .severity(Severity::Info)
                .check(fail("tabs")),
        )
        .item(
            Item::new("Ops", None, "Alerts")
                .severity(Severity::Warning)
                .check(fail("no alert rules")),
        )
        .item(
            Item::new("Infrastructure", Some("Database"), "Database reachable").check(check_fn(
                |_| async { Outcome::pass("SELECT 1 answered").detail("round_trip_ms", 3) },
            )),
        )
        .item(Item::new("Infrastructure", Some("Kubernetes"), "Namespace created").check(pass()))
        .waive(Waiver::new(IMAGE, "never shipped as an image").until("2099-12-31"))
}

/// A readiness for [`checklist`]; `strict`: blocking `pending` items fail the gate.
pub(crate) fn readiness(strict: bool) -> Readiness {
    Readiness::builder()
        .service("demo", "1.2.3")
        .checklist(checklist())
        .host(FakeHost::new())
        .registered_checks(false)
        .pending_blocks(strict)
        .details_token(crate::common::TOKEN)
        .build()
        .unwrap()
}

pub(crate) async fn report(strict: bool) -> Arc<Report> {
    readiness(strict).evaluate_fresh().await
}

/// A GET through the router: (status, content type, body).
pub(crate) async fn get(r: &Readiness, uri: &str, accept: Option<&str>) -> (u16, String, String) {
    use axum::body::Body;
    use axum::http::{header, Request};
    use tower::ServiceExt;
    let app: axum::Router = r.router();
    // The consumers read the whole report: ask with the details token.
    let mut req = Request::get(uri).header(
        header::AUTHORIZATION,
        format!("Bearer {}", crate::common::TOKEN),
    );
    if let Some(a) = accept {
        req = req.header(header::ACCEPT, a);
    }
    let resp = app.oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let status = resp.status().as_u16();
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
async fn the_fixture_has_every_status() {
    use prodready::Status;
    let r = report(false).await;
    let status = |id: &str| r.item(id).unwrap().status;
    assert_eq!(status(ROOT), Status::Pass);
    assert_eq!(status(LINT), Status::Fail);
    assert_eq!(status(DASHBOARDS), Status::Warn);
    assert_eq!(status(SIGN_OFF), Status::Pending);
    assert_eq!(status(SMOKE), Status::Skipped);
    assert_eq!(status("ops.post-mortem"), Status::NotApplicable);
    assert_eq!(status(IMAGE), Status::Waived);
    assert!(!r.ready);
}
