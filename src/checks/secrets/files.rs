//! Secret files readable by their owner only, and no secret in a plain config file.

use super::sources::spec_of;
use super::{count, SecretSpec, Source, Verdict, HOW_TO_DECLARE};
use crate::{Check, Context, Host, Outcome};
use secrecy::ExposeSecret;
use serde_json::json;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Values shorter than this are not searched for in config files: they would match ordinary text.
const MIN_SEARCH_LEN: usize = 8;

/// The declared plain config files, read once.
pub(super) struct ConfigFiles {
    readable: Vec<(PathBuf, Vec<u8>)>,
    pub(super) unreadable: Vec<(PathBuf, String)>,
    pub(super) missing: Vec<PathBuf>,
}

impl ConfigFiles {
    pub(super) fn read(host: &dyn Host, spec: &SecretSpec) -> Self {
        let mut out = ConfigFiles {
            readable: Vec::new(),
            unreadable: Vec::new(),
            missing: Vec::new(),
        };
        for path in spec.config_files() {
            match host.read(path) {
                Ok(bytes) => out.readable.push((path.clone(), bytes)),
                Err(e) if e.kind() == io::ErrorKind::NotFound => out.missing.push(path.clone()),
                Err(e) => out.unreadable.push((path.clone(), e.to_string())),
            }
        }
        out
    }

    /// The config files whose text holds `value`.
    pub(super) fn holding(&self, value: &str) -> Vec<&Path> {
        if value.len() < MIN_SEARCH_LEN {
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
}

/// Every mounted secret file — declared files, and the files of declared secret volumes — is
/// readable by its owner only (`mode & 0o077 == 0`, symlinks followed, as Kubernetes mounts
/// `key -> ..data/key`); and no declared secret's value sits in a declared plain config file.
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

/// The secret files the spec names, with who declared them: (path, declared directly).
fn secret_files(host: &dyn Host, spec: &SecretSpec, verdict: &mut Verdict) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for source in spec.secrets().iter().flat_map(|s| s.sources()) {
        match source {
            Source::File(path) => files.push(path.clone()),
            Source::FileEnv(var) => {
                if let Some(path) = host.env(var).filter(|p| !p.trim().is_empty()) {
                    files.push(PathBuf::from(path.trim()));
                }
            }
            Source::Dir { dir, key } => files.push(dir.join(key)),
            _ => {}
        }
    }
    for dir in spec.all_directories() {
        match host.read_dir(dir) {
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
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => verdict.fail(
                format!(
                    "the secret directory {} cannot be listed: {e}",
                    dir.display()
                ),
                "check the secret volume's mount",
            ),
        }
    }
    files.sort();
    files.dedup();
    files
}

#[async_trait::async_trait]
impl Check for SecretFilesProtected {
    async fn run(&self, ctx: &Context) -> Outcome {
        let Some(spec) = spec_of(&self.spec, ctx)
            .filter(|s| !s.secrets().is_empty() || !s.directories().is_empty())
        else {
            return Outcome::warn("no secrets declared").remediation(HOW_TO_DECLARE);
        };
        let host = ctx.host();
        let mut verdict = Verdict::new();
        let mut checked = Vec::new();
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
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => verdict.fail(
                    format!("{} cannot be inspected: {e}", path.display()),
                    "check the secret's mount",
                ),
            }
        }
        let config = ConfigFiles::read(host, spec);
        for (path, e) in &config.unreadable {
            verdict.fail(
                format!("the config file {} cannot be read: {e}", path.display()),
                "fix the declared config file path or its permissions",
            );
        }
        for resolved in spec.resolve_each(host).await.iter().flatten() {
            for path in config.holding(resolved.value().expose_secret()) {
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
        let outcome = if checked.is_empty()
            && config.checked() == 0
            && verdict.status() == crate::Status::Pass
        {
            Outcome::warn("no mounted secret file found and no config file to search: nothing to verify")
                .remediation("declare the secret volumes (`SecretSpec::directory`) and plain config files (`SecretSpec::config_file`) of the service")
        } else {
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
            let configs = match config.checked() {
                0 => "no plain config file declared to search".to_owned(),
                n => format!("no secret in the {}", count(n, "declared config file")),
            };
            verdict.outcome(format!("{files}; {configs}"))
        };
        outcome
            .detail("secret_files", checked)
            .detail("config_files_checked", config.checked())
            .detail("config_files_missing", &config.missing)
    }
}
