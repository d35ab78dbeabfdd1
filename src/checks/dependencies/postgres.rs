//! PostgreSQL-only items: WAL archiving (backup configured) and `pg_stat_statements` (queries
//! optimized).

use super::db::{on_service_runtime, Db};
use crate::{Check, Context, Outcome};
use std::time::Duration;

/// The PostgreSQL pool in the context: `Err` is the outcome for another engine or none.
fn pg(ctx: &Context, what: &str) -> Result<sqlx::PgPool, Outcome> {
    match Db::require(ctx)? {
        Db::Pg(p) => Ok(p),
        #[allow(unreachable_patterns)]
        other => Err(Outcome::warn(format!(
            "{what} could not be seen: it is read from PostgreSQL, and the service's database is {}",
            other.engine()
        ))
        .remediation("verify it with evidence or an attestation, or bind a check that reads it from this engine")),
    }
}

/// Verifies WAL archiving: `archive_mode` on, `pg_stat_archiver` showing a successful archive
/// within `max_age` and no failure newer than it.
pub fn backup_configured() -> BackupConfigured {
    BackupConfigured {
        max_age: Duration::from_secs(24 * 3600),
    }
}

/// The check built by [`backup_configured`].
#[derive(Debug, Clone)]
pub struct BackupConfigured {
    max_age: Duration,
}

impl BackupConfigured {
    /// How old the last successful archive may be (default 24 h).
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }
}

/// `pg_stat_archiver`: archived count, seconds since last archive, failed count, seconds since
/// last failure.
type Archiver = (i64, Option<f64>, i64, Option<f64>);

#[async_trait::async_trait]
impl Check for BackupConfigured {
    async fn run(&self, ctx: &Context) -> Outcome {
        on_service_runtime(self, ctx, BackupConfigured::judge).await
    }
}

impl BackupConfigured {
    /// The verdict, reached on the service's runtime: a connection it opens in the
    /// service's pool stays the service's.
    async fn judge(self, ctx: Context) -> Outcome {
        let ctx = &ctx;
        let pool = match pg(ctx, "WAL archiving") {
            Ok(p) => p,
            Err(o) => return o,
        };
        let mode = match sqlx::query_scalar::<_, String>("SHOW archive_mode")
            .fetch_one(&pool)
            .await
        {
            Ok(m) => m,
            Err(e) => return Outcome::fail(format!("cannot read `archive_mode`: {e}")),
        };
        if mode == "off" {
            return Outcome::fail("`archive_mode` is `off`: WAL is not archived")
                .detail("archive_mode", mode)
                .remediation("set `archive_mode = on` and an `archive_command` (or `archive_library`) in postgresql.conf and restart, or use a managed backup and attest it");
        }
        let sql = "SELECT archived_count, EXTRACT(EPOCH FROM now() - last_archived_time)::float8, failed_count, EXTRACT(EPOCH FROM now() - last_failed_time)::float8 FROM pg_stat_archiver";
        let (archived, since_ok, failed, since_fail) =
            match sqlx::query_as::<_, Archiver>(sql).fetch_one(&pool).await {
                Ok(r) => r,
                Err(e) => return Outcome::fail(format!("cannot read `pg_stat_archiver`: {e}")),
            };
        let outcome = judge_archiver(self.max_age, since_ok, since_fail);
        outcome
            .detail("archive_mode", mode)
            .detail("archived_count", archived)
            .detail("failed_count", failed)
            .detail("last_archived_age_s", since_ok)
            .detail("last_failed_age_s", since_fail)
    }
}

pub(crate) fn judge_archiver(
    max_age: Duration,
    since_ok: Option<f64>,
    since_fail: Option<f64>,
) -> Outcome {
    let max = max_age.as_secs_f64();
    match (since_ok, since_fail) {
        (_, Some(f)) if since_ok.is_none_or(|ok| f < ok) => Outcome::fail(format!(
            "the last WAL archive attempt failed {f:.0} s ago, after the last success"
        ))
        .remediation("read the server log for the failing `archive_command` and fix it"),
        (None, _) => Outcome::fail("no WAL segment has been archived yet")
            .remediation("check `archive_command`; force a segment with `SELECT pg_switch_wal()` and re-check"),
        (Some(ok), _) if ok > max => Outcome::fail(format!(
            "the last successful WAL archive was {ok:.0} s ago, older than {}",
            humantime::format_duration(max_age)
        ))
        .remediation("check that `archive_command` still runs; set `archive_timeout` so idle servers archive too"),
        (Some(ok), _) => Outcome::pass(format!("WAL archived {ok:.0} s ago, no newer failure")),
    }
}

