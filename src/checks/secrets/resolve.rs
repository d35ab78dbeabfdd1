//! Resolving declared secrets through the host (files, environment) and the provider.

use super::provider::{OciVaultRef, ProviderError, SecretProvider};
use super::role::SecretRole;
use super::short_reference;
use super::spec::{Secret, Source};
use crate::host::relative_note;
use crate::Host;
use secrecy::SecretString;
use std::collections::HashMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// Where a resolved secret came from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Origin {
    /// A mounted file at a declared path.
    File {
        /// The file.
        path: PathBuf,
    },
    /// A mounted file named by an environment variable.
    FileEnv {
        /// The variable (`APP_DB_URL_FILE`).
        var: String,
        /// The file it names.
        path: PathBuf,
    },
    /// A file in a secret volume.
    Dir {
        /// The file.
        path: PathBuf,
    },
    /// A provider reference that is not an OCI Vault OCID.
    Provider {
        /// The reference.
        reference: String,
    },
    /// An OCI Vault secret, resolved through the provider.
    OciVault {
        /// The OCID.
        reference: OciVaultRef,
        /// The environment variable that held the OCID, if it came from one.
        var: Option<String>,
    },
    /// A plain environment value: the one origin that is not a secret source.
    PlainEnv {
        /// The variable.
        var: String,
    },
}

impl Origin {
    /// Whether the value came through a secret source (anything but a plain environment value).
    pub fn is_secret_source(&self) -> bool {
        !matches!(self, Origin::PlainEnv { .. })
    }

    /// The mounted file the value was read from, if any.
    pub fn file(&self) -> Option<&Path> {
        match self {
            Origin::File { path } | Origin::FileEnv { path, .. } | Origin::Dir { path } => {
                Some(path)
            }
            _ => None,
        }
    }

    /// A one-word kind for details: `file`, `file_env`, `secret_volume`, `provider`,
    /// `oci_vault`, `plain_env`.
    pub fn kind(&self) -> &'static str {
        match self {
            Origin::File { .. } => "file",
            Origin::FileEnv { .. } => "file_env",
            Origin::Dir { .. } => "secret_volume",
            Origin::Provider { .. } => "provider",
            Origin::OciVault { .. } => "oci_vault",
            Origin::PlainEnv { .. } => "plain_env",
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File { path } => write!(f, "mounted file {}", path.display()),
            Origin::FileEnv { var, path } => {
                write!(f, "mounted file {} (named by `{var}`)", path.display())
            }
            Origin::Dir { path } => write!(f, "secret volume file {}", path.display()),
            Origin::Provider { reference } => {
                write!(f, "provider reference {}", short_reference(reference))
            }
            Origin::OciVault {
                reference,
                var: Some(var),
            } => write!(f, "OCI Vault secret {reference} (named by `{var}`)"),
            Origin::OciVault {
                reference,
                var: None,
            } => write!(f, "OCI Vault secret {reference}"),
            Origin::PlainEnv { var } => write!(f, "plain environment variable `{var}`"),
        }
    }
}

/// A resolved secret: its name, role, value (never printed) and origin.
#[derive(Debug, Clone)]
pub struct Resolved {
    name: String,
    role: SecretRole,
    value: SecretString,
    origin: Origin,
}

impl Resolved {
    /// The declared name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What the secret is for.
    pub fn role(&self) -> SecretRole {
        self.role
    }

    /// The value; read it with [`ExposeSecret`](secrecy::ExposeSecret).
    pub fn value(&self) -> &SecretString {
        &self.value
    }

    /// Where it came from.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }
}

/// Why a declared secret could not be resolved. Names sources, paths and variables; never values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// None of the sources held a value.
    #[error("secret `{secret}` was not found: tried {}", if tried.is_empty() { "no source (declare one)".to_owned() } else { tried.join(", ") })]
    NotFound {
        /// The secret.
        secret: String,
        /// Each source tried and what was there.
        tried: Vec<String>,
    },
    /// A source that is configured could not be read.
    #[error("secret `{secret}`: {from} cannot be read: {reason}")]
    Unreadable {
        /// The secret.
        secret: String,
        /// The source.
        from: String,
        /// What went wrong.
        reason: String,
    },
    /// The source held an empty value.
    #[error("secret `{secret}`: {from} is empty")]
    Empty {
        /// The secret.
        secret: String,
        /// The source.
        from: String,
    },
    /// A reference needs a provider and the spec has none.
    #[error("secret `{secret}`: {kind} {reference} in {from} needs a SecretProvider: give one with `SecretSpec::provider`")]
    NeedsProvider {
        /// The secret.
        secret: String,
        /// "OCI Vault reference" or "provider reference".
        kind: &'static str,
        /// The reference, shortened.
        reference: String,
        /// The source.
        from: String,
    },
    /// The provider failed.
    #[error("secret `{secret}`: {provider} cannot resolve {reference}: {error}")]
    Provider {
        /// The secret.
        secret: String,
        /// The provider's name.
        provider: String,
        /// The reference, shortened.
        reference: String,
        /// The provider's error.
        error: ProviderError,
    },
}

/// Every declared secret, resolved: what the service reads its configuration from.
#[derive(Debug, Clone, Default)]
pub struct Secrets {
    items: Vec<Resolved>,
}

impl Secrets {
    pub(crate) fn new(items: Vec<Resolved>) -> Self {
        Self { items }
    }

    /// The value of the secret `name`.
    pub fn get(&self, name: &str) -> Option<&SecretString> {
        self.resolved(name).map(Resolved::value)
    }

    /// The resolved secret `name`, with its origin.
    pub fn resolved(&self, name: &str) -> Option<&Resolved> {
        self.items.iter().find(|r| r.name == name)
    }

    /// The first secret marked as the database URL.
    pub fn database_url(&self) -> Option<&SecretString> {
        self.items
            .iter()
            .find(|r| r.role == SecretRole::DatabaseUrl)
            .map(Resolved::value)
    }

    /// Every resolved secret, in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = &Resolved> {
        self.items.iter()
    }
}

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
