//! Answers that never wait for a check: the latest known report (stale-while-revalidate), the
//! liveness items' results, and what is answered before the first evaluation finished.

use super::{start_evaluation, Inner, Readiness, Refresh, Report};
use crate::model::{rfc3339, Gate};
use crate::report::ItemReport;
use arc_swap::ArcSwapOption;
use futures::future::{BoxFuture, FutureExt, Shared};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// The liveness items' results.
pub(super) type LiveItems = Arc<[Arc<ItemReport>]>;

/// The liveness evaluation in flight.
pub(super) type LiveFuture = Shared<BoxFuture<'static, LiveItems>>;

/// The reports the probes read on every request, published without a lock: the last whole
/// report and when it goes stale, the liveness results and when they go stale, and the startup
/// report. Written under the state's lock when an evaluation ends; read with an atomic load.
#[derive(Default)]
pub(super) struct Published {
    last: ArcSwapOption<(Arc<Report>, Option<Instant>)>,
    live: ArcSwapOption<(LiveItems, Option<Instant>)>,
    startup: ArcSwapOption<Report>,
}

impl Published {
    pub(super) fn set_last(&self, report: Arc<Report>, until: Option<Instant>) {
        self.last.store(Some(Arc::new((report, until))));
    }

    pub(super) fn set_startup(&self, report: Arc<Report>) {
        self.startup.store(Some(report));
    }

    fn set_live(&self, items: LiveItems, until: Option<Instant>) {
        self.live.store(Some(Arc::new((items, until))));
    }
}

fn fresh(until: Option<Instant>) -> bool {
    until.is_none_or(|t| Instant::now() < t)
}

/// The message of an item no evaluation has reached yet.
pub(crate) const NOT_EVALUATED: &str = "not evaluated yet: the first evaluation is still running";

impl Inner {
    /// A report of every item `pending` with `why`: what is known before the first evaluation
    /// finished. Neither ready nor started.
    pub(super) fn unevaluated(&self, why: &str) -> Report {
        let now = rfc3339(self.ctx.host().now());
        let items = self
            .checklist
            .items()
            .iter()
            .map(|item| {
                let pending = crate::check::Outcome::pending(why);
                Arc::new(super::run::to_report(
                    item,
                    pending,
                    Duration::ZERO,
                    now.clone(),
                ))
            })
            .collect();
        let mut report = Report::new(
            self.service.clone(),
            self.checklist.name().to_owned(),
            items,
            self.settings.pending_blocks,
            now,
            0.0,
        );
        report.mark_unevaluated();
        report
    }
}

impl Readiness {
    /// The latest complete report, at once, never waiting for a check. When it is stale (an item's
    /// TTL passed) an evaluation starts in the background on the check runtime and the next call
    /// sees its result. `None` until the first evaluation finished (this call starts one).
    ///
    /// This is what the probes answer from, so a slow, hanging or thread-blocking check never
    /// delays `/readyz`.
    pub fn snapshot(&self) -> Option<Arc<Report>> {
        let published = self.inner.published.last.load_full();
        if let Some(last) = &published {
            if fresh(last.1) {
                return Some(last.0.clone());
            }
        }
        // Stale or not there yet: start an evaluation, unless the lock is busy (an evaluation
        // storing its report, or another caller starting one); a probe never waits for it.
        let mut state = match self.inner.state.try_lock() {
            Ok(state) => state,
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => {
                return published.map(|last| last.0.clone())
            }
        };
        let stale = match &state.last {
            Some((_, until)) => until.is_some_and(|t| Instant::now() >= t),
            None => true,
        };
        if stale && state.inflight.is_none() {
            // Runs on the check runtime whether or not anyone awaits it.
            let _running = start_evaluation(&self.inner, &mut state, Refresh::Stale);
        }
        state.last.as_ref().map(|(r, _)| r.clone())
    }

    /// Whether `report` is the latest complete one (what the render cache keeps answers of).
    pub(crate) fn is_latest(&self, report: &Arc<Report>) -> bool {
        self.inner
            .published
            .last
            .load()
            .as_ref()
            .is_some_and(|last| Arc::ptr_eq(&last.0, report))
    }

    /// Whether `items` are the liveness results published last (not a placeholder).
    pub(crate) fn is_latest_liveness(&self, items: &Arc<[Arc<ItemReport>]>) -> bool {
        self.inner
            .published
            .live
            .load()
            .as_ref()
            .is_some_and(|live| Arc::ptr_eq(&live.0, items))
    }

