use super::*;
use crate::testing::FakeHost;
use std::path::Path;

/// A Kubernetes container on cgroup v2 with a cgroup namespace: its cgroup is `/`.
const V2_MOUNTINFO: &str = "\
1180 1028 0:293 / / ro,relatime master:473 - overlay overlay rw,lowerdir=/l/A,upperdir=/u,workdir=/w
1181 1180 0:296 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
1186 1185 0:30 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
";
const V2_CONTROLLERS: &str = "cpuset cpu io memory hugetlb pids rdma misc\n";
const V2_EVENTS: &str = "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n";

fn v2(memory_max: &str, cpu_max: &str, weight: &str) -> FakeHost {
    FakeHost::new()
        .file("/proc/self/cgroup", "0::/\n")
        .file("/proc/self/mountinfo", V2_MOUNTINFO)
        .file("/sys/fs/cgroup/cgroup.controllers", V2_CONTROLLERS)
        .file("/sys/fs/cgroup/memory.max", memory_max)
        .file("/sys/fs/cgroup/memory.current", "125829120\n")
        .file("/sys/fs/cgroup/memory.events", V2_EVENTS)
        .file("/sys/fs/cgroup/cpu.max", cpu_max)
        .file("/sys/fs/cgroup/cpu.weight", weight)
        .file("/sys/fs/cgroup/pids.max", "4096\n")
}

fn limited() -> FakeHost {
    v2("536870912\n", "50000 100000\n", "20\n")
}

/// A hybrid host (this project's CI container): v1 controllers, an empty v2 hierarchy.
const HYBRID_CGROUP: &str = "\
9:name=systemd:/
8:pids:/
4:memory:/process_api/689e2b5d
2:cpuacct:/
1:cpu:/
0::/
";
const HYBRID_MOUNTINFO: &str = "\
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
";
const V1_MEM: &str = "/sys/fs/cgroup/memory/process_api/689e2b5d";

fn v1(limit: &str, quota: &str, shares: &str) -> FakeHost {
    FakeHost::new()
        .file("/proc/self/cgroup", HYBRID_CGROUP)
        .file("/proc/self/mountinfo", HYBRID_MOUNTINFO)
        .file("/sys/fs/cgroup/unified/cgroup.controllers", "")
        .file(format!("{V1_MEM}/memory.limit_in_bytes"), limit)
        .file(format!("{V1_MEM}/memory.usage_in_bytes"), "5586944\n")
        .file(
            format!("{V1_MEM}/memory.oom_control"),
            "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n",
        )
        .file("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", quota)
        .file("/sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n")
        .file("/sys/fs/cgroup/cpu/cpu.shares", shares)
        .file("/sys/fs/cgroup/pids/pids.max", "max\n")
}

async fn run(check: impl Check, host: FakeHost) -> Outcome {
    check.run(&Context::with_host(host)).await
}

#[tokio::test]
async fn v2_limits_pass_and_are_shown_with_units() {
    let o = run(resource_limits_set(), limited()).await;
    assert_eq!(o.status(), Status::Pass, "{o:?}");
    assert_eq!(
        o.message(),
        "memory limit 512 MiB (`memory.max`), CPU limit 0.5 cores (`cpu.max`), cgroup v2"
    );
    assert_eq!(o.details()["memory_max_bytes"], 536870912);
    assert_eq!(o.details()["cpu_limit_cores"], 0.5);
    assert_eq!(o.details()["pids_max"], 4096);
    assert_eq!(o.details()["memory_cgroup_dir"], "/sys/fs/cgroup");

    let o = run(cpu_requests_limits_set(), limited()).await;
    assert_eq!(o.status(), Status::Pass, "{o:?}");
    assert_eq!(o.details()["cpu_weight"], 20);
    let o = run(memory_requests_limits_set(), limited()).await;
    assert_eq!(o.status(), Status::Pass, "{o:?}");
    assert_eq!(
        o.message(),
        "memory limit 512 MiB (`memory.max`); usage 120 MiB (23.4%)"
    );
}

#[tokio::test]
async fn unlimited_v2_fails_naming_the_kubernetes_fields() {
    let host = v2("max\n", "max 100000\n", "100\n");
    let o = run(resource_limits_set(), host.clone()).await;
    assert_eq!(o.status(), Status::Fail);
    assert_eq!(
        o.message(),
        "no memory limit: `memory.max` is `max`; no CPU limit: `cpu.max` is `max 100000`"
    );
    assert_eq!(
        o.get_remediation(),
        Some("set `resources.limits.memory` and `resources.limits.cpu` on the container")
    );
    assert_eq!(o.details()["memory_max_bytes"], serde_json::Value::Null);

    let o = run(cpu_requests_limits_set(), host.clone()).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(
        o.message().contains("the kernel default"),
        "{}",
        o.message()
    );
    assert!(o
        .get_remediation()
        .unwrap()
        .contains("resources.limits.cpu"));
    assert!(o
        .get_remediation()
        .unwrap()
        .contains("resources.requests.cpu"));

    let o = run(memory_requests_limits_set(), host).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(o
        .get_remediation()
        .unwrap()
        .contains("resources.limits.memory"));
}

