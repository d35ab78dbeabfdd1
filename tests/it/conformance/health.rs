//! `application/health+json` against draft-inadarei-api-health-check-06: the §3.1 MUSTs on the
//! whole report and on each item's answer, `componentType`, one `observedValue`/`observedUnit`
//! per measurement, no `output` on `pass`, `links`, and `?format=health+json` as written.

use super::*;
use serde_json::Value;

/// §3.1: `pass` and `warn` answer 2xx–3xx, `fail` 4xx–5xx.
fn assert_status_agrees(code: u16, body: &Value, what: &str) {
    let status = body["status"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: no status"));
    match status {
        "pass" | "warn" => assert!((200..400).contains(&code), "{what}: {code} with {status}"),
        "fail" => assert!((400..600).contains(&code), "{what}: {code} with {status}"),
        other => panic!("{what}: status `{other}`"),
    }
}

/// The draft's rules for every entry of `checks`.
fn assert_checks(body: &Value, what: &str) {
    for (key, entries) in body["checks"].as_object().unwrap() {
        // `{componentName}:{measurementName}`: neither part has a colon.
        assert!(key.matches(':').count() <= 1, "{what}: key {key}");
        for e in entries.as_array().unwrap() {
            let status = e["status"].as_str().unwrap();
            assert!(["pass", "warn", "fail"].contains(&status), "{what}: {e}");
            let kind = e["componentType"].as_str().unwrap();
            assert!(
                ["component", "datastore", "system"].contains(&kind),
                "{what}: {e}"
            );
            if status == "pass" {
                assert!(e.get("output").is_none(), "{what}: output on pass: {e}");
            }
            if let Some(v) = e.get("observedValue") {
                assert!(!v.is_object() && !v.is_array(), "{what}: one value: {e}");
                assert!(e["observedUnit"].is_string(), "{what}: no unit: {e}");
            }
            for (_, link) in e["links"].as_object().into_iter().flatten() {
                assert!(
                    link.as_str().is_some_and(|l| !l.contains(' ')),
                    "{what}: {e}"
                );
            }
        }
    }
    if body["status"] == "pass" {
        assert!(body.get("output").is_none(), "{what}: output on pass");
    }
    assert!(body["links"]["self"].is_string(), "{what}: links");
}

#[tokio::test]
async fn every_answer_keeps_the_status_musts() {
    for strict in [false, true] {
        let r = readiness(strict);
        r.evaluate().await;
        // As written in a URL (`+` decodes to a space), encoded, and with the space itself.
        for format in ["health+json", "health%2Bjson", "health%20json"] {
            let (code, ct, body) =
                get(&r, &format!("/readiness-checklist?format={format}"), None).await;
            assert_eq!(ct, "application/health+json", "{format}: {body}");
            let body: Value = serde_json::from_str(&body).unwrap();
            assert_status_agrees(code, &body, format);
            assert_checks(&body, format);
        }
        for item in r.checklist().items() {
            let uri = format!("/readiness-checklist/{}?format=health+json", item.id());
            let (code, ct, body) = get(&r, &uri, None).await;
            assert_eq!(ct, "application/health+json");
            let body: Value = serde_json::from_str(&body).unwrap();
            assert_status_agrees(code, &body, &uri);
            assert_checks(&body, &uri);
            assert!(body["checks"][item.id()].is_array(), "{uri}: {body}");
        }
    }
}

#[tokio::test]
async fn an_item_answer_has_the_items_own_status() {
    let r = readiness(false);
    r.evaluate().await;
    let status = |body: &str| serde_json::from_str::<Value>(body).unwrap()["status"].clone();
    // The service is not ready, yet a passing item's answer passes.
    let (code, _, body) = get(
        &r,
        &format!("/readiness-checklist/{ROOT}?format=health+json"),
        None,
    )
    .await;
    assert_eq!((code, status(&body)), (200, "pass".into()));
    let (code, _, body) = get(
        &r,
        &format!("/readiness-checklist/{LINT}?format=health+json"),
        None,
    )
    .await;
    assert_eq!((code, status(&body)), (503, "fail".into()));
    let (code, _, body) = get(
        &r,
        &format!("/readiness-checklist/{DASHBOARDS}?format=health+json"),
        None,
    )
    .await;
    assert_eq!((code, status(&body)), (200, "warn".into()));
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["output"], "certificate expires in 9 days");
}

#[tokio::test]
async fn one_observed_value_and_unit_per_measurement() {
    let v: Value =
        serde_json::from_str(&prodready::Format::HealthJson.render(&*report(false).await)).unwrap();
    let checks = &v["checks"];
    let entry = |key: &str| checks[key][0].clone();
    assert_eq!(
        entry(&format!("{DASHBOARDS}:days_left"))["observedValue"],
        9
    );
    assert_eq!(
        entry(&format!("{DASHBOARDS}:days_left"))["observedUnit"],
        "d"
    );
    assert_eq!(
        entry(&format!("{DASHBOARDS}:p99_ms"))["observedValue"],
        12.5
    );
    assert_eq!(entry(&format!("{DASHBOARDS}:p99_ms"))["observedUnit"], "ms");
    assert_eq!(
        entry(&format!("{DATABASE}:round_trip_ms"))["observedUnit"],
        "ms"
    );
    // Words and flags are not measurements; the item's own entry carries no value.
    assert!(checks.get(format!("{DASHBOARDS}:engine")).is_none());
    assert!(checks.get(format!("{DASHBOARDS}:stale")).is_none());
    assert!(entry(DASHBOARDS).get("observedValue").is_none());
    assert_eq!(entry(DASHBOARDS)["status"], "warn");
    assert_eq!(v["status"], "fail", "the service is not ready");
    assert_eq!(entry(DATABASE)["componentType"], "datastore");
    assert_eq!(entry(NAMESPACE)["componentType"], "system");
    assert_eq!(entry(LINT)["componentType"], "component");
    assert_eq!(
        entry(LINT)["links"]["describedby"],
        "https://example.com/docs/lint"
    );
    assert_eq!(
        entry(LINT)["links"]["self"],
        format!("/readiness-checklist/{LINT}?format=health%2Bjson")
    );
    assert!(entry(ROOT).get("output").is_none());
    assert_checks(&v, "report");
}
