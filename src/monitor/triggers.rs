//! Rollback triggers raised by checks or programmatically: "Critical functionality broken",
//! "Data corruption detected", "Security issue discovered".

use crate::{Check, Context, Outcome, Status};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// A trigger that is raised by registered checks or by a call to [`Triggers::raise`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Trigger {
    /// Critical-path checks fail (repeatedly, with the engine's hysteresis).
    CriticalFunctionality,
    /// An integrity check found corrupt data.
    DataCorruption,
    /// A security problem was discovered.
    SecurityIssue,
}

impl Trigger {
    fn what(self) -> &'static str {
        match self {
            Trigger::CriticalFunctionality => "critical-path checks",
            Trigger::DataCorruption => "integrity checks",
            Trigger::SecurityIssue => "security checks",
        }
    }
}

#[derive(Default)]
struct Board {
    raised: HashMap<Trigger, String>,
    checks: Vec<(Trigger, String, Arc<dyn Check>)>,
}

/// The checks and raised reasons behind the triggers. Cheap to clone; clones share the board.
/// Give it to the builder with `.resource(triggers.clone())`; call [`Triggers::raise`] from
/// anywhere in the service (an integrity job, a security scanner hook).
#[derive(Clone, Default)]
pub struct Triggers {
    board: Arc<Mutex<Board>>,
}

impl std::fmt::Debug for Triggers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Triggers").finish_non_exhaustive()
    }
}

impl Triggers {
    /// An empty board.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Board> {
        self.board.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a check whose `fail` fires `trigger` (a critical-path, integrity or security check).
    pub fn watch(self, trigger: Trigger, name: impl Into<String>, check: impl Check) -> Self {
        self.lock()
            .checks
            .push((trigger, name.into(), Arc::new(check)));
        self
    }

    /// Fires `trigger` with `reason` (no secret values: the reason is shown in the report).
    pub fn raise(&self, trigger: Trigger, reason: impl Into<String>) {
        self.lock().raised.insert(trigger, reason.into());
    }

    /// Clears a trigger raised with [`Triggers::raise`].
    pub fn clear(&self, trigger: Trigger) {
        self.lock().raised.remove(&trigger);
    }
}

/// The check of one [`Trigger`].
#[derive(Debug, Clone, Copy)]
pub struct TriggerCheck {
    trigger: Trigger,
}

/// "Critical functionality broken": fails when a critical-path check registered with
/// [`Triggers::watch`] fails, or when raised.
pub fn critical_functionality_trigger() -> TriggerCheck {
    TriggerCheck {
        trigger: Trigger::CriticalFunctionality,
    }
}

/// "Data corruption detected": fails when an integrity check fails, or when raised.
pub fn data_corruption_trigger() -> TriggerCheck {
    TriggerCheck {
        trigger: Trigger::DataCorruption,
    }
}

/// "Security issue discovered": fails when a security check fails, or when raised.
pub fn security_issue_trigger() -> TriggerCheck {
    TriggerCheck {
        trigger: Trigger::SecurityIssue,
    }
}

#[async_trait::async_trait]
impl Check for TriggerCheck {
    async fn run(&self, ctx: &Context) -> Outcome {
        let what = self.trigger.what();
        let Some(triggers) = ctx.resource::<Triggers>() else {
            return Outcome::warn(format!("no {what} registered: nothing can fire this trigger"))
                .remediation("pass `Triggers::new().watch(..)` with `Readiness::builder().resource(triggers.clone())`, and call `Triggers::raise` where the problem is detected");
        };
        let (raised, checks) = {
            let board = triggers.lock();
            let checks: Vec<(String, Arc<dyn Check>)> = board
                .checks
                .iter()
                .filter(|(t, _, _)| *t == self.trigger)
                .map(|(_, n, c)| (n.clone(), c.clone()))
                .collect();
            (board.raised.get(&self.trigger).cloned(), checks)
        };
        let mut failed = Vec::new();
        for (name, check) in &checks {
            let o = check.run(ctx).await;
            if o.status() == Status::Fail {
                failed.push(format!("{name}: {}", o.message()));
            }
        }
        let o = match (&raised, failed.is_empty()) {
            (Some(reason), _) => Outcome::fail(format!("raised: {reason}")),
            (None, false) => Outcome::fail(format!("{} failed: {}", what, failed.join("; "))),
            (None, true) if checks.is_empty() => {
                return Outcome::warn(format!("no {what} registered and none raised"))
                    .remediation("register checks with `Triggers::watch`")
            }
            (None, true) => Outcome::pass(format!("{} {what} pass", checks.len())),
        };
        let mut o = o
            .detail("checks", checks.len())
            .detail("failed_checks", failed.len())
            .detail("raised", raised.is_some());
        if o.status() == Status::Fail {
            o = o.remediation("roll back to the previous version, then investigate");
        }
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check_fn;
    use crate::testing::FakeHost;

    fn ctx_with(triggers: Option<Triggers>) -> Context {
        let mut r = crate::check::Resources::default();
        if let Some(t) = triggers {
            r.insert(t);
        }
        Context::new(Arc::new(FakeHost::new()), r)
    }

    #[tokio::test]
    async fn fires_from_checks_and_programmatically() {
        let ok = Triggers::new().watch(
            Trigger::DataCorruption,
            "ledger",
            check_fn(|_| async { Outcome::pass("ok") }),
        );
        let ctx = ctx_with(Some(ok.clone()));
        assert_eq!(
            data_corruption_trigger().run(&ctx).await.status(),
            Status::Pass
        );
        assert_eq!(
            security_issue_trigger().run(&ctx).await.status(),
            Status::Warn
        );
        ok.raise(Trigger::SecurityIssue, "CVE-2026-0001 in the TLS stack");
        let o = security_issue_trigger().run(&ctx).await;
        assert_eq!(o.status(), Status::Fail);
        assert!(o.message().contains("CVE-2026-0001"));
        ok.clear(Trigger::SecurityIssue);
        assert_eq!(
            security_issue_trigger().run(&ctx).await.status(),
            Status::Warn
        );
        let bad = Triggers::new().watch(
            Trigger::CriticalFunctionality,
            "checkout",
            check_fn(|_| async { Outcome::fail("500 on /pay") }),
        );
        let o = critical_functionality_trigger()
            .run(&ctx_with(Some(bad)))
            .await;
        assert_eq!(o.status(), Status::Fail);
        assert!(o.message().contains("checkout: 500 on /pay"));
        assert_eq!(
            critical_functionality_trigger()
                .run(&ctx_with(None))
                .await
                .status(),
            Status::Warn
        );
    }
}
