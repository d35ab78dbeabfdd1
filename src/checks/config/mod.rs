//! Typed configuration: the service's config type deserializes from its sources, rejects unknown
//! keys, and passes its own rules.
//!
//! ```
//! use prodready::checks::config::{config_valid, ConfigError, Rules, Validate};
//!
//! #[derive(serde::Deserialize)]
//! #[serde(deny_unknown_fields)] // unknown keys must be rejected: the check verifies it
//! struct AppConfig {
//!     db: Db,
//! }
//!
//! #[derive(serde::Deserialize)]
//! #[serde(deny_unknown_fields)]
//! struct Db {
//!     pool_size: u32,
//!     password: String,
//! }
//!
//! impl Validate for AppConfig {
//!     fn validate(&self) -> Result<(), Vec<ConfigError>> {
//!         Rules::new()
//!             .require((1..=100).contains(&self.db.pool_size), "db.pool_size", "must be 1 to 100")
//!             .require(self.db.password.len() >= 12, "db.password", "must be at least 12 characters")
//!             .finish()
//!     }
//! }
//!
//! // The file named by APP_CONFIG (else /etc/app/config.toml), then APP_DB__POOL_SIZE-style overrides.
//! let spec = config_valid::<AppConfig>()
//!     .file("/etc/app/config.toml")
//!     .file_from_env("APP_CONFIG")
//!     .env_prefix("APP_");
//! let readiness = prodready::Readiness::builder().resource(spec);
//! # let _ = readiness;
//! ```
//!
//! **Sources.** A file (`.toml` or `.json`, by extension) read through the host, at a fixed path
//! or at the path an environment variable names (that variable wins when set); then environment
//! variables with a prefix, which override the file: after the prefix, the name is lowercased and
//! `__` separates levels, so `APP_DB__POOL_SIZE` sets `db.pool_size`. Environment values are
//! parsed into the type the field asks for; lists are comma-separated. Every variable with the
//! prefix is read (except the file variable and those passed to [`ConfigSpec::ignore_env`]), so
//! pick a prefix used for configuration only.
//!
//! **Unknown keys.** The config type (and its nested structs) must carry
//! `#[serde(deny_unknown_fields)]`. The check verifies it for the top level: it deserializes once
//! more with an extra key and fails if that is accepted (opt out with
//! [`ConfigSpec::allow_unknown_keys`]).
//!
//! **Errors** name the key path (`db.pool_size: invalid type: string "ten", expected u32`); for
//! keys that look secret (`password`, `secret`, `token`, `key`, …) the value is never shown.

mod error;
mod node;
mod source;

pub use error::ConfigError;

use crate::{Check, Context, Outcome};
use error::{from_serde, masked};
use node::Node;
use serde::de::DeserializeOwned;
use source::{load, LoadError, Sources};
use std::path::PathBuf;
use std::sync::Arc;

/// The service's own rules on its configuration, checked after it deserialized.
pub trait Validate {
    /// Every problem found, each naming its key.
    fn validate(&self) -> Result<(), Vec<ConfigError>>;
}

/// Collects [`ConfigError`]s for a [`Validate`] implementation.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    errors: Vec<ConfigError>,
}

impl Rules {
    /// No errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `problem` for `key` unless `ok`.
    pub fn require(mut self, ok: bool, key: &str, problem: &str) -> Self {
        if !ok {
            self.errors.push(ConfigError::new(key, problem));
        }
        self
    }

    /// Records an error.
    pub fn error(mut self, error: ConfigError) -> Self {
        self.errors.push(error);
        self
    }

    /// `Ok` when nothing was recorded.
    pub fn finish(self) -> Result<(), Vec<ConfigError>> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }
}

enum Failure {
    Shape(ConfigError),
    Rules(Vec<ConfigError>),
}

/// How one type is loaded, erased so that the spec needs no type parameter.
type Loader = fn(Node) -> Result<(), Failure>;

fn deserialize<T: DeserializeOwned>(tree: Node) -> Result<T, Failure> {
    serde_path_to_error::deserialize(tree)
        .map_err(|e| Failure::Shape(from_serde(&e.path().to_string(), &e.inner().to_string())))
}

fn with_rules<T: DeserializeOwned + Validate>(tree: Node) -> Result<(), Failure> {
    deserialize::<T>(tree)?.validate().map_err(Failure::Rules)
}

