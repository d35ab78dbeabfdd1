//! `prodready import`: a Markdown checklist in the seed's layout (`## Section`, optional
//! `### Group`, `- [ ] Item`) turned into items with ids by the slug rule.

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
            name.get_or_insert_with(|| t.trim().to_owned());
        } else if let Some(t) = l.strip_prefix("## ") {
            section = Some(t.trim().to_owned());
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
            group = Some(t.trim().to_owned());
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
            let title = t.trim().to_owned();
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
