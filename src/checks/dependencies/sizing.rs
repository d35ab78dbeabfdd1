//! "Connection pooling configured": the pool's max size, acquire and idle timeouts as the pool
//! reports them, and max size × replicas against the server's `max_connections`.
//!
//! A pool reports its values, not where they came from: an explicit `max_connections(10)` reads
//! the same as sqlx's default. A value equal to a default is reported as such ("the same as
//! sqlx's default, so it cannot be told from an unset one"), and a [`PoolSizing`] declaration
//! says it was deliberate; the pool is then checked against the declaration.

use super::db::{on_service_runtime, with_pool, Db};
use crate::{Check, Context, Outcome};
use std::time::Duration;

/// Verifies the pool's settings: sizing that can be told from sqlx's defaults (or is declared
/// with [`PoolSizing`]), an idle timeout, an acquire timeout under 30 s, and max size × replicas
/// not above the server's `max_connections` (PostgreSQL, MySQL).
pub fn connection_pool_configured() -> PoolConfigured {
    PoolConfigured {
        replicas: None,
        sizing: None,
    }
}

/// The check built by [`connection_pool_configured`].
#[derive(Debug, Clone)]
pub struct PoolConfigured {
    replicas: Option<u32>,
    sizing: Option<PoolSizing>,
}

impl PoolConfigured {
    /// How many replicas share the server (default: `PRODREADY_REPLICAS`, else 1).
    pub fn replicas(mut self, replicas: u32) -> Self {
        self.replicas = Some(replicas);
        self
    }

    /// The sizing the service declares (default: a [`PoolSizing`] resource, if any).
    pub fn sizing(mut self, sizing: PoolSizing) -> Self {
        self.sizing = Some(sizing);
        self
    }
}

/// The pool settings the service chose on purpose, given with `.resource(sizing)` (or
/// [`PoolConfigured::sizing`]). A pool cannot tell a deliberate value equal to sqlx's default
/// from an unset one; declared, the value is checked against the pool and then passes.
///
/// ```
/// use prodready::checks::dependencies::PoolSizing;
/// use std::time::Duration;
/// // `PgPoolOptions::new().max_connections(10).idle_timeout(Duration::from_secs(600))`, on purpose:
/// let sizing = PoolSizing::new().max_connections(10).idle_timeout(Duration::from_secs(600));
/// # let _ = sizing;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PoolSizing {
    max_connections: Option<u32>,
    idle_timeout: Option<Duration>,
}

impl PoolSizing {
    /// Nothing declared.
    pub fn new() -> Self {
        Self::default()
    }

    /// The max size the pool is built with.
    pub fn max_connections(mut self, max: u32) -> Self {
        self.max_connections = Some(max);
        self
    }

    /// The idle timeout the pool is built with.
    pub fn idle_timeout(mut self, idle: Duration) -> Self {
        self.idle_timeout = Some(idle);
        self
    }
}

/// sqlx's defaults (`PoolOptions::new()`): a value equal to one of them may not have been chosen.
const SQLX_DEFAULT_MAX: u32 = 10;
const SQLX_DEFAULT_IDLE: Duration = Duration::from_secs(600);
const SQLX_DEFAULT_ACQUIRE: Duration = Duration::from_secs(30);

/// What the pool's values show, judged against the declaration.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Findings {
    /// The pool contradicts the declaration.
    pub(crate) contradictions: Vec<String>,
    /// What could not be told apart, or is unset or long.
    pub(crate) problems: Vec<String>,
    /// How to declare what could not be told apart.
    pub(crate) declare: Vec<String>,
}

pub(crate) fn judge_sizing(
    max: u32,
    acquire: Duration,
    idle: Option<Duration>,
    declared: &PoolSizing,
) -> Findings {
    let mut f = Findings::default();
    let fmt = |d: Duration| humantime::format_duration(d).to_string();
    match declared.max_connections {
        Some(d) if d != max => f.contradictions.push(format!(
            "max size is {max}, but {d} is declared with `PoolSizing::max_connections`"
        )),
        Some(_) => {}
        None if max == SQLX_DEFAULT_MAX => {
            f.problems.push(format!(
                "max size is {max}, the same as sqlx's default, so it cannot be told from an unset one"
            ));
            f.declare.push(format!(".max_connections({max})"));
        }
        None => {}
    }
    match (declared.idle_timeout, idle) {
        (Some(d), seen) if seen != Some(d) => f.contradictions.push(format!(
            "idle timeout is {}, but {} is declared with `PoolSizing::idle_timeout`",
            seen.map_or("unset".to_owned(), fmt),
            fmt(d)
        )),
        (Some(_), _) => {}
        (None, None) => f.problems.push("no idle timeout is set".to_owned()),
        (None, Some(d)) if d == SQLX_DEFAULT_IDLE => {
            f.problems.push(format!(
                "idle timeout is {}, the same as sqlx's default, so it cannot be told from an unset one",
                fmt(d)
            ));
            f.declare.push(format!(
                ".idle_timeout(Duration::from_secs({}))",
                d.as_secs()
            ));
        }
        (None, Some(_)) => {}
    }
    if acquire >= SQLX_DEFAULT_ACQUIRE {
        f.problems.push(format!(
            "acquire timeout is {}: a request waits that long for a connection when the pool is exhausted (sqlx's default is {})",
            fmt(acquire),
            fmt(SQLX_DEFAULT_ACQUIRE)
        ));
    }
    f
}

