//! A fake host: a temp-dir root holding the files a test writes, its own environment and clock.

use crate::host::{read_dir_under, under_root, Host, Ids};
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

/// A [`Host`] for unit tests: files live under a fresh temp dir (deleted with the last clone),
/// the environment is a map, and the clock and uid can be fixed.
///
/// Clones share everything, so a test can change the environment or a file between
/// evaluations (`set_env`, `write`).
///
/// ```
/// use prodready::testing::FakeHost;
/// use prodready::Host;
/// use std::path::Path;
///
/// let host = FakeHost::new()
///     .env("APP_DB_URL_FILE", "/run/secrets/db")
///     .file("sys/fs/cgroup/memory.max", "536870912\n")
///     .with_uid(1000, 1000)
///     .with_current_dir("/srv/app");
/// assert_eq!(host.read_to_string(Path::new("/sys/fs/cgroup/memory.max")).unwrap(), "536870912\n");
/// assert_eq!(host.absolute(Path::new("config/app.toml")).unwrap(), Path::new("/srv/app/config/app.toml"));
/// assert_eq!(host.uid().unwrap().effective, 1000);
/// assert_eq!(Host::env(&host, "HOME"), None); // nothing leaks in from the real environment
/// ```
#[derive(Clone)]
pub struct FakeHost {
    inner: Arc<Inner>,
}

struct Inner {
    root: tempfile::TempDir,
    env: RwLock<BTreeMap<String, String>>,
    now: RwLock<Option<SystemTime>>,
    uid: RwLock<Option<Ids>>,
    gid: RwLock<Option<Ids>>,
    cwd: RwLock<Option<PathBuf>>,
}

impl FakeHost {
    /// An empty root, an empty environment, the real clock, and the uid from `proc/self/status`
    /// under the root (absent until written or set with [`FakeHost::with_uid`]).
    ///
    /// Panics if the temp dir cannot be created.
    pub fn new() -> Self {
        let root = match tempfile::Builder::new()
            .prefix("prodready-fake-root")
            .tempdir()
        {
            Ok(dir) => dir,
            Err(e) => panic!("FakeHost: cannot create a temp dir: {e}"),
        };
        Self {
            inner: Arc::new(Inner {
                root,
                env: RwLock::default(),
                now: RwLock::default(),
                uid: RwLock::default(),
                gid: RwLock::default(),
                cwd: RwLock::default(),
            }),
        }
    }

    /// The real directory that stands for `/`.
    pub fn root(&self) -> &Path {
        self.inner.root.path()
    }

    /// Sets an environment variable.
    pub fn env(self, name: &str, value: &str) -> Self {
        self.set_env(name, value);
        self
    }

    /// Writes the file `path` (relative to the root or absolute), creating its directories.
    pub fn file(self, path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> Self {
        self.write(path, contents);
        self
    }

    /// Writes a file and sets its Unix permission bits (e.g. `0o640`).
    pub fn file_with_mode(
        self,
        path: impl AsRef<Path>,
        contents: impl AsRef<[u8]>,
        mode: u32,
    ) -> Self {
        use std::os::unix::fs::PermissionsExt;
        let real = self.write(path, contents);
        if let Err(e) = std::fs::set_permissions(&real, std::fs::Permissions::from_mode(mode)) {
            panic!("FakeHost: cannot chmod {}: {e}", real.display());
        }
        self
    }

    /// Fixes the clock at `time`.
    pub fn at(self, time: SystemTime) -> Self {
        self.set_now(time);
        self
    }

    /// Sets the real and effective uid (otherwise read from `proc/self/status` under the root).
    pub fn with_uid(self, real: u32, effective: u32) -> Self {
        *write_lock(&self.inner.uid) = Some(Ids { real, effective });
        self
    }

    /// Sets the real and effective gid.
    pub fn with_gid(self, real: u32, effective: u32) -> Self {
        *write_lock(&self.inner.gid) = Some(Ids { real, effective });
        self
    }

    /// Sets the working directory (an absolute host path such as `/srv/app`) that relative
    /// paths are resolved against. Without it the host reports no working directory, and a
    /// relative path is an error.
    pub fn with_current_dir(self, dir: impl Into<PathBuf>) -> Self {
        self.set_current_dir(dir);
        self
    }

    /// Moves the working directory of a shared host.
    pub fn set_current_dir(&self, dir: impl Into<PathBuf>) {
        *write_lock(&self.inner.cwd) = Some(dir.into());
    }

    /// Sets an environment variable on a shared host.
    pub fn set_env(&self, name: &str, value: &str) {
        write_lock(&self.inner.env).insert(name.to_owned(), value.to_owned());
    }

    /// Removes an environment variable.
    pub fn remove_env(&self, name: &str) {
        write_lock(&self.inner.env).remove(name);
    }

    /// Moves the clock to `time`.
    pub fn set_now(&self, time: SystemTime) {
        *write_lock(&self.inner.now) = Some(time);
    }

    /// Writes a file on a shared host; returns its real path. Panics if it cannot be written.
    pub fn write(&self, path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> PathBuf {
        let real = under_root(self.root(), path.as_ref());
        if let Some(parent) = real.parent() {
            if let Err(e) = std::fs::create_dir_all(parent) {
                panic!("FakeHost: cannot create {}: {e}", parent.display());
            }
        }
        if let Err(e) = std::fs::write(&real, contents) {
            panic!("FakeHost: cannot write {}: {e}", real.display());
        }
        real
    }

    /// Deletes a file on a shared host (no error if it is absent).
    pub fn remove(&self, path: impl AsRef<Path>) {
        let _ = std::fs::remove_file(under_root(self.root(), path.as_ref()));
    }
}

impl Default for FakeHost {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for FakeHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Environment values may be secrets: show names only.
        let names: Vec<String> = read_lock(&self.inner.env).keys().cloned().collect();
        f.debug_struct("FakeHost")
            .field("root", &self.root())
            .field("env", &names)
            .finish_non_exhaustive()
    }
}

fn write_lock<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|p| p.into_inner())
}

fn read_lock<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|p| p.into_inner())
}

impl Host for FakeHost {
    fn env(&self, name: &str) -> Option<String> {
        read_lock(&self.inner.env).get(name).cloned()
    }

    fn env_vars(&self) -> Vec<(String, String)> {
        read_lock(&self.inner.env)
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        crate::host::read_regular(&under_root(self.root(), path))
    }

    fn metadata(&self, path: &Path) -> io::Result<std::fs::Metadata> {
        std::fs::metadata(under_root(self.root(), path))
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        read_dir_under(self.root(), path)
    }

    fn now(&self) -> SystemTime {
        (*read_lock(&self.inner.now)).unwrap_or_else(SystemTime::now)
    }

    fn current_dir(&self) -> io::Result<PathBuf> {
        read_lock(&self.inner.cwd).clone().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                "no working directory set on this FakeHost (`FakeHost::with_current_dir`)",
            )
        })
    }

    fn uid(&self) -> io::Result<Ids> {
        match *read_lock(&self.inner.uid) {
            Some(ids) => Ok(ids),
            None => crate::host::status_ids(self, "Uid:"),
        }
    }

    fn gid(&self) -> io::Result<Ids> {
        match *read_lock(&self.inner.gid) {
            Some(ids) => Ok(ids),
            None => crate::host::status_ids(self, "Gid:"),
        }
    }
}
