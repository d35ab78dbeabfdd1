//! Monitor items: thresholds over the request and log monitors' windows, `pending` until the
//! window holds enough data, then `pass`/`warn`/`fail` with measured values and thresholds.

use super::logs::LogMonitor;
use super::requests::{RequestMonitor, RequestStats};
use crate::{Check, Context, Outcome, Status};
use std::time::Duration;

const NO_MONITOR: &str = "install `RequestMonitor::layer()` on the router and pass the monitor with `Readiness::builder().resource(monitor.clone())`";

/// What a [`RequestThreshold`] judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Measure {
    P99,
    ErrorRatio,
    Both,
}

/// Latency and/or error-ratio thresholds over a window of the [`RequestMonitor`].
#[derive(Debug, Clone)]
pub struct RequestThreshold {
    measure: Measure,
    window: Option<Duration>,
    min_requests: u64,
    warn_p99: Option<Duration>,
    fail_p99: Duration,
    warn_ratio: Option<f64>,
    fail_ratio: f64,
    route: Option<String>,
}

fn threshold(measure: Measure, window: Option<Duration>) -> RequestThreshold {
    RequestThreshold {
        measure,
        window,
        min_requests: 20,
        warn_p99: Some(Duration::from_millis(300)),
        fail_p99: Duration::from_millis(500),
        warn_ratio: Some(0.01),
        fail_ratio: 0.05,
        route: None,
    }
}

/// "Response times acceptable": p99 latency over 5 minutes; warn above 300 ms, fail above 500 ms.
pub fn response_times_acceptable() -> RequestThreshold {
    threshold(Measure::P99, Some(Duration::from_secs(300)))
}

/// "Monitor response times": p50/p90/p99 over the last minute, judged on p99 (300/500 ms).
pub fn response_times_monitored() -> RequestThreshold {
    threshold(Measure::P99, Some(Duration::from_secs(60)))
}

/// "Monitor error rates": error ratio over 5 minutes; warn above 1 %, fail above 5 %.
pub fn error_rate_acceptable() -> RequestThreshold {
    threshold(Measure::ErrorRatio, Some(Duration::from_secs(300)))
}

/// "Performance acceptable": latency and error thresholds since the deployment (monitor start).
pub fn performance_acceptable() -> RequestThreshold {
    threshold(Measure::Both, None)
}

/// "Error rate > threshold" rollback trigger: fails when the error ratio over the last minute
/// exceeds 5 % (no warn level: a trigger fires or not).
pub fn error_rate_trigger() -> RequestThreshold {
    let mut t = threshold(Measure::ErrorRatio, Some(Duration::from_secs(60)));
    t.warn_ratio = None;
    t
}

/// "Response time > threshold" rollback trigger: fails when p99 over the last minute exceeds 1 s.
pub fn response_time_trigger() -> RequestThreshold {
    let mut t = threshold(Measure::P99, Some(Duration::from_secs(60)));
    t.warn_p99 = None;
    t.fail_p99 = Duration::from_secs(1);
    t
}

impl RequestThreshold {
    /// The sliding window (at most the monitor's capacity); `None`: since the monitor started.
    pub fn window(mut self, window: Option<Duration>) -> Self {
        self.window = window;
        self
    }

    /// Fewer requests than this in the window: `pending` (default 20).
    pub fn min_requests(mut self, n: u64) -> Self {
        self.min_requests = n;
        self
    }

    /// p99 above `warn` warns (`None`: never), above `fail` fails.
    pub fn p99(mut self, warn: Option<Duration>, fail: Duration) -> Self {
        self.warn_p99 = warn;
        self.fail_p99 = fail;
        self
    }

    /// Error ratio (0..1) above `warn` warns (`None`: never), above `fail` fails.
    pub fn error_ratio(mut self, warn: Option<f64>, fail: f64) -> Self {
        self.warn_ratio = warn;
        self.fail_ratio = fail;
        self
    }

    /// Judges one route (the request path, as [`RequestMonitor::routes`] lists it).
    pub fn route(mut self, route: impl Into<String>) -> Self {
        self.route = Some(route.into());
        self
    }

    fn judge(&self, s: &RequestStats) -> (Status, Vec<String>) {
        let mut status = Status::Pass;
        let mut seen = Vec::new();
        let mut raise = |to: Status| {
            if to == Status::Fail || status == Status::Pass {
                status = to;
            }
        };
        if self.measure != Measure::ErrorRatio {
            let p99 = s.p99_ms.unwrap_or(0.0);
            seen.push(format!("p99 {p99:.1} ms"));
            if p99 > self.fail_p99.as_secs_f64() * 1000.0 {
                raise(Status::Fail);
            } else if self
                .warn_p99
                .is_some_and(|w| p99 > w.as_secs_f64() * 1000.0)
            {
                raise(Status::Warn);
            }
        }
        if self.measure != Measure::P99 {
            seen.push(format!("error ratio {:.2} %", s.error_ratio * 100.0));
            if s.error_ratio > self.fail_ratio {
                raise(Status::Fail);
            } else if self.warn_ratio.is_some_and(|w| s.error_ratio > w) {
                raise(Status::Warn);
            }
        }
        (status, seen)
    }
}

