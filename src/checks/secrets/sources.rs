//! Where secrets come from: every declared secret through a secret source, the database URL,
//! and the API keys.

use super::files::ConfigFiles;
use super::{
    count, redact_url, OciVaultRef, Origin, ResolveError, Resolved, Secret, SecretRole, SecretSpec,
    Source, Verdict, HOW_TO_DECLARE, MOVE_TO_SECRET_SOURCE,
};
use crate::{Check, Context, Outcome};
use secrecy::ExposeSecret;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// What to do about a secret that cannot be resolved.
pub(super) fn fix_for(error: &ResolveError) -> &'static str {
    match error {
        ResolveError::NotFound { .. } => "mount the secret where one of its sources looks (a secret volume, `volumes[].secret`, or the file a `*_FILE` variable names), or fix the declared sources",
        ResolveError::Unreadable { .. } => "check that the file is mounted and readable by the service's user",
        ResolveError::Empty { .. } => "put the value in the secret; an empty secret is a misconfiguration",
        ResolveError::NeedsProvider { .. } => "give the spec the service's vault client with `SecretSpec::provider(..)` (a `SecretProvider` for OCI Vault)",
        _ => "check the provider's access: the OCI Vault policy must let the service's instance principal or workload identity read the secret",
    }
}

/// One row of the `secrets` detail: name, role-independent source kind, status. No value.
fn row(name: &str, result: &Result<Resolved, ResolveError>) -> Value {
    match result {
        Ok(r) => json!({
            "name": name,
            "source": r.origin().kind(),
            "status": if r.origin().is_secret_source() { "pass" } else { "fail" },
        }),
        Err(_) => json!({ "name": name, "source": null, "status": "fail" }),
    }
}

/// Judges one resolution: a plain environment value or an error is a failure.
fn judge(verdict: &mut Verdict, what: &str, result: &Result<Resolved, ResolveError>) {
    match result {
        Ok(r) => {
            if let Origin::PlainEnv { var } = r.origin() {
                verdict.fail(
                    format!("{what} is a plain environment value in `{var}`"),
                    MOVE_TO_SECRET_SOURCE,
                );
            }
        }
        Err(e) => verdict.fail(e.to_string(), fix_for(e)),
    }
}

/// Each declared secret resolves through a secret source; a plain environment value fails
/// (naming the variable), and so does a secret that cannot be resolved (naming what was tried).
pub fn secrets_in_vault() -> SecretsInVault {
    SecretsInVault { spec: None }
}

/// The check returned by [`secrets_in_vault`].
#[derive(Debug, Clone)]
pub struct SecretsInVault {
    spec: Option<SecretSpec>,
}

impl SecretsInVault {
    /// Checks `spec` instead of the [`SecretSpec`] resource.
    pub fn spec(mut self, spec: SecretSpec) -> Self {
        self.spec = Some(spec);
        self
    }
}

#[async_trait::async_trait]
impl Check for SecretsInVault {
    async fn run(&self, ctx: &Context) -> Outcome {
        let Some(spec) = ctx.spec(&self.spec).filter(|s| !s.secrets().is_empty()) else {
            return Outcome::warn("no secrets declared").remediation(HOW_TO_DECLARE);
        };
        let results = spec.resolve_each(ctx.host()).await;
        let mut verdict = Verdict::new();
        let mut by_source: BTreeMap<&str, usize> = BTreeMap::new();
        let mut rows = Vec::new();
        for (secret, result) in spec.secrets().iter().zip(&results) {
            judge(&mut verdict, &format!("secret `{}`", secret.name()), result);
            if let Ok(r) = result {
                *by_source.entry(r.origin().kind()).or_default() += 1;
            }
            rows.push(row(secret.name(), result));
        }
        let total = results.len();
        let good = results
            .iter()
            .filter(|r| r.as_ref().is_ok_and(|r| r.origin().is_secret_source()))
            .count();
        verdict
            .outcome(format!(
                "{} {} through secret sources",
                count(total, "declared secret"),
                if total == 1 {
                    "resolves"
                } else {
                    "all resolve"
                }
            ))
            .detail("declared_count", total)
            .detail("secret_source_count", good)
            .detail("by_source", by_source)
            .detail("secrets", rows)
    }
}

/// The database URL — the declared secret marked [`Secret::database_url`], else the variable
/// `DATABASE_URL` (or its `DATABASE_URL_FILE` mount) — comes from a secret source, not a plain
/// environment value nor a declared config file. Reports show it without user and password.
pub fn database_url_in_secrets() -> DatabaseUrlInSecrets {
    DatabaseUrlInSecrets {
        spec: None,
        env: "DATABASE_URL".to_owned(),
    }
}

/// The check returned by [`database_url_in_secrets`].
#[derive(Debug, Clone)]
pub struct DatabaseUrlInSecrets {
    spec: Option<SecretSpec>,
    env: String,
}

impl DatabaseUrlInSecrets {
    /// Checks `spec` instead of the [`SecretSpec`] resource.
    pub fn spec(mut self, spec: SecretSpec) -> Self {
        self.spec = Some(spec);
        self
    }

    /// The variable read when no secret is marked as the database URL (default
    /// `DATABASE_URL`; `<name>_FILE` naming a mounted file is read first).
    pub fn env(mut self, name: impl Into<String>) -> Self {
        self.env = name.into();
        self
    }
}

