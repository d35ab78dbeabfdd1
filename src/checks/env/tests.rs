use super::*;
use crate::check::Resources;
use crate::testing::FakeHost;
use crate::Status;

const MANIFEST: &str = "\
# Connections in the primary database pool.
APP_DB_POOL_SIZE=10

# Key of the billing provider.
APP_API_KEY=changeme
# Optional: log level.
# APP_LOG_LEVEL=info
";

fn spec() -> EnvSpec {
    EnvSpec::new()
        .prefix("APP_")
        .var(EnvVar::new("APP_DB_POOL_SIZE").required())
        .var(EnvVar::new("APP_API_KEY").required().secret())
        .var(EnvVar::new("APP_REGION").description("cloud region"))
        .manifest("/app/.env.example")
}

fn host() -> FakeHost {
    FakeHost::new()
        .file(
            "/app/.env.example",
            format!("{MANIFEST}# Cloud region.\nAPP_REGION=eu-west-1\n"),
        )
        .env("APP_DB_POOL_SIZE", "20")
        .env("APP_API_KEY", "sk_live_7f3a9")
        .env("PATH", "/usr/bin")
}

async fn run(spec: EnvSpec, host: FakeHost) -> Outcome {
    documented().spec(spec).run(&Context::with_host(host)).await
}

fn list(o: &Outcome, key: &str) -> Vec<String> {
    serde_json::from_value(o.details()[key].clone()).unwrap()
}

fn assert_no_values(o: &Outcome) {
    let all = format!("{o:?}");
    for value in ["sk_live_7f3a9", "changeme", "eu-west-1", "20"] {
        assert!(!all.contains(value), "value {value:?} leaked: {all}");
    }
}

#[tokio::test]
async fn passes_when_everything_is_declared_documented_listed_and_set() {
    let o = run(spec(), host()).await;
    assert_eq!(o.status(), Status::Pass, "{o:?}");
    assert!(o
        .message()
        .contains("4 variables declared, 2 set, 2 required"));
    assert!(o.message().contains("/app/.env.example"));
    assert_eq!(o.details()["manifest_entry_count"], 4);
    assert_no_values(&o);
}

#[tokio::test]
async fn reads_the_spec_from_the_context() {
    let mut resources = Resources::default();
    resources.insert(spec());
    let ctx = Context::new(Arc::new(host()), resources);
    let o = documented().run(&ctx).await;
    assert_eq!(o.status(), Status::Pass, "{o:?}");
}

#[tokio::test]
async fn warns_when_nothing_is_declared() {
    let o = documented().run(&Context::with_host(host())).await;
    assert_eq!(o.status(), Status::Warn);
    assert_eq!(o.message(), "no environment variables declared");
    assert!(o.get_remediation().unwrap().contains("EnvSpec"));
    let o = run(EnvSpec::new().prefix("APP_"), host()).await;
    assert_eq!(o.status(), Status::Warn);
}

#[tokio::test]
async fn fails_naming_missing_and_empty_required_variables() {
    let h = host();
    h.remove_env("APP_DB_POOL_SIZE");
    h.set_env("APP_API_KEY", "");
    let o = run(spec(), h).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(o.message().contains("required and unset: APP_DB_POOL_SIZE"));
    assert!(o.message().contains("required and empty: APP_API_KEY"));
    assert_eq!(list(&o, "missing_required"), ["APP_DB_POOL_SIZE"]);
    assert_eq!(list(&o, "empty_required"), ["APP_API_KEY"]);
    assert!(o.get_remediation().unwrap().contains("env"));
}

#[tokio::test]
async fn fails_on_undocumented_variables_in_code_and_in_the_manifest() {
    let h = host().file(
        "/app/.env.example",
        format!("{MANIFEST}APP_REGION=eu-west-1\nAPP_BARE=1\n"),
    );
    let spec = spec().var(EnvVar::new("APP_NEW"));
    let o = run(spec, h).await;
    assert_eq!(o.status(), Status::Fail);
    // APP_REGION is described in code; APP_BARE is listed bare; APP_NEW is neither.
    assert_eq!(list(&o, "undocumented"), ["APP_BARE", "APP_NEW"]);
    assert_eq!(list(&o, "not_in_manifest"), ["APP_NEW"]);
    assert!(o.message().contains("missing from the manifest: APP_NEW"));
    assert_no_values(&o);
}