#[tokio::test]
async fn cpu_share_at_the_minimum_fails_and_at_the_default_warns() {
    let o = run(cpu_requests_limits_set(), v2("1G", "50000 100000", "1\n")).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(o.message().contains("no CPU request: `cpu.weight` is 1"));
    let o = run(cpu_requests_limits_set(), v2("1G", "50000 100000", "100\n")).await;
    assert_eq!(o.status(), Status::Warn, "{o:?}");
    // Only a quota was written: the kernel's default period applies.
    let o = run(resource_limits_set(), v2("1073741824", "200000", "39")).await;
    assert_eq!(o.details()["cpu_limit_cores"], 2.0);
}

#[tokio::test]
async fn memory_near_the_limit_or_oom_kills_warn() {
    let host = v2("130000000\n", "50000 100000\n", "20\n");
    let o = run(memory_requests_limits_set(), host.clone()).await;
    assert_eq!(o.status(), Status::Warn);
    assert!(
        o.message()
            .contains("96.8% of the 124 MiB limit, above 90%"),
        "{}",
        o.message()
    );
    // A higher ceiling accepts it.
    let o = run(memory_requests_limits_set().warn_above(0.99), host.clone()).await;
    assert_eq!(o.status(), Status::Pass);

    host.write(
        "/sys/fs/cgroup/memory.events",
        "low 0\nhigh 0\nmax 12\noom 2\noom_kill 2\n",
    );
    let o = run(memory_requests_limits_set().warn_above(0.99), host).await;
    assert_eq!(o.status(), Status::Warn);
    assert!(
        o.message().contains("OOM-killed 2 process(es)"),
        "{}",
        o.message()
    );
    assert_eq!(o.details()["oom_kills"], 2);
}

#[tokio::test]
async fn hybrid_v1_is_read_from_the_controller_hierarchies() {
    let limits = read_limits(&v1("536870912\n", "25000\n", "512\n")).unwrap();
    assert_eq!(limits.memory.version, CgroupVersion::V1);
    assert_eq!(limits.memory.dir, Path::new(V1_MEM));
    assert_eq!(limits.memory.max_bytes, Some(536870912));
    assert_eq!(limits.memory.oom_kills, Some(0));
    assert_eq!(limits.cpu.dir, Path::new("/sys/fs/cgroup/cpu"));
    assert_eq!(limits.cpu.limit_cores(), Some(0.25));
    assert_eq!(limits.cpu.share, 512);
    assert_eq!(limits.pids_max, Some(None));
    let o = run(cpu_requests_limits_set(), v1("1", "25000\n", "512\n")).await;
    assert_eq!(o.status(), Status::Pass);
    assert_eq!(o.details()["cpu_shares"], 512);
}

#[tokio::test]
async fn v1_unlimited_values_fail() {
    let host = v1("9223372036854771712\n", "-1\n", "1024\n");
    let o = run(resource_limits_set(), host.clone()).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(o
        .message()
        .contains("`memory.limit_in_bytes` is the unlimited value"));
    assert!(o.message().contains("`cpu.cfs_quota_us` is -1"));
    let o = run(cpu_requests_limits_set(), v1("1", "50000", "2\n")).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(o.message().contains("`cpu.shares` is 2"), "{}", o.message());
}

