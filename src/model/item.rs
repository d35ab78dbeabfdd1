//! One line of the checklist.

use super::{item_id, Gate, Kind, Severity};
use crate::check::Check;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// One line of the checklist, with the check bound to it (if any).
///
/// An item without a check reports `pending` with "not automated yet" and, when given, how it
/// would be verified ([`Item::verified_by`]); it never reports `pass`.
///
/// ```
/// use prodready::{Item, Outcome, Severity, check_fn};
/// let item = Item::new("Payments", Some("Ledger"), "Ledger balances")
///     .severity(Severity::Warning)
///     .timeout(std::time::Duration::from_secs(2))
///     .check(check_fn(|_ctx| async { Outcome::pass("balanced") }));
/// assert_eq!(item.id(), "payments.ledger.ledger-balances");
/// ```
#[derive(Clone)]
#[must_use = "an item does nothing until it is added to a checklist"]
pub struct Item {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) section: String,
    pub(crate) group: Option<String>,
    pub(crate) kind: Kind,
    pub(crate) severity: Severity,
    pub(crate) tags: Vec<String>,
    pub(crate) depends_on: Vec<String>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) ttl: Option<Duration>,
    pub(crate) remediation: Option<String>,
    pub(crate) docs: Option<String>,
    pub(crate) verified_by: Option<String>,
    /// `None`: the default of the item's kind ([`Gate::default_for`]).
    pub(crate) gate: Option<Gate>,
    pub(crate) check: Option<Arc<dyn Check>>,
    /// Who bound the check: `built-in <path>`, a `#[check]` function, or the caller's source line.
    pub(crate) bound_by: Option<String>,
}

/// The tag that makes an item a rollback trigger ([`Item::rollback_trigger`]): it travels with
/// the item into every report ([`ItemReport::tags`](crate::ItemReport::tags)).
pub const ROLLBACK_TRIGGER_TAG: &str = "rollback-trigger";

impl Item {
    /// An item titled `title` in `section` and (optionally) `group`; its id follows the slug rule.
    /// Defaults: kind `probe`, severity `blocking`, the kind's gate ([`Gate::default_for`]), no check.
    pub fn new(section: &str, group: Option<&str>, title: &str) -> Self {
        Self {
            id: item_id(section, group, title),
            title: title.to_owned(),
            section: section.to_owned(),
            group: group.map(str::to_owned),
            kind: Kind::Probe,
            severity: Severity::Blocking,
            tags: Vec::new(),
            depends_on: Vec::new(),
            timeout: None,
            ttl: None,
            remediation: None,
            docs: None,
            verified_by: None,
            gate: None,
            check: None,
            bound_by: None,
        }
    }

    /// Binds the check that verifies this item, replacing any earlier one. The report names the
    /// caller's source line as what bound it.
    #[track_caller]
    pub fn check(self, check: impl Check) -> Self {
        let at = std::panic::Location::caller();
        self.bound(Arc::new(check), format!("{}:{}", at.file(), at.line()))
    }

    /// Binds an already shared check.
    #[track_caller]
    pub fn check_arc(self, check: Arc<dyn Check>) -> Self {
        let at = std::panic::Location::caller();
        self.bound(check, format!("{}:{}", at.file(), at.line()))
    }

    pub(crate) fn bound(mut self, check: Arc<dyn Check>, by: String) -> Self {
        self.check = Some(check);
        self.bound_by = Some(by);
        self
    }

    /// Sets the kind.
    pub fn kind(mut self, kind: Kind) -> Self {
        self.kind = kind;
        self
    }

    /// Sets the severity.
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Adds tags (filterable with `?tag=`).
    pub fn tags<S: Into<String>>(mut self, tags: impl IntoIterator<Item = S>) -> Self {
        self.tags.extend(tags.into_iter().map(Into::into));
        self
    }

