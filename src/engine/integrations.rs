//! The built-in integrations' clients: typed builder methods (a client of another crate version
//! is a compile error naming the expected type), and the `build()` check that catches one given
//! through the untyped `.resource(..)`.

use super::ReadinessBuilder;
use crate::check::Resources;
use std::any::TypeId;

// Read by the enabled features' entries and by the test that keeps them equal to `Cargo.toml`.
/// The version requirement of sqlx the database features use (kept equal to `Cargo.toml`).
#[allow(dead_code)]
pub(crate) const SQLX: &str = "sqlx 0.8";
/// The version requirement of redis the `redis` feature uses (kept equal to `Cargo.toml`).
#[allow(dead_code)]
pub(crate) const REDIS: &str = "redis 0.27";

impl ReadinessBuilder {
    /// The service's PostgreSQL pool, read by the database items (feature `postgres`, sqlx 0.8).
    ///
    /// The parameter is sqlx 0.8's `PgPool`: a pool of another sqlx version does not compile here
    /// (rustc names both types). Build the pool with the re-exported [`prodready::sqlx`](crate::sqlx)
    /// or depend on `sqlx = "0.8"`.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use prodready::sqlx::postgres::PgPoolOptions;
    /// let pool = PgPoolOptions::new().max_connections(20).connect_lazy("postgres://app@db/orders")?;
    /// let readiness = prodready::Readiness::builder().postgres(pool).build()?;
    /// # let _ = readiness; Ok(()) }
    /// ```
    #[cfg(feature = "postgres")]
    pub fn postgres(self, pool: sqlx::PgPool) -> Self {
        self.resource(pool)
    }

    /// The service's MySQL / MariaDB pool, read by the database items (feature `mysql`, sqlx 0.8).
    ///
    /// The parameter is sqlx 0.8's `MySqlPool`: a pool of another sqlx version does not compile.
    #[cfg(feature = "mysql")]
    pub fn mysql(self, pool: sqlx::MySqlPool) -> Self {
        self.resource(pool)
    }

    /// The service's SQLite pool, read by the database items (feature `sqlite`, sqlx 0.8).
    ///
    /// The parameter is sqlx 0.8's `SqlitePool`: a pool of another sqlx version does not compile.
    #[cfg(feature = "sqlite")]
    pub fn sqlite(self, pool: sqlx::SqlitePool) -> Self {
        self.resource(pool)
    }

    /// The migration set embedded in the binary (`static MIGRATOR: Migrator = sqlx::migrate!();`),
    /// compared with the database's `_sqlx_migrations` by "Migrations applied" (sqlx 0.8).
    #[cfg(any(feature = "postgres", feature = "mysql", feature = "sqlite"))]
    pub fn migrator(self, migrator: &'static sqlx::migrate::Migrator) -> Self {
        self.resource(migrator)
    }

    /// The service's Redis client, read by "Caching configured" (feature `redis`, redis 0.27).
    ///
    /// The parameter is redis 0.27's `Client`: a client of another redis version does not
    /// compile. Build it with the re-exported [`prodready::redis`](crate::redis).
    #[cfg(feature = "redis")]
    pub fn redis(self, client: redis::Client) -> Self {
        self.resource(client)
    }
}

/// A type a built-in check reads from the context, and how to give it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Expected {
    pub(crate) type_name: &'static str,
    pub(crate) id: TypeId,
    pub(crate) feature: &'static str,
    pub(crate) krate: &'static str,
    pub(crate) method: &'static str,
}

impl Expected {
    #[allow(dead_code)]
    fn of<T: 'static>(feature: &'static str, krate: &'static str, method: &'static str) -> Self {
        Self {
            type_name: std::any::type_name::<T>(),
            id: TypeId::of::<T>(),
            feature,
            krate,
            method,
        }
    }
}

/// The types the built-in checks of the enabled features read.
pub(crate) fn expected() -> Vec<Expected> {
    #[allow(unused_mut)]
    let mut all = Vec::new();
    #[cfg(feature = "postgres")]
    all.push(Expected::of::<sqlx::PgPool>(
        "postgres",
        SQLX,
        ".postgres(pool)",
    ));
    #[cfg(feature = "mysql")]
    all.push(Expected::of::<sqlx::MySqlPool>(
        "mysql",
        SQLX,
        ".mysql(pool)",
    ));
    #[cfg(feature = "sqlite")]
    all.push(Expected::of::<sqlx::SqlitePool>(
        "sqlite",
        SQLX,
        ".sqlite(pool)",
    ));
    #[cfg(any(feature = "postgres", feature = "mysql", feature = "sqlite"))]
    {
        let feature = if cfg!(feature = "postgres") {
            "postgres"
        } else if cfg!(feature = "mysql") {
            "mysql"
        } else {
            "sqlite"
        };
        all.push(Expected::of::<&'static sqlx::migrate::Migrator>(
            feature,
            SQLX,
            ".migrator(&MIGRATOR)",
        ));
        all.push(Expected::of::<sqlx::migrate::Migrator>(
            feature,
            SQLX,
            ".migrator(&MIGRATOR)",
        ));
    }
    #[cfg(feature = "redis")]
    all.push(Expected::of::<redis::Client>(
        "redis",
        REDIS,
        ".redis(client)",
    ));
    all
}

