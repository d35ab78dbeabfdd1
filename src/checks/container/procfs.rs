//! The parts read from `/proc/self/status` (capabilities, no_new_privs, seccomp) and
//! `/proc/self/mountinfo` (the root filesystem).

use super::{ContainerSpec, Part};
use crate::checks::cgroup::mountinfo::{self, MOUNTINFO};
use crate::{Host, Status};
use std::path::Path;

const STATUS: &str = "/proc/self/status";

/// The Linux capabilities by bit number (`include/uapi/linux/capability.h`), `CAP_CHOWN` = 0 to
/// `CAP_CHECKPOINT_RESTORE` = 40.
pub const CAPABILITIES: [&str; 41] = [
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
];

/// The names of the capabilities set in `mask` (a `CapEff:` value), lowest bit first; bits
/// newer than this table show as `CAP_<bit>`.
///
/// ```
/// use prodready::checks::container::capability_names;
/// assert_eq!(capability_names(0x0000_0000_0000_2400), ["CAP_NET_BIND_SERVICE", "CAP_NET_RAW"]);
/// ```
pub fn capability_names(mask: u64) -> Vec<String> {
    (0..64)
        .filter(|bit| mask & (1u64 << bit) != 0)
        .map(|bit| match CAPABILITIES.get(bit) {
            Some(name) => (*name).to_owned(),
            None => format!("CAP_{bit}"),
        })
        .collect()
}

/// `net_bind_service` or `CAP_NET_BIND_SERVICE` → `CAP_NET_BIND_SERVICE` (Kubernetes writes
/// capabilities without the prefix).
pub(crate) fn normalize_capability(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase();
    if upper.starts_with("CAP_") {
        upper
    } else {
        format!("CAP_{upper}")
    }
}

/// The value after `key:` on its line of `/proc/self/status`.
fn field<'a>(status: &'a str, key: &str) -> Option<&'a str> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .map(str::trim)
}

/// `/proc/self/status`, or why it could not be read.
pub(super) fn read_status(host: &dyn Host) -> Result<String, String> {
    host.read_to_string(Path::new(STATUS))
        .map_err(|e| format!("cannot read `{STATUS}`: {e}"))
}

/// What to do when `/proc` cannot be read.
pub(super) const NO_PROC: &str =
    "run on Linux with /proc mounted, so the container's settings can be verified";

const DROP_ALL: &str = "set `securityContext.capabilities.drop: [ALL]` on the container; add back only what the service needs with `capabilities.add` and declare it with `ContainerSpec::allow_capability`";

pub(super) fn capabilities(status: &str, spec: &ContainerSpec) -> Part {
    const NAME: &str = "capabilities";
    let Some(mask) = field(status, "CapEff").and_then(|v| u64::from_str_radix(v, 16).ok()) else {
        return Part::new(
            NAME,
            Status::Fail,
            format!("`{STATUS}` has no well-formed `CapEff:` line (a hex mask)"),
        );
    };
    let held = capability_names(mask);
    let allowed: Vec<String> = spec
        .allowed_capabilities
        .iter()
        .map(|c| normalize_capability(c))
        .collect();
    let unexpected: Vec<String> = held
        .iter()
        .filter(|c| !allowed.contains(c))
        .cloned()
        .collect();
    let part = if held.is_empty() {
        Part::new(NAME, Status::Pass, "no effective capabilities")
    } else if unexpected.is_empty() {
        Part::new(
            NAME,
            Status::Pass,
            format!("only allowed capabilities held: {}", held.join(", ")),
        )
    } else {
        Part::new(
            NAME,
            Status::Fail,
            format!("capabilities {} held", abbreviate(&unexpected, 6)),
        )
        .remediation(DROP_ALL)
    };
    part.detail("cap_eff", format!("{mask:016x}"))
        .detail("capabilities_effective", &held)
        .detail("capabilities_allowed", &allowed)
        .detail("capabilities_unexpected", &unexpected)
}

/// `A, B, C and 4 more`.
fn abbreviate(names: &[String], keep: usize) -> String {
    match names.len().checked_sub(keep) {
        Some(more) if more > 0 => format!("{} and {more} more", names[..keep].join(", ")),
        _ => names.join(", "),
    }
}

pub(super) fn no_new_privs(status: &str) -> Part {
    const NAME: &str = "no_new_privs";
    match field(status, "NoNewPrivs") {
        Some("1") => Part::new(NAME, Status::Pass, "no_new_privs set").detail(NAME, true),
        Some("0") => Part::new(NAME, Status::Fail, "no_new_privs not set")
            .remediation("set `securityContext.allowPrivilegeEscalation: false` on the container")
            .detail(NAME, false),
        Some(other) => Part::new(
            NAME,
            Status::Fail,
            format!("`{STATUS}` has `NoNewPrivs: {other}`, expected 0 or 1"),
        ),
        None => Part::new(
            NAME,
            Status::Fail,
            format!("`{STATUS}` has no `NoNewPrivs:` line (a kernel older than 4.10?)"),
        ),
    }
}

