//! Checks and checklists shared by the tests.

use prodready::testing::FakeHost;
use prodready::{check_fn, Check, Checklist, Item, Outcome, Readiness};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A check that counts its runs, sleeps (async) for `delay`, then returns `outcome`.
pub(crate) fn counting(runs: &Arc<AtomicUsize>, delay: Duration, outcome: Outcome) -> impl Check {
    let runs = runs.clone();
    check_fn(move |_ctx| {
        let runs = runs.clone();
        let outcome = outcome.clone();
        async move {
            runs.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(delay).await;
            outcome
        }
    })
}

pub(crate) fn pass() -> impl Check {
    check_fn(|_ctx| async { Outcome::pass("fine") })
}

pub(crate) fn fail(msg: &'static str) -> impl Check {
    check_fn(move |_ctx| async move { Outcome::fail(msg).remediation("fix it") })
}

pub(crate) fn item(title: &str) -> Item {
    Item::new("Tests", Some("Engine"), title)
}

pub(crate) fn id(title: &str) -> String {
    prodready::item_id("Tests", Some("Engine"), title)
}

/// The details token of the tests' readiness: requests with `Authorization: Bearer` it see the
/// whole report.
pub(crate) const TOKEN: &str = "test-details-token-0123456789";

/// A readiness on a fake host, without the program's `#[check]` registrations; checks run on
/// the default check runtime of their own.
pub(crate) fn readiness(checklist: Checklist) -> Readiness {
    readiness_on(checklist, FakeHost::new())
}

pub(crate) fn readiness_on(checklist: Checklist, host: FakeHost) -> Readiness {
    builder(checklist, host).build().expect("valid checklist")
}

/// A readiness whose first evaluation has finished, as after `verify_startup`.
pub(crate) async fn warm(checklist: Checklist) -> Readiness {
    let r = readiness(checklist);
    r.evaluate().await;
    r
}

/// The same, with checks on the test's own runtime, for tests that pause time.
pub(crate) fn paused(checklist: Checklist) -> Readiness {
    builder(checklist, FakeHost::new())
        .check_runtime(prodready::CheckRuntime::Current)
        .build()
        .expect("valid checklist")
}

fn builder(checklist: Checklist, host: FakeHost) -> prodready::ReadinessBuilder {
    Readiness::builder()
        .service("svc", "1.0.0")
        .checklist(checklist)
        .host(host)
        .details_token(TOKEN)
        .registered_checks(false)
}

/// A raw HTTP/1.1 request over a real TCP connection: (status, body).
pub(crate) async fn http_request(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &str,
) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nhost: localhost\r\n{headers}connection: close\r\n\r\n"
    );
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.unwrap();
    let status = raw[9..12].parse().unwrap();
    let body = raw
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// Runs `promtool check metrics` on `text`: `(passed, output)`, or `None` when `promtool` is not
/// on PATH.
pub(crate) fn promtool_check_metrics(text: &str) -> Option<(bool, String)> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(text.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some((out.status.success(), output))
}
