use super::token::testing::{bound_claims, jwt};
use super::*;
use crate::check::Resources;
use crate::testing::FakeHost;
use crate::Status;

const SA: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// A pod with the kubelet's service-account mount: token, CA and namespace.
fn pod(namespace: &str, account: &str) -> FakeHost {
    FakeHost::new()
        .env("KUBERNETES_SERVICE_HOST", "10.96.0.1")
        .env("KUBERNETES_SERVICE_PORT", "443")
        .file(format!("{SA}/token"), jwt(&bound_claims(namespace, account)))
        .file(format!("{SA}/namespace"), namespace)
        .file(
            format!("{SA}/ca.crt"),
            "-----BEGIN CERTIFICATE-----\nMIIC/jCCAeagAwIBAgIBADANBgkqhkiG9w0BAQsFADAVMRMwEQYDVQQDEwprdWJl\n-----END CERTIFICATE-----\n",
        )
}

/// A pod with `automountServiceAccountToken: false`: only the environment says Kubernetes.
fn pod_without_mount() -> FakeHost {
    FakeHost::new().env("KUBERNETES_SERVICE_HOST", "10.96.0.1")
}

async fn run(check: impl Check, host: FakeHost) -> Outcome {
    check.run(&Context::with_host(host)).await
}

fn with_spec(host: FakeHost, spec: KubernetesSpec) -> Context {
    let mut resources = Resources::default();
    resources.insert(spec);
    Context::new(Arc::new(host), resources)
}

/// Nothing of the token but the namespace and account name may appear anywhere in an outcome.
fn assert_no_token_material(o: &Outcome, host: &FakeHost) {
    let token = host
        .read_to_string(Path::new(&format!("{SA}/token")))
        .unwrap_or_default();
    let all = format!(
        "{} {:?} {:?}",
        o.message(),
        o.get_remediation(),
        o.details()
    );
    for part in token.split('.').filter(|p| p.len() > 8) {
        assert!(!all.contains(part), "token material in {all}");
    }
    for claim in [
        "payments-7d9f8b6c5-x2x4z",
        "node-1",
        "5b8e1d2c",
        "kubernetes.default.svc",
    ] {
        assert!(!all.contains(claim), "claim `{claim}` in {all}");
    }
}

#[tokio::test]
async fn outside_a_pod_everything_is_not_applicable() {
    for o in [
        run(namespace_not_default(), FakeHost::new()).await,
        run(service_account_not_default(), FakeHost::new()).await,
        run(token_automount_off(), FakeHost::new()).await,
    ] {
        assert_eq!(o.status(), Status::NotApplicable);
        assert_eq!(
            o.message(),
            "not running in Kubernetes: no service-account mount and no KUBERNETES_SERVICE_HOST"
        );
    }
    // The mount alone is enough to be in a pod.
    let host = FakeHost::new().file(format!("{SA}/namespace"), "payments");
    assert!(in_pod(&host));
}

#[tokio::test]
async fn namespace_from_the_mount_or_the_downward_api() {
    let o = run(namespace_not_default(), pod("payments", "payments-api")).await;
    assert_eq!(o.status(), Status::Pass);
    assert_eq!(
        o.message(),
        format!("namespace `payments` (from `{SA}/namespace`)")
    );
    assert_eq!(o.details()["namespace"], "payments");

    let o = run(namespace_not_default(), pod("default", "payments-api")).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(o
        .message()
        .starts_with("the pod runs in the `default` namespace"));
    assert!(o.get_remediation().unwrap().contains("metadata.namespace"));

    let host = pod_without_mount().env("MY_NS", "shop\n");
    let o = run(namespace_not_default().namespace_env("MY_NS"), host.clone()).await;
    assert_eq!(
        (o.status(), o.message()),
        (Status::Pass, "namespace `shop` (from `MY_NS`)")
    );
    assert_eq!(o.details()["namespace_source"], "MY_NS");

    let o = run(namespace_not_default(), host).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(
        o.message().contains("`POD_NAMESPACE` is not set"),
        "{}",
        o.message()
    );
    assert!(o
        .get_remediation()
        .unwrap()
        .contains("fieldPath: metadata.namespace"));

    let host = pod("payments", "x").file(format!("{SA}/namespace"), "Not A Name!");
    let o = run(namespace_not_default(), host).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(o
        .message()
        .ends_with("does not hold a namespace name (11 characters)"));
}

#[tokio::test]
async fn service_account_from_the_token_claims() {
    let host = pod("payments", "payments-api");
    let o = run(service_account_not_default(), host.clone()).await;
    assert_eq!(o.status(), Status::Pass);
    assert_eq!(
        o.message(),
        "service account `payments-api` in namespace `payments` (from the mounted token's claims, signature not verified)"
    );
    assert_eq!(o.details().len(), 2);
    assert_eq!(o.details()["service_account"], "payments-api");
    assert_no_token_material(&o, &host);

    let host = pod("payments", "default");
    let o = run(service_account_not_default(), host.clone()).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(o
        .message()
        .starts_with("the pod runs as the `default` service account in namespace `payments`"));
    assert!(o
        .get_remediation()
        .unwrap()
        .contains("spec.serviceAccountName"));
    assert_no_token_material(&o, &host);
}

