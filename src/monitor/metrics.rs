//! `/metrics`: the checklist and the monitors in OpenMetrics text (feature `prometheus`).
//!
//! - `prodready_item_status{id,status}`: 1 for the item's status, 0 for the others (enum style)
//! - `prodready_item_duration_seconds{id}`, `prodready_evaluation_duration_seconds`
//! - `prodready_ready`, `prodready_rollback_recommended`, `prodready_trigger_fired{id}`
//! - `prodready_requests{window}`, `prodready_request_errors{window}`,
//!   `prodready_request_error_ratio{window}`, `prodready_request_latency_seconds{window,percentile}`
//!   (gauges: `quantile` is a label only summaries may carry)
//! - `prodready_log_events{level,window}`

use super::{LogMonitor, RequestMonitor};
use crate::probes::LatestReport;
use crate::report::Report;
use crate::{Context, Readiness, Status};
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

/// The `Content-Type` of the exposition.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

type Labels = Vec<(String, String)>;
type FloatFamily = Family<Labels, Gauge<f64, AtomicU64>>;

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn family(registry: &mut Registry, name: &str, help: &str) -> FloatFamily {
    let f = FloatFamily::default();
    registry.register(name, help, f.clone());
    f
}

fn set(f: &FloatFamily, pairs: &[(&str, &str)], value: f64) {
    f.get_or_create(&labels(pairs)).set(value);
}

const WINDOWS: [(&str, Option<Duration>); 3] = [
    ("1m", Some(Duration::from_secs(60))),
    ("5m", Some(Duration::from_secs(300))),
    ("deployment", None),
];

fn monitors(registry: &mut Registry, ctx: &Context) {
    if let Some(m) = ctx.resource::<RequestMonitor>() {
        let requests = family(
            registry,
            "prodready_requests",
            "Requests answered in the window",
        );
        let errors = family(
            registry,
            "prodready_request_errors",
            "5xx responses in the window",
        );
        let ratio = family(
            registry,
            "prodready_request_error_ratio",
            "Error ratio in the window",
        );
        let latency = family(
            registry,
            "prodready_request_latency_seconds",
            "Latency percentile (50, 90, 99) in the window",
        );
        for (name, w) in WINDOWS {
            let s = m.overall(w.map(|w| w.min(m.window_capacity())));
            set(&requests, &[("window", name)], s.requests as f64);
            set(&errors, &[("window", name)], s.server_errors as f64);
            set(&ratio, &[("window", name)], s.error_ratio);
            for (q, v) in [("50", s.p50_ms), ("90", s.p90_ms), ("99", s.p99_ms)] {
                if let Some(ms) = v {
                    set(
                        &latency,
                        &[("window", name), ("percentile", q)],
                        ms / 1000.0,
                    );
                }
            }
        }
    }
    if let Some(l) = ctx.resource::<LogMonitor>() {
        let events = family(
            registry,
            "prodready_log_events",
            "Error and warn log events in the window",
        );
        for (name, w) in WINDOWS {
            let s = l.stats(w);
            set(
                &events,
                &[("level", "error"), ("window", name)],
                s.errors as f64,
            );
            set(
                &events,
                &[("level", "warn"), ("window", name)],
                s.warnings as f64,
            );
        }
    }
}

fn finish(registry: &Registry) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail; an encoding error would be a bug in a metric name.
    if let Err(e) = encode(&mut out, registry) {
        out = format!("# encoding error: {e}\n# EOF\n");
    }
    out
}

/// The exposition `/metrics` serves, from the last report in the context (the monitors' figures
/// alone before the first evaluation has finished, then `false`): what "Verify metrics" judges.
/// Trigger ids are the standard ones (`rollback-plan.triggers.*`).
pub(crate) fn render_from_context(ctx: &Context) -> (String, bool) {
    match ctx.resource::<LatestReport>().and_then(LatestReport::get) {
        Some(report) => (
            render_with(&report, |id| id.starts_with(super::TRIGGER_PREFIX), ctx),
            true,
        ),
        None => {
            let mut registry = Registry::default();
            monitors(&mut registry, ctx);
            (finish(&registry), false)
        }
    }
}

