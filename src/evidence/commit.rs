//! Commit ids: one rule for every commit an artifact, an attestation or the build names.
//!
//! A commit id is 7 to 64 hexadecimal digits: a full git hash (40 digits for SHA-1, 64 for
//! SHA-256 repositories) or an abbreviation of one, as `git rev-parse --short` prints it. Case
//! does not matter. Two ids name the same commit when the shorter is a prefix of the longer.
//! `prodready add`, `prodready attest` and `prodready verify` reject any other `--commit`, and
//! every comparison goes through [`same_commit`], so an id that could never match is reported as
//! malformed, never as another commit.
//!
//! ```
//! use prodready::evidence::commit::{same_commit, CommitId};
//! assert!(CommitId::parse("9f2c1e0").is_ok());
//! assert!(CommitId::parse("abc123").is_err()); // 6 digits: too short to name a commit
//! assert_eq!(same_commit("9f2c1e0", "9F2C1E0AA51"), Ok(true));
//! assert_eq!(same_commit("9f2c1e0", "9f2c1e1"), Ok(false));
//! ```

use std::fmt;

/// The rule, as error messages state it.
pub const RULE: &str = "a commit id is 7 to 64 hexadecimal digits (a full git hash or an \
    abbreviation of one, e.g. `git rev-parse HEAD`); two ids match when the shorter is a prefix \
    of the longer";

/// The fewest digits a commit id has.
pub const MIN_LEN: usize = 7;
/// The most digits a commit id has (a SHA-256 object name).
pub const MAX_LEN: usize = 64;

/// Text that is not a commit id by [`RULE`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{given}` is not a commit id: {RULE}")]
pub struct CommitIdError {
    /// The text given.
    pub given: String,
}

/// A commit id that follows [`RULE`], stored in lower case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CommitId(String);

impl CommitId {
    /// Validates `text` (surrounding whitespace ignored) by [`RULE`].
    pub fn parse(text: &str) -> Result<Self, CommitIdError> {
        let t = text.trim();
        let ok = (MIN_LEN..=MAX_LEN).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_hexdigit());
        if ok {
            Ok(Self(t.to_ascii_lowercase()))
        } else {
            Err(CommitIdError {
                given: text.to_owned(),
            })
        }
    }

    /// The id, lower case.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether both name the same commit: the shorter is a prefix of the longer.
    pub fn matches(&self, other: &CommitId) -> bool {
        let (short, long) = if self.0.len() <= other.0.len() {
            (&self.0, &other.0)
        } else {
            (&other.0, &self.0)
        };
        long.starts_with(short.as_str())
    }
}

impl fmt::Display for CommitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for CommitId {
    type Err = CommitIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Whether `a` and `b` name the same commit; an error names the first that breaks [`RULE`].
pub fn same_commit(a: &str, b: &str) -> Result<bool, CommitIdError> {
    Ok(CommitId::parse(a)?.matches(&CommitId::parse(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_accepts_full_and_abbreviated_hashes_only() {
        for ok in [
            "9f2c1e0",
            "9F2C1E0AA",
            "0123456789abcdef0123456789abcdef01234567",
            &"a".repeat(64),
            " 9f2c1e0\n",
        ] {
            assert!(CommitId::parse(ok).is_ok(), "{ok:?}");
        }
        for bad in [
            "",
            "abc123",
            "9f2c1e0g",
            "unknown",
            "v1.5.0-3-g9f2c1e0",
            &"a".repeat(65),
        ] {
            let e = CommitId::parse(bad).expect_err(bad);
            assert!(e.to_string().contains("7 to 64 hexadecimal digits"), "{e}");
        }
    }

    #[test]
    fn ids_match_by_prefix_in_either_order_and_case() {
        assert_eq!(same_commit("9f2c1e0", "9f2c1e0aa51"), Ok(true));
        assert_eq!(same_commit("9F2C1E0AA51", "9f2c1e0"), Ok(true));
        assert_eq!(same_commit("9f2c1e0aa", "9f2c1e0ab"), Ok(false));
        assert_eq!(
            same_commit("abc123", "abc123"),
            Err(CommitIdError {
                given: "abc123".into()
            })
        );
    }
}