pub(super) fn seccomp(status: &str) -> Part {
    const NAME: &str = "seccomp";
    let filters = field(status, "Seccomp_filters").and_then(|v| v.parse::<u64>().ok());
    let part = match field(status, "Seccomp") {
        Some("2") => {
            Part::new(NAME, Status::Pass, "seccomp filtering").detail("seccomp_mode", "filter")
        }
        // Strict mode allows only read, write, exit and sigreturn: stricter than any filter.
        Some("1") => {
            Part::new(NAME, Status::Pass, "seccomp strict mode").detail("seccomp_mode", "strict")
        }
        Some("0") => Part::new(NAME, Status::Fail, "seccomp disabled")
            .remediation(
                "set `securityContext.seccompProfile.type: RuntimeDefault` on the pod or container",
            )
            .detail("seccomp_mode", "disabled"),
        Some(other) => Part::new(
            NAME,
            Status::Fail,
            format!("`{STATUS}` has `Seccomp: {other}`, expected 0, 1 or 2"),
        ),
        None => Part::new(
            NAME,
            Status::Fail,
            format!("`{STATUS}` has no `Seccomp:` line (a kernel built without seccomp)"),
        ),
    };
    match filters {
        Some(n) => part.detail("seccomp_filters", n),
        None => part,
    }
}

pub(super) fn read_only_root(host: &dyn Host) -> Part {
    const NAME: &str = "read_only_root";
    let text = match host.read_to_string(Path::new(MOUNTINFO)) {
        Ok(t) => t,
        Err(e) => {
            return Part::new(
                NAME,
                Status::Fail,
                format!("cannot read `{MOUNTINFO}`: {e}"),
            )
            .remediation(NO_PROC)
        }
    };
    let mounts = match mountinfo::parse(&text) {
        Ok(m) => m,
        Err(e) => {
            return Part::new(
                NAME,
                Status::Fail,
                format!("`{MOUNTINFO}` is malformed: {e}"),
            )
        }
    };
    let Some(root) = mountinfo::root_mount(&mounts) else {
        return Part::new(
            NAME,
            Status::Fail,
            format!("`{MOUNTINFO}` has no mount at `/`"),
        );
    };
    let part = if root.read_only() {
        Part::new(
            NAME,
            Status::Pass,
            format!("root filesystem read-only ({})", root.fs_type),
        )
    } else {
        Part::new(
            NAME,
            Status::Fail,
            format!("root filesystem writable ({}, mounted `{}`)", root.fs_type, root.options.join(",")),
        )
        .remediation("set `securityContext.readOnlyRootFilesystem: true` on the container and mount an `emptyDir` where the service must write (e.g. /tmp)")
    };
    part.detail("root_read_only", root.read_only())
        .detail("root_fs_type", &root.fs_type)
        .detail("root_mount_options", root.options.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_capability_bit_has_its_kernel_name() {
        assert_eq!(CAPABILITIES[0], "CAP_CHOWN");
        assert_eq!(CAPABILITIES[10], "CAP_NET_BIND_SERVICE");
        assert_eq!(CAPABILITIES[21], "CAP_SYS_ADMIN");
        assert_eq!(CAPABILITIES[38], "CAP_PERFMON");
        assert_eq!(CAPABILITIES[40], "CAP_CHECKPOINT_RESTORE");
        // Docker's default set.
        assert_eq!(
            capability_names(0x0000_0000_a804_25fb),
            [
                "CAP_CHOWN",
                "CAP_DAC_OVERRIDE",
                "CAP_FOWNER",
                "CAP_FSETID",
                "CAP_KILL",
                "CAP_SETGID",
                "CAP_SETUID",
                "CAP_SETPCAP",
                "CAP_NET_BIND_SERVICE",
                "CAP_NET_RAW",
                "CAP_SYS_CHROOT",
                "CAP_MKNOD",
                "CAP_AUDIT_WRITE",
                "CAP_SETFCAP"
            ]
        );
        assert_eq!(capability_names(1 << 41), ["CAP_41"]);
        assert_eq!(capability_names(0x1ff_ffff_ffff).len(), 41);
        assert_eq!(
            normalize_capability("net_bind_service"),
            "CAP_NET_BIND_SERVICE"
        );
        assert_eq!(normalize_capability("CAP_SYS_ADMIN"), "CAP_SYS_ADMIN");
    }

    #[test]
    fn status_fields_are_found_by_exact_key() {
        let status = "Seccomp:\t2\nSeccomp_filters:\t1\n";
        assert_eq!(field(status, "Seccomp"), Some("2"));
        assert_eq!(field(status, "Seccomp_filters"), Some("1"));
        assert_eq!(field(status, "NoNewPrivs"), None);
        assert_eq!(
            abbreviate(&["A".into(), "B".into(), "C".into()], 2),
            "A, B and 1 more"
        );
    }
}
