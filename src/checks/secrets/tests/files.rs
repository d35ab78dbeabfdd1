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
    assert!(o.get_remediation().unwrap().contains("defaultMode: 0400"));
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
        "secret `jwt` sits in the plain config file /app/config.yaml; the declared config file /app/missing.yaml does not exist: it was not searched"
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

#[tokio::test]
async fn inspecting_nothing_is_never_a_pass() {
    // Declared files that are not mounted, and a config file with nothing to look for in it
    // (the only secret resolves to nothing): zero files inspected.
    let host = FakeHost::new().file("/app/config.toml", "port = 8080\n");
    let spec = SecretSpec::new()
        .secret(
            Secret::new("db")
                .from_file("/run/secrets/db")
                .or_env("APP_DB_URL"),
        )
        .secret(Secret::new("jwt").from_dir("/var/run/secrets/app"))
        .config_file("/app/config.toml");
    let o = run(secret_files_protected(), host, Some(spec)).await;
    assert_outcome(&o, Status::Warn, &[]);
    assert_eq!(
        o.message(),
        "the 1 declared config file could not be searched: no declared secret resolved to a value to look for; \
         none of the 2 declared secret paths is mounted (looked for /run/secrets/db, /var/run/secrets/app): no file mode could be inspected"
    );
    assert_eq!(o.details()["config_files_checked"], 0);
    assert_eq!(
        o.details()["secret_files_absent"],
        serde_json::json!(["/run/secrets/db", "/var/run/secrets/app"])
    );

    // A declared config file that does not exist is not "no config file declared".
    let host = FakeHost::new().file_with_mode("/run/secrets/jwt", PASSWORD, 0o400);
    let spec = SecretSpec::new()
        .secret(Secret::new("jwt").from_file("/run/secrets/jwt"))
        .config_file("/app/config.toml");
    let o = run(secret_files_protected(), host, Some(spec)).await;
    assert_outcome(&o, Status::Warn, &[]);
    assert_eq!(
        o.message(),
        "the declared config file /app/config.toml does not exist: it was not searched"
    );
    assert!(o
        .get_remediation()
        .unwrap()
        .contains("SecretSpec::config_file"));
}

#[tokio::test]
async fn relative_paths_are_read_from_the_working_directory() {
    let host = FakeHost::new()
        .with_current_dir("/srv/app")
        .env("APP_JWT_FILE", "secrets/jwt")
        .file_with_mode("/srv/app/secrets/jwt", PASSWORD, 0o400)
        .file_with_mode("/srv/app/secrets/volume/api", "sk-live-0123456789", 0o440)
        .file(
            "/srv/app/config/app.toml",
            format!("jwt = \"{PASSWORD}\"\n"),
        )
        // Decoys where a read from `/` would look.
        .file_with_mode("/secrets/jwt", "decoy-value-123", 0o600)
        .file("/config/app.toml", "port = 1\n");
    let spec = SecretSpec::new()
        .secret(Secret::new("jwt").from_file_env("APP_JWT_FILE"))
        .directory("secrets/volume")
        .config_file("config/app.toml")
        .config_file("config/missing.toml");
    let o = run(secret_files_protected(), host.clone(), Some(spec.clone())).await;
    assert_outcome(&o, Status::Fail, &[]);
    assert_eq!(
        o.message(),
        "/srv/app/secrets/volume/api is mode 0440: readable by its group; \
         secret `jwt` sits in the plain config file /srv/app/config/app.toml; \
         the declared config file /srv/app/config/missing.toml (`config/missing.toml` in the working directory) does not exist: it was not searched"
    );
    let files: Vec<&str> = o.details()["secret_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        ["/srv/app/secrets/jwt", "/srv/app/secrets/volume/api"]
    );
    assert_eq!(
        o.details()["config_files_missing"],
        serde_json::json!(["/srv/app/config/missing.toml"])
    );

    // The service reads the same files when it resolves its secrets.
    let resolved = spec.resolve(&host).await.unwrap();
    let jwt = resolved.resolved("jwt").unwrap();
    assert_eq!(jwt.value().expose_secret(), PASSWORD);
    assert_eq!(jwt.origin().file(), Some(Path::new("/srv/app/secrets/jwt")));

    // Without a working directory, a relative path is a clear error, never a read from `/`.
    let host = FakeHost::new().file_with_mode("/secrets/jwt", "decoy-value-123", 0o600);
    let spec = SecretSpec::new().secret(Secret::new("jwt").from_file("secrets/jwt"));
    let o = run(secret_files_protected(), host.clone(), Some(spec.clone())).await;
    assert_outcome(&o, Status::Fail, &["decoy-value-123"]);
    assert!(
        o.message().starts_with(
            "cannot locate the secret file: the relative path `secrets/jwt` cannot be resolved"
        ),
        "{}",
        o.message()
    );
    let err = spec.resolve(&host).await.unwrap_err();
    assert!(
        err.to_string()
            .starts_with("secret `jwt`: file secrets/jwt cannot be read: the relative path `secrets/jwt` cannot be resolved"),
        "{err}"
    );
}