/// What is wrong with each given resource whose type has the name of an expected type but is
/// another type (the same crate at another version), or wraps an expected type.
pub(crate) fn mismatches(
    given: impl IntoIterator<Item = (&'static str, TypeId)>,
    expected: &[Expected],
) -> Vec<String> {
    let mut problems = Vec::new();
    for (name, id) in given {
        for e in expected {
            if name == e.type_name && id != e.id {
                problems.push(format!(
                    "you passed a `{name}` that is not the one the `{feature}` feature uses ({krate}): \
                     it comes from another version of the crate, so the built-in checks would never see it. \
                     Depend on {krate} (or build the client with the re-exported `prodready::{module}`) \
                     and pass it with `{method}`, whose parameter names the expected type",
                    feature = e.feature,
                    krate = e.krate,
                    module = e.krate.split(' ').next().unwrap_or(e.krate),
                    method = e.method,
                ));
            } else if [
                format!("alloc::sync::Arc<{}>", e.type_name),
                format!("core::option::Option<{}>", e.type_name),
            ]
            .contains(&name.to_owned())
            {
                problems.push(format!(
                    "you passed a `{name}`: the built-in checks read a bare `{}`; pass it with `{}` \
                     (it is cheap to clone)",
                    e.type_name, e.method
                ));
            }
        }
    }
    problems
}

/// One problem per shared resource the built-in checks would not see, for a version or wrapping
/// mistake.
pub(super) fn check_resources(resources: &Resources) -> Vec<String> {
    mismatches(resources.types(), &expected())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake;
    struct Other;

    fn expected_fake() -> Expected {
        Expected::of::<Fake>("postgres", SQLX, ".postgres(pool)")
    }

    #[test]
    fn a_type_of_the_same_name_but_another_id_is_named_with_the_fix() {
        let e = expected_fake();
        // What sqlx 0.9's pool looks like to 0.8: the same path, another type.
        let given = [(e.type_name, TypeId::of::<Other>())];
        let problems = mismatches(given, &[e]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        let p = &problems[0];
        assert!(p.contains(&format!("`{}`", e.type_name)), "{p}");
        assert!(p.contains("`postgres` feature uses (sqlx 0.8)"), "{p}");
        assert!(p.contains("`.postgres(pool)`"), "{p}");
        assert!(p.contains("prodready::sqlx"), "{p}");
    }

    #[test]
    fn the_expected_type_and_unrelated_types_pass() {
        let e = expected_fake();
        let given = [
            (e.type_name, TypeId::of::<Fake>()),
            (std::any::type_name::<Other>(), TypeId::of::<Other>()),
            ("alloc::string::String", TypeId::of::<String>()),
        ];
        assert!(mismatches(given, &[e]).is_empty());
    }

    #[test]
    fn a_wrapped_client_is_named() {
        let e = expected_fake();
        let arc = std::any::type_name::<std::sync::Arc<Fake>>();
        let problems = mismatches([(arc, TypeId::of::<std::sync::Arc<Fake>>())], &[e]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("read a bare"), "{}", problems[0]);
    }

    #[test]
    fn the_stated_versions_are_the_ones_cargo_toml_asks_for() {
        let manifest: toml::Table = toml::from_str(include_str!("../../Cargo.toml"))
            .unwrap_or_else(|e| panic!("Cargo.toml: {e}"));
        let deps = &manifest["dependencies"];
        for stated in [SQLX, REDIS] {
            let (name, version) = stated.split_once(' ').unwrap_or_default();
            assert_eq!(
                deps[name]["version"].as_str(),
                Some(version),
                "{stated} is what the messages and README say"
            );
        }
    }

    #[cfg(feature = "postgres")]
    #[test]
    fn the_real_pool_type_is_expected() {
        let all = expected();
        assert!(all
            .iter()
            .any(|e| e.id == TypeId::of::<sqlx::PgPool>() && e.method == ".postgres(pool)"));
        assert!(std::any::type_name::<sqlx::PgPool>().starts_with("sqlx_core::pool::Pool<"));
    }
}
