//! Lint results: clippy's `--message-format=json` lines and SARIF 2.1.0 logs.

#[cfg(feature = "digest")]
use super::ParseError;
#[cfg(feature = "digest")]
use serde_json::Value;

/// Counts of lint results.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LintCounts {
    /// Error-level results.
    pub errors: usize,
    /// Warning-level results.
    pub warnings: usize,
    /// The first error messages (at most 10).
    pub first_errors: Vec<String>,
}

impl LintCounts {
    #[cfg(feature = "digest")]
    fn add(&mut self, level: &str, text: &str) {
        match level {
            "error" | "error: internal compiler error" => {
                self.errors += 1;
                if self.first_errors.len() < 10 {
                    self.first_errors.push(text.to_owned());
                }
            }
            "warning" => self.warnings += 1,
            _ => {}
        }
    }
}

/// Parses cargo's JSON messages (`cargo clippy --message-format=json`), counting
/// `compiler-message` levels. The summary line "aborting due to N previous errors" is not counted.
#[cfg(feature = "digest")]
pub fn clippy(file: &str, text: &str) -> Result<LintCounts, ParseError> {
    let mut counts = LintCounts::default();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line)
            .map_err(|e| ParseError::new(file, i + 1, e.column(), e.to_string()))?;
        if v["reason"] != "compiler-message" {
            continue;
        }
        let msg = &v["message"];
        let text = msg["message"].as_str().unwrap_or_default();
        if text.starts_with("aborting due to")
            || text.contains("warnings emitted")
            || text.contains("warning emitted")
        {
            continue;
        }
        counts.add(msg["level"].as_str().unwrap_or_default(), text);
    }
    Ok(counts)
}

/// Parses a SARIF 2.1.0 log, counting results by level (default `warning`, as the spec says).
#[cfg(feature = "digest")]
pub fn sarif(file: &str, text: &str) -> Result<LintCounts, ParseError> {
    let v: Value = super::json(file, text)?;
    if v["version"] != "2.1.0" {
        return Err(ParseError::new(
            file,
            1,
            1,
            format!("SARIF version is {}, expected \"2.1.0\"", v["version"]),
        ));
    }
    let runs = v["runs"]
        .as_array()
        .ok_or_else(|| ParseError::new(file, 1, 1, "no `runs` array"))?;
    let mut counts = LintCounts::default();
    for run in runs {
        for r in run["results"].as_array().into_iter().flatten() {
            let level = r["level"].as_str().unwrap_or("warning");
            let text = r["message"]["text"].as_str().unwrap_or_default();
            let rule = r["ruleId"].as_str().unwrap_or("?");
            counts.add(level, &format!("{rule}: {text}"));
        }
    }
    Ok(counts)
}

/// Parses either format, chosen by content (a SARIF log is one JSON object with `runs`).
#[cfg(feature = "digest")]
pub fn any(file: &str, text: &str) -> Result<LintCounts, ParseError> {
    if text.contains("\"runs\"") && text.contains("\"$schema\"")
        || text.contains("\"version\": \"2.1.0\"")
        || text.contains("\"version\":\"2.1.0\"")
    {
        sarif(file, text)
    } else {
        clippy(file, text)
    }
}
