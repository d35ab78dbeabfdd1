//! Every part of the `checklist!` grammar, checked against the builder's result.

use prodready::{check_fn, Kind, Outcome, Severity};
use std::time::Duration;

fn no_root() -> impl prodready::Check {
    check_fn(|_ctx| async { Outcome::pass("uid 1000") })
}

fn main() {
    let checklist = prodready::checklist! {
        "Payments service" {
            section "Security" {
                group "Container Security" {
                    "No root user" => no_root(),
                    "Image signed" [
                        kind = evidence,
                        severity = warning,
                        timeout = "2s",
                        ttl = "1m",
                        depends_on = ["security.container-security.no-root-user"],
                        tags = ["supply-chain", "images"],
                        remediation = "sign the image with cosign",
                        docs = "https://example.com/signing",
                        gate = readiness,
                    ],
                    "Plain pending item",
                    "Block check" => { let check = no_root(); check }
                    "Last item, no trailing comma" [severity = info]
                }
                "Item directly in a section" => check_fn(|_ctx| async { Outcome::pass("ok") })
            }
            section "Emergency Contacts" {
                "On-call engineer contact" [severity = info, kind = attestation] => no_root(),
            }
            waive "security.container-security.image-signed" because "internal tool" until "2027-01-31",
            waive "security.container-security.plain-pending-item" because "not automated yet"
        }
    };

    assert_eq!(checklist.name(), "Payments service");
    let ids: Vec<&str> = checklist.items().iter().map(|i| i.id()).collect();
    assert_eq!(
        ids,
        [
            "security.container-security.no-root-user",
            "security.container-security.image-signed",
            "security.container-security.plain-pending-item",
            "security.container-security.block-check",
            "security.container-security.last-item-no-trailing-comma",
            "security.item-directly-in-a-section",
            "emergency-contacts.on-call-engineer-contact",
        ]
    );
    assert!(checklist.validate().is_ok());

    let signed = checklist
        .get("security.container-security.image-signed")
        .expect("declared");
    assert_eq!(signed.get_kind(), Kind::Evidence);
    assert_eq!(signed.get_severity(), Severity::Warning);
    assert_eq!(
        signed.get_depends_on(),
        ["security.container-security.no-root-user"]
    );
    assert_eq!(signed.get_tags(), ["supply-chain", "images"]);
    assert_eq!(signed.get_gate(), prodready::Gate::Readiness);
    assert!(!signed.is_automated());

    let no_root = checklist
        .get("security.container-security.no-root-user")
        .expect("declared");
    assert!(no_root.is_automated());
    assert_eq!(no_root.group(), Some("Container Security"));

    let direct = checklist
        .get("security.item-directly-in-a-section")
        .expect("declared");
    assert_eq!(direct.group(), None);
    assert!(direct.is_automated());

    let waivers = checklist.waivers();
    assert_eq!(waivers.len(), 2);
    assert_eq!(
        waivers[0].expires().map(|d| d.to_string()).as_deref(),
        Some("2027-01-31")
    );
    assert_eq!(waivers[1].expires(), None);
    let _ = Duration::from_secs(2);

    // A fragment merged into the standard checklist may name its items: those ids are checked
    // when the checklist is validated, not while compiling.
    let merged = prodready::standard::production_deployment().merge(prodready::checklist! {
        "Orders" {
            section "Orders" {
                "Orders table writable" [depends_on = ["infrastructure.database.migrations-applied"]],
            }
            waive "security.container-security.image-signed" because "never shipped as an image",
        }
    });
    assert!(merged.validate().is_ok());
    assert_eq!(merged.items().len(), 105);

    // The macro's ids follow the library's slug rule, punctuation and all.
    let tricky = prodready::checklist! {
        "Tricky" {
            section "Pre-Deployment" {
                group "Authentication & Authorization" {
                    "Code coverage meets threshold (>80%)",
                    "  TLS/SSL enabled  ",
                    "Ünïcode—dash",
                }
            }
        }
    };
    for item in tricky.items() {
        assert_eq!(
            item.id(),
            prodready::item_id(item.section(), item.group(), item.title())
        );
    }
}
