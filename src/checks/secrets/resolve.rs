//! Resolving declared secrets through the host (files, environment) and the provider.

use super::provider::{OciVaultRef, ProviderError, SecretProvider};
use super::resolved::{Origin, ResolveError, Resolved};
use super::short_reference;
use super::spec::{Secret, Source};
use crate::host::relative_note;
use crate::Host;
use secrecy::SecretString;
use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// Values the provider resolved, kept for a while so that frequent evaluations (probes every
/// few seconds, five checks reading the same secrets) do not multiply calls to the vault.
#[derive(Clone, Default)]
pub(crate) struct ProviderCache {
    ttl: Option<Duration>,
    values: Arc<Mutex<HashMap<String, (Instant, SecretString)>>>,
}

impl ProviderCache {
    pub(crate) fn new(ttl: Duration) -> Self {
        Self {
            ttl: Some(ttl).filter(|t| !t.is_zero()),
            values: Arc::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, SecretString)>> {
        self.values.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn get(&self, reference: &str) -> Option<SecretString> {
        let ttl = self.ttl?;
        let values = self.lock();
        let (at, value) = values.get(reference)?;
        (at.elapsed() < ttl).then(|| value.clone())
    }

    fn put(&self, reference: &str, value: &SecretString) {
        if self.ttl.is_some() {
            self.lock()
                .insert(reference.to_owned(), (Instant::now(), value.clone()));
        }
    }
}

/// What a source gave: a value with its origin, nothing (try the next one), or an error.
enum Step {
    Found(String, Origin),
    Missing(String),
}

pub(crate) async fn resolve_secret(
    secret: &Secret,
    host: &dyn Host,
    provider: Option<&dyn SecretProvider>,
    cache: &ProviderCache,
) -> Result<Resolved, ResolveError> {
    let mut tried = Vec::new();
    for source in secret.sources() {
        match step(secret, source, host, provider, cache).await? {
            Step::Missing(what) => tried.push(what),
            Step::Found(value, origin) => {
                let value = value.trim_end_matches(['\n', '\r']).to_owned();
                if value.is_empty() {
                    return Err(ResolveError::Empty {
                        secret: secret.name().to_owned(),
                        from: origin.to_string(),
                    });
                }
                return Ok(Resolved {
                    name: secret.name().to_owned(),
                    role: secret.role(),
                    value: SecretString::from(value),
                    origin,
                });
            }
        }
    }
    Err(ResolveError::NotFound {
        secret: secret.name().to_owned(),
        tried,
    })
}

async fn step(
    secret: &Secret,
    source: &Source,
    host: &dyn Host,
    provider: Option<&dyn SecretProvider>,
    cache: &ProviderCache,
) -> Result<Step, ResolveError> {
    let unreadable = |from: String, reason: String| ResolveError::Unreadable {
        secret: secret.name().to_owned(),
        from,
        reason,
    };
    match source {
        Source::File(declared) => {
            let path = host
                .absolute(declared)
                .map_err(|e| unreadable(format!("file {}", declared.display()), e.to_string()))?;
            let shown = format!("{}{}", path.display(), relative_note(declared));
            match read_secret_file(host, &path) {
                Ok(value) => Ok(Step::Found(value, Origin::File { path })),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    Ok(Step::Missing(format!("{shown} (absent)")))
                }
                Err(e) => Err(unreadable(format!("file {shown}"), e.to_string())),
            }
        }
        Source::FileEnv(var) => match host.env(var).filter(|p| !p.trim().is_empty()) {
            None => Ok(Step::Missing(format!("`{var}` (unset)"))),
            Some(named) => {
                let declared = PathBuf::from(named.trim());
                let from = |path: &Path| {
                    format!(
                        "file {}{} (named by `{var}`)",
                        path.display(),
                        relative_note(&declared)
                    )
                };
                let path = host
                    .absolute(&declared)
                    .map_err(|e| unreadable(from(&declared), e.to_string()))?;
                match read_secret_file(host, &path) {
                    Ok(value) => Ok(Step::Found(
                        value,
                        Origin::FileEnv {
                            var: var.clone(),
                            path,
                        },
                    )),
                    Err(e) => Err(unreadable(from(&path), e.to_string())),
                }
            }
        },
        Source::Dir { dir, key } => {
            let declared = dir.join(key);
            let path = host
                .absolute(&declared)
                .map_err(|e| unreadable(format!("file {}", declared.display()), e.to_string()))?;
            let shown = format!("{}{}", path.display(), relative_note(&declared));
            match read_secret_file(host, &path) {
                Ok(value) => Ok(Step::Found(value, Origin::Dir { path })),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    Ok(Step::Missing(format!("{shown} (absent)")))
                }
                Err(e) => Err(unreadable(format!("file {shown}"), e.to_string())),
            }
        }
        Source::Provider(reference) => {
            let from = format!("the provider reference {}", short_reference(reference));
            through_provider(secret, reference, None, from, provider, cache).await
        }
        Source::Env(var) => match host.env(var).filter(|v| !v.is_empty()) {
            None => Ok(Step::Missing(format!("`{var}` (unset)"))),
            Some(value) if OciVaultRef::parse(&value).is_some() => {
                let from = format!("`{var}`");
                through_provider(secret, value.trim(), Some(var), from, provider, cache).await
            }
            Some(value) => Ok(Step::Found(value, Origin::PlainEnv { var: var.clone() })),
        },
    }
}

async fn through_provider(
    secret: &Secret,
    reference: &str,
    var: Option<&String>,
    from: String,
    provider: Option<&dyn SecretProvider>,
    cache: &ProviderCache,
) -> Result<Step, ResolveError> {
    let oci = OciVaultRef::parse(reference);
    let Some(provider) = provider else {
        return Err(ResolveError::NeedsProvider {
            secret: secret.name().to_owned(),
            kind: if oci.is_some() {
                "OCI Vault reference"
            } else {
                "provider reference"
            },
            reference: short_reference(reference),
            from,
        });
    };
    let resolved = match cache.get(reference) {
        Some(value) => Ok(value),
        None => provider.resolve(reference).await,
    };
    match resolved {
        Ok(value) => {
            cache.put(reference, &value);
            let origin = match oci {
                Some(reference) => Origin::OciVault {
                    reference,
                    var: var.cloned(),
                },
                None => Origin::Provider {
                    reference: reference.to_owned(),
                },
            };
            Ok(Step::Found(
                secrecy::ExposeSecret::expose_secret(&value).to_owned(),
                origin,
            ))
        }
        Err(ProviderError::NotFound) => Ok(Step::Missing(format!(
            "{} (not found by {})",
            short_reference(reference),
            provider.name()
        ))),
        Err(error) => Err(ResolveError::Provider {
            secret: secret.name().to_owned(),
            provider: provider.name().to_owned(),
            reference: short_reference(reference),
            error,
        }),
    }
}

/// A secret file as UTF-8; the error never quotes the contents.
pub(crate) fn read_secret_file(host: &dyn Host, path: &Path) -> io::Result<String> {
    let bytes = host.read(path)?;
    String::from_utf8(bytes).map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not UTF-8"))
}
