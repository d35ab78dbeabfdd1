//! A canary secret set through every secret path appears in no output: not in any rendered
//! report, not in any endpoint's body, not in the logs, not in the Debug output of the specs.
//! Each secret item's status is asserted too, so the test cannot pass on checks that saw nothing.

use prodready::checks::logging::{
    ErrorTrackingSpec, LogPipeline, LogTarget, MemoryWriter, PanicHook,
};
use prodready::checks::secrets::{
    JwtAlgorithm, ProviderError, Secret, SecretProvider, SecretSpec, SecretString,
};
use prodready::http::{handle, Request};
use prodready::testing::{assert_item, FakeHost};
use prodready::{standard, Format, Readiness, Status};
use std::os::unix::fs::PermissionsExt;

const OCID: &str = "ocid1.vaultsecret.oc1.iad.amaaaaaacanaryocid7c1d4e8f2a9b";

/// One canary per path, so a leak names its path.
fn canary(path: &str) -> String {
    format!("cnry-{path}-4f1e9a7c2b6d8e3f5a0c")
}

const PATHS: &[&str] = &[
    "plain", "fileenv", "dir", "provider", "oci", "jwt", "dbpass", "tlspass", "log", "dsn",
];

struct Vault;

#[prodready::async_trait]
impl SecretProvider for Vault {
    async fn resolve(&self, reference: &str) -> Result<SecretString, ProviderError> {
        match reference {
            "vault:kv/app#session" => Ok(canary("provider").into()),
            OCID => Ok(canary("oci").into()),
            _ => Err(ProviderError::NotFound),
        }
    }
}

fn host() -> FakeHost {
    let db_url = format!(
        "postgres://app:{}@db:5432/app?sslmode=verify-full",
        canary("dbpass")
    );
    let jwt = format!("{}-{}", canary("jwt"), "Qm9zc2VkLWtleQ");
    let host = FakeHost::new()
        .env("APP_PLAIN_TOKEN", &canary("plain"))
        .env("APP_SESSION_FILE", "/run/secrets/session")
        .file_with_mode("/run/secrets/session", canary("fileenv"), 0o400)
        .env("APP_DB_URL_FILE", "/run/secrets/db-url")
        .file_with_mode("/run/secrets/db-url", db_url, 0o400)
        .file_with_mode("/run/secrets/jwt", jwt, 0o400)
        .env("APP_OCI_SECRET", OCID)
        .env(
            "SENTRY_DSN",
            &format!("https://{}@o1.ingest.sentry.io/42", canary("dsn")),
        );
    // A Kubernetes secret volume: the key links through `..data` into a timestamped dir.
    let stamp = host.write(
        "/var/run/secrets/app/..2024_06_01_00_00_00.1/stripe",
        canary("dir"),
    );
    std::fs::set_permissions(&stamp, std::fs::Permissions::from_mode(0o400)).unwrap();
    let vol = host.root().join("var/run/secrets/app");
    std::os::unix::fs::symlink("..2024_06_01_00_00_00.1", vol.join("..data")).unwrap();
    std::os::unix::fs::symlink("..data/stripe", vol.join("stripe")).unwrap();
    host
}

fn secret_spec() -> SecretSpec {
    SecretSpec::new()
        .directory("/var/run/secrets/app")
        .secret(Secret::new("plain-token").from_env("APP_PLAIN_TOKEN"))
        .secret(Secret::new("session").from_file_env("APP_SESSION_FILE"))
        .secret(
            Secret::new("db-url")
                .from_file_env("APP_DB_URL_FILE")
                .or_env("APP_DB_URL")
                .database_url(),
        )
        .secret(
            Secret::new("stripe")
                .from_dir("/var/run/secrets/app")
                .api_key(),
        )
        .secret(Secret::new("provided").from_provider("vault:kv/app#session"))
        .secret(Secret::new("oci").from_env("APP_OCI_SECRET"))
        .secret(
            Secret::new("jwt")
                .from_file("/run/secrets/jwt")
                .jwt_key(JwtAlgorithm::Hs256),
        )
        .provider(Vault)
}

/// A CA-signed chain for `name`, valid for 90 days from yesterday, and the leaf's key.
#[cfg(feature = "tls")]
fn tls_chain(name: &str) -> (String, String) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, "Canary CA");
    let ca = ca.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let mut leaf = CertificateParams::new(vec![name.to_owned()]).unwrap();
    leaf.distinguished_name.push(DnType::CommonName, name);
    let leaf = leaf.signed_by(&key, &ca, &ca_key).unwrap();
    (leaf.pem() + &ca.pem(), key.serialize_pem())
}

#[track_caller]
fn assert_clean(secrets: &[String], what: &str, text: &str) {
    for secret in secrets {
        assert!(
            !text.contains(secret.as_str()),
            "`{secret}` leaked into {what}:\n{text}"
        );
    }
}

async fn get(readiness: &Readiness, path: &str, query: &str) -> String {
    let req = Request {
        method: "GET",
        path,
        query: Some(query),
        accept: None,
        user_agent: None,
        authorization: None,
        headers: None,
        // The worst case: a caller allowed to see every message and detail.
        authorized: true,
    };
    handle(readiness, req).await.unwrap().body.to_string()
}

