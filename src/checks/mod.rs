//! Built-in checks, one module per domain. Each reads the world only through the
//! [`Host`](crate::Host) of its [`Context`](crate::Context), so it runs the same against a fake
//! root in a unit test and against the real machine.
//!
//! [`standard::production_deployment`](crate::standard::production_deployment) binds them to
//! their items; each can also be built with its own settings and bound to any item.

pub mod cgroup;
#[cfg(feature = "config")]
pub mod config;
pub mod contacts;
pub mod container;
pub mod dependencies;
pub mod env;
pub mod kubernetes;
#[cfg(feature = "logging")]
pub mod logging;
pub mod process;
pub mod secrets;
#[cfg(feature = "tls")]
pub mod tls;
pub mod urls;
pub(crate) mod verdict;
pub mod verification;
#[cfg(feature = "windows")]
pub mod window;

use crate::Check;
use std::sync::Arc;

/// Every built-in check the standard checklist binds, by item id.
pub(crate) fn standard_bindings() -> Vec<(&'static str, Arc<dyn Check>, &'static str)> {
    let mut all = Vec::new();
    let mut add = |from: &'static str, list: Vec<(&'static str, Arc<dyn Check>)>| {
        all.extend(list.into_iter().map(|(id, check)| (id, check, from)));
    };
    add("checks::process", process::standard_bindings());
    add("checks::container", container::standard_bindings());
    add("checks::cgroup", cgroup::standard_bindings());
    add("checks::kubernetes", kubernetes::standard_bindings());
    add("checks::env", env::standard_bindings());
    #[cfg(feature = "config")]
    add("checks::config", config::standard_bindings());
    #[cfg(not(feature = "config"))]
    add("checks::config", feature_off("config", off::CONFIG));
    add("checks::urls", urls::standard_bindings());
    add("checks::contacts", contacts::standard_bindings());
    #[cfg(feature = "windows")]
    add("checks::window", window::standard_bindings());
    #[cfg(not(feature = "windows"))]
    add("checks::window", feature_off("windows", off::WINDOWS));
    add("checks::secrets", secrets::standard_bindings());
    #[cfg(feature = "tls")]
    add("checks::tls", tls::standard_bindings());
    #[cfg(not(feature = "tls"))]
    add("checks::tls", feature_off("tls", off::TLS));
    #[cfg(feature = "logging")]
    add("checks::logging", logging::standard_bindings());
    #[cfg(not(feature = "logging"))]
    add("checks::logging", feature_off("logging", off::LOGGING));
    add("checks::dependencies", dependencies::standard_bindings());
    add("checks::verification", verification::standard_bindings());
    #[cfg(feature = "evidence")]
    add("evidence", crate::evidence::standard_bindings());
    #[cfg(not(feature = "evidence"))]
    add("evidence", feature_off("evidence", off::EVIDENCE));
    add("monitor", crate::monitor::standard_bindings());
    all
}

