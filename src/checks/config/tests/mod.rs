use super::*;
use crate::check::Resources;
use crate::testing::FakeHost;
use crate::Status;
use serde::Deserialize;

mod paths;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // read by serde only
struct AppConfig {
    db: Db,
    #[serde(default)]
    hosts: Vec<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    mode: Mode,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Db {
    pool_size: u32,
    password: String,
    #[serde(default)]
    tls: bool,
}

#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Mode {
    #[default]
    Dev,
    Prod,
}

impl Validate for AppConfig {
    fn validate(&self) -> Result<(), Vec<ConfigError>> {
        Rules::new()
            .require(
                (1..=100).contains(&self.db.pool_size),
                "db.pool_size",
                "must be 1 to 100",
            )
            .require(
                self.db.password.len() >= 12,
                "db.password",
                "must be at least 12 characters",
            )
            .require(
                self.mode != Mode::Prod || self.db.tls,
                "db.tls",
                "must be true in prod",
            )
            .finish()
    }
}

/// Accepts unknown keys: no `deny_unknown_fields`.
#[derive(Debug, Deserialize)]
struct Lenient {
    #[allow(dead_code)]
    port: u16,
}

const GOOD_TOML: &str = "[db]\npool_size = 10\npassword = \"correct-horse-battery\"\n";

async fn run(check: &dyn Check, host: FakeHost) -> Outcome {
    check.run(&Context::with_host(host)).await
}

fn toml_spec() -> ConfigSpec {
    config_valid::<AppConfig>().file("/etc/app/config.toml")
}

fn errors(o: &Outcome) -> Vec<String> {
    serde_json::from_value(o.details()["errors"].clone()).unwrap()
}

#[tokio::test]
async fn a_good_toml_file_passes_and_unknown_keys_are_rejected() {
    let host = FakeHost::new().file("/etc/app/config.toml", GOOD_TOML);
    let o = run(&toml_spec(), host).await;
    assert_eq!(o.status(), Status::Pass, "{o:?}");
    assert_eq!(
        o.message(),
        "`AppConfig` loads from `/etc/app/config.toml` and passes its rules; unknown keys rejected"
    );
    assert_eq!(o.details()["config_file"], "/etc/app/config.toml");
    assert!(!format!("{o:?}").contains("correct-horse"));
}

#[tokio::test]
async fn a_json_file_named_by_an_env_var_wins_over_the_default_path() {
    let host = FakeHost::new()
        .file("/etc/app/config.toml", "not = [valid")
        .file(
            "/run/cfg/app.json",
            r#"{"db": {"pool_size": 5, "password": "correct-horse-battery"}, "hosts": ["a", "b"]}"#,
        )
        .env("APP_CONFIG", "/run/cfg/app.json");
    let o = run(&toml_spec().file_from_env("APP_CONFIG"), host).await;
    assert_eq!(o.status(), Status::Pass, "{o:?}");
    assert_eq!(o.details()["config_file"], "/run/cfg/app.json");
}

#[tokio::test]
async fn env_overrides_map_double_underscores_to_nesting_and_parse_types() {
    let host = FakeHost::new()
        .file("/etc/app/config.toml", GOOD_TOML)
        .env("APP_CONFIG", "/etc/app/config.toml")
        .env("APP_DB__POOL_SIZE", "20")
        .env("APP_DB__TLS", "true")
        .env("APP_MODE", "prod")
        .env("APP_HOSTS", "a.example, b.example")
        .env("APP_NAME", "1234")
        .env("APP_ENV", "production")
        .env("OTHER_DB__POOL_SIZE", "ten");
    let spec = toml_spec()
        .file_from_env("APP_CONFIG")
        .env_prefix("APP_")
        .ignore_env("APP_ENV");
    let o = run(&spec, host.clone()).await;
    assert_eq!(o.status(), Status::Pass, "{o:?}");
    assert!(o
        .message()
        .contains("`/etc/app/config.toml` with 5 environment override(s)"));
    let vars: Vec<String> = serde_json::from_value(o.details()["env_overrides"].clone()).unwrap();
    assert_eq!(
        vars,
        [
            "APP_DB__POOL_SIZE",
            "APP_DB__TLS",
            "APP_HOSTS",
            "APP_MODE",
            "APP_NAME"
        ]
    );
    // The override is really applied: 200 breaks the rule the file's 10 passed.
    host.set_env("APP_DB__POOL_SIZE", "200");
    let o = run(&spec, host).await;
    assert_eq!(o.status(), Status::Fail);
    assert_eq!(errors(&o), ["db.pool_size: must be 1 to 100"]);
    assert!(o.get_remediation().unwrap().contains("`APP_DB__POOL_SIZE`"));
}

