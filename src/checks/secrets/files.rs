//! Secret files readable by their owner only, and no secret in a plain config file.

use super::{count, SecretSpec, Source, Verdict, HOW_TO_DECLARE};
use crate::host::relative_note;
use crate::{Check, Context, Host, Outcome};
use secrecy::ExposeSecret;
use serde_json::json;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Values shorter than this are not searched for in config files: they would match ordinary text.
const MIN_SEARCH_LEN: usize = 8;

/// The declared plain config files, read once, at their absolute paths (a relative path is
/// relative to the working directory).
pub(super) struct ConfigFiles {
    readable: Vec<(PathBuf, Vec<u8>)>,
    /// (the path as messages show it, why it cannot be read or located)
    pub(super) unreadable: Vec<(String, String)>,
    /// (the absolute path tried, the path as messages show it)
    pub(super) missing: Vec<(PathBuf, String)>,
}

impl ConfigFiles {
    pub(super) fn read(host: &dyn Host, spec: &SecretSpec) -> Self {
        let mut out = ConfigFiles {
            readable: Vec::new(),
            unreadable: Vec::new(),
            missing: Vec::new(),
        };
        for declared in spec.config_files() {
            let path = match host.absolute(declared) {
                Ok(path) => path,
                Err(e) => {
                    out.unreadable
                        .push((declared.display().to_string(), e.to_string()));
                    continue;
                }
            };
            let shown = format!("{}{}", path.display(), relative_note(declared));
            match host.read(&path) {
                Ok(bytes) => out.readable.push((path, bytes)),
                Err(e) if e.kind() == io::ErrorKind::NotFound => out.missing.push((path, shown)),
                Err(e) => out.unreadable.push((shown, e.to_string())),
            }
        }
        out
    }

    /// Whether `value` is long enough to be searched for.
    pub(super) fn searchable(value: &str) -> bool {
        value.len() >= MIN_SEARCH_LEN
    }

    /// The config files whose text holds `value`.
    pub(super) fn holding(&self, value: &str) -> Vec<&Path> {
        if !Self::searchable(value) {
            return Vec::new();
        }
        let needle = value.as_bytes();
        self.readable
            .iter()
            .filter(|(_, text)| text.windows(needle.len()).any(|w| w == needle))
            .map(|(path, _)| path.as_path())
            .collect()
    }

    pub(super) fn checked(&self) -> usize {
        self.readable.len()
    }

    /// Warns about each declared config file that is not there: a path that names nothing
    /// was searched for nothing.
    pub(super) fn warn_missing(&self, verdict: &mut Verdict) {
        for (_, shown) in &self.missing {
            verdict.warn(
                format!("the declared config file {shown} does not exist: it was not searched"),
                "fix the path given to `SecretSpec::config_file` (a relative path is relative to the working directory), or ship the file",
            );
        }
    }
}

/// Every mounted secret file — declared files, and the files of declared secret volumes — is
/// readable by its owner only (`mode & 0o077 == 0`, symlinks followed, as Kubernetes mounts
/// `key -> ..data/key`); and no declared secret's value sits in a declared plain config file.
///
/// It passes only after inspecting something: at least one mounted secret file, or a config
/// file searched for at least one resolved value. Declared secret files none of which is
/// mounted, a declared config file that does not exist, or a config file with no value to look
/// for are each `warn`.
pub fn secret_files_protected() -> SecretFilesProtected {
    SecretFilesProtected { spec: None }
}

/// The check returned by [`secret_files_protected`].
#[derive(Debug, Clone)]
pub struct SecretFilesProtected {
    spec: Option<SecretSpec>,
}

impl SecretFilesProtected {
    /// Checks `spec` instead of the [`SecretSpec`] resource.
    pub fn spec(mut self, spec: SecretSpec) -> Self {
        self.spec = Some(spec);
        self
    }
}

const CHMOD_FIX: &str = "make secret files readable by their owner only: set `defaultMode: 0400` (or `items[].mode`) on the secret volume (`volumes[].secret.defaultMode`), or `chmod 600` the file";

