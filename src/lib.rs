#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

// Lets the macros' `::prodready::…` paths resolve inside this crate too.
extern crate self as prodready;

mod check;
pub mod checks;
mod engine;
#[cfg(feature = "evidence")]
pub mod evidence;
#[cfg(feature = "grpc")]
pub mod grpc;
pub mod host;
pub mod http;
mod model;
pub mod monitor;
pub mod probes;
mod registry;
pub mod report;
mod sha256;
pub mod standard;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod url;

pub use check::{check_fn, Check, Context, ContextBuilder, FnCheck, Outcome};
pub use engine::{
    Availability, BuildError, BuildProblem, CheckRuntime, NotReady, Readiness, ReadinessBuilder,
    StatusChange,
};
pub use host::{Host, Ids, RealHost};
pub use model::{
    item_id, slug, Checklist, ChecklistError, ChecklistErrors, Date, DateError, Gate, Item, Kind,
    Severity, Status, UnknownName, Waiver, ROLLBACK_TRIGGER_TAG,
};
pub use probes::{LatestReport, ProbeLog};
pub use report::{Format, ItemReport, Report, ServiceInfo, Summary};

/// Registers an async function as the check of a checklist item, from any linked crate.
///
/// ```
/// use prodready::{Context, Outcome};
///
/// #[prodready::check(item = "security.container-security.no-root-user", timeout = "1s")]
/// async fn not_root(ctx: &Context) -> Outcome {
///     match ctx.host().uid() {
///         Ok(ids) if ids.effective != 0 => Outcome::pass(format!("uid {}", ids.effective)),
///         Ok(_) => Outcome::fail("running as root"),
///         Err(e) => Outcome::fail(format!("cannot read the uid: {e}")),
///     }
/// }
///
/// #[prodready::check(section = "Payments", group = "Ledger", title = "Ledger balances", severity = warning)]
/// async fn ledger_balances(_ctx: &Context) -> Outcome {
///     Outcome::pass("debits equal credits")
/// }
/// ```
///
/// Arguments: either `item = "id"` (an item of the checklist) or `section`, optional `group`, and
/// `title` (a new item); then any of `kind`, `severity`, `timeout`, `ttl` (durations such as
/// `"2s"`, `"500ms"`), `depends_on = ["id", …]`, `tags = ["…", …]`, `remediation`, `docs`,
/// `gate = liveness | readiness | startup | none`, and with `item = ..` `replaces_builtin = true`
/// (binding an item that has a built-in check is a `build()` error without it).
pub use prodready_macros::check;

/// Declares a whole checklist: sections, groups, items bound to checks, and waivers.
///
/// ```
/// use prodready::{check_fn, Outcome};
///
/// let checklist = prodready::checklist! {
///     "Payments service" {
///         section "Security" {
///             group "Container Security" {
///                 "No root user" => check_fn(|_ctx| async { Outcome::pass("uid 1000") }),
///                 "Image signed" [kind = evidence, severity = warning],
///             }
///         }
///         section "Emergency Contacts" {
///             "On-call engineer contact" [severity = info] => check_fn(|_ctx| async { Outcome::pass("oncall@example.com") }),
///         }
///         waive "security.container-security.image-signed" because "internal tool, not shipped" until "2027-01-31",
///     }
/// };
/// assert_eq!(checklist.items().len(), 3);
/// assert!(checklist.validate().is_ok());
/// ```
///
/// An item is `"Title"`, optionally `[key = value, …]` with the keys of `#[check]` (`kind`,
/// `severity`, `timeout`, `ttl`, `depends_on`, `tags`, `remediation`, `docs`, `gate`),
/// optionally `=> check_expression`. An item without a check reports
/// `pending`. Ids are checked while compiling: a duplicate id is a compile error, and so is a
/// `waive` or `depends_on` naming an id in a section this invocation declares but not that item.
/// Ids in other sections (items of a checklist this one is merged into, such as the standard
/// one) are checked when the readiness is built.
pub use prodready_macros::checklist;

// The client crates of the integration features, at the versions the built-in checks read: build
// the service's clients with these (or depend on the same versions) so the checks see them.
/// async-nats 0.38, as the `nats` feature uses it.
#[cfg(feature = "nats")]
pub use async_nats;
/// lapin 2, as the `amqp` feature uses it.
#[cfg(feature = "amqp")]
pub use lapin;
/// redis 0.27, as the `redis` feature uses it.
#[cfg(feature = "redis")]
pub use redis;
/// reqwest 0.12, as the `http-client` feature uses it.
#[cfg(feature = "http-client")]
pub use reqwest;
/// rumqttc 0.24, as the `mqtt` feature uses it.
#[cfg(feature = "mqtt")]
pub use rumqttc;
/// sqlx 0.8, as the `postgres`, `mysql` and `sqlite` features use it.
#[cfg(any(feature = "postgres", feature = "mysql", feature = "sqlite"))]
pub use sqlx;

/// Re-exported for implementing [`Check`] by hand: `#[prodready::async_trait]`.
pub use async_trait::async_trait;

/// What the macros' generated code reaches. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::registry::{CheckRegistration, Target};
    pub use futures::future::BoxFuture;
    pub use inventory;
    pub use std::boxed::Box;
    pub use std::time::Duration;
}

/// The types most programs use.
pub mod prelude {
    pub use crate::{
        check_fn, Check, Checklist, Context, Item, Kind, Outcome, Readiness, Severity, Status,
        Waiver,
    };
}
