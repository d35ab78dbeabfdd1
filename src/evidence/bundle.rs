//! The evidence bundle's `manifest.json`, and fetching an artifact with its staleness and hash
//! verified.

use super::running::Running;
use super::spec::EvidenceSpec;
use crate::{Context, Outcome};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The manifest's file name inside the bundle.
pub const MANIFEST: &str = "manifest.json";

/// The bundle's manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Every artifact.
    #[serde(default)]
    pub artifacts: Vec<Artifact>,
}

/// One artifact of the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Artifact {
    /// What it is evidence of (`tests`, `coverage`, `audit`, `lint`, `image-scan`, …).
    pub kind: String,
    /// Its path, relative to the bundle directory.
    pub path: PathBuf,
    /// Its format (`junit`, `lcov`, `cobertura`, `sarif`, …); guessed from the file when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// The version it was made for.
    pub version: String,
    /// The commit it was made for, by the rule of [`commit`](super::commit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Its SHA-256, lower-case hex.
    pub sha256: String,
    /// What `prodready add` read of it at CI time, one field per reading
    /// ([`parse::digest`](super::parse::digest)): the service judges this, after checking the
    /// hash, and never parses the artifact itself.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub digest: serde_json::Map<String, serde_json::Value>,
}

/// A verified artifact's contents.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The manifest entry.
    pub artifact: Artifact,
    /// The absolute host path.
    pub path: PathBuf,
    /// The bytes (hash verified).
    pub bytes: Vec<u8>,
}

impl Loaded {
    /// The path as shown in messages.
    pub fn shown(&self) -> String {
        self.path.display().to_string()
    }

    /// The digest `field` recorded by `prodready add`, as `T`: `pending` when the entry has
    /// none (the service never parses the artifact itself), `fail` when it does not read as `T`.
    pub fn digest<T: serde::de::DeserializeOwned>(&self, field: &str) -> Result<T, Outcome> {
        let Some(value) = self.artifact.digest.get(field) else {
            return Err(Outcome::pending(format!(
                "{} has no `{field}` digest in the manifest: the service judges what `prodready add` read of an artifact, never the artifact itself",
                self.shown()
            ))
            .remediation(format!(
                "record it with `prodready add --kind {} --file {}`",
                self.artifact.kind,
                self.artifact.path.display()
            )));
        };
        serde_json::from_value(value.clone()).map_err(|e| {
            Outcome::fail(format!(
                "{}: the manifest's `{field}` digest is malformed: {e}",
                self.shown()
            ))
            .remediation("record the artifact again with `prodready add`")
        })
    }

    /// The contents as text.
    pub fn text(&self) -> Result<&str, Outcome> {
        std::str::from_utf8(&self.bytes)
            .map_err(|e| Outcome::fail(format!("{} is not UTF-8: {e}", self.shown())))
    }
}

/// The lower-case hex SHA-256 of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    crate::sha256::hex(&crate::sha256::sha256(bytes))
}

/// Reads and parses the manifest; `Ok(None)` when it does not exist.
pub(crate) fn read_manifest(
    ctx: &Context,
    spec: &EvidenceSpec,
) -> Result<Option<Manifest>, Outcome> {
    let path = spec.path_in(ctx.host(), Path::new(MANIFEST));
    let bytes = match ctx.host().read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Outcome::fail(format!(
                "cannot read {}: {e}",
                path.display()
            )))
        }
    };
    serde_json::from_slice(&bytes).map(Some).map_err(|e| {
        Outcome::fail(format!(
            "{}:{}:{}: malformed manifest: {e}",
            path.display(),
            e.line(),
            e.column()
        ))
        .remediation("regenerate the manifest with `prodready add` or fix the JSON")
    })
}

