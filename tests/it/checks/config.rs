//! Real-machine tests of `checks::config`: configuration files written to a real temp dir.

use prodready::checks::config::{config_valid, ConfigError, Rules, Validate};
use prodready::{Check, Context, Status};

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AppConfig {
    http: Http,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Http {
    port: u16,
    api_token: String,
}

impl Validate for AppConfig {
    fn validate(&self) -> Result<(), Vec<ConfigError>> {
        Rules::new()
            .require(self.http.port >= 1024, "http.port", "must be 1024 or above")
            .require(
                !self.http.api_token.is_empty(),
                "http.api_token",
                "must not be empty",
            )
            .finish()
    }
}

async fn check(dir: &tempfile::TempDir, name: &str, contents: &str) -> prodready::Outcome {
    let path = dir.path().join(name);
    std::fs::write(&path, contents).unwrap();
    config_valid::<AppConfig>()
        .file(&path)
        .run(&Context::default())
        .await
}

#[tokio::test]
async fn real_files_load_validate_and_name_their_errors() {
    let dir = tempfile::tempdir().unwrap();
    let o = check(
        &dir,
        "good.toml",
        "[http]\nport = 8080\napi_token = \"tok-123456\"\n",
    )
    .await;
    assert_eq!(o.status(), Status::Pass, "{o:?}");
    assert!(o.message().ends_with("unknown keys rejected"));

    let o = check(
        &dir,
        "good.json",
        r#"{"http": {"port": 8443, "api_token": "tok"}}"#,
    )
    .await;
    assert_eq!(o.status(), Status::Pass, "{o:?}");

    let o = check(
        &dir,
        "type.toml",
        "[http]\nport = \"eighty\"\napi_token = \"x\"\n",
    )
    .await;
    assert_eq!(o.status(), Status::Fail);
    assert!(
        o.message()
            .ends_with("http.port: invalid type: string \"eighty\", expected u16"),
        "{o:?}"
    );

    let o = check(
        &dir,
        "secret.json",
        r#"{"http": {"port": 8080, "api_token": 424242}}"#,
    )
    .await;
    assert_eq!(o.status(), Status::Fail);
    assert!(!format!("{o:?}").contains("424242"), "{o:?}");

    let o = check(&dir, "rules.toml", "[http]\nport = 80\napi_token = \"\"\n").await;
    assert_eq!(o.status(), Status::Fail);
    assert!(o.message().contains("breaks 2 rule(s)"), "{o:?}");

    let missing = dir.path().join("absent.toml");
    let o = config_valid::<AppConfig>()
        .file(&missing)
        .run(&Context::default())
        .await;
    assert_eq!(o.status(), Status::Fail);
    assert!(o.message().contains("cannot be read"), "{o:?}");
}
