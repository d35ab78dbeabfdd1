//! One evaluation: every item concurrently, dependencies first, each check timed out and
//! isolated in its own task, waivers applied, results cached per item.

use super::{Inner, Refresh};
use crate::check::Outcome;
use crate::model::{millis, rfc3339, Date, Gate, Item, Status};
use crate::report::ItemReport;
use futures::future::{join_all, BoxFuture, FutureExt, Shared};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;
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

/// A dependency as an item sees it: already known, or still running.
enum Dep {
    Known(Cached),
    Running(ItemFuture),
}

/// What every item of one evaluation shares: the day (for waivers) and the timestamp.
struct Stamp {
    today: Date,
    at: String,
}

/// Evaluates the items at `indices` (with everything they depend on) and returns the results of
/// `indices`, in that order.
pub(super) async fn evaluate(
    inner: &Arc<Inner>,
    indices: &[usize],
    refresh: Refresh,
) -> Vec<Cached> {
    let now = Instant::now();
    let wall = inner.ctx.host().now();
    let stamp = Arc::new(Stamp {
        today: Date::from_system_time(wall),
        at: rfc3339(wall),
    });
    let mut results: Vec<Option<Cached>> = inner.lock().cache.clone();
    let items = inner.checklist.items();
    let needed = inner.with_dependencies(indices);
    let mut has_dependents = vec![false; items.len()];
    for (i, item) in items.iter().enumerate() {
        if needed[i] {
            for dep in &item.depends_on {
                if let Some(&d) = inner.index.get(dep.as_str()) {
                    has_dependents[d] = true;
                }
            }
        }
    }
    // Items to run, dependencies first; items others wait for are shared futures.
    let mut shared: Vec<Option<ItemFuture>> = vec![None; items.len()];
    let mut running: Vec<BoxFuture<'static, (usize, Cached)>> = Vec::new();
    for &idx in &inner.order {
        if !needed[idx] {
            continue;
        }
        if results[idx]
            .as_ref()
            .is_some_and(|c| c.is_fresh(now, refresh))
        {
            continue;
        }
        let deps: Vec<(String, Dep)> = items[idx]
            .depends_on
            .iter()
            .filter_map(|id| {
                let d = *inner.index.get(id.as_str())?;
                let dep = match (&shared[d], &results[d]) {
                    (Some(f), _) => Dep::Running(f.clone()),
                    (None, Some(c)) => Dep::Known(c.clone()),
                    (None, None) => return None,
                };
                Some((id.clone(), dep))
            })
            .collect();
        let fut = run_item(inner.clone(), idx, deps, stamp.clone());
        if has_dependents[idx] {
            let f = fut.boxed().shared();
            shared[idx] = Some(f.clone());
            running.push(f.map(move |c| (idx, c)).boxed());
        } else {
            running.push(fut.map(move |c| (idx, c)).boxed());
        }
    }
    let fresh = join_all(running).await;
    {
        let mut state = inner.lock();
        for (idx, c) in fresh {
            state.cache[idx] = Some(c.clone());
            results[idx] = Some(c);
        }
    }
    indices.iter().filter_map(|i| results[*i].take()).collect()
}

