//! `?format=markdown`: the checklist's own layout (`## Section`, `### Group`, `- [ ] item`) with
//! the boxes of compliant items ticked and each item's status noted after it.

use super::{sections, ItemReport, Report};
use std::fmt::Write;

/// The report as Markdown.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let _ = writeln!(
        out,
        "# {}\n\n**{} {}** · ready: {} · compliant: {} · {} · evaluated {}",
        report.checklist,
        report.service.name,
        report.service.version,
        yes_no(report.ready),
        yes_no(report.compliant),
        report.summary,
        report.evaluated_at
    );
    for (section, groups) in sections(&report.items) {
        let _ = write!(out, "\n## {section}\n");
        for (group, items) in groups {
            if let Some(g) = group {
                let _ = write!(out, "\n### {g}\n");
            }
            out.push('\n');
            for item in items {
                out.push_str(&render_item(item));
            }
        }
    }
    out
}

/// One item as a Markdown list line.
pub fn render_item(item: &ItemReport) -> String {
    let tick = if item.status.is_compliant() { 'x' } else { ' ' };
    let mut line = format!("- [{tick}] {} — **{}**", item.title, item.status);
    if !item.message.is_empty() {
        let _ = write!(line, ": {}", escape(&item.message));
    }
    line.push('\n');
    line
}

/// Keeps a message on one line and stops it from opening a list, heading or HTML.
fn escape(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
