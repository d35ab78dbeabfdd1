//! The resource monitor against the real machine.

use prodready::monitor::{resource_usage_acceptable, sample};
use prodready::{Check, Context, RealHost, Status};

fn open_files_soft_limit() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/limits").unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap();
    line.split_whitespace().nth(3).unwrap().parse().ok()
}

#[test]
fn samples_the_real_process() {
    let s = sample(&RealHost::new()).unwrap();
    assert_eq!(s.fd_limit, open_files_soft_limit());
    let fds = std::fs::read_dir("/proc/self/fd").unwrap().count() as u64;
    // The test harness's other threads may open or close a few descriptors meanwhile.
    assert!(s.open_fds.abs_diff(fds) <= 8, "{} vs {fds}", s.open_fds);
    let limits = prodready::checks::cgroup::read_limits(&RealHost::new()).unwrap();
    assert_eq!(s.memory_limit_bytes, limits.memory.max_bytes);
    assert!(s.memory_bytes > 0);
}

#[tokio::test]
async fn judges_the_real_process() {
    let o = resource_usage_acceptable().run(&Context::default()).await;
    let s = sample(&RealHost::new()).unwrap();
    let near = |used: u64, limit: Option<u64>| limit.is_some_and(|l| used as f64 / l as f64 > 0.8);
    let expected = if near(s.memory_bytes, s.memory_limit_bytes) || near(s.open_fds, s.fd_limit) {
        vec![Status::Warn, Status::Fail]
    } else {
        vec![Status::Pass, Status::Warn]
    };
    assert!(
        expected.contains(&o.status()),
        "{:?}: {}",
        o.status(),
        o.message()
    );
    assert_eq!(
        o.details()["fd_limit"],
        serde_json::json!(open_files_soft_limit())
    );
}
