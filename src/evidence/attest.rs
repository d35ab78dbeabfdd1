//! Attestations: a person's signed statement that an item holds for a version.
//!
//! A file in `<bundle>/attestations/*.json`:
//!
//! ```json
//! { "item": "sign-off.qa-team-lead", "role": "qa-team-lead", "person": "Ada",
//!   "statement": "QA passed", "version": "1.5.0", "commit": "9f2c1e0",
//!   "signed_at": "2026-11-20T10:00:00Z", "expires_at": "2026-12-20T10:00:00Z",
//!   "public_key": "<base64 ed25519>", "signature": "<base64>" }
//! ```
//!
//! The signature is ed25519 over [`Attestation::signed_bytes`]. The key must be trusted for
//! the role in [`TrustedKeys`]; bad signature, unknown key, wrong role, expired, another
//! version/commit: each `fail` with its reason.

mod check;
pub mod proof;

pub(crate) use check::bindings;
pub use check::{attested, Attested, POST_MORTEM_ITEM};

use super::commit::{CommitId, CommitIdError};
use super::running::{Mismatch, Running};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, VerifyingKey};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An ed25519 secret key that signs attestations ([`Attestation::sign`]), as `prodready keygen`
/// writes it: the 32-byte seed in base64. `Debug` never shows the key.
#[derive(Clone)]
pub struct SigningKey(ed25519_dalek::SigningKey);

impl SigningKey {
    /// A new random key.
    pub fn generate() -> Self {
        SigningKey(ed25519_dalek::SigningKey::generate(&mut rand_core::OsRng))
    }

    /// Decodes a base64 secret key (the 32-byte seed).
    pub fn from_base64(b64: &str) -> Result<Self, AttestationError> {
        Ok(SigningKey(ed25519_dalek::SigningKey::from_bytes(
            &decode_32(b64, "secret key")?,
        )))
    }

    /// The secret key in base64, to store where only the signer can read it.
    pub fn to_base64(&self) -> String {
        B64.encode(self.0.to_bytes())
    }

    /// The public key to trust ([`TrustedKeys::trust`]).
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey(public {})", self.public_key().fingerprint())
    }
}

/// An ed25519 public key an attestation is checked against, as `prodready keygen` prints it:
/// 32 bytes in base64.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// Decodes a base64 public key.
    pub fn from_base64(b64: &str) -> Result<Self, AttestationError> {
        VerifyingKey::from_bytes(&decode_32(b64, "public key")?)
            .map(PublicKey)
            .map_err(|_| AttestationError::Malformed("public key"))
    }

    /// The key in base64.
    pub fn to_base64(&self) -> String {
        B64.encode(self.0.as_bytes())
    }

    /// The short fingerprint reports name the key by (first 16 hex chars of its SHA-256).
    pub fn fingerprint(&self) -> String {
        super::bundle::sha256_hex(self.0.as_bytes())[..16].to_owned()
    }
}

fn decode_32(b64: &str, what: &'static str) -> Result<[u8; 32], AttestationError> {
    B64.decode(b64.trim())
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or(AttestationError::Malformed(what))
}

/// A signed statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attestation {
    /// The item id attested.
    pub item: String,
    /// The signer's role (`reviewer`, `qa-team-lead`, …).
    pub role: String,
    /// Who signed.
    pub person: String,
    /// What they state.
    pub statement: String,
    /// The version it is made for.
    pub version: String,
    /// The commit it is made for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// When it was signed (RFC 3339).
    pub signed_at: String,
    /// When it stops counting (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// The signer's ed25519 public key, base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// The ed25519 signature, base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// Why an attestation does not count.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttestationError {
    /// Not signed, and the checklist does not allow unsigned attestations for the item.
    #[error("the attestation is not signed")]
    Unsigned,
    /// The signature or key is not valid base64 / the right length.
    #[error("malformed {0}")]
    Malformed(&'static str),
    /// The key is not trusted for any role.
    #[error("the signing key {0} is not trusted for any role")]
    UnknownKey(String),
    /// The key is trusted, but not for this role.
    #[error("the signing key {key} is not trusted for role `{role}`")]
    WrongRole {
        /// The key's fingerprint.
        key: String,
        /// The role required.
        role: String,
    },
    /// The signature does not verify (forged or tampered).
    #[error("bad signature: the attestation was changed after signing or forged")]
    BadSignature,
    /// Past its expiry.
    #[error("expired at {0}")]
    Expired(String),
    /// Made for another version or commit.
    #[error("made for {made}, running {running}")]
    OtherBuild {
        /// What it was made for.
        made: String,
        /// What is running.
        running: String,
    },
    /// The attestation's commit breaks the commit rule ([`commit::RULE`](super::commit::RULE)).
    #[error("the attestation names a malformed commit: {0}")]
    BadCommit(CommitIdError),
    /// The running build's commit breaks the commit rule.
    #[error("the running build's commit is malformed: {0}")]
    RunningCommit(CommitIdError),
    /// A time field does not parse.
    #[error("`{0}` is not an RFC 3339 time")]
    BadTime(String),
}

/// Trusted public keys per role.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use = "keys do nothing until they are given to an EvidenceSpec"]
pub struct TrustedKeys(BTreeMap<String, Vec<PublicKey>>);

impl TrustedKeys {
    /// No keys.
    pub fn new() -> Self {
        Self::default()
    }

    /// Trusts `key` for `role`.
    pub fn trust(mut self, role: impl Into<String>, key: PublicKey) -> Self {
        self.0.entry(role.into()).or_default().push(key);
        self
    }

