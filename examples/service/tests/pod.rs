#![allow(clippy::unwrap_used)]
//! The example run as in its pod (`deploy/kubernetes/example.yaml`) without a cluster: the
//! service binary reads its machine under a fake root shaped like that pod
//! (`FakeHost::hardened_pod`: non-root, no capabilities, no privilege escalation, seccomp, a
//! read-only root, cgroup limits, no service-account token) through `EXAMPLE_HOST_ROOT`, and
//! its container and Kubernetes items must pass; on a root container's root they must fail. The pod's manifests, digested into
//! the evidence bundle as `prodready add --kind manifests` does, make its RBAC, network-policy,
//! autoscaler and quota items pass.

use prodready::testing::{FakeHost, POD_DATABASE_URL_FILE};
use prodready::Host;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// `GET path` over HTTP/1.0: the status and the body.
fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    let status = text.split_whitespace().nth(1)?.parse().ok()?;
    let body = text.split_once("\r\n\r\n")?.1.to_owned();
    Some((status, body))
}

struct Service(Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The example on `host`'s root with `host`'s environment, its database URL in a secret file of
/// mode `secret_mode`; the whole report (from the management listener) once the first
/// evaluation finished.
fn report_on(host: &FakeHost, secret_mode: u32) -> serde_json::Value {
    let (port, management) = (free_port(), free_port());
    let db = host.root().join("orders.db");
    // The evidence bundle CI makes, at /app/evidence in the pod (the manifests' path): the
    // pod's manifests, digested.
    let bundle = host.root().join("app/evidence");
    std::fs::create_dir_all(&bundle).unwrap();
    let manifests = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../deploy/kubernetes/example.yaml"
    );
    let bytes = std::fs::read(manifests).unwrap();
    std::fs::write(bundle.join("example.yaml"), &bytes).unwrap();
    let mut manifest = prodready::evidence::Manifest::default();
    prodready::evidence::bundle::add(
        &mut manifest,
        "manifests",
        std::path::Path::new("example.yaml"),
        &bytes,
        env!("CARGO_PKG_VERSION"),
        None,
    )
    .expect("the manifests digest");
    std::fs::write(
        bundle.join(prodready::evidence::bundle::MANIFEST),
        serde_json::to_string_pretty(&manifest).unwrap(),
    )
    .unwrap();
    // The database URL in the pod's secret volume (`secret_mode`: 0400 in the pod).
    let _ = host.clone().file_with_mode(
        POD_DATABASE_URL_FILE,
        format!("sqlite://{}", db.display()),
        secret_mode,
    );
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_service"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(host.env_vars())
        .env("EXAMPLE_HOST_ROOT", host.root())
        .env("PRODREADY_LISTEN", format!("127.0.0.1:{port}"))
        .env(
            "PRODREADY_MANAGEMENT_LISTEN",
            format!("127.0.0.1:{management}"),
        )
        .env("PRODREADY_DRAIN_PERIOD", "0s")
        .env("EXAMPLE_DATABASE_URL_FILE", POD_DATABASE_URL_FILE)
        .env("EXAMPLE_EVIDENCE_DIR", "/app/evidence")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let _service = Service(cmd.spawn().expect("the example binary starts"));
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some((_, body)) = get(management, "/readiness-checklist") {
            let report: serde_json::Value = serde_json::from_str(&body).expect("a JSON report");
            if report["items"][0]["evaluated_at"].is_string()
                && !report["items"].as_array().unwrap().iter().any(|i| {
                    i["message"]
                        .as_str()
                        .is_some_and(|m| m.starts_with("not evaluated yet"))
                })
            {
                return report;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the example never answered a whole report"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn status<'a>(report: &'a serde_json::Value, id: &str) -> (&'a str, &'a str) {
    let item = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no item {id}"));
    (
        item["status"].as_str().unwrap(),
        item["message"].as_str().unwrap_or(""),
    )
}

/// What the pod's spec makes true, item by item (the first six fail on a root container).
const POD_ITEMS: [&str; 14] = [
    "security.container-security.no-root-user",
    // The database URL from a secret file only its user can read.
    "security.data-protection.secrets-encrypted",
    "security.container-security.minimal-attack-surface",
    "infrastructure.kubernetes.resource-limits-set",
    "performance.resource-allocation.cpu-requests-limits-set",
    "performance.resource-allocation.memory-requests-limits-set",
    "infrastructure.kubernetes.service-account-configured",
    "infrastructure.kubernetes.namespace-created",
    "infrastructure.database.connection-string-in-secrets",
    // From the manifests in the bundle.
    "infrastructure.kubernetes.rbac-policies-set",
    "infrastructure.kubernetes.network-policies-configured",
    "security.authentication-authorization.network-policies-restrict-access",
    "performance.resource-allocation.hpa-configured",
    "performance.resource-allocation.resource-quotas-set",
];

#[test]
fn on_the_pods_root_its_container_kubernetes_and_secrets_items_pass() {
    let report = report_on(&FakeHost::hardened_pod(), 0o400);
    let failing: Vec<String> = POD_ITEMS
        .iter()
        .filter_map(|id| {
            let (s, m) = status(&report, id);
            (s != "pass").then(|| format!("{id}: {s}: {m}"))
        })
        .collect();
    assert!(failing.is_empty(), "{failing:#?}");
}

#[test]
fn the_fake_pods_downward_api_variables_are_the_manifests() {
    // The manifest mounts no service-account token, so the namespace and service-account items
    // see the pod only through these variables: the fake pod sets them, so must the manifest.
    let manifest = include_str!("../../../deploy/kubernetes/example.yaml");
    assert!(manifest.contains("automountServiceAccountToken: false"));
    for (name, field) in [
        ("POD_NAMESPACE", "metadata.namespace"),
        ("POD_SERVICE_ACCOUNT", "spec.serviceAccountName"),
    ] {
        assert!(
            Host::env(&FakeHost::hardened_pod(), name).is_some(),
            "the preset sets {name}"
        );
        let declared = format!(
            "- name: {name}\n              valueFrom: {{ fieldRef: {{ fieldPath: {field} }} }}"
        );
        assert!(
            manifest.contains(&declared),
            "the manifest sets {name} from {field}"
        );
    }
}

#[test]
fn on_a_root_containers_root_they_fail() {
    // A secret volume with Kubernetes' default mode, readable by everyone.
    let report = report_on(&FakeHost::root_container(), 0o644);
    for id in &POD_ITEMS[..6] {
        let (s, m) = status(&report, id);
        assert_eq!(s, "fail", "{id}: {m}");
    }
}
