//! Checks and checklists shared by the tests.

use prodready::testing::FakeHost;
use prodready::{check_fn, Check, Checklist, Item, Outcome, Readiness};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A check that counts its runs, sleeps (async) for `delay`, then returns `outcome`.
pub(crate) fn counting(runs: &Arc<AtomicUsize>, delay: Duration, outcome: Outcome) -> impl Check {
    let runs = runs.clone();
    check_fn(move |_ctx| {
        let runs = runs.clone();
        let outcome = outcome.clone();
        async move {
            runs.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(delay).await;
            outcome
        }
    })
}

pub(crate) fn pass() -> impl Check {
    check_fn(|_ctx| async { Outcome::pass("fine") })
}

pub(crate) fn fail(msg: &'static str) -> impl Check {
    check_fn(move |_ctx| async move { Outcome::fail(msg).remediation("fix it") })
}

pub(crate) fn item(title: &str) -> Item {
    Item::new("Tests", Some("Engine"), title)
}

pub(crate) fn id(title: &str) -> String {
    prodready::item_id("Tests", Some("Engine"), title)
}

/// A readiness on a fake host, without the program's `#[check]` registrations.
pub(crate) fn readiness(checklist: Checklist) -> Readiness {
    readiness_on(checklist, FakeHost::new())
}

pub(crate) fn readiness_on(checklist: Checklist, host: FakeHost) -> Readiness {
    Readiness::builder()
        .service("svc", "1.0.0")
        .checklist(checklist)
        .host(host)
        .registered_checks(false)
        .build()
        .expect("valid checklist")
}
