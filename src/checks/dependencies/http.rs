//! The service seen from outside, over HTTP (feature `http-client`): its own address answering
//! with the expected status, and the smoke and critical-path requests it registers, each with its
//! expected status. These requests are marked as the library's own, so the request monitor does
//! not count them as the service's traffic.

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
#[non_exhaustive]
#[must_use = "a spec does nothing until it is given to the readiness builder"]
pub struct ServiceSpec {
    base: String,
    probe_path: String,
    probe_statuses: Option<Vec<u16>>,
    pub(super) metrics_path: String,
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
            probe_statuses: None,
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

    /// The statuses "Service accessible" accepts from the probe path (default: any 2xx). A
    /// path that must answer something else (a 401 behind auth, a 307) is declared here.
    pub fn probe_expected(mut self, statuses: impl IntoIterator<Item = u16>) -> Self {
        self.probe_statuses = Some(statuses.into_iter().collect());
        self
    }

    fn probe_accepts(&self, status: u16) -> bool {
        match &self.probe_statuses {
            Some(s) => s.contains(&status),
            None => (200..300).contains(&status),
        }
    }

    fn probe_expectation(&self) -> String {
        match &self.probe_statuses {
            Some(s) => s
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(" or "),
            None => "2xx".to_owned(),
        }
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

    pub(super) fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
}

pub(super) fn spec(ctx: &Context) -> Result<&ServiceSpec, Outcome> {
    ctx.resource::<ServiceSpec>().ok_or_else(|| {
        Outcome::warn("the service's address is not declared: declare it with ServiceSpec")
            .remediation(
                "pass `ServiceSpec::new(\"http://127.0.0.1:<port>\")` with `.resource(spec)`",
            )
    })
}

/// What the service answered one of the library's own requests.
pub(super) struct Reply {
    pub(super) status: u16,
    pub(super) content_type: Option<String>,
    pub(super) body: String,
    pub(super) ms: f64,
}

/// One request of the library's own, marked as such (`User-Agent` and
/// [`SELF_CHECK_HEADER`](crate::monitor::SELF_CHECK_HEADER)) so the request monitor leaves it out
/// of the service's traffic.
pub(super) async fn get(spec: &ServiceSpec, method: &str, path: &str) -> Result<Reply, String> {
    let client = reqwest::Client::builder()
        .timeout(spec.timeout)
        .user_agent(crate::monitor::SELF_CHECK_USER_AGENT)
        .build()
        .map_err(|e| e.to_string())?;
    let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let response = client
        .request(method, spec.url(path))
        .header(crate::monitor::SELF_CHECK_HEADER, "1")
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response.text().await.map_err(|e| e.to_string())?;
    Ok(Reply {
        status,
        content_type,
        body,
        ms: started.elapsed().as_secs_f64() * 1000.0,
    })
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
        let url = spec.url(&spec.probe_path);
        let expected = spec.probe_expectation();
        match get(spec, "GET", &spec.probe_path).await {
            Ok(r) if spec.probe_accepts(r.status) => {
                Outcome::pass(format!("{url} answered {} in {:.1} ms", r.status, r.ms))
                    .detail("status", r.status)
                    .detail("expected_status", &expected)
                    .detail("round_trip_ms", r.ms)
            }
            Ok(r) => Outcome::fail(format!("{url} answered {}, expected {expected}", r.status))
                .detail("status", r.status)
                .detail("expected_status", &expected)
                .remediation("check the probe path and the route behind it; if another status is right there (a 401 behind auth), declare it with `ServiceSpec::probe_expected([..])`"),
            Err(e) => Outcome::fail(format!("{url} did not answer: {e}"))
                .remediation("check that the service listens on the declared address (`containerPort`, Service `targetPort`)"),
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
                Ok(reply) => {
                    if reply.status != r.expected_status {
                        failed.push(format!(
                            "{} ({} {}): {}, expected {}",
                            r.name, r.method, r.path, reply.status, r.expected_status
                        ));
                    }
                    serde_json::json!({"status": reply.status, "expected_status": r.expected_status, "round_trip_ms": reply.ms})
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
