//! The evidence checks: one [`Evidence`] per item, reading an artifact kind from the bundle and
//! judging it.

mod docs;
mod judges;
mod manifests;

use super::bundle::{self, Loaded};
use super::running::{self, Running};
use super::EvidenceSpec;
use crate::{Check, Context, Outcome};
use std::sync::Arc;

type Judge = fn(&Context, &EvidenceSpec, &[Loaded]) -> Outcome;

/// A check of one item from the evidence bundle's artifacts of one kind.
#[derive(Clone)]
pub struct Evidence {
    kind: &'static str,
    how: &'static str,
    judge: Judge,
    spec: Option<EvidenceSpec>,
    pre: Option<fn(&Context, &EvidenceSpec) -> Option<Outcome>>,
}

impl std::fmt::Debug for Evidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Evidence")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl Evidence {
    fn new(kind: &'static str, how: &'static str, judge: Judge) -> Self {
        Self {
            kind,
            how,
            judge,
            spec: None,
            pre: None,
        }
    }

    /// Uses `spec` instead of the context's [`EvidenceSpec`] resource.
    pub fn spec(mut self, spec: EvidenceSpec) -> Self {
        self.spec = Some(spec);
        self
    }

    /// The artifact kind it reads.
    pub fn kind(&self) -> &'static str {
        self.kind
    }
}

#[async_trait::async_trait]
impl Check for Evidence {
    async fn run(&self, ctx: &Context) -> Outcome {
        let spec = EvidenceSpec::for_check(&self.spec, ctx);
        if let Some(out) = self.pre.and_then(|pre| pre(ctx, spec)) {
            return out;
        }
        let out = match bundle::load(ctx, spec, self.kind, self.how) {
            Ok(files) => (self.judge)(ctx, spec, &files),
            Err(outcome) => outcome,
        };
        match Running::of(ctx, spec) {
            Some(_) => out,
            None => running::unknown_build(out),
        }
    }
}

