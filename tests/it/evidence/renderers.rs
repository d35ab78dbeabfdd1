//! The junit, sarif and health+json renderers, read back by their consumers' parsers.

use prodready::evidence::parse::{lint, tests};
use prodready::Format;
use prodready::{check_fn, Checklist, Item, Outcome, Readiness, Report, Severity};
use std::sync::Arc;

async fn report() -> Arc<Report> {
    let checklist = Checklist::new("Demo & <checks>")
        .item(
            Item::new("Build", Some("Quality"), "Tests pass")
                .check(check_fn(|_| async { Outcome::pass("12 tests") })),
        )
        .item(
            Item::new("Build", Some("Quality"), "Lint clean").check(check_fn(|_| async {
                Outcome::fail("3 errors in \"src/a.rs\" <x>").remediation("run clippy")
            })),
        )
        .item(
            Item::new("Ops", None, "Dashboards")
                .severity(Severity::Warning)
                .check(check_fn(|_| async { Outcome::warn("stale") })),
        )
        .item(Item::new("Ops", None, "Sign-off"))
        .item(
            Item::new("Ops", None, "Post-mortem").check(check_fn(|_| async {
                Outcome::not_applicable("no rollback")
            })),
        );
    let r = Readiness::builder()
        .service("demo", "1.2.3")
        .checklist(checklist)
        .registered_checks(false)
        .build()
        .unwrap();
    r.evaluate_fresh().await
}

#[tokio::test]
async fn junit_is_read_back_by_a_junit_consumer() {
    let report = report().await;
    let xml = Format::Junit.render(&report);
    let counts = tests::junit("report.xml", &xml).unwrap();
    assert_eq!(
        (counts.tests, counts.failures, counts.skipped),
        (5, 1, 2),
        "{xml}"
    );
    assert_eq!(
        counts.failed_names,
        ["Build.Quality::build.quality.lint-clean"]
    );
    assert!(
        xml.contains("message=\"3 errors in &quot;src/a.rs&quot; &lt;x&gt;\""),
        "{xml}"
    );
}

#[tokio::test]
async fn sarif_has_one_rule_and_result_per_item() {
    let report = report().await;
    let text = Format::Sarif.render(&report);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["rules"].as_array().unwrap().len(), 5);
    let kinds: Vec<&str> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    // warn is a `fail` of level `warning`; pending has too little information to conclude.
    assert_eq!(kinds, ["pass", "fail", "fail", "open", "notApplicable"]);
    assert_eq!(
        run["tool"]["driver"]["rules"][1]["help"]["text"],
        "run clippy"
    );
    let counts = lint::sarif("report.sarif", &text).unwrap();
    assert_eq!(counts.errors, 1);
}

#[tokio::test]
async fn health_json_keys_checks_by_item() {
    let report = report().await;
    let v: serde_json::Value = serde_json::from_str(&Format::HealthJson.render(&report)).unwrap();
    assert_eq!(v["status"], "fail");
    assert_eq!(v["releaseId"], "1.2.3");
    assert_eq!(v["checks"]["build.quality.tests-pass"][0]["status"], "pass");
    assert_eq!(v["checks"]["build.quality.lint-clean"][0]["status"], "fail");
    assert_eq!(v["checks"]["ops.sign-off"][0]["status"], "warn");
    assert_eq!(v["checks"]["ops.post-mortem"][0]["status"], "pass");
}
