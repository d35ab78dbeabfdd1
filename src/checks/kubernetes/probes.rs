//! Whether the kubelet's probes reach the endpoints, from the [`ProbeLog`] the HTTP layer keeps.

use super::{in_pod, not_in_pod};
use crate::http::{CHECKLIST_PATH, LIVEZ_PATH, READYZ_PATH};
use crate::probes::{Agent, ProbeLog};
use crate::{Check, Context, Outcome};
use std::sync::OnceLock;
use std::time::Duration;
use tokio::time::Instant;

/// Verifies that the probe endpoints (`/livez`, `/readyz`, `/readiness-checklist`) are mounted
/// and have answered at least one request; `pending` until the first one.
///
/// Outside Kubernetes it is `not_applicable`, unless [`ProbeEndpointsAnswering::anywhere`].
pub fn probe_endpoints_answering() -> ProbeEndpointsAnswering {
    ProbeEndpointsAnswering { anywhere: false }
}

/// The check returned by [`probe_endpoints_answering`].
#[derive(Debug, Clone)]
pub struct ProbeEndpointsAnswering {
    anywhere: bool,
}

impl ProbeEndpointsAnswering {
    /// Judges outside Kubernetes too (another orchestrator probing the same endpoints).
    pub fn anywhere(mut self) -> Self {
        self.anywhere = true;
        self
    }
}

#[async_trait::async_trait]
impl Check for ProbeEndpointsAnswering {
    async fn run(&self, ctx: &Context) -> Outcome {
        if !self.anywhere && !in_pod(ctx.host()) {
            return not_in_pod();
        }
        let log = match ctx.require::<ProbeLog>() {
            Ok(log) => log,
            Err(o) => return o,
        };
        let counts = [LIVEZ_PATH, READYZ_PATH, CHECKLIST_PATH].map(|p| (p, log.answered(p)));
        let total: u64 = counts.iter().map(|(_, n)| n).sum();
        let listed: Vec<String> = counts.iter().map(|(p, n)| format!("{p} {n}")).collect();
        let outcome = if total == 0 {
            Outcome::pending(format!(
                "no request reached {LIVEZ_PATH}, {READYZ_PATH} or {CHECKLIST_PATH} yet"
            ))
            .remediation("serve `Readiness::router()` (or the hyper server) and point the pod's probes at /livez and /readyz")
        } else {
            Outcome::pass(format!(
                "the probe endpoints answered {total} request(s) ({})",
                listed.join(", ")
            ))
        };
        counts.iter().fold(outcome, |o, (p, n)| {
            o.detail(
                format!("answered_{}", p.trim_start_matches('/').replace('-', "_")),
                n,
            )
        })
    }
}

/// Verifies that a kubelet liveness probe (`kube-probe/…` user agent) reached `/livez` within the
/// window (default 5 minutes).
///
/// `pending` until the first probe, for at most one window after the check first ran; then
/// `fail` when no probe came, or when the last one is older than the window.
pub fn liveness_probe_configured() -> ProbeSeen {
    ProbeSeen::new("liveness", "livenessProbe", LIVEZ_PATH)
}

/// Verifies that a kubelet readiness probe reached `/readyz` within the window (default 5
/// minutes); see [`liveness_probe_configured`].
pub fn readiness_probe_configured() -> ProbeSeen {
    ProbeSeen::new("readiness", "readinessProbe", READYZ_PATH)
}

/// The check returned by [`liveness_probe_configured`] and [`readiness_probe_configured`].
#[derive(Debug)]
pub struct ProbeSeen {
    kind: &'static str,
    field: &'static str,
    path: String,
    window: Duration,
    /// When the check first ran: the grace period for the first probe starts there.
    first_run: OnceLock<Instant>,
}

impl ProbeSeen {
    fn new(kind: &'static str, field: &'static str, path: &str) -> Self {
        Self {
            kind,
            field,
            path: path.to_owned(),
            window: Duration::from_secs(5 * 60),
            first_run: OnceLock::new(),
        }
    }

    /// The path the probe requests (when the endpoints are mounted elsewhere).
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// How recent the last probe must be (default 5 minutes; keep it above the probe's
    /// `periodSeconds`).
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }
}

fn human(d: Duration) -> humantime::FormattedDuration {
    humantime::format_duration(Duration::from_secs(d.as_secs()))
}

