//! Probes never wait and nothing starves them: thread-blocking, hanging and slow checks, cold
//! starts under load, FIFOs, single flight, release items changing while the service runs, and
//! the one-call lifecycle with a bounded shutdown.
//!
//! The bounds asserted here are behaviour ("answers while a check blocks for seconds"), set an
//! order of magnitude above what is expected so a busy machine cannot flake them; the latency
//! figures themselves live in `benches/`.

use crate::common::*;
use prodready::http::{handle, Request, ServeOptions};
use prodready::{check_fn, Checklist, Gate, Kind, Outcome, Readiness, Status};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A probe answer's status, and how long it took.
async fn probe(r: &Readiness, path: &str) -> (u16, Duration) {
    let started = Instant::now();
    let answer = handle(r, Request::get(path, None)).await.unwrap();
    (answer.status, started.elapsed())
}

/// What a probe may take while checks misbehave for seconds: under the kubelet's 1 s timeout,
/// with room for a machine busy running the rest of the suite.
const PROBE_BOUND: Duration = Duration::from_millis(900);

fn bad_checks() -> Checklist {
    Checklist::new("c")
        .item(item("db").check(pass()))
        .item(item("loop").gate(Gate::Liveness).check(pass()))
        .item(
            item("blocks before waiting")
                .timeout(Duration::from_secs(2))
                .check(check_fn(|_ctx| async {
                    std::thread::sleep(Duration::from_secs(3));
                    Outcome::pass("too late")
                })),
        )
        .item(
            item("blocks after waiting")
                .timeout(Duration::from_secs(2))
                .check(check_fn(|_ctx| async {
                    tokio::task::yield_now().await;
                    std::thread::sleep(Duration::from_secs(3));
                    Outcome::pass("too late")
                })),
        )
        .item(
            item("hangs")
                .timeout(Duration::from_secs(2))
                .check(check_fn(|_ctx| std::future::pending::<Outcome>())),
        )
        .item(
            item("sleeps")
                .timeout(Duration::from_secs(20))
                .check(check_fn(|_ctx| async {
                    tokio::time::sleep(Duration::from_secs(10)).await;
                    Outcome::pass("slow")
                })),
        )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thread_blocking_checks_delay_neither_livez_nor_readyz() {
    let r = readiness(bad_checks());
    // A first evaluation, then a stale one running behind the probes.
    let warm = {
        let r = r.clone();
        tokio::spawn(async move { r.evaluate().await })
    };
    let end = Instant::now() + Duration::from_millis(2500);
    let mut worst = (Duration::ZERO, Duration::ZERO);
    while Instant::now() < end {
        let (_, livez) = probe(&r, "/livez").await;
        let (_, readyz) = probe(&r, "/readyz").await;
        worst = (worst.0.max(livez), worst.1.max(readyz));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    eprintln!(
        "worst while checks block their threads: /livez {:?}, /readyz {:?}",
        worst.0, worst.1
    );
    assert!(worst.0 < PROBE_BOUND, "/livez waited {:?}", worst.0);
    assert!(worst.1 < PROBE_BOUND, "/readyz waited {:?}", worst.1);
    let report = warm.await.unwrap();
    let status = |t: &str| report.item(&id(t)).unwrap().status;
    assert_eq!(
        status("db"),
        Status::Pass,
        "a healthy check beside them is not blamed"
    );
    // Each blocker either held a thread past its timeout (and is blamed for it), or was ready to
    // run while the other one held the threads (and is not judged); which one gets a thread
    // first is the scheduler's choice, but at least one of them blocked.
    let (mut blamed, mut excused) = (Vec::new(), vec![id("hangs")]);
    for blocker in ["blocks before waiting", "blocks after waiting"] {
        let item = report.item(&id(blocker)).unwrap();
        match item.status {
            Status::Fail => {
                assert!(
                    item.message.contains("blocked its thread"),
                    "{}",
                    item.message
                );
                blamed.push(item.id.as_str().to_owned());
            }
            Status::Warn => {
                assert!(
                    item.message.contains("check runtime was stalled"),
                    "{}",
                    item.message
                );
                excused.push(item.id.clone());
            }
            other => panic!("{blocker}: {other:?} {}", item.message),
        }
    }
    assert!(!blamed.is_empty(), "a check blocked, so one is blamed");
    // Both check threads were blocked at once, so the hanging check's timer fired late: the
    // evaluation says the runtime stalled and who blocked it, instead of blaming the hang.
    let hangs = report.item(&id("hangs")).unwrap();
    assert!(
        matches!(hangs.status, Status::Fail | Status::Warn),
        "{:?}",
        hangs.status
    );
    if hangs.status == Status::Warn {
        assert!(
            hangs.message.contains("check runtime was stalled"),
            "{}",
            hangs.message
        );
        let stalled = report.stalled.as_deref().unwrap_or_default();
        for id in &blamed {
            assert!(stalled.contains(id.as_str()), "{stalled}");
        }
        // Only the checks that blocked are named, never the ones they kept from running.
        let named = stalled.split("blocked by: ").nth(1).unwrap_or_default();
        for id in &excused {
            assert!(!named.contains(id.as_str()), "{stalled}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_runtime_blames_the_blocking_check_not_the_starved_ones() {
    // One check thread: a check that blocks it starves the two healthy checks beside it.
    let c = Checklist::new("c")
        .item(
            item("blocks")
                .timeout(Duration::from_millis(500))
                .check(check_fn(|_ctx| async {
                    tokio::task::yield_now().await;
                    std::thread::sleep(Duration::from_millis(2500));
                    Outcome::pass("too late")
                })),
        )
        .item(
            item("healthy a")
                .timeout(Duration::from_millis(500))
                .check(counting(
                    &Arc::new(AtomicUsize::new(0)),
                    Duration::from_millis(10),
                    Outcome::pass("fine"),
                )),
        )
        .item(
            item("healthy b")
                .timeout(Duration::from_millis(500))
                .check(counting(
                    &Arc::new(AtomicUsize::new(0)),
                    Duration::from_millis(10),
                    Outcome::pass("fine"),
                )),
        );
    let r = Readiness::builder()
        .checklist(c)
        .host(prodready::testing::FakeHost::new())
        .registered_checks(false)
        .check_runtime(prodready::CheckRuntime::Dedicated { threads: 1 })
        .build()
        .unwrap();
    let report = r.evaluate().await;
    let blocks = report.item(&id("blocks")).unwrap();
    assert_eq!(blocks.status, Status::Fail, "{}", blocks.message);
    assert!(
        blocks.message.contains("blocked its thread"),
        "{}",
        blocks.message
    );
    for healthy in ["healthy a", "healthy b"] {
        let item = report.item(&id(healthy)).unwrap();
        assert_ne!(
            item.status,
            Status::Fail,
            "{healthy} is not blamed: {}",
            item.message
        );
        assert_ne!(item.message, "timed out after 500ms");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_answers_at_once_at_a_cold_start_under_a_thousand_requests() {
    let r = readiness(bad_checks());
    let started = Instant::now();
    let calls: Vec<_> = (0..1000)
        .map(|_| {
            let r = r.clone();
            tokio::spawn(async move { probe(&r, "/readyz").await })
        })
        .collect();
    let answers = futures::future::join_all(calls).await;
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(2),
        "1,000 cold /readyz took {took:?}"
    );
    for a in answers {
        let (status, _) = a.unwrap();
        // Nothing is known yet: "starting", never a wait.
        assert_eq!(status, 503);
    }
    let answer = handle(&r, Request::get("/readyz", Some("verbose")))
        .await
        .unwrap();
    assert_eq!(
        answer.body,
        "[-]availability failed: starting: the first evaluation has not finished\nreadyz check failed\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_report_is_served_while_a_slow_refresh_runs_behind_it() {
    let slow = Arc::new(AtomicBool::new(false));
    let flag = slow.clone();
    let c = Checklist::new("c").item(item("db").ttl(Duration::from_millis(100)).check(check_fn(
        move |_ctx| {
            let slow = flag.load(Ordering::SeqCst);
            async move {
                if slow {
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
                Outcome::pass("up")
            }
        },
    )));
    let r = warm(c).await;
    slow.store(true, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(150)).await; // the report is stale now
    for _ in 0..20 {
        let (status, took) = probe(&r, "/readyz").await;
        assert_eq!(status, 200);
        assert!(took < PROBE_BOUND, "{took:?}");
        let (status, took) = probe(&r, "/readiness-checklist").await;
        assert_eq!(status, 200);
        assert!(took < PROBE_BOUND, "{took:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn livez_is_single_flight() {
    let runs = Arc::new(AtomicUsize::new(0));
    let c = Checklist::new("c").item(item("loop").gate(Gate::Liveness).check(counting(
        &runs,
        Duration::from_millis(100),
        Outcome::pass("tick"),
    )));
    let r = readiness(c);
    let calls: Vec<_> = (0..1000)
        .map(|_| {
            let r = r.clone();
            tokio::spawn(async move { probe(&r, "/livez").await.0 })
        })
        .collect();
    for status in futures::future::join_all(calls).await {
        assert_eq!(status.unwrap(), 200);
    }
    assert_eq!(
        runs.load(Ordering::SeqCst),
        1,
        "one liveness run for 1,000 callers"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_release_item_failing_after_startup_never_flips_readyz() {
    let valid = Arc::new(AtomicBool::new(true));
    let flag = valid.clone();
    let c = Checklist::new("c").item(item("db").check(pass())).item(
        item("signed off")
            .kind(Kind::Attestation)
            .ttl(Duration::from_millis(50))
            .check(check_fn(move |_ctx| {
                let valid = flag.load(Ordering::SeqCst);
                async move {
                    if valid {
                        Outcome::pass("signed by qa, valid until 2027-01-01")
                    } else {
                        Outcome::fail("the attestation expired on 2026-12-01")
                    }
                }
            })),
    );
    let r = readiness(c);
    let startup = r.verify_startup().await.unwrap();
    assert!(startup.startup && startup.ready);
    valid.store(false, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let now = r.refresh().await;
    let signed = now.item(&id("signed off")).unwrap();
    assert_eq!((signed.status, signed.gate), (Status::Fail, Gate::Startup));
    assert!(!now.startup, "the report says the release gate fails now");
    assert!(now.ready);
    assert_eq!(
        probe(&r, "/readyz").await.0,
        200,
        "a running pod stays in rotation"
    );
    assert_eq!(
        probe(&r, "/startupz").await.0,
        200,
        "startup was judged once, at startup"
    );
    #[cfg(feature = "prometheus")]
    {
        let metrics = handle(&r, Request::get("/metrics", None))
            .await
            .unwrap()
            .body;
        let line = metrics
            .lines()
            .find(|l| l.contains("tests.engine.signed-off") && l.contains("status=\"fail\""))
            .unwrap_or_default();
        assert!(
            line.ends_with(" 1") || line.ends_with(" 1.0"),
            "the failure shows in /metrics:\n{metrics}"
        );
    }
}

#[tokio::test]
async fn a_fifo_as_the_evidence_manifest_does_not_hang_startup() {
    let host = prodready::testing::FakeHost::new();
    let dir = host.root().join("srv/evidence");
    std::fs::create_dir_all(&dir).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(dir.join("manifest.json"))
        .status()
        .unwrap();
    assert!(made.success());
    let spec = prodready::evidence::EvidenceSpec::new().dir("/srv/evidence");
    let r = Readiness::builder()
        .checklist(prodready::standard::production_deployment())
        .host(host)
        .resource(spec)
        .registered_checks(false)
        .build()
        .unwrap();
    let started = Instant::now();
    let report = tokio::time::timeout(Duration::from_secs(20), r.verify_startup())
        .await
        .expect("startup does not hang on a FIFO")
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(20));
    let tests = report
        .item("pre-deployment.code-quality.all-tests-passing-unit-integration-e2e")
        .unwrap();
    assert_eq!(tests.status, Status::Fail, "{}", tests.message);
    assert!(tests.message.contains("FIFO"), "{}", tests.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_within_drain_and_grace_with_half_open_connections_held() {
    use tokio::io::AsyncWriteExt;
    let r = readiness(Checklist::new("c").item(item("db").check(pass())));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let options = ServeOptions {
        drain: Duration::from_millis(300),
        grace: Duration::from_millis(500),
        ..ServeOptions::default()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let app = axum::Router::new().route("/orders", axum::routing::get(|| async { "[]" }));
    let server = {
        let r = r.clone();
        tokio::spawn(async move {
            r.serve_with(listener, app, options, async {
                let _ = stopped.await;
            })
            .await
        })
    };
    // Ready once the startup evaluation is done.
    let deadline = Instant::now() + Duration::from_secs(10);
    while http_request(addr, "GET", "/readyz", "").await.0 != 200 {
        assert!(Instant::now() < deadline, "never became ready");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        http_request(addr, "GET", "/orders", "").await,
        (200, "[]".into())
    );
    // Ten clients that send half a request and then nothing.
    let mut held = Vec::new();
    for _ in 0..10 {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /readyz HTTP/1.1\r\nhost: x\r\n")
            .await
            .unwrap();
        held.push(s);
    }
    let started = Instant::now();
    stop.send(()).unwrap();
    // Draining: /readyz fails while the service's own routes still answer.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(http_request(addr, "GET", "/readyz", "").await.0, 503);
    assert_eq!(http_request(addr, "GET", "/orders", "").await.0, 200);
    let ended = tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("shutdown is bounded by drain + grace")
        .unwrap();
    assert!(ended.is_ok());
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(300),
        "drained first: {took:?}"
    );
    assert!(took < Duration::from_millis(300 + 500 + 1500), "{took:?}");
    drop(held);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_serve_exits_before_it_is_ready_with_the_short_report() {
    let r = Readiness::builder()
        .service("svc", "1.0.0")
        .checklist(
            Checklist::new("c").item(item("db").check(pass())).item(
                item("signed")
                    .kind(Kind::Evidence)
                    .check(fail("made for 0.9.0")),
            ),
        )
        .host(prodready::testing::FakeHost::new())
        .registered_checks(false)
        .strict(true)
        .build()
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let app = axum::Router::new();
    let err = tokio::time::timeout(
        Duration::from_secs(10),
        r.serve_with(
            listener,
            app,
            ServeOptions::default(),
            std::future::pending(),
        ),
    )
    .await
    .expect("strict startup returns instead of serving")
    .unwrap_err();
    let text = format!("{err:?}");
    assert_eq!(text, err.to_string(), "Debug is the short summary");
    assert_eq!(
        text,
        "svc 1.0.0 may not start: 1 item(s) fail a gate\n  ✗ tests.engine.signed [startup gate]: made for 0.9.0"
    );
    assert_eq!(
        r.availability(),
        prodready::Availability::Starting,
        "never marked ready"
    );
}
