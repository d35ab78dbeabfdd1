use super::*;
use crate::check::Resources;
use crate::testing::FakeHost;
use crate::Status;
use std::time::SystemTime;

/// The instant of an RFC 3339 time with offset, e.g. `2025-03-13T10:00:00+01:00`.
fn at(time: &str) -> SystemTime {
    SystemTime::from(time.parse::<Timestamp>().unwrap())
}

async fn run(windows: &str, now: &str) -> Outcome {
    let windows = DeploymentWindows::parse(windows).unwrap();
    let host = FakeHost::new().at(at(now));
    deployment_window_open()
        .windows(windows)
        .run(&Context::with_host(host))
        .await
}

const OFFICE: &str = "Mon-Thu 09:00-16:00 Europe/Berlin";

#[tokio::test]
async fn inside_a_window_passes_naming_it_and_when_it_closes() {
    // Thursday 2025-03-13, 10:00 in Berlin (CET, UTC+1).
    let o = run(OFFICE, "2025-03-13T10:00:00+01:00").await;
    assert_eq!(o.status(), Status::Pass, "{o:?}");
    assert_eq!(
        o.message(),
        "inside the deployment window Mon-Thu 09:00-16:00 (Europe/Berlin); it closes Thu 2025-03-13 16:00 CET (2025-03-13 15:00 UTC), in 6h 0m"
    );
    assert_eq!(o.details()["closes_in_seconds"], 6 * 3600);
    assert_eq!(o.details()["now_utc"], "2025-03-13 09:00 UTC");
    assert_eq!(
        o.details()["closes_at"],
        "2025-03-13T16:00:00+01:00[Europe/Berlin]"
    );
}

#[tokio::test]
async fn outside_fails_naming_the_next_window_in_the_zone_and_in_utc() {
    let o = run(OFFICE, "2025-03-15T10:00:00+01:00").await;
    assert_eq!(o.status(), Status::Fail);
    assert_eq!(
        o.message(),
        "outside every deployment window (now Sat 2025-03-15 10:00 CET); the next, Mon-Thu 09:00-16:00, opens Mon 2025-03-17 09:00 CET (2025-03-17 08:00 UTC), in 1d 23h 0m"
    );
    assert!(o
        .get_remediation()
        .unwrap()
        .contains("deploy inside a window (Mon-Thu 09:00-16:00 Europe/Berlin)"));
    // The end is exclusive: at 16:00 on Thursday the next window is Monday's.
    let o = run(OFFICE, "2025-03-13T16:00:00+01:00").await;
    assert_eq!(o.status(), Status::Fail);
    assert!(o.message().contains("opens Mon 2025-03-17 09:00 CET"));
    // The start is inclusive.
    let o = run(OFFICE, "2025-03-17T09:00:00+01:00").await;
    assert_eq!(o.status(), Status::Pass);
}

#[tokio::test]
async fn windows_crossing_midnight() {
    let windows = "Fri 22:00-02:00 UTC";
    let o = run(windows, "2025-03-15T01:00:00Z").await;
    assert_eq!(o.status(), Status::Pass, "{o:?}");
    assert!(
        o.message().contains("it closes Sat 2025-03-15 02:00 UTC"),
        "{o:?}"
    );
    let o = run(windows, "2025-03-14T21:59:00Z").await;
    assert_eq!(o.status(), Status::Fail);
    assert!(
        o.message()
            .ends_with("opens Fri 2025-03-14 22:00 UTC (2025-03-14 22:00 UTC), in 1m"),
        "{o:?}"
    );
    let o = run(windows, "2025-03-15T02:00:00Z").await;
    assert!(
        o.message().contains("opens Fri 2025-03-21 22:00 UTC"),
        "{o:?}"
    );
}

#[tokio::test]
async fn daylight_saving_changes_are_real_hours() {
    // Berlin springs forward on 2025-03-30 at 02:00 CET to 03:00 CEST.
    let o = run("Sat 22:00-06:00 Europe/Berlin", "2025-03-29T22:00:00Z").await;
    assert_eq!(o.status(), Status::Pass, "{o:?}");
    assert!(
        o.message()
            .ends_with("it closes Sun 2025-03-30 06:00 CEST (2025-03-30 04:00 UTC), in 6h 0m"),
        "{o:?}"
    );
    // A start inside the skipped hour moves forward by that hour: 02:30 becomes 03:30 CEST.
    let o = run("Sun 02:30-04:00 Europe/Berlin", "2025-03-30T00:30:00Z").await;
    assert!(
        o.message()
            .ends_with("opens Sun 2025-03-30 03:30 CEST (2025-03-30 01:30 UTC), in 1h 0m"),
        "{o:?}"
    );
    // Falling back on 2025-10-26 (03:00 CEST to 02:00 CET) makes the night an hour longer.
    let o = run("Sat 22:00-06:00 Europe/Berlin", "2025-10-25T20:00:00Z").await;
    assert!(
        o.message().ends_with("(2025-10-26 05:00 UTC), in 9h 0m"),
        "{o:?}"
    );
}

