//! The orders database: embedded SQLite by default, PostgreSQL when `EXAMPLE_DATABASE_URL` is a
//! `postgres://` URL. Each engine has its own migrations.

use prodready::ReadinessBuilder;
use sqlx::migrate::Migrator;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{PgPool, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

pub(crate) static SQLITE_MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");
pub(crate) static POSTGRES_MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

/// The service's pool, whichever engine it talks to.
#[derive(Clone, Debug)]
pub(crate) enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$p` bound to the pool, whatever its engine (each arm is typed for its own).
macro_rules! on_pool {
    ($db:expr, $p:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($p) => $body,
            $crate::db::Db::Postgres($p) => $body,
        }
    };
}
pub(crate) use on_pool;

impl Db {
    /// Connects with explicit pool settings and applies the engine's migrations.
    pub(crate) async fn connect(url: &str) -> anyhow::Result<Db> {
        let db = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(5)
                .acquire_timeout(Duration::from_secs(2))
                .idle_timeout(Duration::from_secs(60))
                .connect(url)
                .await?;
            Db::Postgres(pool)
        } else {
            let options = SqliteConnectOptions::from_str(url)?.create_if_missing(true);
            let pool = SqlitePoolOptions::new()
                .max_connections(5)
                .acquire_timeout(Duration::from_secs(2))
                .idle_timeout(Duration::from_secs(60))
                .connect_with(options)
                .await?;
            Db::Sqlite(pool)
        };
        on_pool!(&db, p => db.migrator().run(p).await)?;
        Ok(db)
    }

    /// The migrations this build embeds for the engine.
    pub(crate) fn migrator(&self) -> &'static Migrator {
        match self {
            Db::Sqlite(_) => &SQLITE_MIGRATOR,
            Db::Postgres(_) => &POSTGRES_MIGRATOR,
        }
    }

    /// Gives the pool and its migrations to the built-in database checks, through the typed
    /// builder methods (a pool of another sqlx version would not compile here).
    pub(crate) fn give_to(&self, builder: ReadinessBuilder) -> ReadinessBuilder {
        let builder = match self {
            Db::Sqlite(p) => builder.sqlite(p.clone()),
            Db::Postgres(p) => builder.postgres(p.clone()),
        };
        builder.migrator(self.migrator())
    }

    /// The engine's name, for messages.
    pub(crate) fn engine(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "SQLite",
            Db::Postgres(_) => "PostgreSQL",
        }
    }
}
