//! The one door to the outside world: environment variables, files, the clock and the uid.
//!
//! Checks never read `std::env`, `/proc` or the clock directly; they ask the [`Host`] in their
//! [`Context`](crate::Context). [`RealHost`] reads the machine (optionally under another root
//! directory); [`FakeHost`](crate::testing::FakeHost) is a temp-dir root with its own environment
//! and clock for unit tests.

use std::io;
use std::path::{Component, Path, PathBuf};
use std::time::SystemTime;

/// Real and effective user ids of the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ids {
    /// The real id.
    pub real: u32,
    /// The effective id.
    pub effective: u32,
}

/// Everything a check may read from the outside world.
///
/// Paths are absolute paths as the process sees them (`/proc/self/status`); a host decides where
/// they really live. File access is synchronous: hosts read small files (`/proc`, `/sys`, secret
/// mounts).
pub trait Host: Send + Sync + 'static {
    /// The environment variable `name`, if set and valid UTF-8.
    fn env(&self, name: &str) -> Option<String>;

    /// Every environment variable (UTF-8 ones), sorted by name.
    fn env_vars(&self) -> Vec<(String, String)>;

    /// The whole contents of the file at `path`.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;

    /// The metadata of `path` (permissions, size, kind), following symlinks.
    fn metadata(&self, path: &Path) -> io::Result<std::fs::Metadata>;

    /// The entries of the directory `path`, as absolute host paths, sorted.
    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>>;

    /// The current wall-clock time.
    fn now(&self) -> SystemTime;

    /// The file at `path` as UTF-8 text.
    fn read_to_string(&self, path: &Path) -> io::Result<String> {
        String::from_utf8(self.read(path)?).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} is not UTF-8: {e}", path.display()),
            )
        })
    }

    /// Whether `path` exists.
    fn exists(&self, path: &Path) -> bool {
        self.metadata(path).is_ok()
    }

    /// The process's working directory, as an absolute host path: what a relative path in a
    /// spec is relative to. A host that does not know it (the default) makes every relative
    /// path an error.
    fn current_dir(&self) -> io::Result<PathBuf> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "this host does not report a working directory",
        ))
    }

    /// `path` as an absolute host path: unchanged (but for `.` and `..`) when absolute, else
    /// joined to [`Host::current_dir`]. The error says why a relative path cannot be resolved.
    fn absolute(&self, path: &Path) -> io::Result<PathBuf> {
        if path.is_absolute() {
            return Ok(normalize(path));
        }
        match self.current_dir() {
            Ok(dir) if dir.is_absolute() => Ok(normalize(&dir.join(path))),
            Ok(dir) => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "the relative path `{}` cannot be resolved: the working directory `{}` is not absolute",
                    path.display(),
                    dir.display()
                ),
            )),
            Err(e) => Err(io::Error::new(
                e.kind(),
                format!(
                    "the relative path `{}` cannot be resolved: the working directory is unknown ({e}); declare an absolute path",
                    path.display()
                ),
            )),
        }
    }

    /// Real and effective uid, from the `Uid:` line of `/proc/self/status`.
    fn uid(&self) -> io::Result<Ids> {
        status_ids(self, "Uid:")
    }

    /// Real and effective gid, from the `Gid:` line of `/proc/self/status`.
    fn gid(&self) -> io::Result<Ids> {
        status_ids(self, "Gid:")
    }
}

pub(crate) fn status_ids<H: Host + ?Sized>(host: &H, key: &str) -> io::Result<Ids> {
    let path = Path::new("/proc/self/status");
    let status = host.read_to_string(path)?;
    let malformed = || {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: no well-formed `{key}` line", path.display()),
        )
    };
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .ok_or_else(malformed)?;
    let mut ids = line.split_whitespace().map(str::parse::<u32>);
    match (ids.next(), ids.next()) {
        (Some(Ok(real)), Some(Ok(effective))) => Ok(Ids { real, effective }),
        _ => Err(malformed()),
    }
}

