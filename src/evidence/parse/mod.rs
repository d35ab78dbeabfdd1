//! Parsers for the artifacts CI produces. Each returns a [`ParseError`] naming the file and
//! position on malformed input, never panics.

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

    pub(crate) fn yaml(file: &str, e: &serde_yaml::Error) -> Self {
        let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
        Self::new(file, line, column, e.to_string())
    }
}

/// Parses JSON, with the error naming `file` and position.
pub(crate) fn json<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
) -> Result<T, ParseError> {
    serde_json::from_str(text).map_err(|e| ParseError::json(file, &e))
}
