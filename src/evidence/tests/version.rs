//! Evidence and attestations are matched to the running version: the `BuildInfo` when declared,
//! else the version given to `ReadinessBuilder::service`; commits by one rule.

use super::{at_nov_25, attestation, fixture, run, spec};
use crate::evidence::attest::attested;
use crate::evidence::bundle::{add, upsert, Manifest};
use crate::evidence::*;
use crate::testing::FakeHost;
use crate::{Check, Checklist, Item, Kind, Readiness, Status};
use std::path::Path;

/// A bundle of `(kind, file, contents)` made for `version` and `commit`.
fn bundle_for(version: &str, commit: Option<&str>, files: &[(&str, &str, &str)]) -> FakeHost {
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
            version,
            commit,
        )
        .is_err()
        {
            upsert(
                &mut m,
                kind,
                Path::new(name),
                text.as_bytes(),
                version,
                commit,
            );
        }
        host = host.file(format!("evidence/{name}"), text);
    }
    host.file(
        "evidence/manifest.json",
        serde_json::to_string(&m).unwrap_or_default(),
    )
}

/// The outcome of `check` evaluated by a Readiness of service `inventory` at `version`.
async fn as_service(
    check: impl Check,
    host: FakeHost,
    version: &str,
    spec: EvidenceSpec,
) -> (Status, String) {
    let checklist = Checklist::new("t").item(
        Item::new("Pre-Deployment", Some("Code Quality"), "Evidence")
            .kind(Kind::Evidence)
            .check(check),
    );
    let readiness = Readiness::builder()
        .service("inventory", version)
        .host(host)
        .checklist(checklist)
        .registered_checks(false)
        .resource(spec)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let report = readiness.evaluate_fresh().await;
    let item = &report.items[0];
    (item.status, item.message.clone())
}

fn passing_tests() -> String {
    fixture("nextest-junit-passing.xml")
}

fn no_build() -> EvidenceSpec {
    EvidenceSpec::new().dir("/evidence")
}

#[tokio::test]
async fn evidence_for_another_version_fails_against_the_service_version() {
    let junit = passing_tests();
    let old = bundle_for("0.0.9", None, &[("tests", "junit.xml", &junit)]);
    let (status, message) = as_service(tests_passing(), old, "0.1.0", no_build()).await;
    assert_eq!(status, Status::Fail, "{message}");
    assert!(
        message.contains("made for 0.0.9, running 0.1.0")
            && message.contains("ReadinessBuilder::service"),
        "{message}"
    );
    let current = bundle_for("0.1.0", None, &[("tests", "junit.xml", &junit)]);
    let (status, message) = as_service(tests_passing(), current, "0.1.0", no_build()).await;
    assert_eq!(status, Status::Pass, "{message}");
}

#[tokio::test]
async fn a_declared_build_info_wins_over_the_service_version() {
    let junit = passing_tests();
    let host = bundle_for(
        "1.5.0",
        Some("9f2c1e0aa"),
        &[("tests", "junit.xml", &junit)],
    );
    let (status, message) = as_service(tests_passing(), host, "0.1.0", spec()).await;
    assert_eq!(status, Status::Pass, "{message}");
    let host = bundle_for("0.1.0", None, &[("tests", "junit.xml", &junit)]);
    let (status, message) = as_service(tests_passing(), host, "0.1.0", spec()).await;
    assert_eq!(status, Status::Fail, "{message}");
    assert!(
        message.contains("made for 0.1.0, running 1.5.0 (declared with EvidenceSpec::build)"),
        "{message}"
    );
}

#[tokio::test]
async fn attestations_for_another_version_fail_against_the_service_version() {
    let item = "pre-deployment.code-quality.code-reviewed-and-approved";
    let unsigned_ok = no_build().allow_unsigned(item);
    let host = |version: &str| {
        let mut a = attestation(item, "reviewer");
        a.version = version.into();
        at_nov_25(FakeHost::new().file(
            "evidence/attestations/a.json",
            serde_json::to_string(&a).unwrap_or_default(),
        ))
    };
    let check = || attested(item, "reviewer");
    let (status, message) = as_service(check(), host("0.0.9"), "1.5.0", unsigned_ok.clone()).await;
    assert_eq!(status, Status::Fail, "{message}");
    assert!(
        message.contains("made for 0.0.9, running 1.5.0"),
        "{message}"
    );
    let (status, message) = as_service(check(), host("1.5.0"), "1.5.0", unsigned_ok).await;
    assert_eq!(status, Status::Pass, "{message}");
}