/// A `pending` check for each of `ids`, saying which feature would verify the item: an item
/// whose check is compiled out never passes quietly.
#[allow(dead_code)]
pub(crate) fn feature_off(
    feature: &'static str,
    ids: &[&'static str],
) -> Vec<(&'static str, Arc<dyn Check>)> {
    let check = feature_off_check(feature);
    ids.iter().map(|id| (*id, check.clone())).collect()
}

/// The `pending` check of an item verified with `feature`, which is off.
#[allow(dead_code)]
pub(crate) fn feature_off_check(feature: &'static str) -> Arc<dyn Check> {
    Arc::new(crate::check_fn(move |_ctx| async move {
        crate::Outcome::pending(format!(
            "this item is checked with the `{feature}` feature, which is off"
        ))
        .remediation(format!("build prodready with `features = [\"{feature}\"]`"))
    }))
}

/// The items each optional module binds, for [`feature_off`] when it is compiled out. A test
/// with every feature on keeps each list equal to what the module binds.
#[allow(dead_code)]
pub(crate) mod off {
    /// `checks::config`.
    pub(crate) const CONFIG: &[&str] = &["pre-deployment.configuration.configuration-validated"];
    /// `checks::window`.
    pub(crate) const WINDOWS: &[&str] = &["deployment.process.deployment-window-scheduled"];
    /// `checks::tls`.
    pub(crate) const TLS: &[&str] = &["security.data-protection.tls-ssl-enabled"];
    /// `checks::logging`.
    pub(crate) const LOGGING: &[&str] = &[
        "infrastructure.monitoring.log-aggregation-set-up",
        "infrastructure.monitoring.error-tracking-configured",
        "security.data-protection.sensitive-data-masked-in-logs",
    ];
    /// `evidence`.
    pub(crate) const EVIDENCE: &[&str] = &[
        "deployment.process.deployment-plan-documented",
        "deployment.process.monitoring-dashboard-ready",
        "deployment.process.rollback-plan-ready",
        "deployment.process.team-notified",
        "deployment.verification.logs-being-collected",
        "infrastructure.kubernetes.network-policies-configured",
        "infrastructure.kubernetes.rbac-policies-set",
        "infrastructure.monitoring.alerts-configured",
        "infrastructure.monitoring.grafana-dashboards-configured",
        "performance.optimization.load-tested",
        "performance.resource-allocation.hpa-configured",
        "performance.resource-allocation.performance-tested",
        "performance.resource-allocation.resource-quotas-set",
        "post-deployment.communication.deployment-status-communicated",
        "post-deployment.communication.documentation-updated",
        "post-deployment.communication.issues-documented",
        "post-deployment.communication.post-mortem-scheduled-if-needed",
        "post-deployment.validation.integration-tests-passing",
        "pre-deployment.code-quality.all-tests-passing-unit-integration-e2e",
        "pre-deployment.code-quality.code-coverage-meets-threshold-80",
        "pre-deployment.code-quality.code-reviewed-and-approved",
        "pre-deployment.code-quality.linter-passes-with-no-errors",
        "pre-deployment.code-quality.no-critical-security-vulnerabilities",
        "pre-deployment.configuration.database-migrations-tested",
        "pre-deployment.documentation.api-documentation-openapi-updated",
        "pre-deployment.documentation.breaking-changes-documented",
        "pre-deployment.documentation.deployment-notes-documented",
        "pre-deployment.documentation.migration-guide-if-needed",
        "pre-deployment.documentation.readme-md-updated",
        "rollback-plan.procedure.communication-plan-ready",
        "rollback-plan.procedure.previous-version-tagged",
        "rollback-plan.procedure.rollback-steps-documented",
        "rollback-plan.procedure.rollback-tested",
        "rollback-plan.procedure.team-trained-on-rollback",
        "security.authentication-authorization.iam-policies-configured",
        "security.authentication-authorization.network-policies-restrict-access",
        "security.container-security.base-image-scanned",
        "security.container-security.image-signed",
        "security.container-security.security-patches-applied",
        "security.data-protection.database-encrypted-at-rest",
        "security.data-protection.pii-handling-compliant",
        "sign-off.development-team-lead",
        "sign-off.devops-team-lead",
        "sign-off.product-owner",
        "sign-off.qa-team-lead",
        "sign-off.security-team",
    ];
}

#[cfg(all(
    test,
    feature = "config",
    feature = "windows",
    feature = "tls",
    feature = "logging",
    feature = "evidence"
))]
mod off_lists {
    use super::*;

    fn ids(list: Vec<(&'static str, Arc<dyn Check>)>) -> Vec<&'static str> {
        let mut ids: Vec<_> = list.into_iter().map(|(id, _)| id).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    fn sorted(list: &[&'static str]) -> Vec<&'static str> {
        let mut v = list.to_vec();
        v.sort_unstable();
        v
    }

    #[test]
    fn each_list_names_what_its_module_binds() {
        assert_eq!(sorted(off::CONFIG), ids(config::standard_bindings()));
        assert_eq!(sorted(off::WINDOWS), ids(window::standard_bindings()));
        assert_eq!(sorted(off::TLS), ids(tls::standard_bindings()));
        assert_eq!(sorted(off::LOGGING), ids(logging::standard_bindings()));
        assert_eq!(
            sorted(off::EVIDENCE),
            ids(crate::evidence::standard_bindings())
        );
    }
}
