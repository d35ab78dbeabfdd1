//! The artifacts CI produces, as their digests, and (with the `digest` feature) their parsers.
//!
//! **CI digests, the service verifies.** `prodready add` parses an artifact once, at CI time,
//! and records what each verdict needs (test counts, line coverage, findings by severity, …) in
//! its manifest entry next to its SHA-256: the entry's `digest`, one field per reading of it
//! ([`digest`]). A running service reads only that JSON, after checking the artifact's hash;
//! the XML and YAML parsers stay out of its build. Each parser returns a [`ParseError`] naming
//! the file and position on malformed input, never panics.

pub mod coverage;
pub mod docs;
pub mod k8s;
pub mod lint;
pub mod ops;
pub mod records;
pub mod tests;
pub mod vulns;

/// Malformed input: which file, where, and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct ParseError {
    /// The file (as shown to people).
    pub file: String,
    /// 1-based line (0 when unknown).
    pub line: usize,
    /// 1-based column (0 when unknown).
    pub column: usize,
    /// What was wrong.
    pub message: String,
}

impl ParseError {
    /// An error at `line`:`column` of `file`.
    pub fn new(file: &str, line: usize, column: usize, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            line,
            column,
            message: message.into(),
        }
    }

    /// An error at byte `offset` of `text`.
    pub fn at_offset(file: &str, text: &str, offset: usize, message: impl Into<String>) -> Self {
        let offset = offset.min(text.len());
        let before = text.get(..offset).unwrap_or(text);
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Self::new(file, line, column, message)
    }

    pub(crate) fn json(file: &str, e: &serde_json::Error) -> Self {
        Self::new(file, e.line(), e.column(), e.to_string())
    }

    #[cfg(feature = "digest")]
    pub(crate) fn yaml(file: &str, e: &serde_saphyr::Error) -> Self {
        let (line, column) = e
            .location()
            .map_or((0, 0), |l| (l.line() as usize, l.column() as usize));
        Self::new(file, line, column, e.to_string())
    }
}

/// The digest field names, each the reading of one parser.
pub mod field {
    /// Test counts ([`TestCounts`](super::tests::TestCounts)): JUnit XML or libtest JSON.
    pub const TESTS: &str = "tests";
    /// Findings ([`Finding`](super::vulns::Finding)): cargo-audit, OSV, Trivy, Grype.
    pub const FINDINGS: &str = "findings";
    /// Lint counts ([`LintCounts`](super::lint::LintCounts)): clippy JSON or SARIF.
    pub const LINT: &str = "lint";
    /// Line coverage ([`LineCoverage`](super::coverage::LineCoverage)): lcov or Cobertura.
    pub const COVERAGE: &str = "coverage";
    /// Alerting rules and the recording-rule count: a Prometheus rules file.
    pub const RULES: &str = "rules";
    /// A k6 summary ([`LoadSummary`](super::ops::LoadSummary)).
    pub const LOAD: &str = "load";
    /// The Kubernetes objects of a manifest stream, as JSON.
    pub const OBJECTS: &str = "objects";
    /// An OpenAPI document's version and paths ([`OpenApi`](super::docs::OpenApi)).
    pub const OPENAPI: &str = "openapi";
}

/// The digest `prodready add` records for an artifact of `kind`: `Ok(None)` for the kinds a
/// service reads as they are (Markdown documents, JSON records, signatures), an error naming
/// the file and position when the artifact is malformed.
#[cfg(feature = "digest")]
pub fn digest(
    kind: &str,
    file: &str,
    text: &str,
) -> Result<Option<serde_json::Map<String, serde_json::Value>>, ParseError> {
    fn one<T: serde::Serialize>(
        name: &str,
        value: T,
    ) -> Option<serde_json::Map<String, serde_json::Value>> {
        let mut map = serde_json::Map::new();
        map.insert(
            name.to_owned(),
            serde_json::to_value(value).unwrap_or(serde_json::Value::Null),
        );
        Some(map)
    }
    Ok(match kind {
        "tests" | "integration-tests" | "migrations-test" => {
            one(field::TESTS, tests::any(file, text)?)
        }
        // A rehearsal is JSON (read as it is) or a JUnit report (digested).
        "rollback-rehearsal" if text.trim_start().starts_with('<') => {
            one(field::TESTS, tests::junit(file, text)?)
        }
        "audit" | "image-scan" => one(field::FINDINGS, vulns::any(file, text)?),
        "lint" => one(field::LINT, lint::any(file, text)?),
        "coverage" => one(field::COVERAGE, coverage::any(file, text)?),
        "alerts" => one(field::RULES, ops::prometheus_rules(file, text)?),
        "load-test" => one(field::LOAD, ops::k6_summary(file, text)?),
        "manifests" => one(field::OBJECTS, k8s::documents(file, text)?),
        "openapi" => one(field::OPENAPI, docs::openapi(file, text)?),
        _ => None,
    })
}

/// Parses JSON, with the error naming `file` and position.
pub(crate) fn json<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
) -> Result<T, ParseError> {
    serde_json::from_str(text).map_err(|e| ParseError::json(file, &e))
}
