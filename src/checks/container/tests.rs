use super::ports::tests::{TCP, TCP6};
use super::*;
use crate::check::Resources;
use crate::checks::cgroup::mountinfo::tests::DOCKER_V2;
use crate::testing::FakeHost;

/// `/proc/self/status` of a hardened pod (capabilities dropped, no privilege escalation,
/// RuntimeDefault seccomp).
const HARDENED: &str = "Name:\tpayments\nUmask:\t0022\nState:\tS (sleeping)\nPid:\t1\nUid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\nCapInh:\t0000000000000000\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nCapBnd:\t0000000000000000\nCapAmb:\t0000000000000000\nNoNewPrivs:\t1\nSeccomp:\t2\nSeccomp_filters:\t1\nSpeculation_Store_Bypass:\tthread force mitigated\n";

/// `/proc/self/status` of `docker run --security-opt seccomp=unconfined` as root.
const DOCKER_ROOT: &str = "Name:\tpayments\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapInh:\t0000000000000000\nCapPrm:\t00000000a80425fb\nCapEff:\t00000000a80425fb\nCapBnd:\t00000000a80425fb\nCapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n";

const RW_ROOT: &str = "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard\n22 27 0:21 / /proc rw,relatime - proc proc rw\n";

/// Only 0.0.0.0:8080 listening.
const TCP_8080: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 9121 1 000000003fc7ec40 100 0 0 10 0
";

fn host(status: &str, mountinfo: &str, tcp: &str) -> FakeHost {
    FakeHost::new()
        .file("/proc/self/status", status)
        .file("/proc/self/mountinfo", mountinfo)
        .file("/proc/net/tcp", tcp)
}

async fn run(check: ContainerCheck, host: FakeHost) -> Outcome {
    check.run(&Context::with_host(host)).await
}

#[tokio::test]
async fn a_hardened_container_passes_all_five_parts() {
    let o = run(
        minimal_attack_surface().port(8080),
        host(HARDENED, DOCKER_V2, TCP_8080),
    )
    .await;
    assert_eq!(o.status(), Status::Pass, "{o:?}");
    assert_eq!(
        o.message(),
        "all 5 parts pass: no effective capabilities; no_new_privs set; seccomp filtering; root filesystem read-only (overlay); only declared TCP ports listening: 8080"
    );
    assert_eq!(o.get_remediation(), None);
    let d = o.details();
    assert_eq!(d["parts"]["read_only_root"], "pass");
    assert_eq!(d["cap_eff"], "0000000000000000");
    assert_eq!(d["no_new_privs"], true);
    assert_eq!(d["seccomp_mode"], "filter");
    assert_eq!(d["seccomp_filters"], 1);
    assert_eq!(d["root_read_only"], true);
    assert_eq!(d["listening"], serde_json::json!(["0.0.0.0:8080"]));
}

#[tokio::test]
async fn a_default_docker_container_says_which_parts_fail() {
    let h = host(DOCKER_ROOT, RW_ROOT, TCP).file("/proc/net/tcp6", TCP6);
    let o = run(minimal_attack_surface(), h).await;
    assert_eq!(o.status(), Status::Fail);
    assert_eq!(
        o.message(),
        "4 of 5 parts fail: capabilities CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID, CAP_KILL, CAP_SETGID and 8 more held; no_new_privs not set; seccomp disabled; root filesystem writable (ext4, mounted `rw,relatime`); 1 of 5 parts warn: TCP listening on 0.0.0.0:8080, 127.0.0.1:1883, [::]:8080, [::1]:4369 but no ports declared"
    );
    let r = o.get_remediation().unwrap();
    for field in [
        "capabilities.drop: [ALL]",
        "allowPrivilegeEscalation: false",
        "seccompProfile.type: RuntimeDefault",
        "readOnlyRootFilesystem: true",
        "ContainerSpec::default().port(8080)",
    ] {
        assert!(r.contains(field), "{field} missing from {r}");
    }
    let d = o.details();
    assert_eq!(d["parts"]["capabilities"], "fail");
    assert_eq!(d["parts"]["ports"], "warn");
    assert_eq!(d["capabilities_unexpected"].as_array().unwrap().len(), 14);
    assert_eq!(d["listening_ports"], serde_json::json!([1883, 4369, 8080]));
    assert_eq!(d["root_mount_options"], "rw,relatime");
}