    /// Trusts a base64 public key (as `prodready keygen` prints) for `role`.
    pub fn trust_base64(
        self,
        role: impl Into<String>,
        key: &str,
    ) -> Result<Self, AttestationError> {
        Ok(self.trust(role, PublicKey::from_base64(key)?))
    }

    /// Reads `role = ["base64", …]` lines of a TOML table (the file `prodready verify --keys`
    /// takes).
    ///
    /// ```
    /// use prodready::evidence::{SigningKey, TrustedKeys};
    /// let public = SigningKey::generate().public_key().to_base64();
    /// let keys = TrustedKeys::from_toml(&format!("qa-team-lead = [\"{public}\"]")).unwrap();
    /// assert!(!keys.is_empty());
    /// assert!(TrustedKeys::from_toml("qa-team-lead = [\"not a key\"]").is_err());
    /// ```
    pub fn from_toml(text: &str) -> Result<Self, TrustedKeysError> {
        let table: BTreeMap<String, Vec<String>> =
            toml::from_str(text).map_err(|e| TrustedKeysError::Toml(e.to_string()))?;
        table
            .into_iter()
            .try_fold(Self::new(), |keys, (role, list)| {
                list.iter().try_fold(keys, |k, b| {
                    k.trust_base64(role.clone(), b)
                        .map_err(|source| TrustedKeysError::Key {
                            role: role.clone(),
                            source,
                        })
                })
            })
    }

    /// Whether no key is configured.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn roles_of(&self, key: &PublicKey) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(_, ks)| ks.contains(key))
            .map(|(r, _)| r.as_str())
            .collect()
    }
}

/// Why a [`TrustedKeys`] file does not load.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustedKeysError {
    /// The file is not a TOML table of `role = ["base64", …]`.
    #[error("not a table of `role = [\"base64 key\", …]`: {0}")]
    Toml(String),
    /// A key of a role does not decode.
    #[error("role `{role}`: {source}")]
    Key {
        /// The role the key is listed under.
        role: String,
        /// What is wrong with the key.
        source: AttestationError,
    },
}

impl Attestation {
    /// The bytes signed: a domain tag, then the attestation as JSON without the signature.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let unsigned = Attestation {
            signature: None,
            ..self.clone()
        };
        let mut out = b"prodready-attestation-v1\n".to_vec();
        // Plain strings only: serialization cannot fail.
        out.extend(serde_json::to_vec(&unsigned).unwrap_or_default());
        out
    }

    /// Signs with `key`, recording its public key.
    pub fn sign(mut self, key: &SigningKey) -> Self {
        self.public_key = Some(key.public_key().to_base64());
        self.signature = None;
        let sig = key.0.sign(&self.signed_bytes());
        self.signature = Some(B64.encode(sig.to_bytes()));
        self
    }

    /// Checks signature, key trust for `role`, expiry at `now`, and the build: `running` is the
    /// running version and commit; commits are compared by the rule of
    /// [`commit`](super::commit), and a malformed one is an error of its own.
    pub fn verify(
        &self,
        keys: &TrustedKeys,
        role: &str,
        unsigned_allowed: bool,
        now: std::time::SystemTime,
        running: Option<(&str, Option<&str>)>,
    ) -> Result<(), AttestationError> {
        match (&self.signature, &self.public_key) {
            (None, _) if unsigned_allowed => {}
            (None, _) | (Some(_), None) => return Err(AttestationError::Unsigned),
            (Some(sig), Some(key)) => {
                let key = PublicKey::from_base64(key)?;
                let sig = B64
                    .decode(sig.trim())
                    .map_err(|_| AttestationError::Malformed("signature"))?;
                let sig = Signature::from_slice(&sig)
                    .map_err(|_| AttestationError::Malformed("signature"))?;
                let roles = keys.roles_of(&key);
                if roles.is_empty() {
                    return Err(AttestationError::UnknownKey(key.fingerprint()));
                }
                if !roles.contains(&role) || self.role != role {
                    return Err(AttestationError::WrongRole {
                        key: key.fingerprint(),
                        role: role.to_owned(),
                    });
                }
                key.0
                    .verify_strict(&self.signed_bytes(), &sig)
                    .map_err(|_| AttestationError::BadSignature)?;
            }
        }
        if unsigned_allowed && self.signature.is_none() && self.role != role {
            return Err(AttestationError::WrongRole {
                key: "(unsigned)".into(),
                role: role.to_owned(),
            });
        }
        let time = |t: &str| {
            t.parse::<jiff::Timestamp>()
                .map(std::time::SystemTime::from)
                .map_err(|_| AttestationError::BadTime(t.to_owned()))
        };
        time(&self.signed_at)?;
        if let Some(exp) = &self.expires_at {
            if time(exp)? <= now {
                return Err(AttestationError::Expired(exp.clone()));
            }
        }
        if let Some(c) = &self.commit {
            CommitId::parse(c).map_err(AttestationError::BadCommit)?;
        }
        if let Some((version, commit)) = running {
            let running = Running {
                version: version.to_owned(),
                commit: commit.map(str::to_owned),
                source: "",
            };
            let other =
                |made: String, running: String| AttestationError::OtherBuild { made, running };
            match running.check(&self.version, self.commit.as_deref()) {
                Ok(()) => {}
                Err(Mismatch::Version { made, running }) => return Err(other(made, running)),
                Err(Mismatch::Commit { made, running }) => {
                    return Err(other(format!("commit {made}"), format!("commit {running}")))
                }
                Err(Mismatch::BadMadeCommit(e)) => return Err(AttestationError::BadCommit(e)),
                Err(Mismatch::BadRunningCommit(e)) => {
                    return Err(AttestationError::RunningCommit(e))
                }
            }
        }
        Ok(())
    }
}