#[async_trait::async_trait]
impl Check for DatabaseUrlInSecrets {
    async fn run(&self, ctx: &Context) -> Outcome {
        let default_spec = SecretSpec::new();
        let spec = ctx.spec(&self.spec).unwrap_or(&default_spec);
        let mut declared: Vec<Secret> = spec
            .secrets()
            .iter()
            .filter(|s| s.role() == SecretRole::DatabaseUrl)
            .cloned()
            .collect();
        let from_env = declared.is_empty();
        if from_env {
            declared.push(
                Secret::new(&self.env)
                    .from_file_env(format!("{}_FILE", self.env))
                    .or_env(&self.env)
                    .database_url(),
            );
        }
        let mut verdict = Verdict::new();
        let config = ConfigFiles::read(ctx.host(), spec);
        for (path, e) in &config.unreadable {
            verdict.fail(
                format!("the config file {path} cannot be read: {e}"),
                "fix the declared config file path or its permissions",
            );
        }
        let mut shown = Vec::new();
        let mut seen = Vec::new();
        for secret in &declared {
            let result = spec.resolve_one(secret, ctx.host()).await;
            if from_env && matches!(result, Err(ResolveError::NotFound { .. })) {
                return Outcome::warn(format!(
                    "no database URL declared, and neither `{0}` nor `{0}_FILE` is set",
                    self.env
                ))
                .remediation("mark the secret holding it with `Secret::new(\"db-url\").from_file_env(\"APP_DB_URL_FILE\").database_url()` in the `SecretSpec`, or mount it and set `DATABASE_URL_FILE`");
            }
            let what = format!("the database URL `{}`", secret.name());
            judge(&mut verdict, &what, &result);
            let Ok(resolved) = result else { continue };
            let value = resolved.value().expose_secret();
            for path in config.holding(value) {
                verdict.fail(
                    format!(
                        "{what} also sits in the plain config file {}",
                        path.display()
                    ),
                    format!(
                        "remove it from {} and read it from the secret only",
                        path.display()
                    ),
                );
            }
            let url = redact_url(value);
            seen.push(format!("{what} comes from {} ({url})", resolved.origin()));
            shown.push(json!({
                "name": secret.name(),
                "source": resolved.origin().kind(),
                "url": url,
            }));
        }
        verdict
            .outcome(seen.join("; "))
            .detail("database_urls", shown)
    }
}

/// Whether an environment variable's name says it holds an API key.
fn looks_like_api_key(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    ["API_KEY", "APIKEY", "API_TOKEN", "SECRET_ACCESS_KEY"]
        .iter()
        .any(|suffix| {
            upper
                .strip_suffix(suffix)
                .is_some_and(|head| head.is_empty() || head.ends_with('_'))
        })
}

/// API keys — declared secrets marked [`Secret::api_key`] — come from secret sources; and no
/// undeclared variable named like an API key (`*_API_KEY`, `*_API_TOKEN`, …) holds a plain value.
pub fn api_keys_secured() -> ApiKeysSecured {
    ApiKeysSecured { spec: None }
}

/// The check returned by [`api_keys_secured`].
#[derive(Debug, Clone)]
pub struct ApiKeysSecured {
    spec: Option<SecretSpec>,
}

impl ApiKeysSecured {
    /// Checks `spec` instead of the [`SecretSpec`] resource.
    pub fn spec(mut self, spec: SecretSpec) -> Self {
        self.spec = Some(spec);
        self
    }
}

#[async_trait::async_trait]
impl Check for ApiKeysSecured {
    async fn run(&self, ctx: &Context) -> Outcome {
        let default_spec = SecretSpec::new();
        let spec = ctx.spec(&self.spec).unwrap_or(&default_spec);
        let mut verdict = Verdict::new();
        let mut rows = Vec::new();
        let mut declared_vars = Vec::new();
        for secret in spec.secrets() {
            for source in secret.sources() {
                if let Source::Env(var) | Source::FileEnv(var) = source {
                    declared_vars.push(var.as_str());
                }
            }
            if secret.role() != SecretRole::ApiKey {
                continue;
            }
            let result = spec.resolve_one(secret, ctx.host()).await;
            judge(
                &mut verdict,
                &format!("API key `{}`", secret.name()),
                &result,
            );
            rows.push(row(secret.name(), &result));
        }
        let stray: Vec<String> = ctx
            .host()
            .env_vars()
            .into_iter()
            .filter(|(name, value)| {
                looks_like_api_key(name)
                    && !value.is_empty()
                    && OciVaultRef::parse(value).is_none()
                    && !declared_vars.contains(&name.as_str())
            })
            .map(|(name, _)| name)
            .collect();
        for name in &stray {
            verdict.fail(
                format!("`{name}` holds a plain API key in the environment"),
                MOVE_TO_SECRET_SOURCE,
            );
        }
        if rows.is_empty() && stray.is_empty() {
            return Outcome::warn("no API keys declared, and no variable named like one is set")
                .remediation(format!(
                    "mark each API key's secret with `.api_key()`; {HOW_TO_DECLARE}"
                ));
        }
        verdict
            .outcome(format!(
                "{} {} from secret sources; no plain API key in the environment",
                count(rows.len(), "declared API key"),
                if rows.len() == 1 { "comes" } else { "all come" }
            ))
            .detail("api_keys", rows)
            .detail("plain_env_vars", stray)
    }
}
