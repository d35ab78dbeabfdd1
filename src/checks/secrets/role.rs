//! What a secret is for, and the JWT algorithms whose keys are judged.

use std::fmt;

/// Supported JWT signing algorithms (the `alg` of RFC 7518).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JwtAlgorithm {
    /// HMAC with SHA-256: a shared key of at least 32 bytes.
    Hs256,
    /// HMAC with SHA-384: at least 48 bytes.
    Hs384,
    /// HMAC with SHA-512: at least 64 bytes.
    Hs512,
    /// RSASSA-PKCS1-v1_5 with SHA-256: an RSA key of at least 2048 bits.
    Rs256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    Rs384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    Rs512,
    /// RSASSA-PSS with SHA-256.
    Ps256,
    /// RSASSA-PSS with SHA-384.
    Ps384,
    /// RSASSA-PSS with SHA-512.
    Ps512,
    /// ECDSA on P-256.
    Es256,
    /// ECDSA on P-384.
    Es384,
    /// ECDSA on P-521.
    Es512,
    /// EdDSA (Ed25519 or Ed448).
    EdDsa,
}

impl JwtAlgorithm {
    /// The name used in a JWT header (`HS256`).
    pub const fn as_str(self) -> &'static str {
        match self {
            JwtAlgorithm::Hs256 => "HS256",
            JwtAlgorithm::Hs384 => "HS384",
            JwtAlgorithm::Hs512 => "HS512",
            JwtAlgorithm::Rs256 => "RS256",
            JwtAlgorithm::Rs384 => "RS384",
            JwtAlgorithm::Rs512 => "RS512",
            JwtAlgorithm::Ps256 => "PS256",
            JwtAlgorithm::Ps384 => "PS384",
            JwtAlgorithm::Ps512 => "PS512",
            JwtAlgorithm::Es256 => "ES256",
            JwtAlgorithm::Es384 => "ES384",
            JwtAlgorithm::Es512 => "ES512",
            JwtAlgorithm::EdDsa => "EdDSA",
        }
    }

    /// The shortest HMAC key, in bytes, for the HS algorithms (the hash output size, RFC 7518
    /// §3.2); `None` for key-pair algorithms.
    pub const fn min_hmac_bytes(self) -> Option<usize> {
        match self {
            JwtAlgorithm::Hs256 => Some(32),
            JwtAlgorithm::Hs384 => Some(48),
            JwtAlgorithm::Hs512 => Some(64),
            _ => None,
        }
    }
}

impl fmt::Display for JwtAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a secret is for; the checks of the items about database URLs, JWT keys and API keys
/// pick the secrets with their role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum SecretRole {
    /// Any secret.
    #[default]
    Generic,
    /// The database connection URL.
    DatabaseUrl,
    /// A JWT signing key for the algorithm.
    JwtKey(JwtAlgorithm),
    /// An API key.
    ApiKey,
}
