//! Image signatures (row 48): ed25519 and ECDSA P-256 over a digest, tampering detected.

use base64::Engine;
use prodready::evidence::bundle::{upsert, Manifest};
use prodready::evidence::sig::ImageKey;
use prodready::evidence::{image_signed, BuildInfo, EvidenceSpec};
use prodready::testing::FakeHost;
use prodready::{Check, Context, Status};
use std::path::Path;

const DIGEST: &str = "sha256:9d1f2a6b0c1e4f3a2b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a";

fn host_with(sig_json: &str) -> FakeHost {
    let mut m = Manifest::default();
    upsert(
        &mut m,
        "image-signature",
        Path::new("image.sig.json"),
        sig_json.as_bytes(),
        "1.0.0",
        None,
    );
    FakeHost::new()
        .file("ev/image.sig.json", sig_json)
        .file("ev/manifest.json", serde_json::to_string(&m).unwrap())
}

fn spec(key: ImageKey) -> EvidenceSpec {
    EvidenceSpec::new()
        .dir("/ev")
        .build(BuildInfo::new("1.0.0"))
        .image_key(key)
}

fn sig_json(subject: &str, alg: &str, sig: &[u8]) -> String {
    serde_json::json!({"subject": subject, "algorithm": alg, "signature": base64::engine::general_purpose::STANDARD.encode(sig)}).to_string()
}

#[tokio::test]
async fn ed25519_signature_over_the_digest() {
    use ed25519_dalek::pkcs8::EncodePublicKey;
    use ed25519_dalek::Signer;
    let key = ed25519_dalek::SigningKey::generate(&mut rand_core::OsRng);
    let pem = key
        .verifying_key()
        .to_public_key_pem(Default::default())
        .unwrap();
    let k = ImageKey::from_pem(&pem).unwrap();
    let good = sig_json(DIGEST, "ed25519", &key.sign(DIGEST.as_bytes()).to_bytes());
    let out = image_signed()
        .spec(spec(k.clone()))
        .run(&Context::with_host(host_with(&good)))
        .await;
    assert_eq!(out.status(), Status::Pass, "{out:?}");
    let other = DIGEST.replace("9d1f", "0000");
    let bad = sig_json(&other, "ed25519", &key.sign(DIGEST.as_bytes()).to_bytes());
    let out = image_signed()
        .spec(spec(k))
        .run(&Context::with_host(host_with(&bad)))
        .await;
    assert_eq!(out.status(), Status::Fail);
    assert!(out.message().contains("does not verify"), "{out:?}");
}

#[tokio::test]
async fn p256_signature_and_missing_key() {
    use p256::ecdsa::signature::Signer;
    use p256::pkcs8::EncodePublicKey;
    let key = p256::ecdsa::SigningKey::random(&mut rand_core::OsRng);
    let pem = key
        .verifying_key()
        .to_public_key_pem(Default::default())
        .unwrap();
    let k = ImageKey::from_pem(&pem).unwrap();
    assert_eq!(k.algorithm(), "ecdsa-p256");
    let sig: p256::ecdsa::Signature = key.sign(DIGEST.as_bytes());
    let good = sig_json(DIGEST, "ecdsa-p256", sig.to_der().as_bytes());
    let out = image_signed()
        .spec(spec(k))
        .run(&Context::with_host(host_with(&good)))
        .await;
    assert_eq!(out.status(), Status::Pass, "{out:?}");
    let no_key = EvidenceSpec::new()
        .dir("/ev")
        .build(BuildInfo::new("1.0.0"));
    let out = image_signed()
        .spec(no_key)
        .run(&Context::with_host(host_with(&good)))
        .await;
    assert_eq!(out.status(), Status::Fail);
    assert!(out.message().contains("no public key is configured"));
}