/// The whole exposition for `report`.
pub fn render(readiness: &Readiness, report: &Report) -> String {
    render_with(
        report,
        |id| readiness.is_rollback_trigger(id),
        readiness.context(),
    )
}

fn render_with(report: &Report, is_trigger: impl Fn(&str) -> bool, ctx: &Context) -> String {
    let mut registry = Registry::default();
    let status = family(
        &mut registry,
        "prodready_item_status",
        "1 for the item's current status",
    );
    let duration = family(
        &mut registry,
        "prodready_item_duration_seconds",
        "How long the item's check ran",
    );
    let triggers = family(
        &mut registry,
        "prodready_trigger_fired",
        "1 when the rollback trigger fired",
    );
    for item in &report.items {
        for s in Status::ALL {
            let v = if item.status == *s { 1.0 } else { 0.0 };
            set(&status, &[("id", &item.id), ("status", s.as_str())], v);
        }
        set(&duration, &[("id", &item.id)], item.duration_ms / 1000.0);
        if is_trigger(&item.id) {
            let fired = if item.status == Status::Fail {
                1.0
            } else {
                0.0
            };
            set(&triggers, &[("id", &item.id)], fired);
        }
    }
    let single = |registry: &mut Registry, name: &str, help: &str, v: f64| {
        let g = Gauge::<f64, AtomicU64>::default();
        g.set(v);
        registry.register(name, help, g);
    };
    single(
        &mut registry,
        "prodready_ready",
        "1 when the service is ready",
        f64::from(u8::from(report.ready)),
    );
    single(
        &mut registry,
        "prodready_rollback_recommended",
        "1 when a rollback trigger fired",
        f64::from(u8::from(report.rollback.recommended)),
    );
    single(
        &mut registry,
        "prodready_evaluation_duration_seconds",
        "How long the last evaluation took",
        report.duration_ms / 1000.0,
    );
    monitors(&mut registry, ctx);
    finish(&registry)
}

/// One sample of a parsed exposition.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The metric name.
    pub name: String,
    /// Label pairs, in order.
    pub labels: Vec<(String, String)>,
    /// The value.
    pub value: f64,
}

/// Why an exposition does not parse.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("line {line}: {problem}")]
pub struct ParseError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub problem: String,
}

/// Parses Prometheus text exposition / OpenMetrics text into samples (comments checked for
/// shape, `# EOF` required last when present), for reading values back. Whether a consumer
/// would accept the text is judged by [`super::exposition::judge`].
pub fn parse_exposition(text: &str) -> Result<Vec<Sample>, ParseError> {
    let mut out = Vec::new();
    let mut eof = false;
    for (n, line) in text.lines().enumerate() {
        let err = |problem: &str| ParseError {
            line: n + 1,
            problem: problem.to_owned(),
        };
        if eof {
            return Err(err("content after `# EOF`"));
        }
        if line == "# EOF" {
            eof = true;
            continue;
        }
        if let Some(c) = line.strip_prefix("# ") {
            if !["HELP ", "TYPE ", "UNIT "].iter().any(|p| c.starts_with(p)) {
                return Err(err("a comment that is not HELP, TYPE, UNIT or EOF"));
            }
            continue;
        }
        if line.is_empty() {
            continue;
        }
        let name_end = line.find(['{', ' ']).ok_or_else(|| err("no value"))?;
        let name = &line[..name_end];
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
        {
            return Err(err("bad metric name"));
        }
        let mut rest = &line[name_end..];
        let mut labels = Vec::new();
        if let Some(r) = rest.strip_prefix('{') {
            let close = r.find('}').ok_or_else(|| err("unclosed `{`"))?;
            for pair in r[..close].split(',').filter(|p| !p.is_empty()) {
                let (k, v) = pair
                    .split_once('=')
                    .ok_or_else(|| err("label without `=`"))?;
                let v = v
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .ok_or_else(|| err("unquoted label value"))?;
                labels.push((k.to_owned(), v.to_owned()));
            }
            rest = &r[close + 1..];
        }
        let value = rest
            .split_whitespace()
            .next()
            .ok_or_else(|| err("no value"))?;
        let value = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v.parse::<f64>().map_err(|_| err("value is not a number"))?,
        };
        out.push(Sample {
            name: name.to_owned(),
            labels,
            value,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

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