#[tokio::test]
async fn environment_only_configuration_works_without_a_file() {
    let host = FakeHost::new()
        .env("APP_DB__POOL_SIZE", "3")
        .env("APP_DB__PASSWORD", "correct-horse-battery");
    let spec = config_valid::<AppConfig>().env_prefix("APP_");
    let o = run(&spec, host).await;
    assert_eq!(o.status(), Status::Pass, "{o:?}");
    assert!(o.message().contains("from 2 environment variable(s)"));
}

#[tokio::test]
async fn a_type_error_names_the_key_path() {
    let host = FakeHost::new().file(
        "/etc/app/config.toml",
        "[db]\npool_size = \"ten\"\npassword = \"correct-horse-battery\"\n",
    );
    let o = run(&toml_spec(), host).await;
    assert_eq!(o.status(), Status::Fail);
    assert_eq!(
        errors(&o),
        ["db.pool_size: invalid type: string \"ten\", expected u32"]
    );
    assert!(o
        .message()
        .contains("does not deserialize into `AppConfig`"));
    assert_eq!(
        o.get_remediation(),
        Some("fix `db.pool_size` in `/etc/app/config.toml`")
    );
    // The same from the environment.
    let host = FakeHost::new()
        .file("/etc/app/config.toml", GOOD_TOML)
        .env("APP_DB__POOL_SIZE", "ten");
    let o = run(&toml_spec().env_prefix("APP_"), host).await;
    assert_eq!(
        errors(&o),
        ["db.pool_size: invalid type: string \"ten\", expected u32"]
    );
    assert!(o.get_remediation().unwrap().contains("`APP_DB__POOL_SIZE`"));
}

#[tokio::test]
async fn secret_values_are_never_echoed() {
    let host = FakeHost::new().file(
        "/etc/app/config.json",
        r#"{"db": {"pool_size": 1, "password": 987654321}}"#,
    );
    let spec = config_valid::<AppConfig>().file("/etc/app/config.json");
    let o = run(&spec, host).await;
    assert_eq!(o.status(), Status::Fail);
    assert_eq!(errors(&o).len(), 1);
    assert_eq!(
        errors(&o),
        ["db.password: invalid type (value hidden: the key looks secret), expected a string"]
    );
    assert!(!format!("{o:?}").contains("987654321"), "{o:?}");
    // A TOML syntax error on a secret's line: position only, no quoted source line.
    let host = FakeHost::new().file(
        "/etc/app/config.toml",
        "[db]\npool_size = 1\npassword = \"hunter2-secret-value\n",
    );
    let o = run(&toml_spec(), host).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(
        o.message().starts_with(
            "the configuration file `/etc/app/config.toml` is not valid TOML at line 3"
        ),
        "{o:?}"
    );
    assert!(!format!("{o:?}").contains("hunter2"), "{o:?}");
    // A rule broken on a secret key: the service's quoted text is masked.
    let host = FakeHost::new().file(
        "/etc/app/config.toml",
        "[db]\npool_size = 1\npassword = \"short\"\n",
    );
    let o = run(&toml_spec(), host).await;
    assert_eq!(errors(&o), ["db.password: must be at least 12 characters"]);
    assert!(!format!("{o:?}").contains("short\""));
}

#[tokio::test]
async fn missing_and_unknown_keys_are_named() {
    let host = FakeHost::new().file("/etc/app/config.toml", "[db]\npool_size = 1\n");
    let o = run(&toml_spec(), host).await;
    assert_eq!(errors(&o), ["db.password: missing"]);
    let host = FakeHost::new().file(
        "/etc/app/config.toml",
        format!("pool_sise = 3\n{GOOD_TOML}"),
    );
    let o = run(&toml_spec(), host).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(
        errors(&o)[0].starts_with("pool_sise: unknown key (expected one of `db`"),
        "{o:?}"
    );
    let host = FakeHost::new().file(
        "/etc/app/config.toml",
        format!("{GOOD_TOML}pool_sise = 3\n"),
    );
    let o = run(&toml_spec(), host).await;
    assert_eq!(
        errors(&o),
        ["db.pool_sise: unknown key (expected one of `pool_size`, `password`, `tls`)"]
    );
}

