//! A first release is declared with `EvidenceSpec::first_release`: the items that compare with
//! the previous version say so, and a build or changelog showing an earlier release contradicts it.

use super::{bundle, fixture, run};
use crate::evidence::*;
use crate::Status;

const CHANGELOG_0_1: &str = "# Changelog\n\n## [Unreleased]\n\n## [1.5.0] - 2026-11-20\n\n### Added\n- The inventory API.\n";
const ROLLBACK: &str =
    "# Rollback\n\n1. Scale the deployment to zero.\n2. Remove the DNS record.\n";

fn build() -> BuildInfo {
    // As `build_info!()` records it in a repository with no earlier tag.
    BuildInfo::new("1.5.0").commit("9f2c1e0aa")
}

fn first() -> EvidenceSpec {
    EvidenceSpec::new()
        .dir("/evidence")
        .build(build())
        .first_release()
}

fn undeclared() -> EvidenceSpec {
    EvidenceSpec::new().dir("/evidence").build(build())
}

fn docs() -> crate::testing::FakeHost {
    let openapi = fixture("openapi.yaml"); // info.version 1.5.0
    bundle(&[
        ("openapi", "openapi.yaml", &openapi),
        ("changelog", "CHANGELOG.md", CHANGELOG_0_1),
        (
            "readme",
            "README.md",
            "# Inventory\n\nServes the stock levels.\n",
        ),
        ("rollback-plan", "ROLLBACK.md", ROLLBACK),
    ])
}

#[tokio::test]
async fn a_declared_first_release_has_no_previous_version_to_tag() {
    let out = run(previous_version_tagged(), docs(), first()).await;
    assert_eq!(out.status(), Status::NotApplicable, "{out:?}");
    assert_eq!(out.message(), "first release: no previous version");
    // Undeclared, a build without a previous tag is still a failure to tag releases.
    let out = run(previous_version_tagged(), docs(), undeclared()).await;
    assert_eq!(out.status(), Status::Fail, "{out:?}");
    assert!(
        out.get_remediation()
            .unwrap_or("")
            .contains("EvidenceSpec::first_release"),
        "{out:?}"
    );
}

#[tokio::test]
async fn the_documentation_items_report_truthfully_for_a_first_release() {
    let out = run(migration_guide_if_needed(), docs(), first()).await;
    assert_eq!(out.status(), Status::NotApplicable, "{out:?}");
    assert!(
        out.message()
            .starts_with("first release: no previous version"),
        "{out:?}"
    );
    for check in [
        readme_updated(),
        breaking_changes_documented(),
        rollback_plan_ready(),
    ] {
        let out = run(check, docs(), first()).await;
        assert_eq!(out.status(), Status::Pass, "{out:?}");
        assert!(out.message().contains("first release"), "{out:?}");
    }
    // Without the declaration the same items cannot tell, and say so.
    for check in [
        readme_updated(),
        breaking_changes_documented(),
        rollback_plan_ready(),
    ] {
        assert_eq!(
            run(check, docs(), undeclared()).await.status(),
            Status::Warn
        );
    }
    assert_eq!(
        run(migration_guide_if_needed(), docs(), undeclared())
            .await
            .status(),
        Status::Warn
    );
    let out = run(documentation_updated(), docs(), first()).await;
    assert_eq!(out.status(), Status::Pass, "{out:?}");
    let out = run(documentation_updated(), docs(), undeclared()).await;
    assert_eq!(out.status(), Status::Warn, "{out:?}");
}

#[tokio::test]
async fn a_first_release_with_a_previous_tag_is_a_contradiction() {
    let tagged = EvidenceSpec::new()
        .dir("/evidence")
        .build(build().previous_tag("v1.4.1"))
        .first_release();
    for check in [
        previous_version_tagged(),
        migration_guide_if_needed(),
        readme_updated(),
        breaking_changes_documented(),
        rollback_plan_ready(),
    ] {
        let out = run(check, docs(), tagged.clone()).await;
        assert_eq!(out.status(), Status::Fail, "{out:?}");
        assert!(
            out.message().contains("contradiction")
                && out.message().contains("previous release tag v1.4.1"),
            "{}",
            out.message()
        );
    }
}

#[tokio::test]
async fn a_first_release_whose_changelog_lists_earlier_releases_is_a_contradiction() {
    let changelog =
        format!("{CHANGELOG_0_1}\n## [1.4.1] - 2026-10-02\n\n### Fixed\n- A timeout.\n");
    let host = bundle(&[("changelog", "CHANGELOG.md", &changelog)]);
    let out = run(breaking_changes_documented(), host, first()).await;
    assert_eq!(out.status(), Status::Fail, "{out:?}");
    assert!(
        out.message().contains("contradiction")
            && out.message().contains("earlier releases: 1.4.1"),
        "{}",
        out.message()
    );
}
