//! "No regressions": the current latency and error ratio against the previous version's
//! recorded baseline, with a margin.

use super::requests::RequestMonitor;
use crate::{Check, Context, Outcome, Status};
use std::path::PathBuf;
use std::time::Duration;

/// Figures of a good run, written by the service (or shipped as evidence) as JSON:
/// `{"version":"1.4.2","p99_ms":180.0,"error_ratio":0.002,"requests":12000}`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Baseline {
    /// The version the figures were recorded on.
    pub version: String,
    /// p99 latency, in milliseconds.
    pub p99_ms: f64,
    /// Error ratio (0..1).
    pub error_ratio: f64,
    /// How many requests the figures come from.
    pub requests: u64,
}

impl Baseline {
    /// The monitor's figures since it started, as a baseline for `version` (write it to the
    /// baseline file after a good run: `serde_json::to_string(&baseline)`).
    pub fn record(monitor: &RequestMonitor, version: impl Into<String>) -> Self {
        let s = monitor.overall(None);
        Self {
            version: version.into(),
            p99_ms: s.p99_ms.unwrap_or(0.0),
            error_ratio: s.error_ratio,
            requests: s.requests,
        }
    }
}

/// Where the previous version's baseline is, and how much worse is tolerated. Pass it with
/// `Readiness::builder().resource(BaselineSpec::new("/var/lib/app/baseline.json"))`.
#[derive(Debug, Clone)]
#[non_exhaustive]
#[must_use = "a spec does nothing until it is given to the readiness builder"]
pub struct BaselineSpec {
    path: PathBuf,
    latency_margin: f64,
    error_ratio_margin: f64,
}

impl BaselineSpec {
    /// The baseline at `path`; tolerates 20 % more p99 latency and 0.5 points more error ratio.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            latency_margin: 0.2,
            error_ratio_margin: 0.005,
        }
    }

    /// The tolerated relative p99 increase (0.2: 20 %) and absolute error ratio increase.
    pub fn margins(mut self, latency: f64, error_ratio: f64) -> Self {
        self.latency_margin = latency;
        self.error_ratio_margin = error_ratio;
        self
    }
}

/// The "No regressions" check.
#[derive(Debug, Clone)]
pub struct NoRegressions {
    spec: Option<BaselineSpec>,
    min_requests: u64,
}

/// "No regressions": since the deployment, p99 and error ratio not worse than the
/// [`BaselineSpec`]'s file by more than its margins; `pending` below 100 requests.
pub fn no_regressions() -> NoRegressions {
    NoRegressions {
        spec: None,
        min_requests: 100,
    }
}

impl NoRegressions {
    /// Uses `spec` instead of the one given to the builder.
    pub fn spec(mut self, spec: BaselineSpec) -> Self {
        self.spec = Some(spec);
        self
    }

    /// Fewer requests than this since the deployment: `pending`.
    pub fn min_requests(mut self, n: u64) -> Self {
        self.min_requests = n;
        self
    }
}

