//! A parser for env manifests in `.env.example` style.
//!
//! Accepted: `NAME=example` lines (optionally `export NAME=…`, spaces around `=`), values quoted
//! with `"` or `'` (which may span lines), inline `# comments` after a value, `# comment` lines
//! documenting the variable right below them (a blank line ends the block), and commented-out
//! variables (`# NAME=example`), which list an optional variable. Errors name the line but never
//! echo its text: a malformed line may hold a pasted secret.

/// One variable the manifest lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) name: String,
    /// 1-based line of the `NAME=` line.
    pub(crate) line: usize,
    /// The comment block above it, or its inline comment.
    pub(crate) comment: Option<String>,
    /// The example value (never shown; compared against a secret's live value only).
    pub(crate) value: String,
}

/// A malformed line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub(crate) struct ManifestError {
    pub(crate) line: usize,
    pub(crate) problem: &'static str,
}

fn malformed(line: usize, problem: &'static str) -> ManifestError {
    ManifestError { line, problem }
}

pub(crate) fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The entries of `text`, in order.
pub(crate) fn parse(text: &str) -> Result<Vec<Entry>, ManifestError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.lines().collect();
    let mut entries = Vec::new();
    let mut block: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let n = i + 1;
        let line = lines[i].trim();
        i += 1;
        if line.is_empty() {
            block.clear();
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            let comment = comment.trim();
            // `# NAME=example`: an optional variable, commented out.
            if let Some((name, _)) = comment.split_once('=') {
                let name = name.trim();
                if is_valid_name(name) && !name.is_empty() && name == name.to_ascii_uppercase() {
                    entries.push(Entry {
                        name: name.to_owned(),
                        line: n,
                        comment: joined(&mut block),
                        value: String::new(),
                    });
                    continue;
                }
            }
            if !comment.is_empty() {
                block.push(comment.to_owned());
            }
            continue;
        }
        let line = line.strip_prefix("export ").map_or(line, str::trim_start);
        let Some((name, rest)) = line.split_once('=') else {
            return Err(malformed(n, "expected `NAME=value` (no `=` found)"));
        };
        let name = name.trim_end();
        if name.is_empty() {
            return Err(malformed(n, "missing variable name before `=`"));
        }
        if !is_valid_name(name) {
            return Err(malformed(
                n,
                "invalid variable name (letters, digits and `_`, not starting with a digit)",
            ));
        }
        let (value, inline, used) = value(rest.trim_start(), &lines[i..], n)?;
        i += used;
        let comment = joined(&mut block).or(inline);
        entries.push(Entry {
            name: name.to_owned(),
            line: n,
            comment,
            value,
        });
    }
    Ok(entries)
}

fn joined(block: &mut Vec<String>) -> Option<String> {
    let text = block.join(" ");
    block.clear();
    (!text.is_empty()).then_some(text)
}

/// The value starting at `rest`, its inline comment, and how many further lines it used.
fn value(
    rest: &str,
    following: &[&str],
    n: usize,
) -> Result<(String, Option<String>, usize), ManifestError> {
    let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
        // Unquoted: ` #` starts an inline comment.
        let (value, comment) = match rest.find(" #").or_else(|| rest.find("\t#")) {
            Some(at) => (&rest[..at], Some(rest[at + 2..].trim())),
            None if rest.starts_with('#') => ("", Some(rest[1..].trim())),
            None => (rest, None),
        };
        let comment = comment.filter(|c| !c.is_empty()).map(str::to_owned);
        return Ok((value.trim_end().to_owned(), comment, 0));
    };
    let mut text = rest[1..].to_owned();
    let mut used = 0;
    loop {
        if let Some(end) = closing(&text, quote) {
            let after = text[end + 1..].trim();
            let comment = match after.strip_prefix('#') {
                Some(c) => Some(c.trim()).filter(|c| !c.is_empty()).map(str::to_owned),
                None if after.is_empty() => None,
                None => return Err(malformed(n, "unexpected text after the closing quote")),
            };
            text.truncate(end);
            return Ok((text, comment, used));
        }
        // A quoted value may span lines; it must end before the file does.
        let Some(next) = following.get(used) else {
            return Err(malformed(n, "unterminated quoted value"));
        };
        text.push('\n');
        text.push_str(next);
        used += 1;
    }
}

/// The byte index of the closing `quote` in `text` (a `\` escapes the next character in `"…"`).
fn closing(text: &str, quote: char) -> Option<usize> {
    let mut escaped = false;
    for (at, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quote == '"' => escaped = true,
            c if c == quote => return Some(at),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_comments_exports_quotes_and_commented_out_variables() {
        let text = "\u{feff}# ---- Database ----\n\n# Pool size of the primary database.\n# Between 1 and 100.\nAPP_DB_POOL_SIZE=10\r\nexport APP_API_KEY = \"abc # not a comment\" # API key of the billing provider\nAPP_UNDOCUMENTED=\n# The TLS chain,\n# PEM.\nAPP_TLS_CHAIN=\"-----BEGIN\nline \\\" two\n-----END\"\n\n# Optional: log level.\n# APP_LOG_LEVEL=info\nAPP_PORT=8080 # listen port\nAPP_URL=http://x/#frag\n";
        let entries = parse(text).unwrap();
        let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "APP_DB_POOL_SIZE",
                "APP_API_KEY",
                "APP_UNDOCUMENTED",
                "APP_TLS_CHAIN",
                "APP_LOG_LEVEL",
                "APP_PORT",
                "APP_URL"
            ]
        );
        assert_eq!(
            entries[0].comment.as_deref(),
            Some("Pool size of the primary database. Between 1 and 100.")
        );
        assert_eq!(entries[0].line, 5);
        assert_eq!(entries[1].value, "abc # not a comment");
        assert_eq!(
            entries[1].comment.as_deref(),
            Some("API key of the billing provider")
        );
        assert_eq!(entries[2].comment, None);
        assert_eq!(entries[3].value, "-----BEGIN\nline \\\" two\n-----END");
        assert_eq!(entries[3].comment.as_deref(), Some("The TLS chain, PEM."));
        assert_eq!(entries[4].comment.as_deref(), Some("Optional: log level."));
        assert_eq!(entries[4].line, 15);
        assert_eq!(entries[5].value, "8080");
        assert_eq!(entries[5].comment.as_deref(), Some("listen port"));
        assert_eq!(entries[6].value, "http://x/#frag");
        assert_eq!(entries[6].comment, None);
    }

    #[test]
    fn malformed_lines_are_reported_by_number_without_their_text() {
        let cases = [
            ("A=1\nsk_live_abcdef\n", 2, "no `=` found"),
            ("A=1\n\n=x\n", 3, "missing variable name"),
            ("1A=x\n", 1, "invalid variable name"),
            ("MY VAR=x\n", 1, "invalid variable name"),
            ("A=\"open\nB=2\n", 1, "unterminated quoted value"),
            ("A='x' y\n", 1, "after the closing quote"),
        ];
        for (text, line, problem) in cases {
            let err = parse(text).unwrap_err();
            assert_eq!(err.line, line, "{text:?}");
            assert!(err.problem.contains(problem), "{text:?}: {err}");
            assert!(!err.to_string().contains("sk_live"));
        }
    }

    #[test]
    fn empty_manifest_has_no_entries() {
        assert_eq!(parse("").unwrap(), vec![]);
        assert_eq!(parse("# only a comment\n\n").unwrap(), vec![]);
    }
}
