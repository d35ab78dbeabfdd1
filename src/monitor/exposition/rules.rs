//! The rules per sample and per family: what the parsers reject (errors) and what
//! `promtool check metrics` reports (lints).

use super::parse::{number, Sample};
use super::{Family, Problems, Syntax, Type};
use std::collections::BTreeMap;

/// Rules one sample must meet in its family.
pub(super) fn sample(f: &Family, line: usize, s: &Sample, syntax: Syntax, p: &mut Problems) {
    let at = Some(line);
    for (name, _) in &s.labels {
        if name.starts_with("__") {
            p.error(
                at,
                &f.name,
                format!("label `{name}`: names starting with `__` are reserved"),
            );
        }
    }
    let label = |name: &str| {
        s.labels
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let suffix = s.name.strip_prefix(f.name.as_str()).unwrap_or("");
    match f.typ {
        Type::Counter => {
            if s.value < 0.0 || s.value.is_nan() {
                p.error(
                    at,
                    &f.name,
                    format!("a counter is {}: counters are never negative", s.value),
                );
            }
            if syntax == Syntax::OpenMetrics && suffix.is_empty() {
                p.error(
                    at,
                    &f.name,
                    format!(
                        "counter sample `{}` must be named `{}_total` in OpenMetrics",
                        s.name, f.name
                    ),
                );
            }
        }
        Type::Histogram | Type::GaugeHistogram if suffix == "_bucket" => match label("le") {
            None => p.error(at, &f.name, "a `_bucket` sample without an `le` label"),
            Some(le) if number(le).is_none() => {
                p.error(at, &f.name, format!("`le=\"{le}\"` is not a number"))
            }
            Some(_) => {}
        },
        Type::Summary if suffix.is_empty() => match label("quantile").map(number) {
            None => p.error(at, &f.name, "a summary sample without a `quantile` label"),
            Some(Some(q)) if (0.0..=1.0).contains(&q) => {}
            Some(_) => p.error(
                at,
                &f.name,
                "the `quantile` label is not a number between 0 and 1",
            ),
        },
        _ => {}
    }
}

/// Rules a whole family must meet, then the lints.
pub(super) fn family(f: &Family, syntax: Syntax, p: &mut Problems) {
    if matches!(f.typ, Type::Histogram | Type::GaugeHistogram) {
        histogram(f, p);
    }
    lints(f, syntax, p);
}

/// The label set of a sample without `le`, sorted: one histogram series.
fn series_key(s: &Sample) -> Vec<(String, String)> {
    let mut key: Vec<(String, String)> = s
        .labels
        .iter()
        .filter(|(k, _)| k != "le")
        .cloned()
        .collect();
    key.sort();
    key
}

#[derive(Default)]
struct Series {
    buckets: Vec<(f64, f64)>,
    sum: bool,
    count: Option<f64>,
}

fn histogram(f: &Family, p: &mut Problems) {
    let (sum, count) = match f.typ {
        Type::GaugeHistogram => ("_gsum", "_gcount"),
        _ => ("_sum", "_count"),
    };
    let mut all: BTreeMap<Vec<(String, String)>, Series> = BTreeMap::new();
    for (_, s) in &f.samples {
        let entry = all.entry(series_key(s)).or_default();
        let suffix = s.name.strip_prefix(f.name.as_str()).unwrap_or("");
        if suffix == "_bucket" {
            let le = s
                .labels
                .iter()
                .find(|(k, _)| k == "le")
                .and_then(|(_, v)| number(v));
            if let Some(le) = le {
                entry.buckets.push((le, s.value));
            }
        } else if suffix == sum {
            entry.sum = true;
        } else if suffix == count {
            entry.count = Some(s.value);
        }
    }
    for (key, mut s) in all {
        let which = if key.is_empty() {
            String::new()
        } else {
            let labels: Vec<String> = key.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
            format!(" {{{}}}", labels.join(","))
        };
        if s.buckets.is_empty() {
            p.error(
                None,
                &f.name,
                format!("histogram series{which} has no `_bucket` samples"),
            );
            continue;
        }
        s.buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
        let inf = s
            .buckets
            .iter()
            .find(|(le, _)| *le == f64::INFINITY)
            .map(|b| b.1);
        if inf.is_none() {
            p.error(
                None,
                &f.name,
                format!("histogram series{which} has no `le=\"+Inf\"` bucket"),
            );
        }
        if let Some(w) = s.buckets.windows(2).find(|w| w[1].1 < w[0].1) {
            p.error(
                None,
                &f.name,
                format!(
                    "histogram series{which} is not cumulative: bucket le={} counts {} after le={} counted {}",
                    w[1].0, w[1].1, w[0].0, w[0].1
                ),
            );
        }
        if !s.sum {
            p.error(
                None,
                &f.name,
                format!("histogram series{which} has no `{}{sum}`", f.name),
            );
        }
        match (s.count, inf) {
            (None, _) => p.error(
                None,
                &f.name,
                format!("histogram series{which} has no `{}{count}`", f.name),
            ),
            (Some(c), Some(i)) if c != i => p.error(
                None,
                &f.name,
                format!(
                    "histogram series{which}: `{}{count}` is {c}, the `+Inf` bucket {i}",
                    f.name
                ),
            ),
            _ => {}
        }
    }
}

/// The metric types `promtool` looks for in names.
const TYPE_WORDS: [&str; 5] = [
    "counter",
    "gauge",
    "histogram",
    "summary",
    "gauge_histogram",
];

/// Units in names and the base unit each should be.
const UNITS: [(&str, &str); 24] = [
    ("amperes", "amperes"),
    ("bytes", "bytes"),
    ("celsius", "celsius"),
    ("grams", "grams"),
    ("joules", "joules"),
    ("kelvin", "kelvin"),
    ("meters", "meters"),
    ("metres", "metres"),
    ("seconds", "seconds"),
    ("volts", "volts"),
    ("minutes", "seconds"),
    ("hours", "seconds"),
    ("days", "seconds"),
    ("weeks", "seconds"),
    ("kelvins", "kelvin"),
    ("fahrenheit", "celsius"),
    ("rankine", "celsius"),
    ("inches", "meters"),
    ("yards", "meters"),
    ("miles", "meters"),
    ("bits", "bytes"),
    ("calories", "joules"),
    ("pounds", "grams"),
    ("ounces", "grams"),
];

const UNIT_PREFIXES: [&str; 18] = [
    "pico", "nano", "micro", "milli", "centi", "deci", "deca", "hecto", "kilo", "kibi", "mega",
    "mibi", "giga", "gibi", "tera", "tebi", "peta", "pebi",
];

const UNIT_ABBREVIATIONS: [&str; 14] = [
    "s", "ms", "us", "ns", "sec", "b", "kb", "mb", "gb", "tb", "pb", "m", "h", "d",
];

fn camel_case(name: &str) -> bool {
    name.as_bytes()
        .windows(2)
        .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
}

fn contains_token(name: &str, token: &str) -> bool {
    name.contains(&format!("_{token}_")) || name.ends_with(&format!("_{token}"))
}

/// The unit a name uses and its base unit, if the name uses a known one.
fn unit_of(name: &str) -> Option<(String, &'static str)> {
    let tokens: Vec<&str> = name.split('_').collect();
    for (unit, base) in UNITS {
        for prefix in UNIT_PREFIXES.iter().copied().chain([""]) {
            let candidate = format!("{prefix}{unit}");
            if tokens.contains(&candidate.as_str()) {
                return Some((candidate, base));
            }
        }
    }
    None
}

/// What `promtool check metrics` reports for a family (its linter's rules).
fn lints(f: &Family, syntax: Syntax, p: &mut Problems) {
    let name = f.name.as_str();
    let lower = name.to_ascii_lowercase();
    if !f.help {
        p.lint(name, "no help text");
    }
    if let Some((unit, base)) = unit_of(name) {
        if unit != base {
            p.lint(
                name,
                format!("use base unit \"{base}\" instead of \"{unit}\""),
            );
        }
    }
    let counter = f.typ == Type::Counter;
    let untyped = f.typ == Type::Untyped;
    let total = name.ends_with("_total");
    match syntax {
        Syntax::Prometheus if counter && !total => {
            p.lint(name, "counter metrics should have \"_total\" suffix");
        }
        _ if !untyped && !counter && total => {
            p.lint(
                name,
                "non-counter metrics should not have \"_total\" suffix",
            );
        }
        _ => {}
    }
    if !untyped {
        let histogram = f.typ == Type::Histogram;
        let summary = f.typ == Type::Summary;
        if !histogram && name.ends_with("_bucket") {
            p.lint(
                name,
                "non-histogram metrics should not have \"_bucket\" suffix",
            );
        }
        for suffix in ["_count", "_sum"] {
            if !histogram && !summary && name.ends_with(suffix) {
                p.lint(
                    name,
                    format!(
                        "non-histogram and non-summary metrics should not have \"{suffix}\" suffix"
                    ),
                );
            }
        }
        for (_, s) in &f.samples {
            for (label, _) in &s.labels {
                if !histogram && label == "le" {
                    p.lint(name, "non-histogram metrics should not have \"le\" label");
                }
                if !summary && label == "quantile" {
                    p.lint(
                        name,
                        "non-summary metrics should not have \"quantile\" label",
                    );
                }
            }
        }
    }
    for word in TYPE_WORDS {
        if contains_token(&lower, word) {
            p.lint(
                name,
                format!("metric name should not include type '{word}'"),
            );
        }
    }
    if name.contains(':') {
        p.lint(name, "metric names should not contain ':'");
    }
    if camel_case(name) {
        p.lint(
            name,
            "metric names should be written in 'snake_case' not 'camelCase'",
        );
    }
    if f.samples
        .iter()
        .any(|(_, s)| s.labels.iter().any(|(k, _)| camel_case(k)))
    {
        p.lint(
            name,
            "label names should be written in 'snake_case' not 'camelCase'",
        );
    }
    if UNIT_ABBREVIATIONS.iter().any(|a| contains_token(&lower, a)) {
        p.lint(name, "metric names should not contain abbreviated units");
    }
    if syntax == Syntax::Prometheus && counter && f.samples.iter().any(|(_, s)| s.name != f.name) {
        // The text format names a counter's samples after its TYPE line; `promtool` reads
        // `foo_total` under `# TYPE foo counter` as another, untyped metric.
        p.lint(
            name,
            format!("the samples of counter `{name}` must carry its name exactly in the Prometheus text format (`# TYPE {name}_total counter`)"),
        );
    }
}
