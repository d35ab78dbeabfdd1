//! Resolution through each source.

use super::*;

async fn resolve(spec: &SecretSpec, host: &FakeHost) -> Result<Resolved, ResolveError> {
    spec.resolve_one(&spec.secrets()[0], host).await
}

#[tokio::test]
async fn a_mounted_file_resolves_without_its_trailing_newline() {
    let host = FakeHost::new().file("/run/secrets/db", format!("{DB_URL}\n"));
    let spec = SecretSpec::new().secret(Secret::new("db").from_file("/run/secrets/db"));
    let r = resolve(&spec, &host).await.unwrap();
    assert_eq!(r.value().expose_secret(), DB_URL);
    assert_eq!(
        r.origin(),
        &Origin::File {
            path: "/run/secrets/db".into()
        }
    );
    assert!(r.origin().is_secret_source());
    assert!(!format!("{r:?}").contains(PASSWORD));
}

#[tokio::test]
async fn an_absent_file_falls_through_to_the_next_source() {
    let host = FakeHost::new()
        .env("APP_DB_URL_FILE", "/var/run/secrets/app/db-url")
        .file("/var/run/secrets/app/db-url", DB_URL);
    let spec = SecretSpec::new().secret(
        Secret::new("db")
            .from_file("/run/secrets/db")
            .or_file_env("APP_DB_URL_FILE"),
    );
    let r = resolve(&spec, &host).await.unwrap();
    assert_eq!(r.origin().kind(), "file_env");
    assert_eq!(
        r.origin().file(),
        Some(Path::new("/var/run/secrets/app/db-url"))
    );
}

#[tokio::test]
async fn a_file_variable_naming_a_missing_file_is_an_error_naming_both() {
    let host = FakeHost::new().env("APP_DB_URL_FILE", "/run/secrets/nope");
    let spec = SecretSpec::new().secret(
        Secret::new("db")
            .from_file_env("APP_DB_URL_FILE")
            .or_env("APP_DB_URL"),
    );
    let e = resolve(&spec, &host).await.unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, ResolveError::Unreadable { .. }));
    assert!(
        text.contains("/run/secrets/nope") && text.contains("APP_DB_URL_FILE"),
        "{text}"
    );
}

#[tokio::test]
async fn a_kubernetes_volume_resolves_through_its_symlinks() {
    let host = FakeHost::new();
    k8s_volume(&host, "/var/run/secrets/app", &[("db-url", DB_URL)], 0o400);
    let spec = SecretSpec::new().secret(Secret::new("db-url").from_dir("/var/run/secrets/app"));
    let r = resolve(&spec, &host).await.unwrap();
    assert_eq!(r.value().expose_secret(), DB_URL);
    assert_eq!(r.origin().kind(), "secret_volume");
}

#[tokio::test]
async fn providers_resolve_references_and_ocids() {
    let vault = FakeVault::default()
        .with("vault:kv/app#db", DB_URL)
        .with(OCID, "from-oci-vault");
    let host = FakeHost::new().env("STRIPE_KEY_OCID", OCID);
    let spec = SecretSpec::new()
        .secret(
            Secret::new("db")
                .from_provider("vault:kv/missing")
                .or_provider("vault:kv/app#db"),
        )
        .secret(Secret::new("oci").from_provider(OCID))
        .secret(Secret::new("stripe").from_env("STRIPE_KEY_OCID"))
        .provider(vault);
    let all = spec.resolve(&host).await.unwrap();
    assert_eq!(all.get("db").unwrap().expose_secret(), DB_URL);
    assert_eq!(all.resolved("db").unwrap().origin().kind(), "provider");
    assert_eq!(all.resolved("oci").unwrap().origin().kind(), "oci_vault");
    let stripe = all.resolved("stripe").unwrap();
    assert_eq!(stripe.value().expose_secret(), "from-oci-vault");
    assert!(
        matches!(stripe.origin(), Origin::OciVault { var: Some(v), .. } if v == "STRIPE_KEY_OCID")
    );
    assert!(stripe
        .origin()
        .to_string()
        .contains("ocid1.vaultsecret.oc1.eu-frankfurt-1.…"));
}

