//! `prodready import`: a Markdown checklist in the seed's layout (`## Section`, optional
//! `### Group`, `- [ ] Item`) turned into items with ids by the slug rule.
//!
//! A checklist rendered by `?format=markdown` imports back to the same ids and titles: the
//! nested status bullets under each item are not items, Markdown backslash escapes read as the
//! characters they escape, and the ` — **status**: message` suffix of older renderings is cut.

use super::parse::ParseError;
use serde::Serialize;

/// One imported item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Imported {
    /// The id by the slug rule.
    pub id: String,
    /// Section title.
    pub section: String,
    /// Group title, if the section has groups.
    pub group: Option<String>,
    /// Item title.
    pub title: String,
}

/// Parses the checklist; the `# Title` (if any) is returned as its name.
pub fn markdown(file: &str, text: &str) -> Result<(Option<String>, Vec<Imported>), ParseError> {
    let (mut name, mut section, mut group) = (None, None::<String>, None::<String>);
    let mut items = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if let Some(t) = l.strip_prefix("# ") {
            name.get_or_insert_with(|| unescape(t.trim()));
        } else if let Some(t) = l.strip_prefix("## ") {
            section = Some(unescape(t.trim()));
            group = None;
        } else if let Some(t) = l.strip_prefix("### ") {
            if section.is_none() {
                return Err(ParseError::new(
                    file,
                    i + 1,
                    1,
                    "a `###` group before any `##` section",
                ));
            }
            group = Some(unescape(t.trim()));
        } else if let Some(t) = l
            .strip_prefix("- [ ] ")
            .or_else(|| l.strip_prefix("- [x] "))
            .or_else(|| l.strip_prefix("- [X] "))
        {
            let Some(s) = &section else {
                return Err(ParseError::new(
                    file,
                    i + 1,
                    1,
                    "an item before any `##` section",
                ));
            };
            let title = unescape(without_status(t).trim());
            items.push(Imported {
                id: crate::item_id(s, group.as_deref(), &title),
                section: s.clone(),
                group: group.clone(),
                title,
            });
        }
    }
    if items.is_empty() {
        return Err(ParseError::new(file, 0, 0, "no `- [ ]` items"));
    }
    Ok((name, items))
}

/// Markdown text with its backslash escapes of ASCII punctuation read as the characters.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match chars.peek() {
            Some(n) if c == '\\' && n.is_ascii_punctuation() => {
                out.push(*n);
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

/// A title line without the ` — **status**…` suffix older renderings put after the title.
fn without_status(line: &str) -> &str {
    for status in crate::Status::ALL {
        let marker = format!(" — **{status}**");
        if let Some(at) = line.find(&marker) {
            let rest = &line[at + marker.len()..];
            if rest.is_empty() || rest.starts_with(':') {
                return &line[..at];
            }
        }
    }
    line
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// The `prodready::checklist!` source declaring `items`.
pub fn checklist_source(name: &str, items: &[Imported]) -> String {
    let mut out = format!("prodready::checklist! {{\n    {} {{\n", quote(name));
    let mut i = 0;
    while i < items.len() {
        let section = &items[i].section;
        out.push_str(&format!("        section {} {{\n", quote(section)));
        while i < items.len() && &items[i].section == section {
            let group = items[i].group.clone();
            let indent = if let Some(g) = &group {
                out.push_str(&format!("            group {} {{\n", quote(g)));
                "                "
            } else {
                "            "
            };
            while i < items.len() && &items[i].section == section && items[i].group == group {
                out.push_str(&format!("{indent}{},\n", quote(&items[i].title)));
                i += 1;
            }
            if group.is_some() {
                out.push_str("            }\n");
            }
        }
        out.push_str("        }\n");
    }
    out.push_str("    }\n}\n");
    out
}
