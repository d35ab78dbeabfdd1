//! Database checks against the real MariaDB on 127.0.0.1:3306 (root, empty password).

use crate::support::{closed_port, migrator, run, scratch_name};
use prodready::checks::dependencies::{
    connection_pool_configured, database_reachable, migrations_applied,
};
use prodready::Status;
use sqlx::mysql::MySqlPoolOptions;
use sqlx::MySqlPool;
use std::time::Duration;

const NEEDS: &str = "needs MariaDB on 127.0.0.1:3306";

async fn pool(db: &str) -> MySqlPool {
    MySqlPoolOptions::new()
        .max_connections(3)
        .acquire_timeout(Duration::from_secs(2))
        .idle_timeout(Duration::from_secs(60))
        .connect(&format!("mysql://root@127.0.0.1:3306/{db}"))
        .await
        .unwrap_or_else(|e| panic!("{NEEDS}: {e}"))
}

#[tokio::test]
#[ignore = "needs MariaDB on 127.0.0.1:3306"]
async fn reachable_and_pool_within_max_connections() {
    let p = pool("test").await;
    let q = p.clone();
    let item = run(database_reachable(), |b| b.resource(q)).await;
    assert_eq!(item.status, Status::Pass, "{}", item.message);
    assert_eq!(item.details["engine"], "MySQL");

    let server: u64 = sqlx::query_scalar("SELECT CAST(@@max_connections AS UNSIGNED)")
        .fetch_one(&p)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let q = p.clone();
    let item = run(connection_pool_configured(), |b| b.resource(q)).await;
    assert_eq!(item.status, Status::Pass, "{}", item.message);
    assert_eq!(item.details["server_max_connections"], server);
    let replicas = (server / 3 + 1) as u32;
    let item = run(connection_pool_configured().replicas(replicas), |b| {
        b.resource(p)
    })
    .await;
    assert_eq!(item.status, Status::Fail, "{}", item.message);
}

#[tokio::test]
#[ignore = "needs MariaDB on 127.0.0.1:3306"]
async fn a_wrong_password_fails_without_printing_it() {
    let p = MySqlPoolOptions::new()
        .acquire_timeout(Duration::from_secs(2))
        .connect_lazy("mysql://root:wr0ng-pw@127.0.0.1:3306/test")
        .unwrap_or_else(|e| panic!("{e}"));
    let item = run(database_reachable(), |b| b.resource(p)).await;
    assert_eq!(item.status, Status::Fail, "{}", item.message);
    assert!(item.message.contains("Access denied"), "{}", item.message);
    let all = format!("{} {:?} {:?}", item.message, item.details, item.remediation);
    assert!(!all.contains("wr0ng-pw"), "{all}");
}

#[tokio::test]
#[ignore = "needs MariaDB on 127.0.0.1:3306"]
async fn a_server_that_is_down_fails() {
    let p = MySqlPoolOptions::new()
        .acquire_timeout(Duration::from_secs(1))
        .connect_lazy(&format!("mysql://root@127.0.0.1:{}/test", closed_port()))
        .unwrap_or_else(|e| panic!("{e}"));
    let item = run(database_reachable(), |b| b.resource(p)).await;
    assert_eq!(item.status, Status::Fail, "{}", item.message);
}

#[tokio::test]
#[ignore = "needs MariaDB on 127.0.0.1:3306"]
async fn migrations_missing_and_edited_are_named() {
    let name = scratch_name();
    let admin = pool("test").await;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let p = pool(&name).await;
    let m = migrator().await;
    let q = p.clone();
    let item = run(migrations_applied().migrator(m), |b| b.resource(q)).await;
    assert!(item.message.contains("missing: 1, 2"), "{}", item.message);

    m.run(&p).await.unwrap_or_else(|e| panic!("{e}"));
    let q = p.clone();
    let item = run(migrations_applied().migrator(m), |b| b.resource(q)).await;
    assert_eq!(item.status, Status::Pass, "{}", item.message);

    sqlx::query("UPDATE _sqlx_migrations SET checksum = x'00' WHERE version = 2")
        .execute(&p)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let q = p.clone();
    let item = run(migrations_applied().migrator(m), |b| b.resource(q)).await;
    assert_eq!(item.status, Status::Fail);
    assert!(
        item.message.contains("checksum mismatch: 2"),
        "{}",
        item.message
    );

    p.close().await;
    let _ = sqlx::query(&format!("DROP DATABASE {name}"))
        .execute(&admin)
        .await;
}
