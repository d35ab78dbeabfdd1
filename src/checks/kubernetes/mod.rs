//! Kubernetes: the pod's namespace and service account, token automounting, and whether the
//! kubelet's probes reach the endpoints.
//!
//! A process is in a pod when the service-account mount
//! (`/var/run/secrets/kubernetes.io/serviceaccount/`) exists or `KUBERNETES_SERVICE_HOST` is set;
//! outside a pod every check here is `not_applicable`.
//!
//! Whether the service needs the Kubernetes API is declared with a [`KubernetesSpec`]:
//!
//! ```
//! use prodready::checks::kubernetes::KubernetesSpec;
//! let readiness = prodready::Readiness::builder()
//!     .checklist(prodready::standard::production_deployment())
//!     .resource(KubernetesSpec::without_api_access())
//!     .build();
//! # let _ = readiness;
//! ```
//!
//! The service-account token is read only to learn the account's namespace and name (its
//! signature is not verified); no token, and no other claim, ever reaches an outcome.

mod probes;
#[cfg(test)]
mod tests;
mod token;

pub use probes::{
    liveness_probe_configured, probe_endpoints_answering, readiness_probe_configured,
    ProbeEndpointsAnswering, ProbeSeen,
};

use crate::{Check, Context, Host, Outcome};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where the kubelet mounts the pod's service-account token, CA and namespace.
pub const SERVICE_ACCOUNT_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// The standard checklist's items this module verifies, each with its default check.
pub(crate) fn standard_bindings() -> Vec<(&'static str, Arc<dyn Check>)> {
    vec![
        (
            "infrastructure.kubernetes.namespace-created",
            Arc::new(namespace_not_default()),
        ),
        (
            "infrastructure.kubernetes.service-account-configured",
            Arc::new(service_account_not_default()),
        ),
        (
            "infrastructure.kubernetes.health-checks-configured",
            Arc::new(probe_endpoints_answering()),
        ),
        (
            "infrastructure.kubernetes.liveness-probe-configured",
            Arc::new(liveness_probe_configured()),
        ),
        (
            "infrastructure.kubernetes.readiness-probe-configured",
            Arc::new(readiness_probe_configured()),
        ),
        (
            "security.authentication-authorization.service-account-permissions-set",
            Arc::new(token_automount_off()),
        ),
    ]
}

/// What the service needs from Kubernetes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[must_use = "a spec does nothing until it is given to the readiness builder"]
pub struct KubernetesSpec {
    /// Whether the service calls the Kubernetes API (and so needs a service-account token).
    pub needs_api_access: bool,
}

impl KubernetesSpec {
    /// The service never calls the Kubernetes API: no token should be mounted.
    pub fn without_api_access() -> Self {
        Self {
            needs_api_access: false,
        }
    }

    /// The service calls the Kubernetes API with its service account's token.
    pub fn with_api_access() -> Self {
        Self {
            needs_api_access: true,
        }
    }
}

/// Whether the process runs in a Kubernetes pod: the service-account mount exists or
/// `KUBERNETES_SERVICE_HOST` is set.
pub fn in_pod(host: &dyn Host) -> bool {
    host.exists(Path::new(SERVICE_ACCOUNT_DIR)) || host.env("KUBERNETES_SERVICE_HOST").is_some()
}

pub(crate) fn not_in_pod() -> Outcome {
    Outcome::not_applicable(
        "not running in Kubernetes: no service-account mount and no KUBERNETES_SERVICE_HOST",
    )
}

fn sa_file(name: &str) -> PathBuf {
    Path::new(SERVICE_ACCOUNT_DIR).join(name)
}

/// The file's text, `None` when it does not exist, an outcome naming the file otherwise.
fn read_optional(host: &dyn Host, path: &Path) -> Result<Option<Vec<u8>>, Outcome> {
    match host.read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        // The error's kind only: never anything that could echo the contents.
        Err(e) => Err(Outcome::fail(format!(
            "cannot read `{}`: {}",
            path.display(),
            e.kind()
        ))),
    }
}

/// A Kubernetes object name (an RFC 1123 label or subdomain).
fn is_object_name(name: &str) -> bool {
    let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    !name.is_empty()
        && name.len() <= 253
        && name.chars().all(|c| alnum(c) || c == '-' || c == '.')
        && name.starts_with(alnum)
        && name.ends_with(alnum)
}