async fn run_item(
    inner: Arc<Inner>,
    idx: usize,
    deps: Vec<(String, Dep)>,
    stamp: Arc<Stamp>,
) -> Cached {
    let item = &inner.checklist.items()[idx];
    let started = Instant::now();
    let mut blocked_by = None;
    for (id, dep) in deps {
        let status = match dep {
            Dep::Known(c) => c.report.status,
            Dep::Running(f) => f.await.report.status,
        };
        if matches!(status, Status::Fail | Status::Skipped) && blocked_by.is_none() {
            blocked_by = Some((id, status));
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
    let outcome = super::runtime::damp(&inner, idx, item, outcome);
    let outcome = apply_waiver(&inner, item, outcome, stamp.today);
    let ttl = item.ttl.unwrap_or_else(|| inner.settings.ttl_for(item));
    let expires = if item.check.is_none() {
        None
    } else {
        Instant::now().checked_add(ttl)
    };
    let mut report = to_report(item, outcome, elapsed, stamp.at.clone());
    if let Some(gates) = inner.runtime.triggers_fail_readiness {
        if inner.runtime.is_trigger(&item.id) {
            // `true`: a fired trigger takes the pod out of rotation; `false`: reported only.
            if gates {
                report.gate = Gate::Readiness;
                report.severity = crate::Severity::Blocking;
            } else {
                report.gate = Gate::None;
            }
        }
    }
    Cached {
        report: Arc::new(report),
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

/// How late a timer may fire before the evaluation says the check runtime stalled, rather than
/// blaming the check whose timeout fired.
fn stall_slack(timeout: Duration) -> Duration {
    (timeout / 10).max(Duration::from_millis(250))
}

/// One poll longer than this means the check blocked its thread.
const BLOCKING_POLL: Duration = Duration::from_millis(100);

async fn run_check(inner: &Arc<Inner>, item: &Item, check: Arc<dyn crate::Check>) -> Outcome {
    let timeout = item.timeout.unwrap_or(inner.settings.default_timeout);
    let ctx = inner.ctx.for_item(&item.id);
    let polls = PollClock::spawned();
    let work: BoxFuture<'static, Outcome> = Box::pin(async move { check.run(&ctx).await });
    let work = Timed {
        work: AssertUnwindSafe(work).catch_unwind(),
        clock: polls.clone(),
    };
    let started = Instant::now();
    // Every check is a task of its own on the check runtime: a panic stays there, and a check
    // that blocks its thread (before or after it first waits) holds up only that thread.
    let task = inner.spawner.spawn(work);
    let abort = task.abort_handle();
    let answered = tokio::time::timeout(timeout, task).await;
    let elapsed = started.elapsed();
    let ms = |d: Duration| humantime::format_duration(Duration::from_millis(d.as_millis() as u64));
    let limit = humantime::format_duration(timeout);
    let blocked = polls.longest(tokio::time::Instant::now());
    // A poll this long blocked its thread: 100 ms, or half the timeout for shorter ones.
    let blocking = BLOCKING_POLL.min(timeout / 2);
    let result = match answered {
        Ok(Ok(result)) if elapsed <= timeout + stall_slack(timeout) => result,
        // It answered after its own deadline, and its timer did not fire in time either.
        Ok(Ok(_)) if blocked >= blocking => {
            // It held its thread itself: that is this check's failure.
            return Outcome::fail(format!(
                "answered after {}, over its {limit} timeout: the check blocked its thread for {} without waiting",
                ms(elapsed),
                ms(blocked)
            ))
            .remediation(BLOCKING_REMEDIATION)
            .detail("timeout_ms", timeout.as_millis() as u64)
            .detail("elapsed_ms", elapsed.as_millis() as u64)
            .detail("blocked_ms", blocked.as_millis() as u64);
        }
        Ok(Ok(_)) => return stalled(limit, timeout, elapsed.saturating_sub(timeout)),
        Ok(Err(e)) => return Outcome::fail(format!("check task ended abnormally: {e}")),
        Err(_) => {
            abort.abort();
            if blocked >= blocking {
                return Outcome::fail(format!(
                    "timed out after {limit}: the check blocked its thread for {} without waiting",
                    ms(blocked)
                ))
                .detail("timeout_ms", timeout.as_millis() as u64)
                .detail("blocked_ms", blocked.as_millis() as u64)
                .remediation(BLOCKING_REMEDIATION);
            }
            let late = elapsed.saturating_sub(timeout);
            if late > stall_slack(timeout) {
                return stalled(limit, timeout, late);
            }
            let now = Instant::now();
            let queued = polls.queued(now);
            if polls.needs_a_thread() && queued > stall_slack(timeout) {
                // Its timer fired on time while the check wanted a thread (ready to run, or just
                // given one), and it had spent that much of its time waiting for one: the check
                // runtime's threads were held by other checks. A check that was waiting on
                // something else when its time ran out is blamed for it.
                return starved(limit, timeout, queued);
            }
            return Outcome::fail(format!("timed out after {limit}"))
                .detail("timeout_ms", timeout.as_millis() as u64);
        }
    };
    result.unwrap_or_else(|panic| {
        let text = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a non-text panic payload".to_owned());
        Outcome::fail(format!("check panicked: {text}"))
            .remediation("a check must return an Outcome, not panic: fix the check")
    })
}

/// What the report says when timers ran late: the longest stall and the checks that blocked.
pub(super) fn stall_summary(items: &[Arc<ItemReport>]) -> Option<String> {
    let ms = |i: &ItemReport, key: &str| i.details.get(key).and_then(serde_json::Value::as_u64);
    let stalled = items.iter().filter_map(|i| ms(i, "stalled_ms")).max()?;
    let blockers: Vec<&str> = items
        .iter()
        .filter(|i| ms(i, "blocked_ms").is_some())
        .map(|i| i.id.as_str())
        .collect();
    let starved = items
        .iter()
        .filter(|i| ms(i, "stalled_ms").is_some())
        .count();
    Some(format!(
        "the check runtime stalled for up to {stalled} ms, so {starved} item(s) were not judged; {}",
        if blockers.is_empty() {
            "no check was seen blocking its thread (the machine itself may be overloaded)".to_owned()
        } else {
            format!("blocked by: {}", blockers.join(", "))
        }
    ))
}

/// The verdict of a check whose timer fired late because the check runtime stalled: its own
/// time is unknown, so it is not blamed.
fn stalled(limit: humantime::FormattedDuration, timeout: Duration, late: Duration) -> Outcome {
    let ms = humantime::format_duration(Duration::from_millis(late.as_millis() as u64));
    not_judged(
        format!("its {limit} timeout fired {ms} late"),
        timeout,
        late,
    )
}

/// The verdict of a check that, when its timeout fired, had spent that long ready to run without
/// a thread: it is not blamed, and the report names the checks that held the threads.
fn starved(limit: humantime::FormattedDuration, timeout: Duration, queued: Duration) -> Outcome {
    let ms = humantime::format_duration(Duration::from_millis(queued.as_millis() as u64));
    not_judged(
        format!("of its {limit} timeout it spent {ms} waiting for a thread"),
        timeout,
        queued,
    )
}

/// A check the stalled runtime kept from its time (`lost` of it): `warn`, never blamed.
fn not_judged(what: String, timeout: Duration, lost: Duration) -> Outcome {
    Outcome::warn(format!(
        "not judged: {what} because the check runtime was stalled (another check blocked its thread)"
    ))
    .detail("timeout_ms", timeout.as_millis() as u64)
    .detail("stalled_ms", lost.as_millis() as u64)
    .remediation("find the check that blocked its thread (its own item says so) and fix it; this item is judged again on the next evaluation")
}

const BLOCKING_REMEDIATION: &str =
    "use async I/O, or move blocking work into tokio::task::spawn_blocking";

/// The longest single poll of a check, the start of the poll in progress (a poll that has not
/// returned yet is a thread being blocked right now), and how long it has waited for a thread
/// (woken, or spawned, and not polled yet), in all and right now.
struct PollClock {
    state: std::sync::Mutex<Polls>,
}

#[derive(Clone, Copy)]
struct Polls {
    running_since: Option<Instant>,
    longest: Duration,
    runnable_since: Option<Instant>,
    queued: Duration,
}

impl PollClock {
    /// The clock of a check spawned now: runnable, not polled yet.
    fn spawned() -> Arc<Self> {
        Arc::new(PollClock {
            state: std::sync::Mutex::new(Polls {
                running_since: None,
                longest: Duration::ZERO,
                runnable_since: Some(Instant::now()),
                queued: Duration::ZERO,
            }),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Polls> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn longest(&self, now: Instant) -> Duration {
        let polls = *self.lock();
        polls.running_since.map_or(polls.longest, |s| {
            polls.longest.max(now.saturating_duration_since(s))
        })
    }

    /// Whether the check is ready to run or running: it was not waiting on anything else.
    fn needs_a_thread(&self) -> bool {
        let polls = *self.lock();
        polls.runnable_since.is_some() || polls.running_since.is_some()
    }

    /// How long, in all, the check has been ready to run without getting a thread.
    fn queued(&self, now: Instant) -> Duration {
        let polls = *self.lock();
        polls.queued
            + polls
                .runnable_since
                .map_or(Duration::ZERO, |s| now.saturating_duration_since(s))
    }
}

/// The waker a check's future sees: records when the check became ready to run, then wakes its
/// task as usual.
struct Recorder {
    clock: Arc<PollClock>,
    task: std::task::Waker,
}

impl std::task::Wake for Recorder {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.clock
            .lock()
            .runnable_since
            .get_or_insert_with(Instant::now);
        self.task.wake_by_ref();
    }
}

pin_project_lite::pin_project! {
    /// Times every poll of the wrapped future, and how long it waits for a thread between them.
    struct Timed<F> {
        #[pin]
        work: F,
        clock: Arc<PollClock>,
    }
}

impl<F: std::future::Future> std::future::Future for Timed<F> {
    type Output = F::Output;

    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let start = Instant::now();
        {
            let mut state = this.clock.lock();
            state.running_since = Some(start);
            if let Some(since) = state.runnable_since.take() {
                state.queued += start.saturating_duration_since(since);
            }
        }
        let waker = std::task::Waker::from(Arc::new(Recorder {
            clock: this.clock.clone(),
            task: cx.waker().clone(),
        }));
        let out = this.work.poll(&mut std::task::Context::from_waker(&waker));
        let end = Instant::now();
        let mut state = this.clock.lock();
        state.running_since = None;
        state.longest = state.longest.max(end.saturating_duration_since(start));
        // Woken while it ran: it waits for a thread only from the end of this poll.
        if let Some(since) = state.runnable_since.as_mut() {
            *since = (*since).max(end);
        }
        out
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
        if let Some(last) = waiver.expires() {
            outcome
                .details
                .insert("waiver_expires".into(), last.to_string().into());
        }
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

pub(super) fn to_report(
    item: &Item,
    o: Outcome,
    elapsed: Duration,
    evaluated_at: String,
) -> ItemReport {
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
        gate: item.get_gate(),
        bound_by: item.bound_by.clone(),
        evaluated_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use std::task::{Context, Waker};

    /// Pending on its first poll, keeping the waker it was given; ready on the next.
    struct Once {
        waker: Arc<std::sync::Mutex<Option<Waker>>>,
        polled: bool,
    }

    impl Future for Once {
        type Output = ();
        fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.polled {
                return Poll::Ready(());
            }
            self.polled = true;
            *self.waker.lock().unwrap() = Some(cx.waker().clone());
            Poll::Pending
        }
    }

    #[test]
    fn a_check_is_queued_from_its_spawn_and_each_wake_until_it_is_polled_in_all() {
        let kept = Arc::new(std::sync::Mutex::new(None));
        let clock = PollClock::spawned();
        let mut timed = Box::pin(Timed {
            work: Once {
                waker: kept.clone(),
                polled: false,
            },
            clock: clock.clone(),
        });
        std::thread::sleep(Duration::from_millis(20));
        assert!(clock.queued(Instant::now()) >= Duration::from_millis(20));
        let mut cx = Context::from_waker(Waker::noop());
        assert!(timed.as_mut().poll(&mut cx).is_pending());
        let first = clock.queued(Instant::now());
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(clock.queued(Instant::now()), first, "waiting, not queued");
        kept.lock().unwrap().take().unwrap().wake();
        std::thread::sleep(Duration::from_millis(20));
        assert!(clock.queued(Instant::now()) >= first + Duration::from_millis(20));
        assert!(timed.as_mut().poll(&mut cx).is_ready());
        let all = clock.queued(Instant::now());
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(clock.queued(Instant::now()), all, "done, not queued");
    }

    /// Wakes itself, then holds its thread for 30 ms, and is pending.
    struct WakesThenWorks;

    impl Future for WakesThenWorks {
        type Output = ();
        fn poll(self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            cx.waker().wake_by_ref();
            std::thread::sleep(Duration::from_millis(30));
            Poll::Pending
        }
    }

    #[test]
    fn a_wake_during_a_poll_queues_the_check_only_from_the_end_of_the_poll() {
        let clock = PollClock::spawned();
        let mut timed = Box::pin(Timed {
            work: WakesThenWorks,
            clock: clock.clone(),
        });
        let mut cx = Context::from_waker(Waker::noop());
        assert!(timed.as_mut().poll(&mut cx).is_pending());
        let after = clock.queued(Instant::now());
        assert!(after < Duration::from_millis(30), "{after:?}");
        assert!(clock.needs_a_thread(), "woken: ready to run");
        assert!(clock.longest(Instant::now()) >= Duration::from_millis(30));
    }
}
