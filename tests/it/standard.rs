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
        assert_eq!(item.get_kind(), row.kind);
    }
    assert_eq!(
        c.items()
            .iter()
            .filter(|i| i.get_kind() == Kind::Attestation)
            .count(),
        18
    );
    assert_eq!(
        c.get("sign-off.product-owner").unwrap().get_severity(),
        Severity::Blocking
    );
}

#[tokio::test]
async fn unautomated_items_are_pending_never_pass() {
    // Every standard row has a built-in check, so the rows themselves, unbound, are the
    // unautomated items: each must be `pending` with the way it is verified, never `pass`.
    let unbound =
        standard::rows()
            .into_iter()
            .fold(prodready::Checklist::new("unbound"), |c, row| {
                c.item(
                    prodready::Item::new(&row.section, row.group.as_deref(), &row.title)
                        .kind(row.kind)
                        .verified_by(row.verified_by.clone()),
                )
            });
    let report = readiness(unbound.clone()).evaluate().await;
    assert_eq!(report.items.len(), 104);
    assert_eq!(report.summary.pending, 104, "{}", report.summary);
    for item in unbound.items() {
        assert!(!item.is_automated());
        let reported = report.item(item.id()).unwrap();
        assert_eq!(reported.status, Status::Pending, "{}", item.id());
        assert_eq!(
            reported.message,
            format!(
                "not automated yet; verified by: {}",
                item.get_verified_by().unwrap()
            )
        );
        assert_eq!(reported.bound_by, None);
    }
    assert!(!report.compliant);
}

#[test]
fn the_built_in_checks_are_bound_where_their_rows_say() {
    // The table read here column by column, independently of `standard::rows()`.
    let table = include_str!("../../checklist/items.tsv");
    let mut lines = table.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    assert_eq!(
        &header[..9],
        ["n", "id", "section", "group", "item", "kind", "gate", "severity", "tags"]
    );
    let checklist = standard::production_deployment();
    let mut seen = 0;
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        let item = checklist
            .get(f[1])
            .unwrap_or_else(|| panic!("row {} `{}` is in the checklist", f[0], f[1]));
        let kind = if f[5] == "attest" {
            "attestation"
        } else {
            f[5]
        };
        assert_eq!(item.get_kind().as_str(), kind, "{}", f[1]);
        assert_eq!(item.get_gate().as_str(), f[6], "{}", f[1]);
        assert_eq!(item.get_severity().as_str(), f[7], "{}", f[1]);
        let tags: Vec<&str> = if f[8] == "-" {
            Vec::new()
        } else {
            f[8].split(',').collect()
        };
        assert_eq!(item.get_tags(), tags.as_slice(), "{}", f[1]);
        // Every row is bound to a built-in check, and the item says so.
        assert!(item.is_automated(), "{}", f[1]);
        let by = item.bound_by().unwrap_or_default();
        assert!(by.starts_with("built-in: prodready::"), "{}: {by}", f[1]);
        seen += 1;
    }
    assert_eq!(seen, 104);
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
