//! Real-machine tests of `checks::process`.

use prodready::checks::process::not_root;
use prodready::{Check, Context, Status};

/// Real and effective id from a line of `/proc/self/status`, read without the library.
fn ids(key: &str) -> (u32, u32) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with(key)).unwrap();
    let ids: Vec<u32> = line[key.len()..]
        .split_whitespace()
        .map(|s| s.parse().unwrap())
        .collect();
    (ids[0], ids[1])
}

fn expected() -> Status {
    let ((ur, ue), (gr, ge)) = (ids("Uid:"), ids("Gid:"));
    if ur == 0 || ue == 0 {
        Status::Fail
    } else if gr == 0 || ge == 0 {
        Status::Warn
    } else {
        Status::Pass
    }
}

#[tokio::test]
async fn not_root_sees_the_real_uid_and_gid() {
    let o = not_root().run(&Context::default()).await;
    assert_eq!(o.status(), expected(), "{o:?}");
    let (ur, ue) = ids("Uid:");
    assert_eq!(o.details()["uid_real"], ur);
    assert_eq!(o.details()["uid_effective"], ue);
    if o.status() == Status::Fail {
        // This machine's CI runs as root: the check must say so and say what to do.
        assert!(o.message().starts_with("running as root"));
        assert!(o.get_remediation().unwrap().contains("runAsNonRoot: true"));
    } else {
        let (gr, ge) = ids("Gid:");
        assert_eq!(o.details()["gid_real"], gr);
        assert_eq!(o.details()["gid_effective"], ge);
    }
}

#[tokio::test]
async fn the_standard_item_reports_the_same() {
    let report = prodready::Readiness::builder()
        .checklist(prodready::standard::production_deployment())
        .registered_checks(false)
        .build()
        .unwrap()
        .evaluate()
        .await;
    prodready::testing::assert_item(
        &report,
        "security.container-security.no-root-user",
        expected(),
    );
}
