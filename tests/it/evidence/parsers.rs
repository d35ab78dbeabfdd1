//! Each parser on real sample files, and on malformed input.

use super::fixture;
use prodready::evidence::parse::{coverage, docs, k8s, lint, ops, tests, vulns};
use prodready::evidence::{K8sWorkload, Severity};

#[test]
fn junit_from_cargo_nextest() {
    let failing = tests::junit("f.xml", &fixture("nextest-junit-failing.xml")).unwrap();
    assert_eq!((failing.tests, failing.failures, failing.errors), (2, 1, 0));
    assert_eq!(failing.failed_names, vec!["fixgen::tests::fails"]);
    let passing = tests::junit("p.xml", &fixture("nextest-junit-passing.xml")).unwrap();
    assert_eq!((passing.ran(), passing.failures), (1, 0));
}

#[test]
fn libtest_json_counts_ok_failed_ignored() {
    let c = tests::any("libtest.json", &fixture("libtest.json")).unwrap();
    assert_eq!((c.tests, c.failures, c.skipped), (3, 1, 1));
    assert_eq!(c.failed_names, vec!["tests::fails"]);
}

#[test]
fn malformed_test_reports_name_file_and_position() {
    let e = tests::junit(
        "r.xml",
        "<testsuites>\n  <testcase name=\"a\">\n</testsuites>",
    )
    .unwrap_err();
    assert_eq!((e.file.as_str(), e.line), ("r.xml", 3), "{e}");
    let e = tests::junit("r.xml", "<html/>").unwrap_err();
    assert!(e.to_string().starts_with("r.xml:1:1:"), "{e}");
    let e = tests::libtest_json("t.json", "{\"type\":\"test\"}\n{\"type\": tes").unwrap_err();
    assert_eq!(e.line, 2);
}

#[test]
fn lcov_and_cobertura_line_coverage() {
    let l = coverage::lcov("lcov.info", &fixture("lcov.info")).unwrap();
    assert_eq!((l.covered, l.valid), (9, 10));
    assert!((l.percent() - 90.0).abs() < 1e-9);
    let c = coverage::any("cobertura.xml", &fixture("cobertura.xml")).unwrap();
    assert!((c.percent() - 75.0).abs() < 1e-9);
    let e = coverage::lcov("x.info", "SF:a\nDA:1,x\nend_of_record\n").unwrap_err();
    assert_eq!(e.line, 2, "{e}");
    assert!(coverage::lcov("x.info", "").is_err());
    assert!(coverage::cobertura("c.xml", "<report/>").is_err());
}

#[test]
fn vulnerability_reports_of_four_scanners() {
    let audit = vulns::any("audit.json", &fixture("cargo-audit.json")).unwrap();
    assert_eq!(audit.len(), 2);
    assert_eq!(audit[0].severity, Severity::High, "A:H alone is 7.5");
    assert_eq!(audit[1].severity, Severity::Medium, "C:H with AC:H is 5.9");
    assert!(audit[0].fixable && !audit[1].fixable);
    let crit = vulns::cargo_audit("c.json", &fixture("cargo-audit-critical.json")).unwrap();
    assert_eq!(crit[0].severity, Severity::Critical);
    assert_eq!(
        vulns::cvss3_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
        Some(9.8)
    );
    assert_eq!(
        vulns::cvss3_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"),
        Some(10.0)
    );
    let trivy = vulns::any("trivy.json", &fixture("trivy.json")).unwrap();
    assert_eq!(trivy.len(), 3);
    assert!(trivy[0].os_package && trivy[0].fixable && trivy[0].severity == Severity::High);
    assert!(!trivy[1].fixable && !trivy[2].os_package);
    let grype = vulns::any("grype.json", &fixture("grype.json")).unwrap();
    assert_eq!(
        (grype[0].severity, grype[0].os_package, grype[0].fixable),
        (Severity::Critical, true, true)
    );
    let osv = vulns::any("osv.json", &fixture("osv.json")).unwrap();
    assert_eq!(
        (osv[0].id.as_str(), osv[0].severity, osv[0].fixable),
        ("RUSTSEC-2024-0003", Severity::High, true)
    );
    assert!(vulns::any("x.json", "{\"foo\": 1}").is_err());
    let e = vulns::trivy("t.json", "{\n  \"Results\": [,]\n}").unwrap_err();
    assert_eq!(e.line, 2, "{e}");
}

#[test]
fn clippy_json_and_sarif() {
    let c = lint::clippy("clippy.json", &fixture("clippy-errors.json")).unwrap();
    assert_eq!((c.errors, c.warnings), (1, 2));
    assert!(c.first_errors[0].contains("PI"));
    assert_eq!(
        lint::any("clean.json", &fixture("clippy-clean.json"))
            .unwrap()
            .errors,
        0
    );
    let s = lint::any("sarif.json", &fixture("sarif.json")).unwrap();
    assert_eq!(
        (s.errors, s.warnings),
        (1, 1),
        "a result without level is a warning"
    );
    assert!(lint::sarif("s.json", "{\"version\": \"1.0\", \"runs\": []}").is_err());
}

