//! The service's own database pool, found in the context whatever its engine, and the two checks
//! every engine supports: reachable (a trivial query, timed) and pool configured.

use crate::{Check, Context, Outcome};
use std::time::{Duration, Instant};

/// A pool the service gave with `.resource(pool)`: PostgreSQL, MySQL/MariaDB or SQLite.
#[derive(Clone)]
pub(crate) enum Db {
    #[cfg(feature = "postgres")]
    Pg(sqlx::PgPool),
    #[cfg(feature = "mysql")]
    My(sqlx::MySqlPool),
    #[cfg(feature = "sqlite")]
    Lite(sqlx::SqlitePool),
}

/// Runs `$body` with `$p` bound to the pool, whatever its engine.
macro_rules! with_pool {
    ($db:expr, $p:ident => $body:expr) => {
        match $db {
            #[cfg(feature = "postgres")]
            $crate::checks::dependencies::db::Db::Pg($p) => $body,
            #[cfg(feature = "mysql")]
            $crate::checks::dependencies::db::Db::My($p) => $body,
            #[cfg(feature = "sqlite")]
            $crate::checks::dependencies::db::Db::Lite($p) => $body,
        }
    };
}
pub(crate) use with_pool;

impl Db {
    /// The first pool found in the context (PostgreSQL, then MySQL, then SQLite).
    pub(crate) fn find(ctx: &Context) -> Option<Db> {
        #[cfg(feature = "postgres")]
        if let Some(p) = ctx.resource::<sqlx::PgPool>() {
            return Some(Db::Pg(p.clone()));
        }
        #[cfg(feature = "mysql")]
        if let Some(p) = ctx.resource::<sqlx::MySqlPool>() {
            return Some(Db::My(p.clone()));
        }
        #[cfg(feature = "sqlite")]
        if let Some(p) = ctx.resource::<sqlx::SqlitePool>() {
            return Some(Db::Lite(p.clone()));
        }
        None
    }

    /// The pool in the context, or the honest `not_applicable` when the service gave none.
    pub(crate) fn require(ctx: &Context) -> Result<Db, Outcome> {
        Db::find(ctx).ok_or_else(no_pool)
    }

    /// The engine's name, for messages.
    pub(crate) fn engine(&self) -> &'static str {
        match self {
            #[cfg(feature = "postgres")]
            Db::Pg(_) => "PostgreSQL",
            #[cfg(feature = "mysql")]
            Db::My(_) => "MySQL",
            #[cfg(feature = "sqlite")]
            Db::Lite(_) => "SQLite",
        }
    }

    /// `SELECT 1` through the pool, bounded by `timeout`.
    pub(crate) async fn ping(&self, timeout: Duration) -> Result<Duration, String> {
        let started = Instant::now();
        let query = async {
            with_pool!(self, p => sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(p).await)
        };
        match tokio::time::timeout(timeout, query).await {
            Ok(Ok(1)) => Ok(started.elapsed()),
            Ok(Ok(other)) => Err(format!("`SELECT 1` returned {other}")),
            Ok(Err(e)) => Err(format!("`SELECT 1` failed: {e}")),
            Err(_) => Err(format!(
                "`SELECT 1` did not answer within {}",
                humantime::format_duration(timeout)
            )),
        }
    }
}

pub(crate) fn no_pool() -> Outcome {
    Outcome::not_applicable("no database pool given: pass it with .resource(pool)")
        .remediation("give the service's sqlx pool (PgPool, MySqlPool or SqlitePool) to `Readiness::builder().resource(pool.clone())`")
}

/// Verifies that the service's own pool reaches its database: `SELECT 1`, round trip reported.
pub fn database_reachable() -> DatabaseReachable {
    DatabaseReachable {
        timeout: Duration::from_secs(3),
    }
}

/// The check built by [`database_reachable`].
#[derive(Debug, Clone)]
pub struct DatabaseReachable {
    timeout: Duration,
}

