//! The container's attack surface, seen from inside: effective capabilities, `no_new_privs`,
//! seccomp, a read-only root filesystem, and which TCP ports listen.
//!
//! [`minimal_attack_surface`] judges all five parts and says which failed; each part is also a
//! check of its own ([`capabilities_dropped`], [`no_new_privileges`], [`seccomp_filtering`],
//! [`read_only_root`], [`only_declared_ports`]) to bind to items of a service's own checklist.
//!
//! What the service needs is declared with a [`ContainerSpec`], given to the readiness builder
//! (`Readiness::builder().resource(spec)`) or to a check directly:
//!
//! ```
//! use prodready::checks::container::{minimal_attack_surface, ContainerSpec};
//!
//! let spec = ContainerSpec::default().allow_capability("NET_BIND_SERVICE").port(8080);
//! // …either `.resource(spec)` on the readiness builder, or on the check itself:
//! let check = minimal_attack_surface().allow_capability("CAP_NET_BIND_SERVICE").port(8080);
//! # let _ = (spec, check);
//! ```

mod ports;
mod procfs;
#[cfg(all(test, target_endian = "little"))]
mod tests;

pub use ports::{listening_sockets, ListenError, Listener};
pub use procfs::{capability_names, CAPABILITIES};

use crate::checks::verdict::Verdict;
use crate::{Check, Context, Outcome, Status};
use std::sync::Arc;

/// The standard checklist's items this module verifies, each with its default check.
pub(crate) fn standard_bindings() -> Vec<(&'static str, Arc<dyn Check>)> {
    vec![(
        "security.container-security.minimal-attack-surface",
        Arc::new(minimal_attack_surface()),
    )]
}

/// What the service needs from its container: the capabilities it must keep and the TCP ports it
/// (and its pod's sidecars, which share the network namespace) listen on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
#[must_use = "a spec does nothing until it is given to the readiness builder"]
pub struct ContainerSpec {
    /// Capabilities the service needs, `CAP_NET_BIND_SERVICE` or Kubernetes' `NET_BIND_SERVICE`;
    /// any other effective capability fails.
    pub allowed_capabilities: Vec<String>,
    /// The TCP ports allowed to listen. Empty means "not declared": listeners are then a `warn`.
    pub ports: Vec<u16>,
}

impl ContainerSpec {
    /// Allows one capability.
    pub fn allow_capability(mut self, name: impl Into<String>) -> Self {
        self.allowed_capabilities.push(name.into());
        self
    }

    /// Declares a listening port.
    pub fn port(mut self, port: u16) -> Self {
        self.ports.push(port);
        self
    }

