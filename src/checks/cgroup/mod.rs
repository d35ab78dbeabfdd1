//! Resource limits, read from the process's cgroup (v2, v1 or hybrid).
//!
//! Kubernetes writes a container's `resources.limits` into its cgroup (`memory.max`, `cpu.max`) and
//! its CPU request into the CPU share (`cpu.weight`, v1 `cpu.shares`), so the process can see
//! them. A memory *request* only guides the scheduler and leaves no trace in the cgroup, so it
//! cannot be verified from inside the process.
//!
//! [`read_limits`] is the reader the checks use; monitors can reuse it.

mod locate;
pub(crate) mod mountinfo;
mod read;
#[cfg(test)]
mod tests;

pub use read::{
    read_cpu, read_limits, read_memory, CgroupError, CgroupLimits, CgroupVersion, CpuLimits,
    MemoryLimits,
};

use crate::{Check, Context, Outcome, Status};
use std::sync::Arc;

/// The standard checklist's items this module verifies, each with its default check.
pub(crate) fn standard_bindings() -> Vec<(&'static str, Arc<dyn Check>)> {
    vec![
        (
            "infrastructure.kubernetes.resource-limits-set",
            Arc::new(resource_limits_set()),
        ),
        (
            "performance.resource-allocation.cpu-requests-limits-set",
            Arc::new(cpu_requests_limits_set()),
        ),
        (
            "performance.resource-allocation.memory-requests-limits-set",
            Arc::new(memory_requests_limits_set()),
        ),
    ]
}

/// Verifies that the process's cgroup limits both memory and CPU; the limits go into the details
/// (`memory_max_bytes`, `cpu_limit_cores`).
pub fn resource_limits_set() -> ResourceLimitsSet {
    ResourceLimitsSet(())
}

/// Verifies that the cgroup has a CPU quota (the limit) and a CPU share other than the default
/// (the request).
///
/// A share at the Kubernetes minimum (`cpu.weight` 1, `cpu.shares` 2) means no request: `fail`.
/// A share at the kernel default (100, 1024) is a `warn`: it is what a container without a request
/// gets outside Kubernetes, but also what a request of exactly one CPU maps to on cgroup v1 (and
/// on v2 with recent runtimes), so it cannot be told apart from inside.
pub fn cpu_requests_limits_set() -> CpuRequestsLimitsSet {
    CpuRequestsLimitsSet(())
}

/// Verifies that the cgroup limits memory and that usage stays below a share of the limit
/// (default 90%; above is a `warn`, and so are past OOM kills in the cgroup).
pub fn memory_requests_limits_set() -> MemoryRequestsLimitsSet {
    MemoryRequestsLimitsSet { warn_above: 0.9 }
}

/// The check returned by [`resource_limits_set`].
#[derive(Debug, Clone)]
pub struct ResourceLimitsSet(());

/// The check returned by [`cpu_requests_limits_set`].
#[derive(Debug, Clone)]
pub struct CpuRequestsLimitsSet(());

/// The check returned by [`memory_requests_limits_set`].
#[derive(Debug, Clone)]
pub struct MemoryRequestsLimitsSet {
    warn_above: f64,
}

impl MemoryRequestsLimitsSet {
    /// The share of the limit (0 to 1) above which usage is a `warn` (default 0.9).
    pub fn warn_above(mut self, share: f64) -> Self {
        self.warn_above = share.clamp(0.0, 1.0);
        self
    }
}

const REMEDIATION_UNREADABLE: &str = "run the service on Linux with the cgroup filesystem mounted (container runtimes mount it at /sys/fs/cgroup); on cgroup v2 the memory and cpu controllers must be enabled for the container's cgroup";

fn unreadable(e: &CgroupError) -> Outcome {
    Outcome::fail(format!("cannot read the cgroup limits: {e}")).remediation(REMEDIATION_UNREADABLE)
}

/// `512 MiB`, `1.5 GiB`, `800 B`.
pub(crate) fn fmt_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    let shown = format!("{value:.1}");
    let shown = shown.strip_suffix(".0").unwrap_or(&shown);
    format!("{shown} {}", UNITS[unit])
}

fn memory_file(m: &MemoryLimits) -> &'static str {
    match m.version {
        CgroupVersion::V1 => "memory.limit_in_bytes",
        CgroupVersion::V2 => "memory.max",
    }
}

fn cpu_file(c: &CpuLimits) -> &'static str {
    match c.version {
        CgroupVersion::V1 => "cpu.cfs_quota_us",
        CgroupVersion::V2 => "cpu.max",
    }
}

fn no_memory_limit(m: &MemoryLimits) -> String {
    match m.version {
        CgroupVersion::V2 => "no memory limit: `memory.max` is `max`".to_owned(),
        CgroupVersion::V1 => {
            "no memory limit: `memory.limit_in_bytes` is the unlimited value (2^62 or more)"
                .to_owned()
        }
    }
}

fn no_cpu_limit(c: &CpuLimits) -> String {
    match c.version {
        CgroupVersion::V2 => format!("no CPU limit: `cpu.max` is `max {}`", c.period_us),
        CgroupVersion::V1 => "no CPU limit: `cpu.cfs_quota_us` is -1".to_owned(),
    }
}

fn cpu_details(o: Outcome, c: &CpuLimits) -> Outcome {
    o.detail("cpu_limit_cores", c.limit_cores())
        .detail("cpu_quota_us", c.quota_us)
        .detail("cpu_period_us", c.period_us)
        .detail(c.share_file().replace('.', "_"), c.share)
        .detail("cpu_cgroup_dir", c.dir.display().to_string())
        .detail("cgroup_version", c.version.as_str())
}

