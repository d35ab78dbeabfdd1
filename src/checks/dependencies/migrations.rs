//! Migrations applied: the migration set the binary embeds against `_sqlx_migrations`; without an
//! embedded set, the history tables of refinery, diesel and flyway are read for failures.

use super::db::{on_service_runtime, with_pool, Db};
use crate::{Check, Context, Outcome};
use sqlx::migrate::Migrator;
use std::collections::BTreeMap;

/// Verifies that the database's migrations table matches the migration set embedded in the
/// binary: none missing, none unknown, no checksum mismatch, none failed.
///
/// The set comes from [`MigrationsApplied::migrator`] or a `&'static Migrator` / `Migrator`
/// resource (`.resource(&MIGRATOR)`).
pub fn migrations_applied() -> MigrationsApplied {
    MigrationsApplied { migrator: None }
}

/// The check built by [`migrations_applied`].
#[derive(Debug, Clone)]
pub struct MigrationsApplied {
    migrator: Option<&'static Migrator>,
}

impl MigrationsApplied {
    /// The embedded migration set (`sqlx::migrate!()`).
    pub fn migrator(mut self, migrator: &'static Migrator) -> Self {
        self.migrator = Some(migrator);
        self
    }
}

/// One row of `_sqlx_migrations`.
type Applied = (i64, Vec<u8>, bool);

/// What differs between the embedded set and the table, by version.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Diff {
    pub(crate) missing: Vec<i64>,
    pub(crate) unknown: Vec<i64>,
    pub(crate) mismatched: Vec<i64>,
    pub(crate) failed: Vec<i64>,
    pub(crate) applied: usize,
}

pub(crate) fn diff(embedded: &BTreeMap<i64, Vec<u8>>, applied: &[Applied]) -> Diff {
    let mut d = Diff::default();
    let table: BTreeMap<i64, (&[u8], bool)> = applied
        .iter()
        .map(|(v, c, ok)| (*v, (c.as_slice(), *ok)))
        .collect();
    for (v, checksum) in embedded {
        match table.get(v) {
            None => d.missing.push(*v),
            Some((_, false)) => d.failed.push(*v),
            Some((c, true)) if *c != checksum.as_slice() => d.mismatched.push(*v),
            Some(_) => d.applied += 1,
        }
    }
    for (v, (_, ok)) in &table {
        if !embedded.contains_key(v) {
            if *ok {
                d.unknown.push(*v);
            } else {
                d.failed.push(*v);
            }
        }
    }
    d
}

