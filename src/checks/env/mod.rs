//! Environment variables: declared, documented, present.
//!
//! A service declares its variables with an [`EnvSpec`] and passes it to the builder:
//!
//! ```
//! use prodready::checks::env::{EnvSpec, EnvVar};
//!
//! let spec = EnvSpec::new()
//!     .prefix("APP_")
//!     .var(EnvVar::new("APP_DB_POOL_SIZE").description("connections in the pool").required())
//!     .var(EnvVar::new("APP_API_KEY").description("billing provider key").required().secret())
//!     .manifest("/app/.env.example");
//! let readiness = prodready::Readiness::builder().resource(spec);
//! # let _ = readiness;
//! ```
//!
//! [`documented`] (item `pre-deployment.configuration.environment-variables-documented`) then
//! judges, by names only (values are never shown):
//!
//! | finding | status |
//! | --- | --- |
//! | a required variable is unset or empty | `fail`: the service cannot run as declared |
//! | a variable has no description (in code, or a comment above it in the manifest) | `fail`: the item is "documented" |
//! | a manifest is configured and a declared variable is not in it, or it cannot be read or parsed | `fail` |
//! | a secret variable's live value is written in the manifest | `fail`: the secret is committed |
//! | a variable carries the service's prefix but nobody declared it | `warn`: often a typo or a leftover, but harmless to run with |
//! | nothing declared | `warn` |
//!
//! Every variable the manifest lists counts as declared (a manifest-only service needs no code),
//! and needs a comment like any other.

mod manifest;

use crate::host::relative_note;
use crate::{Check, Context, Host, Outcome};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

/// One environment variable the service reads.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a variable does nothing until it is added to an EnvSpec"]
pub struct EnvVar {
    name: String,
    description: Option<String>,
    required: bool,
    secret: bool,
}

impl EnvVar {
    /// A variable named `name`: optional, not secret, undocumented until described.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            description: None,
            required: false,
            secret: false,
        }
    }

    /// What the variable means (its documentation).
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// The service cannot run without it: unset or empty fails the check.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Its value is a secret. No value is ever shown anyway; a secret's live value found in the
    /// manifest fails the check.
    pub fn secret(mut self) -> Self {
        self.secret = true;
        self
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// The environment variables a service declares, its prefixes, and an optional env manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
#[must_use = "a spec does nothing until it is given to the readiness builder"]
pub struct EnvSpec {
    prefixes: Vec<String>,
    vars: Vec<EnvVar>,
    manifest: Option<PathBuf>,
}

impl EnvSpec {
    /// An empty declaration.
    pub fn new() -> Self {
        Self::default()
    }

    /// A prefix the service's variables carry (`APP_`); set variables with it that nobody
    /// declared are reported. May be given more than once.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefixes.push(prefix.into());
        self
    }

    /// Declares a variable (a later declaration of the same name replaces an earlier one).
    pub fn var(mut self, var: EnvVar) -> Self {
        self.vars.retain(|v| v.name != var.name);
        self.vars.push(var);
        self
    }

    /// An env manifest in `.env.example` style, read through the host: every declared variable
    /// must appear in it, and a `# comment` above a variable documents it. A relative path is
    /// relative to the process's working directory ([`Host::current_dir`]).
    pub fn manifest(mut self, path: impl Into<PathBuf>) -> Self {
        self.manifest = Some(path.into());
        self
    }

    fn is_empty(&self) -> bool {
        self.vars.is_empty() && self.manifest.is_none()
    }
}

/// Verifies that every declared environment variable is documented and the required ones are
/// set. Reads the [`EnvSpec`] resource unless built with [`EnvDocumented::spec`].
pub fn documented() -> EnvDocumented {
    EnvDocumented { spec: None }
}

/// The check returned by [`documented`].
#[derive(Debug, Clone)]
pub struct EnvDocumented {
    spec: Option<EnvSpec>,
}

impl EnvDocumented {
    /// Checks `spec` instead of the `EnvSpec` resource.
    pub fn spec(mut self, spec: EnvSpec) -> Self {
        self.spec = Some(spec);
        self
    }
}

#[async_trait::async_trait]
impl Check for EnvDocumented {
    async fn run(&self, ctx: &Context) -> Outcome {
        match ctx.spec(&self.spec) {
            Some(spec) if !spec.is_empty() => evaluate(spec, ctx.host()),
            _ => Outcome::warn("no environment variables declared").remediation(
                "declare them with `EnvSpec::new().prefix(\"APP_\").var(EnvVar::new(\"APP_…\").description(\"…\"))` \
                 (optionally `.manifest(\"/app/.env.example\")`) and pass it with `Readiness::builder().resource(spec)`",
            ),
        }
    }
}

/// What one declared variable looks like, merged from code and manifest.
#[derive(Default)]
struct Declared {
    in_code: bool,
    documented: bool,
    in_manifest: bool,
    required: bool,
    secret: bool,
}

