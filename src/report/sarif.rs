//! The `sarif` renderer; what it writes is documented on [`Format::Sarif`](super::Format::Sarif).

use crate::model::{Severity, Status};
use crate::report::ItemReport;
use crate::Report;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// Where the standard checklist's table lives, relative to the repository root.
pub(crate) const STANDARD_TABLE_URI: &str = "checklist/items.tsv";

use super::SARIF_FINGERPRINT_KEY as FINGERPRINT_KEY;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Blocking => "error",
        Severity::Warning => "warning",
        _ => "note",
    }
}

/// The SARIF `kind` and `level` of a status (§3.27.9–10: any kind but `fail` has level `none`).
pub(crate) fn kind_and_level(status: Status, severity: Severity) -> (&'static str, &'static str) {
    match status {
        Status::Fail => ("fail", level(severity)),
        Status::Warn => (
            "fail",
            if severity == Severity::Info {
                "note"
            } else {
                "warning"
            },
        ),
        Status::Pass => ("pass", "none"),
        Status::Pending | Status::Skipped => ("open", "none"),
        Status::NotApplicable | Status::Waived => ("notApplicable", "none"),
    }
}

/// The report as a SARIF 2.1.0 log; `checklist_uri` is the file that declares the items outside
/// the standard checklist (`Cargo.toml` when `None`).
pub(crate) fn render_with(report: &Report, checklist_uri: Option<&str>) -> String {
    let rows = standard_rows();
    let fallback = checklist_uri.unwrap_or("Cargo.toml");
    let rules: Vec<Value> = report.items.iter().map(|i| rule(i)).collect();
    let results: Vec<Value> = report
        .items
        .iter()
        .enumerate()
        .map(|(n, i)| result(n, i, &location(i, &rows, fallback)))
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "prodready",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/prodready/prodready",
                "rules": rules,
            } },
            "automationDetails": { "id": format!("prodready/{}/{}", report.service.name, report.service.version) },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&log).unwrap_or_default()
}

fn rule(i: &ItemReport) -> Value {
    let path = match &i.group {
        Some(g) => format!("{} / {g} / {}", i.section, i.title),
        None => format!("{} / {}", i.section, i.title),
    };
    let help = i
        .remediation
        .clone()
        .unwrap_or_else(|| format!("See the checklist item {}.", i.id));
    let mut rule = json!({
        "id": i.id,
        "name": pascal_case(&i.title),
        "shortDescription": { "text": sentence(&i.title) },
        "fullDescription": { "text": sentence(&path) },
        "help": { "text": help },
        "defaultConfiguration": { "level": level(i.severity) },
        "properties": { "kind": i.kind.as_str(), "severity": i.severity.as_str(), "tags": i.tags },
    });
    if let Some(uri) = i.docs.as_deref().filter(|d| is_absolute_uri(d)) {
        rule["helpUri"] = Value::String(uri.to_owned());
    }
    rule
}

fn result(n: usize, i: &ItemReport, location: &Value) -> Value {
    let underlying = underlying_status(i);
    let (kind, lvl) = kind_and_level(underlying, i.severity);
    let mut result = json!({
        "ruleId": i.id,
        "ruleIndex": n,
        "kind": kind,
        "level": lvl,
        "message": { "text": sentence(&format!("{}: {}", i.status.as_str(), i.message)) },
        "locations": [location],
        "partialFingerprints": { FINGERPRINT_KEY: fingerprint(&i.id) },
        "properties": { "status": i.status.as_str(), "details": i.details },
    });
    if i.status == Status::Waived {
        let mut properties = Map::new();
        if let Some(until) = waiver_expiry(i) {
            properties.insert("expires".into(), Value::String(until));
        }
        let reason = i
            .details
            .get("waiver_reason")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| i.message.clone());
        result["suppressions"] = json!([{
            "kind": "external",
            "status": "accepted",
            "justification": reason,
            "properties": properties,
        }]);
    }
    result
}

/// The status the check reported under a waiver (`waived` stays `waived` when unknown).
fn underlying_status(i: &ItemReport) -> Status {
    if i.status != Status::Waived {
        return i.status;
    }
    i.details
        .get("waived_status")
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
        .unwrap_or(Status::Waived)
}

/// The waiver's last day: the `waiver_expires` detail, or the date in `waived until DATE: …`.
fn waiver_expiry(i: &ItemReport) -> Option<String> {
    if let Some(d) = i.details.get("waiver_expires").and_then(Value::as_str) {
        return Some(d.to_owned());
    }
    let rest = i.message.strip_prefix("waived until ")?;
    let date = rest.split(':').next()?;
    date.parse::<crate::Date>().ok().map(|d| d.to_string())
}

/// The line of each id in the standard table (1-based, the header is line 1).
fn standard_rows() -> HashMap<&'static str, usize> {
    crate::standard::ITEMS_TSV
        .lines()
        .enumerate()
        .skip(1)
        .filter_map(|(n, line)| Some((line.split('\t').nth(1)?, n + 1)))
        .collect()
}

fn location(i: &ItemReport, rows: &HashMap<&str, usize>, fallback: &str) -> Value {
    let logical = json!([{ "fullyQualifiedName": i.id, "kind": "object" }]);
    // A whole file is located at its first line (code scanning wants a region).
    if let Some(file) = artifact(i) {
        return json!({
            "physicalLocation": {
                "artifactLocation": { "uri": file, "uriBaseId": "%SRCROOT%" },
                "region": { "startLine": 1 },
            },
            "logicalLocations": logical,
        });
    }
    match rows.get(i.id.as_str()) {
        Some(line) => json!({
            "physicalLocation": {
                "artifactLocation": { "uri": STANDARD_TABLE_URI, "uriBaseId": "%SRCROOT%" },
                "region": { "startLine": line },
            },
            "logicalLocations": logical,
        }),
        None => json!({
            "physicalLocation": {
                "artifactLocation": { "uri": fallback, "uriBaseId": "%SRCROOT%" },
                "region": { "startLine": 1 },
            },
            "logicalLocations": logical,
        }),
    }
}

/// The first evidence artifact an item names (`file` or `files` details), when it is a relative
/// path inside the repository.
fn artifact(i: &ItemReport) -> Option<String> {
    let first = match i.details.get("file").or_else(|| i.details.get("files"))? {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.first()?.as_str()?.to_owned(),
        _ => return None,
    };
    let relative = !first.is_empty()
        && !first.starts_with('/')
        && !first.starts_with('\\')
        && !first.contains(':')
        && !first.split(['/', '\\']).any(|part| part == "..");
    relative.then(|| first.replace('\\', "/").replace(' ', "%20"))
}

/// A stable fingerprint of an item id: the first 16 bytes of its SHA-256, hex.
fn fingerprint(id: &str) -> String {
    crate::sha256::hex(&crate::sha256::sha256(id.as_bytes())[..16])
}

fn is_absolute_uri(s: &str) -> bool {
    crate::url::Url::parse(s).is_ok_and(|u| !u.cannot_be_a_base())
}

/// `No root user` → `NoRootUser`, `README.md updated` → `ReadmeMdUpdated` (a SARIF rule name
/// is a Pascal-case identifier).
fn pascal_case(title: &str) -> String {
    title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| {
                    f.to_uppercase()
                        .chain(c.flat_map(char::to_lowercase))
                        .collect::<String>()
                })
                .unwrap_or_default()
        })
        .collect()
}

/// SARIF messages end with a period.
fn sentence(s: &str) -> String {
    let t = s.trim_end();
    if t.ends_with(['.', '!', '?']) {
        t.to_owned()
    } else {
        format!("{t}.")
    }
}
