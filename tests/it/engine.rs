//! Evaluation: concurrency, timeouts, panics, dependencies, cache, single flight, waivers.

use crate::common::*;
use prodready::testing::FakeHost;
use prodready::{check_fn, Checklist, Outcome, Severity, Status, Waiver};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::time::Instant;

#[tokio::test(start_paused = true)]
async fn checks_run_concurrently_total_is_the_slowest() {
    let runs = Arc::new(AtomicUsize::new(0));
    let mut c = Checklist::new("c");
    for i in 0..20 {
        let delay = Duration::from_millis(100 * (i % 10 + 1));
        c = c.item(item(&format!("slow {i}")).check(counting(&runs, delay, Outcome::pass("ok"))));
    }
    let r = paused(c);
    let start = Instant::now();
    let report = r.evaluate().await;
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(1),
        "the slowest check takes 1 s; 20 in a row would take 11 s"
    );
    assert_eq!(runs.load(Ordering::SeqCst), 20);
    assert_eq!(report.summary.pass, 20);
    let slowest = report
        .items
        .iter()
        .map(|i| i.duration_ms)
        .fold(0.0, f64::max);
    assert!((1000.0..1100.0).contains(&slowest), "{slowest}");
}

#[tokio::test(start_paused = true)]
async fn a_hanging_check_times_out_and_the_others_still_report() {
    let c = Checklist::new("c")
        .item(
            item("hangs")
                .timeout(Duration::from_secs(2))
                .check(check_fn(|_ctx| std::future::pending::<Outcome>())),
        )
        .item(item("fine").check(pass()));
    let r = paused(c);
    let start = Instant::now();
    let report = r.evaluate().await;
    assert_eq!(start.elapsed(), Duration::from_secs(2));
    let hung = report.item(&id("hangs")).unwrap();
    assert_eq!(hung.status, Status::Fail);
    assert_eq!(hung.message, "timed out after 2s");
    assert_eq!(hung.details["timeout_ms"], 2000);
    assert_eq!(report.item(&id("fine")).unwrap().status, Status::Pass);
    assert!(!report.ready);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_that_blocks_its_thread_after_waiting_still_times_out() {
    let c = Checklist::new("c")
        .item(
            item("blocks")
                .timeout(Duration::from_millis(200))
                .check(check_fn(|_ctx| async {
                    tokio::task::yield_now().await;
                    std::thread::sleep(Duration::from_secs(2));
                    Outcome::pass("too late")
                })),
        )
        .item(item("fine").check(pass()));
    let r = readiness(c);
    let start = std::time::Instant::now();
    let report = r.evaluate().await;
    assert!(
        start.elapsed() < Duration::from_millis(1500),
        "{:?}",
        start.elapsed()
    );
    assert!(
        report.items[0]
            .message
            .starts_with("timed out after 200ms: the check blocked its thread for 2"),
        "{}",
        report.items[0].message
    );
    assert_eq!(report.items[1].status, Status::Pass);
}

#[tokio::test]
async fn a_check_that_blocks_before_it_first_waits_is_named_as_blocking() {
    let c = Checklist::new("c").item(item("blocks").timeout(Duration::from_millis(50)).check(
        check_fn(|_ctx| async {
            std::thread::sleep(Duration::from_millis(120));
            Outcome::pass("too late")
        }),
    ));
    let report = readiness(c).evaluate().await;
    let item = &report.items[0];
    assert_eq!(item.status, Status::Fail);
    assert!(
        item.message
            .starts_with("timed out after 50ms: the check blocked its thread for "),
        "{}",
        item.message
    );
    assert_eq!(
        item.remediation.as_deref(),
        Some("use async I/O, or move blocking work into tokio::task::spawn_blocking")
    );
}

#[tokio::test]
async fn a_panic_after_the_check_first_waits_is_caught_too() {
    let c = Checklist::new("c").item(item("late panic").check(check_fn(|_ctx| async {
        tokio::task::yield_now().await;
        panic!("late")
    })));
    assert_eq!(
        readiness(c).evaluate().await.items[0].message,
        "check panicked: late"
    );
}

#[tokio::test]
async fn a_panicking_check_fails_with_the_panic_message() {
    let c = Checklist::new("c")
        .item(item("panics").check(check_fn(|_ctx| async {
            let v: Vec<u8> = Vec::new();
            if v.is_empty() {
                panic!("boom at {}", 42);
            }
            Outcome::pass("unreachable")
        })))
        .item(item("static panic").check(check_fn(|_ctx| async { panic!("static") })))
        .item(item("fine").check(pass()));
    let r = readiness(c);
    let report = r.evaluate().await;
    assert_eq!(
        report.item(&id("panics")).unwrap().message,
        "check panicked: boom at 42"
    );
    assert_eq!(
        report.item(&id("static panic")).unwrap().message,
        "check panicked: static"
    );
    assert_eq!(report.item(&id("fine")).unwrap().status, Status::Pass);
    // The engine survives: a second evaluation works.
    assert_eq!(r.evaluate_fresh().await.summary.fail, 2);
}

#[tokio::test]
async fn dependents_of_a_failure_are_skipped_and_run_after_their_dependencies() {
    let order = Arc::new(Mutex::new(Vec::new()));
    let recording = |name: &'static str, outcome: Outcome| {
        let order = order.clone();
        check_fn(move |_ctx| {
            let order = order.clone();
            let outcome = outcome.clone();
            async move {
                tokio::time::sleep(Duration::from_millis(if name == "base" { 50 } else { 0 }))
                    .await;
                order.lock().unwrap().push(name);
                outcome
            }
        })
    };
    let c = Checklist::new("c")
        .item(
            item("top")
                .depends_on([id("base")])
                .check(recording("top", Outcome::pass("ok"))),
        )
        .item(item("base").check(recording("base", Outcome::pass("ok"))))
        .item(item("db").check(fail("db down")))
        .item(item("migrations").depends_on([id("db")]).check(pass()))
        .item(item("reports").depends_on([id("migrations")]).check(pass()));
    let r = readiness(c);
    let report = r.evaluate().await;
    assert_eq!(*order.lock().unwrap(), ["base", "top"]);
    let m = report.item(&id("migrations")).unwrap();
    assert_eq!(m.status, Status::Skipped);
    assert_eq!(
        m.message,
        "skipped: depends on `tests.engine.db`, which failed"
    );
    let rep = report.item(&id("reports")).unwrap();
    assert_eq!(rep.status, Status::Skipped);
    assert_eq!(
        rep.message,
        "skipped: depends on `tests.engine.migrations`, which was skipped"
    );
}