/// Every artifact of `kind`, loaded and verified: missing → `pending` (naming the file and
/// `how` to produce it), stale or tampered → `fail`.
///
/// Stale means made for another version or commit than the running build: the spec's
/// [`BuildInfo`](super::BuildInfo), else the version given to `ReadinessBuilder::service`. A
/// commit is compared when both name one, by the rule of [`commit`](super::commit). With
/// neither declared (a bare [`Context`]) nothing is compared, and the evidence checks turn a
/// `pass` into a `warn` saying so.
pub fn load(
    ctx: &Context,
    spec: &EvidenceSpec,
    kind: &str,
    how: &str,
) -> Result<Vec<Loaded>, Outcome> {
    let dir = spec.resolved_dir(ctx.host());
    let missing = |what: String| {
        Outcome::pending(what)
            .remediation(format!(
                "{how}, and list it in {} as {{\"kind\": \"{kind}\", \"path\": …, \"version\": …, \"commit\": …, \"sha256\": …}}",
                dir.join(MANIFEST).display()
            ))
            .detail("evidence_dir", dir.display().to_string())
            .detail("kind", kind)
    };
    let Some(manifest) = read_manifest(ctx, spec)? else {
        return Err(missing(format!(
            "no evidence bundle: {} does not exist",
            dir.join(MANIFEST).display()
        )));
    };
    let entries: Vec<&Artifact> = manifest
        .artifacts
        .iter()
        .filter(|a| a.kind == kind)
        .collect();
    if entries.is_empty() {
        return Err(missing(format!(
            "no `{kind}` artifact in {}",
            dir.join(MANIFEST).display()
        )));
    }
    entries
        .into_iter()
        .map(|a| load_one(ctx, spec, &dir, a, &missing))
        .collect()
}

fn load_one(
    ctx: &Context,
    spec: &EvidenceSpec,
    dir: &Path,
    a: &Artifact,
    missing: &dyn Fn(String) -> Outcome,
) -> Result<Loaded, Outcome> {
    let path = dir.join(&a.path);
    let shown = path.display().to_string();
    if let Some(running) = Running::of(ctx, spec) {
        if let Err(m) = running.check(&a.version, a.commit.as_deref()) {
            return Err(running.stale(&shown, m));
        }
    }
    let bytes = match ctx.host().read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(missing(format!(
                "{shown} is listed in the manifest but does not exist"
            )))
        }
        Err(e) => return Err(Outcome::fail(format!("cannot read {shown}: {e}"))),
    };
    let actual = sha256_hex(&bytes);
    if !actual.eq_ignore_ascii_case(a.sha256.trim()) {
        return Err(Outcome::fail(format!(
            "hash mismatch: {shown} has SHA-256 {actual}, the manifest says {}",
            a.sha256
        ))
        .detail("sha256_actual", actual)
        .detail("sha256_manifest", &a.sha256)
        .remediation("the artifact was changed after the manifest was written: regenerate both"));
    }
    Ok(Loaded {
        artifact: a.clone(),
        path,
        bytes,
    })
}

/// Adds (or replaces) the entry for `path` in a manifest, hashing `bytes`, without a digest
/// (see [`add`] for the entry `prodready add` writes).
pub fn upsert(
    manifest: &mut Manifest,
    kind: &str,
    path: &Path,
    bytes: &[u8],
    version: &str,
    commit: Option<&str>,
) {
    manifest.artifacts.retain(|a| a.path != path);
    manifest.artifacts.push(Artifact {
        kind: kind.to_owned(),
        path: path.to_path_buf(),
        format: None,
        version: version.to_owned(),
        commit: commit.map(str::to_owned),
        sha256: sha256_hex(bytes),
        digest: serde_json::Map::new(),
    });
}

/// Digests `bytes` as an artifact of `kind` ([`parse::digest`](super::parse::digest)) and adds
/// (or replaces) its entry: what `prodready add` does. A malformed artifact is an error naming
/// the file and position, and the manifest is left as it was.
#[cfg(feature = "digest")]
pub fn add(
    manifest: &mut Manifest,
    kind: &str,
    path: &Path,
    bytes: &[u8],
    version: &str,
    commit: Option<&str>,
) -> Result<(), super::parse::ParseError> {
    let shown = path.display().to_string();
    let digest = super::parse::digest(kind, &shown, &String::from_utf8_lossy(bytes))?;
    upsert(manifest, kind, path, bytes, version, commit);
    if let (Some(entry), Some(digest)) = (manifest.artifacts.last_mut(), digest) {
        entry.digest = digest;
    }
    Ok(())
}
