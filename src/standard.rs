//! The standard production checklist: the 104 items of `checklist/items.tsv`, with their exact
//! ids, titles, sections, groups, kinds, gates, severities and tags.
//!
//! Every item that has no built-in check yet reports `pending` ("not automated yet; verified by:
//! …" with the way the table says it is verified), never `pass`. Bind your own checks to any
//! item with [`Checklist::bind`] or `#[prodready::check(item = "…", replaces_builtin = true)]`.
//!
//! # Gates: which question each row answers
//!
//! The table's `gate` column says which probe or gate a blocking failure fails
//! ([`Gate`]). The choices, and why:
//!
//! - **`readiness`** (decides `/readyz`): only what this pod needs to serve traffic *now* and what
//!   can recover on its own: the database reachable and connected (rows 24, 67), migrations
//!   applied (25), external services connected (68), and the rollback triggers (85–89, severity
//!   `warning`, so they recommend a rollback without taking pods out of rotation unless
//!   [`triggers_fail_readiness(true)`](crate::ReadinessBuilder::triggers_fail_readiness)). A
//!   failure takes this pod out of rotation until it passes again; it never restarts it.
//! - **`startup`** (decides `verify_startup`, strict mode, `/startupz` and `prodready verify`):
//!   whether this build may run here at all. All release evidence and sign-offs (tests, reviews,
//!   scans, documentation, rollback procedure, sign-offs) describe the build, not the pod, so they
//!   cannot get better by waiting and must never flip a running pod: an attestation expiring
//!   while pods run is reported in the checklist, metrics and listeners, never in `/readyz`.
//!   Posture probes (root user, capabilities, limits, probes configured, environment,
//!   configuration, secrets, TLS, URLs, contacts, deployment window) and the self-requests
//!   (service accessible, API endpoints, smoke and critical paths: 65, 66, 76, 77) are judged at
//!   startup for the same reason: a strict startup exits before serving, so a rollout halts while
//!   old pods keep serving.
//! - **`none`** (reported only): monitoring signals and post-deployment work that cannot gate the
//!   deployment they follow: Prometheus, dashboards, alerts, logs and error tracking (29–33,
//!   69, 70), query, cache and pool tuning (54–56), traffic monitors (57, 71–75, 79, 80),
//!   post-deployment validation and communication (78, 81–84), and "Health checks passing" (64),
//!   which summarises the other items and so must not count their failures twice.
//! - **`liveness`**: no standard row. A restart cures none of them (an unreachable database is not
//!   cured by restarting the client); bind the service's own event-loop or deadlock checks there.

use crate::model::{Checklist, Gate, Item, Kind, Severity};

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
    /// Which probe or gate the item answers for.
    pub gate: Gate,
    /// How much a failure matters.
    pub severity: Severity,
    /// Tags (filterable with `?tag=`).
    pub tags: Vec<String>,
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
    let [n, id, section, group, title, kind, gate, severity, tags, how] = f.as_slice() else {
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
        gate: gate.parse().ok()?,
        severity: severity.parse().ok()?,
        tags: match tags.as_str() {
            "-" => Vec::new(),
            list => list.split(',').map(str::to_owned).collect(),
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
            .gate(row.gate)
            .severity(row.severity)
            .tags(row.tags.iter().cloned())
            .verified_by(row.verified_by.clone());
        c.item(item)
    });
    crate::checks::standard_bindings()
        .into_iter()
        .fold(checklist, |c, (id, check, from)| {
            let by = format!("{}: prodready::{from}", crate::registry::BUILTIN);
            c.edit(id, |item| item.bound(check, by))
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
        // Every row parsed: a bad gate, severity or column count would drop it.
        let gates = |g| rows.iter().filter(|r| r.gate == g).count();
        assert_eq!(gates(Gate::Readiness), 9);
        assert_eq!(gates(Gate::Liveness), 0);
        assert_eq!(gates(Gate::Startup) + gates(Gate::None), 95);
        // Release-time items never gate a running pod.
        for row in &rows {
            if matches!(row.kind, Kind::Evidence | Kind::Attestation) {
                assert_ne!(row.gate, Gate::Readiness, "{}", row.id);
            }
        }
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
