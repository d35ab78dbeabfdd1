//! `?format=markdown`: the checklist's own layout (`## Section`, `### Group`, `- [ ] item`) with
//! the boxes of compliant items ticked, and each item's status and message in a nested bullet
//! under it, so `prodready import` of the rendered checklist gives back every id and title.
//!
//! ```markdown
//! - [x] No root user
//!   - **pass**: uid 1000
//! ```
//!
//! Titles and headings escape the Markdown punctuation that would change how they render
//! (`\*`, `\_`, `` \` ``, `\[`, `\<`, …); the importer reads the escapes back.

use super::{sections, ItemReport, Report};
use std::fmt::Write;

/// The report as Markdown.
pub(crate) fn render(report: &Report) -> String {
    let mut out = String::new();
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let _ = writeln!(
        out,
        "# {}\n\n**{} {}** · ready: {} · compliant: {} · {} · evaluated {}",
        escape_title(&report.checklist),
        escape_message(&report.service.name),
        escape_message(&report.service.version),
        yes_no(report.ready),
        yes_no(report.compliant),
        report.summary,
        report.evaluated_at
    );
    for (section, groups) in sections(&report.items) {
        let _ = write!(out, "\n## {}\n", escape_title(section));
        let mut in_group = false;
        for (group, items) in groups {
            match group {
                Some(g) => {
                    let _ = write!(out, "\n### {}\n", escape_title(g));
                }
                // Items without a group after a group: only a section heading ends the group.
                None if in_group => {
                    let _ = write!(out, "\n## {}\n", escape_title(section));
                }
                None => {}
            }
            in_group = group.is_some();
            out.push('\n');
            for item in items {
                out.push_str(&render_item(item));
            }
        }
    }
    out
}

/// One item as a Markdown task-list line, with its status (and message) in a nested bullet.
pub(crate) fn render_item(item: &ItemReport) -> String {
    let tick = if item.status.is_compliant() { 'x' } else { ' ' };
    let mut out = format!(
        "- [{tick}] {}\n  - **{}**",
        escape_title(&item.title),
        item.status
    );
    if !item.message.is_empty() {
        let _ = write!(out, ": {}", escape_message(&item.message));
    }
    out.push('\n');
    out
}

/// Escapes the characters that would turn part of a title into emphasis, code, a link, HTML or
/// an entity; a backslash escape of ASCII punctuation reads as the character itself.
pub(crate) fn escape_title(s: &str) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(one_line.len());
    let mut chars = one_line.chars().peekable();
    while let Some(c) = chars.next() {
        let entity = c == '&'
            && chars
                .peek()
                .is_some_and(|n| n.is_ascii_alphanumeric() || *n == '#');
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '~' | '|') || entity {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Keeps a message on one line and stops it from opening a list, heading or HTML.
fn escape_message(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
