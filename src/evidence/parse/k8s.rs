//! Kubernetes manifests (multi-document YAML): NetworkPolicy, HorizontalPodAutoscaler,
//! ResourceQuota, Role/RoleBinding.

#[cfg(feature = "digest")]
use super::ParseError;
use crate::evidence::K8sWorkload;
use serde_json::Value;

/// Every object of a multi-document YAML stream (empty documents skipped; `List` flattened),
/// as JSON: the manifests' digest.
#[cfg(feature = "digest")]
pub fn documents(file: &str, text: &str) -> Result<Vec<Value>, ParseError> {
    let mut out = Vec::new();
    let docs: Vec<Value> =
        serde_saphyr::from_multiple(text).map_err(|e| ParseError::yaml(file, &e))?;
    for v in docs {
        if v.is_null() {
            continue;
        }
        if v.get("kind").is_none() {
            return Err(ParseError::new(
                file,
                0,
                0,
                "a document has no `kind`: not a Kubernetes object",
            ));
        }
        match v.get("items").and_then(Value::as_array) {
            Some(items) if kind(&v) == "List" => out.extend(items.iter().cloned()),
            _ => out.push(v),
        }
    }
    Ok(out)
}

fn kind(v: &Value) -> &str {
    v.get("kind").and_then(Value::as_str).unwrap_or_default()
}

fn name(v: &Value) -> &str {
    v.get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(*k))
}

/// Whether a label selector (`matchLabels` only) selects pods with `labels` (empty = all).
fn selects(selector: Option<&Value>, labels: &std::collections::BTreeMap<String, String>) -> bool {
    let Some(m) = selector
        .and_then(|s| s.get("matchLabels"))
        .and_then(Value::as_object)
    else {
        return true;
    };
    m.iter()
        .all(|(k, v)| labels.get(k).map(String::as_str) == v.as_str())
}

/// What the manifests say about network policies for the workload.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkPolicies {
    /// Names of policies selecting the workload.
    pub selecting: Vec<String>,
    /// A policy selecting it denies all ingress by default (ingress type, no rules).
    pub default_deny_ingress: bool,
    /// Same for egress.
    pub default_deny_egress: bool,
    /// Some selecting policy has explicit allow rules.
    pub explicit_allows: bool,
}

/// The network policies that select the workload.
pub fn network_policies(objects: &[Value], w: &K8sWorkload) -> NetworkPolicies {
    let mut out = NetworkPolicies::default();
    for p in objects.iter().filter(|o| kind(o) == "NetworkPolicy") {
        let spec = p.get("spec");
        let pod_selector = spec.and_then(|s| s.get("podSelector"));
        if !selects(pod_selector, &w.labels) {
            continue;
        }
        out.selecting.push(name(p).to_owned());
        let types: Vec<&str> = spec
            .and_then(|s| s.get("policyTypes"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let rules = |k: &str| {
            spec.and_then(|s| s.get(k))
                .and_then(Value::as_array)
                .map_or(0, Vec::len)
        };
        let empty_selector = pod_selector.and_then(|s| s.get("matchLabels")).is_none();
        let ingress = types.contains(&"Ingress") || types.is_empty();
        if ingress && rules("ingress") == 0 && empty_selector {
            out.default_deny_ingress = true;
        }
        if types.contains(&"Egress") && rules("egress") == 0 && empty_selector {
            out.default_deny_egress = true;
        }
        if rules("ingress") + rules("egress") > 0 {
            out.explicit_allows = true;
        }
    }
    out
}

/// Names of HorizontalPodAutoscalers targeting the workload (any, when no name is declared).
pub fn hpas(objects: &[Value], w: &K8sWorkload) -> Vec<String> {
    objects
        .iter()
        .filter(|o| kind(o) == "HorizontalPodAutoscaler")
        .filter(|o| {
            let target = at(o, &["spec", "scaleTargetRef", "name"]).and_then(Value::as_str);
            w.name.as_deref().is_none_or(|n| target == Some(n))
        })
        .map(|o| name(o).to_owned())
        .collect()
}

/// Names of ResourceQuotas.
pub fn resource_quotas(objects: &[Value]) -> Vec<String> {
    objects
        .iter()
        .filter(|o| kind(o) == "ResourceQuota")
        .map(|o| name(o).to_owned())
        .collect()
}

/// RoleBindings (`binding → role`) that bind an existing Role (or ClusterRole) to the
/// workload's service account (any service account when none is declared).
pub fn role_bindings(objects: &[Value], w: &K8sWorkload) -> Vec<String> {
    let roles: Vec<(&str, &str)> = objects
        .iter()
        .filter(|o| matches!(kind(o), "Role" | "ClusterRole"))
        .map(|o| (kind(o), name(o)))
        .collect();
    objects
        .iter()
        .filter(|o| kind(o) == "RoleBinding")
        .filter(|b| {
            at(b, &["subjects"])
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .any(|s| {
                    s.get("kind").and_then(Value::as_str) == Some("ServiceAccount")
                        && w.service_account
                            .as_deref()
                            .is_none_or(|sa| s.get("name").and_then(Value::as_str) == Some(sa))
                })
        })
        .filter_map(|b| {
            let rk = at(b, &["roleRef", "kind"]).and_then(Value::as_str)?;
            let rn = at(b, &["roleRef", "name"]).and_then(Value::as_str)?;
            // A ClusterRole may live outside the shipped manifests; a Role must be shipped.
            (rk == "ClusterRole" || roles.contains(&(rk, rn)))
                .then(|| format!("{} → {rk}/{rn}", name(b)))
        })
        .collect()
}
