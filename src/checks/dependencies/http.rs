//! The service seen from outside, over HTTP (feature `http-client`): its own address answering,
//! its metrics endpoint parsing as Prometheus text exposition, and the smoke and critical-path
//! requests it registers, each with its expected status.

use crate::{Check, Context, Outcome};
use std::time::{Duration, Instant};

/// Where the service answers and what to ask it, given with `.resource(spec)`.
///
/// ```
/// use prodready::checks::dependencies::ServiceSpec;
/// let spec = ServiceSpec::new("http://127.0.0.1:8080")
///     .metrics_path("/metrics")
///     .smoke("list orders", "GET", "/orders", 200)
///     .critical("health of checkout", "GET", "/checkout/health", 200);
/// # let _ = spec;
/// ```
#[derive(Debug, Clone)]
pub struct ServiceSpec {
    base: String,
    probe_path: String,
    metrics_path: String,
    requests: Vec<SmokeRequest>,
    timeout: Duration,
}

/// One registered request and the status it must answer.
#[derive(Debug, Clone)]
pub struct SmokeRequest {
    /// What it exercises.
    pub name: String,
    /// `GET`, `POST`, …
    pub method: String,
    /// The path (and query) under the service's base URL.
    pub path: String,
    /// The expected status code.
    pub expected_status: u16,
    /// Part of a critical path (item "Critical paths tested").
    pub critical: bool,
}

impl ServiceSpec {
    /// The service's own base URL (`http://127.0.0.1:8080`); probe path `/livez`, metrics path
    /// `/metrics`, 3 s per request.
    pub fn new(base: impl Into<String>) -> Self {
        Self {
            base: base.into().trim_end_matches('/').to_string(),
            probe_path: "/livez".into(),
            metrics_path: "/metrics".into(),
            requests: Vec::new(),
            timeout: Duration::from_secs(3),
        }
    }

    /// The path "Service accessible" requests (default `/livez`).
    pub fn probe_path(mut self, path: impl Into<String>) -> Self {
        self.probe_path = path.into();
        self
    }

    /// The Prometheus metrics path (default `/metrics`).
    pub fn metrics_path(mut self, path: impl Into<String>) -> Self {
        self.metrics_path = path.into();
        self
    }

    /// Registers a smoke request.
    pub fn smoke(self, name: &str, method: &str, path: &str, expected_status: u16) -> Self {
        self.request(name, method, path, expected_status, false)
    }

    /// Registers a critical-path request (also run as a smoke request).
    pub fn critical(self, name: &str, method: &str, path: &str, expected_status: u16) -> Self {
        self.request(name, method, path, expected_status, true)
    }

    fn request(
        mut self,
        name: &str,
        method: &str,
        path: &str,
        status: u16,
        critical: bool,
    ) -> Self {
        self.requests.push(SmokeRequest {
            name: name.into(),
            method: method.to_ascii_uppercase(),
            path: path.into(),
            expected_status: status,
            critical,
        });
        self
    }

    /// How long each request may take (default 3 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
}

fn spec(ctx: &Context) -> Result<&ServiceSpec, Outcome> {
    ctx.resource::<ServiceSpec>().ok_or_else(|| {
        Outcome::warn("the service's address is not declared: declare it with ServiceSpec")
            .remediation(
                "pass `ServiceSpec::new(\"http://127.0.0.1:<port>\")` with `.resource(spec)`",
            )
    })
}

async fn get(spec: &ServiceSpec, method: &str, path: &str) -> Result<(u16, String, f64), String> {
    let client = reqwest::Client::builder()
        .timeout(spec.timeout)
        .build()
        .map_err(|e| e.to_string())?;
    let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let response = client
        .request(method, spec.url(path))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let body = response.text().await.map_err(|e| e.to_string())?;
    Ok((status, body, started.elapsed().as_secs_f64() * 1000.0))
}

/// Verifies that the service's own address answers its probe path (item "Service accessible").
pub fn service_accessible() -> ServiceAccessible {
    ServiceAccessible
}

/// The check built by [`service_accessible`].
#[derive(Debug, Clone)]
pub struct ServiceAccessible;

#[async_trait::async_trait]
impl Check for ServiceAccessible {
    async fn run(&self, ctx: &Context) -> Outcome {
        let spec = match spec(ctx) {
            Ok(s) => s,
            Err(o) => return o,
        };
        match get(spec, "GET", &spec.probe_path).await {
            Ok((status, _, ms)) if status < 500 => {
                Outcome::pass(format!("{} answered {status} in {ms:.1} ms", spec.url(&spec.probe_path)))
                    .detail("status", status)
                    .detail("round_trip_ms", ms)
            }
            Ok((status, _, _)) => Outcome::fail(format!("{} answered {status}", spec.url(&spec.probe_path)))
                .detail("status", status),
            Err(e) => Outcome::fail(format!("{} did not answer: {e}", spec.url(&spec.probe_path)))
                .remediation("check that the service listens on the declared address (`containerPort`, Service `targetPort`)"),
        }
    }
}

/// Verifies that the metrics endpoint answers and parses as Prometheus text exposition with at
/// least one sample.
pub fn metrics_exposed() -> MetricsExposed {
    MetricsExposed
}

/// The check built by [`metrics_exposed`].
#[derive(Debug, Clone)]
pub struct MetricsExposed;

