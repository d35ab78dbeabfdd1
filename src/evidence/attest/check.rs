//! The check that an item is attested.

use super::Attestation;
use crate::evidence::{bundle, EvidenceSpec};
use crate::{Check, Context, Outcome};
use std::path::PathBuf;
use std::sync::Arc;

/// Verifies that item `item` is attested by `role` for the running build.
#[derive(Debug, Clone)]
pub struct Attested {
    item: String,
    role: String,
    or_evidence: Option<String>,
    only_if_rollback: bool,
    spec: Option<EvidenceSpec>,
}

/// A check that `item` is attested by someone in `role`.
pub fn attested(item: impl Into<String>, role: impl Into<String>) -> Attested {
    Attested {
        item: item.into(),
        role: role.into(),
        or_evidence: None,
        only_if_rollback: false,
        spec: None,
    }
}

impl Attested {
    /// An artifact of `kind` in the bundle satisfies the item as well.
    pub fn or_evidence(mut self, kind: impl Into<String>) -> Self {
        self.or_evidence = Some(kind.into());
        self
    }

    /// Needed only when a rollback trigger fired; otherwise not applicable.
    pub fn only_if_rollback(mut self) -> Self {
        self.only_if_rollback = true;
        self
    }

    /// Uses `spec` instead of the context's [`EvidenceSpec`] resource.
    pub fn spec(mut self, spec: EvidenceSpec) -> Self {
        self.spec = Some(spec);
        self
    }
}

#[async_trait::async_trait]
impl Check for Attested {
    async fn run(&self, ctx: &Context) -> Outcome {
        let spec = EvidenceSpec::for_check(self.spec.as_ref(), ctx);
        if self.only_if_rollback && !spec.rollback_fired {
            return Outcome::not_applicable("no rollback trigger fired: no post-mortem is needed");
        }
        if let Some(kind) = &self.or_evidence {
            if let Ok(found) = bundle::load(ctx, spec, kind, "") {
                let files: Vec<String> = found.iter().map(|f| f.shown()).collect();
                return Outcome::pass(format!("evidence `{kind}`: {}", files.join(", ")))
                    .detail("files", files);
            }
        }
        let dir = spec.resolved_dir(ctx.host()).join("attestations");
        let how = format!(
            "run `prodready attest --item {} --role {} --key <secret key file>` and put the file in {}",
            self.item,
            self.role,
            dir.display()
        );
        let entries = match ctx.host().read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Outcome::fail(format!("cannot read {}: {e}", dir.display())),
        };
        let mut failures: Vec<(PathBuf, String)> = Vec::new();
        let now =
            jiff::Timestamp::try_from(ctx.host().now()).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        let running = spec
            .build
            .as_ref()
            .map(|b| (b.version.as_str(), b.commit.as_deref()));
        for path in entries
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
        {
            let parsed = ctx
                .host()
                .read(&path)
                .map_err(|e| e.to_string())
                .and_then(|b| {
                    serde_json::from_slice::<Attestation>(&b)
                        .map_err(|e| format!("line {} column {}: {e}", e.line(), e.column()))
                });
            let a = match parsed {
                Ok(a) => a,
                Err(e) => {
                    failures.push((path, format!("malformed attestation: {e}")));
                    continue;
                }
            };
            if a.item != self.item {
                continue;
            }
            let unsigned_ok = spec.unsigned_allowed.contains(&self.item);
            match a.verify(&spec.keys, &self.role, unsigned_ok, now, running) {
                Ok(()) => {
                    let signed = if a.signature.is_some() {
                        "signed"
                    } else {
                        "unsigned (allowed by the checklist)"
                    };
                    return Outcome::pass(format!(
                        "attested by {} ({}), {signed}, for {}",
                        a.person, a.role, a.version
                    ))
                    .detail("file", path.display().to_string())
                    .detail("role", &a.role)
                    .detail("signed_at", &a.signed_at);
                }
                Err(e) => failures.push((path, e.to_string())),
            }
        }
        if let Some((path, why)) = failures.into_iter().next() {
            let keys_hint = if spec.keys.is_empty() {
                " (no trusted keys are configured: add them with EvidenceSpec::trusted_keys)"
            } else {
                ""
            };
            return Outcome::fail(format!("{}: {why}{keys_hint}", path.display()))
                .detail("file", path.display().to_string())
                .detail("role_required", &self.role)
                .remediation(how);
        }
        Outcome::pending(format!(
            "not attested yet: no attestation of `{}` by role `{}` in {}",
            self.item,
            self.role,
            dir.display()
        ))
        .remediation(how)
    }
}

/// The attestation rows of the standard checklist, with their roles.
pub fn bindings() -> Vec<(&'static str, Arc<dyn Check>)> {
    let rows: &[(&'static str, &str, Option<&str>)] = &[
        (
            "pre-deployment.code-quality.code-reviewed-and-approved",
            "reviewer",
            None,
        ),
        (
            "infrastructure.monitoring.grafana-dashboards-configured",
            "devops",
            Some("dashboards"),
        ),
        (
            "security.authentication-authorization.iam-policies-configured",
            "security",
            None,
        ),
        (
            "security.data-protection.database-encrypted-at-rest",
            "security",
            None,
        ),
        (
            "security.data-protection.pii-handling-compliant",
            "security",
            None,
        ),
        (
            "deployment.process.team-notified",
            "devops",
            Some("notification"),
        ),
        (
            "deployment.process.monitoring-dashboard-ready",
            "devops",
            Some("dashboards"),
        ),
        (
            "deployment.verification.logs-being-collected",
            "devops",
            Some("log-shipping"),
        ),
        (
            "post-deployment.communication.deployment-status-communicated",
            "devops",
            None,
        ),
        (
            "post-deployment.communication.issues-documented",
            "devops",
            None,
        ),
        (
            "post-deployment.communication.post-mortem-scheduled-if-needed",
            "devops",
            None,
        ),
        (
            "rollback-plan.procedure.rollback-tested",
            "devops",
            Some("rollback-rehearsal"),
        ),
        (
            "rollback-plan.procedure.team-trained-on-rollback",
            "devops",
            None,
        ),
        (
            "sign-off.development-team-lead",
            "development-team-lead",
            None,
        ),
        ("sign-off.qa-team-lead", "qa-team-lead", None),
        ("sign-off.devops-team-lead", "devops-team-lead", None),
        ("sign-off.security-team", "security-team", None),
        ("sign-off.product-owner", "product-owner", None),
    ];
    rows.iter()
        .map(|(id, role, ev)| {
            let mut c = attested(*id, *role);
            if let Some(kind) = ev {
                c = c.or_evidence(*kind);
            }
            if id.ends_with("post-mortem-scheduled-if-needed") {
                c = c.only_if_rollback();
            }
            (*id, Arc::new(c) as Arc<dyn Check>)
        })
        .collect()
}
