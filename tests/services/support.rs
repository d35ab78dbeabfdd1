//! Runs one check inside a real `Readiness` (so it reads its resources as a service's would),
//! and names scratch databases uniquely so tests run in parallel and repeatedly.

#![allow(dead_code)]

use prodready::report::ItemReport;
use prodready::{Check, Checklist, Item, Readiness, ReadinessBuilder};
use std::sync::atomic::{AtomicU32, Ordering};

/// The id of the item [`run`] binds the check to.
pub(crate) const ID: &str = "deps.under-test";

/// Evaluates `check` once as item [`ID`], with the resources `configure` adds.
pub(crate) async fn run(
    check: impl Check,
    configure: impl FnOnce(ReadinessBuilder) -> ReadinessBuilder,
) -> ItemReport {
    let checklist = Checklist::new("Deps").item(Item::new("Deps", None, "Under test").check(check));
    // Checks on their default runtime of their own, as in a service: the database checks open
    // the pool's connections on the test's runtime, which keeps using them after this readiness
    // (and its check runtime) is dropped.
    let builder = Readiness::builder()
        .checklist(checklist)
        .registered_checks(false);
    let readiness = match configure(builder).build() {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    let report = readiness.evaluate().await;
    match report.item(ID) {
        Some(item) => item.clone(),
        None => panic!("no item {ID}"),
    }
}

/// A name no other test (or earlier run) uses: `pr_<pid>_<n>_<nanos>`.
pub(crate) fn scratch_name() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!(
        "pr_{}_{}_{nanos}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A port nothing listens on (bound, then released).
pub(crate) fn closed_port() -> u16 {
    match std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()) {
        Ok(a) => a.port(),
        Err(e) => panic!("{e}"),
    }
}

/// Two migrations in a temp dir, as `sqlx::migrate!()` would embed them, leaked for `'static`.
pub(crate) async fn migrator() -> &'static sqlx::migrate::Migrator {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for (name, sql) in [
        ("1_users.sql", "CREATE TABLE users (id BIGINT PRIMARY KEY);"),
        (
            "2_orders.sql",
            "CREATE TABLE orders (id BIGINT PRIMARY KEY);",
        ),
    ] {
        std::fs::write(dir.path().join(name), sql).unwrap_or_else(|e| panic!("{e}"));
    }
    let m = sqlx::migrate::Migrator::new(dir.path())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    Box::leak(Box::new(m))
}
