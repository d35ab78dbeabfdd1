//! The report of one evaluation, and one renderer per output format.

pub mod health;
pub mod json;
pub mod junit;
pub mod kubernetes;
pub mod markdown;
pub mod sarif;
pub mod text;

use crate::model::{Kind, Severity, Status};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;
use std::sync::Arc;

/// The service a report is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceInfo {
    /// The service's name.
    pub name: String,
    /// The service's version.
    pub version: String,
}

/// The result of one evaluation of a whole checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The service evaluated.
    pub service: ServiceInfo,
    /// The checklist's name.
    pub checklist: String,
    /// `fail` when not ready; `warn` when ready but any item is `fail`, `warn` or `pending`; else `pass`.
    pub status: Status,
    /// No blocking item that gates readiness is `fail` (nor `pending`, where pending blocks).
    pub ready: bool,
    /// Every item is `pass`, `waived` or `not_applicable`.
    pub compliant: bool,
    /// How many items have each status.
    pub summary: Summary,
    /// When the evaluation finished (RFC 3339, UTC).
    pub evaluated_at: String,
    /// How long the evaluation took, in milliseconds (cached items take no time).
    pub duration_ms: f64,
    /// Every item, in checklist order.
    pub items: Vec<Arc<ItemReport>>,
    /// Whether a rollback trigger fired, and why (absent from older reports: not recommended).
    #[serde(default)]
    pub rollback: Rollback,
}

/// The rollback recommendation: `recommended` when any rollback trigger item is `fail`.
/// Progressive-delivery tools read `$.rollback.recommended`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rollback {
    /// Whether any trigger fired.
    pub recommended: bool,
    /// One entry per fired trigger.
    #[serde(default)]
    pub reasons: Vec<RollbackReason>,
}

/// A fired rollback trigger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollbackReason {
    /// The trigger item's id.
    pub id: String,
    /// What the trigger saw.
    pub message: String,
}

impl Rollback {
    /// The recommendation from the items whose ids `is_trigger` accepts: each `fail` is a reason.
    pub fn from_items<'a>(
        items: impl IntoIterator<Item = &'a Arc<ItemReport>>,
        is_trigger: impl Fn(&str) -> bool,
    ) -> Self {
        let reasons: Vec<RollbackReason> = items
            .into_iter()
            .filter(|i| i.status == Status::Fail && is_trigger(&i.id))
            .map(|i| RollbackReason {
                id: i.id.clone(),
                message: i.message.clone(),
            })
            .collect();
        Rollback {
            recommended: !reasons.is_empty(),
            reasons,
        }
    }
}

/// One item's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemReport {
    /// The stable id.
    pub id: String,
    /// Section title.
    pub section: String,
    /// Group title, for sections with groups.
    pub group: Option<String>,
    /// Item title.
    pub title: String,
    /// Where the verdict comes from.
    pub kind: Kind,
    /// How much a failure matters.
    pub severity: Severity,
    /// The verdict.
    pub status: Status,
    /// What was seen.
    pub message: String,
    /// Observed values, with units.
    #[serde(default)]
    pub details: Map<String, Value>,
    /// How long the check ran, in milliseconds.
    pub duration_ms: f64,
    /// What to do about a failure.
    pub remediation: Option<String>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Documentation link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docs: Option<String>,
    /// Whether a blocking failure of this item makes the service not ready.
    pub gates_readiness: bool,
    /// Whether `/livez` answers from this item.
    #[serde(default)]
    pub liveness: bool,
    /// When this result was produced (it may come from the cache), RFC 3339.
    pub evaluated_at: String,
}

/// A count per status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Items that pass.
    pub pass: usize,
    /// Items with a warning.
    pub warn: usize,
    /// Items that fail.
    pub fail: usize,
    /// Items with nothing to judge yet.
    pub pending: usize,
    /// Items not run.
    pub skipped: usize,
    /// Items that do not apply.
    pub not_applicable: usize,
    /// Waived items.
    pub waived: usize,
    /// All items.
    pub total: usize,
}

impl Summary {
    /// Counts `items`.
    pub fn of<'a, I: AsRef<ItemReport> + 'a>(items: impl IntoIterator<Item = &'a I>) -> Self {
        let mut s = Summary::default();
        for i in items {
            s.total += 1;
            *s.count_mut(i.as_ref().status) += 1;
        }
        s
    }

    /// The number of items with `status`.
    pub fn count(&self, status: Status) -> usize {
        let mut copy = *self;
        *copy.count_mut(status)
    }

    fn count_mut(&mut self, status: Status) -> &mut usize {
        match status {
            Status::Pass => &mut self.pass,
            Status::Warn => &mut self.warn,
            Status::Fail => &mut self.fail,
            Status::Pending => &mut self.pending,
            Status::Skipped => &mut self.skipped,
            Status::NotApplicable => &mut self.not_applicable,
            Status::Waived => &mut self.waived,
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = Status::ALL
            .iter()
            .filter(|s| self.count(**s) > 0)
            .map(|s| format!("{} {}", self.count(*s), s.as_str().replace('_', " ")))
            .collect();
        write!(f, "{} items: {}", self.total, parts.join(", "))
    }
}

impl ItemReport {
    /// Whether this item, as reported, keeps the service from being ready.
    pub fn blocks_readiness(&self, pending_blocks: bool) -> bool {
        self.severity == Severity::Blocking
            && self.gates_readiness
            && (self.status == Status::Fail || (pending_blocks && self.status == Status::Pending))
    }
}

impl Report {
    /// Builds a report from item results; `pending_blocks` says whether a blocking `pending`
    /// item keeps the service from being ready.
    pub fn new(
        service: ServiceInfo,
        checklist: String,
        items: Vec<Arc<ItemReport>>,
        pending_blocks: bool,
        evaluated_at: String,
        duration_ms: f64,
    ) -> Self {
        let ready = !items.iter().any(|i| i.blocks_readiness(pending_blocks));
        let mut report = Self {
            service,
            checklist,
            status: Status::Pass,
            ready,
            compliant: false,
            summary: Summary::default(),
            evaluated_at,
            duration_ms,
            items,
            rollback: Rollback::default(),
        };
        report.recount();
        report
    }