impl DatabaseReachable {
    /// How long the query may take before the database counts as unreachable (default 3 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

#[async_trait::async_trait]
impl Check for DatabaseReachable {
    async fn run(&self, ctx: &Context) -> Outcome {
        let db = match Db::require(ctx) {
            Ok(db) => db,
            Err(o) => return o,
        };
        match db.ping(self.timeout).await {
            Ok(rtt) => {
                let ms = rtt.as_secs_f64() * 1000.0;
                Outcome::pass(format!("{}: `SELECT 1` answered in {ms:.2} ms", db.engine()))
                    .detail("engine", db.engine())
                    .detail("round_trip_ms", ms)
            }
            Err(e) => Outcome::fail(format!("{}: {e}", db.engine()))
                .detail("engine", db.engine())
                .detail("timeout_ms", self.timeout.as_millis() as u64)
                .remediation("check the database host, port, database name and credentials in the connection URL, and that the server is up"),
        }
    }
}

/// Verifies the pool's settings: explicit max size, acquire and idle timeouts, and max size ×
/// replicas not above the server's `max_connections` (PostgreSQL, MySQL).
pub fn connection_pool_configured() -> PoolConfigured {
    PoolConfigured { replicas: None }
}

/// The check built by [`connection_pool_configured`].
#[derive(Debug, Clone)]
pub struct PoolConfigured {
    replicas: Option<u32>,
}

impl PoolConfigured {
    /// How many replicas share the server (default: `PRODREADY_REPLICAS`, else 1).
    pub fn replicas(mut self, replicas: u32) -> Self {
        self.replicas = Some(replicas);
        self
    }
}

/// sqlx's defaults: a pool left at them was not sized for this service.
const SQLX_DEFAULT_MAX: u32 = 10;

#[async_trait::async_trait]
impl Check for PoolConfigured {
    async fn run(&self, ctx: &Context) -> Outcome {
        let db = match Db::require(ctx) {
            Ok(db) => db,
            Err(o) => return o,
        };
        let replicas = match self.replicas {
            Some(r) => r,
            None => match ctx.host().env("PRODREADY_REPLICAS") {
                None => 1,
                Some(v) => match v.trim().parse::<u32>() {
                    Ok(r) if r > 0 => r,
                    _ => {
                        return Outcome::fail(format!(
                            "`PRODREADY_REPLICAS` is `{v}`, not a positive integer"
                        ))
                        .remediation(
                            "set `PRODREADY_REPLICAS` to the Deployment's `spec.replicas`",
                        )
                    }
                },
            },
        };
        let (max, acquire, idle) = with_pool!(&db, p => {
            let o = p.options();
            (o.get_max_connections(), o.get_acquire_timeout(), o.get_idle_timeout())
        });
        let server_max = server_max_connections(&db).await;
        let mut problems = Vec::new();
        if max == SQLX_DEFAULT_MAX {
            problems.push(format!("max size is sqlx's default of {SQLX_DEFAULT_MAX}"));
        }
        match idle {
            None => problems.push("no idle timeout".to_string()),
            Some(d) if d == Duration::from_secs(600) => {
                problems.push("idle timeout is sqlx's default of 10 min".to_string())
            }
            Some(_) => {}
        }
        if acquire >= Duration::from_secs(30) {
            problems.push(format!(
                "acquire timeout is {} (sqlx's default is 30 s)",
                humantime::format_duration(acquire)
            ));
        }
        if let Some(Ok(server)) = &server_max {
            let total = u64::from(max) * u64::from(replicas);
            if total > *server {
                let outcome = Outcome::fail(format!(
                    "{} max size {max} × {replicas} replicas = {total} exceeds the server's max_connections of {server}",
                    db.engine()
                ))
                .remediation("lower the pool's max_connections, or raise the server's `max_connections`");
                return details(outcome, &db, max, acquire, idle, replicas, server_max);
            }
        }
        let outcome = if problems.is_empty() {
            Outcome::pass(format!(
                "{} pool: max size {max}, acquire timeout {}, idle timeout {}",
                db.engine(),
                humantime::format_duration(acquire),
                idle.map(|d| humantime::format_duration(d).to_string())
                    .unwrap_or_default()
            ))
        } else {
            Outcome::warn(format!("{} pool: {}", db.engine(), problems.join("; "))).remediation(
                "set max_connections, acquire_timeout and idle_timeout explicitly on the PoolOptions",
            )
        };
        details(outcome, &db, max, acquire, idle, replicas, server_max)
    }
}

fn details(
    outcome: Outcome,
    db: &Db,
    max: u32,
    acquire: Duration,
    idle: Option<Duration>,
    replicas: u32,
    server_max: Option<Result<u64, String>>,
) -> Outcome {
    let outcome = outcome
        .detail("engine", db.engine())
        .detail("max_connections", max)
        .detail("acquire_timeout_ms", acquire.as_millis() as u64)
        .detail("idle_timeout_ms", idle.map(|d| d.as_millis() as u64))
        .detail("replicas", replicas);
    match server_max {
        Some(Ok(n)) => outcome.detail("server_max_connections", n),
        Some(Err(e)) => outcome.detail("server_max_connections_error", e),
        None => outcome,
    }
}

/// The server's connection limit; `None` for SQLite, which has none.
async fn server_max_connections(db: &Db) -> Option<Result<u64, String>> {
    match db {
        #[cfg(feature = "postgres")]
        Db::Pg(p) => Some(
            sqlx::query_scalar::<_, String>("SHOW max_connections")
                .fetch_one(p)
                .await
                .map_err(|e| e.to_string())
                .and_then(|s| s.trim().parse::<u64>().map_err(|e| format!("`{s}`: {e}"))),
        ),
        #[cfg(feature = "mysql")]
        Db::My(p) => Some(
            sqlx::query_scalar::<_, u64>("SELECT CAST(@@max_connections AS UNSIGNED)")
                .fetch_one(p)
                .await
                .map_err(|e| e.to_string()),
        ),
        #[cfg(feature = "sqlite")]
        Db::Lite(_) => None,
    }
}