#[tokio::test]
async fn no_canary_reaches_any_output() {
    let host = host();
    let spec = secret_spec();
    let resolved = spec.resolve(&host).await.unwrap();
    #[allow(unused_mut)]
    let mut secrets: Vec<String> = PATHS.iter().map(|p| canary(p)).collect();

    let out = MemoryWriter::new();
    let logs = LogPipeline::json()
        .writer(out.clone(), LogTarget::Shipper("capture".into()))
        .build();
    logs.redactor().register_all(&resolved);
    let dispatch = tracing::Dispatch::new(logs.subscriber());
    tracing::dispatcher::with_default(&dispatch, || {
        use prodready::checks::secrets::ExposeSecret;
        let db = resolved.database_url().unwrap().expose_secret();
        tracing::info!(password = %canary("log"), "connecting to {db}");
        let jwt = resolved.get("jwt").unwrap().expose_secret();
        tracing::warn!("jwt {jwt} rejected");
    });

    let builder = Readiness::builder()
        .service("canary", "1.0.0")
        .checklist(standard::production_deployment())
        .host(host.clone())
        .registered_checks(false)
        .resource(spec.clone())
        .resource(logs.clone())
        .resource(ErrorTrackingSpec::new())
        .resource(PanicHook::simulated("sentry"));
    #[cfg(feature = "tls")]
    let tls_spec = {
        let (chain, key) = tls_chain("svc.example.com");
        host.write("/etc/tls/tls.crt", chain);
        host.write("/etc/tls/tls.key", &key);
        // The private key's body is a secret too.
        secrets.extend(
            key.lines()
                .filter(|l| !l.starts_with("-----"))
                .map(str::to_owned),
        );
        prodready::checks::tls::TlsSpec::new()
            .certificate("/etc/tls/tls.crt", "/etc/tls/tls.key")
            .host("svc.example.com")
            .outbound_url(format!("postgres://app:{}@db/app", canary("tlspass")))
    };
    #[cfg(feature = "tls")]
    let builder = builder.resource(tls_spec.clone());
    let readiness = builder.build().unwrap();
    let report = readiness.evaluate().await;

    for (id, status) in [
        (
            "pre-deployment.configuration.secrets-stored-in-oci-vault",
            Status::Fail,
        ),
        (
            "infrastructure.database.connection-string-in-secrets",
            Status::Pass,
        ),
        (
            "security.authentication-authorization.jwt-secrets-in-vault",
            Status::Pass,
        ),
        (
            "security.authentication-authorization.api-keys-secured",
            Status::Pass,
        ),
        ("security.data-protection.secrets-encrypted", Status::Pass),
        (
            "security.data-protection.sensitive-data-masked-in-logs",
            Status::Pass,
        ),
        (
            "infrastructure.monitoring.log-aggregation-set-up",
            Status::Pass,
        ),
        (
            "infrastructure.monitoring.error-tracking-configured",
            Status::Pass,
        ),
        #[cfg(feature = "tls")]
        ("security.data-protection.tls-ssl-enabled", Status::Fail),
    ] {
        assert_item(&report, id, status);
    }
    let vault = report
        .item("pre-deployment.configuration.secrets-stored-in-oci-vault")
        .unwrap();
    assert_eq!(
        vault.message,
        "secret `plain-token` is a plain environment value in `APP_PLAIN_TOKEN`"
    );
    #[cfg(feature = "tls")]
    assert!(report
        .item("security.data-protection.tls-ssl-enabled")
        .unwrap()
        .message
        .contains("the outbound URL postgres://***@db/app allows plain text"));

    for format in Format::ALL {
        let what = format!("the {} report", format.name());
        assert_clean(&secrets, &what, &format.render(&report));
        let body = get(
            &readiness,
            "/readiness-checklist",
            &format!("format={}", format.name()),
        )
        .await;
        assert_clean(&secrets, "/readiness-checklist", &body);
    }
    assert_clean(&secrets, "the report's Debug", &format!("{report:?}"));
    for item in &report.items {
        let path = format!("/readiness-checklist/{}", item.id);
        for format in Format::ALL {
            let body = get(&readiness, &path, &format!("format={}", format.name())).await;
            assert_clean(&secrets, &path, &body);
        }
    }
    assert_clean(
        &secrets,
        "/readyz?verbose",
        &get(&readiness, "/readyz", "verbose").await,
    );
    assert_clean(
        &secrets,
        "/livez?verbose",
        &get(&readiness, "/livez", "verbose").await,
    );

    let logged = out.contents();
    assert!(logged.contains("connecting to [REDACTED]"), "{logged}");
    assert!(logged.contains("prodready::canary"), "{logged}");
    assert_clean(&secrets, "the logs", &logged);

    assert_clean(&secrets, "the secret spec's Debug", &format!("{spec:?}"));
    assert_clean(
        &secrets,
        "the resolved secrets' Debug",
        &format!("{resolved:?}"),
    );
    assert_clean(&secrets, "the pipeline's Debug", &format!("{logs:?}"));
    #[cfg(feature = "tls")]
    assert_clean(&secrets, "the TLS spec's Debug", &format!("{tls_spec:?}"));
}
