//! The JWT signing key: from a secret source, long enough for its algorithm, not a known default.

use super::der::{key_info, pem_blocks, KeyInfo};
use super::sources::fix_for;
use super::{
    JwtAlgorithm, OciVaultRef, Origin, SecretRole, SecretSpec, Verdict, HOW_TO_DECLARE,
    MOVE_TO_SECRET_SOURCE,
};
use crate::{Check, Context, Outcome};
use secrecy::ExposeSecret;
use serde_json::{json, Map, Value};

/// Default and example values found in tutorials, library docs and jwt.io; compared ignoring case.
const KNOWN_WEAK: &[&str] = &[
    "secret",
    "secretkey",
    "secret-key",
    "secret_key",
    "mysecret",
    "my-secret",
    "my_secret",
    "mysecretkey",
    "supersecret",
    "super-secret",
    "topsecret",
    "s3cr3t",
    "changeme",
    "change-me",
    "change_me",
    "changeit",
    "password",
    "passw0rd",
    "jwt-secret",
    "jwt_secret",
    "jwtsecret",
    "your-secret-key",
    "your_jwt_secret",
    "your-jwt-secret",
    "your-256-bit-secret",
    "your-384-bit-secret",
    "your-512-bit-secret",
    "a-string-secret-at-least-256-bits-long",
    "keyboard cat",
    "shhhhh",
    "shhhhhhared-secret",
    "notasecret",
    "insecure",
    "default",
    "example",
    "test",
    "testing",
    "development",
    "admin",
    "qwerty",
    "letmein",
    "123456",
    "12345678",
    "1234567890",
];

/// Environment variables that conventionally hold a JWT key, looked at when none is declared.
const CONVENTIONAL_VARS: &[&str] = &["JWT_SECRET", "JWT_SECRET_KEY", "JWT_SIGNING_KEY", "JWT_KEY"];

const FIX_WEAK: &str = "generate a random key of the algorithm's size (`openssl rand -base64 64`) and store it in the secret";
const FIX_KEYPAIR: &str = "use a PEM private key of the algorithm's type: RSA of at least 2048 bits for RS*/PS*, P-256/P-384/P-521 for ES256/ES384/ES512, Ed25519 for EdDSA";

/// What is wrong with an HMAC key, worst first. Never quotes the key.
fn hmac_problems(key: &str, min: usize, alg: JwtAlgorithm) -> Vec<String> {
    let bytes = key.as_bytes();
    let mut problems = Vec::new();
    let lowered = key.trim().to_ascii_lowercase();
    if KNOWN_WEAK.contains(&lowered.as_str()) {
        problems.push("is a well-known default value".to_owned());
    } else if bytes.iter().all(|&b| b == bytes[0]) {
        problems.push("is one character repeated".to_owned());
    } else if let Some(period) = (2..=bytes.len() / 2)
        .filter(|p| bytes.len().is_multiple_of(*p))
        .find(|&p| bytes.chunks(p).all(|c| c == &bytes[..p]))
    {
        problems.push(format!("repeats a {period}-byte pattern"));
    }
    if bytes.len() < min {
        problems.push(format!(
            "is {} bytes; {alg} needs at least {min}",
            bytes.len()
        ));
    }
    problems
}

/// What is wrong with a PEM key for `alg` (problems), or what could not be checked (notes).
struct KeyJudgement {
    problems: Vec<String>,
    notes: Vec<String>,
    key_bits: Option<usize>,
}