/// Verifies that no statement in `pg_stat_statements` has a mean time above the threshold.
pub fn queries_optimized() -> QueriesOptimized {
    QueriesOptimized {
        max_mean: Duration::from_millis(500),
        min_calls: 5,
    }
}

/// The check built by [`queries_optimized`].
#[derive(Debug, Clone)]
pub struct QueriesOptimized {
    max_mean: Duration,
    min_calls: i64,
}

impl QueriesOptimized {
    /// The mean execution time above which a statement is slow (default 500 ms).
    pub fn max_mean(mut self, max_mean: Duration) -> Self {
        self.max_mean = max_mean;
        self
    }

    /// Statements called fewer times are ignored (default 5).
    pub fn min_calls(mut self, min_calls: i64) -> Self {
        self.min_calls = min_calls;
        self
    }
}

#[async_trait::async_trait]
impl Check for QueriesOptimized {
    async fn run(&self, ctx: &Context) -> Outcome {
        on_service_runtime(self, ctx, QueriesOptimized::judge).await
    }
}

impl QueriesOptimized {
    /// The verdict, reached on the service's runtime: a connection it opens in the
    /// service's pool stays the service's.
    async fn judge(self, ctx: Context) -> Outcome {
        let ctx = &ctx;
        let pool = match pg(ctx, "statement statistics") {
            Ok(p) => p,
            Err(o) => return o,
        };
        let installed = sqlx::query_scalar::<_, bool>(
            "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements')",
        )
        .fetch_one(&pool)
        .await;
        match installed {
            Ok(true) => {}
            Ok(false) => {
                return Outcome::warn("query times could not be seen: the `pg_stat_statements` extension is not installed in this database")
                    .detail("pg_stat_statements", "not installed")
                    .remediation("add `pg_stat_statements` to `shared_preload_libraries`, restart, and `CREATE EXTENSION pg_stat_statements`; or attest query review")
            }
            Err(e) => return Outcome::fail(format!("cannot read `pg_extension`: {e}")),
        }
        // The statement text may carry literals: report query ids, never the text.
        let sql = "SELECT queryid, calls, mean_exec_time FROM pg_stat_statements WHERE calls >= $1 AND mean_exec_time > $2 ORDER BY mean_exec_time DESC LIMIT 10";
        let max_ms = self.max_mean.as_secs_f64() * 1000.0;
        let slow = match sqlx::query_as::<_, (Option<i64>, i64, f64)>(sql)
            .bind(self.min_calls)
            .bind(max_ms)
            .fetch_all(&pool)
            .await
        {
            Ok(rows) => rows,
            Err(e) if e.to_string().contains("shared_preload_libraries") => {
                return Outcome::warn("query times could not be seen: `pg_stat_statements` is installed but not loaded (it is missing from `shared_preload_libraries`)")
                    .detail("pg_stat_statements", "not preloaded")
                    .remediation("add `pg_stat_statements` to `shared_preload_libraries` in postgresql.conf and restart")
            }
            Err(e) => return Outcome::fail(format!("cannot read `pg_stat_statements`: {e}")),
        };
        let listed: Vec<String> = slow
            .iter()
            .map(|(id, calls, mean)| {
                format!(
                    "queryid {} ({calls} calls, mean {mean:.1} ms)",
                    id.unwrap_or_default()
                )
            })
            .collect();
        let outcome = if slow.is_empty() {
            Outcome::pass(format!(
                "no statement with ≥ {} calls has a mean time above {max_ms:.0} ms",
                self.min_calls
            ))
        } else {
            Outcome::fail(format!("{} slow statement(s): {}", slow.len(), listed.join("; ")))
                .remediation("EXPLAIN ANALYZE the listed statements (look them up by queryid in pg_stat_statements) and add indexes or rewrite them")
        };
        outcome
            .detail("threshold_ms", max_ms)
            .detail("slow_statements", slow.len())
    }
}
