//! Unit tests on an in-memory SQLite pool and a fake host; PostgreSQL and MariaDB are exercised
//! against the real servers in `tests/services`.

use super::migrations::diff;
use super::*;
use crate::check::{Context, Resources};
use crate::model::Status;
use crate::testing::FakeHost;
use sqlx::migrate::Migrator;
use sqlx::sqlite::SqlitePoolOptions;
use sqlx::SqlitePool;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

fn ctx_with(f: impl FnOnce(&mut Resources)) -> Context {
    let mut r = Resources::default();
    f(&mut r);
    Context::new(Arc::new(FakeHost::new()), r)
}

async fn memory_pool(max: u32) -> SqlitePool {
    match SqlitePoolOptions::new()
        .max_connections(max)
        .connect("sqlite::memory:")
        .await
    {
        Ok(p) => p,
        Err(e) => panic!("in-memory SQLite: {e}"),
    }
}

/// A migrator over two migrations written to a temp dir, leaked for `&'static`.
async fn migrator() -> &'static Migrator {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for (name, sql) in [
        (
            "1_users.sql",
            "CREATE TABLE users (id INTEGER PRIMARY KEY);",
        ),
        (
            "2_orders.sql",
            "CREATE TABLE orders (id INTEGER PRIMARY KEY);",
        ),
    ] {
        std::fs::write(dir.path().join(name), sql).unwrap_or_else(|e| panic!("{e}"));
    }
    let m = Migrator::new(dir.path())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    Box::leak(Box::new(m))
}

#[tokio::test]
async fn without_a_pool_every_database_check_warns_naming_the_builder_method() {
    let ctx = ctx_with(|_| {});
    let mut checks: Vec<Arc<dyn crate::Check>> = vec![
        Arc::new(database_reachable()),
        Arc::new(migrations_applied()),
        Arc::new(connection_pool_configured()),
        Arc::new(pool_optimized()),
    ];
    #[cfg(feature = "postgres")]
    checks.extend([
        Arc::new(backup_configured()) as Arc<dyn crate::Check>,
        Arc::new(queries_optimized()),
    ]);
    for check in checks {
        let o = check.run(&ctx).await;
        // The pool was not seen: that does not show the service has no database.
        assert_eq!(o.status(), Status::Warn, "{}", o.message());
        assert!(o.message().contains("`.sqlite(pool)`"), "{}", o.message());
        assert!(
            o.get_remediation().is_some_and(|r| r.contains("waive")),
            "{:?}",
            o.get_remediation()
        );
    }
}

#[cfg(feature = "postgres")]
#[tokio::test]
async fn postgres_only_items_on_another_engine_warn_that_they_could_not_see() {
    let pool = memory_pool(1).await;
    let ctx = ctx_with(|r| r.insert(pool));
    for o in [
        backup_configured().run(&ctx).await,
        queries_optimized().run(&ctx).await,
    ] {
        assert_eq!(o.status(), Status::Warn, "{}", o.message());
        assert!(o.message().contains("could not be seen"), "{}", o.message());
        assert!(o.message().contains("SQLite"), "{}", o.message());
    }
}

#[tokio::test]
async fn a_working_pool_is_reachable_and_reports_the_round_trip() {
    let pool = memory_pool(1).await;
    let ctx = ctx_with(|r| r.insert(pool));
    let o = database_reachable().run(&ctx).await;
    assert_eq!(o.status(), Status::Pass, "{}", o.message());
    assert_eq!(o.details()["engine"], "SQLite");
    assert!(o.details()["round_trip_ms"].as_f64().is_some());
}

#[tokio::test]
async fn a_closed_pool_is_unreachable() {
    let pool = memory_pool(1).await;
    pool.close().await;
    let ctx = ctx_with(|r| r.insert(pool));
    let o = database_reachable().run(&ctx).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(o.message().contains("SELECT 1"), "{}", o.message());
}

