//! What changes while the service runs: hysteresis (flap damping), rollback triggers,
//! status-change listeners, and the availability the service pushes (starting, ready, draining).

use super::{Inner, Readiness, ReadinessBuilder};
use crate::check::Outcome;
use crate::model::{Item, Status};
use crate::report::Report;
use futures::future::BoxFuture;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// What the service says about itself, pushed with [`Readiness::set_availability`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    /// Still starting: `/startupz` and `/readyz` answer 503.
    Starting,
    /// Serving: the probes answer from the checklist (the default).
    Ready,
    /// Shutting down: `/readyz` answers 503 so traffic drains; `/livez` still answers 200.
    Draining,
}

impl Availability {
    /// `starting`, `ready` or `draining`.
    pub fn as_str(self) -> &'static str {
        match self {
            Availability::Starting => "starting",
            Availability::Ready => "ready",
            Availability::Draining => "draining",
        }
    }

    fn from_u8(v: u8) -> Self {
        match v {
            0 => Availability::Starting,
            2 => Availability::Draining,
            _ => Availability::Ready,
        }
    }

    fn to_u8(self) -> u8 {
        match self {
            Availability::Starting => 0,
            Availability::Ready => 1,
            Availability::Draining => 2,
        }
    }
}

/// The availability cell.
#[derive(Debug)]
pub(super) struct AvailabilityCell(AtomicU8);

impl Default for AvailabilityCell {
    fn default() -> Self {
        Self(AtomicU8::new(Availability::Ready.to_u8()))
    }
}

/// An item's status changed between two evaluations (or a trigger fired on the first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    /// The item.
    pub id: String,
    /// The status before; `None` on the first evaluation.
    pub from: Option<Status>,
    /// The status now.
    pub to: Status,
    /// What the item says now.
    pub message: String,
    /// Whether the item is a rollback trigger (`to == fail`: it fired; `from == fail`: it cleared).
    pub trigger: bool,
}

pub(super) type Listener = Arc<dyn Fn(StatusChange) -> BoxFuture<'static, ()> + Send + Sync>;

/// Runtime settings.
#[derive(Default, Clone)]
pub(super) struct RuntimeSettings {
    /// `(fail_after, pass_after)` per item id.
    pub(super) hysteresis: HashMap<String, (u32, u32)>,
    /// The default for monitor items.
    pub(super) monitor_hysteresis: Option<(u32, u32)>,
    /// The ids of the rollback triggers: extra ones given to the builder, then (at `build()`)
    /// every item marked [`Item::rollback_trigger`].
    pub(super) triggers: Vec<String>,
    pub(super) triggers_fail_readiness: Option<bool>,
    pub(super) listeners: Vec<Listener>,
}

/// An item's streaks, for hysteresis.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Damp {
    shown: Option<Status>,
    bad: u32,
    good: u32,
}

impl RuntimeSettings {
    pub(super) fn is_trigger(&self, id: &str) -> bool {
        self.triggers.iter().any(|t| t == id)
    }

    fn hysteresis_for(&self, item: &Item) -> (u32, u32) {
        if let Some(h) = self.hysteresis.get(&item.id) {
            return *h;
        }
        match (item.kind, self.monitor_hysteresis) {
            (crate::Kind::Monitor, Some(h)) => h,
            _ => (1, 1),
        }
    }
}

/// Applies hysteresis to a freshly run outcome: a `fail` shows only after `fail_after`
/// consecutive failures, and a failed item shows `pass` again only after `pass_after` good runs.
pub(super) fn damp(inner: &Inner, idx: usize, item: &Item, mut o: Outcome) -> Outcome {
    let (fail_after, pass_after) = inner.runtime.hysteresis_for(item);
    if fail_after <= 1 && pass_after <= 1 {
        return o;
    }
    let mut state = inner.lock();
    let Some(d) = state.damp.get_mut(idx) else {
        return o;
    };
    match o.status {
        // Not judged (the check runtime stalled): neither a good nor a bad evaluation, and an
        // item shown failing stays failing.
        Status::Warn if o.details.contains_key("stalled_ms") => {
            if d.shown == Some(Status::Fail) {
                o.message = format!("still failing; this evaluation {}", o.message);
                o.status = Status::Fail;
            }
        }
        Status::Fail => {
            d.bad += 1;
            d.good = 0;
            if d.shown != Some(Status::Fail) && d.bad < fail_after {
                o.message = format!(
                    "failing {} of {fail_after} consecutive evaluations before `fail`: {}",
                    d.bad, o.message
                );
                o.status = match d.shown {
                    Some(s) if s != Status::Fail => s,
                    _ => Status::Warn,
                };
            }
        }
        Status::Pending | Status::Skipped => {
            d.bad = 0;
            d.good = 0;
        }
        _ => {
            d.good += 1;
            d.bad = 0;
            if d.shown == Some(Status::Fail) && d.good < pass_after {
                o.message = format!(
                    "recovering: {} of {pass_after} good evaluations before leaving `fail`: {}",
                    d.good, o.message
                );
                o.status = Status::Fail;
            }
        }
    }
    o.details
        .insert("hysteresis_fail_after".into(), fail_after.into());
    o.details
        .insert("hysteresis_pass_after".into(), pass_after.into());
    o.details
        .insert("consecutive_failures".into(), d.bad.into());
    o.details
        .insert("consecutive_successes".into(), d.good.into());
    d.shown = Some(o.status);
    o
}