#[tokio::test]
async fn an_ocid_without_a_provider_says_it_needs_one() {
    let host = FakeHost::new().env("APP_DB_URL", OCID);
    let spec = SecretSpec::new().secret(Secret::new("db").from_env("APP_DB_URL"));
    let e = resolve(&spec, &host).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "secret `db`: OCI Vault reference ocid1.vaultsecret.oc1.eu-frankfurt-1.… in `APP_DB_URL` needs a SecretProvider: give one with `SecretSpec::provider`"
    );
}

#[tokio::test]
async fn a_refusing_provider_is_an_error_naming_the_reference() {
    let spec = SecretSpec::new()
        .secret(Secret::new("db").from_provider("denied:kv/db"))
        .provider(FakeVault::default());
    let e = resolve(&spec, &FakeHost::new()).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "secret `db`: fake vault cannot resolve denied:kv/db: access denied: policy forbids it"
    );
}

#[tokio::test]
async fn a_plain_environment_value_resolves_as_plain_env() {
    let host = FakeHost::new().env("APP_DB_URL", DB_URL);
    let spec = SecretSpec::new().secret(
        Secret::new("db")
            .from_file_env("APP_DB_URL_FILE")
            .or_env("APP_DB_URL"),
    );
    let r = resolve(&spec, &host).await.unwrap();
    assert_eq!(
        r.origin(),
        &Origin::PlainEnv {
            var: "APP_DB_URL".into()
        }
    );
    assert!(!r.origin().is_secret_source());
}

#[tokio::test]
async fn nothing_found_lists_every_source_tried() {
    let spec = SecretSpec::new().secret(
        Secret::new("db")
            .from_file("/run/secrets/db")
            .or_file_env("APP_DB_URL_FILE")
            .or_dir("/etc/secrets")
            .or_env("APP_DB_URL"),
    );
    let e = resolve(&spec, &FakeHost::new()).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "secret `db` was not found: tried /run/secrets/db (absent), `APP_DB_URL_FILE` (unset), /etc/secrets/db (absent), `APP_DB_URL` (unset)"
    );
    let none = SecretSpec::new().secret(Secret::new("x"));
    let e = resolve(&none, &FakeHost::new()).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "secret `x` was not found: tried no source (declare one)"
    );
}

#[tokio::test]
async fn empty_and_binary_files_are_errors_without_contents() {
    let host = FakeHost::new()
        .file("/run/secrets/empty", "\n")
        .file("/run/secrets/bin", [0xff, 0xfe, 0x00]);
    let spec = SecretSpec::new()
        .secret(Secret::new("e").from_file("/run/secrets/empty"))
        .secret(Secret::new("b").from_file("/run/secrets/bin"));
    let results = spec.resolve_each(&host).await;
    assert_eq!(
        results[0].as_ref().unwrap_err().to_string(),
        "secret `e`: mounted file /run/secrets/empty is empty"
    );
    assert_eq!(
        results[1].as_ref().unwrap_err().to_string(),
        "secret `b`: file /run/secrets/bin cannot be read: not UTF-8"
    );
    assert!(spec.resolve(&host).await.is_err());
}

/// Counts the calls that reach it.
struct Counting(std::sync::Arc<std::sync::atomic::AtomicUsize>);

#[async_trait::async_trait]
impl SecretProvider for Counting {
    async fn resolve(&self, _: &str) -> Result<SecretString, ProviderError> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(SecretString::from(PASSWORD))
    }
}

#[tokio::test]
async fn provider_values_are_cached_for_the_ttl_across_clones() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let calls = std::sync::Arc::new(AtomicUsize::new(0));
    let spec = SecretSpec::new()
        .secret(Secret::new("a").from_provider(OCID))
        .provider(Counting(calls.clone()));
    let host = FakeHost::new();
    spec.resolve(&host).await.unwrap();
    spec.clone().resolve(&host).await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let uncached = spec.provider_cache_ttl(std::time::Duration::ZERO);
    uncached.resolve(&host).await.unwrap();
    uncached.resolve(&host).await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}
