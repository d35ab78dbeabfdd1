//! SARIF that GitHub code scanning accepts (every result located, fingerprinted) and that
//! follows SARIF 2.1.0 §3.27.9–10 (`kind`/`level`) and §3.34 (`suppressions`).

use super::*;
use prodready::report::RenderOptions;
use prodready::Format;
use serde_json::Value;

fn results(text: &str) -> (Value, Vec<Value>) {
    let v: Value = serde_json::from_str(text).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap().clone();
    (v, results)
}

fn result_of<'a>(results: &'a [Value], id: &str) -> &'a Value {
    results.iter().find(|r| r["ruleId"] == id).unwrap()
}

/// The line of `id` in the standard table (the header is line 1).
fn table_line(id: &str) -> u64 {
    let at = prodready::standard::ITEMS_TSV
        .lines()
        .position(|l| l.split('\t').nth(1) == Some(id))
        .unwrap();
    at as u64 + 1
}

#[tokio::test]
async fn every_result_has_a_relative_physical_location() {
    let (_, results) = results(&Format::Sarif.render(&*report(false).await));
    assert_eq!(results.len(), 11);
    for r in &results {
        let loc = &r["locations"][0]["physicalLocation"]["artifactLocation"];
        let uri = loc["uri"]
            .as_str()
            .unwrap_or_else(|| panic!("no location: {r}"));
        assert!(
            !uri.is_empty() && !uri.starts_with('/') && !uri.contains("://"),
            "{uri}"
        );
        assert_eq!(loc["uriBaseId"], "%SRCROOT%");
        assert_eq!(r["locations"].as_array().unwrap().len(), 1);
    }
    // A standard item points at its row of the checklist table.
    let root = &result_of(&results, ROOT)["locations"][0]["physicalLocation"];
    assert_eq!(root["artifactLocation"]["uri"], "checklist/items.tsv");
    assert_eq!(root["region"]["startLine"], table_line(ROOT));
    // Any other item at the package, or where the caller says the checklist is declared.
    let lint = &result_of(&results, LINT)["locations"][0]["physicalLocation"];
    assert_eq!(lint["artifactLocation"]["uri"], "Cargo.toml");
    let options = RenderOptions::new().checklist_uri("src/checklist.rs");
    let (_, results) = results_with(&options).await;
    let lint = &result_of(&results, LINT)["locations"][0]["physicalLocation"];
    assert_eq!(lint["artifactLocation"]["uri"], "src/checklist.rs");
}

async fn results_with(options: &RenderOptions) -> (Value, Vec<Value>) {
    results(&Format::Sarif.render_with(&*report(false).await, options))
}

#[tokio::test]
async fn kind_and_level_pair_as_sarif_requires() {
    let (_, results) = results(&Format::Sarif.render(&*report(false).await));
    let kinds = [
        "notApplicable",
        "pass",
        "fail",
        "review",
        "open",
        "informational",
    ];
    for r in &results {
        let kind = r["kind"].as_str().unwrap();
        assert!(kinds.contains(&kind), "{r}");
        if kind != "fail" {
            // §3.27.10: a kind other than `fail` has level `none`.
            assert_eq!(r["level"], "none", "{r}");
        } else {
            assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
        }
    }
    let pair = |id: &str| {
        let r = result_of(&results, id);
        (r["kind"].as_str().unwrap(), r["level"].as_str().unwrap())
    };
    assert_eq!(pair(ROOT), ("pass", "none"));
    assert_eq!(pair(LINT), ("fail", "error"));
    assert_eq!(pair("ops.alerts"), ("fail", "warning"));
    assert_eq!(pair("ops.style"), ("fail", "note"));
    assert_eq!(pair(DASHBOARDS), ("fail", "warning"));
    assert_eq!(pair(SIGN_OFF), ("open", "none"));
    assert_eq!(pair(SMOKE), ("open", "none"));
    assert_eq!(pair("ops.post-mortem"), ("notApplicable", "none"));
}

#[tokio::test]
async fn a_waiver_is_a_suppression_with_its_reason_and_expiry() {
    let (_, results) = results(&Format::Sarif.render(&*report(false).await));
    let waived = result_of(&results, IMAGE);
    // What the check said under the waiver stays visible, suppressed.
    assert_eq!(waived["kind"], "fail");
    assert_eq!(waived["level"], "error");
    let s = &waived["suppressions"];
    assert_eq!(s.as_array().unwrap().len(), 1, "{waived}");
    assert_eq!(s[0]["kind"], "external");
    assert_eq!(s[0]["status"], "accepted");
    assert_eq!(s[0]["justification"], "never shipped as an image");
    assert_eq!(s[0]["properties"]["expires"], "2099-12-31");
    for r in results.iter().filter(|r| r["ruleId"] != IMAGE) {
        assert!(r.get("suppressions").is_none(), "{r}");
    }
}

#[tokio::test]
async fn fingerprints_are_stable_per_item_across_runs() {
    let a = results(&Format::Sarif.render(&*report(false).await)).1;
    let b = results(&Format::Sarif.render(&*report(true).await)).1;
    let fingerprint =
        |r: &Value| r["partialFingerprints"][prodready::report::SARIF_FINGERPRINT_KEY].clone();
    let mut seen = std::collections::HashSet::new();
    for r in &a {
        let f = fingerprint(r);
        assert!(f.as_str().is_some_and(|s| s.len() >= 16), "{r}");
        assert!(seen.insert(f.to_string()), "fingerprints are distinct: {r}");
        let other = result_of(&b, r["ruleId"].as_str().unwrap());
        assert_eq!(fingerprint(other), f, "the same item, another run");
    }
}

#[tokio::test]
async fn rules_link_their_docs_and_are_indexed() {
    let (v, results) = results(&Format::Sarif.render(&*report(false).await));
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), results.len());
    for (n, r) in results.iter().enumerate() {
        assert_eq!(r["ruleIndex"], n);
        assert_eq!(rules[n]["id"], r["ruleId"]);
        assert!(r["message"]["text"].as_str().unwrap().ends_with('.'));
    }
    let lint = rules.iter().find(|r| r["id"] == LINT).unwrap();
    assert_eq!(lint["helpUri"], "https://example.com/docs/lint");
    assert_eq!(lint["name"], "LintClean");
    let root = rules.iter().find(|r| r["id"] == ROOT).unwrap();
    assert!(root.get("helpUri").is_none());
}