fn key_judgement(pem: &str, alg: JwtAlgorithm) -> KeyJudgement {
    let mut j = KeyJudgement {
        problems: Vec::new(),
        notes: Vec::new(),
        key_bits: None,
    };
    let blocks = match pem_blocks(pem) {
        Ok(blocks) if !blocks.is_empty() => blocks,
        Ok(_) => {
            j.problems
                .push(format!("is not a PEM key, which {alg} needs"));
            return j;
        }
        Err(e) => {
            j.problems
                .push(format!("is not a well-formed PEM key: {e}"));
            return j;
        }
    };
    let key = match key_info(&blocks[0]) {
        Ok(key) => key,
        Err(e) => {
            j.problems.push(format!("is not a usable key: {e}"));
            return j;
        }
    };
    if !key.private {
        j.notes.push(
            "holds a public key: this service verifies tokens, it does not sign them".to_owned(),
        );
    }
    use JwtAlgorithm as A;
    let wanted_curve = match alg {
        A::Es256 => Some("P-256"),
        A::Es384 => Some("P-384"),
        A::Es512 => Some("P-521"),
        _ => None,
    };
    match (&key.info, alg) {
        (KeyInfo::Encrypted, _) => j
            .notes
            .push("is an encrypted key: its type and size cannot be checked".to_owned()),
        (KeyInfo::Rsa { .. }, A::Rs256 | A::Rs384 | A::Rs512 | A::Ps256 | A::Ps384 | A::Ps512) => {
            let bits = key.info.rsa_bits().unwrap_or(0);
            j.key_bits = Some(bits);
            if bits < 2048 {
                j.problems.push(format!(
                    "is a {bits}-bit RSA key; {alg} needs at least 2048 bits"
                ));
            }
        }
        (KeyInfo::Ec { curve, .. }, A::Es256 | A::Es384 | A::Es512) => match curve.as_deref() {
            Some(c) if Some(c) == wanted_curve => {}
            Some(c) => j.problems.push(format!(
                "is an EC key on {c}; {alg} needs {}",
                wanted_curve.unwrap_or("its curve")
            )),
            None => j
                .notes
                .push("names no curve: the curve cannot be checked".to_owned()),
        },
        (KeyInfo::Ed25519 | KeyInfo::Ed448, A::EdDsa) => {}
        (info, _) => {
            let kind = match info {
                KeyInfo::Rsa { .. } => "an RSA".to_owned(),
                KeyInfo::Ec { .. } => "an EC".to_owned(),
                KeyInfo::Ed25519 => "an Ed25519".to_owned(),
                KeyInfo::Ed448 => "an Ed448".to_owned(),
                KeyInfo::Other(oid) => format!("an unknown ({oid})"),
                KeyInfo::Encrypted => "an encrypted".to_owned(),
            };
            j.problems
                .push(format!("is {kind} key, which {alg} cannot use"));
        }
    }
    j
}

/// The JWT signing key — the declared secret marked [`Secret::jwt_key`](super::Secret::jwt_key)
/// — comes from a secret source, is long enough for its algorithm (HS256 ≥ 32 bytes, HS384 ≥ 48,
/// HS512 ≥ 64; RSA ≥ 2048 bits; the right EC curve), and is not a known default value.
pub fn jwt_secret_strong() -> JwtSecretStrong {
    JwtSecretStrong { spec: None }
}

/// The check returned by [`jwt_secret_strong`].
#[derive(Debug, Clone)]
pub struct JwtSecretStrong {
    spec: Option<SecretSpec>,
}

impl JwtSecretStrong {
    /// Checks `spec` instead of the [`SecretSpec`] resource.
    pub fn spec(mut self, spec: SecretSpec) -> Self {
        self.spec = Some(spec);
        self
    }
}

