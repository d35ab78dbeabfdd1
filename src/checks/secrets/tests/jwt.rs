//! `jwt_secret_strong`: lengths per algorithm, known defaults, PEM keys.

use super::*;

const STRONG_32: &str = "k3Jp9xQ2mZ7vL1nB8cR4tY6wE0aS5dF3";
const RSA_2048: &str = include_str!("keys/rsa2048_pkcs8.pem");
const RSA_2048_PKCS1: &str = include_str!("keys/rsa2048_pkcs1.pem");
const RSA_2048_PUBLIC: &str = include_str!("keys/rsa2048_public.pem");
const RSA_1024: &str = include_str!("keys/rsa1024_pkcs8.pem");
const EC_256_SEC1: &str = include_str!("keys/ec256_sec1.pem");

async fn judge(key: &str, alg: JwtAlgorithm) -> Outcome {
    let host = FakeHost::new().file_with_mode("/run/secrets/jwt", key, 0o400);
    let spec = SecretSpec::new().secret(
        Secret::new("jwt")
            .from_file("/run/secrets/jwt")
            .jwt_key(alg),
    );
    run(jwt_secret_strong(), host, Some(spec)).await
}

#[tokio::test]
async fn a_long_random_hmac_key_from_a_file_passes() {
    let o = judge(STRONG_32, JwtAlgorithm::Hs256).await;
    assert_outcome(&o, Status::Pass, &[STRONG_32]);
    assert_eq!(o.details()["jwt_keys"][0]["length_bytes"], 32);
    assert_eq!(o.details()["jwt_keys"][0]["min_length_bytes"], 32);
    assert_eq!(o.details()["jwt_keys"][0]["algorithm"], "HS256");
}

#[tokio::test]
async fn short_weak_and_repeated_hmac_keys_fail_without_being_quoted() {
    let o = judge("your-256-bit-secret", JwtAlgorithm::Hs256).await;
    assert_outcome(&o, Status::Fail, &["your-256-bit-secret"]);
    assert_eq!(o.message(), "the JWT key `jwt` is a well-known default value; the JWT key `jwt` is 19 bytes; HS256 needs at least 32");
    let repeated = "a".repeat(64);
    let o = judge(&repeated, JwtAlgorithm::Hs512).await;
    assert_outcome(&o, Status::Fail, &[&repeated]);
    assert_eq!(o.message(), "the JWT key `jwt` is one character repeated");
    let o = judge(STRONG_32, JwtAlgorithm::Hs384).await;
    assert_outcome(&o, Status::Fail, &[STRONG_32]);
    assert_eq!(
        o.message(),
        "the JWT key `jwt` is 32 bytes; HS384 needs at least 48"
    );
    let o = judge(
        "a-string-secret-at-least-256-bits-long",
        JwtAlgorithm::Hs256,
    )
    .await;
    assert_eq!(
        o.message(),
        "the JWT key `jwt` is a well-known default value"
    );
}

#[tokio::test]
async fn a_plain_env_jwt_key_fails_even_when_strong() {
    let host = FakeHost::new().env("JWT_SECRET", STRONG_32);
    let spec = SecretSpec::new().secret(
        Secret::new("jwt")
            .from_file_env("JWT_SECRET_FILE")
            .or_env("JWT_SECRET")
            .jwt_key(JwtAlgorithm::Hs256),
    );
    let o = run(jwt_secret_strong(), host, Some(spec)).await;
    assert_outcome(&o, Status::Fail, &[STRONG_32]);
    assert_eq!(
        o.message(),
        "the JWT key `jwt` is a plain environment value in `JWT_SECRET`"
    );
}

