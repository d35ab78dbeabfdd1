//! Each renderer on one report.

use crate::common::*;
use prodready::{check_fn, Checklist, Format, Item, Outcome, Report, Severity, Waiver};

async fn report() -> std::sync::Arc<Report> {
    let c = Checklist::new("Payments checklist")
        .item(Item::new("Security", Some("Container Security"), "No root user").check(pass()))
        .item(
            Item::new("Security", Some("Container Security"), "Image signed")
                .check(fail("no signature")),
        )
        .item(
            Item::new("Security", Some("Data Protection"), "TLS/SSL enabled")
                .severity(Severity::Warning)
                .check(check_fn(|_ctx| async {
                    Outcome::warn("certificate expires in 9 days")
                        .remediation("renew the certificate")
                        .detail("days_left", 9)
                })),
        )
        .item(Item::new("Sign-Off", None, "QA team lead").verified_by("a signed attestation"))
        .item(Item::new("Sign-Off", None, "Product owner").check(fail("<script>")))
        .waive(Waiver::new("sign-off.product-owner", "signed on paper"));
    readiness(c).evaluate().await
}

#[tokio::test]
async fn text_is_one_line_per_item_grouped_with_hints_under_failures() {
    let text = Format::Text.render(&*report().await);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "svc 1.0.0 · Payments checklist");
    assert!(lines[1].starts_with("NOT READY (1 readiness item(s) failing) · 5 items: 1 pass, 1 warn, 1 fail, 1 pending, 1 waived · evaluated "), "{}", lines[1]);
    let body = lines[2..].join("\n");
    assert_eq!(
        body,
        "\nSecurity
  Container Security
    ✓ No root user: fine  [security.container-security.no-root-user]
    ✗ Image signed: no signature  [security.container-security.image-signed]
        ↳ fix it
  Data Protection
    ! TLS/SSL enabled: certificate expires in 9 days  [security.data-protection.tls-ssl-enabled]
        ↳ renew the certificate

Sign-Off
  ? QA team lead: not automated yet; verified by: a signed attestation  [sign-off.qa-team-lead]
  ~ Product owner: waived: signed on paper (check says fail: <script>)  [sign-off.product-owner]"
    );
}

#[tokio::test]
async fn markdown_is_the_seed_layout_with_boxes_ticked_and_statuses_nested() {
    let md = Format::Markdown.render(&*report().await);
    let (head, body) = md.split_once("\n\n## ").unwrap();
    assert!(
        head.starts_with(
            "# Payments checklist\n\n**svc 1.0.0** · ready: no · compliant: no · 5 items:"
        ),
        "{head}"
    );
    assert_eq!(
        body,
        "Security

### Container Security

- [x] No root user
  - **pass**: fine
- [ ] Image signed
  - **fail**: no signature

### Data Protection

- [ ] TLS/SSL enabled
  - **warn**: certificate expires in 9 days

## Sign-Off

- [ ] QA team lead
  - **pending**: not automated yet; verified by: a signed attestation
- [x] Product owner
  - **waived**: waived: signed on paper (check says fail: &lt;script&gt;)
"
    );
}

#[tokio::test]
async fn json_round_trips_and_carries_details() {
    let report = report().await;
    let json = Format::Json.render(&report);
    let back: Report = serde_json::from_str(&json).unwrap();
    assert_eq!(back, *report);
    let tls = back
        .item("security.data-protection.tls-ssl-enabled")
        .unwrap();
    assert_eq!(tls.details["days_left"], 9);
    assert_eq!(back.summary.total, 5);
    assert!(!back.compliant);
    assert!(back.evaluated_at.ends_with('Z'));
}
