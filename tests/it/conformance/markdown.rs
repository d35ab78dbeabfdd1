//! `prodready import` of the rendered Markdown gives back every id and title.

use super::*;
use prodready::evidence::import;
use prodready::{Format, Report};

fn round_trip(report: &Report) -> Vec<(String, String)> {
    let md = Format::Markdown.render(report);
    let (name, items) = import::markdown("report.md", &md).unwrap();
    assert_eq!(name.as_deref(), Some(report.checklist.as_str()), "{md}");
    items.into_iter().map(|i| (i.id, i.title)).collect()
}

fn expected(report: &Report) -> Vec<(String, String)> {
    report
        .items
        .iter()
        .map(|i| (i.id.clone(), i.title.clone()))
        .collect()
}

#[tokio::test]
async fn the_standard_checklist_imports_back_to_every_id_and_title() {
    let report = Readiness::builder()
        .checklist(prodready::standard::production_deployment())
        .host(FakeHost::new())
        .build()
        .unwrap()
        .evaluate_fresh()
        .await;
    assert!(report.items.len() >= 104);
    assert_eq!(round_trip(&report), expected(&report));
}

#[tokio::test]
async fn titles_with_markdown_punctuation_and_messages_with_paths_survive() {
    let c = Checklist::new("Odd *names* & <tags>")
        .item(
            Item::new(
                "A_b & c",
                Some("[x] `y`"),
                "Coverage (>80%) *fast* ~ok~ | &amp; \\ _z_",
            )
            .check(fail("/var/lib/x.db: - [ ] not an item\n## nor a heading")),
        )
        .item(Item::new("A_b & c", None, "Plain").check(pass()));
    let report = crate::common::readiness(c).evaluate_fresh().await;
    assert_eq!(round_trip(&report), expected(&report));
    let md = Format::Markdown.render(&report);
    // GitHub renders the title as text: the punctuation is escaped.
    assert!(
        md.contains("- [ ] Coverage (>80%) \\*fast\\* \\~ok\\~ \\| \\&amp; \\\\ \\_z\\_\n"),
        "{md}"
    );
}

#[test]
fn the_older_status_suffix_is_not_part_of_a_title() {
    let md = "# C\n\n## Security\n\n### Container Security\n\n- [x] No root user — **pass**: uid 1000\n- [ ] Image signed — **not_applicable**\n";
    let (_, items) = import::markdown("old.md", md).unwrap();
    let ids: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "security.container-security.no-root-user",
            "security.container-security.image-signed"
        ]
    );
    assert_eq!(items[0].title, "No root user");
}
