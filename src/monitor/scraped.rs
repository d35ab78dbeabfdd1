//! "Metrics being collected" and "Verify metrics": a Prometheus scrape of `/metrics` answered
//! 200 with a body within the window (what the HTTP layer recorded in the [`ProbeLog`]), and,
//! for "Verify metrics", the exposition judged by the rules Prometheus and `promtool check
//! metrics` apply.

use crate::probes::{Agent, Answer, ProbeLog};
use crate::{Check, Context, Outcome, Status};
use std::time::Duration;
use tokio::time::Instant;

/// "Metrics being collected" / "Verify metrics": see [`metrics_being_collected`] and
/// [`metrics_verified`].
#[derive(Debug, Clone)]
#[cfg_attr(not(feature = "prometheus"), allow(dead_code))]
pub struct MetricsScraped {
    window: Duration,
    created: Instant,
    verify: bool,
    missing: Status,
    sample_limit: Option<usize>,
}

/// "Metrics being collected": a `Prometheus/…` scrape of `/metrics` answered 200 with a body
/// within 5 minutes; `pending` until the first window has passed. A scrape answered otherwise
/// (a 400 for a bad query, an empty body) does not count.
pub fn metrics_being_collected() -> MetricsScraped {
    MetricsScraped {
        window: Duration::from_secs(300),
        created: Instant::now(),
        verify: false,
        missing: Status::Warn,
        sample_limit: None,
    }
}

/// "Verify metrics": as [`metrics_being_collected`], and the exposition `/metrics` serves is
/// judged by the rules its consumers apply ([`super::exposition::judge`]): a problem Prometheus
/// rejects fails, one only `promtool check metrics` reports warns.
pub fn metrics_verified() -> MetricsScraped {
    MetricsScraped {
        verify: true,
        ..metrics_being_collected()
    }
}

/// The last scrape of `/metrics` by Prometheus answered 200 with a body, if within `window`.
pub(crate) fn recent_scrape(log: &ProbeLog, window: Duration) -> Option<Answer> {
    log.last_success(super::METRICS_PATH, Agent::Prometheus)
        .filter(|a| a.ago() <= window)
}

fn ago(d: Duration) -> String {
    humantime::format_duration(Duration::from_secs(d.as_secs())).to_string()
}

/// "answered 400 with 57 bytes"
pub(crate) fn answered(a: &Answer) -> String {
    format!("answered {} with {} bytes", a.status, a.body_bytes)
}

impl MetricsScraped {
    /// How recent the last successful scrape must be.
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// Whether a missing or stale scrape is `fail` (default `warn`: the item is blocking in the
    /// standard checklist, and a Prometheus outage should not take every pod out of service).
    pub fn fail_when_missing(mut self, fail: bool) -> Self {
        self.missing = if fail { Status::Fail } else { Status::Warn };
        self
    }

    /// The `sample_limit` of the scrape config: an exposition with more samples is rejected
    /// whole by Prometheus, so the item fails (default: none declared).
    pub fn sample_limit(mut self, limit: usize) -> Self {
        self.sample_limit = Some(limit);
        self
    }

    fn scrape(&self, log: &ProbeLog) -> Outcome {
        let window = humantime::format_duration(self.window);
        if let Some(a) = recent_scrape(log, self.window) {
            return Outcome::pass(format!(
                "Prometheus scraped /metrics {} ago: {}",
                ago(a.ago()),
                answered(&a)
            ));
        }
        let last = log.last_answer(super::METRICS_PATH, Agent::Prometheus);
        let failed = last
            .filter(|a| !a.is_success())
            .map(|a| {
                format!(
                    "; the last Prometheus request, {} ago, was {}",
                    ago(a.ago()),
                    answered(&a)
                )
            })
            .unwrap_or_default();
        let success = log.last_success(super::METRICS_PATH, Agent::Prometheus);
        let asked = log.last_seen(super::METRICS_PATH, Agent::Prometheus);
        match (success, asked) {
            (Some(a), _) => Outcome::new(
                self.missing,
                format!(
                    "the last successful Prometheus scrape of /metrics was {} ago (window {window}){failed}",
                    ago(a.ago())
                ),
            ),
            (None, Some(_)) => Outcome::new(
                self.missing,
                format!("no Prometheus scrape of /metrics was answered 200 with a body{failed}"),
            ),
            (None, None) if self.created.elapsed() < self.window => Outcome::pending(format!(
                "no Prometheus scrape of /metrics yet (waiting up to {window})"
            )),
            (None, None) => Outcome::new(
                self.missing,
                format!("no Prometheus scrape of /metrics in {window}"),
            ),
        }
        .detail(
            "last_answer_status",
            last.map(|a| a.status),
        )
        .detail("last_answer_body_bytes", last.map(|a| a.body_bytes))
    }
}