fn list(versions: &[i64]) -> String {
    versions
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether a query error says the table is not there (PostgreSQL, MySQL, SQLite wording).
fn is_missing_table(e: &sqlx::Error) -> bool {
    let text = e.to_string();
    text.contains("does not exist")
        || text.contains("doesn't exist")
        || text.contains("no such table")
}

async fn read_sqlx_table(db: &Db) -> Result<Option<Vec<Applied>>, String> {
    let sql = "SELECT version, checksum, success FROM _sqlx_migrations ORDER BY version";
    let rows = with_pool!(db, p => sqlx::query_as::<_, Applied>(sql).fetch_all(p).await);
    match rows {
        Ok(rows) => Ok(Some(rows)),
        Err(e) if is_missing_table(&e) => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

/// Applied and failed counts of another tool's history table, `None` when absent.
async fn read_other(db: &Db, sql: &str) -> Result<Option<(i64, i64)>, String> {
    // MySQL casts to SIGNED, not BIGINT.
    let sql = match db {
        #[cfg(feature = "mysql")]
        Db::My(_) => sql.replace("AS BIGINT", "AS SIGNED"),
        #[allow(unreachable_patterns)]
        _ => sql.to_string(),
    };
    let row = with_pool!(db, p => sqlx::query_as::<_, (i64, i64)>(&sql).fetch_one(p).await);
    match row {
        Ok(r) => Ok(Some(r)),
        Err(e) if is_missing_table(&e) => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

/// The other tools' tables: (table, query returning applied and failed counts).
const OTHERS: [(&str, &str); 3] = [
    (
        "flyway_schema_history",
        "SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(CASE WHEN success THEN 0 ELSE 1 END), 0) AS BIGINT) FROM flyway_schema_history",
    ),
    (
        "refinery_schema_history",
        "SELECT CAST(COUNT(*) AS BIGINT), CAST(0 AS BIGINT) FROM refinery_schema_history",
    ),
    (
        "__diesel_schema_migrations",
        "SELECT CAST(COUNT(*) AS BIGINT), CAST(0 AS BIGINT) FROM __diesel_schema_migrations",
    ),
];

#[async_trait::async_trait]
impl Check for MigrationsApplied {
    async fn run(&self, ctx: &Context) -> Outcome {
        on_service_runtime(self, ctx, MigrationsApplied::judge).await
    }
}

impl MigrationsApplied {
    /// The verdict, reached on the service's runtime: a connection it opens in the
    /// service's pool stays the service's.
    async fn judge(self, ctx: Context) -> Outcome {
        let ctx = &ctx;
        let db = match Db::require(ctx) {
            Ok(db) => db,
            Err(o) => return o,
        };
        let migrator = self
            .migrator
            .or_else(|| ctx.resource::<&'static Migrator>().copied())
            .or_else(|| ctx.resource::<Migrator>());
        match migrator {
            Some(m) => compare(&db, m).await,
            None => other_tools(&db).await,
        }
    }
}

async fn compare(db: &Db, migrator: &Migrator) -> Outcome {
    let embedded: BTreeMap<i64, Vec<u8>> = migrator
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .map(|m| (m.version, m.checksum.to_vec()))
        .collect();
    let applied = match read_sqlx_table(db).await {
        Ok(rows) => rows.unwrap_or_default(),
        Err(e) => {
            return Outcome::fail(format!("cannot read `_sqlx_migrations`: {e}"))
                .remediation("grant the service's role SELECT on `_sqlx_migrations`")
        }
    };
    let d = diff(&embedded, &applied);
    let mut problems = Vec::new();
    if !d.missing.is_empty() {
        problems.push(format!("missing: {}", list(&d.missing)));
    }
    if !d.failed.is_empty() {
        problems.push(format!("failed: {}", list(&d.failed)));
    }
    if !d.mismatched.is_empty() {
        problems.push(format!("checksum mismatch: {}", list(&d.mismatched)));
    }
    if !d.unknown.is_empty() {
        problems.push(format!("unknown to this binary: {}", list(&d.unknown)));
    }
    let outcome = if problems.is_empty() {
        Outcome::pass(format!(
            "{}: all {} embedded migrations applied with matching checksums",
            db.engine(),
            d.applied
        ))
    } else {
        Outcome::fail(format!("{}: {}", db.engine(), problems.join("; "))).remediation(
            "run the embedded migrations at startup (`MIGRATOR.run(&pool)`); a checksum mismatch means an applied migration file was edited: restore it and add a new migration instead; an unknown version means the database is ahead of this binary",
        )
    };
    outcome
        .detail("embedded", embedded.len())
        .detail("applied", d.applied)
        .detail("missing", &d.missing)
        .detail("failed", &d.failed)
        .detail("checksum_mismatch", &d.mismatched)
        .detail("unknown", &d.unknown)
}

async fn other_tools(db: &Db) -> Outcome {
    let mut seen = Vec::new();
    let sqlx_rows = match read_sqlx_table(db).await {
        Ok(r) => r,
        Err(e) => return Outcome::fail(format!("cannot read `_sqlx_migrations`: {e}")),
    };
    if let Some(rows) = sqlx_rows {
        let failed = rows.iter().filter(|r| !r.2).count() as i64;
        seen.push(("_sqlx_migrations", rows.len() as i64, failed));
    }
    for (table, sql) in OTHERS {
        match read_other(db, sql).await {
            Ok(Some((n, failed))) => seen.push((table, n, failed)),
            Ok(None) => {}
            Err(e) => return Outcome::fail(format!("cannot read `{table}`: {e}")),
        }
    }
    let summary = seen
        .iter()
        .map(|(t, n, f)| format!("`{t}`: {n} applied, {f} failed"))
        .collect::<Vec<_>>()
        .join("; ");
    let detail: BTreeMap<&str, (i64, i64)> = seen.iter().map(|(t, n, f)| (*t, (*n, *f))).collect();
    if seen.is_empty() {
        Outcome::warn(format!(
            "{}: no migration history table found and no embedded migration set given",
            db.engine()
        ))
        .remediation("give the embedded set with `.resource(&MIGRATOR)` (sqlx::migrate!()) so the table can be compared")
    } else if seen.iter().any(|(_, _, f)| *f > 0) {
        Outcome::fail(format!("{}: {summary}", db.engine()))
            .remediation("repair the failed migration (e.g. `flyway repair`) and re-run it")
            .detail("history_tables", detail)
    } else {
        Outcome::warn(format!(
            "{}: {summary}; no embedded migration set given to compare against",
            db.engine()
        ))
        .remediation("give the embedded set with `.resource(&MIGRATOR)` so missing and edited migrations are detected")
        .detail("history_tables", detail)
    }
}
