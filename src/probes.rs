//! What the endpoints have answered: how often each was asked, when a Kubernetes probe
//! (`kube-probe/…`) or a Prometheus scrape (`Prometheus/…`) last came, and what it was answered
//! (status and body size), so a scrape answered 400 or with an empty body is not taken for one
//! that succeeded.
//!
//! The HTTP layer records every request it answers; checks read the log from their
//! [`Context`](crate::Context) with `ctx.probe_log()` ("Liveness probe configured",
//! "Health checks configured", "Metrics being collected").

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
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

/// When something happened: nanoseconds since the log's base instant, plus one (0: never).
#[derive(Debug, Default)]
struct Stamp(AtomicU64);

impl Stamp {
    fn set(&self, base: Instant, at: Instant) {
        let nanos = at.saturating_duration_since(base).as_nanos();
        let v = u64::try_from(nanos).unwrap_or(u64::MAX - 1) + 1;
        self.0.store(v, Ordering::Release);
    }

    fn get(&self, base: Instant) -> Option<Instant> {
        match self.0.load(Ordering::Acquire) {
            0 => None,
            v => Some(base + Duration::from_nanos(v - 1)),
        }
    }
}

/// An answer in one word: the status in the top 16 bits, the body length below (capped at
/// 2^48 - 1 bytes), 0 for none.
#[derive(Debug, Default)]
struct Packed {
    answer: AtomicU64,
    at: Stamp,
}

const BYTES_MASK: u64 = (1 << 48) - 1;

impl Packed {
    fn set(&self, base: Instant, answer: Answer) {
        let bytes = (answer.body_bytes as u64).min(BYTES_MASK);
        self.at.set(base, answer.at);
        self.answer
            .store((u64::from(answer.status) << 48) | bytes, Ordering::Release);
    }

    fn get(&self, base: Instant) -> Option<Answer> {
        let v = self.answer.load(Ordering::Acquire);
        let at = self.at.get(base)?;
        (v != 0).then_some(Answer {
            status: (v >> 48) as u16,
            body_bytes: (v & BYTES_MASK) as usize,
            at,
        })
    }
}

#[derive(Debug, Default)]
struct AgentSeen {
    last: Stamp,
    answer: Packed,
    success: Packed,
}

/// What one endpoint answered, in atomics: recording takes no lock and allocates nothing. The
/// answer and the instant it was given are two words, so a reader racing a writer may pair one
/// answer with the other's instant.
#[derive(Debug, Default)]
struct Seen {
    count: AtomicU64,
    agents: [AgentSeen; 3],
}

fn agent_index(agent: Agent) -> usize {
    match agent {
        Agent::KubeProbe => 0,
        Agent::Prometheus => 1,
        Agent::Other => 2,
    }
}

/// The library's own endpoints, which get a fixed slot each.
const OWN: [&str; 6] = [
    crate::http::CHECKLIST_PATH,
    crate::http::LIVEZ_PATH,
    crate::http::READYZ_PATH,
    crate::http::STARTUPZ_PATH,
    crate::http::ROLLOUTZ_PATH,
    crate::monitor::METRICS_PATH,
];

#[derive(Debug)]
struct Log {
    base: Instant,
    own: [Seen; OWN.len()],
    /// Any other endpoint a caller records (rare: the HTTP layer records only its own).
    others: Mutex<HashMap<String, Arc<Seen>>>,
}

/// The requests the endpoints answered. Cheap to clone; clones share the log.
///
/// Recording one of the library's endpoints takes no lock: a few atomic stores.
#[derive(Debug, Clone)]
pub struct ProbeLog {
    log: Arc<Log>,
}

impl Default for ProbeLog {
    fn default() -> Self {
        Self {
            log: Arc::new(Log {
                base: Instant::now(),
                own: Default::default(),
                others: Mutex::new(HashMap::new()),
            }),
        }
    }
}

enum Entry<'a> {
    Own(&'a Seen),
    Other(Arc<Seen>),
}