#[tokio::test]
async fn without_a_declared_version_evidence_and_attestations_never_pass() {
    let junit = passing_tests();
    let host = bundle_for("0.0.9", None, &[("tests", "junit.xml", &junit)]);
    // A bare context: no BuildInfo, no ServiceInfo.
    let out = run(tests_passing(), host, no_build()).await;
    assert_eq!(out.status(), Status::Warn, "{out:?}");
    assert!(
        out.message().contains("the running version is unknown"),
        "{}",
        out.message()
    );
    let item = "sign-off.qa-team-lead";
    let host = at_nov_25(FakeHost::new().file(
        "evidence/attestations/a.json",
        serde_json::to_string(&attestation(item, "qa-team-lead")).unwrap_or_default(),
    ));
    let out = run(
        attested(item, "qa-team-lead"),
        host,
        no_build().allow_unsigned(item),
    )
    .await;
    assert_eq!(out.status(), Status::Warn, "{out:?}");
}

#[tokio::test]
async fn documents_are_compared_with_the_service_version() {
    let openapi = fixture("openapi.yaml"); // info.version 1.5.0
    let host = bundle_for("1.5.0", None, &[("openapi", "openapi.yaml", &openapi)]);
    let (status, message) = as_service(openapi_updated(), host, "1.5.0", no_build()).await;
    assert_eq!(status, Status::Pass, "{message}");
    let host = bundle_for("1.6.0", None, &[("openapi", "openapi.yaml", &openapi)]);
    let (status, message) = as_service(openapi_updated(), host, "1.6.0", no_build()).await;
    assert_eq!(status, Status::Fail, "{message}");
    assert!(
        message.contains("OpenAPI info.version is 1.5.0, running 1.6.0"),
        "{message}"
    );
}

#[tokio::test]
async fn a_malformed_commit_is_reported_as_malformed_never_as_another_commit() {
    let junit = passing_tests();
    let short = bundle_for("1.5.0", Some("abc123"), &[("tests", "junit.xml", &junit)]);
    let running = EvidenceSpec::new()
        .dir("/evidence")
        .build(BuildInfo::new("1.5.0").commit("abc123"));
    let out = run(tests_passing(), short.clone(), running.clone()).await;
    assert_eq!(out.status(), Status::Fail, "{out:?}");
    let m = out.message();
    assert!(
        m.contains("`abc123` is not a commit id") && m.contains("7 to 64 hexadecimal digits"),
        "{m}"
    );
    assert!(!m.contains("running abc123"), "contradicts itself: {m}");

    let good = bundle_for(
        "1.5.0",
        Some("9f2c1e0aa"),
        &[("tests", "junit.xml", &junit)],
    );
    let out = run(tests_passing(), good, running).await;
    assert!(
        out.status() == Status::Fail
            && out.message().contains("the running build's commit")
            && out.message().contains("`abc123` is not a commit id"),
        "{out:?}"
    );

    let mut a = attestation("sign-off.qa-team-lead", "qa-team-lead");
    a.commit = Some("abc123".into());
    let host = at_nov_25(FakeHost::new().file(
        "evidence/attestations/a.json",
        serde_json::to_string(&a).unwrap_or_default(),
    ));
    let s = spec().allow_unsigned("sign-off.qa-team-lead");
    let out = run(attested("sign-off.qa-team-lead", "qa-team-lead"), host, s).await;
    assert!(
        out.status() == Status::Fail
            && out
                .message()
                .contains("the attestation names a malformed commit")
            && !out.message().contains("running commit abc123"),
        "{out:?}"
    );
}

#[tokio::test]
async fn an_abbreviated_commit_matches_its_full_hash_and_nothing_else() {
    let junit = passing_tests();
    let full = "9f2c1e0aa51b7c0d2e3f405162738495a6b7c8d9";
    let host = bundle_for("1.5.0", Some("9f2c1e0"), &[("tests", "junit.xml", &junit)]);
    let at = |c: &str| {
        EvidenceSpec::new()
            .dir("/evidence")
            .build(BuildInfo::new("1.5.0").commit(c))
    };
    let out = run(tests_passing(), host.clone(), at(full)).await;
    assert_eq!(out.status(), Status::Pass, "{out:?}");
    let other = "1234567aa51b7c0d2e3f405162738495a6b7c8d9";
    let out = run(tests_passing(), host, at(other)).await;
    assert_eq!(out.status(), Status::Fail);
    assert!(
        out.message()
            .contains(&format!("made for commit 9f2c1e0, running commit {other}")),
        "{}",
        out.message()
    );
}
