//! Reading the process's cgroup limits, v1 or v2, through the [`Host`].

use super::locate::locate;
use crate::Host;
use std::path::{Path, PathBuf};

/// cgroup v1 prints "no limit" as the largest page-aligned signed 64-bit value (or close to it).
const V1_UNLIMITED_FROM: u64 = 1 << 62;

/// Why the cgroup limits could not be read. Messages name the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CgroupError {
    /// A file could not be read (absent: not Linux, no cgroup filesystem, controller not enabled).
    #[error("cannot read `{}`: {source}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file does not have the format the kernel writes.
    #[error("`{}` is malformed: {reason}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        reason: String,
    },
    /// No mounted hierarchy holds the controller the process's cgroup needs.
    #[error("no mounted cgroup hierarchy provides the `{controller}` controller: {reason}")]
    NoController {
        /// `memory`, `cpu` or `pids`.
        controller: &'static str,
        /// What was looked at.
        reason: String,
    },
}

/// Which cgroup interface a controller was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CgroupVersion {
    /// The legacy per-controller hierarchies (`memory.limit_in_bytes`, `cpu.cfs_quota_us`).
    V1,
    /// The unified hierarchy (`memory.max`, `cpu.max`).
    V2,
}

impl CgroupVersion {
    /// `"v1"` or `"v2"`.
    pub fn as_str(self) -> &'static str {
        match self {
            CgroupVersion::V1 => "v1",
            CgroupVersion::V2 => "v2",
        }
    }
}

/// The memory controller of the process's cgroup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryLimits {
    /// The interface read.
    pub version: CgroupVersion,
    /// The cgroup directory read (host path, e.g. `/sys/fs/cgroup`).
    pub dir: PathBuf,
    /// `memory.max` / `memory.limit_in_bytes`; `None` when unlimited.
    pub max_bytes: Option<u64>,
    /// `memory.current` / `memory.usage_in_bytes`.
    pub current_bytes: u64,
    /// The `oom_kill` count of `memory.events` / `memory.oom_control`, when the kernel reports it.
    pub oom_kills: Option<u64>,
}

/// The CPU controller of the process's cgroup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpuLimits {
    /// The interface read.
    pub version: CgroupVersion,
    /// The cgroup directory read.
    pub dir: PathBuf,
    /// The quota per period (`cpu.max` first field, `cpu.cfs_quota_us`); `None` when unlimited.
    pub quota_us: Option<u64>,
    /// The period (`cpu.max` second field, `cpu.cfs_period_us`).
    pub period_us: u64,
    /// The relative share: v2 `cpu.weight` (default 100) or v1 `cpu.shares` (default 1024).
    pub share: u64,
}

impl CpuLimits {
    /// The limit in CPUs (quota / period); `None` when unlimited.
    pub fn limit_cores(&self) -> Option<f64> {
        let quota = self.quota_us?;
        (self.period_us > 0).then(|| quota as f64 / self.period_us as f64)
    }

    /// The file holding [`CpuLimits::share`]: `cpu.weight` or `cpu.shares`.
    pub fn share_file(&self) -> &'static str {
        match self.version {
            CgroupVersion::V1 => "cpu.shares",
            CgroupVersion::V2 => "cpu.weight",
        }
    }

    /// The kernel's default share: 100 (v2) or 1024 (v1).
    pub fn default_share(&self) -> u64 {
        match self.version {
            CgroupVersion::V1 => 1024,
            CgroupVersion::V2 => 100,
        }
    }

    /// The share Kubernetes gives a container without a CPU request: 1 (v2) or 2 (v1).
    pub fn minimum_share(&self) -> u64 {
        match self.version {
            CgroupVersion::V1 => 2,
            CgroupVersion::V2 => 1,
        }
    }
}

/// The memory and CPU limits of the process's cgroup, and its pids limit when that controller is
/// mounted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CgroupLimits {
    /// The memory controller.
    pub memory: MemoryLimits,
    /// The CPU controller.
    pub cpu: CpuLimits,
    /// `pids.max` (`Some(None)`: unlimited); `None` when the pids controller could not be read.
    pub pids_max: Option<Option<u64>>,
}

/// Reads the memory and CPU limits of the process's cgroup (and `pids.max` when available).
///
/// The cgroup is found from `/proc/self/cgroup` and `/proc/self/mountinfo`, so it works on
/// cgroup v2, v1 and hybrid hosts and inside containers with or without a cgroup namespace.
/// The process's own cgroup is read, not its ancestors: in a container that is where the runtime
/// writes the container's limits.
///
/// ```no_run
/// let limits = prodready::checks::cgroup::read_limits(&prodready::RealHost::new())?;
/// println!("memory limit: {:?} bytes, cpu limit: {:?} cores", limits.memory.max_bytes, limits.cpu.limit_cores());
/// # Ok::<(), prodready::checks::cgroup::CgroupError>(())
/// ```
pub fn read_limits(host: &dyn Host) -> Result<CgroupLimits, CgroupError> {
    let memory = read_memory(host)?;
    let cpu = read_cpu(host)?;
    let pids_max = locate(host, "pids").ok().and_then(|(_, dir)| {
        let path = dir.join("pids.max");
        read_text(host, &path)
            .ok()
            .and_then(|t| parse_max(&path, &t).ok())
    });
    Ok(CgroupLimits {
        memory,
        cpu,
        pids_max,
    })
}

