//! Built-in checks: TLS — the service's certificate chain and key, and TLS on outbound
//! database connections (feature `tls`).
//!
//! ```
//! use prodready::checks::tls::TlsSpec;
//! let spec = TlsSpec::new()
//!     .certificate("/etc/tls/tls.crt", "/etc/tls/tls.key") // a `kubernetes.io/tls` secret volume
//!     .host("api.example.com")
//!     .margin_days(21)
//!     .outbound_url_env("DATABASE_URL");
//! let readiness = prodready::Readiness::builder().resource(spec);
//! # let _ = readiness;
//! ```
//!
//! Without a [`TlsSpec`], [`certificate_valid`] warns "no certificate configured" (or fails,
//! when built with `.production(true)`). With a spec in production mode (the default), a
//! missing certificate and any outbound URL that allows plain text fail; with
//! `.production(false)` they warn. A service whose TLS ends at an ingress or a mesh sidecar
//! declares only its outbound URLs and waives the certificate part with a reason, or runs the
//! spec with `.production(false)`.

mod cert;
mod check;
mod outbound;
#[cfg(test)]
mod tests;

pub use check::{certificate_valid, CertificateValid};

use crate::checks::secrets::redact_url;
use crate::Check;
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The standard checklist's items this module verifies, each with its default check.
pub(crate) fn standard_bindings() -> Vec<(&'static str, Arc<dyn Check>)> {
    vec![(
        "security.data-protection.tls-ssl-enabled",
        Arc::new(certificate_valid()),
    )]
}

/// An outbound connection URL: given directly (held as a secret: it may carry a password) or
/// read from an environment variable when the check runs.
#[derive(Clone)]
enum Outbound {
    Literal(SecretString),
    Env(String),
}

/// The service's TLS: its certificate chain and key, the host names it serves, how early an
/// expiry warns, whether this is production, and its outbound database URLs.
#[derive(Clone)]
#[non_exhaustive]
#[must_use = "a spec does nothing until it is given to the readiness builder"]
pub struct TlsSpec {
    chain: Option<PathBuf>,
    key: Option<PathBuf>,
    hosts: Vec<String>,
    margin: Duration,
    production: bool,
    outbound: Vec<Outbound>,
}

impl Default for TlsSpec {
    fn default() -> Self {
        Self {
            chain: None,
            key: None,
            hosts: Vec::new(),
            margin: Duration::from_secs(14 * 86_400),
            production: true,
            outbound: Vec::new(),
        }
    }
}

impl TlsSpec {
    /// No certificate, production mode, a 14-day margin.
    pub fn new() -> Self {
        Self::default()
    }

    /// The PEM certificate chain (leaf first) and the PEM private key the service serves with.
    pub fn certificate(mut self, chain: impl Into<PathBuf>, key: impl Into<PathBuf>) -> Self {
        self.chain = Some(chain.into());
        self.key = Some(key.into());
        self
    }

    /// A host name (or IP address) the certificate must cover.
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.hosts.push(host.into());
        self
    }

    /// Warn when the leaf expires sooner than `margin` (default 14 days).
    pub fn margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// [`TlsSpec::margin`] in days.
    pub fn margin_days(self, days: u64) -> Self {
        self.margin(Duration::from_secs(days * 86_400))
    }

    /// Production mode (the default): a missing certificate and plain-text outbound URLs fail.
    /// Outside production they warn.
    pub fn production(mut self, production: bool) -> Self {
        self.production = production;
        self
    }

    /// An outbound database (or cache, broker) URL that must demand TLS. Held as a secret.
    pub fn outbound_url(mut self, url: impl Into<String>) -> Self {
        self.outbound
            .push(Outbound::Literal(SecretString::from(url.into())));
        self
    }

    /// An environment variable holding an outbound URL, read when the check runs.
    pub fn outbound_url_env(mut self, var: impl Into<String>) -> Self {
        self.outbound.push(Outbound::Env(var.into()));
        self
    }

    /// The host names the certificate must cover.
    pub fn hosts(&self) -> &[String] {
        &self.hosts
    }

    /// Whether this is production.
    pub fn is_production(&self) -> bool {
        self.production
    }
}

impl fmt::Debug for TlsSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let outbound: Vec<String> = self
            .outbound
            .iter()
            .map(|o| match o {
                Outbound::Literal(url) => redact_url(url.expose_secret()),
                Outbound::Env(var) => format!("${var}"),
            })
            .collect();
        f.debug_struct("TlsSpec")
            .field("chain", &self.chain)
            .field("key", &self.key)
            .field("hosts", &self.hosts)
            .field("margin", &self.margin)
            .field("production", &self.production)
            .field("outbound", &outbound)
            .finish()
    }
}
