//! Database checks against the real PostgreSQL on 127.0.0.1:5432 (trust auth, user `postgres`).
//! Trust auth accepts any password, so "wrong credentials" is a database that does not exist.

use crate::support::{closed_port, migrator, run, scratch_name};
use prodready::checks::dependencies::{
    backup_configured, connection_pool_configured, database_reachable, migrations_applied,
    queries_optimized,
};
use prodready::Status;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use std::time::Duration;

const NEEDS: &str = "needs PostgreSQL on 127.0.0.1:5432";
const BASE: &str = "postgres://postgres@127.0.0.1:5432";

async fn pool(db: &str) -> PgPool {
    PgPoolOptions::new()
        .max_connections(3)
        .acquire_timeout(Duration::from_secs(2))
        .idle_timeout(Duration::from_secs(60))
        .connect(&format!("{BASE}/{db}"))
        .await
        .unwrap_or_else(|e| panic!("{NEEDS}: {e}"))
}

/// A fresh database, dropped by [`Scratch::drop_now`].
struct Scratch {
    name: String,
    pool: PgPool,
}

impl Scratch {
    async fn new() -> Scratch {
        let name = scratch_name();
        let admin = pool("postgres").await;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        Scratch {
            pool: pool(&name).await,
            name,
        }
    }

