//! `/metrics`: the checklist and the monitors, in OpenMetrics 1.0 or, when the scraper asks for
//! it, the classic Prometheus text format 0.0.4 (feature `prometheus`). Both pass
//! `promtool check metrics` whatever traffic the service has seen.
//!
//! - `prodready_build_info{service,version}` (gauge): 1, the series to join the others with
//! - `prodready_item_status{id,status}` (gauge): 1 for the item's status, 0 for the others
//! - `prodready_item_info{id,kind,severity,gate}` (gauge): 1 for each item
//! - `prodready_compliant`, `prodready_startup` (gauges): 1 when the checklist is compliant,
//!   when the startup gate passes
//! - `prodready_waiver_expiry_timestamp_seconds{id}`,
//!   `prodready_attestation_expiry_timestamp_seconds{id}` (gauges): when a waived item's waiver
//!   stops applying, when a passing attestation expires (Unix time)
//! - `prodready_item_duration_seconds{id}`, `prodready_evaluation_duration_seconds` (gauges)
//! - `prodready_ready`, `prodready_rollback_recommended`, `prodready_trigger_fired{id}` (gauges)
//! - `prodready_requests{window}`, `prodready_request_errors{window}`,
//!   `prodready_request_error_ratio{window}` (gauges over the sliding windows `1m`, `5m` and
//!   `deployment`)
//! - `prodready_request_latency_seconds{window,quantile}` (summary: the 0.5, 0.9 and 0.99
//!   quantiles of each window, with `_sum` and `_count`)
//! - `prodready_request_duration_seconds` (histogram since the start; bucket bounds are the
//!   monitor's own, so every count is exact: 1.023 ms to 16.8 s, doubling)
//! - `prodready_log_events{level,window}` (gauge)

mod encode;

use super::{LogMonitor, RequestMonitor};
use crate::model::date::parse_rfc3339;
use crate::report::Report;
use crate::{Context, Date, Kind, Readiness, Status};
use encode::{encode, Dialect, Family, Type};
use std::time::Duration;

/// The `Content-Type` of the OpenMetrics exposition (the default).
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The `Content-Type` of the classic text exposition.
pub const TEXT_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

const WINDOWS: [(&str, Option<Duration>); 3] = [
    ("1m", Some(Duration::from_secs(60))),
    ("5m", Some(Duration::from_secs(300))),
    ("deployment", None),
];

/// The quantiles of the latency summary.
const QUANTILES: [(&str, f64); 3] = [("0.5", 0.5), ("0.9", 0.9), ("0.99", 0.99)];

fn request_families(m: &RequestMonitor) -> Vec<Family> {
    let mut requests = Family::new(
        "prodready_requests",
        Type::Gauge,
        "Requests answered in the window",
    );
    let mut errors = Family::new(
        "prodready_request_errors",
        Type::Gauge,
        "5xx responses in the window",
    );
    let mut ratio = Family::new(
        "prodready_request_error_ratio",
        Type::Gauge,
        "Error ratio in the window",
    );
    let mut latency = Family::new(
        "prodready_request_latency_seconds",
        Type::Summary,
        "Latency quantiles in the window",
    );
    for (name, w) in WINDOWS {
        let w = w.map(|w| w.min(m.window_capacity()));
        let s = m.overall(w);
        let window = [("window", name)];
        requests.push(&window, s.requests as f64);
        errors.push(&window, s.server_errors as f64);
        ratio.push(&window, s.error_ratio);
        let h = m.latency(w);
        for (label, q) in QUANTILES {
            if let Some(us) = h.quantile_us(q) {
                latency.push(&[("window", name), ("quantile", label)], us as f64 / 1e6);
            }
        }
        latency.push_suffixed("_sum", &window, h.sum_us() as f64 / 1e6);
        latency.push_suffixed("_count", &window, h.total() as f64);
    }
    let mut duration = Family::new(
        "prodready_request_duration_seconds",
        Type::Histogram,
        "Request latency since the start",
    );
    let h = m.latency(None);
    for bound in super::histogram::exact_bounds_us(9, 23) {
        let le = encode::number(bound as f64 / 1e6);
        duration.push_suffixed("_bucket", &[("le", &le)], h.count_at_most(bound) as f64);
    }
    duration.push_suffixed("_bucket", &[("le", "+Inf")], h.total() as f64);
    duration.push_suffixed("_sum", &[], h.sum_us() as f64 / 1e6);
    duration.push_suffixed("_count", &[], h.total() as f64);
    vec![requests, errors, ratio, latency, duration]
}