/// The status changes between `before` and `after`.
pub(super) fn changes(inner: &Inner, before: Option<&Report>, after: &Report) -> Vec<StatusChange> {
    let previous: HashMap<&str, Status> = before
        .map(|r| r.items.iter().map(|i| (i.id.as_str(), i.status)).collect())
        .unwrap_or_default();
    after
        .items
        .iter()
        .filter_map(|i| {
            let from = previous.get(i.id.as_str()).copied();
            let trigger = inner.runtime.is_trigger(&i.id);
            let changed = match from {
                Some(f) => f != i.status,
                None => trigger && i.status == Status::Fail,
            };
            changed.then(|| StatusChange {
                id: i.id.clone(),
                from,
                to: i.status,
                message: i.message.clone(),
                trigger,
            })
        })
        .collect()
}

/// Tells every listener about every change, each in a task of its own, so a slow listener
/// never delays an evaluation.
pub(super) fn notify(inner: &Inner, changes: Vec<StatusChange>) {
    if inner.runtime.listeners.is_empty() || changes.is_empty() {
        return;
    }
    for change in changes {
        for listener in &inner.runtime.listeners {
            tokio::spawn(listener(change.clone()));
        }
    }
}

impl Readiness {
    /// What the service last said about itself.
    pub fn availability(&self) -> Availability {
        Availability::from_u8(self.inner.availability.0.load(Ordering::Acquire))
    }

    /// Pushes the service's own state: `Draining` makes `/readyz` fail at once (before any
    /// check), `Starting` keeps `/startupz` and `/readyz` at 503.
    pub fn set_availability(&self, availability: Availability) {
        let before = self
            .inner
            .availability
            .0
            .swap(availability.to_u8(), Ordering::AcqRel);
        if before != availability.to_u8() {
            self.inner.changed.send_modify(|g| *g += 1);
        }
    }

    /// A receiver that is marked changed whenever a new report is published or the
    /// availability changes: what a watcher (the gRPC `Watch`, a dashboard push) waits on
    /// before it looks at [`Readiness::snapshot`] and [`Readiness::availability`] again.
    pub fn changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.changed.subscribe()
    }

    /// Starts draining: `/readyz` fails from now on; returns after `period`, during which the
    /// service keeps serving so load balancers and endpoints controllers stop sending traffic.
    /// Call it on SIGTERM, then shut the server down gracefully.
    pub async fn drain(&self, period: Duration) {
        self.set_availability(Availability::Draining);
        tokio::time::sleep(period).await;
    }

    /// Whether item `id` is a rollback trigger ([`Item::rollback_trigger`], or named with
    /// [`ReadinessBuilder::rollback_trigger`]).
    pub fn is_rollback_trigger(&self, id: &str) -> bool {
        self.inner.runtime.is_trigger(id)
    }
}

impl ReadinessBuilder {
    /// POSTs a JSON body to `url` whenever a rollback trigger fires or clears:
    /// `{"id":…,"from":"pass","to":"fail","message":…,"fired":true}`. Failures to deliver are
    /// logged (`warn`), never retried in the evaluation path. Feature `http-client`.
    #[cfg(feature = "http-client")]
    pub fn rollback_webhook(self, url: impl Into<String>) -> Self {
        let url: String = url.into();
        let client = reqwest::Client::new();
        self.on_status_change(move |c: StatusChange| {
            let (url, client) = (url.clone(), client.clone());
            async move {
                if !c.trigger {
                    return;
                }
                let body = serde_json::json!({
                    "id": c.id,
                    "from": c.from.map(|s| s.as_str()),
                    "to": c.to.as_str(),
                    "message": c.message,
                    "fired": c.to == Status::Fail,
                });
                let sent = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(body.to_string())
                    .timeout(Duration::from_secs(5))
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status().is_success() => {}
                    Ok(r) => tracing::warn!(
                        status = r.status().as_u16(),
                        "rollback webhook refused the notification"
                    ),
                    Err(e) => {
                        tracing::warn!(error = %e.without_url(), "rollback webhook unreachable")
                    }
                }
            }
        })
    }

    /// Item `id` turns `fail` only after `fail_after` consecutive failed evaluations, and
    /// leaves `fail` only after `pass_after` consecutive good ones (each at least 1).
    pub fn hysteresis(mut self, id: impl Into<String>, fail_after: u32, pass_after: u32) -> Self {
        self.runtime
            .hysteresis
            .insert(id.into(), (fail_after.max(1), pass_after.max(1)));
        self
    }

    /// The hysteresis of every monitor item without its own (default none: 1 and 1).
    pub fn monitor_hysteresis(mut self, fail_after: u32, pass_after: u32) -> Self {
        self.runtime.monitor_hysteresis = Some((fail_after.max(1), pass_after.max(1)));
        self
    }

    /// Makes item `id` a rollback trigger too ([`Item::rollback_trigger`]): when it fails, the
    /// report recommends a rollback. An id the checklist lacks is a `build()` error.
    pub fn rollback_trigger(mut self, id: impl Into<String>) -> Self {
        self.runtime.triggers.push(id.into());
        self
    }

    /// Whether a fired trigger also fails readiness (unset: as each trigger item says).
    pub fn triggers_fail_readiness(mut self, fail: bool) -> Self {
        self.runtime.triggers_fail_readiness = Some(fail);
        self
    }

    /// Calls `listener` whenever an item's status changes (a trigger fires or clears, an item
    /// starts or stops failing). Each call runs in a task of its own.
    pub fn on_status_change<F, Fut>(mut self, listener: F) -> Self
    where
        F: Fn(StatusChange) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        self.runtime
            .listeners
            .push(Arc::new(move |c| Box::pin(listener(c))));
        self
    }
}