#[tokio::test]
async fn rsa_keys_are_measured() {
    for pem in [RSA_2048, RSA_2048_PKCS1] {
        let o = judge(pem, JwtAlgorithm::Rs256).await;
        assert_outcome(&o, Status::Pass, &[pem.lines().nth(1).unwrap()]);
        assert_eq!(o.details()["jwt_keys"][0]["key_bits"], 2048);
    }
    let o = judge(RSA_1024, JwtAlgorithm::Ps256).await;
    assert_outcome(&o, Status::Fail, &[RSA_1024.lines().nth(1).unwrap()]);
    assert_eq!(
        o.message(),
        "the JWT key `jwt` is a 1024-bit RSA key; PS256 needs at least 2048 bits"
    );
    let o = judge(RSA_2048_PUBLIC, JwtAlgorithm::Rs256).await;
    assert_outcome(&o, Status::Warn, &[]);
    assert!(
        o.message().contains("holds a public key"),
        "{}",
        o.message()
    );
}

#[tokio::test]
async fn ec_keys_must_be_on_the_algorithms_curve() {
    let o = judge(EC_256_SEC1, JwtAlgorithm::Es256).await;
    assert_outcome(&o, Status::Pass, &[]);
    let p384 = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384)
        .unwrap()
        .serialize_pem();
    let o = judge(&p384, JwtAlgorithm::Es384).await;
    assert_outcome(&o, Status::Pass, &[]);
    let o = judge(&p384, JwtAlgorithm::Es256).await;
    assert_outcome(&o, Status::Fail, &[]);
    assert_eq!(
        o.message(),
        "the JWT key `jwt` is an EC key on P-384; ES256 needs P-256"
    );
    let ed = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519)
        .unwrap()
        .serialize_pem();
    assert_eq!(judge(&ed, JwtAlgorithm::EdDsa).await.status(), Status::Pass);
    let o = judge(&ed, JwtAlgorithm::Rs256).await;
    assert_eq!(
        o.message(),
        "the JWT key `jwt` is an Ed25519 key, which RS256 cannot use"
    );
}

#[tokio::test]
async fn garbage_instead_of_a_pem_key_fails() {
    let o = judge(STRONG_32, JwtAlgorithm::Rs256).await;
    assert_outcome(&o, Status::Fail, &[STRONG_32]);
    assert_eq!(
        o.message(),
        "the JWT key `jwt` is not a PEM key, which RS256 needs"
    );
    let broken = "-----BEGIN PRIVATE KEY-----\nnot*base64\n-----END PRIVATE KEY-----\n";
    let o = judge(broken, JwtAlgorithm::Rs256).await;
    assert_eq!(o.message(), "the JWT key `jwt` is not a well-formed PEM key: the `PRIVATE KEY` block is not valid base64");
    let truncated = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";
    let o = judge(truncated, JwtAlgorithm::Rs256).await;
    assert_eq!(
        o.message(),
        "the JWT key `jwt` is not a usable key: the `PRIVATE KEY` block is not a well-formed key"
    );
    let unclosed = "-----BEGIN PRIVATE KEY-----\nMIIE\n";
    let o = judge(unclosed, JwtAlgorithm::Rs256).await;
    assert_eq!(
        o.message(),
        "the JWT key `jwt` is not a well-formed PEM key: the `PRIVATE KEY` block has no END line"
    );
}

#[tokio::test]
async fn without_a_declared_key_conventional_variables_are_judged() {
    let o = run(
        jwt_secret_strong(),
        FakeHost::new().env("JWT_SECRET", STRONG_32),
        None,
    )
    .await;
    assert_outcome(&o, Status::Fail, &[STRONG_32]);
    assert_eq!(
        o.message(),
        "`JWT_SECRET` holds a plain JWT key in the environment"
    );
    let o = run(jwt_secret_strong(), FakeHost::new(), None).await;
    assert_outcome(&o, Status::Warn, &[]);
    assert_eq!(o.message(), "no JWT signing key declared");
    let o = run(
        jwt_secret_strong(),
        FakeHost::new(),
        Some(SecretSpec::new().secret(Secret::new("jwt").jwt_key(JwtAlgorithm::Hs256))),
    )
    .await;
    assert_outcome(&o, Status::Fail, &[]);
    assert_eq!(
        o.message(),
        "secret `jwt` was not found: tried no source (declare one)"
    );
}
