//! The built-in integrations' clients: typed builder methods, the `build()` error for a client
//! the checks would not see, and "nothing given" reported as `warn`, never `not_applicable`.

use prodready::testing::FakeHost;
use prodready::{standard, Readiness, Status};

/// The standard checklist's items read through a database pool or a Redis client.
const DATABASE_ITEMS: [&str; 7] = [
    "infrastructure.database.database-created-and-accessible",
    "infrastructure.database.migrations-applied",
    "infrastructure.database.backup-configured",
    "infrastructure.database.connection-pooling-configured",
    "performance.optimization.connection-pooling-optimized",
    "performance.optimization.database-queries-optimized",
    "deployment.verification.database-connected",
];
const CACHING: &str = "performance.optimization.caching-configured";

#[tokio::test]
async fn with_nothing_given_no_dependency_item_is_not_applicable() {
    let readiness = Readiness::builder()
        .checklist(standard::production_deployment())
        .host(FakeHost::new())
        .registered_checks(false)
        .build()
        .unwrap();
    let report = readiness.evaluate().await;
    for id in DATABASE_ITEMS.iter().chain([&CACHING]) {
        let item = report.item(id).unwrap();
        assert_ne!(
            item.status,
            Status::NotApplicable,
            "{id}: nothing was seen, so nothing is known not to apply: {}",
            item.message
        );
        assert_ne!(item.status, Status::Pass, "{id}: {}", item.message);
    }
    #[cfg(feature = "sqlite")]
    for id in DATABASE_ITEMS {
        let item = report.item(id).unwrap();
        assert_eq!(item.status, Status::Warn, "{id}: {}", item.message);
        assert!(
            item.message.contains("`.sqlite(pool)`"),
            "{id}: {}",
            item.message
        );
    }
    #[cfg(feature = "redis")]
    {
        let item = report.item(CACHING).unwrap();
        assert_eq!(item.status, Status::Warn, "{}", item.message);
        assert!(
            item.message.contains("`.redis(client)`"),
            "{}",
            item.message
        );
    }
}

#[cfg(feature = "sqlite")]
mod sqlite {
    use super::*;
    use std::sync::Arc;

    async fn pool() -> sqlx::SqlitePool {
        sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn the_typed_method_gives_the_pool_the_database_items_read() {
        // The re-exported crate is the one the checks read.
        let pool: prodready::sqlx::SqlitePool = pool().await;
        let readiness = Readiness::builder()
            .checklist(standard::production_deployment())
            .host(FakeHost::new())
            .registered_checks(false)
            .sqlite(pool)
            .build()
            .unwrap();
        let report = readiness.evaluate().await;
        let item = report.item(DATABASE_ITEMS[0]).unwrap();
        assert_eq!(item.status, Status::Pass, "{}", item.message);
        assert_eq!(item.details["engine"], "SQLite");
    }

    #[tokio::test]
    async fn a_wrapped_pool_is_a_build_error_naming_the_method() {
        let err = Readiness::builder()
            .checklist(standard::production_deployment())
            .host(FakeHost::new())
            .registered_checks(false)
            .resource(Arc::new(pool().await))
            .build()
            .expect_err("an Arc<SqlitePool> is never read by the checks");
        let text = err.to_string();
        assert!(text.contains("`.sqlite(pool)`"), "{text}");
        assert!(
            text.contains("alloc::sync::Arc<sqlx_core::pool::Pool<"),
            "{text}"
        );
    }
}