/// Reads the memory controller of the process's cgroup.
pub fn read_memory(host: &dyn Host) -> Result<MemoryLimits, CgroupError> {
    let (version, dir) = locate(host, "memory")?;
    let file = |name: &str| dir.join(name);
    let (max_bytes, current_bytes, oom_kills) = match version {
        CgroupVersion::V2 => {
            let max = file("memory.max");
            let max_bytes = parse_max(&max, &read_text(host, &max)?)?;
            let current = file("memory.current");
            let current_bytes = parse_u64(&current, &read_text(host, &current)?)?;
            let oom = read_keyed(host, &file("memory.events"), "oom_kill")?;
            (max_bytes, current_bytes, oom)
        }
        CgroupVersion::V1 => {
            let limit = file("memory.limit_in_bytes");
            let limit_bytes = parse_u64(&limit, &read_text(host, &limit)?)?;
            let usage = file("memory.usage_in_bytes");
            let current_bytes = parse_u64(&usage, &read_text(host, &usage)?)?;
            let oom = read_keyed(host, &file("memory.oom_control"), "oom_kill")?;
            let max_bytes = (limit_bytes < V1_UNLIMITED_FROM).then_some(limit_bytes);
            (max_bytes, current_bytes, oom)
        }
    };
    Ok(MemoryLimits {
        version,
        dir,
        max_bytes,
        current_bytes,
        oom_kills,
    })
}

/// Reads the CPU controller of the process's cgroup.
pub fn read_cpu(host: &dyn Host) -> Result<CpuLimits, CgroupError> {
    let (version, dir) = locate(host, "cpu")?;
    let file = |name: &str| dir.join(name);
    let (quota_us, period_us, share_name) = match version {
        CgroupVersion::V2 => {
            let path = file("cpu.max");
            let text = read_text(host, &path)?;
            let mut fields = text.split_whitespace();
            let quota = fields
                .next()
                .ok_or_else(|| malformed(&path, "it is empty"))?;
            let quota = parse_max(&path, quota)?;
            let period = match fields.next() {
                Some(p) => parse_u64(&path, p)?,
                None => 100_000, // the kernel's default period when only a quota was written
            };
            (quota, period, "cpu.weight")
        }
        CgroupVersion::V1 => {
            let path = file("cpu.cfs_quota_us");
            let text = read_text(host, &path)?;
            let quota: i64 = text.trim().parse().map_err(|_| {
                malformed(
                    &path,
                    format!("expected an integer, found `{}`", text.trim()),
                )
            })?;
            let period_path = file("cpu.cfs_period_us");
            let period = parse_u64(&period_path, &read_text(host, &period_path)?)?;
            (u64::try_from(quota).ok(), period, "cpu.shares")
        }
    };
    let share_path = file(share_name);
    let share = parse_u64(&share_path, &read_text(host, &share_path)?)?;
    Ok(CpuLimits {
        version,
        dir,
        quota_us,
        period_us,
        share,
    })
}

pub(super) fn read_text(host: &dyn Host, path: &Path) -> Result<String, CgroupError> {
    host.read_to_string(path)
        .map_err(|source| CgroupError::Unreadable {
            path: path.to_path_buf(),
            source,
        })
}

pub(super) fn malformed(path: &Path, reason: impl Into<String>) -> CgroupError {
    CgroupError::Malformed {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

fn parse_u64(path: &Path, text: &str) -> Result<u64, CgroupError> {
    let t = text.trim();
    t.parse().map_err(|_| {
        malformed(
            path,
            format!("expected a non-negative integer, found `{t}`"),
        )
    })
}

/// `max` (no limit) or a number.
fn parse_max(path: &Path, text: &str) -> Result<Option<u64>, CgroupError> {
    match text.trim() {
        "max" => Ok(None),
        t => parse_u64(path, t).map(Some),
    }
}

/// The value of `key` in a flat keyed file (`oom_kill 3`); `None` when the file or key is
/// absent (older kernels), an error when the value is not a number.
fn read_keyed(host: &dyn Host, path: &Path, key: &str) -> Result<Option<u64>, CgroupError> {
    let Ok(text) = host.read_to_string(path) else {
        return Ok(None);
    };
    text.lines()
        .filter_map(|l| l.strip_prefix(key)?.strip_prefix(' '))
        .map(|v| parse_u64(path, v))
        .next()
        .transpose()
}
