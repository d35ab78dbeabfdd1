//! What resolving a declared secret gives: the value with its origin, or why it failed.

use super::provider::{OciVaultRef, ProviderError};
use super::role::SecretRole;
use super::short_reference;
use secrecy::SecretString;
use std::fmt;
use std::path::{Path, PathBuf};

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
    pub(super) name: String,
    pub(super) role: SecretRole,
    pub(super) value: SecretString,
    pub(super) origin: Origin,
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