#[async_trait::async_trait]
impl Check for ProbeSeen {
    async fn run(&self, ctx: &Context) -> Outcome {
        if !in_pod(ctx.host()) {
            return not_in_pod();
        }
        let log = match ctx.require::<ProbeLog>() {
            Ok(log) => log,
            Err(o) => return o,
        };
        let started = *self.first_run.get_or_init(Instant::now);
        let (path, window) = (&self.path, self.window);
        let remediation = format!(
            "set `{}.httpGet.path: {path}` (and the service's port) on the container",
            self.field
        );
        let outcome = match log.last_seen(path, Agent::KubeProbe) {
            Some(ago) if ago <= window => Outcome::pass(format!(
                "a kube-probe request reached {path} {} ago",
                human(ago)
            )),
            Some(ago) => Outcome::fail(format!(
                "the last kube-probe request to {path} came {} ago, longer than the {} window: the {} probe was removed or points elsewhere",
                human(ago),
                human(window),
                self.kind
            ))
            .remediation(remediation),
            None if started.elapsed() < window => {
                Outcome::pending(format!("no kube-probe request reached {path} yet"))
            }
            None => Outcome::fail(format!(
                "no kube-probe request reached {path} in the {} since the checks started: no {} probe points there",
                human(started.elapsed()),
                self.kind
            ))
            .remediation(remediation),
        };
        let outcome = outcome
            .detail("probe_path", path)
            .detail("window_seconds", window.as_secs());
        match log.last_seen(path, Agent::KubeProbe) {
            Some(ago) => outcome.detail("last_probe_seconds_ago", ago.as_secs()),
            None => outcome,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Resources;
    use crate::testing::FakeHost;
    use crate::Status;
    use std::sync::Arc;

    fn pod_ctx(log: &ProbeLog) -> Context {
        let host = FakeHost::new().env("KUBERNETES_SERVICE_HOST", "10.96.0.1");
        let mut resources = Resources::default();
        resources.insert(log.clone());
        Context::new(Arc::new(host), resources)
    }

    #[tokio::test(start_paused = true)]
    async fn endpoints_are_pending_until_a_request_then_pass() {
        let log = ProbeLog::default();
        let ctx = pod_ctx(&log);
        let check = probe_endpoints_answering();
        let o = check.run(&ctx).await;
        assert_eq!(o.status(), Status::Pending);
        assert_eq!(
            o.message(),
            "no request reached /livez, /readyz or /readiness-checklist yet"
        );
        log.record("/readyz", Some("kube-probe/1.30"));
        log.record("/readiness-checklist", Some("curl/8.5.0"));
        let o = check.run(&ctx).await;
        assert_eq!(o.status(), Status::Pass);
        assert_eq!(
            o.message(),
            "the probe endpoints answered 2 request(s) (/livez 0, /readyz 1, /readiness-checklist 1)"
        );
        assert_eq!(o.details()["answered_readiness_checklist"], 1);
    }

    #[tokio::test(start_paused = true)]
    async fn liveness_is_pending_then_passes_then_fails_when_stale() {
        let log = ProbeLog::default();
        let ctx = pod_ctx(&log);
        let check = liveness_probe_configured();
        let o = check.run(&ctx).await;
        assert_eq!(
            (o.status(), o.message()),
            (Status::Pending, "no kube-probe request reached /livez yet")
        );

        // A browser is not the kubelet; a readiness probe is not a liveness probe.
        log.record("/livez", Some("Mozilla/5.0"));
        log.record("/readyz", Some("kube-probe/1.30"));
        assert_eq!(check.run(&ctx).await.status(), Status::Pending);

        tokio::time::advance(Duration::from_secs(10)).await;
        log.record("/livez", Some("kube-probe/1.30"));
        tokio::time::advance(Duration::from_secs(12)).await;
        let o = check.run(&ctx).await;
        assert_eq!(
            (o.status(), o.message()),
            (Status::Pass, "a kube-probe request reached /livez 12s ago")
        );
        assert_eq!(o.details()["last_probe_seconds_ago"], 12);
        assert_eq!(o.details()["window_seconds"], 300);

        tokio::time::advance(Duration::from_secs(7 * 60)).await;
        let o = check.run(&ctx).await;
        assert_eq!(o.status(), Status::Fail);
        assert_eq!(
            o.message(),
            "the last kube-probe request to /livez came 7m 12s ago, longer than the 5m window: the liveness probe was removed or points elsewhere"
        );
        assert_eq!(
            o.get_remediation(),
            Some("set `livenessProbe.httpGet.path: /livez` (and the service's port) on the container")
        );
    }

    #[tokio::test(start_paused = true)]
    async fn readiness_without_any_probe_fails_after_one_window() {
        let log = ProbeLog::default();
        let ctx = pod_ctx(&log);
        let check = readiness_probe_configured().window(Duration::from_secs(60));
        assert_eq!(check.run(&ctx).await.status(), Status::Pending);
        tokio::time::advance(Duration::from_secs(61)).await;
        let o = check.run(&ctx).await;
        assert_eq!(o.status(), Status::Fail);
        assert_eq!(
            o.message(),
            "no kube-probe request reached /readyz in the 1m 1s since the checks started: no readiness probe points there"
        );
        assert!(o
            .get_remediation()
            .unwrap()
            .contains("readinessProbe.httpGet.path: /readyz"));

        // A custom path.
        log.record("/health/ready", Some("kube-probe/1.29"));
        let o = readiness_probe_configured()
            .path("/health/ready")
            .run(&ctx)
            .await;
        assert_eq!(o.status(), Status::Pass);
    }

    #[tokio::test]
    async fn outside_a_pod_or_without_a_log() {
        let outside = Context::with_host(FakeHost::new());
        for o in [
            probe_endpoints_answering().run(&outside).await,
            liveness_probe_configured().run(&outside).await,
            readiness_probe_configured().run(&outside).await,
        ] {
            assert_eq!(o.status(), Status::NotApplicable);
        }
        let o = probe_endpoints_answering().anywhere().run(&outside).await;
        assert_eq!(o.status(), Status::Fail);
        assert!(o.message().contains("ProbeLog"), "{}", o.message());

        let in_pod =
            Context::with_host(FakeHost::new().env("KUBERNETES_SERVICE_HOST", "10.96.0.1"));
        let o = liveness_probe_configured().run(&in_pod).await;
        assert_eq!(o.status(), Status::Fail);
    }
}