#[test]
fn the_diff_names_missing_unknown_mismatched_and_failed_versions() {
    let embedded: BTreeMap<i64, Vec<u8>> =
        [(1, vec![1]), (2, vec![2]), (3, vec![3]), (4, vec![4])].into();
    let applied = vec![
        (1, vec![1], true),
        (2, vec![9], true),
        (3, vec![3], false),
        (7, vec![7], true),
    ];
    let d = diff(&embedded, &applied);
    assert_eq!(d.missing, vec![4]);
    assert_eq!(d.mismatched, vec![2]);
    assert_eq!(d.failed, vec![3]);
    assert_eq!(d.unknown, vec![7]);
    assert_eq!(d.applied, 1);
}

#[tokio::test]
async fn migrations_pass_when_applied_and_name_each_problem_otherwise() {
    let pool = memory_pool(1).await;
    let m = migrator().await;
    let ctx = ctx_with(|r| r.insert(pool.clone()));
    let check = migrations_applied().migrator(m);

    let o = check.run(&ctx).await;
    assert_eq!(
        o.status(),
        Status::Fail,
        "nothing applied yet: {}",
        o.message()
    );
    assert!(o.message().contains("missing: 1, 2"), "{}", o.message());

    m.run(&pool).await.unwrap_or_else(|e| panic!("{e}"));
    let o = check.run(&ctx).await;
    assert_eq!(o.status(), Status::Pass, "{}", o.message());

    let exec = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query(sql)
                .execute(&pool)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    exec("UPDATE _sqlx_migrations SET checksum = x'00' WHERE version = 1").await;
    exec("UPDATE _sqlx_migrations SET success = 0 WHERE version = 2").await;
    exec("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (9, 'later', 1, x'00', 0)").await;
    let o = check.run(&ctx).await;
    assert_eq!(o.status(), Status::Fail);
    for part in [
        "checksum mismatch: 1",
        "failed: 2",
        "unknown to this binary: 9",
    ] {
        assert!(o.message().contains(part), "{part} in {}", o.message());
    }
}

#[tokio::test]
async fn the_migrator_can_come_from_the_context() {
    let pool = memory_pool(1).await;
    let m = migrator().await;
    m.run(&pool).await.unwrap_or_else(|e| panic!("{e}"));
    let ctx = ctx_with(|r| {
        r.insert(pool);
        r.insert(m);
    });
    let o = migrations_applied().run(&ctx).await;
    assert_eq!(o.status(), Status::Pass, "{}", o.message());
}