#[tokio::test]
async fn a_malformed_token_fails_without_showing_it() {
    let host = pod("payments", "x").file(format!("{SA}/token"), "opaque-s3cr3t-value");
    let o = run(service_account_not_default(), host).await;
    assert_eq!(o.status(), Status::Fail);
    assert_eq!(
        o.message(),
        format!("`{SA}/token` is not a service-account token: it is not a JWT: expected three dot-separated parts")
    );
    let claims = serde_json::json!({"sub": "someone", "secret": "hunter2"});
    let host = pod("payments", "x").file(format!("{SA}/token"), jwt(&claims));
    let o = run(service_account_not_default(), host).await;
    assert_eq!(o.status(), Status::Fail);
    assert_eq!(
        o.message(),
        "no valid service-account name in the mounted token's claims, signature not verified"
    );
    assert!(!format!("{o:?}").contains("hunter2"));
}

#[tokio::test]
async fn without_a_token_the_downward_api_or_the_declaration_decides() {
    let host = pod_without_mount().env("POD_SERVICE_ACCOUNT", "payments-api");
    let o = run(service_account_not_default(), host).await;
    assert_eq!(
        (o.status(), o.message()),
        (
            Status::Pass,
            "service account `payments-api` (from `POD_SERVICE_ACCOUNT`)"
        )
    );
    let host = pod_without_mount().env("SA_NAME", "default");
    let o = run(
        service_account_not_default().service_account_env("SA_NAME"),
        host,
    )
    .await;
    assert_eq!(o.status(), Status::Fail);

    // Nothing to see, and nothing declared: fail.
    let o = run(service_account_not_default(), pod_without_mount()).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(o.message().contains("the service account cannot be seen"));
    assert!(o
        .get_remediation()
        .unwrap()
        .contains("KubernetesSpec::without_api_access()"));

    // Declared to need no API access: the missing token is what should be.
    let ctx = with_spec(pod_without_mount(), KubernetesSpec::without_api_access());
    let o = service_account_not_default().run(&ctx).await;
    assert_eq!(o.status(), Status::Pass);
    assert!(o.message().starts_with(
        "no service-account token is mounted and the service declares it needs no API access"
    ));
    // …but a service that needs the API and has no token fails.
    let o = service_account_not_default()
        .spec(KubernetesSpec::with_api_access())
        .run(&ctx)
        .await;
    assert_eq!(o.status(), Status::Fail);
}

#[tokio::test]
async fn token_automount_follows_the_declaration() {
    let mounted = pod("payments", "payments-api");
    let o = run(token_automount_off(), mounted.clone()).await;
    assert_eq!(o.status(), Status::Warn);
    assert!(o
        .message()
        .contains("has not declared whether it needs Kubernetes API access"));
    assert!(o
        .get_remediation()
        .unwrap()
        .contains("KubernetesSpec::without_api_access()"));

    let o = token_automount_off()
        .run(&with_spec(
            mounted.clone(),
            KubernetesSpec::without_api_access(),
        ))
        .await;
    assert_eq!(o.status(), Status::Fail);
    assert_eq!(
        o.get_remediation(),
        Some(
            "set `automountServiceAccountToken: false` on the pod spec (or on its ServiceAccount)"
        )
    );
    assert_eq!(o.details()["token_mounted"], true);
    assert_eq!(o.details()["needs_api_access"], false);

    let o = token_automount_off()
        .run(&with_spec(
            pod_without_mount(),
            KubernetesSpec::without_api_access(),
        ))
        .await;
    assert_eq!(o.status(), Status::Pass);

    let o = token_automount_off()
        .spec(KubernetesSpec::with_api_access())
        .run(&with_spec(
            mounted.clone(),
            KubernetesSpec::without_api_access(),
        ))
        .await;
    assert_eq!(o.status(), Status::Warn);
    assert!(o.message().contains("the scope of its Role cannot be seen"));
    assert!(o
        .get_remediation()
        .unwrap()
        .contains("kubectl auth can-i --list"));
    assert_no_token_material(&o, &mounted);

    let o = run(
        token_automount_off().spec(KubernetesSpec::with_api_access()),
        pod_without_mount(),
    )
    .await;
    assert_eq!(o.status(), Status::Fail);
}

#[test]
fn binds_six_kubernetes_items() {
    let ids: Vec<&str> = standard_bindings().into_iter().map(|(id, _)| id).collect();
    assert_eq!(ids.len(), 6);
    let known: Vec<String> = crate::standard::rows().into_iter().map(|r| r.id).collect();
    for id in ids {
        assert!(known.iter().any(|k| k == id), "{id} is not a standard item");
    }
    assert!(is_object_name("kube-system"));
    assert!(!is_object_name("-x") && !is_object_name("") && !is_object_name("A"));
}
