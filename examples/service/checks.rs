//! The example's own checks, declared with the DSL. Each reaches the service's pool through the
//! `Context`, so the checklist verifies the very pool the service uses.

use prodready::{Context, Outcome};
use sqlx::{Row, SqlitePool};
use std::collections::BTreeMap;
use std::time::Instant;

/// The migrations embedded in the binary.
pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("examples/service/migrations");

fn pool(ctx: &Context) -> Result<&SqlitePool, Outcome> {
    ctx.require::<SqlitePool>()
}

#[prodready::check(
    item = "infrastructure.database.database-created-and-accessible",
    timeout = "2s"
)]
async fn database_accessible(ctx: &Context) -> Outcome {
    let pool = match pool(ctx) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let started = Instant::now();
    match sqlx::query_scalar::<_, i64>("SELECT 1")
        .fetch_one(pool)
        .await
    {
        Ok(1) => {
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            Outcome::pass(format!("SELECT 1 answered in {ms:.2} ms")).detail("round_trip_ms", ms)
        }
        Ok(other) => Outcome::fail(format!("SELECT 1 returned {other}")),
        Err(e) => Outcome::fail(format!("SELECT 1 failed: {e}"))
            .remediation("check that the database file exists and is writable"),
    }
}

#[prodready::check(
    item = "infrastructure.database.migrations-applied",
    depends_on = ["infrastructure.database.database-created-and-accessible"],
    timeout = "2s"
)]
async fn migrations_applied(ctx: &Context) -> Outcome {
    let pool = match pool(ctx) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let rows = match sqlx::query(
        "SELECT version, checksum, success FROM _sqlx_migrations ORDER BY version",
    )
    .fetch_all(pool)
    .await
    {
        Ok(rows) => rows,
        Err(e) => {
            return Outcome::fail(format!("cannot read _sqlx_migrations: {e}"))
                .remediation("run the migrations (MIGRATOR.run(&pool)) at startup")
        }
    };
    let mut applied: BTreeMap<i64, (Vec<u8>, bool)> = BTreeMap::new();
    for row in rows {
        applied.insert(
            row.get("version"),
            (row.get("checksum"), row.get("success")),
        );
    }
    let mut problems = Vec::new();
    let embedded: Vec<_> = MIGRATOR
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
    depends_on = ["infrastructure.database.database-created-and-accessible"]
)]
async fn database_connected(ctx: &Context) -> Outcome {
    let pool = match pool(ctx) {
        Ok(p) => p,
        Err(o) => return o,
    };
    match pool.acquire().await {
        Ok(_conn) => Outcome::pass(format!(
            "a connection was acquired from the service's pool ({} open, {} idle)",
            pool.size(),
            pool.num_idle()
        ))
        .detail("pool_size", pool.size())
        .detail("pool_idle", pool.num_idle())
        .detail("pool_max", pool.options().get_max_connections()),
        Err(e) => Outcome::fail(format!("cannot acquire a connection: {e}")),
    }
}

/// Writes an order inside a transaction and rolls it back: the table accepts writes.
pub(crate) async fn orders_writable(ctx: Context) -> Outcome {
    let pool = match pool(&ctx) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let attempt = async {
        let mut tx = pool.begin().await?;
        sqlx::query("INSERT INTO orders (item, quantity) VALUES ('readiness-probe', 1)")
            .execute(&mut *tx)
            .await?;
        tx.rollback().await
    };
    match attempt.await {
        Ok(()) => Outcome::pass("an order was written and rolled back"),
        Err(e) => Outcome::fail(format!("cannot write an order: {e}"))
            .remediation("check the database's disk space and permissions"),
    }
}

/// How long a freshly spawned task waits for a worker: a stuck runtime cannot serve anything,
/// and a restart cures it, so this is the liveness check.
#[prodready::check(
    section = "Orders",
    title = "Runtime responsive",
    liveness = true,
    timeout = "1s",
    ttl = "1s"
)]
async fn runtime_responsive(_ctx: &Context) -> Outcome {
    let started = Instant::now();
    match tokio::spawn(async move { started.elapsed() }).await {
        Ok(waited) => {
            let ms = waited.as_secs_f64() * 1000.0;
            let outcome = if ms < 100.0 {
                Outcome::pass(format!("a new task started after {ms:.3} ms"))
            } else {
                Outcome::warn(format!("a new task waited {ms:.1} ms for a worker"))
            };
            outcome.detail("scheduling_delay_ms", ms)
        }
        Err(e) => Outcome::fail(format!("the runtime did not run a task: {e}")),
    }
}
