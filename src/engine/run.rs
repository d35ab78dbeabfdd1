//! One evaluation: every item concurrently, dependencies first, each check timed out and
//! isolated in its own task, waivers applied, results cached per item.

use super::{Inner, Refresh};
use crate::check::Outcome;
use crate::model::{millis, rfc3339, Date, Item, Status};
use crate::report::ItemReport;
use futures::future::{join_all, BoxFuture, FutureExt, Shared};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::time::Instant;

/// An item's result and when it stops being fresh.
#[derive(Clone)]
pub(super) struct Cached {
    pub(super) report: Arc<ItemReport>,
    /// `None`: fresh for the life of the process.
    pub(super) expires: Option<Instant>,
}

impl Cached {
    pub(super) fn is_fresh(&self, now: Instant, refresh: Refresh) -> bool {
        match (refresh, self.expires) {
            (Refresh::All, _) => false,
            (_, None) => true,
            (Refresh::Finite, Some(_)) => false,
            (Refresh::Stale, Some(at)) => now < at,
        }
    }
}

type ItemFuture = Shared<BoxFuture<'static, Cached>>;

/// Evaluates the items at `indices` (with everything they depend on) and returns the results of
/// `indices`, in that order.
pub(super) async fn evaluate(
    inner: &Arc<Inner>,
    indices: &[usize],
    refresh: Refresh,
) -> Vec<Cached> {
    let now = Instant::now();
    let cached: Vec<Option<Cached>> = {
        let state = inner.lock();
        state.cache.clone()
    };
    let items = inner.checklist.items();
    let mut futures: Vec<Option<ItemFuture>> = vec![None; items.len()];
    let needed = inner.with_dependencies(indices);
    for &idx in &inner.order {
        if !needed[idx] {
            continue;
        }
        let fut: BoxFuture<'static, Cached> = match &cached[idx] {
            Some(c) if c.is_fresh(now, refresh) => futures::future::ready(c.clone()).boxed(),
            _ => {
                let deps: Vec<(String, ItemFuture)> = items[idx]
                    .depends_on
                    .iter()
                    .filter_map(|id| {
                        let d = inner.index.get(id.as_str())?;
                        Some((id.clone(), futures[*d].clone()?))
                    })
                    .collect();
                run_item(inner.clone(), idx, deps).boxed()
            }
        };
        futures[idx] = Some(fut.shared());
    }
    let all: Vec<(usize, ItemFuture)> = futures
        .into_iter()
        .enumerate()
        .filter_map(|(i, f)| Some((i, f?)))
        .collect();
    let (positions, pending): (Vec<usize>, Vec<ItemFuture>) = all.into_iter().unzip();
    // Drive every needed item, dependencies included, concurrently.
    let results = join_all(pending).await;
    let mut by_index: Vec<Option<Cached>> = vec![None; items.len()];
    {
        let mut state = inner.lock();
        for (i, c) in positions.into_iter().zip(results) {
            state.cache[i] = Some(c.clone());
            by_index[i] = Some(c);
        }
    }
    indices.iter().filter_map(|i| by_index[*i].take()).collect()
}

async fn run_item(inner: Arc<Inner>, idx: usize, deps: Vec<(String, ItemFuture)>) -> Cached {
    let item = &inner.checklist.items()[idx];
    let started = Instant::now();
    let mut blocked_by = None;
    for (id, dep) in deps {
        let result = dep.await;
        if matches!(result.report.status, Status::Fail | Status::Skipped) && blocked_by.is_none() {
            blocked_by = Some((id, result.report.status));
        }
    }
    let outcome = match (blocked_by, &item.check) {
        (Some((id, status)), _) => Outcome::new(
            Status::Skipped,
            format!(
                "skipped: depends on `{id}`, which {}",
                if status == Status::Fail {
                    "failed"
                } else {
                    "was skipped"
                }
            ),
        ),
        (None, None) => not_automated(item),
        (None, Some(check)) => run_check(&inner, item, check.clone()).await,
    };
    let elapsed = started.elapsed();
    let today = Date::from_system_time(inner.ctx.host().now());
    let outcome = apply_waiver(&inner, item, outcome, today);
    let ttl = item.ttl.unwrap_or_else(|| inner.settings.ttl_for(item));
    let expires = if item.check.is_none() {
        None
    } else {
        Instant::now().checked_add(ttl)
    };
    Cached {
        report: Arc::new(to_report(item, outcome, elapsed, inner.ctx.host().now())),
        expires,
    }
}

