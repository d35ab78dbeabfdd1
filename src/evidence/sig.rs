//! Detached signatures over an image digest or the binary's own hash (row 48).
//!
//! The bundle's `image-signature` artifact is JSON:
//! `{"subject": "sha256:<hex>" | "self", "algorithm": "ed25519" | "ecdsa-p256", "signature": "<base64>"}`;
//! the signature is over the subject string's bytes (`self`: the running binary's
//! `sha256:<hex>`, read from `/proc/self/exe`).

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde::{Deserialize, Serialize};

/// A public key an image signature verifies against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageKey {
    /// ed25519.
    Ed25519(ed25519_dalek::VerifyingKey),
    /// ECDSA over P-256 with SHA-256.
    P256(p256::ecdsa::VerifyingKey),
}

impl ImageKey {
    /// Parses a PEM `PUBLIC KEY` (SPKI) of either algorithm.
    pub fn from_pem(pem: &str) -> Result<Self, String> {
        use ed25519_dalek::pkcs8::DecodePublicKey;
        if let Ok(k) = ed25519_dalek::VerifyingKey::from_public_key_pem(pem) {
            return Ok(ImageKey::Ed25519(k));
        }
        p256::ecdsa::VerifyingKey::from_public_key_pem(pem)
            .map(ImageKey::P256)
            .map_err(|e| format!("not an ed25519 or P-256 public key: {e}"))
    }

    /// The algorithm name used in the signature file.
    pub fn algorithm(&self) -> &'static str {
        match self {
            ImageKey::Ed25519(_) => "ed25519",
            ImageKey::P256(_) => "ecdsa-p256",
        }
    }

    /// Verifies `signature` (base64; DER or fixed-size for P-256) over `message`.
    pub fn verify(&self, message: &[u8], signature_b64: &str) -> Result<(), String> {
        let sig = B64
            .decode(signature_b64.trim())
            .map_err(|_| "the signature is not base64".to_owned())?;
        match self {
            ImageKey::Ed25519(k) => {
                let s = ed25519_dalek::Signature::from_slice(&sig)
                    .map_err(|_| "malformed ed25519 signature".to_owned())?;
                k.verify_strict(message, &s)
                    .map_err(|_| "the signature does not verify".to_owned())
            }
            ImageKey::P256(k) => {
                use p256::ecdsa::signature::Verifier;
                let s = p256::ecdsa::Signature::from_der(&sig)
                    .or_else(|_| p256::ecdsa::Signature::from_slice(&sig))
                    .map_err(|_| "malformed P-256 signature".to_owned())?;
                k.verify(message, &s)
                    .map_err(|_| "the signature does not verify".to_owned())
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
