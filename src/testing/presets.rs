//! Ready-made fake hosts: what the built-in checks read of a typical container, written once so
//! a test starts from a whole pod instead of assembling `/proc` and `/sys` file by file.

use super::FakeHost;

/// A cgroup v2 container with a cgroup namespace (its cgroup is `/`): overlay root mounted
/// read-only (`ro`) or not, `/sys/fs/cgroup` mounted as cgroup2.
fn mountinfo(root_read_only: bool) -> String {
    let root = if root_read_only { "ro" } else { "rw" };
    format!(
        "\
1180 1028 0:293 / / {root},relatime master:473 - overlay overlay rw,lowerdir=/l/A,upperdir=/u,workdir=/w
1181 1180 0:296 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
1182 1180 0:297 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755,inode64
1185 1180 0:301 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro
1186 1185 0:30 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
"
    )
}

/// `/proc/self/status` of a process with these ids and security settings.
fn status(uid: u32, cap_eff: &str, no_new_privs: u8, seccomp: u8) -> String {
    format!(
        "Name:\tservice\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t1\nPid:\t1\nPPid:\t0\n\
         Uid:\t{uid}\t{uid}\t{uid}\t{uid}\nGid:\t{uid}\t{uid}\t{uid}\t{uid}\nFDSize:\t64\n\
         Groups:\t{uid}\nCapInh:\t0000000000000000\nCapPrm:\t{cap_eff}\nCapEff:\t{cap_eff}\n\
         CapBnd:\t{cap_eff}\nCapAmb:\t0000000000000000\nNoNewPrivs:\t{no_new_privs}\n\
         Seccomp:\t{seccomp}\nSeccomp_filters:\t{}\n",
        u8::from(seccomp == 2)
    )
}

const TCP_HEADER: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
const TCP6_HEADER: &str = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
/// `0.0.0.0:8080` listening.
const TCP_8080: &str = "   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 9121 1 000000003fc7ec40 100 0 0 10 0\n";

/// The cgroup v2 files of a container with `memory.max` (bytes, or `max`), `cpu.max` and
/// `cpu.weight` (100 is the default: no CPU request).
fn cgroup(host: FakeHost, memory_max: &str, cpu_max: &str, cpu_weight: u32) -> FakeHost {
    host.file("/proc/self/cgroup", "0::/\n")
        .file(
            "/sys/fs/cgroup/cgroup.controllers",
            "cpuset cpu io memory hugetlb pids rdma misc\n",
        )
        .file("/sys/fs/cgroup/memory.max", format!("{memory_max}\n"))
        .file("/sys/fs/cgroup/memory.current", "125829120\n")
        .file(
            "/sys/fs/cgroup/memory.events",
            "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n",
        )
        .file("/sys/fs/cgroup/cpu.max", format!("{cpu_max}\n"))
        .file("/sys/fs/cgroup/cpu.weight", format!("{cpu_weight}\n"))
        .file("/sys/fs/cgroup/pids.max", "4096\n")
}

/// Where [`FakeHost::hardened_pod`] mounts the database URL (a secret volume, mode `0400`).
pub const POD_DATABASE_URL_FILE: &str = "/var/run/secrets/app/database-url";

impl FakeHost {
    /// A hardened Kubernetes pod, as the built-in checks see it:
    ///
    /// - **process**: uid and gid 1000 (`runAsNonRoot`), no capabilities (`drop: [ALL]`),
    ///   `no_new_privs` set (`allowPrivilegeEscalation: false`), a seccomp filter
    ///   (`RuntimeDefault`): `/proc/self/status`;
    /// - **filesystem**: a read-only root (`readOnlyRootFilesystem: true`):
    ///   `/proc/self/mountinfo`; no TCP listener: `/proc/net/tcp`, `/proc/net/tcp6` (write
    ///   your own table to add one, and declare its port with `ContainerSpec`);
    /// - **limits**: cgroup v2 with 512 MiB of memory and half a CPU (`resources.limits`):
    ///   `/proc/self/cgroup`, `/sys/fs/cgroup/{memory,cpu,pids}.*`;
    /// - **Kubernetes**: `KUBERNETES_SERVICE_HOST`, namespace `payments` and service account
    ///   `payments` from the downward API (`POD_NAMESPACE`, `POD_SERVICE_ACCOUNT`), no
    ///   service-account token mounted (`automountServiceAccountToken: false`);
    /// - **secrets**: the database URL in a secret volume ([`POD_DATABASE_URL_FILE`], mode
    ///   `0400`) named by `DATABASE_URL_FILE`, nothing secret in the environment.
    ///
    /// What a host cannot hold stays for the test to give: resources such as a `SecretSpec`,
    /// `LogPipeline` or `ContainerSpec`, and the probes the kubelet sent (the `ProbeLog`).
    /// The tests of the testing module evaluate the standard checklist's container,
    /// Kubernetes and secrets items on this preset and assert their statuses.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use prodready::testing::{assert_item, evaluate, FakeHost};
    /// use prodready::{standard, Status};
    ///
    /// let report = evaluate(standard::production_deployment(), FakeHost::hardened_pod()).await;
    /// assert_item(&report, "security.container-security.no-root-user", Status::Pass);
    /// assert_item(&report, "security.container-security.minimal-attack-surface", Status::Pass);
    /// assert_item(&report, "infrastructure.kubernetes.resource-limits-set", Status::Pass);
    /// # }
    /// ```
    pub fn hardened_pod() -> Self {
        let host = FakeHost::new()
            .file("/proc/self/status", status(1000, "0000000000000000", 1, 2))
            .file("/proc/self/mountinfo", mountinfo(true))
            .file("/proc/net/tcp", TCP_HEADER)
            .file("/proc/net/tcp6", TCP6_HEADER)
            .env("KUBERNETES_SERVICE_HOST", "10.96.0.1")
            .env("KUBERNETES_SERVICE_PORT", "443")
            .env("POD_NAMESPACE", "payments")
            .env("POD_SERVICE_ACCOUNT", "payments")
            .env("DATABASE_URL_FILE", POD_DATABASE_URL_FILE)
            .file_with_mode(
                POD_DATABASE_URL_FILE,
                "postgres://payments:s3cr3t@db.payments.svc:5432/payments",
                0o400,
            );
        cgroup(host, "536870912", "50000 100000", 20)
    }

    /// A container as `docker run` starts it by default, the opposite of
    /// [`FakeHost::hardened_pod`]: root (uid 0), Docker's default capabilities, no
    /// `no_new_privs`, no seccomp filter, a writable root, no memory or CPU limit, port 8080
    /// listening on every address, the database URL in plain `DATABASE_URL`, outside Kubernetes.
    pub fn root_container() -> Self {
        let host = FakeHost::new()
            .file("/proc/self/status", status(0, "00000000a80425fb", 0, 0))
            .file("/proc/self/mountinfo", mountinfo(false))
            .file("/proc/net/tcp", format!("{TCP_HEADER}{TCP_8080}"))
            .file("/proc/net/tcp6", TCP6_HEADER)
            .env("DATABASE_URL", "postgres://app:hunter2@db:5432/app");
        cgroup(host, "max", "max 100000", 100)
    }
}
