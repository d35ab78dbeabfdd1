//! The test helpers: their failure messages show the offending items.

use crate::common::*;
use prodready::testing::{assert_compliant, assert_item, assert_not_ready, assert_ready, FakeHost};
use prodready::{check_fn, Checklist, Host, Outcome, Status};
use std::path::Path;

fn panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let err = std::panic::catch_unwind(f).expect_err("the assertion should fail");
    err.downcast_ref::<String>().cloned().unwrap_or_default()
}

#[tokio::test]
async fn assertion_failures_list_the_failing_items() {
    let c = Checklist::new("c")
        .item(item("db").check(fail("connection refused")))
        .item(item("cache").check(pass()))
        .item(item("docs"));
    let report = readiness(c).evaluate().await;
    assert_item(&report, &id("cache"), Status::Pass);
    assert_not_ready(&report);
    let r = report.clone();
    let msg = panic_message(move || assert_ready(&r));
    assert_eq!(msg, "expected svc to be ready, but 1 blocking item(s) fail:\n  ✗ fail [tests.engine.db]: connection refused");
    let r = report.clone();
    let msg = panic_message(move || assert_compliant(&r));
    assert!(
        msg.starts_with("expected svc to be compliant, but 2 item(s) are not:"),
        "{msg}"
    );
    assert!(
        msg.contains("[tests.engine.docs]: not automated yet"),
        "{msg}"
    );
    let r = report.clone();
    let msg = panic_message(move || assert_item(&r, "tests.engine.db", Status::Pass));
    assert!(msg.starts_with("expected `tests.engine.db` to be pass, but it is fail:\n  ✗ fail [tests.engine.db]: connection refused"), "{msg}");
    let msg = panic_message(move || assert_item(&report, "tests.engine.nope", Status::Pass));
    assert_eq!(msg, "no item `tests.engine.nope` in the report of `c`");
}

#[tokio::test]
async fn the_fake_host_is_a_root_with_its_own_env_and_clock() {
    let host = FakeHost::new()
        .file(
            "/proc/self/status",
            "Name:\tsvc\nUid:\t1000\t1000\t1000\t1000\nGid:\t0\t0\t0\t0\n",
        )
        .file_with_mode("run/secrets/db", "postgres://u:p@db/app", 0o600)
        .env("APP_DB_URL_FILE", "/run/secrets/db");
    assert_eq!(host.uid().unwrap().effective, 1000);
    assert_eq!(host.gid().unwrap().real, 0);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        host.metadata(Path::new("/run/secrets/db"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
    assert_eq!(
        host.read_dir(Path::new("/run/secrets")).unwrap(),
        [Path::new("/run/secrets/db")]
    );
    assert!(
        host.read(Path::new("/etc/passwd")).is_err(),
        "only files under the fake root exist"
    );
    assert_eq!(
        host.env_vars(),
        [("APP_DB_URL_FILE".to_owned(), "/run/secrets/db".to_owned())]
    );
    assert!(
        !format!("{host:?}").contains("postgres"),
        "Debug shows no values"
    );

    // The same check runs against the fake root and the real machine.
    let uid_check = || {
        check_fn(|ctx| async move {
            match ctx.host().uid() {
                Ok(ids) => Outcome::pass(format!("uid {}", ids.effective)),
                Err(e) => Outcome::fail(e.to_string()),
            }
        })
    };
    let fake = readiness_on(
        Checklist::new("c").item(item("uid").check(uid_check())),
        host.clone(),
    )
    .evaluate()
    .await;
    assert_eq!(fake.items[0].message, "uid 1000");
    let broken = FakeHost::new().file("proc/self/status", "Name: x\n");
    let report = readiness_on(
        Checklist::new("c").item(item("uid").check(uid_check())),
        broken,
    )
    .evaluate()
    .await;
    assert_eq!(
        report.items[0].message,
        "/proc/self/status: no well-formed `Uid:` line"
    );
    let real = prodready::Readiness::builder()
        .checklist(Checklist::new("c").item(item("uid").check(uid_check())))
        .registered_checks(false)
        .build()
        .unwrap();
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let euid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_owned();
    assert_eq!(
        real.evaluate().await.items[0].message,
        format!("uid {euid}")
    );
}
