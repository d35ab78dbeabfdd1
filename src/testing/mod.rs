//! Test helpers: a fake [`Host`](crate::Host) on a temp-dir root, and assertions on reports whose
//! failure messages show every offending item's message.

pub mod fault;
mod host;

pub use host::FakeHost;

use crate::model::Status;
use crate::report::{ItemReport, Report};
use crate::{Checklist, Readiness};

/// Evaluates `checklist` (plus every registered `#[check]`) once on `host`, for a unit test.
///
/// Panics with the checklist's problems when it does not validate.
pub async fn evaluate(checklist: Checklist, host: FakeHost) -> std::sync::Arc<Report> {
    match Readiness::builder().checklist(checklist).host(host).build() {
        Ok(r) => r.evaluate().await,
        Err(e) => panic!("{e}"),
    }
}

fn describe(item: &ItemReport) -> String {
    format!(
        "  {} {} [{}]: {}",
        item.status.symbol(),
        item.status,
        item.id,
        item.message
    )
}

/// Asserts that the item `id` has `status`; on failure shows the item's message and details.
#[track_caller]
pub fn assert_item(report: &Report, id: &str, status: Status) {
    let Some(item) = report.item(id) else {
        panic!("no item `{id}` in the report of `{}`", report.checklist);
    };
    assert!(
        item.status == status,
        "expected `{id}` to be {status}, but it is {}:\n{}\n  details: {}",
        item.status,
        describe(item),
        serde_json::Value::Object(item.details.clone())
    );
}

/// Asserts that the service is ready; on failure lists every item that blocks readiness.
#[track_caller]
pub fn assert_ready(report: &Report) {
    if !report.ready {
        let mut lines: Vec<String> = report.blocking_failures().map(describe).collect();
        if lines.is_empty() {
            // Not ready without a failure: blocking items are pending and pending blocks.
            lines = report
                .items
                .iter()
                .filter(|i| i.blocks_readiness(true))
                .map(|i| describe(i))
                .collect();
        }
        panic!(
            "expected {} to be ready, but {} blocking item(s) fail:\n{}",
            report.service.name,
            lines.len(),
            lines.join("\n")
        );
    }
}

/// Asserts that the service is not ready.
#[track_caller]
pub fn assert_not_ready(report: &Report) {
    assert!(
        !report.ready,
        "expected {} not to be ready, but it is ({})",
        report.service.name, report.summary
    );
}

/// Asserts that every item is `pass`, `waived` or `not_applicable`; on failure lists the others.
#[track_caller]
pub fn assert_compliant(report: &Report) {
    let lines: Vec<String> = report
        .items
        .iter()
        .filter(|i| !i.status.is_compliant())
        .map(|i| describe(i))
        .collect();
    assert!(
        lines.is_empty(),
        "expected {} to be compliant, but {} item(s) are not:\n{}",
        report.service.name,
        lines.len(),
        lines.join("\n")
    );
}
