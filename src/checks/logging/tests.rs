//! Tests of masking, the pipeline (scoped subscribers, never a global one) and the checks.

use super::mask::mask_patterns;
use super::*;
use crate::model::Status;
use crate::testing::FakeHost;
use crate::{Check, Context, Outcome};
use secrecy::SecretString;
use tracing::Dispatch;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::Layer as _;

const PASSWORD: &str = "Zq8-canary-pw-61f0";

fn memory_pipeline(json: bool, target: LogTarget) -> (LogPipeline, MemoryWriter) {
    let out = MemoryWriter::new();
    let builder = if json {
        LogPipeline::json()
    } else {
        LogPipeline::text()
    };
    (builder.writer(out.clone(), target).build(), out)
}

/// A context on `host` with the resources `fill` inserts.
fn ctx(host: FakeHost, fill: impl FnOnce(&mut crate::check::Resources)) -> Context {
    let mut resources = crate::check::Resources::default();
    fill(&mut resources);
    Context::new(std::sync::Arc::new(host), resources)
}

async fn run(check: impl Check) -> Outcome {
    check.run(&ctx(FakeHost::new(), |_| {})).await
}

#[test]
fn patterns_are_masked_in_text_and_json() {
    let cases = [
        (
            "login password=hunter2 user=bob",
            "login password=[REDACTED] user=bob",
        ),
        (
            "db_password: 'two words' ok",
            "db_password: '[REDACTED]' ok",
        ),
        (
            r#"{"fields":{"api_key":"abc def","n":1}}"#,
            r#"{"fields":{"api_key":"[REDACTED]","n":1}}"#,
        ),
        (
            r#"{"message":"cfg {\"token\":\"t0k3n\"}"}"#,
            r#"{"message":"cfg {\"token\":\"[REDACTED]\"}"}"#,
        ),
        (
            "Authorization: Basic dXNlcjpwYXNz",
            "Authorization: [REDACTED]",
        ),
        (
            "sent with bearer eyJhbGciOiJIUzI1NiJ9.e30.sig",
            "sent with bearer [REDACTED]",
        ),
        (
            "dial amqp://guest:guest@mq:5672/ failed",
            "dial amqp://guest:[REDACTED]@mq:5672/ failed",
        ),
        (
            "tokens=5 password_hash=x secret_count=2 https://example.com/a@b",
            "tokens=5 password_hash=x secret_count=2 https://example.com/a@b",
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(mask_patterns(input), expected, "{input}");
    }
}

#[test]
fn registered_values_are_masked_in_every_escaping() {
    let r = Redactor::new();
    r.register(&SecretString::from(PASSWORD));
    r.register(&SecretString::from("quo\"te-secret"));
    r.register(&SecretString::from("abc")); // too short: ignored
    assert_eq!(
        r.mask(&format!("x {PASSWORD} y {PASSWORD}")),
        "x [REDACTED] y [REDACTED]"
    );
    assert_eq!(r.mask(r#"{"m":"quo\"te-secret"}"#), r#"{"m":"[REDACTED]"}"#);
    assert_eq!(r.mask("abc"), "abc");
    assert!(!format!("{r:?}").contains(PASSWORD));
}

#[test]
fn the_writer_masks_what_the_fmt_layer_writes() {
    let (logs, out) = memory_pipeline(true, LogTarget::Other("memory".into()));
    logs.redactor().register(&SecretString::from(PASSWORD));
    tracing::subscriber::with_default(logs.subscriber(), || {
        let span = tracing::info_span!("request", auth = %format!("Bearer {PASSWORD}"));
        let _enter = span.enter();
        tracing::info!(password = PASSWORD, "connecting with {PASSWORD}");
        tracing::warn!(url = %format!("postgres://app:pw-not-registered@db/app"), "retry");
    });
    let text = out.contents();
    assert!(!text.contains(PASSWORD), "{text}");
    assert!(!text.contains("pw-not-registered"), "{text}");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["fields"]["message"], "connecting with [REDACTED]");
    assert_eq!(lines[0]["fields"]["password"], "[REDACTED]");
    assert_eq!(
        lines[1]["fields"]["url"],
        "postgres://app:[REDACTED]@db/app"
    );
}

#[tokio::test]
async fn a_canary_through_the_installed_pipeline_comes_out_masked() {
    let (logs, out) = memory_pipeline(false, LogTarget::Stdout);
    let dispatch = Dispatch::new(logs.subscriber());
    assert!(logs.is_installed());
    let o = logs_masked()
        .pipeline(logs.clone())
        .run(&Context::with_host(FakeHost::new()))
        .await;
    assert_eq!(o.status(), Status::Pass, "{}", o.message());
    assert_eq!(
        o.message(),
        "a canary secret written through the log pipeline just now came out as `[REDACTED]`"
    );
    let text = out.contents();
    assert!(
        text.contains("prodready log canary [REDACTED]") && !text.contains("canary-"),
        "{text}"
    );
    assert_eq!(logs.redactor().mask("canary-"), "canary-"); // the canary was unregistered
    drop(dispatch);
    let o = logs_masked()
        .pipeline(logs)
        .run(&Context::with_host(FakeHost::new()))
        .await;
    assert_eq!(o.status(), Status::Fail);
    assert_eq!(o.message(), "the redacting log pipeline is not installed: the subscriber the pipeline was installed in has been dropped");
}

#[tokio::test]
async fn missing_uninstalled_or_filtered_pipelines_fail() {
    let o = run(logs_masked()).await;
    assert_eq!(
        (o.status(), o.message()),
        (Status::Fail, "no redacting log pipeline installed")
    );
    assert!(o.get_remediation().unwrap().contains("logs.layer()"));
    let (logs, _) = memory_pipeline(true, LogTarget::Stdout);
    let o = logs_masked()
        .pipeline(logs.clone())
        .run(&Context::with_host(FakeHost::new()))
        .await;
    assert_eq!(o.message(), "the redacting log pipeline is not installed: the pipeline's layer is not in any installed subscriber");
    let filtered = tracing_subscriber::registry().with(logs.layer().with_filter(LevelFilter::WARN));
    let _dispatch = Dispatch::new(filtered);
    let o = logs_masked()
        .pipeline(logs)
        .run(&Context::with_host(FakeHost::new()))
        .await;
    assert_eq!(
        (o.status(), o.message()),
        (
            Status::Fail,
            "the canary event written just now did not reach the log output"
        )
    );
}

#[tokio::test]
async fn a_fmt_layer_writing_around_the_redactor_is_caught() {
    let (logs, _) = memory_pipeline(true, LogTarget::Stdout);
    let raw = MemoryWriter::new();
    // The service wired the marker but its own writer: nothing goes through the masking writer.
    let sub = tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(raw.clone()))
        .with(logs.marker_layer());
    let _dispatch = Dispatch::new(sub);
    let o = logs_masked()
        .pipeline(logs)
        .run(&Context::with_host(FakeHost::new()))
        .await;
    assert_eq!(o.status(), Status::Fail);
    assert!(
        raw.contents().contains("canary-"),
        "the unmasked canary went around the pipeline"
    );
}

#[tokio::test]
async fn log_aggregation_wants_json_to_a_collected_target() {
    let o = run(log_aggregation()).await;
    assert_eq!(
        (o.status(), o.message()),
        (Status::Fail, "no structured log pipeline installed")
    );
    for (json, target, status, message) in [
        (
            true,
            LogTarget::Shipper("vector".into()),
            Status::Pass,
            "JSON log lines go to shipper vector (seen in the canary event written just now)",
        ),
        (
            true,
            LogTarget::Stderr,
            Status::Pass,
            "JSON log lines go to stderr (seen in the canary event written just now)",
        ),
        (
            false,
            LogTarget::Stderr,
            Status::Warn,
            "log lines are text, not JSON: aggregators cannot index their fields",
        ),
        (
            true,
            LogTarget::Other("/var/log/app.log".into()),
            Status::Warn,
            "logs go to /var/log/app.log, which no collector reads by default",
        ),
    ] {
        let (logs, out) = memory_pipeline(json, target);
        let _dispatch = Dispatch::new(logs.subscriber());
        let o = log_aggregation()
            .pipeline(logs)
            .run(&Context::with_host(FakeHost::new()))
            .await;
        assert_eq!((o.status(), o.message()), (status, message));
        assert_eq!(o.details()["format"], if json { "json" } else { "text" });
        assert!(out.contents().contains("prodready log canary [REDACTED]"));
    }
}

async fn error_tracking_on(
    host: FakeHost,
    spec: Option<ErrorTrackingSpec>,
    hook: Option<PanicHook>,
) -> Outcome {
    let ctx = ctx(host, |r| {
        if let Some(spec) = spec {
            r.insert(spec);
        }
        if let Some(hook) = hook {
            r.insert(hook);
        }
    });
    error_tracking().run(&ctx).await
}

#[tokio::test]
async fn error_tracking_needs_a_parsing_dsn_and_a_panic_hook() {
    let key = "0123456789abcdef0123456789abcdef";
    let good = FakeHost::new().env(
        "SENTRY_DSN",
        &format!("https://{key}@o42.ingest.sentry.io/4501"),
    );
    let o = error_tracking_on(good.clone(), None, Some(PanicHook::simulated("sentry"))).await;
    assert_eq!(o.status(), Status::Pass, "{}", o.message());
    assert_eq!(
        o.message(),
        "errors go to o42.ingest.sentry.io (project 4501); panics are reported to sentry"
    );
    assert!(!format!("{:?}", o).contains(key));
    assert_eq!(o.details()["dsn_project_id"], "4501");

    let o = error_tracking_on(good, None, None).await;
    assert_eq!(
        (o.status(), o.message()),
        (Status::Fail, "no reporting panic hook installed")
    );
    let o = error_tracking_on(FakeHost::new(), None, Some(PanicHook::simulated("sentry"))).await;
    assert_eq!(
        o.message(),
        "no error-tracking DSN: `SENTRY_DSN` is not set"
    );
    for (bad, why) in [
        (
            "https://o42.ingest.sentry.io/4501",
            "has no public key (`https://<key>@host/<project>`)",
        ),
        (
            &*format!("https://{key}@o42.ingest.sentry.io/"),
            "has no numeric project id (`https://<key>@host/<project>`)",
        ),
        (
            &*format!("ftp://{key}@o42.ingest.sentry.io/1"),
            "is not an http(s) URL",
        ),
        (key, "is not a URL"),
    ] {
        let spec = ErrorTrackingSpec::new().dsn_env("APP_DSN");
        let o = error_tracking_on(
            FakeHost::new().env("APP_DSN", bad),
            Some(spec),
            Some(PanicHook::simulated("s")),
        )
        .await;
        assert_eq!(
            o.message(),
            format!("the error-tracking DSN in `APP_DSN` {why}")
        );
        assert!(!format!("{o:?}").contains(key));
    }
    let spec = ErrorTrackingSpec::new().dsn(format!("https://{key}@sentry.internal/7"));
    assert!(!format!("{spec:?}").contains(key));
    let o = error_tracking_on(FakeHost::new(), Some(spec), Some(PanicHook::simulated("s"))).await;
    assert_eq!(o.status(), Status::Pass);
}

#[test]
fn the_three_items_are_bound() {
    let ids: Vec<&str> = standard_bindings().into_iter().map(|(id, _)| id).collect();
    assert_eq!(
        ids,
        [
            "infrastructure.monitoring.log-aggregation-set-up",
            "infrastructure.monitoring.error-tracking-configured",
            "security.data-protection.sensitive-data-masked-in-logs",
        ]
    );
}
