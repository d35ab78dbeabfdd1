//! `#[check]` registrations, at the top level, in a module and inside a function, bound into a
//! checklist declared with `checklist!` and evaluated.

use prodready::{Context, Outcome, Readiness, Severity, Status};

#[prodready::check(item = "security.container-security.no-root-user", timeout = "1s", tags = ["container"])]
async fn not_root(_ctx: &Context) -> Outcome {
    Outcome::pass("uid 1000")
}

// A second registration in the same module: each expansion keeps its helper in its own `const _`.
#[prodready::check(item = "security.container-security.image-signed", kind = evidence)]
async fn image_signed(_ctx: &Context) -> Outcome {
    Outcome::warn("signature not checked in this test")
}

mod ledger {
    use prodready::{Context, Outcome};

    #[prodready::check(
        section = "Payments",
        group = "Ledger",
        title = "Ledger balances",
        severity = warning,
        kind = monitor,
        ttl = "10s",
        depends_on = ["security.container-security.no-root-user"],
        remediation = "reconcile the ledger",
        docs = "https://example.com/ledger",
        gate = none,
    )]
    pub(crate) async fn ledger_balances(ctx: &Context) -> Outcome {
        let _ = ctx.host();
        Outcome::pass("debits equal credits")
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    #[prodready::check(section = "Runtime", title = "Event loop responsive", gate = liveness)]
    async fn responsive(_ctx: &Context) -> Outcome {
        Outcome::pass("tick")
    }

    let checklist = prodready::checklist! {
        "Payments" {
            section "Security" {
                group "Container Security" {
                    "No root user",
                    "Image signed",
                }
            }
        }
    };
    let readiness = Readiness::builder()
        .checklist(checklist)
        .host(prodready::testing::FakeHost::new())
        .build()
        .expect("a valid checklist");
    let items = readiness.checklist().items();
    assert_eq!(items.len(), 4);
    let ledger = readiness
        .checklist()
        .get("payments.ledger.ledger-balances")
        .expect("registered by #[check]");
    assert_eq!(ledger.get_severity(), Severity::Warning);
    assert_eq!(ledger.get_gate(), prodready::Gate::None);
    assert!(readiness
        .checklist()
        .get("runtime.event-loop-responsive")
        .expect("registered inside main")
        .get_gate()
        == prodready::Gate::Liveness);

    let report = readiness.evaluate().await;
    let status = |id: &str| {
        report
            .items
            .iter()
            .find(|i| i.id == id)
            .map(|i| i.status)
            .expect("in the report")
    };
    assert_eq!(
        status("security.container-security.no-root-user"),
        Status::Pass
    );
    assert_eq!(
        status("security.container-security.image-signed"),
        Status::Warn
    );
    assert_eq!(status("payments.ledger.ledger-balances"), Status::Pass);
    assert_eq!(status("runtime.event-loop-responsive"), Status::Pass);
    let _ = ledger::ledger_balances;
}