#[async_trait::async_trait]
impl Check for PoolConfigured {
    async fn run(&self, ctx: &Context) -> Outcome {
        on_service_runtime(self, ctx, PoolConfigured::judge).await
    }
}

impl PoolConfigured {
    /// The verdict, reached on the service's runtime: a connection it opens in the
    /// service's pool stays the service's.
    async fn judge(self, ctx: Context) -> Outcome {
        let ctx = &ctx;
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
        let declared = ctx.spec(&self.sizing).cloned().unwrap_or_default();
        let (max, acquire, idle) = with_pool!(&db, p => {
            let o = p.options();
            (o.get_max_connections(), o.get_acquire_timeout(), o.get_idle_timeout())
        });
        let server_max = server_max_connections(&db).await;
        let seen = Seen {
            db: &db,
            max,
            acquire,
            idle,
            replicas,
            declared: &declared,
        };
        if let Some(Ok(server)) = &server_max {
            let total = u64::from(max) * u64::from(replicas);
            if total > *server {
                let outcome = Outcome::fail(format!(
                    "{} max size {max} × {replicas} replicas = {total} exceeds the server's max_connections of {server}",
                    db.engine()
                ))
                .remediation("lower the pool's max_connections, or raise the server's `max_connections`");
                return seen.details(outcome, server_max);
            }
        }
        let f = judge_sizing(max, acquire, idle, &declared);
        let outcome = if !f.contradictions.is_empty() {
            Outcome::fail(format!("{} pool: {}", db.engine(), f.contradictions.join("; ")))
                .remediation("build the pool with the values the service declares, or correct the `PoolSizing` declaration")
        } else if f.problems.is_empty() {
            Outcome::pass(format!(
                "{} pool: max size {max}, acquire timeout {}, idle timeout {}",
                db.engine(),
                humantime::format_duration(acquire),
                idle.map(|d| humantime::format_duration(d).to_string())
                    .unwrap_or_default()
            ))
        } else {
            let mut fix = "set max_connections, acquire_timeout (under 30 s) and idle_timeout explicitly on the PoolOptions".to_owned();
            if !f.declare.is_empty() {
                fix.push_str(&format!(
                    "; if a value equal to sqlx's default is deliberate, declare it: `.resource(PoolSizing::new(){})`",
                    f.declare.concat()
                ));
            }
            Outcome::warn(format!("{} pool: {}", db.engine(), f.problems.join("; ")))
                .remediation(fix)
        };
        seen.details(outcome, server_max)
    }
}

/// What the check read, for `details`.
struct Seen<'a> {
    db: &'a Db,
    max: u32,
    acquire: Duration,
    idle: Option<Duration>,
    replicas: u32,
    declared: &'a PoolSizing,
}

impl Seen<'_> {
    fn details(&self, outcome: Outcome, server_max: Option<Result<u64, String>>) -> Outcome {
        let outcome = outcome
            .detail("engine", self.db.engine())
            .detail("max_connections", self.max)
            .detail("acquire_timeout_ms", self.acquire.as_millis() as u64)
            .detail("idle_timeout_ms", self.idle.map(|d| d.as_millis() as u64))
            .detail("replicas", self.replicas)
            .detail("declared_max_connections", self.declared.max_connections)
            .detail(
                "declared_idle_timeout_ms",
                self.declared.idle_timeout.map(|d| d.as_millis() as u64),
            );
        match server_max {
            Some(Ok(n)) => outcome.detail("server_max_connections", n),
            Some(Err(e)) => outcome.detail("server_max_connections_error", e),
            None => outcome,
        }
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