#[tokio::test]
async fn without_an_embedded_set_other_tools_tables_are_read() {
    let pool = memory_pool(1).await;
    let ctx = ctx_with(|r| r.insert(pool.clone()));
    let o = migrations_applied().run(&ctx).await;
    assert_eq!(o.status(), Status::Warn, "{}", o.message());
    assert!(
        o.message().contains("no migration history table"),
        "{}",
        o.message()
    );

    sqlx::query("CREATE TABLE flyway_schema_history (version TEXT, success BOOLEAN)")
        .execute(&pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    sqlx::query("INSERT INTO flyway_schema_history VALUES ('1', 1), ('2', 0)")
        .execute(&pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let o = migrations_applied().run(&ctx).await;
    assert_eq!(o.status(), Status::Fail, "{}", o.message());
    assert!(
        o.message()
            .contains("`flyway_schema_history`: 2 applied, 1 failed"),
        "{}",
        o.message()
    );
}

#[tokio::test]
async fn a_pool_left_at_defaults_warns_and_an_explicit_one_passes() {
    let defaults = SqlitePoolOptions::new()
        .connect_lazy("sqlite::memory:")
        .unwrap_or_else(|e| panic!("{e}"));
    let ctx = ctx_with(|r| r.insert(defaults));
    let o = connection_pool_configured().run(&ctx).await;
    assert_eq!(o.status(), Status::Warn, "{}", o.message());
    assert!(
        o.message()
            .contains("max size is 10, the same as sqlx's default"),
        "{}",
        o.message()
    );
    assert!(
        o.message().contains("idle timeout is 10m"),
        "{}",
        o.message()
    );
    assert!(
        o.message().contains("acquire timeout is 30s"),
        "{}",
        o.message()
    );

    let explicit = SqlitePoolOptions::new()
        .max_connections(4)
        .acquire_timeout(Duration::from_secs(3))
        .idle_timeout(Duration::from_secs(60))
        .connect_lazy("sqlite::memory:")
        .unwrap_or_else(|e| panic!("{e}"));
    let ctx = ctx_with(|r| r.insert(explicit));
    let o = connection_pool_configured().run(&ctx).await;
    assert_eq!(o.status(), Status::Pass, "{}", o.message());
    assert_eq!(o.details()["max_connections"], 4);
    assert_eq!(o.details()["idle_timeout_ms"], 60_000);
}

/// A pool set to 10 on purpose: the check says only what it sees, and a declaration passes it.
#[tokio::test]
async fn an_explicit_ten_is_not_called_the_default_and_can_be_declared() {
    let ten = || {
        SqlitePoolOptions::new()
            .max_connections(10)
            .acquire_timeout(Duration::from_secs(3))
            .idle_timeout(Duration::from_secs(60))
            .connect_lazy("sqlite::memory:")
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let pool = ten();
    let ctx = ctx_with(|r| r.insert(pool));
    let o = connection_pool_configured().run(&ctx).await;
    assert_eq!(o.status(), Status::Warn, "{}", o.message());
    assert!(
        !o.message().contains("is sqlx's default"),
        "a guess stated as fact: {}",
        o.message()
    );
    assert!(
        o.message().contains("cannot be told from an unset one"),
        "{}",
        o.message()
    );
    let fix = o.get_remediation().unwrap_or_default();
    assert!(
        fix.contains(".resource(PoolSizing::new().max_connections(10))"),
        "{fix}"
    );

    let pool = ten();
    let ctx = ctx_with(|r| {
        r.insert(pool);
        r.insert(PoolSizing::new().max_connections(10));
    });
    let o = connection_pool_configured().run(&ctx).await;
    assert_eq!(o.status(), Status::Pass, "{}", o.message());
    assert_eq!(o.details()["declared_max_connections"], 10);

    // A declaration the pool contradicts is a misconfiguration.
    let pool = ten();
    let ctx = ctx_with(|r| r.insert(pool));
    let o = connection_pool_configured()
        .sizing(PoolSizing::new().max_connections(20))
        .run(&ctx)
        .await;
    assert_eq!(o.status(), Status::Fail, "{}", o.message());
    assert!(
        o.message().contains("max size is 10, but 20 is declared"),
        "{}",
        o.message()
    );
}

#[tokio::test]
async fn a_malformed_replica_count_fails_naming_the_variable() {
    let pool = SqlitePoolOptions::new()
        .connect_lazy("sqlite::memory:")
        .unwrap_or_else(|e| panic!("{e}"));
    let mut r = Resources::default();
    r.insert(pool);
    let ctx = Context::new(
        Arc::new(FakeHost::new().env("PRODREADY_REPLICAS", "three")),
        r,
    );
    let o = connection_pool_configured().run(&ctx).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(
        o.message().contains("`PRODREADY_REPLICAS` is `three`"),
        "{}",
        o.message()
    );
}

#[cfg(feature = "postgres")]
#[test]
fn the_archiver_is_judged_by_its_last_success_and_failure() {
    use super::postgres::judge_archiver;
    let day = Duration::from_secs(86_400);
    assert_eq!(judge_archiver(day, Some(60.0), None).status(), Status::Pass);
    assert_eq!(
        judge_archiver(day, Some(60.0), Some(3600.0)).status(),
        Status::Pass
    );
    let newer_failure = judge_archiver(day, Some(3600.0), Some(60.0));
    assert_eq!(newer_failure.status(), Status::Fail);
    assert!(newer_failure.message().contains("failed 60 s ago"));
    assert_eq!(judge_archiver(day, None, None).status(), Status::Fail);
    assert_eq!(judge_archiver(day, None, Some(5.0)).status(), Status::Fail);
    let stale = judge_archiver(day, Some(200_000.0), None);
    assert_eq!(stale.status(), Status::Fail);
    assert!(
        stale.message().contains("older than 1day"),
        "{}",
        stale.message()
    );
}
