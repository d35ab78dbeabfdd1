//! Service URLs: each declared URL parses, uses an allowed scheme, carries no credentials, and
//! its host resolves.
//!
//! ```
//! use prodready::checks::urls::UrlSpec;
//!
//! let spec = UrlSpec::new()
//!     .env("Payments API", "APP_PAYMENTS_URL")
//!     .env("Database", "APP_DATABASE_URL")
//!     .literal("Status page", "https://status.example.com")
//!     .scheme("postgres");
//! let readiness = prodready::Readiness::builder().resource(spec);
//! # let _ = readiness;
//! ```
//!
//! **Schemes.** `http` and `https` are allowed, plus any declared with [`UrlSpec::scheme`]. Outside
//! development, plain `http` (and `ws`) is refused except to a loopback host (`localhost`,
//! `127.0.0.0/8`, `::1`): a sidecar proxy on the pod's loopback never leaves the pod, anything
//! else must be `https`. The mode is [`UrlSpec::production`] when given; else the variable
//! `APP_ENV` (see [`UrlSpec::mode_env`]): `development`, `dev`, `local`, `test` or unset mean
//! development, anything else (`production`, `prod`, `staging`, …) does not.
//!
//! **Credentials.** A URL with user info (`postgres://app:pw@db/app`) fails: credentials belong in
//! a secret. URLs are shown as scheme, host and port, with the user info replaced by `***` and
//! the path and query elided (`https://***@api.example.com:8443/…`): a path or query may hold a
//! token (webhook URLs). A URL that does not parse is never shown.
//!
//! **Resolution.** The host is resolved with the system resolver within a timeout (2 s unless
//! [`UrlSpec::resolve_timeout`] says otherwise); IP addresses need no lookup.

mod resolve;

use crate::url::Url;
use crate::{Check, Context, Host, Outcome};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

/// Where a declared URL comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    Env(String),
    Literal(String),
}

/// The URLs a service depends on, and the rules they must follow.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[must_use = "a spec does nothing until it is given to the readiness builder"]
pub struct UrlSpec {
    urls: Vec<(String, Source)>,
    production: Option<bool>,
    mode_env: String,
    schemes: Vec<String>,
    resolve_timeout: Duration,
}

impl Default for UrlSpec {
    fn default() -> Self {
        Self {
            urls: Vec::new(),
            production: None,
            mode_env: "APP_ENV".to_owned(),
            schemes: vec!["http".to_owned(), "https".to_owned()],
            resolve_timeout: Duration::from_secs(2),
        }
    }
}

impl UrlSpec {
    /// No URLs; `http` and `https` allowed; mode from `APP_ENV`.
    pub fn new() -> Self {
        Self::default()
    }

    /// A URL held by the environment variable `var`, shown as `label`.
    pub fn env(mut self, label: impl Into<String>, var: impl Into<String>) -> Self {
        self.urls.push((label.into(), Source::Env(var.into())));
        self
    }

    /// A URL written in code, shown as `label`.
    pub fn literal(mut self, label: impl Into<String>, url: impl Into<String>) -> Self {
        self.urls.push((label.into(), Source::Literal(url.into())));
        self
    }

    /// Allows another scheme (`postgres`, `redis`, `amqp`, …).
    pub fn scheme(mut self, scheme: impl Into<String>) -> Self {
        let scheme = scheme.into().to_ascii_lowercase();
        if !self.schemes.contains(&scheme) {
            self.schemes.push(scheme);
        }
        self
    }

    /// Production (or any non-development mode) or not, instead of reading the mode variable.
    pub fn production(mut self, production: bool) -> Self {
        self.production = Some(production);
        self
    }

    /// The variable that names the mode (default `APP_ENV`).
    pub fn mode_env(mut self, var: impl Into<String>) -> Self {
        self.mode_env = var.into();
        self
    }

