//! The check that an item is attested.

use super::{proof, Attestation};
use crate::evidence::running::{self, Running};
use crate::evidence::{bundle, EvidenceSpec};
use crate::probes::LatestReport;
use crate::{Check, Context, Outcome, Status};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// The post-mortem item of the standard checklist, which follows the rollback triggers.
pub const POST_MORTEM_ITEM: &str = "post-deployment.communication.post-mortem-scheduled-if-needed";

/// Verifies that item `item` is attested by `role` for the running build.
///
/// The running build is the [`EvidenceSpec`]'s `BuildInfo`, else the version given to
/// `ReadinessBuilder::service`; an attestation for another version or commit fails.
#[derive(Debug, Clone)]
pub struct Attested {
    item: String,
    role: String,
    or_evidence: Option<String>,
    only_if_rollback: bool,
    spec: Option<EvidenceSpec>,
    /// Rollback triggers seen firing by this check (id → message), for the process's lifetime.
    fired: Arc<Mutex<BTreeMap<String, String>>>,
}

/// A check that `item` is attested by someone in `role`.
pub fn attested(item: impl Into<String>, role: impl Into<String>) -> Attested {
    Attested {
        item: item.into(),
        role: role.into(),
        or_evidence: None,
        only_if_rollback: false,
        spec: None,
        fired: Arc::default(),
    }
}

impl Attested {
    /// An artifact of `kind` in the bundle satisfies the item as well, when its content proves
    /// it: see [`proof`](super::proof) for what each kind must contain. An artifact of a kind
    /// without a rule is `warn` ("artifact present but not judged"), never `pass`.
    pub fn or_evidence(mut self, kind: impl Into<String>) -> Self {
        self.or_evidence = Some(kind.into());
        self
    }

    /// Needed only when a rollback trigger fired. The check reads the last report
    /// ([`LatestReport`]): before any report it is `pending`; once a trigger has fired (in any
    /// report this check saw, or declared with [`EvidenceSpec::rollback_fired`]) the attestation
    /// is needed; while triggers watch and none fired, `not_applicable`. Attestation items are
    /// evaluated once per process unless their item has a TTL: give it one (`Item::ttl`), as the
    /// standard checklist does for its post-mortem item.
    pub fn only_if_rollback(mut self) -> Self {
        self.only_if_rollback = true;
        self
    }

    /// Uses `spec` instead of the context's [`EvidenceSpec`] resource.
    pub fn spec(mut self, spec: EvidenceSpec) -> Self {
        self.spec = Some(spec);
        self
    }

    /// `Ok(reasons)` when a rollback fired; else the outcome to report (`not_applicable` when
    /// triggers watch and none fired, `pending` when that cannot be seen).
    fn rollback_fired(&self, ctx: &Context, spec: &EvidenceSpec) -> Result<Vec<String>, Outcome> {
        let declare = "install the monitors behind the rollback triggers (prodready::monitor), or declare EvidenceSpec::rollback_fired(true) for a rollback this process cannot see";
        if spec.rollback_fired {
            return Ok(vec![
                "a rollback was declared with EvidenceSpec::rollback_fired".into(),
            ]);
        }
        let Some(latest) = ctx.resource::<LatestReport>() else {
            return Err(Outcome::pending(
                "cannot see the rollback triggers: the check runs outside a Readiness, which keeps the last report",
            )
            .remediation(declare));
        };
        let Some(report) = latest.get() else {
            return Err(Outcome::pending(
                "no evaluation has finished yet: cannot tell whether a rollback trigger fired",
            ));
        };
        let mut fired = self.fired.lock().unwrap_or_else(|p| p.into_inner());
        for r in &report.rollback.reasons {
            fired
                .entry(r.id.clone())
                .or_insert_with(|| r.message.clone());
        }
        if !fired.is_empty() {
            return Ok(fired.iter().map(|(id, m)| format!("{id}: {m}")).collect());
        }
        let triggers: Vec<_> = report
            .items
            .iter()
            .filter(|i| i.is_rollback_trigger())
            .collect();
        let watching: Vec<&str> = triggers
            .iter()
            .filter(|i| matches!(i.status, Status::Pass | Status::Warn))
            .map(|i| i.id.as_str())
            .collect();
        if watching.is_empty() {
            let why = if triggers.is_empty() {
                "the checklist has no rollback trigger: nothing tells whether a rollback is needed"
                    .to_owned()
            } else {
                format!(
                    "no rollback trigger is watching yet ({} not evaluated to pass): cannot tell whether a rollback is needed",
                    triggers.len()
                )
            };
            return Err(Outcome::pending(why).remediation(declare));
        }
        Err(Outcome::not_applicable(format!(
            "no rollback trigger fired in the last evaluation ({} watching): no post-mortem is needed",
            watching.len()
        ))
        .detail("triggers_watching", watching)
        .detail("evaluated_at", &report.evaluated_at))
    }