#[tokio::test]
async fn without_a_manifest_descriptions_in_code_suffice() {
    let spec = EnvSpec::new().var(EnvVar::new("PATH").description("search path").required());
    let o = run(spec, host()).await;
    assert_eq!(o.status(), Status::Pass, "{o:?}");
    assert!(o.details().get("not_in_manifest").is_none());
    let o = run(EnvSpec::new().var(EnvVar::new("PATH").required()), host()).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(o.message().contains("undocumented: PATH"));
}

#[tokio::test]
async fn warns_on_undeclared_variables_with_the_prefix_by_name_only() {
    let h = host()
        .env("APP_DB_POOL_SIZ", "typo-value")
        .env("OTHER_X", "1");
    let o = run(spec(), h).await;
    assert_eq!(o.status(), Status::Warn, "{o:?}");
    assert!(o.message().contains("APP_DB_POOL_SIZ"));
    assert!(!o.message().contains("OTHER_X"));
    assert!(!format!("{o:?}").contains("typo-value"));
    assert_eq!(list(&o, "undeclared_with_prefix"), ["APP_DB_POOL_SIZ"]);
}

#[tokio::test]
async fn a_failure_still_lists_undeclared_variables() {
    let h = host().env("APP_STRAY", "x");
    h.remove_env("APP_API_KEY");
    let o = run(spec(), h).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(o.message().contains("set but undeclared: APP_STRAY"));
}

#[tokio::test]
async fn fails_when_a_secret_live_value_is_in_the_manifest() {
    let h = host().env("APP_API_KEY", "changeme");
    let o = run(spec(), h).await;
    assert_eq!(o.status(), Status::Fail);
    assert_eq!(list(&o, "secret_in_manifest"), ["APP_API_KEY"]);
    assert!(!format!("{o:?}").contains("changeme"));
}

#[tokio::test]
async fn fails_on_an_unreadable_manifest() {
    let h = host();
    h.remove("/app/.env.example");
    let o = run(spec(), h).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(o.message().contains("`/app/.env.example` cannot be read"));
    let h = host().file("/app/.env.example", [0xff, 0xfe, 0x00]);
    let o = run(spec(), h).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(o.message().contains("not UTF-8"), "{o:?}");
}

#[tokio::test]
async fn fails_on_a_malformed_manifest_naming_the_line_not_its_text() {
    let h = host().file(
        "/app/.env.example",
        "# ok\nAPP_DB_POOL_SIZE=1\nsk_live_pasted_secret\n",
    );
    let o = run(spec(), h).await;
    assert_eq!(o.status(), Status::Fail);
    assert_eq!(
        o.message(),
        "the env manifest `/app/.env.example` is malformed: line 3: expected `NAME=value` (no `=` found)"
    );
    assert_eq!(o.details()["manifest_line"], 3);
    assert!(!format!("{o:?}").contains("sk_live_pasted_secret"));
}

#[tokio::test]
async fn a_relative_manifest_is_read_from_the_working_directory() {
    let manifest = format!("{MANIFEST}# Cloud region.\nAPP_REGION=eu-west-1\n");
    let relative = || spec().manifest("config/.env.example");
    let h = host()
        .with_current_dir("/srv/app")
        .file("/srv/app/config/.env.example", &manifest);
    let o = run(relative(), h).await;
    assert_eq!(o.status(), Status::Pass, "{o:?}");
    assert!(
        o.message()
            .ends_with("all listed in `/srv/app/config/.env.example`"),
        "{o:?}"
    );
    assert_eq!(o.details()["manifest_path"], "/srv/app/config/.env.example");

    // Not there: the message shows the absolute path tried and what it was relative to.
    let h = host()
        .with_current_dir("/srv/app")
        .file("/config/.env.example", &manifest);
    let o = run(relative(), h).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(
        o.message().starts_with(
            "the env manifest `/srv/app/config/.env.example` (`config/.env.example` in the working directory) cannot be read:"
        ),
        "{o:?}"
    );

    // No working directory to resolve it against: a clear error, never a read from `/`.
    let h = host().file("/config/.env.example", &manifest);
    let o = run(relative(), h).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(
        o.message().starts_with(
            "cannot locate the env manifest: the relative path `config/.env.example` cannot be resolved"
        ),
        "{o:?}"
    );
    assert!(o.get_remediation().unwrap().contains("absolute path"));
}