    /// How long a host may take to resolve (default 2 s).
    pub fn resolve_timeout(mut self, timeout: Duration) -> Self {
        self.resolve_timeout = timeout;
        self
    }

    /// Whether https is required, and why.
    fn strict(&self, host: &dyn Host) -> (bool, String) {
        if let Some(p) = self.production {
            let mode = if p { "production" } else { "development" };
            return (p, format!("{mode} (declared)"));
        }
        match host.env(&self.mode_env) {
            None => (false, format!("development (`{}` is unset)", self.mode_env)),
            Some(v) => {
                let dev = ["development", "dev", "local", "test"]
                    .iter()
                    .any(|d| v.trim().eq_ignore_ascii_case(d));
                let mode = if dev { "development" } else { "production" };
                (
                    !dev,
                    format!("{mode} (`{}` is `{}`)", self.mode_env, v.trim()),
                )
            }
        }
    }
}

/// Verifies every declared service URL. Reads the [`UrlSpec`] resource unless built with
/// [`UrlsConfigured::spec`].
pub fn urls_configured() -> UrlsConfigured {
    UrlsConfigured { spec: None }
}

/// The check returned by [`urls_configured`].
#[derive(Debug, Clone)]
pub struct UrlsConfigured {
    spec: Option<UrlSpec>,
}

impl UrlsConfigured {
    /// Checks `spec` instead of the `UrlSpec` resource.
    pub fn spec(mut self, spec: UrlSpec) -> Self {
        self.spec = Some(spec);
        self
    }
}

/// What was found for one URL (serialized into the details).
#[derive(Debug, Serialize)]
struct Finding {
    label: String,
    source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    host: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    address_count: Option<usize>,
    problems: Vec<String>,
}

#[async_trait::async_trait]
impl Check for UrlsConfigured {
    async fn run(&self, ctx: &Context) -> Outcome {
        let spec = match ctx.spec(&self.spec) {
            Some(spec) if !spec.urls.is_empty() => spec,
            _ => {
                return Outcome::warn("no service URLs declared").remediation(
                    "declare them with `UrlSpec::new().env(\"Payments API\", \"APP_PAYMENTS_URL\")` and pass it with `Readiness::builder().resource(spec)`",
                )
            }
        };
        let (strict, mode) = spec.strict(ctx.host());
        let checks = spec
            .urls
            .iter()
            .map(|(label, source)| inspect(spec, ctx.host(), strict, label, source));
        let findings = futures::future::join_all(checks).await;
        let bad: Vec<&Finding> = findings.iter().filter(|f| !f.problems.is_empty()).collect();
        let outcome = if bad.is_empty() {
            Outcome::pass(format!(
                "{} URL(s) parse, use allowed schemes, carry no credentials and resolve; mode {mode}",
                findings.len()
            ))
        } else {
            let lines: Vec<String> = bad
                .iter()
                .map(|f| format!("{} ({}): {}", f.label, f.source, f.problems.join(", ")))
                .collect();
            Outcome::fail(format!(
                "{} of {} URL(s) misconfigured: {}; mode {mode}",
                bad.len(),
                findings.len(),
                lines.join("; ")
            ))
            .remediation(remediation(&bad))
        };
        outcome
            .detail("mode", mode)
            .detail("allowed_schemes", &spec.schemes)
            .detail("urls", &findings)
    }
}

fn remediation(bad: &[&Finding]) -> String {
    let has = |word: &str| {
        bad.iter()
            .any(|f| f.problems.iter().any(|p| p.contains(word)))
    };
    let mut fixes = Vec::new();
    if has("is not set") || has("is empty") {
        fixes.push("set the URL variables in the container's `env`");
    }
    if has("does not parse") || has("scheme") || has("no host") {
        fixes.push("write each URL in full, `scheme://host[:port]/path`, with an allowed scheme");
    }
    if has("plain ") {
        fixes.push("use `https` outside development (plain http only to a loopback sidecar)");
    }
    if has("credentials") {
        fixes
            .push("move credentials out of the URL into a secret (e.g. a `*_PASSWORD_FILE` mount)");
    }
    if has("resolve") {
        fixes.push("fix the host name or the cluster DNS (Service name, namespace, `.svc` suffix)");
    }
    fixes.join("; ")
}

