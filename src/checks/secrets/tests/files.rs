//! `secret_files_protected`: file modes (through Kubernetes symlinks) and config files.

use super::*;

#[tokio::test]
async fn owner_only_files_pass() {
    let host = FakeHost::new()
        .env("APP_DB_URL_FILE", "/run/secrets/db")
        .file_with_mode("/run/secrets/db", DB_URL, 0o600)
        .file_with_mode("/run/secrets/jwt", PASSWORD, 0o400);
    let spec = SecretSpec::new()
        .secret(Secret::new("db").from_file_env("APP_DB_URL_FILE"))
        .secret(Secret::new("jwt").from_file("/run/secrets/jwt"))
        .secret(Secret::new("absent").from_file("/run/secrets/absent"));
    let o = run(secret_files_protected(), host, Some(spec)).await;
    assert_outcome(&o, Status::Pass, &[]);
    assert_eq!(
        o.message(),
        "2 secret files are readable by their owner only; no plain config file declared to search"
    );
    assert_eq!(o.details()["secret_files"][0]["mode"], "0600");
}

#[tokio::test]
async fn group_or_world_readable_files_fail() {
    let host = FakeHost::new()
        .file_with_mode("/run/secrets/db", DB_URL, 0o644)
        .file_with_mode("/run/secrets/jwt", PASSWORD, 0o640);
    let spec = SecretSpec::new()
        .secret(Secret::new("db").from_file("/run/secrets/db"))
        .secret(Secret::new("jwt").from_file("/run/secrets/jwt"));
    let o = run(secret_files_protected(), host, Some(spec)).await;
    assert_outcome(&o, Status::Fail, &[]);
    assert_eq!(
        o.message(),
        "/run/secrets/db is mode 0644: readable by everyone; /run/secrets/jwt is mode 0640: readable by its group"
    );
    assert!(o.remediation_text().unwrap().contains("defaultMode: 0400"));
}

#[tokio::test]
async fn kubernetes_volumes_are_judged_through_their_symlinks() {
    let good = FakeHost::new();
    k8s_volume(
        &good,
        "/var/run/secrets/app",
        &[("db-url", DB_URL), ("jwt", PASSWORD)],
        0o400,
    );
    let spec = SecretSpec::new().directory("/var/run/secrets/app");
    let o = run(secret_files_protected(), good, Some(spec.clone())).await;
    assert_outcome(&o, Status::Pass, &[]);
    // `..data` and `..2024_…` are skipped; the two keys are judged through their links.
    let files: Vec<&str> = o.details()["secret_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        ["/var/run/secrets/app/db-url", "/var/run/secrets/app/jwt"]
    );

    // The kubelet's default mode is 0644.
    let default_mode = FakeHost::new();
    k8s_volume(
        &default_mode,
        "/var/run/secrets/app",
        &[("db-url", DB_URL)],
        0o644,
    );
    let o = run(secret_files_protected(), default_mode, Some(spec)).await;
    assert_outcome(&o, Status::Fail, &[]);
    assert_eq!(
        o.message(),
        "/var/run/secrets/app/db-url is mode 0644: readable by everyone"
    );
}

#[tokio::test]
async fn a_secret_in_a_plain_config_file_fails_naming_secret_and_file() {
    let host = FakeHost::new()
        .file_with_mode("/run/secrets/jwt", PASSWORD, 0o400)
        .file("/app/config.yaml", format!("jwt:\n  secret: {PASSWORD}\n"))
        .file("/app/other.yaml", "log_level: info\n");
    let spec = SecretSpec::new()
        .secret(Secret::new("jwt").from_file("/run/secrets/jwt"))
        .config_file("/app/config.yaml")
        .config_file("/app/other.yaml")
        .config_file("/app/missing.yaml");
    let o = run(secret_files_protected(), host, Some(spec)).await;
    assert_outcome(&o, Status::Fail, &[]);
    assert_eq!(
        o.message(),
        "secret `jwt` sits in the plain config file /app/config.yaml"
    );
    assert_eq!(o.details()["config_files_checked"], 2);
    assert_eq!(
        o.details()["config_files_missing"],
        serde_json::json!(["/app/missing.yaml"])
    );
}

#[tokio::test]
async fn an_unreadable_config_file_fails() {
    let host = FakeHost::new()
        .file_with_mode("/run/secrets/jwt", PASSWORD, 0o400)
        .file("/app/config.d/a.yaml", "x: 1\n");
    let spec = SecretSpec::new()
        .secret(Secret::new("jwt").from_file("/run/secrets/jwt"))
        .config_file("/app/config.d");
    let o = run(secret_files_protected(), host, Some(spec)).await;
    assert_outcome(&o, Status::Fail, &[]);
    assert!(
        o.message()
            .starts_with("the config file /app/config.d cannot be read:"),
        "{}",
        o.message()
    );
}

#[tokio::test]
async fn nothing_declared_or_nothing_to_verify_warns() {
    let o = run(secret_files_protected(), FakeHost::new(), None).await;
    assert_outcome(&o, Status::Warn, &[]);
    assert_eq!(o.message(), "no secrets declared");
    let provider_only = SecretSpec::new()
        .secret(Secret::new("db").from_provider(OCID))
        .provider(FakeVault::default().with(OCID, DB_URL));
    let o = run(
        secret_files_protected(),
        FakeHost::new(),
        Some(provider_only.clone()),
    )
    .await;
    assert_outcome(&o, Status::Warn, &[]);
    assert!(o.message().contains("nothing to verify"));
    let host = FakeHost::new().file("/app/config.toml", "port = 8080\n");
    let o = run(
        secret_files_protected(),
        host,
        Some(provider_only.config_file("/app/config.toml")),
    )
    .await;
    assert_outcome(&o, Status::Pass, &[]);
    assert_eq!(
        o.message(),
        "no secret file is mounted; no secret in the 1 declared config file"
    );
}
