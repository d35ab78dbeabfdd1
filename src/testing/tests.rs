//! The presets evaluated with the standard checklist: what a newcomer's pod shows, item by item.

use super::{evaluate, FakeHost};
use crate::{standard, Report, Status};

/// The standard checklist's items the presets speak to: container, Kubernetes, secrets, limits.
fn statuses(report: &Report) -> Vec<(&str, Status)> {
    const PREFIXES: [&str; 8] = [
        "security.container-security.no-root-user",
        "security.container-security.minimal-attack-surface",
        "infrastructure.kubernetes.",
        "performance.resource-allocation.cpu-",
        "performance.resource-allocation.memory-",
        "infrastructure.database.connection-string-in-secrets",
        "security.authentication-authorization.service-account-permissions-set",
        "pre-deployment.configuration.secrets-stored-in-oci-vault",
    ];
    report
        .items
        .iter()
        .filter(|i| PREFIXES.iter().any(|p| i.id.starts_with(p)))
        // Evidence items wait for a bundle whatever the host: not what a preset decides.
        .filter(|i| i.kind != crate::Kind::Evidence)
        .map(|i| (i.id.as_str(), i.status))
        .collect()
}

fn secret_free(report: &Report, secret: &str) {
    let json = serde_json::to_string(report).unwrap_or_default();
    assert!(
        !json.is_empty() && !json.contains(secret),
        "a secret value in the report"
    );
}

#[tokio::test]
async fn a_hardened_pod_passes_what_a_host_can_show() {
    let report = evaluate(standard::production_deployment(), FakeHost::hardened_pod()).await;
    use Status::*;
    assert_eq!(
        statuses(&report),
        [
            (
                "pre-deployment.configuration.secrets-stored-in-oci-vault",
                Warn
            ),
            ("infrastructure.kubernetes.namespace-created", Pass),
            ("infrastructure.kubernetes.service-account-configured", Pass),
            ("infrastructure.kubernetes.resource-limits-set", Pass),
            // The kubelet's probes are seen by the HTTP layer, not on a host.
            (
                "infrastructure.kubernetes.health-checks-configured",
                Pending
            ),
            (
                "infrastructure.kubernetes.liveness-probe-configured",
                Pending
            ),
            (
                "infrastructure.kubernetes.readiness-probe-configured",
                Pending
            ),
            ("infrastructure.database.connection-string-in-secrets", Pass),
            // No token mounted, but whether the service needs the API is a `KubernetesSpec`.
            (
                "security.authentication-authorization.service-account-permissions-set",
                Warn
            ),
            ("security.container-security.no-root-user", Pass),
            ("security.container-security.minimal-attack-surface", Pass),
            (
                "performance.resource-allocation.cpu-requests-limits-set",
                Pass
            ),
            (
                "performance.resource-allocation.memory-requests-limits-set",
                Pass
            ),
        ]
    );
    let surface = report
        .item("security.container-security.minimal-attack-surface")
        .map(|i| i.message.clone())
        .unwrap_or_default();
    assert!(surface.starts_with("all 5 parts pass"), "{surface}");
    secret_free(&report, "s3cr3t");
}

#[tokio::test]
async fn a_root_container_fails_what_a_host_can_show() {
    let report = evaluate(
        standard::production_deployment(),
        FakeHost::root_container(),
    )
    .await;
    use Status::*;
    assert_eq!(
        statuses(&report),
        [
            (
                "pre-deployment.configuration.secrets-stored-in-oci-vault",
                Warn
            ),
            ("infrastructure.kubernetes.namespace-created", NotApplicable),
            (
                "infrastructure.kubernetes.service-account-configured",
                NotApplicable
            ),
            ("infrastructure.kubernetes.resource-limits-set", Fail),
            (
                "infrastructure.kubernetes.health-checks-configured",
                NotApplicable
            ),
            (
                "infrastructure.kubernetes.liveness-probe-configured",
                NotApplicable
            ),
            (
                "infrastructure.kubernetes.readiness-probe-configured",
                NotApplicable
            ),
            ("infrastructure.database.connection-string-in-secrets", Fail),
            (
                "security.authentication-authorization.service-account-permissions-set",
                NotApplicable
            ),
            ("security.container-security.no-root-user", Fail),
            ("security.container-security.minimal-attack-surface", Fail),
            (
                "performance.resource-allocation.cpu-requests-limits-set",
                Fail
            ),
            (
                "performance.resource-allocation.memory-requests-limits-set",
                Fail
            ),
        ]
    );
    let surface = report
        .item("security.container-security.minimal-attack-surface")
        .map(|i| i.message.clone())
        .unwrap_or_default();
    assert!(surface.starts_with("4 of 5 parts fail"), "{surface}");
    assert!(surface.contains("0.0.0.0:8080"), "{surface}");
    secret_free(&report, "hunter2");
}

#[tokio::test]
async fn a_small_checklist_ignores_registered_checks_of_other_items() {
    use crate::registry::{CheckRegistration, Target};
    use crate::{check_fn, Checklist, Item, Outcome};
    fn run(_: &crate::Context) -> futures::future::BoxFuture<'_, Outcome> {
        Box::pin(async { Outcome::pass("registered") })
    }
    static ELSEWHERE: CheckRegistration = CheckRegistration {
        target: Target::Item("payments.ledger.reconciled"),
        function: "svc::ledger_reconciled",
        kind: None,
        severity: None,
        timeout_ms: None,
        ttl_ms: None,
        depends_on: &[],
        tags: &[],
        remediation: None,
        docs: None,
        gate: None,
        replaces_builtin: false,
        run,
    };
    let small = || {
        Checklist::new("small").item(
            Item::new("Service", None, "Cache warm")
                .check(check_fn(|_| async { Outcome::pass("warm") })),
        )
    };
    // What `evaluate` does: only the registrations of the checklist's own items.
    let mut c = small();
    let regs = crate::registry::for_items_of(&c, vec![&ELSEWHERE]);
    crate::registry::apply_registered(&mut c, &regs);
    assert!(c.validate().is_ok());
    // What `build()` does with every registration: an unknown item is a problem.
    let mut c = small();
    crate::registry::apply_registered(&mut c, &[&ELSEWHERE]);
    let errors = c
        .validate()
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(errors.contains("payments.ledger.reconciled"), "{errors}");
    let report = evaluate(small(), FakeHost::new()).await;
    assert_eq!(
        report.item("service.cache-warm").map(|i| i.status),
        Some(Status::Pass)
    );
}

/// The table of what each built-in reads names every item a `checks::` built-in verifies, and
/// every module the standard checklist's built-ins come from.
#[test]
fn the_table_of_reads_lists_every_built_in_check() {
    let table = include_str!("reads.md");
    let rows: Vec<&str> = table.lines().filter(|l| l.starts_with("| ")).collect();
    let checklist = standard::production_deployment();
    let mut missing = Vec::new();
    for item in checklist.items() {
        let Some(by) = item.bound_by() else {
            missing.push(format!("{} has no built-in", item.id()));
            continue;
        };
        let module = by.trim_start_matches("built-in: prodready::");
        let listed = if module.starts_with("checks::") {
            let cell = format!("`{}`", item.id());
            rows.iter()
                .any(|r| r.contains(&cell) && r.contains(&format!("`{module}`")))
        } else {
            rows.iter()
                .any(|r| r.starts_with("| every ") && r.contains(&format!("`{module}`")))
        };
        if !listed {
            missing.push(format!("{} ({module})", item.id()));
        }
    }
    assert!(
        missing.is_empty(),
        "not in src/testing/reads.md: {missing:#?}"
    );
}