async fn inspect(
    spec: &UrlSpec,
    host: &dyn Host,
    strict: bool,
    label: &str,
    source: &Source,
) -> Finding {
    let (source_name, raw) = match source {
        Source::Env(var) => (format!("`{var}`"), host.env(var)),
        Source::Literal(url) => ("literal".to_owned(), Some(url.clone())),
    };
    let mut finding = Finding {
        label: label.to_owned(),
        source: source_name.clone(),
        url: None,
        host: None,
        address_count: None,
        problems: Vec::new(),
    };
    let raw = match raw {
        None => {
            finding.problems.push(format!("{source_name} is not set"));
            return finding;
        }
        Some(raw) if raw.trim().is_empty() => {
            finding.problems.push(format!("{source_name} is empty"));
            return finding;
        }
        Some(raw) => raw,
    };
    let url = match Url::parse(raw.trim()) {
        Ok(url) => url,
        Err(e) => {
            // The text is not shown: it may hold a password.
            finding.problems.push(format!("does not parse: {e}"));
            return finding;
        }
    };
    finding.url = Some(shown(&url));
    let scheme = url.scheme();
    if !spec.schemes.iter().any(|s| s == scheme) {
        finding.problems.push(format!(
            "scheme `{scheme}` is not allowed (allowed: {})",
            spec.schemes.join(", ")
        ));
    }
    let target = url
        .host()
        .map(|h| (h.to_owned(), url.port_or_known_default()));
    let loopback = target
        .as_ref()
        .is_some_and(|(h, _)| resolve::is_loopback(h));
    if strict && (scheme == "http" || scheme == "ws") && !loopback {
        let secure = if scheme == "http" { "https" } else { "wss" };
        finding.problems.push(format!(
            "plain `{scheme}` outside development: use `{secure}`"
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        finding
            .problems
            .push("carries credentials in its user info".to_owned());
    }
    match target {
        None if matches!(scheme, "http" | "https" | "ws" | "wss") => {
            finding.problems.push("has no host".to_owned());
        }
        None => {}
        Some((h, port)) => {
            finding.host = Some(h.to_string());
            match resolve::resolve(&h, port.unwrap_or(0), spec.resolve_timeout).await {
                Ok(n) => finding.address_count = Some(n),
                Err(e) => finding
                    .problems
                    .push(format!("host `{h}` does not resolve: {e}")),
            }
        }
    }
    finding
}

/// The URL as it may be shown: scheme, `***` for user info, host and port. The path and query
/// are elided (`/…`): they may hold a token (webhook URLs), and a URL missing its `//` may hold a
/// password in its path.
fn shown(url: &Url) -> String {
    let mut out = format!("{}:", url.scheme());
    let path = url.path();
    let more =
        (!path.is_empty() && path != "/") || url.query().is_some() || url.fragment().is_some();
    match url.host_str() {
        Some(host) => {
            out.push_str("//");
            if !url.username().is_empty() || url.password().is_some() {
                out.push_str("***@");
            }
            out.push_str(host);
            if let Some(port) = url.port() {
                out.push_str(&format!(":{port}"));
            }
            out.push_str(if more { "/…" } else { path });
        }
        None if more => out.push('…'),
        None => {}
    }
    out
}

/// The standard checklist's items this module verifies, each with its default check.
pub(crate) fn standard_bindings() -> Vec<(&'static str, Arc<dyn Check>)> {
    vec![(
        "pre-deployment.configuration.service-urls-configured-correctly",
        Arc::new(urls_configured()),
    )]
}

#[cfg(test)]
mod tests;
