//! What a service declares about its secrets: names, where each may come from, and its role.

use super::provider::SecretProvider;
use super::resolve::{resolve_secret, ProviderCache};
use super::resolved::{ResolveError, Resolved, Secrets};
use super::role::{JwtAlgorithm, SecretRole};
use crate::Host;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Where a secret may come from. A [`Secret`] tries its sources in the order they were added.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// A mounted file at a fixed path (`/run/secrets/db-url`).
    File(PathBuf),
    /// A mounted file whose path an environment variable names (`APP_DB_URL_FILE=/run/secrets/db`).
    FileEnv(String),
    /// The file `key` in a directory of secret files (a Kubernetes secret volume: one file per key).
    Dir {
        /// The mounted directory.
        dir: PathBuf,
        /// The file name inside it.
        key: String,
    },
    /// A reference the [`SecretProvider`] resolves: an OCI Vault secret OCID, `vault:kv/app#db`, ….
    Provider(String),
    /// An environment variable. Holding the plain value fails the checks; holding an OCI Vault
    /// secret OCID (`ocid1.vaultsecret.oc1.…`) resolves it through the provider.
    Env(String),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::File(path) => write!(f, "file {}", path.display()),
            Source::FileEnv(var) => write!(f, "file named by `{var}`"),
            Source::Dir { dir, key } => write!(f, "file {}", dir.join(key).display()),
            Source::Provider(reference) => {
                write!(
                    f,
                    "provider reference {}",
                    super::short_reference(reference)
                )
            }
            Source::Env(var) => write!(f, "environment variable `{var}`"),
        }
    }
}

/// One declared secret: a name, where it may come from, and its role. Holds no value.
///
/// ```
/// use prodready::checks::secrets::{JwtAlgorithm, Secret};
/// let db = Secret::new("db-url").from_file_env("APP_DB_URL_FILE").or_env("APP_DB_URL").database_url();
/// let jwt = Secret::new("jwt-key").from_dir("/var/run/secrets/app").jwt_key(JwtAlgorithm::Hs256);
/// assert_eq!(db.sources().len(), 2);
/// assert_eq!(jwt.name(), "jwt-key");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a secret does nothing until it is added to a SecretSpec"]
pub struct Secret {
    name: String,
    sources: Vec<Source>,
    role: SecretRole,
}