/// The real machine: the process environment, the real clock, and files under a root directory
/// (`/` unless [`RealHost::with_root`] says otherwise).
#[derive(Debug, Clone)]
pub struct RealHost {
    root: PathBuf,
}

impl RealHost {
    /// The machine as the process sees it.
    pub fn new() -> Self {
        Self {
            root: PathBuf::from("/"),
        }
    }

    /// The machine's environment and clock, with files read under `root` (a chroot-like view).
    pub fn with_root(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

impl Default for RealHost {
    fn default() -> Self {
        Self::new()
    }
}

/// `path` (absolute or not) placed under `root`; `..` never climbs above the root.
pub(crate) fn under_root(root: &Path, path: &Path) -> PathBuf {
    let mut out = root.to_path_buf();
    let mut depth = 0usize;
    for c in path.components() {
        match c {
            Component::Normal(part) => {
                out.push(part);
                depth += 1;
            }
            Component::ParentDir if depth > 0 => {
                out.pop();
                depth -= 1;
            }
            _ => {}
        }
    }
    out
}

/// `path` with `.` dropped and `..` applied lexically (never above `/`).
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                if out.parent().is_some() {
                    out.pop();
                }
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// What messages add after the absolute path tried for a declared path: nothing when it was
/// declared absolute, else `` (`.env` in the working directory)``.
pub(crate) fn relative_note(declared: &Path) -> String {
    if declared.is_absolute() {
        String::new()
    } else {
        format!(" (`{}` in the working directory)", declared.display())
    }
}

/// The host path of an entry found under `root`.
/// The most a check reads of one file (32 MiB): `/dev/zero` or a runaway log named as an
/// artifact must not fill the memory.
pub const MAX_READ: u64 = 32 << 20;

/// Reads a regular file of at most [`MAX_READ`] bytes. Anything else (a FIFO, which would block
/// the reader until a writer comes, a device, a directory) is an error saying what it is.
pub(crate) fn read_regular(path: &Path) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        let ft = meta.file_type();
        let what = if ft.is_dir() {
            "a directory"
        } else {
            use std::os::unix::fs::FileTypeExt;
            if ft.is_fifo() {
                "a FIFO (named pipe)"
            } else if ft.is_char_device() || ft.is_block_device() {
                "a device"
            } else if ft.is_socket() {
                "a socket"
            } else {
                "not a regular file"
            }
        };
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is {what}, not a regular file", path.display()),
        ));
    }
    if meta.len() > MAX_READ {
        return Err(too_big(path));
    }
    let mut out = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_READ + 1)
        .read_to_end(&mut out)?;
    if out.len() as u64 > MAX_READ {
        return Err(too_big(path));
    }
    Ok(out)
}

fn too_big(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "{} is larger than the {} MiB a check reads",
            path.display(),
            MAX_READ >> 20
        ),
    )
}

pub(crate) fn host_path(root: &Path, real: &Path) -> PathBuf {
    match real.strip_prefix(root) {
        Ok(rel) => Path::new("/").join(rel),
        Err(_) => real.to_path_buf(),
    }
}

pub(crate) fn read_dir_under(root: &Path, path: &Path) -> io::Result<Vec<PathBuf>> {
    let mut entries = std::fs::read_dir(under_root(root, path))?
        .map(|e| e.map(|e| host_path(root, &e.path())))
        .collect::<io::Result<Vec<_>>>()?;
    entries.sort();
    Ok(entries)
}

pub(crate) fn process_env_vars() -> Vec<(String, String)> {
    let mut vars: Vec<_> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect();
    vars.sort();
    vars
}

impl Host for RealHost {
    fn env(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn env_vars(&self) -> Vec<(String, String)> {
        process_env_vars()
    }

    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        read_regular(&under_root(&self.root, path))
    }

