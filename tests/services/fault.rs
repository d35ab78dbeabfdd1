//! The fault proxy between the database check and the real PostgreSQL: a blackholed database
//! fails its item within the check's timeout while the endpoints keep answering, and the item
//! passes again on the first refresh after the fault is removed.

use prodready::checks::dependencies::database_reachable;
use prodready::http::{handle, Request};
use prodready::testing::fault::{Fault, FaultProxy};
use prodready::{Checklist, Item, Readiness, Status};
use sqlx::postgres::PgPoolOptions;
use std::time::{Duration, Instant};

const ID: &str = "deps.database";

async fn setup(proxy: &FaultProxy, timeout: Duration) -> Readiness {
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .acquire_timeout(timeout)
        .connect(&format!("postgres://postgres@{}/test", proxy.addr()))
        .await
        .unwrap_or_else(|e| panic!("needs PostgreSQL on 127.0.0.1:5432: {e}"));
    let checklist = Checklist::new("Deps")
        .item(Item::new("Deps", None, "Database").check(database_reachable().timeout(timeout)));
    Readiness::builder()
        .checklist(checklist)
        .registered_checks(false)
        .probe_ttl(Duration::from_millis(1))
        .resource(pool)
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn status(readiness: &Readiness) -> (Status, String, Duration) {
    let started = Instant::now();
    let report = readiness.refresh().await;
    let item = report.item(ID).unwrap_or_else(|| panic!("no {ID}"));
    (item.status, item.message.clone(), started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL on 127.0.0.1:5432"]
async fn a_blackholed_database_fails_in_time_and_recovers_on_the_next_refresh() {
    let proxy = FaultProxy::start("127.0.0.1:5432")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let timeout = Duration::from_millis(500);
    let readiness = setup(&proxy, timeout).await;
    let (s, m, _) = status(&readiness).await;
    assert_eq!(s, Status::Pass, "{m}");

    proxy.set(Fault::Blackhole);
    // The endpoint answers from the cache while the check hangs.
    let probing = {
        let readiness = readiness.clone();
        tokio::spawn(async move {
            let mut worst = Duration::ZERO;
            let end = Instant::now() + Duration::from_millis(600);
            while Instant::now() < end {
                let started = Instant::now();
                let req = Request {
                    method: "GET",
                    path: "/livez",
                    query: None,
                    accept: None,
                    user_agent: Some("kube-probe/1.30"),
                    authorization: None,
                    headers: None,
                    authorized: false,
                };
                let answered = handle(&readiness, req).await;
                assert!(answered.is_some());
                worst = worst.max(started.elapsed());
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            worst
        })
    };
    let (s, m, took) = status(&readiness).await;
    assert_eq!(s, Status::Fail, "{m}");
    assert!(
        took <= timeout + Duration::from_millis(100),
        "took {took:?}"
    );
    let worst = probing.await.unwrap_or_else(|e| panic!("{e}"));
    assert!(
        worst < Duration::from_millis(50),
        "/livez took {worst:?} during the fault"
    );

    proxy.set(Fault::Pass);
    let (s, m, _) = status(&readiness).await;
    assert_eq!(s, Status::Pass, "first refresh after the fault: {m}");
}

#[tokio::test]
#[ignore = "needs PostgreSQL on 127.0.0.1:5432"]
async fn refused_and_dropped_connections_fail_and_a_delay_passes() {
    let proxy = FaultProxy::start("127.0.0.1:5432")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let readiness = setup(&proxy, Duration::from_secs(1)).await;
    proxy.set(Fault::Delay(Duration::from_millis(20)));
    let (s, m, took) = status(&readiness).await;
    assert_eq!(s, Status::Pass, "{m}");
    assert!(took >= Duration::from_millis(20), "{took:?}");

    proxy.set(Fault::Refuse);
    let (s, m, _) = status(&readiness).await;
    assert_eq!(s, Status::Fail, "{m}");

    proxy.set(Fault::DropAfter(3));
    let (s, m, _) = status(&readiness).await;
    assert_eq!(s, Status::Fail, "{m}");
    assert_eq!(proxy.fault(), Fault::DropAfter(3));
}