#[tokio::test]
async fn declarations_come_from_the_check_or_the_readiness_resources() {
    let status = HARDENED.replace("CapEff:\t0000000000000000", "CapEff:\t0000000000000400");
    let h = host(&status, DOCKER_V2, TCP).file("/proc/net/tcp6", TCP6);

    // Nothing declared: the capability fails and the listeners warn.
    let o = run(capabilities_dropped(), h.clone()).await;
    assert_eq!(o.status(), Status::Fail);
    assert_eq!(o.message(), "capabilities CAP_NET_BIND_SERVICE held");

    // Declared as a resource, in Kubernetes' spelling.
    let mut resources = Resources::default();
    resources.insert(
        ContainerSpec::default()
            .allow_capability("net_bind_service")
            .ports([8080, 1883]),
    );
    let ctx = Context::new(Arc::new(h.clone()), resources);
    let o = capabilities_dropped().run(&ctx).await;
    assert_eq!(o.status(), Status::Pass);
    assert_eq!(
        o.message(),
        "only allowed capabilities held: CAP_NET_BIND_SERVICE"
    );
    let o = only_declared_ports().run(&ctx).await;
    assert_eq!(o.status(), Status::Fail);
    assert_eq!(o.message(), "undeclared TCP listeners: [::1]:4369");
    assert_eq!(o.details()["undeclared_ports"], serde_json::json!([4369]));

    // A spec on the check replaces the resource.
    let spec = ContainerSpec {
        allowed_capabilities: vec![],
        ports: vec![8080, 1883, 4369],
    };
    let o = only_declared_ports().spec(spec).run(&ctx).await;
    assert_eq!(o.status(), Status::Pass);
    assert_eq!(
        o.message(),
        "only declared TCP ports listening: 1883, 4369, 8080"
    );
    let o = capabilities_dropped().port(1).run(&ctx).await;
    assert_eq!(o.status(), Status::Fail);
}

#[tokio::test]
async fn no_listener_passes_even_without_declarations() {
    let header = TCP.lines().next().unwrap();
    let o = run(only_declared_ports(), host(HARDENED, DOCKER_V2, header)).await;
    assert_eq!(o.status(), Status::Pass);
    assert_eq!(o.message(), "no TCP port listening");
}

#[tokio::test]
async fn each_part_reports_alone() {
    let h = host(DOCKER_ROOT, RW_ROOT, TCP_8080);
    let o = run(no_new_privileges(), h.clone()).await;
    assert_eq!(
        (o.status(), o.message()),
        (Status::Fail, "no_new_privs not set")
    );
    assert!(o
        .get_remediation()
        .unwrap()
        .contains("allowPrivilegeEscalation: false"));
    let o = run(seccomp_filtering(), h.clone()).await;
    assert_eq!(
        (o.status(), o.message()),
        (Status::Fail, "seccomp disabled")
    );
    assert_eq!(o.details()["seccomp_mode"], "disabled");
    let o = run(read_only_root(), h.clone()).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(o
        .get_remediation()
        .unwrap()
        .contains("readOnlyRootFilesystem: true"));
    assert_eq!(o.details()["root_read_only"], false);
    let o = run(
        seccomp_filtering(),
        host(
            &HARDENED.replace("Seccomp:\t2", "Seccomp:\t1"),
            RW_ROOT,
            TCP_8080,
        ),
    )
    .await;
    assert_eq!(
        (o.status(), o.message()),
        (Status::Pass, "seccomp strict mode")
    );
}

#[tokio::test]
async fn unreadable_and_malformed_files_fail_naming_them() {
    let o = run(minimal_attack_surface(), FakeHost::new()).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(o
        .message()
        .starts_with("5 of 5 parts fail: cannot read `/proc/self/status`"));
    assert!(o.message().contains("cannot read `/proc/self/mountinfo`"));
    assert!(o.message().contains("cannot read `/proc/net/tcp`"));
    assert!(o.get_remediation().unwrap().contains("/proc mounted"));

    let h = host(
        "CapEff:\tzz\nNoNewPrivs:\tyes\nSeccomp:\t7\n",
        "garbage\n",
        TCP_8080,
    );
    let o = run(capabilities_dropped(), h.clone()).await;
    assert_eq!(
        o.message(),
        "`/proc/self/status` has no well-formed `CapEff:` line (a hex mask)"
    );
    let o = run(no_new_privileges(), h.clone()).await;
    assert_eq!(
        o.message(),
        "`/proc/self/status` has `NoNewPrivs: yes`, expected 0 or 1"
    );
    let o = run(seccomp_filtering(), h.clone()).await;
    assert_eq!(
        o.message(),
        "`/proc/self/status` has `Seccomp: 7`, expected 0, 1 or 2"
    );
    let o = run(read_only_root(), h).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(o
        .message()
        .starts_with("`/proc/self/mountinfo` is malformed: line 1"));

    let h = host(
        "Name:\tx\n",
        "22 27 0:21 / /proc rw - proc proc rw\n",
        TCP_8080,
    );
    let o = run(no_new_privileges(), h.clone()).await;
    assert!(o.message().contains("no `NoNewPrivs:` line"));
    let o = run(seccomp_filtering(), h.clone()).await;
    assert!(o.message().contains("no `Seccomp:` line"));
    let o = run(read_only_root(), h).await;
    assert_eq!(o.message(), "`/proc/self/mountinfo` has no mount at `/`");
}

#[test]
fn binds_the_minimal_attack_surface_item() {
    let ids: Vec<&str> = standard_bindings().into_iter().map(|(id, _)| id).collect();
    assert_eq!(ids, ["security.container-security.minimal-attack-surface"]);
}