    /// Makes the item a rollback trigger: when it fails, the report recommends a rollback and
    /// names it as the reason. Marked with the tag [`ROLLBACK_TRIGGER_TAG`].
    pub fn rollback_trigger(mut self) -> Self {
        if !self.is_rollback_trigger() {
            self.tags.push(ROLLBACK_TRIGGER_TAG.to_owned());
        }
        self
    }

    /// Whether the item is a rollback trigger ([`Item::rollback_trigger`]).
    pub fn is_rollback_trigger(&self) -> bool {
        self.tags.iter().any(|t| t == ROLLBACK_TRIGGER_TAG)
    }

    /// Items (by id) that must not fail for this one to run; if one fails, this item is `skipped`.
    pub fn depends_on<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        self.depends_on.extend(ids.into_iter().map(Into::into));
        self
    }

    /// How long the check may run before it becomes `fail` ("timed out after …").
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// How long a result stays fresh in the cache. `Duration::MAX` keeps it for the whole process.
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = Some(ttl);
        self
    }

    /// What to do when the item fails (a check's own remediation takes precedence).
    pub fn remediation(mut self, text: impl Into<String>) -> Self {
        self.remediation = Some(text.into());
        self
    }

    /// A link to documentation about the item.
    pub fn docs(mut self, url: impl Into<String>) -> Self {
        self.docs = Some(url.into());
        self
    }

    /// How the item is verified, shown while no check is bound ("not automated yet: …").
    pub fn verified_by(mut self, text: impl Into<String>) -> Self {
        self.verified_by = Some(text.into());
        self
    }

    /// Which probe or gate a (blocking) failure of this item fails; default
    /// [`Gate::default_for`] the kind. Only checks whose failure a restart would cure belong to
    /// [`Gate::Liveness`] (a stuck event loop, not an unreachable database).
    pub fn gate(mut self, gate: Gate) -> Self {
        self.gate = Some(gate);
        self
    }

    /// The stable id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The title as written in the checklist.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The section title.
    pub fn section(&self) -> &str {
        &self.section
    }

    /// The group title, for sections that have groups.
    pub fn group(&self) -> Option<&str> {
        self.group.as_deref()
    }

    /// The kind.
    pub fn get_kind(&self) -> Kind {
        self.kind
    }

    /// The severity.
    pub fn get_severity(&self) -> Severity {
        self.severity
    }

    /// The tags.
    pub fn get_tags(&self) -> &[String] {
        &self.tags
    }

    /// The ids this item depends on.
    pub fn get_depends_on(&self) -> &[String] {
        &self.depends_on
    }

    /// The check's own timeout, when set ([`Item::timeout`]); otherwise the readiness default.
    pub fn get_timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// How long the item's result is reused, when set ([`Item::ttl`]); otherwise the readiness
    /// default for its kind.
    pub fn get_ttl(&self) -> Option<Duration> {
        self.ttl
    }

    /// The fix shown when the item does not pass, if written ([`Item::remediation`]).
    pub fn get_remediation(&self) -> Option<&str> {
        self.remediation.as_deref()
    }

    /// The link to the item's documentation, if given ([`Item::docs`]).
    pub fn get_docs(&self) -> Option<&str> {
        self.docs.as_deref()
    }

    /// Whether a check is bound.
    pub fn is_automated(&self) -> bool {
        self.check.is_some()
    }

    /// How the item is verified, if recorded.
    pub fn get_verified_by(&self) -> Option<&str> {
        self.verified_by.as_deref()
    }

    /// The gate the item answers for.
    pub fn get_gate(&self) -> Gate {
        self.gate.unwrap_or(Gate::default_for(self.kind))
    }

    /// What bound the item's check: `built-in …`, a `#[check]` function, or a source line.
    pub fn bound_by(&self) -> Option<&str> {
        self.bound_by.as_deref()
    }
}

impl fmt::Debug for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Item")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("severity", &self.severity)
            .field("gate", &self.get_gate())
            .field("depends_on", &self.depends_on)
            .field("automated", &self.check.is_some())
            .finish_non_exhaustive()
    }
}
