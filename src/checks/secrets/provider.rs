//! The provider trait a service implements to resolve vault references, and the shape of an
//! OCI Vault secret OCID.

use secrecy::SecretString;
use std::fmt;

/// Resolves a reference (an OCI Vault secret OCID, `vault:kv/app#db`, …) to the secret's value.
///
/// The service implements it with its vault client; [`SecretSpec::provider`](super::SecretSpec::provider)
/// installs it. Error texts end up in reports: they must name the reference, never a value.
///
/// ```
/// use prodready::checks::secrets::{ProviderError, SecretProvider, SecretString};
///
/// struct StaticVault;
///
/// #[prodready::async_trait]
/// impl SecretProvider for StaticVault {
///     async fn resolve(&self, reference: &str) -> Result<SecretString, ProviderError> {
///         match reference {
///             "vault:kv/app#db" => Ok(SecretString::from("postgres://app:pw@db/app")),
///             _ => Err(ProviderError::NotFound),
///         }
///     }
/// }
/// ```
#[async_trait::async_trait]
pub trait SecretProvider: Send + Sync + 'static {
    /// The value `reference` names.
    async fn resolve(&self, reference: &str) -> Result<SecretString, ProviderError>;

    /// A short name for reports ("OCI Vault").
    fn name(&self) -> &str {
        "secret provider"
    }
}

/// Why a [`SecretProvider`] could not resolve a reference. Carries no secret value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProviderError {
    /// The reference names nothing.
    #[error("not found")]
    NotFound,
    /// The service may not read it.
    #[error("access denied: {0}")]
    Denied(String),
    /// The vault could not be reached.
    #[error("vault unavailable: {0}")]
    Unavailable(String),
    /// Anything else.
    #[error("{0}")]
    Other(String),
}

/// An OCI Vault secret OCID: `ocid1.vaultsecret.<realm>.<region>[.<future use>].<unique id>`.
///
/// ```
/// use prodready::checks::secrets::OciVaultRef;
/// let r = OciVaultRef::parse("ocid1.vaultsecret.oc1.eu-frankfurt-1.amaaaaaa7kq2gdia").unwrap();
/// assert_eq!(r.region(), "eu-frankfurt-1");
/// assert_eq!(r.to_string(), "ocid1.vaultsecret.oc1.eu-frankfurt-1.…");
/// assert!(OciVaultRef::parse("ocid1.instance.oc1.iad.abc").is_none());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct OciVaultRef {
    ocid: String,
    realm_len: usize,
    region_len: usize,
}

const PREFIX: &str = "ocid1.vaultsecret.";

impl OciVaultRef {
    /// Recognises the shape of a vault secret OCID (surrounding whitespace ignored).
    pub fn parse(text: &str) -> Option<Self> {
        let ocid = text.trim();
        let rest = ocid.strip_prefix(PREFIX)?;
        let parts: Vec<&str> = rest.split('.').collect();
        // realm, region, [future use], unique id
        if !(3..=4).contains(&parts.len()) {
            return None;
        }
        let realm = parts[0];
        let region = parts[1];
        let id = parts[parts.len() - 1];
        let realm_ok = realm
            .strip_prefix("oc")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        let region_ok = !region.is_empty()
            && region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let id_ok = id.len() >= 8 && id.bytes().all(|b| b.is_ascii_alphanumeric());
        (realm_ok && region_ok && id_ok).then(|| Self {
            ocid: ocid.to_owned(),
            realm_len: realm.len(),
            region_len: region.len(),
        })
    }

    /// The whole OCID.
    pub fn as_str(&self) -> &str {
        &self.ocid
    }

    /// The realm (`oc1`).
    pub fn realm(&self) -> &str {
        let start = PREFIX.len();
        &self.ocid[start..start + self.realm_len]
    }

    /// The region (`eu-frankfurt-1`).
    pub fn region(&self) -> &str {
        let start = PREFIX.len() + self.realm_len + 1;
        &self.ocid[start..start + self.region_len]
    }
}

/// Shows the OCID without its unique id: enough to say which vault region, short in reports.
impl fmt::Display for OciVaultRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PREFIX}{}.{}.…", self.realm(), self.region())
    }
}

impl fmt::Debug for OciVaultRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OciVaultRef({self})")
    }
}