    fn metadata(&self, path: &Path) -> io::Result<std::fs::Metadata> {
        std::fs::metadata(under_root(&self.root, path))
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        read_dir_under(&self.root, path)
    }

    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    fn current_dir(&self) -> io::Result<PathBuf> {
        std::env::current_dir()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_of_bounded_size_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("manifest.json");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            // Opening a FIFO for reading would block until a writer came: it is never opened.
            let e = read_regular(&fifo).unwrap_err();
            assert!(
                e.to_string()
                    .contains("is a FIFO (named pipe), not a regular file"),
                "{e}"
            );
        }
        let e = read_regular(Path::new("/dev/zero")).unwrap_err();
        assert!(e.to_string().contains("is a device"), "{e}");
        let e = read_regular(dir.path()).unwrap_err();
        assert!(e.to_string().contains("is a directory"), "{e}");
        let big = dir.path().join("big");
        std::fs::File::create(&big)
            .unwrap()
            .set_len(MAX_READ + 1)
            .unwrap();
        let e = read_regular(&big).unwrap_err();
        assert!(e.to_string().contains("larger than the 32 MiB"), "{e}");
        // /proc files report size 0 and still read.
        assert!(!read_regular(Path::new("/proc/self/status"))
            .unwrap()
            .is_empty());
    }

    #[test]
    fn paths_stay_under_the_root() {
        let root = Path::new("/tmp/root");
        assert_eq!(
            under_root(root, Path::new("/proc/self/status")),
            Path::new("/tmp/root/proc/self/status")
        );
        assert_eq!(
            under_root(root, Path::new("/../../etc/passwd")),
            Path::new("/tmp/root/etc/passwd")
        );
        assert_eq!(
            under_root(root, Path::new("/a/b/../c")),
            Path::new("/tmp/root/a/c")
        );
    }

    #[test]
    fn relative_paths_resolve_against_the_working_directory() {
        let host = RealHost::new();
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(host.current_dir().unwrap(), cwd);
        assert_eq!(
            host.absolute(Path::new("a/./b/../c")).unwrap(),
            cwd.join("a/c")
        );
        assert_eq!(
            host.absolute(Path::new("/etc/../run/./x")).unwrap(),
            Path::new("/run/x")
        );
        assert_eq!(normalize(Path::new("/../a")), Path::new("/a"));

        // A host that does not know its working directory rejects relative paths, clearly.
        struct NoCwd;
        impl Host for NoCwd {
            fn env(&self, _: &str) -> Option<String> {
                None
            }
            fn env_vars(&self) -> Vec<(String, String)> {
                Vec::new()
            }
            fn read(&self, _: &Path) -> io::Result<Vec<u8>> {
                Err(io::ErrorKind::NotFound.into())
            }
            fn metadata(&self, _: &Path) -> io::Result<std::fs::Metadata> {
                Err(io::ErrorKind::NotFound.into())
            }
            fn read_dir(&self, _: &Path) -> io::Result<Vec<PathBuf>> {
                Ok(Vec::new())
            }
            fn now(&self) -> SystemTime {
                SystemTime::UNIX_EPOCH
            }
        }
        assert_eq!(NoCwd.absolute(Path::new("/x")).unwrap(), Path::new("/x"));
        let err = NoCwd.absolute(Path::new("config.toml")).unwrap_err();
        assert!(
            err.to_string().starts_with(
                "the relative path `config.toml` cannot be resolved: the working directory is unknown"
            ),
            "{err}"
        );
    }

    #[test]
    fn real_host_reads_the_real_machine() {
        let host = RealHost::new();
        let ids = host.uid().expect("Linux has /proc/self/status");
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find(|l| l.starts_with("Uid:")).unwrap();
        let expected: Vec<u32> = line[4..]
            .split_whitespace()
            .map(|s| s.parse().unwrap())
            .collect();
        assert_eq!((ids.real, ids.effective), (expected[0], expected[1]));
        assert!(host.env_vars().iter().any(|(k, _)| k == "PATH"));
        assert!(host
            .read_dir(Path::new("/proc/self"))
            .unwrap()
            .contains(&PathBuf::from("/proc/self/status")));
    }
}