/// Raises `o` to `status` (never lowers it), putting `why` first in its message.
#[cfg(feature = "prometheus")]
pub(crate) fn escalate(mut o: Outcome, status: Status, why: &str) -> Outcome {
    let rank = |s: Status| match s {
        Status::Fail => 3,
        Status::Warn => 2,
        Status::Pending => 1,
        _ => 0,
    };
    if rank(status) >= rank(o.status) {
        o.status = status;
        o.message = format!("{why}; {}", o.message);
    }
    o
}

/// The exposition `/metrics` serves, judged: `Err` is the status and message when a consumer
/// would reject it (fail) or `promtool check metrics` reports it (warn).
#[cfg(feature = "prometheus")]
pub(crate) fn judge_own_exposition(
    ctx: &Context,
    sample_limit: Option<usize>,
) -> (super::exposition::Judgement, Option<(Status, String)>) {
    use super::exposition::{judge, Severity, Syntax};
    let (text, whole) = super::metrics::render_from_context(ctx);
    let j = judge(&text, Syntax::OpenMetrics);
    let verdict = if j.errors().next().is_some() {
        Some((
            Status::Fail,
            format!(
                "the exposition on /metrics breaks rules Prometheus enforces: {}",
                j.describe(Severity::Error, 3)
            ),
        ))
    } else if let Some(limit) = sample_limit.filter(|l| j.samples > *l) {
        Some((
            Status::Fail,
            format!(
                "the exposition on /metrics has {} samples, above the scrape's sample_limit of {limit}: Prometheus rejects every such scrape",
                j.samples
            ),
        ))
    } else if j.lints().next().is_some() {
        Some((
            Status::Warn,
            format!(
                "`promtool check metrics` would report: {}",
                j.describe(Severity::Lint, 3)
            ),
        ))
    } else if j.samples == 0 && whole {
        Some((
            Status::Fail,
            "the exposition on /metrics has no sample".to_owned(),
        ))
    } else {
        None
    };
    (j, verdict)
}