impl std::ops::Deref for Entry<'_> {
    type Target = Seen;
    fn deref(&self) -> &Seen {
        match self {
            Entry::Own(s) => s,
            Entry::Other(s) => s,
        }
    }
}

impl ProbeLog {
    fn others(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Seen>>> {
        self.log.others.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The entry of `endpoint`, created when `create`.
    fn entry(&self, endpoint: &str, create: bool) -> Option<Entry<'_>> {
        if let Some(i) = OWN.iter().position(|e| *e == endpoint) {
            return Some(Entry::Own(&self.log.own[i]));
        }
        let mut others = self.others();
        if let Some(s) = others.get(endpoint) {
            return Some(Entry::Other(s.clone()));
        }
        if !create {
            return None;
        }
        let s = Arc::new(Seen::default());
        others.insert(endpoint.to_owned(), s.clone());
        Some(Entry::Other(s))
    }

    /// Records that `endpoint` (a path such as `/readyz`) was asked by `user_agent`, without
    /// what it answered: such a request never counts as a successful answer
    /// ([`ProbeLog::last_success`]). The HTTP layer uses [`ProbeLog::record_answer`].
    #[cfg(test)]
    pub(crate) fn record(&self, endpoint: &str, user_agent: Option<&str>) {
        let agent = agent_index(Agent::from_user_agent(user_agent));
        if let Some(entry) = self.entry(endpoint, true) {
            entry.count.fetch_add(1, Ordering::Relaxed);
            entry.agents[agent].last.set(self.log.base, Instant::now());
        }
    }

    /// Records that `endpoint` answered a request from `user_agent` with `status` and a body of
    /// `body_bytes` bytes.
    pub(crate) fn record_answer(
        &self,
        endpoint: &str,
        user_agent: Option<&str>,
        status: u16,
        body_bytes: usize,
    ) {
        let agent = agent_index(Agent::from_user_agent(user_agent));
        let now = Instant::now();
        let answer = Answer {
            status,
            body_bytes,
            at: now,
        };
        let Some(entry) = self.entry(endpoint, true) else {
            return;
        };
        let base = self.log.base;
        entry.count.fetch_add(1, Ordering::Relaxed);
        let seen = &entry.agents[agent];
        seen.last.set(base, now);
        seen.answer.set(base, answer);
        if answer.is_success() {
            seen.success.set(base, answer);
        }
    }

    /// The last answer `endpoint` gave `agent`, if the HTTP layer recorded one.
    pub fn last_answer(&self, endpoint: &str, agent: Agent) -> Option<Answer> {
        let entry = self.entry(endpoint, false)?;
        entry.agents[agent_index(agent)].answer.get(self.log.base)
    }

    /// The last answer of 200 with a non-empty body `endpoint` gave `agent`.
    pub fn last_success(&self, endpoint: &str, agent: Agent) -> Option<Answer> {
        let entry = self.entry(endpoint, false)?;
        entry.agents[agent_index(agent)].success.get(self.log.base)
    }

    /// How many requests `endpoint` has answered.
    pub fn answered(&self, endpoint: &str) -> u64 {
        self.entry(endpoint, false)
            .map_or(0, |s| s.count.load(Ordering::Relaxed))
    }

    /// How many requests all endpoints together have answered.
    pub fn answered_total(&self) -> u64 {
        let own: u64 = self
            .log
            .own
            .iter()
            .map(|s| s.count.load(Ordering::Relaxed))
            .sum();
        own + self
            .others()
            .values()
            .map(|s| s.count.load(Ordering::Relaxed))
            .sum::<u64>()
    }

    /// How long ago `agent` last reached `endpoint`, if ever.
    pub fn last_seen(&self, endpoint: &str, agent: Agent) -> Option<Duration> {
        let entry = self.entry(endpoint, false)?;
        let at = entry.agents[agent_index(agent)].last.get(self.log.base)?;
        Some(at.elapsed())
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
