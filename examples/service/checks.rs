//! The example's own checks, declared with the DSL. Each reaches the service's pool through the
//! `Context`, so the checklist verifies the very pool the service uses.

use crate::db::{on_pool, Db};
use prodready::{Context, Outcome};
use sqlx::Row;
use std::collections::BTreeMap;
use std::time::Instant;

fn pool(ctx: &Context) -> Result<&Db, Outcome> {
    ctx.require::<Db>()
}

/// Runs `work` with the service's pool on the service's own runtime
/// (`Context::on_service_runtime`): a connection it opens is driven by the runtime the service
/// keeps using, not by the one the checks run on.
async fn on_service_pool<T, Fut>(ctx: &Context, work: impl FnOnce(Db) -> Fut) -> Result<T, Outcome>
where
    Fut: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let db = pool(ctx)?.clone();
    ctx.on_service_runtime(work(db))
        .await
        .ok_or_else(|| Outcome::warn("not judged: the service is shutting down"))
}

// The built-in database checks need the `postgres`/`sqlite` features, which the example's
// default build leaves off; these replace them on purpose.
#[prodready::check(
    item = "infrastructure.database.database-created-and-accessible",
    timeout = "2s",
    replaces_builtin = true
)]
async fn database_accessible(ctx: &Context) -> Outcome {
    let pool = match pool(ctx) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let started = Instant::now();
    let answer = on_service_pool(ctx, |db| async move {
        on_pool!(&db, p => {
            sqlx::query_scalar::<_, i64>("SELECT CAST(1 AS BIGINT)").fetch_one(p).await
        })
    });
    let answer = match answer.await {
        Ok(answer) => answer,
        Err(o) => return o,
    };
    match answer {
        Ok(1) => {
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            Outcome::pass(format!(
                "{}: SELECT 1 answered in {ms:.2} ms",
                pool.engine()
            ))
            .detail("engine", pool.engine())
            .detail("round_trip_ms", ms)
        }
        Ok(other) => Outcome::fail(format!("SELECT 1 returned {other}")),
        Err(e) => Outcome::fail(format!("SELECT 1 failed: {e}"))
            .remediation("check that the database is up, and its URL, permissions and disk space"),
    }
}

#[prodready::check(
    item = "infrastructure.database.migrations-applied",
    depends_on = ["infrastructure.database.database-created-and-accessible"],
    timeout = "2s",
    replaces_builtin = true
)]
async fn migrations_applied(ctx: &Context) -> Outcome {
    let pool = match pool(ctx) {
        Ok(p) => p,
        Err(o) => return o,
    };
    const APPLIED: &str =
        "SELECT version, checksum, success FROM _sqlx_migrations ORDER BY version";
    let rows = on_service_pool(ctx, |db| async move {
        on_pool!(&db, p => {
            sqlx::query(APPLIED).fetch_all(p).await.map(|rows| {
                rows.iter()
                    .map(|r| (r.get("version"), r.get("checksum"), r.get("success")))
                    .collect::<Vec<(i64, Vec<u8>, bool)>>()
            })
        })
    });
    let rows = match rows.await {
        Ok(Ok(rows)) => rows,
        Err(o) => return o,
        Ok(Err(e)) => {
            return Outcome::fail(format!("cannot read _sqlx_migrations: {e}"))
                .remediation("run the migrations (Migrator::run) at startup")
        }
    };
    let applied: BTreeMap<i64, (Vec<u8>, bool)> = rows
        .into_iter()
        .map(|(version, checksum, success)| (version, (checksum, success)))
        .collect();
    let mut problems = Vec::new();
    let embedded: Vec<_> = pool
        .migrator()
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .collect();
    for m in &embedded {
        match applied.get(&m.version) {
            None => problems.push(format!("{} ({}) is not applied", m.version, m.description)),
            Some((_, false)) => problems.push(format!("{} ({}) failed", m.version, m.description)),
            Some((sum, true)) if sum.as_slice() != &*m.checksum => problems.push(format!(
                "{} ({}) was changed after it was applied (checksum mismatch)",
                m.version, m.description
            )),
            Some(_) => {}
        }
    }
    for version in applied.keys() {
        if !embedded.iter().any(|m| m.version == *version) {
            problems.push(format!("{version} is applied but unknown to this build"));
        }
    }
    let outcome = if problems.is_empty() {
        Outcome::pass(format!(
            "all {} embedded migrations applied",
            embedded.len()
        ))
    } else {
        Outcome::fail(problems.join("; "))
            .remediation("apply the missing migrations, or deploy the build that made the database")
    };
    outcome
        .detail("embedded", embedded.len())
        .detail("applied", applied.len())
}

