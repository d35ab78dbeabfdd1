//! The standard production checklist: the 104 items of `checklist/items.tsv`, with their exact
//! ids, titles, sections, groups and kinds.
//!
//! Every item that has no built-in check yet reports `pending` ("not automated yet; verified by:
//! …" with the way the table says it is verified), never `pass`. Bind your own checks to any
//! item with [`Checklist::bind`] or `#[prodready::check(item = "…")]`.

use crate::model::{Checklist, Item, Kind, Severity};

/// The table the standard checklist is made from (tab-separated, one row per item).
pub const ITEMS_TSV: &str = include_str!("../checklist/items.tsv");

/// The name of the standard checklist.
pub const NAME: &str = "Production Deployment Checklist";

/// One row of [`ITEMS_TSV`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The row number, 1 to 104.
    pub n: u32,
    /// The stable id.
    pub id: String,
    /// Section title.
    pub section: String,
    /// Group title (`None` where the table says `-`).
    pub group: Option<String>,
    /// Item title.
    pub title: String,
    /// Kind.
    pub kind: Kind,
    /// The minimum way the item is verified.
    pub verified_by: String,
}

/// The rows of [`ITEMS_TSV`].
pub fn rows() -> Vec<Row> {
    ITEMS_TSV
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .filter_map(parse_row)
        .collect()
}

fn parse_row(line: &str) -> Option<Row> {
    let f: Vec<String> = line.split('\t').map(unquote).collect();
    let [n, id, section, group, title, kind, how] = f.as_slice() else {
        return None;
    };
    Some(Row {
        n: n.parse().ok()?,
        id: id.clone(),
        section: section.clone(),
        group: (group != "-").then(|| group.clone()),
        title: title.clone(),
        kind: match kind.as_str() {
            "attest" => Kind::Attestation,
            other => other.parse().ok()?,
        },
        verified_by: how.clone(),
    })
}

/// A TSV field with CSV-style quoting removed.
fn unquote(field: &str) -> String {
    match field.strip_prefix('"').and_then(|f| f.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => field.to_owned(),
    }
}

/// The default severity of an item of the standard checklist.
fn severity(row: &Row) -> Severity {
    match (row.section.as_str(), row.group.as_deref()) {
        ("Pre-Deployment", Some("Documentation")) => Severity::Warning,
        ("Infrastructure", Some("Monitoring")) => Severity::Warning,
        ("Deployment", Some("Process")) => Severity::Warning,
        ("Post-Deployment", Some("Communication")) => Severity::Info,
        ("Pre-Deployment" | "Infrastructure" | "Security" | "Deployment" | "Sign-Off", _) => {
            Severity::Blocking
        }
        _ => Severity::Warning,
    }
}

fn tags(row: &Row) -> Vec<&'static str> {
    let id = row.id.as_str();
    let has = |words: &[&str]| words.iter().any(|w| id.contains(w));
    let mut tags = Vec::new();
    if row.group.as_deref() == Some("Kubernetes")
        || has(&[
            "rbac",
            "network-polic",
            "hpa",
            "resource-quotas",
            "service-account",
        ])
    {
        tags.push("kubernetes");
    }
    if has(&[
        "database",
        "migration",
        "connection-pooling",
        "connection-string",
    ]) {
        tags.push("database");
    }
    if has(&["secret", "jwt", "api-keys", "vault"]) {
        tags.push("secrets");
    }
    if row.section == "Sign-Off" {
        tags.push("sign-off");
    }
    if row.section == "Rollback Plan" && row.group.as_deref() == Some("Triggers") {
        tags.push("rollback-trigger");
    }
    tags
}

/// The standard production deployment checklist: 104 items, the built-in checks of
/// [`checks`](crate::checks) bound; every other item reports `pending` until a check is bound.
///
/// ```
/// let checklist = prodready::standard::production_deployment();
/// assert_eq!(checklist.items().len(), 104);
/// let item = checklist.get("security.container-security.no-root-user").unwrap();
/// assert_eq!(item.title(), "No root user");
/// ```
pub fn production_deployment() -> Checklist {
    let checklist = rows().into_iter().fold(Checklist::new(NAME), |c, row| {
        let item = Item::new(&row.section, row.group.as_deref(), &row.title)
            .kind(row.kind)
            .severity(severity(&row))
            .tags(tags(&row))
            .verified_by(row.verified_by.clone());
        c.item(item)
    });
    crate::checks::standard_bindings()
        .into_iter()
        .fold(checklist, |c, (id, check)| {
            c.edit(id, |item| item.check_arc(check))
        })
        // The post-mortem item follows the rollback triggers, so it is re-read like a probe.
        .edit(crate::evidence::attest::POST_MORTEM_ITEM, |item| {
            item.ttl(std::time::Duration::from_secs(5))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item_id;

    #[test]
    fn the_table_has_104_rows_whose_ids_follow_the_slug_rule() {
        let rows = rows();
        assert_eq!(rows.len(), 104);
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(row.n as usize, i + 1);
            assert_eq!(
                row.id,
                item_id(&row.section, row.group.as_deref(), &row.title)
            );
        }
        assert_eq!(
            rows[15].verified_by,
            "running in a pod: namespace read from the service-account mount or downward API, and it is not \"default\"; outside Kubernetes the item is not applicable"
        );
        assert_eq!(rows[1].kind, Kind::Attestation);
        assert_eq!(rows.iter().filter(|r| r.kind == Kind::Monitor).count(), 13);
    }

    #[test]
    fn the_checklist_keeps_the_table_order() {
        let c = production_deployment();
        let ids: Vec<&str> = c.items().iter().map(Item::id).collect();
        let table: Vec<String> = rows().into_iter().map(|r| r.id).collect();
        assert_eq!(ids, table);
        assert!(c.validate().is_ok());
    }
}
