//! The report of one evaluation, and one renderer per output format.

pub(crate) mod health;
pub(crate) mod json;
pub(crate) mod junit;
pub(crate) mod kubernetes;
pub(crate) mod markdown;
pub(crate) mod sarif;
pub(crate) mod text;

/// The key of the fingerprint each SARIF result carries in `partialFingerprints`: the item's
/// id, so code scanning follows an item across runs.
pub const SARIF_FINGERPRINT_KEY: &str = "prodreadyItemId/v1";

use crate::model::{Gate, Kind, Severity, Status};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;
use std::sync::Arc;

/// The message of every item in a report shown to a caller not allowed to see details.
pub const WITHHELD: &str = "withheld: ask with the details token or on the management listener";

/// The service a report is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ServiceInfo {
    /// The service's name.
    pub name: String,
    /// The service's version.
    pub version: String,
}

/// The result of one evaluation of a whole checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Report {
    /// The service evaluated.
    pub service: ServiceInfo,
    /// The checklist's name.
    pub checklist: String,
    /// `fail` when not ready; `warn` when ready but any item is `fail`, `warn` or `pending`; else `pass`.
    pub status: Status,
    /// No blocking item of the `readiness` gate is `fail` (nor `pending`, where pending
    /// blocks): what `/readyz` answers from, besides the service's availability.
    pub ready: bool,
    /// No blocking item of the `startup` gate is `fail` (nor `pending`, where pending blocks):
    /// this build may run here. Strict startup, `/startupz` and `prodready verify` answer from it.
    #[serde(default = "yes")]
    pub startup: bool,
    /// Whether blocking `pending` items fail their gate (the policy the report was made with).
    #[serde(default)]
    pub pending_blocks: bool,
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
    /// Set when the check runtime stalled during the evaluation (a check blocked its thread), so
    /// some timeouts fired late and those items were not judged: says how long and who blocked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stalled: Option<String>,
}

/// The rollback recommendation: `recommended` when any rollback trigger item is `fail`.
/// Progressive-delivery tools read `$.rollback.recommended`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Rollback {
    /// Whether any trigger fired.
    pub recommended: bool,
    /// One entry per fired trigger.
    #[serde(default)]
    pub reasons: Vec<RollbackReason>,
}

/// A fired rollback trigger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
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
#[non_exhaustive]
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
    /// Which probe or gate a blocking failure of this item fails.
    pub gate: Gate,
    /// What bound the check: `built-in: prodready::…`, a `#[check]` function's path, or the
    /// source line of `Item::check` / `Checklist::bind`. Absent for items without a check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bound_by: Option<String>,
    /// When this result was produced (it may come from the cache), RFC 3339.
    pub evaluated_at: String,
}

impl ItemReport {
    /// Whether the item is a rollback trigger (it carries [`ROLLBACK_TRIGGER_TAG`](crate::ROLLBACK_TRIGGER_TAG)).
    pub fn is_rollback_trigger(&self) -> bool {
        self.tags
            .iter()
            .any(|t| t == crate::model::ROLLBACK_TRIGGER_TAG)
    }
}

/// A count per status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
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

fn yes() -> bool {
    true
}

impl ItemReport {
    /// Whether this item, as reported, fails `gate`: it answers for that gate, is blocking, and
    /// is `fail` (or `pending`, where pending blocks).
    pub fn blocks(&self, gate: Gate, pending_blocks: bool) -> bool {
        self.gate == gate
            && self.severity == Severity::Blocking
            && (self.status == Status::Fail || (pending_blocks && self.status == Status::Pending))
    }

    /// Whether this item, as reported, keeps the service from being ready (`/readyz`).
    pub fn blocks_readiness(&self, pending_blocks: bool) -> bool {
        self.blocks(Gate::Readiness, pending_blocks)
    }

