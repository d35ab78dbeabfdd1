//! Real-clock tests of `checks::window`: the machine's clock, with the environment of a fake host
//! so that a `PRODREADY_DEPLOYMENT_WINDOWS` set on the machine cannot decide (or skip) them.

use prodready::checks::window::{deployment_window_open, DeploymentWindows, Weekday, WINDOWS_ENV};
use prodready::testing::FakeHost;
use prodready::{Check, Context, Status};
use std::time::{SystemTime, UNIX_EPOCH};

/// A host on the real clock (a `FakeHost` without a fixed time) whose environment is empty.
fn real_clock() -> Context {
    Context::with_host(FakeHost::new())
}

/// Windows from `hour + 2` to `hour + 3` UTC, `hour` being the current UTC hour.
fn two_hours_ahead() -> (u64, String) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let hour = (now / 3600) % 24;
    let (start, end) = ((hour + 2) % 24, (hour + 3) % 24);
    (start, format!("daily {start:02}:00-{end:02}:00 UTC"))
}

#[tokio::test]
async fn a_window_covering_the_whole_week_is_open_now() {
    let windows = DeploymentWindows::new("Europe/Berlin").window(
        Weekday::Monday..=Weekday::Sunday,
        "00:00",
        "24:00",
    );
    let o = deployment_window_open()
        .windows(windows)
        .run(&real_clock())
        .await;
    assert_eq!(o.status(), Status::Pass, "{o:?}");
    assert!(o.message().ends_with("the windows cover the whole week"));
}

#[tokio::test]
async fn a_window_two_hours_ahead_is_closed_now_and_opens_then() {
    let (start, text) = two_hours_ahead();
    let windows: DeploymentWindows = text.parse().unwrap();
    let o = deployment_window_open()
        .windows(windows)
        .run(&real_clock())
        .await;
    assert_eq!(o.status(), Status::Fail, "{o:?}");
    let opens = o.details()["opens_in_seconds"].as_i64().unwrap();
    // The next full hour + 1 h: between 1 h and 2 h away (a little slack for a slow run).
    assert!((3590..=7200).contains(&opens), "{opens} s: {o:?}");
    assert!(o.message().contains(&format!("{start:02}:00 UTC")), "{o:?}");
}

#[tokio::test]
async fn the_environment_variable_wins_over_the_declared_windows() {
    // Declared: always open. The deployment's variable: closed for the next two hours.
    let always =
        DeploymentWindows::new("UTC").window(Weekday::Monday..=Weekday::Sunday, "00:00", "24:00");
    let (start, text) = two_hours_ahead();
    let ctx = Context::with_host(FakeHost::new().env(WINDOWS_ENV, &text));
    let o = deployment_window_open()
        .windows(always.clone())
        .run(&ctx)
        .await;
    assert_eq!(o.status(), Status::Fail, "{o:?}");
    assert!(o.message().contains(&format!("{start:02}:00 UTC")), "{o:?}");
    // Unset again, the declared windows apply.
    let o = deployment_window_open()
        .windows(always)
        .run(&real_clock())
        .await;
    assert_eq!(o.status(), Status::Pass, "{o:?}");
}
