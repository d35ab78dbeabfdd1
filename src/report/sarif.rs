//! `sarif`: a SARIF 2.1.0 log with one rule per item and one result per item, whose `kind` is
//! `pass`, `fail`, `review` (warn, pending) or `notApplicable`.

use crate::model::{Severity, Status};
use crate::Report;
use serde_json::{json, Value};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Blocking => "error",
        Severity::Warning => "warning",
        _ => "note",
    }
}

/// The report as a SARIF 2.1.0 log.
pub fn render(report: &Report) -> String {
    let rules: Vec<Value> = report
        .items
        .iter()
        .map(|i| {
            json!({
                "id": i.id,
                "name": i.title,
                "shortDescription": { "text": i.title },
                "fullDescription": { "text": format!("{} / {}{}", i.section, i.group.as_deref().map(|g| format!("{g} / ")).unwrap_or_default(), i.title) },
                "help": { "text": i.remediation.clone().unwrap_or_else(|| format!("see the checklist item {}", i.id)) },
                "defaultConfiguration": { "level": level(i.severity) },
                "properties": { "kind": i.kind.as_str(), "tags": i.tags },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .items
        .iter()
        .enumerate()
        .map(|(n, i)| {
            let (kind, lvl) = match i.status {
                Status::Pass => ("pass", "none"),
                Status::Fail => ("fail", level(i.severity)),
                Status::Warn => ("review", "warning"),
                Status::Pending => ("review", "note"),
                _ => ("notApplicable", "none"),
            };
            json!({
                "ruleId": i.id,
                "ruleIndex": n,
                "kind": kind,
                "level": lvl,
                "message": { "text": format!("{}: {}", i.status.as_str(), i.message) },
                "properties": { "status": i.status.as_str(), "details": i.details },
            })
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": { "name": "prodready", "version": env!("CARGO_PKG_VERSION"), "informationUri": "https://github.com/prodready/prodready", "rules": rules } },
            "automationDetails": { "id": format!("{}/{}", report.service.name, report.service.version) },
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&log).unwrap_or_default()
}