fn not_automated(item: &Item) -> Outcome {
    let mut o = Outcome::pending("not automated yet");
    if let Some(how) = &item.verified_by {
        o.message = format!("not automated yet; verified by: {how}");
        o = o.detail("verified_by", how);
    }
    o.remediation(format!(
        "bind a check to `{}` (Checklist::bind or #[prodready::check(item = \"{}\")])",
        item.id, item.id
    ))
}

async fn run_check(inner: &Arc<Inner>, item: &Item, check: Arc<dyn crate::Check>) -> Outcome {
    let timeout = item.timeout.unwrap_or(inner.settings.default_timeout);
    let ctx = inner.ctx.clone();
    // Each check runs in its own task: a panic stays there, and a check that blocks its thread
    // cannot stop the timeout (or other checks) from firing.
    let task = tokio::spawn(async move { check.run(&ctx).await });
    let abort = task.abort_handle();
    match tokio::time::timeout(timeout, task).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(e)) if e.is_panic() => {
            let panic = e.into_panic();
            let text = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a non-text panic payload".to_owned());
            Outcome::fail(format!("check panicked: {text}"))
                .remediation("a check must return an Outcome, not panic: fix the check")
        }
        Ok(Err(_)) => Outcome::fail("check was cancelled"),
        Err(_) => {
            abort.abort();
            Outcome::fail(format!(
                "timed out after {}",
                humantime::format_duration(timeout)
            ))
            .detail("timeout_ms", timeout.as_millis() as u64)
        }
    }
}

fn apply_waiver(inner: &Inner, item: &Item, mut outcome: Outcome, today: Date) -> Outcome {
    let Some(waiver) = inner
        .checklist
        .waivers()
        .iter()
        .find(|w| w.item_id == item.id)
    else {
        return outcome;
    };
    let until = waiver
        .expires()
        .map(|d| format!(" until {d}"))
        .unwrap_or_default();
    if waiver.applies_on(today) {
        outcome.message = format!(
            "waived{until}: {} (check says {}: {})",
            waiver.reason, outcome.status, outcome.message
        );
        outcome
            .details
            .insert("waived_status".into(), outcome.status.as_str().into());
        outcome
            .details
            .insert("waiver_reason".into(), waiver.reason.clone().into());
        outcome.status = Status::Waived;
    } else {
        outcome.message = format!(
            "{} (waiver expired{until}: {})",
            outcome.message, waiver.reason
        );
        outcome.details.insert(
            "waiver_expired".into(),
            waiver
                .expires()
                .map(|d| d.to_string())
                .unwrap_or_default()
                .into(),
        );
    }
    outcome
}

fn to_report(item: &Item, o: Outcome, elapsed: Duration, at: SystemTime) -> ItemReport {
    ItemReport {
        id: item.id.clone(),
        section: item.section.clone(),
        group: item.group.clone(),
        title: item.title.clone(),
        kind: item.kind,
        severity: item.severity,
        status: o.status,
        message: o.message,
        details: o.details,
        duration_ms: millis(elapsed),
        remediation: o.remediation.or_else(|| item.remediation.clone()),
        tags: item.tags.clone(),
        docs: item.docs.clone(),
        gates_readiness: item.gates_readiness,
        liveness: item.liveness,
        evaluated_at: rfc3339(at),
    }
}
