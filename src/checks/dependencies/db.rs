//! The service's own database pool, found in the context whatever its engine, and the two checks
//! every engine supports: reachable (a trivial query, timed).

use crate::{Check, Context, Outcome};
use std::time::{Duration, Instant};

/// A pool the service gave with `.postgres(pool)`, `.mysql(pool)` or `.sqlite(pool)`.
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

    /// The pool in the context, or a `warn` naming the builder method when the service gave none.
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

/// Runs a database check's `judge` on the service's runtime
/// ([`Context::on_service_runtime`]): the connections it opens in the service's pool are driven
/// by the service's runtime, not by the checks' one.
pub(crate) async fn on_service_runtime<C, F>(
    check: &C,
    ctx: &Context,
    judge: impl FnOnce(C, Context) -> F,
) -> Outcome
where
    C: Clone,
    F: std::future::Future<Output = Outcome> + Send + 'static,
{
    ctx.on_service_runtime(judge(check.clone(), ctx.clone()))
        .await
        .unwrap_or_else(|| {
            Outcome::warn("not judged: the service is shutting down, and its database is checked on its runtime")
        })
}

/// The builder methods that give a pool, for the features built in.
pub(crate) fn pool_methods() -> String {
    let mut m: Vec<&str> = Vec::new();
    if cfg!(feature = "postgres") {
        m.push("`.postgres(pool)`");
    }
    if cfg!(feature = "mysql") {
        m.push("`.mysql(pool)`");
    }
    if cfg!(feature = "sqlite") {
        m.push("`.sqlite(pool)`");
    }
    m.join(" or ")
}

/// No pool in the context: the database was not seen, which is not the same as there being none.
pub(crate) fn no_pool() -> Outcome {
    Outcome::warn(format!(
        "no database pool given, so the database could not be checked: pass it with {}",
        pool_methods()
    ))
    .remediation(format!(
        "give the service's sqlx 0.8 pool to `Readiness::builder()` with {} (a pool of another sqlx version is a compile error there); if the service has no database, waive this item",
        pool_methods()
    ))
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
        on_service_runtime(self, ctx, DatabaseReachable::judge).await
    }
}

impl DatabaseReachable {
    /// The verdict, reached on the service's runtime: a connection it opens in the
    /// service's pool stays the service's.
    async fn judge(self, ctx: Context) -> Outcome {
        let ctx = &ctx;
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
