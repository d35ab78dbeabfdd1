//! The canary's cadence: one self-check event per interval however often the checks run,
//! marked so that log alerting can leave it out.

use super::*;
use crate::model::Status;
use crate::testing::FakeHost;
use crate::{Check, Context, Host, Outcome};
use std::time::{Duration, SystemTime};
use tracing::Dispatch;

fn canary_lines(out: &MemoryWriter) -> Vec<serde_json::Value> {
    out.contents()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|l| l["target"] == CANARY_TARGET)
        .collect()
}

/// Evaluates both logging checks `n` times, the host's clock moving `step` between rounds.
async fn evaluate(logs: &LogPipeline, host: &FakeHost, n: u32, step: Duration) -> Vec<Outcome> {
    let ctx = Context::with_host(host.clone());
    let mut last = Vec::new();
    for _ in 0..n {
        last = vec![
            logs_masked().pipeline(logs.clone()).run(&ctx).await,
            log_aggregation().pipeline(logs.clone()).run(&ctx).await,
        ];
        host.set_now(host.now() + step);
    }
    last
}

#[tokio::test]
async fn many_evaluations_write_one_marked_canary_per_interval() {
    let out = MemoryWriter::new();
    let logs = LogPipeline::json()
        .writer(out.clone(), LogTarget::Stdout)
        .build();
    assert_eq!(logs.canary_interval(), DEFAULT_CANARY_INTERVAL);
    let _dispatch = Dispatch::new(logs.subscriber());
    let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_750_000_000);
    let host = FakeHost::new().at(start);

    // A readiness probe every 5 s for 10 minutes: one canary, at the first evaluation.
    let last = evaluate(&logs, &host, 120, Duration::from_secs(5)).await;
    let lines = canary_lines(&out);
    assert_eq!(lines.len(), 1, "{}", out.contents());
    assert_eq!(lines[0]["level"], "INFO");
    assert_eq!(lines[0]["fields"][SELF_CHECK_FIELD], true);
    assert!(!out.contents().contains("canary-"), "the canary is masked");
    // In between, both items report the last canary's verdict and its age.
    assert_eq!(last[0].status(), Status::Pass, "{:?}", last[0]);
    assert_eq!(
        last[0].message(),
        "a canary secret written through the log pipeline 9m 55s ago came out as `[REDACTED]`"
    );
    assert_eq!(last[0].details()["canary_age_seconds"], 595);
    assert_eq!(last[0].details()["canary_written_now"], false);
    assert_eq!(last[0].details()["canary_at"], "2025-06-15T15:06:40Z");
    assert_eq!(last[1].status(), Status::Pass, "{:?}", last[1]);
    assert_eq!(
        last[1].message(),
        "JSON log lines go to stdout (seen in the canary event written 9m 55s ago)"
    );

    // Once the hour has passed, the next evaluation writes a fresh one, and only one.
    host.set_now(start + DEFAULT_CANARY_INTERVAL);
    let last = evaluate(&logs, &host, 3, Duration::from_secs(5)).await;
    assert_eq!(canary_lines(&out).len(), 2, "{}", out.contents());
    assert_eq!(last[0].details()["canary_age_seconds"], 10);
    // Nothing but the checks wrote: every line the pipeline wrote is a marked self-check.
    assert_eq!(out.contents().lines().count(), 2);
}

#[tokio::test]
async fn the_interval_is_configurable_and_each_canary_is_judged_afresh() {
    let out = MemoryWriter::new();
    let logs = LogPipeline::json()
        .writer(out.clone(), LogTarget::Stdout)
        .canary_interval(Duration::from_secs(60))
        .build();
    let _dispatch = Dispatch::new(logs.subscriber());
    let host = FakeHost::new().at(SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000));
    // 50 evaluations 5 s apart span 250 s: canaries at 0, 60, 120, 180 and 240 s.
    let last = evaluate(&logs, &host, 50, Duration::from_secs(5)).await;
    assert_eq!(canary_lines(&out).len(), 5, "{}", out.contents());
    assert_eq!(last[0].details()["canary_interval_seconds"], 60);
    assert_eq!(last[0].details()["canary_age_seconds"], 5);

    // A clock that jumps back makes the canary due again, once.
    host.set_now(SystemTime::UNIX_EPOCH + Duration::from_secs(10));
    evaluate(&logs, &host, 4, Duration::from_secs(5)).await;
    assert_eq!(canary_lines(&out).len(), 6, "{}", out.contents());

    // Zero: every evaluation writes one (the two checks share it).
    let out = MemoryWriter::new();
    let every = LogPipeline::json()
        .writer(out.clone(), LogTarget::Stdout)
        .canary_interval(Duration::ZERO)
        .build();
    let _dispatch = Dispatch::new(every.subscriber());
    let last = evaluate(&every, &host, 3, Duration::from_secs(5)).await;
    assert_eq!(canary_lines(&out).len(), 6);
    assert_eq!(
        last[0].message(),
        "a canary secret written through the log pipeline just now came out as `[REDACTED]`"
    );
}

#[tokio::test]
async fn a_pipeline_that_goes_away_is_reported_at_once() {
    let out = MemoryWriter::new();
    let logs = LogPipeline::json()
        .writer(out.clone(), LogTarget::Stdout)
        .build();
    let host = FakeHost::new();
    // Not installed yet: nothing written, nothing remembered.
    let last = evaluate(&logs, &host, 2, Duration::from_secs(5)).await;
    assert_eq!(last[0].status(), Status::Fail);
    let dispatch = Dispatch::new(logs.subscriber());
    let last = evaluate(&logs, &host, 2, Duration::from_secs(5)).await;
    assert_eq!(last[0].status(), Status::Pass, "{:?}", last[0]);
    assert_eq!(canary_lines(&out).len(), 1);
    drop(dispatch);
    // Within the interval, yet the dropped subscriber is seen on the next evaluation.
    let last = evaluate(&logs, &host, 1, Duration::from_secs(5)).await;
    assert_eq!(last[0].status(), Status::Fail);
    assert!(
        last[0].message().contains("has been dropped"),
        "{:?}",
        last[0]
    );
}