#[test]
fn k6_summaries_both_layouts() {
    let s = ops::k6_summary("k6.json", &fixture("k6-summary.json")).unwrap();
    assert_eq!((s.p95_ms, s.error_rate, s.requests), (121.7, 0.002, 3000.0));
    let e = ops::k6_summary("k6e.json", &fixture("k6-summary-export.json")).unwrap();
    assert_eq!((e.p95_ms, e.error_rate), (1900.8, 0.09));
    assert!(ops::k6_summary("k.json", "{\"metrics\": {}}").is_err());
}

#[test]
fn prometheus_rules_alerts_and_records() {
    let (alerts, records) =
        ops::prometheus_rules("r.yaml", &fixture("prometheus-rules.yaml")).unwrap();
    assert_eq!((alerts.len(), records), (1, 1));
    assert_eq!(alerts[0].name, "PaymentsHighErrorRate");
    assert!(alerts[0].labels.contains(&"service=payments".to_owned()));
    let e = ops::prometheus_rules("r.yaml", "groups:\n  - name: x\n    rules: [\n").unwrap_err();
    assert!(e.line >= 3, "{e}");
    assert!(ops::prometheus_rules(
        "r.yaml",
        "groups:\n  - name: x\n    rules:\n      - alert: A\n"
    )
    .is_err());
}

#[test]
fn openapi_yaml_and_json() {
    let y = docs::openapi("openapi.yaml", &fixture("openapi.yaml")).unwrap();
    assert_eq!((y.version.as_str(), y.paths.len()), ("1.5.0", 2));
    let j = docs::openapi("openapi.json", &fixture("openapi.json")).unwrap();
    assert_eq!((j.openapi.as_str(), j.version.as_str()), ("3.1.0", "1.4.1"));
    assert!(docs::openapi("s.yaml", "swagger: '2.0'\ninfo: {version: 1}\n").is_err());
}

#[test]
fn keep_a_changelog_sections() {
    let r = docs::changelog("CHANGELOG.md", &fixture("CHANGELOG.md")).unwrap();
    let versions: Vec<&str> = r.iter().map(|r| r.version.as_str()).collect();
    assert_eq!(versions, ["Unreleased", "2.0.0", "1.5.0", "1.4.1"]);
    assert!(r[1].has_breaking_changes() && !r[2].has_breaking_changes());
    assert_eq!(r[2].date.as_deref(), Some("2026-11-20"));
    assert_eq!(r[2].entries(), 2);
    let e = docs::changelog("C.md", "# Changelog\n### Added\n").unwrap_err();
    assert_eq!(e.line, 2);
}

#[test]
fn kubernetes_multi_document_manifests() {
    let objs = k8s::documents("k8s.yaml", &fixture("manifests.yaml")).unwrap();
    assert_eq!(objs.len(), 7);
    let w = K8sWorkload {
        name: Some("payments".into()),
        labels: [("app.kubernetes.io/name".to_owned(), "payments".to_owned())].into(),
        service_account: Some("payments".into()),
    };
    let np = k8s::network_policies(&objs, &w);
    assert_eq!(np.selecting, ["default-deny-all", "payments-allow"]);
    assert!(np.default_deny_ingress && np.default_deny_egress && np.explicit_allows);
    assert_eq!(k8s::hpas(&objs, &w), ["payments"]);
    assert_eq!(k8s::resource_quotas(&objs), ["payments-quota"]);
    assert_eq!(k8s::role_bindings(&objs, &w).len(), 1);
    let other = K8sWorkload {
        labels: [("app".to_owned(), "orders".to_owned())].into(),
        ..w
    };
    assert_eq!(
        k8s::network_policies(&objs, &other).selecting,
        ["default-deny-all"]
    );
    let e = k8s::documents("k.yaml", "kind: A\n---\nkind: [\n").unwrap_err();
    assert!(e.line >= 3, "{e}");
    assert!(k8s::documents("k.yaml", "foo: 1\n").is_err());
}

#[test]
fn the_seed_checklist_imports_to_the_104_standard_ids() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/checklist/production-deployment-checklist.md"
    ))
    .unwrap();
    let (_, items) = prodready::evidence::import::markdown("seed.md", &text).unwrap();
    let rows = prodready::standard::rows();
    assert_eq!(items.len(), 104);
    for (i, r) in items.iter().zip(&rows) {
        assert_eq!(
            (i.id.as_str(), i.title.as_str()),
            (r.id.as_str(), r.title.as_str())
        );
    }
    let src = prodready::evidence::import::checklist_source("X", &items);
    assert!(
        src.contains("section \"Sign-Off\" {\n            \"Development team lead\","),
        "{src}"
    );
}