impl Secret {
    /// A secret called `name` (used in reports and to look its value up), with no source yet.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            sources: Vec::new(),
            role: SecretRole::Generic,
        }
    }

    /// Adds a source (tried after the ones already added).
    pub fn source(mut self, source: Source) -> Self {
        self.sources.push(source);
        self
    }

    /// Adds a mounted file at `path`; a missing file lets the next source be tried.
    pub fn from_file(self, path: impl Into<PathBuf>) -> Self {
        self.source(Source::File(path.into()))
    }

    /// Adds a mounted file named by the environment variable `var` (`APP_DB_URL_FILE`); when the
    /// variable is set, its file must be readable.
    pub fn from_file_env(self, var: impl Into<String>) -> Self {
        self.source(Source::FileEnv(var.into()))
    }

    /// Adds the file named after the secret in the secret volume `dir`.
    pub fn from_dir(self, dir: impl Into<PathBuf>) -> Self {
        let key = self.name.clone();
        self.source(Source::Dir {
            dir: dir.into(),
            key,
        })
    }

    /// Adds the file `key` in the secret volume `dir`.
    pub fn from_dir_key(self, dir: impl Into<PathBuf>, key: impl Into<String>) -> Self {
        self.source(Source::Dir {
            dir: dir.into(),
            key: key.into(),
        })
    }

    /// Adds a reference resolved by the spec's [`SecretProvider`] (an OCI Vault secret OCID, …).
    pub fn from_provider(self, reference: impl Into<String>) -> Self {
        self.source(Source::Provider(reference.into()))
    }

    /// Adds an environment variable: an OCI Vault secret OCID in it is resolved through the
    /// provider; a plain value works for the service but fails the checks.
    pub fn from_env(self, var: impl Into<String>) -> Self {
        self.source(Source::Env(var.into()))
    }

    /// Same as [`Secret::from_file`]; reads better after the first source.
    pub fn or_file(self, path: impl Into<PathBuf>) -> Self {
        self.from_file(path)
    }

    /// Same as [`Secret::from_file_env`].
    pub fn or_file_env(self, var: impl Into<String>) -> Self {
        self.from_file_env(var)
    }

    /// Same as [`Secret::from_dir`].
    pub fn or_dir(self, dir: impl Into<PathBuf>) -> Self {
        self.from_dir(dir)
    }

    /// Same as [`Secret::from_provider`].
    pub fn or_provider(self, reference: impl Into<String>) -> Self {
        self.from_provider(reference)
    }

    /// Same as [`Secret::from_env`].
    pub fn or_env(self, var: impl Into<String>) -> Self {
        self.from_env(var)
    }

    /// Marks this secret as the database connection URL.
    pub fn database_url(self) -> Self {
        self.with_role(SecretRole::DatabaseUrl)
    }

    /// Marks this secret as the JWT signing key for `algorithm`.
    pub fn jwt_key(self, algorithm: JwtAlgorithm) -> Self {
        self.with_role(SecretRole::JwtKey(algorithm))
    }

    /// Marks this secret as an API key.
    pub fn api_key(self) -> Self {
        self.with_role(SecretRole::ApiKey)
    }

    /// Sets the role.
    pub fn with_role(mut self, role: SecretRole) -> Self {
        self.role = role;
        self
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The sources, in the order they are tried.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// What the secret is for.
    pub fn role(&self) -> SecretRole {
        self.role
    }
}

/// The service's secrets: what it declares, where they are mounted, and the provider that
/// resolves vault references. Give it to the readiness builder with `.resource(spec)`; resolve
/// the values for the service itself with [`SecretSpec::resolve`].
///
/// ```
/// use prodready::checks::secrets::{Secret, SecretSpec};
/// let spec = SecretSpec::new()
///     .secret(Secret::new("db-url").from_file_env("APP_DB_URL_FILE").or_env("APP_DB_URL").database_url())
///     .secret(Secret::new("stripe").from_dir("/var/run/secrets/app").api_key())
///     .directory("/var/run/secrets/app")
///     .config_file("/app/config.toml");
/// let readiness = prodready::Readiness::builder().resource(spec);
/// # let _ = readiness;
/// ```
#[derive(Clone)]
#[non_exhaustive]
#[must_use = "a spec does nothing until it is given to the readiness builder"]
pub struct SecretSpec {
    secrets: Vec<Secret>,
    directories: Vec<PathBuf>,
    config_files: Vec<PathBuf>,
    provider: Option<Arc<dyn SecretProvider>>,
    cache: ProviderCache,
}

/// How long a value the provider resolved is reused, by default.
const PROVIDER_CACHE_TTL: Duration = Duration::from_secs(300);

impl Default for SecretSpec {
    fn default() -> Self {
        Self {
            secrets: Vec::new(),
            directories: Vec::new(),
            config_files: Vec::new(),
            provider: None,
            cache: ProviderCache::new(PROVIDER_CACHE_TTL),
        }
    }
}

impl SecretSpec {
    /// No secrets declared.
    pub fn new() -> Self {
        Self::default()
    }

    /// How long a value the provider resolved is reused (default 5 minutes; zero: ask the
    /// provider every time). Clones of the spec share the cached values.
    pub fn provider_cache_ttl(mut self, ttl: Duration) -> Self {
        self.cache = ProviderCache::new(ttl);
        self
    }

    /// Declares a secret.
    pub fn secret(mut self, secret: Secret) -> Self {
        self.secrets.push(secret);
        self
    }

