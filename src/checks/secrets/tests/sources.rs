//! `secrets_in_vault`, `database_url_in_secrets`, `api_keys_secured`.

use super::*;

#[tokio::test]
async fn no_spec_warns_with_how_to_declare() {
    let o = run(secrets_in_vault(), FakeHost::new(), None).await;
    assert_outcome(&o, Status::Warn, &[]);
    assert_eq!(o.message(), "no secrets declared");
    assert!(o
        .get_remediation()
        .unwrap()
        .contains("SecretSpec::new().secret("));
    let empty = run(secrets_in_vault(), FakeHost::new(), Some(SecretSpec::new())).await;
    assert_eq!(empty.status(), Status::Warn);
}

#[tokio::test]
async fn every_secret_from_a_secret_source_passes() {
    let host = FakeHost::new()
        .env("APP_DB_URL_FILE", "/run/secrets/db")
        .file("/run/secrets/db", DB_URL)
        .env("STRIPE_KEY", OCID);
    k8s_volume(&host, "/var/run/secrets/app", &[("jwt", PASSWORD)], 0o400);
    let spec = SecretSpec::new()
        .secret(
            Secret::new("db")
                .from_file_env("APP_DB_URL_FILE")
                .or_env("APP_DB_URL"),
        )
        .secret(Secret::new("jwt").from_dir("/var/run/secrets/app"))
        .secret(Secret::new("stripe").from_env("STRIPE_KEY"))
        .provider(FakeVault::default().with(OCID, PASSWORD));
    let o = run(secrets_in_vault(), host, Some(spec)).await;
    assert_outcome(&o, Status::Pass, &[]);
    assert_eq!(
        o.message(),
        "3 declared secrets all resolve through secret sources"
    );
    assert_eq!(o.details()["secret_source_count"], 3);
    assert_eq!(o.details()["by_source"]["oci_vault"], 1);
    assert_eq!(o.details()["secrets"][2]["source"], "oci_vault");
}

#[tokio::test]
async fn a_plain_environment_value_fails_naming_the_variable_not_the_value() {
    let host = FakeHost::new()
        .env("APP_DB_URL", DB_URL)
        .file("/run/secrets/jwt", "k3Jp9xQ2mZ7vL1nB8cR4tY6wE0aS5dF3");
    let spec = SecretSpec::new()
        .secret(
            Secret::new("db")
                .from_file_env("APP_DB_URL_FILE")
                .or_env("APP_DB_URL"),
        )
        .secret(Secret::new("jwt").from_file("/run/secrets/jwt"));
    let o = run(secrets_in_vault(), host, Some(spec)).await;
    assert_outcome(&o, Status::Fail, &["k3Jp9xQ2mZ7vL1nB8cR4tY6wE0aS5dF3"]);
    assert_eq!(
        o.message(),
        "secret `db` is a plain environment value in `APP_DB_URL`"
    );
    assert!(o.get_remediation().unwrap().contains("secret volume"));
    assert_eq!(o.details()["secrets"][0]["status"], "fail");
    assert_eq!(o.details()["secrets"][1]["status"], "pass");
}

#[tokio::test]
async fn unresolvable_secrets_fail_naming_the_sources_tried() {
    let host = FakeHost::new().env("API_TOKEN_REF", OCID);
    let spec = SecretSpec::new()
        .secret(Secret::new("db").from_file("/run/secrets/db"))
        .secret(Secret::new("api").from_env("API_TOKEN_REF"));
    let o = run(secrets_in_vault(), host, Some(spec)).await;
    assert_outcome(&o, Status::Fail, &[]);
    assert!(
        o.message()
            .contains("secret `db` was not found: tried /run/secrets/db (absent)"),
        "{}",
        o.message()
    );
    assert!(o.message().contains("OCI Vault reference ocid1.vaultsecret.oc1.eu-frankfurt-1.… in `API_TOKEN_REF` needs a SecretProvider"), "{}", o.message());
    assert!(o
        .get_remediation()
        .unwrap()
        .contains("SecretSpec::provider"));
}

#[tokio::test]
async fn the_database_url_from_a_file_passes_and_is_shown_without_password() {
    let host = FakeHost::new()
        .env("APP_DB_URL_FILE", "/run/secrets/db")
        .file("/run/secrets/db", DB_URL);
    let spec = SecretSpec::new().secret(
        Secret::new("db-url")
            .from_file_env("APP_DB_URL_FILE")
            .or_env("APP_DB_URL")
            .database_url(),
    );
    let o = run(database_url_in_secrets(), host, Some(spec)).await;
    assert_outcome(&o, Status::Pass, &[]);
    assert_eq!(
        o.message(),
        "the database URL `db-url` comes from mounted file /run/secrets/db (named by `APP_DB_URL_FILE`) (postgres://***@db.internal:5432/app?sslmode=verify-full)"
    );
    assert_eq!(o.details()["database_urls"][0]["source"], "file_env");
}

