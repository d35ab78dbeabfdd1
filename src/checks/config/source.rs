//! Where configuration comes from: a TOML or JSON file read through the host, and environment
//! variables with a prefix (`APP_DB__POOL_SIZE` → `db.pool_size`). Errors never quote the file.

use super::node::Node;
use crate::host::relative_note;
use crate::Host;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The declared sources.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sources {
    pub(crate) file: Option<PathBuf>,
    pub(crate) file_env: Option<String>,
    pub(crate) env_prefix: Option<String>,
    pub(crate) ignored_env: Vec<String>,
}

/// The merged tree and where it came from.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub(crate) tree: Node,
    pub(crate) file: Option<PathBuf>,
    /// Config key → the environment variable that set it.
    pub(crate) env_keys: BTreeMap<String, String>,
}

/// Why nothing could be loaded.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum LoadError {
    /// Neither a file nor an environment prefix is declared.
    NoSource,
    /// The variable that names the file is unset, and there is nothing else to read.
    FileEnvUnset(String),
    /// The file cannot be read, parsed, or has the wrong shape: its absolute path, what the
    /// message adds after it (what a relative path was relative to), and the problem.
    File(PathBuf, String, String),
    /// A relative file path with no working directory to resolve it against.
    Unresolved(String),
}

/// Reads the sources through `host`.
pub(crate) fn load(sources: &Sources, host: &dyn Host) -> Result<Loaded, LoadError> {
    let from_env = sources
        .file_env
        .as_ref()
        .and_then(|var| host.env(var))
        .filter(|p| !p.trim().is_empty())
        .map(PathBuf::from);
    let declared = from_env.or_else(|| sources.file.clone());
    // A relative path is relative to the working directory, like every path a spec takes.
    let file = match &declared {
        Some(path) => Some(
            host.absolute(path)
                .map_err(|e| LoadError::Unresolved(e.to_string()))?,
        ),
        None => None,
    };
    if file.is_none() {
        match (&sources.file_env, &sources.env_prefix) {
            (_, Some(_)) => {}
            (Some(var), None) => return Err(LoadError::FileEnvUnset(var.clone())),
            (None, None) => return Err(LoadError::NoSource),
        }
    }
    let mut tree = match &file {
        Some(path) => read_file(host, path).map_err(|e| {
            let note = declared.as_deref().map(relative_note).unwrap_or_default();
            LoadError::File(path.clone(), note, e)
        })?,
        None => Node::Table(BTreeMap::new()),
    };
    let mut env_keys = BTreeMap::new();
    if let Some(prefix) = &sources.env_prefix {
        for (name, value) in host.env_vars() {
            let Some(rest) = name.strip_prefix(prefix.as_str()) else {
                continue;
            };
            if sources.file_env.as_ref() == Some(&name) || sources.ignored_env.contains(&name) {
                continue;
            }
            let path: Vec<String> = rest
                .to_ascii_lowercase()
                .split("__")
                .map(str::to_owned)
                .collect();
            if path.iter().any(String::is_empty) {
                continue;
            }
            env_keys.insert(path.join("."), name);
            tree.set(&path, Node::Env(value));
        }
    }
    Ok(Loaded {
        tree,
        file,
        env_keys,
    })
}

fn read_file(host: &dyn Host, path: &Path) -> Result<Node, String> {
    let text = host
        .read_to_string(path)
        .map_err(|e| format!("cannot be read: {e}"))?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let value = match ext.as_deref() {
        Some("toml") => {
            let table: toml::Table = toml::from_str(&text).map_err(|e| {
                // The error's own Display quotes the offending line, which may hold a secret.
                let at = e
                    .span()
                    .map(|s| position(&text, s.start))
                    .unwrap_or_default();
                format!(
                    "is not valid TOML{at}: {}",
                    e.message().trim().replace('\n', "; ")
                )
            })?;
            serde_json::to_value(table).map_err(|e| format!("cannot be converted: {e}"))?
        }
        Some("json") => {
            let value: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| format!("is not valid JSON: {e}"))?;
            value
        }
        _ => return Err("has an unknown extension: expected `.toml` or `.json`".to_owned()),
    };
    match value {
        serde_json::Value::Object(_) => Ok(Node::from_json(value)),
        _ => Err("does not hold a table of keys at its top level".to_owned()),
    }
}

/// ` at line L column C` of byte `offset` in `text`.
fn position(text: &str, offset: usize) -> String {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!(" at line {line} column {column}")
}