    /// Recomputes `summary`, `compliant` and `status` from the items (keeps `ready`).
    fn recount(&mut self) {
        self.summary = Summary::of(&self.items);
        self.compliant = self.items.iter().all(|i| i.status.is_compliant());
        let s = &self.summary;
        self.status = if !self.ready {
            Status::Fail
        } else if s.fail + s.warn + s.pending > 0 {
            Status::Warn
        } else {
            Status::Pass
        };
    }

    /// The item `id`.
    pub fn item(&self, id: &str) -> Option<&ItemReport> {
        self.items.iter().find(|i| i.id == id).map(Arc::as_ref)
    }

    /// Items that keep the service from being ready.
    pub fn blocking_failures(&self) -> impl Iterator<Item = &ItemReport> {
        self.items.iter().map(Arc::as_ref).filter(|i| {
            i.severity == Severity::Blocking && i.gates_readiness && i.status == Status::Fail
        })
    }

    /// A copy holding only the items `keep` accepts; `summary`, `compliant` and `status` describe
    /// those items, `ready` stays the whole service's.
    pub fn retain(&self, keep: impl Fn(&ItemReport) -> bool) -> Report {
        let mut out = Report {
            items: self.items.iter().filter(|i| keep(i)).cloned().collect(),
            ..self.clone_header()
        };
        out.recount();
        out
    }

    fn clone_header(&self) -> Report {
        Report {
            service: self.service.clone(),
            checklist: self.checklist.clone(),
            status: self.status,
            ready: self.ready,
            compliant: self.compliant,
            summary: self.summary,
            evaluated_at: self.evaluated_at.clone(),
            duration_ms: self.duration_ms,
            items: Vec::new(),
            rollback: self.rollback.clone(),
        }
    }
}

/// An output format of `/readiness-checklist`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// The [`Report`] as JSON.
    Json,
    /// The human report: one line per item with ✓ ! ✗ and a hint under failures.
    Text,
    /// The checklist's own Markdown layout with boxes ticked.
    Markdown,
    /// `application/health+json` (the IETF health check draft): `checks` keyed by item.
    HealthJson,
    /// JUnit XML: one testcase per item.
    Junit,
    /// SARIF 2.1.0: one rule per item.
    Sarif,
}

impl Format {
    /// Every format, in the order they are offered.
    pub const ALL: &'static [Format] = &[
        Format::Json,
        Format::Text,
        Format::Markdown,
        Format::HealthJson,
        Format::Junit,
        Format::Sarif,
    ];

    /// The `?format=` value.
    pub const fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Text => "text",
            Format::Markdown => "markdown",
            Format::HealthJson => "health+json",
            Format::Junit => "junit",
            Format::Sarif => "sarif",
        }
    }

    /// The `Content-Type` of a rendered report.
    pub const fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Text => "text/plain; charset=utf-8",
            Format::Markdown => "text/markdown; charset=utf-8",
            Format::HealthJson => health::CONTENT_TYPE,
            Format::Junit => "application/xml",
            Format::Sarif => "application/sarif+json",
        }
    }

    /// The format named `name` (as in `?format=`).
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.iter().copied().find(|f| f.name() == name)
    }

    /// The format for a media type (`application/json`, `text/plain`, `text/markdown`).
    pub fn from_media_type(media: &str) -> Option<Format> {
        match media {
            "application/json" => Some(Format::Json),
            "text/plain" => Some(Format::Text),
            "text/markdown" | "text/x-markdown" => Some(Format::Markdown),
            "application/health+json" => Some(Format::HealthJson),
            "application/xml" | "text/xml" | "application/junit+xml" => Some(Format::Junit),
            "application/sarif+json" => Some(Format::Sarif),
            _ => None,
        }
    }

    /// Renders `report`.
    pub fn render(self, report: &Report) -> String {
        match self {
            Format::Json => json::render(report),
            Format::Text => text::render(report),
            Format::Markdown => markdown::render(report),
            Format::HealthJson => health::render(report),
            Format::Junit => junit::render(report),
            Format::Sarif => sarif::render(report),
        }
    }
}

/// A group's title (none for sections without groups) and its items.
pub(crate) type GroupRun<'a> = (Option<&'a str>, Vec<&'a ItemReport>);

/// Consecutive runs of items sharing a section (and within it, a group), in report order.
pub(crate) fn sections(items: &[Arc<ItemReport>]) -> Vec<(&str, Vec<GroupRun<'_>>)> {
    let mut out: Vec<(&str, Vec<GroupRun<'_>>)> = Vec::new();
    for item in items {
        let group = item.group.as_deref();
        match out.last_mut() {
            Some((section, groups)) if *section == item.section => match groups.last_mut() {
                Some((g, list)) if *g == group => list.push(item),
                _ => groups.push((group, vec![item])),
            },
            _ => out.push((&item.section, vec![(group, vec![item])])),
        }
    }
    out
}
