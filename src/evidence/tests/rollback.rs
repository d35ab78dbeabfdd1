//! The post-mortem item follows the rollback triggers that fired in the engine's last report.

use super::{at_nov_25, attestation, run, spec};
use crate::evidence::attest::{attested, POST_MORTEM_ITEM};
use crate::evidence::EvidenceSpec;
use crate::testing::FakeHost;
use crate::{check_fn, Checklist, Item, Kind, Outcome, Readiness, Report, Status};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

const TRIGGER: &str = "rollback-plan.triggers.error-rate-threshold";
const PASS: u8 = 0;
const FIRE: u8 = 1;
const WAIT: u8 = 2;

/// A trigger check whose verdict the test sets: pass, fire (fail) or not watching yet (pending).
fn trigger(state: Arc<AtomicU8>) -> impl crate::Check {
    check_fn(move |_| {
        let s = state.load(Ordering::SeqCst);
        async move {
            match s {
                PASS => Outcome::pass("error ratio 0.1% (limit 5%)"),
                FIRE => Outcome::fail("error ratio 12% > 5%"),
                _ => Outcome::pending("waiting for 20 requests"),
            }
        }
    })
}

fn readiness(checklist: Checklist, host: FakeHost) -> Readiness {
    Readiness::builder()
        .service("inventory", "1.5.0")
        .host(host)
        .checklist(checklist)
        .registered_checks(false)
        .resource(
            EvidenceSpec::new()
                .dir("/evidence")
                .allow_unsigned(POST_MORTEM_ITEM),
        )
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn post_mortem(report: &Report) -> (Status, String) {
    let item = report
        .items
        .iter()
        .find(|i| i.id == POST_MORTEM_ITEM)
        .unwrap_or_else(|| panic!("no post-mortem item"));
    (item.status, item.message.clone())
}

fn own_checklist(state: Arc<AtomicU8>) -> Checklist {
    Checklist::new("t")
        .item(
            Item::new("Rollback Plan", Some("Triggers"), "Error rate > threshold")
                .kind(Kind::Monitor)
                .rollback_trigger()
                .ttl(Duration::ZERO)
                .check(trigger(state)),
        )
        .item(
            Item::new(
                "Post-Deployment",
                Some("Communication"),
                "Post-mortem scheduled (if needed)",
            )
            .kind(Kind::Attestation)
            .ttl(Duration::ZERO)
            .check(attested(POST_MORTEM_ITEM, "devops").only_if_rollback()),
        )
}

#[tokio::test]
async fn the_post_mortem_follows_the_rollback_triggers_that_fired() {
    let state = Arc::new(AtomicU8::new(PASS));
    let host = at_nov_25(FakeHost::new());
    let r = readiness(own_checklist(state.clone()), host.clone());
    let (status, message) = post_mortem(&*r.evaluate_fresh().await);
    assert_eq!(status, Status::Pending, "no report yet: {message}");
    assert!(
        message.contains("no evaluation has finished yet"),
        "{message}"
    );

    let (status, message) = post_mortem(&*r.evaluate_fresh().await);
    assert_eq!(status, Status::NotApplicable, "{message}");
    assert!(message.contains("no rollback trigger fired"), "{message}");

    state.store(FIRE, Ordering::SeqCst);
    let fired = r.evaluate_fresh().await;
    assert!(fired.rollback.recommended);
    let (status, message) = post_mortem(&*r.evaluate_fresh().await);
    assert_eq!(status, Status::Pending, "{message}");
    assert!(
        message.contains("a rollback trigger fired")
            && message.contains(TRIGGER)
            && message.contains("error ratio 12% > 5%")
            && message.contains("not attested yet"),
        "{message}"
    );
    // A trigger that fired once keeps the post-mortem needed after it clears.
    state.store(PASS, Ordering::SeqCst);
    r.evaluate_fresh().await;
    let (status, message) = post_mortem(&*r.evaluate_fresh().await);
    assert_eq!(status, Status::Pending, "{message}");

    host.write(
        "evidence/attestations/pm.json",
        serde_json::to_string(&attestation(POST_MORTEM_ITEM, "devops")).unwrap_or_default(),
    );
    let (status, message) = post_mortem(&*r.evaluate_fresh().await);
    assert_eq!(status, Status::Pass, "{message}");
}

#[tokio::test]
async fn the_post_mortem_is_pending_while_no_trigger_watches() {
    let state = Arc::new(AtomicU8::new(WAIT));
    let r = readiness(own_checklist(state), FakeHost::new());
    r.evaluate_fresh().await;
    let (status, message) = post_mortem(&*r.evaluate_fresh().await);
    assert_eq!(status, Status::Pending, "{message}");
    assert!(
        message.contains("no rollback trigger is watching yet"),
        "{message}"
    );
}

#[tokio::test]
async fn the_standard_post_mortem_item_is_re_read_by_the_refresher() {
    let state = Arc::new(AtomicU8::new(PASS));
    let standard = crate::standard::production_deployment();
    let checklist = standard
        .items()
        .iter()
        .filter(|i| i.id() == TRIGGER || i.id() == POST_MORTEM_ITEM)
        .cloned()
        .fold(Checklist::new("t"), |c, i| c.item(i))
        .edit(TRIGGER, |i| i.check(trigger(state.clone())));
    let r = readiness(checklist, FakeHost::new());
    assert_eq!(post_mortem(&*r.evaluate().await).0, Status::Pending);
    // `refresh` re-runs what expires, as the background refresher does.
    assert_eq!(post_mortem(&*r.refresh().await).0, Status::NotApplicable);
    state.store(FIRE, Ordering::SeqCst);
    r.refresh().await;
    let (status, message) = post_mortem(&*r.refresh().await);
    assert_eq!(status, Status::Pending, "{message}");
    assert!(message.contains(TRIGGER), "{message}");
}

#[tokio::test]
async fn outside_a_readiness_only_a_declared_rollback_is_known() {
    let pm = || attested(POST_MORTEM_ITEM, "devops").only_if_rollback();
    let out = run(pm(), FakeHost::new(), spec()).await;
    assert_eq!(out.status(), Status::Pending, "{out:?}");
    assert!(
        out.message().contains("cannot see the rollback triggers"),
        "{}",
        out.message()
    );
    let out = run(pm(), FakeHost::new(), spec().rollback_fired(true)).await;
    assert_eq!(out.status(), Status::Pending, "{out:?}");
    assert!(
        out.message().contains("a rollback was declared")
            && out.message().contains("not attested yet"),
        "{}",
        out.message()
    );
}
