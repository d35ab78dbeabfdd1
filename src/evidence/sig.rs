//! Detached signatures over an image digest or the binary's own hash (row 48).
//!
//! The bundle's `image-signature` artifact is JSON:
//! `{"subject": "sha256:<hex>" | "self", "algorithm": "ed25519" | "ecdsa-p256", "signature": "<base64>"}`;
//! the signature is over the subject string's bytes (`self`: the running binary's
//! `sha256:<hex>`, read from `/proc/self/exe`).

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde::{Deserialize, Serialize};

/// A public key an image signature verifies against: ed25519, or ECDSA over P-256 with SHA-256.
///
/// ```
/// use prodready::evidence::sig::{ImageKey, SignatureError};
/// assert_eq!(ImageKey::from_pem("no key").unwrap_err(), SignatureError::NotAPublicKey);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageKey(Key);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Key {
    Ed25519(ed25519_dalek::VerifyingKey),
    P256(p256::ecdsa::VerifyingKey),
}

/// Why an image key or signature is rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The PEM is not an ed25519 or P-256 `PUBLIC KEY` (SPKI).
    #[error("not an ed25519 or P-256 public key (a PEM `PUBLIC KEY` block)")]
    NotAPublicKey,
    /// The signature is not base64.
    #[error("the signature is not base64")]
    NotBase64,
    /// The signature's bytes are not a signature of the key's algorithm.
    #[error("malformed {0} signature")]
    Malformed(&'static str),
    /// The signature does not verify: another key signed, or the subject differs.
    #[error("the signature does not verify")]
    DoesNotVerify,
}

impl ImageKey {
    /// Parses a PEM `PUBLIC KEY` (SPKI) of either algorithm.
    pub fn from_pem(pem: &str) -> Result<Self, SignatureError> {
        use ed25519_dalek::pkcs8::DecodePublicKey;
        if let Ok(k) = ed25519_dalek::VerifyingKey::from_public_key_pem(pem) {
            return Ok(ImageKey(Key::Ed25519(k)));
        }
        p256::ecdsa::VerifyingKey::from_public_key_pem(pem)
            .map(|k| ImageKey(Key::P256(k)))
            .map_err(|_| SignatureError::NotAPublicKey)
    }

    /// The algorithm name used in the signature file.
    pub fn algorithm(&self) -> &'static str {
        match self.0 {
            Key::Ed25519(_) => "ed25519",
            Key::P256(_) => "ecdsa-p256",
        }
    }

    /// Verifies `signature` (base64; DER or fixed-size for P-256) over `message`.
    pub fn verify(&self, message: &[u8], signature_b64: &str) -> Result<(), SignatureError> {
        let sig = B64
            .decode(signature_b64.trim())
            .map_err(|_| SignatureError::NotBase64)?;
        match &self.0 {
            Key::Ed25519(k) => {
                let s = ed25519_dalek::Signature::from_slice(&sig)
                    .map_err(|_| SignatureError::Malformed("ed25519"))?;
                k.verify_strict(message, &s)
                    .map_err(|_| SignatureError::DoesNotVerify)
            }
            Key::P256(k) => {
                use p256::ecdsa::signature::Verifier;
                let s = p256::ecdsa::Signature::from_der(&sig)
                    .or_else(|_| p256::ecdsa::Signature::from_slice(&sig))
                    .map_err(|_| SignatureError::Malformed("P-256"))?;
                k.verify(message, &s)
                    .map_err(|_| SignatureError::DoesNotVerify)
            }
        }
    }
}

/// The `image-signature` artifact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageSignature {
    /// `sha256:<hex>` of the image, or `self` for the running binary.
    pub subject: String,
    /// `ed25519` or `ecdsa-p256`.
    pub algorithm: String,
    /// Base64 signature over the subject (resolved) string.
    pub signature: String,
}
