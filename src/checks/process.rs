//! The process's identity: who it runs as.

use crate::{Check, Context, Outcome};
use std::sync::Arc;

/// The standard checklist's items this module verifies, each with its default check.
pub(crate) fn standard_bindings() -> Vec<(&'static str, Arc<dyn Check>)> {
    vec![(
        "security.container-security.no-root-user",
        Arc::new(not_root()),
    )]
}

/// Verifies that neither the real nor the effective uid is 0 (`fail` otherwise); a real or
/// effective gid of 0 on its own is a `warn` (group root can read files meant for root's group).
///
/// Details: `uid_real`, `uid_effective`, `gid_real`, `gid_effective`.
///
/// ```
/// use prodready::{testing::FakeHost, Check, Context, Status};
/// # tokio_test_block_on(async {
/// let ctx = Context::with_host(FakeHost::new().with_uid(1000, 1000).with_gid(1000, 1000));
/// let outcome = prodready::checks::process::not_root().run(&ctx).await;
/// assert_eq!(outcome.status(), Status::Pass);
/// # });
/// # fn tokio_test_block_on(f: impl std::future::Future<Output = ()>) {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
pub fn not_root() -> NotRoot {
    NotRoot(())
}

/// The check returned by [`not_root`].
#[derive(Debug, Clone)]
pub struct NotRoot(());

#[async_trait::async_trait]
impl Check for NotRoot {
    async fn run(&self, ctx: &Context) -> Outcome {
        let host = ctx.host();
        let uid = match host.uid() {
            Ok(ids) => ids,
            Err(e) => {
                return Outcome::fail(format!("cannot read the process's uid: {e}"))
                    .remediation("run on Linux with /proc mounted, so the uid can be verified")
            }
        };
        let with_uid = |o: Outcome| {
            o.detail("uid_real", uid.real)
                .detail("uid_effective", uid.effective)
        };
        if uid.real == 0 || uid.effective == 0 {
            return with_uid(Outcome::fail(format!(
                "running as root: real uid {}, effective uid {}",
                uid.real, uid.effective
            )))
            .remediation(
                "set `securityContext.runAsNonRoot: true` and `securityContext.runAsUser` to a non-zero uid on the container (and a non-root `USER` in the image)",
            );
        }
        let gid = match host.gid() {
            Ok(ids) => ids,
            Err(e) => {
                return with_uid(Outcome::warn(format!(
                    "running as uid {}, but the gid cannot be read: {e}",
                    uid.effective
                )))
            }
        };
        let outcome = if gid.real == 0 || gid.effective == 0 {
            Outcome::warn(format!(
                "running as uid {} but in group root: real gid {}, effective gid {}",
                uid.effective, gid.real, gid.effective
            ))
            .remediation("set `securityContext.runAsGroup` to a non-zero gid on the container (OpenShift's gid 0 for arbitrary uids is the usual exception: waive the warning there)")
        } else {
            Outcome::pass(format!(
                "running as uid {}, gid {}",
                uid.effective, gid.effective
            ))
        };
        with_uid(outcome)
            .detail("gid_real", gid.real)
            .detail("gid_effective", gid.effective)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::FakeHost;
    use crate::Status;

    /// A real `/proc/self/status` head of a process running as uid 1000, gid 0.
    const STATUS: &str = "Name:\tpayments\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t1\nNgid:\t0\nPid:\t1\nPPid:\t0\nTracerPid:\t0\nUid:\t1000\t1000\t1000\t1000\nGid:\t0\t0\t0\t0\nFDSize:\t64\nGroups:\t0\n";

    async fn run(host: FakeHost) -> Outcome {
        not_root().run(&Context::with_host(host)).await
    }

    #[tokio::test]
    async fn a_non_root_user_and_group_pass() {
        let o = run(FakeHost::new().with_uid(1000, 1000).with_gid(3000, 3000)).await;
        assert_eq!(o.status(), Status::Pass);
        assert_eq!(o.message(), "running as uid 1000, gid 3000");
        assert_eq!(o.details()["uid_real"], 1000);
        assert_eq!(o.details()["gid_effective"], 3000);
    }

    #[tokio::test]
    async fn root_fails_whether_real_or_effective() {
        for (real, effective) in [(0, 0), (0, 1000), (1000, 0)] {
            let o = run(FakeHost::new().with_uid(real, effective).with_gid(1, 1)).await;
            assert_eq!(o.status(), Status::Fail, "uid {real}/{effective}");
            assert_eq!(
                o.message(),
                format!("running as root: real uid {real}, effective uid {effective}")
            );
            assert!(o.get_remediation().unwrap().contains("runAsNonRoot: true"));
            assert!(o.get_remediation().unwrap().contains("runAsUser"));
            assert_eq!(o.details()["uid_effective"], effective);
        }
    }

    #[tokio::test]
    async fn group_root_alone_warns_from_the_real_status_file() {
        let o = run(FakeHost::new().file("/proc/self/status", STATUS)).await;
        assert_eq!(o.status(), Status::Warn);
        assert_eq!(
            o.message(),
            "running as uid 1000 but in group root: real gid 0, effective gid 0"
        );
        assert!(o.get_remediation().unwrap().contains("runAsGroup"));
        assert_eq!(o.details()["gid_real"], 0);
        assert_eq!(o.details()["uid_real"], 1000);
    }

    #[tokio::test]
    async fn unreadable_or_malformed_status_fails_or_warns() {
        let o = run(FakeHost::new()).await;
        assert_eq!(o.status(), Status::Fail);
        assert!(o.message().starts_with("cannot read the process's uid:"));

        let o = run(FakeHost::new().file("/proc/self/status", "Uid:\tnobody\n")).await;
        assert_eq!(o.status(), Status::Fail);
        assert!(
            o.message().contains("no well-formed `Uid:` line"),
            "{}",
            o.message()
        );

        let o =
            run(FakeHost::new().file("/proc/self/status", "Uid:\t1000\t1000\t1000\t1000\n")).await;
        assert_eq!(o.status(), Status::Warn);
        assert!(
            o.message().contains("the gid cannot be read"),
            "{}",
            o.message()
        );
    }

    #[test]
    fn binds_the_no_root_user_item() {
        let ids: Vec<&str> = standard_bindings().into_iter().map(|(id, _)| id).collect();
        assert_eq!(ids, ["security.container-security.no-root-user"]);
    }
}