fn without_rules<T: DeserializeOwned>(tree: Node) -> Result<(), Failure> {
    deserialize::<T>(tree).map(drop)
}

/// A configuration type with its sources: the declaration a service passes with
/// `Readiness::builder().resource(spec)`, and itself a check of it.
#[derive(Clone)]
#[non_exhaustive]
#[must_use = "a spec does nothing until it is given to the readiness builder"]
pub struct ConfigSpec {
    type_name: &'static str,
    full: Loader,
    shape: Loader,
    sources: Sources,
    allow_unknown_keys: bool,
}

/// Verifies that `T` loads from its sources and passes [`Validate`]; add sources with the
/// [`ConfigSpec`] builder methods.
pub fn config_valid<T: DeserializeOwned + Validate + 'static>() -> ConfigSpec {
    ConfigSpec::new::<T>()
}

impl ConfigSpec {
    /// The configuration type `T`, validated with its [`Validate`] rules.
    pub fn new<T: DeserializeOwned + Validate + 'static>() -> Self {
        Self::erased::<T>(with_rules::<T>)
    }

    /// A configuration type without extra rules: it only has to deserialize.
    pub fn without_rules<T: DeserializeOwned + 'static>() -> Self {
        Self::erased::<T>(without_rules::<T>)
    }

    fn erased<T: DeserializeOwned + 'static>(full: Loader) -> Self {
        let name = std::any::type_name::<T>();
        let short = name.split('<').next().unwrap_or(name);
        Self {
            type_name: short.rsplit("::").next().unwrap_or(short),
            full,
            shape: without_rules::<T>,
            sources: Sources::default(),
            allow_unknown_keys: false,
        }
    }

    /// Reads the file at `path` (`.toml` or `.json`); [`ConfigSpec::file_from_env`] wins when set.
    /// A relative path (here or in the variable) is relative to the process's working directory
    /// ([`Host::current_dir`](crate::Host::current_dir)).
    pub fn file(mut self, path: impl Into<PathBuf>) -> Self {
        self.sources.file = Some(path.into());
        self
    }

    /// Reads the file whose path the environment variable `var` holds (`APP_CONFIG`).
    pub fn file_from_env(mut self, var: impl Into<String>) -> Self {
        self.sources.file_env = Some(var.into());
        self
    }

    /// Environment variables starting with `prefix` override the file: `APP_DB__POOL_SIZE` sets
    /// `db.pool_size` for the prefix `APP_`.
    pub fn env_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.sources.env_prefix = Some(prefix.into());
        self
    }

    /// Skips the variable `name` although it carries the prefix (`APP_ENV`, `APP_LOG`).
    pub fn ignore_env(mut self, name: impl Into<String>) -> Self {
        self.sources.ignored_env.push(name.into());
        self
    }

    /// The type accepts unknown keys on purpose (e.g. it uses `#[serde(flatten)]`); without
    /// this, a type that accepts them fails the check.
    pub fn allow_unknown_keys(mut self) -> Self {
        self.allow_unknown_keys = true;
        self
    }

    fn evaluate(&self, ctx: &Context) -> Outcome {
        let ty = self.type_name;
        let loaded = match load(&self.sources, ctx.host()) {
            Ok(loaded) => loaded,
            Err(e) => return load_failure(ty, e),
        };
        let origin = match (&loaded.file, loaded.env_keys.len()) {
            (Some(f), 0) => format!("`{}`", f.display()),
            (Some(f), n) => format!("`{}` with {n} environment override(s)", f.display()),
            (None, n) => format!("{n} environment variable(s)"),
        };
        let base = |o: Outcome| {
            let o = o.detail("config_type", ty).detail(
                "env_overrides",
                loaded.env_keys.values().collect::<Vec<_>>(),
            );
            match &loaded.file {
                Some(f) => o.detail("config_file", f),
                None => o,
            }
        };
        let where_set = |key: &str| match loaded.env_keys.get(key) {
            Some(var) => format!("`{var}`"),
            None => match &loaded.file {
                Some(f) => format!("`{}`", f.display()),
                None => "the environment".to_owned(),
            },
        };
        let errors = match (self.full)(loaded.tree.clone()) {
            Ok(()) => Vec::new(),
            Err(Failure::Shape(e)) => {
                let o = Outcome::fail(format!("{origin} does not deserialize into `{ty}`: {e}"))
                    .remediation(format!("fix `{}` in {}", e.key(), where_set(e.key())))
                    .detail("errors", [e.to_string()]);
                return base(o);
            }
            Err(Failure::Rules(errors)) => errors.iter().map(masked).collect(),
        };
        if !errors.is_empty() {
            let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
            let o = Outcome::fail(format!(
                "`{ty}` from {origin} breaks {} rule(s): {}",
                errors.len(),
                lines.join("; ")
            ))
            .remediation(format!(
                "fix {}",
                errors
                    .iter()
                    .map(|e| format!("`{}` in {}", e.key(), where_set(e.key())))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .detail("errors", lines);
            return base(o);
        }
        let unknown_keys = if self.allow_unknown_keys {
            "unknown keys allowed by declaration"
        } else if accepts_unknown_keys(self.shape, loaded.tree.clone()) {
            let o = Outcome::fail(format!(
                "`{ty}` loads from {origin} and passes its rules, but accepts unknown keys (a misspelled key would be silently ignored)"
            ))
            .remediation(format!(
                "add `#[serde(deny_unknown_fields)]` to `{ty}` and its nested structs, or declare `.allow_unknown_keys()`"
            ));
            return base(o);
        } else {
            "unknown keys rejected"
        };
        base(Outcome::pass(format!(
            "`{ty}` loads from {origin} and passes its rules; {unknown_keys}"
        )))
    }
}

/// Whether `T` still deserializes with a key nobody declared added to the top level.
fn accepts_unknown_keys(shape: Loader, mut tree: Node) -> bool {
    tree.set(
        &["__prodready_unknown_key_probe".to_owned()],
        Node::Env(String::new()),
    );
    shape(tree).is_ok()
}

fn load_failure(ty: &str, e: LoadError) -> Outcome {
    match e {
        LoadError::NoSource => Outcome::warn(format!("no configuration source declared for `{ty}`"))
            .remediation("add `.file(\"/etc/app/config.toml\")`, `.file_from_env(\"APP_CONFIG\")` or `.env_prefix(\"APP_\")` to the ConfigSpec"),
        LoadError::FileEnvUnset(var) => Outcome::fail(format!(
            "`{var}` is not set, so there is no configuration file to load `{ty}` from"
        ))
        .remediation(format!("set `{var}` to the configuration file's path in the container's `env`")),
        LoadError::Unresolved(why) => Outcome::fail(format!(
            "cannot locate the configuration file of `{ty}`: {why}"
        ))
        .remediation("declare the configuration file with an absolute path (`.file(\"/etc/app/config.toml\")`), or set the variable that names it to one"),
        LoadError::File(path, note, problem) => Outcome::fail(format!(
            "the configuration file `{}`{note} {problem}",
            path.display()
        ))
        .remediation("ship a readable `.toml` or `.json` configuration file at that path (e.g. a ConfigMap volume)")
        .detail("config_file", path),
    }
}

impl std::fmt::Debug for ConfigSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigSpec")
            .field("type", &self.type_name)
            .field("sources", &self.sources)
            .field("allow_unknown_keys", &self.allow_unknown_keys)
            .finish()
    }
}