    /// Declares several listening ports.
    pub fn ports(mut self, ports: impl IntoIterator<Item = u16>) -> Self {
        self.ports.extend(ports);
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PartKind {
    Capabilities,
    NoNewPrivs,
    Seccomp,
    ReadOnlyRoot,
    Ports,
}

const ALL_PARTS: [PartKind; 5] = [
    PartKind::Capabilities,
    PartKind::NoNewPrivs,
    PartKind::Seccomp,
    PartKind::ReadOnlyRoot,
    PartKind::Ports,
];

/// A check of one or all parts of the attack surface, returned by [`minimal_attack_surface`] and
/// the single-part constructors.
///
/// Its declarations come from [`ContainerSpec`]: the one set on the check (by
/// [`ContainerCheck::spec`], [`ContainerCheck::allow_capability`] or [`ContainerCheck::port`])
/// when there is one, else the one given to the readiness builder, else none (no capability
/// allowed, no port declared).
#[derive(Debug, Clone)]
pub struct ContainerCheck {
    parts: &'static [PartKind],
    spec: Option<ContainerSpec>,
}

impl ContainerCheck {
    /// Uses `spec` instead of the one given to the readiness builder.
    pub fn spec(mut self, spec: ContainerSpec) -> Self {
        self.spec = Some(spec);
        self
    }

    /// Allows one capability (see [`ContainerSpec::allow_capability`]).
    pub fn allow_capability(mut self, name: impl Into<String>) -> Self {
        self.spec = Some(self.spec.unwrap_or_default().allow_capability(name));
        self
    }

    /// Declares a listening port (see [`ContainerSpec::port`]).
    pub fn port(mut self, port: u16) -> Self {
        self.spec = Some(self.spec.unwrap_or_default().port(port));
        self
    }
}

fn check(parts: &'static [PartKind]) -> ContainerCheck {
    ContainerCheck { parts, spec: None }
}

/// Verifies all five parts: no effective capability beyond the allowed ones, `no_new_privs`
/// set, seccomp filtering, a read-only root filesystem, and only declared TCP ports listening.
/// The message names each failing part; the details hold every part's observations.
pub fn minimal_attack_surface() -> ContainerCheck {
    check(&ALL_PARTS)
}

/// Verifies that the effective capabilities (`CapEff`) hold nothing beyond the allowed ones.
pub fn capabilities_dropped() -> ContainerCheck {
    check(&[PartKind::Capabilities])
}

/// Verifies that `no_new_privs` is set (`allowPrivilegeEscalation: false`).
pub fn no_new_privileges() -> ContainerCheck {
    check(&[PartKind::NoNewPrivs])
}

/// Verifies that a seccomp filter (or strict mode) confines the process.
pub fn seccomp_filtering() -> ContainerCheck {
    check(&[PartKind::Seccomp])
}

/// Verifies that the root filesystem is mounted read-only.
pub fn read_only_root() -> ContainerCheck {
    check(&[PartKind::ReadOnlyRoot])
}

/// Verifies that only declared TCP ports listen (`warn` when listeners exist but no port is
/// declared).
pub fn only_declared_ports() -> ContainerCheck {
    check(&[PartKind::Ports])
}

/// One part's outcome, under its name in `details.parts`.
#[derive(Debug)]
pub(crate) struct Part {
    name: &'static str,
    outcome: Outcome,
}

impl Part {
    pub(crate) fn new(name: &'static str, status: Status, message: impl Into<String>) -> Self {
        Self {
            name,
            outcome: Outcome::new(status, message),
        }
    }

    pub(crate) fn remediation(mut self, text: impl Into<String>) -> Self {
        self.outcome = self.outcome.remediation(text);
        self
    }

    pub(crate) fn detail(mut self, key: &str, value: impl serde::Serialize) -> Self {
        self.outcome = self.outcome.detail(key, value);
        self
    }
}

/// `2 of 5 parts fail: capabilities CAP_SYS_ADMIN held; root filesystem writable`, then the parts
/// that warn, or `all 5 parts pass: …`.
fn combine(parts: Vec<Part>) -> Outcome {
    let mut verdict = Verdict::new();
    for part in parts {
        verdict.part(part.name, part.outcome);
    }
    verdict.parts_outcome()
}

#[async_trait::async_trait]
impl Check for ContainerCheck {
    async fn run(&self, ctx: &Context) -> Outcome {
        let host = ctx.host();
        let none = ContainerSpec::default();
        let spec = ctx.spec(&self.spec).unwrap_or(&none);
        let needs_status = self.parts.iter().any(|p| {
            matches!(
                p,
                PartKind::Capabilities | PartKind::NoNewPrivs | PartKind::Seccomp
            )
        });
        let status = needs_status.then(|| procfs::read_status(host));
        let from_status = |name: &'static str, judge: &dyn Fn(&str) -> Part| match &status {
            Some(Ok(text)) => judge(text),
            Some(Err(e)) => Part::new(name, Status::Fail, e.clone()).remediation(procfs::NO_PROC),
            None => Part::new(name, Status::Fail, "`/proc/self/status` was not read"),
        };
        let parts: Vec<Part> = self
            .parts
            .iter()
            .map(|kind| match kind {
                PartKind::Capabilities => {
                    from_status("capabilities", &|s| procfs::capabilities(s, spec))
                }
                PartKind::NoNewPrivs => from_status("no_new_privs", &procfs::no_new_privs),
                PartKind::Seccomp => from_status("seccomp", &procfs::seccomp),
                PartKind::ReadOnlyRoot => procfs::read_only_root(host),
                PartKind::Ports => ports::only_declared_ports(host, spec),
            })
            .collect();
        match <[Part; 1]>::try_from(parts) {
            Ok([one]) => one.outcome,
            Err(parts) => combine(parts),
        }
    }
}