#[prodready::check(
    item = "deployment.verification.database-connected",
    depends_on = ["infrastructure.database.database-created-and-accessible"],
    replaces_builtin = true
)]
async fn database_connected(ctx: &Context) -> Outcome {
    let pool = match pool(ctx) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let acquired = on_service_pool(ctx, |db| async move {
        on_pool!(&db, p => p.acquire().await.map(drop))
    });
    let acquired = match acquired.await {
        Ok(acquired) => acquired,
        Err(o) => return o,
    };
    let (size, idle, max) =
        on_pool!(pool, p => (p.size(), p.num_idle(), p.options().get_max_connections()));
    match acquired {
        Ok(()) => Outcome::pass(format!(
            "{}: a connection was acquired from the service's pool ({size} open, {idle} idle)",
            pool.engine()
        ))
        .detail("pool_size", size)
        .detail("pool_idle", idle)
        .detail("pool_max", max),
        Err(e) => Outcome::fail(format!("cannot acquire a connection: {e}")),
    }
}

/// Writes an order inside a transaction and rolls it back: the table accepts writes.
pub(crate) async fn orders_writable(ctx: Context) -> Outcome {
    let attempt = on_service_pool(&ctx, |db| async move {
        on_pool!(&db, p => async {
            let mut tx = p.begin().await?;
            sqlx::query("INSERT INTO orders (item, quantity) VALUES ('readiness-probe', 1)")
                .execute(&mut *tx)
                .await?;
            tx.rollback().await
        }.await)
    });
    let attempt = match attempt.await {
        Ok(attempt) => attempt,
        Err(o) => return o,
    };
    match attempt {
        Ok(()) => Outcome::pass("an order was written and rolled back"),
        Err(e) => Outcome::fail(format!("cannot write an order: {e}"))
            .remediation("check the database's disk space and permissions"),
    }
}

/// How long a task spawned on the service's runtime waits for a worker: a stuck runtime cannot
/// serve anything, and a restart cures it, so this is the liveness check.
#[prodready::check(
    section = "Orders",
    title = "Runtime responsive",
    gate = liveness,
    timeout = "1s",
    ttl = "1s"
)]
async fn runtime_responsive(ctx: &Context) -> Outcome {
    let started = Instant::now();
    // The service's runtime, the one that serves its routes (checks run on their own).
    // A task spawned there: it waits for a worker of that runtime (or of the checks' one, when
    // the readiness knows no service runtime).
    let spawned =
        ctx.on_service_runtime(async move { tokio::spawn(async move { started.elapsed() }).await });
    match spawned.await {
        Some(Ok(waited)) => {
            let ms = waited.as_secs_f64() * 1000.0;
            let outcome = if ms < 100.0 {
                Outcome::pass(format!("a new task started after {ms:.3} ms"))
            } else {
                Outcome::warn(format!("a new task waited {ms:.1} ms for a worker"))
            };
            outcome.detail("scheduling_delay_ms", ms)
        }
        Some(Err(e)) => Outcome::fail(format!("the runtime did not run a task: {e}")),
        None => Outcome::fail("the service's runtime did not run a task: it is shutting down"),
    }
}
