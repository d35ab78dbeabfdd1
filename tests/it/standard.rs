//! The standard checklist against the seed: 104 items, the seed's ids, honest statuses.

use crate::common::*;
use prodready::{standard, Kind, Severity, Status};

/// The items of the seed Markdown (sections `##`, groups `###`, items `- [ ]`) as ids.
fn seed_ids() -> Vec<String> {
    let seed = include_str!("../../checklist/production-deployment-checklist.md");
    let (mut section, mut group) = (String::new(), None::<String>);
    let mut ids = Vec::new();
    for line in seed.lines() {
        if let Some(s) = line.strip_prefix("## ") {
            section = s.trim().to_owned();
            group = None;
        } else if let Some(g) = line.strip_prefix("### ") {
            group = Some(g.trim().to_owned());
        } else if let Some(title) = line.strip_prefix("- [ ] ") {
            ids.push(prodready::item_id(&section, group.as_deref(), title.trim()));
        }
    }
    ids
}

#[test]
fn the_standard_checklist_is_the_seed_with_its_ids() {
    let c = standard::production_deployment();
    let ids: Vec<&str> = c.items().iter().map(|i| i.id()).collect();
    assert_eq!(ids.len(), 104);
    assert_eq!(ids, seed_ids());
    let rows = standard::rows();
    for (item, row) in c.items().iter().zip(&rows) {
        assert_eq!(
            (item.title(), item.section(), item.group()),
            (
                row.title.as_str(),
                row.section.as_str(),
                row.group.as_deref()
            )
        );
        assert_eq!(item.kind_of(), row.kind);
    }
    assert_eq!(
        c.items()
            .iter()
            .filter(|i| i.kind_of() == Kind::Attestation)
            .count(),
        18
    );
    assert_eq!(
        c.get("sign-off.product-owner").unwrap().severity_of(),
        Severity::Blocking
    );
}

#[tokio::test]
async fn unautomated_items_are_pending_never_pass() {
    let checklist = standard::production_deployment();
    let report = readiness(checklist.clone()).evaluate().await;
    assert_eq!(report.items.len(), 104);
    let unautomated: Vec<_> = checklist
        .items()
        .iter()
        .filter(|i| !i.is_automated())
        .collect();
    for item in &unautomated {
        let reported = report.item(item.id()).unwrap();
        assert_eq!(reported.status, Status::Pending, "{}", item.id());
        assert_eq!(
            reported.message,
            format!(
                "not automated yet; verified by: {}",
                item.verification().unwrap()
            )
        );
    }
    assert_eq!(
        report.summary.pending,
        report
            .items
            .iter()
            .filter(|i| i.status == Status::Pending)
            .count()
    );
    assert!(!report.compliant);
}

#[test]
fn the_built_in_checks_are_bound_where_their_rows_say() {
    // Rows made real by the built-in self-inspection checks.
    let automated: Vec<String> = standard::production_deployment()
        .items()
        .iter()
        .filter(|i| i.is_automated())
        .map(|i| i.id().to_owned())
        .collect();
    let rows = standard::rows();
    let checklist = standard::production_deployment();
    for id in &automated {
        let row = rows.iter().find(|r| &r.id == id).unwrap();
        assert_eq!(
            checklist.get(id).unwrap().kind_of(),
            row.kind,
            "{id} keeps its row's kind"
        );
    }
}

#[tokio::test]
async fn users_bind_add_change_and_waive() {
    let c = standard::production_deployment()
        .bind(
            "security.container-security.no-root-user",
            fail("running as root"),
        )
        .set_severity(
            "pre-deployment.documentation.readme-md-updated",
            Severity::Info,
        )
        .item(
            prodready::Item::new("Security", Some("Container Security"), "Distroless base")
                .check(pass()),
        )
        .waive(prodready::Waiver::new(
            "sign-off.qa-team-lead",
            "QA signs in the release tool",
        ));
    let report = readiness(c).evaluate().await;
    assert_eq!(report.items.len(), 105);
    assert_eq!(
        report
            .item("security.container-security.no-root-user")
            .unwrap()
            .status,
        Status::Fail
    );
    assert_eq!(
        report
            .item("pre-deployment.documentation.readme-md-updated")
            .unwrap()
            .severity,
        Severity::Info
    );
    // A new item joins its group, in written order.
    let pos = report
        .items
        .iter()
        .position(|i| i.id == "security.container-security.distroless-base")
        .unwrap();
    assert_eq!(
        report.items[pos - 1].id,
        "security.container-security.image-signed"
    );
    assert_eq!(
        report.item("sign-off.qa-team-lead").unwrap().status,
        Status::Waived
    );
    // Running as root is a posture failure: it stops the startup, never a running pod's
    // readiness.
    assert!(!report.startup);
    assert!(report.ready);
}