    /// Declares a secret volume (a directory of one file per key): every file in it must be
    /// readable by its owner only.
    pub fn directory(mut self, dir: impl Into<PathBuf>) -> Self {
        self.directories.push(dir.into());
        self
    }

    /// Declares a plain configuration file: no secret value may appear in it.
    pub fn config_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.config_files.push(path.into());
        self
    }

    /// Sets the provider that resolves references (OCI Vault secret OCIDs, …).
    pub fn provider(self, provider: impl SecretProvider) -> Self {
        self.provider_arc(Arc::new(provider))
    }

    /// Sets a shared provider.
    pub fn provider_arc(mut self, provider: Arc<dyn SecretProvider>) -> Self {
        self.provider = Some(provider);
        self
    }

    /// The declared secrets.
    pub fn secrets(&self) -> &[Secret] {
        &self.secrets
    }

    /// The declared secret volumes.
    pub fn directories(&self) -> &[PathBuf] {
        &self.directories
    }

    /// The declared plain configuration files.
    pub fn config_files(&self) -> &[PathBuf] {
        &self.config_files
    }

    /// The provider, if any.
    pub fn provider_ref(&self) -> Option<&dyn SecretProvider> {
        self.provider.as_deref()
    }

    /// Every directory holding secret files: the declared volumes and those of `from_dir` sources.
    pub(crate) fn all_directories(&self) -> Vec<&Path> {
        let mut dirs: Vec<&Path> = self.directories.iter().map(PathBuf::as_path).collect();
        for source in self.secrets.iter().flat_map(|s| &s.sources) {
            if let Source::Dir { dir, .. } = source {
                if !dirs.contains(&dir.as_path()) {
                    dirs.push(dir);
                }
            }
        }
        dirs
    }

    /// Resolves one secret through `host` (and the provider).
    pub async fn resolve_one(
        &self,
        secret: &Secret,
        host: &dyn Host,
    ) -> Result<Resolved, ResolveError> {
        resolve_secret(secret, host, self.provider_ref(), &self.cache).await
    }

    /// Resolves every declared secret, each with its own result, in declaration order.
    pub async fn resolve_each(&self, host: &dyn Host) -> Vec<Result<Resolved, ResolveError>> {
        let mut out = Vec::with_capacity(self.secrets.len());
        for secret in &self.secrets {
            out.push(self.resolve_one(secret, host).await);
        }
        out
    }

    /// Resolves every declared secret for the service (plain environment values included: the
    /// checks report those); the first secret that cannot be resolved is the error.
    ///
    /// ```
    /// # tokio_test_block(async {
    /// use prodready::checks::secrets::{Secret, SecretSpec};
    /// use prodready::testing::FakeHost;
    /// use prodready::checks::secrets::ExposeSecret;
    ///
    /// let host = FakeHost::new().file("/run/secrets/db", "postgres://app:pw@db/app\n");
    /// let spec = SecretSpec::new().secret(Secret::new("db-url").from_file("/run/secrets/db"));
    /// let secrets = spec.resolve(&host).await.unwrap();
    /// assert_eq!(secrets.get("db-url").unwrap().expose_secret(), "postgres://app:pw@db/app");
    /// # });
    /// # fn tokio_test_block(f: impl std::future::Future<Output = ()>) {
    /// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// ```
    pub async fn resolve(&self, host: &dyn Host) -> Result<Secrets, ResolveError> {
        let mut resolved = Vec::with_capacity(self.secrets.len());
        for result in self.resolve_each(host).await {
            resolved.push(result?);
        }
        Ok(Secrets::new(resolved))
    }
}

impl fmt::Debug for SecretSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretSpec")
            .field("secrets", &self.secrets)
            .field("directories", &self.directories)
            .field("config_files", &self.config_files)
            .field("provider", &self.provider.as_ref().map(|p| p.name()))
            .finish()
    }
}
