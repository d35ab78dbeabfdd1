//! The `prodready` binary: verify exits 0 / 1 on passing and failing bundles, keygen + attest.

// Tests may unwrap: a panic is how they fail.
#![allow(clippy::unwrap_used)]

use prodready::evidence::bundle::{add, Manifest};
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_prodready");

/// The sample file `name` of the library's `tests/fixtures/evidence/`.
fn fixture(name: &str) -> String {
    let path = format!(
        "{}/../tests/fixtures/evidence/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn bundle(dir: &Path, junit: &str) {
    let mut m = Manifest::default();
    let files = [
        ("tests", "junit.xml", junit.to_owned()),
        ("coverage", "lcov.info", fixture("lcov.info")),
    ];
    let (tests, coverage) = (&files[0], &files[1]);
    std::fs::write(dir.join(tests.1), &tests.2).unwrap();
    add(
        &mut m,
        tests.0,
        Path::new(tests.1),
        tests.2.as_bytes(),
        "1.5.0",
        Some("9f2c1e0aa"),
    )
    .unwrap();
    std::fs::write(
        dir.join("manifest.json"),
        serde_json::to_string(&m).unwrap(),
    )
    .unwrap();
    // The second artifact goes in through `prodready add`, as CI would do it.
    std::fs::write(dir.join(coverage.1), &coverage.2).unwrap();
    let out = Command::new(BIN)
        .args([
            "add",
            "--kind",
            coverage.0,
            "--file",
            coverage.1,
            "--release",
            "1.5.0",
            "--commit",
            "9f2c1e0aa",
            "--dir",
        ])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m: Manifest =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m.artifacts.len(), 2);
}

fn verify(dir: &Path) -> (Option<i32>, String) {
    let out = Command::new(BIN)
        .args([
            "verify",
            "--release",
            "1.5.0",
            "--commit",
            "9f2c1e0aa",
            "--previous-tag",
            "v1.4.1",
            "--format",
            "junit",
            "--dir",
        ])
        .arg(dir)
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn verify_passes_a_good_bundle_and_fails_a_failing_one() {
    let dir = tempfile::tempdir().unwrap();
    bundle(dir.path(), &fixture("nextest-junit-passing.xml"));
    let (code, xml) = verify(dir.path());
    assert_eq!(code, Some(0), "{xml}");
    let counts = prodready::evidence::parse::tests::junit("out.xml", &xml).unwrap();
    assert_eq!(counts.tests, 46);
    assert_eq!(counts.failures, 0);
    // tests, coverage (added through `prodready add`) and the previous tag pass; the rest is pending or n/a
    assert_eq!(counts.skipped, 43, "{xml}");

    bundle(dir.path(), &fixture("nextest-junit-failing.xml"));
    let (code, xml) = verify(dir.path());
    assert_eq!(code, Some(1), "{xml}");
    let counts = prodready::evidence::parse::tests::junit("out.xml", &xml).unwrap();
    assert_eq!(counts.failed_names, ["Pre-Deployment.Code Quality::pre-deployment.code-quality.all-tests-passing-unit-integration-e2e"]);
}

#[test]
fn keygen_and_attest_make_a_verifiable_attestation() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("qa.key");
    let out = Command::new(BIN)
        .args(["keygen", "--out"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(out.status.success());
    let public = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let out = Command::new(BIN)
        .args([
            "attest",
            "--item",
            "sign-off.qa-team-lead",
            "--role",
            "qa-team-lead",
            "--person",
            "Ada",
            "--release",
            "1.5.0",
            "--key",
        ])
        .arg(&key)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a: prodready::evidence::Attestation = serde_json::from_slice(&out.stdout).unwrap();
    let keys = prodready::evidence::TrustedKeys::new()
        .trust_base64("qa-team-lead", &public)
        .unwrap();
    a.verify(
        &keys,
        "qa-team-lead",
        false,
        std::time::SystemTime::now(),
        Some(("1.5.0", None)),
    )
    .unwrap();
}

#[test]
fn import_prints_json_items() {
    let out = Command::new(BIN)
        .args([
            "import",
            "--json",
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../checklist/production-deployment-checklist.md"
            ),
        ])
        .output()
        .unwrap();
    let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(items.len(), 104);
    assert_eq!(items[103]["id"], "sign-off.product-owner");
    assert_eq!(items[103]["group"], serde_json::Value::Null);
}

#[test]
fn add_and_attest_reject_a_commit_that_breaks_the_rule() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lcov.info"), fixture("lcov.info")).unwrap();
    let add = |commit: &str| {
        Command::new(BIN)
            .args(["add", "--kind", "coverage", "--file", "lcov.info"])
            .args(["--release", "1.5.0", "--commit", commit, "--dir"])
            .arg(dir.path())
            .output()
            .unwrap()
    };
    let out = add("abc123");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`abc123` is not a commit id") && err.contains("7 to 64 hexadecimal digits"),
        "{err}"
    );
    assert!(
        !dir.path().join("manifest.json").exists(),
        "nothing is written"
    );
    let out = add("9F2C1E0AA");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m: Manifest =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(m.artifacts[0].commit.as_deref(), Some("9f2c1e0aa"));

    let key = dir.path().join("k.key");
    assert!(Command::new(BIN)
        .args(["keygen", "--out"])
        .arg(&key)
        .output()
        .unwrap()
        .status
        .success());
    let out = Command::new(BIN)
        .args([
            "attest",
            "--item",
            "sign-off.qa-team-lead",
            "--role",
            "qa-team-lead",
        ])
        .args([
            "--person",
            "Ada",
            "--release",
            "1.5.0",
            "--commit",
            "HEAD",
            "--key",
        ])
        .arg(&key)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("`HEAD` is not a commit id"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn verify_takes_a_first_release() {
    let dir = tempfile::tempdir().unwrap();
    bundle(dir.path(), &fixture("nextest-junit-passing.xml"));
    let out = Command::new(BIN)
        .args(["verify", "--release", "1.5.0", "--commit", "9f2c1e0aa"])
        .args(["--first-release", "--format", "json", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let item = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "rollback-plan.procedure.previous-version-tagged")
        .unwrap();
    assert_eq!(item["status"], "not_applicable", "{item}");
    assert_eq!(item["message"], "first release: no previous version");
}
