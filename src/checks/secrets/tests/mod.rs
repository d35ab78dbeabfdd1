//! Fake-root tests of the secrets checks: Kubernetes secret volumes (with their `..data`
//! symlinks), `*_FILE` mounts, providers, OCI Vault references, plain environment values.

mod files;
mod jwt;
mod resolve;
mod sources;

use super::*;
use crate::model::Status;
use crate::testing::FakeHost;
use crate::{Check, Context, Outcome};
use std::collections::HashMap;
use std::path::Path;

/// A value that must never appear in any outcome.
pub(super) const PASSWORD: &str = "Zq8-canary-pw-61f0";
pub(super) const DB_URL: &str =
    "postgres://app:Zq8-canary-pw-61f0@db.internal:5432/app?sslmode=verify-full";
pub(super) const OCID: &str =
    "ocid1.vaultsecret.oc1.eu-frankfurt-1.amaaaaaanlc5nbyaa4x2cz6zklr5bqwhe7mxq3uq";

/// A vault holding fixed values; any other reference is not found, `denied:…` is refused.
#[derive(Default)]
pub(super) struct FakeVault(pub(super) HashMap<String, String>);

impl FakeVault {
    pub(super) fn with(mut self, reference: &str, value: &str) -> Self {
        self.0.insert(reference.to_owned(), value.to_owned());
        self
    }
}

#[async_trait::async_trait]
impl SecretProvider for FakeVault {
    async fn resolve(&self, reference: &str) -> Result<SecretString, ProviderError> {
        if reference.starts_with("denied:") {
            return Err(ProviderError::Denied("policy forbids it".to_owned()));
        }
        self.0
            .get(reference)
            .map(|v| SecretString::from(v.clone()))
            .ok_or(ProviderError::NotFound)
    }

    fn name(&self) -> &str {
        "fake vault"
    }
}

/// Runs `check` on `host` with `spec` as the context's resource.
pub(super) async fn run(check: impl Check, host: FakeHost, spec: Option<SecretSpec>) -> Outcome {
    let ctx = match spec {
        Some(spec) => {
            let mut resources = crate::check::Resources::default();
            resources.insert(spec);
            Context::new(std::sync::Arc::new(host), resources)
        }
        None => Context::with_host(host),
    };
    check.run(&ctx).await
}

/// Asserts the outcome's status and that no text of it holds `PASSWORD` or `secret`.
#[track_caller]
pub(super) fn assert_outcome(outcome: &Outcome, status: Status, secrets: &[&str]) {
    let all = format!(
        "{} {} {}",
        outcome.message(),
        outcome.get_remediation().unwrap_or(""),
        serde_json::Value::Object(outcome.details().clone())
    );
    assert_eq!(outcome.status(), status, "{all}");
    for secret in secrets.iter().chain([&PASSWORD]) {
        assert!(!all.contains(secret), "a secret leaked into: {all}");
    }
}

/// A Kubernetes secret volume at `dir`: the real files under `..<timestamp>/`, `..data`
/// pointing at it, and one symlink per key through `..data`, as the kubelet lays it out.
pub(super) fn k8s_volume(host: &FakeHost, dir: &str, files: &[(&str, &str)], mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let stamp = "..2024_06_01_12_00_00.1234567890";
    for (key, value) in files {
        let real = host.write(Path::new(dir).join(stamp).join(key), value);
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let root = host.root().join(dir.trim_start_matches('/'));
    std::os::unix::fs::symlink(stamp, root.join("..data")).unwrap();
    for (key, _) in files {
        std::os::unix::fs::symlink(format!("..data/{key}"), root.join(key)).unwrap();
    }
}

#[test]
fn urls_are_printed_without_credentials() {
    assert_eq!(
        redact_url(DB_URL),
        "postgres://***@db.internal:5432/app?sslmode=verify-full"
    );
    assert_eq!(redact_url("mysql://root@db/app"), "mysql://***@db/app");
    assert_eq!(
        redact_url("redis://cache:6379/0?password=abc&db=1"),
        "redis://cache:6379/0?password=***&db=1"
    );
    assert_eq!(redact_url("rediss://cache:6380"), "rediss://cache:6380");
    assert_eq!(redact_url("not a url at all"), "<not a URL>");
}

#[test]
fn oci_vault_ocids_are_recognised_by_shape() {
    let r = OciVaultRef::parse(OCID).unwrap();
    assert_eq!(r.realm(), "oc1");
    assert_eq!(r.region(), "eu-frankfurt-1");
    assert_eq!(r.as_str(), OCID);
    assert_eq!(r.to_string(), "ocid1.vaultsecret.oc1.eu-frankfurt-1.…");
    assert!(OciVaultRef::parse(&format!("  {OCID}\n")).is_some());
    for bad in [
        "ocid1.vaultsecret.oc1..amaaaaaanlc5nbyaa4x2",
        "ocid1.vaultsecret.xx1.iad.amaaaaaanlc5nbyaa4x2",
        "ocid1.instance.oc1.iad.amaaaaaanlc5nbyaa4x2",
        "ocid1.vaultsecret.oc1.iad.short",
        "ocid1.vaultsecret.oc1.IAD.amaaaaaanlc5nbyaa4x2",
        "postgres://db/app",
    ] {
        assert!(OciVaultRef::parse(bad).is_none(), "{bad}");
    }
}

#[test]
fn debug_output_shows_no_values() {
    let spec = SecretSpec::new()
        .secret(Secret::new("db-url").from_env("APP_DB_URL").database_url())
        .provider(FakeVault::default().with("x", PASSWORD));
    let text = format!("{spec:?}");
    assert!(
        text.contains("db-url") && text.contains("fake vault"),
        "{text}"
    );
    assert!(!text.contains(PASSWORD));
}

#[tokio::test]
async fn standard_bindings_cover_the_five_items() {
    let ids: Vec<&str> = standard_bindings().into_iter().map(|(id, _)| id).collect();
    assert_eq!(ids.len(), 5);
    let checklist = crate::standard::production_deployment();
    for id in ids {
        assert!(checklist.get(id).is_some(), "{id}");
    }
}
