//! An artifact that stands in for an attestation passes only when its content proves the item.

use super::{at_nov_25, attestation, bundle, fixture, run, spec};
use crate::evidence::attest::attested;
use crate::evidence::{BuildInfo, EvidenceSpec, K8sWorkload};
use crate::{Outcome, Status};

/// `attested(item).or_evidence(kind)` with one artifact of `kind` holding `text`.
async fn judged(kind: &str, text: &str, spec: EvidenceSpec) -> Outcome {
    let host = bundle(&[(kind, "artifact.json", text)]);
    run(
        attested("item.under.test", "devops").or_evidence(kind),
        host,
        spec,
    )
    .await
}

fn assert_status(out: &Outcome, status: Status, needle: &str) {
    assert_eq!(out.status(), status, "{out:?}");
    assert!(
        out.message().contains(needle),
        "{needle:?} not in {}",
        out.message()
    );
}

#[tokio::test]
async fn dashboards_pass_only_with_a_panel_that_queries_the_service() {
    let board = fixture("grafana-dashboard.json");
    let out = judged("dashboards", &board, spec()).await;
    assert_status(
        &out,
        Status::Pass,
        "`Inventory service` (3 panels, 3 queries)",
    );
    // The API answer wraps the model.
    let wrapped = format!("{{\"dashboard\": {board}, \"meta\": {{\"slug\": \"inventory\"}}}}");
    assert_status(
        &judged("dashboards", &wrapped, spec()).await,
        Status::Pass,
        "Inventory service",
    );

    let empty = r#"{"title": "Inventory", "panels": [{"type": "text", "title": "TODO"}]}"#;
    assert_status(
        &judged("dashboards", empty, spec()).await,
        Status::Fail,
        "no query",
    );
    let screenshot = "PNG....";
    assert_status(
        &judged("dashboards", screenshot, spec()).await,
        Status::Fail,
        "malformed evidence",
    );
    let other = r#"{"kind": "ConfigMap", "data": {}}"#;
    assert_status(
        &judged("dashboards", other, spec()).await,
        Status::Fail,
        "not a Grafana dashboard",
    );

    let named = |name: &str| {
        spec().workload(K8sWorkload {
            name: Some(name.into()),
            ..K8sWorkload::default()
        })
    };
    assert_eq!(
        judged("dashboards", &board, named("inventory"))
            .await
            .status(),
        Status::Pass
    );
    let mut no_vars: serde_json::Value = serde_json::from_str(&board).unwrap_or_default();
    no_vars["templating"]["list"] = serde_json::json!([]);
    let fixed = no_vars.to_string();
    assert_status(
        &judged("dashboards", &fixed, named("orders")).await,
        Status::Warn,
        "none naming `orders`",
    );
}