#[tokio::test]
async fn every_broken_rule_is_listed() {
    let host = FakeHost::new()
        .file(
            "/etc/app/config.toml",
            "mode = \"prod\"\n[db]\npool_size = 0\npassword = \"x\"\n",
        )
        .env("APP_DB__PASSWORD", "too-short");
    let o = run(&toml_spec().env_prefix("APP_"), host).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(o.message().contains("breaks 3 rule(s)"), "{o:?}");
    assert_eq!(
        errors(&o),
        [
            "db.pool_size: must be 1 to 100",
            "db.password: must be at least 12 characters",
            "db.tls: must be true in prod"
        ]
    );
    assert!(o
        .get_remediation()
        .unwrap()
        .contains("`db.password` in `APP_DB__PASSWORD`"));
}

#[tokio::test]
async fn a_type_that_accepts_unknown_keys_fails_unless_allowed() {
    let host = FakeHost::new().file("/etc/app/config.toml", "port = 8080\n");
    let spec = ConfigSpec::without_rules::<Lenient>().file("/etc/app/config.toml");
    let o = run(&spec, host.clone()).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(o.message().contains("accepts unknown keys"));
    assert!(o
        .get_remediation()
        .unwrap()
        .contains("#[serde(deny_unknown_fields)]"));
    let o = run(&spec.allow_unknown_keys(), host).await;
    assert_eq!(o.status(), Status::Pass);
    assert!(o.message().contains("unknown keys allowed by declaration"));
}

#[tokio::test]
async fn unreadable_malformed_and_misnamed_files_fail_naming_the_file() {
    let cases: [(&str, &[u8], &str); 5] = [
        ("/etc/app/other.toml", b"", "cannot be read"),
        (
            "/etc/app/config.toml",
            b"[db\n",
            "is not valid TOML at line 1",
        ),
        ("/etc/app/config.toml", b"\xff\xfe", "not UTF-8"),
        ("/etc/app/config.toml", b"", "missing"),
        ("/etc/app/config.toml", b"x = 1\n", "unknown key"),
    ];
    for (path, contents, expected) in cases {
        let host = FakeHost::new().file(path, contents);
        let o = run(&toml_spec(), host).await;
        assert_eq!(o.status(), Status::Fail, "{path}: {o:?}");
        assert!(o.message().contains(expected), "{expected}: {o:?}");
    }
    let host = FakeHost::new().file("/etc/app/config.json", "{\"db\": ");
    let o = run(
        &config_valid::<AppConfig>().file("/etc/app/config.json"),
        host,
    )
    .await;
    assert!(
        o.message().contains("is not valid JSON: EOF while parsing"),
        "{o:?}"
    );
    let host = FakeHost::new().file("/etc/app/config.json", "[1, 2]");
    let o = run(
        &config_valid::<AppConfig>().file("/etc/app/config.json"),
        host,
    )
    .await;
    assert!(o.message().contains("does not hold a table"), "{o:?}");
    let host = FakeHost::new().file("/etc/app/config.yaml", "db: {}");
    let o = run(
        &config_valid::<AppConfig>().file("/etc/app/config.yaml"),
        host,
    )
    .await;
    assert!(o.message().contains("unknown extension"), "{o:?}");
}

#[tokio::test]
async fn missing_sources_are_reported() {
    let o = run(&config_valid::<AppConfig>(), FakeHost::new()).await;
    assert_eq!(o.status(), Status::Warn);
    assert!(o.message().contains("no configuration source declared"));
    let spec = config_valid::<AppConfig>().file_from_env("APP_CONFIG");
    let o = run(&spec, FakeHost::new()).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(o.message().starts_with("`APP_CONFIG` is not set"));
}

#[tokio::test]
async fn the_default_binding_reads_the_declared_spec() {
    let o = run(&declared_config_valid(), FakeHost::new()).await;
    assert_eq!(o.status(), Status::Warn);
    assert_eq!(o.message(), "no configuration type declared");
    let mut resources = Resources::default();
    resources.insert(toml_spec());
    let host = FakeHost::new().file("/etc/app/config.toml", GOOD_TOML);
    let ctx = Context::new(Arc::new(host), resources);
    let o = declared_config_valid().run(&ctx).await;
    assert_eq!(o.status(), Status::Pass, "{o:?}");
}