#[async_trait::async_trait]
impl Check for ConfigSpec {
    async fn run(&self, ctx: &Context) -> Outcome {
        self.evaluate(ctx)
    }
}

/// Verifies the configuration the service declared with a [`ConfigSpec`] resource (the default
/// check of `pre-deployment.configuration.configuration-validated`).
pub fn declared_config_valid() -> DeclaredConfigValid {
    DeclaredConfigValid
}

/// The check returned by [`declared_config_valid`].
#[derive(Debug, Clone, Copy, Default)]
pub struct DeclaredConfigValid;

#[async_trait::async_trait]
impl Check for DeclaredConfigValid {
    async fn run(&self, ctx: &Context) -> Outcome {
        match ctx.resource::<ConfigSpec>() {
            Some(spec) => spec.evaluate(ctx),
            None => Outcome::warn("no configuration type declared").remediation(
                "pass `ConfigSpec::new::<AppConfig>().file(\"/etc/app/config.toml\")` with `Readiness::builder().resource(spec)`",
            ),
        }
    }
}

/// The standard checklist's items this module verifies, each with its default check.
pub(crate) fn standard_bindings() -> Vec<(&'static str, Arc<dyn Check>)> {
    vec![(
        "pre-deployment.configuration.configuration-validated",
        Arc::new(declared_config_valid()),
    )]
}

#[cfg(test)]
mod tests;