#[async_trait::async_trait]
impl Check for MetricsScraped {
    async fn run(&self, ctx: &Context) -> Outcome {
        if !cfg!(feature = "prometheus") {
            return Outcome::warn(
                "no /metrics endpoint: prodready was built without the `prometheus` feature",
            )
            .remediation(
                "enable the `prometheus` feature of prodready (or bind your own metrics check)",
            );
        }
        let Some(log) = ctx.probe_log() else {
            return Outcome::warn("no probe log: the check runs outside a Readiness");
        };
        let mut o = self
            .scrape(log)
            .detail("window_s", self.window.as_secs())
            .detail(
                "last_scrape_ago_s",
                log.last_success(super::METRICS_PATH, Agent::Prometheus)
                    .map(|a| a.ago().as_secs()),
            );
        if matches!(o.status(), Status::Fail | Status::Warn) {
            o = o.remediation("add a scrape config or a ServiceMonitor/PodMonitor for the service's `/metrics` (prometheus.io/scrape annotations), and check the target's last error on Prometheus' targets page");
        }
        #[cfg(feature = "prometheus")]
        if self.verify || self.sample_limit.is_some() {
            let limit = self.sample_limit;
            let (j, verdict) = judge_own_exposition(ctx, limit);
            o = o
                .detail("exposition_samples", j.samples)
                .detail("exposition_errors", j.errors().count())
                .detail("exposition_lints", j.lints().count())
                .detail("sample_limit", limit);
            match verdict {
                // Only "Verify metrics" judges lints; a sample_limit breach stops any collection.
                Some((status, why)) if self.verify || status == Status::Fail => {
                    o = escalate(o, status, &why)
                        .remediation("fix the metric families named so Prometheus and `promtool check metrics` accept the exposition (raise `sample_limit` or drop series for a limit)");
                }
                None if self.verify => {
                    o.message.push_str(&format!(
                        "; the exposition's {} samples pass the rules of Prometheus and `promtool check metrics`",
                        j.samples
                    ));
                }
                _ => {}
            }
        }
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Resources;
    use crate::testing::FakeHost;
    use std::sync::Arc;

    fn ctx(log: &ProbeLog) -> Context {
        let mut r = Resources::default();
        r.insert(log.clone());
        Context::new(Arc::new(FakeHost::new()), r)
    }

    #[tokio::test(start_paused = true)]
    async fn metrics_scrape_seen() {
        let log = ProbeLog::default();
        let c = ctx(&log);
        let check = metrics_being_collected().window(Duration::from_secs(60));
        let first = check.run(&c).await;
        if !cfg!(feature = "prometheus") {
            assert_eq!(first.status(), Status::Warn);
            return;
        }
        assert_eq!(first.status(), Status::Pending);
        log.record_answer(
            super::super::METRICS_PATH,
            Some("Prometheus/2.53.0"),
            200,
            812,
        );
        let o = check.run(&c).await;
        assert_eq!(o.status(), Status::Pass, "{}", o.message());
        assert!(
            o.message().contains("200 with 812 bytes"),
            "{}",
            o.message()
        );
        tokio::time::advance(Duration::from_secs(120)).await;
        let stale = check.run(&c).await;
        assert_eq!(stale.status(), Status::Warn);
        assert!(
            stale
                .message()
                .contains("last successful Prometheus scrape"),
            "{}",
            stale.message()
        );
        let strict = metrics_being_collected().fail_when_missing(true);
        tokio::time::advance(Duration::from_secs(300)).await;
        assert_eq!(strict.run(&c).await.status(), Status::Fail);
    }

    /// A request with a Prometheus user agent answered 400, or 200 with nothing, is no scrape.
    #[tokio::test(start_paused = true)]
    async fn failed_scrapes_do_not_count() {
        if !cfg!(feature = "prometheus") {
            return;
        }
        let log = ProbeLog::default();
        let c = ctx(&log);
        let prom = Some("Prometheus/2.53.0");
        for (status, bytes) in [(400, 57), (200, 0)] {
            log.record_answer(super::super::METRICS_PATH, prom, status, bytes);
            for check in [metrics_being_collected(), metrics_verified()] {
                let o = check.run(&c).await;
                assert_eq!(o.status(), Status::Warn, "{status}: {}", o.message());
                assert!(
                    o.message()
                        .contains(&format!("was answered {status} with {bytes} bytes")),
                    "{}",
                    o.message()
                );
            }
        }
        // A request known only by its user agent proves nothing either.
        let log = ProbeLog::default();
        log.record(super::super::METRICS_PATH, prom);
        let o = metrics_being_collected().run(&ctx(&log)).await;
        assert_eq!(o.status(), Status::Warn, "{}", o.message());
    }

    #[cfg(feature = "prometheus")]
    #[tokio::test(start_paused = true)]
    async fn the_exposition_is_judged_and_a_sample_limit_is_enforced() {
        let log = ProbeLog::default();
        let monitor = super::super::RequestMonitor::new();
        for _ in 0..30 {
            monitor.record("/pay", 200, Duration::from_millis(3));
        }
        let mut r = Resources::default();
        r.insert(log.clone());
        r.insert(monitor);
        let c = Context::new(Arc::new(FakeHost::new()), r);
        log.record_answer(
            super::super::METRICS_PATH,
            Some("Prometheus/2.53.0"),
            200,
            4000,
        );
        let o = metrics_verified().run(&c).await;
        assert_eq!(o.status(), Status::Pass, "{}", o.message());
        assert_eq!(o.details()["exposition_errors"], 0);
        assert_eq!(o.details()["exposition_lints"], 0);
        let samples = o.details()["exposition_samples"].as_u64().unwrap_or(0);
        assert!(samples > 10, "{samples}");
        let o = metrics_being_collected().sample_limit(5).run(&c).await;
        assert_eq!(o.status(), Status::Fail, "{}", o.message());
        assert!(
            o.message().contains("above the scrape's sample_limit of 5"),
            "{}",
            o.message()
        );
    }
}
