//! `health+json`: the IETF draft "Health Check Response Format for HTTP APIs"
//! (`application/health+json`): `status` pass/warn/fail and `checks` keyed by item id.

use crate::model::Status;
use crate::Report;
use serde_json::{json, Map, Value};

/// The media type.
pub const CONTENT_TYPE: &str = "application/health+json";

fn health_status(s: Status) -> &'static str {
    match s {
        Status::Fail => "fail",
        Status::Warn | Status::Pending | Status::Skipped => "warn",
        _ => "pass",
    }
}

/// The report as `application/health+json`.
pub fn render(report: &Report) -> String {
    let mut checks = Map::new();
    for i in &report.items {
        let mut c = json!({
            "componentId": i.id,
            "componentType": i.kind.as_str(),
            "status": health_status(i.status),
            "time": i.evaluated_at,
            "output": if i.status == Status::Pass { String::new() } else { i.message.clone() },
        });
        if !i.details.is_empty() {
            c["observedValue"] = Value::Object(i.details.clone());
        }
        checks.insert(i.id.clone(), json!([c]));
    }
    let out = json!({
        "status": health_status(report.status),
        "version": report.service.version.split('.').next().unwrap_or(""),
        "releaseId": report.service.version,
        "serviceId": report.service.name,
        "description": report.checklist,
        "output": report.summary.to_string(),
        "checks": checks,
    });
    serde_json::to_string_pretty(&out).unwrap_or_default()
}
