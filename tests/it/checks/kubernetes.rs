//! Real-machine tests of `checks::kubernetes`.

use prodready::checks::kubernetes::{in_pod, SERVICE_ACCOUNT_DIR};
use prodready::{RealHost, Status};
use std::path::Path;

const ITEMS: [&str; 6] = [
    "infrastructure.kubernetes.namespace-created",
    "infrastructure.kubernetes.service-account-configured",
    "infrastructure.kubernetes.health-checks-configured",
    "infrastructure.kubernetes.liveness-probe-configured",
    "infrastructure.kubernetes.readiness-probe-configured",
    "security.authentication-authorization.service-account-permissions-set",
];

#[tokio::test]
async fn the_kubernetes_items_know_whether_this_is_a_pod() {
    let pod = Path::new(SERVICE_ACCOUNT_DIR).exists()
        || std::env::var_os("KUBERNETES_SERVICE_HOST").is_some();
    assert_eq!(in_pod(&RealHost::new()), pod);

    let standard = prodready::standard::production_deployment();
    let checklist = ITEMS
        .iter()
        .fold(prodready::Checklist::new("kubernetes"), |c, id| {
            c.item(standard.get(id).unwrap().clone())
        });
    let report = prodready::Readiness::builder()
        .checklist(checklist)
        .registered_checks(false)
        .build()
        .unwrap()
        .evaluate()
        .await;
    for id in ITEMS {
        let item = report.item(id).unwrap();
        if pod {
            assert_ne!(item.status, Status::NotApplicable, "{id}");
        } else {
            assert_eq!(item.status, Status::NotApplicable, "{id}: {}", item.message);
            assert_eq!(
                item.message,
                "not running in Kubernetes: no service-account mount and no KUBERNETES_SERVICE_HOST"
            );
        }
    }
}
