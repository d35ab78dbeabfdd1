//! "Connection pooling optimized": how long the service's pool makes a caller wait, and how many
//! of its connections sit idle. sqlx pools keep no wait statistics, so each evaluation samples
//! one acquire through the pool, as a request of the service would.

use super::db::{on_service_runtime, with_pool, Db};
use crate::{Check, Context, Outcome};
use std::time::{Duration, Instant};

/// Verifies that acquiring a connection from the service's pool is quick (warn above
/// 100 ms, fail above 1 s or when none comes) and reports how full the pool is.
pub fn pool_optimized() -> PoolOptimized {
    PoolOptimized {
        warn_after: Duration::from_millis(100),
        fail_after: Duration::from_secs(1),
    }
}

/// The check built by [`pool_optimized`].
#[derive(Debug, Clone)]
pub struct PoolOptimized {
    warn_after: Duration,
    fail_after: Duration,
}

impl PoolOptimized {
    /// The acquire wait above which the item warns (default 100 ms).
    pub fn warn_after(mut self, wait: Duration) -> Self {
        self.warn_after = wait;
        self
    }

    /// The acquire wait above which (or without a connection at all) the item fails (default 1 s).
    pub fn fail_after(mut self, wait: Duration) -> Self {
        self.fail_after = wait;
        self
    }
}

#[async_trait::async_trait]
impl Check for PoolOptimized {
    async fn run(&self, ctx: &Context) -> Outcome {
        on_service_runtime(self, ctx, PoolOptimized::judge).await
    }
}

impl PoolOptimized {
    /// The verdict, reached on the service's runtime: a connection it opens in the
    /// service's pool stays the service's.
    async fn judge(self, ctx: Context) -> Outcome {
        let ctx = &ctx;
        let db = match Db::require(ctx) {
            Ok(db) => db,
            Err(o) => return o,
        };
        let started = Instant::now();
        let acquired = with_pool!(&db, p => {
            tokio::time::timeout(self.fail_after, p.acquire()).await.map(|r| r.map(drop))
        });
        let waited = started.elapsed();
        let (size, idle, max) =
            with_pool!(&db, p => (p.size(), p.num_idle(), p.options().get_max_connections()));
        let ms = waited.as_secs_f64() * 1000.0;
        let outcome = match acquired {
            Err(_) => Outcome::fail(format!(
                "{}: no connection within {} ({size} of {max} open, {idle} idle): the pool is exhausted",
                db.engine(),
                humantime::format_duration(self.fail_after)
            ))
            .remediation("raise the pool's max size (within the server's max_connections), shorten transactions, or find connections held across slow work"),
            Ok(Err(e)) => Outcome::fail(format!("{}: acquiring a connection failed: {e}", db.engine())),
            Ok(Ok(())) if waited > self.warn_after => Outcome::warn(format!(
                "{}: acquiring a connection waited {ms:.1} ms ({size} of {max} open, {idle} idle)",
                db.engine()
            ))
            .remediation("the pool is often full: raise its max size or shorten the work done while holding a connection"),
            Ok(Ok(())) => Outcome::pass(format!(
                "{}: a connection was acquired in {ms:.2} ms ({size} of {max} open, {idle} idle)",
                db.engine()
            )),
        };
        outcome
            .detail("acquire_wait_ms", ms)
            .detail("warn_after_ms", self.warn_after.as_millis() as u64)
            .detail("fail_after_ms", self.fail_after.as_millis() as u64)
            .detail("pool_open", size)
            .detail("pool_idle", idle)
            .detail("pool_max", max)
    }
}