/// The secret files the spec names, at absolute paths: declared files, the file a set `*_FILE`
/// variable names, the entries of the secret volumes that exist, and the volumes that do not
/// (so that they are reported absent).
fn secret_files(host: &dyn Host, spec: &SecretSpec, verdict: &mut Verdict) -> Vec<PathBuf> {
    let mut declared = Vec::new();
    for source in spec.secrets().iter().flat_map(|s| s.sources()) {
        match source {
            Source::File(path) => declared.push(path.clone()),
            Source::FileEnv(var) => {
                if let Some(path) = host.env(var).filter(|p| !p.trim().is_empty()) {
                    declared.push(PathBuf::from(path.trim()));
                }
            }
            // Listing the volume finds the key's file; an absent volume is reported once.
            _ => {}
        }
    }
    let mut files = Vec::new();
    let unresolved = |verdict: &mut Verdict, what: &str, e: io::Error| {
        verdict.fail(
            format!("cannot locate the {what}: {e}"),
            "declare secret files and volumes with absolute paths (`/var/run/secrets/app`)",
        )
    };
    for path in declared {
        match host.absolute(&path) {
            Ok(path) => files.push(path),
            Err(e) => unresolved(verdict, "secret file", e),
        }
    }
    for declared in spec.all_directories() {
        let dir = match host.absolute(declared) {
            Ok(dir) => dir,
            Err(e) => {
                unresolved(verdict, "secret directory", e);
                continue;
            }
        };
        match host.read_dir(&dir) {
            Ok(entries) => {
                for entry in entries {
                    // `..data` and `..2024_…` are the Kubernetes mount's own bookkeeping.
                    let internal = entry
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with(".."));
                    let is_dir = host.metadata(&entry).is_ok_and(|m| m.is_dir());
                    if !internal && !is_dir {
                        files.push(entry);
                    }
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => files.push(dir),
            Err(e) => verdict.fail(
                format!(
                    "the secret directory {}{} cannot be listed: {e}",
                    dir.display(),
                    relative_note(declared)
                ),
                "check the secret volume's mount",
            ),
        }
    }
    files.sort();
    files.dedup();
    files
}

/// The first few paths of `paths`, for a message.
fn some_paths(paths: &[PathBuf]) -> String {
    const SHOWN: usize = 3;
    let mut list: Vec<String> = paths
        .iter()
        .take(SHOWN)
        .map(|p| p.display().to_string())
        .collect();
    if paths.len() > SHOWN {
        list.push(format!("and {} more", paths.len() - SHOWN));
    }
    list.join(", ")
}

const DECLARE_FILES: &str = "declare the secret volumes (`SecretSpec::directory`) or files (`Secret::from_file`, `from_file_env`) the service mounts, and its plain config files (`SecretSpec::config_file`)";

#[async_trait::async_trait]
impl Check for SecretFilesProtected {
    async fn run(&self, ctx: &Context) -> Outcome {
        let Some(spec) = ctx
            .spec(&self.spec)
            .filter(|s| !s.secrets().is_empty() || !s.directories().is_empty())
        else {
            return Outcome::warn("no secrets declared").remediation(HOW_TO_DECLARE);
        };
        let host = ctx.host();
        let mut verdict = Verdict::new();
        let mut checked = Vec::new();
        let mut absent = Vec::new();
        for path in secret_files(host, spec, &mut verdict) {
            match host.metadata(&path) {
                Ok(meta) => {
                    let mode = meta.permissions().mode() & 0o7777;
                    if mode & 0o077 != 0 {
                        verdict.fail(
                            format!(
                                "{} is mode {mode:04o}: readable by {}",
                                path.display(),
                                if mode & 0o007 != 0 {
                                    "everyone"
                                } else {
                                    "its group"
                                }
                            ),
                            CHMOD_FIX,
                        );
                    }
                    checked.push(json!({"path": path, "mode": format!("{mode:04o}")}));
                }
                // Not mounted: `secrets_in_vault` reports secrets that cannot be resolved.
                Err(e) if e.kind() == io::ErrorKind::NotFound => absent.push(path),
                Err(e) => verdict.fail(
                    format!("{} cannot be inspected: {e}", path.display()),
                    "check the secret's mount",
                ),
            }
        }
        let config = ConfigFiles::read(host, spec);
        for (path, e) in &config.unreadable {
            verdict.fail(
                format!("the config file {path} cannot be read: {e}"),
                "fix the declared config file path or its permissions",
            );
        }
        let mut searched = 0;
        for resolved in spec.resolve_each(host).await.iter().flatten() {
            let value = resolved.value().expose_secret();
            if ConfigFiles::searchable(value) {
                searched += 1;
            }
            for path in config.holding(value) {
                verdict.fail(
                    format!(
                        "secret `{}` sits in the plain config file {}",
                        resolved.name(),
                        path.display()
                    ),
                    format!(
                        "remove the value from {} and read it from its secret source only",
                        path.display()
                    ),
                );
            }
        }
        config.warn_missing(&mut verdict);
        // A config file is searched only when there was a value to look for.
        let configs_searched = if searched > 0 { config.checked() } else { 0 };
        if config.checked() > 0 && searched == 0 {
            verdict.warn(
                format!(
                    "the {} could not be searched: no declared secret resolved to a value to look for",
                    count(config.checked(), "declared config file")
                ),
                "make the declared secrets resolvable (see the item `Secrets stored in OCI Vault`)",
            );
        }
        if checked.is_empty() {
            if !absent.is_empty() {
                verdict.warn(
                    format!(
                        "none of the {} is mounted (looked for {}): no file mode could be inspected",
                        count(absent.len(), "declared secret path"),
                        some_paths(&absent)
                    ),
                    "mount the secrets where the spec looks, or fix the declared paths (a relative path is relative to the working directory)",
                );
            } else if configs_searched == 0 {
                verdict.warn(
                    "nothing to verify: no mounted secret file was found and no config file was searched",
                    DECLARE_FILES,
                );
            }
        }
        let files = match checked.len() {
            0 => "no secret file is mounted".to_owned(),
            n => format!(
                "{} {}",
                count(n, "secret file"),
                if n == 1 {
                    "is readable by its owner only"
                } else {
                    "are readable by their owner only"
                }
            ),
        };
        let configs = match configs_searched {
            0 => "no plain config file declared to search".to_owned(),
            n => format!("no secret in the {}", count(n, "declared config file")),
        };
        let outcome = verdict.outcome(format!("{files}; {configs}"));
        outcome
            .detail("secret_files", checked)
            .detail("secret_files_absent", &absent)
            .detail("config_files_checked", configs_searched)
            .detail(
                "config_files_missing",
                config.missing.iter().map(|(p, _)| p).collect::<Vec<_>>(),
            )
    }
}
