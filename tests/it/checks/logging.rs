//! Real-machine tests of `checks::logging`: a real tracing subscriber writing to a capture
//! buffer, and the process's real panic hook (restored afterwards).

use prodready::checks::logging::{
    error_tracking, install_panic_hook, log_aggregation, logs_masked, ErrorReporter,
    ErrorTrackingSpec, LogPipeline, LogTarget, MemoryWriter, PanicReport, CANARY_TARGET,
    SELF_CHECK_FIELD,
};
use prodready::checks::secrets::SecretString;
use prodready::{Check, Context, Status};
use std::sync::{Arc, Mutex};

#[tokio::test]
async fn a_real_subscriber_masks_and_the_checks_see_it() {
    let out = MemoryWriter::new();
    let logs = LogPipeline::json()
        .writer(out.clone(), LogTarget::Shipper("capture".into()))
        .build();
    let secret = "real-subscriber-secret-5be1";
    logs.redactor().register(&SecretString::from(secret));
    let dispatch = tracing::Dispatch::new(logs.subscriber());
    tracing::dispatcher::with_default(&dispatch, || {
        tracing::info!(user = "bob", "session opened with {secret}");
        tracing::error!(
            authorization = "Bearer abcdefgh12345678",
            "upstream refused"
        );
    });
    let ctx = Context::default();
    let masked = logs_masked().pipeline(logs.clone()).run(&ctx).await;
    assert_eq!(masked.status(), Status::Pass, "{}", masked.message());
    let aggregated = log_aggregation().pipeline(logs.clone()).run(&ctx).await;
    assert_eq!(
        aggregated.status(),
        Status::Pass,
        "{}",
        aggregated.message()
    );

    let text = out.contents();
    assert!(
        !text.contains(secret) && !text.contains("abcdefgh12345678"),
        "{text}"
    );
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Our two events, and one canary that both checks share, marked as a self-check.
    assert_eq!(lines.len(), 3, "{text}");
    assert_eq!(
        lines[0]["fields"]["message"],
        "session opened with [REDACTED]"
    );
    assert_eq!(lines[1]["fields"]["authorization"], "[REDACTED]");
    assert_eq!(lines[2]["target"], CANARY_TARGET);
    assert_eq!(lines[2]["fields"][SELF_CHECK_FIELD], true);
    // Evaluated again and again on the real clock: no more lines within the hour.
    for _ in 0..20 {
        let o = logs_masked().pipeline(logs.clone()).run(&ctx).await;
        assert_eq!(o.status(), Status::Pass, "{}", o.message());
        let o = log_aggregation().pipeline(logs.clone()).run(&ctx).await;
        assert_ne!(o.status(), Status::Fail, "{}", o.message());
    }
    assert_eq!(out.contents().lines().count(), 3, "{}", out.contents());
    drop(dispatch);
    assert!(!logs.is_installed());
}

struct Collect(Arc<Mutex<Vec<PanicReport>>>);

impl ErrorReporter for Collect {
    fn name(&self) -> &str {
        "collector"
    }

    fn report_panic(&self, report: &PanicReport) {
        self.0.lock().unwrap().push(report.clone());
    }
}

#[tokio::test]
async fn the_real_panic_hook_reports_and_chains() {
    let reports = Arc::new(Mutex::new(Vec::new()));
    let original = std::panic::take_hook();
    let hook = install_panic_hook(Collect(reports.clone()));
    let result = std::thread::Builder::new()
        .name("doomed".into())
        .spawn(|| panic!("boom from the hook test"))
        .unwrap()
        .join();
    // Give the process its hook back before asserting anything.
    std::panic::set_hook(original);
    assert!(result.is_err());
    let ours: Vec<PanicReport> = reports
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.thread.as_deref() == Some("doomed"))
        .cloned()
        .collect();
    assert_eq!(ours.len(), 1);
    assert_eq!(ours[0].message, "boom from the hook test");
    assert!(ours[0]
        .location
        .as_deref()
        .unwrap()
        .contains("tests/it/checks/logging.rs"));
    assert!(hook.reported() >= 1);
    assert!(!hook.is_simulated());

    let spec = ErrorTrackingSpec::new().dsn("https://abcdef0123456789@errors.example.com/12");
    let o = error_tracking()
        .spec(spec)
        .panic_hook(hook)
        .run(&Context::default())
        .await;
    assert_eq!(o.status(), Status::Pass, "{}", o.message());
    assert_eq!(o.details()["panic_hook_simulated"], false);
    assert!(!format!("{o:?}").contains("abcdef0123456789"));
}
