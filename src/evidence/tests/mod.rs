//! Bundle, attestation and evidence-check tests against a FakeHost.

mod first_release;
mod proof;
mod rollback;
mod version;

use super::attest::{attested, SigningKey};
use super::bundle::{add, upsert, Manifest};
use super::*;
use crate::testing::FakeHost;
use crate::{Check, Context, Status};
use std::path::Path;

const FIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/evidence/");

pub(super) fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{FIX}{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

pub(super) fn spec() -> EvidenceSpec {
    EvidenceSpec::new()
        .dir("/evidence")
        .build(BuildInfo::new("1.5.0").commit("9f2c1e0aa"))
}

/// A bundle of `(kind, file name, contents)` made for 1.5.0 / 9f2c1e0aa.
pub(super) fn bundle(files: &[(&str, &str, &str)]) -> FakeHost {
    let mut m = Manifest::default();
    let mut host = FakeHost::new();
    for (kind, name, text) in files {
        // As `prodready add` records it; a malformed artifact (which `add` refuses) goes in
        // undigested, as a hand-written manifest would list it.
        if add(
            &mut m,
            kind,
            Path::new(name),
            text.as_bytes(),
            "1.5.0",
            Some("9f2c1e0aa"),
        )
        .is_err()
        {
            upsert(
                &mut m,
                kind,
                Path::new(name),
                text.as_bytes(),
                "1.5.0",
                Some("9f2c1e0aa"),
            );
        }
        host = host.file(format!("evidence/{name}"), text);
    }
    host.file(
        "evidence/manifest.json",
        serde_json::to_string(&m).unwrap_or_default(),
    )
}

pub(super) async fn run(check: impl Check, host: FakeHost, spec: EvidenceSpec) -> crate::Outcome {
    let mut res = crate::check::Resources::default();
    res.insert(spec);
    check
        .run(&Context::new(std::sync::Arc::new(host), res))
        .await
}

#[tokio::test]
async fn a_missing_bundle_or_artifact_is_pending_naming_the_file_and_how() {
    let out = run(tests_passing(), FakeHost::new(), spec()).await;
    assert_eq!(out.status(), Status::Pending, "{out:?}");
    assert!(
        out.message().contains("/evidence/manifest.json"),
        "{}",
        out.message()
    );
    assert!(out
        .get_remediation()
        .unwrap_or("")
        .contains("cargo nextest"));
    let out = run(
        tests_passing(),
        bundle(&[("coverage", "lcov.info", &fixture("lcov.info"))]),
        spec(),
    )
    .await;
    assert_eq!(out.status(), Status::Pending);
    assert!(
        out.message().contains("no `tests` artifact"),
        "{}",
        out.message()
    );
}

#[tokio::test]
async fn stale_evidence_fails_with_both_versions() {
    let host = bundle(&[("tests", "junit.xml", &fixture("nextest-junit-passing.xml"))]);
    let newer = EvidenceSpec::new()
        .dir("/evidence")
        .build(BuildInfo::new("1.6.0"));
    let out = run(tests_passing(), host.clone(), newer).await;
    assert_eq!(out.status(), Status::Fail);
    assert!(
        out.message().contains("stale evidence")
            && out.message().contains("made for 1.5.0, running 1.6.0"),
        "{}",
        out.message()
    );
    let other_commit = EvidenceSpec::new()
        .dir("/evidence")
        .build(BuildInfo::new("1.5.0").commit("deadbeef1"));
    let out = run(tests_passing(), host, other_commit).await;
    assert_eq!(out.status(), Status::Fail);
    assert!(
        out.message().contains("commit 9f2c1e0aa"),
        "{}",
        out.message()
    );
}

#[tokio::test]
async fn a_tampered_artifact_fails_on_its_hash() {
    let host = bundle(&[("tests", "junit.xml", &fixture("nextest-junit-passing.xml"))]);
    host.write("evidence/junit.xml", fixture("nextest-junit-failing.xml"));
    let out = run(tests_passing(), host, spec()).await;
    assert_eq!(out.status(), Status::Fail);
    assert!(
        out.message().starts_with("hash mismatch"),
        "{}",
        out.message()
    );
}

#[tokio::test]
async fn a_malformed_manifest_or_artifact_fails_naming_file_and_position() {
    let host = FakeHost::new().file("evidence/manifest.json", "{\"artifacts\": [}");
    let out = run(tests_passing(), host, spec()).await;
    assert_eq!(out.status(), Status::Fail);
    assert!(
        out.message().contains("/evidence/manifest.json:1:"),
        "{}",
        out.message()
    );
    // A malformed artifact is refused in CI, by `prodready add`, naming file and position.
    let malformed = "<testsuites><testcase name=\"a\"></testsuites>";
    let mut m = Manifest::default();
    let e = add(
        &mut m,
        "tests",
        Path::new("junit.xml"),
        malformed.as_bytes(),
        "1.5.0",
        None,
    )
    .unwrap_err();
    assert!(e.to_string().starts_with("junit.xml:1:"), "{e}");
    assert!(m.artifacts.is_empty(), "the manifest is left as it was");
    // Listed by hand without its digest, the service does not parse it: `pending`, naming the
    // command that records it.
    let host = bundle(&[("tests", "junit.xml", malformed)]);
    let out = run(tests_passing(), host, spec()).await;
    assert_eq!(out.status(), Status::Pending, "{out:?}");
    assert!(
        out.message().contains("has no `tests` digest"),
        "{}",
        out.message()
    );
    assert!(
        out.get_remediation()
            .is_some_and(|r| r.contains("prodready add --kind tests --file junit.xml")),
        "{out:?}"
    );
}

#[tokio::test]
async fn tests_coverage_lint_and_vulnerabilities_are_judged_with_details() {
    let host = bundle(&[
        ("tests", "junit.xml", &fixture("nextest-junit-failing.xml")),
        ("coverage", "lcov.info", &fixture("lcov.info")),
        ("lint", "clippy.json", &fixture("clippy-errors.json")),
        ("audit", "audit.json", &fixture("cargo-audit.json")),
        ("image-scan", "trivy.json", &fixture("trivy.json")),
    ]);
    let out = run(tests_passing(), host.clone(), spec()).await;
    assert_eq!(out.status(), Status::Fail);
    assert!(
        out.message().contains("fixgen::tests::fails"),
        "{}",
        out.message()
    );
    let out = run(coverage_above_threshold(), host.clone(), spec()).await;
    assert_eq!(out.status(), Status::Pass, "{out:?}"); // 9 of 10 lines
    assert_eq!(out.details()["line_coverage"], 90.0);
    assert_eq!(out.details()["threshold"], 80.0);
    let out = run(
        coverage_above_threshold(),
        host.clone(),
        spec().coverage_threshold(90.0),
    )
    .await;
    assert_eq!(out.status(), Status::Fail, "90% is not strictly above 90%");
    let out = run(lint_clean(), host.clone(), spec()).await;
    assert_eq!(
        (out.status(), out.details()["errors"].as_u64()),
        (Status::Fail, Some(1))
    );
    let out = run(no_vulnerabilities(), host.clone(), spec()).await;
    assert_eq!(
        out.status(),
        Status::Pass,
        "two high findings, none critical: {out:?}"
    );
    let out = run(
        no_vulnerabilities(),
        host.clone(),
        spec().severity_threshold(Severity::High),
    )
    .await;
    assert_eq!(out.status(), Status::Fail);
    let out = run(security_patches_applied(), host, spec()).await;
    assert_eq!(
        out.status(),
        Status::Fail,
        "libexpat1 HIGH has a fix: {out:?}"
    );
}

#[tokio::test]
async fn manifests_cover_network_policy_hpa_quota_and_rbac() {
    let host = bundle(&[("manifests", "k8s.yaml", &fixture("manifests.yaml"))]);
    let w = K8sWorkload {
        name: Some("payments".into()),
        labels: [("app.kubernetes.io/name".to_owned(), "payments".to_owned())].into(),
        service_account: Some("payments".into()),
    };
    let s = spec().workload(w.clone());
    for c in [
        network_policies_configured(),
        network_policies_restrict(),
        hpa_configured(),
        resource_quotas_set(),
        rbac_policies_set(),
    ] {
        let out = run(c, host.clone(), s.clone()).await;
        assert_eq!(out.status(), Status::Pass, "{out:?}");
    }
    let other = spec().workload(K8sWorkload {
        name: Some("orders".into()),
        service_account: Some("orders".into()),
        ..w
    });
    assert_eq!(
        run(hpa_configured(), host.clone(), other.clone())
            .await
            .status(),
        Status::Fail
    );
    assert_eq!(
        run(rbac_policies_set(), host, other).await.status(),
        Status::Fail
    );
}

#[tokio::test]
async fn changelog_openapi_and_migration_guide_follow_the_version() {
    let host = bundle(&[
        ("changelog", "CHANGELOG.md", &fixture("CHANGELOG.md")),
        ("openapi", "openapi.yaml", &fixture("openapi.yaml")),
    ]);
    let minor = spec().build(BuildInfo::new("1.5.0").previous_tag("v1.4.1"));
    assert_eq!(
        run(deployment_notes_documented(), host.clone(), minor.clone())
            .await
            .status(),
        Status::Pass
    );
    assert_eq!(
        run(breaking_changes_documented(), host.clone(), minor.clone())
            .await
            .status(),
        Status::Pass
    );
    assert_eq!(
        run(openapi_updated(), host.clone(), minor.clone())
            .await
            .status(),
        Status::Pass
    );
    assert_eq!(
        run(migration_guide_if_needed(), host.clone(), minor.clone())
            .await
            .status(),
        Status::NotApplicable
    );
    let major = spec().build(BuildInfo::new("1.5.0").previous_tag("v0.9.0"));
    let out = run(breaking_changes_documented(), host.clone(), major.clone()).await;
    assert_eq!(
        out.status(),
        Status::Fail,
        "1.5.0 lists no breaking change: {out:?}"
    );
    let out = run(migration_guide_if_needed(), host.clone(), major).await;
    assert_eq!(out.status(), Status::Pending);
    assert!(out.message().contains("migration-guide"));
    let unknown = spec().build(BuildInfo::new("1.6.0"));
    assert_eq!(
        run(openapi_updated(), host, unknown).await.status(),
        Status::Fail
    );
}

pub(super) fn attestation(item: &str, role: &str) -> Attestation {
    Attestation {
        item: item.into(),
        role: role.into(),
        person: "Ada".into(),
        statement: "reviewed".into(),
        version: "1.5.0".into(),
        commit: Some("9f2c1e0aa".into()),
        signed_at: "2026-11-20T10:00:00Z".into(),
        expires_at: Some("2026-12-20T10:00:00Z".into()),
        public_key: None,
        signature: None,
    }
}

pub(super) fn at_nov_25(host: FakeHost) -> FakeHost {
    host.at(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_795_564_800))
    // 2026-11-25
}

