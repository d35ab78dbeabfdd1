//! The resource monitor: memory in use against the cgroup limit, CPU throttling from `cpu.stat`,
//! open file descriptors against `RLIMIT_NOFILE`, all read through [`Host`].

use crate::checks::cgroup::{read_limits, CgroupError, CgroupVersion};
use crate::{Check, Context, Host, Outcome};
use std::path::{Path, PathBuf};

/// Why [`sample`] could not read the resources; each names the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResourceError {
    /// The cgroup's memory or CPU files could not be read.
    #[error(transparent)]
    Cgroup(#[from] CgroupError),
    /// A file or directory under `/proc/self` could not be read.
    #[error("cannot read `{}`: {source}", path.display())]
    Read {
        /// What was read.
        path: PathBuf,
        /// Why it failed.
        source: std::io::Error,
    },
    /// `/proc/self/limits` has no `Max open files` line that parses.
    #[error("`{}` has no readable `Max open files` line", path.display())]
    NoFileLimit {
        /// The limits file.
        path: PathBuf,
    },
}

/// What the resource monitor read.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct ResourceSample {
    /// Memory in use (`memory.current` / `memory.usage_in_bytes`).
    pub memory_bytes: u64,
    /// The memory limit; `None` when unlimited.
    pub memory_limit_bytes: Option<u64>,
    /// CPU periods elapsed (`nr_periods`).
    pub cpu_periods: Option<u64>,
    /// Periods in which the cgroup was throttled (`nr_throttled`).
    pub cpu_throttled_periods: Option<u64>,
    /// Time throttled, in microseconds (`throttled_usec`, or v1 `throttled_time` / 1000).
    pub cpu_throttled_us: Option<u64>,
    /// Open file descriptors (`/proc/self/fd`).
    pub open_fds: u64,
    /// The soft `Max open files` limit; `None` when unlimited.
    pub fd_limit: Option<u64>,
}

/// Reads memory, CPU throttling and file descriptors through `host`; the error names the file.
pub fn sample(host: &dyn Host) -> Result<ResourceSample, ResourceError> {
    let limits = read_limits(host)?;
    let stat_path = limits.cpu.dir.join("cpu.stat");
    let stat = host.read_to_string(&stat_path).ok();
    let key = |name: &str| {
        stat.as_deref()?.lines().find_map(|l| {
            l.strip_prefix(name)?
                .strip_prefix(' ')?
                .trim()
                .parse::<u64>()
                .ok()
        })
    };
    let throttled_us = match limits.cpu.version {
        CgroupVersion::V2 => key("throttled_usec"),
        CgroupVersion::V1 => key("throttled_time").map(|ns| ns / 1000),
    };
    let fd_dir = Path::new("/proc/self/fd");
    let open_fds = host
        .read_dir(fd_dir)
        .map_err(|source| ResourceError::Read {
            path: fd_dir.to_owned(),
            source,
        })?
        .len() as u64;
    let limits_path = Path::new("/proc/self/limits");
    let text = host
        .read_to_string(limits_path)
        .map_err(|source| ResourceError::Read {
            path: limits_path.to_owned(),
            source,
        })?;
    let fd_limit = parse_open_files(&text).ok_or_else(|| ResourceError::NoFileLimit {
        path: limits_path.to_owned(),
    })?;
    Ok(ResourceSample {
        memory_bytes: limits.memory.current_bytes,
        memory_limit_bytes: limits.memory.max_bytes,
        cpu_periods: key("nr_periods"),
        cpu_throttled_periods: key("nr_throttled"),
        cpu_throttled_us: throttled_us,
        open_fds,
        fd_limit,
    })
}

/// The soft limit of `Max open files` (`Some(None)`: unlimited).
fn parse_open_files(text: &str) -> Option<Option<u64>> {
    let rest = text
        .lines()
        .find_map(|l| l.strip_prefix("Max open files"))?;
    match rest.split_whitespace().next()? {
        "unlimited" => Some(None),
        n => n.parse().ok().map(Some),
    }
}