#[tokio::test]
async fn the_database_url_in_a_plain_env_value_or_a_config_file_fails() {
    let plain = FakeHost::new().env("APP_DB_URL", DB_URL);
    let spec = SecretSpec::new().secret(
        Secret::new("db-url")
            .from_file_env("APP_DB_URL_FILE")
            .or_env("APP_DB_URL")
            .database_url(),
    );
    let o = run(database_url_in_secrets(), plain, Some(spec)).await;
    assert_outcome(&o, Status::Fail, &[]);
    assert!(
        o.message()
            .starts_with("the database URL `db-url` is a plain environment value in `APP_DB_URL`"),
        "{}",
        o.message()
    );

    let in_config = FakeHost::new().file("/run/secrets/db", DB_URL).file(
        "/app/config.toml",
        format!("[database]\nurl = \"{DB_URL}\"\n"),
    );
    let spec = SecretSpec::new()
        .secret(
            Secret::new("db-url")
                .from_file("/run/secrets/db")
                .database_url(),
        )
        .config_file("/app/config.toml")
        .config_file("/app/absent.toml");
    let o = run(database_url_in_secrets(), in_config, Some(spec)).await;
    assert_outcome(&o, Status::Fail, &[]);
    assert!(
        o.message().starts_with(
            "the database URL `db-url` also sits in the plain config file /app/config.toml"
        ),
        "{}",
        o.message()
    );
}

#[tokio::test]
async fn without_a_declaration_database_url_variables_are_judged() {
    let plain = FakeHost::new().env("DATABASE_URL", DB_URL);
    let o = run(database_url_in_secrets(), plain, None).await;
    assert_outcome(&o, Status::Fail, &[]);
    assert!(o
        .message()
        .contains("plain environment value in `DATABASE_URL`"));

    let mounted = FakeHost::new()
        .env("DATABASE_URL_FILE", "/run/secrets/db")
        .file("/run/secrets/db", DB_URL);
    let o = run(database_url_in_secrets(), mounted, None).await;
    assert_outcome(&o, Status::Pass, &[]);

    let custom = FakeHost::new().env("PG_URL", DB_URL);
    let o = run(database_url_in_secrets().env("PG_URL"), custom, None).await;
    assert_outcome(&o, Status::Fail, &[]);

    let o = run(database_url_in_secrets(), FakeHost::new(), None).await;
    assert_outcome(&o, Status::Warn, &[]);
    assert_eq!(
        o.message(),
        "no database URL declared, and neither `DATABASE_URL` nor `DATABASE_URL_FILE` is set"
    );
}

#[tokio::test]
async fn api_keys_from_secret_sources_pass() {
    let host = FakeHost::new()
        .file("/run/secrets/stripe", PASSWORD)
        .env("PATH", "/usr/bin");
    let spec = SecretSpec::new().secret(
        Secret::new("stripe")
            .from_file("/run/secrets/stripe")
            .api_key(),
    );
    let o = run(api_keys_secured(), host, Some(spec)).await;
    assert_outcome(&o, Status::Pass, &[]);
    assert_eq!(o.details()["api_keys"][0]["source"], "file");
}

#[tokio::test]
async fn api_keys_in_plain_variables_fail_declared_or_not() {
    let host = FakeHost::new()
        .env("STRIPE_API_KEY", PASSWORD)
        .env("MAPS_KEY", "AIzaSyD-canary-maps-key")
        .env("SENDGRID_API_KEY_OCID_API_KEY", OCID);
    let spec = SecretSpec::new()
        .secret(Secret::new("maps").from_env("MAPS_KEY").api_key())
        .provider(FakeVault::default());
    let o = run(api_keys_secured(), host, Some(spec)).await;
    assert_outcome(&o, Status::Fail, &["AIzaSyD-canary-maps-key"]);
    assert_eq!(
        o.message(),
        "API key `maps` is a plain environment value in `MAPS_KEY`; `STRIPE_API_KEY` holds a plain API key in the environment"
    );
    assert_eq!(
        o.details()["plain_env_vars"],
        serde_json::json!(["STRIPE_API_KEY"])
    );
}

#[tokio::test]
async fn no_api_keys_at_all_warns() {
    let o = run(
        api_keys_secured(),
        FakeHost::new().env("RAPID_API_KEYS_ENABLED", "1"),
        None,
    )
    .await;
    assert_outcome(&o, Status::Warn, &[]);
    assert!(o.get_remediation().unwrap().contains(".api_key()"));
}