#[async_trait::async_trait]
impl Check for NoRegressions {
    async fn run(&self, ctx: &Context) -> Outcome {
        let Some(spec) = ctx.spec(&self.spec) else {
            return Outcome::warn("no baseline declared: nothing to compare with")
                .remediation("record `Baseline::record(&monitor, version)` after a good run and declare the file with `BaselineSpec::new(path)`");
        };
        let path = spec.path.display().to_string();
        let text = match ctx.host().read_to_string(&spec.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Outcome::warn(format!(
                "no baseline at `{path}`: the previous version recorded none"
            ))
            .detail("baseline_path", &path)
            .remediation(
                "write the baseline after a good run (Baseline::record) or ship it with the build",
            ),
            Err(e) => return Outcome::fail(format!("cannot read the baseline `{path}`: {e}")),
        };
        let base: Baseline = match serde_json::from_str(&text) {
            Ok(b) => b,
            Err(e) => {
                return Outcome::fail(format!(
                    "the baseline `{path}` is not valid JSON of a Baseline: {e}"
                ))
                .remediation("rewrite it with `serde_json::to_string(&Baseline::record(..))`")
            }
        };
        let Some(monitor) = ctx.resource::<RequestMonitor>() else {
            return Outcome::warn("no request monitor installed: nothing to compare with the baseline")
                .remediation("install `RequestMonitor::layer()` and pass the monitor with `.resource(monitor.clone())`");
        };
        let now = monitor.overall(None);
        let uptime = humantime::format_duration(Duration::from_secs(monitor.uptime().as_secs()));
        let details = |o: Outcome| {
            o.detail("baseline_version", &base.version)
                .detail("baseline_p99_ms", base.p99_ms)
                .detail("baseline_error_ratio", base.error_ratio)
                .detail("p99_ms", now.p99_ms)
                .detail("error_ratio", now.error_ratio)
                .detail("requests", now.requests)
                .detail("latency_margin", spec.latency_margin)
                .detail("error_ratio_margin", spec.error_ratio_margin)
        };
        if now.requests < self.min_requests {
            return details(Outcome::pending(format!(
                "{} requests in {uptime}: waiting for {} before comparing with {}",
                now.requests, self.min_requests, base.version
            )));
        }
        let p99 = now.p99_ms.unwrap_or(0.0);
        let mut worse = Vec::new();
        if p99 > base.p99_ms * (1.0 + spec.latency_margin) {
            worse.push(format!("p99 {p99:.1} ms vs {:.1} ms", base.p99_ms));
        }
        if now.error_ratio > base.error_ratio + spec.error_ratio_margin {
            worse.push(format!(
                "error ratio {:.2} % vs {:.2} %",
                now.error_ratio * 100.0,
                base.error_ratio * 100.0
            ));
        }
        let o = if worse.is_empty() {
            Outcome::pass(format!(
                "within the margins of {}: p99 {p99:.1} ms vs {:.1} ms, error ratio {:.2} % vs {:.2} %",
                base.version,
                base.p99_ms,
                now.error_ratio * 100.0,
                base.error_ratio * 100.0
            ))
        } else {
            Outcome::new(
                Status::Fail,
                format!("worse than {}: {}", base.version, worse.join(", ")),
            )
            .remediation("compare the two versions' changes; roll back if the regression is real")
        };
        details(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Resources;
    use crate::testing::FakeHost;
    use std::sync::Arc;

    const BASE: &str = r#"{"version":"1.4.2","p99_ms":100.0,"error_ratio":0.01,"requests":5000}"#;

    fn ctx(host: FakeHost, monitor: Option<RequestMonitor>) -> Context {
        let mut r = Resources::default();
        r.insert(BaselineSpec::new("/var/lib/app/baseline.json"));
        if let Some(m) = monitor {
            r.insert(m);
        }
        Context::new(Arc::new(host), r)
    }

    fn traffic(errors: u64, ms: u64) -> RequestMonitor {
        let m = RequestMonitor::new();
        for i in 0..100 {
            m.record(
                "/",
                if i < errors { 500 } else { 200 },
                Duration::from_millis(ms),
            );
        }
        m
    }

    #[tokio::test]
    async fn compares_with_the_baseline() {
        let host = || FakeHost::new().file("/var/lib/app/baseline.json", BASE);
        let o = no_regressions()
            .run(&ctx(host(), Some(traffic(1, 100))))
            .await;
        assert_eq!(o.status(), Status::Pass, "{}", o.message());
        assert_eq!(o.details()["baseline_version"], "1.4.2");
        let o = no_regressions()
            .run(&ctx(host(), Some(traffic(1, 200))))
            .await;
        assert_eq!(o.status(), Status::Fail);
        assert!(o.message().contains("p99"), "{}", o.message());
        let o = no_regressions()
            .run(&ctx(host(), Some(traffic(5, 100))))
            .await;
        assert_eq!(o.status(), Status::Fail);
        assert!(
            o.message().contains("error ratio 5.00 %"),
            "{}",
            o.message()
        );
        let o = no_regressions()
            .run(&ctx(host(), Some(RequestMonitor::new())))
            .await;
        assert_eq!(o.status(), Status::Pending);
        let round = Baseline::record(&traffic(0, 10), "2.0.0");
        assert_eq!(round.requests, 100);
    }

    #[tokio::test]
    async fn missing_undeclared_or_malformed_baselines() {
        let o = no_regressions()
            .run(&ctx(FakeHost::new(), Some(traffic(0, 1))))
            .await;
        assert_eq!(o.status(), Status::Warn);
        assert!(o.message().contains("/var/lib/app/baseline.json"));
        let bad = FakeHost::new().file("/var/lib/app/baseline.json", "{\"p99_ms\": \"fast\"}");
        let o = no_regressions().run(&ctx(bad, Some(traffic(0, 1)))).await;
        assert_eq!(o.status(), Status::Fail);
        assert!(o.message().contains("not valid JSON"), "{}", o.message());
        let o = no_regressions()
            .run(&Context::with_host(FakeHost::new()))
            .await;
        assert_eq!(o.status(), Status::Warn);
        assert!(o.message().contains("no baseline declared"));
    }
}