#[tokio::test]
async fn a_notification_passes_when_delivered_and_about_this_version() {
    let slack = fixture("slack-chat-postmessage.json");
    assert_status(
        &judged("notification", &slack, spec()).await,
        Status::Pass,
        "team notified on C123ABC456",
    );
    let refused = r#"{"ok": false, "error": "channel_not_found"}"#;
    assert_status(
        &judged("notification", refused, spec()).await,
        Status::Fail,
        "channel_not_found",
    );
    let old = slack.replace("1.5.0", "1.4.1");
    assert_status(
        &judged("notification", &old, spec()).await,
        Status::Warn,
        "does not name the version 1.5.0",
    );

    let hook = |status: u16, message: &str| {
        format!(
            r##"{{"channel": "#deploys", "sent_at": "2026-11-24T10:00:00Z", "http_status": {status}{message}}}"##
        )
    };
    let ok = hook(200, r#", "message": "inventory 1.5.0 is rolling out""#);
    assert_status(
        &judged("notification", &ok, spec()).await,
        Status::Pass,
        "#deploys",
    );
    assert_status(
        &judged("notification", &hook(500, ""), spec()).await,
        Status::Fail,
        "HTTP 500",
    );
    assert_status(
        &judged("notification", &hook(204, ""), spec()).await,
        Status::Warn,
        "records no text",
    );
    assert_status(
        &judged("notification", "{}", spec()).await,
        Status::Fail,
        "not a notification receipt",
    );
}

#[tokio::test]
async fn logs_collected_needs_lines_the_backend_found() {
    let loki = fixture("loki-query-range.json");
    assert_status(
        &judged("log-shipping", &loki, spec()).await,
        Status::Pass,
        "loki has 3 log lines",
    );
    let none = r#"{"status": "success", "data": {"resultType": "streams", "result": []}}"#;
    assert_status(
        &judged("log-shipping", none, spec()).await,
        Status::Fail,
        "found no log line",
    );
    let failed =
        r#"{"status": "error", "errorType": "bad_data", "error": "parse error at line 1"}"#;
    assert_status(
        &judged("log-shipping", failed, spec()).await,
        Status::Fail,
        "parse error at line 1",
    );
    let counted = r#"{"status": "success", "data": {"resultType": "vector", "result": [{"metric": {}, "value": [1795651260, "412"]}]}}"#;
    assert_status(
        &judged("log-shipping", counted, spec()).await,
        Status::Pass,
        "412 log lines",
    );
    let es =
        r#"{"count": 1234, "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0}}"#;
    assert_status(
        &judged("log-shipping", es, spec()).await,
        Status::Pass,
        "elasticsearch has 1234",
    );
    let es_none = r#"{"took": 3, "hits": {"total": {"value": 0, "relation": "eq"}, "hits": []}}"#;
    assert_status(
        &judged("log-shipping", es_none, spec()).await,
        Status::Fail,
        "found no log line",
    );
}

#[tokio::test]
async fn rollback_tested_needs_a_successful_rehearsal_of_this_version() {
    let s = spec().build(BuildInfo::new("1.5.0").previous_tag("v1.4.1"));
    let record = fixture("rollback-rehearsal.json");
    assert_status(
        &judged("rollback-rehearsal", &record, s.clone()).await,
        Status::Pass,
        "from 1.5.0 to 1.4.1",
    );
    let failed = record.replace("\"succeeded\": true", "\"succeeded\": false");
    assert_status(
        &judged("rollback-rehearsal", &failed, s.clone()).await,
        Status::Fail,
        "failed",
    );
    let other_from = record.replace("\"from\": \"1.5.0\"", "\"from\": \"1.4.0\"");
    assert_status(
        &judged("rollback-rehearsal", &other_from, s.clone()).await,
        Status::Fail,
        "rolled back from 1.4.0, running 1.5.0",
    );
    let other_to = record.replace("\"to\": \"1.4.1\"", "\"to\": \"1.3.0\"");
    assert_status(
        &judged("rollback-rehearsal", &other_to, s.clone()).await,
        Status::Fail,
        "the previous release is v1.4.1",
    );
    let junit = fixture("nextest-junit-passing.xml");
    assert_status(
        &judged("rollback-rehearsal", &junit, s.clone()).await,
        Status::Pass,
        "tests passed",
    );
    let junit = fixture("nextest-junit-failing.xml");
    assert_status(
        &judged("rollback-rehearsal", &junit, s).await,
        Status::Fail,
        "rehearsal failed",
    );
}

#[tokio::test]
async fn an_artifact_of_a_kind_without_a_rule_is_warn_never_pass() {
    let out = judged("custom-proof", "{\"anything\": true}", spec()).await;
    assert_status(&out, Status::Warn, "artifact present but not judged");
}

#[tokio::test]
async fn a_valid_attestation_still_passes_and_a_bad_artifact_is_not_hidden() {
    let item = "deployment.process.team-notified";
    let refused = r#"{"ok": false, "error": "not_in_channel"}"#;
    let check = || attested(item, "devops").or_evidence("notification");
    // The shipped receipt says the notification failed, and nobody attested: fail, not pending.
    let host = bundle(&[("notification", "slack.json", refused)]);
    let out = run(check(), host.clone(), spec()).await;
    assert_status(&out, Status::Fail, "not_in_channel");
    // An attestation by the role satisfies the item on its own.
    host.write(
        "evidence/attestations/n.json",
        serde_json::to_string(&attestation(item, "devops")).unwrap_or_default(),
    );
    let out = run(check(), at_nov_25(host), spec().allow_unsigned(item)).await;
    assert_status(&out, Status::Pass, "attested by Ada");
}