/// Counts the samples of a text exposition, or names the first malformed line.
pub(crate) fn parse_exposition(text: &str) -> Result<usize, String> {
    let mut samples = 0;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, rest) = match line.find(['{', ' ']) {
            Some(i) => line.split_at(i),
            None => return Err(format!("line {}: a sample without a value", n + 1)),
        };
        let valid_name = !name.is_empty()
            && name.chars().enumerate().all(|(i, c)| {
                c.is_ascii_alphabetic() || c == '_' || c == ':' || (i > 0 && c.is_ascii_digit())
            });
        if !valid_name {
            return Err(format!("line {}: `{name}` is not a metric name", n + 1));
        }
        let rest = if rest.starts_with('{') {
            match rest.rfind('}') {
                Some(i) => &rest[i + 1..],
                None => return Err(format!("line {}: unclosed label set", n + 1)),
            }
        } else {
            rest
        };
        let mut fields = rest.split_whitespace();
        let value = fields.next().unwrap_or("");
        let ok = matches!(value, "+Inf" | "-Inf" | "NaN") || value.parse::<f64>().is_ok();
        if !ok {
            return Err(format!("line {}: `{value}` is not a sample value", n + 1));
        }
        if let Some(ts) = fields.next() {
            if ts.parse::<i64>().is_err() {
                return Err(format!("line {}: `{ts}` is not a timestamp", n + 1));
            }
        }
        samples += 1;
    }
    Ok(samples)
}

#[async_trait::async_trait]
impl Check for MetricsExposed {
    async fn run(&self, ctx: &Context) -> Outcome {
        let spec = match spec(ctx) {
            Ok(s) => s,
            Err(o) => return o,
        };
        let url = spec.url(&spec.metrics_path);
        let body = match get(spec, "GET", &spec.metrics_path).await {
            Ok((200, body, _)) => body,
            Ok((status, _, _)) => {
                return Outcome::fail(format!("{url} answered {status}"))
                    .remediation("serve Prometheus metrics on the declared path (prometheus-client, or the `prometheus` feature)")
            }
            Err(e) => return Outcome::fail(format!("{url} did not answer: {e}")),
        };
        match parse_exposition(&body) {
            Ok(0) => Outcome::fail(format!("{url} answered, but with no sample"))
                .remediation("register at least one metric"),
            Ok(n) => Outcome::pass(format!("{url} exposes {n} samples")).detail("samples", n),
            Err(e) => Outcome::fail(format!("{url} is not Prometheus text exposition: {e}")),
        }
    }
}

/// Verifies the registered smoke requests (all of them), item "API endpoints working" and
/// "Smoke tests passing".
pub fn smoke_tests_passing() -> SmokeTests {
    SmokeTests {
        critical_only: false,
    }
}

/// Verifies the registered critical-path requests, item "Critical paths tested".
pub fn critical_paths_passing() -> SmokeTests {
    SmokeTests {
        critical_only: true,
    }
}

/// The check built by [`smoke_tests_passing`] and [`critical_paths_passing`].
#[derive(Debug, Clone)]
pub struct SmokeTests {
    critical_only: bool,
}

#[async_trait::async_trait]
impl Check for SmokeTests {
    async fn run(&self, ctx: &Context) -> Outcome {
        let spec = match spec(ctx) {
            Ok(s) => s,
            Err(o) => return o,
        };
        let what = if self.critical_only {
            "critical-path"
        } else {
            "smoke"
        };
        let requests: Vec<&SmokeRequest> = spec
            .requests
            .iter()
            .filter(|r| r.critical || !self.critical_only)
            .collect();
        if requests.is_empty() {
            return Outcome::warn(format!("no {what} request registered")).remediation(
                "register them with `ServiceSpec::smoke(..)` / `ServiceSpec::critical(..)`",
            );
        }
        let results = futures::future::join_all(
            requests
                .iter()
                .map(|r| async move { (r, get(spec, &r.method, &r.path).await) }),
        )
        .await;
        let mut failed = Vec::new();
        let mut details = serde_json::Map::new();
        for (r, result) in &results {
            let seen = match result {
                Ok((status, _, ms)) => {
                    if *status != r.expected_status {
                        failed.push(format!(
                            "{} ({} {}): {status}, expected {}",
                            r.name, r.method, r.path, r.expected_status
                        ));
                    }
                    serde_json::json!({"status": status, "expected_status": r.expected_status, "round_trip_ms": ms})
                }
                Err(e) => {
                    failed.push(format!("{} ({} {}): {e}", r.name, r.method, r.path));
                    serde_json::json!({"error": e, "expected_status": r.expected_status})
                }
            };
            details.insert(r.name.clone(), seen);
        }
        let o = if failed.is_empty() {
            Outcome::pass(format!(
                "all {} {what} requests answered their expected status",
                results.len()
            ))
        } else {
            Outcome::fail(format!(
                "{} of {} {what} requests failed: {}",
                failed.len(),
                results.len(),
                failed.join("; ")
            ))
            .remediation("fix the failing endpoints before routing traffic to this version")
        };
        o.detail("requests", details)
    }
}

#[cfg(test)]
mod tests {
    use super::parse_exposition;

    #[test]
    fn real_exposition_parses_and_malformed_lines_are_named() {
        let text = "# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\nhttp_requests_total{method=\"GET\",code=\"200\"} 1027 1395066363000\nprocess_start_time_seconds 1.7e9\nlatency_bucket{le=\"+Inf\"} +Inf\n";
        assert_eq!(parse_exposition(text), Ok(3));
        assert_eq!(parse_exposition("# only comments\n"), Ok(0));
        let bad = parse_exposition("ok 1\n9lives 2\n").unwrap_err();
        assert!(bad.contains("line 2"), "{bad}");
        let bad = parse_exposition("up{job=\"x\" 1\n").unwrap_err();
        assert!(bad.contains("unclosed"), "{bad}");
        let bad = parse_exposition("up one\n").unwrap_err();
        assert!(bad.contains("`one` is not a sample value"), "{bad}");
        let bad = parse_exposition("<html>\n").unwrap_err();
        assert!(bad.contains("line 1"), "{bad}");
    }
}
