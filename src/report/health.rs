//! The `health+json` renderer; what it writes is documented on [`Format::HealthJson`](super::Format::HealthJson).

use crate::model::Status;
use crate::report::ItemReport;
use crate::Report;
use serde_json::{json, Map, Value};

/// The media type.
pub(crate) const CONTENT_TYPE: &str = "application/health+json";

/// The `?format=` value of the whole report, as it is written in a URL.
const QUERY: &str = "format=health%2Bjson";

/// An item's status in the draft's terms: `fail`, `warn` (`warn`, `pending`, `skipped`) or
/// `pass` (`pass`, `not_applicable`, `waived`).
pub(crate) fn health_status(s: Status) -> &'static str {
    match s {
        Status::Fail => "fail",
        Status::Warn | Status::Pending | Status::Skipped => "warn",
        Status::Pass | Status::NotApplicable | Status::Waived => "pass",
    }
}

/// The whole report's status: `fail` exactly when the service is not ready.
fn report_status(report: &Report) -> &'static str {
    if !report.ready {
        "fail"
    } else if report.status == Status::Pass {
        "pass"
    } else {
        "warn"
    }
}

/// What kind of component an item is about, in the draft's pre-defined terms: `datastore` for
/// databases, caches and their pools, `system` for the host, container, cgroup and cluster the
/// service runs on, `component` for everything else (the service itself, its build, its
/// dependencies). A tag `datastore`, `system` or `component` decides first.
pub(crate) fn component_type(item: &ItemReport) -> &'static str {
    for tag in &item.tags {
        match tag.as_str() {
            "datastore" => return "datastore",
            "system" => return "system",
            "component" => return "component",
            _ => {}
        }
    }
    let id = item.id.as_str();
    let group = item.group.as_deref().unwrap_or("");
    let has = |words: &[&str]| words.iter().any(|w| id.contains(w));
    let about_people = item.section == "Emergency Contacts" || item.section == "Sign-Off";
    if !about_people
        && (group == "Database"
            || item.details.contains_key("engine")
            || item.tags.iter().any(|t| t == "database" || t == "cache")
            || has(&["database", "caching", "cache-", "connection-pool"]))
    {
        return "datastore";
    }
    if !about_people
        && (matches!(
            group,
            "Kubernetes" | "Resource Allocation" | "Container Security"
        ) || item.tags.iter().any(|t| t == "kubernetes")
            || has(&["resource-usage", "cgroup", "resource-limits"]))
    {
        return "system";
    }
    "component"
}

/// The unit of a measurement, from its detail key's suffix.
fn unit_of(key: &str, value: &serde_json::Number) -> &'static str {
    const SUFFIXES: [(&str, &str); 14] = [
        ("_ms", "ms"),
        ("_us", "us"),
        ("_seconds", "s"),
        ("_secs", "s"),
        ("_s", "s"),
        ("_minutes", "min"),
        ("_hours", "h"),
        ("_days", "d"),
        ("_bytes", "bytes"),
        ("_kib", "KiB"),
        ("_mib", "MiB"),
        ("_percent", "percent"),
        ("_pct", "percent"),
        ("_ratio", "ratio"),
    ];
    let k = key.to_ascii_lowercase();
    if let Some((_, unit)) = SUFFIXES.iter().find(|(s, _)| k.ends_with(s)) {
        return unit;
    }
    if k == "days_left" || k.ends_with("_days_left") {
        "d"
    } else if k.contains("ratio") || k.ends_with("share") {
        "ratio"
    } else if k.contains("percent") || k.contains("coverage") {
        "percent"
    } else if value.is_f64() {
        "1"
    } else {
        "count"
    }
}

/// One `(measurement name, observedValue, observedUnit)` per numeric detail; Unix times
/// (`*_unix`) become RFC 3339 times.
fn measurements(item: &ItemReport) -> Vec<(String, Value, &'static str)> {
    item.details
        .iter()
        .filter_map(|(key, value)| {
            let Value::Number(n) = value else {
                return None;
            };
            let name = key.replace(':', "_");
            if let Some(stripped) = key.strip_suffix("_unix") {
                let t = crate::model::date::rfc3339_seconds(n.as_i64()?)?;
                return Some((stripped.replace(':', "_"), json!(t), "RFC3339"));
            }
            Some((name, value.clone(), unit_of(key, n)))
        })
        .collect()
}

/// The `checks` entries of one item: its own under its id, then one per measurement.
fn item_checks(item: &ItemReport, checks: &mut Map<String, Value>) {
    let status = health_status(item.status);
    let kind = component_type(item);
    let mut own = json!({
        "componentId": item.id,
        "componentType": kind,
        "status": status,
        "time": item.evaluated_at,
        "links": item_links(item),
    });
    if status != "pass" && !item.message.is_empty() {
        own["output"] = Value::String(item.message.clone());
    }
    checks.insert(item.id.clone(), json!([own]));
    for (name, value, unit) in measurements(item) {
        checks.insert(
            format!("{}:{name}", item.id),
            json!([{
                "componentId": item.id,
                "componentType": kind,
                "observedValue": value,
                "observedUnit": unit,
                "status": status,
                "time": item.evaluated_at,
            }]),
        );
    }
}

fn item_links(item: &ItemReport) -> Value {
    let mut links = Map::new();
    links.insert(
        "self".into(),
        Value::String(format!(
            "{}/{}?{QUERY}",
            crate::http::CHECKLIST_PATH,
            item.id
        )),
    );
    if let Some(docs) = item
        .docs
        .as_deref()
        .filter(|d| crate::url::Url::parse(d).is_ok())
    {
        links.insert("describedby".into(), Value::String(docs.to_owned()));
    }
    Value::Object(links)
}

fn version(report: &Report) -> &str {
    report.service.version.split('.').next().unwrap_or("")
}

/// The report as `application/health+json`.
pub(crate) fn render(report: &Report) -> String {
    let mut checks = Map::new();
    for i in &report.items {
        item_checks(i, &mut checks);
    }
    let status = report_status(report);
    let mut out = json!({
        "status": status,
        "version": version(report),
        "releaseId": report.service.version,
        "serviceId": report.service.name,
        "description": report.checklist,
        "notes": [report.summary.to_string()],
        "checks": checks,
        "links": { "self": format!("{}?{QUERY}", crate::http::CHECKLIST_PATH) },
    });
    if status != "pass" {
        out["output"] = Value::String(report.summary.to_string());
    }
    serde_json::to_string_pretty(&out).unwrap_or_default()
}

/// One item as `application/health+json`: the answer of `/readiness-checklist/{id}`, whose
/// status is the item's own (`fail` exactly when the item is `fail`).
pub(crate) fn render_item(report: &Report, item: &ItemReport) -> String {
    let mut checks = Map::new();
    item_checks(item, &mut checks);
    let status = health_status(item.status);
    let mut out = json!({
        "status": status,
        "version": version(report),
        "releaseId": report.service.version,
        "serviceId": report.service.name,
        "description": format!("{} ({})", item.title, item.id),
        "checks": checks,
        "links": item_links(item),
    });
    if status != "pass" && !item.message.is_empty() {
        out["output"] = Value::String(item.message.clone());
    }
    serde_json::to_string_pretty(&out).unwrap_or_default()
}
