//! Built-in checks: secrets — where each declared secret comes from, how its files are
//! protected, and whether the JWT key and API keys are fit for production.
//!
//! A service declares its secrets in a [`SecretSpec`] and gives it to the readiness builder;
//! the same spec resolves the values the service needs ([`SecretSpec::resolve`]):
//!
//! ```
//! use prodready::checks::secrets::{JwtAlgorithm, Secret, SecretSpec};
//!
//! let spec = SecretSpec::new()
//!     // a Kubernetes secret volume mounted at /var/run/secrets/app, one file per key
//!     .directory("/var/run/secrets/app")
//!     .secret(Secret::new("db-url").from_file_env("APP_DB_URL_FILE").or_env("APP_DB_URL").database_url())
//!     .secret(Secret::new("jwt-key").from_dir("/var/run/secrets/app").jwt_key(JwtAlgorithm::Hs256))
//!     .secret(Secret::new("stripe").from_env("STRIPE_KEY_OCID").api_key()); // an OCI Vault OCID
//! let readiness = prodready::Readiness::builder().resource(spec);
//! # let _ = readiness;
//! ```
//!
//! Sources: a mounted file (a path, or a path named by a `*_FILE` variable), a file in a secret
//! volume, a reference resolved by the service's [`SecretProvider`], an OCI Vault secret OCID
//! (`ocid1.vaultsecret.oc1.<region>.<id>`, in the spec or in an environment variable, resolved
//! through the provider), and — the case the checks fail — a plain environment value.
//!
//! **Paths** (files, secret volumes, config files, and the paths `*_FILE` variables name) may
//! be relative: like every path a spec takes, they are relative to the process's working
//! directory ([`Host::current_dir`](crate::Host::current_dir)), and reports show the absolute
//! path tried. A host that cannot say its working directory makes a relative path an error.
//!
//! **Nothing inspected is no pass**: "Secrets encrypted" warns when no secret file was found to
//! inspect and no config file was searched, when none of the declared secret files is mounted,
//! and when a declared config file does not exist.
//!
//! Values are held in [`SecretString`]s and never printed: reports name secrets, sources,
//! variables, paths and lengths only.

mod der;
mod files;
mod jwt;
mod provider;
mod resolve;
mod resolved;
mod role;
mod sources;
mod spec;
#[cfg(test)]
mod tests;

pub use files::{secret_files_protected, SecretFilesProtected};
pub use jwt::{jwt_secret_strong, JwtSecretStrong};
pub use provider::{OciVaultRef, ProviderError, SecretProvider};
pub use resolved::{Origin, ResolveError, Resolved, Secrets};
pub use role::{JwtAlgorithm, SecretRole};
pub use secrecy::{ExposeSecret, SecretString};
pub use sources::{
    api_keys_secured, database_url_in_secrets, secrets_in_vault, ApiKeysSecured,
    DatabaseUrlInSecrets, SecretsInVault,
};
pub use spec::{Secret, SecretSpec, Source};

use crate::checks::verdict::Verdict;
#[cfg_attr(not(feature = "tls"), allow(unused_imports))]
pub(crate) use der::{key_info, pem_blocks, public_key_info, KeyInfo};

use crate::Check;
use std::sync::Arc;

/// The standard checklist's items this module verifies, each with its default check.
pub(crate) fn standard_bindings() -> Vec<(&'static str, Arc<dyn Check>)> {
    vec![
        (
            "pre-deployment.configuration.secrets-stored-in-oci-vault",
            Arc::new(secrets_in_vault()),
        ),
        (
            "infrastructure.database.connection-string-in-secrets",
            Arc::new(database_url_in_secrets()),
        ),
        (
            "security.authentication-authorization.jwt-secrets-in-vault",
            Arc::new(jwt_secret_strong()),
        ),
        (
            "security.authentication-authorization.api-keys-secured",
            Arc::new(api_keys_secured()),
        ),
        (
            "security.data-protection.secrets-encrypted",
            Arc::new(secret_files_protected()),
        ),
    ]
}

/// How to declare secrets, for the remediation of a check that found none.
pub(crate) const HOW_TO_DECLARE: &str = "declare them with `Readiness::builder().resource(SecretSpec::new().secret(Secret::new(\"db-url\").from_file_env(\"APP_DB_URL_FILE\")))` (see `prodready::checks::secrets`)";

/// How to move a secret out of a plain environment variable.
pub(crate) const MOVE_TO_SECRET_SOURCE: &str = "mount it as a file (a Kubernetes secret volume, `volumes[].secret`, or a `*_FILE` variable naming the mounted file) or put an OCI Vault secret OCID in the variable and resolve it with a `SecretProvider`; then remove the plain value from the environment (`env[].value` of the container)";

/// A reference as reports show it: an OCI Vault OCID without its unique id; other references
/// (which name, not hold, a secret) cut to 80 characters.
pub(crate) fn short_reference(reference: &str) -> String {
    match OciVaultRef::parse(reference) {
        Some(oci) => oci.to_string(),
        None if reference.chars().count() > 80 => {
            format!("{}…", reference.chars().take(80).collect::<String>())
        }
        None => reference.to_owned(),
    }
}

/// `n` and the noun, plural when `n` is not 1: "1 secret", "3 secrets".
pub(crate) fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Query parameters whose values are credentials.
const SENSITIVE_PARAMS: &[&str] = &[
    "password",
    "pass",
    "pwd",
    "passwd",
    "sslpassword",
    "secret",
    "token",
    "access_token",
    "api_key",
    "apikey",
    "key",
    "auth",
];

/// A URL safe to print: the userinfo (user and password) becomes `***`, and so do the values of
/// credential query parameters (`password`, `token`, `key`, …). Something that is not a URL
/// becomes `<not a URL>`, since it may be a `key=value` string holding a password.
///
/// ```
/// use prodready::checks::secrets::redact_url;
/// assert_eq!(redact_url("postgres://app:s3cr3t@db:5432/app?sslmode=require"), "postgres://***@db:5432/app?sslmode=require");
/// assert_eq!(redact_url("redis://cache:6379/0?password=s3cr3t"), "redis://cache:6379/0?password=***");
/// assert_eq!(redact_url("host=db password=s3cr3t"), "<not a URL>");
/// ```
pub fn redact_url(text: &str) -> String {
    let Ok(mut url) = crate::url::Url::parse(text.trim()) else {
        return "<not a URL>".to_owned();
    };
    let had_userinfo = !url.username().is_empty() || url.password().is_some();
    if had_userinfo {
        url.clear_userinfo();
    }
    if url.query().is_some() {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let sensitive = SENSITIVE_PARAMS
                    .iter()
                    .any(|p| k.eq_ignore_ascii_case(p) || k.to_ascii_lowercase().ends_with(p));
                let v = if sensitive { "***".into() } else { v };
                (k.into_owned(), v.into_owned())
            })
            .collect();
        url.set_query_pairs(&pairs);
    }
    let shown = url.to_string();
    match (had_userinfo, shown.split_once("://")) {
        (true, Some((scheme, rest))) => format!("{scheme}://***@{rest}"),
        _ => shown,
    }
}