    async fn drop_now(self) {
        self.pool.close().await;
        let admin = pool("postgres").await;
        let _ = sqlx::query(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&admin)
        .await;
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL on 127.0.0.1:5432"]
async fn reachable_through_the_service_pool_with_its_round_trip() {
    let p = pool("test").await;
    let item = run(database_reachable(), |b| b.resource(p)).await;
    assert_eq!(item.status, Status::Pass, "{}", item.message);
    assert_eq!(item.details["engine"], "PostgreSQL");
    assert!(item.details["round_trip_ms"]
        .as_f64()
        .is_some_and(|ms| ms < 1000.0));
}

#[tokio::test]
#[ignore = "needs PostgreSQL on 127.0.0.1:5432"]
async fn a_database_that_does_not_exist_fails_without_printing_the_password() {
    let p = PgPoolOptions::new()
        .acquire_timeout(Duration::from_secs(2))
        .connect_lazy(&format!(
            "postgres://postgres:s3cr3t-pw@127.0.0.1:5432/{}",
            scratch_name()
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    let item = run(database_reachable(), |b| b.resource(p)).await;
    assert_eq!(item.status, Status::Fail, "{}", item.message);
    assert!(item.message.contains("does not exist"), "{}", item.message);
    let all = format!("{} {:?} {:?}", item.message, item.details, item.remediation);
    assert!(!all.contains("s3cr3t-pw"), "{all}");
}

#[tokio::test]
#[ignore = "needs PostgreSQL on 127.0.0.1:5432"]
async fn a_server_that_is_down_fails() {
    let p = PgPoolOptions::new()
        .acquire_timeout(Duration::from_secs(1))
        .connect_lazy(&format!(
            "postgres://postgres@127.0.0.1:{}/test",
            closed_port()
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    let item = run(database_reachable(), |b| b.resource(p)).await;
    assert_eq!(item.status, Status::Fail, "{}", item.message);
}

#[tokio::test]
#[ignore = "needs PostgreSQL on 127.0.0.1:5432"]
async fn migrations_missing_applied_edited_and_failed_are_each_named() {
    let s = Scratch::new().await;
    let m = migrator().await;
    let check = || migrations_applied().migrator(m);
    let p = s.pool.clone();
    let item = run(check(), |b| b.resource(p)).await;
    assert_eq!(item.status, Status::Fail, "{}", item.message);
    assert!(item.message.contains("missing: 1, 2"), "{}", item.message);

    m.run(&s.pool).await.unwrap_or_else(|e| panic!("{e}"));
    let p = s.pool.clone();
    let item = run(check(), |b| b.resource(p)).await;
    assert_eq!(item.status, Status::Pass, "{}", item.message);

    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 2")
        .execute(&s.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    sqlx::query("UPDATE _sqlx_migrations SET checksum = '\\x00' WHERE version = 1")
        .execute(&s.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let p = s.pool.clone();
    let item = run(check(), |b| b.resource(p)).await;
    assert_eq!(item.status, Status::Fail);
    assert!(item.message.contains("missing: 2"), "{}", item.message);
    assert!(
        item.message.contains("checksum mismatch: 1"),
        "{}",
        item.message
    );

    sqlx::query("UPDATE _sqlx_migrations SET success = false WHERE version = 1")
        .execute(&s.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let p = s.pool.clone();
    let item = run(check(), |b| b.resource(p)).await;
    assert!(item.message.contains("failed: 1"), "{}", item.message);
    s.drop_now().await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL on 127.0.0.1:5432"]
async fn a_flyway_history_with_a_failed_migration_fails() {
    let s = Scratch::new().await;
    for sql in [
        "CREATE TABLE flyway_schema_history (installed_rank INT PRIMARY KEY, version TEXT, success BOOLEAN NOT NULL)",
        "INSERT INTO flyway_schema_history VALUES (1, '1', true), (2, '2', false)",
    ] {
        sqlx::query(sql).execute(&s.pool).await.unwrap_or_else(|e| panic!("{e}"));
    }
    let p = s.pool.clone();
    let item = run(migrations_applied(), |b| b.resource(p)).await;
    assert_eq!(item.status, Status::Fail, "{}", item.message);
    assert!(
        item.message
            .contains("`flyway_schema_history`: 2 applied, 1 failed"),
        "{}",
        item.message
    );
    s.drop_now().await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL on 127.0.0.1:5432"]
async fn the_pool_is_judged_against_the_servers_max_connections() {
    let p = pool("test").await;
    let server: String = sqlx::query_scalar("SHOW max_connections")
        .fetch_one(&p)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let server: u64 = server.parse().unwrap_or_else(|e| panic!("{e}"));
    let q = p.clone();
    let item = run(connection_pool_configured(), |b| b.resource(q)).await;
    assert_eq!(item.status, Status::Pass, "{}", item.message);
    assert_eq!(item.details["server_max_connections"], server);

    // 3 connections × enough replicas to exceed the server's limit.
    let replicas = (server / 3 + 1) as u32;
    let item = run(connection_pool_configured().replicas(replicas), |b| {
        b.resource(p)
    })
    .await;
    assert_eq!(item.status, Status::Fail, "{}", item.message);
    assert!(
        item.message
            .contains("exceeds the server's max_connections"),
        "{}",
        item.message
    );
}

#[tokio::test]
#[ignore = "needs PostgreSQL on 127.0.0.1:5432"]
async fn backup_follows_archive_mode_and_the_archiver() {
    // archive_mode needs a restart to change: the test asserts whatever this server has.
    let p = pool("test").await;
    let mode: String = sqlx::query_scalar("SHOW archive_mode")
        .fetch_one(&p)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let item = run(backup_configured(), |b| b.resource(p)).await;
    assert_eq!(item.details["archive_mode"], mode.as_str());
    if mode == "off" {
        assert_eq!(item.status, Status::Fail, "{}", item.message);
        assert!(
            item.message.contains("`archive_mode` is `off`"),
            "{}",
            item.message
        );
    } else {
        assert!(
            item.details.contains_key("archived_count"),
            "{:?}",
            item.details
        );
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL on 127.0.0.1:5432"]
async fn queries_need_pg_stat_statements_loaded() {
    let s = Scratch::new().await;
    let p = s.pool.clone();
    let item = run(queries_optimized(), |b| b.postgres(p)).await;
    // Not seen is not "does not apply": the item warns, saying what is missing.
    assert_eq!(item.status, Status::Warn, "{}", item.message);
    assert!(
        item.message.contains("could not be seen"),
        "{}",
        item.message
    );
    assert!(item.message.contains("not installed"), "{}", item.message);

    let preload: String = sqlx::query_scalar("SHOW shared_preload_libraries")
        .fetch_one(&s.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        .execute(&s.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let p = s.pool.clone();
    let item = run(
        queries_optimized()
            .max_mean(Duration::from_millis(50))
            .min_calls(1),
        |b| b.resource(p),
    )
    .await;
    if preload.contains("pg_stat_statements") {
        // Loaded: a deliberately slow statement shows up by queryid.
        for _ in 0..2 {
            sqlx::query("SELECT pg_sleep(0.1)")
                .execute(&s.pool)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let p = s.pool.clone();
        let item = run(
            queries_optimized()
                .max_mean(Duration::from_millis(50))
                .min_calls(1),
            |b| b.resource(p),
        )
        .await;
        assert_eq!(item.status, Status::Fail, "{}", item.message);
        assert!(
            !item.message.contains("pg_sleep"),
            "statement text leaked: {}",
            item.message
        );
    } else {
        // Installed but not preloaded (this machine): the view cannot be read.
        assert_eq!(item.status, Status::Warn, "{}", item.message);
        assert!(
            item.message.contains("could not be seen"),
            "{}",
            item.message
        );
        assert!(
            item.message.contains("shared_preload_libraries"),
            "{}",
            item.message
        );
    }
    s.drop_now().await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL on 127.0.0.1:5432"]
async fn pool_optimized_passes_when_free_and_fails_when_exhausted() {
    let p = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(5))
        .connect(&format!("{BASE}/postgres"))
        .await
        .unwrap_or_else(|e| panic!("{NEEDS}: {e}"));
    let check = || {
        prodready::checks::dependencies::pool_optimized()
            .warn_after(Duration::from_millis(100))
            .fail_after(Duration::from_millis(300))
    };
    let free = run(check(), |b| b.resource(p.clone())).await;
    assert_eq!(free.status, Status::Pass, "{free:?}");
    assert_eq!(free.details["pool_max"], 1);
    // The service holds its only connection: a caller would wait, and the item says so.
    let held = p.acquire().await.unwrap();
    let exhausted = run(check(), |b| b.resource(p.clone())).await;
    assert_eq!(exhausted.status, Status::Fail, "{exhausted:?}");
    assert!(
        exhausted
            .message
            .starts_with("PostgreSQL: no connection within 300ms (1 of 1 open, 0 idle)"),
        "{}",
        exhausted.message
    );
    // Released after 150 ms: the wait is seen, above the warning threshold.
    let release = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(150)).await;
        drop(held);
    });
    let slow = run(check(), |b| b.resource(p.clone())).await;
    release.await.unwrap();
    assert_eq!(slow.status, Status::Warn, "{slow:?}");
    assert!(slow.details["acquire_wait_ms"].as_f64().unwrap() >= 100.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL on 127.0.0.1:5432"]
async fn a_connection_a_check_opens_keeps_working_for_the_service_after_the_readiness_is_gone() {
    use prodready::{Checklist, Item, Readiness};
    // The service's pool: one connection, opened on first use, used without a test query.
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .test_before_acquire(false)
        .acquire_timeout(Duration::from_secs(2))
        .connect_lazy(&format!("{BASE}/test"))
        .unwrap_or_else(|e| panic!("{NEEDS}: {e}"));
    {
        // Checks on the default runtime of their own: the check is the first to use the pool.
        let checklist = Checklist::new("Deps")
            .item(Item::new("Deps", None, "Reachable").check(database_reachable()));
        let readiness = Readiness::builder()
            .checklist(checklist)
            .registered_checks(false)
            .postgres(pool.clone())
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let report = readiness.evaluate().await;
        let item = report.item("deps.reachable").unwrap();
        assert_eq!(item.status, Status::Pass, "{}", item.message);
    }
    // The readiness, and the runtime its checks ran on, are gone; the connection the check
    // opened is the pool's only one, and the service's queries go through it.
    assert_eq!(pool.size(), 1);
    for _ in 0..3 {
        let one: i32 = sqlx::query_scalar("SELECT 1")
            .fetch_one(&pool)
            .await
            .unwrap_or_else(|e| panic!("the service's query failed: {e}"));
        assert_eq!(one, 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL on 127.0.0.1:5432"]
async fn the_services_queries_do_not_wait_for_a_check_that_blocks_the_check_thread() {
    use prodready::{check_fn, Checklist, Item, Outcome, Readiness};
    const BLOCK: Duration = Duration::from_secs(4);
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .test_before_acquire(false)
        .connect_lazy(&format!("{BASE}/test"))
        .unwrap_or_else(|e| panic!("{NEEDS}: {e}"));
    // The database check opens the pool's only connection; then a check blocks the one check
    // thread (a synchronous call inside an async check).
    let checklist = Checklist::new("Deps")
        .item(Item::new("Deps", None, "Reachable").check(database_reachable()))
        .item(
            Item::new("Deps", None, "Blocks")
                .timeout(BLOCK * 2)
                .check(check_fn(|_ctx| async {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    std::thread::sleep(BLOCK);
                    Outcome::pass("blocked")
                })),
        );
    let readiness = Readiness::builder()
        .checklist(checklist)
        .registered_checks(false)
        .check_runtime(prodready::CheckRuntime::Dedicated { threads: 1 })
        .postgres(pool.clone())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let evaluation = {
        let readiness = readiness.clone();
        tokio::spawn(async move { readiness.evaluate().await })
    };
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(pool.size(), 1, "the check opened the pool's connection");
    // The service's query through that connection while the check thread is blocked: driven by
    // the service's runtime, it does not wait for the check thread (it waited 3.5 s, until the
    // blocker returned, when the connection belonged to the check runtime).
    let started = std::time::Instant::now();
    let one: i32 = sqlx::query_scalar("SELECT 1")
        .fetch_one(&pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let waited = started.elapsed();
    assert_eq!(one, 1);
    assert!(waited < BLOCK / 2, "the service's query waited {waited:?}");
    let report = evaluation.await.unwrap_or_else(|e| panic!("{e}"));
    let item = report.item("deps.reachable").unwrap();
    assert_eq!(item.status, Status::Pass, "{}", item.message);
}
