//! `?format=json`: the [`Report`] as pretty-printed JSON.

use super::{ItemReport, Report};

/// The report as JSON.
pub(crate) fn render(report: &Report) -> String {
    to_json(report)
}

/// One item as JSON.
pub(crate) fn render_item(item: &ItemReport) -> String {
    to_json(item)
}

fn to_json(value: &impl serde::Serialize) -> String {
    // Reports hold only strings, numbers, booleans and JSON maps: serialization cannot fail.
    serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}