fn log_family(l: &LogMonitor) -> Family {
    let mut events = Family::new(
        "prodready_log_events",
        Type::Gauge,
        "Error and warn log events in the window",
    );
    for (name, w) in WINDOWS {
        let s = l.stats(w);
        events.push(&[("level", "error"), ("window", name)], s.errors as f64);
        events.push(&[("level", "warn"), ("window", name)], s.warnings as f64);
    }
    events
}

fn monitors(ctx: &Context) -> Vec<Family> {
    let mut out = Vec::new();
    if let Some(m) = ctx.resource::<RequestMonitor>() {
        out.extend(request_families(m));
    }
    if let Some(l) = ctx.resource::<LogMonitor>() {
        out.push(log_family(l));
    }
    out
}

fn families(readiness: &Readiness, report: &Report) -> Vec<Family> {
    families_with(
        report,
        |id| readiness.is_rollback_trigger(id),
        readiness.context(),
    )
}

/// The exposition `/metrics` serves, as a check sees it from its context: from the last
/// complete report when there is one (`true`), else the monitors' families alone (`false`).
pub(crate) fn render_from_context(ctx: &Context) -> (String, bool) {
    match ctx
        .resource::<crate::probes::LatestReport>()
        .and_then(crate::probes::LatestReport::get)
    {
        Some(report) => {
            let is_trigger = |id: &str| {
                report
                    .items
                    .iter()
                    .any(|i| i.id == id && i.is_rollback_trigger())
            };
            (
                encode(
                    &families_with(&report, is_trigger, ctx),
                    Dialect::OpenMetrics,
                ),
                true,
            )
        }
        None => (encode(&monitors(ctx), Dialect::OpenMetrics), false),
    }
}

fn families_with(report: &Report, is_trigger: impl Fn(&str) -> bool, ctx: &Context) -> Vec<Family> {
    let mut status = Family::new(
        "prodready_item_status",
        Type::Gauge,
        "1 for the item's current status",
    );
    let mut duration = Family::new(
        "prodready_item_duration_seconds",
        Type::Gauge,
        "How long the item's check ran",
    );
    let mut triggers = Family::new(
        "prodready_trigger_fired",
        Type::Gauge,
        "1 when the rollback trigger fired",
    );
    let mut info = Family::new(
        "prodready_item_info",
        Type::Gauge,
        "1 for each item, with its kind, severity and gate",
    );
    let mut waivers = Family::new(
        "prodready_waiver_expiry_timestamp_seconds",
        Type::Gauge,
        "When the waiver of a waived item stops applying (Unix time)",
    );
    let mut attestations = Family::new(
        "prodready_attestation_expiry_timestamp_seconds",
        Type::Gauge,
        "When the attestation an item passes on expires (Unix time)",
    );
    for item in &report.items {
        info.push(
            &[
                ("id", &item.id),
                ("kind", item.kind.as_str()),
                ("severity", item.severity.as_str()),
                ("gate", item.gate.as_str()),
            ],
            1.0,
        );
        let detail = |key: &str| item.details.get(key).and_then(|v| v.as_str());
        if item.status == Status::Waived {
            if let Some(last) = detail("waiver_expires").and_then(|d| d.parse::<Date>().ok()) {
                waivers.push(&[("id", &item.id)], last.end_unix_seconds() as f64);
            }
        }
        if item.kind == Kind::Attestation && item.status == Status::Pass {
            if let Some(at) = detail("expires_at").and_then(parse_rfc3339) {
                attestations.push(&[("id", &item.id)], at);
            }
        }
        for s in Status::ALL {
            let v = if item.status == *s { 1.0 } else { 0.0 };
            status.push(&[("id", &item.id), ("status", s.as_str())], v);
        }
        duration.push(&[("id", &item.id)], item.duration_ms / 1000.0);
        if is_trigger(&item.id) {
            let fired = f64::from(u8::from(item.status == Status::Fail));
            triggers.push(&[("id", &item.id)], fired);
        }
    }
    let single = |name, help, v: f64| {
        let mut f = Family::new(name, Type::Gauge, help);
        f.push(&[], v);
        f
    };
    let mut build = Family::new(
        "prodready_build_info",
        Type::Gauge,
        "1, with the service's name and version",
    );
    build.push(
        &[
            ("service", &report.service.name),
            ("version", &report.service.version),
        ],
        1.0,
    );
    let mut out = vec![
        build,
        status,
        info,
        duration,
        triggers,
        waivers,
        attestations,
        single(
            "prodready_compliant",
            "1 when every item is pass, waived or not applicable",
            f64::from(u8::from(report.compliant)),
        ),
        single(
            "prodready_startup",
            "1 when the startup gate passes",
            f64::from(u8::from(report.startup)),
        ),
        single(
            "prodready_ready",
            "1 when the service is ready",
            f64::from(u8::from(report.ready)),
        ),
        single(
            "prodready_rollback_recommended",
            "1 when a rollback trigger fired",
            f64::from(u8::from(report.rollback.recommended)),
        ),
        single(
            "prodready_evaluation_duration_seconds",
            "How long the last evaluation took",
            report.duration_ms / 1000.0,
        ),
    ];
    out.extend(monitors(ctx));
    out
}

