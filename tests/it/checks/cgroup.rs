//! Real-machine tests of `checks::cgroup`.

use prodready::checks::cgroup::{
    cpu_requests_limits_set, memory_requests_limits_set, read_cpu, read_memory,
    resource_limits_set, CgroupVersion,
};
use prodready::{Check, Context, RealHost, Status};
use std::path::PathBuf;

/// The directory of `controller` for this process, found without the library: a v1 hierarchy
/// naming it, else the unified one.
fn controller_dir(controller: &str) -> Option<(CgroupVersion, PathBuf)> {
    let cgroups = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    let mounts: Vec<Vec<&str>> = mountinfo.lines().map(|l| l.split(' ').collect()).collect();
    // (root, mount point) of the mounts of type `fstype` whose super options satisfy `ok`.
    let mount = |fstype: &str, ok: &dyn Fn(&str) -> bool| {
        mounts.iter().find_map(|f| {
            let sep = f.iter().position(|x| *x == "-")?;
            (f[sep + 1] == fstype && ok(f[sep + 3])).then(|| (f[3].to_owned(), f[4].to_owned()))
        })
    };
    let join = |(root, point): (String, String), path: &str| {
        let rest = path.strip_prefix(root.as_str()).unwrap_or("");
        PathBuf::from(format!("{point}/{}", rest.trim_start_matches('/')))
    };
    for line in cgroups.lines() {
        let mut parts = line.splitn(3, ':');
        let (_, list, path) = (parts.next()?, parts.next()?, parts.next()?);
        if list.split(',').any(|c| c == controller) {
            let has = |opts: &str| opts.split(',').any(|o| o == controller);
            if let Some(m) = mount("cgroup", &has) {
                return Some((CgroupVersion::V1, join(m, path)));
            }
        }
    }
    let path = cgroups.lines().find_map(|l| l.strip_prefix("0::"))?;
    Some((CgroupVersion::V2, join(mount("cgroup2", &|_| true)?, path)))
}

fn read(dir: &std::path::Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file))
        .unwrap()
        .trim()
        .to_owned()
}

#[tokio::test]
async fn memory_limits_match_the_cgroup_files() {
    let Some((version, dir)) = controller_dir("memory") else {
        let o = resource_limits_set().run(&Context::default()).await;
        assert_eq!(o.status(), Status::Fail, "no cgroup filesystem: {o:?}");
        return;
    };
    let m = read_memory(&RealHost::new()).unwrap();
    assert_eq!(m.version, version);
    assert_eq!(m.dir.canonicalize().unwrap(), dir.canonicalize().unwrap());
    let max = match version {
        CgroupVersion::V2 => read(&dir, "memory.max").parse::<u64>().ok(),
        CgroupVersion::V1 => {
            let limit: u64 = read(&dir, "memory.limit_in_bytes").parse().unwrap();
            (limit < 1 << 62).then_some(limit)
        }
    };
    assert_eq!(m.max_bytes, max);
    assert!(m.current_bytes > 0);

    let o = memory_requests_limits_set().run(&Context::default()).await;
    assert_eq!(o.details()["memory_max_bytes"], serde_json::json!(max));
    if max.is_none() {
        assert_eq!(o.status(), Status::Fail);
        assert!(o
            .get_remediation()
            .unwrap()
            .contains("resources.limits.memory"));
    } else {
        assert_ne!(o.status(), Status::Fail, "{o:?}");
    }
}

#[tokio::test]
async fn cpu_limits_match_the_cgroup_files() {
    let Some((version, dir)) = controller_dir("cpu") else {
        return;
    };
    let c = read_cpu(&RealHost::new()).unwrap();
    assert_eq!(c.version, version);
    let (quota, period, share) = match version {
        CgroupVersion::V2 => {
            let max = read(&dir, "cpu.max");
            let mut f = max.split_whitespace();
            let quota = f.next().unwrap().parse::<u64>().ok();
            (
                quota,
                f.next().unwrap().parse::<u64>().unwrap(),
                read(&dir, "cpu.weight"),
            )
        }
        CgroupVersion::V1 => (
            read(&dir, "cpu.cfs_quota_us").parse::<u64>().ok(),
            read(&dir, "cpu.cfs_period_us").parse().unwrap(),
            read(&dir, "cpu.shares"),
        ),
    };
    assert_eq!((c.quota_us, c.period_us), (quota, period));
    assert_eq!(c.share.to_string(), share);

    let o = cpu_requests_limits_set().run(&Context::default()).await;
    let limit_cores = quota.map(|q| q as f64 / period as f64);
    assert_eq!(
        o.details()["cpu_limit_cores"],
        serde_json::json!(limit_cores)
    );
    if quota.is_none() {
        assert_eq!(o.status(), Status::Fail);
    }

    let o = resource_limits_set().run(&Context::default()).await;
    let memory_unlimited = read_memory(&RealHost::new()).unwrap().max_bytes.is_none();
    let expected = if quota.is_none() || memory_unlimited {
        Status::Fail
    } else {
        Status::Pass
    };
    assert_eq!(o.status(), expected, "{o:?}");
    assert_eq!(
        o.details()["cpu_limit_cores"],
        serde_json::json!(limit_cores)
    );
}