fn window_text(window: Option<Duration>) -> String {
    match window {
        Some(w) => format!("over the last {}", humantime::format_duration(w)),
        None => "since the deployment".to_owned(),
    }
}

#[async_trait::async_trait]
impl Check for RequestThreshold {
    async fn run(&self, ctx: &Context) -> Outcome {
        let Some(monitor) = ctx.resource::<RequestMonitor>() else {
            return Outcome::warn(
                "no request monitor installed: nothing measures the service's requests",
            )
            .remediation(NO_MONITOR);
        };
        let window = self.window.map(|w| w.min(monitor.window_capacity()));
        let stats = match &self.route {
            Some(r) => monitor.route(r, window).unwrap_or_default(),
            None => monitor.overall(window),
        };
        let over = window_text(window);
        let mut o = if stats.requests < self.min_requests {
            Outcome::pending(format!(
                "{} requests {over}: waiting for {} before judging",
                stats.requests, self.min_requests
            ))
        } else {
            let (status, seen) = self.judge(&stats);
            Outcome::new(
                status,
                format!("{} {over} ({} requests)", seen.join(", "), stats.requests),
            )
        };
        o = o
            .detail("window_s", window.map(|w| w.as_secs()))
            .detail("requests", stats.requests)
            .detail("min_requests", self.min_requests)
            .detail("server_errors", stats.server_errors)
            .detail("client_errors", stats.client_errors)
            .detail("error_ratio", stats.error_ratio)
            .detail("p50_ms", stats.p50_ms)
            .detail("p90_ms", stats.p90_ms)
            .detail("p99_ms", stats.p99_ms);
        if let Some(r) = &self.route {
            o = o.detail("route", r);
        }
        if self.measure != Measure::ErrorRatio {
            o = o
                .detail("warn_p99_ms", self.warn_p99.map(|d| d.as_millis() as u64))
                .detail("fail_p99_ms", self.fail_p99.as_millis() as u64);
        }
        if self.measure != Measure::P99 {
            o = o
                .detail("warn_error_ratio", self.warn_ratio)
                .detail("fail_error_ratio", self.fail_ratio);
        }
        if matches!(o.status(), Status::Warn | Status::Fail) {
            o = o.remediation("look at the slowest or failing routes (details per route in the monitor), recent changes and dependencies; roll back if it started with this deployment");
        }
        o
    }
}

/// "Check logs for errors": error-level events over a window from the [`LogMonitor`].
#[derive(Debug, Clone)]
pub struct LogErrorsBelow {
    window: Duration,
    warn_above: u64,
    fail_above: u64,
}

/// "Check logs for errors": over 5 minutes, warn above 0 error events, fail above 10.
pub fn log_errors_below() -> LogErrorsBelow {
    LogErrorsBelow {
        window: Duration::from_secs(300),
        warn_above: 0,
        fail_above: 10,
    }
}

impl LogErrorsBelow {
    /// The window.
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// Error events above `warn` warn, above `fail` fail.
    pub fn thresholds(mut self, warn: u64, fail: u64) -> Self {
        self.warn_above = warn;
        self.fail_above = fail;
        self
    }
}

#[async_trait::async_trait]
impl Check for LogErrorsBelow {
    async fn run(&self, ctx: &Context) -> Outcome {
        let Some(logs) = ctx.resource::<LogMonitor>() else {
            return Outcome::warn("no log monitor installed: nothing counts error events")
                .remediation("add `LogMonitor::layer()` to the tracing subscriber and pass the monitor with `Readiness::builder().resource(logs.clone())`");
        };
        let s = logs.stats(Some(self.window));
        let status = if s.errors > self.fail_above {
            Status::Fail
        } else if s.errors > self.warn_above {
            Status::Warn
        } else {
            Status::Pass
        };
        let mut o = Outcome::new(
            status,
            format!(
                "{} error and {} warn events {}",
                s.errors,
                s.warnings,
                window_text(Some(self.window))
            ),
        )
        .detail("window_s", self.window.as_secs())
        .detail("error_events", s.errors)
        .detail("warn_events", s.warnings)
        .detail("warn_above", self.warn_above)
        .detail("fail_above", self.fail_above)
        .detail("last_errors", &s.last_errors);
        if status != Status::Pass {
            o = o.remediation(
                "read the service's error logs (last messages in details) and fix the cause",
            );
        }
        o
    }
}

#[cfg(test)]
mod tests;