#[tokio::test(start_paused = true)]
async fn results_are_cached_for_their_ttl() {
    let runs = Arc::new(AtomicUsize::new(0));
    let c = Checklist::new("c").item(item("probe").ttl(Duration::from_secs(10)).check(counting(
        &runs,
        Duration::ZERO,
        Outcome::pass("ok"),
    )));
    let r = paused(c);
    let first = r.evaluate().await;
    let second = r.evaluate().await;
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert!(
        Arc::ptr_eq(&first, &second),
        "a fresh report is served as is"
    );
    tokio::time::advance(Duration::from_secs(11)).await;
    r.evaluate().await;
    assert_eq!(runs.load(Ordering::SeqCst), 2);
    r.evaluate_fresh().await;
    assert_eq!(runs.load(Ordering::SeqCst), 3);
}

#[tokio::test(start_paused = true)]
async fn evidence_is_evaluated_once_per_process_while_probes_refresh() {
    let probe_runs = Arc::new(AtomicUsize::new(0));
    let evidence_runs = Arc::new(AtomicUsize::new(0));
    let c = Checklist::new("c")
        .item(item("probe").check(counting(&probe_runs, Duration::ZERO, Outcome::pass("ok"))))
        .item(
            item("evidence")
                .kind(prodready::Kind::Evidence)
                .check(counting(
                    &evidence_runs,
                    Duration::ZERO,
                    Outcome::pass("ok"),
                )),
        );
    let r = paused(c);
    r.evaluate().await;
    tokio::time::advance(Duration::from_secs(6)).await; // past the default 5 s probe TTL
    r.evaluate().await;
    r.refresh().await;
    assert_eq!(probe_runs.load(Ordering::SeqCst), 3);
    assert_eq!(evidence_runs.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_callers_share_one_evaluation() {
    let runs = Arc::new(AtomicUsize::new(0));
    let c = Checklist::new("c").item(item("db").check(counting(
        &runs,
        Duration::from_millis(200),
        Outcome::pass("ok"),
    )));
    let r = readiness(c);
    let calls: Vec<_> = (0..50)
        .map(|_| {
            let r = r.clone();
            tokio::spawn(async move { r.evaluate().await })
        })
        .collect();
    let reports: Vec<_> = futures::future::join_all(calls)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        runs.load(Ordering::SeqCst),
        1,
        "a storm of callers runs the check once"
    );
    assert!(reports.iter().all(|rep| Arc::ptr_eq(rep, &reports[0])));
}

#[tokio::test(start_paused = true)]
async fn the_refresher_keeps_results_fresh_and_stops_with_the_readiness() {
    let runs = Arc::new(AtomicUsize::new(0));
    let c = Checklist::new("c").item(item("db").check(counting(
        &runs,
        Duration::ZERO,
        Outcome::pass("ok"),
    )));
    let r = paused(c);
    let task = r.spawn_refresher(Duration::from_secs(1));
    tokio::time::sleep(Duration::from_millis(3500)).await;
    assert_eq!(runs.load(Ordering::SeqCst), 4, "ticks at 0, 1, 2 and 3 s");
    drop(r);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(task.is_finished());
    assert_eq!(runs.load(Ordering::SeqCst), 4);
}

/// Noon UTC of the day `s` (`YYYY-MM-DD`, from 2026 on).
fn day(s: &str) -> SystemTime {
    let wanted: prodready::Date = s.parse().unwrap();
    let mut t = UNIX_EPOCH + Duration::from_secs(1_767_225_600 + 43_200); // 2026-01-01T12:00:00Z
    while prodready::Date::from_system_time(t) < wanted {
        t += Duration::from_secs(86_400);
    }
    t
}

#[tokio::test]
async fn a_waiver_applies_until_its_last_day_then_says_it_expired() {
    let checklist = || {
        Checklist::new("c")
            .item(item("signed").check(fail("no signature")))
            .waive(Waiver::new(id("signed"), "internal tool").until("2027-01-31"))
    };
    let on = |date: &str| readiness_on(checklist(), FakeHost::new().at(day(date)));
    let report = on("2027-01-31").evaluate().await;
    let item = &report.items[0];
    assert_eq!(item.status, Status::Waived);
    assert_eq!(
        item.message,
        "waived until 2027-01-31: internal tool (check says fail: no signature)"
    );
    assert_eq!(item.details["waived_status"], "fail");
    assert!(report.ready && report.compliant);

    let report = on("2027-02-01").evaluate().await;
    let item = &report.items[0];
    assert_eq!(item.status, Status::Fail);
    assert_eq!(
        item.message,
        "no signature (waiver expired until 2027-01-31: internal tool)"
    );
    assert_eq!(item.details["waiver_expired"], "2027-01-31");
    assert!(!report.ready);
}

#[tokio::test]
async fn readiness_depends_on_blocking_items_only() {
    let c = Checklist::new("c")
        .item(
            item("warning")
                .severity(Severity::Warning)
                .check(fail("meh")),
        )
        .item(
            item("ungated")
                .gate(prodready::Gate::None)
                .check(fail("meh")),
        )
        .item(item("pending"));
    let report = readiness(c.clone()).evaluate().await;
    assert!(report.ready);
    assert_eq!(report.status, Status::Warn);
    assert!(!report.compliant);
    assert_eq!(report.item(&id("pending")).unwrap().status, Status::Pending);
    assert_eq!(
        report.item(&id("pending")).unwrap().message,
        "not automated yet"
    );

    let strict_pending = prodready::Readiness::builder()
        .checklist(c)
        .host(FakeHost::new())
        .registered_checks(false)
        .pending_blocks(true)
        .build()
        .unwrap();
    assert!(!strict_pending.evaluate().await.ready);
}

#[tokio::test]
async fn build_reports_every_checklist_problem_at_once() {
    let c = Checklist::new("c")
        .item(item("a").depends_on(["tests.engine.nope"]))
        .bind("tests.engine.b", pass())
        .waive(Waiver::new("tests.engine.a", "r").until("tomorrow"));
    let err = prodready::Readiness::builder()
        .checklist(c)
        .registered_checks(false)
        .default_timeout(std::time::Duration::ZERO)
        .build()
        .expect_err("invalid");
    // The setting and the three checklist problems, each on its own, in one error.
    let kinds: Vec<_> = err
        .problems()
        .iter()
        .map(|p| matches!(p, prodready::BuildProblem::Checklist(_)))
        .collect();
    assert_eq!(kinds, [false, true, true, true], "{err}");
    let text = err.to_string();
    assert!(
        text.starts_with("the readiness cannot be built: 4 problems:\n  - default_timeout"),
        "{text}"
    );
    assert!(
        text.contains("`tests.engine.a` depends on `tests.engine.nope`"),
        "{text}"
    );
    assert!(text.contains("edit names `tests.engine.b`"), "{text}");
    assert!(text.contains("`tomorrow` is not a date"), "{text}");
}

#[tokio::test]
async fn checks_read_resources_and_the_host() {
    #[derive(Debug)]
    struct Config {
        region: &'static str,
    }
    let c = Checklist::new("c")
        .item(item("resource").check(check_fn(|ctx| async move {
            match ctx.require::<Config>() {
                Ok(cfg) => Outcome::pass(format!("region {}", cfg.region)),
                Err(o) => o,
            }
        })))
        .item(item("missing").check(check_fn(|ctx| async move {
            match ctx.require::<String>() {
                Ok(_) => Outcome::pass("?"),
                Err(o) => o,
            }
        })))
        .item(item("env").check(check_fn(|ctx| async move {
            Outcome::pass(ctx.host().env("APP_MODE").unwrap_or_default())
                .detail("uid", ctx.host().uid().map(|i| i.effective).ok())
        })));
    let r = prodready::Readiness::builder()
        .checklist(c)
        .host(
            FakeHost::new()
                .env("APP_MODE", "production")
                .with_uid(1000, 1000),
        )
        .resource(Config { region: "eu-1" })
        .registered_checks(false)
        .build()
        .unwrap();
    let report = r.evaluate().await;
    assert_eq!(report.item(&id("resource")).unwrap().message, "region eu-1");
    let missing = report.item(&id("missing")).unwrap();
    assert_eq!(missing.status, Status::Fail);
    assert_eq!(
        missing.message,
        "no resource of type `alloc::string::String` was given to the readiness builder"
    );
    let env = report.item(&id("env")).unwrap();
    assert_eq!(env.message, "production");
    assert_eq!(env.details["uid"], 1000);
}

/// Where a check ran, and where its service I/O ran (thread names).
type Seen = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A readiness whose one check records where it and its `on_service_runtime` work run.
fn io_readiness(seen: &Seen, runtime: prodready::CheckRuntime) -> prodready::Readiness {
    io_readiness_with(seen, runtime, |b| b)
}

/// The same, with more of the builder.
fn io_readiness_with(
    seen: &Seen,
    runtime: prodready::CheckRuntime,
    configure: impl FnOnce(prodready::ReadinessBuilder) -> prodready::ReadinessBuilder,
) -> prodready::Readiness {
    let seen = seen.clone();
    let check = check_fn(move |ctx| {
        let seen = seen.clone();
        async move {
            let name = || std::thread::current().name().unwrap_or("").to_owned();
            let here = name();
            let there = ctx.on_service_runtime(async move { name() }).await;
            seen.lock().unwrap().push((here, there));
            Outcome::pass("done")
        }
    });
    let builder = prodready::Readiness::builder()
        .checklist(Checklist::new("C").item(item("Io").check(check)))
        .registered_checks(false)
        .check_runtime(runtime);
    configure(builder).build().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_does_its_service_io_on_the_runtime_that_built_the_readiness() {
    let seen = Seen::default();
    io_readiness(&seen, prodready::CheckRuntime::default())
        .evaluate()
        .await;
    io_readiness(&seen, prodready::CheckRuntime::Current)
        .evaluate()
        .await;
    // Built outside any runtime: the work runs where the check does.
    let outside = {
        let seen = seen.clone();
        std::thread::spawn(move || io_readiness(&seen, prodready::CheckRuntime::default()))
            .join()
            .unwrap()
    };
    outside.evaluate().await;
    // Built outside, and given the service's runtime.
    let given = {
        let (seen, handle) = (seen.clone(), tokio::runtime::Handle::current());
        std::thread::spawn(move || {
            io_readiness_with(&seen, prodready::CheckRuntime::default(), |b| {
                b.service_runtime(handle)
            })
        })
        .join()
        .unwrap()
    };
    given.evaluate().await;
    let seen = seen.lock().unwrap().clone();
    let checks = "prodready-check";
    assert_eq!(seen.len(), 4, "{seen:?}");
    // Dedicated: the check on its own threads, its service I/O on the test's runtime.
    assert_eq!(seen[0].0, checks, "{seen:?}");
    assert!(
        seen[0].1.as_deref().is_some_and(|t| t != checks),
        "{seen:?}"
    );
    // Current: both on the test's runtime.
    assert!(seen[1].0 != checks && seen[1].1.as_deref().is_some_and(|t| t != checks));
    // No runtime when built: both on the check threads.
    assert_eq!(seen[2].0, checks, "{seen:?}");
    assert_eq!(seen[2].1.as_deref(), Some(checks), "{seen:?}");
    // Given: the service I/O on the given runtime again.
    assert_eq!(seen[3].0, checks, "{seen:?}");
    assert!(
        seen[3].1.as_deref().is_some_and(|t| t != checks),
        "{seen:?}"
    );
}
