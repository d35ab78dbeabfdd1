//! Waivers: an explicit, reasoned and dated exception for one item.

use super::{Date, DateError};

/// An accepted exception for one item: while it applies, the item reports `waived`.
///
/// A waiver without an expiry applies forever; with one, it applies up to and including that
/// day (UTC) and afterwards no longer applies, which the item's message then says.
///
/// ```
/// use prodready::Waiver;
/// let w = Waiver::new("security.container-security.image-signed", "internal tool, not shipped")
///     .until("2027-01-31");
/// assert_eq!(w.expires().unwrap().to_string(), "2027-01-31");
/// ```
#[derive(Debug, Clone)]
#[must_use = "a waiver does nothing until it is added to a checklist"]
pub struct Waiver {
    pub(crate) item_id: String,
    pub(crate) reason: String,
    pub(crate) until: Option<Result<Date, DateError>>,
}

impl Waiver {
    /// A waiver for the item `item_id`, with the reason shown in every report.
    pub fn new(item_id: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            item_id: item_id.into(),
            reason: reason.into(),
            until: None,
        }
    }

    /// The last day (UTC, `YYYY-MM-DD`) the waiver applies. A malformed date is reported when the
    /// checklist is validated.
    pub fn until(mut self, date: &str) -> Self {
        self.until = Some(date.parse());
        self
    }

    /// The waived item's id.
    pub fn item_id(&self) -> &str {
        &self.item_id
    }

    /// Why the item is waived.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The last day the waiver applies, if it has one and it parsed.
    pub fn expires(&self) -> Option<Date> {
        self.until.as_ref().and_then(|u| u.as_ref().ok().copied())
    }

    /// Whether the waiver applies on `today`.
    pub fn applies_on(&self, today: Date) -> bool {
        self.expires().is_none_or(|last| today <= last)
    }
}