/// Verifies that the pod's namespace, read from the service-account mount or the downward-API
/// variable (default `POD_NAMESPACE`), is not `default`.
pub fn namespace_not_default() -> NamespaceNotDefault {
    NamespaceNotDefault {
        env: "POD_NAMESPACE".to_owned(),
    }
}

/// The check returned by [`namespace_not_default`].
#[derive(Debug, Clone)]
pub struct NamespaceNotDefault {
    env: String,
}

impl NamespaceNotDefault {
    /// The environment variable the downward API fills with `metadata.namespace`.
    pub fn namespace_env(mut self, name: impl Into<String>) -> Self {
        self.env = name.into();
        self
    }
}

#[async_trait::async_trait]
impl Check for NamespaceNotDefault {
    async fn run(&self, ctx: &Context) -> Outcome {
        let host = ctx.host();
        if !in_pod(host) {
            return not_in_pod();
        }
        let path = sa_file("namespace");
        let from_file = match read_optional(host, &path) {
            Ok(bytes) => bytes.map(|b| String::from_utf8_lossy(&b).trim().to_owned()),
            Err(o) => return o,
        };
        let (namespace, source) = match (from_file, host.env(&self.env)) {
            (Some(ns), _) => (ns, format!("`{}`", path.display())),
            (None, Some(ns)) => (ns.trim().to_owned(), format!("`{}`", self.env)),
            (None, None) => {
                return Outcome::fail(format!(
                    "in a pod, but the namespace cannot be seen: no `{}` and `{}` is not set",
                    path.display(),
                    self.env
                ))
                .remediation(format!(
                    "expose it with the downward API: an env var `{}` with `valueFrom.fieldRef.fieldPath: metadata.namespace`",
                    self.env
                ))
            }
        };
        if !is_object_name(&namespace) {
            return Outcome::fail(format!(
                "{source} does not hold a namespace name ({} characters)",
                namespace.len()
            ));
        }
        let outcome = if namespace == "default" {
            Outcome::fail(format!("the pod runs in the `default` namespace (from {source})"))
                .remediation("deploy the service into a namespace of its own: create it (`kubectl create namespace <name>`) and set `metadata.namespace` on the workload")
        } else {
            Outcome::pass(format!("namespace `{namespace}` (from {source})"))
        };
        outcome
            .detail("namespace", namespace)
            .detail("namespace_source", source.trim_matches('`'))
    }
}

/// Verifies that the pod's service account is not `default`, from the mounted token's
/// (unverified) claims, else from the downward-API variable (default `POD_SERVICE_ACCOUNT`, set
/// from `spec.serviceAccountName`).
///
/// With neither, the check fails, unless the service declared that it needs no API access
/// ([`KubernetesSpec::without_api_access`]): then the missing token is what should be, the
/// account grants the process nothing, and the check passes saying so.
pub fn service_account_not_default() -> ServiceAccountNotDefault {
    ServiceAccountNotDefault {
        env: "POD_SERVICE_ACCOUNT".to_owned(),
        spec: None,
    }
}

/// The check returned by [`service_account_not_default`].
#[derive(Debug, Clone)]
pub struct ServiceAccountNotDefault {
    env: String,
    spec: Option<KubernetesSpec>,
}

impl ServiceAccountNotDefault {
    /// The environment variable the downward API fills with `spec.serviceAccountName`.
    pub fn service_account_env(mut self, name: impl Into<String>) -> Self {
        self.env = name.into();
        self
    }

    /// Uses `spec` instead of the one given to the readiness builder.
    pub fn spec(mut self, spec: KubernetesSpec) -> Self {
        self.spec = Some(spec);
        self
    }
}

