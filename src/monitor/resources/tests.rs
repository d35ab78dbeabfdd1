use super::*;
use crate::testing::FakeHost;
use crate::Status;

const MOUNTINFO: &str = "\
1180 1028 0:293 / / ro,relatime master:473 - overlay overlay rw,lowerdir=/l/A,upperdir=/u,workdir=/w
1181 1180 0:296 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
1186 1185 0:30 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
";
const LIMITS: &str = "\
Limit                     Soft Limit           Hard Limit           Units     
Max cpu time              unlimited            unlimited            seconds   
Max open files            8                    1048576              files     
Max locked memory         8388608              8388608              bytes     
";
const CPU_STAT: &str = "\
usage_usec 8021512
user_usec 5102340
system_usec 2919172
nr_periods 1000
nr_throttled 400
throttled_usec 1234567
nr_bursts 0
burst_usec 0
";

fn host(memory_current: &str, fds: usize, cpu_stat: &str) -> FakeHost {
    let mut h = FakeHost::new()
        .file("/proc/self/cgroup", "0::/\n")
        .file("/proc/self/mountinfo", MOUNTINFO)
        .file(
            "/sys/fs/cgroup/cgroup.controllers",
            "cpuset cpu io memory pids\n",
        )
        .file("/sys/fs/cgroup/memory.max", "1000000\n")
        .file("/sys/fs/cgroup/memory.current", memory_current)
        .file(
            "/sys/fs/cgroup/memory.events",
            "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n",
        )
        .file("/sys/fs/cgroup/cpu.max", "50000 100000\n")
        .file("/sys/fs/cgroup/cpu.weight", "100\n")
        .file("/sys/fs/cgroup/cpu.stat", cpu_stat)
        .file("/proc/self/limits", LIMITS);
    for fd in 0..fds {
        h = h.file(format!("/proc/self/fd/{fd}"), "");
    }
    h
}

async fn run(h: FakeHost) -> Outcome {
    resource_usage_acceptable()
        .run(&Context::with_host(h))
        .await
}

#[tokio::test]
async fn passes_under_the_limits() {
    let o = run(host(
        "500000\n",
        3,
        "nr_periods 10\nnr_throttled 0\nthrottled_usec 0\n",
    ))
    .await;
    assert_eq!(o.status(), Status::Pass, "{}", o.message());
    assert_eq!(o.details()["memory_share"], 0.5);
    assert_eq!(o.details()["fd_limit"], 8);
    assert_eq!(o.details()["open_fds"], 3);
}

#[tokio::test]
async fn warns_when_throttled_or_near_a_limit() {
    let o = run(host("500000\n", 3, CPU_STAT)).await;
    assert_eq!(o.status(), Status::Warn, "{}", o.message());
    assert_eq!(o.details()["cpu_throttled_us"], 1234567);
    assert_eq!(o.details()["cpu_throttled_periods"], 400);
    let o = run(host("900000\n", 3, "")).await;
    assert_eq!(o.status(), Status::Warn, "{}", o.message());
    assert!(o.message().contains("memory 90 %"), "{}", o.message());
}

#[tokio::test]
async fn fails_above_the_limit_share() {
    let o = run(host("990000\n", 3, "")).await;
    assert_eq!(o.status(), Status::Fail);
    let o = run(host("100\n", 8, "")).await;
    assert_eq!(o.status(), Status::Fail, "{}", o.message());
    assert!(o.get_remediation().unwrap_or("").contains("open files"));
}

#[tokio::test]
async fn unreadable_or_malformed_files_fail_naming_them() {
    let h = host("100\n", 1, "");
    h.remove("/proc/self/limits");
    let o = run(h).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(o.message().contains("/proc/self/limits"), "{}", o.message());
    let h = host("100\n", 1, "");
    h.write("/proc/self/limits", "Limit Soft\nMax open files lots\n");
    let o = run(h).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(o.message().contains("Max open files"), "{}", o.message());
    let h = host("lots\n", 1, "");
    assert_eq!(run(h).await.status(), Status::Fail);
}

#[test]
fn open_files_limit_unlimited() {
    assert_eq!(
        parse_open_files("Max open files unlimited unlimited files\n"),
        Some(None)
    );
}
