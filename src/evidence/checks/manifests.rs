//! Kubernetes manifest items: network policies, HPA, quota, RBAC.

use crate::evidence::bundle::Loaded;
use crate::evidence::parse::k8s;
use crate::evidence::EvidenceSpec;
use crate::{Context, Outcome};

fn objects(files: &[Loaded]) -> Result<Vec<serde_json::Value>, Outcome> {
    super::judges::digested::<Vec<serde_json::Value>>(files, crate::evidence::parse::field::OBJECTS)
        .map(|d| d.into_iter().flatten().collect())
}

pub(super) fn netpol_selects(_: &Context, spec: &EvidenceSpec, files: &[Loaded]) -> Outcome {
    let objs = match objects(files) {
        Ok(o) => o,
        Err(o) => return o,
    };
    let np = k8s::network_policies(&objs, &spec.workload);
    if np.selecting.is_empty() {
        return Outcome::fail("no NetworkPolicy selects the workload")
            .remediation("add a NetworkPolicy whose `spec.podSelector` matches the pod labels");
    }
    Outcome::pass(format!(
        "NetworkPolicies selecting the workload: {}",
        np.selecting.join(", ")
    ))
    .detail("policies", np.selecting)
}

pub(super) fn netpol_restricts(_: &Context, spec: &EvidenceSpec, files: &[Loaded]) -> Outcome {
    let objs = match objects(files) {
        Ok(o) => o,
        Err(o) => return o,
    };
    let np = k8s::network_policies(&objs, &spec.workload);
    let missing: Vec<&str> = [
        (np.default_deny_ingress, "default-deny ingress"),
        (np.default_deny_egress, "default-deny egress"),
        (np.explicit_allows, "explicit allow rules"),
    ]
    .iter()
    .filter(|(ok, _)| !ok)
    .map(|(_, n)| *n)
    .collect();
    let out = if missing.is_empty() {
        Outcome::pass("default-deny ingress and egress, with explicit allows")
    } else {
        Outcome::fail(format!("missing: {}", missing.join(", "))).remediation("add a NetworkPolicy with `podSelector: {}` and `policyTypes: [Ingress, Egress]` and no rules, plus policies allowing the needed traffic")
    };
    out.detail("policies", np.selecting)
}

pub(super) fn hpa(_: &Context, spec: &EvidenceSpec, files: &[Loaded]) -> Outcome {
    let objs = match objects(files) {
        Ok(o) => o,
        Err(o) => return o,
    };
    let h = k8s::hpas(&objs, &spec.workload);
    if h.is_empty() {
        return Outcome::fail("no HorizontalPodAutoscaler targets the workload")
            .remediation("add an HPA whose `spec.scaleTargetRef.name` is the Deployment");
    }
    Outcome::pass(format!("HorizontalPodAutoscaler: {}", h.join(", ")))
}

pub(super) fn quota(_: &Context, _: &EvidenceSpec, files: &[Loaded]) -> Outcome {
    let objs = match objects(files) {
        Ok(o) => o,
        Err(o) => return o,
    };
    let q = k8s::resource_quotas(&objs);
    if q.is_empty() {
        return Outcome::fail("no ResourceQuota in the manifests")
            .remediation("add a ResourceQuota to the namespace");
    }
    Outcome::pass(format!("ResourceQuota: {}", q.join(", ")))
}

pub(super) fn rbac(_: &Context, spec: &EvidenceSpec, files: &[Loaded]) -> Outcome {
    let objs = match objects(files) {
        Ok(o) => o,
        Err(o) => return o,
    };
    let b = k8s::role_bindings(&objs, &spec.workload);
    if b.is_empty() {
        return Outcome::fail("no RoleBinding binds a shipped Role to the service account")
            .remediation(
                "add a Role and a RoleBinding whose subject is the workload's ServiceAccount",
            );
    }
    Outcome::pass(format!("RoleBindings: {}", b.join(", ")))
}