    /// Whether this item fails any gate (liveness, readiness or startup).
    pub fn blocks_any_gate(&self, pending_blocks: bool) -> bool {
        self.gate != Gate::None && self.blocks(self.gate, pending_blocks)
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
        let startup = !items
            .iter()
            .any(|i| i.blocks(Gate::Startup, pending_blocks));
        let mut report = Self {
            service,
            checklist,
            status: Status::Pass,
            ready,
            startup,
            pending_blocks,
            compliant: false,
            summary: Summary::default(),
            evaluated_at,
            duration_ms,
            items,
            rollback: Rollback::default(),
            stalled: None,
        };
        report.recount();
        report
    }

    /// Recomputes `summary`, `compliant` and `status` from the items (keeps `ready` and
    /// `startup`).
    fn recount(&mut self) {
        self.summary = Summary::of(&self.items);
        self.compliant = self.items.iter().all(|i| i.status.is_compliant());
        let s = &self.summary;
        self.status = if !self.ready || !self.startup {
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

    /// Items that fail a gate (readiness, startup or liveness), each once.
    pub fn blocking_failures(&self) -> impl Iterator<Item = &ItemReport> {
        let pending_blocks = self.pending_blocks;
        self.items
            .iter()
            .map(Arc::as_ref)
            .filter(move |i| i.blocks_any_gate(pending_blocks))
    }

    /// Items that fail `gate`.
    pub fn gate_failures(&self, gate: Gate) -> impl Iterator<Item = &ItemReport> {
        let pending_blocks = self.pending_blocks;
        self.items
            .iter()
            .map(Arc::as_ref)
            .filter(move |i| i.blocks(gate, pending_blocks))
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

    /// The report an anonymous caller sees: ids, titles, statuses, gates and the summary; every
    /// message, detail, remediation, binding and rollback reason withheld.
    pub fn redacted(&self) -> Report {
        let items = self
            .items
            .iter()
            .map(|i| {
                Arc::new(ItemReport {
                    message: WITHHELD.to_owned(),
                    details: Map::new(),
                    remediation: None,
                    bound_by: None,
                    ..ItemReport::clone(i)
                })
            })
            .collect();
        let mut out = Report {
            items,
            ..self.clone_header()
        };
        for reason in &mut out.rollback.reasons {
            reason.message = WITHHELD.to_owned();
        }
        if out.stalled.is_some() {
            out.stalled = Some(WITHHELD.to_owned());
        }
        out
    }

    /// Marks a report made before any evaluation: neither ready nor started.
    pub(crate) fn mark_unevaluated(&mut self) {
        self.ready = false;
        self.startup = false;
        self.recount();
    }

    fn clone_header(&self) -> Report {
        Report {
            service: self.service.clone(),
            checklist: self.checklist.clone(),
            status: self.status,
            ready: self.ready,
            startup: self.startup,
            pending_blocks: self.pending_blocks,
            compliant: self.compliant,
            summary: self.summary,
            evaluated_at: self.evaluated_at.clone(),
            duration_ms: self.duration_ms,
            items: Vec::new(),
            rollback: self.rollback.clone(),
            stalled: self.stalled.clone(),
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
    /// `health+json`: the IETF draft "Health Check Response Format for HTTP APIs"
    /// (draft-inadarei-api-health-check-06, `application/health+json`).
    ///
    /// - The top-level `status` agrees with the HTTP status the endpoints answer with (§3.1):
    ///   `fail` exactly when the service is not ready (503), else `warn` when any item needs
    ///   attention, else `pass` (200). The answer for one item (`/readiness-checklist/{id}`) has its own
    ///   status, `fail` exactly when the item is `fail` (503).
    /// - `checks` has one entry per item, keyed by its id, and one per measurement, keyed
    ///   `{id}:{measurement}`, each with one `observedValue` and its `observedUnit` (§4.3–4.4).
    /// - `componentType` is `datastore`, `system` or `component`.
    /// - `output` is left out on `pass` (§3.5, §4.8); `links` point back at the answer.
    HealthJson,
    /// `junit`: one `<testsuite>` per section, one `<testcase>` per item, valid against the Jenkins
    /// xUnit `junit-10.xsd`.
    ///
    /// - `fail` is a `<failure>`;
    /// - a blocking `pending` item of a gate, where pending blocks (`verify --strict`), is an
    ///   `<error>`: the gate fails because nothing verified it;
    /// - any other `pending`, and `skipped`, `not_applicable` and `waived`, are `<skipped>`;
    /// - `warn` passes, with the message in `<system-out>`.
    ///
    /// So `tests`, `failures`, `errors` and `skipped` add up to the report's summary, and a report
    /// whose gate fails never reads as green.
    Junit,
    /// `sarif`: a SARIF 2.1.0 log that GitHub code scanning accepts: one rule per item and one
    /// result per item, each with a location, a stable fingerprint, and a `kind`/`level` pair as
    /// SARIF 2.1.0 §3.27.9–10 requires.
    ///
    /// | status | `kind` | `level` |
    /// | --- | --- | --- |
    /// | `fail` | `fail` | `error` (blocking), `warning` (warning), `note` (info) |
    /// | `warn` | `fail` | `warning` (`note` for info items) |
    /// | `pass` | `pass` | `none` |
    /// | `pending`, `skipped` | `open` (not enough information to conclude) | `none` |
    /// | `not_applicable` | `notApplicable` | `none` |
    /// | `waived` | what the check said underneath | as above, plus a `suppressions` entry |
    ///
    /// A waived item keeps the kind and level of the status the check reported under the waiver and
    /// carries a `suppressions` entry (kind `external`, justification = the waiver's reason, the expiry
    /// in its properties). Every result is located: evidence results at the bundle artifact they are
    /// about when its path is relative, items of the standard checklist at their row of
    /// `checklist/items.tsv`, and any other item at the package manifest `Cargo.toml` (override with
    /// [`RenderOptions::checklist_uri`]).
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

    /// Renders `report` with the default [`RenderOptions`].
    ///
    /// ```
    /// # async fn demo(readiness: prodready::Readiness) {
    /// use prodready::Format;
    /// let report = readiness.evaluate().await;
    /// let xml = Format::Junit.render(&report);
    /// assert!(xml.starts_with("<?xml"));
    /// # }
    /// ```
    pub fn render(self, report: &Report) -> String {
        self.render_with(report, &RenderOptions::default())
    }

    /// Renders `report` with `options` (those that do not apply to the format are ignored).
    ///
    /// ```
    /// # fn demo(report: &prodready::Report) {
    /// use prodready::{Format, report::RenderOptions};
    /// // CI's strict run: blocking `pending` items are JUnit errors whatever the report says.
    /// let xml = Format::Junit.render_with(report, &RenderOptions::new().pending_blocks(true));
    /// # let _ = xml; }
    /// ```
    pub fn render_with(self, report: &Report, options: &RenderOptions) -> String {
        match self {
            Format::Json => json::render(report),
            Format::Text => text::render(report),
            Format::Markdown => markdown::render(report),
            Format::HealthJson => health::render(report),
            Format::Junit => junit::render_with(
                report,
                options
                    .pending_blocks
                    .unwrap_or_else(|| junit::pending_blocks(report)),
            ),
            Format::Sarif => sarif::render_with(report, options.checklist_uri.as_deref()),
        }
    }
}

/// Choices for [`Format::render_with`]; each applies to the formats it names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
#[must_use = "options do nothing until they are passed to `Format::render_with`"]
pub struct RenderOptions {
    pending_blocks: Option<bool>,
    checklist_uri: Option<String>,
}

impl RenderOptions {
    /// The defaults: what the report itself says.
    pub fn new() -> Self {
        Self::default()
    }

    /// JUnit: whether blocking `pending` items are `<error>`s (CI's strict run), instead of
    /// the policy the report was made with ([`Report::pending_blocks`]).
    pub fn pending_blocks(mut self, blocks: bool) -> Self {
        self.pending_blocks = Some(blocks);
        self
    }

    /// SARIF: the file, relative to the repository root, that declares the items outside the
    /// standard checklist, so code scanning can point at it (default `Cargo.toml`).
    pub fn checklist_uri(mut self, path: impl Into<String>) -> Self {
        self.checklist_uri = Some(path.into());
        self
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