fn memory_details(o: Outcome, m: &MemoryLimits) -> Outcome {
    o.detail("memory_max_bytes", m.max_bytes)
        .detail("memory_current_bytes", m.current_bytes)
        .detail("memory_cgroup_dir", m.dir.display().to_string())
        .detail("cgroup_version", m.version.as_str())
}

#[async_trait::async_trait]
impl Check for ResourceLimitsSet {
    async fn run(&self, ctx: &Context) -> Outcome {
        let limits = match read_limits(ctx.host()) {
            Ok(l) => l,
            Err(e) => return unreadable(&e),
        };
        let (m, c) = (&limits.memory, &limits.cpu);
        let mut missing = Vec::new();
        let mut fields = Vec::new();
        if m.max_bytes.is_none() {
            missing.push(no_memory_limit(m));
            fields.push("`resources.limits.memory`");
        }
        if c.quota_us.is_none() {
            missing.push(no_cpu_limit(c));
            fields.push("`resources.limits.cpu`");
        }
        let outcome = match (m.max_bytes, c.limit_cores()) {
            (Some(bytes), Some(cores)) => Outcome::pass(format!(
                "memory limit {} (`{}`), CPU limit {cores} cores (`{}`), cgroup {}",
                fmt_bytes(bytes),
                memory_file(m),
                cpu_file(c),
                m.version.as_str()
            )),
            _ => Outcome::fail(missing.join("; "))
                .remediation(format!("set {} on the container", fields.join(" and "))),
        };
        let outcome = cpu_details(memory_details(outcome, m), c);
        match limits.pids_max {
            Some(pids) => outcome.detail("pids_max", pids),
            None => outcome,
        }
    }
}

#[async_trait::async_trait]
impl Check for CpuRequestsLimitsSet {
    async fn run(&self, ctx: &Context) -> Outcome {
        let c = match read_cpu(ctx.host()) {
            Ok(c) => c,
            Err(e) => return unreadable(&e),
        };
        let share_file = c.share_file();
        let mut seen = Vec::new();
        let mut status = Status::Pass;
        let mut fix = Vec::new();
        match c.limit_cores() {
            Some(cores) => seen.push(format!("CPU limit {cores} cores (`{}`)", cpu_file(&c))),
            None => {
                seen.push(no_cpu_limit(&c));
                status = Status::Fail;
                fix.push("set `resources.limits.cpu` on the container");
            }
        }
        if c.share == c.minimum_share() {
            seen.push(format!(
                "no CPU request: `{share_file}` is {}, what Kubernetes sets when `resources.requests.cpu` is absent",
                c.share
            ));
            status = Status::Fail;
            fix.push("set `resources.requests.cpu` on the container");
        } else if c.share == c.default_share() {
            seen.push(format!(
                "`{share_file}` is {}, the kernel default: either no CPU request is set, or the request maps to the default (1 CPU on cgroup v1, and on v2 with recent runtimes)",
                c.share
            ));
            if status == Status::Pass {
                status = Status::Warn;
            }
            fix.push("set `resources.requests.cpu` on the container (a value other than 1 CPU makes it visible here)");
        } else {
            seen.push(format!("CPU request set (`{share_file}` {})", c.share));
        }
        let outcome = Outcome::new(status, seen.join("; "));
        let outcome = if fix.is_empty() {
            outcome
        } else {
            outcome.remediation(fix.join("; "))
        };
        cpu_details(outcome, &c)
    }
}

#[async_trait::async_trait]
impl Check for MemoryRequestsLimitsSet {
    async fn run(&self, ctx: &Context) -> Outcome {
        let m = match read_memory(ctx.host()) {
            Ok(m) => m,
            Err(e) => return unreadable(&e),
        };
        let warn_percent = (self.warn_above * 100.0).round();
        let Some(max) = m.max_bytes else {
            return memory_details(Outcome::fail(no_memory_limit(&m)), &m).remediation(
                "set `resources.limits.memory` (and `resources.requests.memory`) on the container",
            );
        };
        let share = if max == 0 {
            1.0
        } else {
            m.current_bytes as f64 / max as f64
        };
        let percent = (share * 1000.0).round() / 10.0;
        let mut warnings = Vec::new();
        if share > self.warn_above {
            warnings.push(format!(
                "usage {} is {percent}% of the {} limit, above {warn_percent}%",
                fmt_bytes(m.current_bytes),
                fmt_bytes(max)
            ));
        }
        if let Some(kills) = m.oom_kills.filter(|k| *k > 0) {
            let file = match m.version {
                CgroupVersion::V1 => "memory.oom_control",
                CgroupVersion::V2 => "memory.events",
            };
            warnings.push(format!(
                "the kernel OOM-killed {kills} process(es) in this cgroup (`{file}` oom_kill {kills})"
            ));
        }
        let outcome = if warnings.is_empty() {
            Outcome::pass(format!(
                "memory limit {} (`{}`); usage {} ({percent}%)",
                fmt_bytes(max),
                memory_file(&m),
                fmt_bytes(m.current_bytes)
            ))
        } else {
            Outcome::warn(format!(
                "memory limit {}; {}",
                fmt_bytes(max),
                warnings.join("; ")
            ))
            .remediation("raise `resources.limits.memory` (and `resources.requests.memory`) or lower the service's memory use")
        };
        memory_details(outcome, &m)
            .detail("memory_usage_percent", percent)
            .detail("memory_warn_above_percent", warn_percent)
            .detail("oom_kills", m.oom_kills)
    }
}
