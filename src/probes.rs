//! What the endpoints have answered: how often each was asked, when a Kubernetes probe
//! (`kube-probe/…`) or a Prometheus scrape (`Prometheus/…`) last came, and what it was answered
//! (status and body size), so a scrape answered 400 or with an empty body is not taken for one
//! that succeeded.
//!
//! The HTTP layer records every request it answers; checks read the log from their
//! [`Context`](crate::Context) with `ctx.probe_log()` ("Liveness probe configured",
//! "Health checks configured", "Metrics being collected").

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// Who sent a request, from its `User-Agent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Agent {
    /// The kubelet: `kube-probe/1.30`.
    KubeProbe,
    /// A Prometheus server: `Prometheus/2.53.0`.
    Prometheus,
    /// Anyone else.
    Other,
}

impl Agent {
    /// The agent a `User-Agent` header names.
    pub fn from_user_agent(user_agent: Option<&str>) -> Agent {
        match user_agent {
            Some(ua) if ua.starts_with("kube-probe/") => Agent::KubeProbe,
            Some(ua) if ua.starts_with("Prometheus/") => Agent::Prometheus,
            _ => Agent::Other,
        }
    }
}

/// One answer an endpoint gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// The body's length in bytes.
    pub body_bytes: usize,
    at: Instant,
}

impl Answer {
    /// How long ago it was given.
    pub fn ago(&self) -> Duration {
        self.at.elapsed()
    }

    /// Answered 200 with a body: what a scrape needs to succeed.
    pub fn is_success(&self) -> bool {
        self.status == 200 && self.body_bytes > 0
    }
}

#[derive(Debug, Default, Clone)]
struct Seen {
    count: u64,
    last: HashMap<Agent, Instant>,
    answers: HashMap<Agent, Answer>,
    successes: HashMap<Agent, Answer>,
}

/// The requests the endpoints answered. Cheap to clone; clones share the log.
#[derive(Debug, Clone, Default)]
pub struct ProbeLog {
    seen: Arc<Mutex<HashMap<String, Seen>>>,
}

impl ProbeLog {
    /// Records that `endpoint` (a path such as `/readyz`) was asked by `user_agent`, without
    /// what it answered: such a request never counts as a successful answer
    /// ([`ProbeLog::last_success`]). The HTTP layer uses [`ProbeLog::record_answer`].
    pub fn record(&self, endpoint: &str, user_agent: Option<&str>) {
        let agent = Agent::from_user_agent(user_agent);
        let mut seen = self.lock();
        let entry = seen.entry(endpoint.to_owned()).or_default();
        entry.count += 1;
        entry.last.insert(agent, Instant::now());
    }

    /// Records that `endpoint` answered a request from `user_agent` with `status` and a body of
    /// `body_bytes` bytes.
    pub fn record_answer(
        &self,
        endpoint: &str,
        user_agent: Option<&str>,
        status: u16,
        body_bytes: usize,
    ) {
        let agent = Agent::from_user_agent(user_agent);
        let now = Instant::now();
        let answer = Answer {
            status,
            body_bytes,
            at: now,
        };
        let mut seen = self.lock();
        let entry = seen.entry(endpoint.to_owned()).or_default();
        entry.count += 1;
        entry.last.insert(agent, now);
        entry.answers.insert(agent, answer);
        if answer.is_success() {
            entry.successes.insert(agent, answer);
        }
    }

    /// The last answer `endpoint` gave `agent`, if recorded with [`ProbeLog::record_answer`].
    pub fn last_answer(&self, endpoint: &str, agent: Agent) -> Option<Answer> {
        self.lock().get(endpoint)?.answers.get(&agent).copied()
    }

    /// The last answer of 200 with a non-empty body `endpoint` gave `agent`.
    pub fn last_success(&self, endpoint: &str, agent: Agent) -> Option<Answer> {
        self.lock().get(endpoint)?.successes.get(&agent).copied()
    }

    /// How many requests `endpoint` has answered.
    pub fn answered(&self, endpoint: &str) -> u64 {
        self.lock().get(endpoint).map_or(0, |s| s.count)
    }

    /// How many requests all endpoints together have answered.
    pub fn answered_total(&self) -> u64 {
        self.lock().values().map(|s| s.count).sum()
    }

    /// How long ago `agent` last reached `endpoint`, if ever.
    pub fn last_seen(&self, endpoint: &str, agent: Agent) -> Option<Duration> {
        let at = *self.lock().get(endpoint)?.last.get(&agent)?;
        Some(at.elapsed())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Seen>> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn records_counts_and_agents() {
        let log = ProbeLog::default();
        assert_eq!(log.last_seen("/readyz", Agent::KubeProbe), None);
        log.record("/readyz", Some("kube-probe/1.30"));
        log.record("/readyz", Some("curl/8.0"));
        tokio::time::advance(Duration::from_secs(3)).await;
        log.record("/livez", None);
        assert_eq!(log.answered("/readyz"), 2);
        assert_eq!(log.answered_total(), 3);
        assert_eq!(
            log.last_seen("/readyz", Agent::KubeProbe),
            Some(Duration::from_secs(3))
        );
        assert_eq!(log.last_seen("/livez", Agent::KubeProbe), None);
        assert_eq!(
            Agent::from_user_agent(Some("Prometheus/2.53.0")),
            Agent::Prometheus
        );
    }

    #[tokio::test(start_paused = true)]
    async fn only_an_answer_of_200_with_a_body_is_a_success() {
        let log = ProbeLog::default();
        let prom = Some("Prometheus/2.53.0");
        log.record("/metrics", prom);
        assert_eq!(log.last_success("/metrics", Agent::Prometheus), None);
        log.record_answer("/metrics", prom, 400, 57);
        log.record_answer("/metrics", prom, 200, 0);
        assert_eq!(log.last_success("/metrics", Agent::Prometheus), None);
        let last = log.last_answer("/metrics", Agent::Prometheus);
        assert_eq!(last.map(|a| (a.status, a.body_bytes)), Some((200, 0)));
        log.record_answer("/metrics", prom, 200, 4096);
        tokio::time::advance(Duration::from_secs(7)).await;
        log.record_answer("/metrics", prom, 503, 20);
        let ok = log.last_success("/metrics", Agent::Prometheus);
        assert_eq!(ok.map(|a| (a.status, a.body_bytes)), Some((200, 4096)));
        assert_eq!(ok.map(|a| a.ago()), Some(Duration::from_secs(7)));
        assert_eq!(log.answered("/metrics"), 5);
    }
}

/// The last complete report, for checks that judge the checklist itself ("Health checks
/// passing"). Cheap to clone; clones share the slot. The engine fills it after each evaluation,
/// so a check reads the previous evaluation, never the one it is part of.
#[derive(Debug, Clone, Default)]
pub struct LatestReport {
    slot: Arc<Mutex<Option<Arc<crate::Report>>>>,
}

impl LatestReport {
    /// The last complete report, if an evaluation has finished.
    pub fn get(&self) -> Option<Arc<crate::Report>> {
        self.slot.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub(crate) fn set(&self, report: Arc<crate::Report>) {
        *self.slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(report);
    }
}
