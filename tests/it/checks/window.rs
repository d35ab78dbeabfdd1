//! Real-machine tests of `checks::window`: the real clock.

use prodready::checks::window::{deployment_window_open, DeploymentWindows, Weekday, WINDOWS_ENV};
use prodready::{Check, Context, Status};
use std::time::{SystemTime, UNIX_EPOCH};

#[tokio::test]
async fn a_window_covering_the_whole_week_is_open_now() {
    if std::env::var_os(WINDOWS_ENV).is_some() {
        return; // the environment's windows win; this test is about declared ones
    }
    let windows = DeploymentWindows::new("Europe/Berlin").window(
        Weekday::Monday..=Weekday::Sunday,
        "00:00",
        "24:00",
    );
    let o = deployment_window_open()
        .windows(windows)
        .run(&Context::default())
        .await;
    assert_eq!(o.status(), Status::Pass, "{o:?}");
    assert!(o.message().ends_with("the windows cover the whole week"));
}

#[tokio::test]
async fn a_window_two_hours_ahead_is_closed_now_and_opens_then() {
    if std::env::var_os(WINDOWS_ENV).is_some() {
        return;
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let hour = (now / 3600) % 24;
    let (start, end) = ((hour + 2) % 24, (hour + 3) % 24);
    let text = format!("daily {start:02}:00-{end:02}:00 UTC");
    let windows: DeploymentWindows = text.parse().unwrap();
    let o = deployment_window_open()
        .windows(windows)
        .run(&Context::default())
        .await;
    assert_eq!(o.status(), Status::Fail, "{o:?}");
    let opens = o.details()["opens_in_seconds"].as_i64().unwrap();
    // The next full hour + 1 h: between 1 h and 2 h away (a little slack for a slow run).
    assert!((3590..=7200).contains(&opens), "{opens} s: {o:?}");
    assert!(o.message().contains(&format!("{start:02}:00 UTC")), "{o:?}");
}