macro_rules! evidence_fns {
    ($($(#[$m:meta])* $name:ident => $kind:literal, $how:literal, $judge:path;)*) => {$(
        $(#[$m])*
        pub fn $name() -> Evidence { Evidence::new($kind, $how, $judge) }
    )*};
}

evidence_fns! {
    /// Test reports (JUnit XML or libtest/nextest JSON): at least one test ran, no failure.
    tests_passing => "tests", "run `cargo nextest run --profile ci` with JUnit output (or `cargo test -- -Z unstable-options --format json`) and save the report", judges::tests;
    /// Post-deployment integration test report (JUnit): zero failures.
    integration_tests_passing => "integration-tests", "run the post-deployment integration suite with JUnit output", judges::tests;
    /// Migration test report (JUnit case) for the embedded migration set.
    migrations_tested => "migrations-test", "apply the migrations to a scratch database in CI and save the JUnit report", judges::tests;
    /// cargo-audit / OSV / Trivy / Grype: no finding at or above the severity threshold.
    no_vulnerabilities => "audit", "run `cargo audit --json > audit.json` (or osv-scanner/Trivy/Grype JSON)", judges::vulns;
    /// Trivy/Grype image scan: no finding at or above the severity threshold.
    base_image_scanned => "image-scan", "run `trivy image --format json IMAGE` or `grype -o json IMAGE`", judges::vulns;
    /// Image scan without fixable high/critical OS findings, and a build younger than the limit.
    security_patches_applied => "image-scan", "run `trivy image --format json IMAGE` or `grype -o json IMAGE`", judges::patches;
    /// clippy JSON or SARIF: zero error-level results.
    lint_clean => "lint", "run `cargo clippy --message-format=json > clippy.json` (or save a SARIF log)", judges::lint;
    /// lcov or Cobertura: line coverage strictly above the threshold.
    coverage_above_threshold => "coverage", "run `cargo llvm-cov --lcov --output-path lcov.info` (or grcov / Cobertura)", judges::coverage;
    /// A Prometheus rules file with at least one alerting rule.
    alerts_configured => "alerts", "ship the service's Prometheus rules file", judges::alerts;
    /// k6 summary meeting the latency and error thresholds.
    performance_tested => "load-test", "run k6 with `--summary-export summary.json`", judges::load;
    /// Kubernetes manifests: a NetworkPolicy selects the workload.
    network_policies_configured => "manifests", "render the deployment's manifests (`kubectl kustomize` / `helm template`) into the bundle", manifests::netpol_selects;
    /// Kubernetes manifests: default-deny ingress and egress plus explicit allows.
    network_policies_restrict => "manifests", "render the deployment's manifests into the bundle", manifests::netpol_restricts;
    /// Kubernetes manifests: a HorizontalPodAutoscaler targets the workload.
    hpa_configured => "manifests", "render the deployment's manifests into the bundle", manifests::hpa;
    /// Kubernetes manifests: a ResourceQuota.
    resource_quotas_set => "manifests", "render the deployment's manifests into the bundle", manifests::quota;
    /// Kubernetes manifests: a RoleBinding of a shipped Role to the service account.
    rbac_policies_set => "manifests", "render the deployment's manifests into the bundle", manifests::rbac;
    /// A detached signature over the image digest or the binary verifies.
    image_signed => "image-signature", "sign the image digest string with the release key (ed25519 or P-256) and save {\"subject\", \"algorithm\", \"signature\"} JSON", judges::image_signature;
    /// A deployment plan file for this version.
    deployment_plan_documented => "deployment-plan", "write the deployment plan for this version", judges::non_empty;
    /// A rollback document naming the previous version.
    rollback_plan_ready => "rollback-plan", "write the rollback plan naming the previous version", docs::rollback_plan;
    /// A rollback document with at least one step.
    rollback_steps_documented => "rollback-plan", "write the rollback plan with numbered steps", docs::rollback_steps;
    /// A communication plan file.
    communication_plan_ready => "communication-plan", "write the rollback communication plan", judges::non_empty;
    /// README exists, is non-empty, and changed since the previous tag.
    readme_updated => "readme", "copy README.md into the bundle", docs::readme;
    /// OpenAPI document whose info.version is the service version.
    openapi_updated => "openapi", "export the OpenAPI document into the bundle", docs::openapi;
    /// Deployment notes for this version (file or CHANGELOG section).
    deployment_notes_documented => "changelog", "copy CHANGELOG.md (keep-a-changelog) into the bundle", docs::notes;
    /// CHANGELOG section for this version; a major bump lists breaking changes.
    breaking_changes_documented => "changelog", "copy CHANGELOG.md (keep-a-changelog) into the bundle", docs::breaking;
}

/// Migration guide, needed only on a major version bump.
pub fn migration_guide_if_needed() -> Evidence {
    let mut e = Evidence::new(
        "migration-guide",
        "write MIGRATION.md for this major version",
        judges::non_empty,
    );
    e.pre = Some(docs::migration_pre);
    e
}

/// Build info records the previous release tag.
pub fn previous_version_tagged() -> Evidence {
    let mut e = Evidence::new("build-info", "", judges::non_empty);
    e.pre = Some(docs::previous_tag);
    e
}

/// Load tested: the same load-test report as performance, for this version.
pub fn load_tested() -> Evidence {
    performance_tested()
}

/// Documentation updated: README, OpenAPI, notes and changelog, the worst of the four.
pub fn documentation_updated() -> impl Check {
    crate::check_fn(|ctx| async move {
        let parts = [
            readme_updated(),
            openapi_updated(),
            deployment_notes_documented(),
            breaking_changes_documented(),
        ];
        let mut outs = Vec::new();
        for p in &parts {
            outs.push((p.kind, p.run(&ctx).await));
        }
        judges::worst(outs)
    })
}

pub(crate) fn bindings() -> Vec<(&'static str, Arc<dyn Check>)> {
    fn a(c: impl Check) -> Arc<dyn Check> {
        Arc::new(c)
    }
    vec![
        (
            "pre-deployment.code-quality.all-tests-passing-unit-integration-e2e",
            a(tests_passing()),
        ),
        (
            "pre-deployment.code-quality.no-critical-security-vulnerabilities",
            a(no_vulnerabilities()),
        ),
        (
            "pre-deployment.code-quality.linter-passes-with-no-errors",
            a(lint_clean()),
        ),
        (
            "pre-deployment.code-quality.code-coverage-meets-threshold-80",
            a(coverage_above_threshold()),
        ),
        (
            "pre-deployment.configuration.database-migrations-tested",
            a(migrations_tested()),
        ),
        (
            "pre-deployment.documentation.readme-md-updated",
            a(readme_updated()),
        ),
        (
            "pre-deployment.documentation.api-documentation-openapi-updated",
            a(openapi_updated()),
        ),
        (
            "pre-deployment.documentation.deployment-notes-documented",
            a(deployment_notes_documented()),
        ),
        (
            "pre-deployment.documentation.breaking-changes-documented",
            a(breaking_changes_documented()),
        ),
        (
            "pre-deployment.documentation.migration-guide-if-needed",
            a(migration_guide_if_needed()),
        ),
        (
            "infrastructure.kubernetes.rbac-policies-set",
            a(rbac_policies_set()),
        ),
        (
            "infrastructure.kubernetes.network-policies-configured",
            a(network_policies_configured()),
        ),
        (
            "infrastructure.monitoring.alerts-configured",
            a(alerts_configured()),
        ),
        (
            "security.authentication-authorization.network-policies-restrict-access",
            a(network_policies_restrict()),
        ),
        (
            "security.container-security.base-image-scanned",
            a(base_image_scanned()),
        ),
        (
            "security.container-security.security-patches-applied",
            a(security_patches_applied()),
        ),
        (
            "security.container-security.image-signed",
            a(image_signed()),
        ),
        (
            "performance.resource-allocation.hpa-configured",
            a(hpa_configured()),
        ),
        (
            "performance.resource-allocation.resource-quotas-set",
            a(resource_quotas_set()),
        ),
        (
            "performance.resource-allocation.performance-tested",
            a(performance_tested()),
        ),
        ("performance.optimization.load-tested", a(load_tested())),
        (
            "deployment.process.deployment-plan-documented",
            a(deployment_plan_documented()),
        ),
        (
            "deployment.process.rollback-plan-ready",
            a(rollback_plan_ready()),
        ),
        (
            "post-deployment.validation.integration-tests-passing",
            a(integration_tests_passing()),
        ),
        (
            "post-deployment.communication.documentation-updated",
            a(documentation_updated()),
        ),
        (
            "rollback-plan.procedure.rollback-steps-documented",
            a(rollback_steps_documented()),
        ),
        (
            "rollback-plan.procedure.previous-version-tagged",
            a(previous_version_tagged()),
        ),
        (
            "rollback-plan.procedure.communication-plan-ready",
            a(communication_plan_ready()),
        ),
    ]
}
