//! Test helpers: a fake [`Host`](crate::Host) on a temp-dir root, and assertions on reports whose
//! failure messages show every offending item's message.
//!
//! Start from a preset ([`FakeHost::hardened_pod`], [`FakeHost::root_container`]) or an empty
//! [`FakeHost::new`], evaluate with [`evaluate`] (a small checklist of your own items is fine:
//! `#[check]`s of other items are ignored) and assert with [`assert_item`], [`assert_ready`].
//!
#![doc = include_str!("reads.md")]

pub mod fault;
mod host;
mod presets;
#[cfg(test)]
mod tests;

pub use host::FakeHost;
pub use presets::POD_DATABASE_URL_FILE;

use crate::model::Status;
use crate::report::{ItemReport, Report};
use crate::{Checklist, ProbeLog, Readiness};

/// A probe log as the HTTP layer fills it: each `(endpoint, user agent, status, body bytes)`
/// answered once, in order (a success is a 200 with a body), for a unit test of a check that reads [`Context::probe_log`](crate::Context::probe_log)
/// (give it to [`ContextBuilder::probe_log`](crate::ContextBuilder::probe_log)).
///
/// ```
/// use prodready::probes::Agent;
/// let log = prodready::testing::probe_log([("/readyz", Some("kube-probe/1.30"), 200, 2)]);
/// assert_eq!(log.answered("/readyz"), 1);
/// assert!(log.last_success("/readyz", Agent::KubeProbe).is_some());
/// ```
pub fn probe_log<'a>(
    answered: impl IntoIterator<Item = (&'a str, Option<&'a str>, u16, usize)>,
) -> ProbeLog {
    let log = ProbeLog::default();
    for (endpoint, user_agent, status, body_bytes) in answered {
        log.record_answer(endpoint, user_agent, status, body_bytes);
    }
    log
}

/// Evaluates `checklist` once on `host`, for a unit test, with the registered `#[check]`s of
/// its own items bound.
///
/// A `#[check(item = ..)]` elsewhere in the crate for an item this checklist lacks is ignored,
/// so a test can evaluate a small checklist of two items in a crate whose `#[check]`s cover the
/// whole standard checklist. That is sound because the guard it skips lives on where it
/// matters: the service's own `Readiness::builder()…build()` still binds every registered check
/// and fails on one for an unknown item (a typo in an id), and so does
/// [`evaluate_with_all_registered`], for a test that evaluates the service's real checklist.
///
/// Panics with the checklist's problems when it does not validate (a registered check of one
/// of its items that would replace a built-in without `replaces_builtin`, two checks for one
/// item, an unknown dependency).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use prodready::testing::{assert_item, evaluate, FakeHost};
/// use prodready::{check_fn, Checklist, Item, Outcome, Status};
///
/// let checklist = Checklist::new("mine").item(
///     Item::new("Service", None, "Cache warm").check(check_fn(|_| async { Outcome::pass("warm") })),
/// );
/// let report = evaluate(checklist, FakeHost::new()).await;
/// assert_item(&report, "service.cache-warm", Status::Pass);
/// # }
/// ```
pub async fn evaluate(checklist: Checklist, host: FakeHost) -> std::sync::Arc<Report> {
    let builder = Readiness::builder()
        .checklist(checklist)
        .host(host)
        .registered_checks_of_its_items();
    match builder.build() {
        Ok(r) => r.evaluate().await,
        Err(e) => panic!("{e}"),
    }
}

/// Evaluates `checklist` once on `host` with every registered `#[check]` bound, as the
/// service's own `build()` does: a check for an item the checklist lacks is a problem (panics).
pub async fn evaluate_with_all_registered(
    checklist: Checklist,
    host: FakeHost,
) -> std::sync::Arc<Report> {
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
