//! "Prometheus metrics exposed": the service's metrics endpoint answers 200 with an exposition a
//! scraper accepts. Seen either by fetching the declared address ([`ServiceSpec`]) or from the
//! scrape log: a real Prometheus scrape of the library's `/metrics` answered 200 with a body is
//! proof the endpoint is exposed and reached.

use super::http::{get, ServiceSpec};
use crate::monitor::exposition::{judge, Severity, Syntax};
use crate::{Check, Context, Outcome};
use std::time::Duration;

/// Verifies that the metrics endpoint answers 200 with at least one sample and nothing
/// Prometheus rejects (lints `promtool check metrics` reports warn), through the declared
/// [`ServiceSpec`]; without one, from a Prometheus scrape of `/metrics` answered 200 within 5
/// minutes.
pub fn metrics_exposed() -> MetricsExposed {
    MetricsExposed {
        window: Duration::from_secs(300),
    }
}

/// The check built by [`metrics_exposed`].
#[derive(Debug, Clone)]
pub struct MetricsExposed {
    window: Duration,
}

impl MetricsExposed {
    /// How recent a Prometheus scrape must be to count when no address is declared (default 5 min).
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }
}

async fn fetch(spec: &ServiceSpec) -> Outcome {
    let url = spec.url(&spec.metrics_path);
    let reply = match get(spec, "GET", &spec.metrics_path).await {
        Ok(r) if r.status == 200 => r,
        Ok(r) => {
            return Outcome::fail(format!("{url} answered {}", r.status))
                .remediation("serve Prometheus metrics on the declared path (prometheus-client, or the `prometheus` feature)")
        }
        Err(e) => return Outcome::fail(format!("{url} did not answer: {e}")),
    };
    let syntax = Syntax::from_content_type(reply.content_type.as_deref());
    let j = judge(&reply.body, syntax);
    let o = if j.errors().next().is_some() {
        Outcome::fail(format!(
            "{url} is not Prometheus text exposition a scraper accepts: {}",
            j.describe(Severity::Error, 3)
        ))
        .remediation("fix the lines named; `promtool check metrics` shows the same problems")
    } else if j.samples == 0 {
        Outcome::fail(format!("{url} answered, but with no sample"))
            .remediation("register at least one metric")
    } else if j.lints().next().is_some() {
        Outcome::warn(format!(
            "{url} exposes {} samples, but `promtool check metrics` reports: {}",
            j.samples,
            j.describe(Severity::Lint, 3)
        ))
        .remediation(
            "follow the metric naming rules named (HELP text, `_total` on counters, base units)",
        )
    } else {
        Outcome::pass(format!("{url} exposes {} samples", j.samples))
    };
    o.detail("samples", j.samples)
        .detail("errors", j.errors().count())
        .detail("lints", j.lints().count())
        .detail(
            "syntax",
            match syntax {
                Syntax::Prometheus => "prometheus",
                Syntax::OpenMetrics => "openmetrics",
            },
        )
}

#[async_trait::async_trait]
impl Check for MetricsExposed {
    async fn run(&self, ctx: &Context) -> Outcome {
        let scrape = ctx
            .probe_log()
            .and_then(|log| crate::monitor::recent_scrape(log, self.window));
        if let Some(spec) = ctx.resource::<ServiceSpec>() {
            return fetch(spec)
                .await
                .detail("prometheus_scrape_ago_s", scrape.map(|a| a.ago().as_secs()));
        }
        let Some(a) = scrape else {
            return Outcome::warn(format!(
                "the metrics endpoint could not be checked: no Prometheus scrape of /metrics was answered 200 with a body in the last {}, and the service's address is not declared",
                humantime::format_duration(self.window)
            ))
            .remediation("declare the address with `.resource(ServiceSpec::new(\"http://127.0.0.1:<port>\"))`, or let Prometheus scrape the library's `/metrics` (feature `prometheus`)");
        };
        #[allow(unused_mut)]
        let mut o = Outcome::pass(format!(
            "a Prometheus server scraped /metrics {} ago: {}",
            humantime::format_duration(Duration::from_secs(a.ago().as_secs())),
            crate::monitor::answered(&a)
        ))
        .detail("prometheus_scrape_ago_s", a.ago().as_secs())
        .detail("body_bytes", a.body_bytes);
        #[cfg(feature = "prometheus")]
        {
            let (j, verdict) = crate::monitor::judge_own_exposition(ctx, None);
            o = o
                .detail("samples", j.samples)
                .detail("errors", j.errors().count())
                .detail("lints", j.lints().count());
            if let Some((status, why)) = verdict {
                o = crate::monitor::escalate(o, status, &why);
            }
        }
        o
    }
}
