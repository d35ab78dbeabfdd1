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

pub use check::{attested, bindings, Attested, POST_MORTEM_ITEM};
/// The time type [`Attestation::verify`] takes.
pub use jiff::Timestamp;

use super::commit::{CommitId, CommitIdError};
use super::running::{Mismatch, Running};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, VerifyingKey};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An ed25519 signing key.
pub type SigningKey = ed25519_dalek::SigningKey;

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

/// The short fingerprint of a public key (first 16 hex chars of its SHA-256).
pub fn fingerprint(key: &VerifyingKey) -> String {
    super::bundle::sha256_hex(key.as_bytes())[..16].to_owned()
}

/// Trusted public keys per role.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedKeys(BTreeMap<String, Vec<VerifyingKey>>);

impl TrustedKeys {
    /// No keys.
    pub fn new() -> Self {
        Self::default()
    }

    /// Trusts `key` for `role`.
    pub fn trust(mut self, role: impl Into<String>, key: VerifyingKey) -> Self {
        self.0.entry(role.into()).or_default().push(key);
        self
    }

    /// Trusts a base64 public key (as `prodready keygen` prints) for `role`.
    pub fn trust_base64(
        self,
        role: impl Into<String>,
        key: &str,
    ) -> Result<Self, AttestationError> {
        Ok(self.trust(role, decode_public_key(key)?))
    }

    /// Reads `role = ["base64", …]` lines of a TOML table.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        let table: BTreeMap<String, Vec<String>> =
            toml::from_str(text).map_err(|e| e.to_string())?;
        table
            .into_iter()
            .try_fold(Self::new(), |keys, (role, list)| {
                list.iter().try_fold(keys, |k, b| {
                    k.trust_base64(role.clone(), b)
                        .map_err(|e| format!("role `{role}`: {e}"))
                })
            })
    }

    /// Whether no key is configured.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn roles_of(&self, key: &VerifyingKey) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(_, ks)| ks.contains(key))
            .map(|(r, _)| r.as_str())
            .collect()
    }
}

/// Decodes a base64 ed25519 public key.
pub fn decode_public_key(b64: &str) -> Result<VerifyingKey, AttestationError> {
    let bytes = B64
        .decode(b64.trim())
        .map_err(|_| AttestationError::Malformed("public key"))?;
    let arr: [u8; 32] = bytes
        .try_into()
        .map_err(|_| AttestationError::Malformed("public key"))?;
    VerifyingKey::from_bytes(&arr).map_err(|_| AttestationError::Malformed("public key"))
}

/// Decodes a base64 ed25519 secret key (32-byte seed).
pub fn decode_signing_key(b64: &str) -> Result<SigningKey, AttestationError> {
    let bytes = B64
        .decode(b64.trim())
        .map_err(|_| AttestationError::Malformed("secret key"))?;
    let arr: [u8; 32] = bytes
        .try_into()
        .map_err(|_| AttestationError::Malformed("secret key"))?;
    Ok(SigningKey::from_bytes(&arr))
}

/// A new random key pair: (secret key base64, public key base64).
pub fn generate_key() -> (String, String) {
    let key = SigningKey::generate(&mut rand_core::OsRng);
    (
        B64.encode(key.to_bytes()),
        B64.encode(key.verifying_key().as_bytes()),
    )
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
        self.public_key = Some(B64.encode(key.verifying_key().as_bytes()));
        self.signature = None;
        let sig = key.sign(&self.signed_bytes());
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
        now: jiff::Timestamp,
        running: Option<(&str, Option<&str>)>,
    ) -> Result<(), AttestationError> {
        match (&self.signature, &self.public_key) {
            (None, _) if unsigned_allowed => {}
            (None, _) | (Some(_), None) => return Err(AttestationError::Unsigned),
            (Some(sig), Some(key)) => {
                let key = decode_public_key(key)?;
                let sig = B64
                    .decode(sig.trim())
                    .map_err(|_| AttestationError::Malformed("signature"))?;
                let sig = Signature::from_slice(&sig)
                    .map_err(|_| AttestationError::Malformed("signature"))?;
                let roles = keys.roles_of(&key);
                if roles.is_empty() {
                    return Err(AttestationError::UnknownKey(fingerprint(&key)));
                }
                if !roles.contains(&role) || self.role != role {
                    return Err(AttestationError::WrongRole {
                        key: fingerprint(&key),
                        role: role.to_owned(),
                    });
                }
                key.verify_strict(&self.signed_bytes(), &sig)
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
