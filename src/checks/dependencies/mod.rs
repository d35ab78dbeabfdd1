//! Dependency checks through the service's own clients: its sqlx pool (PostgreSQL with feature
//! `postgres`, MySQL/MariaDB with `mysql`, SQLite with `sqlite`), given to the builder with
//! `Readiness::builder().postgres(pool.clone())` (or `.mysql(..)`, `.sqlite(..)`; the typed
//! methods make a pool of another sqlx version a compile error).
//!
//! - [`database_reachable`]: `SELECT 1` through the pool, round trip reported (items 24, 67);
//! - [`migrations_applied`]: the embedded migration set against `_sqlx_migrations` (item 25);
//! - [`connection_pool_configured`]: pool sizing that can be told from sqlx's defaults (or is
//!   declared with [`PoolSizing`]) against `max_connections` (item 27);
//! - [`backup_configured`], [`queries_optimized`]: PostgreSQL `archive_mode`/`pg_stat_archiver`
//!   and `pg_stat_statements` (items 26, 54).
//!
//! - [`caching_configured`]: Redis `PING` and cache keys that expire (item 55, feature `redis`);
//! - [`external_services_connected`]: each dependency of a [`DependencySpec`] answers (item 68).
//!
//! - with feature `http-client`, from a [`ServiceSpec`]: [`service_accessible`] (item 65, 2xx
//!   unless declared), [`metrics_exposed`] (29, or from a Prometheus scrape of `/metrics`),
//!   [`smoke_tests_passing`] (66, 76), [`critical_paths_passing`] (77).
//!
//! Without a pool or client in the context each says so (`warn`, naming the builder method): the
//! dependency was not seen, which does not show that there is none.

#[cfg(feature = "redis")]
mod cache;
mod clients;
#[cfg(any(feature = "postgres", feature = "mysql", feature = "sqlite"))]
mod db;
#[cfg(feature = "http-client")]
mod exposed;
#[cfg(feature = "http-client")]
mod http;
#[cfg(any(feature = "postgres", feature = "mysql", feature = "sqlite"))]
mod migrations;
#[cfg(any(feature = "postgres", feature = "mysql", feature = "sqlite"))]
mod pool;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(any(feature = "postgres", feature = "mysql", feature = "sqlite"))]
mod sizing;
#[cfg(all(test, feature = "sqlite"))]
mod tests;

#[cfg(any(feature = "postgres", feature = "mysql", feature = "sqlite"))]
pub use db::{database_reachable, DatabaseReachable};
#[cfg(any(feature = "postgres", feature = "mysql", feature = "sqlite"))]
pub use migrations::{migrations_applied, MigrationsApplied};
#[cfg(any(feature = "postgres", feature = "mysql", feature = "sqlite"))]
pub use pool::{pool_optimized, PoolOptimized};
#[cfg(feature = "postgres")]
pub use postgres::{backup_configured, queries_optimized, BackupConfigured, QueriesOptimized};
#[cfg(any(feature = "postgres", feature = "mysql", feature = "sqlite"))]
pub use sizing::{connection_pool_configured, PoolConfigured, PoolSizing};

#[cfg(feature = "redis")]
pub use cache::{caching_configured, CacheKeys, CachingConfigured};
pub use clients::{external_services_connected, Dependency, DependencySpec, ExternalServices};
#[cfg(feature = "http-client")]
pub use exposed::{metrics_exposed, MetricsExposed};
#[cfg(feature = "http-client")]
pub use http::{
    critical_paths_passing, service_accessible, smoke_tests_passing, ServiceAccessible,
    ServiceSpec, SmokeRequest, SmokeTests,
};

use crate::Check;
use std::sync::Arc;

const REACHABLE: &str = "infrastructure.database.database-created-and-accessible";
const MIGRATIONS: &str = "infrastructure.database.migrations-applied";
const BACKUP: &str = "infrastructure.database.backup-configured";
const POOL: &str = "infrastructure.database.connection-pooling-configured";
const POOL_OPTIMIZED: &str = "performance.optimization.connection-pooling-optimized";
const QUERIES: &str = "performance.optimization.database-queries-optimized";
const CONNECTED: &str = "deployment.verification.database-connected";
const CACHING: &str = "performance.optimization.caching-configured";
const EXTERNAL: &str = "deployment.verification.external-services-connected";
const METRICS: &str = "infrastructure.monitoring.prometheus-metrics-exposed";
const ACCESSIBLE: &str = "deployment.verification.service-accessible";
const API: &str = "deployment.verification.api-endpoints-working";
const SMOKE: &str = "post-deployment.validation.smoke-tests-passing";
const CRITICAL: &str = "post-deployment.validation.critical-paths-tested";

/// A `pending` check saying which feature would verify the item.
#[allow(dead_code)]
fn feature_off(feature: &'static str) -> Arc<dyn Check> {
    super::feature_off_check(feature)
}

/// The standard checklist's items this module verifies, each with its default check.
pub(crate) fn standard_bindings() -> Vec<(&'static str, Arc<dyn Check>)> {
    #[cfg(any(feature = "postgres", feature = "mysql", feature = "sqlite"))]
    let mut all: Vec<(&'static str, Arc<dyn Check>)> = vec![
        (REACHABLE, Arc::new(database_reachable())),
        (CONNECTED, Arc::new(database_reachable())),
        (MIGRATIONS, Arc::new(migrations_applied())),
        (POOL, Arc::new(connection_pool_configured())),
        (POOL_OPTIMIZED, Arc::new(pool_optimized())),
    ];
    #[cfg(not(any(feature = "postgres", feature = "mysql", feature = "sqlite")))]
    let mut all: Vec<(&'static str, Arc<dyn Check>)> =
        [REACHABLE, CONNECTED, MIGRATIONS, POOL, POOL_OPTIMIZED]
            .into_iter()
            .map(|id| (id, feature_off("postgres")))
            .collect();
    #[cfg(feature = "postgres")]
    all.extend([
        (BACKUP, Arc::new(backup_configured()) as Arc<dyn Check>),
        (QUERIES, Arc::new(queries_optimized())),
    ]);
    #[cfg(not(feature = "postgres"))]
    all.extend([
        (BACKUP, feature_off("postgres")),
        (QUERIES, feature_off("postgres")),
    ]);
    #[cfg(feature = "redis")]
    all.push((CACHING, Arc::new(caching_configured())));
    #[cfg(not(feature = "redis"))]
    all.push((CACHING, feature_off("redis")));
    all.push((EXTERNAL, Arc::new(external_services_connected())));
    #[cfg(feature = "http-client")]
    all.extend([
        (METRICS, Arc::new(metrics_exposed()) as Arc<dyn Check>),
        (ACCESSIBLE, Arc::new(service_accessible())),
        (API, Arc::new(smoke_tests_passing())),
        (SMOKE, Arc::new(smoke_tests_passing())),
        (CRITICAL, Arc::new(critical_paths_passing())),
    ]);
    #[cfg(not(feature = "http-client"))]
    all.extend(
        [METRICS, ACCESSIBLE, API, SMOKE, CRITICAL]
            .into_iter()
            .map(|id| (id, feature_off("http-client"))),
    );
    all
}
