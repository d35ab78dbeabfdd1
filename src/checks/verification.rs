//! "Health checks passing": every blocking gate item of the last evaluation passes.
//!
//! This item summarises the others, so it never repeats their failures: while any fails it is
//! `skipped` (naming them), which counts neither in the summary's failures nor in any gate. The
//! standard checklist gives it the gate `none`.

use crate::{Check, Context, Gate, Outcome, Severity, Status};
use std::sync::Arc;

const ID: &str = "deployment.verification.health-checks-passing";

/// The standard checklist's items this module verifies, each with its default check.
pub(crate) fn standard_bindings() -> Vec<(&'static str, Arc<dyn Check>)> {
    vec![(ID, Arc::new(health_checks_passing()))]
}

/// Every blocking item of a gate (liveness, readiness, startup; but this one) passed in the last
/// complete evaluation; while one fails this item is `skipped`, naming them, so each failure
/// counts once. It reads the previous evaluation, so it lags one refresh behind; before the first
/// evaluation has finished it is `pending`.
pub fn health_checks_passing() -> HealthChecksPassing {
    HealthChecksPassing { own_id: ID.into() }
}

/// The check returned by [`health_checks_passing`].
#[derive(Debug, Clone)]
pub struct HealthChecksPassing {
    own_id: String,
}

impl HealthChecksPassing {
    /// The id of the item this check is bound to (left out of its own count).
    pub fn own_id(mut self, id: impl Into<String>) -> Self {
        self.own_id = id.into();
        self
    }
}

#[async_trait::async_trait]
impl Check for HealthChecksPassing {
    async fn run(&self, ctx: &Context) -> Outcome {
        let Some(report) = ctx.previous_report() else {
            return Outcome::pending("no evaluation has finished yet: judged from the next one");
        };
        let gates: Vec<_> = report
            .items
            .iter()
            .filter(|i| {
                i.severity == Severity::Blocking && i.gate != Gate::None && i.id != self.own_id
            })
            .collect();
        let failing: Vec<&str> = gates
            .iter()
            .filter(|i| i.status == Status::Fail)
            .map(|i| i.id.as_str())
            .collect();
        let outcome = if failing.is_empty() {
            Outcome::pass(format!(
                "none of the {} blocking gate items fails (evaluated {})",
                gates.len(),
                report.evaluated_at
            ))
        } else {
            // Each of those is reported (and counted) on its own; repeating them here as a
            // failure would count them twice.
            Outcome::new(
                Status::Skipped,
                format!(
                    "skipped: {} of {} blocking gate items fail, each reported on its own: {}",
                    failing.len(),
                    gates.len(),
                    failing.join(", ")
                ),
            )
            .remediation(
                "fix the failing items: GET /readyz?verbose and /startupz?verbose list them",
            )
        };
        outcome
            .detail("blocking_items", gates.len())
            .detail("failing", failing)
            .detail("evaluated_at", &report.evaluated_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::FakeHost;
    use crate::{check_fn, Checklist, Item, Readiness};

    #[tokio::test]
    async fn judges_the_previous_evaluation() {
        let fail = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let flag = fail.clone();
        let c = Checklist::new("c")
            .item(Item::new("S", None, "Db").check(check_fn(move |_ctx| {
                let failing = flag.load(std::sync::atomic::Ordering::SeqCst);
                async move {
                    if failing {
                        Outcome::fail("down")
                    } else {
                        Outcome::pass("up")
                    }
                }
            })))
            .item(Item::new("S", None, "Health").check(health_checks_passing().own_id("s.health")));
        let r = Readiness::builder()
            .checklist(c)
            .host(FakeHost::new())
            .registered_checks(false)
            .build()
            .unwrap();
        let first = r.evaluate_fresh().await;
        assert_eq!(first.item("s.health").unwrap().status, Status::Pending);
        let second = r.evaluate_fresh().await;
        let health = second.item("s.health").unwrap();
        assert_eq!(health.status, Status::Skipped);
        assert_eq!(
            health.message,
            "skipped: 1 of 1 blocking gate items fail, each reported on its own: s.db"
        );
        // One failing item is one failure, in the summary and in the gate.
        assert_eq!(second.summary.fail, 1);
        assert_eq!(second.blocking_failures().count(), 1);
        fail.store(false, std::sync::atomic::Ordering::SeqCst);
        r.evaluate_fresh().await;
        let fourth = r.evaluate_fresh().await;
        assert_eq!(fourth.item("s.health").unwrap().status, Status::Pass);
    }
}