    /// The evidence alternative, judged; `None` when the item takes none.
    fn evidence(
        &self,
        ctx: &Context,
        spec: &EvidenceSpec,
        running: Option<&Running>,
    ) -> Option<Outcome> {
        let kind = self.or_evidence.as_deref()?;
        Some(match bundle::load(ctx, spec, kind, &proof::how(kind)) {
            Ok(files) => proof::judge(kind, ctx, spec, running, &files),
            Err(o) => o,
        })
    }
}

#[async_trait::async_trait]
impl Check for Attested {
    async fn run(&self, ctx: &Context) -> Outcome {
        let spec = EvidenceSpec::for_check(&self.spec, ctx);
        let reasons = if self.only_if_rollback {
            match self.rollback_fired(ctx, spec) {
                Ok(reasons) => Some(reasons),
                Err(outcome) => return outcome,
            }
        } else {
            None
        };
        let running = Running::of(ctx, spec);
        let evidence = self.evidence(ctx, spec, running.as_ref());
        let out = match evidence {
            Some(e) if e.status() == Status::Pass => e,
            evidence => {
                let att = self.attestation(ctx, spec, running.as_ref());
                match evidence {
                    Some(e) if att.status() != Status::Pass => either(e, att),
                    _ => att,
                }
            }
        };
        let out = match running {
            Some(_) => out,
            None => running::unknown_build(out),
        };
        match reasons {
            Some(r) if out.status() != Status::Pass => {
                let mut o = out;
                o.message = format!(
                    "a rollback trigger fired ({}), so a post-mortem is needed: {}",
                    r.join("; "),
                    o.message
                );
                o.detail("rollback_reasons", r)
            }
            Some(r) => out.detail("rollback_reasons", r),
            None => out,
        }
    }
}

/// Neither the evidence nor an attestation passed: a shipped artifact's verdict (`fail`, `warn`)
/// is reported, a failing attestation makes it `fail`, a missing artifact leaves the
/// attestation's verdict.
fn either(evidence: Outcome, att: Outcome) -> Outcome {
    if evidence.status() == Status::Pending {
        let rem = match (att.get_remediation(), evidence.get_remediation()) {
            (Some(a), Some(e)) => format!("{a}; or ship evidence: {e}"),
            (a, e) => a.or(e).unwrap_or_default().to_owned(),
        };
        return att.remediation(rem);
    }
    let status = if att.status() == Status::Fail {
        Status::Fail
    } else {
        evidence.status()
    };
    let rem = match (evidence.get_remediation(), att.get_remediation()) {
        (Some(e), Some(a)) => Some(format!("{e}; or attest the item: {a}")),
        (e, a) => e.or(a).map(str::to_owned),
    };
    let mut out = evidence;
    out.status = status;
    out.message = format!(
        "{}; and no valid attestation: {}",
        out.message,
        att.message()
    );
    out.remediation = rem;
    out
}

impl Attested {
    fn attestation(
        &self,
        ctx: &Context,
        spec: &EvidenceSpec,
        running: Option<&Running>,
    ) -> Outcome {
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
        let now = ctx.host().now();
        let running = running.map(|r| (r.version.as_str(), r.commit.as_deref()));
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
                    let out = Outcome::pass(format!(
                        "attested by {} ({}), {signed}, for {}",
                        a.person, a.role, a.version
                    ))
                    .detail("file", path.display().to_string())
                    .detail("role", &a.role)
                    .detail("signed_at", &a.signed_at);
                    return match &a.expires_at {
                        Some(exp) => out.detail("expires_at", exp),
                        None => out,
                    };
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
pub(crate) fn bindings() -> Vec<(&'static str, Arc<dyn Check>)> {
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
            if *id == POST_MORTEM_ITEM {
                c = c.only_if_rollback();
            }
            (*id, Arc::new(c) as Arc<dyn Check>)
        })
        .collect()
}