    /// The latest report, waiting at most `deadline` for the first evaluation; after that, every
    /// item `pending` ("not evaluated yet"), neither ready nor started.
    pub async fn report_within(&self, deadline: Duration) -> Arc<Report> {
        if let Some(report) = self.snapshot() {
            return report;
        }
        let inflight = self.inner.lock().inflight.clone();
        if let Some(f) = inflight {
            if let Ok(report) = tokio::time::timeout(deadline, f).await {
                return report;
            }
        }
        Arc::new(self.inner.unevaluated(NOT_EVALUATED))
    }

    /// [`Readiness::report_within`] the builder's answer deadline.
    pub(crate) async fn report_for_answer(&self) -> Arc<Report> {
        self.report_within(self.inner.settings.answer_deadline)
            .await
    }

    /// The report the startup was judged on (the first complete evaluation, or the one
    /// [`Readiness::verify_startup`] made); `None` before.
    pub fn startup_report(&self) -> Option<Arc<Report>> {
        self.inner.published.startup.load_full()
    }

    /// The liveness items (and what they depend on), evaluated through the same cache and once
    /// for all concurrent callers, without waiting for the rest of the checklist.
    pub async fn liveness(&self) -> Arc<[Arc<ItemReport>]> {
        match self.live_state() {
            (_, Some(f)) => f.await,
            (known, None) => known.unwrap_or_else(|| Arc::from(Vec::new())),
        }
    }

    /// The liveness results for `/livez`: fresh ones at once; otherwise waits at most the answer
    /// deadline for the evaluation (started if none runs), then answers with what is known (the
    /// stale results, or every liveness item `pending`).
    pub(crate) async fn liveness_within(&self) -> Arc<[Arc<ItemReport>]> {
        let (known, running) = self.live_state();
        let Some(f) = running else {
            return known.unwrap_or_else(|| Arc::from(Vec::new()));
        };
        match tokio::time::timeout(self.inner.settings.answer_deadline, f).await {
            Ok(items) => items,
            Err(_) => known.unwrap_or_else(|| {
                let placeholder = self.inner.unevaluated(NOT_EVALUATED);
                placeholder
                    .items
                    .iter()
                    .filter(|i| i.gate == Gate::Liveness)
                    .cloned()
                    .collect()
            }),
        }
    }

    /// The liveness results if fresh (`(Some, None)`), else the evaluation that brings them (and
    /// the stale ones, if any).
    fn live_state(&self) -> (Option<LiveItems>, Option<LiveFuture>) {
        if let Some(live) = &*self.inner.published.live.load() {
            if fresh(live.1) {
                return (Some(live.0.clone()), None);
            }
        }
        let mut state = self.inner.lock();
        let known = state.live.as_ref().map(|(items, _)| items.clone());
        let fresh = state
            .live
            .as_ref()
            .is_some_and(|(_, until)| until.is_none_or(|t| Instant::now() < t));
        if fresh {
            return (known, None);
        }
        if let Some(f) = &state.live_inflight {
            return (known, Some(f.clone()));
        }
        let inner = self.inner.clone();
        let task = self.inner.spawner.spawn(async move {
            let indices: Vec<usize> = (0..inner.checklist.items().len())
                .filter(|i| inner.checklist.items()[*i].get_gate() == Gate::Liveness)
                .collect();
            let results = super::run::evaluate(&inner, &indices, Refresh::Stale).await;
            let expires = results.iter().filter_map(|c| c.expires).min();
            let items: Arc<[Arc<ItemReport>]> = results.into_iter().map(|c| c.report).collect();
            let mut state = inner.lock();
            state.live = Some((items.clone(), expires));
            inner.published.set_live(items.clone(), expires);
            state.live_inflight = None;
            items
        });
        let weak = Arc::downgrade(&self.inner);
        let f = async move {
            match task.await {
                Ok(items) => items,
                Err(_) => {
                    if let Some(inner) = weak.upgrade() {
                        inner.lock().live_inflight = None;
                    }
                    Arc::from(Vec::new())
                }
            }
        }
        .boxed()
        .shared();
        state.live_inflight = Some(f.clone());
        (known, Some(f))
    }
}
