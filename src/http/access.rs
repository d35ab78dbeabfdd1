//! Who may see what: anonymous callers get statuses, authorized callers the whole report.
//!
//! The probes and `/readiness-checklist` are unauthenticated by default, so what they publish
//! is chosen for an attacker reading it: ids, titles, statuses and the summary, and in probe
//! text `[-]id failed: reason withheld`. Messages, details, remediation and contacts reach only
//! an authorized caller:
//!
//! - a request with `Authorization: Bearer <token>`, where the token is the content of the file
//!   named by `PRODREADY_DETAILS_TOKEN_FILE` (or [`ReadinessBuilder::details_token`]), compared
//!   in constant time;
//! - any request on the management router ([`Readiness::management_router`](crate::Readiness)),
//!   meant for a listener of its own (`PRODREADY_MANAGEMENT_LISTEN` with
//!   [`Readiness::serve`](crate::Readiness));
//! - a request the service's own auth let through: a predicate
//!   ([`ReadinessBuilder::authorize`]) or a tower layer that inserts [`Authorized`] into the
//!   request's extensions.

use crate::host::Host;
use crate::ReadinessBuilder;
use std::fmt;
use std::sync::Arc;

/// Insert this into a request's extensions (from the service's own auth layer) to show that
/// caller the whole report.
///
/// ```
/// # fn layer(req: &mut http::Request<()>) {
/// // In the service's auth middleware, once the caller is known to be an operator:
/// req.extensions_mut().insert(prodready::http::Authorized);
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Authorized;

/// The environment variable naming the details token's file.
pub const TOKEN_FILE_ENV: &str = "PRODREADY_DETAILS_TOKEN_FILE";

type Predicate = Arc<dyn Fn(&http::HeaderMap) -> bool + Send + Sync>;

/// The access policy of a readiness.
#[derive(Clone, Default)]
pub(crate) struct Access {
    token: Option<Token>,
    predicate: Option<Predicate>,
}

impl fmt::Debug for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Access")
            .field("token", &self.token)
            .field("predicate", &self.predicate.is_some())
            .finish()
    }
}

/// A details token; never printed.
#[derive(Clone)]
struct Token(Arc<[u8]>);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(…)")
    }
}

/// Compares in time that depends only on the lengths, never on where the bytes differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        diff |= usize::from(x ^ y);
    }
    diff == 0
}

impl Access {
    /// Reads the token file named by [`TOKEN_FILE_ENV`] when no token was given in code.
    pub(crate) fn resolve(mut self, host: &dyn Host) -> Result<Self, String> {
        if self.token.is_some() {
            return Ok(self);
        }
        let Some(path) = host.env(TOKEN_FILE_ENV).filter(|p| !p.trim().is_empty()) else {
            return Ok(self);
        };
        let path = path.trim();
        if !path.starts_with('/') {
            return Err(format!(
                "{TOKEN_FILE_ENV}={path}: give an absolute path to the token file"
            ));
        }
        let text = host
            .read_to_string(std::path::Path::new(path))
            .map_err(|e| format!("{TOKEN_FILE_ENV}={path}: cannot read the token file: {e}"))?;
        let token = text.trim();
        if token.len() < 16 {
            return Err(format!(
                "{TOKEN_FILE_ENV}={path}: the token is {} characters long: use at least 16",
                token.len()
            ));
        }
        self.token = Some(Token(Arc::from(token.as_bytes())));
        Ok(self)
    }

    /// Whether a request with these headers may see the whole report.
    pub(crate) fn allows(
        &self,
        authorization: Option<&str>,
        headers: Option<&http::HeaderMap>,
    ) -> bool {
        if let (Some(Token(token)), Some(value)) = (&self.token, authorization) {
            let given = value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
                .map(str::trim);
            if given.is_some_and(|g| constant_time_eq(g.as_bytes(), token)) {
                return true;
            }
        }
        match (&self.predicate, headers) {
            (Some(p), Some(h)) => p(h),
            _ => false,
        }
    }
}

impl ReadinessBuilder {
    /// The bearer token that shows a caller the whole report (messages, details, remediation).
    /// Unset: the content of the file named by `PRODREADY_DETAILS_TOKEN_FILE`, if set (an
    /// unreadable file, a relative path or a token under 16 characters is a `build()` error).
    pub fn details_token(mut self, token: impl Into<String>) -> Self {
        let token: String = token.into();
        self.access.token = Some(Token(Arc::from(token.trim().as_bytes())));
        self
    }

    /// The service's own auth: `allow(headers)` says whether a caller may see the whole report.
    ///
    /// ```
    /// let builder = prodready::Readiness::builder()
    ///     .authorize(|headers| headers.get("x-operator").is_some_and(|v| v == "yes"));
    /// # drop(builder);
    /// ```
    pub fn authorize(
        mut self,
        allow: impl Fn(&http::HeaderMap) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.access.predicate = Some(Arc::new(allow));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::FakeHost;

    #[test]
    fn the_token_comes_from_its_file_and_matches_only_exactly() {
        let host = FakeHost::new()
            .env(TOKEN_FILE_ENV, "/run/secrets/details")
            .file("/run/secrets/details", "s3cr3t-token-0123456789\n");
        let access = Access::default().resolve(&host).unwrap();
        assert!(access.allows(Some("Bearer s3cr3t-token-0123456789"), None));
        assert!(!access.allows(Some("Bearer s3cr3t-token-012345678"), None));
        assert!(!access.allows(Some("s3cr3t-token-0123456789"), None));
        assert!(!access.allows(None, None));
        assert!(!format!("{:?}", access.token).contains("s3cr3t"));
    }

    #[test]
    fn bad_token_settings_name_the_variable() {
        let relative = FakeHost::new().env(TOKEN_FILE_ENV, "token.txt");
        let e = Access::default().resolve(&relative).unwrap_err();
        assert!(
            e.starts_with("PRODREADY_DETAILS_TOKEN_FILE=token.txt"),
            "{e}"
        );
        let missing = FakeHost::new().env(TOKEN_FILE_ENV, "/nope");
        let e = Access::default().resolve(&missing).unwrap_err();
        assert!(e.contains("cannot read the token file"), "{e}");
        let short = FakeHost::new().env(TOKEN_FILE_ENV, "/t").file("/t", "abc");
        let e = Access::default().resolve(&short).unwrap_err();
        assert!(e.contains("use at least 16"), "{e}");
        assert!(!e.contains("abc"), "the token itself is never printed: {e}");
    }

    #[test]
    fn constant_time_comparison_is_equality() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(!constant_time_eq(b"", b"a"));
        assert!(constant_time_eq(b"", b""));
    }
}