/// The whole exposition for `report`, in OpenMetrics ([`CONTENT_TYPE`]).
pub fn render(readiness: &Readiness, report: &Report) -> String {
    encode(&families(readiness, report), Dialect::OpenMetrics)
}

/// The whole exposition for `report` in the format the `Accept` header prefers: the classic
/// text format ([`TEXT_CONTENT_TYPE`]) when `text/plain` ranks above
/// `application/openmetrics-text`, OpenMetrics ([`CONTENT_TYPE`]) otherwise (and without a
/// header). Returns the `Content-Type` and the body.
pub(crate) fn render_for(
    readiness: &Readiness,
    report: &Report,
    accept: Option<&str>,
) -> (&'static str, String) {
    let dialect = negotiate(accept);
    let content_type = match dialect {
        Dialect::OpenMetrics => CONTENT_TYPE,
        Dialect::Text => TEXT_CONTENT_TYPE,
    };
    (content_type, encode(&families(readiness, report), dialect))
}

/// Whether `text/plain` outranks `application/openmetrics-text` in `accept` (by `q`, then order).
fn negotiate(accept: Option<&str>) -> Dialect {
    let Some(accept) = accept else {
        return Dialect::OpenMetrics;
    };
    let mut best: Option<(f32, usize, Dialect)> = None;
    for (pos, part) in accept.split(',').enumerate() {
        let mut params = part.split(';');
        let media = params.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = params
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let dialect = match media.as_str() {
            "application/openmetrics-text" => Dialect::OpenMetrics,
            "text/plain" => Dialect::Text,
            _ => continue,
        };
        if q > 0.0 && best.is_none_or(|(bq, bpos, _)| q > bq || (q == bq && pos < bpos)) {
            best = Some((q, pos, dialect));
        }
    }
    best.map_or(Dialect::OpenMetrics, |(_, _, d)| d)
}

pub use super::exposition::{ParseError, Sample};

/// Parses Prometheus text exposition / OpenMetrics text into samples, with the one exposition
/// parser ([`exposition::samples`](super::exposition::samples)): OpenMetrics when a `# EOF`
/// line is present (then nothing may follow it), the Prometheus text format otherwise.
pub fn parse_exposition(text: &str) -> Result<Vec<Sample>, ParseError> {
    let syntax = if text.lines().any(|l| l == "# EOF") {
        super::exposition::Syntax::OpenMetrics
    } else {
        super::exposition::Syntax::Prometheus
    };
    super::exposition::samples(text, syntax)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_picks_the_dialect() {
        let prometheus = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
        assert_eq!(negotiate(Some(prometheus)), Dialect::OpenMetrics);
        assert_eq!(negotiate(Some("text/plain;version=0.0.4")), Dialect::Text);
        assert_eq!(
            negotiate(Some(
                "text/plain;version=0.0.4;q=0.9,application/openmetrics-text;q=0.5"
            )),
            Dialect::Text
        );
        assert_eq!(negotiate(Some("*/*")), Dialect::OpenMetrics);
        assert_eq!(negotiate(None), Dialect::OpenMetrics);
        assert_eq!(
            negotiate(Some("text/plain;q=0, application/openmetrics-text;q=0")),
            Dialect::OpenMetrics
        );
    }

    #[test]
    fn parses_and_rejects() {
        let ok = "# HELP a x\n# TYPE a gauge\na{id=\"x\",status=\"pass\"} 1.0\nb 2\n# EOF\n";
        let s = parse_exposition(ok).unwrap_or_default();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].labels[1], ("status".to_owned(), "pass".to_owned()));
        assert!(parse_exposition("a{id=x} 1\n").is_err());
        assert!(parse_exposition("a one\n").is_err());
        assert!(parse_exposition("# EOF\na 1\n").is_err());
    }
}
