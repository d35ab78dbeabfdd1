//! Operations artifacts: Prometheus rule files and k6 load-test summaries.

#[cfg(feature = "digest")]
use super::ParseError;
#[cfg(feature = "digest")]
use serde_json::Value;

/// A Prometheus alerting rule.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AlertRule {
    /// `alert`.
    pub name: String,
    /// `expr`.
    pub expr: String,
    /// `labels` as `k=v` strings.
    pub labels: Vec<String>,
}

/// Parses a Prometheus rules file (`groups[].rules[]`), returning its alerting rules;
/// recording rules are counted in the second value.
#[cfg(feature = "digest")]
pub fn prometheus_rules(file: &str, text: &str) -> Result<(Vec<AlertRule>, usize), ParseError> {
    let v: Value = serde_saphyr::from_str(text).map_err(|e| ParseError::yaml(file, &e))?;
    let groups = v.get("groups").and_then(|g| g.as_array()).ok_or_else(|| {
        ParseError::new(file, 1, 1, "no `groups` list: not a Prometheus rules file")
    })?;
    let (mut alerts, mut records) = (Vec::new(), 0);
    for (gi, g) in groups.iter().enumerate() {
        let rules = g.get("rules").and_then(|r| r.as_array()).ok_or_else(|| {
            ParseError::new(file, 0, 0, format!("groups[{gi}] has no `rules` list"))
        })?;
        for (ri, r) in rules.iter().enumerate() {
            let get = |k: &str| r.get(k).and_then(|x| x.as_str()).map(str::to_owned);
            let expr = get("expr").or_else(|| r.get("expr").map(|e| format!("{e:?}")));
            let Some(expr) = expr else {
                return Err(ParseError::new(
                    file,
                    0,
                    0,
                    format!("groups[{gi}].rules[{ri}] has no `expr`"),
                ));
            };
            match (get("alert"), get("record")) {
                (Some(name), None) => alerts.push(AlertRule {
                    name,
                    expr,
                    labels: r
                        .get("labels")
                        .and_then(|l| l.as_object())
                        .into_iter()
                        .flatten()
                        .map(|(k, v)| format!("{}={}", k, v.as_str().unwrap_or_default()))
                        .collect(),
                }),
                (None, Some(_)) => records += 1,
                _ => {
                    return Err(ParseError::new(
                        file,
                        0,
                        0,
                        format!(
                            "groups[{gi}].rules[{ri}] needs exactly one of `alert` or `record`"
                        ),
                    ))
                }
            }
        }
    }
    Ok((alerts, records))
}

/// What a load test measured.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LoadSummary {
    /// 95th percentile of `http_req_duration`, milliseconds.
    pub p95_ms: f64,
    /// Share of failed requests, 0..1.
    pub error_rate: f64,
    /// Requests made.
    pub requests: f64,
}

/// Parses a k6 summary: `handleSummary` JSON (`metrics.X.values`) or `--summary-export`
/// (`metrics.X` flat).
#[cfg(feature = "digest")]
pub fn k6_summary(file: &str, text: &str) -> Result<LoadSummary, ParseError> {
    let v: Value = super::json(file, text)?;
    let metrics = v
        .get("metrics")
        .ok_or_else(|| ParseError::new(file, 1, 1, "no `metrics`: not a k6 summary"))?;
    let metric = |name: &str, key: &str| {
        let m = &metrics[name];
        m["values"][key].as_f64().or_else(|| m[key].as_f64())
    };
    let p95 = metric("http_req_duration", "p(95)")
        .ok_or_else(|| ParseError::new(file, 1, 1, "no `http_req_duration` p(95)"))?;
    // `http_req_failed` is a rate: `rate` in handleSummary, `value` in --summary-export.
    let error_rate = metric("http_req_failed", "rate")
        .or_else(|| metric("http_req_failed", "value"))
        .unwrap_or(0.0);
    Ok(LoadSummary {
        p95_ms: p95,
        error_rate,
        requests: metric("http_reqs", "count").unwrap_or(0.0),
    })
}