async fn attest_outcome(a: &Attestation, s: EvidenceSpec) -> crate::Outcome {
    let host = at_nov_25(FakeHost::new().file(
        "evidence/attestations/a.json",
        serde_json::to_string(a).unwrap_or_default(),
    ));
    run(attested(&a.item, "reviewer"), host, s).await
}

#[tokio::test]
async fn attestations_pass_signed_and_fail_for_each_reason() {
    let item = "pre-deployment.code-quality.code-reviewed-and-approved";
    let generated = SigningKey::generate();
    // What `prodready keygen` writes and prints, read back.
    let key = SigningKey::from_base64(&generated.to_base64()).unwrap_or_else(|e| panic!("{e}"));
    let public = key.public_key().to_base64();
    assert_eq!(key.public_key(), generated.public_key());
    assert!(
        !format!("{key:?}").contains(&generated.to_base64()),
        "Debug hides the secret"
    );
    let trusted = |role: &str| {
        spec().trusted_keys(
            TrustedKeys::new()
                .trust_base64(role, &public)
                .unwrap_or_else(|e| panic!("{e}")),
        )
    };
    let good = attestation(item, "reviewer").sign(&key);
    let out = attest_outcome(&good, trusted("reviewer")).await;
    assert_eq!(out.status(), Status::Pass, "{out:?}");

    let mut forged = good.clone();
    forged.person = "Mallory".into();
    let out = attest_outcome(&forged, trusted("reviewer")).await;
    assert!(
        out.status() == Status::Fail && out.message().contains("bad signature"),
        "{out:?}"
    );

    let stranger = attestation(item, "reviewer").sign(&SigningKey::generate());
    let out = attest_outcome(&stranger, trusted("reviewer")).await;
    assert!(
        out.message().contains("not trusted for any role"),
        "{out:?}"
    );

    let out = attest_outcome(&attestation(item, "qa").sign(&key), trusted("qa")).await;
    assert!(
        out.status() == Status::Fail && out.message().contains("not trusted for role `reviewer`"),
        "{out:?}"
    );

    let mut expired = attestation(item, "reviewer");
    expired.expires_at = Some("2026-11-21T00:00:00Z".into());
    let out = attest_outcome(&expired.sign(&key), trusted("reviewer")).await;
    assert!(out.message().contains("expired"), "{out:?}");

    let mut old = attestation(item, "reviewer");
    old.version = "1.4.1".into();
    let out = attest_outcome(&old.sign(&key), trusted("reviewer")).await;
    assert!(
        out.message().contains("made for 1.4.1, running 1.5.0"),
        "{out:?}"
    );

    let unsigned = attestation(item, "reviewer");
    let out = attest_outcome(&unsigned, trusted("reviewer")).await;
    assert!(
        out.status() == Status::Fail && out.message().contains("not signed"),
        "{out:?}"
    );
    let out = attest_outcome(&unsigned, trusted("reviewer").allow_unsigned(item)).await;
    assert_eq!(out.status(), Status::Pass, "{out:?}");
}

#[tokio::test]
async fn no_attestation_is_pending_naming_the_command() {
    let out = run(
        attested("sign-off.qa-team-lead", "qa-team-lead"),
        FakeHost::new(),
        spec(),
    )
    .await;
    assert_eq!(out.status(), Status::Pending);
    assert!(out
        .get_remediation()
        .unwrap_or("")
        .contains("prodready attest --item sign-off.qa-team-lead"));
}

#[test]
fn every_evidence_and_attestation_row_is_bound() {
    let bound: Vec<&str> = standard_bindings().into_iter().map(|(id, _)| id).collect();
    let rows = crate::standard::rows();
    for n in [
        1, 3, 4, 5, 8, 11, 12, 13, 14, 15, 18, 19, 31, 38, 44, 47, 48, 51, 52, 53, 58, 59, 60, 78,
        84, 90, 91, 94, 2, 30, 36, 41, 43, 62, 63, 70, 81, 82, 83, 92, 93, 100, 101, 102, 103, 104,
    ] {
        let id = rows[n - 1].id.as_str();
        assert!(bound.contains(&id), "row {n} {id} is not bound");
    }
    assert_eq!(bound.len(), 46);
}