#[async_trait::async_trait]
impl Check for JwtSecretStrong {
    async fn run(&self, ctx: &Context) -> Outcome {
        let default_spec = SecretSpec::new();
        let spec = ctx.spec(&self.spec).unwrap_or(&default_spec);
        let mut verdict = Verdict::new();
        let mut keys = Vec::new();
        let mut notes = Vec::new();
        for secret in spec.secrets() {
            let SecretRole::JwtKey(alg) = secret.role() else {
                continue;
            };
            let what = format!("the JWT key `{}`", secret.name());
            let mut row = Map::new();
            row.insert("name".into(), json!(secret.name()));
            row.insert("algorithm".into(), json!(alg.as_str()));
            match spec.resolve_one(secret, ctx.host()).await {
                Err(e) => verdict.fail(e.to_string(), fix_for(&e)),
                Ok(resolved) => {
                    if let Origin::PlainEnv { var } = resolved.origin() {
                        verdict.fail(
                            format!("{what} is a plain environment value in `{var}`"),
                            MOVE_TO_SECRET_SOURCE,
                        );
                    }
                    let key = resolved.value().expose_secret();
                    row.insert("source".into(), json!(resolved.origin().kind()));
                    row.insert("length_bytes".into(), json!(key.len()));
                    match alg.min_hmac_bytes() {
                        Some(min) => {
                            row.insert("min_length_bytes".into(), json!(min));
                            for problem in hmac_problems(key, min, alg) {
                                verdict.fail(format!("{what} {problem}"), FIX_WEAK);
                            }
                        }
                        None => {
                            let j = key_judgement(key, alg);
                            if let Some(bits) = j.key_bits {
                                row.insert("key_bits".into(), json!(bits));
                            }
                            for problem in j.problems {
                                verdict.fail(format!("{what} {problem}"), FIX_KEYPAIR);
                            }
                            notes.extend(j.notes.into_iter().map(|n| format!("{what} {n}")));
                        }
                    }
                }
            }
            keys.push(Value::Object(row));
        }
        if keys.is_empty() {
            let host = ctx.host();
            let plain: Vec<&str> = CONVENTIONAL_VARS
                .iter()
                .copied()
                .filter(|v| {
                    host.env(v)
                        .is_some_and(|val| !val.is_empty() && OciVaultRef::parse(&val).is_none())
                })
                .collect();
            if plain.is_empty() {
                return Outcome::warn("no JWT signing key declared").remediation(format!(
                    "mark the key's secret with `.jwt_key(JwtAlgorithm::Hs256)` (or its algorithm); {HOW_TO_DECLARE}"
                ));
            }
            for var in &plain {
                verdict.fail(
                    format!("`{var}` holds a plain JWT key in the environment"),
                    MOVE_TO_SECRET_SOURCE,
                );
            }
            return verdict.outcome("").detail("plain_env_vars", plain);
        }
        if !notes.is_empty() && verdict.status() == crate::Status::Pass {
            verdict.warn(notes.join("; "), "");
        }
        let pass = if keys.len() == 1 {
            "the JWT key comes from a secret source, fits its algorithm, and is no known default value".to_owned()
        } else {
            format!(
                "all {} JWT keys come from secret sources, fit their algorithms, and are no known default values",
                keys.len()
            )
        };
        verdict.outcome(pass).detail("jwt_keys", keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_keys_are_judged_without_quoting_them() {
        let a = JwtAlgorithm::Hs256;
        assert_eq!(
            hmac_problems("secret", 32, a),
            [
                "is a well-known default value",
                "is 6 bytes; HS256 needs at least 32"
            ]
        );
        assert_eq!(
            hmac_problems(&"x".repeat(40), 32, a),
            ["is one character repeated"]
        );
        assert_eq!(
            hmac_problems(&"abc1".repeat(10), 32, a),
            ["repeats a 4-byte pattern"]
        );
        assert_eq!(
            hmac_problems("a-string-secret-at-least-256-bits-long", 32, a),
            ["is a well-known default value"]
        );
        assert!(hmac_problems("k3Jp9xQ2mZ7vL1nB8cR4tY6wE0aS5dF3gH7jK9lP", 32, a).is_empty());
        assert_eq!(
            hmac_problems(
                "k3Jp9xQ2mZ7vL1nB8cR4tY6wE0aS5dF3gH7jK9lP",
                48,
                JwtAlgorithm::Hs384
            ),
            ["is 40 bytes; HS384 needs at least 48"]
        );
    }
}