fn evaluate(spec: &EnvSpec, host: &dyn Host) -> Outcome {
    let mut declared: BTreeMap<&str, Declared> = BTreeMap::new();
    for var in &spec.vars {
        let d = declared.entry(&var.name).or_default();
        d.in_code = true;
        d.documented = var
            .description
            .as_deref()
            .is_some_and(|t| !t.trim().is_empty());
        d.required = var.required;
        d.secret = var.secret;
    }
    let mut entries = Vec::new();
    // The manifest as an absolute host path: a relative one is relative to the working directory.
    let manifest_path = match spec.manifest.as_deref().map(|p| host.absolute(p)) {
        None => None,
        Some(Ok(path)) => Some(path),
        Some(Err(e)) => {
            return Outcome::fail(format!("cannot locate the env manifest: {e}"))
                .remediation("declare the manifest with an absolute path (`EnvSpec::manifest(\"/app/.env.example\")`)")
        }
    };
    if let (Some(declared), Some(path)) = (&spec.manifest, &manifest_path) {
        let shown = format!("`{}`{}", path.display(), relative_note(declared));
        let text = match host.read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                return Outcome::fail(format!("the env manifest {shown} cannot be read: {e}"))
                    .remediation(
                        "ship the manifest at that path, or point `EnvSpec::manifest` at it",
                    )
                    .detail("manifest_path", path)
            }
        };
        entries = match manifest::parse(&text) {
            Ok(entries) => entries,
            Err(e) => return Outcome::fail(format!(
                "the env manifest {shown} is malformed: {e}"
            ))
            .remediation(
                "write one `NAME=example` per line; `# comments` document the variable below them",
            )
            .detail("manifest_path", path)
            .detail("manifest_line", e.line),
        };
    }
    let mut secret_in_manifest = Vec::new();
    for entry in &entries {
        let d = declared.entry(&entry.name).or_default();
        d.in_manifest = true;
        d.documented |= entry.comment.is_some();
        if d.secret
            && !entry.value.is_empty()
            && host.env(&entry.name).as_ref() == Some(&entry.value)
        {
            secret_in_manifest.push(entry.name.clone());
        }
    }

    let names = |pred: &dyn Fn(&str, &Declared) -> bool| -> Vec<String> {
        let it = declared.iter().filter(|(n, d)| pred(n, d));
        it.map(|(n, _)| (*n).to_owned()).collect()
    };
    let value = |name: &str| host.env(name);
    let missing_required = names(&|n, d| d.required && value(n).is_none());
    let empty_required = names(&|n, d| d.required && value(n).is_some_and(|v| v.is_empty()));
    let undocumented = names(&|_, d| !d.documented);
    let not_in_manifest = match spec.manifest {
        Some(_) => names(&|_, d| !d.in_manifest),
        None => Vec::new(),
    };
    let present = names(&|n, _| value(n).is_some()).len();
    let required = names(&|_, d| d.required).len();
    let undeclared: BTreeSet<String> = host
        .env_vars()
        .into_iter()
        .map(|(name, _)| name)
        .filter(|n| spec.prefixes.iter().any(|p| n.starts_with(p.as_str())))
        .filter(|n| !declared.contains_key(n.as_str()))
        .collect();

    let mut failures = Vec::new();
    let mut fixes = Vec::new();
    let list = |v: &[String]| v.join(", ");
    if !missing_required.is_empty() {
        failures.push(format!("required and unset: {}", list(&missing_required)));
        fixes.push("set every required variable in the container's `env` (or `envFrom`)");
    }
    if !empty_required.is_empty() {
        failures.push(format!("required and empty: {}", list(&empty_required)));
        if missing_required.is_empty() {
            fixes.push("give every required variable a value in the container's `env`");
        }
    }
    if !undocumented.is_empty() {
        failures.push(format!("undocumented: {}", list(&undocumented)));
        fixes.push(
            "describe each with `EnvVar::description` or a `# comment` above it in the manifest",
        );
    }
    if !not_in_manifest.is_empty() {
        failures.push(format!(
            "missing from the manifest: {}",
            list(&not_in_manifest)
        ));
        fixes.push("add a `NAME=example` line for each to the manifest");
    }
    if !secret_in_manifest.is_empty() {
        failures.push(format!(
            "live secret value written in the manifest: {}",
            list(&secret_in_manifest)
        ));
        fixes.push("replace the secrets' example values with placeholders and rotate the secrets");
    }
    let undeclared: Vec<String> = undeclared.into_iter().collect();
    let summary = format!(
        "{} variables declared, {present} set, {required} required",
        declared.len()
    );
    let outcome = if !failures.is_empty() {
        let mut msg = format!("{summary}; {}", failures.join("; "));
        if !undeclared.is_empty() {
            msg.push_str(&format!("; set but undeclared: {}", list(&undeclared)));
        }
        Outcome::fail(msg).remediation(fixes.join("; "))
    } else if !undeclared.is_empty() {
        Outcome::warn(format!(
            "{summary}, all documented; set with the prefix {} but undeclared: {}",
            spec.prefixes.join(" / "),
            list(&undeclared)
        ))
        .remediation("declare them with `EnvSpec::var` (or in the manifest), or remove them from the deployment")
    } else {
        let manifest = match &manifest_path {
            Some(path) => format!(", all listed in `{}`", path.display()),
            None => String::new(),
        };
        Outcome::pass(format!("{summary}; all documented{manifest}"))
    };
    let mut outcome = outcome
        .detail("declared_count", declared.len())
        .detail("set_count", present)
        .detail("required_count", required)
        .detail("missing_required", missing_required)
        .detail("empty_required", empty_required)
        .detail("undocumented", undocumented)
        .detail("undeclared_with_prefix", undeclared);
    if let Some(path) = &manifest_path {
        outcome = outcome
            .detail("manifest_path", path)
            .detail("manifest_entry_count", entries.len())
            .detail("not_in_manifest", not_in_manifest)
            .detail("secret_in_manifest", secret_in_manifest);
    }
    outcome
}

/// The standard checklist's items this module verifies, each with its default check.
pub(crate) fn standard_bindings() -> Vec<(&'static str, Arc<dyn Check>)> {
    vec![(
        "pre-deployment.configuration.environment-variables-documented",
        Arc::new(documented()),
    )]
}

#[cfg(test)]
mod tests;