#[tokio::test]
async fn touching_windows_merge_and_a_full_week_never_closes() {
    let o = run(
        "Mon-Thu 09:00-16:00, Mon-Thu 16:00-18:00 Europe/Berlin",
        "2025-03-13T10:00:00+01:00",
    )
    .await;
    assert!(
        o.message().contains("it closes Thu 2025-03-13 18:00 CET"),
        "{o:?}"
    );
    let o = run("daily 00:00-24:00 UTC", "2025-03-13T10:00:00Z").await;
    assert_eq!(o.status(), Status::Pass);
    assert_eq!(
        o.message(),
        "inside the deployment window daily 00:00-24:00 (UTC); the windows cover the whole week"
    );
    // Fri-Mon wraps around the week's end.
    let o = run("Fri-Mon 00:00-24:00 UTC", "2025-03-16T12:00:00Z").await;
    assert!(
        o.message().contains("closes Tue 2025-03-18 00:00 UTC"),
        "{o:?}"
    );
}

#[test]
fn builder_and_text_forms_agree() {
    let built = DeploymentWindows::new("europe/berlin")
        .window(Weekday::Monday..=Weekday::Thursday, "09:00", "16:00")
        .window([Weekday::Saturday, Weekday::Monday], "9:30", "24:00")
        .window(Weekday::Friday..=Weekday::Monday, "22:00", "02:00");
    assert_eq!(
        built.to_string(),
        "Mon-Thu 09:00-16:00, Mon,Sat 09:30-24:00, Mon,Fri-Sun 22:00-02:00 Europe/Berlin"
    );
    let parsed: DeploymentWindows = built.to_string().parse().unwrap();
    assert_eq!(parsed, built);
    let parsed =
        DeploymentWindows::parse("monday-thursday 09:00-16:00; Sat,Mon 09:30-24:00 Europe/Berlin")
            .unwrap();
    assert_eq!(parsed.windows[..2], built.windows[..2]);
    assert_eq!(parsed.zone(), "Europe/Berlin");
}

#[test]
fn parse_errors_say_what_is_wrong() {
    let cases = [
        ("", WindowError::Empty),
        ("Europe/Berlin", WindowError::Empty),
        (
            "Mon-Thu 09:00-16:00",
            WindowError::MissingTimeZone("09:00-16:00".into()),
        ),
        (
            "Mon-Thu 09:00-16:00 Mars/Olympus",
            WindowError::UnknownTimeZone("Mars/Olympus".into()),
        ),
        (
            "Mon-Thx 09:00-16:00 UTC",
            WindowError::BadDays("Mon-Thx".into()),
        ),
        (
            "Mon 09:00-16:00 Fri UTC",
            WindowError::MissingTimes("Fri".into()),
        ),
        ("Mon 0900 UTC", WindowError::BadTimeRange("0900".into())),
        ("Mon 09:00-25:00 UTC", WindowError::BadTime("25:00".into())),
        ("Mon 24:00-01:00 UTC", WindowError::BadTime("24:00".into())),
        ("Mon 9:0-10:00 UTC", WindowError::BadTime("9:0".into())),
        (
            "Mon 10:00-10:00 UTC",
            WindowError::EmptyWindow("Mon 10:00-10:00".into()),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(DeploymentWindows::parse(text), Err(expected), "{text:?}");
    }
    let e = DeploymentWindows::parse("Mon-Thu 09:00-16:00").unwrap_err();
    assert!(e
        .to_string()
        .contains("end the declaration with an IANA name"));
}

#[tokio::test]
async fn builder_errors_fail_the_check() {
    let host = FakeHost::new().at(at("2025-03-13T10:00:00Z"));
    let ctx = Context::with_host(host);
    let bad_zone = DeploymentWindows::new("Berlin").window(Weekday::Monday, "09:00", "16:00");
    let o = deployment_window_open().windows(bad_zone).run(&ctx).await;
    assert_eq!(o.status(), Status::Fail);
    assert_eq!(
        o.message(),
        "invalid deployment window: unknown time zone `Berlin`: use an IANA name such as `Europe/Berlin` or `UTC`"
    );
    let bad_time = DeploymentWindows::new("UTC").window(Weekday::Monday, "9am", "16:00");
    let o = deployment_window_open().windows(bad_time).run(&ctx).await;
    assert!(o.message().contains("`9am` is not a time of day"));
    let o = deployment_window_open()
        .windows(DeploymentWindows::new("UTC"))
        .run(&ctx)
        .await;
    assert_eq!(o.status(), Status::Warn);
}

#[tokio::test]
async fn reads_the_resource_and_the_environment_wins() {
    let host = FakeHost::new().at(at("2025-03-15T10:00:00Z"));
    let o = deployment_window_open()
        .run(&Context::with_host(host.clone()))
        .await;
    assert_eq!(o.status(), Status::Warn);
    assert_eq!(o.message(), "no deployment windows declared");
    assert!(o.get_remediation().unwrap().contains(WINDOWS_ENV));

    let mut resources = Resources::default();
    resources.insert(DeploymentWindows::parse(OFFICE).unwrap());
    let ctx = Context::new(Arc::new(host.clone()), resources);
    assert_eq!(
        deployment_window_open().run(&ctx).await.status(),
        Status::Fail
    );
    host.set_env(WINDOWS_ENV, "Sat 08:00-12:00 UTC");
    let o = deployment_window_open().run(&ctx).await;
    assert_eq!(o.status(), Status::Pass, "{o:?}");
    host.set_env(WINDOWS_ENV, "weekends 08:00-12:00 UTC");
    let o = deployment_window_open().run(&ctx).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(o
        .message()
        .starts_with("`PRODREADY_DEPLOYMENT_WINDOWS` is malformed: `weekends` is not a day"));
}