/// "Monitor resource usage": memory share of the limit, file descriptor share of the limit,
/// and the share of CPU periods throttled, each against warn/fail thresholds.
#[derive(Debug, Clone)]
pub struct ResourceUsageAcceptable {
    warn_share: f64,
    fail_share: f64,
    throttled_warn_share: f64,
}

/// "Monitor resource usage": warn above 80 % of the memory or fd limit, fail above 95 %, warn
/// when more than 25 % of CPU periods were throttled.
pub fn resource_usage_acceptable() -> ResourceUsageAcceptable {
    ResourceUsageAcceptable {
        warn_share: 0.8,
        fail_share: 0.95,
        throttled_warn_share: 0.25,
    }
}

impl ResourceUsageAcceptable {
    /// The shares of a limit (0..1) above which memory or fds warn and fail.
    pub fn limits_share(mut self, warn: f64, fail: f64) -> Self {
        self.warn_share = warn;
        self.fail_share = fail;
        self
    }

    /// The share of throttled CPU periods above which the check warns.
    pub fn throttled_share(mut self, warn: f64) -> Self {
        self.throttled_warn_share = warn;
        self
    }
}

#[async_trait::async_trait]
impl Check for ResourceUsageAcceptable {
    async fn run(&self, ctx: &Context) -> Outcome {
        let s = match sample(ctx.host()) {
            Ok(s) => s,
            Err(e) => {
                return Outcome::fail(format!("cannot read resource usage: {e}"))
                    .remediation("run on Linux with /proc and the cgroup filesystem mounted")
            }
        };
        let share = |used: u64, limit: Option<u64>| {
            limit.filter(|l| *l > 0).map(|l| used as f64 / l as f64)
        };
        let memory = share(s.memory_bytes, s.memory_limit_bytes);
        let fds = share(s.open_fds, s.fd_limit);
        let throttled = match (s.cpu_throttled_periods, s.cpu_periods) {
            (Some(t), Some(p)) if p > 0 => Some(t as f64 / p as f64),
            _ => None,
        };
        let mut worst = crate::Status::Pass;
        let mut seen = Vec::new();
        let mut problems = Vec::new();
        for (name, value) in [("memory", memory), ("open files", fds)] {
            let Some(v) = value else {
                seen.push(format!("{name}: no limit"));
                continue;
            };
            seen.push(format!("{name} {:.0} % of the limit", v * 100.0));
            if v > self.fail_share {
                worst = crate::Status::Fail;
                problems.push(format!("{name} above {:.0} %", self.fail_share * 100.0));
            } else if v > self.warn_share {
                if worst == crate::Status::Pass {
                    worst = crate::Status::Warn;
                }
                problems.push(format!("{name} above {:.0} %", self.warn_share * 100.0));
            }
        }
        if let Some(t) = throttled {
            seen.push(format!("CPU throttled in {:.0} % of periods", t * 100.0));
            if t > self.throttled_warn_share && worst == crate::Status::Pass {
                worst = crate::Status::Warn;
                problems.push("CPU throttled".into());
            }
        }
        let mut o = Outcome::new(worst, seen.join(", "))
            .detail("memory_bytes", s.memory_bytes)
            .detail("memory_limit_bytes", s.memory_limit_bytes)
            .detail("memory_share", memory)
            .detail("open_fds", s.open_fds)
            .detail("fd_limit", s.fd_limit)
            .detail("fd_share", fds)
            .detail("cpu_periods", s.cpu_periods)
            .detail("cpu_throttled_periods", s.cpu_throttled_periods)
            .detail("cpu_throttled_us", s.cpu_throttled_us)
            .detail("warn_share", self.warn_share)
            .detail("fail_share", self.fail_share);
        if !problems.is_empty() {
            o = o.remediation(format!(
                "{}: raise `resources.limits` (memory, cpu) on the container or the open-files ulimit, or find the leak",
                problems.join(", ")
            ));
        }
        o
    }
}

#[cfg(test)]
mod tests;