#[test]
fn nested_cgroup_paths_and_foreign_mount_roots() {
    // No cgroup namespace: the path is the full one, the mount shows the whole hierarchy.
    let scope = "/kubepods.slice/kubepods-pod1.slice/cri-containerd-abc.scope";
    let host = v2("1", "max 100000", "1")
        .file("/proc/self/cgroup", format!("0::{scope}\n"))
        .file(format!("/sys/fs/cgroup{scope}/memory.max"), "2048\n")
        .file(format!("/sys/fs/cgroup{scope}/memory.current"), "1024\n");
    let m = read_memory(&host).unwrap();
    assert_eq!(m.dir, Path::new("/sys/fs/cgroup").join(&scope[1..]));
    assert_eq!(m.max_bytes, Some(2048));
    assert_eq!(m.oom_kills, None); // no memory.events there

    // Docker without a cgroup namespace: the mount's root is the container's own cgroup.
    let host = v1("4096", "-1", "1024")
        .file(
            "/proc/self/cgroup",
            "4:memory:/docker/abc\n1:cpu:/docker/abc\n",
        )
        .file(
            "/proc/self/mountinfo",
            "35 31 0:32 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n",
        )
        .file("/sys/fs/cgroup/memory/memory.limit_in_bytes", "4096\n")
        .file("/sys/fs/cgroup/memory/memory.usage_in_bytes", "100\n");
    let m = read_memory(&host).unwrap();
    assert_eq!(m.dir, Path::new("/sys/fs/cgroup/memory"));
    assert_eq!(m.max_bytes, Some(4096));

    // A cgroup outside the namespace's root shows as `/..`: read the mount point.
    let host = limited().file("/proc/self/cgroup", "0::/../../other\n");
    assert_eq!(read_memory(&host).unwrap().dir, Path::new("/sys/fs/cgroup"));
}

#[tokio::test]
async fn no_cgroup_filesystem_fails_naming_the_path() {
    let o = run(resource_limits_set(), FakeHost::new()).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(
        o.message()
            .starts_with("cannot read the cgroup limits: cannot read `/proc/self/cgroup`"),
        "{}",
        o.message()
    );
    assert!(o.get_remediation().unwrap().contains("/sys/fs/cgroup"));

    let host = limited().file(
        "/proc/self/mountinfo",
        "27 1 254:0 / / rw - ext4 /dev/vda rw\n",
    );
    let e = read_memory(&host).unwrap_err();
    assert!(
        matches!(
            e,
            CgroupError::NoController {
                controller: "memory",
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("no `cgroup2` mount"));

    let host = limited().file("/proc/self/cgroup", "4:memory:/x\n");
    let e = read_cpu(&host).unwrap_err();
    assert!(
        e.to_string().contains("neither a v1 `cpu` hierarchy"),
        "{e}"
    );

    let host = limited().file("/sys/fs/cgroup/cgroup.controllers", "cpu pids\n");
    let e = read_memory(&host).unwrap_err();
    assert_eq!(
        e.to_string(),
        "no mounted cgroup hierarchy provides the `memory` controller: `/sys/fs/cgroup/cgroup.controllers` does not list it (`cpu pids`)"
    );

    let host = limited();
    host.remove("/sys/fs/cgroup/cpu.weight");
    let o = run(cpu_requests_limits_set(), host).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(o
        .message()
        .contains("cannot read `/sys/fs/cgroup/cpu.weight`"));
}

#[tokio::test]
async fn malformed_files_fail_naming_the_file() {
    let o = run(resource_limits_set(), v2("lots\n", "max 100000", "100")).await;
    assert_eq!(o.status(), Status::Fail);
    assert_eq!(
        o.message(),
        "cannot read the cgroup limits: `/sys/fs/cgroup/memory.max` is malformed: expected a non-negative integer, found `lots`"
    );
    let e = read_cpu(&v2("1", "\n", "100")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "`/sys/fs/cgroup/cpu.max` is malformed: it is empty"
    );
    let e = read_cpu(&v1("1", "none", "100")).unwrap_err();
    assert!(
        e.to_string().contains("cpu.cfs_quota_us` is malformed"),
        "{e}"
    );
    let e = read_memory(&limited().file("/proc/self/cgroup", "0::/\ngarbage\n")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "`/proc/self/cgroup` is malformed: line 2: expected `id:controllers:/path`"
    );
    let e = read_memory(&limited().file("/proc/self/mountinfo", "1 2 3\n")).unwrap_err();
    assert!(e
        .to_string()
        .starts_with("`/proc/self/mountinfo` is malformed: line 1"));
    let host = limited().file("/sys/fs/cgroup/memory.events", "oom_kill many\n");
    assert!(read_memory(&host)
        .unwrap_err()
        .to_string()
        .contains("memory.events"));
}

#[test]
fn bytes_are_shown_in_binary_units() {
    assert_eq!(fmt_bytes(800), "800 B");
    assert_eq!(fmt_bytes(536870912), "512 MiB");
    assert_eq!(fmt_bytes(1610612736), "1.5 GiB");
}

#[test]
fn standard_bindings_name_their_items() {
    let ids: Vec<&str> = standard_bindings().into_iter().map(|(id, _)| id).collect();
    assert_eq!(
        ids,
        [
            "infrastructure.kubernetes.resource-limits-set",
            "performance.resource-allocation.cpu-requests-limits-set",
            "performance.resource-allocation.memory-requests-limits-set"
        ]
    );
}