#[async_trait::async_trait]
impl Check for ServiceAccountNotDefault {
    async fn run(&self, ctx: &Context) -> Outcome {
        let host = ctx.host();
        if !in_pod(host) {
            return not_in_pod();
        }
        let path = sa_file("token");
        let token = match read_optional(host, &path) {
            Ok(t) => t,
            Err(o) => return o,
        };
        let (name, namespace, source) = match (token, host.env(&self.env)) {
            (Some(token), _) => match token::account_claims(&token) {
                Ok(claims) => (
                    claims.name,
                    claims.namespace,
                    "the mounted token's claims, signature not verified".to_owned(),
                ),
                Err(reason) => {
                    return Outcome::fail(format!(
                        "`{}` is not a service-account token: {reason}",
                        path.display()
                    ))
                }
            },
            (None, Some(name)) => (
                Some(name.trim().to_owned()),
                None,
                format!("`{}`", self.env),
            ),
            (None, None) => {
                let spec = ctx.spec(&self.spec);
                return match spec {
                    Some(spec) if !spec.needs_api_access => Outcome::pass(format!(
                        "no service-account token is mounted and the service declares it needs no API access: the pod's service account grants the process nothing (set `{}` from `spec.serviceAccountName` to see its name)",
                        self.env
                    )),
                    _ => Outcome::fail(format!(
                        "no service-account token at `{}` and `{}` is not set: the service account cannot be seen",
                        path.display(),
                        self.env
                    ))
                    .remediation(format!(
                        "create a ServiceAccount for the service and set `spec.serviceAccountName`; if the service needs no API access, declare `KubernetesSpec::without_api_access()` and expose `{}` with the downward API (`valueFrom.fieldRef.fieldPath: spec.serviceAccountName`)",
                        self.env
                    )),
                };
            }
        };
        let Some(name) = name.filter(|n| is_object_name(n)) else {
            return Outcome::fail(format!("no valid service-account name in {source}"));
        };
        let namespace = namespace.filter(|n| is_object_name(n));
        let place = namespace
            .as_deref()
            .map(|ns| format!(" in namespace `{ns}`"))
            .unwrap_or_default();
        let outcome = if name == "default" {
            Outcome::fail(format!("the pod runs as the `default` service account{place} (from {source})"))
                .remediation("create a ServiceAccount for the service and set `spec.serviceAccountName` on the pod template")
        } else {
            Outcome::pass(format!("service account `{name}`{place} (from {source})"))
        };
        let outcome = outcome.detail("service_account", name);
        match namespace {
            Some(ns) => outcome.detail("namespace", ns),
            None => outcome,
        }
    }
}

/// Verifies token automounting against the service's declaration ([`KubernetesSpec`]): a service
/// that needs no API access must not have a token mounted (`fail`:
/// `automountServiceAccountToken: false`); one that needs access gets a `warn`, since its Role's
/// scope cannot be seen from inside the process (record evidence or an attestation); no
/// declaration is a `warn` asking for one.
pub fn token_automount_off() -> TokenAutomountOff {
    TokenAutomountOff { spec: None }
}

/// The check returned by [`token_automount_off`].
#[derive(Debug, Clone)]
pub struct TokenAutomountOff {
    spec: Option<KubernetesSpec>,
}

impl TokenAutomountOff {
    /// Uses `spec` instead of the one given to the readiness builder.
    pub fn spec(mut self, spec: KubernetesSpec) -> Self {
        self.spec = Some(spec);
        self
    }
}

#[async_trait::async_trait]
impl Check for TokenAutomountOff {
    async fn run(&self, ctx: &Context) -> Outcome {
        let host = ctx.host();
        if !in_pod(host) {
            return not_in_pod();
        }
        let path = sa_file("token");
        let mounted = host.exists(&path);
        let spec = ctx.spec(&self.spec);
        let token = if mounted {
            "a service-account token is mounted"
        } else {
            "no service-account token is mounted"
        };
        let outcome = match (spec.map(|s| s.needs_api_access), mounted) {
            (None, _) => Outcome::warn(format!(
                "{token}, and the service has not declared whether it needs Kubernetes API access"
            ))
            .remediation("declare it: `Readiness::builder().resource(KubernetesSpec::without_api_access())` (or `with_api_access()`)"),
            (Some(false), true) => Outcome::fail(format!(
                "{token} at `{}`, but the service declares it needs no API access",
                path.display()
            ))
            .remediation("set `automountServiceAccountToken: false` on the pod spec (or on its ServiceAccount)"),
            (Some(false), false) => Outcome::pass(format!(
                "{token}, as the service declares it needs no API access"
            )),
            (Some(true), true) => Outcome::warn(format!(
                "{token} for the API access the service declares; the scope of its Role cannot be seen from inside the process"
            ))
            .remediation("bind a Role limited to the verbs and resources the service uses, record evidence (`kubectl auth can-i --list --as=system:serviceaccount:<namespace>:<name>`) or an attestation, and waive this warning with it"),
            (Some(true), false) => Outcome::fail(format!(
                "{token}, but the service declares it needs API access"
            ))
            .remediation("remove `automountServiceAccountToken: false` or mount a projected service-account token"),
        };
        let outcome = outcome.detail("token_mounted", mounted);
        match spec {
            Some(s) => outcome.detail("needs_api_access", s.needs_api_access),
            None => outcome,
        }
    }
}
